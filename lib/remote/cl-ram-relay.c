#include "remote/cl-ram-relay.h"

#include <libsoup/soup.h>
#include <string.h>

#include "core/cl-error.h"
#include "remote/cl-ram-codec.h"
#include "remote/cl-ram-headers.h"

struct _ClRamRelay
{
  GObject parent_instance;

  GUri *uri;
  GTlsDatabase *ca; /* NULL: the system's */
  guint post_seconds;
};

G_DEFINE_FINAL_TYPE (ClRamRelay, cl_ram_relay, G_TYPE_OBJECT)

void
cl_ram_session_result_clear (ClRamSessionResult *result)
{
  g_clear_pointer (&result->card_error, g_free);
  g_clear_error (&result->card_failure);
  g_clear_pointer (&result->last_notify, g_free);
}

static void
cl_ram_relay_finalize (GObject *object)
{
  ClRamRelay *self = CL_RAM_RELAY (object);

  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_object (&self->ca);
  G_OBJECT_CLASS (cl_ram_relay_parent_class)->finalize (object);
}

static void
cl_ram_relay_class_init (ClRamRelayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_ram_relay_finalize;
}

static void
cl_ram_relay_init (ClRamRelay *self)
{
  self->post_seconds = CL_RAM_RELAY_POST_SECONDS;
}

ClRamRelay *
cl_ram_relay_new (const char *url, const char *ca_file, GError **error)
{
  g_autoptr (ClRamRelay) self = g_object_new (CL_TYPE_RAM_RELAY, NULL);
  g_autoptr (GError) local = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  self->uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local);
  if (self->uri == NULL)
    {
      /* the URL is not repeated: it carries the production token */
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "production URL: %s", local->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (self->uri);
  if ((g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0) || g_uri_get_host (self->uri) == NULL
      || *g_uri_get_host (self->uri) == '\0')
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           "production URL: not an http(s) URL with a host");
      return NULL;
    }
  if (ca_file != NULL)
    {
      self->ca = g_tls_file_database_new (ca_file, &local);
      if (self->ca == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "service CA file %s: %s", ca_file, local->message);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

void
cl_ram_relay_set_post_seconds (ClRamRelay *self, guint seconds)
{
  g_return_if_fail (CL_IS_RAM_RELAY (self));
  self->post_seconds = MAX (seconds, 1);
}

/* ---- one POST, bounded in total ---- */

typedef struct
{
  GMainContext *context;
  GBytes *answer;
  GError *error;
  gboolean done;
  gboolean timed_out;
  GCancellable *cancellable; /* this POST's: the deadline and the caller's cancel both fire it */
} Post;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Post *post = user_data;

  post->answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &post->error);
  post->done = TRUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  Post *post = user_data;

  post->timed_out = TRUE;
  g_cancellable_cancel (post->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static gboolean service_failed (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
service_failed (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CL_ERROR, CL_ERROR_PRODUCTION_SERVICE, message);
  return FALSE;
}

/* The answer's body and *status, or NULL with the error: CL_ERROR_PRODUCTION_SERVICE or a cancellation. */
static GBytes *
post_body (ClRamRelay *self, SoupSession *session, GMainContext *context, GBytes *body, guint *status,
           GCancellable *cancellable, GError **error)
{
  g_autoptr (SoupMessage) message = soup_message_new_from_uri (SOUP_METHOD_POST, self->uri);
  g_autoptr (GCancellable) post_cancellable = g_cancellable_new ();
  g_autoptr (GSource) deadline = g_timeout_source_new_seconds (self->post_seconds);
  /* a production URL carries its secret token in its path or query: messages name the service by its address */
  g_autofree char *url = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (self->uri), NULL, g_uri_get_host (self->uri),
                                     g_uri_get_port (self->uri), "", NULL, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  Post post = { context, NULL, NULL, FALSE, FALSE, post_cancellable };
  gulong outer = 0;

  /* the dialect's clients follow no redirect: a 3xx is an answer outside the dialect */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (headers, "Accept", "*/*");
  soup_message_headers_replace (headers, "X-Admin-Protocol", CL_RAM_ADMIN_PROTOCOL);
  soup_message_set_request_body_from_bytes (message, CL_RAM_CONTENT_TYPE, body);

  g_source_set_callback (deadline, on_deadline, &post, NULL);
  g_source_attach (deadline, context);
  if (cancellable != NULL)
    outer = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled), post_cancellable, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, post_cancellable, on_sent, &post);
  while (!post.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (deadline);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, outer);

  if (post.answer == NULL)
    {
      g_autoptr (GError) local = post.error;

      if (g_cancellable_is_cancelled (cancellable))
        return g_propagate_error (error, g_steal_pointer (&local)), NULL;
      if (post.timed_out)
        return service_failed (error, "production service %s did not answer within %u s", url, self->post_seconds),
               NULL;
      return service_failed (error, "production service %s unreachable: %s", url, local->message), NULL;
    }
  *status = soup_message_get_status (message);
  return post.answer;
}

/* ---- the card's side of a command template ---- */

static char *
card_error_text (const GError *error)
{
  g_autofree char *valid = g_utf8_make_valid (error->message, -1);
  const char *end = valid;

  /* the dialect bounds texts; cut on a character boundary */
  if (strlen (valid) <= CL_RAM_MAX_TEXT)
    return g_steal_pointer (&valid);
  end = g_utf8_find_prev_char (valid, valid + CL_RAM_MAX_TEXT);
  return g_strndup (valid, end - valid);
}

/* Runs the template's items; *stop when a notify with a negative id ended the session. */
static GPtrArray *
run_items (GPtrArray *items, ClTransport *transport, ClRamNotifyFunc notify, gpointer user_data,
           ClRamSessionResult *result, gboolean *stop, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) answers = cl_ram_items_new ();

  *stop = FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      ClRamItem *item = g_ptr_array_index (items, i);
      g_autoptr (GError) local = NULL;
      g_autoptr (GBytes) answer = NULL;

      switch (item->kind)
        {
          case CL_RAM_ITEM_NOTIFY:
            g_free (result->last_notify);
            result->last_notify = g_strdup (item->text);
            if (notify != NULL)
              notify (item->id, item->text, item->seconds, user_data);
            if (item->id < 0)
              {
                result->abort_id = item->id;
                *stop = TRUE;
                return g_steal_pointer (&answers);
              }
            continue;
          case CL_RAM_ITEM_COMMAND:
            answer = cl_transport_transmit (transport, item->data, cancellable, &local);
            if (answer != NULL)
              {
                g_ptr_array_add (answers, cl_ram_item_new_response (answer));
                result->apdus++;
                continue;
              }
            break;
          case CL_RAM_ITEM_RESET:
            answer = cl_transport_reset (transport, cancellable, &local);
            if (answer != NULL)
              {
                g_ptr_array_add (answers, cl_ram_item_new_atr (answer));
                continue;
              }
            break;
          default:
            service_failed (error, "the production service's template holds a client's element (item %u)", i);
            return NULL;
        }
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_propagate_error (error, g_steal_pointer (&local)), NULL;
      /* the card failed: the batch stops here and the service hears why */
      g_free (result->card_error);
      result->card_error = card_error_text (local);
      g_clear_error (&result->card_failure);
      result->card_failure = g_steal_pointer (&local);
      g_ptr_array_add (answers, cl_ram_item_new_card_error (result->card_error));
      break;
    }
  return g_steal_pointer (&answers);
}

/* ---- the session ---- */

static SoupSession *
session_new (ClRamRelay *self)
{
  SoupSession *session
    = soup_session_new_with_options ("user-agent", "cardline-station", "max-conns-per-host", 1, NULL);

  if (self->ca != NULL)
    soup_session_set_tls_database (session, self->ca);
  /* each card's session has its own cookie: nothing is shared with the card before */
  soup_session_add_feature_by_type (session, SOUP_TYPE_COOKIE_JAR);
  return session;
}

static gboolean
relay (ClRamRelay *self, SoupSession *session, GMainContext *context, ClTransport *transport, ClRamNotifyFunc notify,
       gpointer user_data, ClRamSessionResult *result, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) atr = cl_transport_get_atr (transport);
  g_auto (ClRamHello) hello = { atr != NULL ? g_bytes_ref (atr) : g_bytes_new (NULL, 0), 0, 0 };
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local = NULL;

  body = cl_ram_hello_encode (&hello, &local);
  if (body == NULL)
    {
      /* the only thing of ours in it is the card's ATR */
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "the card's ATR cannot be sent: %s", local->message);
      return FALSE;
    }
  for (gboolean first = TRUE;; first = FALSE)
    {
      g_autoptr (GBytes) answer = NULL;
      g_autoptr (GPtrArray) items = NULL, answers = NULL;
      const guint8 *data;
      gsize len;
      guint status = 0;
      gboolean stop;

      result->bytes_sent += g_bytes_get_size (body);
      answer = post_body (self, session, context, body, &status, cancellable, error);
      if (answer == NULL)
        return FALSE;
      result->round_trips++;
      data = g_bytes_get_data (answer, &len);
      result->bytes_received += len;
      switch (status)
        {
          case SOUP_STATUS_NO_CONTENT:
            result->end = CL_RAM_SESSION_COMPLETED;
            return TRUE;
          case SOUP_STATUS_GATEWAY_TIMEOUT:
            result->end = first ? CL_RAM_SESSION_REFUSED : CL_RAM_SESSION_ABORTED;
            return TRUE;
          case SOUP_STATUS_OK:
            break;
          case SOUP_STATUS_NOT_FOUND:
            return service_failed (error, "the production service does not know this production URL (404)");
          default:
            return service_failed (error, "the production service answered HTTP %u %s", status,
                                   soup_status_get_phrase (status) != NULL ? soup_status_get_phrase (status) : "");
        }
      items = cl_ram_commands_decode (data, len, &local);
      if (items == NULL)
        return service_failed (error, "the production service's command template: %s", local->message);
      answers = run_items (items, transport, notify, user_data, result, &stop, cancellable, error);
      if (answers == NULL)
        return FALSE;
      if (stop)
        {
          result->end = CL_RAM_SESSION_ABORTED;
          return TRUE;
        }
      g_clear_pointer (&body, g_bytes_unref);
      body = cl_ram_responses_encode (answers, &local);
      if (body == NULL)
        return service_failed (error, "the card's answers cannot be sent: %s", local->message);
    }
}

gboolean
cl_ram_relay_run (ClRamRelay *self, ClTransport *transport, ClRamNotifyFunc notify, gpointer user_data,
                  ClRamSessionResult *result, GCancellable *cancellable, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  gboolean ok;

  g_return_val_if_fail (CL_IS_RAM_RELAY (self), FALSE);
  g_return_val_if_fail (CL_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  *result = (ClRamSessionResult){ 0 };
  /* the session and its connection belong to this thread's own context, never the UI's */
  g_main_context_push_thread_default (context);
  session = session_new (self);
  ok = relay (self, session, context, transport, notify, user_data, result, cancellable, error);
  soup_session_abort (session);
  g_clear_object (&session);
  /* what the session left queued (its closed connection) runs before the context goes */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return ok;
}
