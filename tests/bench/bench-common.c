/* bench-common.c: CPU clocks and the rig's reader slots for the benches. */
#include "bench-common.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

double
bench_process_cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double
bench_thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
bench_rig_slots_find (BenchRigSlots *slots)
{
  const char *ports_env = g_getenv ("CARDLINE_VPCD_PORTS");
  const char *names_env = g_getenv ("CARDLINE_READER_NAMES");
  g_auto (GStrv) ports = NULL;
  g_auto (GStrv) names = NULL;
  guint n;

  if (ports_env == NULL || names_env == NULL)
    g_error (
      "bench: CARDLINE_VPCD_PORTS and CARDLINE_READER_NAMES are unset: run under tests/rig/rig-run --parts pcsc");
  ports = g_strsplit (ports_env, ",", -1);
  names = g_strsplit (names_env, ",", -1);
  n = MIN (g_strv_length (ports), g_strv_length (names));
  for (guint slot = 0; slot < 2; slot++)
    for (guint r = 0; r < n && slots->n < G_N_ELEMENTS (slots->names); r++)
      {
        g_autofree char *base = g_strndup (names[r], strlen (names[r]) - 2);

        slots->names[slots->n] = g_strdup_printf ("%s%02u", base, slot);
        slots->ports[slots->n] = (guint)g_ascii_strtoull (ports[r], NULL, 10) + slot;
        slots->n++;
      }
}
