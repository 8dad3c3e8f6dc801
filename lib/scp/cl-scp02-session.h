/* cl-scp02-session.h: the SCP02 ("i" 15/55: three keys, C-MAC on the modified APDU, ICV encryption) computations
 * shared by the host (ClScp02) and the card side (ClScp02Card). Levels 01 (C-MAC) and 03 (C-MAC + C-DEC). */
#pragma once

#include "apdu/cl-apdu.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

#define CL_SCP02_DERIVE_C_MAC 0x0101
#define CL_SCP02_DERIVE_R_MAC 0x0102
#define CL_SCP02_DERIVE_S_ENC 0x0182
#define CL_SCP02_DERIVE_S_DEK 0x0181

typedef struct
{
  guint8 s_enc[16];
  guint8 c_mac[16];
  guint8 r_mac[16];
  guint8 s_dek[16];
  guint8 icv[8];    /* the previous C-MAC */
  gboolean icv_set; /* FALSE until the first C-MAC (EXTERNAL AUTHENTICATE uses a zero ICV) */
  guint8 level;
  guint8 host_challenge[8];
  guint8 seq[2];
  guint8 card_challenge[6];
} ClScp02Session;

/* 3DES-CBC(static key of role, IV 0, constant || seq || 00*12), through the key set. */
gboolean cl_scp02_derive_session_key (ClKeySet *keys, ClKeyRole role, guint16 constant, const guint8 seq[2],
                                      guint8 out[16], GError **error);
gboolean cl_scp02_session_derive (ClScp02Session *session, ClKeySet *keys, const guint8 host_challenge[8],
                                  const guint8 seq[2], const guint8 card_challenge[6], GError **error);
/* card TRUE: the card cryptogram (host || seq || card challenge), FALSE: the host cryptogram. */
gboolean cl_scp02_session_cryptogram (ClScp02Session *session, gboolean card, guint8 out[8], GError **error);
void cl_scp02_session_clear (ClScp02Session *session);

ClApdu *cl_scp02_session_wrap_command (ClScp02Session *session, const ClApdu *plain, gboolean force_mac,
                                       GError **error);
ClApdu *cl_scp02_session_unwrap_command (ClScp02Session *session, const ClApdu *wrapped, gboolean force_mac,
                                         GError **error);
gsize cl_scp02_max_plain_data (guint8 level);
/* The same within max_wire_data bytes of wrapped data; SCP02's C-MAC covers short APDUs only, so never above 255. */
gsize cl_scp02_max_plain_data_within (guint8 level, gsize max_wire_data);

G_END_DECLS
