/* cl-profile-custody.h: the key-custody options of a profile that go beyond one key set per card:
 *
 *   [keys]        kmc-accepted-versions  older KMC versions whose card keys cards may still hold (key changeover,
 *                 the TKS/TPS behaviour): ';'-separated entries "VV" or "VV:KK" (hex), VV the KMC version in the
 *                 token, KK the key version those card keys carry on the card (default VV). A card found with KK
 *                 is opened with keys diversified from KMC VV and re-keyed to the current kmc-version /
 *                 card-key-version. VV must differ from kmc-version, KK from card-key-version and kst-version,
 *                 and no VV or KK may repeat.
 *   [initialize]  dkek-share-files       ';'-separated DKEK share files (sc-hsm-tool format) imported into every
 *                 card during INIT_APPLET; their number must equal dkek-shares.
 *                 dkek-password-files    the files (owner-only, 0600) holding each share's password: one for all
 *                 shares, or one per share in the same order. Needed with dkek-share-files.
 *                 pin-export-key         PEM public key (RSA or EC) of the batch's customer: each card's random
 *                 SO-PIN, and its random user PIN, are kept in the store only encrypted to it (see
 *                 production/cl-pin-escrow.h). Absent: random PINs are never kept.
 * Relative paths are taken from the profile's directory. */
#pragma once

#include "profile/cl-profile-reader.h"
#include "profile/cl-profile.h"

G_BEGIN_DECLS

typedef struct
{
  guint8 kmc_version;
  guint8 card_key_version;
} ClProfileKmcVersion;

typedef struct
{
  GArray *accepted_kmc;           /* ClProfileKmcVersion; may be empty */
  GPtrArray *dkek_share_files;    /* char *, resolved; empty: no DKEK import */
  GPtrArray *dkek_password_files; /* char *, resolved; 1 or as many as share files */
  char *pin_export_key;           /* resolved; NULL: random PINs are not kept */
} ClProfileCustody;

/* keys and init are the already loaded [keys] and [initialize]. */
gboolean cl_profile_custody_load (ClProfileCustody *custody, ClProfileReader *r, const char *base_dir,
                                  const ClProfileKeys *keys, const ClProfileInit *init, GError **error);
void cl_profile_custody_clear (ClProfileCustody *custody);

const ClProfileCustody *cl_profile_get_custody (ClProfile *self);
/* The accepted older KMC version whose card keys carry card_key_version on the card; NULL if none. */
const ClProfileKmcVersion *cl_profile_custody_find_accepted (const ClProfileCustody *custody, guint8 card_key_version);

G_END_DECLS
