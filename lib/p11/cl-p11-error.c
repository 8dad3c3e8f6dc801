#include "p11/cl-p11-error.h"

#include "core/cl-error.h"

#define RV(name)                                                                                                       \
  {                                                                                                                    \
    name, #name                                                                                                        \
  }

static const struct
{
  CK_RV rv;
  const char *name;
} rv_names[] = {
  RV (CKR_OK),
  RV (CKR_CANCEL),
  RV (CKR_HOST_MEMORY),
  RV (CKR_SLOT_ID_INVALID),
  RV (CKR_GENERAL_ERROR),
  RV (CKR_FUNCTION_FAILED),
  RV (CKR_ARGUMENTS_BAD),
  RV (CKR_NO_EVENT),
  RV (CKR_NEED_TO_CREATE_THREADS),
  RV (CKR_CANT_LOCK),
  RV (CKR_ATTRIBUTE_READ_ONLY),
  RV (CKR_ATTRIBUTE_SENSITIVE),
  RV (CKR_ATTRIBUTE_TYPE_INVALID),
  RV (CKR_ATTRIBUTE_VALUE_INVALID),
  RV (CKR_DATA_INVALID),
  RV (CKR_DATA_LEN_RANGE),
  RV (CKR_DEVICE_ERROR),
  RV (CKR_DEVICE_MEMORY),
  RV (CKR_DEVICE_REMOVED),
  RV (CKR_ENCRYPTED_DATA_INVALID),
  RV (CKR_ENCRYPTED_DATA_LEN_RANGE),
  RV (CKR_FUNCTION_CANCELED),
  RV (CKR_FUNCTION_NOT_PARALLEL),
  RV (CKR_FUNCTION_NOT_SUPPORTED),
  RV (CKR_KEY_HANDLE_INVALID),
  RV (CKR_KEY_SIZE_RANGE),
  RV (CKR_KEY_TYPE_INCONSISTENT),
  RV (CKR_KEY_NOT_NEEDED),
  RV (CKR_KEY_CHANGED),
  RV (CKR_KEY_NEEDED),
  RV (CKR_KEY_INDIGESTIBLE),
  RV (CKR_KEY_FUNCTION_NOT_PERMITTED),
  RV (CKR_KEY_NOT_WRAPPABLE),
  RV (CKR_KEY_UNEXTRACTABLE),
  RV (CKR_MECHANISM_INVALID),
  RV (CKR_MECHANISM_PARAM_INVALID),
  RV (CKR_OBJECT_HANDLE_INVALID),
  RV (CKR_OPERATION_ACTIVE),
  RV (CKR_OPERATION_NOT_INITIALIZED),
  RV (CKR_PIN_INCORRECT),
  RV (CKR_PIN_INVALID),
  RV (CKR_PIN_LEN_RANGE),
  RV (CKR_PIN_EXPIRED),
  RV (CKR_PIN_LOCKED),
  RV (CKR_SESSION_CLOSED),
  RV (CKR_SESSION_COUNT),
  RV (CKR_SESSION_HANDLE_INVALID),
  RV (CKR_SESSION_PARALLEL_NOT_SUPPORTED),
  RV (CKR_SESSION_READ_ONLY),
  RV (CKR_SESSION_EXISTS),
  RV (CKR_SESSION_READ_ONLY_EXISTS),
  RV (CKR_SESSION_READ_WRITE_SO_EXISTS),
  RV (CKR_SIGNATURE_INVALID),
  RV (CKR_SIGNATURE_LEN_RANGE),
  RV (CKR_TEMPLATE_INCOMPLETE),
  RV (CKR_TEMPLATE_INCONSISTENT),
  RV (CKR_TOKEN_NOT_PRESENT),
  RV (CKR_TOKEN_NOT_RECOGNIZED),
  RV (CKR_TOKEN_WRITE_PROTECTED),
  RV (CKR_UNWRAPPING_KEY_HANDLE_INVALID),
  RV (CKR_UNWRAPPING_KEY_SIZE_RANGE),
  RV (CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
  RV (CKR_USER_ALREADY_LOGGED_IN),
  RV (CKR_USER_NOT_LOGGED_IN),
  RV (CKR_USER_PIN_NOT_INITIALIZED),
  RV (CKR_USER_TYPE_INVALID),
  RV (CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
  RV (CKR_USER_TOO_MANY_TYPES),
  RV (CKR_WRAPPED_KEY_INVALID),
  RV (CKR_WRAPPED_KEY_LEN_RANGE),
  RV (CKR_WRAPPING_KEY_HANDLE_INVALID),
  RV (CKR_WRAPPING_KEY_SIZE_RANGE),
  RV (CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
  RV (CKR_RANDOM_SEED_NOT_SUPPORTED),
  RV (CKR_RANDOM_NO_RNG),
  RV (CKR_DOMAIN_PARAMS_INVALID),
  RV (CKR_CURVE_NOT_SUPPORTED),
  RV (CKR_BUFFER_TOO_SMALL),
  RV (CKR_SAVED_STATE_INVALID),
  RV (CKR_INFORMATION_SENSITIVE),
  RV (CKR_STATE_UNSAVEABLE),
  RV (CKR_CRYPTOKI_NOT_INITIALIZED),
  RV (CKR_CRYPTOKI_ALREADY_INITIALIZED),
  RV (CKR_MUTEX_BAD),
  RV (CKR_MUTEX_NOT_LOCKED),
  RV (CKR_FUNCTION_REJECTED),
};

static const struct
{
  CK_MECHANISM_TYPE mech;
  const char *name;
} mech_names[] = {
  RV (CKM_AES_ECB),      RV (CKM_AES_CBC),      RV (CKM_AES_CMAC),        RV (CKM_AES_ECB_ENCRYPT_DATA),
  RV (CKM_AES_KEY_GEN),  RV (CKM_DES3_ECB),     RV (CKM_DES3_CBC),        RV (CKM_DES3_ECB_ENCRYPT_DATA),
  RV (CKM_DES2_KEY_GEN), RV (CKM_DES3_KEY_GEN), RV (CKM_EC_KEY_PAIR_GEN), RV (CKM_ECDSA),
  RV (CKM_RSA_PKCS),
};

#undef RV

const char *
cl_p11_rv_to_string (CK_RV rv)
{
  static GPrivate buffer = G_PRIVATE_INIT (g_free);
  char *text;

  for (gsize i = 0; i < G_N_ELEMENTS (rv_names); i++)
    if (rv_names[i].rv == rv)
      return rv_names[i].name;
  text = g_strdup_printf ("CKR_0x%08lX", (unsigned long)rv);
  g_private_replace (&buffer, text);
  return text;
}

const char *
cl_p11_mechanism_to_string (CK_MECHANISM_TYPE mech)
{
  static GPrivate buffer = G_PRIVATE_INIT (g_free);
  char *text;

  for (gsize i = 0; i < G_N_ELEMENTS (mech_names); i++)
    if (mech_names[i].mech == mech)
      return mech_names[i].name;
  text = g_strdup_printf ("CKM_0x%08lX", (unsigned long)mech);
  g_private_replace (&buffer, text);
  return text;
}

static ClError
error_code_for_rv (CK_RV rv)
{
  switch (rv)
    {
      case CKR_MECHANISM_INVALID:
      case CKR_MECHANISM_PARAM_INVALID:
      case CKR_FUNCTION_NOT_SUPPORTED:
      case CKR_CURVE_NOT_SUPPORTED:
      case CKR_KEY_SIZE_RANGE:
        return CL_ERROR_NOT_SUPPORTED;
      case CKR_SLOT_ID_INVALID:
        return CL_ERROR_NOT_FOUND;
      /* The token went away, or came back without the sessions and object handles the station holds (a
       * restarted HSM, a re-plugged token, SoftHSM2 whose token directory vanished): nothing a card did. */
      case CKR_GENERAL_ERROR:
      case CKR_DEVICE_ERROR:
      case CKR_DEVICE_MEMORY:
      case CKR_DEVICE_REMOVED:
      case CKR_TOKEN_NOT_PRESENT:
      case CKR_TOKEN_NOT_RECOGNIZED:
      case CKR_SESSION_CLOSED:
      case CKR_SESSION_HANDLE_INVALID:
      case CKR_CRYPTOKI_NOT_INITIALIZED:
      case CKR_USER_NOT_LOGGED_IN:
      case CKR_OBJECT_HANDLE_INVALID:
      case CKR_KEY_HANDLE_INVALID:
      case CKR_WRAPPING_KEY_HANDLE_INVALID:
        return CL_ERROR_HSM_LOST;
      case CKR_ARGUMENTS_BAD:
      case CKR_DATA_LEN_RANGE:
      case CKR_TEMPLATE_INCONSISTENT:
      case CKR_TEMPLATE_INCOMPLETE:
      case CKR_ATTRIBUTE_VALUE_INVALID:
        return CL_ERROR_INVALID_ARGUMENT;
      case CKR_SIGNATURE_INVALID:
        return CL_ERROR_SECURITY;
      case CKR_FUNCTION_CANCELED:
        return CL_ERROR_CANCELLED;
      default:
        return CL_ERROR_TOKEN;
    }
}

gboolean
cl_p11_set_error (GError **error, CK_RV rv, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  g_return_val_if_fail (rv != CKR_OK, FALSE);

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CL_ERROR, error_code_for_rv (rv), "%s: %s", what, cl_p11_rv_to_string (rv));
  return FALSE;
}
