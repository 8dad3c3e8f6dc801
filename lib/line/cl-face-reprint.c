/* cl-face-reprint.c: a good card's face printed again from its records (see cl-face-reprint.h). */
#include "line/cl-face-reprint.h"

#include "store/cl-store-rows.h"

gboolean
cl_face_reprint (ClStore *store, ClFacePrinter *face, const char *chip_id, const char *label, const char *user,
                 GCancellable *cancellable, GError **error)
{
  g_autofree char *serial = NULL, *batch = NULL, *detail = NULL;
  g_autoptr (ClBatchRow) row = NULL;
  g_autoptr (ClCardRecord) card = NULL;
  ClFaceCard face_card = { 0 };

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (CL_IS_FACE_PRINTER (face), FALSE);
  if (!cl_store_rows_face_of (store, chip_id, &serial, &batch, &row, error))
    return FALSE;
  face_card.serial = serial;
  face_card.chip_id = chip_id;
  face_card.batch = batch;
  face_card.profile = label;
  face_card.fields = row != NULL ? row->fields : NULL;
  face_card.photo = row != NULL ? row->photo : NULL;
  if (!cl_face_printer_print (face, &face_card, cancellable, error))
    return FALSE;
  card = cl_store_card_lookup (store, chip_id, error);
  if (card == NULL)
    return FALSE;
  /* QA finds a card by what is printed on it */
  if (card->printed_serial == NULL && !cl_store_card_set_printed_serial (store, chip_id, serial, error))
    return FALSE;
  detail = g_strdup_printf ("serial %s batch %s row %s", serial, batch != NULL ? batch : "-",
                            row != NULL ? row->reference : "-");
  return cl_store_audit_append (store, user, "face-reprint", chip_id, detail, error) > 0;
}
