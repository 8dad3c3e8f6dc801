#include "production/cl-device-check.h"

#include <string.h>

#include "core/cl-error.h"
#include "cvc/cl-cvc-request.h"
#include "schsm/cl-schsm-card.h"

#define FID_DEVICE_REQUEST 0xCE00

void
cl_device_identity_free (ClDeviceIdentity *identity)
{
  if (identity == NULL)
    return;
  g_free (identity->chr);
  g_free (identity->serial);
  g_free (identity->dica);
  g_free (identity);
}

static gboolean refuse (GError **error, gint code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **error, gint code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CL_ERROR, code, message);
  return FALSE;
}

/* A card's answer that is not what a finished card answers is the card's failure; a failed exchange is not. */
static gboolean
card_failed (GError **error, GError *local, const char *what)
{
  if (cl_transport_error_is_transport (local))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  refuse (error, CL_ERROR_FAILED, "%s: %s", what, local->message);
  g_error_free (local);
  return FALSE;
}

static gboolean
check_applet (ClCardChannel *channel, GCancellable *cancellable, GError **error)
{
  GError *local = NULL;
  guint8 major, minor;

  /* whether the device is initialised is the profile's choice (a profile may ship it uninitialised): not checked */
  if (!cl_schsm_select (channel, &major, &minor, cancellable, &local))
    return card_failed (error, local, "the SmartCard-HSM applet does not answer");
  return TRUE;
}

static gboolean
check_key (ClCardChannel *channel, ClCvc *device, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) request_bytes = NULL, device_point = NULL, request_point = NULL;
  g_autoptr (ClCvcRequest) request = NULL;
  GError *local = NULL;

  request_bytes = cl_schsm_read_file (channel, FID_DEVICE_REQUEST, cancellable, &local);
  if (request_bytes == NULL)
    return card_failed (error, local, "no device key request (CE00)");
  request = cl_cvc_request_new_from_bytes (request_bytes, &local);
  if (request == NULL)
    return card_failed (error, local, "the device key request (CE00)");
  device_point = cl_cvc_get_public_point (device);
  request_point = cl_cvc_get_public_point (cl_cvc_request_get_inner (request));
  if (device_point == NULL || request_point == NULL || !g_bytes_equal (device_point, request_point))
    return refuse (error, CL_ERROR_SECURITY, "the device certificate %s is not for the key this card generated",
                   cl_cvc_get_chr (device));
  return TRUE;
}

ClDeviceIdentity *
cl_device_check (ClTransport *transport, ClCvc *srca, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClCardChannel) channel = NULL;
  g_autoptr (ClDeviceIdentity) identity = g_new0 (ClDeviceIdentity, 1);
  g_autoptr (GBytes) devaut = NULL;
  g_autoptr (ClCvc) device = NULL, dica = NULL;
  GError *local = NULL;
  const guint8 *data;
  gsize len, consumed = 0, dica_len = 0;
  const char *chr;

  g_return_val_if_fail (CL_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (CL_IS_CVC (srca), NULL);

  channel = cl_card_channel_new (transport);
  if (!check_applet (channel, cancellable, error))
    return NULL;
  devaut = cl_schsm_read_file (channel, CL_SCHSM_FID_DEVAUT, cancellable, &local);
  if (devaut == NULL)
    return card_failed (error, local, "no certificate in EF.C_DevAut (2F02)"), NULL;
  data = g_bytes_get_data (devaut, &len);
  if (!(device = cl_cvc_new_from_data (data, len, &consumed, &local)))
    return card_failed (error, local, "EF.C_DevAut device certificate"), NULL;
  if (!(dica = cl_cvc_new_from_data (data + consumed, len - consumed, &dica_len, &local)))
    return card_failed (error, local, "EF.C_DevAut DICA certificate"), NULL;
  if (consumed + dica_len != len)
    return refuse (error, CL_ERROR_FAILED, "EF.C_DevAut holds %zu bytes after device and DICA certificates",
                   len - consumed - dica_len),
           NULL;
  if (!cl_cvc_verify_issued_by (dica, srca, CL_CVC_CURVE_NONE, &local))
    {
      refuse (error, CL_ERROR_SECURITY, "DICA %s was not issued by SRCA %s: %s", cl_cvc_get_chr (dica),
              cl_cvc_get_chr (srca), local->message);
      g_error_free (local);
      return NULL;
    }
  if (!cl_cvc_verify_issued_by (device, dica, cl_cvc_get_curve (dica), &local))
    {
      refuse (error, CL_ERROR_SECURITY, "device certificate %s was not issued by DICA %s: %s", cl_cvc_get_chr (device),
              cl_cvc_get_chr (dica), local->message);
      g_error_free (local);
      return NULL;
    }
  if (!check_key (channel, device, cancellable, error))
    return NULL;
  chr = cl_cvc_get_chr (device);
  identity->serial = cl_cvc_get_opensc_serial (device);
  if (identity->serial == NULL || strlen (chr) != strlen (identity->serial) + 5
      || strncmp (identity->serial, chr, strlen (identity->serial)) != 0)
    return refuse (error, CL_ERROR_FAILED, "serial %s does not derive from holder %s",
                   identity->serial != NULL ? identity->serial : "(none)", chr),
           NULL;
  identity->chr = g_strdup (chr);
  identity->dica = g_strdup (cl_cvc_get_chr (dica));
  return g_steal_pointer (&identity);
}
