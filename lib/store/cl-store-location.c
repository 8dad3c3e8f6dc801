/* cl-store-location.c: which store a station process uses (cl-store-location.h). */
#include "store/cl-store-location.h"

#include "store/cl-store.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

char *
cl_store_location_resolve (const char *command_line, const char *configured, ClStoreSource *source)
{
  const char *env = g_getenv ("CARDLINE_STORE");
  ClStoreSource from;
  char *path;

  if (command_line != NULL && *command_line != '\0')
    {
      from = CL_STORE_FROM_COMMAND_LINE;
      path = g_strdup (command_line);
    }
  else if (env != NULL && *env != '\0')
    {
      from = CL_STORE_FROM_ENVIRONMENT;
      path = g_strdup (env);
    }
  else if (configured != NULL && *configured != '\0')
    {
      from = CL_STORE_FROM_SETTINGS;
      path = g_strdup (configured);
    }
  else
    {
      from = CL_STORE_FROM_DEFAULT;
      path = g_build_filename (g_get_user_data_dir (), "cardline", "station.db", NULL);
    }
  if (source != NULL)
    *source = from;
  return path;
}

char *
cl_store_location_configured (void)
{
  GSettingsSchemaSource *schemas = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettings) settings = NULL;

  /* g_settings_new() aborts on a missing schema; headless and cardline-admin often run without one. */
  if (schemas == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (schemas, CL_STORE_LOCATION_SCHEMA, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, CL_STORE_LOCATION_KEY))
    return NULL;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_string (settings, CL_STORE_LOCATION_KEY);
}

char *
cl_store_location_full (const char *command_line, ClStoreSource *source)
{
  const char *env = g_getenv ("CARDLINE_STORE");
  g_autofree char *configured = NULL;

  /* Settings are read only when they decide: with --store or $CARDLINE_STORE no settings backend is needed. */
  if ((command_line == NULL || *command_line == '\0') && (env == NULL || *env == '\0'))
    configured = cl_store_location_configured ();
  return cl_store_location_resolve (command_line, configured, source);
}

char *
cl_store_location (const char *command_line)
{
  char *path = cl_store_location_full (command_line, NULL);
  g_autofree char *dir = NULL;

  /* a database server's store has no folder here */
  if (cl_store_is_postgresql (path))
    return path;
  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0700);
  return path;
}
