/* cl-sequence-device.c: the steps of ClCardSequence that make the card's device key and certificate: INIT_APPLET,
 * CERTIFY and VERIFY (the steps before them are in cl-sequence-steps.c). */
#include "cl-sequence-run.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "gp/cl-gp-card.h"
#include "gp/cl-gp-manage.h"
#include "p11/cl-p11-key-set.h"
#include "schsm/cl-schsm-card.h"
#include "scp/cl-scp03.h"
#include "tlv/cl-tlv.h"
#include "cl-card-pins.h"
#include "cl-p11-cvc.h"

#define FID_DEVICE_REQUEST 0xCE00
#define SW_FILE_NOT_FOUND  0x6A82

/* ---- INIT_APPLET ---- */

static gboolean
select_applet (ClSequenceRun *run, ClCardChannel *channel, GError **error)
{
  guint8 major, minor;

  /* the applet has no GlobalPlatform session: plain APDUs from here */
  cl_card_channel_set_secure_channel (channel, NULL);
  return cl_schsm_select (channel, &major, &minor, run->cancellable, error);
}

static gboolean
read_request (ClSequenceRun *run, GError **error)
{
  g_autoptr (GBytes) data = cl_schsm_read_file (run->channel, FID_DEVICE_REQUEST, run->cancellable, error);

  if (data == NULL)
    return FALSE;
  g_clear_object (&run->request);
  run->request = cl_cvc_request_new_from_bytes (data, error);
  if (run->request == NULL)
    g_prefix_error (error, "device key request: ");
  return run->request != NULL;
}

/* The data of GENERATE ASYMMETRIC KEY PAIR for the device key: ECDSA on the card's default domain (P-256, no
 * domain parameters, so the command fits a short APDU on readers without extended length), and the holder reference
 * the certificate will carry. The template's point is that of a throw-away key (the body encoder wants a whole
 * template); the card ignores it. */
static ClCvcBody *
device_key_body (ClSequenceRun *run, GError **error)
{
  /* one throw-away key for every card: the card ignores its point, and a key pair per card cost the station more
   * than a signature verification (issue 14) */
  static EVP_PKEY *domain;
  static gsize made;
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();

  if (g_once_init_enter (&made))
    {
      domain = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "prime256v1");
      g_once_init_leave (&made, 1);
    }
  if (domain == NULL)
    return cl_sequence_fail (error, CL_ERROR_FAILED, "no P-256 key for the device key template"), NULL;
  if (!cl_cvc_body_set_public_key (body, domain, CL_CVC_ALGORITHM_ECDSA_SHA256, FALSE, error))
    return NULL;
  body->chr = cl_sequence_device_chr (run, error);
  if (body->chr == NULL)
    return NULL;
  return g_steal_pointer (&body);
}

/* The device key is the token's identity (DESIGN §2 step 8): generated once, here, before any initialisation,
 * which keeps it. A card that has one (an earlier attempt) gives its request again. */
static gboolean
device_key (ClSequenceRun *run, gboolean *made, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (ClCvcBody) body = NULL;

  *made = FALSE;
  /* the applet a blank card got in this attempt has no device key yet */
  if (!run->blank)
    {
      if (read_request (run, &local))
        return TRUE;
      if (cl_error_get_sw (local) != SW_FILE_NOT_FOUND)
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
    }
  body = device_key_body (run, error);
  if (body == NULL)
    return FALSE;
  g_clear_object (&run->request);
  run->request
    = cl_schsm_generate_key (run->channel, CL_SCHSM_DEVICE_KEY, CL_SCHSM_DEVICE_KEY, body, run->cancellable, error);
  if (run->request == NULL)
    return g_prefix_error (error, "device key: "), FALSE;
  *made = TRUE;
  return TRUE;
}

static gboolean
initialise_device (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  const ClProfileInit *config = cl_profile_get_init (run->profile);
  g_autoptr (ClCardPins) pins = NULL;
  ClSchsmInitParams params = { 0 };
  ClSchsmPinStatus status = { 0 };

  run->reason = CL_REJECT_INIT_FAILED;
  /* the applet a blank card got in this attempt is not initialised yet */
  status.state = CL_SCHSM_PIN_NOT_INITIALIZED;
  if (!run->blank && !cl_schsm_verify_pin (run->channel, 0x81, NULL, 0, &status, run->cancellable, error))
    return FALSE;
  /* initialised on an earlier attempt: its PINs were sealed to the customer before (write-ahead) */
  if (status.state != CL_SCHSM_PIN_NOT_INITIALIZED)
    {
      gboolean relabelled = FALSE;

      if (!cl_sequence_resume_label (run, &relabelled, error) || !cl_sequence_import_dkek (run, error))
        return FALSE;
      *skipped = !relabelled;
      cl_sequence_note (run, "device already initialised, its PINs exported%s",
                        cl_sequence_row_label (run) == NULL ? ""
                        : relabelled                        ? "; its token label written again"
                                                            : "; its token label already the row's");
      return TRUE;
    }
  pins = cl_card_pins_new (run->profile, cl_production_setup_get_token (run->setup), error);
  if (pins == NULL)
    return FALSE;
  params.options = config->options;
  params.user_pin = g_bytes_get_data (pins->pin, &params.user_pin_len);
  params.so_pin = g_bytes_get_data (pins->so_pin, &params.so_pin_len);
  params.retry_counter = config->retry_counter;
  params.dkek_shares = config->dkek_shares;
  /* write-ahead: the customer's copy of the PINs is durable before the card takes them */
  if (!cl_sequence_escrow_pins (run, pins->so_pin, pins->pin, error)
      || !cl_schsm_initialize (run->channel, &params, run->cancellable, error)
      || !cl_sequence_write_label (run, pins->pin, error))
    return FALSE;
  return cl_sequence_import_dkek (run, error);
}

gboolean
cl_sequence_step_init_applet (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  gboolean made, init_skipped = FALSE;

  run->reason = CL_REJECT_INIT_FAILED;
  if (!select_applet (run, run->channel, error))
    return FALSE;
  run->reason = CL_REJECT_KEYGEN_FAILED;
  if (!device_key (run, &made, error))
    return FALSE;
  if (cl_profile_get_init (run->profile)->ship == CL_SHIP_INITIALISED)
    {
      if (!initialise_device (run, &init_skipped, error))
        return FALSE;
    }
  else if (cl_sequence_row_label (run) != NULL)
    /* the import refuses such rows (data/cl-data-import.h): the station's matter, not the card's */
    return cl_sequence_fail (error, CL_ERROR_PROFILE,
                             "row %s has a token label, but the profile ships the card uninitialised (the customer's "
                             "initialisation writes the label)",
                             run->row->reference);
  else
    cl_sequence_note (run, "shipped uninitialised: the customer initialises the device");
  if (!made && (init_skipped || cl_profile_get_init (run->profile)->ship == CL_SHIP_UNINITIALISED))
    {
      g_autofree char *initialised = init_skipped ? g_steal_pointer (&run->note) : NULL;

      *skipped = TRUE;
      /* what initialise_device found (the label checked) stays in the step's record */
      cl_sequence_note (run, "device key made on an earlier attempt; its request read again%s%s",
                        initialised != NULL ? "; " : "", initialised != NULL ? initialised : "");
    }
  return cl_store_card_set_state (run->store, run->chip_id, CL_CARD_INITIALISED, -1, error);
}

/* ---- CERTIFY ---- */

static GBytes *
issue_certificate (ClSequenceRun *run, GError **error)
{
  ClCvc *dica = cl_production_setup_get_dica_cvc (run->setup);
  ClCvcCurve curve = cl_cvc_get_curve (dica);
  g_autoptr (ClCvcBody) body = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) until = g_date_time_add_days (now, (gint)cl_profile_get_certify (run->profile)->validity_days);
  g_autoptr (GBytes) cvc = NULL;
  g_autoptr (GError) local = NULL;
  gint64 intent;

  body = cl_cvc_request_certificate_body (run->request, cl_cvc_get_chr (dica), curve, error);
  if (body == NULL)
    return NULL;
  g_free (body->chr);
  body->chr = g_strdup (run->chr);
  cl_cvc_body_set_validity (body, now, until);

  intent = cl_store_journal_intent (run->store, run->attempt_id, run->chip_id, CL_JOURNAL_CERT_ISSUE, -1, -1,
                                    run->key_hash, error);
  if (intent <= 0)
    return NULL;
  cvc = cl_cvc_body_sign (body, cl_p11_cvc_sign, cl_production_setup_get_dica_key (run->setup), &local);
  /* the certificate and its intent's outcome commit together: none stored, the intent failed */
  if (cvc == NULL
      || cl_store_certificate_add_issued (run->store, intent, run->chip_id, run->key_hash, run->chr, cvc,
                                          run->attempt_id, &local)
           <= 0)
    {
      cl_sequence_journal_unfinished (run, intent, CL_JOURNAL_FAILED, &local);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&cvc);
}

gboolean
cl_sequence_step_certify (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  ClCvc *dica = cl_production_setup_get_dica_cvc (run->setup);
  ClCvc *inner = cl_cvc_request_get_inner (run->request);
  g_autoptr (GBytes) point = NULL, stored = NULL, current = NULL, back = NULL;
  GBytes *dica_bytes;
  g_autoptr (GByteArray) chain = g_byte_array_new ();
  g_autoptr (GError) local = NULL;
  guint8 digest[32];

  /* Proof of possession: the card holds the private key of what it asks to have certified. */
  run->reason = CL_REJECT_KEYGEN_FAILED;
  if (!cl_cvc_request_verify_inner (run->request, cl_cvc_get_curve (dica), error))
    return g_prefix_error (error, "device key request: "), FALSE;
  point = cl_cvc_get_public_point (inner);
  if (point == NULL)
    return cl_sequence_fail (error, CL_ERROR_MALFORMED, "device key request carries no public point");

  run->reason = CL_REJECT_CERT_FAILED;
  {
    GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
    gsize len = sizeof digest;

    g_checksum_update (sum, g_bytes_get_data (point, NULL), g_bytes_get_size (point));
    g_checksum_get_digest (sum, digest, &len);
    g_checksum_free (sum);
    run->key_hash = cl_hex_encode (digest, sizeof digest);
  }
  run->chr = cl_sequence_device_chr (run, error);
  if (run->chr == NULL)
    return FALSE;

  /* At most one certificate per chip and device key: one issued before (then the card was pulled) is reused. */
  stored = cl_store_certificate_lookup (run->store, run->chip_id, run->key_hash, NULL, &local);
  if (stored == NULL && !g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  g_clear_error (&local);
  if (!cl_sequence_resolve_intents (run, CL_JOURNAL_CERT_ISSUE, run->key_hash, stored != NULL,
                                    stored != NULL ? "resolved on re-insertion: the certificate is in the store"
                                                   : "resolved on re-insertion: no certificate was stored",
                                    error))
    return FALSE;
  if (stored != NULL)
    cl_sequence_note (run, "certificate issued on an earlier attempt reused");
  else
    {
      stored = issue_certificate (run, error);
      if (stored == NULL)
        return FALSE;
    }
  run->device_cvc = g_bytes_ref (stored);

  dica_bytes = cl_cvc_get_encoded (dica);
  g_byte_array_append (chain, g_bytes_get_data (stored, NULL), (guint)g_bytes_get_size (stored));
  g_byte_array_append (chain, g_bytes_get_data (dica_bytes, NULL), (guint)g_bytes_get_size (dica_bytes));

  /* the applet a blank card got in this attempt has no EF.C_DevAut yet */
  if (!run->blank)
    {
      current = cl_schsm_read_file (run->channel, CL_SCHSM_FID_DEVAUT, run->cancellable, &local);
      if (current == NULL && cl_error_get_sw (local) != SW_FILE_NOT_FOUND)
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      g_clear_error (&local);
    }
  if (current != NULL && g_bytes_get_size (current) == chain->len
      && memcmp (g_bytes_get_data (current, NULL), chain->data, chain->len) == 0)
    {
      *skipped = stored != NULL && run->note != NULL;
      cl_sequence_note (run, "EF.C_DevAut already holds this certificate chain");
      return cl_store_card_set_state (run->store, run->chip_id, CL_CARD_CERTIFIED, -1, error);
    }
  {
    g_autoptr (GBytes) bytes = g_bytes_new (chain->data, chain->len);

    if (!cl_schsm_write_file (run->channel, CL_SCHSM_FID_DEVAUT, bytes, run->cancellable, error))
      return FALSE;
  }
  back = cl_schsm_read_file (run->channel, CL_SCHSM_FID_DEVAUT, run->cancellable, error);
  if (back == NULL)
    return FALSE;
  if (g_bytes_get_size (back) != chain->len || memcmp (g_bytes_get_data (back, NULL), chain->data, chain->len) != 0)
    return cl_sequence_fail (error, CL_ERROR_SECURITY,
                             "EF.C_DevAut reads back %zu bytes that differ from the %u written",
                             g_bytes_get_size (back), chain->len);
  return cl_store_card_set_state (run->store, run->chip_id, CL_CARD_CERTIFIED, -1, error);
}

/* ---- VERIFY ---- */

gboolean
cl_sequence_step_verify (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  const ClProfileKeys *config = run->keys;
  ClCvc *dica = cl_production_setup_get_dica_cvc (run->setup);
  g_autoptr (ClCardChannel) fresh = cl_card_channel_new (CL_TRANSPORT (run->transport));
  g_autoptr (GPtrArray) apps = NULL;
  g_autoptr (GBytes) devaut = NULL, device_point = NULL, request_point = NULL;
  GBytes *dica_bytes;
  g_autoptr (ClCvc) device = NULL, chained_dica = NULL;
  g_autofree char *serial = NULL;
  ClGpRegistryEntry *app;
  const guint8 *data;
  gsize len, consumed = 0;

  run->reason = CL_REJECT_VERIFY_FAILED;
  /* Independent of everything above: a new channel, with the card keys for the KDD the card answers now. */
  if (!cl_sequence_select_isd (run, fresh, error))
    return FALSE;
  if (!cl_sequence_open_channel (run, fresh, NULL, config->card_key_version, error))
    return g_prefix_error (error, "card keys: "), FALSE;
  /* the registry names what is wrong with a card that was not blank; on a blank card the applet's SELECT below
   * proves it installed and selectable */
  if (!run->blank)
    {
      apps = cl_gp_get_status (fresh, CL_GP_STATUS_APPLICATIONS, run->cancellable, error);
      if (apps == NULL)
        return FALSE;
      app = cl_sequence_find_entry (apps, cl_profile_get_applet (run->profile)->instance_aid);
      if (app == NULL || (app->life_cycle & 0x07) != 0x07)
        return cl_sequence_fail (error, CL_ERROR_FAILED, "applet %s",
                                 app == NULL ? "is not installed" : "is not selectable");
    }

  if (!select_applet (run, fresh, error))
    return FALSE;
  devaut = cl_schsm_read_file (fresh, CL_SCHSM_FID_DEVAUT, run->cancellable, error);
  if (devaut == NULL)
    return FALSE;
  data = g_bytes_get_data (devaut, &len);
  device = cl_cvc_new_from_data (data, len, &consumed, error);
  if (device == NULL)
    return g_prefix_error (error, "EF.C_DevAut device certificate: "), FALSE;
  chained_dica = cl_cvc_new_from_data (data + consumed, len - consumed, NULL, error);
  if (chained_dica == NULL)
    return g_prefix_error (error, "EF.C_DevAut DICA certificate: "), FALSE;
  dica_bytes = cl_cvc_get_encoded (dica);
  if (!g_bytes_equal (dica_bytes, cl_cvc_get_encoded (chained_dica)) || consumed + g_bytes_get_size (dica_bytes) != len)
    return cl_sequence_fail (error, CL_ERROR_SECURITY, "EF.C_DevAut does not end with this line's DICA certificate");
  /* The chain's DICA is, byte for byte, the line's, whose signature by the SRCA cl_production_setup_new() verified:
   * checking it again per card would verify the same bytes under the same key. The device certificate is checked
   * under that DICA's key. */
  if (!cl_cvc_verify_issued_by (device, dica, cl_cvc_get_curve (dica), error))
    return g_prefix_error (error, "certificate chain: "), FALSE;
  if (g_strcmp0 (cl_cvc_get_chr (device), run->chr) != 0)
    return cl_sequence_fail (error, CL_ERROR_FAILED, "device certificate holder %s, expected %s",
                             cl_cvc_get_chr (device), run->chr);
  device_point = cl_cvc_get_public_point (device);
  request_point = cl_cvc_get_public_point (cl_cvc_request_get_inner (run->request));
  if (device_point == NULL || request_point == NULL || !g_bytes_equal (device_point, request_point))
    return cl_sequence_fail (error, CL_ERROR_SECURITY,
                             "device certificate is not for the device key this card generated");
  serial = cl_cvc_get_opensc_serial (device);
  if (serial == NULL || strlen (run->chr) != strlen (serial) + 5 || strncmp (serial, run->chr, strlen (serial)) != 0)
    return cl_sequence_fail (error, CL_ERROR_FAILED, "serial %s does not derive from holder %s",
                             serial ? serial : "(none)", run->chr);
  (void)skipped;
  return cl_sequence_check_label (run, fresh, error) && cl_sequence_check_pins_exported (run, error);
}
