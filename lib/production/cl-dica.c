/* cl-dica.c: a station's own DICA, certified by the scheme root (cl-dica.h). */
#include "cl-dica.h"

#include "cl-p11-cvc.h"
#include "core/cl-error.h"

GBytes *
cl_dica_request_new (ClP11Token *token, const char *label, const char *chr, GError **error)
{
  g_autoptr (ClP11EcKey) key = cl_p11_ec_key_generate (token, CL_P11_CURVE_P256, label, NULL, error);
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();

  if (key == NULL)
    return NULL;
  body->cpi = 0;
  body->car = g_strdup (chr);
  body->chr = g_strdup (chr);
  /* with the domain parameters: the request verifies on its own */
  body->public_key = cl_p11_cvc_public_key_template (key, TRUE, error);
  if (body->public_key == NULL)
    return NULL;
  return cl_cvc_body_sign (body, cl_p11_cvc_sign, key, error);
}

GBytes *
cl_dica_certify (ClP11EcKey *srca_key, ClCvc *srca_cvc, GBytes *request, guint years, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (ClCvc) asked = cl_cvc_new_from_bytes (request, &local);
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) until = g_date_time_add_years (now, (gint)years);

  if (asked == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "DICA request: %s", local->message);
      return NULL;
    }
  if (!cl_cvc_verify_issued_by (asked, asked, CL_CVC_CURVE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "DICA request %s is not signed by the key it asks a certificate for: %s", cl_cvc_get_chr (asked),
                   local->message);
      return NULL;
    }
  body->cpi = 0;
  body->car = g_strdup (cl_cvc_get_chr (srca_cvc));
  body->chr = g_strdup (cl_cvc_get_chr (asked));
  body->public_key = g_bytes_ref (cl_cvc_get_public_key_template (asked));
  cl_cvc_body_set_validity (body, now, until);
  return cl_cvc_body_sign (body, cl_p11_cvc_sign, srca_key, error);
}
