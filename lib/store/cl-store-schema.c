/* cl-store-schema.c: the schema, as migrations. Never edit a released migration: append one.
 * The CHECK lists mirror cl-store-types.c and cl-production-types.c. */
#include "store/cl-store-private.h"
#include "store/cl-store-schema-places.h"
#include "store/cl-store-schema-stations.h"
#include "store/cl-store-schema-rejects.h"

#define STEPS                                                                                                          \
  "('IDENTIFY','OPEN_KST','CONFIGURE','ROTATE_KEYS','LOAD_APPLET','INIT_APPLET','CERTIFY','VERIFY','FACE','DISPOSE')"
#define REASONS                                                                                                        \
  "('NO_ATR','WRONG_CARD','AUTH_KST_FAILED','KEY_ROTATION_FAILED','LOAD_FAILED','INSTALL_FAILED','INIT_FAILED',"       \
  "'KEYGEN_FAILED','CERT_FAILED','VERIFY_FAILED','CARD_REMOVED','TIMEOUT','PRINT_FAILED','DUPLICATE_CHIP',"            \
  "'HOSTILE_CARD','PROTOCOL_ERROR')"
#define APPEND_ONLY(table)                                                                                             \
  "CREATE TRIGGER " table "_no_update BEFORE UPDATE ON " table " BEGIN SELECT RAISE(ABORT, '" table                    \
  " records are append-only'); END;\n"                                                                                 \
  "CREATE TRIGGER " table "_no_delete BEFORE DELETE ON " table " BEGIN SELECT RAISE(ABORT, '" table                    \
  " records are append-only'); END;\n"

static const char migration_1[]
  = "CREATE TABLE batches (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  profile_name TEXT NOT NULL,\n"
    "  profile_hash TEXT NOT NULL CHECK (length(profile_hash) = 64),\n"
    "  quantity INTEGER NOT NULL CHECK (quantity >= 0),\n"
    "  created INTEGER NOT NULL,\n"
    "  state TEXT NOT NULL CHECK (state IN ('OPEN','RUNNING','PAUSED','CLOSED','ABORTED'))\n"
    ");\n"
    "CREATE TABLE cards (\n"
    "  chip_id TEXT PRIMARY KEY NOT NULL,\n"
    "  first_seen INTEGER NOT NULL,\n"
    "  last_seen INTEGER NOT NULL,\n"
    "  state TEXT NOT NULL CHECK (state IN ('BLANK','KEYS_ROTATED','APPLET_LOADED','INITIALISED','CERTIFIED',"
    "'GOOD','REJECTED','SCRAPPED')),\n"
    "  key_version INTEGER CHECK (key_version BETWEEN 0 AND 255),\n"
    "  printed_serial TEXT UNIQUE\n"
    ");\n"
    "CREATE TABLE attempts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  chip_id TEXT REFERENCES cards(chip_id),\n"
    "  batch_id INTEGER REFERENCES batches(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('PRODUCTION','QA_RETEST')),\n"
    "  station TEXT NOT NULL,\n"
    "  reader TEXT NOT NULL,\n"
    "  started INTEGER NOT NULL,\n"
    "  ended INTEGER,\n"
    "  result TEXT CHECK (result IN ('GOOD','REJECTED')),\n"
    "  reject_reason TEXT CHECK (reject_reason IN " REASONS "),\n"
    "  failed_step TEXT CHECK (failed_step IN " STEPS "),\n"
    "  last_sw INTEGER CHECK (last_sw BETWEEN 0 AND 65535),\n"
    "  first_attempt INTEGER NOT NULL DEFAULT 1 CHECK (first_attempt IN (0, 1)),\n"
    "  CHECK ((ended IS NULL) = (result IS NULL)),\n"
    "  CHECK ((result IS 'REJECTED') = (reject_reason IS NOT NULL)),\n"
    "  CHECK ((result IS 'REJECTED') = (failed_step IS NOT NULL))\n"
    ");\n"
    "CREATE INDEX attempts_chip ON attempts(chip_id);\n"
    "CREATE INDEX attempts_batch ON attempts(batch_id, kind);\n"
    "CREATE INDEX attempts_ended ON attempts(ended);\n"
    "CREATE TABLE steps (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id),\n"
    "  step TEXT NOT NULL CHECK (step IN " STEPS "),\n"
    "  started INTEGER NOT NULL,\n"
    "  duration_us INTEGER NOT NULL CHECK (duration_us >= 0),\n"
    "  result TEXT NOT NULL CHECK (result IN ('OK','FAILED','SKIPPED')),\n"
    "  last_sw INTEGER CHECK (last_sw BETWEEN 0 AND 65535),\n"
    "  detail TEXT\n"
    ");\n"
    "CREATE INDEX steps_attempt ON steps(attempt_id);\n"
    /* The primary key makes a second disposition for an attempt impossible. */
    "CREATE TABLE dispositions (\n"
    "  attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),\n"
    "  destination TEXT NOT NULL CHECK (destination IN ('OUTPUT','REJECT_BIN','RETAINED')),\n"
    "  decided INTEGER NOT NULL\n"
    ");\n"
    /* Intents and outcomes are separate rows so that the journal is append-only. */
    "CREATE TABLE journal (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('INTENT','OUTCOME')),\n"
    "  chip_id TEXT NOT NULL REFERENCES cards(chip_id),\n"
    "  attempt_id INTEGER REFERENCES attempts(id),\n"
    "  op TEXT NOT NULL CHECK (op IN ('PUT_KEY','CERT_ISSUE')),\n"
    "  intent_id INTEGER REFERENCES journal(id),\n"
    "  from_version INTEGER CHECK (from_version BETWEEN 0 AND 255),\n"
    "  to_version INTEGER CHECK (to_version BETWEEN 0 AND 255),\n"
    "  key_hash TEXT,\n"
    "  outcome TEXT CHECK (outcome IN ('DONE','FAILED','UNKNOWN')),\n"
    "  detail TEXT,\n"
    "  created INTEGER NOT NULL,\n"
    "  CHECK ((kind = 'INTENT') = (intent_id IS NULL)),\n"
    "  CHECK ((kind = 'INTENT') = (outcome IS NULL))\n"
    ");\n"
    "CREATE INDEX journal_chip ON journal(chip_id, kind);\n"
    "CREATE INDEX journal_intent ON journal(intent_id);\n"
    /* issue 1 is the certificate; a higher issue exists only through the audited re-issue. */
    "CREATE TABLE certificates (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  chip_id TEXT NOT NULL REFERENCES cards(chip_id),\n"
    "  key_hash TEXT NOT NULL CHECK (length(key_hash) = 64),\n"
    "  issue INTEGER NOT NULL DEFAULT 1 CHECK (issue >= 1),\n"
    "  chr TEXT NOT NULL,\n"
    "  cvc BLOB NOT NULL,\n"
    "  issued INTEGER NOT NULL,\n"
    "  attempt_id INTEGER REFERENCES attempts(id),\n"
    "  UNIQUE (chip_id, key_hash, issue)\n"
    ");\n"
    "CREATE TABLE roles (name TEXT PRIMARY KEY NOT NULL);\n"
    "INSERT INTO roles (name) VALUES ('OPERATOR'), ('SUPERVISOR'), ('QA'), ('CUSTODIAN'), ('ADMIN');\n"
    "CREATE TABLE users (\n"
    "  name TEXT PRIMARY KEY NOT NULL,\n"
    "  role TEXT NOT NULL REFERENCES roles(name),\n"
    "  created INTEGER NOT NULL,\n"
    "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))\n"
    ");\n"
    "CREATE TABLE qa_actions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  chip_id TEXT NOT NULL REFERENCES cards(chip_id),\n"
    "  attempt_id INTEGER REFERENCES attempts(id),\n"
    "  action TEXT NOT NULL CHECK (action IN ('RETEST','RECOVER','SCRAP','NOTE')),\n"
    "  user_name TEXT NOT NULL,\n"
    "  note TEXT,\n"
    "  created INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX qa_actions_chip ON qa_actions(chip_id, action);\n"
    "CREATE TABLE audit (\n"
    "  seq INTEGER PRIMARY KEY,\n"
    "  at INTEGER NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  subject TEXT NOT NULL,\n"
    "  detail TEXT NOT NULL,\n"
    "  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),\n"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32)\n"
    ");\n" APPEND_ONLY ("audit") APPEND_ONLY ("journal") APPEND_ONLY ("certificates");

/* Version 2: the yield figures (cl-yield-summary.h) kept up to date as records arrive, so that the summary, the
 * span and the series read a few rows instead of every attempt and step. Triggers maintain them, so every writer
 * (this library, cardline-admin, raw SQL in tests and benches) keeps them true; the tables are derived data, never
 * written directly. Scope 0 is all batches, any other scope a batch id. Times are bucketed by the minute
 * (µs / 60e6) for the series; dashboard buckets are whole minutes.
 *
 * The migration drops and rebuilds everything it derives, so running it again (a store whose user_version was set
 * back) gives the same tables. Backfill order matters: yield_chips' own triggers fill the chip figures of
 * yield_totals and yield_minutes while it is backfilled; the attempt, step and QA triggers come last so the
 * backfill is not counted twice. */

/* min()/max() that ignore a NULL side. */
#define MINN(a, b) "min(coalesce(" a ", " b "), coalesce(" b ", " a "))"
#define MAXN(a, b) "max(coalesce(" a ", " b "), coalesce(" b ", " a "))"
/* The scopes an attempt with this batch id counts in. */
#define SCOPES(batch) "(SELECT 0 AS scope UNION ALL SELECT " batch " WHERE " batch " IS NOT NULL) sc"
#define MINUTE        "60000000"

#define TOTALS_COLUMNS                                                                                                 \
  "yield_totals (scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, scrapped, ended_count, "    \
  "cycle_us, first_started, last_ended, last_qa) "
#define TOTALS_ADD                                                                                                     \
  " ON CONFLICT (scope) DO UPDATE SET fed = fed + excluded.fed, anonymous = anonymous + excluded.anonymous, "          \
  "chips = chips + excluded.chips, good = good + excluded.good, "                                                      \
  "first_pass_good = first_pass_good + excluded.first_pass_good, rejected = rejected + excluded.rejected, "            \
  "recovered = recovered + excluded.recovered, scrapped = scrapped + excluded.scrapped, "                              \
  "ended_count = ended_count + excluded.ended_count, cycle_us = cycle_us + excluded.cycle_us, "                        \
  "first_started = " MINN (                                                                                            \
    "first_started",                                                                                                   \
    "excluded.first_started") ", "                                                                                     \
                              "last_ended = " MAXN ("last_ended", "excluded.last_ended") ", last_qa = " MAXN (         \
                                "last_qa", "excluded.last_qa") ";\n"
#define MINUTES_COLUMNS "yield_minutes (scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok) "
#define MINUTES_ADD                                                                                                    \
  " ON CONFLICT (scope, minute) DO UPDATE SET fed = fed + excluded.fed, good = good + excluded.good, "                 \
  "first_pass_good = first_pass_good + excluded.first_pass_good, rejected = rejected + excluded.rejected, "            \
  "chips_fed = chips_fed + excluded.chips_fed, chips_ok = chips_ok + excluded.chips_ok;\n"
#define CHIPS_COLUMNS "yield_chips (chip_id, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last) "
/* What the QA actions already say about a chip entering a scope. */
#define CHIP_QA(chip)                                                                                                  \
  "(SELECT min(created) FROM qa_actions WHERE chip_id = " chip " AND action = 'RECOVER'), "                            \
  "EXISTS (SELECT 1 FROM qa_actions WHERE chip_id = " chip " AND action = 'SCRAP'), "                                  \
  "(SELECT max(created) FROM qa_actions WHERE chip_id = " chip ")"
#define CHIPS_MERGE                                                                                                    \
  " ON CONFLICT (chip_id, scope) DO UPDATE SET fed_at = " MINN (                                                       \
    "fed_at",                                                                                                          \
    "excluded.fed_at") ", "                                                                                            \
                       "good_at = " MINN ("good_at",                                                                   \
                                          "excluded.good_at") ", first_pass = max(first_pass, excluded.first_pass);\n"
/* The parts of an attempt that count once it has ended (new.* is the row; nothing unless it has ended). */
#define ATTEMPT_ENDED                                                                                                  \
  "INSERT INTO " MINUTES_COLUMNS "SELECT sc.scope, new.ended / " MINUTE ", 1, new.result IS 'GOOD', "                  \
  "new.result IS 'GOOD' AND new.first_attempt, new.result IS 'REJECTED', new.chip_id IS NULL, 0 "                      \
  "FROM " SCOPES (                                                                                                     \
    "new.batch_id") " WHERE new.ended IS NOT NULL" MINUTES_ADD                                                         \
                    "INSERT INTO yield_rejects (scope, reason, step, n) SELECT sc.scope, new.reject_reason, "          \
                    "new.failed_step, 1 "                                                                              \
                    "FROM " SCOPES (                                                                                   \
                      "new.batch_id") " WHERE new.result IS 'REJECTED' ON CONFLICT (scope, reason, step) DO UPDATE "   \
                                      "SET n = n + 1;\n"
#define ATTEMPT_CHIP                                                                                                   \
  "INSERT INTO " CHIPS_COLUMNS "SELECT new.chip_id, sc.scope, new.ended, CASE WHEN new.result IS 'GOOD' THEN "         \
  "new.ended END, new.result IS 'GOOD' AND new.first_attempt, " CHIP_QA (                                              \
    "new.chip_id") " "                                                                                                 \
                   "FROM " SCOPES ("new.batch_id") " WHERE new.chip_id IS NOT NULL" CHIPS_MERGE
/* The time a chip counts as made good in the final yield: in production, else by QA. */
#define OK_AT(row) "coalesce(" row ".good_at, " row ".recovered_at)"
/* The production attempts of each scope, for the backfill. */
#define SCOPED_ATTEMPTS                                                                                                \
  "(SELECT 0 AS scope, * FROM attempts WHERE kind = 'PRODUCTION' UNION ALL "                                           \
  "SELECT batch_id AS scope, * FROM attempts WHERE kind = 'PRODUCTION' AND batch_id IS NOT NULL)"

static const char migration_2[]
  = "DROP TABLE IF EXISTS yield_totals;\n"
    "DROP TABLE IF EXISTS yield_chips;\n"
    "DROP TABLE IF EXISTS yield_minutes;\n"
    "DROP TABLE IF EXISTS yield_rejects;\n"
    "DROP TABLE IF EXISTS yield_steps;\n"
    "DROP TRIGGER IF EXISTS attempts_yield_insert;\n"
    "DROP TRIGGER IF EXISTS attempts_yield_identify;\n"
    "DROP TRIGGER IF EXISTS attempts_yield_end;\n"
    "DROP TRIGGER IF EXISTS steps_yield_insert;\n"
    "DROP TRIGGER IF EXISTS qa_actions_yield_insert;\n"
    /* Throughput and the rejects list read good / rejected attempts by eject time; the batch one replaces
     * attempts_batch, its prefix. */
    "DROP INDEX IF EXISTS attempts_batch;\n"
    "CREATE INDEX IF NOT EXISTS attempts_batch_result ON attempts(batch_id, kind, result, ended);\n"
    "CREATE INDEX IF NOT EXISTS attempts_result ON attempts(kind, result, ended);\n"
    /* distinct_chips = chips + anonymous; figures as in cl-yield-summary.h. */
    "CREATE TABLE yield_totals (\n"
    "  scope INTEGER PRIMARY KEY,\n"
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
    "  last_qa INTEGER\n"
    ");\n"
    /* One row per chip and scope it was fed in: the distinct-chip figures and the final yield's timeline. */
    "CREATE TABLE yield_chips (\n"
    "  chip_id TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  fed_at INTEGER,\n"  /* first eject */
    "  good_at INTEGER,\n" /* first good eject */
    "  first_pass INTEGER NOT NULL DEFAULT 0,\n"
    "  recovered_at INTEGER,\n" /* first QA recovery */
    "  scrapped INTEGER NOT NULL DEFAULT 0,\n"
    "  qa_last INTEGER,\n" /* latest QA action */
    "  PRIMARY KEY (chip_id, scope)\n"
    ") WITHOUT ROWID;\n"
    /* Per minute of eject: the attempt series, and chips joining the final yield's denominator / numerator. */
    "CREATE TABLE yield_minutes (\n"
    "  scope INTEGER NOT NULL,\n"
    "  minute INTEGER NOT NULL,\n"
    "  fed INTEGER NOT NULL DEFAULT 0,\n"
    "  good INTEGER NOT NULL DEFAULT 0,\n"
    "  first_pass_good INTEGER NOT NULL DEFAULT 0,\n"
    "  rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  chips_fed INTEGER NOT NULL DEFAULT 0,\n"
    "  chips_ok INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (scope, minute)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_rejects (\n"
    "  scope INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  step TEXT NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  PRIMARY KEY (scope, reason, step)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE yield_steps (\n"
    "  scope INTEGER NOT NULL,\n"
    "  step TEXT NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  total_us INTEGER NOT NULL,\n"
    "  PRIMARY KEY (scope, step)\n"
    ") WITHOUT ROWID;\n"

    "CREATE TRIGGER yield_chips_insert AFTER INSERT ON yield_chips BEGIN\n"
    "INSERT INTO " TOTALS_COLUMNS "VALUES (new.scope, 0, 0, 1, new.good_at IS NOT NULL, new.first_pass, 0, "
    "new.recovered_at IS NOT NULL AND new.good_at IS NULL, new.scrapped AND new.good_at IS NULL, 0, 0, NULL, NULL, "
    "new.qa_last)" TOTALS_ADD "INSERT INTO " MINUTES_COLUMNS "SELECT new.scope, new.fed_at / " MINUTE
    ", 0, 0, 0, 0, 1, 0 WHERE new.fed_at IS NOT NULL" MINUTES_ADD "INSERT INTO " MINUTES_COLUMNS
    "SELECT new.scope, " OK_AT ("new") " / " MINUTE ", 0, 0, 0, 0, 0, 1 WHERE " OK_AT (
      "new") " IS NOT NULL" MINUTES_ADD "END;\n"
             "CREATE TRIGGER yield_chips_update AFTER UPDATE ON yield_chips BEGIN\n"
             "INSERT INTO " TOTALS_COLUMNS
             "VALUES (new.scope, 0, 0, 0, (new.good_at IS NOT NULL) - (old.good_at IS NOT NULL), "
             "new.first_pass - old.first_pass, 0, "
             "(new.recovered_at IS NOT NULL AND new.good_at IS NULL) - (old.recovered_at IS NOT NULL AND old.good_at "
             "IS NULL), "
             "(new.scrapped AND new.good_at IS NULL) - (old.scrapped AND old.good_at IS NULL), 0, 0, NULL, NULL, "
             "new.qa_last)" TOTALS_ADD
             /* A chip's first eject or its made-good time moves: out of the old minute, into the new one. */
             "INSERT INTO " MINUTES_COLUMNS "SELECT new.scope, old.fed_at / " MINUTE ", 0, 0, 0, 0, -1, 0 "
             "WHERE old.fed_at IS NOT NULL AND old.fed_at IS NOT new.fed_at" MINUTES_ADD "INSERT INTO " MINUTES_COLUMNS
             "SELECT new.scope, new.fed_at / " MINUTE ", 0, 0, 0, 0, 1, 0 "
             "WHERE new.fed_at IS NOT NULL AND old.fed_at IS NOT new.fed_at" MINUTES_ADD "INSERT INTO " MINUTES_COLUMNS
             "SELECT new.scope, " OK_AT ("old") " / " MINUTE ", 0, 0, 0, 0, 0, -1 "
                                                "WHERE " OK_AT ("old") " IS NOT NULL AND " OK_AT (
                                                  "old") " IS NOT " OK_AT ("new") MINUTES_ADD
  "INSERT INTO " MINUTES_COLUMNS
  "SELECT new.scope, " OK_AT ("new") " / " MINUTE ", 0, 0, 0, 0, 0, 1 "
                                     "WHERE " OK_AT ("new") " IS NOT NULL AND " OK_AT ("old") " IS NOT " OK_AT ("new")
                                       MINUTES_ADD
  "END;\n"

  /* Backfill. */
  "INSERT INTO " CHIPS_COLUMNS "SELECT chip_id, scope, min(ended), min(CASE WHEN result = 'GOOD' THEN ended END), "
  "max(result IS 'GOOD' AND first_attempt), " CHIP_QA (
    "a.chip_id") " FROM " SCOPED_ATTEMPTS " a "
                 "WHERE chip_id IS NOT NULL GROUP BY chip_id, scope;\n"
                 "INSERT INTO " TOTALS_COLUMNS
                 "SELECT scope, count(*), sum(chip_id IS NULL), 0, 0, 0, sum(result IS 'REJECTED'), "
                 "0, 0, count(ended), coalesce(sum(ended - started), 0), min(started), max(ended), NULL "
                 "FROM " SCOPED_ATTEMPTS " GROUP BY scope" TOTALS_ADD "INSERT INTO " MINUTES_COLUMNS
                 "SELECT scope, ended / " MINUTE ", count(*), sum(result IS 'GOOD'), "
                 "sum(result IS 'GOOD' AND first_attempt), sum(result IS 'REJECTED'), sum(chip_id IS NULL), 0 "
                 "FROM " SCOPED_ATTEMPTS " WHERE ended IS NOT NULL GROUP BY 1, 2" MINUTES_ADD
                 "INSERT INTO yield_rejects (scope, reason, step, n) SELECT scope, reject_reason, failed_step, "
                 "count(*) "
                 "FROM " SCOPED_ATTEMPTS " WHERE result = 'REJECTED' GROUP BY 1, 2, 3;\n"
                 "INSERT INTO yield_steps (scope, step, n, total_us) SELECT a.scope, s.step, count(*), "
                 "sum(s.duration_us) "
                 "FROM steps s JOIN " SCOPED_ATTEMPTS " a ON a.id = s.attempt_id GROUP BY 1, 2;\n"

                 /* From now on, as records arrive. The API inserts an attempt bare, links its chip, then ends it; raw
                  * SQL may insert it whole. Nothing updates an attempt's batch, kind or started, or unlinks or un-ends
                  * it. */
                 "CREATE TRIGGER attempts_yield_insert AFTER INSERT ON attempts WHEN new.kind = 'PRODUCTION' BEGIN\n"
                 "INSERT INTO " TOTALS_COLUMNS
                 "SELECT sc.scope, 1, new.chip_id IS NULL, 0, 0, 0, new.result IS 'REJECTED', 0, 0, "
                 "new.ended IS NOT NULL, coalesce(new.ended - new.started, 0), new.started, new.ended, NULL "
                 "FROM " SCOPES (
                   "new.batch_id") " WHERE true" TOTALS_ADD ATTEMPT_ENDED ATTEMPT_CHIP "END;\n"
                                   "CREATE TRIGGER attempts_yield_identify AFTER UPDATE OF chip_id ON attempts "
                                   "WHEN new.kind = 'PRODUCTION' AND old.chip_id IS NULL AND new.chip_id IS NOT NULL "
                                   "BEGIN\n"
                                   "INSERT INTO " TOTALS_COLUMNS
                                   "SELECT sc.scope, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL "
                                   "FROM " SCOPES (
                                     "new.batch_id") " WHERE true" TOTALS_ADD
                                                     /* Linked after its eject (raw SQL only): no longer an anonymous
                                                        feed, and first_attempt may have moved. */
                                                     "INSERT INTO " MINUTES_COLUMNS
                                                     "SELECT sc.scope, old.ended / " MINUTE ", 0, 0, "
                                                     "(new.result IS 'GOOD' AND new.first_attempt) - (old.result IS "
                                                     "'GOOD' AND old.first_attempt), 0, -1, 0 "
                                                     "FROM " SCOPES (
                                                       "new.batch_id") " WHERE old.ended IS NOT NULL" MINUTES_ADD
                                                       ATTEMPT_CHIP "END;\n"
                                                                       "CREATE TRIGGER attempts_yield_end AFTER UPDATE "
                                                                       "OF ended ON attempts "
                                                                       "WHEN new.kind = 'PRODUCTION' AND old.ended IS "
                                                                       "NULL AND new.ended IS NOT NULL BEGIN\n"
                                                                       "INSERT INTO " TOTALS_COLUMNS
                                                                       "SELECT sc.scope, 0, 0, 0, 0, 0, new.result IS "
                                                                       "'REJECTED', 0, 0, 1, "
                                                                       "new.ended - new.started, NULL, new.ended, NULL "
                                                                       "FROM " SCOPES (
                                                                         "new.batch_id") " WHERE true" TOTALS_ADD
                                                                         ATTEMPT_ENDED ATTEMPT_CHIP "END;\n"
                                                                                         "CREATE TRIGGER "
                                                                                         "steps_yield_insert AFTER "
                                                                                         "INSERT ON steps "
                                                                                         "WHEN (SELECT kind FROM "
                                                                                         "attempts WHERE id = "
                                                                                         "new.attempt_id) = "
                                                                                         "'PRODUCTION' BEGIN\n"
                                                                                         "INSERT INTO yield_steps "
                                                                                         "(scope, step, n, total_us) "
                                                                                         "SELECT sc.scope, new.step, "
                                                                                         "1, new.duration_us "
                                                                                         "FROM (SELECT 0 AS scope "
                                                                                         "UNION ALL SELECT batch_id "
                                                                                         "FROM attempts WHERE id = "
                                                                                         "new.attempt_id "
                                                                                         "AND batch_id IS NOT NULL) sc "
                                                                                         "WHERE true "
                                                                                         "ON CONFLICT (scope, step) DO "
                                                                                         "UPDATE SET n = n + 1, "
                                                                                         "total_us = total_us + "
                                                                                         "excluded.total_us;\n"
                                                                                         "END;\n"
                                                                                         "CREATE TRIGGER "
                                                                                         "qa_actions_yield_insert "
                                                                                         "AFTER INSERT ON qa_actions "
                                                                                         "BEGIN\n"
                                                                                         "UPDATE yield_chips SET "
                                                                                         "qa_last = " MAXN (
                                                                                           "qa_last",
                                                                                           "new.created") ", "
                                                                                                          "recovered_"
                                                                                                          "at = CASE "
                                                                                                          "WHEN "
                                                                                                          "new.action "
                                                                                                          "= 'RECOVER' "
                                                                                                          "THEN " MINN (
                                                                                                            "recovered_"
                                                                                                            "at",
                                                                                                            "new."
                                                                                                            "created") " "
                                                                                                                       "ELSE recovered_at END, scrapped = scrapped OR new.action = 'SCRAP' WHERE chip_id = new.chip_id;\n"
                                                                                                                       "END;\n";

/* Version 3: chip claims (cl-store-claim.h), so that "this chip is in production here" holds for every process
 * and station sharing the store, not only within one process. A claim is a lock with a lease, deleted on release:
 * nothing refers to it, and it has no foreign key to cards, because a chip may be claimed before its card record
 * exists. IF NOT EXISTS so that running it again (user_version set back, as version 2 allows) keeps the claims
 * that hold. */
static const char migration_3[] = "CREATE TABLE IF NOT EXISTS chip_claims (\n"
                                  "  chip_id TEXT PRIMARY KEY NOT NULL,\n"
                                  "  owner TEXT NOT NULL CHECK (length(owner) > 0),\n"
                                  "  attempt_id INTEGER REFERENCES attempts(id),\n"
                                  "  claimed INTEGER NOT NULL,\n"
                                  "  lease_until INTEGER NOT NULL\n"
                                  ") WITHOUT ROWID;\n";

/* Version 4: records that prove themselves (cl-store-records.h) and one process per station identity
 * (cl-store-station.h). Steps, dispositions and QA actions become append-only like the audit trail; a user's role
 * never changes in place (a new account is the audited way); signed checkpoints of the audit chain are kept
 * append-only too. The rows that carry dispositions, certificates and roles are sealed into the audit chain by C
 * code after this migration (cl_store_seal_all_locked), so a store migrated from version 3 is covered from
 * the migration on. Every statement is IF NOT EXISTS, so that running it again (user_version set back, as versions 2
 * and 3 allow) changes nothing. */
#define APPEND_ONLY_AGAIN(table)                                                                                       \
  "CREATE TRIGGER IF NOT EXISTS " table "_no_update BEFORE UPDATE ON " table " BEGIN SELECT RAISE(ABORT, '" table      \
  " records are append-only'); END;\n"                                                                                 \
  "CREATE TRIGGER IF NOT EXISTS " table "_no_delete BEFORE DELETE ON " table " BEGIN SELECT RAISE(ABORT, '" table      \
  " records are append-only'); END;\n"
#define ROLE_FIXED                                                                                                     \
  "CREATE TRIGGER IF NOT EXISTS users_role_fixed BEFORE UPDATE OF role ON users WHEN new.role IS NOT old.role BEGIN "  \
  "SELECT RAISE(ABORT, 'a user''s role never changes: add another account'); END;\n"
#define CHECKPOINTS                                                                                                    \
  "CREATE TABLE IF NOT EXISTS audit_checkpoints (\n"                                                                   \
  "  seq INTEGER PRIMARY KEY REFERENCES audit(seq),\n"                                                                 \
  "  head BLOB NOT NULL CHECK (length(head) = 32),\n"                                                                  \
  "  signed INTEGER NOT NULL,\n"                                                                                       \
  "  key_label TEXT NOT NULL,\n"                                                                                       \
  "  public_key BLOB NOT NULL,\n"                                                                                      \
  "  signature BLOB NOT NULL\n"                                                                                        \
  ");\n"
/* A lease, not a record: rewritten by its holder's heartbeat, taken over when it ends. */
#define STATIONS                                                                                                       \
  "CREATE TABLE IF NOT EXISTS stations (\n"                                                                            \
  "  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),\n"                                                       \
  "  host TEXT NOT NULL,\n"                                                                                            \
  "  pid INTEGER NOT NULL,\n"                                                                                          \
  "  process TEXT NOT NULL,\n"                                                                                         \
  "  acquired INTEGER NOT NULL,\n"                                                                                     \
  "  lease_until INTEGER NOT NULL\n"                                                                                   \
  ") WITHOUT ROWID;\n"

static const char migration_4[] = APPEND_ONLY_AGAIN ("steps") APPEND_ONLY_AGAIN ("dispositions")
  APPEND_ONLY_AGAIN ("qa_actions") ROLE_FIXED CHECKPOINTS APPEND_ONLY_AGAIN ("audit_checkpoints") STATIONS;

/* Version 5: a card whose whereabouts are unknown (a printer that lost power with it inside and held no card
 * afterwards) is recorded as such, not as sent to the reject bin. SQLite changes a CHECK constraint only by
 * rebuilding the table; the rows keep their values, so the seals of their attempts still match. The append-only
 * triggers are dropped for the copy and made again (the same text as version 4's). Running it again (user_version
 * set back) rebuilds the same table. */
static const char migration_5[]
  = "DROP TRIGGER IF EXISTS dispositions_no_update;\n"
    "DROP TRIGGER IF EXISTS dispositions_no_delete;\n"
    "DROP TABLE IF EXISTS dispositions_v5;\n"
    "CREATE TABLE dispositions_v5 (\n"
    "  attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),\n"
    "  destination TEXT NOT NULL CHECK (destination IN ('OUTPUT','REJECT_BIN','RETAINED','UNKNOWN')),\n"
    "  decided INTEGER NOT NULL\n"
    ");\n"
    "INSERT INTO dispositions_v5 (attempt_id, destination, decided) "
    "SELECT attempt_id, destination, decided FROM dispositions ORDER BY attempt_id;\n"
    "DROP TABLE dispositions;\n"
    "ALTER TABLE dispositions_v5 RENAME TO dispositions;\n" APPEND_ONLY_AGAIN ("dispositions");

/* Version 6: per-card data (cl-store-rows.h). A batch's data file is recorded (batch_files) and each of its
 * rows becomes a batch_rows record that goes PENDING -> IN_PRODUCTION (claimed by one attempt) -> DONE (bound to
 * one chip) or FAILED. What makes "exactly once" hold for every station sharing the store is here, in constraints
 * PostgreSQL has too: a chip holds at most one row and an attempt claims at most one (UNIQUE, which lets NULLs
 * repeat), a reference is unique in its batch, and the state decides which links must be there (CHECK). A claim
 * is one conditional UPDATE (WHERE state = 'PENDING'), never a read then a write. The two triggers (SQLite's
 * syntax; the PostgreSQL schema needs its own) keep a DONE row bound for good and a produced row from being
 * deleted. fields is a JSON object keyed by target field names. IF NOT EXISTS so that running it again changes
 * nothing. */
static const char migration_6[]
  = "CREATE TABLE IF NOT EXISTS batch_files (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),\n"
    "  file_name TEXT NOT NULL CHECK (length(file_name) > 0),\n"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),\n"
    "  mapping TEXT NOT NULL,\n"
    "  imported_by TEXT NOT NULL,\n"
    "  imported INTEGER NOT NULL,\n"
    "  rows_accepted INTEGER NOT NULL CHECK (rows_accepted >= 0),\n"
    "  rows_refused INTEGER NOT NULL CHECK (rows_refused >= 0),\n"
    "  good_only INTEGER NOT NULL CHECK (good_only IN (0, 1)),\n"
    "  CHECK (rows_refused = 0 OR good_only = 1)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS batch_files_batch ON batch_files(batch_id, sha256);\n"
    "CREATE TABLE IF NOT EXISTS batch_rows (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),\n"
    "  file_id INTEGER NOT NULL REFERENCES batch_files(id),\n"
    "  line INTEGER NOT NULL CHECK (line >= 1),\n"
    "  reference TEXT NOT NULL CHECK (length(reference) > 0),\n"
    "  display TEXT NOT NULL,\n"
    "  fields TEXT NOT NULL,\n"
    "  photo BLOB,\n"
    "  photo_type TEXT,\n"
    "  state TEXT NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING','IN_PRODUCTION','DONE','FAILED')),\n"
    "  attempt_id INTEGER UNIQUE REFERENCES attempts(id),\n"
    "  chip_id TEXT UNIQUE,\n"
    "  failure TEXT,\n"
    "  imported INTEGER NOT NULL,\n"
    "  claimed INTEGER,\n"
    "  finished INTEGER,\n"
    "  UNIQUE (batch_id, reference),\n"
    "  CHECK ((photo IS NULL) = (photo_type IS NULL)),\n"
    "  CHECK (state <> 'PENDING' OR (attempt_id IS NULL AND chip_id IS NULL AND failure IS NULL)),\n"
    "  CHECK (state <> 'IN_PRODUCTION' OR (attempt_id IS NOT NULL AND claimed IS NOT NULL)),\n"
    "  CHECK (state <> 'DONE' OR (attempt_id IS NOT NULL AND chip_id IS NOT NULL AND finished IS NOT NULL)),\n"
    "  CHECK (state <> 'FAILED' OR (failure IS NOT NULL AND finished IS NOT NULL))\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS batch_rows_state ON batch_rows(batch_id, state, id);\n"
    "CREATE TRIGGER IF NOT EXISTS batch_rows_done_fixed BEFORE UPDATE ON batch_rows WHEN old.state = 'DONE' AND "
    "(new.state IS NOT old.state OR new.chip_id IS NOT old.chip_id OR new.attempt_id IS NOT old.attempt_id) BEGIN "
    "SELECT RAISE(ABORT, 'a row bound to a good chip stays bound to it'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS batch_rows_produced_kept BEFORE DELETE ON batch_rows WHEN old.state <> 'PENDING' "
    "BEGIN SELECT RAISE(ABORT, 'a row that went into production is never deleted'); END;\n";

/* Version 7: indexes for a store of 1,000,000 cards (issue 14). The few rejected attempts whose card did not reach the
 * reject bin (RETAINED, UNKNOWN) are found through their destination instead of by reading every rejected attempt (the
 * yield summary). A chip's attempts by kind and result come from the index alone, without reading each attempt
 * (the rejects list's latest rejection and attempt count per chip); it replaces attempts_chip, its prefix. */
static const char migration_dispositions_destination[]
  = "CREATE INDEX IF NOT EXISTS dispositions_destination ON dispositions(destination);\n"
    "CREATE INDEX IF NOT EXISTS attempts_chip_kind ON attempts(chip_id, kind, result);\n"
    "DROP INDEX IF EXISTS attempts_chip;\n";

/* Version 8 (issue 16): production URLs. A URL's secret token is kept only as its SHA-256; each URL admits up to
 * `cards` chips into its batch, and a chip once admitted (production_url_cards) comes back through the same URL to
 * resume. Issuing, use and refusal are audited (cl-store-production-url.h). Running it again changes nothing. */
static const char migration_production_urls[]
  = "CREATE TABLE IF NOT EXISTS production_urls (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  batch_id INTEGER NOT NULL REFERENCES batches(id),\n"
    "  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),\n"
    "  cards INTEGER NOT NULL CHECK (cards > 0),\n"
    "  issued INTEGER NOT NULL,\n"
    "  expires INTEGER NOT NULL,\n"
    "  issued_by TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS production_url_cards (\n"
    "  url_id INTEGER NOT NULL REFERENCES production_urls(id),\n"
    "  chip_id TEXT NOT NULL,\n"
    "  admitted INTEGER NOT NULL,\n"
    "  PRIMARY KEY (url_id, chip_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TRIGGER IF NOT EXISTS production_urls_no_update BEFORE UPDATE ON production_urls BEGIN "
    "SELECT RAISE(ABORT, 'production URLs are append-only'); END;\n";

/* Version 9: how many of a data row's cards were rejected, for the profile's [data] max-attempts (cl-store-rows.h).
 * Its own table rather than a column of batch_rows, so that running it again changes nothing. */
static const char migration_row_rejections[] = "CREATE TABLE IF NOT EXISTS batch_row_rejections (\n"
                                               "  row_id INTEGER PRIMARY KEY REFERENCES batch_rows(id),\n"
                                               "  rejections INTEGER NOT NULL CHECK (rejections > 0)\n"
                                               ");\n";

/* Version 10 (issue 18): stations as records (cl-store-fleet.h). One row per station name, kept after it stops, and
 * one per reader of it; the lease (stations) is not touched. IF NOT EXISTS so that running it again changes
 * nothing. */
#define FLEET_STATES "('RUNNING','PAUSED','FAULT','STOPPED')"
static const char migration_fleet[] = "CREATE TABLE IF NOT EXISTS fleet_stations (\n"
                                      "  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),\n"
                                      "  host TEXT NOT NULL,\n"
                                      "  pid INTEGER NOT NULL,\n"
                                      "  process TEXT NOT NULL,\n"
                                      "  feeder TEXT NOT NULL CHECK (feeder IN ('RACK','PRINTER','REMOTE')),\n"
                                      "  printer TEXT,\n"
                                      "  version TEXT NOT NULL,\n"
                                      "  state TEXT NOT NULL CHECK (state IN " FLEET_STATES "),\n"
                                      "  instruction TEXT CHECK (state = 'FAULT' OR instruction IS NULL),\n"
                                      "  good INTEGER NOT NULL CHECK (good >= 0),\n"
                                      "  rejected INTEGER NOT NULL CHECK (rejected >= 0),\n"
                                      "  counting_since INTEGER NOT NULL,\n"
                                      "  last_card INTEGER NOT NULL,\n"
                                      "  registered INTEGER NOT NULL,\n"
                                      "  updated INTEGER NOT NULL,\n"
                                      "  heartbeat INTEGER NOT NULL,\n"
                                      "  lease_us INTEGER NOT NULL CHECK (lease_us > 0),\n"
                                      "  revision INTEGER NOT NULL CHECK (revision > 0),\n"
                                      "  recovered INTEGER,\n"
                                      "  recovered_by TEXT,\n"
                                      "  CHECK ((recovered IS NULL) = (recovered_by IS NULL))\n"
                                      ") WITHOUT ROWID;\n"
                                      "CREATE TABLE IF NOT EXISTS fleet_readers (\n"
                                      "  station TEXT NOT NULL REFERENCES fleet_stations(name),\n"
                                      "  slot INTEGER NOT NULL CHECK (slot >= 0),\n"
                                      "  reader TEXT NOT NULL CHECK (length(reader) > 0),\n"
                                      "  card_present INTEGER NOT NULL CHECK (card_present IN (0, 1)),\n"
                                      "  chip_id TEXT,\n"
                                      "  step TEXT CHECK (step IN " STEPS "),\n"
                                      "  PRIMARY KEY (station, slot),\n"
                                      "  UNIQUE (station, reader)\n"
                                      ") WITHOUT ROWID;\n";

/* Version 11: places in a batch and the audit chain's head (cl-store-schema-places.h). */
static const char migration_places[] = PLACES_AND_HEAD ("INTEGER");

/* Version 12 (issue 18 item 5): the same master keys at every station. Each station records, when it starts
 * producing, what its token holds (cl-store-station-keys.h): the KMC and KST by label, version and check values,
 * the scheme root (SRCA) and the station's own DICA by holder and certificate fingerprint — never a key. fleet_keys
 * is the fleet's reference: per key set (label, version) the check values of the first station that recorded it, or
 * of the station an administrator adopted; one scheme root. */
static const char migration_station_keys[]
  = "CREATE TABLE IF NOT EXISTS station_keys (\n"
    "  station TEXT NOT NULL CHECK (length(station) > 0),\n"
    "  key TEXT NOT NULL CHECK (key IN ('KMC','KST','SRCA','DICA')),\n"
    "  label TEXT NOT NULL CHECK (length(label) > 0),\n"
    "  version INTEGER NOT NULL CHECK (version BETWEEN 0 AND 255),\n"
    "  check_value TEXT NOT NULL CHECK (length(check_value) BETWEEN 6 AND 64),\n"
    "  recorded INTEGER NOT NULL,\n"
    "  PRIMARY KEY (station, key, label, version)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS fleet_keys (\n"
    "  key TEXT NOT NULL CHECK (key IN ('KMC','KST','SRCA')),\n"
    "  label TEXT NOT NULL CHECK (length(label) > 0),\n"
    "  version INTEGER NOT NULL CHECK (version BETWEEN 0 AND 255),\n"
    "  check_value TEXT NOT NULL CHECK (length(check_value) BETWEEN 6 AND 64),\n"
    "  station TEXT NOT NULL,\n"
    "  adopted INTEGER NOT NULL,\n"
    "  adopted_by TEXT NOT NULL,\n"
    "  PRIMARY KEY (key, label, version)\n"
    ");\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS fleet_keys_one_root ON fleet_keys(key) WHERE key = 'SRCA';\n";

/* Version 14 (cl-store-schema-rejects.h): each chip's latest rejection, kept by triggers, backfilled from the rows.
 * Running it again (user_version set back) makes the same rows. */
#define REJECT_LATEST_TRIGGERS                                                                                         \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_attempt_insert AFTER INSERT ON attempts "                                \
  "WHEN " REJECT_LATEST_ATTEMPT " BEGIN\n" REJECT_LATEST_UPSERT "END;\n"                                               \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_attempt_end AFTER UPDATE OF chip_id, result ON attempts "                \
  "WHEN " REJECT_LATEST_ATTEMPT " BEGIN\n" REJECT_LATEST_UPSERT "END;\n"                                               \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_retained AFTER INSERT ON dispositions "                                  \
  "WHEN NEW.destination = 'RETAINED' BEGIN\n" REJECT_LATEST_REFRESH "END;\n"                                           \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_fed AFTER INSERT ON attempts "                                           \
  "WHEN " REJECT_LATEST_FED " BEGIN\n" REJECT_LATEST_RECOUNT "END;\n"                                                  \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_identified AFTER UPDATE OF chip_id ON attempts "                         \
  "WHEN " REJECT_LATEST_FED " BEGIN\n" REJECT_LATEST_RECOUNT "END;\n"                                                  \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_disposed AFTER INSERT ON dispositions "                                  \
  "WHEN NEW.destination <> 'RETAINED' BEGIN\n" REJECT_LATEST_DISPOSED "END;\n"                                         \
  "CREATE TRIGGER IF NOT EXISTS reject_latest_card AFTER UPDATE OF state, printed_serial ON cards "                    \
  "WHEN " REJECT_LATEST_CARD_CHANGED " BEGIN\n" REJECT_LATEST_CARD_UPDATE "END;\n"
static const char migration_reject_latest[]
  = REJECT_LATEST_TABLE ("INTEGER") REJECT_LATEST_TRIGGERS REJECT_LATEST_REBUILD;
/* Version 15 (cl-store-schema-rejects.h): the search's trigram index. Running it again makes the same index. */
static const char migration_reject_search[] = REJECT_SEARCH_SQLITE;
/* Version 16 (cl-store-schema-rejects.h): the grams of one and two characters for the shortest searches. */
static const char migration_reject_grams[] = REJECT_GRAMS_SQLITE;

const char *const cl_store_migrations[] = {
  migration_1,
  migration_2,
  migration_3,
  migration_4,
  migration_5,
  migration_6,
  migration_dispositions_destination,
  migration_production_urls,
  migration_row_rejections,
  migration_fleet,
  migration_places,
  migration_station_keys,
  cl_store_migration_yield_stations_sqlite,
  migration_reject_latest,
  migration_reject_search,
  migration_reject_grams,
};
const guint cl_store_n_migrations = G_N_ELEMENTS (cl_store_migrations);

G_STATIC_ASSERT (G_N_ELEMENTS (cl_store_migrations) == CL_STORE_SCHEMA_VERSION);
