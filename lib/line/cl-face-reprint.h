/* cl-face-reprint.h: QA prints a good card's face again (a smudged or misprinted face) from its records: its data
 * row's fields and photo and its serial, without touching the chip. */
#pragma once

#include "line/cl-face-printer.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

/* Blocking (store and printer): renders and prints the face of chip_id and audits it as "face-reprint" by user
 * (subject the chip; detail serial, batch and row). label is what the face's "label" field shows (the profile's
 * name on the line). A card that is not GOOD is refused (CL_ERROR_INVALID_ARGUMENT); a face printer failure is the
 * printer's error, and nothing is audited then. A card that had no printed serial gets the one printed now. */
gboolean cl_face_reprint (ClStore *store, ClFacePrinter *face, const char *chip_id, const char *label, const char *user,
                          GCancellable *cancellable, GError **error);

G_END_DECLS
