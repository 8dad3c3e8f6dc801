/* cl-vcard-timing.h: how long a real chip would take for an APDU, so that the station's cycle-time
 * figures can be exercised against the simulator. Off by default: tests want speed, not realism. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint link_bps;            /* contact interface bit rate (T=1 at 115200 bit/s is typical of readers) */
  guint command_overhead_us; /* per-APDU turnaround of the OS (dispatch, block framing) */
  guint eeprom_us_per_byte;  /* persistent memory writes */
  guint crypto_us;           /* extra per command that runs the secure channel or a signature */
} ClVcardTiming;

void cl_vcard_timing_init_default (ClVcardTiming *timing);
/* Microseconds for a command of command_len bytes answered with response_len bytes that wrote written bytes. */
guint64 cl_vcard_timing_cost_us (const ClVcardTiming *timing, gsize command_len, gsize response_len, gsize written,
                                 gboolean crypto);

G_END_DECLS
