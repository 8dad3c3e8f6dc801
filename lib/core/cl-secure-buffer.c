#include "core/cl-secure-buffer.h"

#include <string.h>
#include <sys/mman.h>

#include "core/cl-hex.h"

ClSecureBuffer *
cl_secure_buffer_new (gsize len)
{
  ClSecureBuffer *buffer = g_new0 (ClSecureBuffer, 1);

  buffer->len = len;
  buffer->data = g_malloc0 (MAX (len, 1));
  buffer->locked = mlock (buffer->data, MAX (len, 1)) == 0;
  return buffer;
}

void
cl_secure_buffer_free (ClSecureBuffer *buffer)
{
  if (buffer == NULL)
    return;
  cl_wipe (buffer->data, buffer->len);
  if (buffer->locked)
    munlock (buffer->data, MAX (buffer->len, 1));
  g_free (buffer->data);
  g_free (buffer);
}

GBytes *
cl_secure_bytes_new (gsize len, guint8 **data)
{
  ClSecureBuffer *buffer = cl_secure_buffer_new (len);

  *data = buffer->data;
  return g_bytes_new_with_free_func (buffer->data, len, (GDestroyNotify)cl_secure_buffer_free, buffer);
}

GBytes *
cl_secure_bytes_new_copy (const void *data, gsize len)
{
  guint8 *copy;
  GBytes *bytes = cl_secure_bytes_new (len, &copy);

  if (len > 0)
    memcpy (copy, data, len);
  return bytes;
}
