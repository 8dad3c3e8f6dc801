#include "cl-printer-station.h"

#include "line/cl-batch-state-writer.h"
#include "cl-station-feed.h"

#include <string.h>

#include "cl-driver-error.h"
#include "core/cl-error.h"
#include "cups/cl-face-printer.h"
#include "cups/cl-face-render.h"
#include "pcsc/cl-pcsc-transport.h"
#include "printer/cl-evolis-printer.h"
#include "printer/cl-printer-address.h"
#include "production/cl-card-sequence.h"

#define CARD_PRESENT_TIMEOUT_MS 10000
#define STATUS_POLL_MS          500
#define BLIND_RETRY_MS          2000 /* faults the status does not show (ribbon): retry the move itself */
#define RECONNECT_MS            1000
#define CONNECT_TIMEOUT_MS      3000
#define FACE_TIMEOUT_MS         60000
#define FAULT_OTHER             (-1) /* a refusal that is not one of the typed faults */

typedef enum
{
  MOVE_FEED,
  MOVE_EJECT,
  MOVE_REJECT,
} Move;

typedef enum
{
  WAIT_TIMEOUT,
  WAIT_RESUME,
  WAIT_STOP,
} WaitResult;

struct _ClPrinterStation
{
  GObject parent_instance;

  ClLine *line;
  ClProductionSetup *setup;
  char *printer_uri;
  char *reader;
  char *face_destination;
  char *batch_name;
  ClFaceTemplate *face;
  gint64 batch_id;
  guint quantity;
  GCancellable *done;
  GCancellable *stop;
  GMainContext *main_context; /* from cl_printer_station_start() */
  ClBatchStateWriter *state_writer;
  GThread *thread;
  ClBatchCounters *counters; /* main context */

  /* shared between the main context and the worker */
  GMutex lock;
  GCond cond;
  guint inserted;  /* card-inserted events on the printer's reader */
  gboolean resume; /* the operator asked to retry now */
  gboolean stopping;
  gboolean paused;
  gboolean worker_running;
  gboolean ending; /* cl_printer_station_end(): whoever sees the worker gone records the batch's end */
  char *end_user;
  GCancellable *card_cancellable; /* the card in production: cancelled when it leaves the reader */
  guint disposed;
  gint64 first_feed_us, last_dispose_us;

  /* worker only */
  GMainContext *worker_context; /* the printer's "fault" signals arrive here */
  ClCardPrinter *printer;
  gboolean fault_seen;
  ClPrinterFault fault;
  gboolean fault_card_inside;
};

G_DEFINE_FINAL_TYPE (ClPrinterStation, cl_printer_station, G_TYPE_OBJECT)

/* What the main context shows: an event line and, if state >= 0, the station's state (FAULT with instruction). */
typedef struct
{
  ClPrinterStation *self;
  char *text;
  gint state;
  char *instruction;
  char *status;
} Posted;

static gboolean
posted_dispatch (gpointer user_data)
{
  Posted *posted = user_data;
  ClPrinterStation *self = posted->self;
  ClStation *station = cl_station_list_find (cl_line_get_stations (self->line), self->reader, NULL);
  ClLineEvent *event
    = cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, self->reader, posted->text);

  if (station == NULL)
    return G_SOURCE_REMOVE;
  if (posted->state == CL_STATION_FAULT)
    cl_station_set_fault (station, posted->instruction);
  else if (posted->state >= 0)
    cl_station_set_state (station, (ClStationState)posted->state);
  if (posted->status != NULL)
    cl_station_set_last_event (station, posted->status, cl_line_event_get_time (event));
  return G_SOURCE_REMOVE;
}

static void
posted_free (gpointer user_data)
{
  Posted *posted = user_data;

  g_object_unref (posted->self);
  g_free (posted->text);
  g_free (posted->instruction);
  g_free (posted->status);
  g_free (posted);
}

static void post (ClPrinterStation *self, gint state, const char *instruction, const char *status, const char *format,
                  ...) G_GNUC_PRINTF (5, 6);

static void
post (ClPrinterStation *self, gint state, const char *instruction, const char *status, const char *format, ...)
{
  Posted *posted = g_new0 (Posted, 1);
  va_list args;

  va_start (args, format);
  posted->text = g_strdup_vprintf (format, args);
  va_end (args);
  /* one event, one line */
  g_strdelimit (posted->text, "\r\n", ' ');
  posted->self = g_object_ref (self);
  posted->state = state;
  posted->instruction = g_strdup (instruction);
  posted->status = g_strdup (status);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, posted_dispatch, posted, posted_free);
}

typedef struct
{
  ClPrinterStation *self;
  gboolean good;
} Counted;

static gboolean
counted_dispatch (gpointer user_data)
{
  Counted *counted = user_data;

  cl_batch_counters_add (counted->self->counters, counted->good);
  return G_SOURCE_REMOVE;
}

static void
counted_free (gpointer user_data)
{
  Counted *counted = user_data;

  g_object_unref (counted->self);
  g_free (counted);
}

/* One attempt ended: the Line view's counters belong to the main context. */
static void
post_count (ClPrinterStation *self, gboolean good)
{
  Counted *counted = g_new0 (Counted, 1);

  counted->self = g_object_ref (self);
  counted->good = good;
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, counted_dispatch, counted, counted_free);
}

/* Paused: no card is fed until resumed. FALSE when the station stops meanwhile. */
static gboolean
wait_while_paused (ClPrinterStation *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  while (self->paused && !self->stopping)
    g_cond_wait (&self->cond, &self->lock);
  return !self->stopping;
}

/* Sleeps up to ms, woken early by a resume or stop. */
static WaitResult
wait_ms (ClPrinterStation *self, guint ms)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * G_TIME_SPAN_MILLISECOND;

  while (!self->stopping && !self->resume)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  if (self->stopping)
    return WAIT_STOP;
  if (self->resume)
    {
      self->resume = FALSE;
      return WAIT_RESUME;
    }
  return WAIT_TIMEOUT;
}

static void
on_fault (ClCardPrinter *printer, ClPrinterFault fault, gboolean card_inside, const char *message, gpointer user_data)
{
  ClPrinterStation *self = user_data;

  self->fault_seen = TRUE;
  self->fault = fault;
  self->fault_card_inside = card_inside;
}

/* The printer's fault events of the last call are queued on the worker's context: take them in. */
static void
drain_faults (ClPrinterStation *self)
{
  while (g_main_context_iteration (self->worker_context, FALSE))
    ;
}

static ClCardPrinter *
open_printer (ClPrinterStation *self, GError **error)
{
  g_autoptr (ClPrinterTransport) transport = NULL;
  g_autoptr (ClCardPrinter) printer = NULL;
  g_autoptr (ClPrinterIdentity) identity = NULL;
  g_auto (ClPrinterAddress) address = { 0 };

  if (!cl_printer_address_parse (self->printer_uri, &address, error))
    return NULL;
  transport = cl_printer_address_open (&address, CONNECT_TIMEOUT_MS, self->stop, error);
  if (transport == NULL)
    return NULL;
  printer = cl_evolis_printer_new (transport);
  g_signal_connect (printer, "fault", G_CALLBACK (on_fault), self);
  identity = cl_card_printer_identify (printer, self->stop, error);
  if (identity == NULL)
    return NULL;
  post (self, -1, NULL, NULL, "printer model=%s serial=%s firmware=%s", identity->model, identity->serial,
        identity->firmware);
  return g_steal_pointer (&printer);
}

static void
post_fault (ClPrinterStation *self, gint fault, gboolean card_inside, const char *detail)
{
  const char *nick = fault == FAULT_OTHER ? "printer-error" : cl_printer_fault_to_nick (fault);
  const char *what = fault == FAULT_OTHER ? "Check the printer." : cl_printer_fault_instruction (fault);
  g_autofree char *instruction
    = g_strdup_printf ("%s %s", what,
                       fault == CL_PRINTER_FAULT_COMMUNICATION_LOST
                         ? "The line reconnects by itself."
                         : "The line resumes by itself once the printer reports it cleared (or press Resume).");

  /* A Resume pressed before this fault was shown is no answer to it. */
  g_mutex_lock (&self->lock);
  self->resume = FALSE;
  g_mutex_unlock (&self->lock);
  post (self, CL_STATION_FAULT, instruction, instruction, "fault fault=%s card-inside=%s instruction=%s detail=%s",
        nick, card_inside ? "yes" : "no", instruction, detail != NULL ? detail : "");
}

/* Connects (again) until it works or the station stops; the printer stays in FAULT meanwhile. */
static gboolean
reconnect (ClPrinterStation *self, GError **error)
{
  gboolean reported = FALSE;

  while (self->printer == NULL)
    {
      g_autoptr (GError) local = NULL;

      self->printer = open_printer (self, &local);
      drain_faults (self);
      if (self->printer != NULL)
        break;
      if (g_error_matches (local, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (!reported)
        post_fault (self, CL_PRINTER_FAULT_COMMUNICATION_LOST, FALSE, local->message);
      reported = TRUE;
      if (wait_ms (self, RECONNECT_MS) == WAIT_STOP)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CANCELLED, "the station stopped while the printer was unreachable");
          return FALSE;
        }
    }
  if (reported)
    post (self, CL_STATION_EMPTY, NULL, "Printer connected", "resumed fault=communication-lost");
  return TRUE;
}

static gboolean
printer_move (ClCardPrinter *printer, Move move, GCancellable *cancellable, GError **error)
{
  switch (move)
    {
      case MOVE_FEED:
        return cl_card_printer_feed_to_contact (printer, cancellable, error);
      case MOVE_EJECT:
        return cl_card_printer_eject (printer, cancellable, error);
      case MOVE_REJECT:
      default:
        return cl_card_printer_reject (printer, cancellable, error);
    }
}

/* Polls until the status no longer shows the fault (TRUE: retry the move), or the station stops (FALSE). */
static gboolean
wait_fault_cleared (ClPrinterStation *self, gint fault)
{
  gboolean blind
    = fault != CL_PRINTER_FAULT_FEEDER_EMPTY && fault != CL_PRINTER_FAULT_JAM && fault != CL_PRINTER_FAULT_COVER_OPEN;

  for (;;)
    {
      ClPrinterStatus status = { 0 };
      g_autoptr (GError) local = NULL;

      switch (wait_ms (self, blind ? BLIND_RETRY_MS : STATUS_POLL_MS))
        {
          case WAIT_STOP:
            return FALSE;
          case WAIT_RESUME:
            return TRUE;
          case WAIT_TIMEOUT:
          default:
            break;
        }
      if (blind)
        return TRUE;
      self->fault_seen = FALSE;
      if (!cl_card_printer_get_status (self->printer, &status, self->stop, &local))
        {
          drain_faults (self);
          if (self->fault_seen && self->fault == CL_PRINTER_FAULT_COMMUNICATION_LOST)
            return TRUE; /* the move's retry finds the connection gone and reconnects */
          continue;      /* a printer busy with its fault may not answer every query */
        }
      if ((fault == CL_PRINTER_FAULT_FEEDER_EMPTY && status.feeder != CL_PRINTER_FEEDER_EMPTY)
          || (fault == CL_PRINTER_FAULT_JAM && status.card != CL_PRINTER_CARD_IN_PATH)
          || (fault == CL_PRINTER_FAULT_COVER_OPEN && !status.cover_open))
        return TRUE;
    }
}

/* Sends whatever card the printer holds to the reject bin (after a reconnect or at start); TRUE if there was one. */
static gboolean reject_leftover (ClPrinterStation *self);
static gboolean record_unproduced (ClPrinterStation *self, ClRejectReason reason, const char *detail);

/* One card move, paused through faults until it is done. FALSE when the station stops, or when the connection
 * was lost with the card inside: that card went to the reject bin on recovery, and error says so. */
static gboolean
do_move (ClPrinterStation *self, Move move, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      gint fault;

      /* a feed retried after a fault is still a new card: not while paused */
      if (move == MOVE_FEED && !wait_while_paused (self))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CANCELLED, "the station stopped while paused");
          return FALSE;
        }
      if (!reconnect (self, error))
        return FALSE;
      self->fault_seen = FALSE;
      /* Not cancelled by a stop: a card whose move began ends where it belongs (the motion timeout bounds it). */
      if (printer_move (self->printer, move, NULL, &local))
        return TRUE;
      drain_faults (self);
      if (g_cancellable_is_cancelled (self->stop))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (self->fault_seen && self->fault == CL_PRINTER_FAULT_COMMUNICATION_LOST)
        {
          gboolean inside = self->fault_card_inside || move != MOVE_FEED;
          gboolean rejected;

          post_fault (self, CL_PRINTER_FAULT_COMMUNICATION_LOST, inside, local->message);
          g_clear_object (&self->printer);
          if (!reconnect (self, error))
            return FALSE;
          /* Nobody can vouch for what the mechanics did meanwhile: whatever is inside goes to the reject bin. */
          rejected = reject_leftover (self);
          post (self, -1, NULL, NULL, "recovered card-rejected=%s", rejected ? "yes" : "no");
          if (move == MOVE_FEED)
            {
              /* the card being fed never reached production: its attempt is this record */
              if (rejected)
                record_unproduced (self, CL_REJECT_PROTOCOL_ERROR,
                                   "the connection to the printer was lost while the card was fed; it went to the "
                                   "reject bin on recovery");
              continue;
            }
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER,
                       "the connection to the printer was lost with the card inside (%s); the card was sent to the "
                       "reject bin on recovery",
                       local->message);
          return FALSE;
        }
      fault = self->fault_seen ? (gint)self->fault : FAULT_OTHER;
      post_fault (self, fault, move != MOVE_FEED, local->message);
      if (!wait_fault_cleared (self, fault))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      post (self, move == MOVE_FEED ? CL_STATION_EMPTY : CL_STATION_PRODUCING, NULL, "Resumed", "resumed fault=%s",
            fault == FAULT_OTHER ? "printer-error" : cl_printer_fault_to_nick (fault));
    }
}

static gboolean
reject_leftover (ClPrinterStation *self)
{
  ClPrinterStatus status = { 0 };
  g_autoptr (GError) local = NULL;

  if (!cl_card_printer_get_status (self->printer, &status, self->stop, &local))
    {
      drain_faults (self);
      return FALSE;
    }
  if (status.card == CL_PRINTER_CARD_NONE)
    return FALSE;
  if (!do_move (self, MOVE_REJECT, &local))
    return FALSE;
  return TRUE;
}

static gboolean
print_face (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  ClPrinterStation *self = user_data;
  ClProfile *profile = cl_production_setup_get_profile (self->setup);
  ClFaceData data = { outcome->serial, self->batch_name, cl_profile_get_name (profile) };
  g_autoptr (GBytes) document = NULL;
  g_autofree char *job_name = NULL;
  int job_id = 0;

  if (outcome->serial == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "the card has no serial to print on its face");
      return FALSE;
    }
  document = cl_face_render (self->face, &data, CL_FACE_FORMAT_PDF, 300, error);
  if (document == NULL)
    return FALSE;
  job_name = g_strdup_printf ("Cardline card %s", outcome->serial);
  if (!cl_face_print (self->face_destination, document, cl_face_format_mime_type (CL_FACE_FORMAT_PDF), job_name,
                      FACE_TIMEOUT_MS, cancellable, &job_id, error))
    return FALSE;
  /* QA finds a card by what is printed on it */
  return outcome->chip_id == NULL
         || cl_store_card_set_printed_serial (cl_production_setup_get_store (self->setup), outcome->chip_id,
                                              outcome->serial, error);
}

/* A card that went to the reject bin without its sequence (the reader never saw it, or it could not be
 * connected) still gets its attempt and disposition, so the reject bin and the store agree. */
static gboolean
record_unproduced (ClPrinterStation *self, ClRejectReason reason, const char *detail)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  ClAttemptEnd end = { CL_ATTEMPT_REJECTED, reason, CL_STEP_IDENTIFY, -1, CL_DISPOSITION_REJECT_BIN, 0 };
  g_autofree char *status = g_strdup_printf ("REJECT %s at IDENTIFY", cl_reject_reason_to_string (reason));
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 attempt;

  attempt = cl_store_attempt_begin (store, self->batch_id, CL_ATTEMPT_PRODUCTION, g_get_host_name (), self->reader, now,
                                    &error);
  if (attempt <= 0
      || !cl_store_attempt_add_step (store, attempt, CL_STEP_IDENTIFY, now, 0, CL_STEP_RESULT_FAILED, -1, detail,
                                     &error)
      || !cl_store_attempt_end (store, attempt, &end, &error))
    {
      post (self, -1, NULL, NULL, "not recorded: %s", error->message);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->disposed++;
  self->last_dispose_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  post_count (self, FALSE);
  post (self, CL_STATION_EMPTY, NULL, status, "reject chip=- reason=%s step=IDENTIFY sw=- ms=0.0 apdus=0 detail=%s",
        cl_reject_reason_to_string (reason), detail);
  return TRUE;
}

static gboolean
dispose_card (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  return do_move (user_data, outcome->good ? MOVE_EJECT : MOVE_REJECT, error);
}

static char *
sw_text (gint sw)
{
  return sw < 0 ? g_strdup ("-") : g_strdup_printf ("%04X", (guint)sw);
}

static void
on_sequence_event (const ClSequenceEvent *event, gpointer user_data)
{
  ClPrinterStation *self = user_data;

  cl_station_feed_post (self->line, self->main_context, self->reader, event);
}

static void
report_outcome (ClPrinterStation *self, const ClSequenceOutcome *o)
{
  g_autofree char *sw = sw_text (o->last_sw);
  g_autofree char *status = NULL;

  if (o->good)
    {
      status = g_strdup_printf ("GOOD %s", o->serial);
      post (self, CL_STATION_EMPTY, NULL, status, "good chip=%s serial=%s ms=%.1f apdus=%" G_GUINT64_FORMAT, o->chip_id,
            o->serial, o->cycle_us / 1000.0, o->apdus);
      return;
    }
  status = g_strdup_printf ("REJECT %s at %s (SW %s)", cl_reject_reason_to_string (o->reason),
                            cl_production_step_to_string (o->failed_step), sw);
  post (self, CL_STATION_EMPTY, NULL, status,
        "reject chip=%s reason=%s step=%s sw=%s ms=%.1f apdus=%" G_GUINT64_FORMAT " detail=%s",
        o->chip_id != NULL ? o->chip_id : "-", cl_reject_reason_to_string (o->reason),
        cl_production_step_to_string (o->failed_step), sw, o->cycle_us / 1000.0, o->apdus,
        o->detail != NULL ? o->detail : "");
}

/* Waits for the printer's reader to see a card inserted after generation `seen`. */
static gboolean
wait_card_present (ClPrinterStation *self, guint seen)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  gint64 deadline = g_get_monotonic_time () + CARD_PRESENT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (!self->stopping && self->inserted == seen)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  return self->inserted != seen;
}

/* One card: feed, produce (FACE and the move inside the sequence), count. FALSE: the station stops. */
static gboolean
produce_one (ClPrinterStation *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPcscTransport) transport = NULL;
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autoptr (GCancellable) card = g_cancellable_new ();
  guint seen;

  g_mutex_lock (&self->lock);
  seen = self->inserted;
  g_mutex_unlock (&self->lock);

  post (self, -1, NULL, NULL, "feed");
  if (!do_move (self, MOVE_FEED, &error))
    return FALSE;
  if (self->first_feed_us == 0)
    self->first_feed_us = g_get_monotonic_time ();
  if (!wait_card_present (self, seen))
    {
      if (g_cancellable_is_cancelled (self->stop))
        return FALSE;
      post_fault (self, CL_PRINTER_FAULT_CARD_NOT_PRESENT, TRUE, "the printer's reader saw no card within 10 s");
      /* the card is not produced: it goes to the reject bin, and the line goes on */
      if (!do_move (self, MOVE_REJECT, &error))
        return !g_cancellable_is_cancelled (self->stop);
      post (self, CL_STATION_EMPTY, NULL, "Resumed", "resumed fault=card-not-present");
      return record_unproduced (self, CL_REJECT_NO_ATR, "the printer's reader saw no card within 10 s of the feed");
    }

  post (self, CL_STATION_PRODUCING, NULL, NULL, "card at the contact station");
  transport = cl_pcsc_transport_connect (self->reader, card, &error);
  if (transport == NULL)
    {
      g_autofree char *detail = g_strdup (error->message);

      g_clear_error (&error);
      if (!do_move (self, MOVE_REJECT, &error))
        return !g_cancellable_is_cancelled (self->stop);
      return record_unproduced (self, CL_REJECT_NO_ATR, detail);
    }

  g_mutex_lock (&self->lock);
  g_set_object (&self->card_cancellable, card);
  g_mutex_unlock (&self->lock);

  sequence = cl_card_sequence_new (self->setup, self->batch_id, g_get_host_name (), self->reader);
  cl_card_sequence_set_event_func (sequence, on_sequence_event, self, NULL);
  cl_card_sequence_set_card_funcs (sequence, self->face != NULL ? print_face : NULL, dispose_card, self);
  if (!cl_card_sequence_run (sequence, CL_TRANSPORT (transport), card, &error))
    {
      post (self, -1, NULL, NULL, "not produced: %s", error->message);
      cl_pcsc_transport_disconnect (transport, TRUE);
      return FALSE; /* the store failed: producing on would lose records */
    }
  cl_pcsc_transport_disconnect (transport, FALSE);

  g_mutex_lock (&self->lock);
  g_clear_object (&self->card_cancellable);
  self->disposed++;
  self->last_dispose_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  post_count (self, cl_card_sequence_get_outcome (sequence)->good);
  report_outcome (self, cl_card_sequence_get_outcome (sequence));
  return TRUE;
}

/* How the batch ended: by what was disposed when production stopped. */
static ClBatchState
end_state (ClPrinterStation *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->disposed >= self->quantity ? CL_BATCH_CLOSED : CL_BATCH_ABORTED;
}

static void
on_batch_state_failed (ClBatchState state, const GError *error, gpointer user_data)
{
  post (user_data, -1, NULL, NULL, "store: batch not marked %s: %s", cl_batch_state_to_string (state), error->message);
}

/* Queued in order with every other state change of the batch; the store is written off the main thread. */
static void
record_batch_state (ClPrinterStation *self, ClBatchState state, const char *user)
{
  cl_batch_state_writer_push (self->state_writer, state, user);
}

static gpointer
worker_thread (gpointer user_data)
{
  ClPrinterStation *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *end_user = NULL;

  g_main_context_push_thread_default (self->worker_context);
  if (reconnect (self, &error))
    {
      /* a card an earlier run left inside (stopped mid-feed, killed) is a blank in the reject bin: recorded */
      if (reject_leftover (self))
        record_unproduced (self, CL_REJECT_PROTOCOL_ERROR,
                           "a card left in the printer by an earlier run went to the reject bin unproduced");
      while (!g_cancellable_is_cancelled (self->stop) && self->disposed < self->quantity)
        if (!wait_while_paused (self) || !produce_one (self))
          break;
    }
  else if (!g_cancellable_is_cancelled (self->stop))
    post (self, CL_STATION_FAULT, error->message, error->message, "printer line stopped: %s", error->message);
  g_clear_object (&self->printer);
  drain_faults (self);
  g_main_context_pop_thread_default (self->worker_context);
  if (self->disposed >= self->quantity)
    g_cancellable_cancel (self->done);
  g_mutex_lock (&self->lock);
  self->worker_running = FALSE;
  if (self->ending)
    end_user = g_strdup (self->end_user);
  g_mutex_unlock (&self->lock);
  if (end_user != NULL)
    {
      record_batch_state (self, end_state (self), end_user);
      /* the batch's end is on disk before the worker is seen finished */
      cl_batch_state_writer_flush (self->state_writer);
    }
  return NULL;
}

static void
on_card_inserted (ClPrinterStation *self, const char *reader, GBytes *atr)
{
  if (g_strcmp0 (reader, self->reader) != 0)
    return;
  g_mutex_lock (&self->lock);
  self->inserted++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
on_card_removed (ClPrinterStation *self, const char *reader)
{
  if (g_strcmp0 (reader, self->reader) != 0)
    return;
  /* a card pulled out of the printer during its sequence is CARD_REMOVED, as on any reader */
  g_mutex_lock (&self->lock);
  if (self->card_cancellable != NULL)
    g_cancellable_cancel (self->card_cancellable);
  g_mutex_unlock (&self->lock);
}

void
cl_printer_station_start (ClPrinterStation *self)
{
  g_return_if_fail (CL_IS_PRINTER_STATION (self));
  g_return_if_fail (self->main_context == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  g_signal_connect_swapped (self->line, "card-inserted", G_CALLBACK (on_card_inserted), self);
  g_signal_connect_swapped (self->line, "card-removed", G_CALLBACK (on_card_removed), self);
  if (self->disposed >= self->quantity)
    return;
  self->worker_running = TRUE;
  self->thread = g_thread_new ("printer-station", worker_thread, self);
}

void
cl_printer_station_resume (ClPrinterStation *self)
{
  g_mutex_lock (&self->lock);
  self->resume = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
cl_printer_station_stop (ClPrinterStation *self)
{
  g_return_if_fail (CL_IS_PRINTER_STATION (self));

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->stop);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  /* the worker's last events are still queued for the main context */
  while (self->main_context != NULL && g_main_context_iteration (self->main_context, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (self->line, self);
}

void
cl_printer_station_set_paused (ClPrinterStation *self, gboolean paused, const char *user)
{
  g_return_if_fail (CL_IS_PRINTER_STATION (self));

  paused = !!paused;
  g_mutex_lock (&self->lock);
  if (self->stopping || self->paused == paused)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->paused = paused;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  cl_batch_counters_set_paused (self->counters, paused);
  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, self->reader,
                    paused ? "line paused: the card in production finishes, no new card is fed"
                           : "line resumed: feeding cards again");
  record_batch_state (self, paused ? CL_BATCH_PAUSED : CL_BATCH_RUNNING, user);
}

gboolean
cl_printer_station_get_paused (ClPrinterStation *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->paused;
}

void
cl_printer_station_end (ClPrinterStation *self, const char *user)
{
  gboolean worker_running, complete;

  g_return_if_fail (CL_IS_PRINTER_STATION (self));

  g_mutex_lock (&self->lock);
  if (self->ending)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->ending = TRUE;
  self->end_user = g_strdup (user != NULL ? user : g_get_user_name ());
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  worker_running = self->worker_running;
  complete = self->disposed >= self->quantity;
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->stop);

  cl_batch_counters_set_ended (self->counters, TRUE);
  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, self->reader,
                    complete ? "batch closed" : "batch stopped: the card in the printer is finished, no more are fed");
  /* else the worker records it once its card is disposed */
  if (!worker_running)
    record_batch_state (self, end_state (self), self->end_user);
}

ClBatchCounters *
cl_printer_station_get_counters (ClPrinterStation *self)
{
  g_return_val_if_fail (CL_IS_PRINTER_STATION (self), NULL);
  return self->counters;
}

gint64
cl_printer_station_get_batch_id (ClPrinterStation *self)
{
  return self->batch_id;
}

GCancellable *
cl_printer_station_get_done (ClPrinterStation *self)
{
  return self->done;
}

guint
cl_printer_station_get_throughput (ClPrinterStation *self, double *seconds)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  *seconds = self->first_feed_us > 0 && self->last_dispose_us > self->first_feed_us
               ? (self->last_dispose_us - self->first_feed_us) / (double)G_USEC_PER_SEC
               : 0;
  return self->disposed;
}

static void
cl_printer_station_dispose (GObject *object)
{
  ClPrinterStation *self = CL_PRINTER_STATION (object);

  if (self->thread != NULL)
    cl_printer_station_stop (self);
  if (self->line != NULL)
    g_signal_handlers_disconnect_by_data (self->line, self);
  g_clear_object (&self->state_writer); /* writes what is queued */
  g_clear_object (&self->line);
  g_clear_object (&self->setup);
  G_OBJECT_CLASS (cl_printer_station_parent_class)->dispose (object);
}

static void
cl_printer_station_finalize (GObject *object)
{
  ClPrinterStation *self = CL_PRINTER_STATION (object);

  g_free (self->printer_uri);
  g_free (self->reader);
  g_free (self->face_destination);
  g_free (self->batch_name);
  g_free (self->end_user);
  g_clear_object (&self->counters);
  g_clear_pointer (&self->face, cl_face_template_free);
  g_clear_object (&self->done);
  g_clear_object (&self->stop);
  g_clear_object (&self->card_cancellable);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_main_context_unref (self->worker_context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_printer_station_parent_class)->finalize (object);
}

static void
cl_printer_station_class_init (ClPrinterStationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_printer_station_dispose;
  G_OBJECT_CLASS (klass)->finalize = cl_printer_station_finalize;
}

static void
cl_printer_station_init (ClPrinterStation *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->done = g_cancellable_new ();
  self->stop = g_cancellable_new ();
  self->worker_context = g_main_context_new ();
}

ClPrinterStation *
cl_printer_station_new (ClLine *line, ClProductionSetup *setup, const char *printer, const char *reader,
                        const char *face_destination, const char *batch_name, guint quantity, GError **error)
{
  g_autoptr (ClPrinterStation) self = g_object_new (CL_TYPE_PRINTER_STATION, NULL);
  ClStore *store = cl_production_setup_get_store (setup);
  ClProfile *profile = cl_production_setup_get_profile (setup);
  const char *face_path = cl_profile_get_face_template (profile);
  g_autoptr (GError) local = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  gint64 disposed;
  g_auto (ClPrinterAddress) address = { 0 };

  g_return_val_if_fail (printer != NULL && reader != NULL && quantity > 0, NULL);
  /* a wrong address is the operator's typo: said now, not at the first feed */
  if (!cl_printer_address_parse (printer, &address, error))
    return NULL;
  if (face_path != NULL)
    {
      if (face_destination == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "profile %s prints card faces: give --face-printer URI|QUEUE (or set CARDLINE_IPP_URI)",
                       cl_profile_get_name (profile));
          return NULL;
        }
      self->face = cl_face_template_load (face_path, error);
      if (self->face == NULL)
        return NULL;
    }
  self->line = g_object_ref (line);
  self->setup = g_object_ref (setup);
  self->printer_uri = g_strdup (printer);
  self->reader = g_strdup (reader);
  self->face_destination = g_strdup (face_destination);
  self->batch_name = g_strdup (batch_name);
  self->quantity = quantity;

  self->batch_id = cl_store_batch_lookup (store, batch_name, &local);
  if (self->batch_id <= 0)
    {
      if (!g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
        return g_propagate_error (error, g_steal_pointer (&local)), NULL;
      self->batch_id = cl_store_batch_create (store, batch_name, cl_profile_get_name (profile),
                                              cl_profile_get_hash (profile), quantity, g_get_user_name (), error);
      if (self->batch_id <= 0)
        return NULL;
    }
  /* as on the rack line: attempts a killed station left open get their one disposition first */
  if (cl_store_attempt_abandon_open (store, g_get_host_name (), error) < 0)
    return NULL;
  /* abandoned attempts ended RETAINED: their cards were never made, so they do not count toward the quantity */
  disposed = cl_store_batch_count_disposed (store, self->batch_id, error);
  if (disposed < 0)
    return NULL;
  self->disposed = (guint)disposed;
  summary = cl_store_yield_summary (store, self->batch_id, 0, 0, error);
  if (summary == NULL)
    return NULL;
  self->counters = cl_batch_counters_new (batch_name);
  cl_batch_counters_set (self->counters, quantity, (guint)summary->fed, (guint)summary->good, (guint)summary->rejected);
  if (!cl_store_batch_set_state (store, self->batch_id, CL_BATCH_RUNNING, g_get_user_name (), error))
    return NULL;
  self->state_writer = cl_batch_state_writer_new (store, self->batch_id, on_batch_state_failed, self);
  if (self->disposed >= self->quantity)
    g_cancellable_cancel (self->done);
  return g_steal_pointer (&self);
}

gboolean
cl_printer_station_get_running (ClPrinterStation *self)
{
  g_return_val_if_fail (CL_IS_PRINTER_STATION (self), FALSE);
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    return self->worker_running;
  }
}
