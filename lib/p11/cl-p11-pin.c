#include "p11/cl-p11-pin.h"

#include "core/cl-secret-file.h"

/* Longer than any PIN a token accepts; a bigger file is not a PIN file. */
#define PIN_FILE_MAX 256

void
cl_p11_pin_free (char *pin)
{
  cl_secret_free (pin);
}

char *
cl_p11_pin_read_file (const char *path, GError **error)
{
  return cl_secret_file_read ("PIN file", path, PIN_FILE_MAX, error);
}
