/* cl-vcard-private.h: what the dispatcher's parts (ISD, SmartCard-HSM applet) share of a session. */
#pragma once

#include "apdu/cl-apdu.h"
#include "cl-vcard-session.h"
#include "cl-vcard-sm.h"

G_BEGIN_DECLS

/* ISO/GP status words the dispatcher answers */
#define SW_OK                 0x9000
#define SW_MORE_DATA          0x6310
#define SW_AUTH_FAILED        0x6300
#define SW_WRONG_LENGTH       0x6700
#define SW_LC_NOT_SUPPORTED   0x6881
#define SW_SECURITY           0x6982
#define SW_AUTH_BLOCKED       0x6983
#define SW_DATA_INVALID       0x6984
#define SW_CONDITIONS         0x6985
#define SW_WRONG_DATA         0x6A80
#define SW_FUNC_NOT_SUPPORTED 0x6A81
#define SW_FILE_NOT_FOUND     0x6A82
#define SW_NOT_ENOUGH_MEMORY  0x6A84
#define SW_WRONG_P1P2         0x6A86
#define SW_REF_NOT_FOUND      0x6A88
#define SW_INS_NOT_SUPPORTED  0x6D00
#define SW_CLA_NOT_SUPPORTED  0x6E00
#define SW_UNKNOWN            0x6F00

typedef enum
{
  CL_VCARD_SELECTED_NONE,
  CL_VCARD_SELECTED_ISD,
  CL_VCARD_SELECTED_SCHSM,
  CL_VCARD_SELECTED_INERT,
} ClVcardSelected;

typedef struct _ClVcardSchsm ClVcardSchsm;

struct _ClVcardSession
{
  GObject parent_instance;

  ClVcardImage *image;
  ClVcardSelected selected;
  ClVcardSm *sm; /* NULL until INITIALIZE UPDATE */

  /* LOAD in progress (after INSTALL [for load]) */
  GBytes *load_aid;
  GByteArray *load_data;
  guint next_block;

  /* GET STATUS paging: what was asked and how many entries went out already */
  guint8 status_p1;
  guint status_sent;

  ClVcardSchsm *schsm;
  gboolean fixed_challenge;
  guint8 next_challenge[8];
  guint apdu_count;
  gsize last_write;
  GRand *rand;
  GError *commit_error;
  gboolean strict;
};

ClResponse *cl_vcard_sw (guint16 sw);
ClResponse *cl_vcard_ok (const guint8 *data, gsize len);
ClResponse *cl_vcard_ok_array (GByteArray *data);
void cl_vcard_random (ClVcardSession *self, guint8 *out, gsize len);
/* Persists the image after a state change of n bytes (the timing model charges EEPROM writes). */
void cl_vcard_commit (ClVcardSession *self, gsize n);

/* cl-vcard-strict.c: what a strict card (cl_vcard_session_set_strict) refuses of GP Amendment D; each returns
 * 0 when the command may go on, else the status word to answer. */
guint16 cl_vcard_strict_check_unsecured (ClVcardSession *self, const ClApdu *apdu);
guint16 cl_vcard_strict_check_level (ClVcardSession *self, guint8 level);
guint16 cl_vcard_strict_check_key_component (ClVcardSession *self, gboolean has_inner_length, guint8 kcv_len);
/* SCP03 answers an error status word bare, without R-MAC (Amendment D §6.2.5); warnings 62xx/63xx are not errors. */
gboolean cl_vcard_is_error_sw (guint16 sw);

/* cl-vcard-isd.c: the GlobalPlatform card manager. secured = the command came through the secure channel. */
ClResponse *cl_vcard_isd_process (ClVcardSession *self, const ClApdu *apdu, gboolean secured);
ClResponse *cl_vcard_isd_select_response (ClVcardSession *self);
gboolean cl_vcard_isd_is_own_aid (ClVcardSession *self, const guint8 *aid, gsize len);

/* cl-vcard-lfdb.c: validates a complete Load File Data Block; modules receives the applet AIDs. */
gboolean cl_vcard_lfdb_validate (const guint8 *data, gsize len, GBytes **package_aid, GPtrArray *modules,
                                 GError **error);

/* cl-vcard-schsm.c: the SmartCard-HSM applet emulation. */
gboolean cl_vcard_schsm_is_package (const guint8 *aid, gsize len);
ClVcardSchsm *cl_vcard_schsm_new (ClVcardSession *session);
void cl_vcard_schsm_free (ClVcardSchsm *schsm);
ClResponse *cl_vcard_schsm_select (ClVcardSchsm *schsm);
ClResponse *cl_vcard_schsm_process (ClVcardSchsm *schsm, const ClApdu *apdu);
/* The applet instance went away (DELETE): its persistent state goes too. */
void cl_vcard_schsm_erase (ClVcardImage *image);

G_END_DECLS
