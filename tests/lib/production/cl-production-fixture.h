/* cl-production-fixture: the set-up the production tests share. They run under tests/rig/rig-run --parts hsm and
 * drive ClCardSequence in-process against cardline-vcard's dispatcher, so each needs the rig's SoftHSM2 token with
 * the DEMO keys and PKI, virtual cards manufactured with the DEMO KST, and a setup and store to produce into. */
#pragma once

#include <glib.h>

#include "cl-vcard-manufacture.h"
#include "apdu/cl-transport.h"
#include "p11/cl-p11-token.h"
#include "production/cl-card-sequence.h"
#include "production/cl-production-env.h"

G_BEGIN_DECLS

typedef struct
{
  ClP11Token *token;   /* the rig's token, holding the DEMO keys and the DEMO PKI's DICA */
  char *work_dir;      /* a fresh temporary directory for this process's files */
  char *data_dir;      /* $CARDLINE_SOURCE_DIR/data */
  char *keys_path;     /* data_dir/demo/demo-keys.ini */
  char *pki_dir;       /* work_dir/pki: the DEMO PKI's files */
  guint32 serial_base; /* random per run, so that runs against the same token never reuse a chip serial */
  guint card_index;    /* of the next card manufactured */
} ClProductionFixture;

ClProductionFixture *cl_production_fixture_new (const char *tmp_template, gboolean export_pki_dir);
void cl_production_fixture_free (ClProductionFixture *fixture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClProductionFixture, cl_production_fixture_free)

GBytes *cl_production_fixture_demo_key (const char *group, const char *role);
ClVcardImage *cl_production_fixture_new_card (ClProductionFixture *fixture);
ClVcardImage *cl_production_fixture_new_card_with (ClProductionFixture *fixture, ClKeyType kst_type,
                                                   const char *kst_group, guint8 scp, guint8 i);
ClTransport *cl_production_fixture_insert (ClVcardImage *image);
/* What a filter transport does with one command: usually pass it to inner, then change what comes back. */
typedef GBytes *(*ClProductionFixtureTransmitFunc) (ClTransport *inner, GBytes *command, GCancellable *cancellable,
                                                    GError **error, gpointer user_data);
ClTransport *cl_production_fixture_filter_new (ClTransport *inner, ClProductionFixtureTransmitFunc transmit,
                                               gpointer user_data, GDestroyNotify notify);

/* A fresh insertion of image whose every command (a copy) is appended to trace, a GPtrArray of GBytes. */
ClTransport *cl_production_fixture_insert_traced (ClVcardImage *image, GPtrArray *trace);
/* Fails the test naming the reason, step, SW and detail unless the sequence's card is GOOD. */
void cl_production_fixture_assert_good (ClCardSequence *sequence);

ClStore *cl_production_fixture_open_store (ClProductionFixture *fixture, const char *name);
ClProductionSetup *cl_production_fixture_setup_new (ClProductionFixture *fixture, ClProfile *profile, ClStore *store);
ClProductionSetup *cl_production_fixture_setup_for (ClProductionFixture *fixture, const char *profile_name,
                                                    ClStore *store);
ClCardSequence *cl_production_fixture_run (ClProductionSetup *setup, gint64 batch, const char *station,
                                           const char *reader, ClAttemptKind kind, ClTransport *transport);

G_END_DECLS
