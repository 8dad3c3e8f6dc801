/* cl-schsm-card.h: SmartCard-HSM operations over a ClCardChannel. Each returns FALSE/NULL with a GError on
 * transport failures, malformed answers and unexpected status words (CL_ERROR_CARD_STATUS naming the command
 * and the SW). PIN commands instead report the PIN's state as a typed result. */
#pragma once

#include <gio/gio.h>

#include "apdu/cl-card-channel.h"
#include "cvc/cl-cvc-body.h"
#include "cvc/cl-cvc-request.h"
#include "schsm/cl-schsm-apdu.h"
#include "schsm/cl-schsm-response.h"

G_BEGIN_DECLS

gboolean cl_schsm_select (ClCardChannel *channel, guint8 *major, guint8 *minor, GCancellable *cancellable,
                          GError **error);
gboolean cl_schsm_initialize (ClCardChannel *channel, const ClSchsmInitParams *params, GCancellable *cancellable,
                              GError **error);
/* VERIFY with pin, or the status query when pin is NULL. A wrong PIN is TRUE with status NOT_VERIFIED. */
gboolean cl_schsm_verify_pin (ClCardChannel *channel, guint8 ref, const guint8 *pin, gsize len,
                              ClSchsmPinStatus *status, GCancellable *cancellable, GError **error);
gboolean cl_schsm_change_pin (ClCardChannel *channel, guint8 ref, const guint8 *old_pin, gsize old_len,
                              const guint8 *new_pin, gsize new_len, ClSchsmPinStatus *status, GCancellable *cancellable,
                              GError **error);
/* status describes the SO-PIN check (63Cx: wrong SO-PIN). */
gboolean cl_schsm_reset_retry_counter (ClCardChannel *channel, const guint8 *so_pin, gsize so_len,
                                       const guint8 *new_pin, gsize new_len, ClSchsmPinStatus *status,
                                       GCancellable *cancellable, GError **error);
/* Generates key pair key_id (signed for the request by sign_key_id, 0 = self) from the body's fields. */
ClCvcRequest *cl_schsm_generate_key (ClCardChannel *channel, guint8 key_id, guint8 sign_key_id, const ClCvcBody *body,
                                     GCancellable *cancellable, GError **error);
/* The whole file, reading from offset 0 until the card returns less than asked for or reports the end. */
GBytes *cl_schsm_read_file (ClCardChannel *channel, guint16 fid, GCancellable *cancellable, GError **error);
/* Writes data from offset 0 in chunks that fit one APDU. */
gboolean cl_schsm_write_file (ClCardChannel *channel, guint16 fid, GBytes *data, GCancellable *cancellable,
                              GError **error);
GArray *cl_schsm_list_files (ClCardChannel *channel, GCancellable *cancellable, GError **error);
/* share NULL: only query the status. */
gboolean cl_schsm_import_dkek_share (ClCardChannel *channel, const guint8 *share, ClSchsmDkekStatus *status,
                                     GCancellable *cancellable, GError **error);
gboolean cl_schsm_delete_file (ClCardChannel *channel, guint16 fid, GCancellable *cancellable, GError **error);

G_END_DECLS
