/* cl-pcsc-context.h: PC/SC contexts kept between cards. A context is a socket to pcscd: setting one up and releasing
 * it are three round trips (some 30 system calls, and a pcscd thread started and stopped), against none for one kept.
 * The transports keep theirs when they let a card go; the next connect takes one. Only a context whose last call
 * reached pcscd goes back; a pcscd restarted meanwhile refuses the kept ones (cl_pcsc_context_is_stale), and the
 * user then drops them all and sets up a fresh one. The reader waits (cl-pcsc-reader.c) do not share them: whether a
 * status wait that timed out or was cancelled leaves nothing of pcscd's on its socket, for a connect or transmit on
 * the same context to read as its answer, is not established. */
#pragma once

#include <glib.h>
#include <winscard.h>

G_BEGIN_DECLS

/* A kept context, or 0 when none is. */
SCARDCONTEXT cl_pcsc_context_take (void);
/* context's last call reached pcscd: kept for the next user (or released when enough are kept). */
void cl_pcsc_context_give_back (SCARDCONTEXT context);
/* Releases every kept context (pcscd no longer knows them). */
void cl_pcsc_context_drop_all (void);
/* Whether rv says that pcscd has gone away under a call. */
gboolean cl_pcsc_context_service_gone (LONG rv);
/* Whether rv, from a call on a kept context, says the context is no longer pcscd's: drop them all, start afresh. */
gboolean cl_pcsc_context_is_stale (LONG rv);

G_END_DECLS
