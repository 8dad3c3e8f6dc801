/* cl-driver-error.h: the error domain of drivers/. SCARD_E_*, libusb and CUPS codes are translated
 * into it once, in the driver that met them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_DRIVER_ERROR (cl_driver_error_quark ())

typedef enum
{
  CL_DRIVER_ERROR_FAILED,
  CL_DRIVER_ERROR_NO_SERVICE,   /* PC/SC daemon, CUPS or USB subsystem not reachable */
  CL_DRIVER_ERROR_NO_READER,    /* reader or printer not found / gone */
  CL_DRIVER_ERROR_NO_CARD,      /* no card present */
  CL_DRIVER_ERROR_CARD_REMOVED, /* the card went away during an operation */
  CL_DRIVER_ERROR_UNRESPONSIVE, /* card mute / no ATR */
  CL_DRIVER_ERROR_TIMEOUT,
  CL_DRIVER_ERROR_CANCELLED,
  CL_DRIVER_ERROR_PROTOCOL,     /* malformed or unexpected reply */
  CL_DRIVER_ERROR_SHARING,      /* reader in use by another process */
  CL_DRIVER_ERROR_DEVICE_FAULT, /* printer mechanics: jam, cover open, feeder empty, ribbon out */
} ClDriverError;

GQuark cl_driver_error_quark (void);

G_END_DECLS
