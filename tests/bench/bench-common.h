/* bench-common.h: what the benches share: CPU clocks, the machine's load and the rig's reader slots. */
#pragma once

#include <glib.h>

/* getrusage user + system seconds; who: RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD. */
double bench_process_cpu_s (int who);
/* getrusage system seconds alone (the kernel's share: syscalls, page faults); who as above. */
double bench_kernel_cpu_s (int who);
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

/* The machine's load over a run: what else had the CPUs while a bench measured, so that a run on a loaded machine can
 * be told apart. */
typedef struct
{
  guint64 busy, idle, steal; /* all CPUs, in clock ticks */
  double self_s, children_s; /* this process and its reaped children */
  char loadavg[64];
} BenchLoad;

void bench_load_read (BenchLoad *load);
/* Prints /proc/loadavg at a and b, and between them how busy the CPUs were: this process, its children (named
 * children, e.g. "its cards"), everything else, and steal. */
void bench_load_print (const BenchLoad *a, const BenchLoad *b, const char *children);
