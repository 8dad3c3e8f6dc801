/* cl-profile.h: a production profile (DESIGN §2 "Profiles"), loaded from a GLib key file and validated
 * field by field. Every error is CL_ERROR_PROFILE "FILE:GROUP:KEY: expected …, got “…”" (secret values are
 * never echoed). Unknown groups and keys are errors, so a typo cannot silently fall back to a default.
 *
 * Groups and keys (hex is case-insensitive, without spaces; see data/profiles/smartcard-hsm.profile):
 *   [profile]        name (a-z 0-9 -), description, card-timeout (seconds, 1..600, default 30), demo (bool,
 *                    default false: a demo profile, the only kind that may carry fixed PINs)
 *   [card]           atr, atr-mask (hex, equal length, 2..33 bytes, no atr bit outside the mask), isd-aid,
 *                    max-command-length (the longest command APDU the card takes, header to Le, 261..65544,
 *                    default 261: short APDUs only; beyond 261 LOAD goes in extended-length blocks that fill it)
 *   [secure-channel] scp (02|03), level (hex byte: SCP03 01|03|11|13|33, default 33; SCP02 01|03, default 03),
 *                    i (hex byte, default 70 for SCP03, 55 for SCP02)
 *   [keys]           kst-label, kst-version (hex 01..7F), kst-type (aes|des3, must suit the SCP), kmc-label,
 *                    kmc-version, card-key-version (hex 01..7F, not the KST's), diversification
 *                    (none|emv|visa2|kdf3|aes-ecb, must suit the key type), host-derivation (bool, default
 *                    false; kdf3 needs it), put-key-inner-length (bool, default true: PUT KEY key data as
 *                    88 11 10 <key>, false: 88 10 <key>, for cards that omit the inner length),
 *                    kmc-accepted-versions (older KMC versions for key changeover: see cl-profile-custody.h)
 *   [configure]      (optional) store-data (hex BER-TLV blocks separated by ';', each 1..255 bytes), life-cycle
 *                    (hex byte 01..FF: the card life cycle to reach with SET STATUS, e.g. 0F SECURED)
 *   [applet]         cap-file (path relative to the profile's directory, else to the data directory),
 *                    package-aid, applet-aid, instance-aid (hex, 5..16 bytes), privileges (hex, 1 or 3 bytes,
 *                    default 00), install-params (hex, 0..127 bytes, default none), delete-before-load (bool)
 *   [initialize]     ship (uninitialised|initialised, required; DESIGN §2 step 8): uninitialised ships the card as
 *                    SmartCard-HSMs usually are (the customer sets the SO-PIN with sc-hsm-tool --initialize) and
 *                    then no other key of the group is allowed; initialised runs INITIALIZE DEVICE with:
 *                    options (hex, 2 bytes, default 0001), pin-source (random|fixed), pin-length (6..16),
 *                    pin (fixed only: pin-length printable ASCII characters), so-pin-source (random|fixed),
 *                    so-pin (fixed only: 16 hex digits), retry-counter (1..10, default 3), dkek-shares (0..16;
 *                    absent: no DKEK). random: generated per card from the token's random generator and never
 *                    kept unless sealed to the customer (pin-export-key); fixed: only in a demo profile ([profile]
 *                    demo=true). dkek-share-files, dkek-password-files, pin-export-key: see cl-profile-custody.h
 *   [certificate]    holder-reference (see cl-chr-pattern.h), dica-key-label, dica-cvc, srca-cvc (paths;
 *                    relative ones are looked up next to the profile, then in the station's PKI directory, then
 *                    in the data directory), validity-days (1..36500, default 3650)
 *   [face]           template (path; the group is optional: no face printing without it)
 *   [data]           (optional) on-reject (retry|fail, default retry): what a rejected card's data row becomes
 *                    (store/cl-store-rows.h): PENDING again for the next blank card, or FAILED with the reason;
 *                    max-attempts (1..1000, default none): under retry, the row goes FAILED with the reason once
 *                    that many of its cards were rejected (absent: it goes back to PENDING however often)
 *   [data], [data column NAME]  (optional) how a customer's data file feeds the cards: see data/cl-data-mapping.h */
#pragma once

#include <glib-object.h>

#include "core/cl-key-set.h"
#include "data/cl-data-mapping.h"
#include "profile/cl-chr-pattern.h"

G_BEGIN_DECLS

typedef enum
{
  CL_SECRET_RANDOM, /* generated per card by the station */
  CL_SECRET_FIXED,  /* the value in the profile: demo and test profiles only */
} ClSecretSource;

typedef enum
{
  CL_SHIP_UNINITIALISED, /* the customer runs INITIALIZE DEVICE */
  CL_SHIP_INITIALISED,   /* the station does, and the PINs go to the customer through the PIN export */
} ClShipState;

typedef struct
{
  GBytes *atr;
  GBytes *atr_mask;
  GBytes *isd_aid;
  guint max_command_length; /* bytes, CL_PROFILE_SHORT_COMMAND: short APDUs only */
} ClProfileCard;

#define CL_PROFILE_SHORT_COMMAND    261   /* CLA INS P1 P2 Lc, 255 data bytes, Le */
#define CL_PROFILE_EXTENDED_COMMAND 65544 /* CLA INS P1 P2 00 Lc Lc, 65535 data bytes, Le Le */

typedef struct
{
  guint8 scp; /* 0x02 or 0x03 */
  guint8 level;
  guint8 i;
} ClProfileScp;

typedef struct
{
  char *kst_label;
  guint8 kst_version;
  ClKeyType kst_type;
  char *kmc_label;
  guint8 kmc_version;
  guint8 card_key_version;
  ClDiversification diversification;
  gboolean host_derivation;
  gboolean put_key_inner_length;
} ClProfileKeys;

typedef struct
{
  GPtrArray *store_data; /* GBytes: STORE DATA blocks, may be empty */
  gint life_cycle;       /* -1: leave the card life cycle as it is */
} ClProfileConfigure;

typedef struct
{
  char *cap_file; /* resolved path */
  GBytes *package_aid;
  GBytes *applet_aid;
  GBytes *instance_aid;
  GBytes *privileges;
  GBytes *install_params;
  gboolean delete_before_load;
} ClProfileApplet;

typedef struct
{
  ClShipState ship;
  guint16 options;
  ClSecretSource pin_source;
  guint pin_length;
  ClSecretSource so_pin_source;
  guint8 retry_counter;
  gint dkek_shares; /* -1: no DKEK */
} ClProfileInit;

typedef struct
{
  ClChrPattern *holder_reference;
  char *dica_key_label;
  char *dica_cvc; /* resolved path */
  char *srca_cvc; /* resolved path */
  guint validity_days;
} ClProfileCertify;

#define CL_TYPE_PROFILE (cl_profile_get_type ())
G_DECLARE_FINAL_TYPE (ClProfile, cl_profile, CL, PROFILE, GObject)

/* data_dir: where relative paths are looked up when they are not next to the profile; NULL: the parent of the
 * profile's directory (data/profiles/x.profile -> data/). Referenced files need not exist yet: see
 * cl_profile_check_files(). */
ClProfile *cl_profile_new_from_file (const char *path, const char *data_dir, GError **error);
/* name: what errors call the file. base_dir: where relative paths start (NULL: the current directory). */
ClProfile *cl_profile_new_from_data (const char *data, gsize len, const char *name, const char *base_dir,
                                     const char *data_dir, GError **error);
/* As cl_profile_new_from_file, with the station's PKI directory (where `cardline-admin demo-setup` writes
 * srca.cvc and dica.cvc) searched for relative certificate paths before the data directory; NULL: not searched. */
ClProfile *cl_profile_new_for_station (const char *path, const char *data_dir, const char *pki_dir, GError **error);

const char *cl_profile_get_name (ClProfile *self);
const char *cl_profile_get_description (ClProfile *self);
/* SHA-256 of the file's bytes, 64 upper-case hex digits: what a batch records. */
const char *cl_profile_get_hash (ClProfile *self);
guint cl_profile_get_card_timeout (ClProfile *self); /* seconds */
gboolean cl_profile_is_demo (ClProfile *self);
/* The path the profile was loaded from; NULL when loaded from data. */
const char *cl_profile_get_path (ClProfile *self);

const ClProfileCard *cl_profile_get_card (ClProfile *self);
const ClProfileScp *cl_profile_get_scp (ClProfile *self);
const ClProfileKeys *cl_profile_get_keys (ClProfile *self);
const ClProfileConfigure *cl_profile_get_configure (ClProfile *self);
const ClProfileApplet *cl_profile_get_applet (ClProfile *self);
const ClProfileInit *cl_profile_get_init (ClProfile *self);
const ClProfileCertify *cl_profile_get_certify (ClProfile *self);
/* NULL: no face printing. */
const char *cl_profile_get_face_template (ClProfile *self);
/* [data] on-reject=fail: a rejected card's data row fails instead of going back to PENDING. */
gboolean cl_profile_get_data_fails_on_reject (ClProfile *self);
/* [data] max-attempts; 0: no limit. */
guint cl_profile_get_data_max_attempts (ClProfile *self);
/* A data mapping (the profile's own, checked on load, or a mapping file at import) against what the profile does with
 * it: token-label only where the profile initialises the card (ship=initialised); face.NAME only where the profile
 * prints a face whose template has that field (cl_data_mapping_check_face). template_required: a face template that
 * cannot be read is an error (else it is left to cl_profile_check_files). CL_ERROR_PROFILE naming the mapping's file,
 * the target and the profile or template. */
gboolean cl_profile_check_data_mapping (ClProfile *self, ClDataMapping *mapping, gboolean template_required,
                                        GError **error);

/* The mapping of a customer's data file to the cards ([data] groups); NULL: the profile has none. */
ClDataMapping *cl_profile_get_data_mapping (ClProfile *self);

/* The fixed demo PIN / SO-PIN (NULL for random). Secrets: never log, store or show them. */
GBytes *cl_profile_get_fixed_pin (ClProfile *self);
GBytes *cl_profile_get_fixed_so_pin (ClProfile *self);

/* TRUE if (atr & mask) == (profile atr & mask) with equal lengths. */
gboolean cl_profile_atr_matches (ClProfile *self, const guint8 *atr, gsize len);
/* CL_ERROR_PROFILE naming the first referenced file (CAP, CVCs, face template) that is missing. */
gboolean cl_profile_check_files (ClProfile *self, GError **error);

G_END_DECLS
