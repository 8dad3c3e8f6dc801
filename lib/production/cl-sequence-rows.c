/* cl-sequence-rows.c: a card's data row (store/cl-store-rows.h) in its sequence: claimed once the chip is known,
 * its values put where the mapping says (device CHR holder, STORE DATA). */
#include "cl-sequence-run.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"

gboolean
cl_sequence_claim_row (ClSequenceRun *run, GError **error)
{
  g_autoptr (GError) local = NULL;

  g_clear_pointer (&run->row, cl_batch_row_free);
  if (cl_store_rows_claim (run->store, run->batch_id, run->attempt_id, run->chip_id, &run->row, &local))
    return TRUE;
  /* a chip bound to another row is a duplicate; a batch out of rows or a failing store is the station's matter */
  run->reason
    = g_error_matches (local, CL_ERROR, CL_ERROR_CLAIMED) ? CL_REJECT_DUPLICATE_CHIP : CL_REJECT_PROTOCOL_ERROR;
  g_propagate_prefixed_error (error, g_steal_pointer (&local), "data row: ");
  return FALSE;
}

/* BSI TR-03110: country code (2), holder mnemonic, sequence number (5): a row's chr.holder replaces the mnemonic the
 * profile's pattern made, and keeps the pattern's country and sequence. */
char *
cl_sequence_device_chr (ClSequenceRun *run, GError **error)
{
  g_autofree char *chr
    = cl_chr_pattern_expand (cl_profile_get_certify (run->profile)->holder_reference, NULL, 0, run->chip_id, error);
  const char *holder = cl_batch_row_get (run->row, "chr.holder");
  gsize n;

  if (chr == NULL)
    return g_prefix_error (error, "certificate holder: "), NULL;
  if (holder == NULL)
    return g_steal_pointer (&chr);
  n = strlen (holder);
  for (const char *p = holder; *p != '\0'; p++)
    if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p))
      n = 0;
  if (n < 1 || n > 9)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "certificate holder: row %s (line %u): chr.holder “%s” must be 1 to 9 of A-Z 0-9",
                   run->row->reference, run->row->line, holder);
      return NULL;
    }
  return g_strdup_printf ("%.2s%s%s", chr, holder, chr + strlen (chr) - 5);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
cl_sequence_row_store_data (ClSequenceRun *run, GError **error)
{
  g_autoptr (GPtrArray) blocks = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (run->row != NULL)
    keys = g_hash_table_get_keys_as_array (run->row->fields, &n);
  if (n > 0)
    qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    {
      const char *key = keys[i];
      const char *value = g_hash_table_lookup (run->row->fields, key);
      g_autoptr (GByteArray) block = NULL;
      g_autoptr (GBytes) tag = NULL;
      gsize len = strlen (value), tag_len;

      if (!g_str_has_prefix (key, "store-data."))
        continue;
      tag = cl_hex_decode (key + strlen ("store-data."), NULL);
      tag_len = tag != NULL ? g_bytes_get_size (tag) : 0;
      /* a BER-TLV tag of one or two bytes, and one short-form length: the block fits one STORE DATA */
      if (tag_len < 1 || tag_len > 2 || len > 127)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "row %s (line %u): %s needs a 1- or 2-byte hex tag and at most 127 bytes of value",
                       run->row->reference, run->row->line, key);
          return NULL;
        }
      block = g_byte_array_new ();
      g_byte_array_append (block, g_bytes_get_data (tag, NULL), (guint)tag_len);
      g_byte_array_append (block, (const guint8[]){ (guint8)len }, 1);
      g_byte_array_append (block, (const guint8 *)value, (guint)len);
      g_ptr_array_add (blocks, g_byte_array_free_to_bytes (g_steal_pointer (&block)));
    }
  return g_steal_pointer (&blocks);
}
