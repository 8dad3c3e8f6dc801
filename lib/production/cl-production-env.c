#include "cl-production-env.h"

#include "core/cl-error.h"

ClP11Token *
cl_production_token_open_from_env (GError **error)
{
  const char *module = g_getenv ("CARDLINE_P11_MODULE");
  const char *label = g_getenv ("CARDLINE_P11_TOKEN");
  const char *pin_file = g_getenv ("CARDLINE_P11_PIN_FILE");
  g_autoptr (ClP11Token) token = NULL;

  if (module == NULL || label == NULL || pin_file == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "the token is not configured: set CARDLINE_P11_MODULE, CARDLINE_P11_TOKEN and "
                   "CARDLINE_P11_PIN_FILE (%s is missing)",
                   module == NULL  ? "CARDLINE_P11_MODULE"
                   : label == NULL ? "CARDLINE_P11_TOKEN"
                                   : "CARDLINE_P11_PIN_FILE");
      return NULL;
    }
  token = cl_p11_token_open (module, label, error);
  if (token == NULL || !cl_p11_token_login_with_pin_file (token, pin_file, error))
    return NULL;
  return g_steal_pointer (&token);
}

char *
cl_production_pki_dir (void)
{
  const char *env = g_getenv ("CARDLINE_PKI_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "cardline", "pki", NULL);
}

ClProfile *
cl_production_profile_open (const char *path, GError **error)
{
  g_autofree char *pki_dir = cl_production_pki_dir ();

  return cl_profile_new_for_station (path, NULL, pki_dir, error);
}
