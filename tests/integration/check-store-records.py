#!/usr/bin/env python3
"""check-store-records.py: the rules every station's records keep, whatever was interrupted (kills, tears, a pcscd
restart), checked with SQL on the store after the run. Prints a summary and each broken rule; exit 1 if any.

  check-store-records.py NAME STORE [--cards N] [--all-good] [--one-certificate] [--batch-quantity BATCH]

NAME prefixes the output (the test's name). Always: every attempt ended with exactly one disposition that matches
its result, no chip GOOD twice, every GOOD attempt has a passed VERIFY, no journal intent left open, no chip with more
than one certificate. --cards N: exactly N chips known. --all-good: every chip ended GOOD. --one-certificate: every
chip has exactly one certificate. --batch-quantity BATCH: the closed batch BATCH holds exactly its quantity of
output and reject-bin dispositions (abandoned attempts, RETAINED, do not count)."""
import argparse
import sqlite3
import sys

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
    args = parser.parse_args()

    db = sqlite3.connect("file:%s?mode=ro" % args.store, uri=True)
    q = lambda sql, *a: db.execute(sql, a).fetchall()
    n = lambda sql, *a: q(sql, *a)[0][0]
    problems = []

    def check(what, rows):
        if rows:
            problems.append("%s: %s" % (what, rows[:5]))

    check("attempts never ended", q("SELECT id, chip_id, reader FROM attempts WHERE ended IS NULL"))
    check("attempts without exactly one disposition",
          q("SELECT a.id, a.chip_id, (SELECT count(*) FROM dispositions d WHERE d.attempt_id = a.id) AS k "
            "FROM attempts a WHERE k != 1"))
    check("dispositions not matching the result (GOOD to the output hopper, nothing else)",
          q("SELECT a.id, a.result, d.destination FROM attempts a JOIN dispositions d ON d.attempt_id = a.id "
            "WHERE (a.result = 'GOOD') != (d.destination = 'OUTPUT')"))
    check("chips with more than one GOOD attempt",
          q("SELECT chip_id, count(*) FROM attempts WHERE result = 'GOOD' GROUP BY chip_id HAVING count(*) > 1"))
    check("GOOD attempts without a passed VERIFY",
          q("SELECT id FROM attempts a WHERE result = 'GOOD' AND NOT EXISTS (SELECT 1 FROM steps s "
            "WHERE s.attempt_id = a.id AND s.step = 'VERIFY' AND s.result = 'OK')"))
    check("journal intents open", q("SELECT id, chip_id, op " + OPEN_INTENTS))
    check("chips with more than one certificate",
          q("SELECT chip_id, count(*) FROM certificates GROUP BY chip_id HAVING count(*) > 1"))
    if args.cards is not None:
        chips = n("SELECT count(*) FROM cards")
        check("chips known != %d cards fed" % args.cards, [] if chips == args.cards else [chips])
    if args.all_good:
        check("chips not GOOD", q("SELECT chip_id, state FROM cards WHERE state != 'GOOD'"))
    if args.one_certificate:
        check("chips without exactly one certificate",
              q("SELECT c.chip_id, (SELECT count(*) FROM certificates t WHERE t.chip_id = c.chip_id) AS k "
                "FROM cards c WHERE k != 1"))
    if args.batch_quantity is not None:
        check("batch %s not closed with exactly its quantity disposed to hopper or bin" % args.batch_quantity,
              [r for r in q("SELECT b.quantity, (SELECT count(*) FROM attempts a JOIN dispositions d "
                            "ON d.attempt_id = a.id WHERE a.batch_id = b.id AND d.destination IN "
                            "('OUTPUT', 'REJECT_BIN')), b.state FROM batches b WHERE b.name = ?",
                            args.batch_quantity) if r[0] != r[1] or r[2] != "CLOSED"]
              or ([] if n("SELECT count(*) FROM batches WHERE name = ?", args.batch_quantity) else ["no such batch"]))

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
