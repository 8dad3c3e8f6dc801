/* cl-store-production-url.h: production URLs (issue 16): what admits a remote client's card into a batch.
 *
 * The store keeps a URL's secret token only as its SHA-256 (token_hash); the token itself is shown once, to the
 * one who issued it. A URL admits up to `cards` chips; a chip admitted once comes back through the same URL (a card
 * pulled and put in again resumes) without using another of its cards. Issuing ("production-url-issue"), each chip
 * admitted ("production-url-use") and each refusal of a known URL, used up or expired ("production-url-refused"),
 * are audited; the audit names the URL by its id, never by its token. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_PRODUCTION_URL_HASH_LEN 32

typedef struct
{
  gint64 id;
  gint64 batch_id;
  guint cards;    /* chips it admits */
  guint admitted; /* chips it admitted so far */
  guint finished; /* of those, the chips with a GOOD attempt in the batch: they do not come back */
  gint64 issued;  /* µs since the epoch */
  gint64 expires; /* µs since the epoch */
  /* its batch: quantity, chips made GOOD in it, and chips taken (admitted through any of the batch's URLs, or made
   * GOOD in it by a station): no new chip is admitted beyond quantity. A chip admitted and never finished (its card
   * not brought back) keeps its place: the batch never exceeds its quantity. */
  guint batch_quantity;
  guint batch_good;
  guint batch_taken;
} ClProductionUrl;

typedef enum
{
  CL_URL_ADMITTED, /* a new chip, counted */
  CL_URL_RESUMED,  /* a chip this URL admitted before */
  CL_URL_EXPIRED,
  CL_URL_USED_UP,    /* every card it allows went to other chips */
  CL_URL_BATCH_FULL, /* its batch has taken its quantity of chips */
} ClUrlAdmission;

/* Records a URL for batch_id (which must exist), audited as "production-url-issue" by actor. Returns its id. */
gint64 cl_store_production_url_add (ClStore *self, gint64 batch_id, const guint8 hash[CL_PRODUCTION_URL_HASH_LEN],
                                    guint cards, gint64 expires, const char *actor, GError **error);
/* The URL whose token hashes to hash: TRUE and out filled, or FALSE with CL_ERROR_NOT_FOUND (never issued: forged
 * or mistyped) or CL_ERROR_STORE. */
gboolean cl_store_production_url_find (ClStore *self, const guint8 hash[CL_PRODUCTION_URL_HASH_LEN],
                                       ClProductionUrl *out, GError **error);
/* At now, admits chip_id through URL url_id or refuses it, in one transaction, and audits it (actor: the service).
 * FALSE only when the store failed. */
gboolean cl_store_production_url_admit (ClStore *self, gint64 url_id, const char *chip_id, gint64 now,
                                        const char *actor, ClUrlAdmission *admission, GError **error);
/* Audits that a known URL was refused before a chip was known (expired at the first POST). */
gboolean cl_store_production_url_refuse (ClStore *self, gint64 url_id, const char *why, const char *actor,
                                         GError **error);

G_END_DECLS
