#include "cl-step-text.h"

#include <glib/gi18n.h>

static const struct
{
  const char *name;
  const char *title;
} titles[] = {
  { "IDENTIFY", N_ ("Identify chip") },     { "OPEN_KST", N_ ("Open secure channel") },
  { "CONFIGURE", N_ ("Configure card") },   { "ROTATE_KEYS", N_ ("Rotate card keys") },
  { "LOAD_APPLET", N_ ("Load applet") },    { "INIT_APPLET", N_ ("Initialise applet and key") },
  { "CERTIFY", N_ ("Issue certificate") },  { "VERIFY", N_ ("Verify card") },
  { "FACE", N_ ("Print card face") },       { "DISPOSE", N_ ("Eject card") },
  { "SERVICE", N_ ("Production service") }, /* remote production: the service's part, its notifies live */
};

const char *
cl_step_text_title (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].name, name))
      return _ (titles[i].title);
  return name != NULL ? name : "";
}

const char *
cl_step_text_state (ClReaderStepState state)
{
  switch (state)
    {
      case CL_READER_STEP_PENDING:
        return _ ("Waiting");
      case CL_READER_STEP_RUNNING:
        return _ ("Running");
      case CL_READER_STEP_OK:
        return _ ("Done");
      case CL_READER_STEP_SKIPPED:
        return _ ("Already on the card");
      case CL_READER_STEP_FAILED:
        return _ ("Failed");
      default:
        return "";
    }
}

const char *
cl_step_text_state_icon (ClReaderStepState state)
{
  switch (state)
    {
      case CL_READER_STEP_RUNNING:
        return "media-playback-start-symbolic";
      case CL_READER_STEP_OK:
        return "object-select-symbolic";
      case CL_READER_STEP_SKIPPED:
        return "media-skip-forward-symbolic";
      case CL_READER_STEP_FAILED:
        return "dialog-error-symbolic";
      case CL_READER_STEP_PENDING:
      default:
        return "radio-symbolic";
    }
}

char *
cl_step_text_duration (gint64 duration_us)
{
  if (duration_us < 0)
    return NULL;
  if (duration_us < 1000 * 1000)
    return g_strdup_printf (_ ("%.1f ms"), duration_us / 1000.0);
  return g_strdup_printf (_ ("%.2f s"), duration_us / 1e6);
}
