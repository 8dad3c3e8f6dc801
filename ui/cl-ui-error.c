#include "cl-ui-error.h"

G_DEFINE_QUARK (cardline - ui - error - quark, cl_ui_error)
