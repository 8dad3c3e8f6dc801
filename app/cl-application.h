/* cl-application.h: the cardline executable: the window, or the same line headless. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CL_TYPE_APPLICATION (cl_application_get_type ())
G_DECLARE_FINAL_TYPE (ClApplication, cl_application, CL, APPLICATION, AdwApplication)

/* start_time: g_get_monotonic_time() at the top of main(), for the start-up measurement. */
ClApplication *cl_application_new (gint64 start_time);

G_END_DECLS
