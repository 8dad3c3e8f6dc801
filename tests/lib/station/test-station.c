/* Unit tests of lib/station: the station model, the station list and the bounded event log. */
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint calls;
} ItemsChanged;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, ItemsChanged *rec)
{
  rec->position = position;
  rec->removed = removed;
  rec->added = added;
  rec->calls++;
}

static void
on_notify (GObject *object, GParamSpec *pspec, GPtrArray *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

static gboolean
names_contain (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), name))
      return TRUE;
  return FALSE;
}

static void
test_station_defaults (void)
{
  g_autoptr (ClReader) station = cl_reader_new ("Virtual PCD 00 00");

  g_assert_cmpstr (cl_reader_get_name (station), ==, "Virtual PCD 00 00");
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_EMPTY);
  g_assert_null (cl_reader_get_atr (station));
  g_assert_cmpuint (cl_reader_get_card_count (station), ==, 0);
  g_assert_null (cl_reader_get_last_event (station));
  g_assert_null (cl_reader_get_last_event_time (station));
}

static void
test_station_insert_remove (void)
{
  g_autoptr (ClReader) station = cl_reader_new ("R");
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDateTime) t1 = g_date_time_new_local (2024, 5, 6, 7, 8, 9);
  g_autoptr (GDateTime) t2 = g_date_time_new_local (2024, 5, 6, 7, 8, 30);

  g_signal_connect (station, "notify", G_CALLBACK (on_notify), names);

  cl_reader_card_inserted (station, "3B8A80", t1);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_CARD_PRESENT);
  g_assert_cmpstr (cl_reader_get_atr (station), ==, "3B8A80");
  g_assert_cmpuint (cl_reader_get_card_count (station), ==, 1);
  g_assert_cmpstr (cl_reader_get_last_event (station), ==, "Card inserted");
  g_assert_true (g_date_time_equal (cl_reader_get_last_event_time (station), t1));
  g_assert_true (names_contain (names, "state"));
  g_assert_true (names_contain (names, "atr"));
  g_assert_true (names_contain (names, "card-count"));
  g_assert_true (names_contain (names, "last-event"));
  g_assert_true (names_contain (names, "last-event-time"));

  g_ptr_array_set_size (names, 0);
  cl_reader_card_removed (station, t2);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_EMPTY);
  g_assert_null (cl_reader_get_atr (station));
  g_assert_cmpuint (cl_reader_get_card_count (station), ==, 1);
  g_assert_cmpstr (cl_reader_get_last_event (station), ==, "Card removed");
  g_assert_true (names_contain (names, "atr"));
  g_assert_false (names_contain (names, "card-count"));

  cl_reader_card_inserted (station, "3B00", NULL);
  g_assert_cmpuint (cl_reader_get_card_count (station), ==, 2);
  g_assert_nonnull (cl_reader_get_last_event_time (station));
}

static void
test_station_notify_only_on_change (void)
{
  g_autoptr (ClReader) station = cl_reader_new ("R");
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (station, "notify", G_CALLBACK (on_notify), names);
  cl_reader_set_state (station, CL_READER_EMPTY);
  cl_reader_set_atr (station, NULL);
  cl_reader_set_card_count (station, 0);
  g_assert_cmpuint (names->len, ==, 0);

  cl_reader_set_state (station, CL_READER_FAULT);
  g_assert_cmpuint (names->len, ==, 1);

  /* A gone reader keeps its state when a late card-removed arrives. */
  cl_reader_set_state (station, CL_READER_GONE);
  cl_reader_card_removed (station, NULL);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_GONE);
}

static void
test_station_state_enum (void)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (CL_TYPE_READER_STATE);

  g_assert_cmpstr (g_enum_get_value (klass, CL_READER_CARD_PRESENT)->value_nick, ==, "card-present");
  g_assert_cmpstr (g_enum_get_value (klass, CL_READER_GONE)->value_nick, ==, "gone");
}

static void
test_station_list (void)
{
  g_autoptr (ClReaderList) list = cl_reader_list_new ();
  g_autoptr (ClReader) a = cl_reader_new ("A");
  g_autoptr (ClReader) b = cl_reader_new ("B");
  g_autoptr (ClReader) a2 = cl_reader_new ("A");
  g_autoptr (ClReader) item = NULL;
  ItemsChanged rec = { 0 };
  guint position = G_MAXUINT;
  guint n_items = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &rec);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == CL_TYPE_READER);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  g_assert_true (cl_reader_list_add (list, a));
  g_assert_cmpuint (rec.position, ==, 0);
  g_assert_cmpuint (rec.added, ==, 1);
  g_assert_true (cl_reader_list_add (list, b));
  g_assert_cmpuint (rec.position, ==, 1);
  g_assert_false (cl_reader_list_add (list, a2));
  g_assert_cmpuint (rec.calls, ==, 2);
  g_object_get (list, "n-items", &n_items, NULL);
  g_assert_cmpuint (n_items, ==, 2);

  g_assert_true (cl_reader_list_find (list, "B", &position) == b);
  g_assert_cmpuint (position, ==, 1);
  g_assert_null (cl_reader_list_find (list, "C", NULL));

  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (item == a);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 2));

  g_assert_true (cl_reader_list_remove (list, "A"));
  g_assert_cmpuint (rec.position, ==, 0);
  g_assert_cmpuint (rec.removed, ==, 1);
  g_assert_cmpuint (rec.added, ==, 0);
  g_assert_false (cl_reader_list_remove (list, "A"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_true (cl_reader_list_find (list, "B", &position) == b);
  g_assert_cmpuint (position, ==, 0);
}

static void
test_station_list_order (void)
{
  g_autoptr (ClReaderList) list = cl_reader_list_new ();
  const char *const arrivals[] = { "Rig 10", "Rig 2", "Rig 1 00 01", "Rig 1 00 00", "Rig 3" };
  const char *const expected[] = { "Rig 1 00 00", "Rig 1 00 01", "Rig 2", "Rig 3", "Rig 10" };
  ItemsChanged rec = { 0 };

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &rec);
  for (guint i = 0; i < G_N_ELEMENTS (arrivals); i++)
    {
      g_autoptr (ClReader) station = cl_reader_new (arrivals[i]);

      g_assert_true (cl_reader_list_add (list, station));
    }
  /* "Rig 3" went in before "Rig 10". */
  g_assert_cmpuint (rec.position, ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_cmpstr (cl_reader_get_name (station), ==, expected[i]);
    }
}

static void
test_line_event_format (void)
{
  g_autoptr (GDateTime) when = g_date_time_new_local (2024, 1, 2, 3, 4, 5);
  g_autoptr (ClLineEvent) inserted = cl_line_event_new (when, CL_LINE_EVENT_CARD_INSERTED, "Reader 0", "ATR 3B8A");
  g_autoptr (ClLineEvent) added = cl_line_event_new (when, CL_LINE_EVENT_READER_ADDED, "Reader 0", NULL);
  g_autoptr (ClLineEvent) note = cl_line_event_new (when, CL_LINE_EVENT_NOTE, NULL, "hello");
  g_autofree char *message = NULL;
  g_autofree char *time_text = NULL;

  g_assert_cmpstr (cl_line_event_get_line (inserted), ==, "03:04:05 card-inserted Reader 0 ATR 3B8A");
  g_assert_cmpstr (cl_line_event_get_line (added), ==, "03:04:05 reader-added Reader 0");
  g_assert_cmpstr (cl_line_event_get_line (note), ==, "03:04:05 note hello");
  g_assert_cmpstr (cl_line_event_get_reader (inserted), ==, "Reader 0");
  g_assert_cmpstr (cl_line_event_get_detail (inserted), ==, "ATR 3B8A");
  g_assert_cmpint (cl_line_event_get_kind (inserted), ==, CL_LINE_EVENT_CARD_INSERTED);
  g_assert_true (g_date_time_equal (cl_line_event_get_time (inserted), when));

  g_object_get (inserted, "message", &message, "time-text", &time_text, NULL);
  g_assert_cmpstr (message, ==, "card-inserted Reader 0 ATR 3B8A");
  g_assert_cmpstr (time_text, ==, "03:04:05");

  g_assert_cmpstr (cl_line_event_kind_to_string (CL_LINE_EVENT_SERVICE_LOST), ==, "service-lost");
  g_assert_cmpstr (cl_line_event_kind_to_string (CL_LINE_EVENT_CARD_REMOVED), ==, "card-removed");
}

static void
test_event_log_bounded (void)
{
  g_autoptr (ClEventLog) log = cl_event_log_new (3);
  ItemsChanged rec = { 0 };

  g_assert_cmpuint (cl_event_log_get_capacity (log), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (log)) == CL_TYPE_LINE_EVENT);
  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &rec);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *detail = g_strdup_printf ("event %u", i);
      ClLineEvent *event = cl_event_log_add (log, CL_LINE_EVENT_NOTE, NULL, detail);

      g_assert_cmpuint (cl_line_event_get_sequence (event), ==, i + 1);
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);
  g_assert_cmpuint (cl_event_log_get_total (log), ==, 5);
  /* 3 plain appends, then 2 × (drop oldest + append). */
  g_assert_cmpuint (rec.calls, ==, 7);
  g_assert_cmpuint (rec.position, ==, 2);
  g_assert_cmpuint (rec.added, ==, 1);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *detail = g_strdup_printf ("event %u", i + 2);

      g_assert_cmpstr (cl_line_event_get_detail (event), ==, detail);
      g_assert_cmpuint (cl_line_event_get_sequence (event), ==, i + 3);
    }
}

static void
test_event_log_default_capacity (void)
{
  g_autoptr (ClEventLog) log = cl_event_log_new (0);

  g_assert_cmpuint (cl_event_log_get_capacity (log), ==, CL_EVENT_LOG_DEFAULT_CAPACITY);
  for (guint i = 0; i < CL_EVENT_LOG_DEFAULT_CAPACITY + 10; i++)
    cl_event_log_add (log, CL_LINE_EVENT_NOTE, NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, CL_EVENT_LOG_DEFAULT_CAPACITY);
}

static ClReaderStep *
step_at (ClReader *station, guint i)
{
  g_autoptr (ClReaderStep) step = g_list_model_get_item (cl_reader_get_steps (station), i);

  g_assert_nonnull (step);
  return step; /* the station's list keeps it alive */
}

static void
test_station_steps (void)
{
  static const char *const plan[] = { "IDENTIFY", "OPEN_KST", "VERIFY", "DISPOSE", NULL };
  g_autoptr (ClReader) station = cl_reader_new ("Reader 0");
  GListModel *steps = cl_reader_get_steps (station);
  ItemsChanged rec = { 0 };

  g_assert_cmpuint (g_list_model_get_n_items (steps), ==, 0);
  g_assert_cmpint (cl_reader_get_result (station), ==, CL_READER_RESULT_NONE);
  g_signal_connect (steps, "items-changed", G_CALLBACK (on_items_changed), &rec);

  cl_reader_card_started (station, plan);
  g_assert_cmpuint (rec.calls, ==, 1);
  g_assert_cmpuint (rec.added, ==, 4);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_PRODUCING);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpstr (cl_reader_step_get_name (step_at (station, i)), ==, plan[i]);
      g_assert_cmpint (cl_reader_step_get_state (step_at (station, i)), ==, CL_READER_STEP_PENDING);
      g_assert_cmpint (cl_reader_step_get_duration_us (step_at (station, i)), ==, -1);
    }

  cl_reader_set_chip_id (station, "4790516776");
  cl_reader_step_started (station, "IDENTIFY");
  g_assert_cmpint (cl_reader_step_get_state (step_at (station, 0)), ==, CL_READER_STEP_RUNNING);
  cl_reader_step_ended (station, "IDENTIFY", CL_READER_STEP_OK, 2100, 0x9000, NULL);
  g_assert_cmpint (cl_reader_step_get_state (step_at (station, 0)), ==, CL_READER_STEP_OK);
  g_assert_cmpint (cl_reader_step_get_duration_us (step_at (station, 0)), ==, 2100);
  g_assert_cmpint (cl_reader_step_get_sw (step_at (station, 0)), ==, 0x9000);
  cl_reader_step_ended (station, "OPEN_KST", CL_READER_STEP_FAILED, 4000, 0x6982, "cryptogram mismatch");
  g_assert_cmpint (cl_reader_step_get_state (step_at (station, 1)), ==, CL_READER_STEP_FAILED);
  g_assert_cmpstr (cl_reader_step_get_detail (step_at (station, 1)), ==, "cryptogram mismatch");
  /* an out-of-range status word is "none", not a wrong number on screen */
  cl_reader_step_ended (station, "VERIFY", CL_READER_STEP_SKIPPED, -5, 0x12345, NULL);
  g_assert_cmpint (cl_reader_step_get_sw (step_at (station, 2)), ==, -1);
  g_assert_cmpint (cl_reader_step_get_duration_us (step_at (station, 2)), ==, 0);
  /* a step the plan did not name still shows, at the end */
  cl_reader_step_started (station, "FACE");
  g_assert_cmpuint (g_list_model_get_n_items (steps), ==, 5);
  g_assert_cmpstr (cl_reader_step_get_name (step_at (station, 4)), ==, "FACE");

  cl_reader_card_finished (station, FALSE, "AUTH_KST_FAILED at OPEN_KST, SW 6982");
  g_assert_cmpint (cl_reader_get_result (station), ==, CL_READER_RESULT_REJECTED);
  g_assert_cmpstr (cl_reader_get_result_text (station), ==, "AUTH_KST_FAILED at OPEN_KST, SW 6982");
  g_assert_cmpuint (cl_reader_get_reject_count (station), ==, 1);
  g_assert_cmpuint (cl_reader_get_good_count (station), ==, 0);

  /* removing the card keeps its steps and result on show until the next card starts */
  cl_reader_card_removed (station, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (steps), ==, 5);
  g_assert_cmpint (cl_reader_get_result (station), ==, CL_READER_RESULT_REJECTED);

  cl_reader_card_started (station, plan);
  g_assert_cmpuint (g_list_model_get_n_items (steps), ==, 4);
  g_assert_cmpint (cl_reader_step_get_state (step_at (station, 1)), ==, CL_READER_STEP_PENDING);
  g_assert_null (cl_reader_get_chip_id (station));
  g_assert_cmpint (cl_reader_get_result (station), ==, CL_READER_RESULT_NONE);
  g_assert_null (cl_reader_get_result_text (station));
  cl_reader_card_finished (station, TRUE, "Serial DECM0102990");
  g_assert_cmpint (cl_reader_get_result (station), ==, CL_READER_RESULT_GOOD);
  g_assert_cmpuint (cl_reader_get_good_count (station), ==, 1);
  g_assert_cmpuint (cl_reader_get_reject_count (station), ==, 1);
}

static void
test_station_step_notify (void)
{
  g_autoptr (ClReaderStep) step = cl_reader_step_new ("LOAD_APPLET");
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (step, "notify", G_CALLBACK (on_notify), names);
  cl_reader_step_start (step);
  cl_reader_step_start (step);
  g_assert_cmpuint (names->len, ==, 1);
  cl_reader_step_end (step, CL_READER_STEP_OK, 1500, 0x9000, NULL);
  g_assert_true (names_contain (names, "state"));
  g_assert_true (names_contain (names, "duration-us"));
  g_assert_true (names_contain (names, "sw"));
  g_assert_false (names_contain (names, "detail"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/station/defaults", test_station_defaults);
  g_test_add_func ("/station/insert-remove", test_station_insert_remove);
  g_test_add_func ("/station/notify-only-on-change", test_station_notify_only_on_change);
  g_test_add_func ("/station/state-enum", test_station_state_enum);
  g_test_add_func ("/station-list/add-find-remove", test_station_list);
  g_test_add_func ("/station-list/natural-order", test_station_list_order);
  g_test_add_func ("/line-event/format", test_line_event_format);
  g_test_add_func ("/event-log/bounded", test_event_log_bounded);
  g_test_add_func ("/event-log/default-capacity", test_event_log_default_capacity);
  g_test_add_func ("/station/steps", test_station_steps);
  g_test_add_func ("/station-step/notify", test_station_step_notify);

  return g_test_run ();
}
