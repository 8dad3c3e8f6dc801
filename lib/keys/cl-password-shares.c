#include "keys/cl-password-shares.h"

#include <openssl/bn.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"

static guint64
mul_mod (guint64 a, guint64 b, guint64 p)
{
  return (guint64)(((unsigned __int128)a * b) % p);
}

static guint64
add_mod (guint64 a, guint64 b, guint64 p)
{
  return (guint64)(((unsigned __int128)a + b) % p);
}

static guint64
pow_mod (guint64 a, guint64 e, guint64 p)
{
  guint64 r = 1;
  a %= p;
  while (e)
    {
      if (e & 1)
        r = mul_mod (r, a, p);
      a = mul_mod (a, a, p);
      e >>= 1;
    }
  return r;
}

static guint64
be64 (const guint8 b[8])
{
  guint64 v = 0;
  for (guint i = 0; i < 8; i++)
    v = v << 8 | b[i];
  return v;
}

static gboolean
random_below (guint64 bound, guint64 *out, GError **error)
{
  guint8 b[8];
  do
    {
      if (!cl_random_bytes (b, 8, error))
        return FALSE;
      *out = be64 (b);
    }
  while (*out >= bound);
  cl_wipe (b, 8);
  return TRUE;
}

static gboolean
check_counts (guint threshold, guint total, GError **error)
{
  if (threshold < 2 || threshold > total || total > CL_PASSWORD_SHARES_MAX)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "A %u-of-%u password split is not possible (2 <= n <= m <= %u)", threshold, total,
                   CL_PASSWORD_SHARES_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_password_shares_split_secret (const guint8 password[8], guint threshold, guint total, guint64 prime,
                                 ClPasswordShare *shares, GError **error)
{
  guint64 coeff[CL_PASSWORD_SHARES_MAX];

  if (!check_counts (threshold, total, error))
    return FALSE;
  coeff[0] = be64 (password);
  if (coeff[0] >= prime)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "The password does not fit below the prime");
      return FALSE;
    }
  for (guint i = 1; i < threshold; i++)
    if (!random_below (prime, &coeff[i], error))
      return FALSE;
  for (guint x = 1; x <= total; x++)
    {
      guint64 y = 0;
      /* Horner */
      for (guint i = threshold; i-- > 0;)
        y = add_mod (mul_mod (y, x, prime), coeff[i], prime);
      shares[x - 1].id = x;
      shares[x - 1].value = y;
    }
  cl_wipe (coeff, sizeof coeff);
  return TRUE;
}

gboolean
cl_password_shares_split (guint threshold, guint total, guint64 *prime, guint8 password[8], ClPasswordShare *shares,
                          GError **error)
{
  BIGNUM *p = BN_new ();
  guint8 pb[8];

  if (!check_counts (threshold, total, error))
    return BN_free (p), FALSE;
  /* A safe prime of exactly 64 bits, as sc-hsm-tool draws it. */
  if (p == NULL || !BN_generate_prime_ex (p, 64, 1, NULL, NULL, NULL) || BN_bn2binpad (p, pb, 8) != 8)
    {
      BN_free (p);
      cl_crypto_set_error (error, "Generating the password prime");
      return FALSE;
    }
  BN_free (p);
  *prime = be64 (pb);
  /* sc-hsm-tool clears the password's first bit so that it stays below its 64-bit prime; a password that then
   * starts with a zero byte loses that byte when sc-hsm-tool rebuilds it from the shares. Setting the first bit
   * instead keeps all 8 bytes, and drawing again until the password is below the prime keeps the shares exact. */
  do
    {
      if (!cl_random_bytes (password, 8, error))
        return FALSE;
      password[0] |= 0x80;
    }
  while (be64 (password) >= *prime);
  return cl_password_shares_split_secret (password, threshold, total, *prime, shares, error);
}

gboolean
cl_password_shares_combine (guint64 prime, const ClPasswordShare *shares, guint n, guint8 password[8], GError **error)
{
  guint64 s = 0;

  if (n < 1 || prime < 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "No shares or no prime to combine");
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      guint64 num = 1, den = 1;
      for (guint j = 0; j < n; j++)
        {
          if (i == j)
            continue;
          if (shares[i].id % prime == shares[j].id % prime)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Share ID %u was given twice", shares[i].id);
              return FALSE;
            }
          num = mul_mod (num, shares[j].id % prime, prime);
          den = mul_mod (den, add_mod (shares[j].id % prime, prime - shares[i].id % prime, prime), prime);
        }
      s = add_mod (s, mul_mod (shares[i].value % prime, mul_mod (num, pow_mod (den, prime - 2, prime), prime), prime),
                   prime);
    }
  for (guint i = 0; i < 8; i++)
    password[i] = (guint8)(s >> (56 - 8 * i));
  return TRUE;
}

static void
append_hex_colon (GString *out, guint64 v)
{
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (out, "%s%02X", i ? ":" : "", (guint)(v >> (56 - 8 * i)) & 0xFF);
}

char *
cl_password_share_format (guint64 prime, const ClPasswordShare *share)
{
  GString *out = g_string_new ("Prime       : ");
  append_hex_colon (out, prime);
  g_string_append_printf (out, "\nShare ID    : %u\nShare value : ", share->id);
  append_hex_colon (out, share->value);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

gboolean
cl_password_share_parse_hex (const char *text, guint64 *out, GError **error)
{
  g_autofree char *clean = g_strdup (text);
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *d;
  gsize len, j = 0;

  for (gsize i = 0; clean[i]; i++)
    if (clean[i] != ':' && !g_ascii_isspace (clean[i]))
      clean[j++] = clean[i];
  clean[j] = '\0';
  bytes = cl_hex_decode (clean, error);
  if (bytes == NULL)
    return FALSE;
  d = g_bytes_get_data (bytes, &len);
  if (len == 0 || len > 8)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A share value or prime is 1..8 bytes, not %zu", len);
      return FALSE;
    }
  *out = 0;
  for (gsize i = 0; i < len; i++)
    *out = *out << 8 | d[i];
  return TRUE;
}

gboolean
cl_password_share_parse_id (const char *text, guint *out, GError **error)
{
  guint64 v;
  g_autofree char *clean = g_strstrip (g_strdup (text));

  if (!g_ascii_string_to_unsigned (clean, 10, 1, 255, &v, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Share ID \"%s\" is not a number 1..255", clean);
      return FALSE;
    }
  *out = (guint)v;
  return TRUE;
}
