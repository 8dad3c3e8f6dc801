#include "scp/cl-scp03.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp03-session.h"

typedef enum
{
  STATE_NEW,
  STATE_INITIALIZED, /* INITIALIZE UPDATE answered and checked */
  STATE_OPEN,
} State;

struct _ClScp03
{
  GObject parent_instance;

  ClKeySet *static_keys;
  ClScp03Session session;
  State state;
  guint8 level;
  guint8 host_challenge[8];
  guint8 kdd[10];
  guint8 card_kvn;
  guint8 i;
  gint32 seq;
  GBytes *sd_aid;
};

static void cl_scp03_sc_iface_init (ClSecureChannelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClScp03, cl_scp03, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_SECURE_CHANNEL, cl_scp03_sc_iface_init))

static ClApdu *
scp03_wrap (ClSecureChannel *sc, const ClApdu *plain, GError **error)
{
  ClScp03 *self = CL_SCP03 (sc);

  if (self->state != STATE_OPEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP03 channel is not open");
      return NULL;
    }
  return cl_scp03_session_wrap_command (&self->session, plain, FALSE, error);
}

static ClResponse *
scp03_unwrap (ClSecureChannel *sc, const ClResponse *response, GError **error)
{
  ClScp03 *self = CL_SCP03 (sc);

  return cl_scp03_session_unwrap_response (&self->session, response, error);
}

/* What unwrap() of a response needs besides the session keys: the MAC chaining value (the R-MAC's input) and the
 * counter (R-ENC's ICV) of its command. */
typedef struct
{
  guint8 chain[16];
  guint32 counter;
} ResponseState;

static GBytes *
scp03_save_response_state (ClSecureChannel *sc)
{
  ClScp03 *self = CL_SCP03 (sc);
  ResponseState state;

  memcpy (state.chain, self->session.chain, sizeof state.chain);
  state.counter = self->session.counter;
  return g_bytes_new (&state, sizeof state);
}

static ClResponse *
scp03_unwrap_with_state (ClSecureChannel *sc, GBytes *saved, const ClResponse *response, GError **error)
{
  ClScp03 *self = CL_SCP03 (sc);
  ClScp03Session at_command = self->session;
  const ResponseState *state;
  ClResponse *plain;

  if (g_bytes_get_size (saved) != sizeof (ResponseState))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "not an SCP03 response state");
      return NULL;
    }
  state = g_bytes_get_data (saved, NULL);
  memcpy (at_command.chain, state->chain, sizeof at_command.chain);
  at_command.counter = state->counter;
  plain = cl_scp03_session_unwrap_response (&at_command, response, error);
  cl_wipe (&at_command, sizeof at_command);
  return plain;
}

static gsize
scp03_max_plain_data (ClSecureChannel *sc, gsize max_wire_data)
{
  return cl_scp03_max_plain_data_within (CL_SCP03 (sc)->level, max_wire_data);
}

static void
cl_scp03_sc_iface_init (ClSecureChannelInterface *iface)
{
  iface->wrap = scp03_wrap;
  iface->unwrap = scp03_unwrap;
  iface->max_plain_data = scp03_max_plain_data;
  iface->save_response_state = scp03_save_response_state;
  iface->unwrap_with_state = scp03_unwrap_with_state;
}

static void
cl_scp03_finalize (GObject *object)
{
  ClScp03 *self = CL_SCP03 (object);

  cl_scp03_session_clear (&self->session);
  g_clear_object (&self->static_keys);
  g_clear_pointer (&self->sd_aid, g_bytes_unref);
  G_OBJECT_CLASS (cl_scp03_parent_class)->finalize (object);
}

static void
cl_scp03_class_init (ClScp03Class *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_scp03_finalize;
}

static void
cl_scp03_init (ClScp03 *self)
{
  self->seq = -1;
}

ClScp03 *
cl_scp03_new (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error)
{
  g_autoptr (ClScp03) self = NULL;

  g_return_val_if_fail (CL_IS_KEY_SET (static_keys), NULL);
  if (cl_key_set_get_key_type (static_keys) != CL_KEY_TYPE_AES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP03 needs an AES key set");
      return NULL;
    }
  if (!cl_scp_level_is_valid (level, TRUE))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP03 security level %02X is not valid", level);
      return NULL;
    }
  self = g_object_new (CL_TYPE_SCP03, NULL);
  self->static_keys = g_object_ref (static_keys);
  self->level = level;
  if (host_challenge)
    memcpy (self->host_challenge, host_challenge, 8);
  else if (!cl_random_bytes (self->host_challenge, 8, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
cl_scp03_set_sd_aid (ClScp03 *self, const guint8 *aid, gsize len)
{
  g_return_if_fail (CL_IS_SCP03 (self));
  g_clear_pointer (&self->sd_aid, g_bytes_unref);
  if (aid && len)
    self->sd_aid = g_bytes_new (aid, len);
}

ClApdu *
cl_scp03_initialize_update_apdu (ClScp03 *self, guint8 kvn)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), NULL);
  return cl_scp_initialize_update_apdu (kvn, self->host_challenge);
}

gboolean
cl_scp03_process_initialize_update (ClScp03 *self, const guint8 *data, gsize len, GError **error)
{
  const guint8 *card_challenge, *card_cryptogram;
  guint8 expected[8];

  g_return_val_if_fail (CL_IS_SCP03 (self), FALSE);
  if (len != 29 && len != 32)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "INITIALIZE UPDATE response has %" G_GSIZE_FORMAT " bytes, expected 29 or 32 for SCP03", len);
      return FALSE;
    }
  if (data[11] != 0x03)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "Card answered INITIALIZE UPDATE for SCP%02X, not SCP03",
                   data[11]);
      return FALSE;
    }
  memcpy (self->kdd, data, 10);
  self->card_kvn = data[10];
  self->i = data[12];
  card_challenge = data + 13;
  card_cryptogram = data + 21;
  if ((self->i & CL_SCP03_I_PSEUDO_RANDOM) != (len == 32 ? CL_SCP03_I_PSEUDO_RANDOM : 0))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "INITIALIZE UPDATE response of %" G_GSIZE_FORMAT " bytes does not match i = %02X", len, self->i);
      return FALSE;
    }
  self->seq = len == 32 ? (gint32)((data[29] << 16) | (data[30] << 8) | data[31]) : -1;

  if (len == 32 && self->sd_aid)
    {
      if (!cl_scp03_card_challenge (self->static_keys, data + 29, g_bytes_get_data (self->sd_aid, NULL),
                                    g_bytes_get_size (self->sd_aid), expected, error))
        return FALSE;
      if (!cl_memeq_const (expected, card_challenge, 8))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                       "Card challenge is not the pseudo-random one of sequence counter %06X", (guint)self->seq);
          return FALSE;
        }
    }

  if (!cl_scp03_session_derive (&self->session, self->static_keys, self->host_challenge, card_challenge, error)
      || !cl_scp03_session_cryptogram (&self->session, CL_SCP03_DERIVE_CARD_CRYPTOGRAM, expected, error))
    return FALSE;
  if (!cl_memeq_const (expected, card_cryptogram, 8))
    {
      cl_scp03_session_clear (&self->session);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "SCP03 card cryptogram does not verify: wrong keys (card key version %02X)", self->card_kvn);
      return FALSE;
    }
  self->state = STATE_INITIALIZED;
  return TRUE;
}

ClApdu *
cl_scp03_external_authenticate_apdu (ClScp03 *self, GError **error)
{
  guint8 host_cryptogram[8];
  g_autoptr (ClApdu) plain = NULL;
  ClApdu *wrapped;

  g_return_val_if_fail (CL_IS_SCP03 (self), NULL);
  if (self->state != STATE_INITIALIZED)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "EXTERNAL AUTHENTICATE needs a checked INITIALIZE UPDATE response first");
      return NULL;
    }
  if (!cl_scp03_session_cryptogram (&self->session, CL_SCP03_DERIVE_HOST_CRYPTOGRAM, host_cryptogram, error))
    return NULL;
  plain = cl_apdu_new (0x80, 0x82, self->level, 0x00, host_cryptogram, 8, 0);
  wrapped = cl_scp03_session_wrap_command (&self->session, plain, TRUE, error);
  if (wrapped == NULL)
    return NULL;
  self->session.level = self->level;
  self->session.counter = 0;
  self->state = STATE_OPEN;
  return wrapped;
}

static gboolean
handshake_process (ClSecureChannel *sc, const guint8 *data, gsize len, GError **error)
{
  return cl_scp03_process_initialize_update (CL_SCP03 (sc), data, len, error);
}

static ClApdu *
handshake_authenticate (ClSecureChannel *sc, GError **error)
{
  return cl_scp03_external_authenticate_apdu (CL_SCP03 (sc), error);
}

ClScp03 *
cl_scp03_open (ClCardChannel *channel, ClKeySet *static_keys, guint8 kvn, guint8 level, const guint8 *host_challenge,
               GCancellable *cancellable, GError **error)
{
  g_autoptr (ClScp03) self = NULL;

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (channel), NULL);
  self = cl_scp03_new (static_keys, level, host_challenge, error);
  if (self == NULL
      || !cl_scp_handshake (channel, CL_SECURE_CHANNEL (self), kvn, self->host_challenge, handshake_process,
                            handshake_authenticate, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

ClKeySet *
cl_scp03_get_static_keys (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), NULL);
  return self->static_keys;
}

guint8
cl_scp03_get_level (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), 0);
  return self->level;
}

guint8
cl_scp03_get_i (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), 0);
  return self->i;
}

guint8
cl_scp03_get_card_kvn (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), 0);
  return self->card_kvn;
}

const guint8 *
cl_scp03_get_kdd (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), NULL);
  return self->kdd;
}

gint32
cl_scp03_get_sequence_counter (ClScp03 *self)
{
  g_return_val_if_fail (CL_IS_SCP03 (self), -1);
  return self->seq;
}

static ClSecureChannel *
new_channel (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error)
{
  return (ClSecureChannel *)cl_scp03_new (static_keys, level, host_challenge, error);
}

ClScp03 *
cl_scp03_open_diversified (ClCardChannel *channel, ClScpKeysForKdd keys_for_kdd, gpointer user_data, guint8 kvn,
                           guint8 level, GCancellable *cancellable, GError **error)
{
  return CL_SCP03 (cl_scp_open_diversified (channel, kvn, level, keys_for_kdd, user_data, new_channel,
                                            handshake_process, handshake_authenticate, cancellable, error));
}
