/* cl-production-types.c */
#include "store/cl-production-types.h"

#include "core/cl-error.h"

static const char *const step_names[] = {
  "IDENTIFY",    "OPEN_KST", "CONFIGURE", "ROTATE_KEYS", "LOAD_APPLET",
  "INIT_APPLET", "CERTIFY",  "VERIFY",    "FACE",        "DISPOSE",
};
G_STATIC_ASSERT (G_N_ELEMENTS (step_names) == CL_PRODUCTION_STEP_COUNT);

static const struct
{
  const char *name;
  const char *description;
} reasons[] = {
  { "NO_ATR", "No answer to reset: no chip, a dead chip or a bad contact" },
  { "WRONG_CARD", "ATR, security domain or chip data do not match the profile" },
  { "AUTH_KST_FAILED", "The secure channel with the transport key did not open" },
  { "KEY_ROTATION_FAILED", "PUT KEY was refused, a check value differed or the new keys did not authenticate" },
  { "LOAD_FAILED", "Loading the applet was refused" },
  { "INSTALL_FAILED", "Installing the applet instance was refused" },
  { "INIT_FAILED", "Applet initialisation was refused" },
  { "KEYGEN_FAILED", "Device key generation failed or its request did not verify" },
  { "CERT_FAILED", "The device certificate could not be issued, written or read back" },
  { "VERIFY_FAILED", "The final verification found the card not as it should be" },
  { "CARD_REMOVED", "The card left the reader during the sequence" },
  { "TIMEOUT", "The card did not finish within the profile's card timeout" },
  { "PRINT_FAILED", "The card face could not be printed" },
  { "DUPLICATE_CHIP", "This chip was already produced" },
  { "HOSTILE_CARD", "The card answered malformed or out-of-protocol data" },
  { "PROTOCOL_ERROR", "A reader, HSM or host failure interrupted the sequence" },
};
G_STATIC_ASSERT (G_N_ELEMENTS (reasons) == CL_REJECT_REASON_COUNT);

static GType
register_enum (const char *type_name, guint n, const char *(*name_of) (guint))
{
  GEnumValue *values = g_new0 (GEnumValue, n + 1);

  for (guint i = 0; i < n; i++)
    {
      values[i].value = (gint)i;
      values[i].value_name = name_of (i);
      values[i].value_nick = name_of (i);
    }
  /* GEnumValue tables live as long as the type: leaked once, by design. */
  return g_enum_register_static (type_name, values);
}

static const char *
step_name_at (guint i)
{
  return step_names[i];
}

static const char *
reason_name_at (guint i)
{
  return reasons[i].name;
}

GType
cl_production_step_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, register_enum ("ClProductionStep", CL_PRODUCTION_STEP_COUNT, step_name_at));
  return type_id;
}

GType
cl_reject_reason_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, register_enum ("ClRejectReason", CL_REJECT_REASON_COUNT, reason_name_at));
  return type_id;
}

const char *
cl_production_step_to_string (ClProductionStep step)
{
  if ((guint)step < CL_PRODUCTION_STEP_COUNT)
    return step_names[step];
  return "UNKNOWN";
}

gboolean
cl_production_step_from_string (const char *name, ClProductionStep *out, GError **error)
{
  g_autoptr (GString) all = g_string_new (NULL);

  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (g_strcmp0 (name, step_names[i]) == 0)
      {
        *out = (ClProductionStep)i;
        return TRUE;
      }
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    g_string_append_printf (all, "%s%s", i ? ", " : "", step_names[i]);
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown production step “%s” (expected one of %s)",
               name ? name : "(null)", all->str);
  return FALSE;
}

const char *
cl_reject_reason_to_string (ClRejectReason reason)
{
  if ((guint)reason < CL_REJECT_REASON_COUNT)
    return reasons[reason].name;
  return "UNKNOWN";
}

const char *
cl_reject_reason_describe (ClRejectReason reason)
{
  if ((guint)reason < CL_REJECT_REASON_COUNT)
    return reasons[reason].description;
  return "Unknown reason";
}

gboolean
cl_reject_reason_from_string (const char *name, ClRejectReason *out, GError **error)
{
  g_autoptr (GString) all = g_string_new (NULL);

  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    if (g_strcmp0 (name, reasons[i].name) == 0)
      {
        *out = (ClRejectReason)i;
        return TRUE;
      }
  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    g_string_append_printf (all, "%s%s", i ? ", " : "", reasons[i].name);
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown reject reason “%s” (expected one of %s)",
               name ? name : "(null)", all->str);
  return FALSE;
}
