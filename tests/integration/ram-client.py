#!/usr/bin/env python3
"""ram-client.py: a minimal RAMOverHTTP client in the OpenSCDP dialect (DESIGN §8), written from the dialect's
description with Python's standard library (http.client, ssl) and pyscard for PC/SC: nothing of Cardline's code.
It connects the card in READER to a production URL and relays until the service ends the session.

    ram-client.py URL --reader NAME --cafile PEM [--after N --run CMD] [--malformed-after N]

--after N --run CMD: after the Nth POST has been answered, runs CMD (a shell command: pull the card, kill the
service) and goes on; a card error then travels to the service as E1, a lost service ends the client.
--malformed-after N: the (N+1)th POST carries a response template whose count does not fit.
--drop-after N: after the Nth POST has been answered (and --run ran), the connection drops before that answer is
acted on: the client connects again, takes the card in the reader up again and POSTs a first template (E8) with
its session cookie, as a client resuming its session. --resume-atr HEX: that E8 carries this ATR instead.
--content-type TEXT, --admin-protocol TEXT: the request headers (for the service's refusals).
--latency MS: every round trip takes MS milliseconds longer (a slow network, for benchmarks).
--cert PEM: the certificate and key (one file) the client presents for mutual TLS.
Prints each notify as "notify ID: TEXT" and ends with "end: STATUS" (204, 404, 504, 400, abort, lost).
Exit status: 0 on 204, 3 when a notify aborted the session, 4 on 404, 5 on 504, 6 on any other status, 7 when
the service could not be reached."""
import argparse
import http.client
import ssl
import subprocess
import sys
import time
import urllib.parse

from smartcard.System import readers
from smartcard.Exceptions import SmartcardException

CONTENT_TYPE = "application/org.openscdp-content-mgt-response;version=1.0"


def tlv(tag, value):
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + value


def integer(value):
    out = value.to_bytes(4, "big", signed=True)
    while len(out) > 1 and ((out[0] == 0 and out[1] < 0x80) or (out[0] == 0xFF and out[1] >= 0x80)):
        out = out[1:]
    return out


def parse(data):
    """The TLVs of data as (tag, value) pairs."""
    items, pos = [], 0
    while pos < len(data):
        tag, n = data[pos], data[pos + 1]
        pos += 2
        if n == 0x81:
            n, pos = data[pos], pos + 1
        elif n == 0x82:
            n, pos = (data[pos] << 8) | data[pos + 1], pos + 2
        elif n > 0x80:
            raise ValueError("bad length at %d" % pos)
        if pos + n > len(data):
            raise ValueError("value runs past the end at %d" % pos)
        items.append((tag, data[pos:pos + n]))
        pos += n
    return items


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--reader", required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--after", type=int, default=-1)
    parser.add_argument("--run")
    parser.add_argument("--run-when", help="a shell condition checked after every post from --after on: --run runs "
                        "once, at the first post where it holds")
    parser.add_argument("--malformed-after", type=int, default=-1)
    parser.add_argument("--drop-after", type=int, default=-1)
    parser.add_argument("--resume-atr")
    parser.add_argument("--content-type", default=CONTENT_TYPE)
    parser.add_argument("--admin-protocol", default="openscdp-remote-admin/1.0")
    parser.add_argument("--cert", help="a client certificate and key (PEM), for mutual TLS")
    parser.add_argument("--latency", type=float, default=0, help="milliseconds added to every round trip")
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.url)
    context = ssl.create_default_context(cafile=args.cafile)
    if args.cert:
        context.load_cert_chain(args.cert)
    http_conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=40)
    reader = [r for r in readers() if str(r) == args.reader]
    if not reader:
        print("end: no reader %s" % args.reader)
        return 6
    card = reader[0].createConnection()
    card.connect()
    body = tlv(0xE8, tlv(0xC0, bytes(card.getATR())))
    cookie = None
    posts = 0
    ran = False
    stats = {"posts": 0, "capdus": 0, "sent": 0, "received": 0}
    while True:
        headers = {"Content-Type": args.content_type, "Accept": "*/*", "X-Admin-Protocol": args.admin_protocol}
        if cookie:
            headers["Cookie"] = cookie
        if posts == args.malformed_after:
            body = tlv(0xAB, tlv(0x80, integer(5)))
        if args.latency > 0:
            time.sleep(args.latency / 1000)
        try:
            http_conn.request("POST", url.path, body=body, headers=headers)
            response = http_conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            print("end: lost (%s)" % error)
            return 7
        posts += 1
        stats["posts"] += 1
        stats["sent"] += len(body)
        stats["received"] += len(answer)
        set_cookie = response.getheader("Set-Cookie")
        if set_cookie:
            cookie = set_cookie.split(";")[0]
        if response.status != 200:
            print("stats: posts=%(posts)d capdus=%(capdus)d sent=%(sent)d received=%(received)d" % stats)
            print("end: %d %s" % (response.status, answer.decode("utf-8", "replace").strip()))
            return {204: 0, 404: 4, 504: 5}.get(response.status, 6)
        if args.run and not ran and 0 <= args.after <= posts and (
                not args.run_when or subprocess.run(args.run_when, shell=True).returncode == 0):
            ran = True
            subprocess.run(args.run, shell=True, check=True)
        if args.drop_after == posts:
            http_conn.close()
            http_conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=40)
            try:
                card.disconnect()
            except SmartcardException:
                pass
            card = reader[0].createConnection()
            card.connect()
            atr = bytes.fromhex(args.resume_atr) if args.resume_atr else bytes(card.getATR())
            body = tlv(0xE8, tlv(0xC0, atr))
            print("resume: with the session cookie")
            sys.stdout.flush()
            continue
        (tag, template), = parse(answer)
        assert tag == 0xAA, "not a command template"
        out, answered = b"", 0
        for tag, value in parse(template):
            if tag == 0x22:
                stats["capdus"] += 1
                try:
                    data, sw1, sw2 = card.transmit(list(value))
                except SmartcardException as error:
                    out += tlv(0xE1, tlv(0x0C, str(error).encode()))
                    break
                out += tlv(0x23, bytes(data) + bytes([sw1, sw2]))
                answered += 1
            elif tag == 0xC0:
                card.reconnect(disposition=1)
                out += tlv(0xC0, bytes(card.getATR()))
            elif tag == 0xE0:
                fields = dict(parse(value))
                notify_id = int.from_bytes(fields[0x02], "big", signed=True)
                print("notify %d: %s" % (notify_id, fields[0x0C].decode()))
                sys.stdout.flush()
                if notify_id < 0:
                    print("end: abort")
                    return 3
            else:
                raise ValueError("unknown tag %02X in a command template" % tag)
        body = tlv(0xAB, out + tlv(0x80, integer(answered)))


if __name__ == "__main__":
    sys.exit(main())
