/* cl-production-custody.h: the key-custody parts of a batch's setup (profile: profile/cl-profile-custody.h),
 * loaded once before the first card:
 *   - the token's older KMC versions the profile accepts on cards (key changeover);
 *   - the DKEK shares every card imports, decrypted from their share files with passwords read from owner-only
 *     files, and the key check value the cards must report after the last one (first 8 bytes of SHA-256 of the
 *     XOR of the shares). The plaintext shares live in host memory (the card takes them in plain in IMPORT DKEK
 *     SHARE), wiped when the setup goes;
 *   - the customer key that card PINs are sealed to (cl-pin-escrow.h).
 * Loading is audited (files, KCV, recipient fingerprint — never a share or password). */
#pragma once

#include "cl-pin-escrow.h"
#include "p11/cl-p11-key-set.h"
#include "p11/cl-p11-token.h"
#include "profile/cl-profile-custody.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_DKEK_KCV_LEN 8

typedef struct
{
  GPtrArray *accepted_kmc; /* ClP11KeySet, parallel to cl_profile_get_custody ()->accepted_kmc */
  guint n_dkek_shares;
  guint8 *dkek_shares; /* n_dkek_shares × 32 bytes */
  guint8 dkek_kcv[CL_DKEK_KCV_LEN];
  ClPinEscrow *pin_escrow; /* NULL: PINs are not kept */
} ClProductionCustody;

/* CL_ERROR_PROFILE naming the file or key that does not fit (a wrong DKEK password: CL_ERROR_SECURITY). */
ClProductionCustody *cl_production_custody_new (ClProfile *profile, ClP11Token *token, ClStore *store,
                                                ClP11KeySetOptions options, GError **error);
void cl_production_custody_free (ClProductionCustody *custody);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClProductionCustody, cl_production_custody_free)

/* The accepted older KMC whose card keys carry card_key_version on cards; NULL if not accepted. */
ClKeySet *cl_production_custody_find_kmc (ClProductionCustody *custody, ClProfile *profile, guint8 card_key_version,
                                          guint8 *kmc_version);

/* The DKEK check value of shares (n × 32 bytes): first 8 bytes of SHA-256 of their XOR. */
void cl_dkek_kcv (const guint8 *shares, guint n, guint8 kcv[CL_DKEK_KCV_LEN]);

G_END_DECLS
