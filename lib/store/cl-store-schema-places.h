/* cl-store-schema-places.h: schema version 11, the same text for both backends but for the integer type (INTEGER
 * on SQLite, BIGINT on PostgreSQL). Included by cl-store-schema.c and cl-store-schema-pg.c only. */
#pragma once

/* Version 11 (issue 18): exactly once across stations, kept by the database.
 * - batch_places: a batch with a quantity hands out places 1..quantity. A station takes one (one transaction,
 *   cl-store-place.h) before it feeds a card, its attempt keeps it, and an attempt that ends RETAINED (card never
 *   made) gives it back. The primary key (batch_id, place) and CHECK (place BETWEEN 1 AND quantity), with quantity
 *   tied to the batch's by a foreign key, make a place beyond the quantity or a place held twice impossible, whatever
 *   the stations believe; an attempt holds at most one place (UNIQUE). The places of the attempts disposed before
 *   this migration are filled in, the earliest first, up to each batch's quantity; open attempts get theirs after.
 * - audit_head: one row that every audit append updates first, inside its transaction (cl-store-records.h): on
 *   PostgreSQL that row lock makes concurrent appends take their turn, so the hash chain stays one chain.
 * IF NOT EXISTS and the guards make running it again change nothing. */
#define PLACES_AND_HEAD(INT)                                                                                           \
  "CREATE UNIQUE INDEX IF NOT EXISTS batches_quantity ON batches(id, quantity);\n"                                     \
  "CREATE TABLE IF NOT EXISTS batch_places (\n"                                                                        \
  "  batch_id " INT " NOT NULL,\n"                                                                                     \
  "  quantity " INT " NOT NULL,\n"                                                                                     \
  "  place " INT " NOT NULL,\n"                                                                                        \
  "  station TEXT CHECK (length(station) > 0),\n"                                                                      \
  "  attempt_id " INT " UNIQUE REFERENCES attempts(id),\n"                                                             \
  "  taken " INT ",\n"                                                                                                 \
  "  PRIMARY KEY (batch_id, place),\n"                                                                                 \
  "  FOREIGN KEY (batch_id, quantity) REFERENCES batches(id, quantity),\n"                                             \
  "  CHECK (place BETWEEN 1 AND quantity),\n"                                                                          \
  "  CHECK ((station IS NULL) = (taken IS NULL)),\n"                                                                   \
  "  CHECK (attempt_id IS NULL OR station IS NOT NULL)\n"                                                              \
  ");\n"                                                                                                               \
  "CREATE INDEX IF NOT EXISTS batch_places_station ON batch_places(station, batch_id);\n"                              \
  "INSERT INTO batch_places (batch_id, quantity, place, station, attempt_id, taken) "                                  \
  "SELECT batch_id, quantity, n, station, id, started FROM (SELECT a.batch_id, b.quantity, a.station, a.id, "          \
  "a.started, row_number() OVER (PARTITION BY a.batch_id ORDER BY CASE WHEN a.ended IS NULL THEN 1 ELSE 0 END, "       \
  "a.id) AS n FROM attempts a JOIN batches b ON b.id = a.batch_id LEFT JOIN dispositions d ON d.attempt_id = a.id "    \
  "WHERE a.kind = 'PRODUCTION' AND b.quantity > 0 AND (d.destination IN ('OUTPUT','REJECT_BIN','UNKNOWN') "            \
  "OR a.ended IS NULL) AND NOT EXISTS (SELECT 1 FROM batch_places p WHERE p.batch_id = a.batch_id)) t "                \
  "WHERE n <= quantity;\n"                                                                                             \
  "CREATE TABLE IF NOT EXISTS audit_head (\n"                                                                          \
  "  id " INT " PRIMARY KEY CHECK (id = 1),\n"                                                                         \
  "  appends " INT " NOT NULL\n"                                                                                       \
  ");\n"                                                                                                               \
  "INSERT INTO audit_head (id, appends) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;\n"
