#include "cl-profile-describe.h"

#include "profile/cl-profile-custody.h"

char *
cl_profile_describe_diversification (ClProfile *profile)
{
  const ClProfileKeys *keys = cl_profile_get_keys (profile);

  switch (keys->diversification)
    {
      case CL_DIVERSIFY_KDF3:
        /* the loader refuses kdf3 without the opt-in: PKCS#11 has no AES-CMAC key derivation */
        return g_strdup_printf (
          "kdf3: the published GlobalPlatform SCP03 method (GlobalPlatformPro's \"kdf3\": AES-CMAC of the KMC over "
          "the KDD); other GlobalPlatform tools and key services derive the same card keys from %s/%02X. PKCS#11 "
          "tokens (SoftHSM2) cannot run it as a key derivation: the CMAC runs in the token and each card key is "
          "assembled in host memory for an instant, under the profile's host-derivation opt-in, which the audit "
          "trail records for every batch",
          keys->kmc_label, keys->kmc_version);
      case CL_DIVERSIFY_AES_ECB:
        return g_strdup_printf (
          "aes-ecb: a Cardline-specific scheme (docs/diversification.md), derived inside the token "
          "(CKM_AES_ECB_ENCRYPT_DATA); other GlobalPlatform tools cannot derive these card keys "
          "from %s/%02X unless they implement it",
          keys->kmc_label, keys->kmc_version);
      case CL_DIVERSIFY_EMV:
      case CL_DIVERSIFY_VISA2:
        return g_strdup_printf ("%s: the published %s method, derived inside the token "
                                "(CKM_DES3_ECB_ENCRYPT_DATA)%s",
                                keys->diversification == CL_DIVERSIFY_EMV ? "emv" : "visa2",
                                keys->diversification == CL_DIVERSIFY_EMV ? "EMV CPS" : "VISA2",
                                keys->host_derivation ? "; host-derivation is on for the SCP02 PUT KEY wrap, audited"
                                                      : "");
      case CL_DIVERSIFY_NONE:
      default:
        return g_strdup_printf ("none: every card gets the keys of %s/%02X themselves", keys->kmc_label,
                                keys->kmc_version);
    }
}

char *
cl_profile_describe_shipping (ClProfile *profile)
{
  const ClProfileCustody *custody = cl_profile_get_custody (profile);

  if (cl_profile_get_init (profile)->ship == CL_SHIP_UNINITIALISED)
    return g_strdup ("uninitialised: the customer sets SO-PIN and PIN with sc-hsm-tool --initialize; the device key "
                     "and its certificate survive that; there are no PINs to export");
  return g_strdup_printf ("initialised: SO-PIN and PIN of every card are sealed to the customer key %s and delivered "
                          "with `cardline-admin batch export-pins`; a batch with a good card lacking its envelope "
                          "cannot be closed",
                          custody->pin_export_key);
}
