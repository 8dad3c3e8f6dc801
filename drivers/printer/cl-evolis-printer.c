#include "cl-evolis-printer.h"

#include <string.h>

#include "cl-evolis-reply.h"

const ClPrinterUsbId cl_evolis_printer_usb_ids[] = {
  /* The model is asked with Rtp rather than read from the product ID, so one entry takes the family. */
  { CL_EVOLIS_USB_VENDOR_ID, 0, "Evolis card printer" },
  { 0, 0, NULL },
};

struct _ClEvolisPrinter
{
  ClCardPrinter parent_instance;

  gboolean error_mode_set;
};

G_DEFINE_FINAL_TYPE (ClEvolisPrinter, cl_evolis_printer, CL_TYPE_CARD_PRINTER)

typedef enum
{
  TIMEOUT_COMMAND,
  TIMEOUT_MOTION,
} TimeoutKind;

/* One command and its reply. NACKs become errors here: the mechanical ones as faults, 1/2 as protocol
 * errors that name the command, because they mean the host sent something the printer does not take. */
static gboolean
exchange (ClEvolisPrinter *self, const char *command, TimeoutKind timeout, ClEvolisReply *reply,
          GCancellable *cancellable, GError **error)
{
  ClCardPrinter *printer = CL_CARD_PRINTER (self);
  ClPrinterTransport *transport = cl_card_printer_get_transport (printer);
  guint timeout_ms = timeout == TIMEOUT_MOTION ? cl_card_printer_get_motion_timeout (printer)
                                               : cl_card_printer_get_command_timeout (printer);
  g_autoptr (GBytes) frame = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) local = NULL;
  ClPrinterFault fault;

  frame = g_bytes_new_take (g_strdup_printf ("\x1b%s\r", command), strlen (command) + 2);
  if (!cl_printer_transport_send (transport, frame, cl_card_printer_get_command_timeout (printer), cancellable, error))
    return FALSE;
  answer = cl_printer_transport_receive (transport, timeout_ms, cancellable, &local);
  if (answer == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", command);
      return FALSE;
    }
  if (!cl_evolis_reply_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), reply, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", command);
      return FALSE;
    }
  if (reply->kind != CL_EVOLIS_REPLY_NACK)
    return TRUE;
  if (cl_evolis_nack_fault (reply->nack, &fault))
    cl_card_printer_set_fault (printer, fault, error, "printer refused %s: %s (NACK %c)", command,
                               cl_evolis_nack_meaning (reply->nack), reply->nack);
  else
    g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "printer refused %s: %s (NACK %c)", command,
                 cl_evolis_nack_meaning (reply->nack), reply->nack);
  return FALSE;
}

static gboolean
ensure_error_mode (ClEvolisPrinter *self, GCancellable *cancellable, GError **error)
{
  g_auto (ClEvolisReply) reply = { 0 };

  if (self->error_mode_set)
    return TRUE;
  if (!exchange (self, "Pem;2", TIMEOUT_COMMAND, &reply, cancellable, error))
    return FALSE;
  if (reply.kind != CL_EVOLIS_REPLY_OK)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "Pem;2: expected OK, got \"%s\"",
                   reply.text ? reply.text : "");
      return FALSE;
    }
  self->error_mode_set = TRUE;
  return TRUE;
}

/* A command that must answer OK. */
static gboolean
command_ok (ClEvolisPrinter *self, const char *command, TimeoutKind timeout, GCancellable *cancellable, GError **error)
{
  g_auto (ClEvolisReply) reply = { 0 };

  if (!ensure_error_mode (self, cancellable, error) || !exchange (self, command, timeout, &reply, cancellable, error))
    return FALSE;
  if (reply.kind == CL_EVOLIS_REPLY_OK)
    return TRUE;
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "%s: expected OK, got %s\"%s\"", command,
               reply.kind == CL_EVOLIS_REPLY_ERR ? "ERR " : "", reply.text);
  return FALSE;
}

/* A query that must answer a value (or ERR for the queries that report states that way). */
static gboolean
query (ClEvolisPrinter *self, const char *command, ClEvolisReply *reply, GCancellable *cancellable, GError **error)
{
  if (!ensure_error_mode (self, cancellable, error)
      || !exchange (self, command, TIMEOUT_COMMAND, reply, cancellable, error))
    return FALSE;
  if (reply->kind == CL_EVOLIS_REPLY_OK)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "%s: expected a value, got OK", command);
      return FALSE;
    }
  return TRUE;
}

static char *
query_text (ClEvolisPrinter *self, const char *command, GCancellable *cancellable, GError **error)
{
  g_auto (ClEvolisReply) reply = { 0 };

  if (!query (self, command, &reply, cancellable, error))
    return NULL;
  if (reply.kind != CL_EVOLIS_REPLY_VALUE)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "%s: expected a value, got ERR \"%s\"", command,
                   reply.text);
      return NULL;
    }
  return g_steal_pointer (&reply.text);
}

static ClPrinterIdentity *
cl_evolis_printer_identify (ClCardPrinter *printer, GCancellable *cancellable, GError **error)
{
  ClEvolisPrinter *self = CL_EVOLIS_PRINTER (printer);
  g_autoptr (ClPrinterIdentity) identity = g_new0 (ClPrinterIdentity, 1);

  if ((identity->model = query_text (self, "Rtp", cancellable, error)) == NULL
      || (identity->serial = query_text (self, "Rsn", cancellable, error)) == NULL
      || (identity->firmware = query_text (self, "Rfv", cancellable, error)) == NULL)
    return NULL;
  return g_steal_pointer (&identity);
}

static gboolean
card_position (ClEvolisPrinter *self, ClEvolisCardPosition *position, GCancellable *cancellable, GError **error)
{
  g_auto (ClEvolisReply) reply = { 0 };

  return query (self, "Rlr;p", &reply, cancellable, error) && cl_evolis_parse_card_position (&reply, position, error);
}

static gboolean
cl_evolis_printer_get_status (ClCardPrinter *printer, ClPrinterStatus *status, GCancellable *cancellable,
                              GError **error)
{
  ClEvolisPrinter *self = CL_EVOLIS_PRINTER (printer);
  g_auto (ClEvolisReply) feeder_reply = { 0 };
  g_auto (ClEvolisReply) cover_reply = { 0 };
  g_auto (ClEvolisReply) count_reply = { 0 };
  ClEvolisFeeder feeder;
  ClEvolisCardPosition position;

  if (!query (self, "Sk;f", &feeder_reply, cancellable, error)
      || !cl_evolis_parse_feeder (&feeder_reply, &feeder, error) || !card_position (self, &position, cancellable, error)
      || !query (self, "Rse;o", &cover_reply, cancellable, error)
      || !cl_evolis_parse_sensor (&cover_reply, &status->cover_open, error)
      || !query (self, "Rco;c", &count_reply, cancellable, error)
      || !cl_evolis_parse_counter (&count_reply, &status->card_count, error))
    return FALSE;
  status->feeder = (ClPrinterFeederLevel)feeder;
  switch (position)
    {
      case CL_EVOLIS_CARD_NONE:
        status->card = CL_PRINTER_CARD_NONE;
        break;
      case CL_EVOLIS_CARD_CONTACT:
        status->card = CL_PRINTER_CARD_AT_CONTACT;
        break;
      case CL_EVOLIS_CARD_CONTACTLESS:
        status->card = CL_PRINTER_CARD_AT_CONTACTLESS;
        break;
      case CL_EVOLIS_CARD_ERROR:
      case CL_EVOLIS_CARD_PRINT:
      default:
        status->card = CL_PRINTER_CARD_IN_PATH;
        break;
    }
  return TRUE;
}

static gboolean
cl_evolis_printer_feed_to_contact (ClCardPrinter *printer, GCancellable *cancellable, GError **error)
{
  ClEvolisPrinter *self = CL_EVOLIS_PRINTER (printer);
  ClEvolisCardPosition position;

  if (!command_ok (self, "Sis", TIMEOUT_MOTION, cancellable, error))
    return FALSE;
  /* OK only says the move ended; the card sensor says whether a card is parked there. */
  if (!card_position (self, &position, cancellable, error))
    return FALSE;
  switch (position)
    {
      case CL_EVOLIS_CARD_CONTACT:
        return TRUE;
      case CL_EVOLIS_CARD_NONE:
        cl_card_printer_set_fault (printer, CL_PRINTER_FAULT_CARD_NOT_PRESENT, error,
                                   "Sis answered OK but Rlr;p reports NO CARD at the contact station");
        return FALSE;
      case CL_EVOLIS_CARD_ERROR:
        cl_card_printer_set_fault (printer, CL_PRINTER_FAULT_JAM, error, "after Sis, Rlr;p reports ERR CARD");
        return FALSE;
      case CL_EVOLIS_CARD_CONTACTLESS:
      case CL_EVOLIS_CARD_PRINT:
      default:
        g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL,
                     "after Sis the card is not at the contact station (Rlr;p position %d)", position);
        return FALSE;
    }
}

static gboolean
cl_evolis_printer_eject (ClCardPrinter *printer, GCancellable *cancellable, GError **error)
{
  return command_ok (CL_EVOLIS_PRINTER (printer), "Se", TIMEOUT_MOTION, cancellable, error);
}

static gboolean
cl_evolis_printer_reject (ClCardPrinter *printer, GCancellable *cancellable, GError **error)
{
  return command_ok (CL_EVOLIS_PRINTER (printer), "Ser", TIMEOUT_MOTION, cancellable, error);
}

static gboolean
cl_evolis_printer_reset (ClCardPrinter *printer, GCancellable *cancellable, GError **error)
{
  ClEvolisPrinter *self = CL_EVOLIS_PRINTER (printer);

  if (!command_ok (self, "Srs", TIMEOUT_MOTION, cancellable, error))
    return FALSE;
  /* A reset returns the printer to its default (printer-managed) error mode. */
  self->error_mode_set = FALSE;
  return TRUE;
}

static void
cl_evolis_printer_class_init (ClEvolisPrinterClass *klass)
{
  ClCardPrinterClass *printer_class = CL_CARD_PRINTER_CLASS (klass);

  printer_class->identify = cl_evolis_printer_identify;
  printer_class->get_status = cl_evolis_printer_get_status;
  printer_class->feed_to_contact = cl_evolis_printer_feed_to_contact;
  printer_class->eject = cl_evolis_printer_eject;
  printer_class->reject = cl_evolis_printer_reject;
  printer_class->reset = cl_evolis_printer_reset;
}

static void
cl_evolis_printer_init (ClEvolisPrinter *self)
{
}

ClCardPrinter *
cl_evolis_printer_new (ClPrinterTransport *transport)
{
  g_return_val_if_fail (CL_IS_PRINTER_TRANSPORT (transport), NULL);
  return g_object_new (CL_TYPE_EVOLIS_PRINTER, "transport", transport, NULL);
}
