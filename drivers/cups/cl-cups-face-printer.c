#include "cl-cups-face-printer.h"

#include "core/cl-error.h"

#include "cl-driver-error.h"
#include "cl-face-printer.h"
#include "cl-face-render.h"

/* A card printer prints a face in seconds, but its queue may hold the previous card's job and a first job warms the
 * print head: a minute tells a stuck printer from a slow one. */
#define FACE_TIMEOUT_MS 60000
/* What card printers' drivers take without scaling the card's fine print. */
#define FACE_DPI 300

struct _ClCupsFacePrinter
{
  GObject parent_instance;

  ClFaceTemplate *face;
  char *destination;
};

static void cl_cups_face_printer_iface_init (ClFacePrinterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCupsFacePrinter, cl_cups_face_printer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_FACE_PRINTER, cl_cups_face_printer_iface_init))

static GBytes *
cl_cups_face_printer_render (ClFacePrinter *printer, const ClFaceCard *card, GError **error)
{
  ClCupsFacePrinter *self = CL_CUPS_FACE_PRINTER (printer);
  ClFaceData data = { card->serial, card->batch, card->profile, card->fields, card->photo };

  return cl_face_render (self->face, &data, CL_FACE_FORMAT_PDF, FACE_DPI, error);
}

static gboolean
cl_cups_face_printer_print_rendered (ClFacePrinter *printer, const ClFaceCard *card, GBytes *document,
                                     GCancellable *cancellable, GError **error)
{
  ClCupsFacePrinter *self = CL_CUPS_FACE_PRINTER (printer);
  g_autofree char *job_name = g_strdup_printf ("Cardline card %s", card->serial);
  g_autoptr (GError) local = NULL;
  int job_id = 0;

  if (!cl_face_print (self->destination, document, cl_face_format_mime_type (CL_FACE_FORMAT_PDF), job_name,
                      FACE_TIMEOUT_MS, cancellable, &job_id, &local))
    {
      /* the face printer's contract (line/cl-face-printer.h): a queue that is not there for the card is the
       * station's, so the card waits instead of going to the reject bin */
      if (local->domain == CL_DRIVER_ERROR
          && (local->code == CL_DRIVER_ERROR_NO_SERVICE || local->code == CL_DRIVER_ERROR_NO_READER
              || local->code == CL_DRIVER_ERROR_DEVICE_FAULT || local->code == CL_DRIVER_ERROR_TIMEOUT))
        g_set_error (error, CL_ERROR, CL_ERROR_PRINTER_QUEUE, "printer queue %s: %s", self->destination,
                     local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_debug ("face of %s printed on %s as job %d", card->serial, self->destination, job_id);
  return TRUE;
}

static gboolean
cl_cups_face_printer_print (ClFacePrinter *printer, const ClFaceCard *card, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) document = cl_cups_face_printer_render (printer, card, error);

  return document != NULL && cl_cups_face_printer_print_rendered (printer, card, document, cancellable, error);
}

static void
cl_cups_face_printer_iface_init (ClFacePrinterInterface *iface)
{
  iface->print = cl_cups_face_printer_print;
  iface->render = cl_cups_face_printer_render;
  iface->print_rendered = cl_cups_face_printer_print_rendered;
}

static void
cl_cups_face_printer_finalize (GObject *object)
{
  ClCupsFacePrinter *self = CL_CUPS_FACE_PRINTER (object);

  g_clear_pointer (&self->face, cl_face_template_free);
  g_free (self->destination);
  G_OBJECT_CLASS (cl_cups_face_printer_parent_class)->finalize (object);
}

static void
cl_cups_face_printer_class_init (ClCupsFacePrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_cups_face_printer_finalize;
}

static void
cl_cups_face_printer_init (ClCupsFacePrinter *self)
{
}

ClCupsFacePrinter *
cl_cups_face_printer_new (const char *face_template_path, const char *destination, GError **error)
{
  g_autoptr (ClCupsFacePrinter) self = NULL;

  g_return_val_if_fail (face_template_path != NULL, NULL);

  if (destination == NULL || *destination == '\0')
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED,
                   "card faces (%s) need a printer: an IPP URI or a CUPS queue name", face_template_path);
      return NULL;
    }
  self = g_object_new (CL_TYPE_CUPS_FACE_PRINTER, NULL);
  self->face = cl_face_template_load (face_template_path, error);
  if (self->face == NULL)
    return NULL;
  self->destination = g_strdup (destination);
  return g_steal_pointer (&self);
}

const char *
cl_cups_face_printer_get_destination (ClCupsFacePrinter *self)
{
  g_return_val_if_fail (CL_IS_CUPS_FACE_PRINTER (self), NULL);
  return self->destination;
}
