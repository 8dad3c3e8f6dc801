/* Fuzz target for an exported audit checkpoint (keys/cl-audit-checkpoint.h): a file kept off the station and
 * handed back to `store verify --checkpoint`, so anything may come in. A parsed one is written out again and its
 * signature checked (which must fail cleanly, never crash). */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "keys/cl-audit-checkpoint.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClAuditCheckpoint) checkpoint = cl_audit_checkpoint_from_text ((const char *)data, size, &error);

  if (checkpoint != NULL)
    {
      g_autofree char *text = cl_audit_checkpoint_to_text (checkpoint);
      g_autoptr (ClAuditCheckpoint) again = cl_audit_checkpoint_from_text (text, strlen (text), NULL);

      g_assert (again != NULL && again->seq == checkpoint->seq);
      cl_audit_checkpoint_check_signature (checkpoint, NULL);
    }
  else
    g_assert (error != NULL);
  return 0;
}
