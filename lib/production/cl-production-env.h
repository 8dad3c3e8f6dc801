/* cl-production-env.h: what a station process takes from its environment: the PKCS#11 token
 * (CARDLINE_P11_MODULE: path or p11-kit module name, CARDLINE_P11_TOKEN: label, CARDLINE_P11_PIN_FILE: an
 * owner-only file) and the PKI directory with the SRCA and DICA certificates (CARDLINE_PKI_DIR, else
 * $XDG_DATA_HOME/cardline/pki). The store is cl_store_location()'s (store/cl-store-location.h). */
#pragma once

#include "p11/cl-p11-token.h"
#include "profile/cl-profile.h"

G_BEGIN_DECLS

/* Opens and logs in; CL_ERROR_INVALID_ARGUMENT naming a missing variable. */
ClP11Token *cl_production_token_open_from_env (GError **error);

/* Where `cardline-admin demo-setup` writes srca.cvc and dica.cvc and where profiles find them. */
char *cl_production_pki_dir (void);

/* name: a path, or the name of a shipped profile (NAME or NAME.profile in the profiles/ folder of a data
 * directory, core/cl-data-dirs.h). CL_ERROR_NOT_FOUND naming where it looked. */
char *cl_production_profile_find (const char *name, GError **error);
/* A profile as the station uses it (found as above): its relative paths resolve next to the profile first, then
 * in its data directory; relative certificate paths also in cl_production_pki_dir(). */
ClProfile *cl_production_profile_open (const char *name, GError **error);

G_END_DECLS
