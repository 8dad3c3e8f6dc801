/* cl-gp-card.h: the card manager commands sent over a ClCardChannel. Each helper builds its command
 * with the pure builders of lib/gp, sends it and parses the answer; status words other than 9000 are
 * CL_ERROR_CARD_STATUS naming the command (CL_ERROR_NOT_FOUND where the card says "not found"). */
#pragma once

#include "apdu/cl-card-channel.h"
#include "gp/cl-cplc.h"
#include "gp/cl-gp-data.h"
#include "gp/cl-gp-install.h"
#include "gp/cl-gp-put-key.h"
#include "gp/cl-gp-select.h"
#include "gp/cl-gp-status.h"

G_BEGIN_DECLS

/* Drops the channel's secure messaging first: selecting ends any session on the card. */
gboolean cl_gp_select (ClCardChannel *channel, const guint8 *aid, gsize aid_len, ClGpFci *fci,
                       GCancellable *cancellable, GError **error);
/* Tries cl_gp_isd_aids in order while the card answers 6A82 (not found). */
gboolean cl_gp_select_isd (ClCardChannel *channel, ClGpFci *fci, GCancellable *cancellable, GError **error);
gboolean cl_gp_get_cplc (ClCardChannel *channel, ClCplc *cplc, GCancellable *cancellable, GError **error);
gboolean cl_gp_get_kdd (ClCardChannel *channel, guint8 kdd[CL_GP_KDD_LEN], GCancellable *cancellable, GError **error);
GArray *cl_gp_get_key_info (ClCardChannel *channel, GCancellable *cancellable, GError **error);
/* All entries of kind, following 6310 ("more data") with P2 03; 6A88 (nothing of that kind) is an
 * empty list. A card that pages forever is cut off after a bound and reported. */
GPtrArray *cl_gp_get_status (ClCardChannel *channel, ClGpStatusKind kind, GCancellable *cancellable, GError **error);
/* Sends PUT KEY and compares the card's key version and check values. */
gboolean cl_gp_put_key (ClCardChannel *channel, ClKeySet *new_keys, guint8 old_kvn, const ClGpKeyWrap *wrap,
                        GCancellable *cancellable, GError **error);
/* LOAD of lfdb (the C4 TLV) in blocks that fit one short APDU after secure messaging. */
gboolean cl_gp_load (ClCardChannel *channel, GBytes *lfdb, GCancellable *cancellable, GError **error);
/* The same in blocks of block bytes (cl_gp_load_block). */
gboolean cl_gp_load_in_blocks (ClCardChannel *channel, GBytes *lfdb, gsize block, GCancellable *cancellable,
                               GError **error);
/* Sends a prepared INSTALL (or any command expecting 9000); what names it in errors. */
gboolean cl_gp_send (ClCardChannel *channel, const ClApdu *apdu, const char *what, GCancellable *cancellable,
                     GError **error);
/* DELETE; 6A88 (no such AID) is CL_ERROR_NOT_FOUND. */
gboolean cl_gp_delete (ClCardChannel *channel, const guint8 *aid, gsize aid_len, gboolean related,
                       GCancellable *cancellable, GError **error);

/* The largest plain LOAD/STORE DATA block the channel's secure messaging leaves room for. */
gsize cl_gp_max_block (ClCardChannel *channel);
/* The largest plain LOAD block for a card whose longest command APDU (header, Lc, data, Le) is max_command bytes:
 * beyond CL_GP_MAX_SHORT_COMMAND, and when the channel's transport carries extended length, one extended APDU with
 * its 7-byte header and 2-byte Le; otherwise the largest short block (cl_gp_max_block). Secure messaging's padding
 * and MAC are counted. */
#define CL_GP_MAX_SHORT_COMMAND 261
gsize cl_gp_load_block (ClCardChannel *channel, gsize max_command);

G_END_DECLS
