#include "scp/cl-scp02.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp02-session.h"

typedef enum
{
  STATE_NEW,
  STATE_INITIALIZED,
  STATE_OPEN,
} State;

struct _ClScp02
{
  GObject parent_instance;

  ClKeySet *static_keys;
  ClScp02Session session;
  State state;
  guint8 level;
  guint8 host_challenge[8];
  guint8 kdd[10];
  guint8 card_kvn;
};

static void cl_scp02_sc_iface_init (ClSecureChannelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClScp02, cl_scp02, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_SECURE_CHANNEL, cl_scp02_sc_iface_init))

static ClApdu *
scp02_wrap (ClSecureChannel *sc, const ClApdu *plain, GError **error)
{
  ClScp02 *self = CL_SCP02 (sc);

  if (self->state != STATE_OPEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP02 channel is not open");
      return NULL;
    }
  return cl_scp02_session_wrap_command (&self->session, plain, FALSE, error);
}

static ClResponse *
scp02_unwrap (ClSecureChannel *sc, const ClResponse *response, GError **error)
{
  return cl_response_copy (response);
}

static gsize
scp02_max_plain_data (ClSecureChannel *sc, gsize max_wire_data)
{
  return cl_scp02_max_plain_data_within (CL_SCP02 (sc)->level, max_wire_data);
}

static void
cl_scp02_sc_iface_init (ClSecureChannelInterface *iface)
{
  iface->wrap = scp02_wrap;
  iface->unwrap = scp02_unwrap;
  iface->max_plain_data = scp02_max_plain_data;
}

static void
cl_scp02_finalize (GObject *object)
{
  ClScp02 *self = CL_SCP02 (object);

  cl_scp02_session_clear (&self->session);
  g_clear_object (&self->static_keys);
  G_OBJECT_CLASS (cl_scp02_parent_class)->finalize (object);
}

static void
cl_scp02_class_init (ClScp02Class *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_scp02_finalize;
}

static void
cl_scp02_init (ClScp02 *self)
{
}

ClScp02 *
cl_scp02_new (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error)
{
  g_autoptr (ClScp02) self = NULL;

  g_return_val_if_fail (CL_IS_KEY_SET (static_keys), NULL);
  if (cl_key_set_get_key_type (static_keys) != CL_KEY_TYPE_DES3 || cl_key_set_get_key_length (static_keys) != 16)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP02 needs a two-key 3DES key set");
      return NULL;
    }
  if (!cl_scp_level_is_valid (level, FALSE))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "SCP02 security level %02X is not supported", level);
      return NULL;
    }
  self = g_object_new (CL_TYPE_SCP02, NULL);
  self->static_keys = g_object_ref (static_keys);
  self->level = level;
  if (host_challenge)
    memcpy (self->host_challenge, host_challenge, 8);
  else if (!cl_random_bytes (self->host_challenge, 8, error))
    return NULL;
  return g_steal_pointer (&self);
}

ClApdu *
cl_scp02_initialize_update_apdu (ClScp02 *self, guint8 kvn)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), NULL);
  return cl_scp_initialize_update_apdu (kvn, self->host_challenge);
}

gboolean
cl_scp02_process_initialize_update (ClScp02 *self, const guint8 *data, gsize len, GError **error)
{
  guint8 expected[8];

  g_return_val_if_fail (CL_IS_SCP02 (self), FALSE);
  if (len != 28)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "INITIALIZE UPDATE response has %" G_GSIZE_FORMAT " bytes, expected 28 for SCP02", len);
      return FALSE;
    }
  if (data[11] != 0x02)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "Card answered INITIALIZE UPDATE for SCP%02X, not SCP02",
                   data[11]);
      return FALSE;
    }
  memcpy (self->kdd, data, 10);
  self->card_kvn = data[10];
  if (!cl_scp02_session_derive (&self->session, self->static_keys, self->host_challenge, data + 12, data + 14, error)
      || !cl_scp02_session_cryptogram (&self->session, TRUE, expected, error))
    return FALSE;
  if (!cl_memeq_const (expected, data + 20, 8))
    {
      cl_scp02_session_clear (&self->session);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "SCP02 card cryptogram does not verify: wrong keys (card key version %02X)", self->card_kvn);
      return FALSE;
    }
  self->state = STATE_INITIALIZED;
  return TRUE;
}

ClApdu *
cl_scp02_external_authenticate_apdu (ClScp02 *self, GError **error)
{
  guint8 host_cryptogram[8];
  g_autoptr (ClApdu) plain = NULL;
  ClApdu *wrapped;

  g_return_val_if_fail (CL_IS_SCP02 (self), NULL);
  if (self->state != STATE_INITIALIZED)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "EXTERNAL AUTHENTICATE needs a checked INITIALIZE UPDATE response first");
      return NULL;
    }
  if (!cl_scp02_session_cryptogram (&self->session, FALSE, host_cryptogram, error))
    return NULL;
  plain = cl_apdu_new (0x80, 0x82, self->level, 0x00, host_cryptogram, 8, 0);
  wrapped = cl_scp02_session_wrap_command (&self->session, plain, TRUE, error);
  if (wrapped == NULL)
    return NULL;
  self->session.level = self->level;
  self->state = STATE_OPEN;
  return wrapped;
}

static gboolean
handshake_process (ClSecureChannel *sc, const guint8 *data, gsize len, GError **error)
{
  return cl_scp02_process_initialize_update (CL_SCP02 (sc), data, len, error);
}

static ClApdu *
handshake_authenticate (ClSecureChannel *sc, GError **error)
{
  return cl_scp02_external_authenticate_apdu (CL_SCP02 (sc), error);
}

ClScp02 *
cl_scp02_open (ClCardChannel *channel, ClKeySet *static_keys, guint8 kvn, guint8 level, const guint8 *host_challenge,
               GCancellable *cancellable, GError **error)
{
  g_autoptr (ClScp02) self = NULL;

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (channel), NULL);
  self = cl_scp02_new (static_keys, level, host_challenge, error);
  if (self == NULL
      || !cl_scp_handshake (channel, CL_SECURE_CHANNEL (self), kvn, self->host_challenge, handshake_process,
                            handshake_authenticate, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

ClKeySet *
cl_scp02_get_static_keys (ClScp02 *self)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), NULL);
  return self->static_keys;
}

guint8
cl_scp02_get_level (ClScp02 *self)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), 0);
  return self->level;
}

guint8
cl_scp02_get_card_kvn (ClScp02 *self)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), 0);
  return self->card_kvn;
}

const guint8 *
cl_scp02_get_kdd (ClScp02 *self)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), NULL);
  return self->kdd;
}

guint16
cl_scp02_get_sequence_counter (ClScp02 *self)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), 0);
  return (guint16)((self->session.seq[0] << 8) | self->session.seq[1]);
}

const guint8 *
cl_scp02_get_session_dek (ClScp02 *self, gsize *len)
{
  g_return_val_if_fail (CL_IS_SCP02 (self), NULL);
  if (len)
    *len = self->state == STATE_NEW ? 0 : 16;
  return self->state == STATE_NEW ? NULL : self->session.s_dek;
}

static ClSecureChannel *
new_channel (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error)
{
  return (ClSecureChannel *)cl_scp02_new (static_keys, level, host_challenge, error);
}

ClScp02 *
cl_scp02_open_diversified (ClCardChannel *channel, ClScpKeysForKdd keys_for_kdd, gpointer user_data, guint8 kvn,
                           guint8 level, GCancellable *cancellable, GError **error)
{
  return CL_SCP02 (cl_scp_open_diversified (channel, kvn, level, keys_for_kdd, user_data, new_channel,
                                            handshake_process, handshake_authenticate, cancellable, error));
}
