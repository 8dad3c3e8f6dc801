/* cl-face-render.h: a card face drawn with cairo from a template and the card's data. */
#pragma once

#include "cl-face-template.h"

G_BEGIN_DECLS

typedef enum
{
  CL_FACE_FORMAT_PDF, /* one page of exactly the card size */
  CL_FACE_FORMAT_PNG, /* at @dpi, the card size in pixels */
} ClFaceFormat;

GBytes *cl_face_render (const ClFaceTemplate *face, const ClFaceData *data, ClFaceFormat format, double dpi,
                        GError **error);
/* "application/pdf", "image/png". */
const char *cl_face_format_mime_type (ClFaceFormat format);

G_END_DECLS
