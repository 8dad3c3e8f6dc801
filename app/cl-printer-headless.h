/* cl-printer-headless.h: `cardline --headless --printer tcp://HOST:PORT|usb:[VID:PID] --printer-reader NAME
 * --profile FILE --batch NAME --quantity N [--face-printer URI|QUEUE]`: the printer-fed line
 * (cl-printer-station.h) without a window. Card faces go to --face-printer, else $CARDLINE_IPP_URI.
 *
 * A fault prints one line `fault fault=NICK ... instruction=TEXT` and the line waits: it resumes by itself when
 * the printer's status shows the fault cleared (polled every 500 ms), or at once on SIGUSR1 (the Resume button
 * of a headless station: `kill -USR1 PID`, the PID is in the first line). Ends with the batch summary and
 * `printer-line cards=N seconds=S cards-per-hour=R` (first feed to last disposition). */
#pragma once

#include "cl-production-headless.h"

G_BEGIN_DECLS

int cl_printer_headless_run (const ClProductionOptions *options);

G_END_DECLS
