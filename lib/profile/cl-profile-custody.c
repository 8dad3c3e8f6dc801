/* cl-profile-custody.c: [keys] kmc-accepted-versions, [initialize] DKEK share files and the PIN export key
 * (format in cl-profile-custody.h). */
#include "profile/cl-profile-custody.h"

#include "core/cl-error.h"

#include <string.h>

static gboolean
hex_byte (const char *text, guint8 *out)
{
  guint64 v;

  if (text == NULL || strlen (text) != 2 || !g_ascii_isxdigit (text[0]) || !g_ascii_isxdigit (text[1])
      || !g_ascii_string_to_unsigned (text, 16, 1, 0x7F, &v, NULL))
    return FALSE;
  *out = (guint8)v;
  return TRUE;
}

/* Fields of a ';'-list, stripped, empty ones dropped. */
static GStrv
split_list (const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
load_accepted (ClProfileCustody *c, ClProfileReader *r, const ClProfileKeys *keys, GError **error)
{
  g_autofree char *value = cl_profile_reader_string (r, "keys", "kmc-accepted-versions", FALSE, error);
  g_auto (GStrv) entries = NULL;

  if (value == NULL)
    return error == NULL || *error == NULL;
  entries = split_list (value);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto (GStrv) pair = g_strsplit (entries[i], ":", 3);
      ClProfileKmcVersion v;

      if (!hex_byte (pair[0], &v.kmc_version) || (pair[1] != NULL && pair[2] != NULL))
        goto bad;
      v.card_key_version = v.kmc_version;
      if (pair[1] != NULL && !hex_byte (pair[1], &v.card_key_version))
        goto bad;
      if (v.kmc_version == keys->kmc_version)
        {
          cl_profile_reader_error (r, error, "keys", "kmc-accepted-versions",
                                   "%02X is the current kmc-version: list only older versions", v.kmc_version);
          return FALSE;
        }
      /* the card's key version is what tells which KMC its keys come from: it must be unambiguous */
      if (v.card_key_version == keys->card_key_version || v.card_key_version == keys->kst_version)
        {
          cl_profile_reader_error (r, error, "keys", "kmc-accepted-versions",
                                   "card key version %02X of KMC %02X is also the %s version", v.card_key_version,
                                   v.kmc_version, v.card_key_version == keys->kst_version ? "KST" : "current card key");
          return FALSE;
        }
      for (guint k = 0; k < c->accepted_kmc->len; k++)
        {
          const ClProfileKmcVersion *o = &g_array_index (c->accepted_kmc, ClProfileKmcVersion, k);
          if (o->kmc_version == v.kmc_version || o->card_key_version == v.card_key_version)
            {
              cl_profile_reader_error (r, error, "keys", "kmc-accepted-versions", "entry “%s” repeats a version",
                                       entries[i]);
              return FALSE;
            }
        }
      g_array_append_val (c->accepted_kmc, v);
      continue;
    bad:
      cl_profile_reader_error (r, error, "keys", "kmc-accepted-versions",
                               "expected entries VV or VV:KK (hex 01..7F) separated by ';', got “%s”", entries[i]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_paths (ClProfileReader *r, const char *key, const char *base_dir, GPtrArray *out, GError **error)
{
  g_autofree char *value = cl_profile_reader_string (r, "initialize", key, FALSE, error);
  g_auto (GStrv) entries = NULL;

  if (value == NULL)
    return error == NULL || *error == NULL;
  entries = split_list (value);
  for (guint i = 0; entries[i] != NULL; i++)
    g_ptr_array_add (out, g_path_is_absolute (entries[i]) ? g_strdup (entries[i])
                                                          : g_build_filename (base_dir, entries[i], NULL));
  return TRUE;
}

gboolean
cl_profile_custody_load (ClProfileCustody *c, ClProfileReader *r, const char *base_dir, const ClProfileKeys *keys,
                         const ClProfileInit *init, GError **error)
{
  g_autoptr (GPtrArray) export_key = g_ptr_array_new_with_free_func (g_free);

  c->accepted_kmc = g_array_new (FALSE, TRUE, sizeof (ClProfileKmcVersion));
  c->dkek_share_files = g_ptr_array_new_with_free_func (g_free);
  c->dkek_password_files = g_ptr_array_new_with_free_func (g_free);
  if (!load_accepted (c, r, keys, error) || !read_paths (r, "dkek-share-files", base_dir, c->dkek_share_files, error)
      || !read_paths (r, "dkek-password-files", base_dir, c->dkek_password_files, error)
      || !read_paths (r, "pin-export-key", base_dir, export_key, error))
    return FALSE;
  if (c->dkek_share_files->len > 0 && (gint)c->dkek_share_files->len != init->dkek_shares)
    {
      cl_profile_reader_error (r, error, "initialize", "dkek-share-files", "expected %d file(s) (dkek-shares), got %u",
                               init->dkek_shares, c->dkek_share_files->len);
      return FALSE;
    }
  if ((c->dkek_share_files->len > 0) != (c->dkek_password_files->len > 0)
      || (c->dkek_password_files->len > 1 && c->dkek_password_files->len != c->dkek_share_files->len))
    {
      cl_profile_reader_error (r, error, "initialize", "dkek-password-files",
                               "expected one password file, or one per DKEK share file (%u), with dkek-share-files",
                               c->dkek_share_files->len);
      return FALSE;
    }
  if (export_key->len > 1)
    {
      cl_profile_reader_error (r, error, "initialize", "pin-export-key", "expected one public key file");
      return FALSE;
    }
  if (export_key->len == 1)
    c->pin_export_key = g_strdup (export_key->pdata[0]);
  /* an initialised card nobody can open is not a good card: its PINs must reach the customer */
  if (init->ship == CL_SHIP_INITIALISED && c->pin_export_key == NULL)
    {
      cl_profile_reader_error (r, error, "initialize", "pin-export-key",
                               "missing: ship=initialised needs the customer's PIN-export public key");
      return FALSE;
    }
  return TRUE;
}

void
cl_profile_custody_clear (ClProfileCustody *c)
{
  g_clear_pointer (&c->accepted_kmc, g_array_unref);
  g_clear_pointer (&c->dkek_share_files, g_ptr_array_unref);
  g_clear_pointer (&c->dkek_password_files, g_ptr_array_unref);
  g_clear_pointer (&c->pin_export_key, g_free);
}

const ClProfileKmcVersion *
cl_profile_custody_find_accepted (const ClProfileCustody *c, guint8 card_key_version)
{
  for (guint i = 0; c->accepted_kmc != NULL && i < c->accepted_kmc->len; i++)
    if (g_array_index (c->accepted_kmc, ClProfileKmcVersion, i).card_key_version == card_key_version)
      return &g_array_index (c->accepted_kmc, ClProfileKmcVersion, i);
  return NULL;
}
