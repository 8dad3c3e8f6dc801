#include "core/cl-error.h"

G_DEFINE_QUARK (cardline - error - quark, cl_error)
