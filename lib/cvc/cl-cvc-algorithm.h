/* cl-cvc-algorithm.h: the BSI TR-03110 terminal-authentication signature algorithms (id-TA, 0.4.0.127.0.7.2.2.2)
 * a CVC public key names; the OID says both how the key signs and which digest it hashes with. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CL_CVC_ALGORITHM_UNKNOWN,
  CL_CVC_ALGORITHM_RSA_V15_SHA1,
  CL_CVC_ALGORITHM_RSA_V15_SHA256,
  CL_CVC_ALGORITHM_RSA_PSS_SHA1,
  CL_CVC_ALGORITHM_RSA_PSS_SHA256,
  CL_CVC_ALGORITHM_RSA_V15_SHA512,
  CL_CVC_ALGORITHM_RSA_PSS_SHA512,
  CL_CVC_ALGORITHM_ECDSA_SHA1,
  CL_CVC_ALGORITHM_ECDSA_SHA224,
  CL_CVC_ALGORITHM_ECDSA_SHA256,
  CL_CVC_ALGORITHM_ECDSA_SHA384,
  CL_CVC_ALGORITHM_ECDSA_SHA512,
} ClCvcAlgorithm;

/* UNKNOWN for an OID that is not one of the above. */
ClCvcAlgorithm cl_cvc_algorithm_from_oid (const guint8 *oid, gsize len);
/* The OID content bytes (without tag 06 and length); NULL for UNKNOWN. */
GBytes *cl_cvc_algorithm_to_oid (ClCvcAlgorithm algorithm);
gboolean cl_cvc_algorithm_is_ecdsa (ClCvcAlgorithm algorithm);
gboolean cl_cvc_algorithm_is_rsa_pss (ClCvcAlgorithm algorithm);
/* OpenSSL digest name ("SHA256"); NULL for UNKNOWN. */
const char *cl_cvc_algorithm_get_digest (ClCvcAlgorithm algorithm);
/* "id-TA-ECDSA-SHA-256" and the like, for messages. */
const char *cl_cvc_algorithm_get_name (ClCvcAlgorithm algorithm);

G_END_DECLS
