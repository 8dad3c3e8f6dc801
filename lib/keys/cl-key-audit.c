#include "keys/cl-key-audit.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cl-error.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct _ClKeyAudit
{
  GObject parent_instance;
  char *path;
  GMutex lock;
};

G_DEFINE_FINAL_TYPE (ClKeyAudit, cl_key_audit, G_TYPE_OBJECT)

static void
cl_key_audit_finalize (GObject *object)
{
  ClKeyAudit *self = CL_KEY_AUDIT (object);

  g_free (self->path);
  g_mutex_clear (&self->lock);
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
  g_mutex_init (&self->lock);
}

const char *
cl_key_audit_default_actor (void)
{
  return g_get_user_name ();
}

ClKeyAudit *
cl_key_audit_new (const char *path, GError **error)
{
  g_autoptr (ClKeyAudit) self = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Cannot open key audit file %s: %s", path, g_strerror (saved));
      return NULL;
    }
  close (fd);
  self = g_object_new (CL_TYPE_KEY_AUDIT, NULL);
  self->path = g_strdup (path);
  return g_steal_pointer (&self);
}

static char *
clean_field (const char *s)
{
  char *out = g_strdup (s != NULL && *s != '\0' ? s : "-");
  for (char *p = out; *p; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r')
      *p = ' ';
  return out;
}

/* Last record's seq and hash, from the file's last line. */
static gboolean
read_tail (const char *path, guint64 *seq, char hash[65], GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint n;

  *seq = 0;
  memcpy (hash, ZERO_HASH, 65);
  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  if (n > 0)
    {
      g_auto (GStrv) fields = g_strsplit (lines[n - 1], "\t", -1);
      if (g_strv_length (fields) != 8 || strlen (fields[7]) != 64)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Key audit file %s: last line is damaged", path);
          return FALSE;
        }
      *seq = g_ascii_strtoull (fields[0], NULL, 10);
      memcpy (hash, fields[7], 65);
    }
  return TRUE;
}

gboolean
cl_key_audit_record (ClKeyAudit *self, const char *actor, const char *action, const char *subject, const char *details,
                     GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *f_actor = clean_field (actor), *f_action = clean_field (action);
  g_autofree char *f_subject = clean_field (subject), *f_details = clean_field (details);
  g_autofree char *body = NULL, *hash = NULL, *line = NULL;
  char prev[65];
  guint64 seq;
  int fd;
  gssize written;

  if (!read_tail (self->path, &seq, prev, error))
    return FALSE;
  body = g_strdup_printf ("%" G_GUINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s", seq + 1, time, f_actor, f_action, f_subject,
                          f_details, prev);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
  line = g_strdup_printf ("%s\t%s\n", body, hash);

  fd = g_open (self->path, O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Cannot open key audit file %s: %s", self->path,
                   g_strerror (saved));
      return FALSE;
    }
  written = write (fd, line, strlen (line));
  if (written != (gssize)strlen (line) || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Writing key audit file %s failed: %s", self->path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
cl_key_audit_verify (const char *path, guint *n_records, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  char prev[65];
  guint count = 0;

  memcpy (prev, ZERO_HASH, 65);
  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autofree char *body = NULL, *hash = NULL;
      char *tab;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      tab = strrchr (lines[i], '\t');
      if (g_strv_length (fields) != 8 || tab == NULL || !g_str_equal (fields[6], prev)
          || g_ascii_strtoull (fields[0], NULL, 10) != count + 1)
        goto broken;
      body = g_strndup (lines[i], tab - lines[i]);
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
      if (!g_str_equal (hash, fields[7]))
        goto broken;
      memcpy (prev, hash, 65);
      count++;
      continue;
    broken:
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Key audit file %s: the chain breaks at line %u", path, i + 1);
      return FALSE;
    }
  if (n_records != NULL)
    *n_records = count;
  return TRUE;
}
