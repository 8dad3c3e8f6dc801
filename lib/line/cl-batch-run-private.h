/* cl-batch-run-private.h: what the cl-batch-run-*.c files share (cl-batch-run.h says what a batch run does).
 *
 *   cl-batch-run.c         the object, its public calls (pause, retry, stop) and its start
 *   cl-batch-run-events.c  events onto the main context, faults, the feeder's reports
 *   cl-batch-run-feed.c    the feed thread: cards from the feeder into card jobs, the batch's end
 *   cl-batch-run-jobs.c    card jobs, each on its own thread, and their recovery from a station fault
 *   cl-batch-run-places.c  the batch's count and its places (cl-store-place.h): taking, giving back, waiting
 *   cl-batch-run-watch.c   the batch watch: the batch completed by other stations
 *
 * Functions named "with the lock held" expect self->lock held; those that say "released meanwhile" let go of it
 * around the store. */
#pragma once

#include "line/cl-batch-run.h"
#include "line/cl-batch-state-writer.h"
#include "line/cl-station-publisher.h"
#include "store/cl-station-lease.h"

G_BEGIN_DECLS

struct _ClBatchRun
{
  GObject parent_instance;

  ClProductionSetup *setup;
  ClFeeder *feeder;
  ClFacePrinter *face;
  gboolean face_behind; /* cl_batch_run_set_face_ahead (FALSE) */
  char *station;
  ClStationLease *lease;         /* this process is the station (cl-store-station.h) */
  ClStationPublisher *publisher; /* its live state in the fleet's records (any thread) */
  char *batch_name;
  char *user; /* who runs the batch: its audit actor unless a command names another */
  gint64 batch_id;
  guint quantity;
  gboolean has_rows;      /* the batch has a data file: it ends when no row is left to claim */
  gboolean place_on_card; /* a rack: a card's place is taken once it is present, not before the feed */
  GCancellable *done;
  ClBatchStateWriter *state_writer;
  char *close_refused;        /* why the store did not close the batch (e.g. a good card's PIN envelope is missing) */
  ClBatchCounters *counters;  /* main context */
  GMainContext *main_context; /* from cl_batch_run_start() */
  GThread *feed_thread;
  GPtrArray *stop_tasks; /* main context */
  gboolean running;      /* main context */

  /* shared between the main context, the feed thread and the card jobs */
  GMutex lock;
  GCond cond;
  gboolean paused;
  gboolean stopping;
  gboolean feed_done;    /* the feed thread stopped feeding: the batch watch ends */
  guint retries;         /* the operator's Resume presses */
  gboolean faulted;      /* a station fault holds the line until the part is back (or Resume) */
  ClLineFault fault;     /* which, while faulted */
  gboolean reconnecting; /* a card job is re-opening the HSM for every job */
  guint reconnects;      /* HSM reconnects that worked: a job waiting on one goes on with the new setup */
  gboolean feeder_out;   /* the feeder cannot go on: idle until Stop */
  char *end_user;
  guint disposed; /* the batch's, every station's, as the store last said */
  guint run_disposed;
  guint in_flight;
  GHashTable *jobs; /* reader -> GCancellable of its card job */
  GCancellable *feed_cancellable;
  gboolean place_fault;  /* the store could not hand out a place: said once, cleared when it can again */
  gboolean place_waited; /* no place free while other stations' cards are in production: said once */
  gboolean watching;     /* the batch watch runs (cl-batch-run-watch.c) */
  gint64 first_card_us, last_dispose_us;
};

/* Back-off between tries to reach a lost part: quick for a blip, at most a few seconds for an outage. */
#define RECOVER_FIRST_MS 200
#define RECOVER_MAX_MS   5000

/* cl-batch-run.c: the signals */
void cl_batch_run_emit_event (ClBatchRun *self, ClLineEvent *event);
void cl_batch_run_emit_finished (ClBatchRun *self);

/* cl-batch-run-events.c: any thread; the main context sees events in the order they were posted */
void cl_batch_run_post_event (ClBatchRun *self, ClLineEvent *event);
void cl_batch_run_post_typed (ClBatchRun *self, ClLineEventKind kind, const char *reader,
                              const ClLineEventFields *fields, const char *text);
void cl_batch_run_post_note (ClBatchRun *self, const char *reader, const char *text);
void cl_batch_run_post_fault (ClBatchRun *self, const char *reader, ClLineFault fault, gboolean card_inside,
                              const char *detail);
void cl_batch_run_post_fault_cleared (ClBatchRun *self, const char *reader, ClLineFault fault);
void cl_batch_run_on_lease_lost (ClStationLease *lease, gpointer user_data);
void cl_batch_run_on_state_failed (ClBatchState state, const GError *error, gpointer user_data);
void cl_batch_run_connect_feeder (ClBatchRun *self);

/* cl-batch-run-feed.c */
gpointer cl_batch_run_feed_thread (gpointer data);

/* cl-batch-run-jobs.c: with the lock held */
void cl_batch_run_start_job (ClBatchRun *self, ClFeederCard *card);

/* cl-batch-run-places.c: with the lock held */
gint64 cl_batch_run_rows_pending (ClBatchRun *self);
void cl_batch_run_refresh_disposed (ClBatchRun *self, guint at_least);
gboolean cl_batch_run_over (ClBatchRun *self);
void cl_batch_run_give_back_place (ClBatchRun *self);
gboolean cl_batch_run_take_place (ClBatchRun *self, const char *reader);

/* cl-batch-run-watch.c: the batch watch, for a batch other stations can complete. From the feed thread as it
 * starts (asks the store); with the lock held, once another station is known to hold places. */
void cl_batch_run_watch_start_if_shared (ClBatchRun *self);
void cl_batch_run_watch_start (ClBatchRun *self);

G_END_DECLS
