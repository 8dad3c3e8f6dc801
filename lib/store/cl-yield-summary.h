/* cl-yield-summary.h: the yield figures of DESIGN §3, defined here and nowhere else.
 *
 * Over the production attempts in scope (one batch or all; QA re-tests are not feeds):
 *   fed             production attempts: every entry of a card into the contact station, re-feeds included, except
 *                   retained ones
 *   retained        production attempts a killed station left open, ended RETAINED on its restart: the card was
 *                   neither made nor put in the reject bin (it is found in a reader and fed again), so such an
 *                   attempt counts as neither fed nor rejected
 *   distinct_chips  distinct chip identities fed; a feed that never identified its chip (NO_ATR) counts as one
 *   good            distinct chips with a production attempt that ended GOOD (verified, DESIGN §2 step 10)
 *   first_pass_good distinct chips whose first production attempt ended GOOD
 *   rejected        production attempts that ended REJECTED, retained and unknown ones not (each one put a card in
 *                   the reject bin)
 *   unknown         production attempts whose card's whereabouts are unknown (disposition UNKNOWN: a printer lost
 *                   power with the card inside and held none afterwards): fed, not good, and not rejected, because
 *                   the reject bin may not hold that card; neither bin counts it
 *   recovered       distinct chips fed, not good in production, that QA recovered (a good re-test, CL_QA_RECOVER)
 *   scrapped        distinct chips fed that QA scrapped
 *   first-pass yield = first_pass_good / fed
 *   final yield      = (good + recovered) / distinct_chips
 *   throughput       = good attempts ended in the window * 1 h / span, in cards per hour, where span is the
 *                      window, or the run's own time when the run is shorter: when the first feed in scope (from)
 *                      is inside the window, from it to the last eject in the window (a 2-minute demo of 45 good
 *                      cards made 1350 good cards/h, not 45). A whole card cycle is inside that span, so it is
 *                      never near zero; one second is the floor for timestamps that say otherwise. With all
 *                      batches in scope, the run is the store's whole history.
 *   cycle time       = mean of (ended - started) of ended production attempts (feed -> eject);
 *                      per step: mean recorded duration of each step
 *   rejects by reason / by step: rejected production attempts (retained and unknown ones not) grouped by reject reason
 * / failed step. Ratios are 0 when their denominator is 0.
 *
 * One station's figures (station set) are the same over the production attempts that station made. A chip that moved
 * between stations counts at every station that fed it, as a chip fed in two batches counts in both: it is a distinct
 * chip at each; good at a station only if one of that station's attempts ended GOOD; first-pass good there only if
 * its first production attempt anywhere was there and ended GOOD; recovered or scrapped (by QA, which is no
 * station's) at each station that fed it and did not make it good. So a chip rejected at A and made good at B lowers
 * A's final yield and counts good at B, and the stations' distinct chips may add up to more than the fleet's; fed,
 * rejected, cycle and step figures belong to one station each and add up to the fleet's (test-store-stations). */
#pragma once

#include <glib-object.h>

#include "store/cl-production-types.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 batch_id; /* 0: all batches */
  char *station;   /* NULL: every station */
  gint64 from;     /* first feed in scope, µs since the epoch; 0 if none */
  gint64 until;    /* last eject in scope */

  guint64 fed;
  guint64 distinct_chips;
  guint64 good;
  guint64 first_pass_good;
  guint64 rejected;
  guint64 recovered;
  guint64 scrapped;
  guint64 retained;
  guint64 unknown;

  double first_pass_yield;
  double final_yield;

  gint64 throughput_window_us;
  guint64 throughput_good;   /* good attempts ended in the window */
  gint64 throughput_span_us; /* what throughput divides by: the window, or the run's own time when shorter;
                              * 0 (a summary built by hand): the window */
  double throughput_per_hour;

  guint64 cycle_count; /* ended production attempts */
  double cycle_time_mean_s;

  guint64 rejects_by_reason[CL_REJECT_REASON_COUNT];
  guint64 rejects_by_step[CL_PRODUCTION_STEP_COUNT];
  guint64 step_count[CL_PRODUCTION_STEP_COUNT];
  double step_mean_s[CL_PRODUCTION_STEP_COUNT];
} ClYieldSummary;

#define CL_TYPE_YIELD_SUMMARY (cl_yield_summary_get_type ())
GType cl_yield_summary_get_type (void);
ClYieldSummary *cl_yield_summary_new (void);
ClYieldSummary *cl_yield_summary_copy (const ClYieldSummary *summary);
void cl_yield_summary_free (ClYieldSummary *summary);
/* Derives the ratios from the counts (the store calls it; tests may too). */
void cl_yield_summary_compute_ratios (ClYieldSummary *summary);
/* Whether throughput is over the run's own time, the run being shorter than the window. */
gboolean cl_yield_summary_throughput_over_run (const ClYieldSummary *summary);

/* One JSON object (UTF-8, no trailing newline); what `cardline --headless --summary-json` writes. */
char *cl_yield_summary_to_json (const ClYieldSummary *summary);
/* Human-readable, one figure per line, for reports and logs. */
char *cl_yield_summary_to_text (const ClYieldSummary *summary);
/* "metric,key,value" rows with a header line: scalar figures have an empty key; reasons and steps name theirs. */
char *cl_yield_summary_to_csv (const ClYieldSummary *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClYieldSummary, cl_yield_summary_free)

/* One bucket of a time series (cl_store_yield_series). */
typedef struct
{
  gint64 start; /* µs since the epoch */
  guint64 fed;
  guint64 good;
  guint64 first_pass_good;
  guint64 rejected;
  double throughput_per_hour; /* good * 1 h / bucket length */
  double first_pass_yield;    /* first_pass_good / fed */
} ClYieldBucket;

G_END_DECLS
