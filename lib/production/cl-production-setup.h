/* cl-production-setup.h: what every card of a batch shares, loaded and checked once before the first card:
 * the profile (lib/profile), the CAP file's Load File Data Block, the token's KST, KMC and DICA key, and the
 * DICA and SRCA certificates (the DICA's chain to the SRCA is verified here, so a broken PKI stops the line
 * before it touches a card). Immutable after creation; card sequences on several threads share it. */
#pragma once

#include "cl-production-custody.h"
#include "cvc/cl-cvc.h"
#include "p11/cl-p11-ec-key.h"
#include "p11/cl-p11-key-set.h"
#include "profile/cl-profile.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_PRODUCTION_SETUP (cl_production_setup_get_type ())
G_DECLARE_FINAL_TYPE (ClProductionSetup, cl_production_setup, CL, PRODUCTION_SETUP, GObject)

/* The token must be logged in. CL_ERROR_PROFILE naming the file, key or object that does not fit. */
ClProductionSetup *cl_production_setup_new (ClProfile *profile, ClP11Token *token, ClStore *store, GError **error);

ClProfile *cl_production_setup_get_profile (ClProductionSetup *self);
ClP11Token *cl_production_setup_get_token (ClProductionSetup *self);
ClStore *cl_production_setup_get_store (ClProductionSetup *self);
ClKeySet *cl_production_setup_get_kst (ClProductionSetup *self);
ClKeySet *cl_production_setup_get_kmc (ClProductionSetup *self);
/* Accepted older KMCs, DKEK shares and the PIN export key of the batch. */
ClProductionCustody *cl_production_setup_get_custody (ClProductionSetup *self);
ClP11EcKey *cl_production_setup_get_dica_key (ClProductionSetup *self);
ClCvc *cl_production_setup_get_dica_cvc (ClProductionSetup *self);
ClCvc *cl_production_setup_get_srca_cvc (ClProductionSetup *self);
/* C4 <len> <components>: what LOAD sends. */
GBytes *cl_production_setup_get_load_file_data_block (ClProductionSetup *self);

G_END_DECLS
