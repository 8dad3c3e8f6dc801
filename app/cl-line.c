#include "cl-line.h"

#include "core/cl-hex.h"
#include "pcsc/cl-rack-feeder.h"
#include "pcsc/cl-reader-monitor.h"

/* Where Debian 12's libpcsclite looks when PCSCLITE_CSOCK_NAME is unset. */
#define DEFAULT_PCSC_SOCKET "/run/pcscd/pcscd.comm"
/* Only for a monitor that fails to start at all; the monitor itself retries a lost service. */
#define START_RETRY_SECONDS 2

struct _ClLine
{
  GObject parent_instance;

  ClReaderList *stations;
  ClEventLog *events;
  ClReaderMonitor *monitor;
  guint retry_source;
  gboolean service_down;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (ClLine, cl_line, G_TYPE_OBJECT)

enum
{
  SIGNAL_CARD_INSERTED,
  SIGNAL_CARD_REMOVED,
  SIGNAL_SERVICE_LOST,
  SIGNAL_SERVICE_RESTORED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_monitor (ClLine *self);

const char *
cl_line_pcsc_socket (void)
{
  const char *name = g_getenv ("PCSCLITE_CSOCK_NAME");

  return name != NULL && *name != '\0' ? name : DEFAULT_PCSC_SOCKET;
}

static void
log_service_down (ClLine *self, ClLineEventKind kind, const GError *error)
{
  g_autofree char *detail = NULL;
  gboolean from_env;

  /* Once per outage: the monitor retries every second and the operator needs one clear line, not a flood. */
  if (self->service_down)
    return;
  self->service_down = TRUE;

  from_env = g_strcmp0 (cl_line_pcsc_socket (), DEFAULT_PCSC_SOCKET) != 0;
  detail = g_strdup_printf ("PC/SC service not reachable at %s (%s): %s; retrying", cl_line_pcsc_socket (),
                            from_env ? "PCSCLITE_CSOCK_NAME" : "default; set PCSCLITE_CSOCK_NAME to change",
                            error != NULL ? error->message : "unknown error");
  cl_event_log_add (self->events, kind, NULL, detail);
}

static void
note_service_up (ClLine *self)
{
  if (!self->service_down)
    return;
  self->service_down = FALSE;
  cl_event_log_add (self->events, CL_LINE_EVENT_SERVICE_RESTORED, NULL, "PC/SC service reachable again");
  g_signal_emit (self, signals[SIGNAL_SERVICE_RESTORED], 0);
}

/* Returns the station, creating it or bringing a gone one back; logs reader-added only when it is news. */
static ClReader *
ensure_station (ClLine *self, const char *reader)
{
  ClReader *station = cl_reader_list_find (self->stations, reader, NULL);
  ClLineEvent *event;

  if (station != NULL && cl_reader_get_state (station) != CL_READER_GONE)
    return station;

  note_service_up (self);
  event = cl_event_log_add (self->events, CL_LINE_EVENT_READER_ADDED, reader, NULL);

  if (station == NULL)
    {
      g_autoptr (ClReader) created = cl_reader_new (reader);

      cl_reader_list_add (self->stations, created);
      station = created;
    }
  cl_reader_set_state (station, CL_READER_EMPTY);
  cl_reader_set_last_event (station, "Reader connected", cl_line_event_get_time (event));
  return station;
}

static void
on_reader_added (ClLine *self, const char *reader)
{
  ensure_station (self, reader);
}

static void
on_reader_removed (ClLine *self, const char *reader)
{
  ClReader *station = cl_reader_list_find (self->stations, reader, NULL);
  ClLineEvent *event;

  if (station == NULL || cl_reader_get_state (station) == CL_READER_GONE)
    return;

  event = cl_event_log_add (self->events, CL_LINE_EVENT_READER_REMOVED, reader, NULL);
  /* Kept in the list as GONE so the operator sees which reader went, rather than a panel silently vanishing. */
  cl_reader_set_atr (station, NULL);
  cl_reader_set_state (station, CL_READER_GONE);
  cl_reader_set_last_event (station, "Reader disconnected", cl_line_event_get_time (event));
}

static void
on_card_inserted (ClLine *self, const char *reader, GBytes *atr)
{
  ClReader *station = ensure_station (self, reader);
  g_autofree char *atr_hex = atr != NULL ? cl_hex_encode_bytes (atr) : g_strdup ("");
  g_autofree char *detail = g_strdup_printf ("ATR %s", *atr_hex != '\0' ? atr_hex : "none");
  ClLineEvent *event = cl_event_log_add (self->events, CL_LINE_EVENT_CARD_INSERTED, reader, detail);

  cl_reader_card_inserted (station, *atr_hex != '\0' ? atr_hex : NULL, cl_line_event_get_time (event));
  g_signal_emit (self, signals[SIGNAL_CARD_INSERTED], 0, reader, atr);
}

static void
on_card_removed (ClLine *self, const char *reader)
{
  ClReader *station = cl_reader_list_find (self->stations, reader, NULL);
  ClLineEvent *event = cl_event_log_add (self->events, CL_LINE_EVENT_CARD_REMOVED, reader, NULL);

  if (station != NULL)
    cl_reader_card_removed (station, cl_line_event_get_time (event));
  g_signal_emit (self, signals[SIGNAL_CARD_REMOVED], 0, reader);
}

static void
on_service_lost (ClLine *self, const GError *error)
{
  log_service_down (self, CL_LINE_EVENT_SERVICE_LOST, error);
  g_signal_emit (self, signals[SIGNAL_SERVICE_LOST], 0, error);
}

static gboolean
retry_start_cb (gpointer user_data)
{
  ClLine *self = CL_LINE (user_data);

  self->retry_source = 0;
  start_monitor (self);
  return G_SOURCE_REMOVE;
}

static void
drop_monitor (ClLine *self)
{
  if (self->monitor == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->monitor, self);
  cl_reader_monitor_stop (self->monitor);
  g_clear_object (&self->monitor);
}

static void
start_monitor (ClLine *self)
{
  g_autoptr (GError) error = NULL;

  drop_monitor (self);
  self->monitor = cl_reader_monitor_new ();
  g_signal_connect_swapped (self->monitor, "reader-added", G_CALLBACK (on_reader_added), self);
  g_signal_connect_swapped (self->monitor, "reader-removed", G_CALLBACK (on_reader_removed), self);
  g_signal_connect_swapped (self->monitor, "card-inserted", G_CALLBACK (on_card_inserted), self);
  g_signal_connect_swapped (self->monitor, "card-removed", G_CALLBACK (on_card_removed), self);
  g_signal_connect_swapped (self->monitor, "service-lost", G_CALLBACK (on_service_lost), self);
  g_signal_connect_swapped (self->monitor, "service-restored", G_CALLBACK (note_service_up), self);

  if (!cl_reader_monitor_start (self->monitor, &error))
    {
      drop_monitor (self);
      log_service_down (self, CL_LINE_EVENT_SERVICE_UNAVAILABLE, error);
      self->retry_source = g_timeout_add_seconds (START_RETRY_SECONDS, retry_start_cb, self);
    }
}

void
cl_line_start (ClLine *self)
{
  g_return_if_fail (CL_IS_LINE (self));

  if (self->running)
    return;
  self->running = TRUE;
  start_monitor (self);
}

void
cl_line_stop (ClLine *self)
{
  g_return_if_fail (CL_IS_LINE (self));

  self->running = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_monitor (self);
}

static void
cl_line_dispose (GObject *object)
{
  ClLine *self = CL_LINE (object);

  cl_line_stop (self);
  g_clear_object (&self->stations);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (cl_line_parent_class)->dispose (object);
}

static void
cl_line_class_init (ClLineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_line_dispose;

  /* For the production line (cl-production-line.c): emitted after the station and the event log are updated. */
  signals[SIGNAL_CARD_INSERTED] = g_signal_new ("card-inserted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
  signals[SIGNAL_CARD_REMOVED] = g_signal_new ("card-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SERVICE_LOST] = g_signal_new ("service-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_SERVICE_RESTORED] = g_signal_new ("service-restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_line_init (ClLine *self)
{
  self->stations = cl_reader_list_new ();
  self->events = cl_event_log_new (CL_EVENT_LOG_DEFAULT_CAPACITY);
}

ClLine *
cl_line_new (void)
{
  return g_object_new (CL_TYPE_LINE, NULL);
}

ClReaderList *
cl_line_get_stations (ClLine *self)
{
  g_return_val_if_fail (CL_IS_LINE (self), NULL);
  return self->stations;
}

ClEventLog *
cl_line_get_events (ClLine *self)
{
  g_return_val_if_fail (CL_IS_LINE (self), NULL);
  return self->events;
}

static void
on_feeder_card_inserted (ClLine *self, const char *reader, GBytes *atr, gpointer user_data)
{
  cl_feeder_reader_changed (CL_FEEDER (user_data), reader, TRUE);
}

static void
on_feeder_card_removed (ClLine *self, const char *reader, gpointer user_data)
{
  cl_feeder_reader_changed (CL_FEEDER (user_data), reader, FALSE);
}

static void
on_rack_service_lost (ClLine *self, const GError *error, gpointer user_data)
{
  cl_rack_feeder_set_service_lost (CL_RACK_FEEDER (user_data), TRUE, error != NULL ? error->message : NULL);
}

static void
on_rack_service_restored (ClLine *self, gpointer user_data)
{
  cl_rack_feeder_set_service_lost (CL_RACK_FEEDER (user_data), FALSE, NULL);
}

void
cl_line_attach_feeder (ClLine *self, ClFeeder *feeder)
{
  GListModel *stations;

  g_return_if_fail (CL_IS_LINE (self));
  g_return_if_fail (CL_IS_FEEDER (feeder));

  g_signal_connect_object (self, "card-inserted", G_CALLBACK (on_feeder_card_inserted), feeder, 0);
  g_signal_connect_object (self, "card-removed", G_CALLBACK (on_feeder_card_removed), feeder, 0);
  /* a rack's readers all hang on pcscd: while it is away no card is taken, and its return resumes the line */
  if (CL_IS_RACK_FEEDER (feeder))
    {
      g_signal_connect_object (self, "service-lost", G_CALLBACK (on_rack_service_lost), feeder, 0);
      g_signal_connect_object (self, "service-restored", G_CALLBACK (on_rack_service_restored), feeder, 0);
      if (self->service_down)
        cl_rack_feeder_set_service_lost (CL_RACK_FEEDER (feeder), TRUE, "the PC/SC service is not reachable");
    }
  stations = G_LIST_MODEL (self->stations);
  for (guint i = 0; i < g_list_model_get_n_items (stations); i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (stations, i);
      g_autoptr (GBytes) atr = NULL;

      if (cl_reader_get_state (station) != CL_READER_CARD_PRESENT)
        continue;
      if (cl_reader_get_atr (station) != NULL)
        atr = cl_hex_decode (cl_reader_get_atr (station), NULL);
      cl_feeder_reader_changed (feeder, cl_reader_get_name (station), TRUE);
    }
}
