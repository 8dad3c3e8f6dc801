/* cl-store-schema-stations.c: schema version 13, the yield figures by station (meaning and the rule for a chip that
 * moved between stations in cl-store-schema-stations.h), on SQLite and on PostgreSQL. Version 2's triggers (and the
 * PostgreSQL baseline's) are replaced by ones that add to the fleet's row and to the attempt's station's row.
 *
 * SQLite drops and rebuilds the tables from the records, as version 2 did, so running it again (user_version set
 * back) gives the same tables; the fleet's rows come out as version 2's triggers kept them (test-store-stations holds
 * the two to each other). PostgreSQL, where a migration runs once in its transaction, adds the column in place and
 * keeps the fleet's rows as they are. On SQLite every table is filled by one grouped statement before any trigger
 * exists (yield_chips' figures in yield_totals and yield_minutes summed from its rows, not added by its triggers a
 * row at a time, which made a million cards' upgrade three times as long: bench-migrate); the triggers are made last
 * so the backfill is not counted twice. An attempt with station '' (none of Cardline's writers makes one) counts in the
 * fleet only. */
#include "store/cl-store-schema-stations.h"

#define MINUTE "60000000"

/* ---- SQLite ---- */

#define S_MINN(a, b) "min(coalesce(" a ", " b "), coalesce(" b ", " a "))"
#define S_MAXN(a, b) "max(coalesce(" a ", " b "), coalesce(" b ", " a "))"
/* The (station, scope) rows an attempt of this batch id and station counts in. */
#define S_SCOPES(batch, station)                                                                                       \
  "(SELECT s1.station, s2.scope FROM (SELECT '' AS station UNION ALL SELECT " station " WHERE " station " <> '') s1 "  \
  "CROSS JOIN (SELECT 0 AS scope UNION ALL SELECT " batch " WHERE " batch " IS NOT NULL) s2) sc"
#define S_TOTALS                                                                                                       \
  "INSERT INTO yield_totals (station, scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, "      \
  "scrapped, ended_count, cycle_us, first_started, last_ended, last_qa) "
#define S_TOTALS_ADD                                                                                                   \
  " ON CONFLICT (station, scope) DO UPDATE SET fed = fed + excluded.fed, anonymous = anonymous + excluded.anonymous, " \
  "chips = chips + excluded.chips, good = good + excluded.good, "                                                      \
  "first_pass_good = first_pass_good + excluded.first_pass_good, rejected = rejected + excluded.rejected, "            \
  "recovered = recovered + excluded.recovered, scrapped = scrapped + excluded.scrapped, "                              \
  "ended_count = ended_count + excluded.ended_count, cycle_us = cycle_us + excluded.cycle_us, "                        \
  "first_started = " S_MINN (                                                                                          \
    "first_started",                                                                                                   \
    "excluded.first_started") ", "                                                                                     \
                              "last_ended = " S_MAXN ("last_ended", "excluded.last_ended") ", last_qa = " S_MAXN (     \
                                "last_qa", "excluded.last_qa") ";\n"
#define S_MINUTES                                                                                                      \
  "INSERT INTO yield_minutes (station, scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok) "
#define S_MINUTES_ADD                                                                                                  \
  " ON CONFLICT (station, scope, minute) DO UPDATE SET fed = fed + excluded.fed, good = good + excluded.good, "        \
  "first_pass_good = first_pass_good + excluded.first_pass_good, rejected = rejected + excluded.rejected, "            \
  "chips_fed = chips_fed + excluded.chips_fed, chips_ok = chips_ok + excluded.chips_ok;\n"
#define S_CHIPS                                                                                                        \
  "INSERT INTO yield_chips (chip_id, station, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last) "
#define S_CHIP_QA(chip)                                                                                                \
  "(SELECT min(created) FROM qa_actions WHERE chip_id = " chip " AND action = 'RECOVER'), "                            \
  "EXISTS (SELECT 1 FROM qa_actions WHERE chip_id = " chip " AND action = 'SCRAP'), "                                  \
  "(SELECT max(created) FROM qa_actions WHERE chip_id = " chip ")"
#define S_OK_AT(row) "coalesce(" row ".good_at, " row ".recovered_at)"
#define S_NEW_SCOPES S_SCOPES ("new.batch_id", "new.station")
#define S_ATTEMPT_ENDED                                                                                                \
  S_MINUTES                                                                                                            \
  "SELECT sc.station, sc.scope, new.ended / " MINUTE ", 1, new.result IS 'GOOD', "                                     \
  "new.result IS 'GOOD' AND new.first_attempt, new.result IS 'REJECTED', new.chip_id IS NULL, 0 "                      \
  "FROM " S_NEW_SCOPES " WHERE new.ended IS NOT NULL" S_MINUTES_ADD                                                    \
  "INSERT INTO yield_rejects (station, scope, reason, step, n) SELECT sc.station, sc.scope, new.reject_reason, "       \
  "new.failed_step, 1 FROM " S_NEW_SCOPES " WHERE new.result IS 'REJECTED' "                                           \
  "ON CONFLICT (station, scope, reason, step) DO UPDATE SET n = n + 1;\n"
#define S_ATTEMPT_CHIP                                                                                                 \
  S_CHIPS "SELECT new.chip_id, sc.station, sc.scope, new.ended, CASE WHEN new.result IS 'GOOD' THEN new.ended END, "   \
          "new.result IS 'GOOD' AND new.first_attempt, " S_CHIP_QA (                                                   \
            "new.chip_id") " FROM " S_NEW_SCOPES                                                                       \
                           " WHERE new.chip_id IS NOT NULL ON CONFLICT (chip_id, station, scope) DO UPDATE SET "       \
                           "fed_at = " S_MINN ("fed_at", "excluded.fed_at") ", good_at = " S_MINN (                    \
                             "good_at", "excluded.good_at") ", "                                                       \
                                                            "first_pass = max(first_pass, excluded.first_pass);\n"
/* Every production attempt in the rows it counts in, for the backfill: st is the row's station ('' the fleet).
 * +kind: the attempts are read in the table's order, not one lookup each through an index on kind. */
#define S_SCOPED_ATTEMPTS                                                                                              \
  "(SELECT '' AS st, 0 AS scope, * FROM attempts WHERE +kind = 'PRODUCTION' UNION ALL "                                \
  "SELECT '', batch_id, * FROM attempts WHERE +kind = 'PRODUCTION' AND batch_id IS NOT NULL UNION ALL "                \
  "SELECT station, 0, * FROM attempts WHERE +kind = 'PRODUCTION' AND station <> '' UNION ALL "                         \
  "SELECT station, batch_id, * FROM attempts WHERE +kind = 'PRODUCTION' AND station <> '' AND batch_id IS NOT NULL)"
/* The rows of g (sums over a station's attempts of one batch: station, batch_id, then cols) in the rows they count
 * in, as S_SCOPED_ATTEMPTS puts the attempts: summing a table's figures by station and batch first sorts a group per
 * attempt once instead of four times. */
#define S_EXPANDED(cols)                                                                                               \
  "(SELECT '' AS st, 0 AS scope, " cols " FROM g UNION ALL "                                                           \
  "SELECT '', batch_id, " cols " FROM g WHERE batch_id IS NOT NULL UNION ALL "                                         \
  "SELECT station, 0, " cols " FROM g WHERE station <> '' UNION ALL "                                                  \
  "SELECT station, batch_id, " cols " FROM g WHERE station <> '' AND batch_id IS NOT NULL)"
#define S_TOTALS_COLS  "fed, anonymous, rejected, ended_count, cycle_us, first_started, last_ended"
#define S_MINUTES_COLS "minute, fed, good, first_pass_good, rejected, chips_fed"
#define S_REJECTS_COLS "reason, step, n"
#define S_STEPS_COLS   "step, n, total_us"

#define S_NEW_OK_AT S_OK_AT ("new")
#define S_OLD_OK_AT S_OK_AT ("old")
/* yield_chips' triggers: a chip row adds its figures to yield_totals and yield_minutes. */
#define S_CHIP_TRIGGERS                                                                                                \
  "CREATE TRIGGER yield_chips_insert AFTER INSERT ON yield_chips BEGIN\n" S_TOTALS                                     \
  "VALUES (new.station, new.scope, 0, 0, 1, new.good_at IS NOT NULL, new.first_pass, 0, "                              \
  "new.recovered_at IS NOT NULL AND new.good_at IS NULL, new.scrapped AND new.good_at IS NULL, 0, 0, NULL, NULL, "     \
  "new.qa_last)" S_TOTALS_ADD S_MINUTES "SELECT new.station, new.scope, new.fed_at / " MINUTE                          \
  ", 0, 0, 0, 0, 1, 0 WHERE new.fed_at IS NOT NULL" S_MINUTES_ADD S_MINUTES                                            \
  "SELECT new.station, new.scope, " S_NEW_OK_AT " / " MINUTE ", 0, 0, 0, 0, 0, 1 WHERE " S_NEW_OK_AT                   \
  " IS NOT NULL" S_MINUTES_ADD "END;\n"                                                                                \
  "CREATE TRIGGER yield_chips_update AFTER UPDATE ON yield_chips BEGIN\n" S_TOTALS                                     \
  "VALUES (new.station, new.scope, 0, 0, 0, (new.good_at IS NOT NULL) - (old.good_at IS NOT NULL), "                   \
  "new.first_pass - old.first_pass, 0, "                                                                               \
  "(new.recovered_at IS NOT NULL AND new.good_at IS NULL) - (old.recovered_at IS NOT NULL AND old.good_at IS NULL), "  \
  "(new.scrapped AND new.good_at IS NULL) - (old.scrapped AND old.good_at IS NULL), 0, 0, NULL, NULL, "                \
  "new.qa_last)" S_TOTALS_ADD S_MINUTES "SELECT new.station, new.scope, old.fed_at / " MINUTE ", 0, 0, 0, 0, -1, 0 "   \
  "WHERE old.fed_at IS NOT NULL AND old.fed_at IS NOT new.fed_at" S_MINUTES_ADD S_MINUTES                              \
  "SELECT new.station, new.scope, new.fed_at / " MINUTE ", 0, 0, 0, 0, 1, 0 "                                          \
  "WHERE new.fed_at IS NOT NULL AND old.fed_at IS NOT new.fed_at" S_MINUTES_ADD S_MINUTES                              \
  "SELECT new.station, new.scope, " S_OLD_OK_AT " / " MINUTE ", 0, 0, 0, 0, 0, -1 "                                    \
  "WHERE " S_OLD_OK_AT " IS NOT NULL AND " S_OLD_OK_AT " IS NOT " S_NEW_OK_AT S_MINUTES_ADD S_MINUTES                  \
  "SELECT new.station, new.scope, " S_NEW_OK_AT " / " MINUTE ", 0, 0, 0, 0, 0, 1 "                                     \
  "WHERE " S_NEW_OK_AT " IS NOT NULL AND " S_OLD_OK_AT " IS NOT " S_NEW_OK_AT S_MINUTES_ADD "END;\n"

#define S_CHIP_OK_AT       S_OK_AT ("yield_chips")
#define S_TOTALS_EXPANDED  S_EXPANDED (S_TOTALS_COLS)
#define S_MINUTES_EXPANDED S_EXPANDED (S_MINUTES_COLS)
#define S_REJECTS_EXPANDED S_EXPANDED (S_REJECTS_COLS)
#define S_STEPS_EXPANDED   S_EXPANDED (S_STEPS_COLS)
/* The figures from the records, the fleet's and each station's, each table in one grouped statement before any
 * trigger on it exists: yield_chips' figures in yield_totals and yield_minutes are summed from its rows, as its
 * triggers would add them a row at a time (the same rows, the same values: test-store-stations holds the two to each
 * other). A chip's QA figures come from one pass over qa_actions, for the chips that have any. */
#define S_BACKFILL_CHIPS                                                                                               \
  S_CHIPS "SELECT chip_id, st, scope, min(ended), min(CASE WHEN result = 'GOOD' THEN ended END), "                     \
          "max(result IS 'GOOD' AND first_attempt), NULL, 0, NULL FROM " S_SCOPED_ATTEMPTS " a "                       \
          "WHERE chip_id IS NOT NULL GROUP BY chip_id, st, scope;\n"                                                   \
          "UPDATE yield_chips SET recovered_at = q.recovered_at, scrapped = q.scrapped, qa_last = q.qa_last "          \
          "FROM (SELECT chip_id, min(CASE WHEN action = 'RECOVER' THEN created END) AS recovered_at, "                 \
          "max(action = 'SCRAP') AS scrapped, max(created) AS qa_last FROM qa_actions GROUP BY chip_id) q "            \
          "WHERE yield_chips.chip_id = q.chip_id;\n"
#define S_BACKFILL_TOTALS                                                                                              \
  "WITH g AS (SELECT station, batch_id, count(*) AS fed, sum(chip_id IS NULL) AS anonymous, "                          \
  "sum(result IS 'REJECTED') AS rejected, count(ended) AS ended_count, sum(ended - started) AS cycle_us, "             \
  "min(started) AS first_started, max(ended) AS last_ended FROM attempts WHERE +kind = 'PRODUCTION' "                  \
  "GROUP BY station, batch_id) " S_TOTALS                                                                              \
  "SELECT a.st, a.scope, a.fed, a.anonymous, coalesce(c.chips, 0), coalesce(c.good, 0), "                              \
  "coalesce(c.first_pass_good, 0), a.rejected, coalesce(c.recovered, 0), coalesce(c.scrapped, 0), a.ended_count, "     \
  "a.cycle_us, a.first_started, a.last_ended, c.last_qa FROM (SELECT st, scope, sum(fed) AS fed, "                     \
  "sum(anonymous) AS anonymous, sum(rejected) AS rejected, sum(ended_count) AS ended_count, "                          \
  "coalesce(sum(cycle_us), 0) AS cycle_us, min(first_started) AS first_started, max(last_ended) AS last_ended "        \
  "FROM " S_TOTALS_EXPANDED " GROUP BY st, scope) a LEFT JOIN (SELECT station, scope, count(*) AS chips, "             \
  "count(good_at) AS good, sum(first_pass) AS first_pass_good, "                                                       \
  "sum(recovered_at IS NOT NULL AND good_at IS NULL) AS recovered, sum(scrapped AND good_at IS NULL) AS scrapped, "    \
  "max(qa_last) AS last_qa FROM yield_chips GROUP BY station, scope) c ON c.station = a.st AND c.scope = a.scope;\n"
#define S_BACKFILL_MINUTES                                                                                             \
  "WITH g AS (SELECT station, batch_id, ended / " MINUTE                                                               \
  " AS minute, count(*) AS fed, sum(result IS 'GOOD') AS good, "                                                       \
  "sum(result IS 'GOOD' AND first_attempt) AS first_pass_good, sum(result IS 'REJECTED') AS rejected, "                \
  "sum(chip_id IS NULL) AS chips_fed FROM attempts WHERE +kind = 'PRODUCTION' AND ended IS NOT NULL "                  \
  "GROUP BY 1, 2, 3) " S_MINUTES                                                                                       \
  "SELECT st, scope, minute, sum(fed), sum(good), sum(first_pass_good), sum(rejected), sum(chips_fed), "               \
  "sum(chips_ok) FROM (SELECT st, scope, " S_MINUTES_COLS ", 0 AS chips_ok FROM " S_MINUTES_EXPANDED " "               \
  "UNION ALL SELECT station, scope, fed_at / " MINUTE ", 0, 0, 0, 0, count(*), 0 FROM yield_chips "                    \
  "WHERE fed_at IS NOT NULL GROUP BY 1, 2, 3 "                                                                         \
  "UNION ALL SELECT station, scope, " S_CHIP_OK_AT " / " MINUTE ", 0, 0, 0, 0, 0, count(*) "                           \
  "FROM yield_chips WHERE " S_CHIP_OK_AT " IS NOT NULL GROUP BY 1, 2, 3) GROUP BY 1, 2, 3;\n"
#define S_BACKFILL_REJECTS_STEPS                                                                                       \
  "WITH g AS (SELECT station, batch_id, reject_reason AS reason, failed_step AS step, count(*) AS n FROM attempts "    \
  "WHERE +kind = 'PRODUCTION' AND result = 'REJECTED' GROUP BY 1, 2, 3, 4) "                                           \
  "INSERT INTO yield_rejects (station, scope, reason, step, n) SELECT st, scope, reason, step, sum(n) "                \
  "FROM " S_REJECTS_EXPANDED " GROUP BY 1, 2, 3, 4;\n"                                                                 \
  "WITH g AS (SELECT a.station, a.batch_id, s.step, count(*) AS n, sum(s.duration_us) AS total_us "                    \
  "FROM steps s CROSS JOIN attempts a ON a.id = s.attempt_id WHERE a.kind = 'PRODUCTION' GROUP BY 1, 2, 3) "           \
  "INSERT INTO yield_steps (station, scope, step, n, total_us) SELECT st, scope, step, sum(n), sum(total_us) "         \
  "FROM " S_STEPS_EXPANDED " GROUP BY 1, 2, 3;\n"
#define S_STEP_SCOPES                                                                                                  \
  S_SCOPES ("(SELECT batch_id FROM attempts WHERE id = new.attempt_id)",                                               \
            "(SELECT station FROM attempts WHERE id = new.attempt_id)")
#define S_QA_LAST      S_MAXN ("qa_last", "new.created")
#define S_QA_RECOVERED S_MINN ("recovered_at", "new.created")
/* From now on, as records arrive (the same cases as version 2's triggers). */
#define S_RECORD_TRIGGERS                                                                                              \
  "CREATE TRIGGER attempts_yield_insert AFTER INSERT ON attempts WHEN new.kind = 'PRODUCTION' BEGIN\n" S_TOTALS        \
  "SELECT sc.station, sc.scope, 1, new.chip_id IS NULL, 0, 0, 0, new.result IS 'REJECTED', 0, 0, "                     \
  "new.ended IS NOT NULL, coalesce(new.ended - new.started, 0), new.started, new.ended, NULL "                         \
  "FROM " S_NEW_SCOPES " WHERE true" S_TOTALS_ADD S_ATTEMPT_ENDED S_ATTEMPT_CHIP "END;\n"                              \
  "CREATE TRIGGER attempts_yield_identify AFTER UPDATE OF chip_id ON attempts "                                        \
  "WHEN new.kind = 'PRODUCTION' AND old.chip_id IS NULL AND new.chip_id IS NOT NULL BEGIN\n" S_TOTALS                  \
  "SELECT sc.station, sc.scope, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL "                                      \
  "FROM " S_NEW_SCOPES " WHERE true" S_TOTALS_ADD S_MINUTES "SELECT sc.station, sc.scope, old.ended / " MINUTE         \
  ", 0, 0, (new.result IS 'GOOD' AND new.first_attempt) - (old.result IS 'GOOD' AND old.first_attempt), 0, -1, 0 "     \
  "FROM " S_NEW_SCOPES " WHERE old.ended IS NOT NULL" S_MINUTES_ADD S_ATTEMPT_CHIP "END;\n"                            \
  "CREATE TRIGGER attempts_yield_end AFTER UPDATE OF ended ON attempts "                                               \
  "WHEN new.kind = 'PRODUCTION' AND old.ended IS NULL AND new.ended IS NOT NULL BEGIN\n" S_TOTALS                      \
  "SELECT sc.station, sc.scope, 0, 0, 0, 0, 0, new.result IS 'REJECTED', 0, 0, 1, new.ended - new.started, "           \
  "NULL, new.ended, NULL FROM " S_NEW_SCOPES " WHERE true" S_TOTALS_ADD S_ATTEMPT_ENDED S_ATTEMPT_CHIP "END;\n"        \
  "CREATE TRIGGER steps_yield_insert AFTER INSERT ON steps "                                                           \
  "WHEN (SELECT kind FROM attempts WHERE id = new.attempt_id) = 'PRODUCTION' BEGIN\n"                                  \
  "INSERT INTO yield_steps (station, scope, step, n, total_us) SELECT sc.station, sc.scope, new.step, 1, "             \
  "new.duration_us FROM " S_STEP_SCOPES " WHERE true ON CONFLICT (station, scope, step) DO UPDATE SET n = n + 1, "     \
  "total_us = total_us + excluded.total_us;\n"                                                                         \
  "END;\n"                                                                                                             \
  "CREATE TRIGGER qa_actions_yield_insert AFTER INSERT ON qa_actions BEGIN\n"                                          \
  "UPDATE yield_chips SET qa_last = " S_QA_LAST ", recovered_at = CASE WHEN new.action = 'RECOVER' "                   \
  "THEN " S_QA_RECOVERED " ELSE recovered_at END, scrapped = scrapped OR new.action = 'SCRAP' "                        \
  "WHERE chip_id = new.chip_id;\n"                                                                                     \
  "END;\n"

const char cl_store_migration_yield_stations_sqlite[]
  = "DROP TRIGGER IF EXISTS attempts_yield_insert;\n"
    "DROP TRIGGER IF EXISTS attempts_yield_identify;\n"
    "DROP TRIGGER IF EXISTS attempts_yield_end;\n"
    "DROP TRIGGER IF EXISTS steps_yield_insert;\n"
    "DROP TRIGGER IF EXISTS qa_actions_yield_insert;\n"
    "DROP TABLE IF EXISTS yield_totals;\n"
    "DROP TABLE IF EXISTS yield_chips;\n"
    "DROP TABLE IF EXISTS yield_minutes;\n"
    "DROP TABLE IF EXISTS yield_rejects;\n"
    "DROP TABLE IF EXISTS yield_steps;\n"
    /* The key's columns first, in its order (SQLite 3.40's integrity_check misreads a WITHOUT ROWID table whose key
     * is declared in another order). */
    "CREATE TABLE yield_totals (\n"
    "  station TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  fed INTEGER NOT NULL DEFAULT 0,\n"
    "  anonymous INTEGER NOT NULL DEFAULT 0,\n"
    "  chips INTEGER NOT NULL DEFAULT 0,\n"
    "  good INTEGER NOT NULL DEFAULT 0,\n"
    "  first_pass_good INTEGER NOT NULL DEFAULT 0,\n"
    "  rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  recovered INTEGER NOT NULL DEFAULT 0,\n"
    "  scrapped INTEGER NOT NULL DEFAULT 0,\n"
    "  ended_count INTEGER NOT NULL DEFAULT 0,\n"
    "  cycle_us INTEGER NOT NULL DEFAULT 0,\n"
    "  first_started INTEGER,\n"
    "  last_ended INTEGER,\n"
    "  last_qa INTEGER,\n"
    "  PRIMARY KEY (station, scope)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_chips (\n"
    "  chip_id TEXT NOT NULL,\n"
    "  station TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  fed_at INTEGER,\n"
    "  good_at INTEGER,\n"
    "  first_pass INTEGER NOT NULL DEFAULT 0,\n"
    "  recovered_at INTEGER,\n"
    "  scrapped INTEGER NOT NULL DEFAULT 0,\n"
    "  qa_last INTEGER,\n"
    "  PRIMARY KEY (chip_id, station, scope)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_minutes (\n"
    "  station TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  minute INTEGER NOT NULL,\n"
    "  fed INTEGER NOT NULL DEFAULT 0,\n"
    "  good INTEGER NOT NULL DEFAULT 0,\n"
    "  first_pass_good INTEGER NOT NULL DEFAULT 0,\n"
    "  rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  chips_fed INTEGER NOT NULL DEFAULT 0,\n"
    "  chips_ok INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (station, scope, minute)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_rejects (\n"
    "  station TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  step TEXT NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  PRIMARY KEY (station, scope, reason, step)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_steps (\n"
    "  station TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  step TEXT NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  total_us INTEGER NOT NULL,\n"
    "  PRIMARY KEY (station, scope, step)\n"
    ") WITHOUT ROWID;\n"

  S_BACKFILL_CHIPS S_BACKFILL_TOTALS S_BACKFILL_MINUTES S_BACKFILL_REJECTS_STEPS S_CHIP_TRIGGERS S_RECORD_TRIGGERS;

/* ---- PostgreSQL (its baseline's helpers and trigger functions, with the station) ---- */

#define P_GOOD "(NEW.result IS NOT DISTINCT FROM 'GOOD')"
#define P_REJ  "(NEW.result IS NOT DISTINCT FROM 'REJECTED')"
#define P_REKEY(table, key)                                                                                            \
  "ALTER TABLE " table " ADD COLUMN station TEXT NOT NULL DEFAULT '';\n"                                               \
  "ALTER TABLE " table " DROP CONSTRAINT " table "_pkey, ADD PRIMARY KEY (" key ");\n"
/* Loops over the (station, scope) rows of an attempt with this batch id and station. */
#define P_LOOP_BEGIN(batch, station)                                                                                   \
  "  FOREACH st IN ARRAY cl_stations(" station ") LOOP\n"                                                              \
  "  FOREACH s IN ARRAY cl_scopes(" batch ") LOOP\n"
#define P_LOOP_END                                                                                                     \
  "  END LOOP;\n"                                                                                                      \
  "  END LOOP;\n"                                                                                                      \
  "  RETURN NULL;\n"                                                                                                   \
  "END $$;\n"
#define P_DECLARE                                                                                                      \
  "DECLARE\n"                                                                                                          \
  "  st TEXT;\n"                                                                                                       \
  "  s BIGINT;\n"
#define P_ATTEMPT_ENDED                                                                                                \
  "    IF NEW.ended IS NOT NULL THEN\n"                                                                                \
  "      PERFORM cl_yield_minutes_add(st, s, NEW.ended / " MINUTE ", 1, " P_GOOD "::INT, (" P_GOOD                     \
  " AND NEW.first_attempt = 1)::INT, " P_REJ "::INT, (NEW.chip_id IS NULL)::INT, 0);\n"                                \
  "    END IF;\n"                                                                                                      \
  "    IF " P_REJ " THEN\n"                                                                                            \
  "      INSERT INTO yield_rejects AS r (station, scope, reason, step, n)\n"                                           \
  "        VALUES (st, s, NEW.reject_reason, NEW.failed_step, 1)\n"                                                    \
  "        ON CONFLICT (station, scope, reason, step) DO UPDATE SET n = r.n + 1;\n"                                    \
  "    END IF;\n"
#define P_ATTEMPT_CHIP                                                                                                 \
  "    IF NEW.chip_id IS NOT NULL THEN\n"                                                                              \
  "      PERFORM cl_yield_chip_merge(NEW.chip_id, st, s, NEW.ended, CASE WHEN " P_GOOD " THEN NEW.ended END, (" P_GOOD \
  " AND NEW.first_attempt = 1)::INT);\n"                                                                               \
  "    END IF;\n"
/* Each station's production attempts, once per scope, for the backfill. */
#define P_STATION_ATTEMPTS                                                                                             \
  "(SELECT 0::BIGINT AS scope, * FROM attempts WHERE kind = 'PRODUCTION' AND station <> '' UNION ALL "                 \
  "SELECT batch_id AS scope, * FROM attempts WHERE kind = 'PRODUCTION' AND station <> '' AND batch_id IS NOT NULL)"

const char cl_store_migration_yield_stations_pg[] = P_REKEY ("yield_totals", "station, scope")
  P_REKEY ("yield_chips", "chip_id, station, scope") P_REKEY ("yield_minutes", "station, scope, minute") P_REKEY (
    "yield_rejects", "station, scope, reason, step") P_REKEY ("yield_steps", "station, scope, step")

    "DROP FUNCTION cl_yield_totals_add;\n"
    "DROP FUNCTION cl_yield_minutes_add;\n"
    "DROP FUNCTION cl_yield_chip_merge;\n"
    "CREATE FUNCTION cl_stations(station TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$\n"
    "  SELECT CASE WHEN station = '' THEN ARRAY[''] ELSE ARRAY['', station] END $$;\n"
    "CREATE FUNCTION cl_yield_totals_add(st TEXT, s BIGINT, d_fed BIGINT, d_anonymous BIGINT, d_chips BIGINT,\n"
    "    d_good BIGINT, d_first_pass_good BIGINT, d_rejected BIGINT, d_recovered BIGINT, d_scrapped BIGINT,\n"
    "    d_ended BIGINT, d_cycle_us BIGINT, started BIGINT, ended BIGINT, qa BIGINT) RETURNS void LANGUAGE sql AS $$\n"
    "  INSERT INTO yield_totals AS t (station, scope, fed, anonymous, chips, good, first_pass_good, rejected,\n"
    "      recovered, scrapped, ended_count, cycle_us, first_started, last_ended, last_qa)\n"
    "    VALUES (st, s, d_fed, d_anonymous, d_chips, d_good, d_first_pass_good, d_rejected, d_recovered, d_scrapped,\n"
    "      d_ended, d_cycle_us, started, ended, qa)\n"
    "  ON CONFLICT (station, scope) DO UPDATE SET fed = t.fed + excluded.fed,\n"
    "    anonymous = t.anonymous + excluded.anonymous, chips = t.chips + excluded.chips, good = t.good + "
    "excluded.good,\n"
    "    first_pass_good = t.first_pass_good + excluded.first_pass_good, rejected = t.rejected + excluded.rejected,\n"
    "    recovered = t.recovered + excluded.recovered, scrapped = t.scrapped + excluded.scrapped,\n"
    "    ended_count = t.ended_count + excluded.ended_count, cycle_us = t.cycle_us + excluded.cycle_us,\n"
    "    first_started = LEAST(t.first_started, excluded.first_started),\n"
    "    last_ended = GREATEST(t.last_ended, excluded.last_ended), last_qa = GREATEST(t.last_qa, excluded.last_qa)\n"
    "$$;\n"
    "CREATE FUNCTION cl_yield_minutes_add(st TEXT, s BIGINT, m BIGINT, d_fed BIGINT, d_good BIGINT,\n"
    "    d_first_pass_good BIGINT, d_rejected BIGINT, d_chips_fed BIGINT, d_chips_ok BIGINT) RETURNS void\n"
    "    LANGUAGE sql AS $$\n"
    "  INSERT INTO yield_minutes AS t (station, scope, minute, fed, good, first_pass_good, rejected, chips_fed,\n"
    "      chips_ok)\n"
    "    VALUES (st, s, m, d_fed, d_good, d_first_pass_good, d_rejected, d_chips_fed, d_chips_ok)\n"
    "  ON CONFLICT (station, scope, minute) DO UPDATE SET fed = t.fed + excluded.fed, good = t.good + excluded.good,\n"
    "    first_pass_good = t.first_pass_good + excluded.first_pass_good, rejected = t.rejected + excluded.rejected,\n"
    "    chips_fed = t.chips_fed + excluded.chips_fed, chips_ok = t.chips_ok + excluded.chips_ok\n"
    "$$;\n"
    "CREATE FUNCTION cl_yield_chip_merge(chip TEXT, st TEXT, s BIGINT, fed BIGINT, good BIGINT, first BIGINT)\n"
    "    RETURNS void LANGUAGE sql AS $$\n"
    "  INSERT INTO yield_chips AS c (chip_id, station, scope, fed_at, good_at, first_pass, recovered_at, scrapped,\n"
    "      qa_last)\n"
    "    VALUES (chip, st, s, fed, good, first,\n"
    "      (SELECT min(created) FROM qa_actions WHERE chip_id = chip AND action = 'RECOVER'),\n"
    "      EXISTS (SELECT 1 FROM qa_actions WHERE chip_id = chip AND action = 'SCRAP')::INT,\n"
    "      (SELECT max(created) FROM qa_actions WHERE chip_id = chip))\n"
    "  ON CONFLICT (chip_id, station, scope) DO UPDATE SET fed_at = LEAST(c.fed_at, excluded.fed_at),\n"
    "    good_at = LEAST(c.good_at, excluded.good_at), first_pass = GREATEST(c.first_pass, excluded.first_pass)\n"
    "$$;\n"

    "CREATE OR REPLACE FUNCTION cl_yield_chips_insert() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  PERFORM cl_yield_totals_add(NEW.station, NEW.scope, 0, 0, 1, (NEW.good_at IS NOT NULL)::INT, NEW.first_pass,\n"
    "    0, (NEW.recovered_at IS NOT NULL AND NEW.good_at IS NULL)::INT,\n"
    "    (NEW.scrapped <> 0 AND NEW.good_at IS NULL)::INT, 0, 0, NULL, NULL, NEW.qa_last);\n"
    "  IF NEW.fed_at IS NOT NULL THEN\n"
    "    PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, NEW.fed_at / " MINUTE ", 0, 0, 0, 0, 1, 0);\n"
    "  END IF;\n"
    "  IF coalesce(NEW.good_at, NEW.recovered_at) IS NOT NULL THEN\n"
    "    PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, coalesce(NEW.good_at, NEW.recovered_at) / " MINUTE ",\n"
    "      0, 0, 0, 0, 0, 1);\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    "CREATE OR REPLACE FUNCTION cl_yield_chips_update() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "DECLARE\n"
    "  old_ok BIGINT := coalesce(OLD.good_at, OLD.recovered_at);\n"
    "  new_ok BIGINT := coalesce(NEW.good_at, NEW.recovered_at);\n"
    "BEGIN\n"
    "  PERFORM cl_yield_totals_add(NEW.station, NEW.scope, 0, 0, 0,\n"
    "    (NEW.good_at IS NOT NULL)::INT - (OLD.good_at IS NOT NULL)::INT, NEW.first_pass - OLD.first_pass, 0,\n"
    "    (NEW.recovered_at IS NOT NULL AND NEW.good_at IS NULL)::INT\n"
    "      - (OLD.recovered_at IS NOT NULL AND OLD.good_at IS NULL)::INT,\n"
    "    (NEW.scrapped <> 0 AND NEW.good_at IS NULL)::INT - (OLD.scrapped <> 0 AND OLD.good_at IS NULL)::INT,\n"
    "    0, 0, NULL, NULL, NEW.qa_last);\n"
    "  IF OLD.fed_at IS DISTINCT FROM NEW.fed_at THEN\n"
    "    IF OLD.fed_at IS NOT NULL THEN\n"
    "      PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, OLD.fed_at / " MINUTE ", 0, 0, 0, 0, -1, 0);\n"
    "    END IF;\n"
    "    IF NEW.fed_at IS NOT NULL THEN\n"
    "      PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, NEW.fed_at / " MINUTE ", 0, 0, 0, 0, 1, 0);\n"
    "    END IF;\n"
    "  END IF;\n"
    "  IF old_ok IS DISTINCT FROM new_ok THEN\n"
    "    IF old_ok IS NOT NULL THEN\n"
    "      PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, old_ok / " MINUTE ", 0, 0, 0, 0, 0, -1);\n"
    "    END IF;\n"
    "    IF new_ok IS NOT NULL THEN\n"
    "      PERFORM cl_yield_minutes_add(NEW.station, NEW.scope, new_ok / " MINUTE ", 0, 0, 0, 0, 0, 1);\n"
    "    END IF;\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$;\n"

    /* The stations' figures from the records, before the attempt triggers change. */
    "INSERT INTO yield_chips (chip_id, station, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last)\n"
    "  SELECT chip_id, station, scope, min(ended), min(CASE WHEN result = 'GOOD' THEN ended END),\n"
    "    max((result IS NOT DISTINCT FROM 'GOOD' AND first_attempt = 1)::INT),\n"
    "    (SELECT min(created) FROM qa_actions q WHERE q.chip_id = a.chip_id AND action = 'RECOVER'),\n"
    "    EXISTS (SELECT 1 FROM qa_actions q WHERE q.chip_id = a.chip_id AND action = 'SCRAP')::INT,\n"
    "    (SELECT max(created) FROM qa_actions q WHERE q.chip_id = a.chip_id)\n"
    "  FROM " P_STATION_ATTEMPTS " a WHERE chip_id IS NOT NULL GROUP BY chip_id, station, scope;\n"
    "SELECT cl_yield_totals_add(station, scope, count(*), count(*) - count(chip_id), 0, 0, 0,\n"
    "    count(*) FILTER (WHERE result = 'REJECTED'), 0, 0, count(ended), coalesce(sum(ended - started), 0)::BIGINT,\n"
    "    min(started), max(ended), NULL)\n"
    "  FROM " P_STATION_ATTEMPTS " a GROUP BY station, scope;\n"
    "SELECT cl_yield_minutes_add(station, scope, ended / " MINUTE
    ", count(*), count(*) FILTER (WHERE result = 'GOOD'),\n"
    "    count(*) FILTER (WHERE result = 'GOOD' AND first_attempt = 1), count(*) FILTER (WHERE result = 'REJECTED'),\n"
    "    count(*) - count(chip_id), 0)\n"
    "  FROM " P_STATION_ATTEMPTS " a WHERE ended IS NOT NULL GROUP BY station, scope, ended / " MINUTE ";\n"
    "INSERT INTO yield_rejects (station, scope, reason, step, n)\n"
    "  SELECT station, scope, reject_reason, failed_step, count(*) FROM " P_STATION_ATTEMPTS " a\n"
    "  WHERE result = 'REJECTED' GROUP BY 1, 2, 3, 4;\n"
    "INSERT INTO yield_steps (station, scope, step, n, total_us)\n"
    "  SELECT a.station, a.scope, s.step, count(*), sum(s.duration_us) FROM steps s\n"
    "  JOIN " P_STATION_ATTEMPTS " a ON a.id = s.attempt_id GROUP BY 1, 2, 3;\n"

    "CREATE OR REPLACE FUNCTION cl_attempts_yield_insert() RETURNS trigger LANGUAGE plpgsql AS $$\n" P_DECLARE
    "BEGIN\n" P_LOOP_BEGIN (
      "NEW.batch_id",
      "NEW.station") "    PERFORM cl_yield_totals_add(st, s, 1, (NEW.chip_id IS NULL)::INT, 0, 0, 0, " P_REJ
                     "::INT, 0, 0,\n"
                     "      (NEW.ended IS NOT NULL)::INT, coalesce(NEW.ended - NEW.started, 0), NEW.started, "
                     "NEW.ended, NULL);\n" P_ATTEMPT_ENDED P_ATTEMPT_CHIP P_LOOP_END
                     "CREATE OR REPLACE FUNCTION cl_attempts_yield_identify() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$\n" P_DECLARE "BEGIN\n" P_LOOP_BEGIN (
                       "NEW.batch_id",
                       "NEW.station") "    PERFORM cl_yield_totals_add(st, s, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, NULL, "
                                      "NULL, NULL);\n"
                                      "    IF OLD.ended IS NOT NULL THEN\n"
                                      "      PERFORM cl_yield_minutes_add(st, s, OLD.ended / " MINUTE ", 0, 0, (" P_GOOD
                                      " AND NEW.first_attempt = 1)::INT\n"
                                      "        - (OLD.result IS NOT DISTINCT FROM 'GOOD' AND OLD.first_attempt = "
                                      "1)::INT, 0, -1, 0);\n"
                                      "    END IF;\n" P_ATTEMPT_CHIP P_LOOP_END
                                      "CREATE OR REPLACE FUNCTION cl_attempts_yield_end() RETURNS trigger LANGUAGE "
                                      "plpgsql AS $$\n" P_DECLARE "BEGIN\n" P_LOOP_BEGIN (
                                        "NEW.batch_id",
                                        "NEW.station") "    PERFORM cl_yield_totals_add(st, s, 0, 0, 0, 0, 0, " P_REJ
                                                       "::INT, 0, 0, 1, NEW.ended - NEW.started, NULL,\n"
                                                       "      NEW.ended, NULL);\n" P_ATTEMPT_ENDED P_ATTEMPT_CHIP
                                                         P_LOOP_END
                                                       "CREATE OR REPLACE FUNCTION cl_steps_yield_insert() RETURNS "
                                                       "trigger LANGUAGE plpgsql AS $$\n"
                                                       "DECLARE\n"
                                                       "  a attempts%ROWTYPE;\n"
                                                       "  st TEXT;\n"
                                                       "  s BIGINT;\n"
                                                       "BEGIN\n"
                                                       "  SELECT * INTO a FROM attempts WHERE id = NEW.attempt_id;\n"
                                                       "  IF a.kind IS DISTINCT FROM 'PRODUCTION' THEN\n"
                                                       "    RETURN NULL;\n"
                                                       "  END IF;\n" P_LOOP_BEGIN (
                                                         "a.batch_id",
                                                         "a.station") "    INSERT INTO yield_steps AS y (station, "
                                                                      "scope, step, n, total_us) VALUES (st, s, "
                                                                      "NEW.step, 1, NEW.duration_us)\n"
                                                                      "      ON CONFLICT (station, scope, step) DO "
                                                                      "UPDATE SET n = y.n + 1, total_us = y.total_us + "
                                                                      "excluded.total_us;\n" P_LOOP_END;
