/* cl-pin-export.c: a batch's PIN envelopes as a file for the customer (format in cl-pin-export.h). */
#include "cl-pin-export.h"

#include "core/cl-error.h"
#include "store/cl-store-pin-escrow.h"

gint
cl_pin_export_write (ClStore *store, const char *batch_name, const char *path, const char *actor, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GHashTable) recipients = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *detail = NULL;
  gint64 batch_id = cl_store_batch_lookup (store, batch_name, error);
  gint64 good = 0, sealed = 0, unsealed_good = 0;

  if (batch_id <= 0)
    return -1;
  if (!cl_store_pin_escrow_count (store, batch_id, &good, &sealed, &unsealed_good, error))
    return -1;
  /* an export that leaves out good cards would pass for a complete one */
  if (good > 0 && sealed == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND,
                   "batch %s has %" G_GINT64_FORMAT " good card(s) and no PIN envelope: its cards were shipped "
                   "uninitialised (profile ship=uninitialised: the customer sets SO-PIN and PIN with sc-hsm-tool "
                   "--initialize), so there is nothing to export; no file written",
                   batch_name, good);
      return -1;
    }
  if (unsealed_good > 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "batch %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " good card(s) have no PIN envelope; no "
                   "file written",
                   batch_name, unsealed_good, good);
      return -1;
    }
  records = cl_store_pin_escrow_list (store, batch_id, error);
  if (records == NULL)
    return -1;
  for (guint i = 0; i < records->len; i++)
    g_hash_table_add (recipients, ((ClPinEscrowRecord *)records->pdata[i])->recipient);
  g_string_append_printf (out, "# Cardline PIN export: batch %s, %u card(s)\n", batch_name, records->len);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, recipients);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_string_append_printf (out, "# encrypted to the customer key with SubjectPublicKeyInfo SHA-256 %s\n",
                              (const char *)key);
  }
  g_string_append (out, "# chip id <TAB> contents <TAB> base64 CMS envelope (DER); open one card's record with\n"
                        "#   grep '^CHIPID<TAB>' FILE | cut -f3 | base64 -d | "
                        "openssl cms -decrypt -inform DER -inkey customer-key.pem\n");
  for (guint i = 0; i < records->len; i++)
    {
      ClPinEscrowRecord *r = records->pdata[i];
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (r->envelope, NULL), g_bytes_get_size (r->envelope));

      g_string_append_printf (out, "%s\t%s\t%s\n", r->chip_id, r->contents, b64);
    }
  if (!g_file_set_contents_full (path, out->str, (gssize)out->len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return -1;
  detail = g_strdup_printf ("batch %s: %u card PIN envelope(s) written to %s", batch_name, records->len, path);
  if (cl_store_audit_append (store, actor, "pin-export", batch_name, detail, error) <= 0)
    return -1;
  return (gint)records->len;
}
