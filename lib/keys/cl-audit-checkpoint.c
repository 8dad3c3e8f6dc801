/* cl-audit-checkpoint.c: signing the audit chain's head in the token, checking checkpoints on the host
 * (cl-audit-checkpoint.h). */
#include "keys/cl-audit-checkpoint.h"

#include <openssl/core_names.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-openssl-autoptr.h"

#define HASH_LEN  32
#define FIELD_LEN 32 /* P-256 */
#define GROUP     "Audit checkpoint"

ClP11EcKey *
cl_audit_key_create (ClP11Token *token, const char *label, GError **error)
{
  return cl_p11_ec_key_generate (token, CL_P11_CURVE_P256, label ? label : CL_AUDIT_KEY_LABEL, NULL, error);
}

char *
cl_audit_key_fingerprint (GBytes *public_key)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, public_key);
}

static ClAuditCheckpoint *
checkpoint_copy (const ClAuditCheckpoint *c)
{
  ClAuditCheckpoint *copy = g_memdup2 (c, sizeof *c);

  copy->key_label = g_strdup (c->key_label);
  copy->public_key = g_bytes_ref (c->public_key);
  copy->signature = g_bytes_ref (c->signature);
  return copy;
}

ClAuditCheckpoint *
cl_audit_checkpoint_sign (ClStore *store, ClP11EcKey *key, GError **error)
{
  g_autoptr (ClAuditCheckpoint) checkpoint = g_new0 (ClAuditCheckpoint, 1);
  g_autoptr (GPtrArray) existing = cl_store_audit_checkpoints (store, error);
  g_autoptr (GBytes) message = NULL;

  if (existing == NULL || !cl_store_audit_latest (store, &checkpoint->seq, checkpoint->head, error))
    return NULL;
  if (checkpoint->seq == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "The audit trail is empty: nothing to sign");
      return NULL;
    }
  if (existing->len > 0)
    {
      const ClAuditCheckpoint *last = g_ptr_array_index (existing, existing->len - 1);

      if (last->seq == checkpoint->seq)
        return checkpoint_copy (last);
    }
  checkpoint->signed_at = g_get_real_time ();
  checkpoint->key_label = g_strdup (cl_p11_ec_key_get_label (key));
  if (cl_p11_ec_key_get_curve (key) != CL_P11_CURVE_P256)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "The audit key %s is not a P-256 key",
                   checkpoint->key_label);
      return NULL;
    }
  if (!(checkpoint->public_key = cl_p11_ec_key_get_public_point (key, error)))
    return NULL;
  message = cl_audit_checkpoint_message (checkpoint);
  checkpoint->signature
    = cl_p11_ec_key_sign (key, G_CHECKSUM_SHA256, g_bytes_get_data (message, NULL), g_bytes_get_size (message), error);
  if (checkpoint->signature == NULL)
    {
      g_prefix_error (error, "Signing the audit checkpoint at record %" G_GINT64_FORMAT ": ", checkpoint->seq);
      return NULL;
    }
  if (!cl_store_audit_checkpoint_add (store, checkpoint, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

static EVP_PKEY *
p256_public_key (GBytes *point, GError **error)
{
  g_autoptr (OSSL_PARAM_BLD) bld = OSSL_PARAM_BLD_new ();
  g_autoptr (OSSL_PARAM) params = NULL;
  g_autoptr (EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
  EVP_PKEY *pkey = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (point, &len);

  if (len != 1 + 2 * FIELD_LEN || data[0] != 0x04)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "The checkpoint's public key is not an uncompressed P-256 point");
      return NULL;
    }
  if (bld == NULL || ctx == NULL || !OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
      || !OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, data, len)
      || !(params = OSSL_PARAM_BLD_to_param (bld)) || EVP_PKEY_fromdata_init (ctx) <= 0
      || EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "The checkpoint's public key is not a point on P-256");
      return NULL;
    }
  return pkey;
}

/* r || s as the token returns it, to the DER that OpenSSL verifies. */
static GBytes *
plain_to_der (GBytes *signature)
{
  g_autoptr (ECDSA_SIG) sig = ECDSA_SIG_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (signature, &len);
  BIGNUM *r, *s;
  unsigned char *der = NULL;
  int der_len;

  if (sig == NULL || len != 2 * FIELD_LEN)
    return NULL;
  r = BN_bin2bn (data, FIELD_LEN, NULL);
  s = BN_bin2bn (data + FIELD_LEN, FIELD_LEN, NULL);
  if (r == NULL || s == NULL || !ECDSA_SIG_set0 (sig, r, s))
    {
      BN_free (r);
      BN_free (s);
      return NULL;
    }
  if ((der_len = i2d_ECDSA_SIG (sig, &der)) <= 0)
    return NULL;
  {
    GBytes *out = g_bytes_new (der, (gsize)der_len);

    OPENSSL_free (der);
    return out;
  }
}

gboolean
cl_audit_checkpoint_check_signature (const ClAuditCheckpoint *checkpoint, GError **error)
{
  g_autoptr (EVP_PKEY) pkey = p256_public_key (checkpoint->public_key, error);
  g_autoptr (EVP_MD_CTX) md = EVP_MD_CTX_new ();
  g_autoptr (GBytes) message = cl_audit_checkpoint_message (checkpoint);
  g_autoptr (GBytes) der = plain_to_der (checkpoint->signature);

  if (pkey == NULL)
    return FALSE;
  if (der == NULL || md == NULL || EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, pkey) <= 0
      || EVP_DigestVerify (md, g_bytes_get_data (der, NULL), g_bytes_get_size (der), g_bytes_get_data (message, NULL),
                           g_bytes_get_size (message))
           != 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "The signature of the audit checkpoint at record %" G_GINT64_FORMAT
                   " does not verify (the checkpoint was altered or not signed by its key)",
                   checkpoint->seq);
      return FALSE;
    }
  return TRUE;
}

void
cl_audit_checkpoint_report_clear (ClAuditCheckpointReport *report)
{
  g_clear_pointer (&report->public_key, g_bytes_unref);
}

/* One checkpoint against the key and the chain. what: "Checkpoint at record N" or "The exported checkpoint". */
static gboolean
check_one (ClStore *store, const ClAuditCheckpoint *c, GBytes *key, const char *what, gint64 chain_seq, GError **error)
{
  guint8 head[HASH_LEN];
  g_autoptr (GError) local = NULL;

  if (!cl_audit_checkpoint_check_signature (c, error))
    return FALSE;
  if (!g_bytes_equal (c->public_key, key))
    {
      g_autofree char *have = cl_audit_key_fingerprint (c->public_key);
      g_autofree char *want = cl_audit_key_fingerprint (key);

      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "%s is signed by key %.16s…, not by the trusted audit key %.16s… (a checkpoint signed elsewhere)",
                   what, have, want);
      return FALSE;
    }
  if (c->seq > chain_seq)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "%s covers audit records up to %" G_GINT64_FORMAT
                   ", but the audit trail ends at record %" G_GINT64_FORMAT ": records %" G_GINT64_FORMAT
                   "..%" G_GINT64_FORMAT " were cut off",
                   what, c->seq, chain_seq, chain_seq + 1, c->seq);
      return FALSE;
    }
  if (!cl_store_audit_hash_at (store, c->seq, head, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "%s: %s", what, local->message);
      return FALSE;
    }
  if (memcmp (head, c->head, HASH_LEN) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "%s does not match the chain: audit record %" G_GINT64_FORMAT
                   " has another hash than the one signed, so records up to it were rewritten and re-hashed",
                   what, c->seq);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_audit_checkpoints_verify (ClStore *store, GBytes *trusted_key, const ClAuditCheckpoint *exported,
                             ClAuditCheckpointReport *report, GError **error)
{
  g_autoptr (GPtrArray) checkpoints = cl_store_audit_checkpoints (store, error);
  guint8 head[HASH_LEN];
  GBytes *key = trusted_key;

  memset (report, 0, sizeof *report);
  if (checkpoints == NULL || !cl_store_audit_latest (store, &report->chain_seq, head, error))
    return FALSE;
  if (key == NULL && exported != NULL)
    key = exported->public_key;
  if (key == NULL && checkpoints->len > 0)
    key = ((ClAuditCheckpoint *)g_ptr_array_index (checkpoints, 0))->public_key;
  for (guint i = 0; i < checkpoints->len; i++)
    {
      const ClAuditCheckpoint *c = g_ptr_array_index (checkpoints, i);
      g_autofree char *what = g_strdup_printf ("Checkpoint at audit record %" G_GINT64_FORMAT, c->seq);

      if (!check_one (store, c, key, what, report->chain_seq, error))
        return FALSE;
      report->n_checkpoints++;
      report->last_seq = c->seq;
    }
  if (exported != NULL)
    {
      g_autofree char *what
        = g_strdup_printf ("The exported checkpoint (audit record %" G_GINT64_FORMAT ")", exported->seq);

      if (!check_one (store, exported, key, what, report->chain_seq, error))
        return FALSE;
      report->last_seq = MAX (report->last_seq, exported->seq);
    }
  if (key != NULL)
    report->public_key = g_bytes_ref (key);
  return TRUE;
}

char *
cl_audit_checkpoint_to_text (const ClAuditCheckpoint *c)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *head = cl_hex_encode (c->head, HASH_LEN);
  g_autofree char *key = cl_hex_encode_bytes (c->public_key);
  g_autofree char *sig = cl_hex_encode_bytes (c->signature);

  g_key_file_set_int64 (file, GROUP, "seq", c->seq);
  g_key_file_set_string (file, GROUP, "head", head);
  g_key_file_set_int64 (file, GROUP, "signed", c->signed_at);
  g_key_file_set_string (file, GROUP, "key", c->key_label);
  g_key_file_set_string (file, GROUP, "public-key", key);
  g_key_file_set_string (file, GROUP, "signature", sig);
  return g_key_file_to_data (file, NULL, NULL);
}

static GBytes *
read_hex (GKeyFile *file, const char *name, GError **error)
{
  g_autofree char *text = g_key_file_get_string (file, GROUP, name, NULL);
  g_autoptr (GError) local = NULL;
  GBytes *out;

  if (text == NULL || (out = cl_hex_decode (text, &local)) == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Exported checkpoint: “%s” is missing or not hex", name);
      return NULL;
    }
  return out;
}

ClAuditCheckpoint *
cl_audit_checkpoint_from_text (const char *text, gsize len, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (ClAuditCheckpoint) c = g_new0 (ClAuditCheckpoint, 1);
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GError) local = NULL;

  if (memchr (text, '\0', len) != NULL || !g_key_file_load_from_data (file, text, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Exported checkpoint: not a checkpoint file (%s)",
                   local ? local->message : "it contains a NUL byte");
      return NULL;
    }
  c->seq = g_key_file_get_int64 (file, GROUP, "seq", NULL);
  c->signed_at = g_key_file_get_int64 (file, GROUP, "signed", NULL);
  c->key_label = g_key_file_get_string (file, GROUP, "key", NULL);
  if (c->seq <= 0 || c->signed_at <= 0 || c->key_label == NULL || *c->key_label == '\0'
      || !g_utf8_validate (c->key_label, -1, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Exported checkpoint: seq, signed or key is missing or wrong");
      return NULL;
    }
  if (!(head = read_hex (file, "head", error)) || !(c->public_key = read_hex (file, "public-key", error))
      || !(c->signature = read_hex (file, "signature", error)))
    return NULL;
  if (g_bytes_get_size (head) != HASH_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Exported checkpoint: “head” is not 32 bytes");
      return NULL;
    }
  memcpy (c->head, g_bytes_get_data (head, NULL), HASH_LEN);
  return g_steal_pointer (&c);
}
