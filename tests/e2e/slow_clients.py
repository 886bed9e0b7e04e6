#!/usr/bin/env python3
"""Hostile and slow clients for tests/e2e/slow_clients_test.sh. Each mode
prints one JSON object with what it saw.

  headers HOST PORT N INTERVAL SECONDS     N connections from 127.0.0.1, each
      sending one header line every INTERVAL s and never finishing; a
      connection the server closes is opened again at its next turn.
  probe HOST PORT SOURCE SECONDS           GET /v2/ from SOURCE every 0.2 s,
      each with a 1 s limit; latencies.
  hold HOST PORT SOURCE N SECONDS          N silent connections from SOURCE,
      then one request from SOURCE and one from 127.0.0.2; after SECONDS,
      how many the server closed.
  trickle HOST PORT METHOD PATH LENGTH FIRST BYTES_PER_S SECONDS
      a request with Content-Length LENGTH: FIRST bytes at once, then
      BYTES_PER_S; when the server cut it (or its answer).
  tlshello HOST PORT SECONDS               a TLS ClientHello trickled a byte
      every 0.5 s; when the server cut it.
  slowread HOST PORT PATH SECONDS          GET PATH with a tiny receive
      buffer and read nothing for SECONDS; then how much arrived.
  stall HOST PORT PATH N LENGTH EXPECT SECONDS
      N PUTs with Content-Length LENGTH sending LENGTH-1 bytes then
      stalling (EXPECT=1: with Expect: 100-continue); the statuses seen.
"""
import json
import select
import socket
import sys
import time


def connect(host, port, source="127.0.0.1", rcvbuf=None, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def closed_by_peer(s):
    """True when the server has closed (EOF or reset); drains what it sent."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(65536) == b""
    except OSError:
        return True


def headers(host, port, n, interval, seconds):
    conns = [None] * n
    due = [0.0] * n
    opened = cut = refused = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        now = time.monotonic()
        for i in range(n):
            s = conns[i]
            if s is not None and closed_by_peer(s):
                s.close()
                conns[i] = None
                cut += 1
            if now < due[i]:
                continue
            due[i] = now + interval
            try:
                if conns[i] is None:
                    conns[i] = connect(host, port, timeout=0.5)
                    opened += 1
                    conns[i].sendall(b"GET /v2/ HTTP/1.1\r\nHost: localhost\r\n")
                else:
                    conns[i].sendall(b"X-Slow: %d\r\n" % int(now))
            except OSError:
                refused += 1
                if conns[i] is not None:
                    conns[i].close()
                conns[i] = None
        time.sleep(0.05)
    alive = sum(1 for s in conns if s is not None and not closed_by_peer(s))
    return {"opened": opened, "closed_by_server": cut, "failed": refused, "alive_at_end": alive}


def get_v2(host, port, source):
    start = time.monotonic()
    try:
        s = connect(host, port, source, timeout=1.0)
        s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = s.recv(1024)
        s.close()
        ok = data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.1 401")
    except OSError:
        ok = False
    return ok, time.monotonic() - start


def probe(host, port, source, seconds):
    lat, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ok, took = get_v2(host, port, source)
        if ok and took <= 1.0:
            lat.append(took)
        else:
            failures += 1
        time.sleep(0.2)
    lat.sort()
    return {"answered": len(lat), "failed": failures,
            "max_ms": round(1000 * lat[-1], 1) if lat else None,
            "median_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None}


def hold(host, port, source, n, seconds):
    conns = []
    for _ in range(n):
        try:
            conns.append(connect(host, port, source))
        except OSError:
            pass
    same, _ = get_v2(host, port, source)
    other, took = get_v2(host, port, "127.0.0.2")
    time.sleep(seconds)
    closed = sum(1 for s in conns if closed_by_peer(s))
    return {"connected": len(conns), "closed_by_server": closed, "held": len(conns) - closed,
            "same_address_answered": same, "other_address_answered": other,
            "other_ms": round(1000 * took, 1)}


def request_head(method, path, length, expect=False):
    head = "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n" % (method, path, length)
    head += "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
    if expect:
        head += "Expect: 100-continue\r\n"
    return (head + "\r\n").encode()


def trickle(host, port, method, path, length, first, rate, seconds):
    s = connect(host, port)
    start = time.monotonic()
    s.sendall(request_head(method, path, length) + b"x" * first)
    sent = first
    while sent < length and time.monotonic() - start < seconds:
        if closed_by_peer(s):
            return {"cut_after_s": round(time.monotonic() - start, 1), "sent": sent}
        step = min(max(1, rate // 10), length - sent)
        try:
            s.sendall(b"x" * step)
        except OSError:
            return {"cut_after_s": round(time.monotonic() - start, 1), "sent": sent}
        sent += step
        time.sleep(0.1)
    s.settimeout(5)
    try:
        answer = s.recv(200).split(b"\r\n")[0].decode()
    except OSError:
        answer = ""
    return {"cut_after_s": None, "sent": sent, "answer": answer,
            "took_s": round(time.monotonic() - start, 1)}


def tlshello(host, port, seconds):
    """A TLS handshake record that never completes, a byte at a time."""
    s = connect(host, port)
    start = time.monotonic()
    s.sendall(b"\x16\x03\x01\x02")
    while time.monotonic() - start < seconds:
        if closed_by_peer(s):
            return {"cut_after_s": round(time.monotonic() - start, 1)}
        try:
            s.sendall(b"\x00")
        except OSError:
            return {"cut_after_s": round(time.monotonic() - start, 1)}
        time.sleep(0.5)
    return {"cut_after_s": None}


def slowread(host, port, path, seconds):
    s = connect(host, port, rcvbuf=4096)
    s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode())
    time.sleep(seconds)
    got = 0
    s.settimeout(2)
    try:
        while True:
            data = s.recv(1 << 20)
            if not data:
                break
            got += len(data)
    except OSError:
        pass
    return {"received": got}


def stall(host, port, path, n, length, expect, seconds):
    conns, statuses = [], {}
    for _ in range(n):
        s = connect(host, port, timeout=5)
        s.sendall(request_head("PUT", path, length, expect))
        conns.append(s)
    body = b"{" + b" " * (length - 2)  # length - 1 bytes: never complete
    retry_after = 0
    for s in conns:
        answer = b""
        if expect:
            s.settimeout(3)
            try:
                answer = s.recv(4096)
            except OSError:
                pass
        if answer.startswith(b"HTTP/1.1 100") or not expect:
            try:
                s.sendall(body)
            except OSError:
                pass
            key = "sent_body"
        else:
            key = answer.split(b"\r\n")[0].decode() or "no answer"
            retry_after += b"\r\nRetry-After: " in answer
        statuses[key] = statuses.get(key, 0) + 1
    time.sleep(seconds)
    for s in conns:
        s.close()
    return {"statuses": statuses, "with_retry_after": retry_after}


def main():
    a = sys.argv[1:]
    mode, host, port = a[0], a[1], int(a[2])
    if mode == "headers":
        out = headers(host, port, int(a[3]), float(a[4]), float(a[5]))
    elif mode == "probe":
        out = probe(host, port, a[3], float(a[4]))
    elif mode == "hold":
        out = hold(host, port, a[3], int(a[4]), float(a[5]))
    elif mode == "trickle":
        out = trickle(host, port, a[3], a[4], int(a[5]), int(a[6]), int(a[7]), float(a[8]))
    elif mode == "tlshello":
        out = tlshello(host, port, float(a[3]))
    elif mode == "slowread":
        out = slowread(host, port, a[3], float(a[4]))
    elif mode == "stall":
        out = stall(host, port, a[3], int(a[4]), int(a[5]), a[6] == "1", float(a[7]))
    else:
        raise SystemExit("unknown mode " + mode)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
