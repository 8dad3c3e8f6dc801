/* cl-ram-encode.c: writing the dialect's bodies (cl-ram-codec.h). */
#include "remote/cl-ram-codec.h"

#include <string.h>

#include "core/cl-error.h"

static void
ram_append_length (GByteArray *out, gsize len)
{
  guint8 b[3];

  g_assert (len <= CL_RAM_MAX_VALUE);
  if (len < 0x80)
    {
      b[0] = (guint8)len;
      g_byte_array_append (out, b, 1);
    }
  else if (len < 0x100)
    {
      b[0] = 0x81;
      b[1] = (guint8)len;
      g_byte_array_append (out, b, 2);
    }
  else
    {
      b[0] = 0x82;
      b[1] = (guint8)(len >> 8);
      b[2] = (guint8)len;
      g_byte_array_append (out, b, 3);
    }
}

static gboolean
ram_append (GByteArray *out, guint8 tag, const guint8 *value, gsize len, GError **error)
{
  if (len > CL_RAM_MAX_VALUE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "RAMOverHTTP: value of tag %02X has %zu bytes, more than %d", tag, len, CL_RAM_MAX_VALUE);
      return FALSE;
    }
  g_byte_array_append (out, &tag, 1);
  ram_append_length (out, len);
  g_byte_array_append (out, value, (guint)len);
  return TRUE;
}

static void
ram_append_int (GByteArray *out, guint8 tag, gint32 value)
{
  guint8 b[4];
  gsize n = 4;
  guint32 u = (guint32)value;

  for (int i = 3; i >= 0; i--, u >>= 8)
    b[i] = (guint8)u;
  /* drop leading bytes that only repeat the sign */
  while (n > 1 && ((b[4 - n] == 0x00 && !(b[5 - n] & 0x80)) || (b[4 - n] == 0xFF && (b[5 - n] & 0x80))))
    n--;
  (void)ram_append (out, tag, b + 4 - n, n, NULL);
}

static gboolean
ram_append_text (GByteArray *out, guint8 tag, const char *text, GError **error)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (text == NULL || len > CL_RAM_MAX_TEXT || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "RAMOverHTTP: text of tag %02X is missing, longer than %d bytes or not UTF-8", tag, CL_RAM_MAX_TEXT);
      return FALSE;
    }
  return ram_append (out, tag, (const guint8 *)text, len, error);
}

static gboolean
ram_append_bytes (GByteArray *out, guint8 tag, GBytes *bytes, GError **error)
{
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  if (bytes == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "RAMOverHTTP: tag %02X has no value", tag);
      return FALSE;
    }
  return ram_append (out, tag, data, len, error);
}

/* Wraps inner in one template of tag. */
static GBytes *
ram_wrap (guint8 tag, GByteArray *inner, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_sized_new (inner->len + 4);

  if (!ram_append (out, tag, inner->data, inner->len, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cl_ram_hello_encode (const ClRamHello *hello, GError **error)
{
  g_autoptr (GByteArray) inner = g_byte_array_new ();

  if (hello->atr == NULL || g_bytes_get_size (hello->atr) < 1 || g_bytes_get_size (hello->atr) > CL_RAM_MAX_ATR
      || hello->max_command > G_MAXINT32 || hello->max_response > G_MAXINT32)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "RAMOverHTTP first POST: ATR missing or not 1-%d bytes, or a maximum size over 2^31-1",
                   CL_RAM_MAX_ATR);
      return NULL;
    }
  if (!ram_append_bytes (inner, 0xC0, hello->atr, error))
    return NULL;
  if (hello->max_command > 0)
    ram_append_int (inner, 0xC1, (gint32)hello->max_command);
  if (hello->max_response > 0)
    ram_append_int (inner, 0xC2, (gint32)hello->max_response);
  return ram_wrap (CL_RAM_TAG_HELLO, inner, error);
}

static gboolean
ram_notify_append (GByteArray *out, const ClRamItem *item, GError **error)
{
  g_autoptr (GByteArray) inner = g_byte_array_new ();

  ram_append_int (inner, 0x02, item->id);
  if (!ram_append_text (inner, 0x0C, item->text, error))
    return FALSE;
  if (item->seconds >= 0)
    ram_append_int (inner, 0xC3, item->seconds);
  return ram_append (out, 0xE0, inner->data, inner->len, error);
}

GBytes *
cl_ram_commands_encode (GPtrArray *items, GError **error)
{
  g_autoptr (GByteArray) inner = g_byte_array_new ();
  static const guint8 reset = 0x00;

  if (cl_ram_items_count (items, CL_RAM_ITEM_COMMAND) > CL_RAM_MAX_COMMANDS)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "RAMOverHTTP command template: %u C-APDUs, more than %d",
                   cl_ram_items_count (items, CL_RAM_ITEM_COMMAND), CL_RAM_MAX_COMMANDS);
      return NULL;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ClRamItem *item = g_ptr_array_index (items, i);
      gboolean ok;

      switch (item->kind)
        {
          case CL_RAM_ITEM_COMMAND:
            ok = ram_append_bytes (inner, 0x22, item->data, error);
            break;
          case CL_RAM_ITEM_RESET:
            ok = ram_append (inner, 0xC0, &reset, 1, error);
            break;
          case CL_RAM_ITEM_NOTIFY:
            ok = ram_notify_append (inner, item, error);
            break;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                         "RAMOverHTTP command template: item %u is a client's answer, not a command", i);
            ok = FALSE;
        }
      if (!ok)
        return NULL;
    }
  return ram_wrap (CL_RAM_TAG_COMMANDS, inner, error);
}

GBytes *
cl_ram_responses_encode (GPtrArray *items, GError **error)
{
  g_autoptr (GByteArray) inner = g_byte_array_new ();
  guint responses = cl_ram_items_count (items, CL_RAM_ITEM_RESPONSE);

  if (responses > CL_RAM_MAX_COMMANDS)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "RAMOverHTTP response template: %u R-APDUs, more than %d", responses, CL_RAM_MAX_COMMANDS);
      return NULL;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ClRamItem *item = g_ptr_array_index (items, i);
      g_autoptr (GByteArray) error_inner = NULL;
      gboolean ok;

      switch (item->kind)
        {
          case CL_RAM_ITEM_RESPONSE:
            ok = ram_append_bytes (inner, 0x23, item->data, error);
            break;
          case CL_RAM_ITEM_ATR:
            ok = item->data != NULL && g_bytes_get_size (item->data) >= 1
                 && g_bytes_get_size (item->data) <= CL_RAM_MAX_ATR;
            if (!ok)
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           "RAMOverHTTP response template: ATR of item %u is missing or not 1-%d bytes", i,
                           CL_RAM_MAX_ATR);
            else
              ok = ram_append_bytes (inner, 0xC0, item->data, error);
            break;
          case CL_RAM_ITEM_CARD_ERROR:
            error_inner = g_byte_array_new ();
            ok = ram_append_text (error_inner, 0x0C, item->text, error)
                 && ram_append (inner, 0xE1, error_inner->data, error_inner->len, error);
            break;
          default:
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                         "RAMOverHTTP response template: item %u is a command, not a client's answer", i);
            ok = FALSE;
        }
      if (!ok)
        return NULL;
    }
  ram_append_int (inner, 0x80, (gint32)responses);
  return ram_wrap (CL_RAM_TAG_RESPONSES, inner, error);
}
