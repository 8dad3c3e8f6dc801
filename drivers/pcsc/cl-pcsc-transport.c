#include "cl-pcsc-transport.h"

#include <reader.h>
#include <string.h>
#include <winscard.h>

#include "cl-pcsc-context.h"
#include "cl-pcsc-error.h"

/* Extended APDU response: 65536 data bytes + SW. */
#define MAX_RESPONSE (65536 + 2)
/* The largest short APDU command (header, Lc, 255 data bytes, Le); a reader taking more passes extended ones. */
#define MAX_SHORT_COMMAND 261

struct _ClPcscTransport
{
  GObject parent_instance;

  GMutex lock; /* one exchange at a time; disconnect waits for it */
  SCARDCONTEXT context;
  SCARDHANDLE card;
  gboolean connected;
  char *reader;
  DWORD protocol;
  DWORD share; /* a reset reconnects the way the card was connected */
  GBytes *atr;
  gboolean extended;
};

static void cl_pcsc_transport_iface_init (ClTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClPcscTransport, cl_pcsc_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_pcsc_transport_iface_init))

static void
disconnect_locked (ClPcscTransport *self, gboolean reset)
{
  gboolean reached = FALSE;

  if (self->connected)
    {
      /* The card may already be gone; nothing useful to do with an error here. */
      reached = SCardDisconnect (self->card, reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD) == SCARD_S_SUCCESS;
      self->connected = FALSE;
    }
  if (self->context != 0)
    {
      if (reached)
        cl_pcsc_context_give_back (self->context);
      else
        SCardReleaseContext (self->context);
      self->context = 0;
    }
}

/* pcscd dying under a call does not always say so: libpcsclite has answered a BeginTransaction cut off by the
 * crash with SCARD_W_SECURITY_VIOLATION, and a transmit cut off with an empty answer. Whether the daemon that
 * holds this connection is still there decides whom a failure blames. It is asked through the connection itself:
 * a pcscd that was restarted meanwhile answers a fresh context, but not a handle of the one that died. */
static void
blame_lost_service (ClPcscTransport *self, GError **error)
{
  char reader[MAX_READERNAME];
  DWORD reader_len = sizeof reader, state = 0, protocol = 0, atr_len = MAX_ATR_SIZE;
  BYTE atr[MAX_ATR_SIZE];
  SCARDCONTEXT probe;
  LONG rv;
  GError *lost;

  if (error == NULL || *error == NULL || g_error_matches (*error, CL_ERROR, CL_ERROR_SERVICE_LOST))
    return;
  rv = SCardStatus (self->card, reader, &reader_len, &state, &protocol, atr, &atr_len);
  if (!cl_pcsc_context_service_gone (rv))
    {
      rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &probe);
      if (rv == SCARD_S_SUCCESS)
        SCardReleaseContext (probe);
    }
  if (!cl_pcsc_context_service_gone (rv))
    return;
  lost = g_error_new (CL_ERROR, CL_ERROR_SERVICE_LOST, "%s; the PC/SC service is gone", (*error)->message);
  g_clear_error (error);
  g_propagate_error (error, lost);
}

static GBytes *
cl_pcsc_transport_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClPcscTransport *self = CL_PCSC_TRANSPORT (transport);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autofree guint8 *response = NULL;
  const SCARD_IO_REQUEST *pci;
  DWORD response_len = MAX_RESPONSE;
  gsize command_len;
  const guint8 *command_data = g_bytes_get_data (command, &command_len);
  LONG rv;

  if (!self->connected)
    {
      /* Whoever disconnected us (the line, on the card's removal or a stop) let the card go. */
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "transport to %s is disconnected", self->reader);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* On a shared connection, held for this one exchange only, so that another process cannot slip a command
   * between ours and its response. An exclusive connection already keeps every other handle off the card (pcscd
   * refuses them), so a transaction would add only two round trips to pcscd per APDU: two thirds of the PC/SC
   * client's system calls per card, and of pcscd's work for a full rack (issue 14). */
  if (self->share == SCARD_SHARE_SHARED)
    {
      rv = SCardBeginTransaction (self->card);
      if (!cl_pcsc_check_transport (rv, error, "cannot start a transaction with the card in %s", self->reader))
        {
          blame_lost_service (self, error);
          return NULL;
        }
    }

  pci = self->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  response = g_malloc (MAX_RESPONSE);
  rv = SCardTransmit (self->card, pci, command_data, (DWORD)command_len, NULL, response, &response_len);
  /* A transaction on a removed card cannot be ended; that is no news. */
  if (self->share == SCARD_SHARE_SHARED)
    SCardEndTransaction (self->card, SCARD_LEAVE_CARD);
  if (!cl_pcsc_check_transport (rv, error, "transmitting a %" G_GSIZE_FORMAT "-byte APDU to the card in %s",
                                command_len, self->reader))
    {
      blame_lost_service (self, error);
      return NULL;
    }
  if (response_len < 2 || response_len > MAX_RESPONSE)
    {
      /* vpcd (and some readers) pass on a card that went silent mid-command as an empty answer */
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED,
                   "the card in %s answered %lu bytes, too short for a status word (mute, torn or pulled)",
                   self->reader, (unsigned long)response_len);
      /* ...or pcscd died mid-command and the answer was cut off with it */
      blame_lost_service (self, error);
      return NULL;
    }
  return g_bytes_new (response, response_len);
}

static GBytes *
cl_pcsc_transport_get_atr (ClTransport *transport)
{
  ClPcscTransport *self = CL_PCSC_TRANSPORT (transport);
  return self->atr ? g_bytes_ref (self->atr) : NULL;
}

static gboolean
cl_pcsc_transport_supports_extended (ClTransport *transport)
{
  return CL_PCSC_TRANSPORT (transport)->extended;
}

static gboolean read_atr (ClPcscTransport *self, GError **error);

static GBytes *
cl_pcsc_transport_reset (ClTransport *transport, GCancellable *cancellable, GError **error)
{
  ClPcscTransport *self = CL_PCSC_TRANSPORT (transport);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GError) local = NULL;
  DWORD protocol = 0;
  LONG rv;

  if (!self->connected)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "transport to %s is disconnected", self->reader);
      return NULL;
    }
  rv = SCardReconnect (self->card, self->share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &protocol);
  if (!cl_pcsc_check_transport (rv, error, "resetting the card in %s", self->reader))
    {
      blame_lost_service (self, error);
      return NULL;
    }
  self->protocol = protocol;
  g_clear_pointer (&self->atr, g_bytes_unref);
  if (!read_atr (self, &local))
    {
      /* read_atr speaks the driver's domain; a card that gives no ATR after a reset is gone as far as we know */
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "no ATR from the card in %s after a reset: %s", self->reader,
                   local->message);
      return NULL;
    }
  return g_bytes_ref (self->atr);
}

static void
cl_pcsc_transport_iface_init (ClTransportInterface *iface)
{
  iface->reset = cl_pcsc_transport_reset;
  iface->transmit = cl_pcsc_transport_transmit;
  iface->get_atr = cl_pcsc_transport_get_atr;
  iface->supports_extended = cl_pcsc_transport_supports_extended;
}

static void
cl_pcsc_transport_finalize (GObject *object)
{
  ClPcscTransport *self = CL_PCSC_TRANSPORT (object);

  disconnect_locked (self, FALSE);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_free (self->reader);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cl_pcsc_transport_parent_class)->finalize (object);
}

static void
cl_pcsc_transport_class_init (ClPcscTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_pcsc_transport_finalize;
}

static void
cl_pcsc_transport_init (ClPcscTransport *self)
{
  g_mutex_init (&self->lock);
}

/* Readers that report their input buffer size tell us whether extended APDUs fit; the others (vpcd among
 * them) get short APDUs only, which every card understands. */
static gboolean
query_extended (ClPcscTransport *self)
{
  guint8 value[8] = { 0 };
  DWORD len = sizeof value;
  guint32 max_input = 0;

  if (SCardGetAttrib (self->card, SCARD_ATTR_MAXINPUT, value, &len) != SCARD_S_SUCCESS || len == 0 || len > 4)
    return FALSE;
  for (DWORD i = 0; i < len; i++)
    max_input |= (guint32)value[i] << (8 * i);
  return max_input > MAX_SHORT_COMMAND;
}

static gboolean
read_atr (ClPcscTransport *self, GError **error)
{
  char name[MAX_READERNAME];
  DWORD name_len = sizeof name;
  DWORD state = 0, protocol = 0;
  guint8 atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr;
  LONG rv;

  rv = SCardStatus (self->card, name, &name_len, &state, &protocol, atr, &atr_len);
  if (!cl_pcsc_check (rv, error, "cannot read the ATR of the card in %s", self->reader))
    return FALSE;
  self->atr = g_bytes_new (atr, atr_len);
  return TRUE;
}

ClPcscTransport *
cl_pcsc_transport_connect_full (const char *reader, ClPcscConnectFlags flags, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClPcscTransport) self = NULL;
  DWORD share = (flags & CL_PCSC_CONNECT_SHARED) ? SCARD_SHARE_SHARED : SCARD_SHARE_EXCLUSIVE;
  LONG rv;

  g_return_val_if_fail (reader != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  self = g_object_new (CL_TYPE_PCSC_TRANSPORT, NULL);
  self->reader = g_strdup (reader);

  self->share = share;
  self->context = cl_pcsc_context_take ();
  if (self->context != 0)
    {
      rv = SCardConnect (self->context, reader, share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &self->card,
                         &self->protocol);
      if (rv == SCARD_S_SUCCESS)
        goto connected;
      /* whatever the reason, this card is tried again on a fresh context; a kept one the daemon no longer knows
       * means that every kept one is stale */
      SCardReleaseContext (self->context);
      self->context = 0;
      if (cl_pcsc_context_is_stale (rv))
        cl_pcsc_context_drop_all ();
    }
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &self->context);
  if (!cl_pcsc_check (rv, error, "cannot reach the PC/SC service to connect to %s", reader))
    {
      self->context = 0;
      return NULL;
    }
  rv = SCardConnect (self->context, reader, share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &self->card, &self->protocol);
  if (!cl_pcsc_check (rv, error, "cannot connect to the card in %s", reader))
    return NULL;
connected:
  self->connected = TRUE;
  if (!read_atr (self, error))
    return NULL;
  self->extended = query_extended (self);
  return g_steal_pointer (&self);
}

ClPcscTransport *
cl_pcsc_transport_connect (const char *reader, GCancellable *cancellable, GError **error)
{
  return cl_pcsc_transport_connect_full (reader, CL_PCSC_CONNECT_EXCLUSIVE, cancellable, error);
}

void
cl_pcsc_transport_disconnect (ClPcscTransport *self, gboolean reset)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_if_fail (CL_IS_PCSC_TRANSPORT (self));
  locker = g_mutex_locker_new (&self->lock);
  disconnect_locked (self, reset);
}

const char *
cl_pcsc_transport_get_reader (ClPcscTransport *self)
{
  g_return_val_if_fail (CL_IS_PCSC_TRANSPORT (self), NULL);
  return self->reader;
}

guint
cl_pcsc_transport_get_protocol (ClPcscTransport *self)
{
  g_return_val_if_fail (CL_IS_PCSC_TRANSPORT (self), 0);
  return self->protocol == SCARD_PROTOCOL_T0 ? 0 : 1;
}
