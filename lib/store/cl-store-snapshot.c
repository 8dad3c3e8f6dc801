#include "cl-store-snapshot.h"

#include <sqlite3.h>

#include "core/cl-error.h"

gboolean
cl_store_snapshot (const char *path, const char *dest, GError **error)
{
  sqlite3 *from = NULL, *to = NULL;
  sqlite3_backup *backup;
  int rc;

  rc = sqlite3_open_v2 (path, &from, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_open_v2 (dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK)
    {
      /* a station writing meanwhile restarts the copy; the busy timeout bounds each wait on its lock */
      sqlite3_busy_timeout (from, 5000);
      backup = sqlite3_backup_init (to, "main", from, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (to);
      else
        {
          rc = sqlite3_backup_step (backup, -1);
          sqlite3_backup_finish (backup);
          rc = rc == SQLITE_DONE ? sqlite3_errcode (to) : rc;
        }
    }
  if (rc != SQLITE_OK)
    g_set_error (error, CL_ERROR, CL_ERROR_STORE, "cannot read store %s: %s", path,
                 from != NULL && sqlite3_errcode (from) != SQLITE_OK ? sqlite3_errmsg (from) : sqlite3_errstr (rc));
  sqlite3_close (from);
  sqlite3_close (to);
  return rc == SQLITE_OK;
}
