/* cl-remote-headless.h: `cardline --headless --remote URL --srca FILE [--printer ADDR --printer-reader NAME]`: a
 * station producing remotely (DESIGN §8) without a window (cl-remote-parts.h has its parts): its events one line
 * each, then a summary line. */
#pragma once

#include <glib.h>

#include "cl-remote-parts.h"

G_BEGIN_DECLS

/* The process exit status: 0 when the run ended normally (whatever the yield), 1 when it could not start, 2 for bad
 * options. */
int cl_remote_headless_run (const ClRemoteOptions *options);

G_END_DECLS
