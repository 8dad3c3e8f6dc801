#include "p11/cl-p11-token.h"

#include <string.h>
#include <p11-kit/p11-kit.h>

#include "core/cl-error.h"
#include "p11/cl-p11-error.h"

struct _ClP11Token
{
  GObject parent_instance;

  CK_FUNCTION_LIST *f;
  gboolean initialized;
  CK_SLOT_ID slot;
  char *label;
  GArray *mechanisms;      /* CK_MECHANISM_TYPE */
  GArray *mechanism_flags; /* CK_FLAGS, parallel to mechanisms */

  GMutex lock;
  GCond returned;          /* a borrowed session came back */
  GQueue idle_sessions;    /* CK_SESSION_HANDLE *, owned by all_sessions */
  GPtrArray *all_sessions; /* every session opened, closed on finalize */
  gboolean logged_in;
  char *pin_file; /* where the PIN came from, so that a reconnect can log in again (never the PIN) */
  guint borrowed; /* sessions out of the pool */
  gboolean down;  /* a reconnect is under way or failed: no session is lent */
  guint generation;
};

G_DEFINE_FINAL_TYPE (ClP11Token, cl_p11_token, G_TYPE_OBJECT)

static void
cl_p11_token_finalize (GObject *object)
{
  ClP11Token *self = CL_P11_TOKEN (object);

  if (self->f != NULL)
    {
      for (guint i = 0; i < self->all_sessions->len; i++)
        self->f->C_CloseSession (*(CK_SESSION_HANDLE *)g_ptr_array_index (self->all_sessions, i));
      if (self->initialized)
        self->f->C_Finalize (NULL);
      p11_kit_module_release (self->f);
    }
  g_queue_clear (&self->idle_sessions);
  g_ptr_array_unref (self->all_sessions);
  g_array_unref (self->mechanisms);
  g_array_unref (self->mechanism_flags);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->returned);
  g_free (self->label);
  g_free (self->pin_file);

  G_OBJECT_CLASS (cl_p11_token_parent_class)->finalize (object);
}

static void
cl_p11_token_class_init (ClP11TokenClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_p11_token_finalize;
}

static void
cl_p11_token_init (ClP11Token *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->returned);
  g_queue_init (&self->idle_sessions);
  self->all_sessions = g_ptr_array_new_with_free_func (g_free);
  self->mechanisms = g_array_new (FALSE, FALSE, sizeof (CK_MECHANISM_TYPE));
  self->mechanism_flags = g_array_new (FALSE, FALSE, sizeof (CK_FLAGS));
}

static char *
padded_to_string (const CK_UTF8CHAR *text, gsize len)
{
  while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\0'))
    len--;
  return g_strndup ((const char *)text, len);
}

/* A p11-kit name is resolved to its file, then loaded on its own: loading every registered module just
 * to keep one would initialise modules the station never uses. */
static CK_FUNCTION_LIST *
load_module (const char *module, GError **error)
{
  CK_FUNCTION_LIST *f;

  if (strchr (module, '/') == NULL)
    {
      CK_FUNCTION_LIST **all = p11_kit_modules_load (NULL, 0);
      CK_FUNCTION_LIST *found = all != NULL ? p11_kit_module_for_name (all, module) : NULL;
      g_autofree char *path = found != NULL ? p11_kit_module_get_filename (found) : NULL;

      if (all != NULL)
        p11_kit_modules_release (all);
      if (path == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No p11-kit module named \"%s\" is registered", module);
          return NULL;
        }
      return load_module (path, error);
    }

  /* Managed by p11-kit: C_Initialize/C_Finalize are reference counted per caller, so two ClP11Tokens on
   * one module (or a library in the same process) do not finalize each other. */
  f = p11_kit_module_load (module, 0);
  if (f == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Cannot load PKCS#11 module %s: %s", module,
                 p11_kit_message () != NULL ? p11_kit_message () : "unknown reason");
  return f;
}

static gboolean
find_slot (ClP11Token *self, const char *label, GError **error)
{
  g_autofree CK_SLOT_ID *slots = NULL;
  CK_ULONG count = 0;
  CK_RV rv;

  rv = self->f->C_GetSlotList (CK_TRUE, NULL, &count);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "C_GetSlotList");
  slots = g_new0 (CK_SLOT_ID, MAX (count, 1));
  rv = self->f->C_GetSlotList (CK_TRUE, slots, &count);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "C_GetSlotList");

  for (CK_ULONG i = 0; i < count; i++)
    {
      CK_TOKEN_INFO info;
      g_autofree char *this_label = NULL;

      if (self->f->C_GetTokenInfo (slots[i], &info) != CKR_OK)
        continue;
      this_label = padded_to_string (info.label, sizeof info.label);
      if (g_strcmp0 (this_label, label) == 0)
        {
          if ((info.flags & CKF_TOKEN_INITIALIZED) == 0)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "PKCS#11 token \"%s\" is not initialised", label);
              return FALSE;
            }
          self->slot = slots[i];
          return TRUE;
        }
    }
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No PKCS#11 token labelled \"%s\" (%lu tokens present)", label,
               (unsigned long)count);
  return FALSE;
}

static void
load_mechanisms (ClP11Token *self)
{
  g_autofree CK_MECHANISM_TYPE *list = NULL;
  CK_ULONG count = 0;

  if (self->f->C_GetMechanismList (self->slot, NULL, &count) != CKR_OK || count == 0)
    return;
  list = g_new0 (CK_MECHANISM_TYPE, count);
  if (self->f->C_GetMechanismList (self->slot, list, &count) != CKR_OK)
    return;
  for (CK_ULONG i = 0; i < count; i++)
    {
      CK_MECHANISM_INFO info = { 0 };
      if (self->f->C_GetMechanismInfo (self->slot, list[i], &info) != CKR_OK)
        continue;
      g_array_append_val (self->mechanisms, list[i]);
      g_array_append_val (self->mechanism_flags, info.flags);
    }
}

ClP11Token *
cl_p11_token_open (const char *module, const char *label, GError **error)
{
  g_autoptr (ClP11Token) self = NULL;
  CK_C_INITIALIZE_ARGS args = { 0 };
  CK_RV rv;

  g_return_val_if_fail (module != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  self = g_object_new (CL_TYPE_P11_TOKEN, NULL);
  self->f = load_module (module, error);
  if (self->f == NULL)
    return NULL;

  args.flags = CKF_OS_LOCKING_OK;
  rv = self->f->C_Initialize (&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    {
      cl_p11_set_error (error, rv, "C_Initialize of PKCS#11 module %s", module);
      return NULL;
    }
  self->initialized = rv == CKR_OK;

  if (!find_slot (self, label, error))
    return NULL;
  self->label = g_strdup (label);
  load_mechanisms (self);
  return g_steal_pointer (&self);
}

const char *
cl_p11_token_get_label (ClP11Token *self)
{
  g_return_val_if_fail (CL_IS_P11_TOKEN (self), NULL);
  return self->label;
}

CK_SLOT_ID
cl_p11_token_get_slot (ClP11Token *self)
{
  g_return_val_if_fail (CL_IS_P11_TOKEN (self), 0);
  return self->slot;
}

CK_FUNCTION_LIST *
cl_p11_token_get_functions (ClP11Token *self)
{
  g_return_val_if_fail (CL_IS_P11_TOKEN (self), NULL);
  return self->f;
}

gboolean
cl_p11_token_has_mechanism (ClP11Token *self, CK_MECHANISM_TYPE mech, CK_FLAGS flags)
{
  g_return_val_if_fail (CL_IS_P11_TOKEN (self), FALSE);

  for (guint i = 0; i < self->mechanisms->len; i++)
    if (g_array_index (self->mechanisms, CK_MECHANISM_TYPE, i) == mech)
      return (g_array_index (self->mechanism_flags, CK_FLAGS, i) & flags) == flags;
  return FALSE;
}

ClP11Session *
cl_p11_token_acquire_session (ClP11Token *self, GError **error)
{
  ClP11Session *session;
  CK_SESSION_HANDLE *handle;

  g_return_val_if_fail (CL_IS_P11_TOKEN (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->down)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, CL_ERROR, CL_ERROR_HSM_LOST, "PKCS#11 token \"%s\" is being reconnected", self->label);
      return NULL;
    }
  /* counted before the call, so that a reconnect never finalizes the module under it */
  self->borrowed++;
  handle = g_queue_pop_head (&self->idle_sessions);
  g_mutex_unlock (&self->lock);

  if (handle == NULL)
    {
      CK_SESSION_HANDLE h;
      CK_RV rv = self->f->C_OpenSession (self->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h);
      if (rv != CKR_OK)
        {
          cl_p11_set_error (error, rv, "C_OpenSession on token \"%s\"", self->label);
          g_mutex_lock (&self->lock);
          self->borrowed--;
          if (self->down)
            g_cond_broadcast (&self->returned);
          g_mutex_unlock (&self->lock);
          return NULL;
        }
      handle = g_new (CK_SESSION_HANDLE, 1);
      *handle = h;
      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->all_sessions, handle);
      g_mutex_unlock (&self->lock);
    }

  session = g_new0 (ClP11Session, 1);
  session->token = g_object_ref (self);
  session->f = self->f;
  session->handle = *handle;
  return session;
}

void
cl_p11_session_release (ClP11Session *session)
{
  ClP11Token *self;

  if (session == NULL)
    return;
  self = session->token;

  /* Pool sessions stay open: session objects (derived card keys) live as long as the session that made them. */
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->all_sessions->len; i++)
    {
      CK_SESSION_HANDLE *handle = g_ptr_array_index (self->all_sessions, i);
      if (*handle == session->handle)
        {
          g_queue_push_head (&self->idle_sessions, handle);
          break;
        }
    }
  self->borrowed--;
  /* Only a reconnect waits for sessions to come back, and it marks the token down first (under this lock). GLib's
   * broadcast is a futex system call whether anyone waits or not: one per HSM operation of every card otherwise. */
  if (self->down)
    g_cond_broadcast (&self->returned);
  g_mutex_unlock (&self->lock);

  g_object_unref (self);
  g_free (session);
}

static gboolean
login_with_pin (ClP11Token *self, const char *pin, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  CK_RV rv;

  session = cl_p11_token_acquire_session (self, error);
  if (session == NULL)
    return FALSE;
  rv = self->f->C_Login (session->handle, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen (pin));
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
    return cl_p11_set_error (error, rv, "Login to token \"%s\"", self->label);
  g_mutex_lock (&self->lock);
  self->logged_in = TRUE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
cl_p11_token_login (ClP11Token *self, ClP11PinFunc pin_func, gpointer user_data, GError **error)
{
  char *pin;
  gboolean ok;

  g_return_val_if_fail (CL_IS_P11_TOKEN (self), FALSE);
  g_return_val_if_fail (pin_func != NULL, FALSE);

  if (cl_p11_token_is_logged_in (self))
    return TRUE;
  pin = pin_func (self->label, user_data, error);
  if (pin == NULL)
    return FALSE;
  ok = login_with_pin (self, pin, error);
  cl_p11_pin_free (pin);
  return ok;
}

static char *
pin_from_file (const char *token_label, gpointer user_data, GError **error)
{
  return cl_p11_pin_read_file (user_data, error);
}

gboolean
cl_p11_token_login_with_pin_file (ClP11Token *self, const char *pin_file, GError **error)
{
  g_return_val_if_fail (pin_file != NULL, FALSE);
  if (!cl_p11_token_login (self, pin_from_file, (gpointer)pin_file, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->pin_file == NULL)
    self->pin_file = g_strdup (pin_file);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
cl_p11_token_is_logged_in (ClP11Token *self)
{
  gboolean logged_in;

  g_return_val_if_fail (CL_IS_P11_TOKEN (self), FALSE);
  g_mutex_lock (&self->lock);
  logged_in = self->logged_in;
  g_mutex_unlock (&self->lock);
  return logged_in;
}

guint
cl_p11_token_get_generation (ClP11Token *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->generation;
}

ClP11Session *
cl_p11_token_acquire_session_for (ClP11Token *self, guint generation, GError **error)
{
  g_return_val_if_fail (CL_IS_P11_TOKEN (self), NULL);

  /* a handle from before a reconnect may name another object now: never use it */
  if (generation != cl_p11_token_get_generation (self))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_HSM_LOST,
                   "PKCS#11 token \"%s\" was reconnected: its objects must be looked up again", self->label);
      return NULL;
    }
  return cl_p11_token_acquire_session (self, error);
}

/* How long a reconnect waits for the sessions in use to come back: each is one PKCS#11 call, which a token that
 * went away fails at once and a live one finishes in far less. */
#define RECONNECT_DRAIN_S 30

static gboolean
reopen_locked (ClP11Token *self, GError **error)
{
  CK_C_INITIALIZE_ARGS args = { 0 };
  CK_RV rv;

  /* Closing what is left, then finalizing: a module that lost its token (SoftHSM2 whose token directory went
   * away, a vendor module after a network HSM restarted) only finds it again on a new C_Initialize. */
  if (self->initialized)
    {
      for (guint i = 0; i < self->all_sessions->len; i++)
        self->f->C_CloseSession (*(CK_SESSION_HANDLE *)g_ptr_array_index (self->all_sessions, i));
      self->f->C_Finalize (NULL);
      self->initialized = FALSE;
    }
  g_queue_clear (&self->idle_sessions);
  g_ptr_array_set_size (self->all_sessions, 0);
  self->logged_in = FALSE;
  self->generation++;

  args.flags = CKF_OS_LOCKING_OK;
  rv = self->f->C_Initialize (&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
    return cl_p11_set_error (error, rv, "C_Initialize while reconnecting token \"%s\"", self->label);
  self->initialized = rv == CKR_OK;
  return find_slot (self, self->label, error);
}

gboolean
cl_p11_token_reconnect (ClP11Token *self, GError **error)
{
  g_autofree char *pin_file = NULL;
  gint64 deadline = g_get_monotonic_time () + RECONNECT_DRAIN_S * G_USEC_PER_SEC;
  gboolean ok;

  g_return_val_if_fail (CL_IS_P11_TOKEN (self), FALSE);

  g_mutex_lock (&self->lock);
  self->down = TRUE;
  while (self->borrowed > 0)
    if (!g_cond_wait_until (&self->returned, &self->lock, deadline))
      {
        g_mutex_unlock (&self->lock);
        g_set_error (error, CL_ERROR, CL_ERROR_HSM_LOST,
                     "PKCS#11 token \"%s\": %u sessions still in use after %d s, not reconnected", self->label,
                     self->borrowed, RECONNECT_DRAIN_S);
        return FALSE;
      }
  ok = reopen_locked (self, error);
  pin_file = g_strdup (self->pin_file);
  if (ok)
    self->down = FALSE;
  g_mutex_unlock (&self->lock);
  if (!ok)
    return FALSE;
  if (pin_file == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_HSM_LOST,
                   "PKCS#11 token \"%s\" is back but was logged in by a prompt: restart the station to log in",
                   self->label);
      return FALSE;
    }
  return cl_p11_token_login_with_pin_file (self, pin_file, error);
}
