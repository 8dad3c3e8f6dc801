/* Unit tests of lib/tlv: round trips, multi-byte tags, long lengths, nesting and hostile encodings. */
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "tlv/cl-tlv.h"

static GBytes *
hex (const char *text)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = cl_hex_decode (text, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
assert_array_hex (GByteArray *array, const char *expected)
{
  g_autofree char *got = cl_hex_encode (array->data, array->len);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_read_simple (void)
{
  g_autoptr (GBytes) b = hex ("4F07A0000001510000 9F7F03010203");
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  gsize pos = 0;
  ClTlv tlv;
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_tlv_read (d, len, &pos, &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmphex (tlv.tag, ==, 0x4F);
  g_assert_cmpuint (tlv.len, ==, 7);
  g_assert_true (tlv.value == d + 2);
  g_assert_cmpuint (tlv.raw_len, ==, 9);
  g_assert_true (cl_tlv_read (d, len, &pos, &tlv, &error));
  g_assert_cmphex (tlv.tag, ==, 0x9F7F);
  g_assert_cmpuint (tlv.len, ==, 3);
  g_assert_cmpuint (tlv.value[2], ==, 3);
  g_assert_false (cl_tlv_read (d, len, &pos, &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pos, ==, len);
}

static void
test_multibyte_tags (void)
{
  g_autoptr (GBytes) b = hex ("7F2100 5F2901AA BF810201BB");
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = cl_tlv_parse_all (d, len, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmphex (g_array_index (all, ClTlv, 0).tag, ==, 0x7F21);
  g_assert_cmpuint (g_array_index (all, ClTlv, 0).len, ==, 0);
  g_assert_cmphex (g_array_index (all, ClTlv, 1).tag, ==, 0x5F29);
  g_assert_cmphex (g_array_index (all, ClTlv, 2).tag, ==, 0xBF8102);
  g_assert_true (cl_tlv_tag_is_constructed (0x7F21));
  g_assert_false (cl_tlv_tag_is_constructed (0x5F29));
  g_assert_true (cl_tlv_tag_is_constructed (0xBF8102));
  g_assert_true (cl_tlv_tag_is_constructed (0xE3));
  g_assert_false (cl_tlv_tag_is_constructed (0x4F));
}

static void
test_long_lengths (void)
{
  const gsize sizes[] = { 0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      g_autofree guint8 *value = g_malloc0 (sizes[i] + 1);
      gsize pos = 0;
      ClTlv tlv;
      g_autoptr (GError) error = NULL;

      if (sizes[i] > 0)
        value[sizes[i] - 1] = 0x5A;
      cl_tlv_append (out, 0xC4, value, sizes[i]);
      g_assert_true (cl_tlv_read (out->data, out->len, &pos, &tlv, &error));
      g_assert_no_error (error);
      g_assert_cmphex (tlv.tag, ==, 0xC4);
      g_assert_cmpuint (tlv.len, ==, sizes[i]);
      g_assert_cmpuint (pos, ==, out->len);
      if (sizes[i] > 0)
        g_assert_cmpuint (tlv.value[sizes[i] - 1], ==, 0x5A);
    }
  {
    g_autoptr (GByteArray) out = g_byte_array_new ();
    cl_tlv_append_length (out, 0x7F);
    cl_tlv_append_length (out, 0x80);
    cl_tlv_append_length (out, 0x157);
    cl_tlv_append_length (out, 0x123456);
    cl_tlv_append_length (out, 0x1234567);
    assert_array_hex (out, "7F8180820157831234568401234567");
  }
  {
    /* A four-byte length field is legal if the value is really there. */
    g_autoptr (GBytes) b = hex ("C48400000002ABCD");
    gsize len;
    const guint8 *d = g_bytes_get_data (b, &len);
    gsize pos = 0;
    ClTlv tlv;
    g_autoptr (GError) error = NULL;

    g_assert_true (cl_tlv_read (d, len, &pos, &tlv, &error));
    g_assert_cmpuint (tlv.len, ==, 2);
  }
}

static void
test_builder_nested (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autofree guint8 *big = g_malloc0 (200);
  gsize outer = cl_tlv_begin (out, 0x7F21);
  gsize inner = cl_tlv_begin (out, 0x7F4E);
  gsize pos = 0;
  ClTlv tlv, child, found;
  g_autoptr (GError) error = NULL;

  cl_tlv_append (out, 0x5F29, (const guint8 *)"\x00", 1);
  cl_tlv_append (out, 0x86, big, 4);
  cl_tlv_append (out, 0x87, big, 200);
  cl_tlv_end (out, inner);
  cl_tlv_append (out, 0x5F37, big, 64);
  cl_tlv_end (out, outer);

  g_assert_true (cl_tlv_read (out->data, out->len, &pos, &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pos, ==, out->len);
  g_assert_cmphex (tlv.tag, ==, 0x7F21);
  /* 7F4E 81 D5 {5F29 01 00, 86 04 .., 87 81 C8 ..} then 5F37 40 .. */
  g_assert_cmpuint (tlv.len, ==, (4 + 4 + 6 + 203) + (3 + 64));
  g_assert_true (cl_tlv_find (tlv.value, tlv.len, 0x7F4E, &child, &error));
  g_assert_cmpuint (child.len, ==, 213);
  g_assert_true (cl_tlv_find (child.value, child.len, 0x87, &found, &error));
  g_assert_cmpuint (found.len, ==, 200);
  g_assert_false (cl_tlv_find (child.value, child.len, 0x88, &found, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "88"));
}

static void
test_builder_empty_and_tags (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize mark = cl_tlv_begin (out, 0xE3);

  cl_tlv_end (out, mark);
  cl_tlv_append_tag (out, 0x9F7F);
  cl_tlv_append_tag (out, 0xBF8102);
  cl_tlv_append_tag (out, 0x00);
  assert_array_hex (out, "E3009F7FBF810200");
}

typedef struct
{
  const char *hex;
  const char *fragment; /* part of the expected message */
} Hostile;

static void
test_hostile (void)
{
  const Hostile cases[] = {
    { "4F", "length missing" },
    { "4F05AABB", "runs past the end" },
    { "9F", "tag runs past" },
    { "9F81", "tag runs past" },
    { "9F818181817F00", "tag longer than 4 bytes" },
    { "C480", "indefinite" },
    { "C485000000000100", "length field of 5 bytes" },
    { "C482FF", "length field runs past" },
    { "C484FFFFFFFF00", "runs past the end" },
    { "C48300", "length field runs past" },
    { "4F00 C4820001", "offset 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) b = hex (cases[i].hex);
      gsize len;
      const guint8 *d = g_bytes_get_data (b, &len);
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) all = cl_tlv_parse_all (d, len, &error);

      g_assert_null (all);
      g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %s: message '%s' lacks '%s'", cases[i].hex, error->message, cases[i].fragment);
    }
}

static void
test_read_bounds (void)
{
  guint8 data[] = { 0x4F, 0x01, 0xAA };
  gsize pos = 5;
  ClTlv tlv;
  g_autoptr (GError) error = NULL;

  g_assert_false (cl_tlv_read (data, sizeof data, &pos, &tlv, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  pos = 0;
  g_assert_false (cl_tlv_read (NULL, 0, &pos, &tlv, &error));
  g_assert_no_error (error);
  g_assert_false (cl_tlv_find (NULL, 0, 0x4F, &tlv, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tlv/read", test_read_simple);
  g_test_add_func ("/tlv/multibyte-tags", test_multibyte_tags);
  g_test_add_func ("/tlv/long-lengths", test_long_lengths);
  g_test_add_func ("/tlv/builder-nested", test_builder_nested);
  g_test_add_func ("/tlv/builder-empty", test_builder_empty_and_tags);
  g_test_add_func ("/tlv/hostile", test_hostile);
  g_test_add_func ("/tlv/read-bounds", test_read_bounds);
  return g_test_run ();
}
