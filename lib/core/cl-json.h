/* cl-json.h: JSON written by hand (json-glib is not a dependency): the one string escaper every writer shares. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A JSON string of any bytes: made valid UTF-8 first, then quotes, backslashes and control characters escaped
 * (U+2028 and U+2029 too, which JavaScript readers of JSON Lines took for line ends). */
void cl_json_append_string (GString *out, const char *text);

G_END_DECLS
