/* cl-demo-pki.h: the demo key material of the rig, put into a PKCS#11 token: the KST and KMC key sets from a
 * DEMO key file (data/demo/demo-keys.ini), and a demo PKI (SRCA root, DICA device issuer) generated in the
 * token with their CVCs written to a directory. Idempotent: what exists is kept and reported as kept. */
#pragma once

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

#define CL_DEMO_SRCA_LABEL "SRCA"
#define CL_DEMO_DICA_LABEL "DICA"
#define CL_DEMO_SRCA_CHR   "CLSRCA00001"
#define CL_DEMO_DICA_CHR   "CLDICA00001"

/* Reports one line per object ("KST/30 imported", "SRCA kept"); called on the caller's thread. */
typedef void (*ClDemoReportFunc) (const char *line, gpointer user_data);

/* keys_file: the DEMO key file; pki_dir gets srca.cvc and dica.cvc. */
gboolean cl_demo_pki_setup (ClP11Token *token, const char *keys_file, const char *pki_dir, ClDemoReportFunc report,
                            gpointer user_data, GError **error);

G_END_DECLS
