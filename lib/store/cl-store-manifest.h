/* cl-store-manifest.h: the manifest the customer receives with a batch (issue 17): which data row became which chip,
 * with its printed serial and device certificate, which rows did not, and the rejected cards with their reasons.
 *
 * Records, in this order:
 *   ROW       one per data row of the batch, in file order: its state (disposition PENDING, IN_PRODUCTION, FAILED
 *             with its reason, or GOOD / RECOVERED when DONE: bound by a production attempt or by a QA re-test),
 *             and for a row on a chip that chip's id, serial, CHR and certificate
 *   CARD      one per good chip of the batch that holds no row (a batch without data, or a chip QA recovered whose
 *             row had gone to another card): GOOD or RECOVERED
 *   REJECTED  one per production attempt of the batch that put a card in the reject bin (disposition REJECTED,
 *             the reason and failed step), or lost it (UNKNOWN), in the order they ended
 * So the GOOD and RECOVERED records together are the batch's good chips plus the chips QA recovered (the yield
 * summary's good + recovered), and the REJECTED ones with disposition REJECTED are its rejected attempts.
 * Times are ISO 8601 UTC; the certificate hash is SHA-256 of the device CVC as issued (its latest issue). */
#pragma once

#include "store/cl-store-rows.h"

G_BEGIN_DECLS

typedef enum
{
  CL_MANIFEST_ROW,
  CL_MANIFEST_CARD,
  CL_MANIFEST_REJECTED,
} ClManifestKind;

typedef struct
{
  ClManifestKind kind;
  char *row_reference; /* ROW only */
  guint row_line;      /* ROW only, else 0 */
  char *chip_id;       /* NULL: none */
  char *printed_serial;
  char *device_chr;
  char *certificate_sha256; /* 64 lower-case hex digits */
  char *disposition;        /* GOOD, RECOVERED, REJECTED, UNKNOWN, PENDING, IN_PRODUCTION, FAILED */
  char *reason;             /* FAILED rows and REJECTED records: "REASON at STEP" */
  gint64 time;              /* µs since the epoch, 0: none */
  char *station;
} ClManifestRecord;

typedef struct
{
  char *batch;
  gint64 batch_id;
  ClRowCounts rows;
  guint good;         /* GOOD records */
  guint recovered;    /* RECOVERED records */
  guint rejected;     /* REJECTED records with disposition REJECTED */
  guint unknown;      /* REJECTED records with disposition UNKNOWN */
  GPtrArray *records; /* ClManifestRecord */
} ClManifest;

void cl_manifest_free (ClManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClManifest, cl_manifest_free)

/* The manifest of the batch named batch, read in one transaction. CL_ERROR_NOT_FOUND if there is no such batch. */
ClManifest *cl_store_manifest (ClStore *self, const char *batch, GError **error);

/* RFC 4180 CSV with a header line, CRLF line ends. A cell that a spreadsheet would run as a formula (its first
 * character one of = + - @, a tab or a CR) is written with a leading apostrophe, so it stays text. */
char *cl_manifest_to_csv (const ClManifest *manifest);
/* {"batch", "batch_id", "rows": {pending, in_production, done, failed}, "good", "recovered", "rejected", "unknown",
 *  "records": [{"record", "row_reference", "row_line", "chip_id", ...}]}; absent values are null. */
char *cl_manifest_to_json (const ClManifest *manifest);
/* The CSV cell for value (quoted and neutralised as above); value may be NULL (an empty cell). */
void cl_manifest_append_csv_cell (GString *out, const char *value);

G_END_DECLS
