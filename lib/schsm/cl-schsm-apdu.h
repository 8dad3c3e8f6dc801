/* cl-schsm-apdu.h: SmartCard-HSM command APDUs, as OpenSC's card-sc-hsm driver and pico-hsm speak them.
 * Pure builders: nothing here talks to a card. Commands carrying PINs or key shares are marked
 * CL_APDU_FLAG_SENSITIVE and their data buffers are wiped when freed. */
#pragma once

#include <glib.h>

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

/* E8 2B 06 01 04 01 81 C3 1F 02 01 */
extern const guint8 cl_schsm_aid[11];

#define CL_SCHSM_PIN_USER   0x81   /* user PIN reference */
#define CL_SCHSM_PIN_SO     0x88   /* SO-PIN (initialisation code) reference */
#define CL_SCHSM_FID_DEVAUT 0x2F02 /* EF.C_DevAut: device CVC || DICA CVC */
#define CL_SCHSM_DEVICE_KEY 0x00   /* key id of the device authentication key */
#define CL_SCHSM_SO_PIN_LEN 8

typedef struct
{
  guint16 options;        /* tag 80, two bytes; 0x0001 = RESET RETRY COUNTER with SO-PIN allowed */
  const guint8 *user_pin; /* tag 81 */
  gsize user_pin_len;     /* 6..16 */
  const guint8 *so_pin;   /* tag 82 */
  gsize so_pin_len;       /* exactly 8 */
  guint8 retry_counter;   /* tag 91, 1..10 */
  gint dkek_shares;       /* tag 92; < 0: omitted (no DKEK) */
} ClSchsmInitParams;

/* 00 A4 04 04 0B AID 00: SELECT by AID returning the FCP. */
ClApdu *cl_schsm_apdu_select (void);
/* 80 50 00 00 {80 options, 81 PIN, 82 SO-PIN, 91 retries, [92 shares]}; CL_ERROR_INVALID_ARGUMENT names a bad field. */
ClApdu *cl_schsm_apdu_initialize (const ClSchsmInitParams *params, GError **error);
/* 00 20 00 ref PIN; pin NULL: the status query without data. */
ClApdu *cl_schsm_apdu_verify (guint8 ref, const guint8 *pin, gsize len);
/* 00 24 00 ref old||new. */
ClApdu *cl_schsm_apdu_change_reference_data (guint8 ref, const guint8 *old_pin, gsize old_len, const guint8 *new_pin,
                                             gsize new_len);
/* 00 2C 00 81 SO-PIN||new PIN, or 00 2C 01 81 SO-PIN (reset the counter only) when new_pin is NULL. */
ClApdu *cl_schsm_apdu_reset_retry_counter (const guint8 *so_pin, gsize so_len, const guint8 *new_pin, gsize new_len);
/* 00 46 key_id sign_key_id data Le=65536: data = CVC body contents (see cl_cvc_body_encode_contents). */
ClApdu *cl_schsm_apdu_generate_key (guint8 key_id, guint8 sign_key_id, GBytes *data);
/* 00 B1 FID 04 54 02 offset Le=ne: odd-INS READ BINARY of the file fid from offset. */
ClApdu *cl_schsm_apdu_read_binary (guint16 fid, guint16 offset, guint32 ne);
/* 00 D7 FID {54 02 offset, 53 len data}: odd-INS UPDATE BINARY. */
ClApdu *cl_schsm_apdu_update_binary (guint16 fid, guint16 offset, const guint8 *data, gsize len);
/* 80 58 00 00 Le=65536: list the files (FID pairs). */
ClApdu *cl_schsm_apdu_list_files (void);
/* 80 52 00 00 20 share Le=256; share NULL: the status query without data. */
ClApdu *cl_schsm_apdu_import_dkek_share (const guint8 *share);
/* 00 E4 02 00 02 FID. */
ClApdu *cl_schsm_apdu_delete_file (guint16 fid);

G_END_DECLS
