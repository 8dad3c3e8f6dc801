#include "cl-vcard-private.h"

#include <string.h>

#include "core/cl-error.h"

G_DEFINE_FINAL_TYPE (ClVcardSession, cl_vcard_session, G_TYPE_OBJECT)

static void
clear_volatile (ClVcardSession *self)
{
  self->selected = CL_VCARD_SELECTED_NONE;
  g_clear_pointer (&self->sm, cl_vcard_sm_free);
  g_clear_pointer (&self->load_aid, g_bytes_unref);
  g_clear_pointer (&self->load_data, g_byte_array_unref);
  g_clear_pointer (&self->schsm, cl_vcard_schsm_free);
  self->next_block = 0;
  self->status_sent = 0;
}

static void
cl_vcard_session_finalize (GObject *object)
{
  ClVcardSession *self = CL_VCARD_SESSION (object);

  clear_volatile (self);
  g_clear_object (&self->image);
  g_rand_free (self->rand);
  g_clear_error (&self->commit_error);
  G_OBJECT_CLASS (cl_vcard_session_parent_class)->finalize (object);
}

static void
cl_vcard_session_class_init (ClVcardSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_vcard_session_finalize;
}

static void
cl_vcard_session_init (ClVcardSession *self)
{
  self->rand = g_rand_new ();
  self->strict = g_strcmp0 (g_getenv ("CARDLINE_VCARD_STRICT"), "1") == 0;
}

void
cl_vcard_session_set_strict (ClVcardSession *self, gboolean strict)
{
  self->strict = strict;
}

gboolean
cl_vcard_session_get_strict (ClVcardSession *self)
{
  return self->strict;
}

ClVcardSession *
cl_vcard_session_new (ClVcardImage *image)
{
  ClVcardSession *self = g_object_new (CL_TYPE_VCARD_SESSION, NULL);

  self->image = g_object_ref (image);
  return self;
}

ClVcardImage *
cl_vcard_session_get_image (ClVcardSession *self)
{
  return self->image;
}

GBytes *
cl_vcard_session_reset (ClVcardSession *self)
{
  clear_volatile (self);
  self->apdu_count = 0;
  /* The ISD is the default application of a GP card: selected implicitly at reset. */
  self->selected = CL_VCARD_SELECTED_ISD;
  return g_bytes_ref (cl_vcard_image_get_atr (self->image));
}

gsize
cl_vcard_session_get_last_write_size (ClVcardSession *self)
{
  return self->last_write;
}

void
cl_vcard_session_set_random_seed (ClVcardSession *self, guint32 seed)
{
  g_rand_free (self->rand);
  self->rand = seed ? g_rand_new_with_seed (seed) : g_rand_new ();
}

void
cl_vcard_session_set_next_card_challenge (ClVcardSession *self, const guint8 challenge[8])
{
  self->fixed_challenge = TRUE;
  memcpy (self->next_challenge, challenge, 8);
}

gboolean
cl_vcard_session_take_commit_error (ClVcardSession *self, GError **error)
{
  if (self->commit_error == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&self->commit_error));
  return FALSE;
}

/* ---- helpers shared with the parts ---- */

ClResponse *
cl_vcard_sw (guint16 sw)
{
  return cl_response_new (NULL, 0, sw);
}

ClResponse *
cl_vcard_ok (const guint8 *data, gsize len)
{
  return cl_response_new (data, len, SW_OK);
}

ClResponse *
cl_vcard_ok_array (GByteArray *data)
{
  return cl_response_new (data->data, data->len, SW_OK);
}

void
cl_vcard_random (ClVcardSession *self, guint8 *out, gsize len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8)g_rand_int_range (self->rand, 0, 256);
}

void
cl_vcard_commit (ClVcardSession *self, gsize n)
{
  g_autoptr (GError) error = NULL;

  self->last_write += n;
  if (!cl_vcard_image_commit (self->image, &error) && self->commit_error == NULL)
    self->commit_error = g_steal_pointer (&error);
}

/* ---- dispatch ---- */

static gboolean
aid_matches (GBytes *aid, const guint8 *data, gsize len)
{
  gsize alen;
  const guint8 *a = g_bytes_get_data (aid, &alen);

  /* Partial selection by a prefix is allowed by ISO 7816-4 and used by tools (e.g. "A000000151"). */
  return len > 0 && len <= alen && memcmp (a, data, len) == 0;
}

static ClResponse *
select_by_name (ClVcardSession *self, const ClApdu *apdu)
{
  gsize len = 0;
  const guint8 *aid = apdu->data ? g_bytes_get_data (apdu->data, &len) : NULL;
  GPtrArray *applets = cl_vcard_image_get_applets (self->image);

  if (apdu->p2 != 0x00 && apdu->p2 != 0x04 && apdu->p2 != 0x0C)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (len == 0 || cl_vcard_isd_is_own_aid (self, aid, len))
    {
      clear_volatile (self);
      self->selected = CL_VCARD_SELECTED_ISD;
      return cl_vcard_isd_select_response (self);
    }
  if (cl_vcard_image_get_life_cycle (self->image) >= CL_VCARD_LC_CARD_LOCKED)
    return cl_vcard_sw (SW_FILE_NOT_FOUND);
  for (guint n = 0; n < applets->len; n++)
    {
      ClVcardApplet *a = applets->pdata[n];

      if (!aid_matches (a->aid, aid, len))
        continue;
      if (a->state != CL_VCARD_APP_SELECTABLE && a->state != 0x0F)
        return cl_vcard_sw (SW_FILE_NOT_FOUND);
      clear_volatile (self);
      if (a->load_file
          && cl_vcard_schsm_is_package (g_bytes_get_data (a->load_file, NULL), g_bytes_get_size (a->load_file)))
        {
          self->selected = CL_VCARD_SELECTED_SCHSM;
          self->schsm = cl_vcard_schsm_new (self);
          return cl_vcard_schsm_select (self->schsm);
        }
      self->selected = CL_VCARD_SELECTED_INERT;
      return cl_vcard_sw (SW_OK);
    }
  return cl_vcard_sw (SW_FILE_NOT_FOUND);
}

static ClResponse *
dispatch (ClVcardSession *self, const ClApdu *apdu)
{
  g_autoptr (ClApdu) plain = NULL;
  g_autoptr (ClResponse) response = NULL;
  g_autoptr (GError) error = NULL;
  gboolean secured = FALSE;
  guint8 cla = apdu->cla;

  if ((cla & 0x03) != 0 && cla != 0xFF)
    return cl_vcard_sw (SW_LC_NOT_SUPPORTED);
  if (cla != 0x00 && cla != 0x80 && cla != 0x84 && cla != 0x0C)
    return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);

  if (apdu->ins == 0xA4 && apdu->p1 == 0x04 && (cla & 0x80) == 0)
    return select_by_name (self, apdu);

  if (self->selected == CL_VCARD_SELECTED_SCHSM)
    return cl_vcard_schsm_process (self->schsm, apdu);
  if (self->selected == CL_VCARD_SELECTED_INERT)
    return cl_vcard_sw (SW_INS_NOT_SUPPORTED);
  if (self->selected != CL_VCARD_SELECTED_ISD)
    return cl_vcard_sw (SW_CONDITIONS);

  {
    guint16 refused = cl_vcard_strict_check_unsecured (self, apdu);
    if (refused != 0)
      return cl_vcard_sw (refused);
  }
  if (cla == 0x84 && apdu->ins != 0x82)
    {
      if (self->sm == NULL || !cl_vcard_sm_is_open (self->sm))
        return cl_vcard_sw (SW_SECURITY);
      plain = cl_vcard_sm_unwrap (self->sm, apdu, &error);
      if (plain == NULL)
        {
          g_debug ("vcard: secure messaging failed, channel closed: %s", error->message);
          g_clear_pointer (&self->sm, cl_vcard_sm_free);
          return cl_vcard_sw (SW_SECURITY);
        }
      secured = TRUE;
    }
  else if (cla == 0x0C)
    return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);
  else if (cla == 0x80 && self->sm != NULL && cl_vcard_sm_is_open (self->sm) && cl_vcard_sm_get_level (self->sm) == 0)
    {
      /* Level 00: authenticated, but the commands travel plain. */
      plain = cl_vcard_sm_unwrap (self->sm, apdu, &error);
      secured = plain != NULL;
    }

  response = cl_vcard_isd_process (self, plain ? plain : apdu, secured);

  /* R-MAC/R-ENC only on the responses of secured commands, as GP Amendment D specifies, and in SCP03 never on an
   * error status word: that goes back bare (§6.2.5), which is what real cards answer to every refusal. */
  if (secured && self->sm != NULL && cl_vcard_sm_is_open (self->sm)
      && (cl_vcard_sm_get_level (self->sm) & (CL_VCARD_SM_R_MAC | CL_VCARD_SM_R_ENC))
      && !(cl_vcard_sm_get_key_type (self->sm) == CL_KEY_TYPE_AES && cl_vcard_is_error_sw (response->sw)))
    {
      ClResponse *wrapped = cl_vcard_sm_wrap (self->sm, response, &error);
      if (wrapped == NULL)
        return cl_vcard_sw (SW_UNKNOWN);
      return wrapped;
    }
  return g_steal_pointer (&response);
}

/* A forged answer as a hostile or broken card gives it: the card cryptogram of INITIALIZE UPDATE (bytes 21..27 in
 * both SCP02 and SCP03 answers hold part of it), else the last data byte, which on a channel with R-MAC is the MAC. */
static void
corrupt_mac (ClResponse *response, guint8 ins)
{
  gsize len = g_bytes_get_size (response->data);
  g_autofree guint8 *data = NULL;
  gsize at;

  if (len == 0)
    return;
  at = ins == 0x50 && len >= 28 ? 21 : len - 1;
  data = g_memdup2 (g_bytes_get_data (response->data, NULL), len);
  data[at] ^= 0x01;
  g_bytes_unref (response->data);
  response->data = g_bytes_new_take (g_steal_pointer (&data), len);
}

GBytes *
cl_vcard_session_transmit (ClVcardSession *self, const guint8 *command, gsize len)
{
  ClVcardDefects *defects = cl_vcard_image_get_defects (self->image);
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClResponse) response = NULL;
  g_autoptr (GError) error = NULL;

  self->last_write = 0;
  self->apdu_count++;
  if (defects->mute)
    return NULL;
  if (defects->tear_after && self->apdu_count > defects->tear_after)
    return NULL;

  /* the card's I/O buffer: a longer command is refused whole, as ISO 7816-4 says (wrong length) */
  if (len > cl_vcard_image_get_max_command_length (self->image))
    {
      g_debug ("vcard: command of %zu bytes, longer than the %u this card takes", len,
               cl_vcard_image_get_max_command_length (self->image));
      response = cl_vcard_sw (SW_WRONG_LENGTH);
    }
  else if ((apdu = cl_apdu_parse (command, len, &error)) == NULL)
    {
      g_debug ("vcard: %s", error->message);
      response = cl_vcard_sw (SW_WRONG_LENGTH);
    }
  else if (defects->sw_ins >= 0 && apdu->ins == defects->sw_ins)
    response = cl_vcard_sw (defects->sw);
  else
    response = dispatch (self, apdu);
  if (defects->bad_mac_at && self->apdu_count == defects->bad_mac_at)
    corrupt_mac (response, apdu != NULL ? apdu->ins : 0);
  if (defects->bad_len_at && self->apdu_count == defects->bad_len_at)
    {
      GBytes *cut = g_bytes_new_from_bytes (response->data, 0, g_bytes_get_size (response->data) / 2);

      g_bytes_unref (response->data);
      response->data = cut;
    }
  return cl_response_encode (response);
}
