/* cl-ui.h: entry points of the UI library that are not a widget. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CL_APP_ID "org.cardline.Cardline"

/* Registers the UI resources and types. Call once before building any widget; needs no display. */
void cl_ui_init (void);
/* Keyboard accelerators of the window and application actions. */
void cl_ui_set_accels (GtkApplication *app);

G_END_DECLS
