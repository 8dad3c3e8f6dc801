/* cl-store-schema-stations.h: schema version 13 (issue 18 item 4), the yield figures by station, as one named text per
 * backend (cl-store-schema-stations.c). Included by cl-store-schema.c and cl-store-schema-pg.c only.
 *
 * Every yield table of version 2 (yield_totals, yield_chips, yield_minutes, yield_rejects, yield_steps) gains a
 * station column and it joins each primary key. station '' is the whole fleet: its rows are version 12's (kept on
 * PostgreSQL, rebuilt from the same records on SQLite), so the fleet's figures do not move by a count. A named
 * station's rows hold the same figures over the production attempts that station made (attempts.station), filled in
 * from the records by the migration and kept by the triggers from then on, so one station's summary, span and series
 * read as few rows as the fleet's.
 *
 * A chip that moved between stations counts at every station that fed it, as a chip fed in two batches counts in
 * both: in a station's distinct chips, good and first-pass good only with what happened there. It is good at a
 * station when one of that station's attempts ended GOOD; it is first-pass good there only when its first
 * production attempt anywhere ended GOOD there; QA's recovery or scrap of the chip counts at every station that fed
 * it and did not make it good. So a chip rejected at A and made good at B is a loss in A's final yield and good in
 * B's, and the stations' distinct chips may add up to more than the fleet's. Feeds, rejects, steps and cycle times
 * belong to exactly one station and add up to the fleet's. */
#pragma once

extern const char cl_store_migration_yield_stations_sqlite[];
extern const char cl_store_migration_yield_stations_pg[];
