/* The dialect's request headers (cl-ram-headers.h): what the production service takes and what it refuses. */
#include "remote/cl-ram-headers.h"

#include <string.h>

static void
check (const char *content_type, const char *protocol, guint expected, const char *why_part)
{
  g_autofree char *why = NULL;

  g_assert_cmpuint (cl_ram_headers_check (content_type, protocol, &why), ==, expected);
  if (expected == 0)
    g_assert_null (why);
  else
    g_assert_nonnull (strstr (why, why_part));
}

static void
test_taken (void)
{
  check (CL_RAM_CONTENT_TYPE, CL_RAM_ADMIN_PROTOCOL, 0, NULL);
  check (CL_RAM_CONTENT_TYPE, CL_RAM_ADMIN_PROTOCOL_GP, 0, NULL);
  check ("Application/Org.OpenSCDP-Content-Mgt-Response; Version=\"1.0\"", CL_RAM_ADMIN_PROTOCOL, 0, NULL);
  check ("application/org.openscdp-content-mgt-response", CL_RAM_ADMIN_PROTOCOL, 0, NULL);
}

static void
test_refused (void)
{
  check (NULL, CL_RAM_ADMIN_PROTOCOL, 415, "Content-Type must be");
  check ("application/octet-stream", CL_RAM_ADMIN_PROTOCOL, 415, "Content-Type must be");
  /* the server's own answer type is not a request's */
  check ("application/org.openscdp-content-mgt;version=1.0", CL_RAM_ADMIN_PROTOCOL, 415, "Content-Type");
  check ("application/org.openscdp-content-mgt-response;version=2.0", CL_RAM_ADMIN_PROTOCOL, 415, "Content-Type");
  check ("application/org.openscdp-content-mgt-response;version", CL_RAM_ADMIN_PROTOCOL, 415, "Content-Type");
  check (CL_RAM_CONTENT_TYPE, NULL, 400, "X-Admin-Protocol must be");
  check (CL_RAM_CONTENT_TYPE, "openscdp-remote-admin/2.0", 400, "X-Admin-Protocol");
  check (CL_RAM_CONTENT_TYPE, "", 400, "X-Admin-Protocol");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ram-headers/taken", test_taken);
  g_test_add_func ("/ram-headers/refused", test_refused);
  return g_test_run ();
}
