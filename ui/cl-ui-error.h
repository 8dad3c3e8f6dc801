/* cl-ui-error.h: the error domain of ui/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_UI_ERROR (cl_ui_error_quark ())

typedef enum
{
  CL_UI_ERROR_FAILED,
  CL_UI_ERROR_NOT_ALLOWED, /* the signed-in role may not do this */
  CL_UI_ERROR_EXPORT,      /* a report could not be written */
} ClUiError;

GQuark cl_ui_error_quark (void);

G_END_DECLS
