#include "p11-test-token.h"

#include <unistd.h>

const char *
p11_test_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this test under tests/rig/rig-run --parts hsm", name);
  return value;
}

ClP11Token *
p11_test_token_open (gboolean login)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;

  token = cl_p11_token_open (p11_test_env ("CARDLINE_P11_MODULE"), p11_test_env ("CARDLINE_P11_TOKEN"), &error);
  g_assert_no_error (error);
  if (login)
    {
      cl_p11_token_login_with_pin_file (token, p11_test_env ("CARDLINE_P11_PIN_FILE"), &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&token);
}

char *
p11_test_unique_name (const char *prefix)
{
  static gint counter;
  return g_strdup_printf ("%s-%d-%d-%u", prefix, (int)getpid (), g_atomic_int_add (&counter, 1), g_random_int ());
}
