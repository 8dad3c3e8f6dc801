/* yield-assert.c: the aggregates' series against the records' (yield-assert.h). */
#include "yield-assert.h"

#include "store/cl-yield-summary.h"

void
yield_assert_series_same (GArray *series[2], GArray *final[2])
{
  g_assert_cmpuint (series[0]->len, ==, series[1]->len);
  for (guint i = 0; i < series[0]->len; i++)
    {
      ClYieldBucket *x = &g_array_index (series[0], ClYieldBucket, i);
      ClYieldBucket *y = &g_array_index (series[1], ClYieldBucket, i);

      g_assert_cmpint (x->start, ==, y->start);
      g_assert_cmpuint (x->fed, ==, y->fed);
      g_assert_cmpuint (x->good, ==, y->good);
      g_assert_cmpuint (x->first_pass_good, ==, y->first_pass_good);
      g_assert_cmpuint (x->rejected, ==, y->rejected);
    }
  g_assert_cmpuint (final[0]->len, ==, final[1]->len);
  for (guint i = 0; i < final[0]->len; i++)
    g_assert_cmpfloat (g_array_index (final[0], double, i), ==, g_array_index (final[1], double, i));
  for (guint rows = 0; rows < 2; rows++)
    {
      g_array_unref (series[rows]);
      g_array_unref (final[rows]);
    }
}
