/* cl-face-template.h: a card face template, a GLib key file (data/faces/NAME.face):
 *
 *   [Face]
 *   Name=Cardline default
 *   Width=85.60            card size in mm (CR80 85.60 x 53.98 if absent)
 *   Height=53.98
 *   Background=#ffffff
 *
 *   [Text serial]          one group per text field: "Text <id>"
 *   Field=serial           card data field: serial, batch or label
 *   Prefix=S/N             optional text before the value
 *   X=6                    baseline start, mm from the top-left corner
 *   Y=44
 *   Font=Sans Bold         a fontconfig family, "Bold"/"Italic" suffixes honoured
 *   Size=3.5               font size in mm
 *   Color=#1a1a1a
 *
 *   [QR serial]            one group per QR code: "QR <id>"
 *   Field=serial
 *   X=62                   top-left corner, mm
 *   Y=30
 *   Size=18                edge length, mm (quiet zone included)
 *
 * Positions must lie on the card; anything else is an error naming the group and key. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_FACE_CR80_WIDTH_MM  85.60
#define CL_FACE_CR80_HEIGHT_MM 53.98

typedef enum
{
  CL_FACE_FIELD_SERIAL,
  CL_FACE_FIELD_BATCH,
  CL_FACE_FIELD_LABEL,
} ClFaceField;

typedef struct
{
  ClFaceField field;
  char *prefix;
  double x, y, size;
  char *font;
  gboolean bold, italic;
  double rgb[3];
} ClFaceText;

typedef struct
{
  ClFaceField field;
  double x, y, size;
} ClFaceQr;

typedef struct
{
  char *name;
  double width, height;
  double background[3];
  GArray *texts; /* ClFaceText */
  GArray *qrs;   /* ClFaceQr */
} ClFaceTemplate;

/* The data a face shows. */
typedef struct
{
  const char *serial;
  const char *batch;
  const char *label;
} ClFaceData;

ClFaceTemplate *cl_face_template_load (const char *path, GError **error);
ClFaceTemplate *cl_face_template_load_data (const char *data, gsize len, const char *name, GError **error);
void cl_face_template_free (ClFaceTemplate *face);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClFaceTemplate, cl_face_template_free)

const char *cl_face_data_get (const ClFaceData *data, ClFaceField field);

G_END_DECLS
