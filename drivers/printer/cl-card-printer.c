#include "cl-card-printer.h"

#include "cl-driver-error.h"

#define DEFAULT_COMMAND_TIMEOUT_MS 3000
#define DEFAULT_MOTION_TIMEOUT_MS  20000

typedef struct
{
  ClPrinterTransport *transport;
  GMainContext *main_context;
  GMutex lock; /* one command exchange at a time */
  guint command_timeout_ms, motion_timeout_ms;
  gboolean card_inside;
  gboolean fault_pending;
  ClPrinterFault pending_fault;
} ClCardPrinterPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ClCardPrinter, cl_card_printer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TRANSPORT,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

typedef enum
{
  OP_IDENTIFY,
  OP_STATUS,
  OP_FEED,
  OP_EJECT,
  OP_REJECT,
  OP_RESET,
} Op;

static const char *const op_names[] = {
  "identify", "status", "feed to the contact station", "eject", "reject", "reset",
};

void
cl_printer_identity_free (ClPrinterIdentity *identity)
{
  if (identity == NULL)
    return;
  g_free (identity->model);
  g_free (identity->serial);
  g_free (identity->firmware);
  g_free (identity);
}

typedef struct
{
  ClCardPrinter *printer;
  ClPrinterFault fault;
  gboolean card_inside;
  char *message;
} FaultEvent;

static void
fault_event_free (gpointer data)
{
  FaultEvent *event = data;
  g_object_unref (event->printer);
  g_free (event->message);
  g_free (event);
}

static gboolean
fault_dispatch (gpointer data)
{
  FaultEvent *event = data;
  g_signal_emit (event->printer, signals[SIGNAL_FAULT], 0, event->fault, event->card_inside, event->message);
  return G_SOURCE_REMOVE;
}

static void
emit_fault (ClCardPrinter *self, ClPrinterFault fault, gboolean card_inside, const char *message)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  FaultEvent *event = g_new0 (FaultEvent, 1);

  event->printer = g_object_ref (self);
  event->fault = fault;
  event->card_inside = card_inside;
  event->message = g_strdup (message);
  g_main_context_invoke_full (priv->main_context, G_PRIORITY_DEFAULT, fault_dispatch, event, fault_event_free);
}

void
cl_card_printer_set_fault (ClCardPrinter *self, ClPrinterFault fault, GError **error, const char *format, ...)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  priv->fault_pending = TRUE;
  priv->pending_fault = fault;
  g_set_error_literal (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT, message);
}

/* Runs one operation under the lock and turns its failure into a fault event where it is one. */
static gboolean
run_op (ClCardPrinter *self, Op op, gpointer *out, GCancellable *cancellable, GError **error)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  ClCardPrinterClass *klass = CL_CARD_PRINTER_GET_CLASS (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);
  g_autoptr (GError) local = NULL;
  gboolean ok = FALSE;

  priv->fault_pending = FALSE;
  switch (op)
    {
      case OP_IDENTIFY:
        *out = klass->identify (self, cancellable, &local);
        ok = *out != NULL;
        break;
      case OP_STATUS:
        ok = klass->get_status (self, *out, cancellable, &local);
        break;
      case OP_FEED:
        ok = klass->feed_to_contact (self, cancellable, &local);
        if (ok)
          priv->card_inside = TRUE;
        break;
      case OP_EJECT:
        ok = klass->eject (self, cancellable, &local);
        break;
      case OP_REJECT:
        ok = klass->reject (self, cancellable, &local);
        break;
      case OP_RESET:
        ok = klass->reset (self, cancellable, &local);
        break;
      default:
        g_assert_not_reached ();
    }
  if (ok)
    {
      if (op == OP_EJECT || op == OP_REJECT)
        priv->card_inside = FALSE;
      return TRUE;
    }

  if (priv->fault_pending)
    emit_fault (self, priv->pending_fault, priv->card_inside, local->message);
  else if (local->domain == CL_DRIVER_ERROR
           && (local->code == CL_DRIVER_ERROR_NO_READER || local->code == CL_DRIVER_ERROR_TIMEOUT))
    {
      gboolean card_inside = priv->card_inside;

      /* Nobody can say where the card went: it leaves the line as rejected. */
      priv->card_inside = FALSE;
      emit_fault (self, CL_PRINTER_FAULT_COMMUNICATION_LOST, card_inside, local->message);
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", op_names[op]);
  return FALSE;
}

ClPrinterIdentity *
cl_card_printer_identify (ClCardPrinter *self, GCancellable *cancellable, GError **error)
{
  gpointer identity = NULL;

  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), NULL);
  if (!run_op (self, OP_IDENTIFY, &identity, cancellable, error))
    return NULL;
  return identity;
}

gboolean
cl_card_printer_get_status (ClCardPrinter *self, ClPrinterStatus *status, GCancellable *cancellable, GError **error)
{
  gpointer out = status;

  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);
  return run_op (self, OP_STATUS, &out, cancellable, error);
}

gboolean
cl_card_printer_feed_to_contact (ClCardPrinter *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), FALSE);
  return run_op (self, OP_FEED, NULL, cancellable, error);
}

gboolean
cl_card_printer_eject (ClCardPrinter *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), FALSE);
  return run_op (self, OP_EJECT, NULL, cancellable, error);
}

gboolean
cl_card_printer_reject (ClCardPrinter *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), FALSE);
  return run_op (self, OP_REJECT, NULL, cancellable, error);
}

gboolean
cl_card_printer_reset (ClCardPrinter *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), FALSE);
  return run_op (self, OP_RESET, NULL, cancellable, error);
}

static void
op_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Op op = GPOINTER_TO_INT (task_data);
  gpointer out = NULL;
  GError *error = NULL;

  if (!run_op (CL_CARD_PRINTER (source), op, &out, cancellable, &error))
    g_task_return_error (task, error);
  else if (op == OP_IDENTIFY)
    g_task_return_pointer (task, out, (GDestroyNotify)cl_printer_identity_free);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_async (ClCardPrinter *self, Op op, gpointer tag, GCancellable *cancellable, GAsyncReadyCallback callback,
           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, GINT_TO_POINTER (op), NULL);
  /* The reply is what tells whether the card moved: a cancelled move still reports its real outcome. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, op_thread);
}

void
cl_card_printer_identify_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_PRINTER (self));
  run_async (self, OP_IDENTIFY, cl_card_printer_identify_async, cancellable, callback, user_data);
}

ClPrinterIdentity *
cl_card_printer_identify_finish (ClCardPrinter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cl_card_printer_feed_to_contact_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_PRINTER (self));
  run_async (self, OP_FEED, cl_card_printer_feed_to_contact_async, cancellable, callback, user_data);
}

void
cl_card_printer_eject_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_PRINTER (self));
  run_async (self, OP_EJECT, cl_card_printer_eject_async, cancellable, callback, user_data);
}

void
cl_card_printer_reject_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_PRINTER (self));
  run_async (self, OP_REJECT, cl_card_printer_reject_async, cancellable, callback, user_data);
}

void
cl_card_printer_reset_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (CL_IS_CARD_PRINTER (self));
  run_async (self, OP_RESET, cl_card_printer_reset_async, cancellable, callback, user_data);
}

gboolean
cl_card_printer_move_finish (ClCardPrinter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

ClPrinterTransport *
cl_card_printer_get_transport (ClCardPrinter *self)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  g_return_val_if_fail (CL_IS_CARD_PRINTER (self), NULL);
  return priv->transport;
}

guint
cl_card_printer_get_command_timeout (ClCardPrinter *self)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  return priv->command_timeout_ms;
}

guint
cl_card_printer_get_motion_timeout (ClCardPrinter *self)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  return priv->motion_timeout_ms;
}

void
cl_card_printer_set_timeouts (ClCardPrinter *self, guint command_ms, guint motion_ms)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  g_return_if_fail (command_ms > 0 && motion_ms > 0);
  priv->command_timeout_ms = command_ms;
  priv->motion_timeout_ms = motion_ms;
}

gboolean
cl_card_printer_has_card (ClCardPrinter *self)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);
  return priv->card_inside;
}

static void
cl_card_printer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (CL_CARD_PRINTER (object));

  switch (prop_id)
    {
      case PROP_TRANSPORT:
        priv->transport = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_card_printer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (CL_CARD_PRINTER (object));

  switch (prop_id)
    {
      case PROP_TRANSPORT:
        g_value_set_object (value, priv->transport);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_card_printer_finalize (GObject *object)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (CL_CARD_PRINTER (object));

  g_clear_object (&priv->transport);
  g_main_context_unref (priv->main_context);
  g_mutex_clear (&priv->lock);
  G_OBJECT_CLASS (cl_card_printer_parent_class)->finalize (object);
}

static void
cl_card_printer_class_init (ClCardPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = cl_card_printer_set_property;
  object_class->get_property = cl_card_printer_get_property;
  object_class->finalize = cl_card_printer_finalize;

  properties[PROP_TRANSPORT]
    = g_param_spec_object ("transport", NULL, NULL, CL_TYPE_PRINTER_TRANSPORT,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FAULT]
    = g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, G_STRUCT_OFFSET (ClCardPrinterClass, fault),
                    NULL, NULL, NULL, G_TYPE_NONE, 3, CL_TYPE_PRINTER_FAULT, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
cl_card_printer_init (ClCardPrinter *self)
{
  ClCardPrinterPrivate *priv = cl_card_printer_get_instance_private (self);

  g_mutex_init (&priv->lock);
  priv->main_context = g_main_context_ref_thread_default ();
  priv->command_timeout_ms = DEFAULT_COMMAND_TIMEOUT_MS;
  priv->motion_timeout_ms = DEFAULT_MOTION_TIMEOUT_MS;
}
