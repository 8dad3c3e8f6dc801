/* cardline-admin card reprint --chip CHIP --template FILE --face-printer URI [--label TEXT] [--store FILE]: QA prints
 * a good card's face again (line/cl-face-reprint.h): its data row's fields and photo and its serial, from the
 * records, without touching the chip. A QA engineer or supervisor signs in (cl-admin-auth.h) and is the audit actor
 * of "face-reprint". */
#include <stdio.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "cups/cl-cups-face-printer.h"
#include "line/cl-face-reprint.h"
#include "store/cl-store-location.h"
#include "store/cl-store.h"

static int
run (int argc, char **argv)
{
  g_autofree char *store_path = NULL, *chip = NULL, *template = NULL, *destination = NULL, *label = NULL;
  g_autofree char *actor = NULL;
  g_auto (ClAdminAuth) auth = { 0 };
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    { "chip", 0, 0, G_OPTION_ARG_STRING, &chip, "the good card's chip id", "CHIP" },
    { "template", 0, 0, G_OPTION_ARG_FILENAME, &template, "face template (the profile's [face] template)", "FILE" },
    { "face-printer", 0, 0, G_OPTION_ARG_STRING, &destination, "card-face printer (CUPS queue or IPP URI)", "URI" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "what the face's label field shows (the profile's name)", "TEXT" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("reprint — print a good card's face again");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClCupsFacePrinter) face = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin card: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || !g_str_equal (argv[1], "reprint") || chip == NULL || template == NULL || destination == NULL)
    {
      g_printerr ("cardline-admin card: usage: cardline-admin card reprint --chip CHIP --template FILE "
                  "--face-printer URI [--label TEXT] [--store FILE] [--user NAME] [--password-file FILE]\n");
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  store = cl_store_open_existing (store_path, &error);
  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_QA) | CL_ROLE_BIT (CL_ROLE_SUPERVISOR), "card",
                            "reprint a card's face");
  if (actor == NULL)
    return 1;
  face = cl_cups_face_printer_new (template, destination, &error);
  if (face == NULL || !cl_face_reprint (store, CL_FACE_PRINTER (face), chip, label, actor, NULL, &error))
    goto fail;
  printf ("chip %s: face printed again on %s\n", chip, destination);
  return 0;

fail:
  g_printerr ("cardline-admin card reprint: %s\n", error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_card = {
  .name = "card",
  .summary = "Cards: `card reprint` prints a good card's face again from its records (QA)",
  .run = run,
};
