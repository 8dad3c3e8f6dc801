/* cl-data-mapping.h: which column of a customer's data file feeds which field of a card, and the rules a column's
 * values must keep (issue 17). Read from a key file of its own (`--mapping FILE`) or from the same groups in a
 * profile:
 *
 *   [data]
 *   reference=employee_id        # the column that names the row (the manifest's row reference): required, unique
 *   display=name                 # the column the Line panel shows for the row (default: the reference)
 *   face.name=name               # TARGET=COLUMN, one line per target field fed
 *   face.photo=photo_file
 *   chr.holder=employee_id
 *
 *   [data column employee_id]    # optional, one group per column with rules
 *   required=true                # not empty (default false)
 *   unique=true                  # no two rows with the same value (default false)
 *   max-length=16                # in characters, 1..65536
 *   pattern=[A-Z]{2}[0-9]{6}     # GRegex (PCRE) the whole value must match
 *   type=text                    # text (default), number (-?digits[.digits]), date (ISO 8601 YYYY-MM-DD)
 *
 * Target fields: face.NAME (a text field NAME of the card face; not serial or batch, which the station prints
 * itself), face.photo (the photo: a file in the photos directory named by the column's value), chr.holder (the
 * holder part of the device CHR: 1 to 9 of A-Z and 0-9), store-data.TAG (a STORE DATA value of at most 127 bytes,
 * written as a data object with that 1- or 2-byte tag in lower-case hex, e.g. store-data.5f20), token-label (the
 * token label, at most 32 bytes, the PKCS#11 label size: written to the card's EF.TokenInfo where the profile
 * initialises the card; a profile that ships cards uninitialised refuses it, data/cl-data-import.h).
 *
 * Errors are CL_ERROR_PROFILE "FILE:GROUP:KEY: …": an unknown target field, group or key, an empty column name, a bad
 * pattern or number. Whether the columns exist is known only with the data file: see cl-data-file.h. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_DATA_TYPE_TEXT,
  CL_DATA_TYPE_NUMBER,
  CL_DATA_TYPE_DATE,
} ClDataType;

typedef struct
{
  char *column;
  gboolean required;
  gboolean unique;
  guint max_length; /* characters; 0: no limit but the field size */
  char *pattern;    /* as written; NULL: none */
  GRegex *regex;    /* pattern anchored at both ends */
  ClDataType type;
} ClDataRule;

typedef struct
{
  char *target; /* e.g. "face.name" */
  char *column;
} ClDataTarget;

#define CL_DATA_TARGET_PHOTO       "face.photo"
#define CL_DATA_TARGET_CHR_HOLDER  "chr.holder"
#define CL_DATA_TARGET_TOKEN_LABEL "token-label"
#define CL_DATA_TARGET_STORE_DATA  "store-data."
/* what a chip takes: the CHR's 16 characters less country (2) and sequence (5); one short-form BER-TLV length */
#define CL_DATA_CHR_HOLDER_MAX 9
#define CL_DATA_STORE_DATA_MAX 127

#define CL_TYPE_DATA_MAPPING (cl_data_mapping_get_type ())
G_DECLARE_FINAL_TYPE (ClDataMapping, cl_data_mapping, CL, DATA_MAPPING, GObject)

/* A mapping file: only [data] and [data column NAME] groups. */
ClDataMapping *cl_data_mapping_new_from_file (const char *path, GError **error);
/* The data groups of kf (a profile's): NULL without an error when kf maps no column (no [data] key of the mapping's,
 * no column rules). file: what errors call it. */
ClDataMapping *cl_data_mapping_new_from_key_file (GKeyFile *kf, const char *file, GError **error);
/* TRUE for [data] and [data column NAME]: the groups a mapping reads in a profile. */
gboolean cl_data_mapping_owns_group (const char *group);
/* TRUE for the keys of those groups that are the mapping's: all but the profile's own keys of [data] (on-reject,
 * max-attempts: what a rejected card's row becomes, profile settings). */
gboolean cl_data_mapping_owns_key (const char *group, const char *key);

/* Where the mapping was read from ("people.map", "smartcard-hsm.profile"). */
const char *cl_data_mapping_get_file (ClDataMapping *self);
/* The mapping's groups as key file text (comments left out): what the store keeps with an imported file. */
const char *cl_data_mapping_get_text (ClDataMapping *self);
const char *cl_data_mapping_get_reference (ClDataMapping *self);
const char *cl_data_mapping_get_display (ClDataMapping *self);
/* ClDataTarget, in the file's order. */
GPtrArray *cl_data_mapping_get_targets (ClDataMapping *self);
/* The column feeding target, or NULL. */
const char *cl_data_mapping_get_column_of (ClDataMapping *self, const char *target);
/* The rules of column, the reference column's always required and unique. Never NULL: a column without a group gets
 * the defaults. What a target field implies (chr.holder, token-label) the validator checks per target. */
const ClDataRule *cl_data_mapping_get_rule (ClDataMapping *self, const char *column);
/* Every column the mapping names, each once, in the order first named. */
const char *const *cl_data_mapping_get_columns (ClDataMapping *self);

G_END_DECLS
