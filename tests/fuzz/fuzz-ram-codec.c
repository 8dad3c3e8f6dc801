/* Fuzz target for the RAMOverHTTP codec (lib/remote): every body a client or a service can send. What
 * decodes must encode back to a body that decodes to the same items (a fixed point after one round). */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "remote/cl-ram-codec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
assert_items_equal (GPtrArray *a, GPtrArray *b)
{
  g_assert (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const ClRamItem *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      g_assert (x->kind == y->kind);
      g_assert ((x->data == NULL) == (y->data == NULL));
      if (x->data != NULL)
        g_assert (g_bytes_equal (x->data, y->data));
      g_assert (g_strcmp0 (x->text, y->text) == 0);
      g_assert (x->id == y->id && x->seconds == y->seconds);
    }
}

typedef GBytes *(*Encode) (GPtrArray *items, GError **error);
typedef GPtrArray *(*Decode) (const guint8 *body, gsize len, GError **error);

static void
round_trip (const uint8_t *data, size_t size, Encode encode, Decode decode)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = decode (data, size, &error);
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GBytes) body = NULL;

  g_assert ((items == NULL) == (error != NULL));
  if (items == NULL)
    return;
  body = encode (items, &error);
  g_assert (body != NULL && error == NULL);
  g_assert (g_bytes_get_size (body) <= size); /* minimal forms are never longer than what was read */
  again = decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert (again != NULL && error == NULL);
  assert_items_equal (items, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (ClRamHello) hello = { 0 };
  g_autoptr (GError) error = NULL;

  if (cl_ram_hello_decode (data, size, &hello, &error))
    {
      g_auto (ClRamHello) again = { 0 };
      g_autoptr (GBytes) body = cl_ram_hello_encode (&hello, &error);

      g_assert (body != NULL);
      g_assert (cl_ram_hello_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &again, &error));
      g_assert (g_bytes_equal (hello.atr, again.atr));
      g_assert (hello.max_command == again.max_command && hello.max_response == again.max_response);
    }
  else
    g_assert (error != NULL && hello.atr == NULL);
  round_trip (data, size, cl_ram_commands_encode, cl_ram_commands_decode);
  round_trip (data, size, cl_ram_responses_encode, cl_ram_responses_decode);
  return 0;
}
