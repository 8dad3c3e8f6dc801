/* cl-store-schema-rejects.h: schema version 14's table and statements, the same text for both backends but for the
 * integer type (INTEGER on SQLite, BIGINT on PostgreSQL) and for how a trigger names its chip, and version 15's search
 * index, one text a backend. Included by cl-store-schema.c and cl-store-schema-pg.c only; each writes its triggers
 * in its own dialect around these. */
#pragma once

/* Version 14 (issues 14 and 18: the Rejects list and the serial search at 1,000,000 cards): reject_latest holds,
 * per chip, its latest rejected PRODUCTION attempt that did not end RETAINED — the rejection that explains why the
 * card is in the bin, which cl_store_reject_search lists. Before, every search found it with a correlated subquery
 * per rejected attempt over the whole attempts table. The attempt's figures are copied (an ended attempt does not
 * change), and so are what the list shows of the card (state, printed serial, production attempts) and the
 * attempt's disposition, so that the list is a range scan of one index with LIMIT that reads no other table (a join
 * per row to cards, dispositions and attempts cost more than the 50 ms of issue 14 at 8,000 rows) and the search
 * reads only this table, whose size is the number of rejected chips, not of cards. Triggers keep it in the writer's
 * transaction whatever writes the rows: an attempt ending rejected, identified or fed, a disposition, a card's state
 * or serial changing. */
#define REJECT_LATEST_TABLE(INT)                                                                                       \
  "CREATE TABLE IF NOT EXISTS reject_latest (\n"                                                                       \
  "  chip_id TEXT PRIMARY KEY NOT NULL REFERENCES cards(chip_id),\n"                                                   \
  "  attempt_id " INT " NOT NULL,\n"                                                                                   \
  "  batch_id " INT ",\n"                                                                                              \
  "  reject_reason TEXT NOT NULL,\n"                                                                                   \
  "  failed_step TEXT NOT NULL,\n"                                                                                     \
  "  last_sw " INT ",\n"                                                                                               \
  "  ended " INT " NOT NULL,\n"                                                                                        \
  "  printed_serial TEXT,\n"                                                                                           \
  "  state TEXT NOT NULL,\n"                                                                                           \
  "  in_bin " INT " NOT NULL CHECK (in_bin IN (0, 1)),\n"                                                              \
  "  attempts " INT " NOT NULL,\n"                                                                                     \
  "  destination TEXT\n"                                                                                               \
  ");\n"                                                                                                               \
  "CREATE INDEX IF NOT EXISTS reject_latest_ended ON reject_latest(ended DESC, attempt_id DESC);\n"

/* The chip's production attempts, open ones included. */
#define REJECT_LATEST_COUNT(CHIP)                                                                                      \
  "(SELECT count(*) FROM attempts x WHERE x.chip_id = " CHIP " AND x.kind = 'PRODUCTION')"

/* The row of the chips the WHERE clause that follows picks: their latest non-RETAINED rejected production attempt. */
#define REJECT_LATEST_SELECT                                                                                           \
  "INSERT INTO reject_latest (chip_id, attempt_id, batch_id, reject_reason, failed_step, last_sw, ended, "             \
  "printed_serial, state, in_bin, attempts, destination) SELECT y.chip_id, y.id, y.batch_id, y.reject_reason, "        \
  "y.failed_step, y.last_sw, y.ended, c.printed_serial, c.state, CASE WHEN c.state = 'REJECTED' THEN 1 ELSE 0 "        \
  "END, " REJECT_LATEST_COUNT (                                                                                        \
    "y.chip_id") ", d.destination FROM attempts y JOIN cards c ON c.chip_id = y.chip_id "                              \
                 "LEFT JOIN dispositions d ON d.attempt_id = y.id WHERE y.id IN (SELECT max(z.id) FROM attempts z "    \
                 "LEFT JOIN dispositions e ON e.attempt_id = z.id WHERE z.kind = 'PRODUCTION' AND z.result = "         \
                 "'REJECTED' "                                                                                         \
                 "AND e.destination IS DISTINCT FROM 'RETAINED' AND z.chip_id "

/* The chip of a RETAINED disposition (NEW) made again from the attempts: that attempt is out of the running. */
#define REJECT_LATEST_CHIP_OF_DISPOSITION "(SELECT chip_id FROM attempts WHERE id = NEW.attempt_id)"
#define REJECT_LATEST_REFRESH                                                                                          \
  "DELETE FROM reject_latest WHERE chip_id = " REJECT_LATEST_CHIP_OF_DISPOSITION ";\n" REJECT_LATEST_SELECT            \
  "= " REJECT_LATEST_CHIP_OF_DISPOSITION ");\n"

/* A rejected production attempt that ended (NEW) becomes its chip's row unless the row is of a later attempt. It does
 * not look at the dispositions: an attempt's disposition is recorded with its end or after it (cl_store_attempt_end),
 * and a RETAINED one makes the chip's row again (REJECT_LATEST_REFRESH). So that SQLite can rebuild the dispositions
 * table (migration 5, run again when a store's version is set back) under these triggers, no attempts trigger names
 * it. */
#define REJECT_LATEST_UPSERT                                                                                           \
  "INSERT INTO reject_latest (chip_id, attempt_id, batch_id, reject_reason, failed_step, last_sw, ended, "             \
  "printed_serial, state, in_bin, attempts, destination) SELECT NEW.chip_id, NEW.id, NEW.batch_id, "                   \
  "NEW.reject_reason, NEW.failed_step, NEW.last_sw, NEW.ended, c.printed_serial, c.state, "                            \
  "CASE WHEN c.state = 'REJECTED' THEN 1 ELSE 0 END, " REJECT_LATEST_COUNT (                                           \
    "NEW.chip_id") ", NULL FROM cards c "                                                                              \
                   "WHERE c.chip_id = NEW.chip_id ON CONFLICT (chip_id) DO UPDATE SET attempt_id = "                   \
                   "excluded.attempt_id, "                                                                             \
                   "batch_id = excluded.batch_id, reject_reason = excluded.reject_reason, failed_step = "              \
                   "excluded.failed_step, "                                                                            \
                   "last_sw = excluded.last_sw, ended = excluded.ended, printed_serial = excluded.printed_serial, "    \
                   "state = excluded.state, in_bin = excluded.in_bin, attempts = excluded.attempts, destination = "    \
                   "NULL WHERE excluded.attempt_id > reject_latest.attempt_id;\n"

/* Every chip's row made again: the migration's backfill, and the bench's fill, which writes with triggers off. */
#define REJECT_LATEST_REBUILD "DELETE FROM reject_latest;\n" REJECT_LATEST_SELECT "IS NOT NULL GROUP BY z.chip_id);\n"

/* A card's state or serial changed. */
#define REJECT_LATEST_CARD_CHANGED                                                                                     \
  "(OLD.state IS DISTINCT FROM NEW.state OR OLD.printed_serial IS DISTINCT FROM NEW.printed_serial)"
#define REJECT_LATEST_CARD_UPDATE                                                                                      \
  "UPDATE reject_latest SET printed_serial = NEW.printed_serial, state = NEW.state, "                                  \
  "in_bin = CASE WHEN NEW.state = 'REJECTED' THEN 1 ELSE 0 END WHERE chip_id = NEW.chip_id;\n"

/* A rejected production attempt of a chip (NEW). */
#define REJECT_LATEST_ATTEMPT "(NEW.kind = 'PRODUCTION' AND NEW.result = 'REJECTED' AND NEW.chip_id IS NOT NULL)"

/* A production attempt of a chip (NEW) counted, from its identification on. */
#define REJECT_LATEST_FED "(NEW.kind = 'PRODUCTION' AND NEW.chip_id IS NOT NULL)"
#define REJECT_LATEST_RECOUNT                                                                                          \
  "UPDATE reject_latest SET attempts = " REJECT_LATEST_COUNT ("NEW.chip_id") " WHERE chip_id = NEW.chip_id;\n"
/* A disposition (NEW) other than RETAINED: the row's, if it is of the row's attempt. */
#define REJECT_LATEST_DISPOSED                                                                                         \
  "UPDATE reject_latest SET destination = NEW.destination WHERE chip_id = " REJECT_LATEST_CHIP_OF_DISPOSITION          \
  " AND attempt_id = NEW.attempt_id;\n"

/* Version 15 (issue 14: the serial search at 1,000,000 cards): an index of the substrings of each row's chip and
 * serial, so that a search of three characters or more reads the rows that hold its trigrams, not every rejected chip
 * (~80,000 of them: 55 ms mean, 109 ms p95 on SQLite). Both indexes only narrow the rows down: the search's own LIKE
 * decides (cl-store-rejects.c), so what it finds is what it found before.
 *
 * SQLite: an FTS5 table of trigrams over reject_latest's rows (external content: it stores no copy of the text), kept
 * by triggers on reject_latest itself, so every writer of that table (its own triggers, the rebuild) keeps it. Its
 * rows are reject_latest's by rowid: the store is copied with the backup API (cl-store-snapshot.c), which keeps
 * rowids, and never VACUUMed, which could renumber them. 'rebuild' reads every row again, the backfill. */
#define REJECT_SEARCH_FTS_ROW(OP, ROW)                                                                                 \
  "INSERT INTO reject_search (reject_search, rowid, chip_id, printed_serial) VALUES (" OP ", " ROW ".rowid, " ROW      \
  ".chip_id, " ROW ".printed_serial);\n"
#define REJECT_SEARCH_ADD_NEW    REJECT_SEARCH_FTS_ROW ("NULL", "NEW")
#define REJECT_SEARCH_REMOVE_OLD REJECT_SEARCH_FTS_ROW ("'delete'", "OLD")
/* (A REPLACE of a reject_latest row would delete it without the delete trigger: it is only ever upserted.) */
#define REJECT_SEARCH_SQLITE                                                                                           \
  "CREATE VIRTUAL TABLE IF NOT EXISTS reject_search USING fts5(chip_id, printed_serial, content='reject_latest', "     \
  "tokenize='trigram');\n"                                                                                             \
  "CREATE TRIGGER IF NOT EXISTS reject_search_insert AFTER INSERT ON reject_latest BEGIN\n" REJECT_SEARCH_ADD_NEW      \
  "END;\n"                                                                                                             \
  "CREATE TRIGGER IF NOT EXISTS reject_search_delete AFTER DELETE ON reject_latest BEGIN\n" REJECT_SEARCH_REMOVE_OLD   \
  "END;\n"                                                                                                             \
  "CREATE TRIGGER IF NOT EXISTS reject_search_update AFTER UPDATE OF chip_id, printed_serial ON reject_latest "        \
  "WHEN OLD.chip_id IS NOT NEW.chip_id OR OLD.printed_serial IS NOT NEW.printed_serial "                               \
  "BEGIN\n" REJECT_SEARCH_REMOVE_OLD REJECT_SEARCH_ADD_NEW "END;\n"                                                    \
  "INSERT INTO reject_search (reject_search) VALUES ('rebuild');\n"

/* PostgreSQL: pg_trgm's GIN indexes on the two expressions the search's LIKE reads (a trusted extension since
 * PostgreSQL 13: the database's owner may create it; Debian ships it in postgresql-15). Building them is the
 * backfill; PostgreSQL keeps them. Without GIN's pending list (fastupdate off): a search reads that list whole until
 * a vacuum merges it (after bench-dashboard's fill of 1,000,000 cards the searches of 3+ characters took 7-28 ms
 * with it, 1-4 ms without); a row of reject_latest is written once a rejection, and searched at every key stroke. */
#define REJECT_SEARCH_PG                                                                                               \
  "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"                                                                          \
  "CREATE INDEX IF NOT EXISTS reject_latest_chip_trgm ON reject_latest USING gin (upper(chip_id) gin_trgm_ops) "       \
  "WITH (fastupdate = off);\n"                                                                                         \
  "CREATE INDEX IF NOT EXISTS reject_latest_serial_trgm ON reject_latest "                                             \
  "USING gin (upper(coalesce(printed_serial, '')) gin_trgm_ops) WITH (fastupdate = off);\n"

/* Version 16 (issue 14: a search of one or two characters at 1,000,000 cards). No trigram holds such a term, and a
 * term that few chips match read every rejected chip (~80,000 at 1,000,000 cards) to find them. reject_grams holds,
 * for each row of reject_latest, the distinct substrings of one and two characters of its chip and serial,
 * upper-cased as the search folds them (cl-store-rejects.c); a row whose chip or serial is longer than the positions
 * there are has the gram '*' as well, and every such search reads it. The search's LIKE still decides, so what it
 * finds is what it found before. Kept by triggers on reject_latest, so every writer of that table keeps it; the same
 * text on both backends but for the triggers' form. */
#define REJECT_GRAMS_LONGEST "64"
#define REJECT_GRAMS_TABLE(OPTIONS)                                                                                    \
  "CREATE TABLE IF NOT EXISTS reject_grams (\n"                                                                        \
  "  gram TEXT NOT NULL,\n"                                                                                            \
  "  chip_id TEXT NOT NULL,\n"                                                                                         \
  "  PRIMARY KEY (gram, chip_id)\n"                                                                                    \
  ")" OPTIONS ";\n"                                                                                                    \
  "CREATE TABLE IF NOT EXISTS reject_gram_positions (i INTEGER PRIMARY KEY);\n"                                        \
  "WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < " REJECT_GRAMS_LONGEST ") "                \
  "INSERT INTO reject_gram_positions (i) SELECT i FROM p WHERE i NOT IN (SELECT i FROM reject_gram_positions);\n"
/* The grams of SOURCE's rows (a table, or a trigger's row as a one-row subquery): columns gram and chip_id. */
#define REJECT_GRAMS_SELECT(SOURCE)                                                                                    \
  "SELECT substr(t.v, p.i, n.n) AS gram, t.chip_id AS chip_id FROM (SELECT chip_id, upper(chip_id) AS v FROM " SOURCE  \
  " UNION ALL SELECT chip_id, upper(coalesce(printed_serial, '')) FROM " SOURCE                                        \
  ") t CROSS JOIN reject_gram_positions p CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2) n "                            \
  "WHERE p.i + n.n - 1 <= length(t.v) UNION SELECT '*', chip_id FROM " SOURCE                                          \
  " WHERE length(chip_id) > " REJECT_GRAMS_LONGEST " OR length(coalesce(printed_serial, '')) > " REJECT_GRAMS_LONGEST
#define REJECT_GRAMS_ROW(ROW)                                                                                          \
  "(SELECT " ROW ".chip_id AS chip_id, " ROW ".printed_serial AS printed_serial) " ROW "_row"
#define REJECT_GRAMS_ADD_NEW                                                                                           \
  "INSERT INTO reject_grams (gram, chip_id) " REJECT_GRAMS_SELECT (REJECT_GRAMS_ROW ("NEW")) " ON CONFLICT DO "        \
                                                                                             "NOTHING;\n"
#define REJECT_GRAMS_REMOVE_OLD                                                                                        \
  "DELETE FROM reject_grams WHERE chip_id = OLD.chip_id AND gram IN (SELECT gram FROM "                                \
  "(" REJECT_GRAMS_SELECT (REJECT_GRAMS_ROW ("OLD")) ") old_grams);\n"
#define REJECT_GRAMS_CHANGED                                                                                           \
  "(OLD.chip_id IS DISTINCT FROM NEW.chip_id OR OLD.printed_serial IS DISTINCT FROM NEW.printed_serial)"
/* Every row's grams made again: the migration's backfill. */
#define REJECT_GRAMS_BACKFILL                                                                                          \
  "DELETE FROM reject_grams;\n"                                                                                        \
  "INSERT INTO reject_grams (gram, chip_id) " REJECT_GRAMS_SELECT ("reject_latest") ";\n"
#define REJECT_GRAMS_SQLITE                                                                                            \
  REJECT_GRAMS_TABLE (" WITHOUT ROWID")                                                                                \
  "CREATE TRIGGER IF NOT EXISTS reject_grams_insert AFTER INSERT ON reject_latest BEGIN\n" REJECT_GRAMS_ADD_NEW        \
  "END;\n"                                                                                                             \
  "CREATE TRIGGER IF NOT EXISTS reject_grams_delete AFTER DELETE ON reject_latest BEGIN\n" REJECT_GRAMS_REMOVE_OLD     \
  "END;\n"                                                                                                             \
  "CREATE TRIGGER IF NOT EXISTS reject_grams_update AFTER UPDATE OF chip_id, printed_serial ON reject_latest "         \
  "WHEN " REJECT_GRAMS_CHANGED " BEGIN\n" REJECT_GRAMS_REMOVE_OLD REJECT_GRAMS_ADD_NEW "END;\n" REJECT_GRAMS_BACKFILL
#define REJECT_GRAMS_PG                                                                                                \
  REJECT_GRAMS_TABLE ("")                                                                                              \
  "CREATE OR REPLACE FUNCTION cl_reject_grams_add() RETURNS trigger LANGUAGE plpgsql AS $$\n"                          \
  "BEGIN\n" REJECT_GRAMS_ADD_NEW "RETURN NULL;\nEND $$;\n"                                                             \
  "CREATE OR REPLACE FUNCTION cl_reject_grams_remove() RETURNS trigger LANGUAGE plpgsql AS $$\n"                       \
  "BEGIN\n" REJECT_GRAMS_REMOVE_OLD "RETURN NULL;\nEND $$;\n"                                                          \
  "CREATE OR REPLACE FUNCTION cl_reject_grams_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"                       \
  "BEGIN\n" REJECT_GRAMS_REMOVE_OLD REJECT_GRAMS_ADD_NEW "RETURN NULL;\nEND $$;\n"                                     \
  "CREATE OR REPLACE TRIGGER reject_grams_insert AFTER INSERT ON reject_latest FOR EACH ROW "                          \
  "EXECUTE FUNCTION cl_reject_grams_add();\n"                                                                          \
  "CREATE OR REPLACE TRIGGER reject_grams_delete AFTER DELETE ON reject_latest FOR EACH ROW "                          \
  "EXECUTE FUNCTION cl_reject_grams_remove();\n"                                                                       \
  "CREATE OR REPLACE TRIGGER reject_grams_update AFTER UPDATE OF chip_id, printed_serial ON reject_latest FOR EACH "   \
  "ROW WHEN " REJECT_GRAMS_CHANGED " EXECUTE FUNCTION cl_reject_grams_change();\n" REJECT_GRAMS_BACKFILL
