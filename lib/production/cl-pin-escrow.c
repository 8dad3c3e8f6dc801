/* cl-pin-escrow.c: CMS envelopes of card PINs for the customer (scheme in cl-pin-escrow.h). */
#include "cl-pin-escrow.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "crypto/cl-openssl-autoptr.h"
#include "core/cl-secure-buffer.h"

#define MIN_RSA_BITS 2048

struct _ClPinEscrow
{
  GObject parent_instance;
  EVP_PKEY *key;
  X509 *cert;
  char *recipient;
};

G_DEFINE_FINAL_TYPE (ClPinEscrow, cl_pin_escrow, G_TYPE_OBJECT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)

static void
cl_pin_escrow_finalize (GObject *object)
{
  ClPinEscrow *self = CL_PIN_ESCROW (object);

  EVP_PKEY_free (self->key);
  X509_free (self->cert);
  g_free (self->recipient);
  G_OBJECT_CLASS (cl_pin_escrow_parent_class)->finalize (object);
}

static void
cl_pin_escrow_class_init (ClPinEscrowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_pin_escrow_finalize;
}

static void
cl_pin_escrow_init (ClPinEscrow *self)
{
}

/* CMS names a recipient by a certificate; the customer gave a bare key, so the station wraps it in one of its own
 * making. The signature is by a throw-away key: nobody verifies it, and it must not look like a trust statement. */
static X509 *
recipient_cert (EVP_PKEY *key, GError **error)
{
  g_autoptr (X509) cert = X509_new ();
  g_autoptr (EVP_PKEY) signer = EVP_EC_gen ("P-256");
  X509_NAME *name;

  if (cert == NULL || signer == NULL || !X509_set_version (cert, X509_VERSION_3)
      || !ASN1_INTEGER_set (X509_get_serialNumber (cert), 1) || !X509_gmtime_adj (X509_getm_notBefore (cert), 0)
      || !X509_gmtime_adj (X509_getm_notAfter (cert), 60L * 60 * 24 * 365 * 30) || !X509_set_pubkey (cert, key))
    return cl_crypto_set_error (error, "PIN export recipient certificate"), NULL;
  name = X509_get_subject_name (cert);
  if (!X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *)"Cardline PIN export recipient", -1,
                                   -1, 0)
      || !X509_set_issuer_name (cert, name) || X509_sign (cert, signer, EVP_sha256 ()) <= 0)
    return cl_crypto_set_error (error, "PIN export recipient certificate"), NULL;
  return g_steal_pointer (&cert);
}

ClPinEscrow *
cl_pin_escrow_new_from_file (const char *path, GError **error)
{
  g_autoptr (ClPinEscrow) self = NULL;
  g_autoptr (BIO) bio = BIO_new_file (path, "r");
  g_autoptr (EVP_PKEY) key = NULL;
  g_autofree unsigned char *spki = NULL;
  unsigned char *p;
  int len;

  if (bio == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PIN export key %s cannot be read", path);
      return NULL;
    }
  key = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  if (key == NULL)
    {
      g_autoptr (X509) cert = NULL;

      BIO_reset (bio);
      cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
      if (cert != NULL)
        key = X509_get_pubkey (cert);
    }
  ERR_clear_error ();
  if (key == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "PIN export key %s: expected a PEM public key or certificate (RSA or EC)", path);
      return NULL;
    }
  if (EVP_PKEY_is_a (key, "RSA") ? EVP_PKEY_get_bits (key) < MIN_RSA_BITS : !EVP_PKEY_is_a (key, "EC"))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "PIN export key %s: expected RSA of at least %d bits or EC, got %s of %d bits", path, MIN_RSA_BITS,
                   EVP_PKEY_get0_type_name (key), EVP_PKEY_get_bits (key));
      return NULL;
    }
  self = g_object_new (CL_TYPE_PIN_ESCROW, NULL);
  self->cert = recipient_cert (key, error);
  if (self->cert == NULL)
    return NULL;
  len = i2d_PUBKEY (key, NULL);
  if (len <= 0)
    return cl_crypto_set_error (error, "PIN export key encoding"), NULL;
  p = spki = g_malloc (len);
  i2d_PUBKEY (key, &p);
  self->recipient = g_compute_checksum_for_data (G_CHECKSUM_SHA256, spki, len);
  self->key = g_steal_pointer (&key);
  return g_steal_pointer (&self);
}

const char *
cl_pin_escrow_get_recipient (ClPinEscrow *self)
{
  return self->recipient;
}

static GBytes *
envelope (ClPinEscrow *self, const guint8 *plain, gsize plain_len, GError **error)
{
  g_autoptr (CMS_ContentInfo) cms = NULL;
  g_autoptr (BIO) in = BIO_new_mem_buf (plain, (int)plain_len);
  g_autoptr (BIO) out = BIO_new (BIO_s_mem ());
  gboolean rsa = EVP_PKEY_is_a (self->key, "RSA");
  CMS_RecipientInfo *ri;
  const char *what = "CMS envelope of card PINs";
  char *data;
  long len;

  cms = CMS_encrypt (NULL, NULL, EVP_aes_256_gcm (), CMS_BINARY | CMS_PARTIAL);
  if (cms == NULL)
    return cl_crypto_set_error (error, what), NULL;
  ri = CMS_add1_recipient_cert (cms, self->cert, rsa ? CMS_KEY_PARAM : 0);
  if (ri == NULL)
    return cl_crypto_set_error (error, what), NULL;
  if (rsa)
    {
      EVP_PKEY_CTX *ctx = CMS_RecipientInfo_get0_pkey_ctx (ri);

      if (ctx == NULL || EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_OAEP_PADDING) <= 0
          || EVP_PKEY_CTX_set_rsa_oaep_md (ctx, EVP_sha256 ()) <= 0
          || EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, EVP_sha256 ()) <= 0)
        return cl_crypto_set_error (error, what), NULL;
    }
  if (!CMS_final (cms, in, NULL, CMS_BINARY) || i2d_CMS_bio (out, cms) <= 0)
    return cl_crypto_set_error (error, what), NULL;
  len = BIO_get_mem_data (out, &data);
  return g_bytes_new (data, (gsize)len);
}

GBytes *
cl_pin_escrow_seal (ClPinEscrow *self, const char *chip_id, GBytes *so_pin, GBytes *pin, GError **error)
{
  g_autofree char *head = g_strdup_printf ("chip-id: %s\nso-pin: ", chip_id);
  gsize so_len = 0, pin_len = 0, at;
  const guint8 *so = g_bytes_get_data (so_pin, &so_len);
  const guint8 *p = pin != NULL ? g_bytes_get_data (pin, &pin_len) : NULL;
  g_autoptr (ClSecureBuffer) plain = NULL;

  g_return_val_if_fail (CL_IS_PIN_ESCROW (self), NULL);
  /* the plaintext in one page-locked buffer of its exact size, written in place and wiped when freed */
  plain = cl_secure_buffer_new (strlen (head) + 2 * so_len + 1 + (p != NULL ? 5 + pin_len + 1 : 0));
  memcpy (plain->data, head, strlen (head));
  at = strlen (head);
  for (gsize i = 0; i < so_len; i++, at += 2)
    {
      static const char digits[] = "0123456789ABCDEF";

      plain->data[at] = (guint8)digits[so[i] >> 4];
      plain->data[at + 1] = (guint8)digits[so[i] & 0x0F];
    }
  plain->data[at++] = '\n';
  if (p != NULL)
    {
      memcpy (plain->data + at, "pin: ", 5);
      memcpy (plain->data + at + 5, p, pin_len);
      at += 5 + pin_len;
      plain->data[at++] = '\n';
    }
  g_assert (at == plain->len);
  return envelope (self, plain->data, plain->len, error);
}
