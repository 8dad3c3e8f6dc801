/* cl-production-fixture: see cl-production-fixture.h. Failures assert: a fixture that cannot be set up is a broken
 * rig, not a finding of the test. */
#include "cl-production-fixture.h"

#include "cl-test-dir.h"
#include "cl-vcard-session.h"
#include "cl-vcard-transport.h"
#include "core/cl-hex.h"
#include "p11-test-token.h"
#include "production/cl-demo-pki.h"

/* The token opened and logged in, the DEMO keys and PKI set up in it (kept when already there); CARDLINE_PKI_DIR
 * points at the PKI when export_pki_dir, for the tests whose profiles find it through the environment. */
ClProductionFixture *
cl_production_fixture_new (const char *tmp_template, gboolean export_pki_dir)
{
  ClProductionFixture *fixture = g_new0 (ClProductionFixture, 1);
  g_autoptr (GError) error = NULL;

  fixture->work_dir = g_dir_make_tmp (tmp_template, &error);
  g_assert_no_error (error);
  fixture->pki_dir = g_build_filename (fixture->work_dir, "pki", NULL);
  fixture->data_dir = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", NULL);
  fixture->keys_path = g_build_filename (fixture->data_dir, "demo", "demo-keys.ini", NULL);
  fixture->serial_base = g_random_int () & 0x7FFF0000u;

  fixture->token = p11_test_token_open (TRUE);
  g_assert_true (cl_demo_pki_setup (fixture->token, fixture->keys_path, fixture->pki_dir, NULL, NULL, &error));
  g_assert_no_error (error);
  if (export_pki_dir)
    g_setenv ("CARDLINE_PKI_DIR", fixture->pki_dir, TRUE);
  return fixture;
}

void
cl_production_fixture_free (ClProductionFixture *fixture)
{
  if (fixture == NULL)
    return;
  g_clear_object (&fixture->token);
  cl_test_remove_tree (fixture->work_dir);
  g_free (fixture->work_dir);
  g_free (fixture->data_dir);
  g_free (fixture->keys_path);
  g_free (fixture->pki_dir);
  g_free (fixture);
}

/* A key of the DEMO key file, read from the source tree (not the token): the host's reference value. */
GBytes *
cl_production_fixture_demo_key (const char *group, const char *role)
{
  g_autofree char *path = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "demo", "demo-keys.ini", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *hex = NULL;

  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL));
  hex = g_key_file_get_string (file, group, role, NULL);
  g_assert_nonnull (hex);
  return cl_hex_decode (hex, NULL);
}

/* A blank card as `cardline-vcard manufacture` makes it, keyed with the DEMO kst_group at version 30; each call
 * makes a new chip (serial_base + card_index). */
ClVcardImage *
cl_production_fixture_new_card_with (ClProductionFixture *fixture, ClKeyType kst_type, const char *kst_group,
                                     guint8 scp, guint8 i)
{
  ClVcardManufactureSpec spec = { kst_type, 0x30 };
  g_autoptr (GError) error = NULL;
  ClVcardImage *image;

  spec.kst_enc = cl_production_fixture_demo_key (kst_group, "enc");
  spec.kst_mac = cl_production_fixture_demo_key (kst_group, "mac");
  spec.kst_dek = cl_production_fixture_demo_key (kst_group, "dek");
  spec.scp = scp;
  spec.i = i;
  image = cl_vcard_manufacture (&spec, fixture->serial_base, fixture->card_index++, &error);
  g_assert_no_error (error);
  g_bytes_unref (spec.kst_enc), g_bytes_unref (spec.kst_mac), g_bytes_unref (spec.kst_dek);
  return image;
}

/* The card of the reference profile smartcard-hsm.profile: AES KST, SCP03 i=70. */
ClVcardImage *
cl_production_fixture_new_card (ClProductionFixture *fixture)
{
  return cl_production_fixture_new_card_with (fixture, CL_KEY_TYPE_AES, "KST", 0x03, 0x70);
}

/* A fresh insertion of image: a new session, so the chip's RAM is gone and only what it committed remains. */
ClTransport *
cl_production_fixture_insert (ClVcardImage *image)
{
  g_autoptr (ClVcardSession) session = cl_vcard_session_new (image);

  return CL_TRANSPORT (cl_vcard_transport_new (session));
}

/* ---- a transport in front of another: the reader of a card that misbehaves in a chosen way ---- */

#define CL_TYPE_FIXTURE_FILTER (cl_fixture_filter_get_type ())
G_DECLARE_FINAL_TYPE (ClFixtureFilter, cl_fixture_filter, CL, FIXTURE_FILTER, GObject)

struct _ClFixtureFilter
{
  GObject parent_instance;
  ClTransport *inner;
  ClProductionFixtureTransmitFunc transmit;
  gpointer user_data;
  GDestroyNotify notify;
};

static void cl_fixture_filter_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (ClFixtureFilter, cl_fixture_filter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_fixture_filter_iface_init))

static GBytes *
cl_fixture_filter_transmit (ClTransport *t, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClFixtureFilter *self = CL_FIXTURE_FILTER (t);

  return self->transmit (self->inner, command, cancellable, error, self->user_data);
}

static GBytes *
cl_fixture_filter_get_atr (ClTransport *t)
{
  return cl_transport_get_atr (CL_FIXTURE_FILTER (t)->inner);
}

static gboolean
cl_fixture_filter_supports_extended (ClTransport *t)
{
  return cl_transport_supports_extended (CL_FIXTURE_FILTER (t)->inner);
}

static void
cl_fixture_filter_iface_init (ClTransportInterface *iface)
{
  iface->transmit = cl_fixture_filter_transmit;
  iface->get_atr = cl_fixture_filter_get_atr;
  iface->supports_extended = cl_fixture_filter_supports_extended;
}

static void
cl_fixture_filter_dispose (GObject *o)
{
  ClFixtureFilter *self = CL_FIXTURE_FILTER (o);

  g_clear_object (&self->inner);
  if (self->notify != NULL)
    g_clear_pointer (&self->user_data, self->notify);
  G_OBJECT_CLASS (cl_fixture_filter_parent_class)->dispose (o);
}

static void
cl_fixture_filter_class_init (ClFixtureFilterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_fixture_filter_dispose;
}

static void
cl_fixture_filter_init (ClFixtureFilter *self)
{
}

/* A transport whose commands go through transmit (with user_data, freed by notify with the transport); the ATR and
 * extended-length support are inner's. Takes inner. */
ClTransport *
cl_production_fixture_filter_new (ClTransport *inner, ClProductionFixtureTransmitFunc transmit, gpointer user_data,
                                  GDestroyNotify notify)
{
  ClFixtureFilter *self = g_object_new (CL_TYPE_FIXTURE_FILTER, NULL);

  self->inner = inner;
  self->transmit = transmit;
  self->user_data = user_data;
  self->notify = notify;
  return CL_TRANSPORT (self);
}

static GBytes *
record_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer trace)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (command, &len);

  /* a copy: the channel wipes a command that carried key material once it is sent */
  g_ptr_array_add (trace, g_bytes_new (data, len));
  return cl_transport_transmit (inner, command, cancellable, error);
}

ClTransport *
cl_production_fixture_insert_traced (ClVcardImage *image, GPtrArray *trace)
{
  return cl_production_fixture_filter_new (cl_production_fixture_insert (image), record_transmit, trace, NULL);
}

void
cl_production_fixture_assert_good (ClCardSequence *sequence)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (!o->good)
    g_error ("expected GOOD, got %s at %s (SW %04X): %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->last_sw, o->detail);
}

/* The store work_dir/name, created when new. */
ClStore *
cl_production_fixture_open_store (ClProductionFixture *fixture, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->work_dir, name, NULL);
  ClStore *store = cl_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

ClProductionSetup *
cl_production_fixture_setup_new (ClProductionFixture *fixture, ClProfile *profile, ClStore *store)
{
  g_autoptr (GError) error = NULL;
  ClProductionSetup *setup = cl_production_setup_new (profile, fixture->token, store, &error);

  g_assert_no_error (error);
  return setup;
}

/* The setup of the shipped profile data/profiles/profile_name, as the line opens it. */
ClProductionSetup *
cl_production_fixture_setup_for (ClProductionFixture *fixture, const char *profile_name, ClStore *store)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "profiles", profile_name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = cl_production_profile_open (path, &error);

  g_assert_no_error (error);
  return cl_production_fixture_setup_new (fixture, profile, store);
}

/* One attempt of kind run to its end over transport; the outcome (good or rejected) is the caller's to check, only
 * a failure to run at all asserts here. */
ClCardSequence *
cl_production_fixture_run (ClProductionSetup *setup, gint64 batch, const char *station, const char *reader,
                           ClAttemptKind kind, ClTransport *transport)
{
  g_autoptr (GError) error = NULL;
  ClCardSequence *sequence = cl_card_sequence_new (setup, batch, station, reader);

  cl_card_sequence_set_attempt_kind (sequence, kind);
  g_assert_true (cl_card_sequence_run (sequence, transport, NULL, &error));
  g_assert_no_error (error);
  return sequence;
}
