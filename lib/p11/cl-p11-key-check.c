#include "cl-p11-key-check.h"

#include "core/cl-error.h"
#include "p11/cl-p11-error.h"

static const struct
{
  ClP11KeyUse use;
  CK_ATTRIBUTE_TYPE attribute;
  const char *name;
} use_attributes[] = {
  { CL_P11_KEY_USE_SIGN, CKA_SIGN, "CKA_SIGN" },
  { CL_P11_KEY_USE_DERIVE, CKA_DERIVE, "CKA_DERIVE" },
  { CL_P11_KEY_USE_WRAP, CKA_WRAP, "CKA_WRAP" },
  { CL_P11_KEY_USE_ENCRYPT, CKA_ENCRYPT, "CKA_ENCRYPT" },
};

gboolean
cl_p11_token_check_key (ClP11Token *token, CK_OBJECT_HANDLE key, const char *label, ClP11KeyUse uses, GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE, allowed[G_N_ELEMENTS (use_attributes)] = { 0 };
  CK_ATTRIBUTE tmpl[2 + G_N_ELEMENTS (use_attributes)] = {
    { CKA_SENSITIVE, &sensitive, sizeof sensitive },
    { CKA_EXTRACTABLE, &extractable, sizeof extractable },
  };
  CK_RV rv;

  if (session == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (use_attributes); i++)
    tmpl[2 + i] = (CK_ATTRIBUTE){ use_attributes[i].attribute, &allowed[i], sizeof allowed[i] };
  rv = session->f->C_GetAttributeValue (session->handle, key, tmpl, G_N_ELEMENTS (tmpl));
  /* an attribute the object type does not have (CKA_WRAP of a private key) reads as not allowed */
  if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID)
    return cl_p11_set_error (error, rv, "Reading the attributes of %s", label);
  if (tmpl[1].ulValueLen == CK_UNAVAILABLE_INFORMATION || extractable)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "%s is extractable (CKA_EXTRACTABLE true): a master or signing key must never leave the token; "
                   "replace it by a non-extractable key in a key ceremony",
                   label);
      return FALSE;
    }
  if (tmpl[0].ulValueLen == CK_UNAVAILABLE_INFORMATION || !sensitive)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "%s is not sensitive (CKA_SENSITIVE false)", label);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (use_attributes); i++)
    if ((uses & use_attributes[i].use) && (tmpl[2 + i].ulValueLen == CK_UNAVAILABLE_INFORMATION || !allowed[i]))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "%s does not allow %s, which the profile needs", label,
                     use_attributes[i].name);
        return FALSE;
      }
  return TRUE;
}
