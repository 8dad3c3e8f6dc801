/* cl-password-source.c: a password from a private file or the terminal (cl-password-source.h). */
#include "store/cl-password-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "core/cl-secret-file.h"

void
cl_password_free (ClPassword *password)
{
  cl_secret_free (password);
}

/* Up to the first line end of fd into a fresh string; the buffer is wiped. */
static ClPassword *
read_line (int fd, const char *what, GError **error)
{
  char buffer[CL_PASSWORD_MAX_BYTES + 2];
  gsize len = 0;
  ClPassword *line;

  while (len < sizeof buffer - 1)
    {
      ssize_t n = read (fd, buffer + len, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || buffer[len] == '\n')
        break;
      len++;
    }
  if (len > 0 && buffer[len - 1] == '\r')
    len--;
  buffer[len] = '\0';
  if (len > CL_PASSWORD_MAX_BYTES || memchr (buffer, '\0', len) != NULL)
    {
      cl_wipe (buffer, sizeof buffer);
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "The password from %s is longer than %d bytes", what,
                   CL_PASSWORD_MAX_BYTES);
      return NULL;
    }
  line = g_strndup (buffer, len);
  cl_wipe (buffer, sizeof buffer);
  return line;
}

static ClPassword *
prompt (const char *user, GError **error)
{
  struct termios saved, quiet;
  g_autofree char *question = g_strdup_printf ("Password for %s: ", user);
  ClPassword *password;
  gboolean echo_off;
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "No terminal to ask for %s's password: give --password-file FILE (mode 0600)", user);
      return NULL;
    }
  echo_off = tcgetattr (fd, &saved) == 0;
  if (echo_off)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
      quiet.c_lflag |= ICANON;
      tcsetattr (fd, TCSAFLUSH, &quiet);
    }
  /* the prompt is a courtesy: reading works without it */
  (void)!write (fd, question, strlen (question));
  password = read_line (fd, "the terminal", error);
  if (echo_off)
    tcsetattr (fd, TCSAFLUSH, &saved);
  (void)!write (fd, "\n", 1);
  close (fd);
  return password;
}

ClPassword *
cl_password_read (const char *user, const char *file, GError **error)
{
  g_return_val_if_fail (user != NULL, NULL);
  return file != NULL ? cl_secret_file_read ("Password file", file, CL_PASSWORD_MAX_BYTES, error)
                      : prompt (user, error);
}
