#include "line/cl-card-job.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "line/cl-card-session.h"
#include "line/cl-face-ahead.h"
#include "line/cl-line-text.h"
#include "store/cl-store-station.h"

struct _ClCardJob
{
  GObject parent_instance;

  ClProductionSetup *setup;
  ClFeeder *feeder;
  ClFeederCard *card;
  gint64 batch_id;
  char *batch_name;
  char *station;
  ClFacePrinter *face;
  gboolean face_ahead; /* render the face while the chip is produced */
  ClAttemptKind kind;
  ClCardJobEventFunc event_func;
  gpointer event_data;
  ClCardJobRecoverFunc recover_func;
  ClCardJobResumedFunc resumed_func;
  gpointer recover_data;

  /* while running, on the job's thread */
  ClCardSequence *sequence;
  char *atr_hex;
  gboolean recorded;
  gboolean admitted;     /* cl_card_job_set_admitted() */
  gboolean face_printed; /* a resumed card is not printed twice */
  ClFaceAhead *rendered; /* the face drawn since IDENTIFY passed; NULL: none */
  ClLineFault fault;
  guint tries; /* station faults in a row */
};

G_DEFINE_FINAL_TYPE (ClCardJob, cl_card_job, G_TYPE_OBJECT)

static void
cl_card_job_finalize (GObject *object)
{
  ClCardJob *self = CL_CARD_JOB (object);

  g_clear_object (&self->setup);
  g_clear_object (&self->feeder);
  g_clear_object (&self->card);
  g_clear_object (&self->face);
  g_clear_object (&self->rendered);
  g_clear_object (&self->sequence);
  g_free (self->batch_name);
  g_free (self->station);
  g_free (self->atr_hex);
  G_OBJECT_CLASS (cl_card_job_parent_class)->finalize (object);
}

static void
cl_card_job_class_init (ClCardJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_card_job_finalize;
}

static void
cl_card_job_init (ClCardJob *self)
{
  self->face_ahead = TRUE;
}

ClCardJob *
cl_card_job_new (ClProductionSetup *setup, ClFeeder *feeder, ClFeederCard *card, gint64 batch_id,
                 const char *batch_name, const char *station)
{
  ClCardJob *self;

  g_return_val_if_fail (CL_IS_PRODUCTION_SETUP (setup), NULL);
  g_return_val_if_fail (feeder == NULL || CL_IS_FEEDER (feeder), NULL);
  g_return_val_if_fail (CL_IS_FEEDER_CARD (card), NULL);

  self = g_object_new (CL_TYPE_CARD_JOB, NULL);
  self->setup = g_object_ref (setup);
  self->feeder = feeder != NULL ? g_object_ref (feeder) : NULL;
  self->card = g_object_ref (card);
  self->batch_id = batch_id;
  self->batch_name = g_strdup (batch_name);
  self->station = g_strdup (cl_station_identity (station));
  return self;
}

ClFeederCard *
cl_card_job_get_card (ClCardJob *self)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), NULL);
  return self->card;
}

void
cl_card_job_set_face_printer (ClCardJob *self, ClFacePrinter *face)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  g_set_object (&self->face, face);
}

void
cl_card_job_set_face_ahead (ClCardJob *self, gboolean ahead)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  self->face_ahead = ahead;
}

void
cl_card_job_set_attempt_kind (ClCardJob *self, ClAttemptKind kind)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  self->kind = kind;
}

void
cl_card_job_set_event_func (ClCardJob *self, ClCardJobEventFunc func, gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  self->event_func = func;
  self->event_data = user_data;
}

void
cl_card_job_set_recover_func (ClCardJob *self, ClCardJobRecoverFunc recover, ClCardJobResumedFunc resumed,
                              gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  self->recover_func = recover;
  self->resumed_func = resumed;
  self->recover_data = user_data;
}

static const char *
reader (ClCardJob *self)
{
  return cl_feeder_card_get_reader (self->card);
}

static void
emit (ClCardJob *self, ClLineEventKind kind, const ClLineEventFields *fields, const char *text)
{
  g_autoptr (ClLineEvent) event = NULL;
  ClLineEventFields stamped = *fields;

  if (self->event_func == NULL)
    return;
  stamped.station = self->station;
  event = cl_line_text_event_new (kind, reader (self), &stamped, text);
  self->event_func (self, event, self->event_data);
}

static void
emit_note (ClCardJob *self, const char *text)
{
  g_autoptr (ClLineEvent) event = NULL;

  if (self->event_func == NULL)
    return;
  event = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, reader (self), text);
  self->event_func (self, event, self->event_data);
}

/* ---- the sequence's events, typed for the line ---- */

static void
on_sequence_event (const ClSequenceEvent *event, gpointer user_data)
{
  ClCardJob *self = user_data;
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.chip_id = event->chip_id;
  fields.step = event->step;
  fields.row_reference = event->row_reference;
  fields.row_display = event->row_display;
  switch (event->kind)
    {
      case CL_SEQUENCE_EVENT_BEGIN:
        {
          g_autofree const char **plan = g_new0 (const char *, event->n_plan + 1);

          for (guint i = 0; i < event->n_plan; i++)
            plan[i] = cl_production_step_to_string (event->plan[i]);
          fields.plan = plan;
          fields.atr = self->atr_hex;
          emit (self, CL_LINE_EVENT_CARD_PRESENT, &fields, NULL);
        }
        break;
      case CL_SEQUENCE_EVENT_STARTED:
        emit (self, CL_LINE_EVENT_STEP_STARTED, &fields, NULL);
        break;
      case CL_SEQUENCE_EVENT_STEP:
        fields.result = event->result;
        fields.duration_us = event->duration_us;
        fields.sw = event->sw;
        fields.note = event->detail;
        emit (self, CL_LINE_EVENT_STEP_FINISHED, &fields, NULL);
        break;
      case CL_SEQUENCE_EVENT_DISPOSED:
      default:
        /* the card's result goes out once the job knows it whole (apdus, cycle): see emit_outcome() */
        break;
    }
}

static void
emit_outcome (ClCardJob *self, const ClSequenceOutcome *o)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.chip_id = o->chip_id;
  fields.good = o->good;
  fields.serial = o->serial;
  fields.duration_us = o->cycle_us;
  fields.apdus = o->apdus;
  fields.sw = o->last_sw;
  fields.row_reference = o->row != NULL ? o->row->reference : NULL;
  fields.row_display = o->row != NULL ? o->row->display : NULL;
  if (o->good)
    {
      fields.step = CL_STEP_DISPOSE;
      emit (self, CL_LINE_EVENT_GOOD, &fields, NULL);
      return;
    }
  fields.reason = o->reason;
  fields.step = o->failed_step;
  fields.note = o->detail;
  fields.whereabouts_unknown = o->whereabouts_unknown;
  emit (self, CL_LINE_EVENT_REJECTED, &fields, NULL);
}

/* ---- the card's face and its move, called by the sequence on this thread ---- */

static void
render_face_ahead (const char *chip_id, const char *serial, const ClBatchRow *row, gpointer user_data)
{
  ClCardJob *self = user_data;
  ClFaceCard card = { serial,
                      chip_id,
                      self->batch_name,
                      cl_profile_get_name (cl_production_setup_get_profile (self->setup)),
                      row != NULL ? row->fields : NULL,
                      row != NULL ? row->photo : NULL };

  if (self->face_printed)
    return;
  g_clear_object (&self->rendered);
  self->rendered = cl_face_ahead_start (self->face, &card);
}

static gboolean
print_face (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  ClCardJob *self = user_data;
  ClFaceCard card = { outcome->serial,
                      outcome->chip_id,
                      self->batch_name,
                      cl_profile_get_name (cl_production_setup_get_profile (self->setup)),
                      outcome->row != NULL ? outcome->row->fields : NULL,
                      outcome->row != NULL ? outcome->row->photo : NULL };

  if (outcome->serial == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "the card has no serial to print on its face");
      return FALSE;
    }
  if (!self->face_printed
      && !(self->rendered != NULL ? cl_face_ahead_print (self->rendered, &card, cancellable, error)
                                  : cl_face_printer_print (self->face, &card, cancellable, error)))
    return FALSE;
  self->face_printed = TRUE;
  /* QA finds a card by what is printed on it */
  return outcome->chip_id == NULL
         || cl_store_card_set_printed_serial (cl_production_setup_get_store (self->setup), outcome->chip_id,
                                              outcome->serial, error);
}

static gboolean
dispose_card (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  ClCardJob *self = user_data;

  return cl_feeder_dispose (self->feeder, self->card, outcome->good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN,
                            error);
}

/* ---- cards without a sequence ---- */

/* A card that goes to the reject bin unproduced still gets its attempt and disposition: the bin and the store
 * agree. FALSE: the store could not record it (a station fault). */
static gboolean
record_unproduced (ClCardJob *self, ClRejectReason reason, const char *detail, gboolean in_bin, GError **error)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  ClAttemptEnd end = { CL_ATTEMPT_REJECTED, reason, CL_STEP_IDENTIFY, -1, CL_DISPOSITION_REJECT_BIN, 0 };
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (GError) moved = NULL;
  g_autofree char *full_detail = NULL;
  gint64 now = g_get_real_time ();
  gint64 attempt;

  if (!in_bin && !cl_feeder_dispose (self->feeder, self->card, CL_DISPOSITION_REJECT_BIN, &moved))
    {
      full_detail = g_strdup_printf ("%s; and it did not reach the reject bin: %s", detail, moved->message);
      if (g_error_matches (moved, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN))
        end.disposition = CL_DISPOSITION_UNKNOWN;
    }
  else
    full_detail = g_strdup (detail);
  attempt = cl_store_attempt_begin (store, self->batch_id, self->kind, self->station, reader (self), now, error);
  if (attempt <= 0
      || !cl_store_attempt_add_step (store, attempt, CL_STEP_IDENTIFY, now, 0, CL_STEP_RESULT_FAILED, -1, full_detail,
                                     error)
      || !cl_store_attempt_end (store, attempt, &end, error))
    {
      self->fault = CL_LINE_FAULT_STORE;
      return FALSE;
    }
  self->recorded = TRUE;
  fields.reason = reason;
  fields.step = CL_STEP_IDENTIFY;
  fields.note = full_detail;
  fields.whereabouts_unknown = end.disposition == CL_DISPOSITION_UNKNOWN;
  emit (self, CL_LINE_EVENT_REJECTED, &fields, NULL);
  return TRUE;
}

/* The station's own parts, not the card: the line pauses instead of filing a reject. */
static gboolean
is_station_fault (const GError *error, ClLineFault *fault)
{
  if (g_error_matches (error, CL_ERROR, CL_ERROR_STORE))
    *fault = CL_LINE_FAULT_STORE;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_HSM_LOST))
    *fault = CL_LINE_FAULT_HSM;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_PRINTER_QUEUE))
    *fault = CL_LINE_FAULT_PRINTER_QUEUE;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_READER_GONE))
    *fault = CL_LINE_FAULT_READER_GONE;
  else if (g_error_matches (error, CL_ERROR, CL_ERROR_SERVICE_LOST))
    *fault = CL_LINE_FAULT_SERVICE_LOST;
  else
    return FALSE;
  return TRUE;
}

/* The station stopped (or nobody can bring the part back) while the card waited: the attempt gets the end a killed
 * station's would (cl_store_attempt_abandon_open): the card stays where it is, neither output nor reject bin. */
static void
end_interrupted (ClCardJob *self)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (self->sequence);
  ClAttemptEnd end = { CL_ATTEMPT_REJECTED, CL_REJECT_PROTOCOL_ERROR, o->failed_step, -1, CL_DISPOSITION_RETAINED, 0 };
  g_autoptr (GError) error = NULL;

  if (!o->interrupted || o->attempt_id <= 0)
    return;
  if (!cl_store_attempt_end (cl_production_setup_get_store (self->setup), o->attempt_id, &end, &error))
    g_warning ("store: interrupted attempt %" G_GINT64_FORMAT " left open for the next start: %s", o->attempt_id,
               error->message);
}

/* A station fault under the card: waits until the part is back (TRUE, possibly with a new setup) or gives up
 * (FALSE: error set, self->fault says which part). */
static gboolean
recover (ClCardJob *self, const GError *station_error, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClProductionSetup) setup = NULL;

  if (!is_station_fault (station_error, &self->fault))
    self->fault = CL_LINE_FAULT_STORE;
  if (self->recover_func != NULL)
    setup = self->recover_func (self, self->fault, station_error, self->tries++, cancellable, self->recover_data);
  if (setup == NULL)
    {
      g_propagate_error (error, g_error_copy (station_error));
      return FALSE;
    }
  if (setup != self->setup)
    {
      g_set_object (&self->setup, setup);
      if (self->sequence != NULL)
        cl_card_sequence_set_setup (self->sequence, setup);
    }
  return TRUE;
}

/* The part a station fault took away answered again: the line may take new cards. Said also when the card then turns
 * out to be gone, or the line would stay held by a card that no longer waits for anything. */
static void
part_back (ClCardJob *self)
{
  if (self->tries > 0 && self->resumed_func != NULL)
    self->resumed_func (self, self->fault, self->recover_data);
  self->tries = 0;
}

/* Runs the card's sequence on transport until its attempt is recorded, waiting out station faults in between.
 * *reconnect: the transport was lost under the card (reader, PC/SC service): the part is back, reach the card
 * again and call again. */
static gboolean
run_until_recorded (ClCardJob *self, ClTransport *transport, GCancellable *cancellable, gboolean *reconnect,
                    GError **error)
{
  *reconnect = FALSE;
  if (self->sequence == NULL)
    {
      self->sequence = cl_card_sequence_new (self->setup, self->batch_id, self->station, reader (self));
      cl_card_sequence_set_attempt_kind (self->sequence, self->kind);
      cl_card_sequence_set_admitted (self->sequence, self->admitted);
      cl_card_sequence_set_event_func (self->sequence, on_sequence_event, self, NULL);
      /* a QA re-test never goes through the line's hopper or bin: the card stays on the QA bench */
      cl_card_sequence_set_card_funcs (self->sequence, self->face != NULL ? print_face : NULL,
                                       self->kind == CL_ATTEMPT_QA_RETEST || self->feeder == NULL ? NULL : dispose_card,
                                       self);
      if (self->face != NULL && self->face_ahead)
        cl_card_sequence_set_face_ahead_func (self->sequence, render_face_ahead);
    }
  for (;;)
    {
      const ClSequenceOutcome *o = cl_card_sequence_get_outcome (self->sequence);
      g_autoptr (GError) local = NULL;
      const GError *station_error;
      gboolean lost_card;

      if (o->end_pending)
        {
          if (cl_card_sequence_record_pending (self->sequence, &local))
            break;
          station_error = local;
        }
      else if (!cl_card_sequence_run (self->sequence, transport, cancellable, &local))
        station_error = local; /* nothing recorded yet: the attempt begins on the next run */
      else if (o->interrupted || o->end_pending)
        station_error = cl_card_sequence_get_station_error (self->sequence);
      else
        break;

      lost_card = o->interrupted && cl_transport_error_is_station_fault (station_error);
      if (!recover (self, station_error, cancellable, error))
        {
          end_interrupted (self);
          return FALSE;
        }
      if (lost_card)
        {
          *reconnect = TRUE;
          return FALSE;
        }
    }
  part_back (self);
  self->recorded = TRUE;
  emit_outcome (self, cl_card_sequence_get_outcome (self->sequence));
  return TRUE;
}

gboolean
cl_card_job_run_on (ClCardJob *self, ClTransport *transport, GCancellable *cancellable, GError **error)
{
  GBytes *atr;
  gboolean reconnect;

  g_return_val_if_fail (CL_IS_CARD_JOB (self), FALSE);
  g_return_val_if_fail (CL_IS_TRANSPORT (transport), FALSE);

  atr = cl_transport_get_atr (transport);
  g_free (self->atr_hex);
  self->atr_hex = atr != NULL ? cl_hex_encode_bytes (atr) : NULL;
  g_clear_pointer (&atr, g_bytes_unref);
  if (run_until_recorded (self, transport, cancellable, &reconnect, error))
    return TRUE;
  if (reconnect)
    {
      /* the caller's card cannot be reached again from here: its attempt ends as a killed station's would */
      end_interrupted (self);
      g_set_error (error, CL_ERROR, CL_ERROR_TRANSPORT, "the card was lost to a station fault; put it in again");
    }
  return FALSE;
}

gboolean
cl_card_job_run (ClCardJob *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), FALSE);
  g_return_val_if_fail (self->sequence == NULL, FALSE);
  g_return_val_if_fail (self->feeder != NULL, FALSE);

  if (cl_feeder_card_is_unproduced (self->card))
    return record_unproduced (self, cl_feeder_card_get_reason (self->card), cl_feeder_card_get_detail (self->card),
                              cl_feeder_card_get_already_in_bin (self->card), error);

  for (;;)
    {
      g_autoptr (ClCardSession) session = NULL;
      g_autoptr (GError) local = NULL;
      GBytes *atr;
      gboolean reconnect;

      session = cl_card_session_new (self->feeder, self->card, cancellable, &local);
      if (session == NULL)
        {
          ClLineFault fault;

          if (is_station_fault (local, &fault))
            {
              /* the reader or pcscd is away: the card (in production or not yet) waits for it */
              if (!recover (self, local, cancellable, error))
                {
                  if (self->sequence != NULL)
                    end_interrupted (self);
                  return FALSE;
                }
              continue;
            }
          part_back (self);
          /* A rack's card that went before it was reached stays with the person who holds it, as does a QA card;
           * a card the feeder holds (a printer's) was fed and must be accounted for. */
          if (!cl_feeder_get_finish_cards_on_stop (self->feeder) || self->kind == CL_ATTEMPT_QA_RETEST)
            {
              g_autofree char *text = g_strdup_printf ("not produced: %s", local->message);

              if (self->sequence != NULL)
                end_interrupted (self);
              emit_note (self, text);
              return TRUE;
            }
          if (self->sequence != NULL)
            {
              /* a card in progress whose reader lost it meanwhile: it was not reached again */
              end_interrupted (self);
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          return record_unproduced (self, CL_REJECT_NO_ATR, local->message, FALSE, error);
        }

      atr = cl_transport_get_atr (cl_card_session_get_transport (session));
      g_free (self->atr_hex);
      self->atr_hex = atr != NULL ? cl_hex_encode_bytes (atr) : NULL;
      g_clear_pointer (&atr, g_bytes_unref);
      if (run_until_recorded (self, cl_card_session_get_transport (session), cancellable, &reconnect, error))
        return TRUE;
      if (!reconnect)
        return FALSE;
    }
}

void
cl_card_job_set_admitted (ClCardJob *self, gboolean admitted)
{
  g_return_if_fail (CL_IS_CARD_JOB (self));
  self->admitted = admitted;
}

gboolean
cl_card_job_get_recorded (ClCardJob *self)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), FALSE);
  return self->recorded;
}

gboolean
cl_card_job_began_attempt (ClCardJob *self)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), FALSE);
  return self->recorded || (self->sequence != NULL && cl_card_sequence_get_outcome (self->sequence)->attempt_id > 0);
}

const ClSequenceOutcome *
cl_card_job_get_outcome (ClCardJob *self)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), NULL);
  return self->sequence != NULL && self->recorded ? cl_card_sequence_get_outcome (self->sequence) : NULL;
}

ClLineFault
cl_card_job_get_fault (ClCardJob *self)
{
  g_return_val_if_fail (CL_IS_CARD_JOB (self), CL_LINE_FAULT_STORE);
  return self->fault;
}
