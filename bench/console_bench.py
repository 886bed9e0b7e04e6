#!/usr/bin/env python3
"""The console's API under pull load (issue 14's benchmark).

  console_bench.py FERRYD_BINARY [--namespaces 10] [--repos 10] [--tags 100] [--runs 7]

Fills a fresh ferryd (open development default, loopback) with
namespaces x repos repositories of `tags` tags each (10,000 by default),
then, per run: wrk pulls one manifest at 64 connections for 8 s alone,
and again while one console user loads every page's API calls, a page
every 250 ms (faster than anyone clicks). Prints each endpoint's p50/p99
and the pulls' throughput with and without the console, medians over the
runs. The goal: every p99 under 50 ms and the pulls losing under 10%.
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_bench import Server, cpu_seconds, free_port, push_small, wrk  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def fill(port, namespaces, repos, tags):
    """Every repository: one config and layer, `tags` distinct manifests."""
    names = [f"ns{n}/app{r}" for n in range(namespaces) for r in range(repos)]

    def one_repo(name):
        cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2026-11-30T00:00:00Z",
                          "config": {"Entrypoint": ["/app"], "Labels": {"repo": name}},
                          "rootfs": {"type": "layers", "diff_ids": []}}).encode()
        c, l = push_small(port, name, cfg), push_small(port, name, os.urandom(4096))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for t in range(tags):
            m = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                       "digest": c, "size": len(cfg)},
                            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                        "digest": l, "size": 4096}],
                            "annotations": {"tag": str(t)}}).encode()
            conn.request("PUT", f"/v2/{name}/manifests/t{t}", body=m,
                         headers={"Content-Type": OCI_MANIFEST})
            r = conn.getresponse()
            r.read()
            assert r.status == 201, (name, t, r.status)

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(one_repo, names))
    return names


def pages(names, tags):
    """Each console page's API calls, as the console makes them."""
    repo = names[len(names) // 2]
    ns = repo.split("/")[0]
    return {
        "session": ["/ferry/v1/session"],
        "repositories": ["/ferry/v1/catalog", f"/ferry/v1/repositories?namespace={ns}&n=100"],
        "search": ["/ferry/v1/repositories?q=app7&n=100"],
        "repository": [f"/ferry/v1/repositories/{repo}/tags?n=100",
                       f"/ferry/v1/repositories/{repo}/tags?n=100&last=t{tags // 2}"],
        "image": [f"/ferry/v1/repositories/{repo}/manifests/t{tags // 3}"],
        "imports": ["/ferry/v1/imports?n=50"],
        "storage": ["/ferry/v1/storage"],
        "audit": ["/ferry/v1/audit?n=50", "/ferry/v1/audit?n=50&action=push%20manifest"],
        "admin": ["/ferry/v1/users", "/ferry/v1/tokens", "/ferry/v1/grants", "/ferry/v1/namespaces"],
    }


def browse(port, page_calls, stop, latencies):
    """One user: every page in turn, a page every 250 ms, until stop."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        for page, calls in page_calls.items():
            started = time.monotonic()
            for path in calls:
                t0 = time.monotonic()
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                assert r.status == 200, (path, r.status)
                latencies.setdefault(path, []).append((time.monotonic() - t0) * 1000)
            time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
            if stop.is_set():
                return


def timed_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t0 = time.monotonic()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    assert r.status == 200, (path, r.status)
    return (time.monotonic() - t0) * 1000


def print_cold(port, repo, page_calls):
    """Namespace sizes are kept until the next change: after one, the first
    catalog and storage page pay the query (no other load), then no more."""
    m = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "annotations": {"cold": "1"},
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2,
                               "digest": push_small(port, repo, b"{}")}, "layers": []}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("PUT", f"/v2/{repo}/manifests/cold", body=m, headers={"Content-Type": OCI_MANIFEST})
    assert conn.getresponse().status == 201
    for path in page_calls["repositories"][:1] + page_calls["storage"]:
        cold, warm = timed_get(port, path), timed_get(port, path)
        print(f"after a push, no load: {path} {cold:.1f} ms, then {warm:.1f} ms")


def browse_cpu(server, port, page_calls, seconds=8):
    """ferryd's CPU seconds for `seconds` of browsing with no other load."""
    stop, scratch = threading.Event(), {}
    c0 = cpu_seconds(server.pids())
    user = threading.Thread(target=browse, args=(port, page_calls, stop, scratch))
    user.start()
    time.sleep(seconds)
    stop.set()
    user.join()
    return cpu_seconds(server.pids()) - c0


def cost(pull_cpu, console_cpu):
    """The loss the console's own work explains, from CPU time, which this
    noisy 2-core machine measures far more steadily than throughput."""
    p, c = statistics.median(pull_cpu), statistics.median(console_cpu)
    print(f"ferryd CPU over 8 s: pulls alone {p:.2f} s, the console alone {c:.2f} s: "
          f"the console's work is {100 * c / p:.1f}% of what the pulls use")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ferryd")
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--repos", type=int, default=10)
    ap.add_argument("--tags", type=int, default=100)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ferry-console-bench.") as work:
        port = free_port()
        server = Server("ferryd", [a.ferryd, "serve", "--data-dir", f"{work}/data",
                                   "--listen", f"127.0.0.1:{port}"], port)
        server.start()
        try:
            t0 = time.monotonic()
            names = fill(port, a.namespaces, a.repos, a.tags)
            print(f"filled {len(names)} repositories x {a.tags} tags in {time.monotonic() - t0:.0f} s")
            page_calls = pages(names, a.tags)
            print_cold(port, names[0], page_calls)
            pull = f"/v2/{names[0]}/manifests/t1"
            accept = [f"Accept: {OCI_MANIFEST}"]
            alone, loaded, latencies = [], [], {}
            pull_cpu, console_cpu = [], []
            for _ in range(a.runs):
                c0 = cpu_seconds(server.pids())
                alone.append(wrk(port, pull, accept)[0])
                pull_cpu.append(cpu_seconds(server.pids()) - c0)
                console_cpu.append(browse_cpu(server, port, page_calls))
                stop = threading.Event()
                user = threading.Thread(target=browse, args=(port, page_calls, stop, latencies))
                user.start()
                loaded.append(wrk(port, pull, accept)[0])
                stop.set()
                user.join()
            report(alone, loaded, latencies)
            cost(pull_cpu, console_cpu)
        finally:
            server.stop()


def report(alone, loaded, latencies):
    print("\n| console API call under load | calls | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    worst = 0.0
    for path, values in latencies.items():
        worst = max(worst, pct(values, 99))
        print(f"| `{path}` | {len(values)} | {pct(values, 50):.1f} | {pct(values, 99):.1f} |")
    a, b = statistics.median(alone), statistics.median(loaded)
    print(f"\nmanifest pulls, wrk 64 connections, 8 s, median of {len(alone)}: "
          f"{a:.0f} req/s alone, {b:.0f} req/s with the console: {100 * (1 - b / a):.1f}% lost")
    print(f"worst p99 {worst:.1f} ms (goal < 50 ms); loss goal < 10%")


if __name__ == "__main__":
    main()
