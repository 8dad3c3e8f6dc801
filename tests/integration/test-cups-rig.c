/* A card face through libcups to the rig's ippeveprinter, which hands every document to DIR/printed/. */
#include <cairo.h>
#include <cups/cups.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#define JOB_TIMEOUT_S 20

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A small card face, so the test sends what the station sends: an image with text on it. */
static GBytes *
make_face_png (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 86, 54);
  cairo_t *cr = cairo_create (surface);
  GByteArray *png = g_byte_array_new ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.2, 0.6);
  cairo_rectangle (cr, 4, 4, 78, 14);
  cairo_fill (cr);
  cairo_move_to (cr, 6, 40);
  cairo_show_text (cr, "CL-0001");
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_png, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (png);
}

static http_t *
connect_printer (const char *uri, char *resource, gsize resource_len)
{
  char scheme[32], user[64], host[256];
  int port = 0;
  http_t *http;

  g_assert_cmpint (httpSeparateURI (HTTP_URI_CODING_ALL, uri, scheme, sizeof scheme, user, sizeof user, host,
                                    sizeof host, &port, resource, (int)resource_len),
                   >=, HTTP_URI_STATUS_OK);
  g_assert_cmpstr (scheme, ==, "ipp");
  g_assert_cmpstr (host, ==, "127.0.0.1");
  http = httpConnect2 (host, port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 10000, NULL);
  if (http == NULL)
    g_error ("cannot connect to %s: %s", uri, cupsLastErrorString ());
  return http;
}

static int
submit (http_t *http, const char *uri, const char *resource, const char *path)
{
  ipp_t *request = ippNewRequest (IPP_OP_PRINT_JOB);
  ipp_t *response;
  ipp_attribute_t *attr;
  int job_id;

  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, "cardline-test");
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, "card face CL-0001");
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, "image/png");
  response = cupsDoFileRequest (http, request, resource, path);
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    g_error ("Print-Job to %s failed: %s", uri, cupsLastErrorString ());
  attr = ippFindAttribute (response, "job-id", IPP_TAG_INTEGER);
  g_assert_nonnull (attr);
  job_id = ippGetInteger (attr, 0);
  g_assert_cmpint (job_id, >, 0);
  ippDelete (response);
  return job_id;
}

static ipp_jstate_t
job_state (http_t *http, const char *uri, const char *resource, int job_id)
{
  ipp_t *request = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
  ipp_t *response;
  ipp_attribute_t *attr;
  ipp_jstate_t state;

  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, "cardline-test");
  response = cupsDoRequest (http, request, resource);
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    g_error ("Get-Job-Attributes for job %d failed: %s", job_id, cupsLastErrorString ());
  attr = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
  g_assert_nonnull (attr);
  state = (ipp_jstate_t)ippGetInteger (attr, 0);
  ippDelete (response);
  return state;
}

static void
test_print_face (void)
{
  const char *uri = g_getenv ("CARDLINE_IPP_URI");
  const char *printed = g_getenv ("CARDLINE_PRINTED_DIR");
  g_autoptr (GBytes) face = make_face_png ();
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *received = NULL;
  g_autoptr (GDir) dir = NULL;
  char resource[256];
  const char *name;
  gsize received_len = 0;
  guint files = 0;
  gint64 deadline;
  http_t *http;
  int job_id;
  ipp_jstate_t state;

  g_assert_nonnull (uri);
  g_assert_nonnull (printed);
  tmp_dir = g_dir_make_tmp ("cardline-face-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmp_dir, "face.png", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (face, NULL), g_bytes_get_size (face), &error));
  g_assert_no_error (error);

  http = connect_printer (uri, resource, sizeof resource);
  job_id = submit (http, uri, resource, path);

  deadline = g_get_monotonic_time () + JOB_TIMEOUT_S * G_TIME_SPAN_SECOND;
  while ((state = job_state (http, uri, resource, job_id)) < IPP_JSTATE_CANCELED)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_cmpint (state, ==, IPP_JSTATE_COMPLETED);
  httpClose (http);

  dir = g_dir_open (printed, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (printed, name, NULL);
      g_test_message ("printed: %s", name);
      g_assert_false (g_str_has_suffix (name, ".part"));
      g_assert_true (g_file_get_contents (file, &received, &received_len, &error));
      g_assert_no_error (error);
      files++;
    }
  g_assert_cmpuint (files, ==, 1);
  g_assert_cmpmem (received, received_len, g_bytes_get_data (face, NULL), g_bytes_get_size (face));

  g_unlink (path);
  g_rmdir (tmp_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cups-rig/print-face", test_print_face);
  return g_test_run ();
}
