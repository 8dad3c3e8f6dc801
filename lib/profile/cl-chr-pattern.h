/* cl-chr-pattern.h: the device certificate holder reference (CHR) pattern of a profile.
 *
 * A pattern is literal characters and placeholders, e.g. "DECL{batch}{seq:05}":
 *   A-Z 0-9       literal characters
 *   {batch}       the batch name (must itself be A-Z 0-9 when expanded)
 *   {seq:0N}      the card's sequence number in its batch, zero-padded to N digits (N 1..10; "{seq:N}" is
 *                 the same); a number that needs more than N digits is an error, never a silent wrap
 *   {chip:N}      the last N hex digits of the chip id (N 1..16)
 * Rules, checked when the pattern is parsed: it starts with two literal letters (the ISO 3166 country code of
 * BSI TR-03110), it holds a {seq} or a {chip} so that every card gets its own CHR, and its fixed part fits in
 * 16 characters; the expanded CHR must be 8..16 characters.
 * Note: OpenSC shows the CHR without its last 5 characters as the token serial number. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _ClChrPattern ClChrPattern;

#define CL_TYPE_CHR_PATTERN (cl_chr_pattern_get_type ())
GType cl_chr_pattern_get_type (void);
/* CL_ERROR_PROFILE naming the offending offset and what was expected. */
ClChrPattern *cl_chr_pattern_parse (const char *pattern, GError **error);
ClChrPattern *cl_chr_pattern_ref (ClChrPattern *self);
void cl_chr_pattern_unref (ClChrPattern *self);
const char *cl_chr_pattern_get_text (ClChrPattern *self);
/* chip_id may be NULL when the pattern has no {chip}. CL_ERROR_INVALID_ARGUMENT naming what did not fit. */
char *cl_chr_pattern_expand (ClChrPattern *self, const char *batch, guint64 seq, const char *chip_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClChrPattern, cl_chr_pattern_unref)

G_END_DECLS
