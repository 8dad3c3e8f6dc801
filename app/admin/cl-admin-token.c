/* cl-admin-token.c: see cl-admin-token.h. */
#include "cl-admin-token.h"

#include "core/cl-error.h"

ClP11Token *
cl_admin_token_open (GError **error)
{
  const char *module = g_getenv ("CARDLINE_P11_MODULE"), *label = g_getenv ("CARDLINE_P11_TOKEN");
  const char *pin_file = g_getenv ("CARDLINE_P11_PIN_FILE");
  g_autoptr (ClP11Token) token = NULL;

  if (module == NULL || label == NULL || pin_file == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Set CARDLINE_P11_MODULE, CARDLINE_P11_TOKEN and CARDLINE_P11_PIN_FILE to choose the token");
      return NULL;
    }
  token = cl_p11_token_open (module, label, error);
  if (token == NULL || !cl_p11_token_login_with_pin_file (token, pin_file, error))
    return NULL;
  return g_steal_pointer (&token);
}
