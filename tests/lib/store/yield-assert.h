/* yield-assert.h: the store tests' check that the yield series read from the aggregates equal those read from the
 * records (cl_store_set_yield_from_rows), shared by the fleet's and one station's tests. */
#pragma once

#include <glib.h>

/* series[0] / final[0] read one way, series[1] / final[1] the other: same buckets, same figures. Frees all four. */
void yield_assert_series_same (GArray *series[2], GArray *final[2]);
