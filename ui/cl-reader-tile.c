#include "cl-reader-tile.h"

#include <glib/gi18n.h>

#include "cl-reader-panel.h"
#include "cl-step-text.h"

struct _ClReaderTile
{
  AdwBin parent_instance;

  ClReader *reader;
  GPtrArray *watched_steps; /* the card's steps whose state the tile follows */
  const char *state_class;
  char *accessible_text;

  GtkWidget *button;
  GtkImage *state_image;
  GtkLabel *state_label;
  GtkLabel *name_label;
  GtkLabel *chip_label;
  GtkLabel *step_label;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkLabel *row_label;
};

G_DEFINE_FINAL_TYPE (ClReaderTile, cl_reader_tile, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_READER,
  N_PROPS
};

enum
{
  SIGNAL_OPEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const struct
{
  const char *label;
  const char *icon;
  const char *css_class;
} tile_states[] = {
  [CL_READER_TILE_IDLE] = { N_ ("Idle"), "media-removable-symbolic", "tile-idle" },
  [CL_READER_TILE_PRODUCING] = { N_ ("Producing"), "system-run-symbolic", "tile-producing" },
  [CL_READER_TILE_GOOD] = { N_ ("Good"), "object-select-symbolic", "tile-good" },
  [CL_READER_TILE_REJECT] = { N_ ("Reject"), "dialog-error-symbolic", "tile-reject" },
  [CL_READER_TILE_FAULT] = { N_ ("Fault"), "dialog-warning-symbolic", "tile-fault" },
  [CL_READER_TILE_GONE] = { N_ ("Gone"), "action-unavailable-symbolic", "tile-gone" },
};

const char *
cl_reader_tile_state_label (ClReaderTileState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (tile_states), "");
  return _ (tile_states[state].label);
}

ClReaderTileState
cl_reader_tile_state_for (ClReader *reader)
{
  g_return_val_if_fail (CL_IS_READER (reader), CL_READER_TILE_IDLE);

  switch (cl_reader_get_state (reader))
    {
      case CL_READER_FAULT:
        return CL_READER_TILE_FAULT;
      case CL_READER_GONE:
        return CL_READER_TILE_GONE;
      default:
        break;
    }
  /* A card's result stays until the next card starts (as on the detailed panel's banner), which clears it: a result
   * means the card is done, whether or not the reader's state has caught up yet. */
  switch (cl_reader_get_result (reader))
    {
      case CL_READER_RESULT_GOOD:
        return CL_READER_TILE_GOOD;
      case CL_READER_RESULT_REJECTED:
        return CL_READER_TILE_REJECT;
      case CL_READER_RESULT_NONE:
      default:
        return cl_reader_get_state (reader) == CL_READER_PRODUCING ? CL_READER_TILE_PRODUCING : CL_READER_TILE_IDLE;
    }
}

ClReaderTileState
cl_reader_tile_get_state (ClReaderTile *self)
{
  g_return_val_if_fail (CL_IS_READER_TILE (self), CL_READER_TILE_IDLE);
  return self->reader != NULL ? cl_reader_tile_state_for (self->reader) : CL_READER_TILE_IDLE;
}

char *
cl_reader_tile_short_chip_id (const char *chip_id)
{
  /* the end of a CPLC-derived id holds the IC serial number, what tells two chips of one batch apart */
  const guint keep = 10;
  glong length;

  if (chip_id == NULL || *chip_id == '\0')
    return g_strdup ("—");
  length = g_utf8_strlen (chip_id, -1);
  if (length <= keep + 1)
    return g_strdup (chip_id);
  return g_strconcat ("…", g_utf8_offset_to_pointer (chip_id, length - keep), NULL);
}

/* The step the operator wants on a tile: the running one; after the card, the one it failed at or the last one
 * that ran; before, the first one waiting. */
static ClReaderStep *
current_step (GListModel *steps, guint *ended)
{
  ClReaderStep *running = NULL, *failed = NULL, *last_ended = NULL, *first_pending = NULL;
  guint n = g_list_model_get_n_items (steps);

  *ended = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ClReaderStep) step = g_list_model_get_item (steps, i);

      switch (cl_reader_step_get_state (step))
        {
          case CL_READER_STEP_RUNNING:
            running = running != NULL ? running : step;
            break;
          case CL_READER_STEP_FAILED:
            failed = failed != NULL ? failed : step;
            last_ended = step;
            (*ended)++;
            break;
          case CL_READER_STEP_OK:
          case CL_READER_STEP_SKIPPED:
            last_ended = step;
            (*ended)++;
            break;
          case CL_READER_STEP_PENDING:
          default:
            first_pending = first_pending != NULL ? first_pending : step;
            break;
        }
    }
  /* the list holds its steps: pointers into it stay valid while the caller uses them */
  if (running != NULL)
    return running;
  if (failed != NULL)
    return failed;
  return last_ended != NULL ? last_ended : first_pending;
}

static void
set_state_class (ClReaderTile *self, const char *css_class)
{
  if (self->state_class != NULL)
    gtk_widget_remove_css_class (self->button, self->state_class);
  self->state_class = css_class;
  if (css_class != NULL)
    gtk_widget_add_css_class (self->button, css_class);
}

static void
update (ClReaderTile *self)
{
  GListModel *steps;
  ClReaderStep *step;
  ClReaderTileState state;
  const char *instruction, *row;
  g_autofree char *chip = NULL;
  g_autofree char *step_text = NULL;
  g_autofree char *progress_text = NULL;
  g_autofree char *accessible = NULL;
  guint ended, total;

  if (self->reader == NULL)
    {
      set_state_class (self, NULL);
      return;
    }

  state = cl_reader_tile_state_for (self->reader);
  set_state_class (self, tile_states[state].css_class);
  gtk_image_set_from_icon_name (self->state_image, tile_states[state].icon);
  gtk_label_set_label (self->state_label, cl_reader_tile_state_label (state));
  gtk_label_set_label (self->name_label, cl_reader_get_name (self->reader));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), cl_reader_get_name (self->reader));

  chip = cl_reader_tile_short_chip_id (cl_reader_get_chip_id (self->reader));
  gtk_label_set_label (self->chip_label, chip);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->chip_label), cl_reader_get_chip_id (self->reader));

  steps = cl_reader_get_steps (self->reader);
  total = g_list_model_get_n_items (steps);
  step = current_step (steps, &ended);
  instruction = cl_reader_get_instruction (self->reader);
  if (state == CL_READER_TILE_FAULT && instruction != NULL)
    step_text = g_strdup (instruction);
  else if (step != NULL)
    step_text = g_strdup (cl_step_text_title (cl_reader_step_get_name (step)));
  else
    step_text = g_strdup (cl_reader_panel_state_label (cl_reader_get_state (self->reader)));
  gtk_label_set_label (self->step_label, step_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->step_label), step_text);

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double)ended / total : 0.0);
  progress_text = total > 0 ? g_strdup_printf (_ ("%u of %u"), ended, total) : g_strdup ("");
  gtk_label_set_label (self->progress_label, progress_text);

  row = cl_reader_get_row_display (self->reader);
  gtk_widget_set_visible (GTK_WIDGET (self->row_label), row != NULL && *row != '\0');
  gtk_label_set_label (self->row_label, row != NULL ? row : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->row_label), row);

  /* one sentence for screen readers: what the operator reads off the tile, in reading order; nothing for what the
   * tile shows as a dash */
  {
    GString *text = g_string_new (NULL);

    g_string_append_printf (text, _ ("%s: %s. %s"), cl_reader_get_name (self->reader),
                            cl_reader_tile_state_label (state), step_text);
    if (total > 0)
      g_string_append_printf (text, _ (", step %s"), progress_text);
    if (cl_reader_get_chip_id (self->reader) != NULL && *cl_reader_get_chip_id (self->reader) != '\0')
      g_string_append_printf (text, _ (". Chip %s"), chip);
    if (row != NULL && *row != '\0')
      g_string_append_printf (text, _ (". Card data %s"), row);
    accessible = g_string_free (text, FALSE);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _ ("Opens the reader's details"), -1);
  g_free (self->accessible_text);
  self->accessible_text = g_steal_pointer (&accessible);
}

const char *
cl_reader_tile_get_accessible_text (ClReaderTile *self)
{
  g_return_val_if_fail (CL_IS_READER_TILE (self), NULL);
  return self->accessible_text;
}

static void
unwatch_steps (ClReaderTile *self)
{
  for (guint i = 0; i < self->watched_steps->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched_steps, i), update, self);
  g_ptr_array_set_size (self->watched_steps, 0);
}

/* A new card replaces the steps; each step's state then changes on its own object. */
static void
watch_steps (ClReaderTile *self)
{
  GListModel *steps;

  unwatch_steps (self);
  if (self->reader == NULL)
    return;
  steps = cl_reader_get_steps (self->reader);
  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      ClReaderStep *step = g_list_model_get_item (steps, i);

      g_signal_connect_swapped (step, "notify::state", G_CALLBACK (update), self);
      g_ptr_array_add (self->watched_steps, step);
    }
}

static void
on_steps_changed (ClReaderTile *self)
{
  watch_steps (self);
  update (self);
}

void
cl_reader_tile_set_reader (ClReaderTile *self, ClReader *reader)
{
  g_return_if_fail (CL_IS_READER_TILE (self));
  g_return_if_fail (reader == NULL || CL_IS_READER (reader));

  if (self->reader == reader)
    return;

  if (self->reader != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->reader, update, self);
      g_signal_handlers_disconnect_by_func (cl_reader_get_steps (self->reader), on_steps_changed, self);
    }
  g_set_object (&self->reader, reader);
  if (reader != NULL)
    {
      static const char *const watched[]
        = { "notify::state", "notify::instruction", "notify::result", "notify::chip-id", "notify::row-display" };

      for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
        g_signal_connect_object (reader, watched[i], G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (cl_reader_get_steps (reader), "items-changed", G_CALLBACK (on_steps_changed), self,
                               G_CONNECT_SWAPPED);
    }
  watch_steps (self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READER]);
}

ClReader *
cl_reader_tile_get_reader (ClReaderTile *self)
{
  g_return_val_if_fail (CL_IS_READER_TILE (self), NULL);
  return self->reader;
}

static void
on_clicked (ClReaderTile *self)
{
  g_signal_emit (self, signals[SIGNAL_OPEN], 0);
}

/* The tile's button is what takes the focus (back from the reader's details, for one). */
static gboolean
cl_reader_tile_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (CL_READER_TILE (widget)->button);
}

static void
cl_reader_tile_dispose (GObject *object)
{
  ClReaderTile *self = CL_READER_TILE (object);

  cl_reader_tile_set_reader (self, NULL);

  G_OBJECT_CLASS (cl_reader_tile_parent_class)->dispose (object);
}

static void
cl_reader_tile_finalize (GObject *object)
{
  ClReaderTile *self = CL_READER_TILE (object);

  g_ptr_array_unref (self->watched_steps);
  g_free (self->accessible_text);

  G_OBJECT_CLASS (cl_reader_tile_parent_class)->finalize (object);
}

static void
cl_reader_tile_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClReaderTile *self = CL_READER_TILE (object);

  switch (prop_id)
    {
      case PROP_READER:
        g_value_set_object (value, self->reader);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_tile_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClReaderTile *self = CL_READER_TILE (object);

  switch (prop_id)
    {
      case PROP_READER:
        cl_reader_tile_set_reader (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_tile_class_init (ClReaderTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_reader_tile_dispose;
  object_class->finalize = cl_reader_tile_finalize;
  object_class->get_property = cl_reader_tile_get_property;
  object_class->set_property = cl_reader_tile_set_property;
  widget_class->grab_focus = cl_reader_tile_grab_focus;

  properties[PROP_READER] = g_param_spec_object ("reader", NULL, NULL, CL_TYPE_READER,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The operator asked for the reader's detailed panel (click, Enter or Space on the tile). */
  signals[SIGNAL_OPEN]
    = g_signal_new ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-reader-tile.ui");
  gtk_widget_class_set_css_name (widget_class, "readertile");
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, button);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, state_image);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, state_label);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, chip_label);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, step_label);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ClReaderTile, row_label);
  gtk_widget_class_bind_template_callback (widget_class, on_clicked);
}

static void
cl_reader_tile_init (ClReaderTile *self)
{
  self->watched_steps = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_reader_tile_new (ClReader *reader)
{
  return g_object_new (CL_TYPE_READER_TILE, "reader", reader, NULL);
}
