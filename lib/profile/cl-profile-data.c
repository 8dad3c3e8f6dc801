/* cl-profile-data.c: a profile's card face, its [data] group and the customer's data mapping it carries. */
#include "profile/cl-profile-private.h"

#include "core/cl-error.h"
#include "data/cl-data-face-fields.h"

static const char *const on_reject_choices[] = { "retry", "fail", NULL };

gboolean
cl_profile_load_face (ClProfile *self, ClProfileLoader *l, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_key_file_has_group (l->r.kf, "face"))
    return TRUE;
  self->face_template = cl_profile_loader_path (l, "face", "template", TRUE, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_profile_load_data (ClProfile *self, ClProfileLoader *l, GError **error)
{
  guint on_reject = 0;

  if (!cl_profile_reader_choice (&l->r, "data", "on-reject", on_reject_choices, 0, &on_reject, error))
    return FALSE;
  self->data_fails_on_reject = on_reject == 1;
  /* absent: 0, no limit (a rejected card's row goes back to PENDING however often, the behaviour before the key) */
  return cl_profile_reader_uint (&l->r, "data", "max-attempts", 1, 1000, 0, &self->data_max_attempts, error);
}

gboolean
cl_profile_check_data_mapping (ClProfile *self, ClDataMapping *mapping, gboolean template_required, GError **error)
{
  const char *file = cl_data_mapping_get_file (mapping);

  if (cl_data_mapping_get_column_of (mapping, CL_DATA_TARGET_TOKEN_LABEL) != NULL
      && self->init.ship != CL_SHIP_INITIALISED)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "%s:data:token-label: profile %s ships cards uninitialised, and the customer's initialisation "
                   "(sc-hsm-tool --initialize --label) writes the token label: only a profile with ship=initialised "
                   "takes one",
                   file, self->name);
      return FALSE;
    }
  if (self->face_template == NULL)
    {
      GPtrArray *targets = cl_data_mapping_get_targets (mapping);

      for (guint i = 0; i < targets->len; i++)
        {
          const ClDataTarget *t = targets->pdata[i];

          if (g_str_has_prefix (t->target, "face."))
            {
              g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                           "%s:data:%s: profile %s prints no card face (it has no [face] template)", file, t->target,
                           self->name);
              return FALSE;
            }
        }
      return TRUE;
    }
  /* on load a template not there yet is left to cl_profile_check_files, which names it */
  if (!template_required && !g_file_test (self->face_template, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  return cl_data_mapping_check_face (mapping, self->face_template, error);
}

/* The [data] groups map a customer's data file (lib/data/cl-data-mapping.h): checked there, then set aside so the
 * profile's own groups are checked as before. */
gboolean
cl_profile_load_data_mapping (ClProfile *self, ClProfileLoader *l, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) groups = NULL;

  self->data_mapping = cl_data_mapping_new_from_key_file (l->r.kf, l->r.file, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* the mapping's keys go; the profile's own keys of [data] (on-reject) stay for the checks below */
  groups = g_key_file_get_groups (l->r.kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto (GStrv) keys = NULL;

      if (!cl_data_mapping_owns_group (groups[g]))
        continue;
      keys = g_key_file_get_keys (l->r.kf, groups[g], NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        if (cl_data_mapping_owns_key (groups[g], keys[k]))
          g_key_file_remove_key (l->r.kf, groups[g], keys[k], NULL);
      g_strfreev (keys);
      keys = g_key_file_get_keys (l->r.kf, groups[g], NULL, NULL);
      if (keys == NULL || keys[0] == NULL)
        g_key_file_remove_group (l->r.kf, groups[g], NULL);
    }
  return TRUE;
}
