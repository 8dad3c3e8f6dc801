/* cl-secure-buffer.h: host memory for key material that cannot stay in the token for an instant (components
 * typed by custodians, a combination the token cannot do). Page-locked where the system allows (mlock), so it
 * never reaches swap, and wiped when freed. */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSecureBuffer, cl_secure_buffer_free)

G_END_DECLS
