/* cl-store-dashboard.h: the read-only queries behind the supervisor dashboard and the QA rejects view:
 * batches, the final-yield series, rejected-card search and a card's full history. Every call is one read
 * transaction, safe from a worker thread. Yield figures keep the definitions of cl-yield-summary.h. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  char *name;
  char *profile_name;
  guint quantity;
  ClBatchState state;
  gint64 created;
} ClBatchInfo;

void cl_batch_info_free (ClBatchInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClBatchInfo, cl_batch_info_free)

/* A number that changes whenever the store's contents may have changed, by this process (any thread) or
 * another one: cheap enough to poll before re-running the dashboard queries. */
guint64 cl_store_change_stamp (ClStore *self);

/* ClBatchInfo of every batch, newest first. */
GPtrArray *cl_store_batch_list (ClStore *self, GError **error);

/* Names of the stations the yield figures can be read for: every registered station (fleet_stations) and every
 * station that made a production attempt, sorted. */
GPtrArray *cl_store_yield_station_list (ClStore *self, GError **error);
/* TRUE for NULL or "" (every station) and for a name cl_store_yield_station_list() holds; otherwise
 * CL_ERROR_NOT_FOUND naming the station and the ones there are. */
gboolean cl_store_check_yield_station (ClStore *self, const char *station, GError **error);

/* First feed and last eject of the production attempts in scope (batch_id 0: all), the end extended to the
 * latest QA action on their chips; both 0 when none. */
gboolean cl_store_production_span (ClStore *self, gint64 batch_id, gint64 *from, gint64 *to, GError **error);

/* Final yield as it stood at the end of each bucket of [from, to): (good + recovered) / distinct chips over
 * everything ended (or recovered) up to then. Returns n = ceil((to - from) / bucket_us) doubles. */
GArray *cl_store_final_yield_series (ClStore *self, gint64 batch_id, gint64 from, gint64 to, gint64 bucket_us,
                                     GError **error);

/* The same two for the production attempts of one station (NULL or "": every station, as above), from as few
 * aggregate rows as the fleet's. */
gboolean cl_store_production_span_at (ClStore *self, gint64 batch_id, const char *station, gint64 *from, gint64 *to,
                                      GError **error);
GArray *cl_store_final_yield_series_at (ClStore *self, gint64 batch_id, const char *station, gint64 from, gint64 to,
                                        gint64 bucket_us, GError **error);

/* Which rejected cards to list. Unset fields do not filter. */
typedef struct
{
  gint64 batch_id;         /* 0: any */
  gint reason;             /* ClRejectReason, -1: any */
  gint64 from, to;         /* rejection time in [from, to); 0: open */
  const char *search;      /* substring of the printed serial or the chip id (case-insensitive); NULL: any */
  gboolean include_closed; /* also cards QA already recovered or scrapped */
  guint limit;             /* 0: 10000 */
} ClRejectQuery;

/* The Rejects view's first page: the newest rejections that match a search or filter ("Show More" doubles it). */
#define CL_REJECTS_PAGE_FIRST 500

/* One rejected card, with its latest production rejection. */
typedef struct
{
  char *chip_id;
  char *printed_serial; /* NULL if never printed */
  gint64 batch_id;
  char *batch_name; /* NULL if no batch */
  ClRejectReason reason;
  ClProductionStep failed_step;
  gint last_sw;    /* -1: none */
  gint64 rejected; /* µs since the epoch */
  ClCardState state;
  guint attempts;            /* production attempts of the chip */
  ClDisposition disposition; /* REJECT_BIN, or UNKNOWN: that card's whereabouts are not known */
} ClRejectRow;

void cl_reject_row_free (ClRejectRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClRejectRow, cl_reject_row_free)

/* ClRejectRow, latest rejection first. An attempt ended RETAINED (a killed station's card, never made and fed
 * again) is no rejection: it lists no card. */
GPtrArray *cl_store_reject_search (ClStore *self, const ClRejectQuery *query, GError **error);
/* A page of that list: at most query->limit rows (0: 10000), and *more says whether older ones match too (one row more
 * is read to know, and not returned). */
GPtrArray *cl_store_reject_search_page (ClStore *self, const ClRejectQuery *query, gboolean *more, GError **error);

typedef enum
{
  CL_CARD_EVENT_ATTEMPT, /* an attempt began (what: kind; detail: station/reader) */
  CL_CARD_EVENT_STEP,    /* a step of an attempt (what: step; detail: result and detail) */
  CL_CARD_EVENT_END,     /* an attempt ended (what: result; detail: reason/step/disposition) */
  CL_CARD_EVENT_QA,      /* a QA action (what: action; detail: user and note) */
} ClCardEventKind;

typedef struct
{
  gint64 when;
  ClCardEventKind kind;
  gint64 attempt_id;
  char *what;
  char *detail;
  gint sw;            /* -1: none */
  gint64 duration_us; /* steps and ended attempts; 0 otherwise */
} ClCardEvent;

void cl_card_event_free (ClCardEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCardEvent, cl_card_event_free)

/* ClCardEvent of the chip in time order: attempts, their steps and ends, QA actions. CL_ERROR_NOT_FOUND for an
 * unknown chip. */
GPtrArray *cl_store_card_history (ClStore *self, const char *chip_id, GError **error);

G_END_DECLS
