/* Unit tests of lib/cap: the real CAP files of ../shared/data/caps against load.txt, and broken variants
 * rebuilt from the real file in memory. */
#include <string.h>

#include <zip.h>

#include "cap/cl-cap-file.h"
#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"

static ClCapFile *
load_shared (const char *relative)
{
  g_autofree char *path = cl_test_shared_path (relative);
  g_autoptr (GError) error = NULL;
  ClCapFile *cap = cl_cap_file_new_from_path (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cap);
  return cap;
}

static GBytes *
read_shared (const char *relative)
{
  g_autofree char *path = cl_test_shared_path (relative);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
test_helloworld_lfdb (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("load.txt");
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) with = cl_cap_file_build_load_file_data_block (cap, TRUE, &error);
  g_autoptr (GBytes) without = cl_cap_file_build_load_file_data_block (cap, FALSE, &error);
  g_autoptr (GBytes) expected_with = cl_test_vectors_get_hex (v, "helloworld_with_descriptor", "lfdb");
  g_autoptr (GBytes) expected_without = cl_test_vectors_get_hex (v, "helloworld_without_descriptor", "lfdb");
  g_autofree char *with_hex = cl_hex_encode_bytes (expected_with);
  g_autofree char *without_hex = cl_hex_encode_bytes (expected_without);

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (with, with_hex, "LFDB with Descriptor");
  cl_test_assert_bytes_hex (without, without_hex, "LFDB without Descriptor");
}

static void
test_helloworld_blocks (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("load.txt");
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) lfdb = cl_cap_file_build_load_file_data_block (cap, TRUE, &error);
  g_autoptr (GPtrArray) blocks = cl_cap_split_blocks (lfdb, 239, &error);
  const char *b0 = cl_test_vectors_get (v, "helloworld_with_descriptor", "load_block_0");
  const char *b1 = cl_test_vectors_get (v, "helloworld_with_descriptor", "load_block_1");

  g_assert_no_error (error);
  g_assert_nonnull (b0);
  g_assert_nonnull (b1);
  g_assert_cmpuint (blocks->len, ==, 2);
  cl_test_assert_bytes_hex (g_ptr_array_index (blocks, 0), b0, "LOAD block 0");
  cl_test_assert_bytes_hex (g_ptr_array_index (blocks, 1), b1, "LOAD block 1");

  g_clear_pointer (&blocks, g_ptr_array_unref);
  blocks = cl_cap_split_blocks (lfdb, 0, &error);
  g_assert_null (blocks);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_helloworld_header (void)
{
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  GPtrArray *applets = cl_cap_file_get_applet_aids (cap);
  guint8 major = 0, minor = 0;

  cl_test_assert_bytes_hex (cl_cap_file_get_package_aid (cap), "D0D1D2D3D4D501", "package AID");
  cl_cap_file_get_cap_version (cap, &major, &minor);
  g_assert_cmpuint (major, ==, 2);
  g_assert_cmpuint (minor, ==, 1);
  cl_cap_file_get_package_version (cap, &major, &minor);
  g_assert_cmpuint (major, ==, 1);
  g_assert_cmpuint (minor, ==, 0);
  g_assert_cmpuint (applets->len, ==, 1);
  cl_test_assert_bytes_hex (g_ptr_array_index (applets, 0), "D0D1D2D3D4D50101", "applet AID");
  g_assert_null (cl_cap_file_get_component (cap, CL_CAP_COMPONENT_EXPORT));
  g_assert_nonnull (cl_cap_file_get_component (cap, CL_CAP_COMPONENT_DESCRIPTOR));
}

static void
test_helloworld_hash (void)
{
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) lfdb = cl_cap_file_build_load_file_data_block (cap, TRUE, &error);
  g_autoptr (GBytes) sha1 = cl_cap_file_compute_load_file_hash (cap, TRUE, CL_CAP_HASH_SHA1, &error);
  g_autoptr (GBytes) sha256 = cl_cap_file_compute_load_file_hash (cap, TRUE, CL_CAP_HASH_SHA256, &error);
  gsize len;
  const guint8 *data = g_bytes_get_data (lfdb, &len);
  /* C4 82 01 57: the hash covers the code after the 4-byte tag and length. */
  g_autofree char *expect1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data + 4, len - 4);
  g_autofree char *expect256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data + 4, len - 4);

  g_assert_no_error (error);
  g_assert_cmpuint (data[0], ==, 0xC4);
  g_assert_cmpuint (data[1], ==, 0x82);
  cl_test_assert_bytes_hex (sha1, expect1, "SHA-1 load file hash");
  cl_test_assert_bytes_hex (sha256, expect256, "SHA-256 load file hash");
}

static void
test_empty_cap (void)
{
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/Empty_0102030405_8d5ac9e2_2.2.1.cap");
  GPtrArray *applets = cl_cap_file_get_applet_aids (cap);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) lfdb = cl_cap_file_build_load_file_data_block (cap, FALSE, &error);
  g_autofree char *pkg = cl_hex_encode_bytes (cl_cap_file_get_package_aid (cap));
  guint8 major = 0, minor = 0;

  g_assert_no_error (error);
  cl_cap_file_get_cap_version (cap, &major, &minor);
  g_test_message ("Empty CAP: format %u.%u, package AID %s, %u applet(s)", major, minor, pkg, applets->len);
  for (guint i = 0; i < applets->len; i++)
    {
      g_autofree char *aid = cl_hex_encode_bytes (g_ptr_array_index (applets, i));

      g_test_message ("  applet %s", aid);
    }
  g_assert_cmpstr (pkg, ==, "0102030405");
  g_assert_cmpuint (applets->len, ==, 1);
  cl_test_assert_bytes_hex (g_ptr_array_index (applets, 0), "0102030405060708", "Empty applet AID");
  g_assert_cmpuint (g_bytes_get_size (lfdb), >, 4);
}

/* ---- broken variants, rebuilt from helloworld.cap ---- */

typedef struct
{
  const char *name;
  GBytes *data;
} Entry;

static GBytes *
build_zip (const Entry *entries, guint count)
{
  zip_error_t zerr;
  zip_source_t *src;
  zip_t *za;
  zip_stat_t st;
  guint8 *out;
  zip_int64_t n;

  zip_error_init (&zerr);
  src = zip_source_buffer_create (NULL, 0, 0, &zerr);
  g_assert_nonnull (src);
  zip_source_keep (src);
  za = zip_open_from_source (src, ZIP_TRUNCATE, &zerr);
  g_assert_nonnull (za);
  for (guint i = 0; i < count; i++)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (entries[i].data, &len);
      /* libzip copies the data at zip_close; the GBytes outlive it. */
      zip_source_t *es = zip_source_buffer (za, len > 0 ? (const void *)d : "", len, 0);

      g_assert_nonnull (es);
      g_assert_cmpint (zip_file_add (za, entries[i].name, es, ZIP_FL_OVERWRITE), >=, 0);
    }
  g_assert_cmpint (zip_close (za), ==, 0);
  g_assert_cmpint (zip_source_stat (src, &st), ==, 0);
  g_assert_cmpint (zip_source_open (src), ==, 0);
  out = g_malloc (st.size + 1);
  n = zip_source_read (src, out, st.size);
  g_assert_cmpint (n, ==, (zip_int64_t)st.size);
  zip_source_close (src);
  zip_source_free (src);
  zip_error_fini (&zerr);
  return g_bytes_new_take (out, st.size);
}

/* The components of helloworld.cap, with component `change` replaced by `replacement` (NULL: dropped). */
static GBytes *
variant (ClCapComponent change, GBytes *replacement)
{
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  Entry entries[CL_CAP_COMPONENT_LAST];
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint count = 0;

  for (guint c = CL_CAP_COMPONENT_HEADER; c <= CL_CAP_COMPONENT_LAST; c++)
    {
      GBytes *data = c == change ? replacement : cl_cap_file_get_component (cap, (ClCapComponent)c);
      char *name;

      if (data == NULL)
        continue;
      name = g_strdup_printf ("com/example/javacard/%s.cap", cl_cap_component_name ((ClCapComponent)c));
      g_ptr_array_add (names, name);
      entries[count].name = name;
      entries[count].data = data;
      count++;
    }
  return build_zip (entries, count);
}

static GBytes *
patched_component (ClCapComponent component, gsize offset, guint8 value, gssize new_len)
{
  g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
  GBytes *orig = cl_cap_file_get_component (cap, component);
  gsize len;
  const guint8 *d = g_bytes_get_data (orig, &len);
  guint8 *copy = g_memdup2 (d, len);

  if (offset < len)
    copy[offset] = value;
  return g_bytes_new_take (copy, new_len >= 0 ? (gsize)new_len : len);
}

static void
assert_load_fails (GBytes *zip, GQuark domain, gint code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCapFile) cap = cl_cap_file_new_from_bytes (zip, &error);

  g_assert_null (cap);
  g_assert_error (error, domain, code);
  g_test_message ("expected error: %s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("error '%s' lacks '%s'", error->message, fragment);
}

static void
test_rebuilt_is_fine (void)
{
  g_autoptr (GBytes) zip = variant (0, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCapFile) cap = cl_cap_file_new_from_bytes (zip, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cap);
}

static void
test_broken (void)
{
  g_autoptr (GBytes) orig = read_shared ("data/caps/helloworld.cap");

  {
    g_autoptr (GBytes) cut = g_bytes_new_from_bytes (orig, 0, g_bytes_get_size (orig) / 2);
    assert_load_fails (cut, CL_ERROR, CL_ERROR_MALFORMED, "not a zip archive");
  }
  {
    g_autoptr (GBytes) junk = g_bytes_new_static ("DECAFFED not a zip", 18);
    assert_load_fails (junk, CL_ERROR, CL_ERROR_MALFORMED, "not a zip archive");
  }
  {
    g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
    assert_load_fails (empty, CL_ERROR, CL_ERROR_MALFORMED, "not a zip archive");
  }
  {
    g_autoptr (GBytes) header = patched_component (CL_CAP_COMPONENT_HEADER, 6, 0xEE, -1);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_HEADER, header);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Header component: bad magic DECAFFEE at offset 3");
  }
  {
    /* Method size field (u2 at offset 1) raised by 16: the size claims more than the entry holds. */
    g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
    const guint8 *m = g_bytes_get_data (cl_cap_file_get_component (cap, CL_CAP_COMPONENT_METHOD), NULL);
    g_autoptr (GBytes) method = patched_component (CL_CAP_COMPONENT_METHOD, 2, m[2] + 16, -1);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_METHOD, method);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Method component: size field at offset 1 says");
  }
  {
    g_autoptr (GBytes) cls = patched_component (CL_CAP_COMPONENT_CLASS, 0, 6, 2);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_CLASS, cls);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Class component truncated");
  }
  {
    /* Truncated by 5 bytes: the declared size now runs past the end. */
    g_autoptr (GBytes) cp = patched_component (CL_CAP_COMPONENT_CONSTANT_POOL, 0, 5, 41 - 5);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_CONSTANT_POOL, cp);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "ConstantPool component: size field");
  }
  {
    g_autoptr (GBytes) dir = patched_component (CL_CAP_COMPONENT_DIRECTORY, 0, 7, -1);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_DIRECTORY, dir);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Directory component: tag 7 at offset 0, expected 2");
  }
  {
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_METHOD, NULL);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "lacks the mandatory Method component");
  }
  {
    /* Applet AID length byte (offset 4) says 0x20: beyond the AID limit. */
    g_autoptr (GBytes) applet = patched_component (CL_CAP_COMPONENT_APPLET, 4, 0x20, -1);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_APPLET, applet);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Applet component: AID length 32 at offset 4");
  }
  {
    /* Header package AID length (offset 12) 16: runs past the component. */
    g_autoptr (GBytes) header = patched_component (CL_CAP_COMPONENT_HEADER, 12, 16, -1);
    g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_HEADER, header);
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "Header component truncated");
  }
  {
    g_autoptr (ClCapFile) cap = load_shared ("data/caps/helloworld.cap");
    Entry entries[] = {
      { "a/javacard/Header.cap", cl_cap_file_get_component (cap, CL_CAP_COMPONENT_HEADER) },
      { "b/javacard/Header.cap", cl_cap_file_get_component (cap, CL_CAP_COMPONENT_HEADER) },
    };
    g_autoptr (GBytes) zip = build_zip (entries, G_N_ELEMENTS (entries));
    assert_load_fails (zip, CL_ERROR, CL_ERROR_MALFORMED, "two Header components");
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ClCapFile) cap = cl_cap_file_new_from_path ("/nonexistent/x.cap", &error);
    g_assert_null (cap);
    g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  }
}

static void
test_no_descriptor (void)
{
  g_autoptr (GBytes) zip = variant (CL_CAP_COMPONENT_DESCRIPTOR, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCapFile) cap = cl_cap_file_new_from_bytes (zip, &error);
  g_autoptr (GBytes) lfdb = NULL;

  g_assert_no_error (error);
  lfdb = cl_cap_file_build_load_file_data_block (cap, TRUE, &error);
  g_assert_null (lfdb);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cap/helloworld/lfdb", test_helloworld_lfdb);
  g_test_add_func ("/cap/helloworld/blocks", test_helloworld_blocks);
  g_test_add_func ("/cap/helloworld/header", test_helloworld_header);
  g_test_add_func ("/cap/helloworld/hash", test_helloworld_hash);
  g_test_add_func ("/cap/empty", test_empty_cap);
  g_test_add_func ("/cap/rebuilt", test_rebuilt_is_fine);
  g_test_add_func ("/cap/broken", test_broken);
  g_test_add_func ("/cap/no-descriptor", test_no_descriptor);
  return g_test_run ();
}
