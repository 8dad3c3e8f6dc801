/* cl-sql-pg-listen.c: LISTEN/NOTIFY on a connection of its own (cl-sql-listen.h). */
#include "store/cl-sql-listen.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>

#include "core/cl-error.h"

struct _ClSqlListener
{
  PGconn *conn;
};

static gboolean
fail (ClSqlListener *self, GError **error, const char *what)
{
  g_autofree char *message = g_strdup (PQerrorMessage (self->conn));

  g_set_error (error, CL_ERROR, CL_ERROR_STORE, "PostgreSQL notifications, %s: %s", what,
               g_strstrip (g_strdelimit (message, "\n", ' ')));
  return FALSE;
}

ClSqlListener *
cl_sql_listener_open (const char *uri, const char *channel, GError **error)
{
  /* as cl_sql_open_postgresql(): the URI's own connect_timeout wins */
  const char *const keywords[] = { "connect_timeout", "dbname", NULL };
  const char *const values[] = { "10", uri, NULL };
  g_autoptr (ClSqlListener) self = g_new0 (ClSqlListener, 1);
  g_autofree char *listen = NULL;
  PGresult *res;

  for (const char *c = channel; *c; c++)
    g_return_val_if_fail (g_ascii_isalnum (*c) || *c == '_', NULL);
  self->conn = PQconnectdbParams (keywords, values, TRUE);
  if (self->conn == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "PostgreSQL notifications, connecting: out of memory");
      return NULL;
    }
  if (PQstatus (self->conn) != CONNECTION_OK)
    return fail (self, error, "connecting"), NULL;
  listen = g_strdup_printf ("LISTEN %s", channel);
  res = PQexec (self->conn, listen);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      PQclear (res);
      return fail (self, error, "LISTEN"), NULL;
    }
  PQclear (res);
  return g_steal_pointer (&self);
}

static void
take_notifications (ClSqlListener *self, GPtrArray *payloads)
{
  PGnotify *notify;

  while ((notify = PQnotifies (self->conn)) != NULL)
    {
      g_ptr_array_add (payloads, g_strdup (notify->extra));
      PQfreemem (notify);
    }
}

gboolean
cl_sql_listener_wait (ClSqlListener *self, int wake_fd, int timeout_ms, GPtrArray *payloads, GError **error)
{
  struct pollfd fds[2] = { { PQsocket (self->conn), POLLIN, 0 }, { wake_fd, POLLIN, 0 } };
  int n;

  /* notifications read along with an earlier result wait in libpq, not on the socket */
  take_notifications (self, payloads);
  if (payloads->len > 0)
    return TRUE;
  if (fds[0].fd < 0)
    return fail (self, error, "waiting");
  do
    n = poll (fds, wake_fd >= 0 ? 2 : 1, timeout_ms);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "PostgreSQL notifications, waiting: %s", g_strerror (errno));
      return FALSE;
    }
  if (fds[0].revents != 0)
    {
      if (!PQconsumeInput (self->conn) || PQstatus (self->conn) != CONNECTION_OK)
        return fail (self, error, "reading");
      take_notifications (self, payloads);
    }
  return TRUE;
}

void
cl_sql_listener_close (ClSqlListener *self)
{
  if (self == NULL)
    return;
  if (self->conn != NULL)
    PQfinish (self->conn);
  g_free (self);
}
