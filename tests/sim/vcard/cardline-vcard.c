/* cardline-vcard: the virtual card of the rig.
 *
 *   cardline-vcard manufacture --out DIR --count N --kst-type aes|des3 --kst-version V --kst-enc HEX
 *                  --kst-mac HEX --kst-dek HEX [--scp 03|02] [--i 70] [--seed S]
 *       writes DIR/card-NNNN.vcard, one image per card (format: cl-vcard-image.h)
 *   cardline-vcard run --image FILE --port P [--host 127.0.0.1] [--timing] [--strict]
 *       inserts the card into the vpcd slot at host:port until vpcd closes, SIGTERM/SIGINT (removal)
 *       or a tear/mute defect; the image holds the card's state for the next insertion. --strict (or
 *       CARDLINE_VCARD_STRICT=1) refuses what GP Amendment D does not allow (cl-vcard-strict.c). */
#include <stdlib.h>
#include <string.h>

#include "cl-vcard-manufacture.h"
#include "cl-vcard-session.h"
#include "cl-vcard-timing.h"
#include "cl-vpcd-link.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"

typedef struct
{
  char *image_path;
  ClVcardImage *image;
  ClVcardSession *session;
  gboolean timing_on;
  ClVcardTiming timing;
  guint64 apdus;
  gboolean trace;
  gboolean strict;
} Runner;

static gboolean
parse_byte_option (const char *text, const char *what, guint8 *out, GError **error)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 16, 0, 0xFF, &v, NULL))
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--%s must be one hex byte", what), FALSE;
  *out = (guint8)v;
  return TRUE;
}

static GBytes *
parse_key_option (const char *text, const char *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  GBytes *b;

  if (text == NULL)
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--%s is required", what), NULL;
  b = cl_hex_decode (text, &local);
  if (b == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--%s: %s", what, local->message);
  return b;
}

static int
cmd_manufacture (int argc, char **argv)
{
  g_autofree char *out = NULL, *type = NULL, *version = NULL, *enc = NULL, *mac = NULL, *dek = NULL;
  g_autofree char *scp = NULL, *i_param = NULL;
  gint count = 1, max_command = CL_VCARD_MAX_COMMAND;
  gint64 seed = -1;
  gboolean with_schsm = FALSE;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "directory for the images", "DIR" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "number of cards", "N" },
    { "kst-type", 0, 0, G_OPTION_ARG_STRING, &type, "aes or des3", "TYPE" },
    { "kst-version", 0, 0, G_OPTION_ARG_STRING, &version, "KST key version (hex)", "V" },
    { "kst-enc", 0, 0, G_OPTION_ARG_STRING, &enc, "KST ENC key", "HEX" },
    { "kst-mac", 0, 0, G_OPTION_ARG_STRING, &mac, "KST MAC key", "HEX" },
    { "kst-dek", 0, 0, G_OPTION_ARG_STRING, &dek, "KST DEK key", "HEX" },
    { "scp", 0, 0, G_OPTION_ARG_STRING, &scp, "03 or 02 (default by key type)", "NN" },
    { "i", 0, 0, G_OPTION_ARG_STRING, &i_param, "i parameter (default 70 for SCP03, 55 for SCP02)", "HEX" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "reproducible serial numbers", "S" },
    { "max-command-length", 0, 0, G_OPTION_ARG_INT, &max_command,
      "longest command APDU the card takes (261..65544, default 65544); longer ones are answered 6700", "N" },
    { "with-schsm", 0, 0, G_OPTION_ARG_NONE, &with_schsm,
      "SmartCard-HSM package and instance already installed (tests that start at step 8)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- make virtual card images");
  g_autoptr (GError) error = NULL;
  ClVcardManufactureSpec spec = { 0 };
  guint32 serial_base;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (out == NULL || count < 1 || count > 100000)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--out DIR and --count 1..100000 are required");
      goto fail;
    }
  if (g_strcmp0 (type, "aes") == 0)
    spec.kst_type = CL_KEY_TYPE_AES;
  else if (g_strcmp0 (type, "des3") == 0)
    spec.kst_type = CL_KEY_TYPE_DES3;
  else
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--kst-type must be aes or des3");
      goto fail;
    }
  spec.scp = spec.kst_type == CL_KEY_TYPE_AES ? 0x03 : 0x02;
  spec.i = spec.kst_type == CL_KEY_TYPE_AES ? 0x70 : 0x55;
  if (!parse_byte_option (version, "kst-version", &spec.kst_version, &error)
      || (scp && !parse_byte_option (scp, "scp", &spec.scp, &error))
      || (i_param && !parse_byte_option (i_param, "i", &spec.i, &error))
      || !(spec.kst_enc = parse_key_option (enc, "kst-enc", &error))
      || !(spec.kst_mac = parse_key_option (mac, "kst-mac", &error))
      || !(spec.kst_dek = parse_key_option (dek, "kst-dek", &error)))
    goto fail;
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_FAILED, "Cannot create %s", out);
      goto fail;
    }
  {
    g_autoptr (GRand) rand = seed >= 0 ? g_rand_new_with_seed ((guint32)seed) : g_rand_new ();
    serial_base = g_rand_int (rand) & 0x7FFF0000u;
  }
  for (gint n = 0; n < count; n++)
    {
      g_autoptr (ClVcardImage) image = cl_vcard_manufacture (&spec, serial_base, (guint)n, &error);
      g_autofree char *name = g_strdup_printf ("card-%04d.vcard", n + 1);
      g_autofree char *path = g_build_filename (out, name, NULL);

      if (image == NULL)
        goto fail;
      if (max_command < 0 || !cl_vcard_image_set_max_command_length (image, (guint)max_command))
        {
          g_set_error (&error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--max-command-length must be 261..%u",
                       CL_VCARD_MAX_COMMAND);
          goto fail;
        }
      if (with_schsm)
        {
          static const guint8 aid[] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01 };
          static const guint8 privileges[3] = { 0 };
          g_autoptr (GBytes) package = g_bytes_new_static (aid, sizeof aid);

          g_ptr_array_add (cl_vcard_image_add_load_file (image, aid, sizeof aid)->modules, g_bytes_ref (package));
          cl_vcard_image_add_applet (image, aid, sizeof aid, package, package, 0x07, privileges);
        }
      if (!cl_vcard_image_save (image, path, &error))
        goto fail;
      g_print ("%s\n", path);
    }
  g_bytes_unref (spec.kst_enc), g_bytes_unref (spec.kst_mac), g_bytes_unref (spec.kst_dek);
  return 0;

fail:
  g_printerr ("cardline-vcard manufacture: %s\n", error->message);
  g_clear_pointer (&spec.kst_enc, g_bytes_unref);
  g_clear_pointer (&spec.kst_mac, g_bytes_unref);
  g_clear_pointer (&spec.kst_dek, g_bytes_unref);
  return 2;
}

/* ---- run ---- */

static GBytes *
runner_get_atr (gpointer user_data)
{
  Runner *r = user_data;

  return g_bytes_ref (cl_vcard_image_get_atr (r->image));
}

static void
runner_control (ClVpcdControl control, gpointer user_data)
{
  Runner *r = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) atr = NULL;

  if (control != CL_VPCD_POWER_ON && control != CL_VPCD_RESET)
    return;
  /* Power-on reads the image again: another process may have had the card in between. */
  if (control == CL_VPCD_POWER_ON)
    {
      ClVcardImage *fresh;

      /* the old session goes first: ending it may still persist state (C_DevAut locking) */
      g_clear_object (&r->session);
      fresh = cl_vcard_image_load (r->image_path, &error);
      if (fresh == NULL)
        g_warning ("Keeping the card state in memory: %s", error->message);
      else
        {
          g_object_unref (r->image);
          r->image = fresh;
        }
      r->session = cl_vcard_session_new (r->image);
      if (r->strict)
        cl_vcard_session_set_strict (r->session, TRUE);
    }
  atr = cl_vcard_session_reset (r->session);
}

static GBytes *
runner_transmit (GBytes *command, gpointer user_data, GError **error)
{
  Runner *r = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (command, &len);
  GBytes *response;

  r->apdus++;
  response = cl_vcard_session_transmit (r->session, data, len);
  if (r->trace)
    {
      g_autofree char *c = cl_hex_encode (data, len);
      g_autofree char *a = response ? cl_hex_encode_bytes (response) : g_strdup ("(silent)");
      g_printerr ("vcard > %s\nvcard < %s\n", c, a);
    }
  if (!cl_vcard_session_take_commit_error (r->session, error))
    {
      g_clear_pointer (&response, g_bytes_unref);
      return NULL;
    }
  if (response == NULL)
    {
      /* mute and tear defects: the card stops answering, which vpcd can only see as a removal */
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "card torn or mute after %" G_GUINT64_FORMAT " APDUs",
                   r->apdus);
      return NULL;
    }
  if (r->timing_on)
    g_usleep (cl_vcard_timing_cost_us (&r->timing, len, g_bytes_get_size (response),
                                       cl_vcard_session_get_last_write_size (r->session), data[0] == 0x84));
  return response;
}

static const ClVpcdCardOps runner_ops = {
  .get_atr = runner_get_atr,
  .control = runner_control,
  .transmit = runner_transmit,
};

static int
cmd_run (int argc, char **argv)
{
  g_autofree char *image_path = NULL;
  g_autofree char *host = NULL;
  gint port = 0, reconnect = 0;
  gboolean timing = FALSE, strict = FALSE;
  GOptionEntry entries[] = {
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "refuse deviations from GP Amendment D", NULL },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image_path, "card image file", "FILE" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "vpcd slot port", "P" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "vpcd host (default 127.0.0.1)", "H" },
    { "timing", 0, 0, G_OPTION_ARG_NONE, &timing, "answer as slowly as a real chip", NULL },
    { "reconnect", 0, 0, G_OPTION_ARG_INT, &reconnect,
      "stay in the reader when vpcd goes away (pcscd restarting): connect again for up to S seconds", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- insert a virtual card into a vpcd reader");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClVpcdLink) link = NULL;
  Runner r = { 0 };
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  /* The default only now: GOption overwrites a preset string without freeing it when --host is given. */
  if (host == NULL)
    host = g_strdup ("127.0.0.1");
  if (image_path == NULL || port <= 0 || port > 65535)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "--image FILE and --port 1..65535 are required");
      goto fail;
    }
  r.image_path = image_path;
  r.image = cl_vcard_image_load (image_path, &error);
  if (r.image == NULL)
    goto fail;
  r.session = cl_vcard_session_new (r.image);
  r.strict = strict || cl_vcard_session_get_strict (r.session);
  cl_vcard_session_set_strict (r.session, r.strict);
  r.timing_on = timing;
  /* APDU trace on stderr for debugging a client; never on by default since PINs would show */
  r.trace = g_getenv ("CARDLINE_VCARD_TRACE") != NULL;
  cl_vcard_timing_init_default (&r.timing);

  link = cl_vpcd_link_connect (host, (guint16)port, 5000, NULL, &error);
  if (link == NULL)
    goto fail;
  for (;;)
    {
      gboolean ended = cl_vpcd_link_run (link, &runner_ops, &r, 0, &error);

      /* a torn or mute card is an expected way for a session to end */
      if (!ended && g_error_matches (error, CL_ERROR, CL_ERROR_CARD_REMOVED))
        g_message ("%s", error->message);
      else if (reconnect > 0 && (cl_vpcd_link_peer_closed (link) || (!ended && error->domain == G_IO_ERROR)))
        {
          /* the card is still in the reader, the reader's service went: its state is in the image, so the next
           * power-on after vpcd is back finds it as it was, as a real chip's EEPROM */
          g_message ("vpcd went away: waiting up to %d s for it", reconnect);
          g_clear_error (&error);
          g_clear_pointer (&link, cl_vpcd_link_free);
          link = cl_vpcd_link_connect (host, (guint16)port, (guint)reconnect * 1000, NULL, &error);
          if (link == NULL)
            goto fail;
          continue;
        }
      else if (!ended)
        {
          g_printerr ("cardline-vcard run: %s\n", error->message);
          status = 1;
        }
      break;
    }
  g_clear_object (&r.session);
  g_clear_object (&r.image);
  return status;

fail:
  g_printerr ("cardline-vcard run: %s\n", error->message);
  g_clear_object (&r.session);
  g_clear_object (&r.image);
  return 2;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "manufacture") == 0)
    return cmd_manufacture (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "run") == 0)
    return cmd_run (argc - 1, argv + 1);
  g_printerr ("Usage: cardline-vcard manufacture|run [OPTIONS]  (--help after the command for its options)\n");
  return 2;
}
