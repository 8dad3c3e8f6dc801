#include "data/cl-data-face-fields.h"

#include <string.h>

#include "core/cl-error.h"

/* The Field= values of the template's Text and QR groups, in order, each once; *photo: it has a Photo group. */
static GPtrArray *
printed_fields (const char *template_path, gboolean *photo, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) groups = NULL;
  GPtrArray *fields;

  if (!g_key_file_load_from_file (kf, template_path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "face template %s: %s", template_path, local->message);
      return NULL;
    }
  fields = g_ptr_array_new_with_free_func (g_free);
  *photo = FALSE;
  groups = g_key_file_get_groups (kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      char *field;

      *photo |= g_str_has_prefix (groups[g], "Photo ");
      if (!g_str_has_prefix (groups[g], "Text ") && !g_str_has_prefix (groups[g], "QR "))
        continue;
      field = g_key_file_get_string (kf, groups[g], "Field", NULL);
      if (field == NULL || g_ptr_array_find_with_equal_func (fields, field, g_str_equal, NULL))
        g_free (field);
      else
        g_ptr_array_add (fields, field);
    }
  return fields;
}

gboolean
cl_data_mapping_check_face (ClDataMapping *self, const char *template_path, GError **error)
{
  GPtrArray *targets = cl_data_mapping_get_targets (self);
  g_autoptr (GPtrArray) fields = NULL;
  gboolean photo = FALSE;

  for (guint i = 0; i < targets->len; i++)
    {
      const ClDataTarget *t = targets->pdata[i];
      g_autoptr (GString) printed = NULL;

      if (!g_str_has_prefix (t->target, "face."))
        continue;
      if (fields == NULL && (fields = printed_fields (template_path, &photo, error)) == NULL)
        return FALSE;
      if (g_str_equal (t->target, CL_DATA_TARGET_PHOTO)
            ? photo
            : g_ptr_array_find_with_equal_func (fields, t->target, g_str_equal, NULL))
        continue;
      if (g_str_equal (t->target, CL_DATA_TARGET_PHOTO))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                       "%s:data:%s: the face template %s has no Photo group to print it in",
                       cl_data_mapping_get_file (self), t->target, template_path);
          return FALSE;
        }
      printed = g_string_new (NULL);
      for (guint k = 0; k < fields->len; k++)
        g_string_append_printf (printed, "%s%s", k ? ", " : "", (const char *)fields->pdata[k]);
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "%s:data:%s: the face template %s has no field %s (it prints: %s)", cl_data_mapping_get_file (self),
                   t->target, template_path, t->target, printed->len > 0 ? printed->str : "no field");
      return FALSE;
    }
  return TRUE;
}
