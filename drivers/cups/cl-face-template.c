#include "cl-face-template.h"

#include <string.h>

#include "cl-driver-error.h"

static void
text_clear (gpointer p)
{
  ClFaceText *text = p;
  g_free (text->prefix);
  g_free (text->font);
}

void
cl_face_template_free (ClFaceTemplate *face)
{
  if (face == NULL)
    return;
  g_free (face->name);
  g_array_unref (face->texts);
  g_array_unref (face->qrs);
  g_array_unref (face->photos);
  g_free (face);
}

const char *
cl_face_data_get (const ClFaceData *data, ClFaceField field, const char *row_field)
{
  const char *value = field == CL_FACE_FIELD_SERIAL  ? data->serial
                      : field == CL_FACE_FIELD_BATCH ? data->batch
                      : field == CL_FACE_FIELD_LABEL ? data->label
                      : data->fields != NULL         ? g_hash_table_lookup (data->fields, row_field)
                                                     : NULL;
  return value ? value : "";
}

static gboolean
bad (GError **error, const char *where, const char *group, const char *key, const char *why)
{
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "face template %s: [%s] %s: %s", where, group, key, why);
  return FALSE;
}

static gboolean
get_mm (GKeyFile *kf, const char *where, const char *group, const char *key, double max, double fallback,
        gboolean required, double *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  double v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      if (required)
        return bad (error, where, group, key, "missing");
      *out = fallback;
      return TRUE;
    }
  v = g_key_file_get_double (kf, group, key, &local);
  if (local != NULL)
    return bad (error, where, group, key, "not a number");
  if (!(v >= 0 && v <= max))
    return bad (error, where, group, key, "outside the card");
  *out = v;
  return TRUE;
}

static gboolean
get_color (GKeyFile *kf, const char *where, const char *group, const char *key, const char *fallback, double rgb[3],
           GError **error)
{
  g_autofree char *text = g_key_file_get_string (kf, group, key, NULL);
  const char *c = text ? text : fallback;
  guint64 v;

  if (strlen (c) != 7 || c[0] != '#' || !g_ascii_string_to_unsigned (c + 1, 16, 0, 0xFFFFFF, &v, NULL))
    return bad (error, where, group, key, "not a #rrggbb colour");
  rgb[0] = ((v >> 16) & 0xff) / 255.0;
  rgb[1] = ((v >> 8) & 0xff) / 255.0;
  rgb[2] = (v & 0xff) / 255.0;
  return TRUE;
}

static gboolean
is_placeholder (const char *name)
{
  if (*name == '\0' || strlen (name) > 64)
    return FALSE;
  for (; *name != '\0'; name++)
    if (!g_ascii_islower (*name) && !g_ascii_isdigit (*name) && *name != '_' && *name != '-')
      return FALSE;
  return TRUE;
}

static gboolean
get_field (GKeyFile *kf, const char *where, const char *group, ClFaceField *out, const char **row_field, GError **error)
{
  g_autofree char *field = g_key_file_get_string (kf, group, "Field", NULL);

  *row_field = NULL;
  if (field != NULL && g_str_has_prefix (field, "face.") && strcmp (field, "face.photo") != 0
      && is_placeholder (field + strlen ("face.")))
    {
      *out = CL_FACE_FIELD_ROW;
      *row_field = g_intern_string (field);
      return TRUE;
    }
  if (g_strcmp0 (field, "serial") == 0)
    *out = CL_FACE_FIELD_SERIAL;
  else if (g_strcmp0 (field, "batch") == 0)
    *out = CL_FACE_FIELD_BATCH;
  else if (g_strcmp0 (field, "label") == 0)
    *out = CL_FACE_FIELD_LABEL;
  else
    return bad (error, where, group, "Field", "must be serial, batch, label or face.<placeholder> (a-z 0-9 _ -)");
  return TRUE;
}

static ClFaceTemplate *
from_key_file (GKeyFile *kf, const char *where, GError **error)
{
  g_autoptr (ClFaceTemplate) face = g_new0 (ClFaceTemplate, 1);
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  face->texts = g_array_new (FALSE, TRUE, sizeof (ClFaceText));
  g_array_set_clear_func (face->texts, text_clear);
  face->qrs = g_array_new (FALSE, TRUE, sizeof (ClFaceQr));
  face->photos = g_array_new (FALSE, TRUE, sizeof (ClFacePhoto));
  if (!g_key_file_has_group (kf, "Face"))
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "face template %s: no [Face] group", where);
      return NULL;
    }
  face->name = g_key_file_get_string (kf, "Face", "Name", NULL);
  if (!get_mm (kf, where, "Face", "Width", 200, CL_FACE_CR80_WIDTH_MM, FALSE, &face->width, error)
      || !get_mm (kf, where, "Face", "Height", 200, CL_FACE_CR80_HEIGHT_MM, FALSE, &face->height, error)
      || !get_color (kf, where, "Face", "Background", "#ffffff", face->background, error))
    return NULL;

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *g = groups[i];

      if (g_str_has_prefix (g, "Text "))
        {
          ClFaceText text = { 0 };
          g_autofree char *font = g_key_file_get_string (kf, g, "Font", NULL);

          if (!get_field (kf, where, g, &text.field, &text.row_field, error)
              || !get_mm (kf, where, g, "X", face->width, 0, TRUE, &text.x, error)
              || !get_mm (kf, where, g, "Y", face->height, 0, TRUE, &text.y, error)
              || !get_mm (kf, where, g, "Size", face->height, 3, FALSE, &text.size, error)
              || !get_color (kf, where, g, "Color", "#000000", text.rgb, error))
            return NULL;
          if (text.size <= 0)
            return bad (error, where, g, "Size", "must be positive"), NULL;
          text.prefix = g_key_file_get_string (kf, g, "Prefix", NULL);
          font = font ? font : g_strdup ("Sans");
          text.bold = strstr (font, " Bold") != NULL;
          text.italic = strstr (font, " Italic") != NULL;
          text.font = g_strndup (font, strcspn (font, " ") ? strcspn (font, " ") : strlen (font));
          g_array_append_val (face->texts, text);
        }
      else if (g_str_has_prefix (g, "QR "))
        {
          ClFaceQr qr = { 0 };

          if (!get_field (kf, where, g, &qr.field, &qr.row_field, error)
              || !get_mm (kf, where, g, "X", face->width, 0, TRUE, &qr.x, error)
              || !get_mm (kf, where, g, "Y", face->height, 0, TRUE, &qr.y, error)
              || !get_mm (kf, where, g, "Size", face->height, 0, TRUE, &qr.size, error))
            return NULL;
          if (qr.size <= 0 || qr.x + qr.size > face->width || qr.y + qr.size > face->height)
            return bad (error, where, g, "Size", "the code does not fit on the card"), NULL;
          g_array_append_val (face->qrs, qr);
        }
      else if (g_str_has_prefix (g, "Photo "))
        {
          ClFacePhoto photo = { 0 };

          if (!get_mm (kf, where, g, "X", face->width, 0, TRUE, &photo.x, error)
              || !get_mm (kf, where, g, "Y", face->height, 0, TRUE, &photo.y, error)
              || !get_mm (kf, where, g, "Width", face->width, 0, TRUE, &photo.width, error)
              || !get_mm (kf, where, g, "Height", face->height, 0, TRUE, &photo.height, error))
            return NULL;
          if (photo.width <= 0 || photo.height <= 0 || photo.x + photo.width > face->width
              || photo.y + photo.height > face->height)
            return bad (error, where, g, "Width", "the photo does not fit on the card"), NULL;
          g_array_append_val (face->photos, photo);
        }
      else if (strcmp (g, "Face") != 0)
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED,
                       "face template %s: unknown group [%s] (expected Face, Text <id>, QR <id> or Photo <id>)", where,
                       g);
          return NULL;
        }
    }
  return g_steal_pointer (&face);
}

ClFaceTemplate *
cl_face_template_load_data (const char *data, gsize len, const char *name, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;

  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "face template %s: %s", name, local->message);
      return NULL;
    }
  return from_key_file (kf, name, error);
}

ClFaceTemplate *
cl_face_template_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) local = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "face template: %s", local->message);
      return NULL;
    }
  return cl_face_template_load_data (data, len, path, error);
}
