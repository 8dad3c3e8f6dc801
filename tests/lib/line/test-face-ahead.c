/* test-face-ahead: a face rendered while the chip is produced (line/cl-face-ahead.h) is what FACE prints for that
 * card, and only for it: another card's FACE renders afresh, a failed render is rendered again at FACE (with its
 * error), and a face never asked for is never printed. The face printer here records what it was asked. */
#include "line/cl-face-ahead.h"

#include "core/cl-error.h"

#define TEST_TYPE_FACE_PRINTER (test_face_printer_get_type ())
G_DECLARE_FINAL_TYPE (TestFacePrinter, test_face_printer, TEST, FACE_PRINTER, GObject)

struct _TestFacePrinter
{
  GObject parent_instance;

  GMutex lock;
  guint renders;
  gboolean fail_render;
  GPtrArray *printed; /* the documents printed, in order */
};

static void test_face_printer_iface_init (ClFacePrinterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestFacePrinter, test_face_printer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_FACE_PRINTER, test_face_printer_iface_init))

static GBytes *
test_render (ClFacePrinter *printer, const ClFaceCard *card, GError **error)
{
  TestFacePrinter *self = TEST_FACE_PRINTER (printer);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  const char *name = card->fields != NULL ? g_hash_table_lookup (card->fields, "face.name") : NULL;
  char *text;

  if (self->fail_render)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "render %u failed", self->renders++);
      return NULL;
    }
  text = g_strdup_printf ("%s %s #%u", card->serial, name != NULL ? name : "-", ++self->renders);
  return g_bytes_new_take (text, strlen (text));
}

static gboolean
test_print_rendered (ClFacePrinter *printer, const ClFaceCard *card, GBytes *document, GCancellable *cancellable,
                     GError **error)
{
  TestFacePrinter *self = TEST_FACE_PRINTER (printer);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  g_ptr_array_add (self->printed, g_strndup (g_bytes_get_data (document, NULL), g_bytes_get_size (document)));
  return TRUE;
}

static gboolean
test_print (ClFacePrinter *printer, const ClFaceCard *card, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) document = test_render (printer, card, error);

  return document != NULL && test_print_rendered (printer, card, document, cancellable, error);
}

static void
test_face_printer_iface_init (ClFacePrinterInterface *iface)
{
  iface->print = test_print;
  iface->render = test_render;
  iface->print_rendered = test_print_rendered;
}

static void
test_face_printer_finalize (GObject *object)
{
  TestFacePrinter *self = TEST_FACE_PRINTER (object);

  g_ptr_array_unref (self->printed);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (test_face_printer_parent_class)->finalize (object);
}

static void
test_face_printer_class_init (TestFacePrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_face_printer_finalize;
}

static void
test_face_printer_init (TestFacePrinter *self)
{
  g_mutex_init (&self->lock);
  self->printed = g_ptr_array_new_with_free_func (g_free);
}

static GHashTable *
fields_named (const char *name)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (fields, g_strdup ("face.name"), g_strdup (name));
  return fields;
}

/* FACE for the card started: the document rendered ahead, not a second render; the row's later changes do not
 * reach it (it was copied). */
static void
test_same_card (void)
{
  g_autoptr (TestFacePrinter) printer = g_object_new (TEST_TYPE_FACE_PRINTER, NULL);
  g_autoptr (GHashTable) fields = fields_named ("Ada");
  ClFaceCard card = { "DECL0000001", "4790000000000001", "B1", "smartcard-hsm", fields, NULL };
  g_autoptr (ClFaceAhead) ahead = cl_face_ahead_start (CL_FACE_PRINTER (printer), &card);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (ahead);
  g_hash_table_insert (fields, g_strdup ("face.name"), g_strdup ("Changed"));
  g_assert_true (cl_face_ahead_print (ahead, &card, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (printer->printed->len, ==, 1);
  g_assert_cmpstr (printer->printed->pdata[0], ==, "DECL0000001 Ada #1");
  g_assert_cmpuint (printer->renders, ==, 1);
}

/* FACE for another serial (the CHR came out otherwise) renders that card afresh; the face rendered ahead is not
 * printed. */
static void
test_other_card (void)
{
  g_autoptr (TestFacePrinter) printer = g_object_new (TEST_TYPE_FACE_PRINTER, NULL);
  ClFaceCard card = { "DECL0000001", "4790000000000001", "B1", "smartcard-hsm", NULL, NULL };
  ClFaceCard other = { "DECL0000002", "4790000000000001", "B1", "smartcard-hsm", NULL, NULL };
  g_autoptr (ClFaceAhead) ahead = cl_face_ahead_start (CL_FACE_PRINTER (printer), &card);
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_face_ahead_print (ahead, &other, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (printer->printed->len, ==, 1);
  g_assert_true (g_str_has_prefix (printer->printed->pdata[0], "DECL0000002 - #"));
}

/* A render that failed ahead is rendered again at FACE, whose error rejects the card as before. */
static void
test_failed_render (void)
{
  g_autoptr (TestFacePrinter) printer = g_object_new (TEST_TYPE_FACE_PRINTER, NULL);
  ClFaceCard card = { "DECL0000001", "4790000000000001", "B1", "smartcard-hsm", NULL, NULL };
  g_autoptr (ClFaceAhead) ahead = NULL;
  g_autoptr (GError) error = NULL;

  printer->fail_render = TRUE;
  ahead = cl_face_ahead_start (CL_FACE_PRINTER (printer), &card);
  g_assert_false (cl_face_ahead_print (ahead, &card, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "render 1 failed");
  g_assert_cmpuint (printer->printed->len, ==, 0);
}

/* A rejected card never reaches FACE: its face, rendered or not yet, goes with the object, unprinted. */
static void
test_rejected_card (void)
{
  g_autoptr (TestFacePrinter) printer = g_object_new (TEST_TYPE_FACE_PRINTER, NULL);
  ClFaceCard card = { "DECL0000001", "4790000000000001", "B1", "smartcard-hsm", NULL, NULL };
  ClFaceAhead *ahead = cl_face_ahead_start (CL_FACE_PRINTER (printer), &card);
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  GWeakRef gone;

  g_weak_ref_init (&gone, ahead);
  g_object_unref (ahead);
  /* the render thread holds the last reference until it is done: one render, however loaded the machine */
  for (;;)
    {
      GObject *still = g_weak_ref_get (&gone);

      if (still == NULL)
        break;
      g_object_unref (still);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_weak_ref_clear (&gone);
  g_assert_cmpuint (printer->renders, ==, 1);
  g_assert_cmpuint (printer->printed->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/face-ahead/same-card", test_same_card);
  g_test_add_func ("/face-ahead/other-card", test_other_card);
  g_test_add_func ("/face-ahead/failed-render", test_failed_render);
  g_test_add_func ("/face-ahead/rejected-card", test_rejected_card);
  return g_test_run ();
}
