/* cl-sequence-steps.c: the steps of ClCardSequence. Each step first looks at the card to find out what is
 * already done (resumption), then does the rest; it sets run->reason to what a refusal in it means. */
#include "cl-sequence-run.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "gp/cl-gp-card.h"
#include "gp/cl-gp-manage.h"
#include "p11/cl-p11-key-set.h"
#include "schsm/cl-schsm-card.h"
#include "scp/cl-scp03.h"
#include "tlv/cl-tlv.h"
#include "cl-card-pins.h"
#include "cl-p11-cvc.h"

void
cl_sequence_note (ClSequenceRun *run, const char *format, ...)
{
  va_list args;

  g_free (run->note);
  va_start (args, format);
  run->note = g_strdup_vprintf (format, args);
  va_end (args);
}

gboolean
cl_sequence_fail (GError **error, ClError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CL_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* ---- secure channel ---- */

gboolean
cl_sequence_select_isd (ClSequenceRun *run, ClCardChannel *channel, GError **error)
{
  ClGpFci fci = { 0 };

  GBytes *isd = cl_profile_get_card (run->profile)->isd_aid;

  return cl_gp_select (channel, g_bytes_get_data (isd, NULL), g_bytes_get_size (isd), &fci, run->cancellable, error);
}

static ClKeySet *diversify (ClSequenceRun *run, const guint8 kdd[CL_GP_KDD_LEN], GError **error);

/* The card keys for the KDD a card answers: those of this attempt when it is the KDD they were diversified from
 * (the derivation is deterministic, so a second one in the token would only give the same keys; the card's
 * cryptogram is what proves them), else diversified anew. */
static ClKeySet *
keys_for_kdd (const guint8 *kdd, gpointer data, GError **error)
{
  ClSequenceRun *run = data;

  if (run->card_keys != NULL && memcmp (kdd, run->card_keys_kdd, CL_GP_KDD_LEN) == 0)
    return g_object_ref (run->card_keys);
  return diversify (run, kdd, error);
}

/* run->card_keys from the KDD the card last answered. */
static gboolean
diversify_card_keys (ClSequenceRun *run, GError **error)
{
  g_clear_object (&run->card_keys);
  run->card_keys = diversify (run, run->kdd, error);
  if (run->card_keys == NULL)
    return FALSE;
  memcpy (run->card_keys_kdd, run->kdd, CL_GP_KDD_LEN);
  return TRUE;
}

/* INITIALIZE UPDATE + EXTERNAL AUTHENTICATE with keys of version kvn, or with keys NULL the card keys diversified
 * from the KDD the card answers with; the KDD the card sends is kept. */
gboolean
cl_sequence_open_channel (ClSequenceRun *run, ClCardChannel *channel, ClKeySet *keys, guint8 kvn, GError **error)
{
  const ClProfileScp *profile_scp = cl_profile_get_scp (run->profile);
  guint8 level = profile_scp->level;

  if (profile_scp->scp == 0x03)
    {
      g_autoptr (ClScp03) scp
        = keys != NULL ? cl_scp03_open (channel, keys, kvn, level, NULL, run->cancellable, error)
                       : cl_scp03_open_diversified (channel, keys_for_kdd, run, kvn, level, run->cancellable, error);
      if (scp == NULL)
        return FALSE;
      memcpy (run->kdd, cl_scp03_get_kdd (scp), CL_GP_KDD_LEN);
    }
  else
    {
      ClScp02 *scp = keys != NULL
                       ? cl_scp02_open (channel, keys, kvn, level, NULL, run->cancellable, error)
                       : cl_scp02_open_diversified (channel, keys_for_kdd, run, kvn, level, run->cancellable, error);
      if (scp == NULL)
        return FALSE;
      memcpy (run->kdd, cl_scp02_get_kdd (scp), CL_GP_KDD_LEN);
      g_clear_object (&run->scp02);
      run->scp02 = scp;
    }
  run->have_kdd = TRUE;
  return TRUE;
}

static ClKeySet *
diversify (ClSequenceRun *run, const guint8 kdd[CL_GP_KDD_LEN], GError **error)
{
  return cl_key_set_diversify (cl_production_setup_get_kmc (run->setup), run->keys->diversification, kdd,
                               run->keys->card_key_version, error);
}

/* An answer a blank card does not give (a refusal): the card is not as blank as the store's silence suggested, and
 * from here every step probes it as a re-inserted card. FALSE for anything else (no answer, a forged one). */
static gboolean
contradicts_blank (ClSequenceRun *run, const GError *error)
{
  if (!run->blank || !g_error_matches (error, CL_ERROR, CL_ERROR_CARD_STATUS))
    return FALSE;
  run->blank = FALSE;
  return TRUE;
}

static gboolean
key_version_present (GArray *info, guint8 version)
{
  for (guint i = 0; info != NULL && i < info->len; i++)
    if (g_array_index (info, ClGpKeyInfo, i).version == version)
      return TRUE;
  return FALSE;
}

/* The journal's outcome after an irreversible step that did not complete. If the store cannot take it, the store's
 * error is the one that counts: a station fault, so the card waits and its next run finds out from the card what
 * the intent left open. */
void
cl_sequence_journal_unfinished (ClSequenceRun *run, gint64 intent, ClJournalOutcome outcome, GError **local)
{
  g_autoptr (GError) store_error = NULL;

  if (cl_store_journal_outcome (run->store, intent, outcome, (*local)->message, &store_error))
    return;
  g_clear_error (local);
  g_propagate_prefixed_error (local, g_steal_pointer (&store_error), "journal outcome not recorded: ");
}

gboolean
cl_sequence_resolve_intents (ClSequenceRun *run, ClJournalOp op, const char *key_hash, gboolean done,
                             const char *detail, GError **error)
{
  g_autoptr (GPtrArray) intents = cl_store_journal_open_intents (run->store, run->chip_id, error);

  if (intents == NULL)
    return FALSE;
  for (guint i = 0; i < intents->len; i++)
    {
      ClJournalIntent *intent = intents->pdata[i];

      if (intent->op != op || (key_hash != NULL && g_strcmp0 (intent->key_hash, key_hash) != 0))
        continue;
      if (!cl_store_journal_outcome (run->store, intent->id, done ? CL_JOURNAL_DONE : CL_JOURNAL_FAILED, detail, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- IDENTIFY ---- */

gboolean
cl_sequence_step_identify (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  g_autoptr (GBytes) atr = cl_transport_get_atr (CL_TRANSPORT (run->transport));
  g_autoptr (ClCardRecord) record = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GError) claim_error = NULL;
  GBytes *isd = cl_profile_get_card (run->profile)->isd_aid;
  ClGpFci fci = { 0 };

  run->reason = CL_REJECT_NO_ATR;
  if (atr == NULL || g_bytes_get_size (atr) == 0)
    return cl_sequence_fail (error, CL_ERROR_FAILED, "the card gave no answer to reset");

  run->reason = CL_REJECT_WRONG_CARD;
  if (!cl_profile_atr_matches (run->profile, g_bytes_get_data (atr, NULL), g_bytes_get_size (atr)))
    {
      g_autofree char *hex = cl_hex_encode_bytes (atr);
      return cl_sequence_fail (error, CL_ERROR_FAILED, "ATR %s does not match profile %s", hex,
                               cl_profile_get_name (run->profile));
    }
  if (!cl_gp_select (run->channel, g_bytes_get_data (isd, NULL), g_bytes_get_size (isd), &fci, run->cancellable, error))
    return FALSE;
  memcpy (run->isd_aid, fci.aid, MIN (fci.aid_len, sizeof run->isd_aid));
  run->isd_aid_len = fci.aid_len;
  if (!cl_gp_get_cplc (run->channel, &run->cplc, run->cancellable, error))
    return FALSE;

  run->chip_id = cl_cplc_chip_id (&run->cplc);
  /* A chip the store has never seen (no attempt, no journal, no claim ever) gets the blank card's minimal sequence;
   * a store that cannot say is no proof of a blank card. */
  {
    g_autoptr (ClCardRecord) known = cl_store_card_lookup (run->store, run->chip_id, &local);

    run->blank = known == NULL && g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND);
    g_clear_error (&local);
  }
  if (!cl_store_attempt_identify (run->store, run->attempt_id, run->chip_id, 0, NULL, error))
    {
      g_clear_pointer (&run->chip_id, g_free);
      return FALSE;
    }
  if (!cl_sequence_claim_chip (run, &claim_error))
    {
      /* Only another owner's claim makes the chip a duplicate; a store that cannot answer says nothing about it. */
      run->reason = g_error_matches (claim_error, CL_ERROR, CL_ERROR_CLAIMED) ? CL_REJECT_DUPLICATE_CHIP
                                                                              : CL_REJECT_PROTOCOL_ERROR;
      return g_propagate_error (error, g_steal_pointer (&claim_error)), FALSE;
    }
  run->reason = CL_REJECT_DUPLICATE_CHIP;
  record = cl_store_card_lookup (run->store, run->chip_id, &local);
  if (record != NULL && record->state == CL_CARD_GOOD)
    return cl_sequence_fail (error, CL_ERROR_FAILED, "chip %s was already produced good; not produced again",
                             run->chip_id);
  (void)skipped;
  return cl_sequence_claim_row (run, error);
}

/* ---- OPEN_KST ---- */

gboolean
cl_sequence_step_open (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  g_autoptr (GArray) info = NULL;
  g_autoptr (GError) local = NULL;
  gboolean card_keys_first;

  run->reason = CL_REJECT_AUTH_KST_FAILED;
  if (run->blank)
    {
      /* a blank card holds the KST: no key information first. A card without a KST of that version (6A88: keys
       * rotated on an earlier attempt) contradicts the blank state and is looked at as any re-inserted card; a
       * cryptogram that does not verify is the wrong KST (or a forged answer) on either path. */
      if (cl_sequence_open_channel (run, run->channel, cl_production_setup_get_kst (run->setup), run->keys->kst_version,
                                    &local))
        return TRUE;
      if (!contradicts_blank (run, local))
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      g_clear_error (&local);
    }
  /* Key information is readable without a session: it says which key set the card holds now, whatever the
   * record or the journal believe. */
  info = cl_gp_get_key_info (run->channel, run->cancellable, &local);
  if (info == NULL
      && (g_error_matches (local, CL_ERROR, CL_ERROR_MALFORMED)
          || !g_error_matches (local, CL_ERROR, CL_ERROR_CARD_STATUS)))
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  g_clear_error (&local);
  card_keys_first = key_version_present (info, run->keys->card_key_version);
  /* key changeover: card keys of an older KMC the profile still accepts open the card; ROTATE_KEYS replaces them */
  if (!card_keys_first && cl_sequence_older_card_keys (run, info, &local) != NULL)
    {
      if (!cl_sequence_select_isd (run, run->channel, error)
          || !cl_sequence_open_channel (run, run->channel, run->old_card_keys, run->old_card_key_version, error))
        return FALSE;
      run->resumed_keys = TRUE;
      cl_sequence_note (run, "card keys %02X of KMC %02X: to be re-keyed to KMC %02X", run->old_card_key_version,
                        run->old_kmc_version, run->keys->kmc_version);
      return cl_sequence_resolve_intents (
        run, CL_JOURNAL_PUT_KEY, NULL, FALSE,
        "resolved on re-insertion: the card still authenticates with its older card keys", error);
    }
  if (local != NULL)
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (info != NULL && !card_keys_first && !key_version_present (info, run->keys->kst_version))
    {
      g_autofree char *what = cl_sequence_describe_key_versions (run, info);
      return cl_sequence_fail (error, CL_ERROR_FAILED, "%s", what);
    }

  if (card_keys_first)
    {
      if (!cl_gp_get_kdd (run->channel, run->kdd, run->cancellable, error))
        return FALSE;
      if (!diversify_card_keys (run, error))
        return FALSE;
      if (!cl_sequence_select_isd (run, run->channel, error)
          || !cl_sequence_open_channel (run, run->channel, run->card_keys, run->keys->card_key_version, error))
        return FALSE;
      run->on_card_keys = TRUE;
      run->resumed_keys = TRUE;
      cl_sequence_note (run, "card keys %02X already in place: KST gone on an earlier attempt",
                        run->keys->card_key_version);
      return cl_sequence_resolve_intents (run, CL_JOURNAL_PUT_KEY, NULL, TRUE,
                                          "resolved on re-insertion: the card keys authenticate", error);
    }

  if (!cl_sequence_open_channel (run, run->channel, cl_production_setup_get_kst (run->setup), run->keys->kst_version,
                                 error))
    return FALSE;
  (void)skipped;
  return cl_sequence_resolve_intents (run, CL_JOURNAL_PUT_KEY, NULL, FALSE,
                                      "resolved on re-insertion: the card still authenticates with the KST", error);
}

/* ---- CONFIGURE ---- */

static gint
isd_life_cycle (ClSequenceRun *run, GError **error)
{
  g_autoptr (GPtrArray) entries = cl_gp_get_status (run->channel, CL_GP_STATUS_ISD, run->cancellable, error);

  if (entries == NULL)
    return -1;
  if (entries->len == 0)
    return cl_sequence_fail (error, CL_ERROR_MALFORMED, "GET STATUS of the ISD returned no entry"), -1;
  return ((ClGpRegistryEntry *)entries->pdata[0])->life_cycle;
}

/* STORE DATA comes before the life-cycle change, so a card already at the target has had its data too. */
static gboolean
configured_before (ClSequenceRun *run, const ClProfileConfigure *config, gint state, gboolean *skipped)
{
  if (config->life_cycle < 0 || state != config->life_cycle)
    return FALSE;
  *skipped = TRUE;
  cl_sequence_note (run, "card life cycle already %02X", (guint)state);
  return TRUE;
}

static gboolean
configure_card (ClSequenceRun *run, const ClProfileConfigure *config, GPtrArray *row_data, GError **error)
{
  for (guint i = 0; i < config->store_data->len + row_data->len; i++)
    {
      GBytes *data
        = i < config->store_data->len ? config->store_data->pdata[i] : row_data->pdata[i - config->store_data->len];
      g_autoptr (GPtrArray) apdus
        = cl_gp_store_data_apdus (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                  cl_gp_max_block (run->channel), CL_GP_STORE_DATA_BER_TLV, FALSE, error);
      if (apdus == NULL)
        return FALSE;
      for (guint k = 0; k < apdus->len; k++)
        if (!cl_gp_send (run->channel, apdus->pdata[k], "STORE DATA", run->cancellable, error))
          return FALSE;
    }
  if (config->life_cycle >= 0)
    {
      g_autoptr (ClApdu) apdu
        = cl_gp_set_status_apdu (CL_GP_SET_STATUS_ISD, (guint8)config->life_cycle, NULL, 0, error);
      if (apdu == NULL || !cl_gp_send (run->channel, apdu, "SET STATUS (card life cycle)", run->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cl_sequence_step_configure (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  const ClProfileConfigure *config = cl_profile_get_configure (run->profile);
  g_autoptr (GPtrArray) row_data = cl_sequence_row_store_data (run, error);
  g_autoptr (GError) refused = NULL;
  gint state;

  run->reason = CL_REJECT_WRONG_CARD;
  if (row_data == NULL)
    return FALSE;
  if (config->store_data->len == 0 && row_data->len == 0 && config->life_cycle < 0)
    {
      *skipped = TRUE;
      cl_sequence_note (run, "nothing to configure in profile %s", cl_profile_get_name (run->profile));
      return TRUE;
    }
  /* a blank card is below the profile's life cycle: no GET STATUS first; a refusal says it may not be */
  if (run->blank)
    {
      if (configure_card (run, config, row_data, &refused))
        return TRUE;
      if (!contradicts_blank (run, refused))
        return g_propagate_error (error, g_steal_pointer (&refused)), FALSE;
    }
  state = isd_life_cycle (run, error);
  if (state < 0)
    return FALSE;
  if (configured_before (run, config, state, skipped))
    return TRUE;
  if (refused != NULL)
    return g_propagate_error (error, g_steal_pointer (&refused)), FALSE;
  return configure_card (run, config, row_data, error);
}

/* ---- ROTATE_KEYS ---- */

gboolean
cl_sequence_step_rotate_keys (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  const ClProfileKeys *config = run->keys;
  /* the keys the card holds now: the KST, or an older KMC's card keys (key changeover) */
  ClKeySet *kst = run->old_card_keys != NULL ? run->old_card_keys : cl_production_setup_get_kst (run->setup);
  guint8 from_version = run->old_card_keys != NULL ? run->old_card_key_version : config->kst_version;
  g_autoptr (GError) local = NULL;
  ClGpKeyWrap wrap = { 0 };
  gint64 intent;

  run->reason = CL_REJECT_KEY_ROTATION_FAILED;
  if (run->on_card_keys)
    {
      *skipped = TRUE;
      cl_sequence_note (run, "card keys %02X already in place", config->card_key_version);
      return TRUE;
    }
  g_assert (run->have_kdd);
  if (!diversify_card_keys (run, error))
    return FALSE;

  /* Write-ahead: once PUT KEY leaves, the card may hold either key set until we know better. */
  intent = cl_store_journal_intent (run->store, run->attempt_id, run->chip_id, CL_JOURNAL_PUT_KEY, from_version,
                                    config->card_key_version, NULL, error);
  if (intent <= 0)
    return FALSE;

  wrap.inner_length = config->put_key_inner_length;
  if (cl_profile_get_scp (run->profile)->scp == 0x03)
    {
      wrap.mode = CL_GP_KEY_WRAP_STATIC_DEK;
      wrap.current = kst;
    }
  else
    {
      wrap.mode = CL_GP_KEY_WRAP_SESSION_DEK;
      wrap.session_dek = cl_scp02_get_session_dek (run->scp02, &wrap.session_dek_len);
    }
  if (!cl_gp_put_key (run->channel, run->card_keys, from_version, &wrap, run->cancellable, &local))
    {
      /* A refusal (status word) left the KST; anything else (no answer, KCV mismatch) leaves it open. */
      gboolean refused = g_error_matches (local, CL_ERROR, CL_ERROR_CARD_STATUS);

      cl_sequence_journal_unfinished (run, intent, refused ? CL_JOURNAL_FAILED : CL_JOURNAL_UNKNOWN, &local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  /* The new keys prove themselves on a new session before the KST counts as gone. INITIALIZE UPDATE ends the
   * KST's session by itself; a card whose state is in doubt is selected again first. */
  if ((!run->blank && !cl_sequence_select_isd (run, run->channel, &local))
      || !cl_sequence_open_channel (run, run->channel, run->card_keys, config->card_key_version, &local))
    {
      cl_sequence_journal_unfinished (run, intent, CL_JOURNAL_UNKNOWN, &local);
      g_prefix_error (&local, "new card keys do not authenticate: ");
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  run->on_card_keys = TRUE;
  if (!cl_store_journal_outcome (run->store, intent, CL_JOURNAL_DONE, "card keys authenticate", error))
    return FALSE;
  if (run->old_card_keys != NULL && !cl_sequence_audit_changeover (run, error))
    return FALSE;
  return cl_store_card_set_state (run->store, run->chip_id, CL_CARD_KEYS_ROTATED, config->card_key_version, error);
}

/* ---- LOAD_APPLET ---- */

ClGpRegistryEntry *
cl_sequence_find_entry (GPtrArray *entries, GBytes *aid)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      ClGpRegistryEntry *entry = entries->pdata[i];

      if (entry->aid != NULL && g_bytes_equal (entry->aid, aid))
        return entry;
    }
  return NULL;
}

static ClGpAid
gp_aid (GBytes *bytes)
{
  ClGpAid aid;

  aid.aid = g_bytes_get_data (bytes, &aid.len);
  return aid;
}

/* LOAD blocks after INSTALL [for load], then INSTALL [for install and make selectable]. */
static gboolean
load_and_install (ClSequenceRun *run, const ClProfileApplet *config, GError **error)
{
  g_autoptr (ClApdu) install = NULL;
  g_autoptr (GBytes) params = NULL;

  /* blocks as large as the card takes (extended length where the profile says the card does and the reader can) */
  if (!cl_gp_load_in_blocks (run->channel, cl_production_setup_get_load_file_data_block (run->setup),
                             cl_gp_load_block (run->channel, cl_profile_get_card (run->profile)->max_command_length),
                             run->cancellable, error))
    return FALSE;
  run->reason = CL_REJECT_INSTALL_FAILED;
  params = cl_gp_build_install_parameters (NULL, 0, 0, 0);
  install = cl_gp_install_for_install_apdu (gp_aid (config->package_aid), gp_aid (config->applet_aid),
                                            gp_aid (config->instance_aid), g_bytes_get_data (config->privileges, NULL),
                                            g_bytes_get_size (config->privileges), params, NULL, error);
  if (install == NULL
      || !cl_gp_send (run->channel, install, "INSTALL [for install and make selectable]", run->cancellable, error))
    return FALSE;
  return cl_store_card_set_state (run->store, run->chip_id, CL_CARD_APPLET_LOADED, -1, error);
}

gboolean
cl_sequence_step_load_applet (ClSequenceRun *run, gboolean *skipped, GError **error)
{
  const ClProfileApplet *config = cl_profile_get_applet (run->profile);
  g_autoptr (GPtrArray) apps = NULL, files = NULL;
  g_autoptr (ClApdu) install_load = NULL;
  g_autoptr (GError) refused = NULL;
  ClGpRegistryEntry *app;
  ClGpAid isd = { run->isd_aid, run->isd_aid_len };

  run->reason = CL_REJECT_LOAD_FAILED;
  install_load = cl_gp_install_for_load_apdu (gp_aid (config->package_aid), isd, NULL, NULL, NULL, error);
  if (install_load == NULL)
    return FALSE;
  /* a blank card holds no package to look for or delete; one it refuses to load again says it is not blank */
  if (run->blank)
    {
      if (cl_gp_send (run->channel, install_load, "INSTALL [for load]", run->cancellable, &refused))
        return load_and_install (run, config, error);
      if (!contradicts_blank (run, refused))
        return g_propagate_error (error, g_steal_pointer (&refused)), FALSE;
    }
  apps = cl_gp_get_status (run->channel, CL_GP_STATUS_APPLICATIONS, run->cancellable, error);
  if (apps == NULL)
    return FALSE;
  app = cl_sequence_find_entry (apps, config->instance_aid);
  /* On a resumed card the instance is ours: keep it (and the device it may hold). */
  if (app != NULL && (app->life_cycle & 0x07) == 0x07 && (run->resumed_keys || !config->delete_before_load))
    {
      *skipped = TRUE;
      cl_sequence_note (run, "applet already installed and selectable");
      return TRUE;
    }
  files = cl_gp_get_status (run->channel, CL_GP_STATUS_LOAD_FILES, run->cancellable, error);
  if (files == NULL)
    return FALSE;
  if (cl_sequence_find_entry (files, config->package_aid) != NULL)
    {
      if (!cl_gp_delete (run->channel, g_bytes_get_data (config->package_aid, NULL),
                         g_bytes_get_size (config->package_aid), TRUE, run->cancellable, error))
        return FALSE;
    }
  else if (app != NULL
           && !cl_gp_delete (run->channel, g_bytes_get_data (config->instance_aid, NULL),
                             g_bytes_get_size (config->instance_aid), FALSE, run->cancellable, error))
    return FALSE;

  if (!cl_gp_send (run->channel, install_load, "INSTALL [for load]", run->cancellable, error))
    return FALSE;
  return load_and_install (run, config, error);
}
