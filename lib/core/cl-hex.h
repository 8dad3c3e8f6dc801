/* cl-hex.h: hex text <-> bytes, for vectors, traces and data files. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses hex, ignoring spaces; case-insensitive. Fails with CL_ERROR_MALFORMED naming the offset. */
GBytes *cl_hex_decode (const char *text, GError **error);
/* Upper-case hex without separators. */
char *cl_hex_encode (const guint8 *data, gsize len);
char *cl_hex_encode_bytes (GBytes *bytes);

/* Compares in constant time (for MACs and cryptograms). */
gboolean cl_memeq_const (const void *a, const void *b, gsize len);
/* Wipes memory in a way the compiler keeps. */
void cl_wipe (void *data, gsize len);

G_END_DECLS
