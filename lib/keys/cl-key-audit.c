#include "keys/cl-key-audit.h"

#include "core/cl-error.h"

struct _ClKeyAudit
{
  GObject parent_instance;
  ClStore *store;
};

G_DEFINE_FINAL_TYPE (ClKeyAudit, cl_key_audit, G_TYPE_OBJECT)

static void
cl_key_audit_finalize (GObject *object)
{
  ClKeyAudit *self = CL_KEY_AUDIT (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (cl_key_audit_parent_class)->finalize (object);
}

static void
cl_key_audit_class_init (ClKeyAuditClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_key_audit_finalize;
}

static void
cl_key_audit_init (ClKeyAudit *self)
{
}

const char *
cl_key_audit_default_actor (void)
{
  return g_get_user_name ();
}

ClKeyAudit *
cl_key_audit_new_for_store (ClStore *store)
{
  ClKeyAudit *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  self = g_object_new (CL_TYPE_KEY_AUDIT, NULL);
  self->store = g_object_ref (store);
  return self;
}

ClKeyAudit *
cl_key_audit_new (const char *path, GError **error)
{
  g_autoptr (ClStore) store = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  store = cl_store_open (path, error);
  if (store == NULL)
    {
      g_prefix_error (error, "key audit: ");
      return NULL;
    }
  return cl_key_audit_new_for_store (store);
}

ClStore *
cl_key_audit_get_store (ClKeyAudit *self)
{
  return self->store;
}

gboolean
cl_key_audit_record (ClKeyAudit *self, const char *actor, const char *action, const char *subject, const char *details,
                     GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_AUDIT (self), FALSE);
  /* the store appends under its own lock in one durable transaction, so no lock is needed here */
  return cl_store_audit_append (self->store, actor != NULL && *actor != '\0' ? actor : cl_key_audit_default_actor (),
                                action, subject, details, error)
         > 0;
}

gboolean
cl_key_audit_verify (const char *path, guint *n_records, GError **error)
{
  g_autoptr (ClStore) store = NULL;
  guint64 n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "key audit: no store at %s", path);
      return FALSE;
    }
  store = cl_store_open (path, error);
  if (store == NULL || !cl_store_verify_audit_chain (store, &n, error))
    return FALSE;
  if (n_records != NULL)
    *n_records = (guint)MIN (n, G_MAXUINT);
  return TRUE;
}
