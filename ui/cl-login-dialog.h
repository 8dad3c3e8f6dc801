/* cl-login-dialog.h: the start-up sign-in window. The password is checked on a worker (the KDF is slow by
 * design), the entry is cleared after every attempt, and nothing of it is logged. On success the session is
 * signed in and the dialog closes itself. */
#pragma once

#include <adwaita.h>

#include "cl-session.h"

G_BEGIN_DECLS

#define CL_TYPE_LOGIN_DIALOG (cl_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClLoginDialog, cl_login_dialog, CL, LOGIN_DIALOG, AdwWindow)

ClLoginDialog *cl_login_dialog_new (GtkWindow *parent, ClSession *session);
/* Fills the fields and signs in, as pressing the button would (tests). */
void cl_login_dialog_submit (ClLoginDialog *self, const char *user, const char *password);
/* The message shown after a failed attempt; NULL if none. */
const char *cl_login_dialog_get_error (ClLoginDialog *self);
gboolean cl_login_dialog_get_busy (ClLoginDialog *self);

G_END_DECLS
