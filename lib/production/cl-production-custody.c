/* cl-production-custody.c: accepted KMC versions, DKEK shares and the PIN export key of a batch. */
#include "cl-production-custody.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "keys/cl-key-inventory.h"
#include "p11/cl-p11-key-store.h"
#include "p11/cl-p11-pin.h"
#include "schsm/cl-dkek-share.h"

#include <string.h>

void
cl_dkek_kcv (const guint8 *shares, guint n, guint8 kcv[CL_DKEK_KCV_LEN])
{
  guint8 dkek[CL_DKEK_SHARE_LEN] = { 0 }, digest[32];
  gsize len = sizeof digest;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < CL_DKEK_SHARE_LEN; k++)
      dkek[k] ^= shares[i * CL_DKEK_SHARE_LEN + k];
  g_checksum_update (sum, dkek, sizeof dkek);
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);
  memcpy (kcv, digest, CL_DKEK_KCV_LEN);
  cl_wipe (dkek, sizeof dkek);
}

void
cl_production_custody_free (ClProductionCustody *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->accepted_kmc, g_ptr_array_unref);
  if (c->dkek_shares != NULL)
    cl_wipe (c->dkek_shares, (gsize)c->n_dkek_shares * CL_DKEK_SHARE_LEN);
  g_free (c->dkek_shares);
  g_clear_object (&c->pin_escrow);
  g_free (c);
}

static gboolean
load_share (const char *share_path, const char *password_path, guint8 *share, GError **error)
{
  g_autofree char *file = NULL;
  g_autoptr (GError) local = NULL;
  char *password;
  gsize len = 0;
  gboolean ok;

  if (!g_file_get_contents (share_path, &file, &len, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "DKEK share file: %s", local->message);
      return FALSE;
    }
  password = cl_p11_pin_read_file (password_path, &local);
  if (password == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "DKEK password file for %s: %s", share_path, local->message);
      return FALSE;
    }
  ok = cl_dkek_share_decrypt ((const guint8 *)file, len, password, strlen (password), share, &local);
  cl_p11_pin_free (password);
  if (!ok)
    {
      /* the message says wrong password or not a share file; never the password */
      g_set_error (error, CL_ERROR, local->code == CL_ERROR_SECURITY ? CL_ERROR_SECURITY : CL_ERROR_PROFILE,
                   "DKEK share file %s: %s", share_path, local->message);
      return FALSE;
    }
  return TRUE;
}

ClProductionCustody *
cl_production_custody_new (ClProfile *profile, ClP11Token *token, ClStore *store, ClP11KeySetOptions options,
                           GError **error)
{
  const ClProfileCustody *pc = cl_profile_get_custody (profile);
  const ClProfileKeys *keys = cl_profile_get_keys (profile);
  g_autoptr (ClProductionCustody) c = g_new0 (ClProductionCustody, 1);

  c->accepted_kmc = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < pc->accepted_kmc->len; i++)
    {
      const ClProfileKmcVersion *v = &g_array_index (pc->accepted_kmc, ClProfileKmcVersion, i);
      ClP11KeySet *kmc = cl_key_inventory_find_key_set (token, keys->kmc_label, v->kmc_version, options, error);

      if (kmc == NULL)
        {
          g_prefix_error (error, "profile %s: keys:kmc-accepted-versions %02X: ", cl_profile_get_name (profile),
                          v->kmc_version);
          return NULL;
        }
      g_ptr_array_add (c->accepted_kmc, kmc);
    }

  if (pc->dkek_share_files->len > 0)
    {
      g_autofree char *files = NULL, *kcv_hex = NULL, *detail = NULL;

      c->n_dkek_shares = pc->dkek_share_files->len;
      c->dkek_shares = g_malloc0 ((gsize)c->n_dkek_shares * CL_DKEK_SHARE_LEN);
      for (guint i = 0; i < c->n_dkek_shares; i++)
        {
          const char *password = pc->dkek_password_files->pdata[pc->dkek_password_files->len == 1 ? 0 : i];

          if (!load_share (pc->dkek_share_files->pdata[i], password, c->dkek_shares + i * CL_DKEK_SHARE_LEN, error))
            return NULL;
        }
      cl_dkek_kcv (c->dkek_shares, c->n_dkek_shares, c->dkek_kcv);
      {
        GString *list = g_string_new (NULL);

        for (guint i = 0; i < c->n_dkek_shares; i++)
          g_string_append_printf (list, "%s%s", i ? ";" : "", (const char *)pc->dkek_share_files->pdata[i]);
        files = g_string_free (list, FALSE);
      }
      kcv_hex = cl_hex_encode (c->dkek_kcv, CL_DKEK_KCV_LEN);
      detail = g_strdup_printf ("profile %s: %u DKEK share(s) from %s, expected DKEK KCV %s",
                                cl_profile_get_name (profile), c->n_dkek_shares, files, kcv_hex);
      if (cl_store_audit_append (store, g_get_user_name (), "dkek-shares-loaded", cl_profile_get_name (profile), detail,
                                 error)
          <= 0)
        return NULL;
    }

  if (pc->pin_export_key != NULL)
    {
      c->pin_escrow = cl_pin_escrow_new_from_file (pc->pin_export_key, error);
      if (c->pin_escrow == NULL)
        return NULL;
    }
  return g_steal_pointer (&c);
}

ClKeySet *
cl_production_custody_find_kmc (ClProductionCustody *c, ClProfile *profile, guint8 card_key_version,
                                guint8 *kmc_version)
{
  const GArray *accepted = cl_profile_get_custody (profile)->accepted_kmc;

  for (guint i = 0; i < accepted->len && i < c->accepted_kmc->len; i++)
    if (g_array_index (accepted, ClProfileKmcVersion, i).card_key_version == card_key_version)
      {
        if (kmc_version != NULL)
          *kmc_version = g_array_index (accepted, ClProfileKmcVersion, i).kmc_version;
        return CL_KEY_SET (c->accepted_kmc->pdata[i]);
      }
  return NULL;
}
