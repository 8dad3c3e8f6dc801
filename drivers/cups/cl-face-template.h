/* cl-face-template.h: a card face template, a GLib key file (data/faces/NAME.face):
 *
 *   [Face]
 *   Name=Cardline default
 *   Width=85.60            card size in mm (CR80 85.60 x 53.98 if absent)
 *   Height=53.98
 *   Background=#ffffff
 *
 *   [Text serial]          one group per text field: "Text <id>"
 *   Field=serial           card data field: serial, batch or label, or face.<placeholder>: the card's data row's
 *                          field of that name (store/cl-store-rows.h; empty when the card has no such field)
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
 *   [Photo holder]         one group per photo: "Photo <id>", the card's data row's photo (face.photo), scaled
 *   X=4                    to fit the box keeping its aspect ratio; none drawn when the card has no photo
 *   Y=16
 *   Width=20
 *   Height=25
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
  CL_FACE_FIELD_ROW, /* row_field names it */
} ClFaceField;

typedef struct
{
  ClFaceField field;
  const char *row_field; /* interned: "face.<placeholder>" */
  char *prefix;
  double x, y, size;
  char *font;
  gboolean bold, italic;
  double rgb[3];
} ClFaceText;

typedef struct
{
  ClFaceField field;
  const char *row_field;
  double x, y, size;
} ClFaceQr;

typedef struct
{
  double x, y, width, height;
} ClFacePhoto;

typedef struct
{
  char *name;
  double width, height;
  double background[3];
  GArray *texts;  /* ClFaceText */
  GArray *qrs;    /* ClFaceQr */
  GArray *photos; /* ClFacePhoto */
} ClFaceTemplate;

/* The data a face shows. */
typedef struct
{
  const char *serial;
  const char *batch;
  const char *label;
  GHashTable *fields; /* the card's data row: target field name -> value; NULL: none */
  GBytes *photo;      /* its photo (any format gdk-pixbuf reads); NULL: none */
} ClFaceData;

ClFaceTemplate *cl_face_template_load (const char *path, GError **error);
ClFaceTemplate *cl_face_template_load_data (const char *data, gsize len, const char *name, GError **error);
void cl_face_template_free (ClFaceTemplate *face);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClFaceTemplate, cl_face_template_free)

/* The value of field (row_field for CL_FACE_FIELD_ROW), "" when the card has none. */
const char *cl_face_data_get (const ClFaceData *data, ClFaceField field, const char *row_field);

G_END_DECLS
