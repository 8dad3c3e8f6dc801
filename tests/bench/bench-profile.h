/* bench-profile.h: the shipped SmartCard-HSM profile with another applet or card, for the benches that compare
 * applet sizes (issue 14: the 256-byte stand-in CAP against one the size of a real PKI applet). */
#pragma once

#include "production/cl-production-setup.h"

G_BEGIN_DECLS

/* The large stand-in CAP (a Load File Data Block of about 24 KB), absolute, under CARDLINE_SOURCE_DIR. */
char *bench_profile_large_cap (void);
/* A setup from the shipped profile with cap-file = cap (absolute) and, when max_command is not 0, the card's
 * max-command-length; the variant profile is written into dir. Aborts the bench on an error. */
ClProductionSetup *bench_profile_variant (ClP11Token *token, ClStore *store, const char *dir, const char *cap,
                                          guint max_command);

G_END_DECLS
