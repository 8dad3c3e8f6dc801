/* cl-ram-decode.c: reading the dialect's bodies (cl-ram-codec.h): outside input, every length and tag checked. The
 * dialect's TLVs are simpler than BER (one-byte tags, three length forms), so they are read here rather than through
 * lib/tlv, whose multi-byte tags would let 1F/5F/7F/9F tags through as something the dialect does not have. */
#include "remote/cl-ram-codec.h"

#include <string.h>

#include "core/cl-error.h"
#include "remote/cl-ram-item-private.h"

typedef struct
{
  guint8 tag;
  const guint8 *value;
  gsize len;
  gsize offset; /* of the tag, from the start of the body */
} RamTlv;

/* Reads one TLV at *pos of buf[0..len); base is buf's offset in the body, for messages. */
static gboolean
ram_tlv_read (const guint8 *buf, gsize len, gsize base, gsize *pos, RamTlv *out, GError **error)
{
  gsize p = *pos, vlen;

  out->offset = base + p;
  if (len - p < 2)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP body: truncated TLV at offset %zu", out->offset);
      return FALSE;
    }
  out->tag = buf[p++];
  vlen = buf[p++];
  if (vlen == 0x81 || vlen == 0x82)
    {
      gsize n = vlen - 0x80;

      if (len - p < n)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "RAMOverHTTP body: length of tag %02X at offset %zu is truncated", out->tag, out->offset);
          return FALSE;
        }
      vlen = n == 1 ? buf[p] : ((gsize)buf[p] << 8) | buf[p + 1];
      p += n;
    }
  else if (vlen > 0x7F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP body: length byte %02zX of tag %02X at offset %zu is not 00-7F, 81 or 82", vlen,
                   out->tag, out->offset);
      return FALSE;
    }
  if (len - p < vlen)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP body: value of tag %02X at offset %zu runs %zu bytes past the end", out->tag,
                   out->offset, vlen - (len - p));
      return FALSE;
    }
  out->value = buf + p;
  out->len = vlen;
  *pos = p + vlen;
  return TRUE;
}

/* The body must be exactly one template with the given tag. */
static gboolean
ram_template_read (const guint8 *body, gsize len, guint8 tag, const char *what, RamTlv *out, GError **error)
{
  gsize pos = 0;

  if (body == NULL || len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP %s: the body is empty", what);
      return FALSE;
    }
  if (len > CL_RAM_MAX_BODY)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP %s: body of %zu bytes exceeds %d", what, len,
                   CL_RAM_MAX_BODY);
      return FALSE;
    }
  if (body[0] != tag)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP %s: body starts with tag %02X, not %02X", what,
                   body[0], tag);
      return FALSE;
    }
  if (!ram_tlv_read (body, len, 0, &pos, out, error))
    return FALSE;
  if (pos != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP %s: %zu bytes follow the template at offset %zu",
                   what, len - pos, pos);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ram_int_read (const RamTlv *tlv, gint32 *out, GError **error)
{
  guint32 v;

  if (tlv->len < 1 || tlv->len > 4)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP integer (tag %02X at offset %zu) has %zu bytes, not 1-4", tlv->tag, tlv->offset,
                   tlv->len);
      return FALSE;
    }
  if (tlv->len > 1
      && ((tlv->value[0] == 0x00 && !(tlv->value[1] & 0x80)) || (tlv->value[0] == 0xFF && (tlv->value[1] & 0x80))))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP integer (tag %02X at offset %zu) is not minimally encoded", tlv->tag, tlv->offset);
      return FALSE;
    }
  v = (tlv->value[0] & 0x80) ? G_MAXUINT32 : 0;
  for (gsize i = 0; i < tlv->len; i++)
    v = (v << 8) | tlv->value[i];
  *out = (gint32)v;
  return TRUE;
}

static gboolean
ram_text_read (const RamTlv *tlv, char **out, GError **error)
{
  if (tlv->len > CL_RAM_MAX_TEXT)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP text (tag %02X at offset %zu) has %zu bytes, more than %d", tlv->tag, tlv->offset,
                   tlv->len, CL_RAM_MAX_TEXT);
      return FALSE;
    }
  if (memchr (tlv->value, 0, tlv->len) != NULL || !g_utf8_validate ((const char *)tlv->value, tlv->len, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP text (tag %02X at offset %zu) is not UTF-8 without NUL", tlv->tag, tlv->offset);
      return FALSE;
    }
  *out = g_strndup ((const char *)tlv->value, tlv->len);
  return TRUE;
}

static gboolean
ram_atr_check (gsize len, gsize offset, GError **error)
{
  if (len < 1 || len > CL_RAM_MAX_ATR)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP ATR at offset %zu has %zu bytes, not 1-%d", offset,
                   len, CL_RAM_MAX_ATR);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ram_size_read (const RamTlv *tlv, guint32 *out, GError **error)
{
  gint32 v;

  if (*out != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP first POST: tag %02X repeated at offset %zu",
                   tlv->tag, tlv->offset);
      return FALSE;
    }
  if (!ram_int_read (tlv, &v, error))
    return FALSE;
  if (v <= 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP first POST: maximum size (tag %02X at offset %zu) is %d, not positive", tlv->tag,
                   tlv->offset, v);
      return FALSE;
    }
  *out = (guint32)v;
  return TRUE;
}

gboolean
cl_ram_hello_decode (const guint8 *body, gsize len, ClRamHello *out, GError **error)
{
  g_auto (ClRamHello) hello = { 0 };
  RamTlv outer, tlv;
  gsize pos = 0, base;

  if (!ram_template_read (body, len, CL_RAM_TAG_HELLO, "first POST", &outer, error))
    return FALSE;
  base = (gsize)(outer.value - body);
  while (pos < outer.len)
    {
      if (!ram_tlv_read (outer.value, outer.len, base, &pos, &tlv, error))
        return FALSE;
      switch (tlv.tag)
        {
          case 0xC0:
            if (hello.atr != NULL)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP first POST: ATR (C0) repeated at offset %zu", tlv.offset);
                return FALSE;
              }
            if (!ram_atr_check (tlv.len, tlv.offset, error))
              return FALSE;
            hello.atr = g_bytes_new (tlv.value, tlv.len);
            break;
          case 0xC1:
            if (!ram_size_read (&tlv, &hello.max_command, error))
              return FALSE;
            break;
          case 0xC2:
            if (!ram_size_read (&tlv, &hello.max_response, error))
              return FALSE;
            break;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP first POST: unknown tag %02X at offset %zu",
                         tlv.tag, tlv.offset);
            return FALSE;
        }
    }
  if (hello.atr == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP first POST: no ATR (C0)");
      return FALSE;
    }
  *out = hello;
  memset (&hello, 0, sizeof hello);
  return TRUE;
}

static ClRamItem *
ram_notify_read (const RamTlv *outer, const guint8 *body, GError **error)
{
  g_autoptr (ClRamItem) item = cl_ram_item_new_empty (CL_RAM_ITEM_NOTIFY);
  gboolean have_id = FALSE;
  gsize pos = 0, base = (gsize)(outer->value - body);
  RamTlv tlv;

  while (pos < outer->len)
    {
      gboolean ok;

      if (!ram_tlv_read (outer->value, outer->len, base, &pos, &tlv, error))
        return NULL;
      if ((tlv.tag == 0x02 && have_id) || (tlv.tag == 0x0C && item->text != NULL)
          || (tlv.tag == 0xC3 && item->seconds >= 0))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP notify: tag %02X repeated at offset %zu",
                       tlv.tag, tlv.offset);
          return NULL;
        }
      switch (tlv.tag)
        {
          case 0x02:
            ok = have_id = ram_int_read (&tlv, &item->id, error);
            break;
          case 0x0C:
            ok = ram_text_read (&tlv, &item->text, error);
            break;
          case 0xC3:
            ok = ram_int_read (&tlv, &item->seconds, error);
            if (ok && item->seconds < 0)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP notify: seconds to completion at offset %zu are negative", tlv.offset);
                ok = FALSE;
              }
            break;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP notify: unknown tag %02X at offset %zu",
                         tlv.tag, tlv.offset);
            ok = FALSE;
        }
      if (!ok)
        return NULL;
    }
  if (!have_id || item->text == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP notify at offset %zu lacks its %s", outer->offset,
                   have_id ? "text (0C)" : "id (02)");
      return NULL;
    }
  return g_steal_pointer (&item);
}

GPtrArray *
cl_ram_commands_decode (const guint8 *body, gsize len, GError **error)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  RamTlv outer, tlv;
  gsize pos = 0, base;
  guint commands = 0;

  if (!ram_template_read (body, len, CL_RAM_TAG_COMMANDS, "command template", &outer, error))
    return NULL;
  base = (gsize)(outer.value - body);
  while (pos < outer.len)
    {
      ClRamItem *item = NULL;

      if (!ram_tlv_read (outer.value, outer.len, base, &pos, &tlv, error))
        return NULL;
      switch (tlv.tag)
        {
          case 0x22:
            if (tlv.len < 4)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP command template: C-APDU at offset %zu has %zu bytes, fewer than 4",
                             tlv.offset, tlv.len);
                return NULL;
              }
            if (++commands > CL_RAM_MAX_COMMANDS)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP command template: more than %d C-APDUs (offset %zu)", CL_RAM_MAX_COMMANDS,
                             tlv.offset);
                return NULL;
              }
            item = cl_ram_item_new_empty (CL_RAM_ITEM_COMMAND);
            item->data = g_bytes_new (tlv.value, tlv.len);
            break;
          case 0xC0:
            if (tlv.len != 1 || tlv.value[0] != 0x00)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP command template: reset at offset %zu is not C0 01 00", tlv.offset);
                return NULL;
              }
            item = cl_ram_item_new_reset ();
            break;
          case 0xE0:
            item = ram_notify_read (&tlv, body, error);
            if (item == NULL)
              return NULL;
            break;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                         "RAMOverHTTP command template: unknown tag %02X at offset %zu", tlv.tag, tlv.offset);
            return NULL;
        }
      g_ptr_array_add (items, item);
    }
  return g_steal_pointer (&items);
}

static ClRamItem *
ram_card_error_read (const RamTlv *outer, const guint8 *body, GError **error)
{
  g_autoptr (ClRamItem) item = cl_ram_item_new_empty (CL_RAM_ITEM_CARD_ERROR);
  gsize pos = 0;
  RamTlv tlv;

  if (!ram_tlv_read (outer->value, outer->len, (gsize)(outer->value - body), &pos, &tlv, error))
    return NULL;
  if (tlv.tag != 0x0C || pos != outer->len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "RAMOverHTTP card error at offset %zu is not exactly E1 { 0C text }", outer->offset);
      return NULL;
    }
  if (!ram_text_read (&tlv, &item->text, error))
    return NULL;
  return g_steal_pointer (&item);
}

GPtrArray *
cl_ram_responses_decode (const guint8 *body, gsize len, GError **error)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  RamTlv outer, tlv;
  gsize pos = 0, base;
  guint responses = 0;
  gboolean counted = FALSE;

  if (!ram_template_read (body, len, CL_RAM_TAG_RESPONSES, "response template", &outer, error))
    return NULL;
  base = (gsize)(outer.value - body);
  while (pos < outer.len)
    {
      ClRamItem *item = NULL;
      gint32 count;

      if (!ram_tlv_read (outer.value, outer.len, base, &pos, &tlv, error))
        return NULL;
      if (counted)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "RAMOverHTTP response template: tag %02X at offset %zu follows the count (80)", tlv.tag,
                       tlv.offset);
          return NULL;
        }
      switch (tlv.tag)
        {
          case 0x23:
            if (tlv.len < 2)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP response template: R-APDU at offset %zu has no status word", tlv.offset);
                return NULL;
              }
            if (++responses > CL_RAM_MAX_COMMANDS)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP response template: more than %d R-APDUs (offset %zu)", CL_RAM_MAX_COMMANDS,
                             tlv.offset);
                return NULL;
              }
            item = cl_ram_item_new_empty (CL_RAM_ITEM_RESPONSE);
            item->data = g_bytes_new (tlv.value, tlv.len);
            break;
          case 0xC0:
            if (!ram_atr_check (tlv.len, tlv.offset, error))
              return NULL;
            item = cl_ram_item_new_empty (CL_RAM_ITEM_ATR);
            item->data = g_bytes_new (tlv.value, tlv.len);
            break;
          case 0xE1:
            item = ram_card_error_read (&tlv, body, error);
            if (item == NULL)
              return NULL;
            break;
          case 0x80:
            if (!ram_int_read (&tlv, &count, error))
              return NULL;
            if (count < 0 || (guint)count != responses)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "RAMOverHTTP response template: count %d (offset %zu) but %u R-APDUs carried", count,
                             tlv.offset, responses);
                return NULL;
              }
            counted = TRUE;
            continue;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                         "RAMOverHTTP response template: unknown tag %02X at offset %zu", tlv.tag, tlv.offset);
            return NULL;
        }
      g_ptr_array_add (items, item);
    }
  if (!counted)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP response template: no count (80) at the end");
      return NULL;
    }
  return g_steal_pointer (&items);
}
