/* cl-session.c: the signed-in user and role gating (cl-session.h). */
#include "cl-session.h"

#include <gio/gio.h>

struct _ClSession
{
  GObject parent_instance;

  ClStore *store;
  char *user;
  ClUserRole role;
  /* Audit records waiting for the worker, oldest first; one at a time so that the trail keeps their order. */
  GQueue audits;
  gboolean auditing;
};

typedef struct
{
  ClStore *store;
  char *actor;
  char *action;
  char *subject;
  char *detail;
} AuditJob;

static void
audit_job_free (AuditJob *job)
{
  g_clear_object (&job->store);
  g_free (job->actor);
  g_free (job->action);
  g_free (job->subject);
  g_free (job->detail);
  g_free (job);
}

G_DEFINE_FINAL_TYPE (ClSession, cl_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_USER,
  PROP_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
cl_role_allows (ClUserRole role, ClPermission permission)
{
  switch (role)
    {
      case CL_ROLE_ADMIN:
        return TRUE;
      case CL_ROLE_SUPERVISOR:
        return permission != CL_PERMISSION_QA_RETEST;
      case CL_ROLE_OPERATOR:
        return permission == CL_PERMISSION_LINE_CONTROL;
      case CL_ROLE_QA:
        return permission == CL_PERMISSION_QA_RETEST || permission == CL_PERMISSION_FACE_REPRINT;
      case CL_ROLE_CUSTODIAN:
      default:
        return FALSE;
    }
}

static void
cl_session_finalize (GObject *object)
{
  ClSession *self = CL_SESSION (object);

  /* Each running audit holds a reference to the session, so only never-started ones can be left. */
  g_queue_clear_full (&self->audits, (GDestroyNotify)audit_job_free);
  g_clear_object (&self->store);
  g_free (self->user);

  G_OBJECT_CLASS (cl_session_parent_class)->finalize (object);
}

static void
cl_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClSession *self = CL_SESSION (object);

  switch (prop_id)
    {
      case PROP_USER:
        g_value_set_string (value, self->user);
        break;
      case PROP_SIGNED_IN:
        g_value_set_boolean (value, self->user != NULL);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_session_class_init (ClSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_session_finalize;
  object_class->get_property = cl_session_get_property;

  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN]
    = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_session_init (ClSession *self)
{
}

ClSession *
cl_session_new (ClStore *store)
{
  ClSession *self = g_object_new (CL_TYPE_SESSION, NULL);

  self->store = store ? g_object_ref (store) : NULL;
  return self;
}

ClStore *
cl_session_get_store (ClSession *self)
{
  g_return_val_if_fail (CL_IS_SESSION (self), NULL);
  return self->store;
}

const char *
cl_session_get_user (ClSession *self)
{
  g_return_val_if_fail (CL_IS_SESSION (self), NULL);
  return self->user;
}

ClUserRole
cl_session_get_role (ClSession *self)
{
  return self->role;
}

gboolean
cl_session_get_signed_in (ClSession *self)
{
  return self->user != NULL;
}

void
cl_session_sign_in (ClSession *self, const char *user, ClUserRole role)
{
  g_return_if_fail (CL_IS_SESSION (self));
  g_return_if_fail (user != NULL);

  g_free (self->user);
  self->user = g_strdup (user);
  self->role = role;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

void
cl_session_sign_out (ClSession *self)
{
  g_return_if_fail (CL_IS_SESSION (self));
  if (self->user == NULL)
    return;
  cl_session_audit (self, "logout", self->user, NULL);
  g_clear_pointer (&self->user, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

gboolean
cl_session_allows (ClSession *self, ClPermission permission)
{
  g_return_val_if_fail (CL_IS_SESSION (self), FALSE);
  return self->user != NULL && cl_role_allows (self->role, permission);
}

static void audit_next (ClSession *self);

static void
audit_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AuditJob *job = task_data;
  GError *error = NULL;

  if (cl_store_audit_append (job->store, job->actor, job->action, job->subject, job->detail, &error) > 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_audited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClSession *self = CL_SESSION (source);
  AuditJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not audit %s by %s: %s", job->action, job->actor, error->message);
  self->auditing = FALSE;
  audit_next (self);
}

static void
audit_next (ClSession *self)
{
  g_autoptr (GTask) task = NULL;
  AuditJob *job;

  if (self->auditing || (job = g_queue_pop_head (&self->audits)) == NULL)
    return;
  self->auditing = TRUE;
  task = g_task_new (self, NULL, on_audited, NULL);
  g_task_set_source_tag (task, cl_session_audit);
  g_task_set_task_data (task, job, (GDestroyNotify)audit_job_free);
  g_task_run_in_thread (task, audit_in_thread);
}

gboolean
cl_session_audit (ClSession *self, const char *action, const char *subject, const char *detail)
{
  AuditJob *job;

  g_return_val_if_fail (CL_IS_SESSION (self), FALSE);
  if (self->store == NULL || self->user == NULL)
    return FALSE;
  /* The append waits for the store's lock and an fsync: never on the UI thread (DESIGN §3 Concurrency). */
  job = g_new0 (AuditJob, 1);
  job->store = g_object_ref (self->store);
  job->actor = g_strdup (self->user);
  job->action = g_strdup (action);
  job->subject = g_strdup (subject);
  job->detail = g_strdup (detail);
  g_queue_push_tail (&self->audits, job);
  audit_next (self);
  return TRUE;
}

guint
cl_session_get_audits_pending (ClSession *self)
{
  g_return_val_if_fail (CL_IS_SESSION (self), 0);
  return g_queue_get_length (&self->audits) + (self->auditing ? 1 : 0);
}
