/* cl-store-rows.h: per-card data (issue 17). A batch may carry a data file: one row per card, each produced exactly
 * once. The file is imported whole (validated beforehand by the CSV reader and its mapping); its rows then go
 * PENDING -> IN_PRODUCTION (claimed by one attempt) -> DONE (bound to one good chip) or FAILED (with a reason).
 *
 * Target field names, the keys of a row's fields (agreed with the CSV import):
 *   face.<placeholder>   a printed text field of the card face (a face template's Field=face.<placeholder>)
 *   face.photo           the photo printed on the face: carried by ClRowImport.photo / photo_type, never as a
 *                        value in fields (a fields entry named face.photo is refused)
 *   chr.holder           the holder-mnemonic part of the device certificate's CHR (country, holder, sequence):
 *                        1..9 of A-Z 0-9
 *   store-data.<name>    a STORE DATA value, written by CONFIGURE after the profile's blocks as one BER-TLV data
 *                        object whose tag is <name> in hex (1 or 2 bytes, e.g. store-data.5f20), value the UTF-8
 *                        text (at most 127 bytes)
 *   token-label          the token label (at most 32 bytes), written to EF.TokenInfo where the profile
 *                        initialises the card (production/cl-sequence-label.c)
 * Besides fields, every row has its reference (unique in the batch: what the manifest names it by) and its
 * display text (what the Line panel shows while the row is produced). <placeholder> and <name> are 1..64 of
 * [a-z0-9_-]. Values are UTF-8 text of at most CL_STORE_ROW_VALUE_MAX bytes. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_STORE_ROW_VALUE_MAX (64 * 1024)
#define CL_STORE_ROW_PHOTO_MAX (16 * 1024 * 1024)
/* chr.holder: A-Z 0-9, as long as a CHR's 16 characters allow after country (2) and sequence (5) */
#define CL_STORE_ROW_HOLDER_MAX 9
/* store-data.<tag>: one short-form BER-TLV length */
#define CL_STORE_ROW_STORE_DATA_MAX 127

/* One row of a data file, as the mapping made it. */
typedef struct
{
  guint line;             /* the row's line in the file (1 = the header's line + 1 ...), for errors and records */
  const char *reference;  /* 1..128 printable characters, unique in the file */
  const char *display;    /* 1..128 printable characters */
  GHashTable *fields;     /* target field name -> value (char * both); NULL: none */
  GBytes *photo;          /* NULL: none */
  const char *photo_type; /* its media type ("image/png", "image/jpeg"); set exactly when photo is */
} ClRowImport;

/* A whole validated data file. */
typedef struct
{
  const char *file_name; /* as the supervisor named it (no directory needed) */
  const char *sha256;    /* of the file's bytes: 64 lower-case hex digits */
  const char *mapping;   /* the mapping's text, kept with the file */
  gboolean good_only;    /* the supervisor imports only the good rows of a file with errors (audited) */
  guint refused;         /* rows left out for errors; more than 0 only with good_only */
  const char *actor;
  const ClRowImport *rows;
  guint n_rows; /* at least 1 */
} ClDataFileImport;

typedef enum
{
  CL_ROWS_IMPORTED,
  CL_ROWS_ALREADY_IMPORTED, /* the batch's current file has this SHA-256: nothing was written */
} ClRowsImportOutcome;

/* Writes file's rows as the batch's data in one transaction, audited as "batch-data-import" (subject the batch's
 * name; detail file name, SHA-256, rows accepted and refused, good-only). Importing the batch's current file again
 * changes nothing (*outcome CL_ROWS_ALREADY_IMPORTED). Another file replaces the batch's rows only while none of
 * them went into production; once one did, CL_ERROR_INVALID_ARGUMENT naming the batch, the produced rows and the
 * current file. Bad arguments (unknown target field, duplicate reference, ...) are CL_ERROR_INVALID_ARGUMENT naming
 * the file, line and what was wrong; nothing is written then. Returns the file's id (the known one when already
 * imported), 0 on error. outcome may be NULL. */
gint64 cl_store_rows_import (ClStore *self, gint64 batch_id, const ClDataFileImport *file, ClRowsImportOutcome *outcome,
                             GError **error);

/* TRUE when name is a target field name listed above (face.photo included). */
gboolean cl_store_rows_is_target (const char *name);

/* Rows of the batch per state; any pointer may be NULL. A batch without data has 0 everywhere. */
typedef struct
{
  gint64 pending;
  gint64 in_production;
  gint64 done;
  gint64 failed;
} ClRowCounts;

gboolean cl_store_rows_count (ClStore *self, gint64 batch_id, ClRowCounts *counts, GError **error);

/* ---- rows through production (cl-store-row-claim.c) ----
 *
 * A row is claimed by one attempt once its chip is known (after IDENTIFY): the chip's own row if it holds one (a
 * card re-fed after it was torn, or resumed by QA: the row follows the chip), else the batch's first PENDING row,
 * in one conditional UPDATE, so that two stations sharing the store never take the same row. The attempt's end
 * settles the row in the same transaction (cl_store_attempt_end): GOOD binds it to the chip for good (DONE); a
 * reject gives it back (PENDING, or FAILED with the reason when ClAttemptEnd.row_fails_on_reject) unless the chip
 * keeps it: the card was torn (CARD_REMOVED), is still with someone (RETAINED, UNKNOWN), or already carries the
 * row's certificate. A chip QA scraps gives its row back (PENDING). */

typedef enum
{
  CL_ROW_PENDING,
  CL_ROW_IN_PRODUCTION,
  CL_ROW_DONE,
  CL_ROW_FAILED,
} ClRowState;

const char *cl_row_state_to_string (ClRowState state);

typedef struct
{
  gint64 id;
  gint64 batch_id;
  guint line;
  char *reference;
  char *display;
  GHashTable *fields; /* target field name -> value */
  GBytes *photo;      /* NULL: none */
  char *photo_type;
  ClRowState state;
  gint64 attempt_id; /* -1: none */
  char *chip_id;     /* NULL: none */
  char *failure;     /* NULL: none */
} ClBatchRow;

void cl_batch_row_free (ClBatchRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClBatchRow, cl_batch_row_free)
/* The value of target field name, NULL when the row has none. */
const char *cl_batch_row_get (const ClBatchRow *row, const char *name);

/* Claims a row for attempt_id on chip_id (see above); *row is the claimed row, or NULL when the chip holds no row
 * and batch_id is 0 or has no data file (nothing to claim: not an error). CL_ERROR_NOT_FOUND when the batch has
 * data but no PENDING row left; CL_ERROR_CLAIMED when the chip is bound to a row already (DONE) or holds one of
 * another batch. */
gboolean cl_store_rows_claim (ClStore *self, gint64 batch_id, gint64 attempt_id, const char *chip_id, ClBatchRow **row,
                              GError **error);
/* The row chip_id holds (any state but PENDING); CL_ERROR_NOT_FOUND if none. */
ClBatchRow *cl_store_rows_lookup_chip (ClStore *self, const char *chip_id, GError **error);
/* What a good card's face shows, for a reprint: *serial the printed serial (else the device CHR without its last 5
 * characters, as OpenSC shows it), *batch the batch it was produced in (NULL if none), *row its data row (NULL if it
 * holds none). CL_ERROR_NOT_FOUND for a chip never identified; CL_ERROR_INVALID_ARGUMENT for one that is not GOOD
 * or has no serial yet. */
gboolean cl_store_rows_face_of (ClStore *self, const char *chip_id, char **serial, char **batch, ClBatchRow **row,
                                GError **error);
/* Every row of the batch in file order (GPtrArray of ClBatchRow, photos left out). */
GPtrArray *cl_store_rows_list (ClStore *self, gint64 batch_id, GError **error);

G_END_DECLS
