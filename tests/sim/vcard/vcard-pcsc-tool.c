/* vcard-pcsc-tool: Cardline's own PC/SC client for the vcard integration tests, the counterpart of OpenSC's tools.
 *
 *   vcard-pcsc-tool import-dkek READER FILE
 *       reads the share file's password from the first line of stdin (never from the command line), decrypts
 *       FILE with lib/schsm's cl-dkek-share, prints "share-kcv HEX" (first 8 bytes of SHA-256(share): the KCV
 *       the card must report when this is its only share), imports the share into the SmartCard-HSM in READER
 *       through ClPcscTransport + ClCardChannel + cl_schsm_import_dkek_share and prints
 *       "card total=T outstanding=O kcv=HEX" (kcv=- when the card reports none).
 *   vcard-pcsc-tool dkek-status READER
 *       prints the SmartCard-HSM's DKEK status as above ("card total=T outstanding=O kcv=HEX|-").
 *   vcard-pcsc-tool atr READER
 *       prints the ATR of the card in READER without sending an APDU (exit status 1: no card).
 *   vcard-pcsc-tool send READER APDU-HEX...
 *       sends each APDU as it is (one transmit each, no GET RESPONSE) and prints each answer, data and SW, in hex
 *       on a line of its own as soon as it arrives. Exit status 3 when a transmit fails (the card went away: a
 *       tear) after the answers printed so far, 1 when the card cannot be reached at all. */
#include <stdio.h>
#include <string.h>

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "pcsc/cl-pcsc-transport.h"
#include "schsm/cl-dkek-share.h"
#include "schsm/cl-schsm-card.h"

static int
fail (const char *command, GError *error)
{
  g_printerr ("vcard-pcsc-tool %s: %s\n", command, error->message);
  return 1;
}

static int
cmd_import_dkek (const char *reader, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPcscTransport) transport = NULL;
  g_autoptr (ClCardChannel) channel = NULL;
  g_autofree char *contents = NULL, *share_kcv = NULL, *card_kcv = NULL;
  char password[256];
  guint8 share[CL_DKEK_SHARE_LEN], hash[32];
  ClSchsmDkekStatus before = { 0 }, after = { 0 };
  guint8 major, minor;
  gsize len;
  gboolean ok;

  if (!g_file_get_contents (path, &contents, &len, &error))
    return fail ("import-dkek", error);
  if (fgets (password, sizeof password, stdin) == NULL)
    {
      g_printerr ("vcard-pcsc-tool import-dkek: the share's password is expected on stdin\n");
      return 2;
    }
  password[strcspn (password, "\r\n")] = '\0';
  ok = cl_dkek_share_decrypt ((const guint8 *)contents, len, password, strlen (password), share, &error);
  cl_wipe (password, sizeof password);
  if (!ok)
    return fail ("import-dkek", error);
  cl_sha256 (share, sizeof share, hash);
  share_kcv = cl_hex_encode (hash, 8);
  printf ("share-kcv %s\n", share_kcv);
  fflush (stdout);

  transport = cl_pcsc_transport_connect (reader, NULL, &error);
  if (transport == NULL)
    goto out;
  channel = cl_card_channel_new (CL_TRANSPORT (transport));
  /* the status query first: importing into a card that expects no share is an error of the test's set-up */
  ok = cl_schsm_select (channel, &major, &minor, NULL, &error)
       && cl_schsm_import_dkek_share (channel, NULL, &before, NULL, &error);
  if (ok && before.outstanding == 0)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_FAILED, "the card expects no further DKEK share (%u of %u imported)",
                   before.total, before.total);
      ok = FALSE;
    }
  ok = ok && cl_schsm_import_dkek_share (channel, share, &after, NULL, &error);
  if (ok)
    {
      card_kcv = after.has_kcv ? cl_hex_encode (after.kcv, 8) : g_strdup ("-");
      printf ("card total=%u outstanding=%u kcv=%s\n", after.total, after.outstanding, card_kcv);
    }
  cl_pcsc_transport_disconnect (transport, FALSE);
out:
  cl_wipe (share, sizeof share);
  return error ? fail ("import-dkek", error) : 0;
}

static int
cmd_dkek_status (const char *reader)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPcscTransport) transport = cl_pcsc_transport_connect (reader, NULL, &error);
  g_autoptr (ClCardChannel) channel = NULL;
  g_autofree char *kcv = NULL;
  ClSchsmDkekStatus status = { 0 };
  guint8 major, minor;

  if (transport == NULL)
    return fail ("dkek-status", error);
  channel = cl_card_channel_new (CL_TRANSPORT (transport));
  if (!cl_schsm_select (channel, &major, &minor, NULL, &error)
      || !cl_schsm_import_dkek_share (channel, NULL, &status, NULL, &error))
    return fail ("dkek-status", error);
  kcv = status.has_kcv ? cl_hex_encode (status.kcv, 8) : g_strdup ("-");
  printf ("card total=%u outstanding=%u kcv=%s\n", status.total, status.outstanding, kcv);
  cl_pcsc_transport_disconnect (transport, FALSE);
  return 0;
}

static int
cmd_atr (const char *reader)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPcscTransport) transport = cl_pcsc_transport_connect (reader, NULL, &error);
  g_autoptr (GBytes) atr = NULL;
  g_autofree char *hex = NULL;

  if (transport == NULL)
    return fail ("atr", error);
  atr = cl_transport_get_atr (CL_TRANSPORT (transport));
  hex = atr ? cl_hex_encode_bytes (atr) : g_strdup ("");
  printf ("%s\n", hex);
  cl_pcsc_transport_disconnect (transport, FALSE);
  return 0;
}

static int
cmd_send (const char *reader, char **apdus, int n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPcscTransport) transport = cl_pcsc_transport_connect (reader, NULL, &error);

  if (transport == NULL)
    return fail ("send", error);
  for (int i = 0; i < n; i++)
    {
      g_autoptr (GBytes) command = cl_hex_decode (apdus[i], &error);
      g_autoptr (GBytes) answer = NULL;
      g_autofree char *hex = NULL;

      if (command == NULL)
        {
          g_printerr ("vcard-pcsc-tool send: APDU %d: %s\n", i + 1, error->message);
          return 2;
        }
      answer = cl_transport_transmit (CL_TRANSPORT (transport), command, NULL, &error);
      if (answer == NULL)
        {
          g_printerr ("vcard-pcsc-tool send: no answer to APDU %d of %d: %s\n", i + 1, n, error->message);
          /* PC/SC reports a card that stops answering as removed, reset or unresponsive: all are a tear here */
          return 3;
        }
      hex = cl_hex_encode_bytes (answer);
      printf ("%s\n", hex);
      fflush (stdout);
    }
  cl_pcsc_transport_disconnect (transport, FALSE);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "import-dkek") == 0)
    return cmd_import_dkek (argv[2], argv[3]);
  if (argc == 3 && strcmp (argv[1], "atr") == 0)
    return cmd_atr (argv[2]);
  if (argc == 3 && strcmp (argv[1], "dkek-status") == 0)
    return cmd_dkek_status (argv[2]);
  if (argc >= 4 && strcmp (argv[1], "send") == 0)
    return cmd_send (argv[2], argv + 3, argc - 3);
  g_printerr ("Usage: vcard-pcsc-tool import-dkek READER FILE  (password on stdin)\n"
              "       vcard-pcsc-tool dkek-status READER\n"
              "       vcard-pcsc-tool atr READER\n"
              "       vcard-pcsc-tool send READER APDU-HEX...\n");
  return 2;
}
