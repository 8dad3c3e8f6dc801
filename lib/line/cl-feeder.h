/* cl-feeder.h: what a batch run needs of the hardware that brings cards to a station's readers and takes them away
 * (DESIGN §8: a rack, where a person or robot inserts cards, or a card printer's contact station). One class, one
 * implementation per kind of feeder in drivers/ (rack, printer; another printer vendor or the remote-production
 * client is one more), and a fake in the tests. The batch run drives it; nothing else does.
 *
 * Threads: next_card runs on the batch run's feed thread; connect, release and dispose on the thread of the card
 * job concerned; reader_changed on the main context; retry anywhere. A feeder's signals may be emitted from any of
 * those threads: the batch run takes them onto its main context.
 *
 * Signals:
 *   "fault"         (const char *reader, ClLineFault fault, gboolean card_inside, const char *detail): the feeder
 *                   stopped; the line shows the fault's instruction on that reader's panel until "fault-cleared"
 *   "fault-cleared" (const char *reader, ClLineFault fault)
 *   "card-removed"  (const char *reader): a card left its reader; the card job there ends CARD_REMOVED
 *   "note"          (const char *text): a line for the log that no view acts on ("printer model=... serial=...") */
#pragma once

#include <gio/gio.h>

#include "apdu/cl-transport.h"
#include "line/cl-feeder-card.h"
#include "station/cl-line-fault.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-types.h"

G_BEGIN_DECLS

#define CL_TYPE_FEEDER (cl_feeder_get_type ())
G_DECLARE_DERIVABLE_TYPE (ClFeeder, cl_feeder, CL, FEEDER, GObject)

struct _ClFeederClass
{
  GObjectClass parent_class;

  /* How many card jobs may run at once (a printer has one contact station; 0: no limit, one per reader). */
  guint max_cards_in_flight;
  /* On Stop: TRUE lets the cards in flight finish and go to their bin (a printer must not keep a card); FALSE
   * cancels them (CARD_REMOVED), as a rack's operator pulls them. */
  gboolean finish_cards_on_stop;

  /* Brings the next card to a reader (a printer feeds one, riding out faults) or waits for one (a rack: an
   * insertion). A card once brought is returned even if cancellable fired meanwhile. NULL with G_IO_ERROR_CANCELLED:
   * cancelled with no card; NULL with another error: the feeder cannot go on, and the batch run stops. */
  ClFeederCard *(*next_card) (ClFeeder *self, GCancellable *cancellable, GError **error);
  /* A transport to the card at its reader (the feeder knows how its readers are reached and how long a card takes
   * to be seen). */
  ClTransport *(*connect) (ClFeeder *self, ClFeederCard *card, GCancellable *cancellable, GError **error);
  /* The card's session ends; the card is left powered down, so the next reader of it starts fresh. */
  void (*release) (ClFeeder *self, ClFeederCard *card, ClTransport *transport);
  /* Moves the card to its disposition (OUTPUT or REJECT_BIN). FALSE: it did not get there; with
   * CL_ERROR_WHEREABOUTS_UNKNOWN nobody can say where it went (recorded UNKNOWN), otherwise it is in the reject bin.
   * Not cancelled by a stop: a card whose move began ends where it belongs. */
  gboolean (*dispose) (ClFeeder *self, ClFeederCard *card, ClDisposition disposition, GError **error);
  /* The operator says the fault is fixed: retry now instead of at the next poll. */
  void (*retry) (ClFeeder *self);
  /* A reader of the station saw a card inserted (present) or removed. The default emits "card-removed". */
  void (*reader_changed) (ClFeeder *self, const char *reader, gboolean present);
  /* After the last card job: let go of the hardware (the printer's connection). */
  void (*shutdown) (ClFeeder *self);
  /* Pause (hold TRUE) and resume: a feeder that can hold its next card itself says so (TRUE) and keeps watching a
   * fault in progress, reporting it cleared, without feeding until released; next_card is then not cancelled by a
   * pause. FALSE (the default): the batch run cancels next_card on a pause. Any thread. */
  gboolean (*hold) (ClFeeder *self, gboolean hold);
  /* What the fleet's records call this feeder (cl-store-fleet.h; the default, 0, is a rack). */
  ClFleetFeeder fleet_feeder;
  /* The printer it drives, as the operator named it (NULL, the default: none). */
  char *(*dup_printer) (ClFeeder *self);

  gpointer padding[5];
};

ClFeederCard *cl_feeder_next_card (ClFeeder *self, GCancellable *cancellable, GError **error);
ClTransport *cl_feeder_connect (ClFeeder *self, ClFeederCard *card, GCancellable *cancellable, GError **error);
void cl_feeder_release (ClFeeder *self, ClFeederCard *card, ClTransport *transport);
gboolean cl_feeder_dispose (ClFeeder *self, ClFeederCard *card, ClDisposition disposition, GError **error);
void cl_feeder_retry (ClFeeder *self);
void cl_feeder_reader_changed (ClFeeder *self, const char *reader, gboolean present);
void cl_feeder_shutdown (ClFeeder *self);
gboolean cl_feeder_hold (ClFeeder *self, gboolean hold);
guint cl_feeder_get_max_cards_in_flight (ClFeeder *self);
gboolean cl_feeder_get_finish_cards_on_stop (ClFeeder *self);
ClFleetFeeder cl_feeder_get_fleet_feeder (ClFeeder *self);
char *cl_feeder_dup_printer (ClFeeder *self);

/* For implementations: report through the signals above (any thread). */
void cl_feeder_emit_fault (ClFeeder *self, const char *reader, ClLineFault fault, gboolean card_inside,
                           const char *detail);
void cl_feeder_emit_fault_cleared (ClFeeder *self, const char *reader, ClLineFault fault);
void cl_feeder_emit_card_removed (ClFeeder *self, const char *reader);
void cl_feeder_emit_note (ClFeeder *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
