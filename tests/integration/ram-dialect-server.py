#!/usr/bin/env python3
"""ram-dialect-server.py: a small RAMOverHTTP server in the OpenSCDP dialect (DESIGN §8), written for the tests of
the station's remote client and independent of Cardline's code: it replays a scripted session per card.

    ram-dialect-server.py --cert PEM --key PEM --port-file FILE --log FILE [--script NAME] [--control FILE]

Scripts (each card gets a fresh session, held by a cookie this server sets on its first answer):
  cplc    notify 1 "reading the CPLC", SELECT ISD + GET DATA CPLC, then notify 2 "cplc read", then 204
  reset   C0 00 (reset), SELECT ISD, then 204
  abort   notify 1, SELECT ISD, then notify -1 "card refused by the service" (the client must not POST again)
  noplace notify 1, SELECT ISD, then notify -2 "the batch is complete" (Cardline's service: no place in the batch)
  refuse  504 to the first POST
  many    SELECT ISD + GET DATA CPLC + SELECT ISD (a card torn after the first APDU stops the batch there: E1)
The control file, when given, is read at each POST: "down" answers nothing (the connection is closed), "slow N"
delays each answer N seconds, anything else serves normally.
Every POST is logged as one JSON line: path, headers of the dialect, cookie, the session's step, the body (hex) and
the elements decoded from it, so the test can check what the client sent."""
import argparse
import http.server
import json
import os
import secrets
import ssl
import sys
import threading
import time

ISD_SELECT = bytes.fromhex("00A4040008A000000151000000")
GET_CPLC = bytes.fromhex("80CA9F7F00")


def tlv(tag, value):
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + value


def integer(v):
    for size in (1, 2, 3, 4):
        try:
            return v.to_bytes(size, "big", signed=True)
        except OverflowError:
            continue
    raise ValueError(v)


def notify(ident, text, seconds=None):
    body = tlv(0x02, integer(ident)) + tlv(0x0C, text.encode())
    if seconds is not None:
        body += tlv(0xC3, integer(seconds))
    return tlv(0xE0, body)


def parse(data):
    """The elements of a body: [(tag, value)], strictly (one-byte tags, three length forms)."""
    out, i = [], 0
    while i < len(data):
        tag = data[i]
        n = data[i + 1]
        i += 2
        if n == 0x81:
            n = data[i]
            i += 1
        elif n == 0x82:
            n = (data[i] << 8) | data[i + 1]
            i += 2
        elif n >= 0x80:
            raise ValueError("bad length form")
        if i + n > len(data):
            raise ValueError("truncated")
        out.append((tag, data[i:i + n]))
        i += n
    return out


def script_steps(name):
    """The command templates (AA values) of a session, in order; None: answer 204; 504: refuse/abort."""
    if name == "cplc":
        return [notify(1, "reading the CPLC", 5) + tlv(0x22, ISD_SELECT) + tlv(0x22, GET_CPLC),
                notify(2, "cplc read"), None]
    if name == "reset":
        return [tlv(0xC0, b"\x00") + tlv(0x22, ISD_SELECT), None]
    if name == "abort":
        return [notify(1, "checking the card") + tlv(0x22, ISD_SELECT), notify(-1, "card refused by the service")]
    if name == "noplace":
        return [notify(1, "checking the card") + tlv(0x22, ISD_SELECT), notify(-2, "the batch is complete")]
    if name == "refuse":
        return [504]
    if name == "many":
        return [tlv(0x22, ISD_SELECT) + tlv(0x22, GET_CPLC) + tlv(0x22, ISD_SELECT), 504]
    raise SystemExit("unknown script " + name)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def control(self):
        path = self.server.control
        if not path or not os.path.exists(path):
            return ""
        with open(path) as f:
            return f.read().strip()

    def do_GET(self):
        self.server.record({"method": "GET", "path": self.path})
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        mode = self.control()
        if mode == "down":
            self.close_connection = True
            self.connection.close()
            return
        if mode.startswith("slow"):
            time.sleep(float(mode.split()[1]))
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        cookie = self.headers.get("Cookie")
        entry = {"method": "POST", "path": self.path, "content_type": self.headers.get("Content-Type"),
                 "accept": self.headers.get("Accept"), "protocol": self.headers.get("X-Admin-Protocol"),
                 "cookie": cookie, "body": body.hex()}
        try:
            outer = parse(body)
            entry["template"] = "%02X" % outer[0][0]
            entry["elements"] = [["%02X" % t, v.hex() if t != 0xE1 else parse(v)[0][1].decode()]
                                 for t, v in parse(outer[0][1])]
        except (ValueError, IndexError) as e:
            entry["parse_error"] = str(e)
        sessions = self.server.sessions
        if entry.get("template") == "E8":
            sid = secrets.token_hex(8)
            sessions[sid] = 0
            set_cookie = "clsession=%s; Path=/; Secure; HttpOnly" % sid
        else:
            sid = cookie.split("=", 1)[1] if cookie and cookie.startswith("clsession=") else None
            set_cookie = None
            if sid not in sessions:
                entry["error"] = "no session"
                self.server.record(entry)
                self.reply(400, b"")
                return
        step = sessions[sid]
        sessions[sid] = step + 1
        entry["session"] = sid
        entry["step"] = step
        self.server.record(entry)
        steps = script_steps(self.server.script)
        answer = steps[step] if step < len(steps) else None
        if answer is None:
            self.reply(204, b"", set_cookie)
        elif answer == 504:
            self.reply(504, b"", set_cookie)
        else:
            self.reply(200, tlv(0xAA, answer), set_cookie)

    def reply(self, status, body, set_cookie=None):
        self.send_response(status)
        if set_cookie:
            self.send_header("Set-Cookie", set_cookie)
        if body:
            self.send_header("Content-Type", "application/org.openscdp-content-mgt-request;version=1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def record(self, entry):
        with self.lock:
            with open(self.log, "a") as f:
                f.write(json.dumps(entry) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--script", default="cplc")
    p.add_argument("--control")
    a = p.parse_args()
    server = Server(("127.0.0.1", a.port), Handler)
    server.lock = threading.Lock()
    server.log = a.log
    server.script = a.script
    server.control = a.control
    server.sessions = {}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(a.cert, a.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
