#include "cl-usb-transport.h"

#include "cl-usb-error.h"

#define REPLY_BUFFER 512
#define SLICE_MS     100

struct _ClUsbTransport
{
  ClPrinterTransport parent_instance;

  libusb_context *ctx;
  libusb_device_handle *handle;
  libusb_hotplug_callback_handle hotplug;
  gboolean has_hotplug;
  int interface;
  guint8 ep_in, ep_out;
  guint16 product_id;
  gboolean claimed, detached, gone;
  char *description;
};

G_DEFINE_FINAL_TYPE (ClUsbTransport, cl_usb_transport, CL_TYPE_PRINTER_TRANSPORT)

static void LIBUSB_CALL
transfer_done (struct libusb_transfer *transfer)
{
  *(gboolean *)transfer->user_data = TRUE;
}

static int LIBUSB_CALL
device_left (libusb_context *ctx, libusb_device *device, libusb_hotplug_event event, void *user_data)
{
  ClUsbTransport *self = user_data;

  if (self->handle != NULL && device == libusb_get_device (self->handle))
    self->gone = TRUE;
  return 0;
}

/* Runs one bulk transfer to completion, timeout or cancellation; returns the bytes moved or -1. */
static int
bulk (ClUsbTransport *self, guint8 endpoint, guint8 *data, int length, guint timeout_ms, GCancellable *cancellable,
      const char *what, GError **error)
{
  struct libusb_transfer *transfer;
  gboolean done = FALSE, cancel_sent = FALSE;
  int rv, actual;

  if (self->gone)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER, "%s %s: the printer was unplugged", what,
                   self->description);
      return -1;
    }
  transfer = libusb_alloc_transfer (0);
  libusb_fill_bulk_transfer (transfer, self->handle, endpoint, data, length, transfer_done, &done, timeout_ms);
  rv = libusb_submit_transfer (transfer);
  if (rv < 0)
    {
      libusb_free_transfer (transfer);
      if (rv == LIBUSB_ERROR_NO_DEVICE)
        self->gone = TRUE;
      cl_usb_set_error (error, rv, "%s %s", what, self->description);
      return -1;
    }
  while (!done)
    {
      struct timeval tv = { 0, SLICE_MS * 1000 };

      rv = libusb_handle_events_timeout_completed (self->ctx, &tv, &done);
      if ((g_cancellable_is_cancelled (cancellable) || self->gone || rv == LIBUSB_ERROR_NO_DEVICE) && !cancel_sent)
        {
          libusb_cancel_transfer (transfer);
          cancel_sent = TRUE;
        }
    }
  actual = transfer->actual_length;
  if (transfer->status == LIBUSB_TRANSFER_NO_DEVICE)
    self->gone = TRUE;
  if (transfer->status != LIBUSB_TRANSFER_COMPLETED)
    {
      if (self->gone)
        g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER, "%s %s: the printer was unplugged", what,
                     self->description);
      else if (transfer->status == LIBUSB_TRANSFER_TIMED_OUT)
        g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT, "%s %s: nothing within %u ms", what,
                     self->description, timeout_ms);
      else
        cl_usb_set_transfer_error (error, transfer->status, "%s %s", what, self->description);
      libusb_free_transfer (transfer);
      return -1;
    }
  libusb_free_transfer (transfer);
  return actual;
}

static gboolean
cl_usb_transport_send (ClPrinterTransport *transport, GBytes *frame, guint timeout_ms, GCancellable *cancellable,
                       GError **error)
{
  ClUsbTransport *self = CL_USB_TRANSPORT (transport);
  gsize len;
  g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (frame, &len), g_bytes_get_size (frame));
  int n = bulk (self, self->ep_out, data, (int)len, timeout_ms, cancellable, "sending to", error);

  if (n < 0)
    return FALSE;
  if ((gsize)n != len)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "%s took %d of %" G_GSIZE_FORMAT " bytes",
                   self->description, n, len);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
cl_usb_transport_receive (ClPrinterTransport *transport, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  ClUsbTransport *self = CL_USB_TRANSPORT (transport);
  guint8 buf[REPLY_BUFFER];
  int n = bulk (self, self->ep_in, buf, sizeof buf, timeout_ms, cancellable, "waiting for a reply from", error);

  if (n < 0)
    return NULL;
  return g_bytes_new (buf, n);
}

static const char *
cl_usb_transport_describe (ClPrinterTransport *transport)
{
  return CL_USB_TRANSPORT (transport)->description;
}

static void
cl_usb_transport_finalize (GObject *object)
{
  ClUsbTransport *self = CL_USB_TRANSPORT (object);

  if (self->has_hotplug)
    libusb_hotplug_deregister_callback (self->ctx, self->hotplug);
  if (self->handle != NULL)
    {
      if (self->claimed && !self->gone)
        libusb_release_interface (self->handle, self->interface);
      if (self->detached && !self->gone)
        libusb_attach_kernel_driver (self->handle, self->interface);
      libusb_close (self->handle);
    }
  if (self->ctx != NULL)
    libusb_exit (self->ctx);
  g_free (self->description);
  G_OBJECT_CLASS (cl_usb_transport_parent_class)->finalize (object);
}

static void
cl_usb_transport_class_init (ClUsbTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ClPrinterTransportClass *transport_class = CL_PRINTER_TRANSPORT_CLASS (klass);

  object_class->finalize = cl_usb_transport_finalize;
  transport_class->send = cl_usb_transport_send;
  transport_class->receive = cl_usb_transport_receive;
  transport_class->describe = cl_usb_transport_describe;
}

static void
cl_usb_transport_init (ClUsbTransport *self)
{
  self->interface = -1;
}

/* The first interface with one bulk IN and one bulk OUT endpoint: Evolis puts the command channel there. */
static gboolean
find_bulk_interface (ClUsbTransport *self, libusb_device *device, GError **error)
{
  struct libusb_config_descriptor *config = NULL;
  int rv = libusb_get_active_config_descriptor (device, &config);

  if (rv < 0)
    {
      cl_usb_set_error (error, rv, "reading the configuration of %s", self->description);
      return FALSE;
    }
  for (int i = 0; i < config->bNumInterfaces && self->interface < 0; i++)
    for (int a = 0; a < config->interface[i].num_altsetting && self->interface < 0; a++)
      {
        const struct libusb_interface_descriptor *alt = &config->interface[i].altsetting[a];
        guint8 in = 0, out = 0;

        for (int e = 0; e < alt->bNumEndpoints; e++)
          {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
              continue;
            if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN)
              in = in ? in : ep->bEndpointAddress;
            else
              out = out ? out : ep->bEndpointAddress;
          }
        if (in && out)
          self->interface = alt->bInterfaceNumber, self->ep_in = in, self->ep_out = out;
      }
  libusb_free_config_descriptor (config);
  if (self->interface < 0)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL,
                   "%s has no interface with a bulk IN and a bulk OUT endpoint", self->description);
      return FALSE;
    }
  return TRUE;
}

ClPrinterTransport *
cl_usb_transport_new (guint16 vendor_id, guint16 product_id, GError **error)
{
  g_autoptr (ClUsbTransport) self = g_object_new (CL_TYPE_USB_TRANSPORT, NULL);
  libusb_device **list = NULL;
  libusb_device *found = NULL;
  ssize_t count;
  int rv;

  rv = libusb_init (&self->ctx);
  if (rv < 0)
    {
      self->ctx = NULL;
      cl_usb_set_error (error, rv, "initialising libusb");
      return NULL;
    }
  count = libusb_get_device_list (self->ctx, &list);
  if (count < 0)
    {
      cl_usb_set_error (error, (int)count, "listing USB devices");
      return NULL;
    }
  for (ssize_t i = 0; i < count && found == NULL; i++)
    {
      struct libusb_device_descriptor desc;
      if (libusb_get_device_descriptor (list[i], &desc) == 0 && desc.idVendor == vendor_id
          && (product_id == 0 || desc.idProduct == product_id))
        {
          found = libusb_ref_device (list[i]);
          self->product_id = desc.idProduct;
        }
    }
  libusb_free_device_list (list, 1);
  if (found == NULL)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER, "no USB printer %04x:%04x found", vendor_id,
                   product_id);
      return NULL;
    }
  self->description = g_strdup_printf ("printer at usb %03u/%03u %04x:%04x", libusb_get_bus_number (found),
                                       libusb_get_device_address (found), vendor_id, self->product_id);
  if (!find_bulk_interface (self, found, error))
    {
      libusb_unref_device (found);
      return NULL;
    }
  rv = libusb_open (found, &self->handle);
  libusb_unref_device (found);
  if (rv < 0)
    {
      self->handle = NULL;
      cl_usb_set_error (error, rv, "opening %s", self->description);
      return NULL;
    }
  /* usblp binds to printer-class interfaces. Detach only a driver that is bound: libusb's auto-detach asks
   * unconditionally and fails with LIBUSB_ERROR_OTHER where usbdevfs has no USBDEVFS_IOCTL (umockdev's replay),
   * although there is nothing to detach. */
  rv = libusb_kernel_driver_active (self->handle, self->interface);
  if (rv == 1)
    {
      rv = libusb_detach_kernel_driver (self->handle, self->interface);
      if (rv < 0)
        {
          cl_usb_set_error (error, rv, "detaching the kernel driver from interface %d of %s", self->interface,
                            self->description);
          return NULL;
        }
      self->detached = TRUE;
    }
  rv = libusb_claim_interface (self->handle, self->interface);
  if (rv < 0)
    {
      cl_usb_set_error (error, rv, "claiming interface %d of %s", self->interface, self->description);
      return NULL;
    }
  self->claimed = TRUE;
  if (libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
    self->has_hotplug
      = libusb_hotplug_register_callback (self->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0, vendor_id, self->product_id,
                                          LIBUSB_HOTPLUG_MATCH_ANY, device_left, self, &self->hotplug)
        == LIBUSB_SUCCESS;
  return CL_PRINTER_TRANSPORT (g_steal_pointer (&self));
}

guint16
cl_usb_transport_get_product_id (ClUsbTransport *self)
{
  g_return_val_if_fail (CL_IS_USB_TRANSPORT (self), 0);
  return self->product_id;
}

gboolean
cl_usb_transport_is_gone (ClUsbTransport *self)
{
  g_return_val_if_fail (CL_IS_USB_TRANSPORT (self), TRUE);
  return self->gone;
}
