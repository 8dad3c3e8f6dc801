/* A station's live state from its batch run's events into the fleet's records (issue 18 item 4): the card and step
 * at each reader, the counters, a fault with its instruction and its clearing, pause, and STOPPED at the end; a
 * burst of events costs a few writes, not one each. On a SQLite store in a private directory. */
#include <glib/gstdio.h>

#include "line/cl-station-publisher.h"

#define FLUSH_US ((gint64)20 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *path;
  ClStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("cl-publisher-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cardline.db", NULL);
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&f->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
post (ClStationPublisher *publisher, ClLineEventKind kind, const char *reader, const ClLineEventFields *fields)
{
  g_autoptr (ClLineEvent) event = cl_line_event_new_typed (kind, reader, fields, NULL);

  cl_station_publisher_event (publisher, event);
}

static void
post_step (ClStationPublisher *publisher, const char *reader, const char *chip, ClProductionStep step)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.chip_id = chip;
  fields.step = step;
  post (publisher, CL_LINE_EVENT_STEP_STARTED, reader, &fields);
}

static ClFleetStation *
read_back (Fixture *f, ClStationPublisher *publisher)
{
  g_autoptr (GError) error = NULL;
  ClFleetStation *s;

  g_assert_true (cl_station_publisher_flush (publisher, FLUSH_US));
  s = cl_store_fleet_get (f->store, "rack-p", 0, &error);
  g_assert_no_error (error);
  return s;
}

static const ClFleetReader *
reader_at (const ClFleetStation *s, guint i)
{
  g_assert_cmpuint (i, <, s->readers->len);
  return g_ptr_array_index (s->readers, i);
}

static void
test_publish_events (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *readers[] = { "Reader 0", NULL };
  ClFleetRegistration reg = { "rack-p", CL_FLEET_FEEDER_RACK, readers, NULL, NULL, 0 };
  g_autoptr (ClStationPublisher) publisher = cl_station_publisher_new (f->store, &reg, &error);
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  gint64 revision;

  g_assert_no_error (error);
  {
    ClLineEventFields present = CL_LINE_EVENT_FIELDS_INIT;

    post (publisher, CL_LINE_EVENT_CARD_PRESENT, "Reader 1", &present);
  }
  post_step (publisher, "Reader 0", "0A01", CL_STEP_IDENTIFY);
  post_step (publisher, "Reader 1", "0A02", CL_STEP_CERTIFY);
  {
    g_autoptr (ClFleetStation) s = read_back (f, publisher);

    g_assert_cmpint (s->state, ==, CL_FLEET_RUNNING);
    g_assert_cmpuint (s->readers->len, ==, 2);
    g_assert_cmpstr (reader_at (s, 0)->chip_id, ==, "0A01");
    g_assert_cmpint (reader_at (s, 0)->step, ==, CL_STEP_IDENTIFY);
    g_assert_cmpstr (reader_at (s, 1)->reader, ==, "Reader 1");
    g_assert_cmpstr (reader_at (s, 1)->chip_id, ==, "0A02");
    g_assert_cmpint (reader_at (s, 1)->step, ==, CL_STEP_CERTIFY);
  }
  /* readers the line knows are listed without a card; one known already stays as it is */
  cl_station_publisher_reader (publisher, "Reader 2");
  cl_station_publisher_reader (publisher, "Reader 1");
  /* a burst: 2 x 200 step events and 10 cards in a few writes */
  {
    g_autoptr (ClFleetStation) before = read_back (f, publisher);

    revision = before->revision;
  }
  for (guint i = 0; i < 200; i++)
    {
      post_step (publisher, "Reader 0", "0A01", (ClProductionStep)(i % CL_STEP_DISPOSE));
      post_step (publisher, "Reader 1", "0A02", (ClProductionStep)(i % CL_STEP_DISPOSE));
    }
  for (guint i = 0; i < 10; i++)
    {
      fields.chip_id = "0A01";
      post (publisher, i < 8 ? CL_LINE_EVENT_GOOD : CL_LINE_EVENT_REJECTED, "Reader 0", &fields);
    }
  {
    g_autoptr (ClFleetStation) s = read_back (f, publisher);

    g_test_message ("410 events: %" G_GINT64_FORMAT " writes", s->revision - revision);
    g_assert_cmpint (s->revision - revision, <=, 4);
    g_assert_cmpint (s->good, ==, 8);
    g_assert_cmpint (s->rejected, ==, 2);
    g_assert_cmpint (s->counting_since, >, 0);
    g_assert_false (reader_at (s, 0)->card_present);
    g_assert_null (reader_at (s, 0)->chip_id);
    g_assert_true (reader_at (s, 1)->card_present);
    g_assert_cmpuint (s->readers->len, ==, 3);
    g_assert_cmpstr (reader_at (s, 2)->reader, ==, "Reader 2");
    g_assert_false (reader_at (s, 2)->card_present);
  }
  /* a fault with its instruction; paused underneath; the fault cleared leaves PAUSED, resumed RUNNING */
  {
    ClLineEventFields fault = CL_LINE_EVENT_FIELDS_INIT;

    fault.fault = CL_LINE_FAULT_READER_GONE;
    fault.instruction = "Reader 1 is gone: plug it back in.";
    post (publisher, CL_LINE_EVENT_FAULT, "Reader 1", &fault);
    post (publisher, CL_LINE_EVENT_PAUSED, NULL, &fields);
    {
      g_autoptr (ClFleetStation) s = read_back (f, publisher);

      g_assert_cmpint (s->state, ==, CL_FLEET_FAULT);
      g_assert_cmpstr (s->instruction, ==, "Reader 1 is gone: plug it back in.");
    }
    post (publisher, CL_LINE_EVENT_FAULT_CLEARED, "Reader 1", &fault);
    {
      g_autoptr (ClFleetStation) s = read_back (f, publisher);

      g_assert_cmpint (s->state, ==, CL_FLEET_PAUSED);
      g_assert_null (s->instruction);
    }
    post (publisher, CL_LINE_EVENT_RESUMED, NULL, &fields);
    {
      g_autoptr (ClFleetStation) s = read_back (f, publisher);

      g_assert_cmpint (s->state, ==, CL_FLEET_RUNNING);
    }
  }
  /* the end: STOPPED, written before the publisher is gone */
  g_clear_object (&publisher);
  {
    g_autoptr (ClFleetStation) s = cl_store_fleet_get (f->store, "rack-p", 0, &error);

    g_assert_no_error (error);
    g_assert_cmpint (s->state, ==, CL_FLEET_STOPPED);
    g_assert_false (s->lost);
    g_assert_cmpint (s->good, ==, 8);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/line/station-publisher/events", Fixture, NULL, fixture_setup, test_publish_events, fixture_teardown);
  return g_test_run ();
}
