#include "line/cl-face-ahead.h"

struct _ClFaceAhead
{
  GObject parent_instance;

  ClFacePrinter *face;
  /* the card as it was when started (the sequence's row is not ours to read from another thread) */
  char *serial, *chip_id, *batch, *profile;
  GHashTable *fields;
  GBytes *photo;

  GMutex lock;
  GCond done_cond;
  gboolean done;
  GBytes *document; /* NULL once done: the render failed */
};

G_DEFINE_FINAL_TYPE (ClFaceAhead, cl_face_ahead, G_TYPE_OBJECT)

static void
cl_face_ahead_finalize (GObject *object)
{
  ClFaceAhead *self = CL_FACE_AHEAD (object);

  g_clear_object (&self->face);
  g_free (self->serial);
  g_free (self->chip_id);
  g_free (self->batch);
  g_free (self->profile);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_pointer (&self->document, g_bytes_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done_cond);
  G_OBJECT_CLASS (cl_face_ahead_parent_class)->finalize (object);
}

static void
cl_face_ahead_class_init (ClFaceAheadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_face_ahead_finalize;
}

static void
cl_face_ahead_init (ClFaceAhead *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->done_cond);
}

static ClFaceCard
card_of (ClFaceAhead *self)
{
  return (ClFaceCard){ self->serial, self->chip_id, self->batch, self->profile, self->fields, self->photo };
}

/* Holds a reference until done; FACE or the object's last owner waits for nothing else. */
static gpointer
render_thread (gpointer data)
{
  g_autoptr (ClFaceAhead) self = data;
  ClFaceCard card = card_of (self);
  g_autoptr (GError) error = NULL;
  GBytes *document = cl_face_printer_render (self->face, &card, &error);

  /* FACE renders it again and reports why */
  if (document == NULL)
    g_debug ("face of %s not rendered ahead: %s", self->serial, error->message);
  g_mutex_lock (&self->lock);
  self->document = document;
  self->done = TRUE;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static GHashTable *
copy_fields (GHashTable *fields)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

ClFaceAhead *
cl_face_ahead_start (ClFacePrinter *face, const ClFaceCard *card)
{
  ClFaceAhead *self;

  g_return_val_if_fail (CL_IS_FACE_PRINTER (face), NULL);
  g_return_val_if_fail (card != NULL && card->serial != NULL, NULL);

  if (!cl_face_printer_can_render (face))
    return NULL;
  self = g_object_new (CL_TYPE_FACE_AHEAD, NULL);
  self->face = g_object_ref (face);
  self->serial = g_strdup (card->serial);
  self->chip_id = g_strdup (card->chip_id);
  self->batch = g_strdup (card->batch);
  self->profile = g_strdup (card->profile);
  self->fields = card->fields != NULL ? copy_fields (card->fields) : NULL;
  self->photo = card->photo != NULL ? g_bytes_ref (card->photo) : NULL;
  g_thread_unref (g_thread_new ("cl-face-ahead", render_thread, g_object_ref (self)));
  return self;
}

gboolean
cl_face_ahead_print (ClFaceAhead *self, const ClFaceCard *card, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) document = NULL;

  g_return_val_if_fail (CL_IS_FACE_AHEAD (self), FALSE);
  g_return_val_if_fail (card != NULL && card->serial != NULL, FALSE);

  if (g_strcmp0 (card->serial, self->serial) == 0 && g_strcmp0 (card->chip_id, self->chip_id) == 0)
    {
      g_mutex_lock (&self->lock);
      while (!self->done)
        g_cond_wait (&self->done_cond, &self->lock);
      document = self->document != NULL ? g_bytes_ref (self->document) : NULL;
      g_mutex_unlock (&self->lock);
    }
  if (document == NULL)
    return cl_face_printer_print (self->face, card, cancellable, error);
  return cl_face_printer_print_rendered (self->face, card, document, cancellable, error);
}
