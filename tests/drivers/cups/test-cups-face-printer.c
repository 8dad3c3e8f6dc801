/* ClCupsFacePrinter: construction errors (unit), and on the rig (--cups) one card face through the rig's
 * ippeveprinter, which must receive one PDF showing the card's serial, batch and profile.
 *
 *   test-cups-face-printer [--cups] */
#include <fontconfig/fontconfig.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cl-driver-error.h"
#include "core/cl-error.h"
#include "cups/cl-cups-face-printer.h"

static char *
default_face_path (void)
{
  return g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "faces", "default.face", NULL);
}

static void
test_errors (void)
{
  g_autofree char *face = default_face_path ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCupsFacePrinter) printer = NULL;

  printer = cl_cups_face_printer_new ("/nonexistent/card.face", "ipp://127.0.0.1:9/ipp/print", &error);
  g_assert_null (printer);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  printer = cl_cups_face_printer_new (face, "", &error);
  g_assert_null (printer);
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
  g_clear_error (&error);

  printer = cl_cups_face_printer_new (face, "ipp://127.0.0.1:9/ipp/print", &error);
  g_assert_no_error (error);
  g_assert_true (CL_IS_FACE_PRINTER (printer));
  g_assert_cmpstr (cl_cups_face_printer_get_destination (printer), ==, "ipp://127.0.0.1:9/ipp/print");
}

/* A destination nobody listens on: the print fails (the batch run rejects the card PRINT_FAILED). */
static void
test_unreachable (void)
{
  g_autofree char *face = default_face_path ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (ClCupsFacePrinter) printer = NULL;
  g_autofree char *uri = NULL;
  const ClFaceCard card = { "CL-000007", NULL, "B-unreachable", "Cardline Token" };

  /* a port that was free a moment ago and has nobody listening */
  g_assert_true (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  uri
    = g_strdup_printf ("ipp://127.0.0.1:%u/ipp/print", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  printer = cl_cups_face_printer_new (face, uri, &error);
  g_assert_no_error (error);
  g_assert_false (cl_face_printer_print (CL_FACE_PRINTER (printer), &card, NULL, &error));
  /* the station's fault (line/cl-face-printer.h): the card waits for the queue instead of being rejected */
  g_assert_error (error, CL_ERROR, CL_ERROR_PRINTER_QUEUE);
  g_test_message ("%s", error->message);
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", path, "-", NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
test_print (void)
{
  const char *uri = g_getenv ("CARDLINE_IPP_URI");
  const char *printed = g_getenv ("CARDLINE_PRINTED_DIR");
  g_autofree char *face = default_face_path ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCupsFacePrinter) printer = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autofree char *document = NULL;
  g_autofree char *pdftotext = NULL;
  const ClFaceCard card = { "CL-000042", "0123456789ABCDEF", "B2024-07", "Cardline Token" };
  const char *name;
  guint files = 0;

  g_assert_nonnull (uri);
  g_assert_nonnull (printed);
  printer = cl_cups_face_printer_new (face, uri, &error);
  g_assert_no_error (error);
  /* returns once the printer completed the job: the document is in place, no waiting here */
  g_assert_true (cl_face_printer_print (CL_FACE_PRINTER (printer), &card, NULL, &error));
  g_assert_no_error (error);

  dir = g_dir_open (printed, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (printed, name, NULL);
      g_autofree char *head = NULL;

      g_autofree char *lower = g_ascii_strdown (name, -1);

      g_test_message ("received %s", name);
      /* ippeveprinter names the file after the job */
      g_assert_nonnull (strstr (lower, "cardline_card_cl-000042"));
      g_assert_true (g_file_get_contents (path, &head, NULL, &error));
      g_assert_true (g_str_has_prefix (head, "%PDF-"));
      g_clear_pointer (&document, g_free);
      document = g_steal_pointer (&path);
      files++;
    }
  g_assert_cmpuint (files, ==, 1);
  pdftotext = g_find_program_in_path ("pdftotext");
  if (pdftotext == NULL)
    {
      g_test_message ("pdftotext not found (poppler-utils): the face's text is not checked");
      return;
    }
  {
    g_autofree char *text = pdf_text (document);

    g_test_message ("face text: %s", text);
    g_assert_nonnull (strstr (text, "CL-000042"));
    g_assert_nonnull (strstr (text, "B2024-07"));
    g_assert_nonnull (strstr (text, "Cardline Token"));
  }
}

int
main (int argc, char **argv)
{
  gboolean cups = argc > 1 && strcmp (argv[1], "--cups") == 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cups-face-printer/errors", test_errors);
  g_test_add_func ("/cups-face-printer/unreachable", test_unreachable);
  if (cups)
    g_test_add_func ("/cups-face-printer/print", test_print);
  status = g_test_run ();
  /* cairo keeps fontconfig caches for the process: released so that a leak checker sees only this code's leaks */
  cairo_debug_reset_static_data ();
  FcFini ();
  return status;
}
