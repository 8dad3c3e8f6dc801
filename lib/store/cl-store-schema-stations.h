/* cl-store-schema-stations.h: schema version 13 (issue 18 item 4), the yield figures by station, as one named text per
 * backend (cl-store-schema-stations.c). Included by cl-store-schema.c, cl-store-schema-pg.c and the dashboard bench.
 *
 * Every yield table of version 2 (yield_totals, yield_chips, yield_minutes, yield_rejects, yield_steps) gains a
 * station column and it joins each primary key. station '' is the whole fleet: its rows are version 12's (kept on
 * PostgreSQL, rebuilt from the same records on SQLite), so the fleet's figures do not move by a count. A named
 * station's rows hold the same figures over the production attempts that station made (attempts.station), filled in
 * from the records by the migration and kept by the triggers from then on, so one station's summary, span and series
 * read as few rows as the fleet's.
 *
 * A chip that moved between stations counts at every station that fed it, with what happened there (the rule is
 * cl-yield-summary.h's): yield_chips holds a row per chip, station and scope, its good_at and first_pass from that
 * station's attempts alone, its QA fields from the chip's QA actions wherever it was fed.
 */
#pragma once

extern const char cl_store_migration_yield_stations_sqlite[];
extern const char cl_store_migration_yield_stations_pg[];
