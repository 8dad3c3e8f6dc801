/* cl-cvc-request.h: a CV certificate request. Authenticated: 67 { 7F21 inner request, 42 outer CAR,
 * 5F37 outer signature over the 7F21 TLV || the 42 TLV }; the inner request is self-signed with the requested key
 * (proof of possession). A bare 7F21 is an unauthenticated request. */
#pragma once

#include <glib-object.h>
#include <openssl/evp.h>

#include "cvc/cl-cvc.h"

G_BEGIN_DECLS

#define CL_TYPE_CVC_REQUEST (cl_cvc_request_get_type ())
G_DECLARE_FINAL_TYPE (ClCvcRequest, cl_cvc_request, CL, CVC_REQUEST, GObject)

/* Exactly one request (67 or 7F21); trailing bytes are CL_ERROR_MALFORMED. */
ClCvcRequest *cl_cvc_request_new_from_bytes (GBytes *bytes, GError **error);

GBytes *cl_cvc_request_get_encoded (ClCvcRequest *self);
ClCvc *cl_cvc_request_get_inner (ClCvcRequest *self);
gboolean cl_cvc_request_is_authenticated (ClCvcRequest *self);
/* NULL when not authenticated. */
const char *cl_cvc_request_get_outer_car (ClCvcRequest *self);
GBytes *cl_cvc_request_get_outer_signature (ClCvcRequest *self);

/* The inner signature verifies under the request's own key and algorithm (proof of possession). A key without
 * domain parameters takes fallback as its curve. */
gboolean cl_cvc_request_verify_inner (ClCvcRequest *self, ClCvcCurve fallback, GError **error);
/* The outer signature verifies under outer_key with algorithm. Not authenticated is CL_ERROR_SECURITY. */
gboolean cl_cvc_request_verify_outer (ClCvcRequest *self, EVP_PKEY *outer_key, ClCvcAlgorithm algorithm,
                                      GError **error);
/* As above with the key and algorithm of the certificate the outer CAR names (a device certificate); checks the
 * CAR equals its CHR. */
gboolean cl_cvc_request_verify_outer_by (ClCvcRequest *self, ClCvc *outer_cert, ClCvcCurve fallback, GError **error);

/* The body of the certificate that answers this request: CPI 0, CAR issuer_chr, the request's key as point only
 * (as device certificates carry it) and its CHR. The caller adds CHAT and dates, then signs with the issuer. */
ClCvcBody *cl_cvc_request_certificate_body (ClCvcRequest *self, const char *issuer_chr, ClCvcCurve fallback,
                                            GError **error);

/* Builds a request: the body signed by inner_sign (the requested key), then, if outer_car is not NULL, wrapped
 * and signed by outer_sign. */
GBytes *cl_cvc_request_build (const ClCvcBody *body, ClCvcSignFunc inner_sign, gpointer inner_data,
                              const char *outer_car, ClCvcSignFunc outer_sign, gpointer outer_data, GError **error);

G_END_DECLS
