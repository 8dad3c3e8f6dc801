/* cl-printer-feeder.h: a card printer's contact station as the batch run's feeder (DESIGN §6, §8). Each card is fed
 * from the hopper and parked under the contact station, reached through the printer's built-in PC/SC reader, and
 * then ejected to the output hopper or sent to the reject bin. One card at a time (the printer has one contact
 * station), and on Stop the card inside is finished: a printer must not keep a card.
 *
 * Faults (feeder empty, jam, cover open, ribbon out, a refusal outside the list, a lost connection) are reported
 * as "fault" with the typed ClLineFault and ridden out: the status is polled until the printer reports the fault
 * gone (ribbon out, which the status does not show, is retried blindly), cl_feeder_retry() retries at once, and
 * "fault-cleared" follows once the printer reports the fault gone or the move succeeded. Every "fault" is followed
 * by one "fault-cleared" before another fault is reported. A lost connection is reconnected every second; whatever
 * card is inside then goes to the reject bin, because nobody can vouch for what the mechanics did meanwhile.
 *
 * next_card: the first call connects and identifies the printer (note "printer model=... serial=... firmware=...")
 * and sends a card an earlier run left inside to the reject bin, returned as an unproduced card (PROTOCOL_ERROR,
 * already in the bin). A card lost while being fed (connection dropped) comes back the same way. Cancelling (Pause,
 * Stop) ends a fault wait or a reconnection with G_IO_ERROR_CANCELLED; a card once parked is returned regardless.
 *
 * connect: the printer says when the card is parked, so the card is connected the moment pcscd reports it, waited for
 * on pcscd itself rather than through the batch run's card-inserted event (and not mistaking the previous card, which
 * pcscd may still report for a moment, for it). A reader that reports no card within 10 s is the fault
 * CARD_NOT_PRESENT (cleared once that card reached the reject bin) and an error for the card.
 *
 * dispose ejects (OUTPUT) or rejects (REJECT_BIN) through the same fault handling, never cancelled: a card whose move
 * began ends where it belongs, however long the operator takes. FALSE when the connection was lost with the card
 * inside (it went to the reject bin on recovery, as the error says, or, when the printer held no card any more
 * (power lost: the printer ejected it on power-up), CL_ERROR_WHEREABOUTS_UNKNOWN), when the card was taken out by
 * hand during a fault, or for RETAINED (a printer cannot keep a card: one still inside goes to the reject bin).
 *
 * release resets the card. reader_changed forwards a removal of this reader's card only once pcscd reported the card
 * arriving: the report of the previous card leaving may come after the next card was parked.
 *
 * Threads: every vfunc may run on any thread; printer I/O is serialised by the feeder (one card in flight anyway).
 * retry and reader_changed never block on printer I/O. */
#pragma once

#include "line/cl-feeder.h"

G_BEGIN_DECLS

#define CL_TYPE_PRINTER_FEEDER (cl_printer_feeder_get_type ())
G_DECLARE_FINAL_TYPE (ClPrinterFeeder, cl_printer_feeder, CL, PRINTER_FEEDER, ClFeeder)

/* printer_address as cl_printer_address_parse() takes it (tcp://HOST:PORT, usb, ...), checked now so that a typo is
 * said before the first feed; reader: the PC/SC name of the printer's contact station. Nothing is connected yet. */
ClPrinterFeeder *cl_printer_feeder_new (const char *printer_address, const char *reader, GError **error);

G_END_DECLS
