/* cl-card-diagnosis.c: the read-only diagnosis of a card (cl-card-diagnosis.h). It follows the order of the
 * production steps and stops looking further once a step does not hold, since everything after it needs it. */
#include "cl-card-diagnosis.h"

#include <string.h>

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "gp/cl-gp-card.h"
#include "gp/cl-gp-data.h"
#include "gp/cl-gp-status.h"
#include "schsm/cl-schsm-card.h"
#include "schsm/cl-schsm-response.h"
#include "scp/cl-scp02.h"
#include "scp/cl-scp03.h"
#include "tlv/cl-tlv.h"
#include "cvc/cl-cvc-request.h"

#define FID_DEVICE_REQUEST 0xCE00

typedef struct
{
  ClProductionSetup *setup;
  ClProfile *profile;
  ClCardChannel *channel;
  GCancellable *cancellable;
  ClCardDiagnosis *out;
} Diag;

void
cl_card_diagnosis_free (ClCardDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;
  g_free (diagnosis->chip_id);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    g_free (diagnosis->detail[i]);
  g_free (diagnosis->summary);
  g_free (diagnosis);
}

static void mark (Diag *d, ClProductionStep step, gboolean holds, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
mark (Diag *d, ClProductionStep step, gboolean holds, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_free (d->out->detail[step]);
  d->out->detail[step] = g_strdup_vprintf (format, args);
  va_end (args);
  d->out->checked[step] = TRUE;
  d->out->holds[step] = holds;
}

/* A card that went away, a lost reader (or a cancelled diagnosis) ends the diagnosis; anything else is a finding. */
static gboolean
is_fatal (const GError *error)
{
  return cl_transport_error_is_transport (error) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static gboolean
select_isd (Diag *d, GError **error)
{
  GBytes *isd = cl_profile_get_card (d->profile)->isd_aid;
  ClGpFci fci = { 0 };

  cl_card_channel_set_secure_channel (d->channel, NULL);
  return cl_gp_select (d->channel, g_bytes_get_data (isd, NULL), g_bytes_get_size (isd), &fci, d->cancellable, error);
}

/* INITIALIZE UPDATE + EXTERNAL AUTHENTICATE: reads nothing and writes nothing the card keeps, but proves the key. */
static gboolean
open_channel (Diag *d, ClKeySet *keys, guint8 kvn, GError **error)
{
  const ClProfileScp *scp = cl_profile_get_scp (d->profile);

  if (scp->scp == 0x03)
    {
      g_autoptr (ClScp03) s = cl_scp03_open (d->channel, keys, kvn, scp->level, NULL, d->cancellable, error);
      return s != NULL;
    }
  else
    {
      g_autoptr (ClScp02) s = cl_scp02_open (d->channel, keys, kvn, scp->level, NULL, d->cancellable, error);
      return s != NULL;
    }
}

static gboolean
key_version_present (GArray *info, guint8 version)
{
  for (guint i = 0; info != NULL && i < info->len; i++)
    if (g_array_index (info, ClGpKeyInfo, i).version == version)
      return TRUE;
  return FALSE;
}

static ClGpRegistryEntry *
find_entry (GPtrArray *entries, GBytes *aid)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      ClGpRegistryEntry *entry = entries->pdata[i];

      if (entry->aid != NULL && g_bytes_equal (entry->aid, aid))
        return entry;
    }
  return NULL;
}

/* IDENTIFY, then OPEN_KST/ROTATE_KEYS/CONFIGURE/LOAD_APPLET from the card manager. FALSE with error: fatal. */
static gboolean
diagnose_card_manager (Diag *d, gboolean *go_on, GError **error)
{
  const ClProfileKeys *keys = cl_profile_get_keys (d->profile);
  const ClProfileConfigure *config = cl_profile_get_configure (d->profile);
  g_autoptr (GBytes) atr = cl_transport_get_atr (cl_card_channel_get_transport (d->channel));
  g_autoptr (GArray) info = NULL;
  g_autoptr (GPtrArray) isd_status = NULL, apps = NULL;
  g_autoptr (ClKeySet) card_keys = NULL;
  g_autoptr (GError) local = NULL;
  ClGpRegistryEntry *app;
  GBytes *instance = cl_profile_get_applet (d->profile)->instance_aid;
  guint8 kdd[CL_GP_KDD_LEN];
  ClCplc cplc = { 0 };

  *go_on = FALSE;
  if (atr == NULL || g_bytes_get_size (atr) == 0)
    return g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "The card in the reader gave no answer to reset"),
           FALSE;
  if (!cl_profile_atr_matches (d->profile, g_bytes_get_data (atr, NULL), g_bytes_get_size (atr)))
    {
      g_autofree char *hex = cl_hex_encode_bytes (atr);
      mark (d, CL_STEP_IDENTIFY, FALSE, "ATR %s does not match profile %s", hex, cl_profile_get_name (d->profile));
      return TRUE;
    }
  if (!select_isd (d, &local) || !cl_gp_get_cplc (d->channel, &cplc, d->cancellable, &local))
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_IDENTIFY, FALSE, "no chip identity: %s", local->message);
      return TRUE;
    }
  d->out->chip_id = cl_cplc_chip_id (&cplc);
  mark (d, CL_STEP_IDENTIFY, TRUE, "chip %s", d->out->chip_id);

  /* Key information needs no session: it says which key set the card holds now. */
  info = cl_gp_get_key_info (d->channel, d->cancellable, &local);
  if (info == NULL && is_fatal (local))
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  g_clear_error (&local);
  if (key_version_present (info, keys->card_key_version))
    {
      if (!cl_gp_get_kdd (d->channel, kdd, d->cancellable, &local)
          || !(card_keys = cl_key_set_diversify (cl_production_setup_get_kmc (d->setup), keys->diversification, kdd,
                                                 keys->card_key_version, &local))
          || !select_isd (d, &local) || !open_channel (d, card_keys, keys->card_key_version, &local))
        {
          if (is_fatal (local))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          mark (d, CL_STEP_OPEN_KST, TRUE, "the KST is gone");
          mark (d, CL_STEP_ROTATE_KEYS, FALSE, "card keys %02X present but do not authenticate: %s",
                keys->card_key_version, local->message);
          return TRUE;
        }
      mark (d, CL_STEP_OPEN_KST, TRUE, "the KST is gone: opened with the card keys");
      mark (d, CL_STEP_ROTATE_KEYS, TRUE, "card keys %02X authenticate", keys->card_key_version);
    }
  else
    {
      if (!select_isd (d, &local)
          || !open_channel (d, cl_production_setup_get_kst (d->setup), keys->kst_version, &local))
        {
          if (is_fatal (local))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          mark (d, CL_STEP_OPEN_KST, FALSE, "neither card keys nor the KST open a channel: %s", local->message);
          return TRUE;
        }
      mark (d, CL_STEP_OPEN_KST, TRUE, "the KST %02X authenticates", keys->kst_version);
      mark (d, CL_STEP_ROTATE_KEYS, FALSE, "still on the KST: keys not rotated");
    }

  if (config->store_data->len == 0 && config->life_cycle < 0)
    mark (d, CL_STEP_CONFIGURE, TRUE, "nothing to configure");
  else if (!(isd_status = cl_gp_get_status (d->channel, CL_GP_STATUS_ISD, d->cancellable, &local)))
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_CONFIGURE, FALSE, "card life cycle unreadable: %s", local->message);
      g_clear_error (&local);
    }
  else if (isd_status->len > 0 && config->life_cycle >= 0)
    {
      guint8 state = ((ClGpRegistryEntry *)isd_status->pdata[0])->life_cycle;

      mark (d, CL_STEP_CONFIGURE, state == config->life_cycle, "card life cycle %02X (profile %02X)", state,
            (guint)config->life_cycle);
    }
  else
    mark (d, CL_STEP_CONFIGURE, TRUE, "card data present");

  if (!d->out->holds[CL_STEP_ROTATE_KEYS])
    return TRUE;
  apps = cl_gp_get_status (d->channel, CL_GP_STATUS_APPLICATIONS, d->cancellable, &local);
  if (apps == NULL)
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_LOAD_APPLET, FALSE, "registry unreadable: %s", local->message);
      return TRUE;
    }
  app = find_entry (apps, instance);
  if (app == NULL || (app->life_cycle & 0x07) != 0x07)
    {
      mark (d, CL_STEP_LOAD_APPLET, FALSE, "applet %s", app == NULL ? "not installed" : "installed, not selectable");
      return TRUE;
    }
  mark (d, CL_STEP_LOAD_APPLET, TRUE, "applet installed and selectable");
  *go_on = TRUE;
  return TRUE;
}

/* INIT_APPLET and CERTIFY on the SmartCard-HSM applet, plain APDUs. */
static gboolean
diagnose_applet (Diag *d, GError **error)
{
  ClCvc *dica = cl_production_setup_get_dica_cvc (d->setup);
  ClCvc *srca = cl_production_setup_get_srca_cvc (d->setup);
  g_autoptr (GBytes) request_bytes = NULL, devaut = NULL, device_point = NULL, request_point = NULL;
  g_autoptr (ClCvcRequest) request = NULL;
  g_autoptr (ClCvc) device = NULL, chained = NULL;
  g_autoptr (GError) local = NULL;
  ClSchsmPinStatus status = { 0 };
  guint8 major, minor;
  const guint8 *data;
  gsize len, consumed = 0;

  cl_card_channel_set_secure_channel (d->channel, NULL);
  if (!cl_schsm_select (d->channel, &major, &minor, d->cancellable, &local)
      || !cl_schsm_verify_pin (d->channel, 0x81, NULL, 0, &status, d->cancellable, &local))
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_INIT_APPLET, FALSE, "applet does not answer: %s", local->message);
      return TRUE;
    }
  /* an uninitialised device is what a profile with ship=uninitialised produces */
  if (status.state == CL_SCHSM_PIN_NOT_INITIALIZED
      && cl_profile_get_init (cl_production_setup_get_profile (d->setup))->ship == CL_SHIP_INITIALISED)
    {
      mark (d, CL_STEP_INIT_APPLET, FALSE, "device not initialised");
      return TRUE;
    }
  request_bytes = cl_schsm_read_file (d->channel, FID_DEVICE_REQUEST, d->cancellable, &local);
  if (request_bytes != NULL)
    request = cl_cvc_request_new_from_bytes (request_bytes, &local);
  if (request == NULL)
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_INIT_APPLET, FALSE, "no device key request: %s", local->message);
      return TRUE;
    }
  mark (d, CL_STEP_INIT_APPLET, TRUE, "device %s (applet %u.%u), device key present",
        status.state == CL_SCHSM_PIN_NOT_INITIALIZED ? "uninitialised" : "initialised", major, minor);

  devaut = cl_schsm_read_file (d->channel, CL_SCHSM_FID_DEVAUT, d->cancellable, &local);
  if (devaut == NULL)
    {
      if (is_fatal (local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      mark (d, CL_STEP_CERTIFY, FALSE, "no certificate in EF.C_DevAut (2F02)");
      return TRUE;
    }
  data = g_bytes_get_data (devaut, &len);
  if (!(device = cl_cvc_new_from_data (data, len, &consumed, &local))
      || !(chained = cl_cvc_new_from_data (data + consumed, len - consumed, NULL, &local)))
    {
      mark (d, CL_STEP_CERTIFY, FALSE, "EF.C_DevAut does not hold device CVC || DICA CVC: %s", local->message);
      return TRUE;
    }
  if (!g_bytes_equal (cl_cvc_get_encoded (chained), cl_cvc_get_encoded (dica)))
    {
      mark (d, CL_STEP_CERTIFY, FALSE, "EF.C_DevAut chains to %s, not this line's DICA", cl_cvc_get_chr (chained));
      return TRUE;
    }
  if (!cl_cvc_verify_issued_by (device, chained, cl_cvc_get_curve (dica), &local)
      || !cl_cvc_verify_issued_by (chained, srca, CL_CVC_CURVE_NONE, &local))
    {
      mark (d, CL_STEP_CERTIFY, FALSE, "certificate chain does not verify: %s", local->message);
      return TRUE;
    }
  device_point = cl_cvc_get_public_point (device);
  request_point = cl_cvc_get_public_point (cl_cvc_request_get_inner (request));
  if (device_point == NULL || request_point == NULL || !g_bytes_equal (device_point, request_point))
    {
      mark (d, CL_STEP_CERTIFY, FALSE, "the certificate %s is not for this card's device key", cl_cvc_get_chr (device));
      return TRUE;
    }
  mark (d, CL_STEP_CERTIFY, TRUE, "certificate %s in 2F02, chain verifies to %s", cl_cvc_get_chr (device),
        cl_cvc_get_chr (srca));
  return TRUE;
}

ClCardDiagnosis *
cl_card_sequence_diagnose (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClCardDiagnosis) out = g_new0 (ClCardDiagnosis, 1);
  g_autoptr (ClCardChannel) channel = NULL;
  g_autoptr (GString) summary = g_string_new (NULL);
  Diag d = { 0 };
  gboolean go_on = FALSE;
  guint held = 0, checked = 0;

  g_return_val_if_fail (CL_IS_CARD_SEQUENCE (self), NULL);
  g_return_val_if_fail (CL_IS_TRANSPORT (transport), NULL);

  channel = cl_card_channel_new (transport);
  d.setup = cl_card_sequence_get_setup (self);
  d.profile = cl_production_setup_get_profile (d.setup);
  d.channel = channel;
  d.cancellable = cancellable;
  d.out = out;

  if (!diagnose_card_manager (&d, &go_on, error))
    return NULL;
  if (go_on && !diagnose_applet (&d, error))
    return NULL;
  /* VERIFY holds when everything it checks holds; the diagnosis itself is that independent check. */
  if (out->checked[CL_STEP_CERTIFY])
    mark (&d, CL_STEP_VERIFY, out->holds[CL_STEP_CERTIFY] && out->holds[CL_STEP_ROTATE_KEYS],
          out->holds[CL_STEP_CERTIFY] ? "keys, applet and certificate chain as they should be" : "not verifiable");

  out->first_missing = CL_STEP_DISPOSE;
  for (guint i = CL_STEP_IDENTIFY; i <= CL_STEP_VERIFY; i++)
    {
      checked += out->checked[i];
      held += out->holds[i];
      if (!out->holds[i] && out->first_missing == CL_STEP_DISPOSE)
        out->first_missing = i;
    }
  if (out->chip_id != NULL)
    g_string_append_printf (summary, "Chip %s: ", out->chip_id);
  if (out->first_missing == CL_STEP_DISPOSE)
    g_string_append (summary, "every step holds; the card is complete.");
  else
    g_string_append_printf (summary, "%u of %u steps checked hold; %s is where production would continue.", held,
                            checked, cl_production_step_to_string (out->first_missing));
  out->summary = g_string_free (g_steal_pointer (&summary), FALSE);
  return g_steal_pointer (&out);
}
