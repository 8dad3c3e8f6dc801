/* cl-secret-file.c: a secret from an owner-only file (cl-secret-file.h). */
#include "core/cl-secret-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"

void
cl_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  cl_wipe (secret, strlen (secret));
  g_free (secret);
}

char *
cl_secret_file_read (const char *what, const char *path, gsize max, GError **error)
{
  g_autofree char *buffer = g_malloc (max + 1);
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* non-blocking: a FIFO in its place is refused below, not waited on */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, saved == ENOENT ? CL_ERROR_NOT_FOUND : CL_ERROR_INVALID_ARGUMENT,
                   "Cannot open %s %s: %s", what, path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s %s is not a regular file", what, path);
      close (fd);
      return NULL;
    }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s %s has mode %04o: it must be readable by its owner only (chmod 600)", what, path,
                   (unsigned)(st.st_mode & 07777));
      close (fd);
      return NULL;
    }
  n = read (fd, buffer, max + 1);
  close (fd);
  if (n < 0 || (gsize)n > max)
    {
      cl_wipe (buffer, max + 1);
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s %s cannot be read or is too long", what, path);
      return NULL;
    }
  buffer[n] = '\0';
  buffer[strcspn (buffer, "\r\n")] = '\0';
  if (buffer[0] == '\0')
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s %s is empty", what, path);
      return NULL;
    }

  {
    char *secret = g_strdup (buffer);
    cl_wipe (buffer, max + 1);
    return secret;
  }
}
