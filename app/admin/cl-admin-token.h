/* cl-admin-token.h: the token cardline-admin works with (keys, audit checkpoints). */
#pragma once

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

/* The token named by CARDLINE_P11_MODULE and CARDLINE_P11_TOKEN, logged in with the PIN in the 0600 file
 * CARDLINE_P11_PIN_FILE (never a PIN on the command line). */
ClP11Token *cl_admin_token_open (GError **error);

G_END_DECLS
