#include "cl-card-sequence.h"

#include "cl-sequence-run.h"
#include "core/cl-error.h"
#include "store/cl-store-claim.h"
#include "store/cl-store-station.h"

#include <string.h>

struct _ClCardSequence
{
  GObject parent_instance;

  ClProductionSetup *setup;
  gint64 batch_id;
  ClAttemptKind kind;
  gboolean admitted; /* cl_card_sequence_set_admitted() */
  char *station;
  char *reader;
  ClSequenceEventFunc event_func;
  gpointer event_data;
  GDestroyNotify event_notify;

  /* the station's part of a step, by step: FACE and DISPOSE (cl_card_sequence_set_card_funcs) */
  ClSequenceCardFunc card_funcs[CL_PRODUCTION_STEP_COUNT];
  ClSequenceFaceAheadFunc face_ahead;
  gpointer card_func_data;

  ClObservedTransport *transport; /* while running */
  ClSequenceOutcome outcome;
  GError *station_error; /* the first station fault of the last run */

  /* A card already moved whose records the store did not take: written by cl_card_sequence_record_pending(). */
  gboolean pending_step; /* DISPOSE's step record, then */
  gboolean pending_end;  /* the attempt's end */
  gint64 pending_started, pending_duration_us;
  char *pending_detail;
  ClAttemptEnd end;
};

G_DEFINE_FINAL_TYPE (ClCardSequence, cl_card_sequence, G_TYPE_OBJECT)

/* Comfortably longer than the card timeout, which bounds the card's exchanges, so that a live run keeps its chip;
 * short enough that a chip a dead station held is back in production within minutes. */
#define CLAIM_LEASE_MIN_S 60

gboolean
cl_sequence_claim_chip (ClSequenceRun *run, GError **error)
{
  g_autofree char *owner = cl_store_chip_owner (run->station, run->reader);
  gint64 lease_s = MAX (2 * (gint64)cl_profile_get_card_timeout (run->profile), CLAIM_LEASE_MIN_S);

  if (!cl_store_chip_claim (run->store, run->chip_id, owner, run->attempt_id, lease_s * G_USEC_PER_SEC, error))
    return FALSE;
  run->claim_owner = g_steal_pointer (&owner);
  return TRUE;
}

void
cl_sequence_release_chip (ClSequenceRun *run)
{
  g_autoptr (GError) error = NULL;

  if (run->claim_owner == NULL)
    return;
  if (!cl_store_chip_release (run->store, run->chip_id, run->claim_owner, &error))
    g_warning ("store: claim on chip %s not released, its lease will end it: %s", run->chip_id, error->message);
  g_clear_pointer (&run->claim_owner, g_free);
}

static void
outcome_clear (ClSequenceOutcome *outcome)
{
  g_clear_pointer (&outcome->chip_id, g_free);
  g_clear_pointer (&outcome->chr, g_free);
  g_clear_pointer (&outcome->serial, g_free);
  g_clear_pointer (&outcome->detail, g_free);
  g_clear_pointer (&outcome->row, cl_batch_row_free);
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
  g_clear_error (&self->station_error);
  g_clear_object (&self->transport);
  g_clear_object (&self->setup);
  g_free (self->pending_detail);
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
  self->station = g_strdup (cl_station_identity (station));
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

void
cl_card_sequence_set_admitted (ClCardSequence *self, gboolean admitted)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  self->admitted = admitted;
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

void
cl_card_sequence_set_setup (ClCardSequence *self, ClProductionSetup *setup)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  g_return_if_fail (CL_IS_PRODUCTION_SETUP (setup));
  g_set_object (&self->setup, setup);
}

void
cl_card_sequence_set_card_funcs (ClCardSequence *self, ClSequenceCardFunc face, ClSequenceCardFunc dispose,
                                 gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  self->card_funcs[CL_STEP_FACE] = face;
  self->card_funcs[CL_STEP_DISPOSE] = dispose;
  self->card_func_data = user_data;
}

void
cl_card_sequence_set_face_ahead_func (ClCardSequence *self, ClSequenceFaceAheadFunc func)
{
  g_return_if_fail (CL_IS_CARD_SEQUENCE (self));
  self->face_ahead = func;
}

static void
emit (ClCardSequence *self, const ClSequenceEvent *event)
{
  if (self->event_func != NULL)
    self->event_func (event, self->event_data);
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

/* ---- the plan: one table of rows, run by one runner ----
 *
 * As libfprint's FpiSsm: the rows run in order until one fails; after a failure only the cleanup rows run (as
 * fpi_ssm_start_cleanup jumps to the cleanup states), so the card always leaves the station and its attempt always
 * ends. run_row() is the one place that announces a step, runs it, records it in the store and reports it. */

typedef struct
{
  ClSequenceRun run;
  GError *failure;           /* the first failure: it alone decides the verdict (fpi_ssm_mark_failed) */
  ClDisposition disposition; /* where DISPOSE sent the card */
  gboolean moved;            /* DISPOSE moved the card: from here a station fault cannot stop it leaving */
  gboolean interrupted;      /* a station fault before the card moved: it stays, its attempt stays open */
} Cycle;

typedef struct
{
  ClStepResult result;
  const char *detail;    /* NULL, or borrowed until the step is recorded */
  gint sw;               /* -1: none */
  gint64 started;        /* real time; the runner's unless the row timed itself */
  gint64 duration_us;    /* -1: the runner's measure */
  ClRejectReason reason; /* what a failure of the row rejects the card as */
} RowReport;

/* A step of the station's rather than the chip's. FALSE with error fails the step and the card (as report->reason);
 * a row may also fail the card without failing its step (a good card DISPOSE could not move). */
typedef gboolean (*RowFunc) (ClCardSequence *self, Cycle *cycle, RowReport *report, GError **error);

typedef enum
{
  ROW_OPTIONAL = 1 << 0, /* planned only when the caller set the step's card func (FACE: a face printer) */
  ROW_CLEANUP = 1 << 1,  /* runs after a failure too: the card must leave the station and its attempt must end */
} RowFlags;

typedef struct
{
  ClProductionStep step;
  ClSequenceStepFunc card; /* a step on the chip (cl-sequence-steps.c), or */
  RowFunc station;         /* one of the station's */
  RowFlags flags;
} Row;

static gboolean row_face (ClCardSequence *self, Cycle *cycle, RowReport *report, GError **error);
static gboolean row_dispose (ClCardSequence *self, Cycle *cycle, RowReport *report, GError **error);

static const Row plan_rows[] = {
  { CL_STEP_IDENTIFY, cl_sequence_step_identify },
  { CL_STEP_OPEN_KST, cl_sequence_step_open },
  { CL_STEP_CONFIGURE, cl_sequence_step_configure },
  { CL_STEP_ROTATE_KEYS, cl_sequence_step_rotate_keys },
  { CL_STEP_LOAD_APPLET, cl_sequence_step_load_applet },
  { CL_STEP_INIT_APPLET, cl_sequence_step_init_applet },
  { CL_STEP_CERTIFY, cl_sequence_step_certify },
  { CL_STEP_VERIFY, cl_sequence_step_verify },
  /* not cleanup: only a card that passed VERIFY gets a face */
  { CL_STEP_FACE, NULL, row_face, ROW_OPTIONAL },
  { CL_STEP_DISPOSE, NULL, row_dispose, ROW_CLEANUP },
};

static gboolean
row_planned (ClCardSequence *self, const Row *row)
{
  return !(row->flags & ROW_OPTIONAL) || self->card_funcs[row->step] != NULL;
}

/* A store that cannot keep the card's record, an HSM that went away, a face printer queue that takes no jobs, or a
 * reader or PC/SC service lost under the card: the station is at fault, not the card, and the line must stop and say so
 * rather than go on producing. */
static gboolean
is_station_fault (const GError *error)
{
  return g_error_matches (error, CL_ERROR, CL_ERROR_STORE) || g_error_matches (error, CL_ERROR, CL_ERROR_HSM_LOST)
         || g_error_matches (error, CL_ERROR, CL_ERROR_PRINTER_QUEUE) || cl_transport_error_is_station_fault (error);
}

static void
note_station_fault (ClCardSequence *self, const GError *error)
{
  self->outcome.station_fault = TRUE;
  if (self->station_error == NULL)
    self->station_error = g_error_copy (error);
}

/* The card fails at step as reason (takes error). The first failure is the verdict; a later one can only add a
 * station fault, so that a card rejected for itself is not re-filed under what the station did afterwards. */
static void
cycle_fail (ClCardSequence *self, Cycle *c, ClProductionStep step, ClRejectReason reason, GError *error)
{
  ClSequenceOutcome *outcome = &self->outcome;

  if (is_station_fault (error))
    {
      note_station_fault (self, error);
      /* Not the card's doing, and the card is still here: no verdict. It waits where it is and the next run
       * continues its attempt from what the card itself says. */
      if (!c->moved)
        {
          c->interrupted = TRUE;
          outcome->failed_step = step;
          g_error_free (error);
          return;
        }
    }
  if (c->failure != NULL)
    {
      g_error_free (error);
      return;
    }
  c->failure = error;
  outcome->good = FALSE;
  outcome->reason = reason;
  outcome->failed_step = step;
  g_free (outcome->detail);
  outcome->detail = g_strdup (error->message);
}

/* What the station's rows (and the caller's card funcs) see of the card so far. */
static void
outcome_update (ClCardSequence *self, Cycle *c)
{
  ClSequenceOutcome *outcome = &self->outcome;

  /* every card row ran before the first station row: no failure means VERIFY passed */
  outcome->good = c->failure == NULL;
  outcome->last_sw = cl_observed_transport_get_last_sw (self->transport);
  if (outcome->chip_id == NULL)
    outcome->chip_id = g_strdup (c->run.chip_id);
  /* every card step has run: the row goes to the face */
  if (outcome->row == NULL)
    outcome->row = g_steal_pointer (&c->run.row);
  if (outcome->chr == NULL && c->run.chr != NULL)
    {
      outcome->chr = g_strdup (c->run.chr);
      if (strlen (c->run.chr) > 5)
        outcome->serial = g_strndup (c->run.chr, strlen (c->run.chr) - 5);
    }
}

static gboolean
run_card_step (Cycle *c, const Row *row, RowReport *report, GError **error)
{
  gboolean skipped = FALSE;
  gboolean ok;

  g_clear_pointer (&c->run.note, g_free);
  ok = row->card (&c->run, &skipped, error);
  report->sw = cl_observed_transport_get_last_sw (c->run.transport);
  if (!ok)
    {
      g_assert (error != NULL && *error != NULL);
      report->reason = classify (&c->run, *error);
      return FALSE;
    }
  report->result = skipped ? CL_STEP_RESULT_SKIPPED : CL_STEP_RESULT_OK;
  report->detail = c->run.note;
  return TRUE;
}

/* The printer-fed line's FACE: a face that could not be printed rejects the card. */
static gboolean
row_face (ClCardSequence *self, Cycle *c, RowReport *report, GError **error)
{
  report->reason = CL_REJECT_PRINT_FAILED;
  return self->card_funcs[CL_STEP_FACE](&self->outcome, self->card_func_data, c->run.cancellable, error);
}

/* DISPOSE: the dispose func moves the card, then the step records where it went; the attempt's end (the one
 * disposition) follows in cycle_end() once the step is recorded. */
static gboolean
row_dispose (ClCardSequence *self, Cycle *c, RowReport *report, GError **error)
{
  ClSequenceCardFunc dispose = self->card_funcs[CL_STEP_DISPOSE];
  ClSequenceOutcome *outcome = &self->outcome;
  gboolean lost = FALSE;

  report->duration_us = 0;
  if (dispose != NULL)
    {
      g_autoptr (GError) moved = NULL;

      /* the card's move is DISPOSE's duration: the printer's eject shows in the cycle-time breakdown */
      report->started = g_get_real_time ();
      c->moved = TRUE;
      if (!dispose (outcome, self->card_func_data, c->run.cancellable, &moved))
        {
          lost = g_error_matches (moved, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN);
          /* a good card that did not reach the output hopper is rejected: nobody can vouch for it */
          if (outcome->good)
            cycle_fail (self, c, CL_STEP_DISPOSE, CL_REJECT_PROTOCOL_ERROR, g_steal_pointer (&moved));
        }
      report->duration_us = g_get_real_time () - report->started;
    }
  report->sw = outcome->last_sw;
  /* a QA re-test never goes through the line's hopper or bin: the card stays on the QA bench */
  if (self->kind == CL_ATTEMPT_QA_RETEST)
    {
      report->detail = outcome->good ? "retained by QA: good" : "retained by QA: still rejected";
      c->disposition = CL_DISPOSITION_RETAINED;
    }
  else if (self->admitted && !outcome->good && outcome->reason == CL_REJECT_CARD_REMOVED)
    {
      /* remote production: the card left with its session (pulled at the client, the client gone); the service moves
       * no card, and this one was not made: it comes back through its URL, so it keeps no place in the batch */
      report->detail = "retained by the client: the session ended before the card was made";
      c->disposition = CL_DISPOSITION_RETAINED;
    }
  else if (lost)
    {
      /* neither bin can be named: the record says so rather than count a card the reject bin never received */
      report->detail = "whereabouts unknown";
      c->disposition = CL_DISPOSITION_UNKNOWN;
    }
  else
    {
      report->detail = outcome->good ? "output hopper" : "reject bin";
      c->disposition = outcome->good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN;
    }
  c->moved = TRUE;
  return TRUE;
}

/* The Line panel shows the row being produced from the step that claimed it on. */
static void
row_of_event (ClCardSequence *self, Cycle *c, ClSequenceEvent *event)
{
  const ClBatchRow *row = c->run.row != NULL ? c->run.row : self->outcome.row;

  event->row_reference = row != NULL ? row->reference : NULL;
  event->row_display = row != NULL ? row->display : NULL;
}

/* IDENTIFY passed: the CHR, hence the serial, follows from the chip and its row (cl_sequence_device_chr). One that
 * cannot be made fails CERTIFY with its reason; the face is then never printed. */
static void
face_ahead (ClCardSequence *self, Cycle *c)
{
  g_autofree char *chr = NULL;
  g_autofree char *serial = NULL;

  if (self->face_ahead == NULL || self->card_funcs[CL_STEP_FACE] == NULL || c->run.chip_id == NULL)
    return;
  chr = cl_sequence_device_chr (&c->run, NULL);
  if (chr == NULL || strlen (chr) <= 5)
    return;
  serial = g_strndup (chr, strlen (chr) - 5);
  self->face_ahead (c->run.chip_id, serial, c->run.row, self->card_func_data);
}

static void
run_row (ClCardSequence *self, Cycle *c, const Row *row)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  RowReport report = { CL_STEP_RESULT_OK, NULL, -1, g_get_real_time (), -1, CL_REJECT_PROTOCOL_ERROR };
  ClSequenceEvent event = { CL_SEQUENCE_EVENT_STEP, row->step };
  ClSequenceEvent started = { CL_SEQUENCE_EVENT_STARTED, row->step };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) store_error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok;

  if (row->station != NULL)
    outcome_update (self, c);
  started.sw = -1;
  started.chip_id = c->run.chip_id;
  row_of_event (self, c, &started);
  emit (self, &started);

  ok = row->card != NULL ? run_card_step (c, row, &report, &error) : row->station (self, c, &report, &error);
  if (report.duration_us < 0)
    report.duration_us = g_get_monotonic_time () - t0;
  if (!ok)
    {
      report.result = CL_STEP_RESULT_FAILED;
      report.detail = error->message;
    }
  /* No silent loss: a step the store did not keep interrupts the card (cycle_fail below), so it can never be GOOD
   * without it; DISPOSE's is kept for cl_card_sequence_record_pending(), the card having left. */
  if (!cl_store_attempt_add_step (store, c->run.attempt_id, row->step, report.started, report.duration_us,
                                  report.result, report.sw, report.detail, &store_error))
    {
      g_prefix_error (&store_error, "step %s of attempt %" G_GINT64_FORMAT " not recorded: ",
                      cl_production_step_to_string (row->step), c->run.attempt_id);
      if (row->step == CL_STEP_DISPOSE && c->moved)
        {
          self->pending_step = TRUE;
          self->pending_started = report.started;
          self->pending_duration_us = report.duration_us;
          g_free (self->pending_detail);
          self->pending_detail = g_strdup (report.detail);
          note_station_fault (self, store_error);
          g_clear_error (&store_error);
        }
    }

  event.result = report.result;
  event.duration_us = report.duration_us;
  event.sw = report.sw;
  event.chip_id = c->run.chip_id;
  event.detail = report.detail;
  row_of_event (self, c, &event);
  emit (self, &event);

  if (!ok)
    cycle_fail (self, c, row->step, report.reason, g_steal_pointer (&error));
  else if (row->step == CL_STEP_IDENTIFY && store_error == NULL)
    face_ahead (self, c);
  if (store_error != NULL)
    cycle_fail (self, c, row->step, CL_REJECT_PROTOCOL_ERROR, g_steal_pointer (&store_error));
}

/* Writes what the store did not take after the card left: DISPOSE's step, then the attempt's end. */
static gboolean
write_pending (ClCardSequence *self, GError **error)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  gint64 attempt = self->outcome.attempt_id;

  if (self->pending_step)
    {
      if (!cl_store_attempt_add_step (store, attempt, CL_STEP_DISPOSE, self->pending_started, self->pending_duration_us,
                                      CL_STEP_RESULT_OK, self->end.last_sw, self->pending_detail, error))
        return g_prefix_error (error, "step DISPOSE of attempt %" G_GINT64_FORMAT " not recorded: ", attempt), FALSE;
      self->pending_step = FALSE;
    }
  if (!cl_store_attempt_end (store, attempt, &self->end, error))
    return g_prefix_error (error, "the end of attempt %" G_GINT64_FORMAT " was not recorded: ", attempt), FALSE;
  self->pending_end = FALSE;
  self->outcome.end_pending = FALSE;
  return TRUE;
}

/* The attempt's end and its one disposition, in one transaction. The card has left by now: if the store cannot
 * take it, the end waits in the sequence (outcome->end_pending) for cl_card_sequence_record_pending() once the
 * store is back, and the card's verdict stands; a station killed meanwhile leaves the attempt open, to be ended
 * as abandoned when it starts again (cl_store_attempt_abandon_open). */
static void
cycle_end (ClCardSequence *self, Cycle *c)
{
  ClSequenceOutcome *outcome = &self->outcome;
  g_autoptr (GError) store_error = NULL;

  self->end.result = outcome->good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED;
  self->end.reason = outcome->reason;
  self->end.failed_step = outcome->failed_step;
  self->end.last_sw = outcome->last_sw;
  self->end.disposition = c->disposition;
  outcome->whereabouts_unknown = c->disposition == CL_DISPOSITION_UNKNOWN;
  self->end.ended = 0;
  self->end.row_fails_on_reject = cl_profile_get_data_fails_on_reject (cl_production_setup_get_profile (self->setup));
  self->end.row_max_attempts = cl_profile_get_data_max_attempts (cl_production_setup_get_profile (self->setup));
  self->pending_end = TRUE;
  outcome->end_pending = TRUE;
  if (!write_pending (self, &store_error))
    note_station_fault (self, store_error);
}

gboolean
cl_card_sequence_record_pending (ClCardSequence *self, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), FALSE);
  if (!self->pending_end)
    return TRUE;
  return write_pending (self, error);
}

static void
run_clear (ClSequenceRun *run)
{
  cl_sequence_release_chip (run);
  g_clear_pointer (&run->chip_id, g_free);
  g_clear_pointer (&run->row, cl_batch_row_free);
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
  ClProfile *profile;
  ClStore *store;
  Cycle c = { { 0 } };
  ClSequenceRun *run = &c.run;
  ClSequenceOutcome *outcome = &self->outcome;
  gint64 started = g_get_real_time ();
  gint64 mono_start = g_get_monotonic_time ();
  gint64 resume_attempt;
  guint timeout_s;

  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), FALSE);
  g_return_val_if_fail (CL_IS_TRANSPORT (transport), FALSE);

  g_return_val_if_fail (!self->pending_end, FALSE);

  profile = cl_production_setup_get_profile (self->setup);
  store = cl_production_setup_get_store (self->setup);
  timeout_s = cl_profile_get_card_timeout (profile);
  /* an interrupted run's attempt goes on: one card, one attempt, however often the station failed under it */
  resume_attempt = outcome->interrupted ? outcome->attempt_id : 0;
  outcome_clear (outcome);
  g_clear_error (&self->station_error);
  g_clear_object (&self->transport);
  self->transport = cl_observed_transport_new (transport);
  if (timeout_s > 0)
    cl_observed_transport_set_deadline (self->transport, mono_start + (gint64)timeout_s * G_USEC_PER_SEC);

  run->setup = self->setup;
  run->profile = profile;
  run->keys = cl_profile_get_keys (profile);
  run->store = store;
  run->batch_id = self->batch_id;
  run->station = self->station;
  run->reader = self->reader;
  run->transport = self->transport;
  run->channel = cl_card_channel_new (CL_TRANSPORT (self->transport));
  run->cancellable = cancellable;
  c.disposition = CL_DISPOSITION_REJECT_BIN;

  {
    g_autoptr (GError) local = NULL;

    if (resume_attempt > 0)
      run->attempt_id = resume_attempt;
    else if (self->admitted)
      run->attempt_id
        = cl_store_attempt_begin_admitted (store, self->batch_id, self->station, self->reader, started, &local);
    else
      run->attempt_id
        = cl_store_attempt_begin (store, self->batch_id, self->kind, self->station, self->reader, started, &local);
    if (run->attempt_id <= 0)
      {
        note_station_fault (self, local);
        g_propagate_error (error, g_steal_pointer (&local));
        run_clear (run);
        return FALSE;
      }
  }
  outcome->attempt_id = run->attempt_id;

  {
    ClProductionStep plan[CL_PRODUCTION_STEP_COUNT];
    ClSequenceEvent event = { CL_SEQUENCE_EVENT_BEGIN, CL_STEP_IDENTIFY };
    guint n = 0;

    for (guint i = 0; i < G_N_ELEMENTS (plan_rows); i++)
      if (row_planned (self, &plan_rows[i]))
        plan[n++] = plan_rows[i].step;
    event.sw = -1;
    event.plan = plan;
    event.n_plan = n;
    emit (self, &event);
  }

  for (guint i = 0; i < G_N_ELEMENTS (plan_rows) && !c.interrupted; i++)
    if (row_planned (self, &plan_rows[i]) && (c.failure == NULL || (plan_rows[i].flags & ROW_CLEANUP)))
      run_row (self, &c, &plan_rows[i]);

  outcome->cycle_us = g_get_monotonic_time () - mono_start;
  outcome->apdus = cl_observed_transport_get_apdu_count (self->transport);
  outcome->bytes_sent = cl_observed_transport_get_bytes_sent (self->transport);
  outcome->bytes_received = cl_observed_transport_get_bytes_received (self->transport);
  if (c.interrupted)
    {
      /* no DISPOSED: the card has no verdict yet */
      outcome->interrupted = TRUE;
      outcome->good = FALSE;
      if (outcome->chip_id == NULL)
        outcome->chip_id = g_strdup (run->chip_id);
      g_clear_error (&c.failure);
      run_clear (run);
      return TRUE;
    }
  cycle_end (self, &c);

  {
    ClSequenceEvent event = { CL_SEQUENCE_EVENT_DISPOSED, outcome->good ? CL_STEP_DISPOSE : outcome->failed_step };

    event.duration_us = outcome->cycle_us;
    event.sw = outcome->last_sw;
    event.chip_id = outcome->chip_id;
    event.detail = outcome->detail;
    event.good = outcome->good;
    event.reason = outcome->reason;
    event.serial = outcome->serial;
    event.station_fault = outcome->station_fault;
    emit (self, &event);
  }

  g_clear_error (&c.failure);
  run_clear (run);
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

const GError *
cl_card_sequence_get_station_error (ClCardSequence *self)
{
  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), NULL);
  return self->station_error;
}

guint64
cl_card_sequence_get_apdu_count (ClCardSequence *self)
{
  return self->transport != NULL ? cl_observed_transport_get_apdu_count (self->transport) : 0;
}
