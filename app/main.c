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

  /* GTK's cairo renderer unless the environment names another: a station PC often has no graphics chip, and there
   * Mesa's software GL took 80-110 ms a dashboard frame against cairo's 9 ms (bench-dashboard); the views draw with
   * cairo anyway (the charts), so a graphics chip would gain little. Read by GTK when the first window is shown. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  app = cl_application_new (start_time);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
