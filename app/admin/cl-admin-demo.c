/* cardline-admin demo-setup: the rig's demo key material in the configured token (CARDLINE_P11_MODULE,
 * CARDLINE_P11_TOKEN, CARDLINE_P11_PIN_FILE): KST and KMC from the DEMO key file, SRCA and DICA key pairs
 * generated in the token, their CVCs written to the station's PKI directory (cl_production_pki_dir). Running it again
 * keeps what exists. */
#include <stdio.h>

#include "cardline-config.h"
#include "cl-admin-commands.h"
#include "core/cl-data-dirs.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"

static void
report (const char *line, gpointer user_data)
{
  printf ("demo-setup: %s\n", line);
  fflush (stdout);
}

static int
run (int argc, char **argv)
{
  g_autofree char *keys = NULL, *pki_dir = NULL;
  const GOptionEntry entries[] = {
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &keys, "DEMO key file (default: demo/demo-keys.ini in the data directory)",
      "FILE" },
    { "pki-dir", 0, 0, G_OPTION_ARG_FILENAME, &pki_dir,
      "where srca.cvc and dica.cvc go (default: $CARDLINE_PKI_DIR, else $XDG_DATA_HOME/cardline/pki)", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— load the DEMO keys and PKI into the token");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (keys == NULL && (keys = cl_data_find ("demo/demo-keys.ini")) == NULL)
    {
      g_set_error (
        &error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "no demo/demo-keys.ini in the data directories (the DEMO keys ship in the cardline-demo package); give --keys");
      goto fail;
    }
  /* the station's PKI directory by default: where profiles look for the certificates */
  if (pki_dir == NULL)
    pki_dir = cl_production_pki_dir ();
  token = cl_production_token_open_from_env (&error);
  if (token == NULL || !cl_demo_pki_setup (token, keys, pki_dir, report, NULL, &error))
    goto fail;
  printf ("demo-setup: done (DEMO KEYS - NOT FOR PRODUCTION)\n");
  return 0;

fail:
  g_printerr ("cardline-admin demo-setup: %s\n", error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_demo = {
  .name = "demo-setup",
  .summary = "Load the DEMO keys (KST, KMC; 3DES KST2, KMC2 for SCP02) and demo PKI (SRCA, DICA) into the token",
  .run = run,
};
