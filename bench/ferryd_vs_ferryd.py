#!/usr/bin/env python3
"""Two ferryd builds side by side: a change against the commit before it.

  ferryd_vs_ferryd.py NEW_FERRYD OLD_FERRYD [--big-mib 256] [--runs 5]

For a refactor that must not cost speed or memory: both binaries get the
same content, then alternate round by round (so the machine's noise hits
both alike) on manifest GETs (wrk, 64 connections), a monolithic blob
push, and idle RSS after one request. Prints medians and new/old ratios.
Uses registry_bench.py's helpers; needs wrk (make bench installs it).
"""
import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_bench import (OCI_MANIFEST, Server, free_port, push_blob_file,  # noqa: E402
                            push_image, request, status_kib, wrk)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("new")
    ap.add_argument("old")
    ap.add_argument("--big-mib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ferry-vs-")
    try:
        big = os.path.join(work, "big.bin")
        h = hashlib.sha256()
        with open(big, "wb") as f:
            for _ in range(args.big_mib):
                chunk = os.urandom(1 << 20)
                h.update(chunk)
                f.write(chunk)
        digest, size = "sha256:" + h.hexdigest(), os.path.getsize(big)
        servers = {}
        for name, binary in (("new", args.new), ("old", args.old)):
            port = free_port()
            data = os.path.join(work, name)
            servers[name] = Server(name, [binary, "serve", "--listen", f"127.0.0.1:{port}",
                                          "--data-dir", data], port)
        res = {n: {"get": [], "p99": [], "push": [], "idle": []} for n in servers}
        accept = [f"Accept: {OCI_MANIFEST}"]
        for run in range(args.runs):
            # Alternate who goes first, so neither always follows the other's
            # 256 MiB of writeback.
            order = list(servers.items()) if run % 2 == 0 else list(servers.items())[::-1]
            for name, s in order:
                s.start()
                if run == 0:
                    push_image(s.port)
                request(s.port, "GET", "/v2/bench/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
                time.sleep(1)
                res[name]["idle"].append(status_kib(s.proc.pid, "VmRSS") / 1024)
                rps, _, p99 = wrk(s.port, "/v2/bench/app/manifests/v1", accept)
                res[name]["get"].append(rps)
                res[name]["p99"].append(p99)
                secs = push_blob_file(s.port, f"bench/push{run}", big, digest)
                res[name]["push"].append(size / secs / 1e6)
                s.stop()
        rows = [("manifest GET (req/s)", "get", "higher"), ("manifest GET p99 (ms)", "p99", "lower"),
                ("blob push, monolithic (MB/s)", "push", "higher"),
                ("idle RSS after one request (MiB)", "idle", "lower")]
        print(f"| measure ({args.runs} rounds, medians) | new | old | new/old | better |")
        print("|---|---:|---:|---:|---|")
        for label, key, better in rows:
            n, o = statistics.median(res["new"][key]), statistics.median(res["old"][key])
            print(f"| {label} | {n:.1f} | {o:.1f} | {n / o:.2f} | {better} |")
        for name, binary in (("new", args.new), ("old", args.old)):
            print(f"| binary size, {name} (MiB) | {os.path.getsize(binary) / 2**20:.2f} | | | |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
