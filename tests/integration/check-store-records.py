#!/usr/bin/python3
# (the system python, not whichever python3 is first on PATH: Debian's python3-psycopg2 is installed for it)
"""check-store-records.py: the rules every station's records keep, whatever was interrupted (kills, tears, a pcscd
restart), checked with SQL on the store after the run. Prints a summary and each broken rule; exit 1 if any.

  check-store-records.py NAME STORE [--cards N] [--all-good] [--one-certificate] [--batch-quantity BATCH] [--fleet N]

NAME prefixes the output (the test's name). Always: every attempt ended with exactly one disposition that matches
its result, no chip GOOD twice, every GOOD attempt has a passed VERIFY, no journal intent left open, no chip with more
than one certificate. --cards N: exactly N chips known. --all-good: every chip ended GOOD. --one-certificate: every
chip has exactly one certificate. --batch-quantity BATCH: the closed batch BATCH holds exactly its quantity of
output and reject-bin dispositions (abandoned attempts, RETAINED, do not count). --fleet N: stations shared the store:
at least N stations produced, no chip was in production at two stations at once (overlapping attempts), at most one
certificate per chip and key; a journal intent may stay open only on a chip never made since (no GOOD attempt, its
last attempt RETAINED: a killed station's card that the batch, complete meanwhile at other stations, did not need).

STORE is an SQLite file (read-only) or a postgresql:// URI (a fleet's database, read with psycopg2, Debian
python3-psycopg2); the SQL runs on both."""
import argparse
import sqlite3
import sys


def connect(store):
    """A query function on the store: rows of SQL with ? placeholders, on SQLite or PostgreSQL."""
    if store.startswith(("postgresql:", "postgres:")):
        import psycopg2
        db = psycopg2.connect(store)
        db.set_session(readonly=True, autocommit=True)

        def query(sql, *args):
            cursor = db.cursor()
            cursor.execute(sql.replace("?", "%s"), args)
            return cursor.fetchall()
        return query
    db = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
    return lambda sql, *args: db.execute(sql, args).fetchall()

OPEN_INTENTS = ("FROM journal i WHERE kind = 'INTENT' AND coalesce((SELECT o.outcome FROM journal o "
                "WHERE o.intent_id = i.id ORDER BY o.id DESC LIMIT 1), 'UNKNOWN') = 'UNKNOWN'")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("store")
    parser.add_argument("--cards", type=int)
    parser.add_argument("--all-good", action="store_true")
    parser.add_argument("--one-certificate", action="store_true")
    parser.add_argument("--batch-quantity")
    parser.add_argument("--fleet", type=int, metavar="N")
    args = parser.parse_args()

    q = connect(args.store)
    n = lambda sql, *a: q(sql, *a)[0][0]
    problems = []

    def check(what, rows):
        if rows:
            problems.append("%s: %s" % (what, rows[:5]))

    check("attempts never ended", q("SELECT id, chip_id, reader FROM attempts WHERE ended IS NULL"))
    check("attempts without exactly one disposition",
          q("SELECT a.id, a.chip_id, k FROM (SELECT a.id, a.chip_id, (SELECT count(*) FROM dispositions d "
            "WHERE d.attempt_id = a.id) AS k FROM attempts a) a WHERE k != 1"))
    check("dispositions not matching the result (GOOD to the output hopper, nothing else)",
          q("SELECT a.id, a.result, d.destination FROM attempts a JOIN dispositions d ON d.attempt_id = a.id "
            "WHERE (a.result = 'GOOD') != (d.destination = 'OUTPUT')"))
    check("chips with more than one GOOD attempt",
          q("SELECT chip_id, count(*) FROM attempts WHERE result = 'GOOD' GROUP BY chip_id HAVING count(*) > 1"))
    check("GOOD attempts without a passed VERIFY",
          q("SELECT id FROM attempts a WHERE result = 'GOOD' AND NOT EXISTS (SELECT 1 FROM steps s "
            "WHERE s.attempt_id = a.id AND s.step = 'VERIFY' AND s.result = 'OK')"))
    if args.fleet is None:
        check("journal intents open", q("SELECT id, chip_id, op " + OPEN_INTENTS))
    else:
        check("journal intents open on chips made or rejected since",
              q("SELECT id, chip_id, op " + OPEN_INTENTS + " AND (EXISTS (SELECT 1 FROM attempts a WHERE a.chip_id = "
                "i.chip_id AND a.result = 'GOOD') OR (SELECT d.destination FROM attempts a JOIN dispositions d ON "
                "d.attempt_id = a.id WHERE a.chip_id = i.chip_id ORDER BY a.id DESC LIMIT 1) IS DISTINCT FROM "
                "'RETAINED')"))
    check("chips with more than one certificate",
          q("SELECT chip_id, count(*) FROM certificates GROUP BY chip_id HAVING count(*) > 1"))
    if args.cards is not None:
        chips = n("SELECT count(*) FROM cards")
        check("chips known != %d cards fed" % args.cards, [] if chips == args.cards else [chips])
    if args.all_good:
        check("chips not GOOD", q("SELECT chip_id, state FROM cards WHERE state != 'GOOD'"))
    if args.one_certificate:
        check("chips without exactly one certificate",
              q("SELECT chip_id, k FROM (SELECT c.chip_id, (SELECT count(*) FROM certificates t "
                "WHERE t.chip_id = c.chip_id) AS k FROM cards c) c WHERE k != 1"))
    if args.batch_quantity is not None:
        check("batch %s not closed with exactly its quantity disposed to hopper or bin" % args.batch_quantity,
              [r for r in q("SELECT b.quantity, (SELECT count(*) FROM attempts a JOIN dispositions d "
                            "ON d.attempt_id = a.id WHERE a.batch_id = b.id AND d.destination IN "
                            "('OUTPUT', 'REJECT_BIN')), b.state FROM batches b WHERE b.name = ?",
                            args.batch_quantity) if r[0] != r[1] or r[2] != "CLOSED"]
              or ([] if n("SELECT count(*) FROM batches WHERE name = ?", args.batch_quantity) else ["no such batch"]))

    if args.fleet is not None:
        stations = [r[0] for r in q("SELECT DISTINCT station FROM attempts ORDER BY 1")]
        check("fewer than %d stations produced" % args.fleet, [] if len(stations) >= args.fleet else stations)
        # a chip in production at one station at a time: no two attempts of one chip at two stations overlap
        # (an attempt still open counts as lasting for ever)
        check("chips in production at two stations at once",
              q("SELECT a.chip_id, a.station, b.station FROM attempts a JOIN attempts b ON a.chip_id = b.chip_id "
                "AND a.id < b.id AND a.station != b.station WHERE a.started < coalesce(b.ended, 9223372036854775807) "
                "AND b.started < coalesce(a.ended, 9223372036854775807)"))
        check("chips with more than one certificate for one key",
              q("SELECT chip_id, key_hash, count(*) FROM certificates GROUP BY chip_id, key_hash HAVING count(*) > 1"))
        print("%s: stations %s; disposed per station (station, destination, count): %s" % (
            args.name, ", ".join(stations),
            q("SELECT a.station, d.destination, count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id "
              "GROUP BY 1, 2 ORDER BY 1, 2")), file=sys.stderr)

    print("%s: %d attempts (%d GOOD, %d rejected), %d chips (%d GOOD), %d certificates, %d journal intents open" % (
        args.name, n("SELECT count(*) FROM attempts"), n("SELECT count(*) FROM attempts WHERE result = 'GOOD'"),
        n("SELECT count(*) FROM attempts WHERE result = 'REJECTED'"), n("SELECT count(*) FROM cards"),
        n("SELECT count(*) FROM cards WHERE state = 'GOOD'"), n("SELECT count(*) FROM certificates"),
        n("SELECT count(*) " + OPEN_INTENTS)), file=sys.stderr)
    for row in q("SELECT reject_reason, failed_step, count(*) FROM attempts WHERE result = 'REJECTED' "
                 "GROUP BY 1, 2 ORDER BY 3 DESC"):
        print("%s:   rejected %s at %s: %d" % ((args.name,) + row), file=sys.stderr)
    for p in problems:
        print("%s: %s" % (args.name, p), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
