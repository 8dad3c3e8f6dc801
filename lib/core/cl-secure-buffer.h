/* cl-secure-buffer.h: host memory for secrets that must pass through the host for an instant (key components
 * typed by custodians, a combination the token cannot do, PINs on their way to the card). Page-locked where the
 * system allows (mlock), so it never reaches swap, and wiped when freed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 *data;
  gsize len;
  gboolean locked; /* FALSE when mlock was refused (RLIMIT_MEMLOCK): still wiped, reported for the audit */
} ClSecureBuffer;

ClSecureBuffer *cl_secure_buffer_new (gsize len);
void cl_secure_buffer_free (ClSecureBuffer *buffer);

/* A secret as GBytes over a secure buffer of len bytes, wiped when its last reference goes; *data is where the
 * caller writes the secret. */
GBytes *cl_secure_bytes_new (gsize len, guint8 **data);
/* The same, holding a copy of data (the caller wipes its own copy). */
GBytes *cl_secure_bytes_new_copy (const void *data, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSecureBuffer, cl_secure_buffer_free)

G_END_DECLS
