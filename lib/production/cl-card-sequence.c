#include "cl-card-sequence.h"

#include "cl-sequence-run.h"
#include "core/cl-error.h"

#include <string.h>

struct _ClCardSequence
{
  GObject parent_instance;

  ClProductionSetup *setup;
  gint64 batch_id;
  ClAttemptKind kind;
  char *station;
  char *reader;
  ClSequenceEventFunc event_func;
  gpointer event_data;
  GDestroyNotify event_notify;

  ClSequenceCardFunc face_func;
  ClSequenceCardFunc dispose_func;
  gpointer card_func_data;

  ClObservedTransport *transport; /* while running */
  ClSequenceOutcome outcome;
};

G_DEFINE_FINAL_TYPE (ClCardSequence, cl_card_sequence, G_TYPE_OBJECT)

static GMutex chips_lock;
static GHashTable *chips_in_production;

gboolean
cl_sequence_claim_chip (const char *chip_id)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&chips_lock);

  if (chips_in_production == NULL)
    chips_in_production = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (chips_in_production, chip_id))
    return FALSE;
  g_hash_table_add (chips_in_production, g_strdup (chip_id));
  return TRUE;
}

void
cl_sequence_release_chip (const char *chip_id)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&chips_lock);

  if (chips_in_production != NULL)
    g_hash_table_remove (chips_in_production, chip_id);
}

static void
outcome_clear (ClSequenceOutcome *outcome)
{
  g_clear_pointer (&outcome->chip_id, g_free);
  g_clear_pointer (&outcome->chr, g_free);
  g_clear_pointer (&outcome->serial, g_free);
  g_clear_pointer (&outcome->detail, g_free);
  memset (outcome, 0, sizeof *outcome);
  outcome->last_sw = -1;
}

static void
cl_card_sequence_finalize (GObject *object)
{
  ClCardSequence *self = CL_CARD_SEQUENCE (object);

  if (self->event_notify != NULL)
    self->event_notify (self->event_data);
  outcome_clear (&self->outcome);
  g_clear_object (&self->transport);
  g_clear_object (&self->setup);
  g_free (self->station);
  g_free (self->reader);
  G_OBJECT_CLASS (cl_card_sequence_parent_class)->finalize (object);
}

static void
cl_card_sequence_class_init (ClCardSequenceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_card_sequence_finalize;
}

static void
cl_card_sequence_init (ClCardSequence *self)
{
  self->outcome.last_sw = -1;
}

ClCardSequence *
cl_card_sequence_new (ClProductionSetup *setup, gint64 batch_id, const char *station, const char *reader)
{
  ClCardSequence *self;

  g_return_val_if_fail (CL_IS_PRODUCTION_SETUP (setup), NULL);
  self = g_object_new (CL_TYPE_CARD_SEQUENCE, NULL);
  self->setup = g_object_ref (setup);
  self->batch_id = batch_id;
  self->station = g_strdup (station != NULL ? station : g_get_host_name ());
  self->reader = g_strdup (reader != NULL ? reader : "");
  return self;
}

void
cl_card_sequence_set_event_func (ClCardSequence *self, ClSequenceEventFunc func, gpointer user_data,
                                 GDestroyNotify notify)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  if (self->event_notify != NULL)
    self->event_notify (self->event_data);
  self->event_func = func;
  self->event_data = user_data;
  self->event_notify = notify;
}

void
cl_card_sequence_set_attempt_kind (ClCardSequence *self, ClAttemptKind kind)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  self->kind = kind;
}

ClAttemptKind
cl_card_sequence_get_attempt_kind (ClCardSequence *self)
{
  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), CL_ATTEMPT_PRODUCTION);
  return self->kind;
}

ClProductionSetup *
cl_card_sequence_get_setup (ClCardSequence *self)
{
  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), NULL);
  return self->setup;
}

static void emit (ClCardSequence *self, const ClSequenceEvent *event);

static void
emit_started (ClCardSequence *self, ClProductionStep step, const char *chip_id)
{
  ClSequenceEvent event = { CL_SEQUENCE_EVENT_STARTED, step };

  event.sw = -1;
  event.chip_id = chip_id;
  emit (self, &event);
}

void
cl_card_sequence_set_card_funcs (ClCardSequence *self, ClSequenceCardFunc face, ClSequenceCardFunc dispose,
                                 gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  self->face_func = face;
  self->dispose_func = dispose;
  self->card_func_data = user_data;
}

/* The printer-fed line's FACE step: only a verified card gets a face, and a face that failed rejects it. */
static void
run_face_step (ClCardSequence *self, ClSequenceRun *run, ClSequenceOutcome *outcome, GError **failure)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  ClSequenceEvent event = { CL_SEQUENCE_EVENT_STEP, CL_STEP_FACE, CL_STEP_RESULT_OK };
  gint64 step_started = g_get_real_time ();
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GError) store_error = NULL;

  emit_started (self, CL_STEP_FACE, run->chip_id);
  if (!self->face_func (outcome, self->card_func_data, run->cancellable, failure))
    {
      event.result = CL_STEP_RESULT_FAILED;
      event.detail = (*failure)->message;
      run->reason = CL_REJECT_PRINT_FAILED;
    }
  event.duration_us = g_get_monotonic_time () - t0;
  event.sw = -1;
  event.chip_id = run->chip_id;
  if (!cl_store_attempt_add_step (store, run->attempt_id, CL_STEP_FACE, step_started, event.duration_us, event.result,
                                  event.sw, event.detail, &store_error))
    g_warning ("store: face step of attempt %" G_GINT64_FORMAT " not recorded: %s", run->attempt_id,
               store_error->message);
  emit (self, &event);
}

/* The closed list of reasons, from what went wrong. The step's own reason covers refusals (status words); the
 * error's kind decides when the card went away, answered garbage, or the host side failed. Transport failures come
 * in the contract's codes (apdu/cl-transport.h), whatever the transport was. */
static ClRejectReason
classify (ClSequenceRun *run, const GError *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                       || g_error_matches (error, CL_ERROR, CL_ERROR_CANCELLED);

  /* the reader or pcscd went away under the card: nothing the card did, so nothing to blame it for */
  if (cl_transport_error_is_station_fault (error))
    return CL_REJECT_PROTOCOL_ERROR;
  if (g_error_matches (error, CL_ERROR, CL_ERROR_TIMEOUT) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return CL_REJECT_TIMEOUT;
  if (cancelled || g_error_matches (error, CL_ERROR, CL_ERROR_CARD_REMOVED)
      || g_error_matches (error, CL_ERROR, CL_ERROR_TRANSPORT))
    {
      /* A chip that never answered a single command is dead or mute, not pulled: that is what NO_ATR files. */
      if (cl_observed_transport_get_response_count (run->transport) == 0 && !cancelled)
        return CL_REJECT_NO_ATR;
      return CL_REJECT_CARD_REMOVED;
    }
  if (error->domain == CL_ERROR)
    switch ((ClError)error->code)
      {
        case CL_ERROR_MALFORMED:
          return CL_REJECT_HOSTILE_CARD;
        case CL_ERROR_SECURITY:
          /* a cryptogram that does not match while opening is the wrong key; anywhere else a forged answer */
          return run->reason == CL_REJECT_AUTH_KST_FAILED || run->reason == CL_REJECT_KEY_ROTATION_FAILED
                     || run->reason == CL_REJECT_VERIFY_FAILED || run->reason == CL_REJECT_KEYGEN_FAILED
                     || run->reason == CL_REJECT_CERT_FAILED
                   ? run->reason
                   : CL_REJECT_HOSTILE_CARD;
        case CL_ERROR_TOKEN:
        case CL_ERROR_STORE:
        case CL_ERROR_CRYPTO:
        case CL_ERROR_PROFILE:
        case CL_ERROR_INVALID_ARGUMENT:
          return CL_REJECT_PROTOCOL_ERROR;
        default:
          break;
      }
  return run->reason;
}

static void
emit (ClCardSequence *self, const ClSequenceEvent *event)
{
  if (self->event_func != NULL)
    self->event_func (event, self->event_data);
}

static const struct
{
  ClProductionStep step;
  ClSequenceStepFunc func;
} steps[] = {
  { CL_STEP_IDENTIFY, cl_sequence_step_identify },       { CL_STEP_OPEN_KST, cl_sequence_step_open },
  { CL_STEP_CONFIGURE, cl_sequence_step_configure },     { CL_STEP_ROTATE_KEYS, cl_sequence_step_rotate_keys },
  { CL_STEP_LOAD_APPLET, cl_sequence_step_load_applet }, { CL_STEP_INIT_APPLET, cl_sequence_step_init_applet },
  { CL_STEP_CERTIFY, cl_sequence_step_certify },         { CL_STEP_VERIFY, cl_sequence_step_verify },
};

static void
run_clear (ClSequenceRun *run)
{
  if (run->chip_id != NULL)
    cl_sequence_release_chip (run->chip_id);
  g_clear_pointer (&run->chip_id, g_free);
  g_clear_object (&run->channel);
  g_clear_object (&run->card_keys);
  g_clear_object (&run->old_card_keys);
  g_clear_object (&run->scp02);
  g_clear_object (&run->request);
  g_clear_pointer (&run->key_hash, g_free);
  g_clear_pointer (&run->chr, g_free);
  g_clear_pointer (&run->device_cvc, g_bytes_unref);
  g_clear_pointer (&run->note, g_free);
}

gboolean
cl_card_sequence_run (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable, GError **error)
{
  ClProfile *profile = cl_production_setup_get_profile (self->setup);
  guint timeout_s = cl_profile_get_card_timeout (profile);
  ClStore *store = cl_production_setup_get_store (self->setup);
  ClSequenceRun run = { 0 };
  ClSequenceOutcome *outcome = &self->outcome;
  gint64 started = g_get_real_time ();
  gint64 mono_start = g_get_monotonic_time ();
  ClAttemptEnd end = { 0 };
  g_autoptr (GError) failure = NULL;
  ClProductionStep failed_step = CL_STEP_IDENTIFY;
  gboolean good = FALSE;
  gint64 dispose_started = 0, dispose_us = 0;

  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), FALSE);
  g_return_val_if_fail (CL_IS_TRANSPORT (transport), FALSE);

  outcome_clear (outcome);
  g_clear_object (&self->transport);
  self->transport = cl_observed_transport_new (transport);
  if (timeout_s > 0)
    cl_observed_transport_set_deadline (self->transport, mono_start + (gint64)timeout_s * G_USEC_PER_SEC);

  run.setup = self->setup;
  run.profile = profile;
  run.keys = cl_profile_get_keys (profile);
  run.store = store;
  run.transport = self->transport;
  run.channel = cl_card_channel_new (CL_TRANSPORT (self->transport));
  run.cancellable = cancellable;

  run.attempt_id
    = cl_store_attempt_begin (store, self->batch_id, self->kind, self->station, self->reader, started, error);
  if (run.attempt_id <= 0)
    {
      run_clear (&run);
      return FALSE;
    }
  outcome->attempt_id = run.attempt_id;

  {
    ClProductionStep plan[CL_PRODUCTION_STEP_COUNT];
    ClSequenceEvent event = { CL_SEQUENCE_EVENT_BEGIN, CL_STEP_IDENTIFY };
    guint n = 0;

    for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
      plan[n++] = steps[i].step;
    if (self->face_func != NULL)
      plan[n++] = CL_STEP_FACE;
    plan[n++] = CL_STEP_DISPOSE;
    event.sw = -1;
    event.plan = plan;
    event.n_plan = n;
    emit (self, &event);
  }

  for (guint i = 0; i < G_N_ELEMENTS (steps) && failure == NULL; i++)
    {
      gint64 step_started = g_get_real_time ();
      gint64 t0 = g_get_monotonic_time ();
      gboolean skipped = FALSE;
      g_autoptr (GError) store_error = NULL;
      ClSequenceEvent event = { CL_SEQUENCE_EVENT_STEP, steps[i].step };

      g_clear_pointer (&run.note, g_free);
      emit_started (self, steps[i].step, run.chip_id);
      if (!steps[i].func (&run, &skipped, &failure))
        {
          g_assert (failure != NULL);
          failed_step = steps[i].step;
          event.result = CL_STEP_RESULT_FAILED;
          event.detail = failure->message;
        }
      else
        {
          event.result = skipped ? CL_STEP_RESULT_SKIPPED : CL_STEP_RESULT_OK;
          event.detail = run.note;
        }
      event.duration_us = g_get_monotonic_time () - t0;
      event.sw = cl_observed_transport_get_last_sw (self->transport);
      event.chip_id = run.chip_id;
      if (!cl_store_attempt_add_step (store, run.attempt_id, steps[i].step, step_started, event.duration_us,
                                      event.result, event.sw, event.detail, &store_error))
        g_warning ("store: step %s of attempt %" G_GINT64_FORMAT " not recorded: %s",
                   cl_production_step_to_string (steps[i].step), run.attempt_id, store_error->message);
      emit (self, &event);
    }
  good = failure == NULL;

  outcome->good = good;
  outcome->last_sw = cl_observed_transport_get_last_sw (self->transport);
  outcome->chip_id = g_strdup (run.chip_id);
  outcome->chr = g_strdup (run.chr);
  if (run.chr != NULL && strlen (run.chr) > 5)
    outcome->serial = g_strndup (run.chr, strlen (run.chr) - 5);
  if (good && self->face_func != NULL)
    {
      run_face_step (self, &run, outcome, &failure);
      if (failure != NULL)
        {
          good = outcome->good = FALSE;
          failed_step = CL_STEP_FACE;
        }
    }
  if (!good)
    {
      outcome->reason = failed_step == CL_STEP_FACE ? CL_REJECT_PRINT_FAILED : classify (&run, failure);
      outcome->failed_step = failed_step;
      outcome->detail = g_strdup (failure->message);
    }
  emit_started (self, CL_STEP_DISPOSE, run.chip_id);
  if (self->dispose_func != NULL)
    {
      g_autoptr (GError) moved = NULL;

      /* the card's move is DISPOSE's duration: the printer's eject shows in the cycle-time breakdown */
      dispose_started = g_get_real_time ();
      if (!self->dispose_func (outcome, self->card_func_data, cancellable, &moved) && good)
        {
          good = outcome->good = FALSE;
          outcome->reason = CL_REJECT_PROTOCOL_ERROR;
          outcome->failed_step = failed_step = CL_STEP_DISPOSE;
          outcome->detail = g_strdup (moved->message);
          failure = g_steal_pointer (&moved);
        }
      dispose_us = g_get_real_time () - dispose_started;
    }

  /* DISPOSE: the one disposition of this attempt, in the same transaction as its end. */
  {
    g_autoptr (GError) store_error = NULL;
    ClSequenceEvent event = { CL_SEQUENCE_EVENT_STEP, CL_STEP_DISPOSE, CL_STEP_RESULT_OK };

    event.sw = outcome->last_sw;
    event.chip_id = run.chip_id;
    /* a QA re-test never goes through the line's hopper or bin: the card stays on the QA bench */
    if (self->kind == CL_ATTEMPT_QA_RETEST)
      event.detail = good ? "retained by QA: good" : "retained by QA: still rejected";
    else
      event.detail = good ? "output hopper" : "reject bin";
    event.duration_us = dispose_us;
    if (!cl_store_attempt_add_step (store, run.attempt_id, CL_STEP_DISPOSE,
                                    dispose_started > 0 ? dispose_started : g_get_real_time (), dispose_us,
                                    CL_STEP_RESULT_OK, event.sw, event.detail, &store_error))
      g_warning ("store: dispose step not recorded: %s", store_error->message);
    emit (self, &event);

    end.result = good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED;
    end.reason = outcome->reason;
    end.failed_step = outcome->failed_step;
    end.last_sw = outcome->last_sw;
    if (self->kind == CL_ATTEMPT_QA_RETEST)
      end.disposition = CL_DISPOSITION_RETAINED;
    else
      end.disposition = good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN;
    end.ended = 0;
    g_clear_error (&store_error);
    if (!cl_store_attempt_end (store, run.attempt_id, &end, &store_error))
      g_warning ("store: attempt %" G_GINT64_FORMAT " end not recorded: %s", run.attempt_id, store_error->message);
  }

  outcome->cycle_us = g_get_monotonic_time () - mono_start;
  outcome->apdus = cl_observed_transport_get_apdu_count (self->transport);
  outcome->bytes_sent = cl_observed_transport_get_bytes_sent (self->transport);
  outcome->bytes_received = cl_observed_transport_get_bytes_received (self->transport);

  {
    ClSequenceEvent event = { CL_SEQUENCE_EVENT_DISPOSED, good ? CL_STEP_DISPOSE : failed_step };

    event.duration_us = outcome->cycle_us;
    event.sw = outcome->last_sw;
    event.chip_id = outcome->chip_id;
    event.detail = outcome->detail;
    event.good = good;
    event.reason = outcome->reason;
    event.serial = outcome->serial;
    emit (self, &event);
  }

  run_clear (&run);
  return TRUE;
}

static void
run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (cl_card_sequence_run (CL_CARD_SEQUENCE (source), CL_TRANSPORT (task_data), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cl_card_sequence_run_async (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cl_card_sequence_run_async);
  /* The sequence reports cancellation as CARD_REMOVED itself; the task must still deliver that outcome. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_object_ref (transport), g_object_unref);
  g_task_run_in_thread (task, run_thread);
}

gboolean
cl_card_sequence_run_finish (ClCardSequence *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const ClSequenceOutcome *
cl_card_sequence_get_outcome (ClCardSequence *self)
{
  return &self->outcome;
}

guint64
cl_card_sequence_get_apdu_count (ClCardSequence *self)
{
  return self->transport != NULL ? cl_observed_transport_get_apdu_count (self->transport) : 0;
}
