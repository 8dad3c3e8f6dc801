/* cl-test-widgets.h: what the UI tests do with a real window: find widgets in the tree, wait for a painted
 * frame, save a screenshot as a test artifact. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* First widget in root's tree (root included), depth first, that match accepts; NULL if none. */
GtkWidget *cl_test_find (GtkWidget *root, gboolean (*match) (GtkWidget *widget, gconstpointer data),
                         gconstpointer data);
/* First widget of type in root's tree; NULL if none. */
GtkWidget *cl_test_find_by_type (GtkWidget *root, GType type);
/* First GtkLabel showing exactly text; NULL if none. */
GtkWidget *cl_test_find_label (GtkWidget *root, const char *text);
/* First AdwActionRow titled title (as AdwActionRow *); NULL if none. */
GtkWidget *cl_test_find_row (GtkWidget *root, const char *title);
/* AdwToastOverlay 1.2 has no getter: a shown toast is the overlay's child AdwToastWidget (a private type) with the
 * toast's title as a label. */
gboolean cl_test_overlay_shows_toast (GtkWidget *overlay, const char *text);
/* Fails the test, naming what, unless widget's bounds lie wholly inside outer's (not cut by a window's edge nor
 * scrolled out of a scrolled window) and are not empty. */
void cl_test_assert_inside (GtkWidget *widget, GtkWidget *outer, const char *what);
/* The text of the GtkLabel bound as template child id of widget's template class type. */
const char *cl_test_template_label (GtkWidget *widget, GType type, const char *id);
/* Returns once what was queued on the main context so far has run, window is mapped and a frame has painted it with
 * a non-zero size, and what that frame queued has run. Each of these waits is for the event itself, however long a
 * loaded machine takes; one that takes over 30 s fails the test, naming window. */
void cl_test_wait_for_frame (GtkWidget *window);
/* Saves window, as the frame that painted it (cl_test_wait_for_frame) showed it, into
 * <build>/tests/artifacts/<name>.png and returns that path. */
char *cl_test_save_screenshot (GtkWidget *window, const char *name);

G_END_DECLS
