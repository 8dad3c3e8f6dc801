/* cl-sequence-label.c: a data row's token label on the card (schsm/cl-schsm-token-info.h), written where the profile
 * initialises the card, as sc-hsm-tool --initialize --label does: right after INITIALIZE DEVICE, the user PIN
 * verified (the applet accepts UPDATE BINARY of its EFs only then; it speaks no secure channel of its own, so the
 * VERIFY is the plain one OpenSC sends), EF.TokenInfo written and read back.
 *
 * The label is no irreversible step (a card whose PIN is known can be given it again), so the card itself is its
 * journal: a card initialised on an earlier attempt (torn after INITIALIZE DEVICE) is read, and a label that is not
 * the row's is written again with the profile's fixed PIN. With random PINs the station cannot: they were sealed to
 * the customer before INITIALIZE DEVICE and only the customer can open them; the card is then rejected (INIT_FAILED,
 * saying so) rather than shipped with a label that is not its row's. The step's record notes what was found. */
#include "cl-sequence-run.h"

#include <string.h>

#include "core/cl-error.h"
#include "schsm/cl-schsm-card.h"
#include "schsm/cl-schsm-token-info.h"

#define SW_FILE_NOT_FOUND 0x6A82

const char *
cl_sequence_row_label (ClSequenceRun *run)
{
  const char *label = cl_batch_row_get (run->row, "token-label");

  /* an empty cell: the card keeps the label OpenSC gives a SmartCard-HSM without one */
  return label != NULL && *label != '\0' ? label : NULL;
}

/* The card's token label; NULL (no error) when it has no EF.TokenInfo or one without a label. */
static char *
card_label (ClSequenceRun *run, ClCardChannel *channel, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) info = cl_schsm_read_file (channel, CL_SCHSM_FID_TOKEN_INFO, run->cancellable, &local);
  char *label;

  if (info == NULL)
    {
      if (cl_error_get_sw (local) != SW_FILE_NOT_FOUND)
        g_propagate_prefixed_error (error, g_steal_pointer (&local), "EF.TokenInfo: ");
      return NULL;
    }
  label = cl_schsm_token_info_label (info, error);
  return label;
}

gboolean
cl_sequence_write_label (ClSequenceRun *run, GBytes *pin, GError **error)
{
  const char *label = cl_sequence_row_label (run);
  g_autoptr (GBytes) info = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *back = NULL;
  ClSchsmPinStatus status = { 0 };
  gsize pin_len;
  const guint8 *pin_data;

  if (label == NULL)
    return TRUE;
  info = cl_schsm_token_info_encode (label, error);
  if (info == NULL)
    return g_prefix_error (error, "row %s (line %u): ", run->row->reference, run->row->line), FALSE;
  pin_data = g_bytes_get_data (pin, &pin_len);
  if (!cl_schsm_verify_pin (run->channel, CL_SCHSM_PIN_USER, pin_data, pin_len, &status, run->cancellable, error))
    return g_prefix_error (error, "token label: "), FALSE;
  if (status.state != CL_SCHSM_PIN_VERIFIED)
    return g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                        "token label: the card refuses the PIN it was initialised with (%u tries left)",
                        status.retries_left),
           FALSE;
  if (!cl_schsm_write_file (run->channel, CL_SCHSM_FID_TOKEN_INFO, info, run->cancellable, error))
    return g_prefix_error (error, "token label: "), FALSE;
  back = card_label (run, run->channel, &local);
  if (g_strcmp0 (back, label) != 0)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "token label: EF.TokenInfo reads back “%s”, not the row's",
                     back != NULL ? back : "(no label)");
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_sequence_resume_label (ClSequenceRun *run, gboolean *rewritten, GError **error)
{
  const char *label = cl_sequence_row_label (run);
  g_autoptr (GError) local = NULL;
  g_autofree char *found = NULL;

  *rewritten = FALSE;
  if (label == NULL)
    return TRUE;
  found = card_label (run, run->channel, &local);
  if (local != NULL)
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (g_strcmp0 (found, label) == 0)
    return TRUE;
  if (cl_profile_get_init (run->profile)->pin_source != CL_SECRET_FIXED)
    return g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                        "token label: the card was initialised on an earlier attempt but holds %s%s%s, not its row's "
                        "label; its PIN is sealed to the customer, so the station cannot write it",
                        found != NULL ? "“" : "", found != NULL ? found : "no label", found != NULL ? "”" : ""),
           FALSE;
  *rewritten = TRUE;
  return cl_sequence_write_label (run, cl_profile_get_fixed_pin (run->profile), error);
}

gboolean
cl_sequence_check_label (ClSequenceRun *run, ClCardChannel *channel, GError **error)
{
  const char *label = cl_sequence_row_label (run);
  g_autofree char *found = NULL;
  g_autoptr (GError) local = NULL;

  if (label == NULL)
    return TRUE;
  found = card_label (run, channel, &local);
  if (local != NULL)
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (g_strcmp0 (found, label) != 0)
    return g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "token label: the card holds %s%s%s, row %s says “%s”",
                        found != NULL ? "“" : "", found != NULL ? found : "none", found != NULL ? "”" : "",
                        run->row->reference, label),
           FALSE;
  return TRUE;
}
