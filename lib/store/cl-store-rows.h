/* cl-store-rows.h: per-card data (issue 17). A batch may carry a data file: one row per card, each produced exactly
 * once. The file is imported whole (validated beforehand by the CSV reader and its mapping); its rows then go
 * PENDING -> IN_PRODUCTION (claimed by one attempt) -> DONE (bound to one good chip) or FAILED (with a reason).
 *
 * Target field names, the keys of a row's fields (agreed with the CSV import):
 *   face.<placeholder>   a printed text field of the card face (the face template's {placeholder})
 *   face.photo           the photo printed on the face: carried by ClRowImport.photo / photo_type, never as a
 *                        value in fields (a fields entry named face.photo is refused)
 *   chr.holder           the holder-mnemonic part of the device certificate's CHR (country, holder, sequence)
 *   store-data.<name>    a STORE DATA value the profile's configure step writes under <name>
 *   token-label          the token label, where the profile initialises the card
 * Besides fields, every row has its reference (unique in the batch: what the manifest names it by) and its
 * display text (what the Line panel shows while the row is produced). <placeholder> and <name> are 1..64 of
 * [a-z0-9_-]. Values are UTF-8 text of at most CL_STORE_ROW_VALUE_MAX bytes. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_STORE_ROW_VALUE_MAX (64 * 1024)
#define CL_STORE_ROW_PHOTO_MAX (16 * 1024 * 1024)

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

G_END_DECLS
