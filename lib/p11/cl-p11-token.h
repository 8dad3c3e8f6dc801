/* cl-p11-token.h: one PKCS#11 token (a slot of a loaded module), its sessions and its login.
 *
 * The module is loaded through p11-kit (by path, or by the name of a p11-kit registered module) and
 * initialised with CKF_OS_LOCKING_OK, because several production workers use the token at once. Each
 * operation borrows a read-write session from a pool (ClP11Session), so threads never share a session;
 * the login is per application, as PKCS#11 defines it, and covers every session of the token. */
#pragma once

#include <glib-object.h>
#include <p11-kit/pkcs11.h>

#include "p11/cl-p11-pin.h"

G_BEGIN_DECLS

#define CL_TYPE_P11_TOKEN (cl_p11_token_get_type ())
G_DECLARE_FINAL_TYPE (ClP11Token, cl_p11_token, CL, P11_TOKEN, GObject)

/* module: a path to a PKCS#11 module (contains '/') or a p11-kit module name. label: the token label
 * (CK_TOKEN_INFO.label without padding). Fails with CL_ERROR_NOT_FOUND when no such token is present. */
ClP11Token *cl_p11_token_open (const char *module, const char *label, GError **error);

const char *cl_p11_token_get_label (ClP11Token *self);
CK_SLOT_ID cl_p11_token_get_slot (ClP11Token *self);
CK_FUNCTION_LIST *cl_p11_token_get_functions (ClP11Token *self);

/* Logs the user in. A PIN from pin_func is wiped after use; a wrong PIN gives CL_ERROR_TOKEN with
 * CKR_PIN_INCORRECT in the message (never the PIN). Logging in twice is not an error. */
gboolean cl_p11_token_login (ClP11Token *self, ClP11PinFunc pin_func, gpointer user_data, GError **error);
/* As cl_p11_token_login with the PIN read by cl_p11_pin_read_file (owner-only file). */
gboolean cl_p11_token_login_with_pin_file (ClP11Token *self, const char *pin_file, GError **error);
gboolean cl_p11_token_is_logged_in (ClP11Token *self);

/* Whether the token offers mech with all of flags (CKF_SIGN, CKF_DERIVE, CKF_WRAP ...). */
gboolean cl_p11_token_has_mechanism (ClP11Token *self, CK_MECHANISM_TYPE mech, CK_FLAGS flags);

/* A session borrowed from the token's pool; give it back with cl_p11_session_release (or g_autoptr). */
typedef struct
{
  ClP11Token *token;
  CK_FUNCTION_LIST *f;
  CK_SESSION_HANDLE handle;
} ClP11Session;

ClP11Session *cl_p11_token_acquire_session (ClP11Token *self, GError **error);
void cl_p11_session_release (ClP11Session *session);

/* Bumped by every reconnect: object handles found before it are no longer valid (after a new C_Initialize a
 * handle number may name another object). */
guint cl_p11_token_get_generation (ClP11Token *self);
/* As cl_p11_token_acquire_session, for handles found in generation: CL_ERROR_HSM_LOST if the token has been
 * reconnected since, so that a stale handle is never used. */
ClP11Session *cl_p11_token_acquire_session_for (ClP11Token *self, guint generation, GError **error);

/* The way back after CL_ERROR_HSM_LOST: lends no more sessions, waits (bounded) for those in use to come back,
 * closes them, finalizes and initializes the module again, finds the token by its label and logs in again with
 * the PIN file it was logged in with. Objects must then be looked up again (the generation changed).
 * CL_ERROR_HSM_LOST (or the token's error) while the token is still away; call it again later. */
gboolean cl_p11_token_reconnect (ClP11Token *self, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClP11Session, cl_p11_session_release)

G_END_DECLS
