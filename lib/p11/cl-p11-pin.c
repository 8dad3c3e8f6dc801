#include "p11/cl-p11-pin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"

/* Longer than any PIN a token accepts; a bigger file is not a PIN file. */
#define PIN_FILE_MAX 256

void
cl_p11_pin_free (char *pin)
{
  if (pin == NULL)
    return;
  cl_wipe (pin, strlen (pin));
  g_free (pin);
}

char *
cl_p11_pin_read_file (const char *path, GError **error)
{
  char buffer[PIN_FILE_MAX + 1];
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, saved == ENOENT ? CL_ERROR_NOT_FOUND : CL_ERROR_INVALID_ARGUMENT,
                   "Cannot open PIN file %s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PIN file %s is not a regular file", path);
      close (fd);
      return NULL;
    }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "PIN file %s has mode %04o: it must be readable by its owner only (chmod 600)", path,
                   (unsigned)(st.st_mode & 07777));
      close (fd);
      return NULL;
    }
  n = read (fd, buffer, sizeof buffer);
  close (fd);
  if (n < 0 || n > PIN_FILE_MAX)
    {
      cl_wipe (buffer, sizeof buffer);
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PIN file %s cannot be read or is too long", path);
      return NULL;
    }
  buffer[n] = '\0';
  buffer[strcspn (buffer, "\r\n")] = '\0';
  if (buffer[0] == '\0')
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PIN file %s is empty", path);
      return NULL;
    }

  {
    char *pin = g_strdup (buffer);
    cl_wipe (buffer, sizeof buffer);
    return pin;
  }
}
