/* cl-session.c: the signed-in user and role gating (cl-session.h). */
#include "cl-session.h"

struct _ClSession
{
  GObject parent_instance;

  ClStore *store;
  char *user;
  ClUserRole role;
};

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
        return permission == CL_PERMISSION_QA_RETEST;
      case CL_ROLE_CUSTODIAN:
      default:
        return FALSE;
    }
}

static void
cl_session_finalize (GObject *object)
{
  ClSession *self = CL_SESSION (object);

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

gboolean
cl_session_audit (ClSession *self, const char *action, const char *subject, const char *detail)
{
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (CL_IS_SESSION (self), FALSE);
  if (self->store == NULL || self->user == NULL)
    return FALSE;
  if (cl_store_audit_append (self->store, self->user, action, subject, detail, &error) <= 0)
    {
      g_warning ("Could not audit %s by %s: %s", action, self->user, error ? error->message : "?");
      return FALSE;
    }
  return TRUE;
}
