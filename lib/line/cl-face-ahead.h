/* cl-face-ahead.h: a card's face rendered on a thread of its own while its chip is produced (issue 14), so that the
 * printer-fed line's FACE step only sends it. Started once IDENTIFY passed (cl_card_sequence_set_face_ahead_func);
 * FACE prints it when it was made for the card FACE prints (same chip and serial), and otherwise renders afresh, as
 * without it. A rejected card's face is never printed: it goes with the object. */
#pragma once

#include "line/cl-face-printer.h"

G_BEGIN_DECLS

#define CL_TYPE_FACE_AHEAD (cl_face_ahead_get_type ())
G_DECLARE_FINAL_TYPE (ClFaceAhead, cl_face_ahead, CL, FACE_AHEAD, GObject)

/* Copies card and starts rendering it; NULL when face cannot render apart from printing. */
ClFaceAhead *cl_face_ahead_start (ClFacePrinter *face, const ClFaceCard *card);
/* Waits for the render (bounded: drawing one face), then prints it if it is card's; any other card, or a render
 * that failed, is printed by cl_face_printer_print. The errors are the face printer's. */
gboolean cl_face_ahead_print (ClFaceAhead *self, const ClFaceCard *card, GCancellable *cancellable, GError **error);

G_END_DECLS
