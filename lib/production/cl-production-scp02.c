/* cl-production-scp02.c: the SCP02 PUT KEY wrap check of a batch (DESIGN §2 key custody). */
#include "cl-production-scp02.h"

gboolean
cl_production_setup_check_scp02_wrap (ClProfile *profile, ClP11KeySet *kmc, ClStore *store, GError **error)
{
  const ClProfileKeys *keys = cl_profile_get_keys (profile);
  g_autofree char *detail = NULL;
  gboolean on_host = FALSE;

  if (!cl_p11_key_set_check_wrap (kmc, &on_host, error))
    {
      g_prefix_error (error, "profile %s: ", cl_profile_get_name (profile));
      return FALSE;
    }
  if (!on_host)
    return TRUE;
  /* The opt-in itself is audited by the setup; this entry says what it is used for in this batch. */
  detail
    = g_strdup_printf ("profile %s (%s): token \"%s\" cannot wrap 3DES keys; SCP02 PUT KEY computes each %s/%02X "
                       "card key by C_Encrypt in the token and encrypts it under the session DEK with the key "
                       "in locked host memory for an instant",
                       cl_profile_get_name (profile), cl_profile_get_hash (profile),
                       cl_p11_token_get_label (cl_p11_key_set_get_token (kmc)), keys->kmc_label, keys->kmc_version);
  return cl_store_audit_append (store, g_get_user_name (), "host-derivation", cl_profile_get_name (profile), detail,
                                error)
         > 0;
}
