/* cl-dkek-share.h: DKEK share files as OpenSC's sc-hsm-tool --create-dkek-share writes them (64 bytes):
 * "Salted__" || salt(8) || AES-256-CBC(share(32) + PKCS#7 padding) with key || IV from
 * EVP_BytesToKey(AES-256-CBC, MD5, salt, password, 10,000,000 iterations). The count makes each call take
 * seconds of CPU on purpose: call off the UI thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_DKEK_SHARE_LEN        32
#define CL_DKEK_SHARE_FILE_LEN   64
#define CL_DKEK_SHARE_ITERATIONS 10000000

/* Decrypts a share file. A wrong password (bad padding or length) is CL_ERROR_SECURITY; a file that is not a
 * share file at all is CL_ERROR_MALFORMED. share receives 32 bytes; the caller wipes it. */
gboolean cl_dkek_share_decrypt (const guint8 *file, gsize file_len, const char *password, gsize password_len,
                                guint8 share[CL_DKEK_SHARE_LEN], GError **error);
/* Encrypts share; salt NULL draws 8 random bytes. Returns the 64-byte file. */
GBytes *cl_dkek_share_encrypt (const guint8 share[CL_DKEK_SHARE_LEN], const char *password, gsize password_len,
                               const guint8 *salt, GError **error);

/* As above with another iteration count: only for tests that need not pay for the real count. */
gboolean cl_dkek_share_decrypt_full (const guint8 *file, gsize file_len, const char *password, gsize password_len,
                                     guint iterations, guint8 share[CL_DKEK_SHARE_LEN], GError **error);
GBytes *cl_dkek_share_encrypt_full (const guint8 share[CL_DKEK_SHARE_LEN], const char *password, gsize password_len,
                                    const guint8 *salt, guint iterations, GError **error);

G_END_DECLS
