/* scp-test-util.h: helpers shared by the SCP tests: key sets from vector sections, the plain commands that
 * pysim's vectors name in comments, and a loopback transport that runs a card-side secure channel. */
#pragma once

#include "apdu/cl-transport.h"
#include "cl-test-vectors.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

GBytes *scp_hex (const char *text);
/* Bytes a[off..off+len) of bytes (asserts the range). */
GBytes *scp_slice (GBytes *bytes, gsize off, gsize len);
ClKeySet *scp_key_set (ClTestVectors *v, const char *section, ClKeyType type, guint8 version);
/* "name = hex" pairs found in the comment lines of a vector file (pysim's plain commands), plus
 * "get_eid_plain_response" from "(card's plain response data: ...)". */
GHashTable *scp_comment_values (const char *file);

/* Card callback of the loopback transport: gets the raw command, returns the raw response (data || SW). */
typedef GBytes *(*ScpCardFunc) (GBytes *command, gpointer user_data);
ClTransport *scp_loopback_transport_new (ScpCardFunc func, gpointer user_data);

G_END_DECLS
