#include "cl-driver-error.h"

G_DEFINE_QUARK (cardline - driver - error - quark, cl_driver_error)
