#include "cl-printer-feeder.h"

#include "cl-driver-error.h"
#include "cl-evolis-printer.h"
#include "cl-printer-address.h"
#include "core/cl-error.h"
#include "pcsc/cl-pcsc-connect.h"
#include "pcsc/cl-pcsc-reader.h"
#include "pcsc/cl-pcsc-transport.h"

/* A card the reader has not seen within this long after the printer parked it never will be: a card upside down, an
 * empty feed, a broken contact. The printer station waited as long for pcscd's insertion event. */
#define CARD_PRESENT_TIMEOUT_MS 10000
/* pcscd reports the card but will not connect it yet (still powering it, or it answered mute once): retry soon, then
 * less often. A card settles within milliseconds; one still refused after a second is a dead chip, which the station
 * used to reject at once. */
#define CONNECT_RETRY_FIRST_MS 10
#define CONNECT_RETRY_MAX_MS   100
#define CONNECT_RETRY_FOR_MS   1000
/* A fault the status shows (feeder, jam, cover): the operator's fix is noticed within half a second. */
#define STATUS_POLL_MS 500
/* Faults the status does not show (ribbon, a refusal outside the list): retry the move itself, not so often that
 * the printer's panel flickers with our refusals. */
#define BLIND_RETRY_MS 2000
/* A printer switched off or unplugged: look for it again every second. */
#define RECONNECT_MS 1000
/* Opening the printer's command channel (TCP connect); the answers have the driver's own timeouts. */
#define CONNECT_TIMEOUT_MS 3000

#define LEFTOVER_DETAIL "a card left in the printer by an earlier run went to the reject bin unproduced"
#define LOST_FEED_DETAIL                                                                                               \
  "the connection to the printer was lost while the card was fed; it went to the reject bin on recovery"
#define NO_CARD_DETAIL "the printer's reader saw no card within 10 s"

typedef enum
{
  MOVE_FEED,
  MOVE_EJECT,
  MOVE_REJECT,
} Move;

typedef enum
{
  MOVE_DONE,
  MOVE_LOST,   /* the connection dropped: the printer is gone, recover before anything else */
  MOVE_GONE,   /* after a fault the printer held no card any more: someone took it out */
  MOVE_FAILED, /* error set (cancelled) */
} MoveResult;

typedef enum
{
  WAIT_TIMEOUT,
  WAIT_RETRY,
  WAIT_CANCELLED,
} WaitResult;

/* What the next next_card must look for in the printer before it feeds. */
typedef enum
{
  LEFTOVER_NONE,
  LEFTOVER_EARLIER_RUN, /* nothing is known about the printer yet */
  LEFTOVER_LOST_FEED,   /* the connection dropped during a feed, and the recovery was cancelled or is pending */
} Leftover;

struct _ClPrinterFeeder
{
  ClFeeder parent_instance;

  ClPrinterAddress address;
  char *address_text; /* as the operator gave it */
  char *reader;

  /* Held by whichever engine thread is in a vfunc that drives the printer (next_card, dispose, shutdown, and
   * connect's fault report): one card is in flight, so they never overlap, but nothing here relies on it. */
  GMutex io_lock;
  GMainContext *printer_context; /* the printer's "fault" signals are queued here and taken in after each call */
  ClCardPrinter *printer;        /* NULL: not connected */
  Leftover leftover;
  gboolean fault_seen; /* set by the printer's "fault" of the last call */
  ClLineFault fault;
  gboolean fault_card_inside;
  gboolean fault_shown; /* a "fault" is out without its "fault-cleared" */
  ClLineFault shown_fault;

  /* Short waits, never held across printer I/O, so that retry and reader_changed never wait for the printer. */
  GMutex state_lock;
  GCond state_cond;
  gboolean retry;     /* the operator says the fault is fixed */
  gboolean held;      /* the line is paused: no card is fed until released */
  gboolean card_seen; /* pcscd reported a card inserted since the last feed or dispose began */
  /* pcscd still reported the previous card in the reader when this one was fed, with this card event count: until
   * the count moves, what it reports is that card, and a connection would talk to a card that is gone */
  gboolean previous_reported;
  guint previous_events;
};

G_DEFINE_FINAL_TYPE (ClPrinterFeeder, cl_printer_feeder, CL_TYPE_FEEDER)

/* io_lock held. One fault at a time on the panel: a different one replaces it, the same one is not said twice. */
static void
show_fault (ClPrinterFeeder *self, ClLineFault fault, gboolean card_inside, const char *detail)
{
  /* A retry asked for before this fault was reported is no answer to it. */
  g_mutex_lock (&self->state_lock);
  self->retry = FALSE;
  g_mutex_unlock (&self->state_lock);

  if (self->fault_shown && self->shown_fault == fault)
    return;
  if (self->fault_shown)
    cl_feeder_emit_fault_cleared (CL_FEEDER (self), self->reader, self->shown_fault);
  self->fault_shown = TRUE;
  self->shown_fault = fault;
  cl_feeder_emit_fault (CL_FEEDER (self), self->reader, fault, card_inside, detail);
}

/* io_lock held. */
static void
clear_fault (ClPrinterFeeder *self)
{
  if (!self->fault_shown)
    return;
  self->fault_shown = FALSE;
  cl_feeder_emit_fault_cleared (CL_FEEDER (self), self->reader, self->shown_fault);
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  ClPrinterFeeder *self = user_data;

  g_mutex_lock (&self->state_lock);
  g_cond_broadcast (&self->state_cond);
  g_mutex_unlock (&self->state_lock);
}

/* Sleeps up to ms, woken early by cancellation or, if retry_wakes, by the operator's retry (which it consumes). */
static WaitResult
wait_ms (ClPrinterFeeder *self, guint ms, gboolean retry_wakes, GCancellable *cancellable)
{
  /* connected before the lock is taken: an already cancelled cancellable calls back at once, in this thread */
  gulong handler = cancellable != NULL ? g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL) : 0;
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * G_TIME_SPAN_MILLISECOND;
  WaitResult result = WAIT_TIMEOUT;

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->state_lock);

    while (!g_cancellable_is_cancelled (cancellable) && !(retry_wakes && self->retry))
      if (!g_cond_wait_until (&self->state_cond, &self->state_lock, deadline))
        break;
    if (g_cancellable_is_cancelled (cancellable))
      result = WAIT_CANCELLED;
    else if (retry_wakes && self->retry)
      {
        self->retry = FALSE;
        result = WAIT_RETRY;
      }
  }
  /* outside the lock: disconnecting waits for a handler running in another thread, which takes it */
  g_cancellable_disconnect (cancellable, handler);
  return result;
}

static void
on_printer_fault (ClCardPrinter *printer, ClPrinterFault fault, gboolean card_inside, const char *message,
                  gpointer user_data)
{
  ClPrinterFeeder *self = user_data;

  self->fault_seen = TRUE;
  self->fault = cl_printer_fault_to_line_fault (fault);
  self->fault_card_inside = card_inside;
}

/* io_lock held. The printer's fault events of the last call wait in its context: take them in. */
static void
drain_faults (ClPrinterFeeder *self)
{
  while (g_main_context_iteration (self->printer_context, FALSE))
    ;
}

/* io_lock held. */
static void
drop_printer (ClPrinterFeeder *self)
{
  if (self->printer == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->printer, self);
  /* queued fault events hold the printer, which holds the context: let them go first */
  drain_faults (self);
  g_clear_object (&self->printer);
}

/* io_lock held. Only opening the channel is cancelled: a command cut off mid-exchange would leave its answer to be
 * read as the next command's, so commands run to their (bounded) end and cancellation is seen between them. */
static ClCardPrinter *
open_printer (ClPrinterFeeder *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClPrinterTransport) transport = NULL;
  g_autoptr (ClCardPrinter) printer = NULL;
  g_autoptr (ClPrinterIdentity) identity = NULL;

  transport = cl_printer_address_open (&self->address, CONNECT_TIMEOUT_MS, cancellable, error);
  if (transport == NULL)
    return NULL;
  /* the printer reports faults in the thread-default context of its creation: ours, whatever thread this is */
  g_main_context_push_thread_default (self->printer_context);
  printer = cl_evolis_printer_new (transport);
  g_main_context_pop_thread_default (self->printer_context);
  g_signal_connect (printer, "fault", G_CALLBACK (on_printer_fault), self);
  identity = cl_card_printer_identify (printer, NULL, error);
  if (identity == NULL)
    {
      g_signal_handlers_disconnect_by_data (printer, self);
      drain_faults (self);
      return NULL;
    }
  cl_feeder_emit_note (CL_FEEDER (self), "printer model=%s serial=%s firmware=%s", identity->model, identity->serial,
                       identity->firmware);
  return g_steal_pointer (&printer);
}

/* io_lock held. Connects (again) until it works or cancellable fires; COMMUNICATION_LOST is shown meanwhile. Every
 * failure is retried: the address was checked at construction, so what is left is a printer switched off,
 * unplugged, still booting or busy, which the operator fixes at the printer. */
static gboolean
reconnect (ClPrinterFeeder *self, GCancellable *cancellable, GError **error)
{
  while (self->printer == NULL)
    {
      g_autoptr (GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      self->printer = open_printer (self, cancellable, &local);
      if (self->printer != NULL)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      show_fault (self, CL_LINE_FAULT_COMMUNICATION_LOST, FALSE, local->message);
      if (wait_ms (self, RECONNECT_MS, TRUE, cancellable) == WAIT_CANCELLED)
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return FALSE;
        }
    }
  if (self->fault_shown && self->shown_fault == CL_LINE_FAULT_COMMUNICATION_LOST)
    clear_fault (self);
  return TRUE;
}

static gboolean
printer_move (ClCardPrinter *printer, Move move, GError **error)
{
  /* Never cancelled: a card whose move began ends where it belongs (the driver's motion timeout bounds it). */
  switch (move)
    {
      case MOVE_FEED:
        return cl_card_printer_feed_to_contact (printer, NULL, error);
      case MOVE_EJECT:
        return cl_card_printer_eject (printer, NULL, error);
      case MOVE_REJECT:
      default:
        return cl_card_printer_reject (printer, NULL, error);
    }
}

/* io_lock held. The status, with the printer's fault events of the query taken in. */
static gboolean
query_status (ClPrinterFeeder *self, ClPrinterStatus *status, GError **error)
{
  self->fault_seen = FALSE;
  if (cl_card_printer_get_status (self->printer, status, NULL, error))
    return TRUE;
  drain_faults (self);
  return FALSE;
}

/* io_lock held. The printer says it holds no card (an unreadable status says nothing). */
static gboolean
card_gone (ClPrinterFeeder *self)
{
  ClPrinterStatus status = { 0 };

  return query_status (self, &status, NULL) && status.card == CL_PRINTER_CARD_NONE;
}

/* io_lock held. Polls until the status no longer shows the fault (it is then cleared) or the operator retries (TRUE:
 * retry the move), or until cancellable fires (FALSE, G_IO_ERROR_CANCELLED). */
static gboolean
wait_fault_cleared (ClPrinterFeeder *self, ClLineFault fault, GCancellable *cancellable, GError **error)
{
  gboolean blind
    = fault != CL_LINE_FAULT_FEEDER_EMPTY && fault != CL_LINE_FAULT_JAM && fault != CL_LINE_FAULT_COVER_OPEN;

  for (;;)
    {
      ClPrinterStatus status = { 0 };
      g_autoptr (GError) local = NULL;

      switch (wait_ms (self, blind ? BLIND_RETRY_MS : STATUS_POLL_MS, TRUE, cancellable))
        {
          case WAIT_CANCELLED:
            g_cancellable_set_error_if_cancelled (cancellable, error);
            return FALSE;
          case WAIT_RETRY:
            return TRUE;
          case WAIT_TIMEOUT:
          default:
            break;
        }
      /* the status cannot tell: the move's own success says it is cleared */
      if (blind)
        return TRUE;
      if (!query_status (self, &status, &local))
        {
          if (self->fault_seen && self->fault == CL_LINE_FAULT_COMMUNICATION_LOST)
            return TRUE; /* the move's retry finds the connection gone and recovers */
          continue;      /* a printer busy with its fault may not answer every query */
        }
      if ((fault == CL_LINE_FAULT_FEEDER_EMPTY && status.feeder != CL_PRINTER_FEEDER_EMPTY)
          || (fault == CL_LINE_FAULT_JAM && status.card != CL_PRINTER_CARD_IN_PATH)
          || (fault == CL_LINE_FAULT_COVER_OPEN && !status.cover_open))
        {
          clear_fault (self);
          return TRUE;
        }
    }
}

/* io_lock held, printer connected. One card move, riding out faults until it is done. MOVE_LOST: the connection
 * dropped (COMMUNICATION_LOST shown, the printer dropped, error says why). MOVE_GONE: a card to eject or reject was
 * no longer inside once a fault was fixed. MOVE_FAILED: cancelled. */
/* While the line is paused no card is fed: FALSE (G_IO_ERROR_CANCELLED) if cancellable fires meanwhile. */
static gboolean
wait_released (ClPrinterFeeder *self, GCancellable *cancellable, GError **error)
{
  gulong handler = cancellable != NULL ? g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL) : 0;

  g_mutex_lock (&self->state_lock);
  while (self->held && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&self->state_cond, &self->state_lock);
  g_mutex_unlock (&self->state_lock);
  /* outside the lock: disconnecting waits for a handler running in another thread, which takes it */
  g_cancellable_disconnect (cancellable, handler);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
is_held (ClPrinterFeeder *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->state_lock);

  return self->held;
}

static MoveResult
do_move (ClPrinterFeeder *self, Move move, GCancellable *cancellable, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      ClLineFault fault;

      /* a feed is a new card: not while the line is paused */
      if (move == MOVE_FEED && !wait_released (self, cancellable, error))
        return MOVE_FAILED;
      self->fault_seen = FALSE;
      if (printer_move (self->printer, move, &local))
        {
          clear_fault (self);
          return MOVE_DONE;
        }
      drain_faults (self);
      if (self->fault_seen && self->fault == CL_LINE_FAULT_COMMUNICATION_LOST)
        {
          show_fault (self, CL_LINE_FAULT_COMMUNICATION_LOST, self->fault_card_inside || move != MOVE_FEED,
                      local->message);
          drop_printer (self);
          g_propagate_error (error, g_steal_pointer (&local));
          return MOVE_LOST;
        }
      /* a feed refused while the line was being paused is no fault to show: the next feed meets it again */
      if (move == MOVE_FEED && g_cancellable_set_error_if_cancelled (cancellable, error))
        return MOVE_FAILED;
      fault = self->fault_seen ? self->fault : CL_LINE_FAULT_PRINTER_ERROR;
      /* a refusal to move a card that was taken out by hand (a card pulled during its sequence) is no fault */
      if (move != MOVE_FEED && fault == CL_LINE_FAULT_PRINTER_ERROR && card_gone (self))
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_CARD_REMOVED,
                       "the card was no longer in the printer (%s)", local->message);
          return MOVE_GONE;
        }
      show_fault (self, fault, move != MOVE_FEED, local->message);
      if (!wait_fault_cleared (self, fault, cancellable, error))
        return MOVE_FAILED;
      /* The jam instruction has the operator put the card in the reject bin; a move of a card that is not there any
       * more would be refused for ever. */
      if (move != MOVE_FEED && card_gone (self))
        {
          clear_fault (self);
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_CARD_REMOVED,
                       "the card was no longer in the printer once the %s fault was fixed (taken out by hand: the "
                       "instruction sends it to the reject bin)",
                       cl_line_fault_to_nick (fault));
          return MOVE_GONE;
        }
      /* a feed retried after a fault is a new card: not once the line is stopping */
      if (move == MOVE_FEED && g_cancellable_set_error_if_cancelled (cancellable, error))
        return MOVE_FAILED;
      /* paused meanwhile: the fault is fixed (the operator sees it cleared), the feed waits for Resume */
      if (move == MOVE_FEED && is_held (self))
        clear_fault (self);
    }
}

/* io_lock held, printer connected. Sends whatever card the printer holds to the reject bin; *rejected says whether
 * there was one. MOVE_LOST / MOVE_FAILED as do_move. */
static MoveResult
reject_leftover (ClPrinterFeeder *self, GCancellable *cancellable, gboolean *rejected, GError **error)
{
  ClPrinterStatus status = { 0 };
  g_autoptr (GError) local = NULL;
  MoveResult result;

  *rejected = FALSE;
  if (!query_status (self, &status, &local))
    {
      if (self->fault_seen && self->fault == CL_LINE_FAULT_COMMUNICATION_LOST)
        {
          drop_printer (self);
          g_propagate_error (error, g_steal_pointer (&local));
          return MOVE_LOST;
        }
      /* unreadable: a reject of a card that is not there would be refused for ever; the next feed finds out */
      g_debug ("%s: no status to look for a leftover card: %s", self->reader, local->message);
      return MOVE_DONE;
    }
  if (status.card == CL_PRINTER_CARD_NONE)
    return MOVE_DONE;
  result = do_move (self, MOVE_REJECT, cancellable, error);
  /* MOVE_GONE: someone took it out while the reject was held up by a fault; nothing is left in the printer */
  if (result == MOVE_GONE)
    {
      g_clear_error (error);
      return MOVE_DONE;
    }
  *rejected = result == MOVE_DONE;
  return result;
}

/* io_lock held. After a lost connection: reconnect and send what is inside to the reject bin, until it worked or
 * cancellable fires. */
static gboolean
recover (ClPrinterFeeder *self, GCancellable *cancellable, gboolean *rejected, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;

      if (!reconnect (self, cancellable, error))
        return FALSE;
      switch (reject_leftover (self, cancellable, rejected, &local))
        {
          case MOVE_DONE:
            cl_feeder_emit_note (CL_FEEDER (self), "recovered card-rejected=%s", *rejected ? "yes" : "no");
            return TRUE;
          case MOVE_LOST:
            continue;
          case MOVE_FAILED:
          case MOVE_GONE:
          default:
            g_propagate_error (error, g_steal_pointer (&local));
            return FALSE;
        }
    }
}

/* io_lock held. What pcscd says of the reader as a card is about to be fed. */
static void
note_reader_before_feed (ClPrinterFeeder *self)
{
  ClPcscReaderState state = { 0 };
  g_autoptr (GError) local = NULL;
  gboolean known = cl_pcsc_reader_get_state (self->reader, &state, &local);

  if (!known)
    g_debug ("%s: no reader state before the feed: %s", self->reader, local->message);
  g_mutex_lock (&self->state_lock);
  /* pcscd's report of the previous card leaving comes after this; it is not this card's removal */
  self->card_seen = FALSE;
  self->previous_reported = known && state.present;
  self->previous_events = state.events;
  g_mutex_unlock (&self->state_lock);
}

static ClFeederCard *
cl_printer_feeder_next_card (ClFeeder *feeder, GCancellable *cancellable, GError **error)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->io_lock);
  gboolean noted = FALSE;

  for (;;)
    {
      g_autoptr (GError) local = NULL;

      if (self->leftover != LEFTOVER_NONE)
        {
          Leftover leftover = self->leftover;
          gboolean rejected = FALSE;

          if (leftover == LEFTOVER_LOST_FEED)
            {
              if (!recover (self, cancellable, &rejected, error))
                return NULL;
            }
          else
            {
              if (!reconnect (self, cancellable, error))
                return NULL;
              switch (reject_leftover (self, cancellable, &rejected, error))
                {
                  case MOVE_LOST:
                    g_clear_error (error);
                    continue;
                  case MOVE_FAILED:
                  case MOVE_GONE:
                    return NULL;
                  case MOVE_DONE:
                  default:
                    break;
                }
            }
          self->leftover = LEFTOVER_NONE;
          /* a card that never reached production is still a card in the reject bin: the engine records it */
          if (rejected)
            return cl_feeder_card_new_unproduced (self->reader, CL_REJECT_PROTOCOL_ERROR,
                                                  leftover == LEFTOVER_LOST_FEED ? LOST_FEED_DETAIL : LEFTOVER_DETAIL,
                                                  TRUE);
        }
      if (!reconnect (self, cancellable, error))
        return NULL;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!noted)
        cl_feeder_emit_note (feeder, "feed");
      noted = TRUE;

      note_reader_before_feed (self);

      switch (do_move (self, MOVE_FEED, cancellable, &local))
        {
          case MOVE_DONE:
            /* parked: returned even if cancellable fired meanwhile */
            return cl_feeder_card_new (self->reader);
          case MOVE_LOST:
            /* whatever the feed did, the recovery sends it to the reject bin */
            self->leftover = LEFTOVER_LOST_FEED;
            continue;
          case MOVE_FAILED:
          case MOVE_GONE:
          default:
            g_propagate_error (error, g_steal_pointer (&local));
            return NULL;
        }
    }
}

static gboolean
connect_retryable (const GError *error)
{
  /* pcscd saw the card mid-insertion (mute, reset) or lost it again for a moment */
  return g_error_matches (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_CARD)
         || g_error_matches (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_UNRESPONSIVE)
         || g_error_matches (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_CARD_REMOVED);
}

/* The card was parked when next_card returned. Rather than wait for the batch run to hear pcscd's card-inserted
 * event on its main context, wait on pcscd itself and connect the moment it reports the card: pcscd refuses a
 * connection until its own poll of the reader has seen the card, so that is the earliest possible. */
static ClTransport *
cl_printer_feeder_connect (ClFeeder *feeder, ClFeederCard *card, GCancellable *cancellable, GError **error)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  const char *reader = cl_feeder_card_get_reader (card);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + CARD_PRESENT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  gint64 seen_us = 0;
  ClPcscReaderState before = { 0 };
  guint delay_ms = CONNECT_RETRY_FIRST_MS;
  guint attempts = 0;

  g_mutex_lock (&self->state_lock);
  /* pcscd may not have noticed the previous card leave when this one was fed: until it does, that is the card it
   * reports, and a connection would talk to a card that is gone */
  before.present = self->previous_reported;
  before.events = self->previous_events;
  g_mutex_unlock (&self->state_lock);

  for (;;)
    {
      g_autoptr (GError) local = NULL;
      gint64 now = g_get_monotonic_time ();
      ClPcscTransport *transport;

      if (seen_us == 0)
        {
          guint left_ms = now < deadline ? (guint)((deadline - now) / G_TIME_SPAN_MILLISECOND) : 0;

          if (!cl_pcsc_reader_wait_card (reader, &before, left_ms, cancellable, NULL, &local))
            {
              if (g_error_matches (local, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT))
                {
                  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->io_lock);

                  /* not produced: the engine sends it to the reject bin through dispose, which clears this */
                  show_fault (self, CL_LINE_FAULT_CARD_NOT_PRESENT, TRUE, NO_CARD_DETAIL);
                  g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "%s of the feed", NO_CARD_DETAIL);
                  return NULL;
                }
              g_propagate_error (error, cl_pcsc_connect_error_for_line (g_steal_pointer (&local)));
              return NULL;
            }
          seen_us = g_get_monotonic_time ();
          cl_feeder_emit_note (feeder, "card at the contact station");
        }
      attempts++;
      transport = cl_pcsc_transport_connect (reader, cancellable, &local);
      if (transport != NULL)
        {
          g_debug ("%s: reported by pcscd %.1f ms after the park, connected %.1f ms after (%u attempts)", reader,
                   (seen_us - start) / 1000.0, (g_get_monotonic_time () - seen_us) / 1000.0, attempts);
          return CL_TRANSPORT (transport);
        }
      if (!connect_retryable (local)
          || g_get_monotonic_time () - seen_us >= CONNECT_RETRY_FOR_MS * G_TIME_SPAN_MILLISECOND)
        {
          /* the line's engine tells a card that is not there from a reader or service that went away */
          g_propagate_error (error, cl_pcsc_connect_error_for_line (g_steal_pointer (&local)));
          return NULL;
        }
      if (wait_ms (self, delay_ms, FALSE, cancellable) == WAIT_CANCELLED)
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return NULL;
        }
      delay_ms = MIN (delay_ms * 2, CONNECT_RETRY_MAX_MS);
    }
}

static void
cl_printer_feeder_release (ClFeeder *feeder, ClFeederCard *card, ClTransport *transport)
{
  g_return_if_fail (CL_IS_PCSC_TRANSPORT (transport));

  /* No reset: the card job releases its session after the card was disposed, so the card has already left the
   * contact station (power gone with it). A reset then goes to a reader whose card is on its way out and holds
   * pcscd on that reader while the next card is fed, which it then misses (seen on the rig as every other card
   * CARD_NOT_PRESENT). */
  cl_pcsc_transport_disconnect (CL_PCSC_TRANSPORT (transport), FALSE);
}

static gboolean
cl_printer_feeder_dispose_card (ClFeeder *feeder, ClFeederCard *card, ClDisposition disposition, GError **error)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->io_lock);
  g_autoptr (GError) local = NULL;
  gboolean rejected = FALSE;
  Move move;

  if (cl_feeder_card_get_already_in_bin (card))
    {
      /* moved there by a recovery: a reject now would find no card and be refused for ever */
      if (disposition == CL_DISPOSITION_REJECT_BIN)
        return TRUE;
      g_set_error_literal (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "the card is already in the reject bin");
      return FALSE;
    }

  /* the reader's report of this card leaving is the move's doing, not a card pulled out */
  g_mutex_lock (&self->state_lock);
  self->card_seen = FALSE;
  g_mutex_unlock (&self->state_lock);

  switch (disposition)
    {
      case CL_DISPOSITION_OUTPUT:
        move = MOVE_EJECT;
        break;
      case CL_DISPOSITION_REJECT_BIN:
        move = MOVE_REJECT;
        break;
      case CL_DISPOSITION_RETAINED:
      default:
        {
          /* A card taken out by hand is where it was asked to be; one still inside cannot stay there (the next feed
           * would be refused), so it goes to the reject bin and the caller hears so. */
          if (self->printer != NULL && card_gone (self))
            return TRUE;
          move = MOVE_REJECT;
          break;
        }
    }

  /* Neither reconnecting nor a fault wait is cancelled here: a card whose move began ends where it belongs. */
  if (self->printer != NULL)
    {
      switch (do_move (self, move, NULL, &local))
        {
          case MOVE_DONE:
            if (disposition == CL_DISPOSITION_RETAINED)
              {
                g_set_error_literal (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED,
                                     "a printer cannot retain a card: it went to the reject bin");
                return FALSE;
              }
            return TRUE;
          case MOVE_GONE:
          case MOVE_FAILED:
            g_propagate_error (error, g_steal_pointer (&local));
            return FALSE;
          case MOVE_LOST:
          default:
            break;
        }
    }
  else
    g_set_error_literal (&local, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER, "the printer was not connected");

  /* Nobody can vouch for what the mechanics did while the connection was down: what is inside goes to the reject
   * bin. */
  recover (self, NULL, &rejected, NULL);
  if (rejected && disposition == CL_DISPOSITION_REJECT_BIN)
    return TRUE; /* where it was going anyway */
  if (rejected)
    g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER,
                 "the connection to the printer was lost with the card inside (%s); the card was sent to the reject "
                 "bin on recovery",
                 local->message);
  else
    /* a printer powered up with a card inside ejects it where it pleases: the line must not name a bin */
    g_set_error (error, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN,
                 "the connection to the printer was lost with the card inside (%s); no card was left in the printer "
                 "on recovery: its whereabouts are unknown (the output hopper or the reject bin)",
                 local->message);
  return FALSE;
}

static gboolean
cl_printer_feeder_hold (ClFeeder *feeder, gboolean hold)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->state_lock);

  self->held = hold;
  g_cond_broadcast (&self->state_cond);
  return TRUE;
}

static void
cl_printer_feeder_retry (ClFeeder *feeder)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);

  g_mutex_lock (&self->state_lock);
  self->retry = TRUE;
  g_cond_broadcast (&self->state_cond);
  g_mutex_unlock (&self->state_lock);
}

static void
cl_printer_feeder_reader_changed (ClFeeder *feeder, const char *reader, gboolean present)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  gboolean ours;

  if (g_strcmp0 (reader, self->reader) != 0)
    return;
  /* The line connects without waiting for pcscd's events, so the report of the previous card leaving (ejected or
   * rejected by us) may arrive while the next card is already in production: only a removal after this card was
   * seen arriving is this card's. */
  g_mutex_lock (&self->state_lock);
  ours = self->card_seen;
  self->card_seen = present;
  g_mutex_unlock (&self->state_lock);
  if (!present && ours)
    CL_FEEDER_CLASS (cl_printer_feeder_parent_class)->reader_changed (feeder, reader, present);
}

static void
cl_printer_feeder_shutdown (ClFeeder *feeder)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->io_lock);

  drop_printer (self);
  /* whatever a later run finds inside was left by this one, and its faults are its own */
  self->leftover = LEFTOVER_EARLIER_RUN;
  self->fault_shown = FALSE;
}

static void
cl_printer_feeder_dispose (GObject *object)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (object);

  if (self->printer != NULL)
    cl_printer_feeder_shutdown (CL_FEEDER (self));
  G_OBJECT_CLASS (cl_printer_feeder_parent_class)->dispose (object);
}

static void
cl_printer_feeder_finalize (GObject *object)
{
  ClPrinterFeeder *self = CL_PRINTER_FEEDER (object);

  cl_printer_address_clear (&self->address);
  g_free (self->address_text);
  g_free (self->reader);
  g_main_context_unref (self->printer_context);
  g_mutex_clear (&self->io_lock);
  g_mutex_clear (&self->state_lock);
  g_cond_clear (&self->state_cond);
  G_OBJECT_CLASS (cl_printer_feeder_parent_class)->finalize (object);
}

static char *
cl_printer_feeder_dup_printer (ClFeeder *feeder)
{
  return g_strdup (CL_PRINTER_FEEDER (feeder)->address_text);
}

static void
cl_printer_feeder_class_init (ClPrinterFeederClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ClFeederClass *feeder_class = CL_FEEDER_CLASS (klass);

  object_class->dispose = cl_printer_feeder_dispose;
  object_class->finalize = cl_printer_feeder_finalize;
  /* one contact station */
  feeder_class->max_cards_in_flight = 1;
  /* a printer must not keep a card: on Stop the card inside is finished and goes to its bin */
  feeder_class->finish_cards_on_stop = TRUE;
  feeder_class->fleet_feeder = CL_FLEET_FEEDER_PRINTER;
  feeder_class->dup_printer = cl_printer_feeder_dup_printer;
  feeder_class->next_card = cl_printer_feeder_next_card;
  feeder_class->connect = cl_printer_feeder_connect;
  feeder_class->release = cl_printer_feeder_release;
  feeder_class->dispose = cl_printer_feeder_dispose_card;
  feeder_class->retry = cl_printer_feeder_retry;
  feeder_class->hold = cl_printer_feeder_hold;
  feeder_class->reader_changed = cl_printer_feeder_reader_changed;
  feeder_class->shutdown = cl_printer_feeder_shutdown;
}

static void
cl_printer_feeder_init (ClPrinterFeeder *self)
{
  g_mutex_init (&self->io_lock);
  g_mutex_init (&self->state_lock);
  g_cond_init (&self->state_cond);
  self->printer_context = g_main_context_new ();
  self->leftover = LEFTOVER_EARLIER_RUN;
}

ClPrinterFeeder *
cl_printer_feeder_new (const char *printer_address, const char *reader, GError **error)
{
  g_autoptr (ClPrinterFeeder) self = NULL;

  g_return_val_if_fail (reader != NULL && *reader != '\0', NULL);

  self = g_object_new (CL_TYPE_PRINTER_FEEDER, NULL);
  /* a wrong address is the operator's typo: said now, not at the first feed */
  if (!cl_printer_address_parse (printer_address, &self->address, error))
    return NULL;
  self->address_text = g_strdup (printer_address);
  self->reader = g_strdup (reader);
  return g_steal_pointer (&self);
}
