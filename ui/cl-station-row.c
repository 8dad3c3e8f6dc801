/* cl-station-row.c: one station of the Stations view (cl-station-row.h). */
#include "cl-station-row.h"

#include <glib/gi18n.h>

#include "cl-step-text.h"

struct _ClStationRow
{
  GtkListBoxRow parent_instance;

  GtkImage *state_image;
  GtkLabel *state_label;
  GtkLabel *name_label;
  GtkLabel *detail_label;
  GtkLabel *instruction_label;
  GtkLabel *readers_label;
  GtkLabel *good_label;
  GtkLabel *rejected_label;
  GtkLabel *throughput_label;
  GtkLabel *yield_label;
  const char *state_class; /* the CSS class of the state shown */
};

G_DEFINE_FINAL_TYPE (ClStationRow, cl_station_row, GTK_TYPE_LIST_BOX_ROW)

typedef struct
{
  const char *text;
  const char *icon;
  const char *css;
} StateLook;

static const StateLook *
state_look (const ClFleetStation *station)
{
  static const StateLook running = { N_ ("Running"), "media-playback-start-symbolic", "station-running" };
  static const StateLook paused = { N_ ("Paused"), "media-playback-pause-symbolic", "station-paused" };
  static const StateLook fault = { N_ ("Fault"), "dialog-warning-symbolic", "station-fault" };
  static const StateLook stopped = { N_ ("Stopped"), "media-playback-stop-symbolic", "station-stopped" };
  static const StateLook lost = { N_ ("Lost"), "network-offline-symbolic", "station-lost" };

  if (station->lost)
    return &lost;
  switch (station->state)
    {
      case CL_FLEET_RUNNING:
        return &running;
      case CL_FLEET_PAUSED:
        return &paused;
      case CL_FLEET_FAULT:
        return &fault;
      case CL_FLEET_STOPPED:
      default:
        return &stopped;
    }
}

const char *
cl_station_row_state_text (const ClFleetStation *station)
{
  g_return_val_if_fail (station != NULL, NULL);
  return _ (state_look (station)->text);
}

static const char *
feeder_text (ClFleetFeeder feeder)
{
  switch (feeder)
    {
      case CL_FLEET_FEEDER_RACK:
        return _ ("card rack");
      case CL_FLEET_FEEDER_PRINTER:
        return _ ("printer-fed");
      case CL_FLEET_FEEDER_REMOTE:
      default:
        return _ ("remote production");
    }
}

/* "Reader 0: 0C12…, Rotate card keys" per reader with a card; NULL when no reader holds one. */
static char *
readers_text (const ClFleetStation *station)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; station->readers != NULL && i < station->readers->len; i++)
    {
      const ClFleetReader *reader = g_ptr_array_index (station->readers, i);

      if (!reader->card_present)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: %s", reader->reader, reader->chip_id != NULL ? reader->chip_id : _ ("card"));
      if (reader->step >= 0 && reader->step < CL_PRODUCTION_STEP_COUNT)
        g_string_append_printf (text, ", %s",
                                cl_step_text_title (cl_production_step_to_string ((ClProductionStep)reader->step)));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

void
cl_station_row_set_station (ClStationRow *self, const ClFleetStation *station)
{
  const StateLook *look;
  g_autofree char *detail = NULL;
  g_autofree char *readers = NULL;
  g_autofree char *accessible = NULL;
  double yield;
  char text[64];

  g_return_if_fail (CL_IS_STATION_ROW (self));
  g_return_if_fail (station != NULL);

  look = state_look (station);
  gtk_image_set_from_icon_name (self->state_image, look->icon);
  gtk_label_set_text (self->state_label, _ (look->text));
  if (self->state_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), self->state_class);
  self->state_class = look->css;
  gtk_widget_add_css_class (GTK_WIDGET (self), look->css);

  gtk_label_set_text (self->name_label, station->name);
  if (station->printer != NULL)
    detail = g_strdup_printf ("%s · %s (%s) · %s %s", station->host, feeder_text (station->feeder), station->printer,
                              _ ("version"), station->version != NULL ? station->version : "?");
  else
    detail = g_strdup_printf ("%s · %s · %s %s", station->host, feeder_text (station->feeder), _ ("version"),
                              station->version != NULL ? station->version : "?");
  gtk_label_set_text (self->detail_label, detail);

  /* A lost station's last words may be stale, but an instruction it left is still what someone must do. */
  gtk_label_set_text (self->instruction_label, station->instruction != NULL ? station->instruction : "");
  gtk_widget_set_visible (GTK_WIDGET (self->instruction_label), station->instruction != NULL);
  readers = readers_text (station);
  gtk_label_set_text (self->readers_label, readers != NULL ? readers : "");
  gtk_widget_set_visible (GTK_WIDGET (self->readers_label), readers != NULL);

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, station->good);
  gtk_label_set_text (self->good_label, text);
  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, station->rejected);
  gtk_label_set_text (self->rejected_label, text);
  g_snprintf (text, sizeof text, "%.0f", cl_fleet_station_throughput (station) * 60);
  gtk_label_set_text (self->throughput_label, text);
  yield = cl_fleet_station_yield (station);
  if (yield < 0)
    g_snprintf (text, sizeof text, "—");
  else
    g_snprintf (text, sizeof text, "%.1f %%", yield * 100);
  gtk_label_set_text (self->yield_label, text);

  /* A screen reader hears the row as one sentence: which station, in which state, and what to do. */
  accessible = g_strdup_printf ("%s: %s%s%s", station->name, _ (look->text), station->instruction != NULL ? ". " : "",
                                station->instruction != NULL ? station->instruction : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
cl_station_row_class_init (ClStationRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-station-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, state_image);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, instruction_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, readers_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, good_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, throughput_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationRow, yield_label);
}

static void
cl_station_row_init (ClStationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_station_row_new (void)
{
  return g_object_new (CL_TYPE_STATION_ROW, NULL);
}
