#include "cvc/cl-cvc-algorithm.h"

#include <string.h>

/* id-TA = 0.4.0.127.0.7.2.2.2; then .1 RSA or .2 ECDSA, then the variant. */
static const guint8 id_ta[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02 };

typedef struct
{
  ClCvcAlgorithm algorithm;
  guint8 family;
  guint8 variant;
  const char *digest;
  const char *name;
} AlgorithmInfo;

static const AlgorithmInfo algorithms[] = {
  { CL_CVC_ALGORITHM_RSA_V15_SHA1, 1, 1, "SHA1", "id-TA-RSA-v1-5-SHA-1" },
  { CL_CVC_ALGORITHM_RSA_V15_SHA256, 1, 2, "SHA256", "id-TA-RSA-v1-5-SHA-256" },
  { CL_CVC_ALGORITHM_RSA_PSS_SHA1, 1, 3, "SHA1", "id-TA-RSA-PSS-SHA-1" },
  { CL_CVC_ALGORITHM_RSA_PSS_SHA256, 1, 4, "SHA256", "id-TA-RSA-PSS-SHA-256" },
  { CL_CVC_ALGORITHM_RSA_V15_SHA512, 1, 5, "SHA512", "id-TA-RSA-v1-5-SHA-512" },
  { CL_CVC_ALGORITHM_RSA_PSS_SHA512, 1, 6, "SHA512", "id-TA-RSA-PSS-SHA-512" },
  { CL_CVC_ALGORITHM_ECDSA_SHA1, 2, 1, "SHA1", "id-TA-ECDSA-SHA-1" },
  { CL_CVC_ALGORITHM_ECDSA_SHA224, 2, 2, "SHA224", "id-TA-ECDSA-SHA-224" },
  { CL_CVC_ALGORITHM_ECDSA_SHA256, 2, 3, "SHA256", "id-TA-ECDSA-SHA-256" },
  { CL_CVC_ALGORITHM_ECDSA_SHA384, 2, 4, "SHA384", "id-TA-ECDSA-SHA-384" },
  { CL_CVC_ALGORITHM_ECDSA_SHA512, 2, 5, "SHA512", "id-TA-ECDSA-SHA-512" },
};

static const AlgorithmInfo *
lookup (ClCvcAlgorithm algorithm)
{
  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].algorithm == algorithm)
      return &algorithms[i];
  return NULL;
}

ClCvcAlgorithm
cl_cvc_algorithm_from_oid (const guint8 *oid, gsize len)
{
  if (oid == NULL || len != sizeof id_ta + 2 || memcmp (oid, id_ta, sizeof id_ta) != 0)
    return CL_CVC_ALGORITHM_UNKNOWN;
  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].family == oid[sizeof id_ta] && algorithms[i].variant == oid[sizeof id_ta + 1])
      return algorithms[i].algorithm;
  return CL_CVC_ALGORITHM_UNKNOWN;
}

GBytes *
cl_cvc_algorithm_to_oid (ClCvcAlgorithm algorithm)
{
  const AlgorithmInfo *info = lookup (algorithm);
  guint8 oid[sizeof id_ta + 2];

  if (info == NULL)
    return NULL;
  memcpy (oid, id_ta, sizeof id_ta);
  oid[sizeof id_ta] = info->family;
  oid[sizeof id_ta + 1] = info->variant;
  return g_bytes_new (oid, sizeof oid);
}

gboolean
cl_cvc_algorithm_is_ecdsa (ClCvcAlgorithm algorithm)
{
  const AlgorithmInfo *info = lookup (algorithm);

  return info != NULL && info->family == 2;
}

gboolean
cl_cvc_algorithm_is_rsa_pss (ClCvcAlgorithm algorithm)
{
  return algorithm == CL_CVC_ALGORITHM_RSA_PSS_SHA1 || algorithm == CL_CVC_ALGORITHM_RSA_PSS_SHA256
         || algorithm == CL_CVC_ALGORITHM_RSA_PSS_SHA512;
}

const char *
cl_cvc_algorithm_get_digest (ClCvcAlgorithm algorithm)
{
  const AlgorithmInfo *info = lookup (algorithm);

  return info ? info->digest : NULL;
}

const char *
cl_cvc_algorithm_get_name (ClCvcAlgorithm algorithm)
{
  const AlgorithmInfo *info = lookup (algorithm);

  return info ? info->name : "unknown algorithm";
}
