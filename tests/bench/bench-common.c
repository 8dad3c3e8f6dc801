/* bench-common.c: CPU clocks and the rig's reader slots for the benches. */
#include "bench-common.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
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
bench_kernel_cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
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

void
bench_load_read (BenchLoad *load)
{
  g_autofree char *stat = NULL;
  g_autofree char *avg = NULL;
  guint64 v[10] = { 0 };

  memset (load, 0, sizeof *load);
  /* cpu  user nice system idle iowait irq softirq steal guest guest_nice */
  if (g_file_get_contents ("/proc/stat", &stat, NULL, NULL)
      && sscanf (stat,
                 "cpu %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                 " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7])
           == 8)
    {
      load->busy = v[0] + v[1] + v[2] + v[5] + v[6];
      load->idle = v[3] + v[4];
      load->steal = v[7];
    }
  if (g_file_get_contents ("/proc/loadavg", &avg, NULL, NULL))
    {
      g_strchomp (avg);
      g_strlcpy (load->loadavg, avg, sizeof load->loadavg);
    }
  load->self_s = bench_process_cpu_s (RUSAGE_SELF);
  load->children_s = bench_process_cpu_s (RUSAGE_CHILDREN);
}

void
bench_load_print (const BenchLoad *a, const BenchLoad *b, const char *children)
{
  double tick = (double)sysconf (_SC_CLK_TCK);
  double total = (double)(b->busy + b->idle + b->steal - a->busy - a->idle - a->steal) / tick;
  double busy = (double)(b->busy - a->busy) / tick;
  double self = b->self_s - a->self_s, cards = b->children_s - a->children_s;

  if (total <= 0)
    return;
  g_print ("      load: loadavg before %s, after %s; over the run on %ld CPUs: busy %.0f %% (this process %.0f %%, "
           "%s %.0f %%, everything else %.0f %%), steal %.1f %%\n",
           a->loadavg, b->loadavg, sysconf (_SC_NPROCESSORS_ONLN), 100 * busy / total, 100 * self / total, children,
           100 * cards / total, 100 * MAX (busy - self - cards, 0) / total,
           100 * (double)(b->steal - a->steal) / total);
}
