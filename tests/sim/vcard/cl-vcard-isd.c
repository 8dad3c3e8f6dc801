/* cl-vcard-isd.c: the issuer security domain (GlobalPlatform card manager) of the virtual card. */
#include "cl-vcard-private.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-key-set.h"
#include "crypto/cl-plain-key-set.h"
#include "tlv/cl-tlv.h"

/* A response must leave room for an 8-byte R-MAC inside a short APDU, as a real card's buffer would. */
#define STATUS_PAGE_MAX 239
#define LOAD_FILE_MAX   (64 * 1024)

static const guint8 isd_privileges[3] = { 0x9E, 0xFE, 0x80 };

static gsize
data_len (const ClApdu *apdu)
{
  return apdu->data ? g_bytes_get_size (apdu->data) : 0;
}

static const guint8 *
data_ptr (const ClApdu *apdu)
{
  return apdu->data ? g_bytes_get_data (apdu->data, NULL) : NULL;
}

/* Reads one length-prefixed field (INSTALL data); FALSE if it runs past the end. */
static gboolean
read_lv (const guint8 *d, gsize len, gsize *pos, const guint8 **value, gsize *vlen)
{
  if (*pos >= len || *pos + 1 + d[*pos] > len)
    return FALSE;
  *vlen = d[*pos];
  *value = d + *pos + 1;
  *pos += 1 + *vlen;
  return TRUE;
}

gboolean
cl_vcard_isd_is_own_aid (ClVcardSession *self, const guint8 *aid, gsize len)
{
  /* Tools name the ISD by either RID (GP's A0000001 51 or the older Visa A0000000 03); both mean this ISD. */
  static const guint8 gp_isd[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };
  static const guint8 visa_isd[] = { 0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00 };
  GBytes *own = cl_vcard_image_get_isd_aid (self->image);

  if (len == 0)
    return FALSE;
  return (len <= g_bytes_get_size (own) && memcmp (g_bytes_get_data (own, NULL), aid, len) == 0)
         || (len <= sizeof gp_isd && memcmp (gp_isd, aid, len) == 0)
         || (len <= sizeof visa_isd && memcmp (visa_isd, aid, len) == 0);
}

static gboolean
channel_open (ClVcardSession *self)
{
  return self->sm != NULL && cl_vcard_sm_is_open (self->sm);
}

ClResponse *
cl_vcard_isd_select_response (ClVcardSession *self)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  GBytes *aid = cl_vcard_image_get_isd_aid (self->image);
  gsize fci = cl_tlv_begin (out, 0x6F);
  gsize prop;
  guint max = cl_vcard_image_get_max_command_length (self->image);
  /* the longest data field it takes: a short command's 255, else an extended one's (7-byte header, 2-byte Le) */
  guint data_max = max > 261 ? MIN (max - 9, 65535) : 255;
  const guint8 max_len[] = { data_max >> 8, data_max & 0xFF };

  cl_tlv_append (out, 0x84, g_bytes_get_data (aid, NULL), g_bytes_get_size (aid));
  prop = cl_tlv_begin (out, 0xA5);
  if (data_max > 0xFF)
    cl_tlv_append (out, 0x9F65, max_len, 2);
  else
    cl_tlv_append (out, 0x9F65, max_len + 1, 1);
  cl_tlv_end (out, prop);
  cl_tlv_end (out, fci);
  return cl_vcard_ok_array (out);
}

/* ---- GET DATA ---- */

static void
append_oid (GByteArray *out, guint32 tag, const guint8 *oid, gsize len, const guint8 *extra, gsize extra_len)
{
  gsize mark = cl_tlv_begin (out, tag);
  gsize inner = cl_tlv_begin (out, 0x06);

  g_byte_array_append (out, oid, (guint)len);
  if (extra_len)
    g_byte_array_append (out, extra, (guint)extra_len);
  cl_tlv_end (out, inner);
  cl_tlv_end (out, mark);
}

static ClResponse *
get_data (ClVcardSession *self, const ClApdu *apdu)
{
  guint16 tag = (guint16)(apdu->p1 << 8 | apdu->p2);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  GBytes *b;

  switch (tag)
    {
      case 0x9F7F:
        b = cl_vcard_image_get_cplc (self->image);
        cl_tlv_append (out, 0x9F7F, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
        break;
      case 0x00CF:
        b = cl_vcard_image_get_kdd (self->image);
        cl_tlv_append (out, 0xCF, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
        break;
      case 0x0066:
        {
          static const guint8 gp_oid[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B };
          GPtrArray *sets = cl_vcard_image_get_key_sets (self->image);
          ClVcardKeys *k = sets->len ? sets->pdata[0] : NULL;
          guint8 scp[2] = { k ? k->scp : 3, k ? k->i : 0x70 };
          gsize card_data = cl_tlv_begin (out, 0x66);
          gsize rec = cl_tlv_begin (out, 0x73);
          gsize oid;

          oid = cl_tlv_begin (out, 0x06);
          g_byte_array_append (out, gp_oid, sizeof gp_oid);
          g_byte_array_append (out, (const guint8 *)"\x01", 1);
          cl_tlv_end (out, oid);
          append_oid (out, 0x60, gp_oid, sizeof gp_oid, (const guint8 *)"\x02\x02\x02\x01", 4);
          append_oid (out, 0x63, gp_oid, sizeof gp_oid, (const guint8 *)"\x03", 1);
          append_oid (out, 0x64, gp_oid, sizeof gp_oid, (const guint8[]){ 0x04, scp[0], scp[1] }, 3);
          cl_tlv_end (out, rec);
          cl_tlv_end (out, card_data);
          break;
        }
      case 0x00E0:
        {
          GPtrArray *sets = cl_vcard_image_get_key_sets (self->image);
          gsize mark = cl_tlv_begin (out, 0xE0);

          for (guint n = 0; n < sets->len; n++)
            {
              ClVcardKeys *k = sets->pdata[n];
              for (guint8 id = 1; id <= 3; id++)
                {
                  guint8 info[4]
                    = { id, k->version, k->type == CL_KEY_TYPE_AES ? 0x88 : 0x80, (guint8)g_bytes_get_size (k->enc) };
                  cl_tlv_append (out, 0xC0, info, sizeof info);
                }
            }
          cl_tlv_end (out, mark);
          break;
        }
      default:
        return cl_vcard_sw (SW_REF_NOT_FOUND);
    }
  return cl_vcard_ok_array (out);
}

/* ---- INITIALIZE UPDATE / EXTERNAL AUTHENTICATE ---- */

static ClResponse *
initialize_update (ClVcardSession *self, const ClApdu *apdu)
{
  GPtrArray *sets = cl_vcard_image_get_key_sets (self->image);
  ClVcardKeys *keys;
  g_autoptr (GError) error = NULL;
  ClResponse *response = NULL;

  g_clear_pointer (&self->sm, cl_vcard_sm_free);
  if (apdu->p2 != 0x00)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (data_len (apdu) != 8)
    return cl_vcard_sw (SW_WRONG_LENGTH);
  if (cl_vcard_image_get_life_cycle (self->image) == CL_VCARD_LC_TERMINATED)
    return cl_vcard_sw (SW_CONDITIONS);
  keys = apdu->p1 == 0 ? (sets->len ? sets->pdata[0] : NULL) : cl_vcard_image_find_keys (self->image, apdu->p1);
  if (keys == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);

  self->sm = cl_vcard_sm_begin (keys, cl_vcard_image_get_kdd (self->image), cl_vcard_image_get_isd_aid (self->image),
                                apdu, cl_vcard_image_get_defects (self->image)->wrong_kst,
                                self->fixed_challenge ? self->next_challenge : NULL, &response, &error);
  self->fixed_challenge = FALSE;
  if (self->sm == NULL)
    {
      g_debug ("vcard: INITIALIZE UPDATE: %s", error->message);
      return cl_vcard_sw (SW_UNKNOWN);
    }
  /* The sequence counter is persistent: pseudo-random challenges must never repeat across insertions. */
  cl_vcard_commit (self, 3);
  return response;
}

static ClResponse *
external_authenticate (ClVcardSession *self, const ClApdu *apdu)
{
  g_autoptr (GError) error = NULL;

  if (apdu->cla != 0x84)
    return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);
  if (self->sm == NULL || cl_vcard_sm_is_open (self->sm))
    return cl_vcard_sw (SW_CONDITIONS);
  {
    guint16 refused = cl_vcard_strict_check_level (self, apdu->p1);
    if (refused != 0)
      {
        g_clear_pointer (&self->sm, cl_vcard_sm_free);
        return cl_vcard_sw (refused);
      }
  }
  if (!cl_vcard_sm_authenticate (self->sm, apdu, &error))
    {
      g_debug ("vcard: EXTERNAL AUTHENTICATE: %s", error->message);
      g_clear_pointer (&self->sm, cl_vcard_sm_free);
      if (g_error_matches (error, CL_ERROR, CL_ERROR_SECURITY))
        return cl_vcard_sw (SW_AUTH_FAILED);
      return cl_vcard_sw (g_error_matches (error, CL_ERROR, CL_ERROR_MALFORMED) ? SW_WRONG_LENGTH : SW_WRONG_P1P2);
    }
  return cl_vcard_sw (SW_OK);
}

/* ---- GET STATUS ---- */

static void
append_entry (GByteArray *out, gboolean tlv, GBytes *aid, guint8 state, const guint8 privileges[3], GBytes *load_file,
              GPtrArray *modules)
{
  gsize alen, mark;
  const guint8 *a = g_bytes_get_data (aid, &alen);

  if (!tlv)
    {
      guint8 hdr = (guint8)alen;
      g_byte_array_append (out, &hdr, 1);
      g_byte_array_append (out, a, (guint)alen);
      g_byte_array_append (out, &state, 1);
      g_byte_array_append (out, privileges ? privileges : (const guint8 *)"\x00", 1);
      if (modules)
        {
          hdr = (guint8)modules->len;
          g_byte_array_append (out, &hdr, 1);
          for (guint m = 0; m < modules->len; m++)
            {
              gsize mlen;
              const guint8 *md = g_bytes_get_data (modules->pdata[m], &mlen);
              hdr = (guint8)mlen;
              g_byte_array_append (out, &hdr, 1);
              g_byte_array_append (out, md, (guint)mlen);
            }
        }
      return;
    }
  mark = cl_tlv_begin (out, 0xE3);
  cl_tlv_append (out, 0x4F, a, alen);
  cl_tlv_append (out, 0x9F70, &state, 1);
  if (privileges)
    cl_tlv_append (out, 0xC5, privileges, 3);
  if (load_file)
    cl_tlv_append (out, 0xC4, g_bytes_get_data (load_file, NULL), g_bytes_get_size (load_file));
  for (guint m = 0; modules && m < modules->len; m++)
    cl_tlv_append (out, 0x84, g_bytes_get_data (modules->pdata[m], NULL), g_bytes_get_size (modules->pdata[m]));
  cl_tlv_end (out, mark);
}

static gboolean
aid_has_prefix (GBytes *aid, const guint8 *prefix, gsize len)
{
  return g_bytes_get_size (aid) >= len && memcmp (g_bytes_get_data (aid, NULL), prefix, len) == 0;
}

static ClResponse *
get_status (ClVcardSession *self, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu);
  gboolean tlv = (apdu->p2 & 0x02) != 0;
  gboolean next = (apdu->p2 & 0x01) != 0;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify)g_byte_array_unref);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  ClTlv filter;
  gsize pos = 0;
  guint index;

  if ((apdu->p2 & ~0x03) != 0 || (apdu->p1 != 0x80 && apdu->p1 != 0x40 && apdu->p1 != 0x20 && apdu->p1 != 0x10))
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (d == NULL || !cl_tlv_read (d, len, &pos, &filter, NULL) || filter.tag != 0x4F)
    return cl_vcard_sw (SW_WRONG_DATA);
  if (next && (self->status_sent == 0 || self->status_p1 != apdu->p1))
    return cl_vcard_sw (SW_CONDITIONS);

  /* Each entry is built whole, so that paging splits between entries, never inside one. */
  if (apdu->p1 == 0x80)
    {
      GByteArray *e = g_byte_array_new ();
      if (aid_has_prefix (cl_vcard_image_get_isd_aid (self->image), filter.value, filter.len))
        {
          append_entry (e, tlv, cl_vcard_image_get_isd_aid (self->image), cl_vcard_image_get_life_cycle (self->image),
                        isd_privileges, NULL, NULL);
          g_ptr_array_add (entries, e);
        }
      else
        g_byte_array_unref (e);
    }
  else if (apdu->p1 == 0x40)
    {
      GPtrArray *apps = cl_vcard_image_get_applets (self->image);
      for (guint n = 0; n < apps->len; n++)
        {
          ClVcardApplet *a = apps->pdata[n];
          GByteArray *e;
          if (!aid_has_prefix (a->aid, filter.value, filter.len))
            continue;
          e = g_byte_array_new ();
          append_entry (e, tlv, a->aid, a->state, a->privileges, a->load_file, NULL);
          g_ptr_array_add (entries, e);
        }
    }
  else
    {
      GPtrArray *files = cl_vcard_image_get_load_files (self->image);
      for (guint n = 0; n < files->len; n++)
        {
          ClVcardLoadFile *f = files->pdata[n];
          GByteArray *e;
          if (!aid_has_prefix (f->aid, filter.value, filter.len))
            continue;
          e = g_byte_array_new ();
          append_entry (e, tlv, f->aid, f->state, NULL, NULL, apdu->p1 == 0x10 ? f->modules : NULL);
          g_ptr_array_add (entries, e);
        }
    }

  index = next ? self->status_sent : 0;
  if (entries->len == 0 || index >= entries->len)
    {
      self->status_sent = 0;
      return cl_vcard_sw (SW_REF_NOT_FOUND);
    }
  for (; index < entries->len; index++)
    {
      GByteArray *e = entries->pdata[index];
      if (out->len > 0 && out->len + e->len > STATUS_PAGE_MAX)
        break;
      g_byte_array_append (out, e->data, e->len);
    }
  if (index < entries->len)
    {
      self->status_p1 = apdu->p1;
      self->status_sent = index;
      return cl_response_new (out->data, out->len, SW_MORE_DATA);
    }
  self->status_sent = 0;
  return cl_vcard_ok_array (out);
}

/* ---- PUT KEY ---- */

static ClResponse *
put_key (ClVcardSession *self, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu);
  guint8 old_version = apdu->p1 & 0x7F;
  ClKeyType type = cl_vcard_sm_get_key_type (self->sm);
  guint8 wire_type = type == CL_KEY_TYPE_AES ? 0x88 : 0x80;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (ClVcardKeys) new_keys = NULL;
  ClVcardKeys *session_keys;
  guint8 new_version;
  gsize pos = 1;

  if (apdu->p2 != 0x81)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (len < 1 || d[0] == 0 || d[0] > 0x7F)
    return cl_vcard_sw (SW_WRONG_DATA);
  new_version = d[0];
  if (old_version != 0 && cl_vcard_image_find_keys (self->image, old_version) == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (old_version != new_version && cl_vcard_image_find_keys (self->image, new_version) != NULL)
    return cl_vcard_sw (SW_WRONG_DATA);

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr (GError) error = NULL;
      const guint8 *block;
      gsize blen, klen;
      guint8 kcv_len;
      guint16 refused;
      gboolean inner = FALSE;

      if (pos + 2 > len || d[pos] != wire_type || pos + 2 + d[pos + 1] + 1 > len)
        return cl_vcard_sw (SW_WRONG_DATA);
      blen = d[pos + 1];
      block = d + pos + 2;
      klen = blen;
      /* "88 11 10 <16>" carries the key length inside; some hosts send "88 10 <16>" (switchable there). */
      if (type == CL_KEY_TYPE_AES && blen % 16 == 1)
        {
          klen = block[0];
          block++, blen--;
          inner = TRUE;
        }
      if (blen == 0 || blen % (type == CL_KEY_TYPE_AES ? 16 : 8) != 0 || klen > blen)
        return cl_vcard_sw (SW_WRONG_DATA);
      {
        g_autoptr (GBytes) key = cl_vcard_sm_decrypt_key (self->sm, block, blen, &error);
        if (key == NULL)
          return cl_vcard_sw (SW_WRONG_DATA);
        g_ptr_array_add (keys, g_bytes_new_from_bytes (key, 0, klen));
      }
      pos += 2 + d[pos + 1];
      kcv_len = d[pos];
      if (pos + 1 + kcv_len > len || (kcv_len != 0 && kcv_len != 3))
        return cl_vcard_sw (SW_WRONG_DATA);
      refused = cl_vcard_strict_check_key_component (self, inner, kcv_len);
      if (refused != 0)
        return cl_vcard_sw (refused);
      pos += 1 + kcv_len;
    }
  if (pos != len || g_bytes_get_size (keys->pdata[1]) != g_bytes_get_size (keys->pdata[0])
      || g_bytes_get_size (keys->pdata[2]) != g_bytes_get_size (keys->pdata[0]))
    return cl_vcard_sw (SW_WRONG_DATA);

  session_keys = cl_vcard_image_find_keys (self->image, cl_vcard_sm_get_key_version (self->sm));
  new_keys = cl_vcard_keys_new (new_version, type, keys->pdata[0], keys->pdata[1], keys->pdata[2],
                                session_keys ? session_keys->scp : 3, session_keys ? session_keys->i : 0x70);

  /* Check the KCVs the host sent against the decrypted keys: a wrong DEK shows up here. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ClKeySet) set = cl_plain_key_set_new (
      type, new_version, g_bytes_get_data (keys->pdata[0], NULL), g_bytes_get_data (keys->pdata[1], NULL),
      g_bytes_get_data (keys->pdata[2], NULL), g_bytes_get_size (keys->pdata[0]), &error);
    gsize p = 1;

    if (set == NULL)
      return cl_vcard_sw (SW_WRONG_DATA);
    g_byte_array_append (out, &new_version, 1);
    for (guint k = 0; k < 3; k++)
      {
        guint8 kcv[3];
        gsize blen = d[p + 1];
        guint8 kcv_len = d[p + 2 + blen];

        if (!cl_key_set_check_value (set, (ClKeyRole)(k + 1), kcv, &error))
          return cl_vcard_sw (SW_UNKNOWN);
        if (kcv_len == 3 && memcmp (kcv, d + p + 3 + blen, 3) != 0)
          return cl_vcard_sw (SW_WRONG_DATA);
        g_byte_array_append (out, kcv, 3);
        p += 3 + blen + kcv_len;
      }
  }

  if (old_version != 0 && old_version != new_version)
    cl_vcard_image_remove_keys (self->image, old_version);
  cl_vcard_image_put_keys (self->image, g_steal_pointer (&new_keys));
  cl_vcard_commit (self, 3 * g_bytes_get_size (keys->pdata[0]) + 8);
  return cl_vcard_ok_array (out);
}

/* ---- INSTALL / LOAD / DELETE ---- */

static ClResponse *
install_for_load (ClVcardSession *self, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu), *aid, *sd, *hash, *params, *token;
  gsize len = data_len (apdu), pos = 0, aid_len, sd_len, hash_len, params_len, token_len;

  if (!read_lv (d, len, &pos, &aid, &aid_len) || !read_lv (d, len, &pos, &sd, &sd_len)
      || !read_lv (d, len, &pos, &hash, &hash_len) || !read_lv (d, len, &pos, &params, &params_len)
      || !read_lv (d, len, &pos, &token, &token_len) || pos != len || aid_len < 5 || aid_len > 16)
    return cl_vcard_sw (SW_WRONG_DATA);
  if (sd_len != 0 && !cl_vcard_isd_is_own_aid (self, sd, sd_len))
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (cl_vcard_image_find_load_file (self->image, aid, aid_len) != NULL
      || cl_vcard_image_find_applet (self->image, aid, aid_len) != NULL)
    return cl_vcard_sw (SW_CONDITIONS);

  g_clear_pointer (&self->load_aid, g_bytes_unref);
  g_clear_pointer (&self->load_data, g_byte_array_unref);
  self->load_aid = g_bytes_new (aid, aid_len);
  self->load_data = g_byte_array_new ();
  self->next_block = 0;
  return cl_vcard_ok ((const guint8 *)"\x00", 1);
}

static gboolean
instantiate (ClVcardSession *self, ClVcardApplet *applet)
{
  if (applet->load_file
      && cl_vcard_schsm_is_package (g_bytes_get_data (applet->load_file, NULL), g_bytes_get_size (applet->load_file)))
    cl_vcard_schsm_erase (self->image); /* a fresh instance starts uninitialised */
  return TRUE;
}

static ClResponse *
install_for_install (ClVcardSession *self, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu), *lf, *mod, *inst, *priv, *params, *token;
  gsize len = data_len (apdu), pos = 0, lf_len, mod_len, inst_len, priv_len, params_len, token_len;
  guint8 privileges[3] = { 0 };
  ClVcardLoadFile *file;
  ClVcardApplet *applet;
  gboolean install = (apdu->p1 & 0x04) != 0;
  gboolean selectable = (apdu->p1 & 0x08) != 0;

  if (!read_lv (d, len, &pos, &lf, &lf_len) || !read_lv (d, len, &pos, &mod, &mod_len)
      || !read_lv (d, len, &pos, &inst, &inst_len) || !read_lv (d, len, &pos, &priv, &priv_len)
      || !read_lv (d, len, &pos, &params, &params_len) || !read_lv (d, len, &pos, &token, &token_len) || pos != len
      || (priv_len != 1 && priv_len != 3) || inst_len < 5 || inst_len > 16)
    return cl_vcard_sw (SW_WRONG_DATA);
  memcpy (privileges, priv, priv_len);

  if (!install)
    {
      /* make selectable only: the instance exists already */
      applet = cl_vcard_image_find_applet (self->image, inst, inst_len);
      if (applet == NULL)
        return cl_vcard_sw (SW_REF_NOT_FOUND);
      if (applet->state != CL_VCARD_APP_INSTALLED)
        return cl_vcard_sw (SW_CONDITIONS);
      applet->state = CL_VCARD_APP_SELECTABLE;
      memcpy (applet->privileges, privileges, 3);
      cl_vcard_commit (self, 4);
      return cl_vcard_ok ((const guint8 *)"\x00", 1);
    }

  file = cl_vcard_image_find_load_file (self->image, lf, lf_len);
  if (file == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (file->modules->len > 0)
    {
      gboolean found = FALSE;
      for (guint m = 0; m < file->modules->len && !found; m++)
        found = g_bytes_get_size (file->modules->pdata[m]) == mod_len
                && memcmp (g_bytes_get_data (file->modules->pdata[m], NULL), mod, mod_len) == 0;
      if (!found)
        return cl_vcard_sw (SW_REF_NOT_FOUND);
    }
  if (cl_vcard_image_find_applet (self->image, inst, inst_len) != NULL
      || cl_vcard_image_find_load_file (self->image, inst, inst_len) != NULL
      || cl_vcard_isd_is_own_aid (self, inst, inst_len))
    return cl_vcard_sw (SW_CONDITIONS);

  {
    g_autoptr (GBytes) module = g_bytes_new (mod, mod_len);
    applet = cl_vcard_image_add_applet (self->image, inst, inst_len, file->aid, module,
                                        selectable ? CL_VCARD_APP_SELECTABLE : CL_VCARD_APP_INSTALLED, privileges);
  }
  instantiate (self, applet);
  cl_vcard_commit (self, 32 + inst_len);
  return cl_vcard_ok ((const guint8 *)"\x00", 1);
}

static ClResponse *
load (ClVcardSession *self, const ClApdu *apdu)
{
  ClVcardDefects *defects = cl_vcard_image_get_defects (self->image);
  g_autoptr (GPtrArray) modules = NULL;
  g_autoptr (GBytes) package = NULL;
  g_autoptr (GError) error = NULL;
  ClVcardLoadFile *file;
  gboolean last = apdu->p1 == 0x80;

  if (self->load_data == NULL)
    return cl_vcard_sw (SW_CONDITIONS);
  if ((apdu->p1 != 0x00 && apdu->p1 != 0x80) || apdu->p2 != (self->next_block & 0xFF))
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (defects->sw_load_block >= 0 && (guint)defects->sw_load_block == self->next_block)
    {
      g_clear_pointer (&self->load_data, g_byte_array_unref);
      return cl_vcard_sw (defects->sw);
    }
  if (self->load_data->len + data_len (apdu) > LOAD_FILE_MAX)
    {
      g_clear_pointer (&self->load_data, g_byte_array_unref);
      return cl_vcard_sw (SW_NOT_ENOUGH_MEMORY);
    }
  if (data_len (apdu))
    g_byte_array_append (self->load_data, data_ptr (apdu), (guint)data_len (apdu));
  self->next_block++;
  self->last_write += data_len (apdu);
  if (!last)
    return cl_vcard_ok ((const guint8 *)"\x00", 1);

  modules = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  if (!cl_vcard_lfdb_validate (self->load_data->data, self->load_data->len, &package, modules, &error))
    {
      g_debug ("vcard: LOAD: %s", error->message);
      g_clear_pointer (&self->load_data, g_byte_array_unref);
      return cl_vcard_sw (SW_WRONG_DATA);
    }
  file = cl_vcard_image_add_load_file (self->image, g_bytes_get_data (self->load_aid, NULL),
                                       g_bytes_get_size (self->load_aid));
  for (guint m = 0; m < modules->len; m++)
    g_ptr_array_add (file->modules, g_bytes_ref (modules->pdata[m]));
  g_clear_pointer (&self->load_data, g_byte_array_unref);
  g_clear_pointer (&self->load_aid, g_bytes_unref);
  cl_vcard_commit (self, 16);
  return cl_vcard_ok ((const guint8 *)"\x00", 1);
}

static ClResponse *delete (ClVcardSession *self, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu), pos = 0;
  gboolean related = apdu->p2 == 0x80;
  GPtrArray *apps = cl_vcard_image_get_applets (self->image);
  ClVcardLoadFile *file;
  ClVcardApplet *applet;
  ClTlv aid;

  if (apdu->p1 != 0x00 || (apdu->p2 != 0x00 && apdu->p2 != 0x80))
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (d == NULL || !cl_tlv_read (d, len, &pos, &aid, NULL) || aid.tag != 0x4F || aid.len < 5 || aid.len > 16)
    return cl_vcard_sw (SW_WRONG_DATA);
  if (cl_vcard_isd_is_own_aid (self, aid.value, aid.len))
    return cl_vcard_sw (SW_CONDITIONS);

  applet = cl_vcard_image_find_applet (self->image, aid.value, aid.len);
  if (applet != NULL)
    {
      if (applet->load_file
          && cl_vcard_schsm_is_package (g_bytes_get_data (applet->load_file, NULL),
                                        g_bytes_get_size (applet->load_file)))
        cl_vcard_schsm_erase (self->image);
      cl_vcard_image_remove_applet (self->image, applet);
      cl_vcard_commit (self, 16);
      return cl_vcard_ok ((const guint8 *)"\x00", 1);
    }
  file = cl_vcard_image_find_load_file (self->image, aid.value, aid.len);
  if (file == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  for (guint n = 0; n < apps->len; n++)
    {
      ClVcardApplet *a = apps->pdata[n];
      if (a->load_file == NULL || !g_bytes_equal (a->load_file, file->aid))
        continue;
      if (!related)
        return cl_vcard_sw (SW_CONDITIONS);
      if (cl_vcard_schsm_is_package (g_bytes_get_data (a->load_file, NULL), g_bytes_get_size (a->load_file)))
        cl_vcard_schsm_erase (self->image);
      cl_vcard_image_remove_applet (self->image, a);
      n--;
    }
  cl_vcard_image_remove_load_file (self->image, file);
  cl_vcard_commit (self, 16);
  return cl_vcard_ok ((const guint8 *)"\x00", 1);
}

/* ---- SET STATUS / STORE DATA ---- */

static gboolean
card_transition_allowed (guint8 from, guint8 to)
{
  if (to == CL_VCARD_LC_TERMINATED)
    return TRUE;
  switch (from)
    {
      case CL_VCARD_LC_OP_READY:
        return to == CL_VCARD_LC_INITIALIZED || to == CL_VCARD_LC_SECURED;
      case CL_VCARD_LC_INITIALIZED:
        return to == CL_VCARD_LC_SECURED;
      case CL_VCARD_LC_SECURED:
        return to == CL_VCARD_LC_CARD_LOCKED;
      case CL_VCARD_LC_CARD_LOCKED:
        return to == CL_VCARD_LC_SECURED;
      default:
        return FALSE;
    }
}

static ClResponse *
set_status (ClVcardSession *self, const ClApdu *apdu)
{
  guint8 to = apdu->p2;

  if (apdu->p1 == 0x80)
    {
      guint8 unused;
      if (!cl_vcard_life_cycle_from_string (cl_vcard_life_cycle_to_string (to), &unused))
        return cl_vcard_sw (SW_WRONG_P1P2);
      if (!card_transition_allowed (cl_vcard_image_get_life_cycle (self->image), to))
        return cl_vcard_sw (SW_CONDITIONS);
      cl_vcard_image_set_life_cycle (self->image, to);
      cl_vcard_commit (self, 1);
      return cl_vcard_sw (SW_OK);
    }
  if (apdu->p1 == 0x40)
    {
      ClVcardApplet *applet;
      if (data_len (apdu) < 5)
        return cl_vcard_sw (SW_WRONG_DATA);
      applet = cl_vcard_image_find_applet (self->image, data_ptr (apdu), data_len (apdu));
      if (applet == NULL)
        return cl_vcard_sw (SW_REF_NOT_FOUND);
      if (to == 0x80 || to == CL_VCARD_APP_LOCKED)
        applet->state |= 0x80;
      else if ((applet->state & 0x80) && (to == 0x00 || to == CL_VCARD_APP_SELECTABLE))
        applet->state &= 0x7F;
      else if (to > applet->state && (to & 0x07) == 0x07 && !(to & 0x80) && !(applet->state & 0x80))
        applet->state = to; /* application-specific states, only forward */
      else
        return cl_vcard_sw (SW_CONDITIONS);
      cl_vcard_commit (self, 1);
      return cl_vcard_sw (SW_OK);
    }
  return cl_vcard_sw (SW_WRONG_P1P2);
}

static ClResponse *
store_data (ClVcardSession *self, const ClApdu *apdu)
{
  if (data_len (apdu) == 0)
    return cl_vcard_sw (SW_WRONG_LENGTH);
  cl_vcard_image_add_store_data (self->image, data_ptr (apdu), data_len (apdu));
  cl_vcard_commit (self, data_len (apdu));
  return cl_vcard_sw (SW_OK);
}

/* ---- dispatch ---- */

ClResponse *
cl_vcard_isd_process (ClVcardSession *self, const ClApdu *apdu, gboolean secured)
{
  guint8 life_cycle = cl_vcard_image_get_life_cycle (self->image);
  gboolean proprietary = (apdu->cla & 0x80) != 0;

  /* Commands that GP allows without a secure channel */
  switch (apdu->ins)
    {
      case 0xCA:
        return get_data (self, apdu);
      case 0x50:
        if (!proprietary)
          return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);
        return initialize_update (self, apdu);
      case 0x82:
        return external_authenticate (self, apdu);
      case 0xF2:
      case 0xD8:
      case 0xE6:
      case 0xE8:
      case 0xE4:
      case 0xF0:
      case 0xE2:
        break;
      default:
        return cl_vcard_sw (SW_INS_NOT_SUPPORTED);
    }

  if (!proprietary)
    return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);
  if (!secured || !channel_open (self))
    return cl_vcard_sw (SW_SECURITY);
  if (life_cycle == CL_VCARD_LC_TERMINATED)
    return cl_vcard_sw (SW_CONDITIONS);
  if (life_cycle == CL_VCARD_LC_CARD_LOCKED && apdu->ins != 0xF0 && apdu->ins != 0xF2)
    return cl_vcard_sw (SW_CONDITIONS);

  switch (apdu->ins)
    {
      case 0xF2:
        return get_status (self, apdu);
      case 0xD8:
        return put_key (self, apdu);
      case 0xE6:
        if (apdu->p2 != 0x00 && apdu->p1 != 0x02)
          return cl_vcard_sw (SW_WRONG_P1P2);
        if (apdu->p1 == 0x02)
          return install_for_load (self, apdu);
        if (apdu->p1 == 0x0C || apdu->p1 == 0x04 || apdu->p1 == 0x08)
          return install_for_install (self, apdu);
        return cl_vcard_sw (SW_WRONG_P1P2);
      case 0xE8:
        return load (self, apdu);
      case 0xE4:
        return delete (self, apdu);
      case 0xF0:
        return set_status (self, apdu);
      case 0xE2:
        return store_data (self, apdu);
      default:
        return cl_vcard_sw (SW_INS_NOT_SUPPORTED);
    }
}
