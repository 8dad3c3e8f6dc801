/* p11-test-token.h: the rig's token for lib/p11 tests (CARDLINE_P11_MODULE, CARDLINE_P11_TOKEN,
 * CARDLINE_P11_PIN_FILE as tests/rig/rig-run --parts hsm exports them). A missing variable fails the test. */
#pragma once

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

const char *p11_test_env (const char *name);
/* Opens the token, logged in unless login is FALSE. */
ClP11Token *p11_test_token_open (gboolean login);
/* A name no earlier run used, so tests can share a persistent token. */
char *p11_test_unique_name (const char *prefix);

G_END_DECLS
