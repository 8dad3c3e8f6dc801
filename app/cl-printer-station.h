/* cl-printer-station.h: the printer-fed line (DESIGN §6): one card printer whose contact station is a PC/SC
 * reader of the line. Per card, on one worker thread:
 *
 *   feed (Sis) -> wait for card-inserted on the printer's reader (10 s, else CARD_NOT_PRESENT) -> production
 *   sequence -> FACE (good cards only: the profile's face template through CUPS) -> eject (good) / reject
 *   -> the disposition recorded.
 *
 * The card's move happens before its disposition is recorded, so a card is GOOD only once it is in the output
 * hopper. A face that did not print is PRINT_FAILED and the card goes to the reject bin.
 *
 * Faults (feeder empty, jam, cover open, ribbon out, card not present) pause the line: the station goes to FAULT
 * with the operator's instruction, the worker polls the printer's status every 500 ms and retries the move that
 * failed once the status shows the fault gone (a ribbon is not in the status: the move is retried every 2 s);
 * cl_printer_station_resume() (headless: SIGUSR1) retries at once. The card in transit stays where it is and the
 * same move is retried, so it is never lost.
 * A lost connection with a card inside: the station reconnects (every second), then sends that card to the
 * reject bin; it is recorded REJECTED (PROTOCOL_ERROR at DISPOSE, or its own reason if it was rejected anyway).
 *
 * Event details (kind "note", the printer's reader as the event's reader): those of cl-production-line.h plus
 *   printer model=M serial=S firmware=F
 *   fault fault=NICK card-inside=yes|no instruction=TEXT detail=...
 *   resumed fault=NICK
 *   recovered card-rejected=yes|no */
#pragma once

#include "cl-line.h"
#include "production/cl-production-setup.h"
#include "station/cl-batch-counters.h"

G_BEGIN_DECLS

#define CL_TYPE_PRINTER_STATION (cl_printer_station_get_type ())
G_DECLARE_FINAL_TYPE (ClPrinterStation, cl_printer_station, CL, PRINTER_STATION, GObject)

/* printer: tcp://HOST:PORT, usb: (any Evolis) or usb:VID:PID (hex). reader: the PC/SC name of the printer's
 * contact station. face_destination: IPP URI or CUPS queue for the card faces; NULL when the profile has no face.
 * Finds or creates the batch as cl_production_line_new() does: only store work, so any thread may call it (the
 * window does it on a worker). */
ClPrinterStation *cl_printer_station_new (ClLine *line, ClProductionSetup *setup, const char *printer,
                                          const char *reader, const char *face_destination, const char *batch_name,
                                          guint quantity, GError **error);
/* On the main context: follows the line's events for the reader and starts the worker; the printer is connected
 * there (unreachable: a fault, retried). */
void cl_printer_station_start (ClPrinterStation *self);
/* Main context. Pause: no new card is fed; the card in production finishes. The batch's state in the store
 * follows (PAUSED/RUNNING, recorded on a worker as user). */
void cl_printer_station_set_paused (ClPrinterStation *self, gboolean paused, const char *user);
gboolean cl_printer_station_get_paused (ClPrinterStation *self);
/* Main context, without waiting (the window's Stop): the card in production is disposed, then no card is fed and
 * the batch is recorded CLOSED (quantity disposed) or ABORTED as user, on a worker. */
void cl_printer_station_end (ClPrinterStation *self, const char *user);
/* The batch's counters for the Line view, kept on the main context (fed/good/rejected as the store counts). */
ClBatchCounters *cl_printer_station_get_counters (ClPrinterStation *self);
/* TRUE while the worker drives the printer (also after Stop, until the card inside is finished). */
gboolean cl_printer_station_get_running (ClPrinterStation *self);
/* The operator says the fault is fixed: retry now instead of at the next status poll. Any thread. */
void cl_printer_station_resume (ClPrinterStation *self);
gint64 cl_printer_station_get_batch_id (ClPrinterStation *self);
/* Cancelled once quantity cards are disposed. */
GCancellable *cl_printer_station_get_done (ClPrinterStation *self);
/* Cards disposed so far, and *seconds from the first feed to the last disposition (the line's throughput). */
guint cl_printer_station_get_throughput (ClPrinterStation *self, double *seconds);
/* Stops after the card in production is disposed (or now, if paused) and waits for the worker. */
void cl_printer_station_stop (ClPrinterStation *self);

G_END_DECLS
