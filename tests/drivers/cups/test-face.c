/* Card faces: template errors, rendering (unit), and on the rig (--cups) submission to ippeveprinter.
 *
 *   test-face [--cups]     the rendered PNG is kept as $CARDLINE_BUILD_DIR/face-sample.png for a look */
#define _GNU_SOURCE /* memmem: a PDF is binary */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cl-driver-error.h"
#include "cups/cl-face-printer.h"
#include "cups/cl-face-render.h"

#define MEDIA_BOX "/MediaBox [ 0 0 242.645669 153.014173 ]"

static const ClFaceData sample = { "CL-000042", "B2024-07", "Cardline Token" };

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef struct
{
  GBytes *bytes;
  gsize offset;
} PngRead;

static cairo_status_t
read_png (void *closure, unsigned char *data, unsigned int length)
{
  PngRead *read = closure;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (read->bytes, &size);

  if (read->offset + length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, bytes + read->offset, length);
  read->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

static ClFaceTemplate *
load_default (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "faces", "default.face", NULL);
  g_autoptr (GError) error = NULL;
  ClFaceTemplate *face = cl_face_template_load (path, &error);

  g_assert_no_error (error);
  return face;
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void
test_render_png (void)
{
  g_autoptr (ClFaceTemplate) face = load_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = cl_face_render (face, &sample, CL_FACE_FORMAT_PNG, 300, &error);
  const guint8 *d;
  gsize len;

  g_assert_no_error (error);
  d = g_bytes_get_data (png, &len);
  g_assert_cmpuint (len, >, 33);
  g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
  /* CR80 at 300 dpi: 85.60 mm = 1011 px, 53.98 mm = 638 px. */
  g_assert_cmpuint (be32 (d + 16), ==, 1011);
  g_assert_cmpuint (be32 (d + 20), ==, 638);
  if (g_getenv ("CARDLINE_BUILD_DIR"))
    {
      g_autofree char *out = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR"), "face-sample.png", NULL);
      g_assert_true (g_file_set_contents (out, (const char *)d, len, &error));
      g_test_message ("face written to %s", out);
    }
}

static void
test_render_pdf (void)
{
  g_autoptr (ClFaceTemplate) face = load_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = cl_face_render (face, &sample, CL_FACE_FORMAT_PDF, 0, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (pdf, NULL), 5);
  g_assert_cmpstr (text, ==, "%PDF-");
  /* 85.60 x 53.98 mm in points. */
  g_assert_nonnull (memmem (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), MEDIA_BOX, strlen (MEDIA_BOX)));
}

#define ROW_FACE                                                                                                       \
  "[Face]\nBackground=#ffffff\n[Text name]\nField=face.name\nX=30\nY=20\nSize=5\n"                                     \
  "[Photo holder]\nX=4\nY=4\nWidth=20\nHeight=20\n"

static GBytes *
red_png (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 8, 8);
  cairo_t *cr = cairo_create (surface);
  GByteArray *out = g_byte_array_new ();

  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_png, out), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (out);
}

/* The pixel at (x, y) mm of a face rendered at 100 dpi, as 0xRRGGBB. */
static guint32
pixel_at (GBytes *png, double x_mm, double y_mm)
{
  PngRead read = { png, 0 };
  cairo_surface_t *surface = cairo_image_surface_create_from_png_stream (read_png, &read);
  int x = (int)(x_mm * 100 / 25.4), y = (int)(y_mm * 100 / 25.4);
  guint32 value;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  memcpy (&value, cairo_image_surface_get_data (surface) + y * cairo_image_surface_get_stride (surface) + x * 4, 4);
  cairo_surface_destroy (surface);
  return value & 0xFFFFFF;
}

/* A card's data row on its face: its field as text, its photo in its box; no photo, an empty box; a photo that is
 * not an image, an error saying so. */
static void
test_row_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClFaceTemplate) face = cl_face_template_load_data (ROW_FACE, -1, "row.face", &error);
  g_autoptr (GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GBytes) photo = red_png ();
  g_autoptr (GBytes) junk = g_bytes_new_static ("not an image", 12);
  g_autoptr (GBytes) with = NULL, without = NULL, nameless = NULL, bad = NULL;
  ClFaceData data = { "CL-000042", "B1", "label", fields, photo };

  g_assert_no_error (error);
  g_hash_table_insert (fields, (gpointer) "face.name", (gpointer) "Ada Lovelace");
  with = cl_face_render (face, &data, CL_FACE_FORMAT_PNG, 100, &error);
  g_assert_no_error (error);
  g_assert_cmphex (pixel_at (with, 14, 14), ==, 0xFF0000);
  data.photo = NULL;
  without = cl_face_render (face, &data, CL_FACE_FORMAT_PNG, 100, &error);
  g_assert_no_error (error);
  g_assert_cmphex (pixel_at (without, 14, 14), ==, 0xFFFFFF);
  data.fields = NULL;
  nameless = cl_face_render (face, &data, CL_FACE_FORMAT_PNG, 100, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (without, nameless));
  data.photo = junk;
  bad = cl_face_render (face, &data, CL_FACE_FORMAT_PNG, 100, &error);
  g_assert_null (bad);
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "the card's photo is not an image"));
}

static void
test_template_errors (void)
{
  const struct
  {
    const char *text, *message;
  } cases[] = {
    { "[Text a]\nField=serial\nX=1\nY=1\n", "no [Face] group" },
    { "[Face]\n[Text a]\nField=chip\nX=1\nY=1\n",
      "[Text a] Field: must be serial, batch, label or face.<placeholder>" },
    { "[Face]\n[Text a]\nField=face.photo\nX=1\nY=1\n", "[Text a] Field: must be serial" },
    { "[Face]\n[Photo p]\nX=70\nY=1\nWidth=20\nHeight=20\n", "[Photo p] Width: the photo does not fit" },
    { "[Face]\n[Text a]\nField=serial\nX=100\nY=1\n", "[Text a] X: outside the card" },
    { "[Face]\n[QR q]\nField=serial\nX=80\nY=1\nSize=20\n", "[QR q] Size: the code does not fit" },
    { "[Face]\nBackground=red\n", "[Face] Background: not a #rrggbb" },
    { "[Face]\n[Logo]\n", "unknown group [Logo]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ClFaceTemplate) face = cl_face_template_load_data (cases[i].text, -1, "t.face", &error);
      g_assert_null (face);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" lacks \"%s\"", i, error->message, cases[i].message);
    }
}

static void
test_print (void)
{
  const char *uri = g_getenv ("CARDLINE_IPP_URI");
  const char *printed = g_getenv ("CARDLINE_PRINTED_DIR");
  g_autoptr (ClFaceTemplate) face = load_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = cl_face_render (face, &sample, CL_FACE_FORMAT_PDF, 0, &error);
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint files = 0;
  int job_id = 0;

  g_assert_nonnull (uri);
  cl_face_print (uri, pdf, cl_face_format_mime_type (CL_FACE_FORMAT_PDF), "card face CL-000042", 20000, NULL, &job_id,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (job_id, >, 0);
  dir = g_dir_open (printed, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (printed, name, NULL);
      g_autofree char *received = NULL;
      gsize received_len;

      g_assert_true (g_file_get_contents (file, &received, &received_len, &error));
      g_assert_true (g_str_has_prefix (received, "%PDF-"));
      g_assert_cmpmem (received, received_len, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf));
      g_assert_nonnull (memmem (received, received_len, MEDIA_BOX, strlen (MEDIA_BOX)));
      files++;
    }
  g_assert_cmpuint (files, ==, 1);
}

static void
test_unreachable (void)
{
  g_autoptr (ClFaceTemplate) face = load_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = cl_face_render (face, &sample, CL_FACE_FORMAT_PDF, 0, &error);
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *uri = NULL;

  /* A port that was free a moment ago and has nobody listening. */
  g_assert_true (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  uri
    = g_strdup_printf ("ipp://127.0.0.1:%u/ipp/print", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_assert_false (cl_face_print (uri, pdf, "application/pdf", "face", 3000, NULL, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_SERVICE);
  g_assert_nonnull (strstr (error->message, uri));
  g_test_message ("%s", error->message);
}

int
main (int argc, char **argv)
{
  gboolean cups = argc > 1 && strcmp (argv[1], "--cups") == 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/face/template-errors", test_template_errors);
  g_test_add_func ("/face/render-png", test_render_png);
  g_test_add_func ("/face/render-pdf", test_render_pdf);
  g_test_add_func ("/face/row-fields", test_row_fields);
  g_test_add_func ("/face/unreachable", test_unreachable);
  if (cups)
    g_test_add_func ("/face/print", test_print);
  status = g_test_run ();
  /* Cairo's text rendering keeps fontconfig caches for the process; release them so that a leak checker
   * reports only what the face code itself leaks. */
  cairo_debug_reset_static_data ();
  FcFini ();
  return status;
}
