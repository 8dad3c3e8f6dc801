/* The PDF report's summary columns (cl_batch_report_summary_value_x) without a display: for any label and value
 * widths, a label as drawn (its own width, or shortened to the width returned) ends at least the gap before the
 * values begin; the values begin right after the widest label and the gap when they fit in the column, and move
 * left only as far as they must, never past half the column. */
#include <math.h>

#include "cl-batch-report.h"

#define GAP   12.0
#define WIDTH 245.5 /* one summary column of an A4 page, less the gap before the next */

static void
check (double widest_label, double widest_value)
{
  double label_width = -1;
  double value_x = cl_batch_report_summary_value_x (widest_label, widest_value, WIDTH, GAP, &label_width);
  double drawn = MIN (widest_label, label_width);

  g_assert_cmpfloat (drawn, >=, 0);
  g_assert_cmpfloat (drawn + GAP, <=, value_x + 1e-9);
  g_assert_cmpfloat (label_width, <=, widest_label);
  g_assert_cmpfloat (value_x, >=, MIN (widest_label + GAP, WIDTH / 2) - 1e-9);
  if (widest_label + GAP + widest_value <= WIDTH)
    {
      /* room for all: nothing shortened, values right after the widest label */
      g_assert_cmpfloat (fabs (value_x - (widest_label + GAP)), <, 1e-9);
      g_assert_cmpfloat (label_width, ==, widest_label);
    }
  else if (widest_value <= WIDTH / 2)
    /* the values moved left just enough to end at the column's edge */
    g_assert_cmpfloat (fabs (value_x + widest_value - WIDTH), <, 1e-9);
}

static void
test_fits (void)
{
  double label_width;

  /* the English labels: "Recovered by QA / scrapped" is about 153 pt in Sans 8; 140 pt was too narrow for it */
  g_assert_cmpfloat (cl_batch_report_summary_value_x (152.6, 40, WIDTH, GAP, &label_width), ==, 152.6 + GAP);
  g_assert_cmpfloat (label_width, ==, 152.6);
  g_assert_cmpfloat (cl_batch_report_summary_value_x (10, 20, WIDTH, GAP, &label_width), ==, 10 + GAP);
  check (152.6, 40);
  check (0, 0);
}

static void
test_long_labels (void)
{
  double label_width;
  double value_x = cl_batch_report_summary_value_x (300, 40, WIDTH, GAP, &label_width);

  /* a translation wider than the column: shortened, the gap kept, the values still inside the column */
  g_assert_cmpfloat (value_x, ==, WIDTH - 40);
  g_assert_cmpfloat (label_width, ==, WIDTH - 40 - GAP);
  check (300, 40);
  check (200, 60);
  check (WIDTH, WIDTH);
}

static void
test_any_widths (void)
{
  for (double label = 0; label <= 2 * WIDTH; label += 3.7)
    for (double value = 0; value <= 1.5 * WIDTH; value += 5.3)
      check (label, value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-report/summary/fits", test_fits);
  g_test_add_func ("/batch-report/summary/long-labels", test_long_labels);
  g_test_add_func ("/batch-report/summary/any-widths", test_any_widths);
  return g_test_run ();
}
