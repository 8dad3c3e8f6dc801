/* cl-secure-channel.h: secure messaging plugged into a ClCardChannel (SCP02, SCP03). */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

#define CL_TYPE_SECURE_CHANNEL (cl_secure_channel_get_type ())
G_DECLARE_INTERFACE (ClSecureChannel, cl_secure_channel, CL, SECURE_CHANNEL, GObject)

struct _ClSecureChannelInterface
{
  GTypeInterface parent_iface;

  /* Protects a plain command (MAC, encryption); advances the channel state. */
  ClApdu *(*wrap) (ClSecureChannel *self, const ClApdu *plain, GError **error);
  /* Verifies/decrypts a response to the command that wrap() produced last. */
  ClResponse *(*unwrap) (ClSecureChannel *self, const ClResponse *response, GError **error);
  /* Largest plain data length whose wrapped data field is at most max_wire_data bytes (255: one short APDU). */
  gsize (*max_plain_data) (ClSecureChannel *self, gsize max_wire_data);
  /* Optional, both or neither (commands sent together, answers checked when they arrive): right after wrap(), the
   * state that unwrap() of that command's response needs (a secret of the session: wipe it); and unwrap() of a
   * response with such a state instead of the channel's current one. The channel's own state is not changed. */
  GBytes *(*save_response_state) (ClSecureChannel *self);
  ClResponse *(*unwrap_with_state) (ClSecureChannel *self, GBytes *state, const ClResponse *response, GError **error);
};

ClApdu *cl_secure_channel_wrap (ClSecureChannel *self, const ClApdu *plain, GError **error);
ClResponse *cl_secure_channel_unwrap (ClSecureChannel *self, const ClResponse *response, GError **error);
/* Largest plain data length that still fits one short APDU after wrapping. */
gsize cl_secure_channel_max_plain_data (ClSecureChannel *self);
/* Largest plain data length whose wrapped data field is at most max_wire_data bytes (an extended-length card's). */
gsize cl_secure_channel_max_plain_data_within (ClSecureChannel *self, gsize max_wire_data);
/* Whether the channel can check responses out of step with its commands (the two optional functions above). */
gboolean cl_secure_channel_can_defer_unwrap (ClSecureChannel *self);
GBytes *cl_secure_channel_save_response_state (ClSecureChannel *self);
ClResponse *cl_secure_channel_unwrap_with_state (ClSecureChannel *self, GBytes *state, const ClResponse *response,
                                                 GError **error);

G_END_DECLS
