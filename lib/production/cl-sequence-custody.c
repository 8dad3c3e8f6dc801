/* cl-sequence-custody.c: the key-custody parts of the sequence steps:
 *   - key changeover (TKS/TPS): a card found with card keys of an older, accepted KMC version is opened with keys
 *     diversified from that version; ROTATE_KEYS then replaces them (PUT KEY on their key version) with keys of
 *     the current KMC, compares the KCVs and re-opens, and the audit trail records chip, from and to versions;
 *   - DKEK: the batch's shares imported after INITIALIZE DEVICE, the card's KCV compared with the expected one;
 *   - PIN escrow: random PINs sealed to the customer's key and stored durably before INITIALIZE DEVICE uses them.
 * Audit records name chips, versions, fingerprints and KCVs — never a key, share, PIN or SO-PIN. */
#include "cl-sequence-run.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "gp/cl-gp-card.h"
#include "schsm/cl-dkek-share.h"
#include "schsm/cl-schsm-card.h"
#include "store/cl-store-pin-escrow.h"

ClKeySet *
cl_sequence_older_card_keys (ClSequenceRun *run, GArray *key_info, GError **error)
{
  ClProductionCustody *custody = cl_production_setup_get_custody (run->setup);

  for (guint i = 0; key_info != NULL && i < key_info->len; i++)
    {
      guint8 version = g_array_index (key_info, ClGpKeyInfo, i).version;
      guint8 kmc_version = 0;
      ClKeySet *kmc = cl_production_custody_find_kmc (custody, run->profile, version, &kmc_version);

      if (kmc == NULL)
        continue;
      if (!run->have_kdd)
        {
          if (!cl_gp_get_kdd (run->channel, run->kdd, run->cancellable, error))
            return NULL;
          run->have_kdd = TRUE;
        }
      g_clear_object (&run->old_card_keys);
      run->old_card_keys = cl_key_set_diversify (kmc, run->keys->diversification, run->kdd, version, error);
      if (run->old_card_keys == NULL)
        return NULL;
      run->old_card_key_version = version;
      run->old_kmc_version = kmc_version;
      return run->old_card_keys;
    }
  return NULL;
}

char *
cl_sequence_describe_key_versions (ClSequenceRun *run, GArray *key_info)
{
  const ClProfileCustody *custody = cl_profile_get_custody (run->profile);
  GString *text = g_string_new ("the card holds key version(s)");

  for (guint i = 0; key_info != NULL && i < key_info->len; i++)
    {
      guint8 v = g_array_index (key_info, ClGpKeyInfo, i).version;
      gboolean seen = FALSE;

      for (guint k = 0; k < i; k++)
        seen |= g_array_index (key_info, ClGpKeyInfo, k).version == v;
      if (!seen)
        g_string_append_printf (text, " %02X", v);
    }
  g_string_append_printf (text, ": neither the KST (version %02X) nor card keys of KMC %02X (version %02X)",
                          run->keys->kst_version, run->keys->kmc_version, run->keys->card_key_version);
  if (custody->accepted_kmc->len == 0)
    g_string_append (text, ", and the profile accepts no older KMC version");
  else
    {
      g_string_append (text, " or of an accepted older KMC (");
      for (guint i = 0; i < custody->accepted_kmc->len; i++)
        {
          const ClProfileKmcVersion *a = &g_array_index (custody->accepted_kmc, ClProfileKmcVersion, i);
          g_string_append_printf (text, "%sKMC %02X: version %02X", i ? ", " : "", a->kmc_version, a->card_key_version);
        }
      g_string_append (text, ")");
    }
  return g_string_free (text, FALSE);
}

gboolean
cl_sequence_audit_changeover (ClSequenceRun *run, GError **error)
{
  g_autofree char *detail = NULL;
  char kcv_text[3][7];

  for (guint role = 0; role < 3; role++)
    {
      guint8 kcv[3];

      if (!cl_key_set_check_value (run->card_keys, (ClKeyRole)(CL_KEY_ROLE_ENC + role), kcv, error))
        return FALSE;
      g_snprintf (kcv_text[role], sizeof kcv_text[role], "%02X%02X%02X", kcv[0], kcv[1], kcv[2]);
    }
  detail = g_strdup_printf ("attempt %" G_GINT64_FORMAT ": card keys of %s %02X (key version %02X) replaced by keys "
                            "of %s %02X (key version %02X), KCV enc %s mac %s dek %s",
                            run->attempt_id, run->keys->kmc_label, run->old_kmc_version, run->old_card_key_version,
                            run->keys->kmc_label, run->keys->kmc_version, run->keys->card_key_version, kcv_text[0],
                            kcv_text[1], kcv_text[2]);
  return cl_store_audit_append (run->store, g_get_user_name (), "key-changeover", run->chip_id, detail, error) > 0;
}

static gboolean
fail_no_escrow (GError **error)
{
  /* the profile loader refuses ship=initialised without a pin-export-key: reaching here is a setup defect */
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "no PIN export key to seal this card's PINs to; not initialised");
  return FALSE;
}

gboolean
cl_sequence_escrow_pins (ClSequenceRun *run, GBytes *so_pin, GBytes *pin, GError **error)
{
  const ClProfileInit *init = cl_profile_get_init (run->profile);
  ClPinEscrow *escrow = cl_production_setup_get_custody (run->setup)->pin_escrow;
  g_autoptr (GBytes) sealed = NULL;

  /* every initialised card's PINs go to the customer, demo values too: the export is how the batch delivers them */
  if (escrow == NULL || init->ship != CL_SHIP_INITIALISED)
    return fail_no_escrow (error);
  sealed = cl_pin_escrow_seal (escrow, run->chip_id, so_pin, pin, error);
  if (sealed == NULL)
    return FALSE;
  return cl_store_pin_escrow_add (run->store, run->attempt_id, run->chip_id, cl_pin_escrow_get_recipient (escrow),
                                  "so-pin,pin", sealed, g_get_user_name (), error)
         > 0;
}

gboolean
cl_sequence_check_pins_exported (ClSequenceRun *run, GError **error)
{
  ClPinEscrow *escrow = cl_production_setup_get_custody (run->setup)->pin_escrow;
  g_autoptr (GError) local = NULL;
  g_autofree char *recipient = NULL;

  /* a card nobody can open is not a good card: an initialised one's PINs are sealed to this customer */
  if (cl_profile_get_init (run->profile)->ship != CL_SHIP_INITIALISED)
    return TRUE;
  recipient = cl_store_pin_escrow_recipient (run->store, run->chip_id, &local);
  if (recipient == NULL && !g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (recipient == NULL || escrow == NULL || g_strcmp0 (recipient, cl_pin_escrow_get_recipient (escrow)) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "the card's PINs are not sealed to this profile's customer key%s",
                   recipient == NULL ? " (no PIN envelope)" : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean dkek_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
dkek_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CL_ERROR, CL_ERROR_FAILED, format, args));
  va_end (args);
  return FALSE;
}

gboolean
cl_sequence_import_dkek (ClSequenceRun *run, GError **error)
{
  ClProductionCustody *custody = cl_production_setup_get_custody (run->setup);
  ClSchsmDkekStatus status = { 0 };
  g_autofree char *expected = NULL, *got = NULL, *detail = NULL;
  guint imported = 0;

  if (custody->n_dkek_shares == 0)
    return TRUE;
  /* the device a blank card's applet was initialised with in this attempt waits for every share */
  status.total = status.outstanding = custody->n_dkek_shares;
  if (!run->blank && !cl_schsm_import_dkek_share (run->channel, NULL, &status, run->cancellable, error))
    return g_prefix_error (error, "DKEK status: "), FALSE;
  if (status.total != custody->n_dkek_shares || status.outstanding > status.total)
    return dkek_fail (error,
                      "the device was initialised for %u DKEK share(s) with %u outstanding; the profile "
                      "has %u share file(s)",
                      status.total, status.outstanding, custody->n_dkek_shares);
  /* shares go in the profile's order, so the first total - outstanding are in already (an earlier attempt) */
  for (guint i = status.total - status.outstanding; i < custody->n_dkek_shares; i++)
    {
      if (!cl_schsm_import_dkek_share (run->channel, custody->dkek_shares + i * CL_DKEK_SHARE_LEN, &status,
                                       run->cancellable, error))
        return g_prefix_error (error, "IMPORT DKEK SHARE %u of %u: ", i + 1, custody->n_dkek_shares), FALSE;
      imported++;
    }
  expected = cl_hex_encode (custody->dkek_kcv, CL_DKEK_KCV_LEN);
  if (status.outstanding != 0 || !status.has_kcv)
    return dkek_fail (error, "after the DKEK shares the card reports %u outstanding and %s key check value",
                      status.outstanding, status.has_kcv ? "a" : "no");
  got = cl_hex_encode (status.kcv, CL_DKEK_KCV_LEN);
  if (memcmp (status.kcv, custody->dkek_kcv, CL_DKEK_KCV_LEN) != 0)
    return dkek_fail (error,
                      "DKEK key check value %s reported by the card differs from %s expected from the "
                      "profile's share files",
                      got, expected);
  if (imported == 0)
    return TRUE;
  detail = g_strdup_printf ("attempt %" G_GINT64_FORMAT ": %u of %u DKEK share(s) imported, card KCV %s matches",
                            run->attempt_id, imported, status.total, got);
  return cl_store_audit_append (run->store, g_get_user_name (), "dkek-import", run->chip_id, detail, error) > 0;
}
