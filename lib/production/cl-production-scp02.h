/* cl-production-scp02.h: what an SCP02 batch needs of the token before the first card. */
#pragma once

#include "p11/cl-p11-key-set.h"
#include "profile/cl-profile.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

/* SCP02 PUT KEY sends the new 3DES card keys encrypted under the session S-DEK. When the token cannot wrap 3DES
 * keys (SoftHSM2 2.6), that needs the profile's host-derivation opt-in (cl_p11_key_set_check_wrap): without it
 * CL_ERROR_NOT_SUPPORTED naming the mechanism; with it, an audit entry for the batch saying that card keys pass
 * through host memory. */
gboolean cl_production_setup_check_scp02_wrap (ClProfile *profile, ClP11KeySet *kmc, ClStore *store, GError **error);

G_END_DECLS
