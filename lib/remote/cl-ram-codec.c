/* cl-ram-codec.c: the dialect's items (cl-ram-codec.h); cl-ram-encode.c writes bodies, cl-ram-decode.c reads
 * them. */
#include "remote/cl-ram-codec.h"

#include "remote/cl-ram-item-private.h"

void
cl_ram_hello_clear (ClRamHello *hello)
{
  g_clear_pointer (&hello->atr, g_bytes_unref);
  hello->max_command = 0;
  hello->max_response = 0;
}

ClRamItem *
cl_ram_item_new_empty (ClRamItemKind kind)
{
  ClRamItem *item = g_new0 (ClRamItem, 1);

  item->kind = kind;
  item->seconds = -1;
  return item;
}

static ClRamItem *
ram_item_new_data (ClRamItemKind kind, GBytes *data)
{
  ClRamItem *item = cl_ram_item_new_empty (kind);

  item->data = g_bytes_ref (data);
  return item;
}

ClRamItem *
cl_ram_item_new_command (GBytes *apdu)
{
  return ram_item_new_data (CL_RAM_ITEM_COMMAND, apdu);
}

ClRamItem *
cl_ram_item_new_reset (void)
{
  return cl_ram_item_new_empty (CL_RAM_ITEM_RESET);
}

ClRamItem *
cl_ram_item_new_notify (gint32 id, const char *text, gint32 seconds)
{
  ClRamItem *item = cl_ram_item_new_empty (CL_RAM_ITEM_NOTIFY);

  item->id = id;
  item->text = g_strdup (text);
  item->seconds = seconds;
  return item;
}

ClRamItem *
cl_ram_item_new_response (GBytes *rapdu)
{
  return ram_item_new_data (CL_RAM_ITEM_RESPONSE, rapdu);
}

ClRamItem *
cl_ram_item_new_atr (GBytes *atr)
{
  return ram_item_new_data (CL_RAM_ITEM_ATR, atr);
}

ClRamItem *
cl_ram_item_new_card_error (const char *text)
{
  ClRamItem *item = cl_ram_item_new_empty (CL_RAM_ITEM_CARD_ERROR);

  item->text = g_strdup (text);
  return item;
}

void
cl_ram_item_free (ClRamItem *item)
{
  if (item == NULL)
    return;
  g_clear_pointer (&item->data, g_bytes_unref);
  g_free (item->text);
  g_free (item);
}

GPtrArray *
cl_ram_items_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)cl_ram_item_free);
}

guint
cl_ram_items_count (GPtrArray *items, ClRamItemKind kind)
{
  guint n = 0;

  for (guint i = 0; i < items->len; i++)
    n += ((ClRamItem *)g_ptr_array_index (items, i))->kind == kind;
  return n;
}
