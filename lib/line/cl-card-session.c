#include "line/cl-card-session.h"

struct _ClCardSession
{
  GObject parent_instance;

  ClFeeder *feeder;
  ClFeederCard *card;
  ClTransport *transport;
};

G_DEFINE_FINAL_TYPE (ClCardSession, cl_card_session, G_TYPE_OBJECT)

static void
cl_card_session_dispose (GObject *object)
{
  ClCardSession *self = CL_CARD_SESSION (object);

  if (self->transport != NULL)
    cl_feeder_release (self->feeder, self->card, self->transport);
  g_clear_object (&self->transport);
  g_clear_object (&self->card);
  g_clear_object (&self->feeder);
  G_OBJECT_CLASS (cl_card_session_parent_class)->dispose (object);
}

static void
cl_card_session_class_init (ClCardSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_card_session_dispose;
}

static void
cl_card_session_init (ClCardSession *self)
{
}

ClCardSession *
cl_card_session_new (ClFeeder *feeder, ClFeederCard *card, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClTransport) transport = NULL;
  ClCardSession *self;

  g_return_val_if_fail (CL_IS_FEEDER (feeder), NULL);
  g_return_val_if_fail (CL_IS_FEEDER_CARD (card), NULL);

  transport = cl_feeder_connect (feeder, card, cancellable, error);
  if (transport == NULL)
    return NULL;
  self = g_object_new (CL_TYPE_CARD_SESSION, NULL);
  self->feeder = g_object_ref (feeder);
  self->card = g_object_ref (card);
  self->transport = g_steal_pointer (&transport);
  return self;
}

ClTransport *
cl_card_session_get_transport (ClCardSession *self)
{
  g_return_val_if_fail (CL_IS_CARD_SESSION (self), NULL);
  return self->transport;
}
