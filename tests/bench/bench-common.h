/* bench-common.h: what the benches that run on the rig's readers share: CPU clocks and the rig's reader slots. */
#pragma once

#include <glib.h>

/* getrusage user + system seconds; who: RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD. */
double bench_process_cpu_s (int who);
/* This thread's CPU seconds. */
double bench_thread_cpu_s (void);

/* The rig's reader slots (CARDLINE_VPCD_PORTS, CARDLINE_READER_NAMES): every vpcd has two slots, "... 00 00" on
 * port P and "... 00 01" on P + 1; slot 0 of every vpcd comes first, so that 4 readers are 4 different vpcd
 * instances. */
typedef struct
{
  char *names[64];
  guint ports[64];
  guint n;
} BenchRigSlots;

void bench_rig_slots_find (BenchRigSlots *slots);
