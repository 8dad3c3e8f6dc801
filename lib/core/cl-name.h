/* cl-name.h: names that people and devices give (batch, user, station, reader, printer, actor) are data, never
 * markup. One check on input, one escape on output, used everywhere a name enters or leaves the station: a name
 * that passed the check cannot start a new line in a log, move a terminal's cursor or forge a row of a listing, and
 * one that did not (an old store, a reader name from a driver) is escaped where it is printed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In characters (a name is at most 4 bytes per character more). */
#define CL_NAME_MAX_LENGTH 128

/* 1..CL_NAME_MAX_LENGTH characters of valid UTF-8, each printable: no control character (C0, DEL, C1), no format
 * character (bidirectional overrides, zero-width joiners), no line or paragraph separator, nothing unassigned.
 * CL_ERROR_INVALID_ARGUMENT naming what and where the first offending character is. */
gboolean cl_name_check (const char *what, const char *value, GError **error);

/* text with every byte a line or terminal would act on written out: backslash as \\, \n \r \t, ESC as \e, any other
 * control character, format character or separator as \u{XXXX}, bytes of invalid UTF-8 as \xNN. Text without any
 * of them comes back unchanged. NULL gives NULL. */
char *cl_text_escape (const char *text);

G_END_DECLS
