/* cl-profile-describe.h: what a profile means for the people who check it before a batch (`cardline-admin profile
 * check`): where its card keys come from and whether others can reproduce them, how the cards ship and how their
 * PINs reach the customer. Plain sentences, no secret. */
#pragma once

#include "profile/cl-profile.h"

G_BEGIN_DECLS

/* The diversification method: published or Cardline-specific, derived inside the token or on the host (and then
 * under the audited host-derivation opt-in). */
char *cl_profile_describe_diversification (ClProfile *profile);
/* The shipping state and the PIN delivery. */
char *cl_profile_describe_shipping (ClProfile *profile);

G_END_DECLS
