/* cl-vcard-sm.h: the card end of a GlobalPlatform secure channel as the virtual card's ISD holds it.
 * A thin adapter over the card side of lib/scp (SCP03 and SCP02), so the dispatcher does not care which. */
#pragma once

#include <glib.h>

#include "apdu/cl-apdu.h"
#include "cl-vcard-image.h"

G_BEGIN_DECLS

typedef struct _ClVcardSm ClVcardSm;

/* GP security levels (bits of P1 of EXTERNAL AUTHENTICATE) */
#define CL_VCARD_SM_C_MAC 0x01
#define CL_VCARD_SM_C_DEC 0x02
#define CL_VCARD_SM_R_MAC 0x10
#define CL_VCARD_SM_R_ENC 0x20

/* Answers INITIALIZE UPDATE with keys (the sequence counter in keys advances where the protocol says so).
 * wrong_keys makes the card use keys that differ from the image's (the wrong_kst defect). */
ClVcardSm *cl_vcard_sm_begin (ClVcardKeys *keys, GBytes *kdd, GBytes *sd_aid, const ClApdu *initialize_update,
                              gboolean wrong_keys, const guint8 *fixed_challenge, ClResponse **response,
                              GError **error);
/* Verifies EXTERNAL AUTHENTICATE (host cryptogram and C-MAC); on success the channel is open. */
gboolean cl_vcard_sm_authenticate (ClVcardSm *sm, const ClApdu *external_authenticate, GError **error);
gboolean cl_vcard_sm_is_open (ClVcardSm *sm);
guint8 cl_vcard_sm_get_level (ClVcardSm *sm);
guint8 cl_vcard_sm_get_key_version (ClVcardSm *sm);
ClKeyType cl_vcard_sm_get_key_type (ClVcardSm *sm);
/* Checks the C-MAC and decrypts a command with CLA 84; any failure ends the channel. */
ClApdu *cl_vcard_sm_unwrap (ClVcardSm *sm, const ClApdu *command, GError **error);
/* Adds R-MAC / R-ENC as the security level asks (a copy of response otherwise). */
ClResponse *cl_vcard_sm_wrap (ClVcardSm *sm, const ClResponse *response, GError **error);
/* Decrypts one key of PUT KEY key data (SCP03: static DEK AES-CBC IV 0; SCP02: session DEK 3DES-ECB). */
GBytes *cl_vcard_sm_decrypt_key (ClVcardSm *sm, const guint8 *data, gsize len, GError **error);
void cl_vcard_sm_free (ClVcardSm *sm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClVcardSm, cl_vcard_sm_free)

G_END_DECLS
