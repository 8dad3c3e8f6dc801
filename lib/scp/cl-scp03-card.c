#include "scp/cl-scp03-card.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp03-session.h"

typedef enum
{
  STATE_IDLE,
  STATE_INITIALIZED,
  STATE_OPEN,
} State;

struct _ClScp03Card
{
  GObject parent_instance;

  ClKeySet *static_keys;
  guint8 kdd[10];
  guint8 i;
  GBytes *sd_aid;
  guint32 seq;
  gboolean have_next_challenge;
  guint8 next_challenge[8];
  ClScp03Session session;
  State state;
};

G_DEFINE_FINAL_TYPE (ClScp03Card, cl_scp03_card, G_TYPE_OBJECT)

static void
cl_scp03_card_finalize (GObject *object)
{
  ClScp03Card *self = CL_SCP03_CARD (object);

  cl_scp03_session_clear (&self->session);
  g_clear_object (&self->static_keys);
  g_clear_pointer (&self->sd_aid, g_bytes_unref);
  G_OBJECT_CLASS (cl_scp03_card_parent_class)->finalize (object);
}

static void
cl_scp03_card_class_init (ClScp03CardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_scp03_card_finalize;
}

static void
cl_scp03_card_init (ClScp03Card *self)
{
}

ClScp03Card *
cl_scp03_card_new (ClKeySet *static_keys, const guint8 kdd[10], guint8 i, const guint8 *sd_aid, gsize sd_aid_len)
{
  ClScp03Card *self;

  g_return_val_if_fail (CL_IS_KEY_SET (static_keys), NULL);
  self = g_object_new (CL_TYPE_SCP03_CARD, NULL);
  self->static_keys = g_object_ref (static_keys);
  memcpy (self->kdd, kdd, 10);
  self->i = i;
  self->sd_aid = g_bytes_new (sd_aid, sd_aid ? sd_aid_len : 0);
  return self;
}

void
cl_scp03_card_set_sequence_counter (ClScp03Card *self, guint32 seq)
{
  g_return_if_fail (CL_IS_SCP03_CARD (self));
  self->seq = seq & 0xFFFFFF;
}

guint32
cl_scp03_card_get_sequence_counter (ClScp03Card *self)
{
  g_return_val_if_fail (CL_IS_SCP03_CARD (self), 0);
  return self->seq;
}

void
cl_scp03_card_set_next_card_challenge (ClScp03Card *self, const guint8 challenge[8])
{
  g_return_if_fail (CL_IS_SCP03_CARD (self));
  memcpy (self->next_challenge, challenge, 8);
  self->have_next_challenge = TRUE;
}

void
cl_scp03_card_close (ClScp03Card *self)
{
  g_return_if_fail (CL_IS_SCP03_CARD (self));
  cl_scp03_session_clear (&self->session);
  self->state = STATE_IDLE;
}

gboolean
cl_scp03_card_is_open (ClScp03Card *self)
{
  g_return_val_if_fail (CL_IS_SCP03_CARD (self), FALSE);
  return self->state == STATE_OPEN;
}

guint8
cl_scp03_card_get_level (ClScp03Card *self)
{
  g_return_val_if_fail (CL_IS_SCP03_CARD (self), 0);
  return self->state == STATE_OPEN ? self->session.level : 0;
}

GBytes *
cl_scp03_card_initialize_update (ClScp03Card *self, const ClApdu *command, GError **error)
{
  const guint8 *host_challenge;
  guint8 kvn;
  gboolean pseudo = (self->i & CL_SCP03_I_PSEUDO_RANDOM) != 0;
  guint8 seq[3] = { self->seq >> 16, self->seq >> 8, self->seq };
  guint8 card_challenge[8];
  guint8 card_cryptogram[8];
  g_autoptr (GByteArray) out = NULL;

  g_return_val_if_fail (CL_IS_SCP03_CARD (self), NULL);
  cl_scp03_card_close (self);
  kvn = cl_key_set_get_version (self->static_keys);
  host_challenge = cl_scp_card_check_initialize_update (command, kvn, error);
  if (host_challenge == NULL)
    return NULL;

  if (self->have_next_challenge)
    memcpy (card_challenge, self->next_challenge, 8);
  else if (pseudo)
    {
      if (!cl_scp03_card_challenge (self->static_keys, seq, g_bytes_get_data (self->sd_aid, NULL),
                                    g_bytes_get_size (self->sd_aid), card_challenge, error))
        return NULL;
    }
  else if (!cl_random_bytes (card_challenge, 8, error))
    return NULL;
  self->have_next_challenge = FALSE;

  if (!cl_scp03_session_derive (&self->session, self->static_keys, host_challenge, card_challenge, error)
      || !cl_scp03_session_cryptogram (&self->session, CL_SCP03_DERIVE_CARD_CRYPTOGRAM, card_cryptogram, error))
    {
      cl_scp03_session_clear (&self->session);
      return NULL;
    }

  out = g_byte_array_sized_new (32);
  g_byte_array_append (out, self->kdd, 10);
  g_byte_array_append (out, (const guint8[]){ kvn, 0x03, self->i }, 3);
  g_byte_array_append (out, card_challenge, 8);
  g_byte_array_append (out, card_cryptogram, 8);
  if (pseudo)
    {
      g_byte_array_append (out, seq, 3);
      self->seq = (self->seq + 1) & 0xFFFFFF;
    }
  self->state = STATE_INITIALIZED;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cl_scp03_card_external_authenticate (ClScp03Card *self, const ClApdu *command, GError **error)
{
  g_autoptr (ClApdu) plain = NULL;
  guint8 expected[8];
  guint8 level = command->p1;

  g_return_val_if_fail (CL_IS_SCP03_CARD (self), FALSE);
  if (self->state != STATE_INITIALIZED)
    {
      cl_scp03_card_close (self);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "EXTERNAL AUTHENTICATE without INITIALIZE UPDATE");
      return FALSE;
    }
  if (!cl_scp_card_check_external_authenticate (command, TRUE, error))
    {
      cl_scp03_card_close (self);
      return FALSE;
    }
  plain = cl_scp03_session_unwrap_command (&self->session, command, TRUE, error);
  if (plain == NULL || !cl_scp03_session_cryptogram (&self->session, CL_SCP03_DERIVE_HOST_CRYPTOGRAM, expected, error))
    {
      cl_scp03_card_close (self);
      return FALSE;
    }
  if (!cl_memeq_const (expected, g_bytes_get_data (plain->data, NULL), 8))
    {
      cl_scp03_card_close (self);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "SCP03 host cryptogram does not verify");
      return FALSE;
    }
  self->session.level = level;
  self->session.counter = 0;
  self->state = STATE_OPEN;
  return TRUE;
}

ClApdu *
cl_scp03_card_unwrap_command (ClScp03Card *self, const ClApdu *wrapped, GError **error)
{
  ClApdu *plain;

  g_return_val_if_fail (CL_IS_SCP03_CARD (self), NULL);
  if (self->state != STATE_OPEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "No SCP03 session is open");
      return NULL;
    }
  plain = cl_scp03_session_unwrap_command (&self->session, wrapped, FALSE, error);
  if (plain == NULL)
    cl_scp03_card_close (self);
  return plain;
}

ClResponse *
cl_scp03_card_wrap_response (ClScp03Card *self, const ClResponse *plain, GError **error)
{
  g_return_val_if_fail (CL_IS_SCP03_CARD (self), NULL);
  if (self->state != STATE_OPEN)
    return cl_response_copy (plain);
  return cl_scp03_session_wrap_response (&self->session, plain, error);
}
