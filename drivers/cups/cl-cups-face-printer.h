/* cl-cups-face-printer.h: card faces printed through CUPS, as the batch run's ClFacePrinter (DESIGN §2 step 11).
 * The face template is loaded once, at construction, so a broken template is said before the first card; each
 * print renders the card's face as a one-page PDF of the card size (serial, batch, and the profile as the label)
 * and submits it as "Cardline card SERIAL", returning once the printer completed the job (60 s at most).
 *
 * Printing may run on several card jobs' threads at once: the template is only read, and each job has its own
 * connection to the printer. What was printed is not written to the record store here: the batch run does that. */
#pragma once

#include "line/cl-face-printer.h"

G_BEGIN_DECLS

#define CL_TYPE_CUPS_FACE_PRINTER (cl_cups_face_printer_get_type ())
G_DECLARE_FINAL_TYPE (ClCupsFacePrinter, cl_cups_face_printer, CL, CUPS_FACE_PRINTER, GObject)

/* face_template_path: a .face key file (cl-face-template.h); destination: an IPP URI or a CUPS queue name
 * (cl_face_print()). */
ClCupsFacePrinter *cl_cups_face_printer_new (const char *face_template_path, const char *destination, GError **error);

const char *cl_cups_face_printer_get_destination (ClCupsFacePrinter *self);

G_END_DECLS
