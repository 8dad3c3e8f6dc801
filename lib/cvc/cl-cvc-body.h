/* cl-cvc-body.h: the fields of a CVC body (7F4E) and their encoding. The encoded 7F4E TLV is what gets signed;
 * its contents without the 7F4E wrapper are the data of GENERATE ASYMMETRIC KEY PAIR. */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

#include "cvc/cl-cvc-algorithm.h"
#include "cvc/cl-cvc-signature.h"

G_BEGIN_DECLS

typedef struct
{
  guint8 cpi;           /* 5F29 certificate profile identifier, 0 */
  char *car;            /* 42, NULL: absent (allowed in requests) */
  GBytes *public_key;   /* value of 7F49, see cl-cvc-public-key.h */
  char *chr;            /* 5F20 */
  GBytes *chat;         /* value of 7F4C (06 OID, 53 template), NULL: absent */
  char *effective_date; /* 5F25 "YYMMDD", NULL: absent */
  char *expiry_date;    /* 5F24 "YYMMDD", NULL: absent */
  GBytes *extensions;   /* value of 65, NULL: absent */
} ClCvcBody;

ClCvcBody *cl_cvc_body_new (void);
void cl_cvc_body_free (ClCvcBody *body);

/* Convenience setters that replace the field. */
gboolean cl_cvc_body_set_public_key (ClCvcBody *body, EVP_PKEY *key, ClCvcAlgorithm algorithm, gboolean with_domain,
                                     GError **error);
void cl_cvc_body_set_chat (ClCvcBody *body, const guint8 *oid, gsize oid_len, const guint8 *tmpl, gsize tmpl_len);
/* Sets effective and expiry date from date-times (their UTC dates). */
void cl_cvc_body_set_validity (ClCvcBody *body, GDateTime *effective, GDateTime *expiry);

/* The children of 7F4E in order (5F29, 42, 7F49, 5F20, 7F4C, 5F25, 5F24, 65). Checks that the mandatory fields
 * are present and that strings and dates are well formed (CL_ERROR_INVALID_ARGUMENT naming the field). */
GBytes *cl_cvc_body_encode_contents (const ClCvcBody *body, GError **error);
/* The whole 7F4E TLV. */
GBytes *cl_cvc_body_encode (const ClCvcBody *body, GError **error);
/* Encodes, signs the 7F4E TLV through sign_func and returns the certificate 7F21 { 7F4E, 5F37 }. */
GBytes *cl_cvc_body_sign (const ClCvcBody *body, ClCvcSignFunc sign_func, gpointer user_data, GError **error);
/* 7F21 { body_tlv, 5F37 signature }. */
GBytes *cl_cvc_assemble (GBytes *body_tlv, const guint8 *signature, gsize signature_len);

/* A CAR or CHR: printable ASCII, 1 to 16 characters... or longer in requests, so only 1..64 is enforced. */
gboolean cl_cvc_reference_is_valid (const guint8 *value, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCvcBody, cl_cvc_body_free)

G_END_DECLS
