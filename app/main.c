/* cardline: the production station (GUI, or --headless). */
#include <glib/gi18n.h>
#include <locale.h>

#include "cardline-config.h"
#include "cl-application.h"
#include "cl-ui.h"

int
main (int argc, char **argv)
{
  gint64 start_time = g_get_monotonic_time ();
  g_autoptr (ClApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* gi18n.h's gettext(), GApplication's option entries and the templates (they set no domain) all look their
   * strings up in the default domain. */
  textdomain (GETTEXT_PACKAGE);
  /* Resources carry style.css and the templates; registering them needs no display, so headless is fine. */
  cl_ui_init ();

  app = cl_application_new (start_time);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
