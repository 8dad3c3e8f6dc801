/* A card's photo comes from the customer's data files: whatever its bytes, the face renders with it or fails with
 * an error saying the photo is not an image, never a crash. */
#include <stdint.h>
#include <string.h>

#include "cups/cl-face-render.h"

#define FACE "[Face]\n[Text name]\nField=face.name\nX=30\nY=20\n[Photo p]\nX=4\nY=4\nWidth=20\nHeight=25\n"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static ClFaceTemplate *face;
  g_autoptr (GBytes) photo = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = NULL;
  ClFaceData card = { "CL-1", "B1", "label", NULL, photo };

  if (face == NULL)
    face = cl_face_template_load_data (FACE, -1, "fuzz.face", NULL);
  g_assert_nonnull (face);
  /* 20 dpi: the photo is decoded and scaled whole, the page stays small */
  png = cl_face_render (face, &card, CL_FACE_FORMAT_PNG, 20, &error);
  if (png == NULL)
    g_assert_nonnull (strstr (error->message, "the card's photo is not an image"));
  return 0;
}
