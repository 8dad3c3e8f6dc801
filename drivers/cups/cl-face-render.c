#include "cl-face-render.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <string.h>
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <qrencode.h>

#include "cl-driver-error.h"

#define MM_PER_INCH 25.4

static cairo_status_t
append (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
draw_qr (cairo_t *cr, const ClFaceQr *qr, const char *value, GError **error)
{
  QRcode *code = QRcode_encodeString8bit (value, 0, QR_ECLEVEL_M);
  double module;

  if (code == NULL)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "cannot encode \"%s\" as a QR code: %s", value,
                   g_strerror (errno));
      return FALSE;
    }
  /* Four modules of quiet zone on each side, inside the template's square. */
  module = qr->size / (code->width + 8);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, qr->x, qr->y, qr->size, qr->size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      if (code->data[y * code->width + x] & 1)
        cairo_rectangle (cr, qr->x + (x + 4) * module, qr->y + (y + 4) * module, module, module);
  cairo_fill (cr);
  QRcode_free (code);
  return TRUE;
}

/* More than a card face shows at any printer's resolution (a 25 mm box at 600 dpi is 590 px): a larger photo is
 * decoded scaled down, so a small file that expands to gigapixels cannot exhaust the station's memory. */
#define PHOTO_MAX_PX 1024

static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer unused)
{
  if (width > PHOTO_MAX_PX || height > PHOTO_MAX_PX)
    {
      double scale = (double)PHOTO_MAX_PX / MAX (width, height);

      gdk_pixbuf_loader_set_size (loader, MAX (1, (int)(width * scale)), MAX (1, (int)(height * scale)));
    }
}

/* The photo as a cairo surface: gdk-pixbuf decodes (PNG, JPEG, ...), and its RGBA is premultiplied into cairo's
 * native-endian ARGB by hand, since gdk_cairo_set_source_pixbuf() belongs to GTK's GDK. */
static cairo_surface_t *
photo_surface (GBytes *photo, GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (GdkPixbuf) rgba = NULL;
  GdkPixbuf *decoded = NULL;
  cairo_surface_t *surface;
  int width, height, stride, in_stride;
  const guint8 *in;
  guint8 *out;

  gboolean written;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), NULL);
  written = g_bytes_get_size (photo) > 0 && gdk_pixbuf_loader_write_bytes (loader, photo, &local);

  /* the loader is always closed: one dropped unclosed complains; a failed write's close says nothing new */
  if (!gdk_pixbuf_loader_close (loader, written ? &local : NULL) || !written
      || (decoded = gdk_pixbuf_loader_get_pixbuf (loader)) == NULL)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "the card's photo is not an image: %s",
                   local != NULL ? local->message : "nothing decoded");
      return NULL;
    }
  rgba = gdk_pixbuf_add_alpha (decoded, FALSE, 0, 0, 0);
  width = gdk_pixbuf_get_width (rgba);
  height = gdk_pixbuf_get_height (rgba);
  in_stride = gdk_pixbuf_get_rowstride (rgba);
  in = gdk_pixbuf_read_pixels (rgba);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_surface_flush (surface);
  out = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = in + y * in_stride + x * 4;
        guint32 a = p[3];
        guint32 pixel = a << 24 | (p[0] * a / 255) << 16 | (p[1] * a / 255) << 8 | (p[2] * a / 255);

        memcpy (out + y * stride + x * 4, &pixel, 4);
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* Scaled to fit the box, keeping its aspect ratio, centred. */
static gboolean
draw_photo (cairo_t *cr, const ClFacePhoto *box, GBytes *photo, GError **error)
{
  cairo_surface_t *surface = photo_surface (photo, error);
  double w, h, scale;

  if (surface == NULL)
    return FALSE;
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  scale = MIN (box->width / w, box->height / h);
  cairo_save (cr);
  cairo_translate (cr, box->x + (box->width - w * scale) / 2, box->y + (box->height - h * scale) / 2);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);
  return TRUE;
}

/* Draws in mm: the caller scales the context. */
static gboolean
draw (cairo_t *cr, const ClFaceTemplate *face, const ClFaceData *data, GError **error)
{
  cairo_set_source_rgb (cr, face->background[0], face->background[1], face->background[2]);
  /* paint, not the card rectangle: the pixel grid rounds the card size up by a fraction of a row. */
  cairo_paint (cr);

  for (guint i = 0; i < face->texts->len; i++)
    {
      const ClFaceText *t = &g_array_index (face->texts, ClFaceText, i);
      const char *value = cl_face_data_get (data, t->field, t->row_field);
      g_autofree char *text = t->prefix && *t->prefix ? g_strdup_printf ("%s %s", t->prefix, value) : g_strdup (value);

      cairo_select_font_face (cr, t->font, t->italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                              t->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, t->size);
      cairo_set_source_rgb (cr, t->rgb[0], t->rgb[1], t->rgb[2]);
      cairo_move_to (cr, t->x, t->y);
      cairo_show_text (cr, text);
    }
  for (guint i = 0; i < face->qrs->len; i++)
    {
      const ClFaceQr *qr = &g_array_index (face->qrs, ClFaceQr, i);
      if (!draw_qr (cr, qr, cl_face_data_get (data, qr->field, qr->row_field), error))
        return FALSE;
    }
  for (guint i = 0; i < face->photos->len && data->photo != NULL; i++)
    if (!draw_photo (cr, &g_array_index (face->photos, ClFacePhoto, i), data->photo, error))
      return FALSE;
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "drawing the card face: %s",
                   cairo_status_to_string (cairo_status (cr)));
      return FALSE;
    }
  return TRUE;
}

GBytes *
cl_face_render (const ClFaceTemplate *face, const ClFaceData *data, ClFaceFormat format, double dpi, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean ok;

  g_return_val_if_fail (face != NULL && data != NULL, NULL);

  if (format == CL_FACE_FORMAT_PDF)
    {
      double pt = 72.0 / MM_PER_INCH;
      surface = cairo_pdf_surface_create_for_stream (append, out, face->width * pt, face->height * pt);
      cr = cairo_create (surface);
      cairo_scale (cr, pt, pt);
    }
  else
    {
      double px = dpi / MM_PER_INCH;
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int)(face->width * px + 0.5),
                                            (int)(face->height * px + 0.5));
      cr = cairo_create (surface);
      cairo_scale (cr, px, px);
    }
  ok = draw (cr, face, data, error);
  cairo_destroy (cr);
  if (format == CL_FACE_FORMAT_PNG && ok)
    status = cairo_surface_write_to_png_stream (surface, append, out);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (!ok)
    return NULL;
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "writing the card face: %s",
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

const char *
cl_face_format_mime_type (ClFaceFormat format)
{
  return format == CL_FACE_FORMAT_PDF ? "application/pdf" : "image/png";
}
