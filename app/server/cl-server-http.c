/* cl-server-http.c: see cl-server-http.h. */
#include "cl-server-http.h"

#include <libsoup/soup.h>
#include <string.h>

#include "remote/cl-ram-codec.h"
#include "remote/cl-ram-headers.h"

struct _ClServerHttp
{
  SoupServer *server;
  ClRemoteService *service;
  guint port;
  gboolean known_stations_only;
};

typedef struct
{
  ClServerHttp *http;
  SoupServerMessage *msg;
  char *token;
  char *cookie;
  GBytes *body;
  ClRemoteReply reply;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->msg);
  g_free (request->token);
  g_free (request->cookie);
  g_clear_pointer (&request->body, g_bytes_unref);
  cl_remote_reply_clear (&request->reply);
  g_free (request);
}

/* The value of the cookie named name in the Cookie header, or NULL. */
static char *
cookie_value (SoupMessageHeaders *headers, const char *name)
{
  const char *header = soup_message_headers_get_list (headers, "Cookie");
  g_auto (GStrv) parts = NULL;

  if (header == NULL)
    return NULL;
  parts = g_strsplit (header, ";", 16);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *pair = g_strstrip (parts[i]);
      gsize n = strlen (name);

      if (strncmp (pair, name, n) == 0 && pair[n] == '=')
        return g_strdup (pair + n + 1);
    }
  return NULL;
}

static void
run_post (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;

  cl_remote_service_post (request->http->service, request->token, request->cookie, request->body, &request->reply);
  g_task_return_boolean (task, TRUE);
}

static void
on_post_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = g_task_get_task_data (G_TASK (result));
  ClRemoteReply *reply = &request->reply;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  if (reply->message != NULL)
    g_message ("POST /ram/<token>: %u %s", reply->status, reply->message);
  if (reply->set_cookie != NULL)
    {
      g_autofree char *value = g_strdup_printf ("%s=%s; Path=/; Secure; HttpOnly", CL_SERVER_COOKIE, reply->set_cookie);

      soup_message_headers_append (headers, "Set-Cookie", value);
    }
  soup_server_message_set_status (request->msg, reply->status, NULL);
  if (reply->body != NULL)
    soup_server_message_set_response (request->msg, "application/org.openscdp-content-mgt;version=1.0",
                                      SOUP_MEMORY_COPY, g_bytes_get_data (reply->body, NULL),
                                      g_bytes_get_size (reply->body));
  else if (reply->message != NULL)
    soup_server_message_set_response (request->msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, reply->message,
                                      strlen (reply->message));
  soup_server_message_unpause (request->msg);
}

static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  ClServerHttp *self = user_data;
  g_autoptr (GTask) task = NULL;
  Request *request;
  SoupMessageBody *body;

  if (!g_str_has_prefix (path, CL_SERVER_PATH) || strchr (path + strlen (CL_SERVER_PATH), '/') != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (strcmp (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  if (self->known_stations_only
      && (soup_server_message_get_tls_peer_certificate (msg) == NULL
          || soup_server_message_get_tls_peer_certificate_errors (msg) != 0))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, "not a known station");
      return;
    }
  {
    SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
    g_autofree char *why = NULL;
    guint status = cl_ram_headers_check (soup_message_headers_get_one (headers, "Content-Type"),
                                         soup_message_headers_get_one (headers, "X-Admin-Protocol"), &why);

    if (status != 0)
      {
        g_message ("POST /ram/<token>: %u %s", status, why);
        soup_server_message_set_status (msg, status, NULL);
        soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, why, strlen (why));
        return;
      }
  }
  request = g_new0 (Request, 1);
  request->http = self;
  request->msg = g_object_ref (msg);
  request->token = g_strdup (path + strlen (CL_SERVER_PATH));
  request->cookie = cookie_value (soup_server_message_get_request_headers (msg), CL_SERVER_COOKIE);
  body = soup_server_message_get_request_body (msg);
  request->body = soup_message_body_flatten (body);
  soup_server_message_pause (msg);
  task = g_task_new (NULL, NULL, on_post_done, NULL);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_task_run_in_thread (task, run_post);
}

/* Before the body is read: only bodies that announce a length the dialect allows. */
static void
on_headers (SoupServerMessage *msg, gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (strcmp (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    return;
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    soup_server_message_set_status (msg, SOUP_STATUS_LENGTH_REQUIRED, NULL);
  else if (soup_message_headers_get_content_length (headers) > CL_RAM_MAX_BODY)
    soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
}

/* Mutual TLS: a client certificate is taken when it verifies against the known stations' CAs. */
static gboolean
on_accept_certificate (SoupServerMessage *msg, GTlsCertificate *certificate, GTlsCertificateFlags errors,
                       gpointer user_data)
{
  return errors == 0;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  ClServerHttp *self = user_data;

  g_signal_connect (msg, "got-headers", G_CALLBACK (on_headers), NULL);
  if (self->known_stations_only)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
}

ClServerHttp *
cl_server_http_new (ClRemoteService *service, const char *address, guint port, const char *cert_file,
                    const char *key_file, const char *client_ca, GError **error)
{
  g_autoptr (ClServerHttp) self = g_new0 (ClServerHttp, 1);
  g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSList) uris = NULL;

  if (cert == NULL)
    return NULL;
  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not an IP address: %s", address);
      return NULL;
    }
  self->service = g_object_ref (service);
  self->server = soup_server_new ("tls-certificate", cert, "server-header", "cardline-server", NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  if (client_ca != NULL)
    {
      g_autoptr (GTlsDatabase) stations = g_tls_file_database_new (client_ca, error);

      if (stations == NULL)
        return NULL;
      soup_server_set_tls_database (self->server, stations);
      /* requested, not required: a client without a certificate gets a 403 that says why */
      soup_server_set_tls_auth_mode (self->server, G_TLS_AUTHENTICATION_REQUESTED);
      self->known_stations_only = TRUE;
    }
  socket_address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->server, socket_address, SOUP_SERVER_LISTEN_HTTPS, error))
    return NULL;
  uris = soup_server_get_uris (self->server);
  self->port = uris != NULL ? (guint)g_uri_get_port (uris->data) : port;
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify)g_uri_unref);
  return g_steal_pointer (&self);
}

guint
cl_server_http_get_port (ClServerHttp *self)
{
  return self->port;
}

void
cl_server_http_free (ClServerHttp *self)
{
  if (self == NULL)
    return;
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->service);
  g_free (self);
}
