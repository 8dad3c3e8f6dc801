/* cl-card-diagnosis.h: the read-only "diagnose" mode of ClCardSequence, for QA.
 *
 * It looks at the card in a reader and reports, step by step, whether that step's result is present and sound
 * on the chip: identity (ATR, CPLC), which key set the card holds (KST or card keys, proven by opening a secure
 * channel with it), the card life cycle, the applet instance, the initialised device and its key request, the
 * certificate chain in EF.C_DevAut (device CVC -> this line's DICA -> the scheme root). It sends no command that
 * changes the card (no PUT KEY, INSTALL, LOAD, INITIALIZE, UPDATE BINARY; the PIN status query carries no PIN)
 * and records nothing: the caller files it as a QA action if it wants to. */
#pragma once

#include "cl-card-sequence.h"

G_BEGIN_DECLS

typedef struct
{
  char *chip_id;                              /* NULL when the card could not be identified */
  gboolean checked[CL_PRODUCTION_STEP_COUNT]; /* the step was examined */
  gboolean holds[CL_PRODUCTION_STEP_COUNT];   /* its result is on the card */
  char *detail[CL_PRODUCTION_STEP_COUNT];     /* what was found, one line; NULL when not checked */
  ClProductionStep first_missing;             /* where a resumed run has work to do; VERIFY..DISPOSE: none */
  char *summary;                              /* one line for the QA technician */
} ClCardDiagnosis;

void cl_card_diagnosis_free (ClCardDiagnosis *diagnosis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCardDiagnosis, cl_card_diagnosis_free)

/* Blocking: run it on a worker. A card that answers at all gives a diagnosis (steps that do not hold say why);
 * NULL with error only when the card cannot be talked to (no ATR, removed, cancelled). */
ClCardDiagnosis *cl_card_sequence_diagnose (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable,
                                            GError **error);

G_END_DECLS
