/* cl-pcsc-context.c: see cl-pcsc-context.h. */
#include "cl-pcsc-context.h"

#include <string.h>

/* Enough for one pcscd's 16 readers with a transport and a wait each. */
#define MAX_KEPT 32

static GMutex lock;
static SCARDCONTEXT kept[MAX_KEPT];
static guint n_kept;

SCARDCONTEXT
cl_pcsc_context_take (void)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&lock);

  return n_kept > 0 ? kept[--n_kept] : 0;
}

void
cl_pcsc_context_give_back (SCARDCONTEXT context)
{
  g_mutex_lock (&lock);
  if (n_kept < MAX_KEPT)
    {
      kept[n_kept++] = context;
      context = 0;
    }
  g_mutex_unlock (&lock);
  if (context != 0)
    SCardReleaseContext (context);
}

void
cl_pcsc_context_drop_all (void)
{
  SCARDCONTEXT dropped[MAX_KEPT];
  guint n;

  g_mutex_lock (&lock);
  n = n_kept;
  memcpy (dropped, kept, n * sizeof *dropped);
  n_kept = 0;
  g_mutex_unlock (&lock);
  for (guint i = 0; i < n; i++)
    SCardReleaseContext (dropped[i]);
}

gboolean
cl_pcsc_context_service_gone (LONG rv)
{
  return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED || rv == SCARD_F_COMM_ERROR;
}

gboolean
cl_pcsc_context_is_stale (LONG rv)
{
  return cl_pcsc_context_service_gone (rv) || rv == SCARD_E_INVALID_HANDLE;
}
