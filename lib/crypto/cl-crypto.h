/* cl-crypto.h: the symmetric primitives of the secure channels and key handling, over OpenSSL 3 EVP.
 * Raw key bytes pass through here; callers wipe them (cl_wipe). Data lengths of the ciphers must be a multiple
 * of the block size (no implicit padding); padding is explicit (ISO 9797-1 method 2). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CL_CIPHER_AES,  /* 16, 24 or 32-byte key */
  CL_CIPHER_DES3, /* 16-byte (2-key) or 24-byte (3-key) key */
  CL_CIPHER_DES,  /* 8-byte key; single DES, only for the retail MAC and SCP02 ICV encryption */
} ClCipherAlgorithm;

typedef enum
{
  CL_CIPHER_MODE_ECB,
  CL_CIPHER_MODE_CBC,
} ClCipherModeKind;

#define CL_AES_BLOCK 16
#define CL_DES_BLOCK 8

gsize cl_cipher_block_size (ClCipherAlgorithm algorithm);
/* out may equal in. iv (block size) is used for CBC only; NULL = zero IV. */
gboolean cl_cipher_encrypt (ClCipherAlgorithm algorithm, ClCipherModeKind mode, const guint8 *key, gsize key_len,
                            const guint8 *iv, const guint8 *in, gsize len, guint8 *out, GError **error);
gboolean cl_cipher_decrypt (ClCipherAlgorithm algorithm, ClCipherModeKind mode, const guint8 *key, gsize key_len,
                            const guint8 *iv, const guint8 *in, gsize len, guint8 *out, GError **error);

/* AES-CMAC (NIST SP800-38B) with a 16/24/32-byte key. */
gboolean cl_aes_cmac (const guint8 *key, gsize key_len, const guint8 *data, gsize len, guint8 out[16], GError **error);

/* ISO 9797-1 padding method 2: 80 then zeros up to a multiple of block (always adds at least one byte). */
guint8 *cl_pad_iso9797_m2 (const guint8 *data, gsize len, gsize block, gsize *out_len);
/* Length of the data without its method 2 padding, or FALSE if the padding is malformed. */
gboolean cl_unpad_iso9797_m2 (const guint8 *data, gsize len, gsize *out_len);

/* ISO 9797-1 MAC algorithm 3 (retail MAC): DES-CBC with K1, last block 3DES; method 2 padding. icv NULL = 0. */
gboolean cl_retail_mac (const guint8 *key, gsize key_len, const guint8 *icv, const guint8 *data, gsize len,
                        guint8 out[8], GError **error);
/* Full 3DES-CBC MAC (ISO 9797-1 MAC algorithm 1 with 3DES); method 2 padding; icv NULL = 0. */
gboolean cl_des3_mac (const guint8 *key, gsize key_len, const guint8 *icv, const guint8 *data, gsize len, guint8 out[8],
                      GError **error);

void cl_sha1 (const guint8 *data, gsize len, guint8 out[20]);
void cl_sha256 (const guint8 *data, gsize len, guint8 out[32]);
gboolean cl_random_bytes (guint8 *out, gsize len, GError **error);

/* Key check values. GlobalPlatform: AES(key, 16x01)[0..2]; 3DES(key, 8x00)[0..2]. X9.24-1 (AES): CMAC(key,
 * 16x00)[0..2]. */
gboolean cl_kcv_aes (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error);
gboolean cl_kcv_des3 (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error);
gboolean cl_kcv_aes_cmac (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error);

/* Sets CL_ERROR_CRYPTO "<operation> failed: <OpenSSL's reason>" and clears OpenSSL's error queue. */
void cl_crypto_set_error (GError **error, const char *operation);

G_END_DECLS
