#include "cl-production-config.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

#include <string.h>

typedef struct
{
  GKeyFile *file;
  const char *path;
  GError **error;
  gboolean failed;
} Reader;

static void
fail (Reader *r, const char *group, const char *key, const char *problem)
{
  if (r->failed)
    return;
  r->failed = TRUE;
  g_set_error (r->error, CL_ERROR, CL_ERROR_PROFILE, "%s: [%s] %s: %s", r->path, group, key, problem);
}

static char *
get_string (Reader *r, const char *group, const char *key, gboolean required)
{
  char *value;

  if (r->failed)
    return NULL;
  value = g_key_file_get_string (r->file, group, key, NULL);
  if (value != NULL)
    g_strstrip (value);
  if ((value == NULL || *value == '\0') && required)
    fail (r, group, key, "missing");
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static GBytes *
get_hex (Reader *r, const char *group, const char *key, gboolean required, gsize min, gsize max)
{
  g_autofree char *text = get_string (r, group, key, required);
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize len;

  if (text == NULL)
    return NULL;
  bytes = cl_hex_decode (text, &local);
  if (bytes == NULL)
    {
      fail (r, group, key, local->message);
      return NULL;
    }
  len = g_bytes_get_size (bytes);
  if (len < min || len > max)
    {
      g_autofree char *problem = g_strdup_printf ("%zu bytes, expected %zu to %zu", len, min, max);
      fail (r, group, key, problem);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static gint64
get_number (Reader *r, const char *group, const char *key, gboolean hex, gint64 min, gint64 max, gint64 fallback)
{
  g_autofree char *text = get_string (r, group, key, FALSE);
  char *end = NULL;
  gint64 value;

  if (text == NULL)
    return fallback;
  value = g_ascii_strtoll (text, &end, hex ? 16 : 10);
  if (end == text || *end != '\0' || value < min || value > max)
    {
      g_autofree char *problem
        = g_strdup_printf ("\"%s\" is not a %s number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, text,
                           hex ? "hex" : "decimal", min, max);
      fail (r, group, key, problem);
      return fallback;
    }
  return value;
}

static gboolean
get_bool (Reader *r, const char *group, const char *key, gboolean fallback)
{
  g_autofree char *text = get_string (r, group, key, FALSE);

  if (text == NULL)
    return fallback;
  if (g_strcmp0 (text, "true") == 0)
    return TRUE;
  if (g_strcmp0 (text, "false") != 0)
    fail (r, group, key, "must be true or false");
  return FALSE;
}

static char *
resolve_path (const char *base_dir, const char *value)
{
  if (value == NULL || g_path_is_absolute (value))
    return g_strdup (value);
  return g_build_filename (base_dir, value, NULL);
}

ClProductionConfig *
cl_production_config_load (const char *path, GError **error)
{
  g_autoptr (ClProductionConfig) c = g_new0 (ClProductionConfig, 1);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pki_dir = NULL;
  g_autofree char *cap = NULL, *dica = NULL, *srca = NULL, *div = NULL;
  g_auto (GStrv) blocks = NULL;
  gsize len;
  Reader r = { file, path, error, FALSE };

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "profile %s: %s", path, local->message);
      return NULL;
    }
  if (!g_key_file_load_from_data (file, contents, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "profile %s: %s", path, local->message);
      return NULL;
    }
  c->path = g_strdup (path);
  c->hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, len);
  dir = g_path_get_dirname (path);

  c->name = get_string (&r, "profile", "name", TRUE);

  c->atr = get_hex (&r, "card", "atr", TRUE, 2, 33);
  c->atr_mask = get_hex (&r, "card", "atr_mask", FALSE, 2, 33);
  if (!r.failed && c->atr_mask != NULL && g_bytes_get_size (c->atr_mask) != g_bytes_get_size (c->atr))
    fail (&r, "card", "atr_mask", "must be as long as atr");
  c->isd_aid = get_hex (&r, "card", "isd_aid", FALSE, 5, 16);
  c->timeout_s = (guint)get_number (&r, "card", "timeout", FALSE, 0, 3600, 60);

  c->scp = (guint8)get_number (&r, "scp", "version", TRUE, 2, 3, 3);
  c->scp_level = (guint8)get_number (&r, "scp", "level", TRUE, 0, 0x33, 0x03);

  c->kst_name = get_string (&r, "keys", "kst", TRUE);
  c->kst_version = (guint8)get_number (&r, "keys", "kst_version", TRUE, 1, 0x7F, 1);
  c->kmc_name = get_string (&r, "keys", "kmc", TRUE);
  c->kmc_version = (guint8)get_number (&r, "keys", "kmc_version", TRUE, 1, 0x7F, 1);
  c->card_key_version = (guint8)get_number (&r, "keys", "card_version", TRUE, 1, 0x7F, 1);
  if (!r.failed && c->card_key_version == c->kst_version)
    fail (&r, "keys", "card_version", "must differ from kst_version, or the KST could not be told apart");
  div = get_string (&r, "keys", "diversification", TRUE);
  if (div != NULL && !cl_diversification_from_string (div, &c->diversification, &local))
    fail (&r, "keys", "diversification", local->message);
  c->put_key_inner_length = get_bool (&r, "keys", "put_key_inner_length", TRUE);

  c->store_data = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  blocks = g_key_file_get_string_list (file, "configure", "store_data", NULL, NULL);
  for (guint i = 0; blocks != NULL && blocks[i] != NULL && !r.failed; i++)
    {
      GBytes *block = cl_hex_decode (g_strstrip (blocks[i]), &local);

      if (block == NULL)
        fail (&r, "configure", "store_data", local->message);
      else
        g_ptr_array_add (c->store_data, block);
    }
  c->life_cycle = (gint)get_number (&r, "configure", "life_cycle", TRUE, 0, 0xFF, -1);

  cap = get_string (&r, "applet", "cap", TRUE);
  c->cap_path = resolve_path (dir, cap);
  c->load_file_aid = get_hex (&r, "applet", "load_file_aid", TRUE, 5, 16);
  c->module_aid = get_hex (&r, "applet", "module_aid", TRUE, 5, 16);
  c->application_aid = get_hex (&r, "applet", "application_aid", TRUE, 5, 16);
  c->privileges = get_hex (&r, "applet", "privileges", FALSE, 1, 3);
  if (c->privileges == NULL)
    c->privileges = g_bytes_new ("\0", 1);
  c->delete_previous = get_bool (&r, "applet", "delete_previous", TRUE);

  c->init_options = (guint16)get_number (&r, "init", "options", TRUE, 0, 0xFFFF, 1);
  {
    g_autofree char *pin = get_string (&r, "init", "user_pin", TRUE);

    if (pin != NULL && (strlen (pin) < 6 || strlen (pin) > 16))
      fail (&r, "init", "user_pin", "must have 6 to 16 characters");
    else if (pin != NULL)
      c->user_pin = g_bytes_new (pin, strlen (pin));
    if (pin != NULL)
      cl_wipe (pin, strlen (pin));
  }
  c->so_pin = get_hex (&r, "init", "so_pin", TRUE, 8, 8);
  c->retry_counter = (guint8)get_number (&r, "init", "retry_counter", FALSE, 1, 10, 3);
  c->dkek_shares = (gint)get_number (&r, "init", "dkek_shares", FALSE, -1, 255, -1);

  c->dica_key_label = get_string (&r, "certify", "dica_key", TRUE);
  pki_dir = get_string (&r, "certify", "pki_dir", FALSE);
  if (pki_dir == NULL && g_getenv ("CARDLINE_PKI_DIR") != NULL)
    pki_dir = g_strdup (g_getenv ("CARDLINE_PKI_DIR"));
  if (pki_dir == NULL)
    pki_dir = g_strdup (dir);
  dica = get_string (&r, "certify", "dica_cvc", TRUE);
  srca = get_string (&r, "certify", "srca_cvc", TRUE);
  c->dica_cvc_path = resolve_path (pki_dir, dica);
  c->srca_cvc_path = resolve_path (pki_dir, srca);
  c->chr_pattern = get_string (&r, "certify", "chr_pattern", TRUE);
  if (c->chr_pattern != NULL && strstr (c->chr_pattern, "{serial}") == NULL)
    fail (&r, "certify", "chr_pattern", "must contain {serial}, or every card would get the same holder");
  c->validity_days = (guint)get_number (&r, "certify", "validity_days", FALSE, 1, 36500, 3650);

  if (r.failed)
    return NULL;
  return g_steal_pointer (&c);
}

static void
wipe_bytes (GBytes *bytes)
{
  gsize len;
  gconstpointer data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &len);
  /* The config owns the only reference; the PIN must not outlive it in freed memory. */
  cl_wipe ((gpointer)data, len);
  g_bytes_unref (bytes);
}

void
cl_production_config_free (ClProductionConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_free (c->name);
  g_free (c->hash);
  g_clear_pointer (&c->atr, g_bytes_unref);
  g_clear_pointer (&c->atr_mask, g_bytes_unref);
  g_clear_pointer (&c->isd_aid, g_bytes_unref);
  g_free (c->kst_name);
  g_free (c->kmc_name);
  g_clear_pointer (&c->store_data, g_ptr_array_unref);
  g_free (c->cap_path);
  g_clear_pointer (&c->load_file_aid, g_bytes_unref);
  g_clear_pointer (&c->module_aid, g_bytes_unref);
  g_clear_pointer (&c->application_aid, g_bytes_unref);
  g_clear_pointer (&c->privileges, g_bytes_unref);
  wipe_bytes (c->user_pin);
  wipe_bytes (c->so_pin);
  g_free (c->dica_key_label);
  g_free (c->dica_cvc_path);
  g_free (c->srca_cvc_path);
  g_free (c->chr_pattern);
  g_free (c);
}

char *
cl_production_config_format_chr (const ClProductionConfig *config, guint32 ic_serial)
{
  g_autofree char *serial = g_strdup_printf ("%08X", ic_serial);
  g_auto (GStrv) parts = g_strsplit (config->chr_pattern, "{serial}", -1);

  return g_strjoinv (serial, parts);
}

gboolean
cl_production_config_atr_matches (const ClProductionConfig *config, GBytes *atr)
{
  gsize len, want_len;
  const guint8 *a, *want, *mask = NULL;

  if (atr == NULL)
    return FALSE;
  a = g_bytes_get_data (atr, &len);
  want = g_bytes_get_data (config->atr, &want_len);
  if (config->atr_mask != NULL)
    mask = g_bytes_get_data (config->atr_mask, NULL);
  if (len != want_len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guint8 m = mask != NULL ? mask[i] : 0xFF;

      if ((a[i] & m) != (want[i] & m))
        return FALSE;
    }
  return TRUE;
}
