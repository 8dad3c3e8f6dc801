/* bench-dashboard-fill.h: bench-dashboard's history of N cards written into a store in bulk, on SQLite or on
 * PostgreSQL, and the check that PostgreSQL's rebuilt yield aggregates are what its triggers accumulate. */
#pragma once

#include "store/cl-store.h"

/* Fills an empty store with n_cards over five days and five batches, in one transaction, the yield triggers off and
 * their aggregate tables rebuilt from the rows at the end. Prints the statements that took over a second. */
void bench_dashboard_fill (ClStore *store, guint n_cards);

/* PostgreSQL only: fills an empty store with n_cards through the yield triggers (row by row), keeps what they
 * accumulated, rebuilds the aggregates with the bulk fill's SQL and compares every aggregate table row for row.
 * Aborts naming the table and its differing rows when they differ. */
void bench_dashboard_check_rebuild (ClStore *store, guint n_cards);
