#include "cl-production-env.h"

#include <string.h>

#include "core/cl-data-dirs.h"
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

char *
cl_production_profile_find (const char *name, GError **error)
{
  g_auto (GStrv) dirs = NULL;
  g_autofree char *searched = NULL;

  if (strchr (name, '/') != NULL || g_file_test (name, G_FILE_TEST_EXISTS))
    return g_strdup (name);
  dirs = cl_data_dirs ();
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *file
        = g_str_has_suffix (name, ".profile") ? g_strdup (name) : g_strconcat (name, ".profile", NULL);
      g_autofree char *path = g_build_filename (dirs[i], "profiles", file, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  searched = g_strjoinv ("/profiles, ", dirs);
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no profile %s here nor in %s%s", name,
               *searched != '\0' ? searched : "(no data directory)", *searched != '\0' ? "/profiles" : "");
  return NULL;
}

ClProfile *
cl_production_profile_open (const char *name, GError **error)
{
  g_autofree char *pki_dir = cl_production_pki_dir ();
  g_autofree char *path = cl_production_profile_find (name, error);

  if (path == NULL)
    return NULL;
  return cl_profile_new_for_station (path, NULL, pki_dir, error);
}
