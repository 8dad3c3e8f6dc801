/* cl-password-shares.h: n-of-m threshold shares of a DKEK share file password, as OpenSC's sc-hsm-tool
 * --pwd-shares-threshold/--pwd-shares-total makes them: a random 64-bit password (first bit set), Shamir's
 * scheme over GF(p) for a random 64-bit safe prime p, share i = (i, f(i)) for i = 1..m.
 *
 * Printed per custodian as sc-hsm-tool prints them (so shares it printed can be typed into Cardline):
 *   Prime       : C7:8B:...      (hex bytes separated by ':')
 *   Share ID    : 3              (decimal)
 *   Share value : 1F:02:...
 * Unlike sc-hsm-tool, Cardline reads the share ID back as decimal (sc-hsm-tool parses it as hex: the same for
 * IDs 1..9) and keeps the password 8 bytes long when it starts with a zero byte. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_PASSWORD_SHARES_MAX       32
#define CL_PASSWORD_SHARE_SECRET_LEN 8

typedef struct
{
  guint id;      /* x, 1..m */
  guint64 value; /* f(x) mod prime */
} ClPasswordShare;

/* Splits a fresh random password into total shares of threshold; password receives 8 bytes (caller wipes). */
gboolean cl_password_shares_split (guint threshold, guint total, guint64 *prime,
                                   guint8 password[CL_PASSWORD_SHARE_SECRET_LEN], ClPasswordShare *shares,
                                   GError **error);
/* Splits a given 8-byte password (must be < prime). */
gboolean cl_password_shares_split_secret (const guint8 password[CL_PASSWORD_SHARE_SECRET_LEN], guint threshold,
                                          guint total, guint64 prime, ClPasswordShare *shares, GError **error);
/* Lagrange interpolation at 0 of n shares. With fewer shares than the threshold the result is a wrong
 * password, which the share file's padding check then refuses. Duplicate IDs are CL_ERROR_INVALID_ARGUMENT. */
gboolean cl_password_shares_combine (guint64 prime, const ClPasswordShare *shares, guint n,
                                     guint8 password[CL_PASSWORD_SHARE_SECRET_LEN], GError **error);

/* "Prime       : ..\nShare ID    : ..\nShare value : ..\n" */
char *cl_password_share_format (guint64 prime, const ClPasswordShare *share);
/* Parses "C7:8B:..." / "C78B..." (prime, value) and a decimal ID. */
gboolean cl_password_share_parse_hex (const char *text, guint64 *out, GError **error);
gboolean cl_password_share_parse_id (const char *text, guint *out, GError **error);

G_END_DECLS
