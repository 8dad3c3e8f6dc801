/* cl-pcsc-reader.h: one reader's card state as pcscd holds it, read at once or waited for on pcscd itself.
 *
 * pcscd learns of a card by polling the reader (vpcd every 400 ms; many CCID readers report at once), and
 * SCardConnect refuses with SCARD_E_NO_SMARTCARD until it has: what pcscd says lags the reader. So a card just taken
 * out may still be "present" for a moment. The card event count (pcsc-lite keeps one per reader, counting insertions
 * and removals) tells a card seen since an earlier look from the one that was there then.
 *
 * Each call opens its own SCARDCONTEXT: any thread may call, and several may wait at once. */
#pragma once

#include <gio/gio.h>
#include <winscard.h>

#include "cl-driver-error.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean present;
  guint events; /* card insertions and removals pcscd has seen in this reader (16 bits, wraps) */
} ClPcscReaderState;

/* The state now. FALSE with CL_DRIVER_ERROR (NO_SERVICE, NO_READER, ...) if pcscd or the reader cannot be asked. */
gboolean cl_pcsc_reader_get_state (const char *reader, ClPcscReaderState *state, GError **error);

/* Blocks until pcscd reports a card in reader that is not the one `before` describes (before NULL or not present:
 * any card), woken by pcscd's own notification rather than by polling. FALSE with CL_DRIVER_ERROR_TIMEOUT after
 * timeout_ms, G_IO_ERROR_CANCELLED when cancellable fires, or the CL_DRIVER_ERROR pcscd gave. */
gboolean cl_pcsc_reader_wait_card (const char *reader, const ClPcscReaderState *before, guint timeout_ms,
                                   GCancellable *cancellable, ClPcscReaderState *state, GError **error);

/* The readers pcscd has on context; SCARD_E_NO_READERS_AVAILABLE is an empty list, not an error. */
LONG cl_pcsc_list_reader_names (SCARDCONTEXT context, GStrv *names);
/* The readers now, on a context of its own. FALSE with CL_DRIVER_ERROR (NO_SERVICE ...) if pcscd cannot be asked. */
GStrv cl_pcsc_list_readers (GError **error);

G_END_DECLS
