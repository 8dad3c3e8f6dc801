#include "scp/cl-scp02-card.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp02-session.h"

typedef enum
{
  STATE_IDLE,
  STATE_INITIALIZED,
  STATE_OPEN,
} State;

struct _ClScp02Card
{
  GObject parent_instance;

  ClKeySet *static_keys;
  guint8 kdd[10];
  guint16 seq;
  gboolean have_next_challenge;
  guint8 next_challenge[6];
  ClScp02Session session;
  State state;
};

G_DEFINE_FINAL_TYPE (ClScp02Card, cl_scp02_card, G_TYPE_OBJECT)

static void
cl_scp02_card_finalize (GObject *object)
{
  ClScp02Card *self = CL_SCP02_CARD (object);

  cl_scp02_session_clear (&self->session);
  g_clear_object (&self->static_keys);
  G_OBJECT_CLASS (cl_scp02_card_parent_class)->finalize (object);
}

static void
cl_scp02_card_class_init (ClScp02CardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_scp02_card_finalize;
}

static void
cl_scp02_card_init (ClScp02Card *self)
{
}

ClScp02Card *
cl_scp02_card_new (ClKeySet *static_keys, const guint8 kdd[10])
{
  ClScp02Card *self;

  g_return_val_if_fail (CL_IS_KEY_SET (static_keys), NULL);
  self = g_object_new (CL_TYPE_SCP02_CARD, NULL);
  self->static_keys = g_object_ref (static_keys);
  memcpy (self->kdd, kdd, 10);
  return self;
}

void
cl_scp02_card_set_sequence_counter (ClScp02Card *self, guint16 seq)
{
  g_return_if_fail (CL_IS_SCP02_CARD (self));
  self->seq = seq;
}

guint16
cl_scp02_card_get_sequence_counter (ClScp02Card *self)
{
  g_return_val_if_fail (CL_IS_SCP02_CARD (self), 0);
  return self->seq;
}

void
cl_scp02_card_set_next_card_challenge (ClScp02Card *self, const guint8 challenge[6])
{
  g_return_if_fail (CL_IS_SCP02_CARD (self));
  memcpy (self->next_challenge, challenge, 6);
  self->have_next_challenge = TRUE;
}

void
cl_scp02_card_close (ClScp02Card *self)
{
  g_return_if_fail (CL_IS_SCP02_CARD (self));
  cl_scp02_session_clear (&self->session);
  self->state = STATE_IDLE;
}

gboolean
cl_scp02_card_is_open (ClScp02Card *self)
{
  g_return_val_if_fail (CL_IS_SCP02_CARD (self), FALSE);
  return self->state == STATE_OPEN;
}

guint8
cl_scp02_card_get_level (ClScp02Card *self)
{
  g_return_val_if_fail (CL_IS_SCP02_CARD (self), 0);
  return self->state == STATE_OPEN ? self->session.level : 0;
}

const guint8 *
cl_scp02_card_get_session_dek (ClScp02Card *self)
{
  g_return_val_if_fail (CL_IS_SCP02_CARD (self), NULL);
  return self->state == STATE_IDLE ? NULL : self->session.s_dek;
}

GBytes *
cl_scp02_card_initialize_update (ClScp02Card *self, const ClApdu *command, GError **error)
{
  const guint8 *host_challenge;
  guint8 kvn;
  guint8 seq[2] = { self->seq >> 8, self->seq & 0xFF };
  guint8 card_challenge[6];
  guint8 card_cryptogram[8];
  g_autoptr (GByteArray) out = NULL;

  g_return_val_if_fail (CL_IS_SCP02_CARD (self), NULL);
  cl_scp02_card_close (self);
  kvn = cl_key_set_get_version (self->static_keys);
  host_challenge = cl_scp_card_check_initialize_update (command, kvn, error);
  if (host_challenge == NULL)
    return NULL;
  if (self->have_next_challenge)
    memcpy (card_challenge, self->next_challenge, 6);
  else if (!cl_random_bytes (card_challenge, 6, error))
    return NULL;
  self->have_next_challenge = FALSE;

  if (!cl_scp02_session_derive (&self->session, self->static_keys, host_challenge, seq, card_challenge, error)
      || !cl_scp02_session_cryptogram (&self->session, TRUE, card_cryptogram, error))
    {
      cl_scp02_session_clear (&self->session);
      return NULL;
    }
  out = g_byte_array_sized_new (28);
  g_byte_array_append (out, self->kdd, 10);
  g_byte_array_append (out, (const guint8[]){ kvn, 0x02 }, 2);
  g_byte_array_append (out, seq, 2);
  g_byte_array_append (out, card_challenge, 6);
  g_byte_array_append (out, card_cryptogram, 8);
  self->seq++;
  self->state = STATE_INITIALIZED;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cl_scp02_card_external_authenticate (ClScp02Card *self, const ClApdu *command, GError **error)
{
  g_autoptr (ClApdu) plain = NULL;
  guint8 expected[8];
  guint8 level = command->p1;

  g_return_val_if_fail (CL_IS_SCP02_CARD (self), FALSE);
  if (self->state != STATE_INITIALIZED)
    {
      cl_scp02_card_close (self);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "EXTERNAL AUTHENTICATE without INITIALIZE UPDATE");
      return FALSE;
    }
  if (!cl_scp_card_check_external_authenticate (command, FALSE, error))
    {
      cl_scp02_card_close (self);
      return FALSE;
    }
  plain = cl_scp02_session_unwrap_command (&self->session, command, TRUE, error);
  if (plain == NULL || !cl_scp02_session_cryptogram (&self->session, FALSE, expected, error))
    {
      cl_scp02_card_close (self);
      return FALSE;
    }
  if (!cl_memeq_const (expected, g_bytes_get_data (plain->data, NULL), 8))
    {
      cl_scp02_card_close (self);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "SCP02 host cryptogram does not verify");
      return FALSE;
    }
  self->session.level = level;
  self->state = STATE_OPEN;
  return TRUE;
}

ClApdu *
cl_scp02_card_unwrap_command (ClScp02Card *self, const ClApdu *wrapped, GError **error)
{
  ClApdu *plain;

  g_return_val_if_fail (CL_IS_SCP02_CARD (self), NULL);
  if (self->state != STATE_OPEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "No SCP02 session is open");
      return NULL;
    }
  plain = cl_scp02_session_unwrap_command (&self->session, wrapped, FALSE, error);
  if (plain == NULL)
    cl_scp02_card_close (self);
  return plain;
}

ClResponse *
cl_scp02_card_wrap_response (ClScp02Card *self, const ClResponse *plain, GError **error)
{
  g_return_val_if_fail (CL_IS_SCP02_CARD (self), NULL);
  return cl_response_copy (plain);
}
