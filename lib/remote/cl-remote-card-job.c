#include "remote/cl-remote-card-job.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "line/cl-card-session.h"
#include "line/cl-line-text.h"
#include "production/cl-device-check.h"
#include "remote/cl-ram-codec.h"
#include "store/cl-store-station.h"

/* The card's plan on the Line panel: the service's part, then the station's own. */
#define SERVICE_STEP "SERVICE"

struct _ClRemoteCardJob
{
  GObject parent_instance;

  ClRamRelay *relay;
  ClCvc *srca;
  ClFeeder *feeder;
  ClFeederCard *card;
  char *station;
  char *batch_name;
  ClFacePrinter *face;
  ClRemoteCardJobEventFunc event_func;
  gpointer event_data;
  ClRemoteCardJobWaitFunc wait_func;
  ClRemoteCardJobClearedFunc cleared_func;
  gpointer wait_data;

  /* while running, on the job's thread */
  gint64 started;
  char *atr_hex;
  char *chip; /* the device certificate's holder, once checked */
  gboolean presented;
  gboolean face_printed;
  gboolean good;
  guint tries; /* station faults in a row */
  ClLineFault fault;
  guint64 apdus;
  guint round_trips;
  guint64 bytes_sent, bytes_received;
};

G_DEFINE_FINAL_TYPE (ClRemoteCardJob, cl_remote_card_job, G_TYPE_OBJECT)

typedef enum
{
  DONE,      /* disposed */
  RECONNECT, /* the way to the card was lost and is back: reach it again */
  STOPPED,   /* cancelled or given up: the card stays */
} Progress;

static void
cl_remote_card_job_finalize (GObject *object)
{
  ClRemoteCardJob *self = CL_REMOTE_CARD_JOB (object);

  g_clear_object (&self->relay);
  g_clear_object (&self->srca);
  g_clear_object (&self->feeder);
  g_clear_object (&self->card);
  g_clear_object (&self->face);
  g_free (self->station);
  g_free (self->batch_name);
  g_free (self->atr_hex);
  g_free (self->chip);
  G_OBJECT_CLASS (cl_remote_card_job_parent_class)->finalize (object);
}

static void
cl_remote_card_job_class_init (ClRemoteCardJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_remote_card_job_finalize;
}

static void
cl_remote_card_job_init (ClRemoteCardJob *self)
{
}

ClRemoteCardJob *
cl_remote_card_job_new (ClRamRelay *relay, ClCvc *srca, ClFeeder *feeder, ClFeederCard *card, const char *station,
                        const char *batch_name)
{
  ClRemoteCardJob *self;

  g_return_val_if_fail (CL_IS_RAM_RELAY (relay), NULL);
  g_return_val_if_fail (CL_IS_CVC (srca), NULL);
  g_return_val_if_fail (CL_IS_FEEDER (feeder), NULL);
  g_return_val_if_fail (CL_IS_FEEDER_CARD (card), NULL);

  self = g_object_new (CL_TYPE_REMOTE_CARD_JOB, NULL);
  self->relay = g_object_ref (relay);
  self->srca = g_object_ref (srca);
  self->feeder = g_object_ref (feeder);
  self->card = g_object_ref (card);
  self->station = g_strdup (cl_station_identity (station));
  self->batch_name = g_strdup (batch_name);
  return self;
}

void
cl_remote_card_job_set_face_printer (ClRemoteCardJob *self, ClFacePrinter *face)
{
  g_return_if_fail (CL_IS_REMOTE_CARD_JOB (self));
  g_set_object (&self->face, face);
}

void
cl_remote_card_job_set_event_func (ClRemoteCardJob *self, ClRemoteCardJobEventFunc func, gpointer user_data)
{
  g_return_if_fail (CL_IS_REMOTE_CARD_JOB (self));
  self->event_func = func;
  self->event_data = user_data;
}

void
cl_remote_card_job_set_wait_func (ClRemoteCardJob *self, ClRemoteCardJobWaitFunc wait,
                                  ClRemoteCardJobClearedFunc cleared, gpointer user_data)
{
  g_return_if_fail (CL_IS_REMOTE_CARD_JOB (self));
  self->wait_func = wait;
  self->cleared_func = cleared;
  self->wait_data = user_data;
}

gboolean
cl_remote_card_job_get_good (ClRemoteCardJob *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_CARD_JOB (self), FALSE);
  return self->good;
}

void
cl_remote_card_job_get_traffic (ClRemoteCardJob *self, guint *round_trips, guint64 *bytes_sent, guint64 *bytes_received)
{
  g_return_if_fail (CL_IS_REMOTE_CARD_JOB (self));
  *round_trips = self->round_trips;
  *bytes_sent = self->bytes_sent;
  *bytes_received = self->bytes_received;
}

/* ---- events ---- */

static const char *
reader (ClRemoteCardJob *self)
{
  return cl_feeder_card_get_reader (self->card);
}

static void
emit (ClRemoteCardJob *self, ClLineEventKind kind, ClLineEventFields *fields, const char *text)
{
  g_autoptr (ClLineEvent) event = NULL;

  if (self->event_func == NULL)
    return;
  fields->station = self->station;
  if (fields->chip_id == NULL)
    fields->chip_id = self->chip;
  event = cl_line_text_event_new (kind, reader (self), fields, text);
  self->event_func (self, event, self->event_data);
}

static void
emit_step (ClRemoteCardJob *self, ClLineEventKind kind, ClProductionStep step, ClStepResult result, gint64 since,
           const char *note)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.step = step;
  fields.result = result;
  fields.duration_us = kind == CL_LINE_EVENT_STEP_FINISHED ? g_get_monotonic_time () - since : 0;
  fields.note = note;
  emit (self, kind, &fields, NULL);
}

static void
present (ClRemoteCardJob *self)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  const char *plan[5] = { SERVICE_STEP, cl_production_step_to_string (CL_STEP_VERIFY), NULL, NULL, NULL };
  guint n = 2;

  if (self->presented)
    return;
  self->presented = TRUE;
  if (self->face != NULL)
    plan[n++] = cl_production_step_to_string (CL_STEP_FACE);
  plan[n] = cl_production_step_to_string (CL_STEP_DISPOSE);
  fields.plan = plan;
  fields.atr = self->atr_hex;
  emit (self, CL_LINE_EVENT_CARD_PRESENT, &fields, NULL);
}

static void
on_notify (gint32 id, const char *text, gint32 seconds, gpointer user_data)
{
  ClRemoteCardJob *self = user_data;
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autofree char *line = g_strdup_printf ("service notify=%d text=%s", (int)id, text);

  fields.note = text;
  fields.duration_us = seconds >= 0 ? seconds * G_USEC_PER_SEC : -1;
  emit (self, CL_LINE_EVENT_SERVICE_NOTIFY, &fields, line);
}

/* ---- faults of the station's parts ---- */

static gboolean
station_fault_of (const GError *error, ClLineFault *fault)
{
  if (g_error_matches (error, CL_ERROR, CL_ERROR_PRODUCTION_SERVICE))
    *fault = CL_LINE_FAULT_PRODUCTION_SERVICE;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_READER_GONE))
    *fault = CL_LINE_FAULT_READER_GONE;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_SERVICE_LOST))
    *fault = CL_LINE_FAULT_SERVICE_LOST;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_PRINTER_QUEUE))
    *fault = CL_LINE_FAULT_PRINTER_QUEUE;
  else
    return FALSE;
  return TRUE;
}

/* The card waits while the part is away; FALSE: the line stops meanwhile. */
static gboolean
wait_for_part (ClRemoteCardJob *self, ClLineFault fault, const GError *error, GCancellable *cancellable)
{
  self->fault = fault;
  if (self->wait_func == NULL || g_cancellable_is_cancelled (cancellable))
    return FALSE;
  return self->wait_func (self, fault, error, self->tries++, cancellable, self->wait_data);
}

static void
part_back (ClRemoteCardJob *self)
{
  if (self->tries > 0 && self->cleared_func != NULL)
    self->cleared_func (self, self->fault, self->wait_data);
  self->tries = 0;
}

/* ---- dispositions ---- */

/* The card's move, as the DISPOSE step of its plan (the panel shows it run and end, as for local production). */
static gboolean
move_card (ClRemoteCardJob *self, ClDisposition disposition, GError **error)
{
  gint64 begun = g_get_monotonic_time ();
  gboolean moved;

  emit_step (self, CL_LINE_EVENT_STEP_STARTED, CL_STEP_DISPOSE, CL_STEP_RESULT_OK, begun, NULL);
  moved = cl_feeder_dispose (self->feeder, self->card, disposition, error);
  emit_step (self, CL_LINE_EVENT_STEP_FINISHED, CL_STEP_DISPOSE, moved ? CL_STEP_RESULT_OK : CL_STEP_RESULT_FAILED,
             begun, moved ? NULL : (*error)->message);
  return moved;
}

static Progress
reject (ClRemoteCardJob *self, ClRejectReason reason, ClProductionStep step, const char *note, gboolean in_bin)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (GError) moved = NULL;
  g_autofree char *full = NULL;

  if (!in_bin && !move_card (self, CL_DISPOSITION_REJECT_BIN, &moved))
    {
      full = g_strdup_printf ("%s; and it did not reach the reject bin: %s", note, moved->message);
      fields.whereabouts_unknown = g_error_matches (moved, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN);
    }
  fields.reason = reason;
  fields.step = step;
  fields.note = full != NULL ? full : note;
  fields.duration_us = g_get_monotonic_time () - self->started;
  fields.apdus = self->apdus;
  emit (self, CL_LINE_EVENT_REJECTED, &fields, NULL);
  return DONE;
}

static Progress
accept (ClRemoteCardJob *self, const char *serial)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (GError) moved = NULL;

  if (!move_card (self, CL_DISPOSITION_OUTPUT, &moved))
    {
      g_autofree char *note = g_strdup_printf ("the good card did not reach the output hopper: %s", moved->message);

      fields.whereabouts_unknown = g_error_matches (moved, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN);
      fields.reason = CL_REJECT_PROTOCOL_ERROR;
      fields.step = CL_STEP_DISPOSE;
      fields.note = note;
      fields.duration_us = g_get_monotonic_time () - self->started;
      fields.apdus = self->apdus;
      emit (self, CL_LINE_EVENT_REJECTED, &fields, NULL);
      return DONE;
    }
  self->good = TRUE;
  fields.good = TRUE;
  fields.step = CL_STEP_DISPOSE;
  fields.serial = serial;
  fields.duration_us = g_get_monotonic_time () - self->started;
  fields.apdus = self->apdus;
  emit (self, CL_LINE_EVENT_GOOD, &fields, NULL);
  return DONE;
}

/* ---- the card's way through ---- */

static const char *
end_text (const ClRamSessionResult *result)
{
  if (result->card_error != NULL)
    return "card-error";
  switch (result->end)
    {
      case CL_RAM_SESSION_COMPLETED:
        return "completed";
      case CL_RAM_SESSION_REFUSED:
        return "refused";
      case CL_RAM_SESSION_ABORTED:
      default:
        return "aborted";
    }
}

/* Relays sessions until one ends (the service unreachable meanwhile: the card waits). *result: the last one's. */
static Progress
relay (ClRemoteCardJob *self, ClTransport *transport, ClRamSessionResult *result, GCancellable *cancellable,
       GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
      g_autofree char *line = NULL;
      gint64 begun = g_get_monotonic_time ();
      gboolean ok;

      cl_ram_session_result_clear (result);
      ok = cl_ram_relay_run (self->relay, transport, on_notify, self, result, cancellable, &local);
      self->apdus += result->apdus;
      self->round_trips += result->round_trips;
      self->bytes_sent += result->bytes_sent;
      self->bytes_received += result->bytes_received;
      if (!ok)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED)
              || !g_error_matches (local, CL_ERROR, CL_ERROR_PRODUCTION_SERVICE)
              || !wait_for_part (self, CL_LINE_FAULT_PRODUCTION_SERVICE, local, cancellable))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return STOPPED;
            }
          /* a new session with the same card: the service resumes it from its own journal */
          continue;
        }
      part_back (self);
      fields.result = result->end == CL_RAM_SESSION_COMPLETED && result->card_error == NULL ? CL_STEP_RESULT_OK
                                                                                            : CL_STEP_RESULT_FAILED;
      fields.duration_us = g_get_monotonic_time () - begun;
      fields.apdus = result->apdus;
      fields.note = result->card_error != NULL ? result->card_error : result->last_notify;
      line = g_strdup_printf ("service end=%s round-trips=%u apdus=%" G_GUINT64_FORMAT " bytes-out=%" G_GUINT64_FORMAT
                              " bytes-in=%" G_GUINT64_FORMAT,
                              end_text (result), result->round_trips, result->apdus, result->bytes_sent,
                              result->bytes_received);
      emit (self, CL_LINE_EVENT_SERVICE_ENDED, &fields, line);
      return DONE;
    }
}

/* After a session that did not complete: whose fault, and where the card goes. */
static Progress
after_incomplete (ClRemoteCardJob *self, const ClRamSessionResult *result, GCancellable *cancellable, GError **error)
{
  g_autofree char *note = NULL;
  ClLineFault fault;

  if (result->card_failure != NULL)
    {
      if (cl_transport_error_is_station_fault (result->card_failure) && station_fault_of (result->card_failure, &fault))
        {
          /* the reader or pcscd went away under the card: the card is not to blame; reach it again */
          if (!wait_for_part (self, fault, result->card_failure, cancellable))
            {
              g_propagate_error (error, g_error_copy (result->card_failure));
              return STOPPED;
            }
          return RECONNECT;
        }
      note = g_strdup_printf ("the card failed during the production service's session: %s", result->card_error);
      return reject (self, CL_REJECT_CARD_REMOVED, CL_STEP_IDENTIFY, note, FALSE);
    }
  if (result->end == CL_RAM_SESSION_REFUSED)
    {
      note = g_strdup_printf ("the production service did not take the card up%s%s",
                              result->last_notify != NULL ? ": " : "",
                              result->last_notify != NULL ? result->last_notify : "");
      return reject (self, CL_REJECT_WRONG_CARD, CL_STEP_IDENTIFY, note, FALSE);
    }
  note = g_strdup_printf ("the production service aborted the card%s%s", result->last_notify != NULL ? ": " : "",
                          result->last_notify != NULL ? result->last_notify : "");
  return reject (self, CL_REJECT_PROTOCOL_ERROR, CL_STEP_IDENTIFY, note, FALSE);
}

/* The station's own check of the finished card, then its face and the output hopper. */
static Progress
check_and_finish (ClRemoteCardJob *self, ClTransport *transport, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClDeviceIdentity) identity = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *detail = NULL;
  ClLineFault fault;
  gint64 begun = g_get_monotonic_time ();

  emit_step (self, CL_LINE_EVENT_STEP_STARTED, CL_STEP_VERIFY, CL_STEP_RESULT_OK, begun, NULL);
  identity = cl_device_check (transport, self->srca, cancellable, &local);
  if (identity == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_propagate_error (error, g_steal_pointer (&local)), STOPPED;
      if (station_fault_of (local, &fault))
        {
          if (!wait_for_part (self, fault, local, cancellable))
            return g_propagate_error (error, g_steal_pointer (&local)), STOPPED;
          return RECONNECT;
        }
      emit_step (self, CL_LINE_EVENT_STEP_FINISHED, CL_STEP_VERIFY, CL_STEP_RESULT_FAILED, begun, local->message);
      return reject (self, cl_transport_error_is_transport (local) ? CL_REJECT_CARD_REMOVED : CL_REJECT_VERIFY_FAILED,
                     CL_STEP_VERIFY, local->message, FALSE);
    }
  part_back (self);
  g_free (self->chip);
  self->chip = g_strdup (identity->chr);
  detail = g_strdup_printf ("certificate %s in 2F02, chain verifies to %s via %s, serial %s", identity->chr,
                            cl_cvc_get_chr (self->srca), identity->dica, identity->serial);
  emit_step (self, CL_LINE_EVENT_STEP_FINISHED, CL_STEP_VERIFY, CL_STEP_RESULT_OK, begun, detail);

  if (self->face != NULL && !self->face_printed)
    {
      ClFaceCard face = { identity->serial, identity->chr, self->batch_name, NULL };

      begun = g_get_monotonic_time ();
      emit_step (self, CL_LINE_EVENT_STEP_STARTED, CL_STEP_FACE, CL_STEP_RESULT_OK, begun, NULL);
      while (!cl_face_printer_print (self->face, &face, cancellable, &local))
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return g_propagate_error (error, g_steal_pointer (&local)), STOPPED;
          if (!g_error_matches (local, CL_ERROR, CL_ERROR_PRINTER_QUEUE))
            {
              emit_step (self, CL_LINE_EVENT_STEP_FINISHED, CL_STEP_FACE, CL_STEP_RESULT_FAILED, begun, local->message);
              return reject (self, CL_REJECT_PRINT_FAILED, CL_STEP_FACE, local->message, FALSE);
            }
          if (!wait_for_part (self, CL_LINE_FAULT_PRINTER_QUEUE, local, cancellable))
            return g_propagate_error (error, g_steal_pointer (&local)), STOPPED;
          g_clear_error (&local);
        }
      part_back (self);
      self->face_printed = TRUE;
      emit_step (self, CL_LINE_EVENT_STEP_FINISHED, CL_STEP_FACE, CL_STEP_RESULT_OK, begun, NULL);
    }
  return accept (self, identity->serial);
}

static Progress
produce_on (ClRemoteCardJob *self, ClTransport *transport, GCancellable *cancellable, GError **error)
{
  g_auto (ClRamSessionResult) result = { 0 };
  g_autoptr (GBytes) atr = cl_transport_get_atr (transport);
  Progress progress;

  g_free (self->atr_hex);
  self->atr_hex = atr != NULL ? cl_hex_encode_bytes (atr) : NULL;
  present (self);
  progress = relay (self, transport, &result, cancellable, error);
  if (progress != DONE)
    return progress;
  if (result.end == CL_RAM_SESSION_ABORTED && result.abort_id == CL_RAM_NOTIFY_NO_PLACE && result.card_error == NULL)
    {
      /* the batch is complete (other stations made the rest of it): not the card's fault; it stays where it is */
      g_set_error (error, CL_ERROR, CL_ERROR_BATCH_FULL,
                   "batch complete: the production service has no place left "
                   "in the batch for this card%s%s",
                   result.last_notify != NULL ? ": " : "", result.last_notify != NULL ? result.last_notify : "");
      return STOPPED;
    }
  if (result.end != CL_RAM_SESSION_COMPLETED || result.card_error != NULL)
    return after_incomplete (self, &result, cancellable, error);
  return check_and_finish (self, transport, cancellable, error);
}

gboolean
cl_remote_card_job_run (ClRemoteCardJob *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_REMOTE_CARD_JOB (self), FALSE);

  self->started = g_get_monotonic_time ();
  if (cl_feeder_card_is_unproduced (self->card))
    return reject (self, cl_feeder_card_get_reason (self->card), CL_STEP_IDENTIFY,
                   cl_feeder_card_get_detail (self->card), cl_feeder_card_get_already_in_bin (self->card))
           == DONE;
  for (;;)
    {
      g_autoptr (ClCardSession) session = NULL;
      g_autoptr (GError) local = NULL;
      ClLineFault fault;
      Progress progress;

      session = cl_card_session_new (self->feeder, self->card, cancellable, &local);
      if (session == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          if (station_fault_of (local, &fault))
            {
              if (!wait_for_part (self, fault, local, cancellable))
                return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
              continue;
            }
          /* the card cannot be reached: a printer's goes to the reject bin, a rack's stays with its operator */
          if (!cl_feeder_get_finish_cards_on_stop (self->feeder))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          return reject (self, CL_REJECT_NO_ATR, CL_STEP_IDENTIFY, local->message, FALSE) == DONE;
        }
      progress = produce_on (self, cl_card_session_get_transport (session), cancellable, error);
      if (progress != RECONNECT)
        return progress == DONE;
    }
}
