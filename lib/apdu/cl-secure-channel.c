#include "apdu/cl-secure-channel.h"

#include "core/cl-error.h"

G_DEFINE_INTERFACE (ClSecureChannel, cl_secure_channel, G_TYPE_OBJECT)

static void
cl_secure_channel_default_init (ClSecureChannelInterface *iface)
{
}

ClApdu *
cl_secure_channel_wrap (ClSecureChannel *self, const ClApdu *plain, GError **error)
{
  g_return_val_if_fail (CL_IS_SECURE_CHANNEL (self), NULL);
  g_return_val_if_fail (plain != NULL, NULL);
  return CL_SECURE_CHANNEL_GET_IFACE (self)->wrap (self, plain, error);
}

ClResponse *
cl_secure_channel_unwrap (ClSecureChannel *self, const ClResponse *response, GError **error)
{
  g_return_val_if_fail (CL_IS_SECURE_CHANNEL (self), NULL);
  g_return_val_if_fail (response != NULL, NULL);
  return CL_SECURE_CHANNEL_GET_IFACE (self)->unwrap (self, response, error);
}

gsize
cl_secure_channel_max_plain_data (ClSecureChannel *self)
{
  return cl_secure_channel_max_plain_data_within (self, 255);
}

gsize
cl_secure_channel_max_plain_data_within (ClSecureChannel *self, gsize max_wire_data)
{
  g_return_val_if_fail (CL_IS_SECURE_CHANNEL (self), 0);
  return CL_SECURE_CHANNEL_GET_IFACE (self)->max_plain_data (self, max_wire_data);
}

gboolean
cl_secure_channel_can_defer_unwrap (ClSecureChannel *self)
{
  ClSecureChannelInterface *iface;

  g_return_val_if_fail (CL_IS_SECURE_CHANNEL (self), FALSE);
  iface = CL_SECURE_CHANNEL_GET_IFACE (self);
  return iface->save_response_state != NULL && iface->unwrap_with_state != NULL;
}

GBytes *
cl_secure_channel_save_response_state (ClSecureChannel *self)
{
  g_return_val_if_fail (cl_secure_channel_can_defer_unwrap (self), NULL);
  return CL_SECURE_CHANNEL_GET_IFACE (self)->save_response_state (self);
}

ClResponse *
cl_secure_channel_unwrap_with_state (ClSecureChannel *self, GBytes *state, const ClResponse *response,
                                     GError **error)
{
  g_return_val_if_fail (cl_secure_channel_can_defer_unwrap (self), NULL);
  g_return_val_if_fail (state != NULL && response != NULL, NULL);
  return CL_SECURE_CHANNEL_GET_IFACE (self)->unwrap_with_state (self, state, response, error);
}
