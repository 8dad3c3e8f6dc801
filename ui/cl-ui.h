/* cl-ui.h: entry points of the UI library that are not a widget. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CL_APP_ID "org.cardline.Cardline"

/* Registers the UI resources and types. Call once before building any widget; needs no display. */
void cl_ui_init (void);
/* Keyboard accelerators of the window and application actions. */
void cl_ui_set_accels (GtkApplication *app);
/* Gives drop_down's inner button, which is what takes the focus, the drop-down's accessible label. GTK 4.8
 * leaves that button unnamed, so a screen reader reads it out by its type name, "GtkToggleButton". */
void cl_ui_name_drop_down_button (GtkDropDown *drop_down);

G_END_DECLS
