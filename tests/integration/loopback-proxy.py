#!/usr/bin/env python3
"""loopback-proxy.py: a TCP proxy on loopback that cuts or delays traffic, for the remote client's fault tests.

    loopback-proxy.py --target PORT --port-file FILE --control FILE

The control file is read for each new connection and each chunk: "drop" closes new connections at once (a network
cut), "delay N" holds each chunk from the service N seconds (a slow network), anything else passes traffic. TLS
passes through untouched."""
import argparse
import os
import socket
import threading
import time


def mode(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def pump(src, dst, control, delayed):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            m = mode(control)
            if m == "drop":
                break
            if delayed and m.startswith("delay"):
                time.sleep(float(m.split()[1]))
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, target, control):
    if mode(control) == "drop":
        conn.close()
        return
    try:
        upstream = socket.create_connection(("127.0.0.1", target))
    except OSError:
        conn.close()
        return
    threading.Thread(target=pump, args=(conn, upstream, control, False), daemon=True).start()
    pump(upstream, conn, control, True)
    conn.close()
    upstream.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", type=int, required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--control", required=True)
    a = p.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, a.target, a.control), daemon=True).start()


if __name__ == "__main__":
    main()
