/* cl-test-app.h: what the UI tests do with the running app: wait on its main context, sign in through its login
 * dialog, read the store the way the app does (off the UI thread), read the Line view's counters. */
#pragma once

#include "cl-batch-counters-bar.h"
#include "cl-line-view.h"
#include "cl-login-dialog.h"
#include "cl-reader-panel.h"
#include "cl-window.h"
#include "store/cl-store-users.h"

G_BEGIN_DECLS

/* Iterates the main context until cond holds: the app's workers answer through it. Polled, not a blocking iteration,
 * since cond may be set by another thread (cl_test_read_store) without waking the main context. A hung UI fails the
 * test after seconds instead of blocking it; the deadline is never what the wait waits for. */
#define CL_TEST_WAIT_UNTIL_S(cond, seconds)                                                                            \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    gint64 cl_test_deadline = g_get_monotonic_time () + (seconds)*G_USEC_PER_SEC;                                      \
    while (!(cond))                                                                                                    \
      {                                                                                                                \
        if (g_get_monotonic_time () > cl_test_deadline)                                                                \
          g_error ("timed out after %d s waiting for %s", (int)(seconds), #cond);                                      \
        if (!g_main_context_iteration (NULL, FALSE))                                                                   \
          g_usleep (2000);                                                                                             \
      }                                                                                                                \
  }                                                                                                                    \
  G_STMT_END
#define CL_TEST_WAIT_UNTIL(cond) CL_TEST_WAIT_UNTIL_S (cond, 60)

/* Iterates the main context for ms milliseconds. Only for a check that something does not happen (a paused line
 * feeds no card), as the time a wrong implementation gets to show itself; never as a wait for something to happen,
 * which a loaded machine may stretch past any fixed time: wait for that with CL_TEST_WAIT_UNTIL. */
void cl_test_iterate_for (gint64 ms);
/* cl_test_save_screenshot of the window cl_test_run_window drives, where animations are off: the frame it waits for
 * shows the view switched, the header naming it. */
void cl_test_save_view_screenshot (GtkWidget *window, const char *name);

typedef void (*ClTestWindowFunc) (ClWindow *window);
/* Runs app (the real ClApplication, built by the caller) with argv; once it has activated its window, run (window)
 * drives it, with animations off, and the app quits. */
void cl_test_run_window (GApplication *app, int argc, char **argv, ClTestWindowFunc run);

/* Adds user to the store at path before the app opens it. */
void cl_test_add_user (const char *path, const char *user, ClUserRole role, const char *password);

/* The login dialog on show, NULL if none. */
ClLoginDialog *cl_test_find_login_dialog (void);
/* Signs user in through the login dialog, which comes once the app has opened the store; fails the test unless
 * user is then signed in. */
void cl_test_sign_in (ClWindow *window, const char *user, const char *password);

typedef void (*ClTestStoreRead) (ClStore *store, gpointer data);
/* Opens the store at path on a worker thread and runs read (store, data) there, since the UI thread must never block
 * on the store (the app's workers write to it meanwhile); returns when it has, the main context iterated meanwhile
 * (60 s at the most). */
void cl_test_read_store (const char *path, ClTestStoreRead read, gpointer data);
/* For a ClTestStoreRead: the whole-run yield summary of the batch called name; its id in *batch unless NULL. */
ClYieldSummary *cl_test_batch_summary (ClStore *store, const char *name, gint64 *batch);

ClLineView *cl_test_line_view (ClWindow *window);
/* The text the Line view's counters bar shows for which ("fed", "good", "state", …). */
const char *cl_test_bar_text (ClWindow *window, const char *which);
/* The counters bar shows value for which. */
gboolean cl_test_bar_equals (ClWindow *window, const char *which, guint64 value);

/* Starts the rack feeder (tests/sim/cardline-rack-feeder) feeding CARDS-DIR/card-0001.vcard … card-NNNN.vcard, n
 * of them, with cardline-vcard vcard into the readers named names (comma-separated) on the vpcd ports ports, pulling
 * each card once the store at store_path shows its attempt ended or after timeout_s seconds (NULL: the feeder's
 * default). */
GSubprocess *cl_test_spawn_rack_feeder (const char *feeder, const char *vcard, const char *store_path,
                                        const char *ports, const char *names, const char *timeout_s,
                                        const char *cards_dir, guint n);
/* The Line view's station (ClReader) of reader, NULL while it has none; the list keeps it. */
ClReader *cl_test_find_station (ClWindow *window, const char *reader);
/* The panel that shows station, NULL if none. */
ClReaderPanel *cl_test_find_panel (GtkWidget *root, ClReader *station);
/* The text of the panel's label id (one of those it names for tests). */
const char *cl_test_panel_label (ClReaderPanel *panel, const char *id);
/* "RESULT | DETAIL | STEPS": the panel's result as the operator reads it, with cl_test_panel_steps(). */
char *cl_test_panel_result (ClReaderPanel *panel);
/* The step rows the panel shows, "NAME=state[duration]" each, from the widgets themselves. */
char *cl_test_panel_steps (ClReaderPanel *panel);

G_END_DECLS
