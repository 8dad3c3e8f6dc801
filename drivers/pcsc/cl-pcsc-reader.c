#include "cl-pcsc-reader.h"

#include <winscard.h>
#include <string.h>

#include "cl-pcsc-error.h"

/* SCardCancel only interrupts a wait already in progress: one that fires just before the wait starts is seen at the
 * next slice at the latest. */
#define WAIT_SLICE_MS 250

static void
state_from (const SCARD_READERSTATE *reader_state, ClPcscReaderState *state)
{
  state->present = (reader_state->dwEventState & SCARD_STATE_PRESENT) != 0;
  /* pcsc-lite's card event counter rides in the upper 16 bits */
  state->events = (guint)((reader_state->dwEventState >> 16) & 0xffff);
}

gboolean
cl_pcsc_reader_get_state (const char *reader, ClPcscReaderState *state, GError **error)
{
  SCARDCONTEXT context = 0;
  SCARD_READERSTATE reader_state = { 0 };
  LONG rv;

  g_return_val_if_fail (reader != NULL && state != NULL, FALSE);

  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &context);
  if (!cl_pcsc_check (rv, error, "cannot reach the PC/SC service to look at %s", reader))
    return FALSE;
  reader_state.szReader = reader;
  /* unaware of any state: answered at once with the current one, so a zero timeout never times out */
  reader_state.dwCurrentState = SCARD_STATE_UNAWARE;
  rv = SCardGetStatusChange (context, 0, &reader_state, 1);
  SCardReleaseContext (context);
  if (!cl_pcsc_check (rv, error, "cannot read the state of %s", reader))
    return FALSE;
  state_from (&reader_state, state);
  return TRUE;
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  SCardCancel (*(SCARDCONTEXT *)user_data);
}

static gboolean
is_new_card (const ClPcscReaderState *state, const ClPcscReaderState *before)
{
  return state->present && (before == NULL || !before->present || state->events != before->events);
}

gboolean
cl_pcsc_reader_wait_card (const char *reader, const ClPcscReaderState *before, guint timeout_ms,
                          GCancellable *cancellable, ClPcscReaderState *state, GError **error)
{
  SCARDCONTEXT context = 0;
  SCARD_READERSTATE reader_state = { 0 };
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_autoptr (GError) local = NULL;
  ClPcscReaderState now = { 0 };
  gulong handler = 0;
  LONG rv;

  g_return_val_if_fail (reader != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &context);
  if (!cl_pcsc_check (rv, error, "cannot reach the PC/SC service to wait for a card in %s", reader))
    return FALSE;
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), &context, NULL);
  reader_state.szReader = reader;
  reader_state.dwCurrentState = SCARD_STATE_UNAWARE;
  while (!g_cancellable_set_error_if_cancelled (cancellable, &local))
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;

      /* the first round (unaware) answers at once with the current state */
      rv = SCardGetStatusChange (context, (DWORD)CLAMP (left_ms, 0, WAIT_SLICE_MS), &reader_state, 1);
      if (rv == SCARD_S_SUCCESS)
        {
          state_from (&reader_state, &now);
          if (is_new_card (&now, before))
            break;
          /* wait for the next change from here */
          reader_state.dwCurrentState = reader_state.dwEventState & ~SCARD_STATE_CHANGED;
        }
      else if (rv != SCARD_E_TIMEOUT && rv != SCARD_E_CANCELLED)
        {
          cl_pcsc_set_error (&local, rv, "cannot wait for a card in %s", reader);
          break;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (&local, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT, "PC/SC reported no card in %s within %u ms",
                       reader, timeout_ms);
          break;
        }
    }
  /* before the context goes: the handler uses it */
  g_cancellable_disconnect (cancellable, handler);
  SCardReleaseContext (context);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (state != NULL)
    *state = now;
  return TRUE;
}

LONG
cl_pcsc_list_reader_names (SCARDCONTEXT context, GStrv *names)
{
  g_autofree char *buffer = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  DWORD len = 0;
  LONG rv;

  rv = SCardListReaders (context, NULL, NULL, &len);
  if (rv == SCARD_S_SUCCESS && len > 0)
    {
      buffer = g_malloc0 (len + 1);
      rv = SCardListReaders (context, NULL, buffer, &len);
    }
  if (rv == SCARD_E_NO_READERS_AVAILABLE)
    rv = SCARD_S_SUCCESS;
  else if (rv == SCARD_S_SUCCESS && buffer != NULL)
    for (const char *p = buffer; *p != '\0' && p < buffer + len; p += strlen (p) + 1)
      g_strv_builder_add (builder, p);
  *names = g_strv_builder_end (builder);
  return rv;
}

GStrv
cl_pcsc_list_readers (GError **error)
{
  SCARDCONTEXT context;
  GStrv names = NULL;
  LONG rv;

  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &context);
  if (!cl_pcsc_check (rv, error, "cannot reach the PC/SC service"))
    return NULL;
  rv = cl_pcsc_list_reader_names (context, &names);
  SCardReleaseContext (context);
  if (!cl_pcsc_check (rv, error, "cannot list the PC/SC readers"))
    g_clear_pointer (&names, g_strfreev);
  return names;
}
