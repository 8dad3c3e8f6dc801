/* line-card-check: an independent look at a card the line produced, over PC/SC.
 *
 *   line-card-check READER DEMO-KEYS.INI SRCA.CVC
 *
 * Reads EF.C_DevAut (device CVC || DICA CVC) and verifies device -> DICA -> SRCA with lib/cvc; opens SCP03 with
 * card keys diversified on the host (ClPlainKeySet, KDF3 as the reference profile, version 01) from the DEMO KMC with
 * the card's KDD, which must work, and with the KST (version 30), which must fail. Prints "serial=<OpenSC serial>
 * chr=<CHR>". */
#include <stdio.h>

#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "cvc/cl-cvc.h"
#include "gp/cl-gp-card.h"
#include "pcsc/cl-pcsc-transport.h"
#include "schsm/cl-schsm-card.h"
#include "scp/cl-scp03.h"

static const guint8 isd_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };

static ClKeySet *
key_set (GKeyFile *keys, const char *group, guint8 version, GError **error)
{
  g_autoptr (GBytes) enc = NULL, mac = NULL, dek = NULL;
  g_autofree char *e = g_key_file_get_string (keys, group, "enc", error);
  g_autofree char *m = e ? g_key_file_get_string (keys, group, "mac", error) : NULL;
  g_autofree char *d = m ? g_key_file_get_string (keys, group, "dek", error) : NULL;

  if (d == NULL || !(enc = cl_hex_decode (e, error)) || !(mac = cl_hex_decode (m, error))
      || !(dek = cl_hex_decode (d, error)))
    return NULL;
  return cl_plain_key_set_new (CL_KEY_TYPE_AES, version, g_bytes_get_data (enc, NULL), g_bytes_get_data (mac, NULL),
                               g_bytes_get_data (dek, NULL), 16, error);
}

static gboolean
opens (ClCardChannel *channel, ClKeySet *keys, guint8 kvn, GError **error)
{
  ClGpFci fci = { 0 };
  g_autoptr (ClScp03) scp = NULL;

  cl_card_channel_set_secure_channel (channel, NULL);
  if (!cl_gp_select (channel, isd_aid, sizeof isd_aid, &fci, NULL, error))
    return FALSE;
  scp = cl_scp03_open (channel, keys, kvn, 0x03, NULL, NULL, error);
  return scp != NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (ClPcscTransport) transport = NULL;
  g_autoptr (ClCardChannel) channel = NULL;
  g_autoptr (ClKeySet) kst = NULL, kmc = NULL, card = NULL;
  g_autoptr (GBytes) devaut = NULL;
  g_autoptr (ClCvc) srca = NULL, device = NULL, dica = NULL;
  g_autofree char *srca_data = NULL, *serial = NULL;
  guint8 kdd[CL_GP_KDD_LEN], major, minor;
  ClGpFci fci = { 0 };
  gsize len, consumed = 0;
  const guint8 *data;

  if (argc != 4)
    {
      g_printerr ("usage: line-card-check READER DEMO-KEYS.INI SRCA.CVC\n");
      return 2;
    }
  if (!g_key_file_load_from_file (keys, argv[2], G_KEY_FILE_NONE, &error)
      || !(kst = key_set (keys, "KST", 0x30, &error)) || !(kmc = key_set (keys, "KMC", 0x01, &error))
      || !g_file_get_contents (argv[3], &srca_data, &len, &error)
      || !(srca = cl_cvc_new_from_data ((const guint8 *)srca_data, len, NULL, &error)))
    goto fail;
  if (!(transport = cl_pcsc_transport_connect (argv[1], NULL, &error)))
    goto fail;
  channel = cl_card_channel_new (CL_TRANSPORT (transport));

  /* the certificate chain, as the card holds it */
  if (!cl_schsm_select (channel, &major, &minor, NULL, &error)
      || !(devaut = cl_schsm_read_file (channel, CL_SCHSM_FID_DEVAUT, NULL, &error)))
    goto fail;
  data = g_bytes_get_data (devaut, &len);
  if (!(device = cl_cvc_new_from_data (data, len, &consumed, &error))
      || !(dica = cl_cvc_new_from_data (data + consumed, len - consumed, NULL, &error))
      || !cl_cvc_verify_issued_by (dica, srca, CL_CVC_CURVE_NONE, &error)
      || !cl_cvc_verify_issued_by (device, dica, cl_cvc_get_curve (dica), &error))
    goto fail;
  serial = cl_cvc_get_opensc_serial (device);

  /* card keys from the KMC authenticate; the KST no longer does */
  if (!cl_gp_select (channel, isd_aid, sizeof isd_aid, &fci, NULL, &error)
      || !cl_gp_get_kdd (channel, kdd, NULL, &error)
      || !(card = cl_key_set_diversify (kmc, CL_DIVERSIFY_KDF3, kdd, 0x01, &error))
      || !opens (channel, card, 0x01, &error))
    {
      g_prefix_error (&error, "card keys from the KMC: ");
      goto fail;
    }
  if (opens (channel, kst, 0x30, NULL))
    {
      g_printerr ("line-card-check: the card still authenticates with the KST\n");
      return 1;
    }
  printf ("serial=%s chr=%s\n", serial, cl_cvc_get_chr (device));
  return 0;

fail:
  g_printerr ("line-card-check: %s\n", error->message);
  return 1;
}
