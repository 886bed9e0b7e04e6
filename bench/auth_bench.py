#!/usr/bin/env python3
"""What access control costs: manifest GETs (wrk, 64 connections) with no
auth, HTTP Basic with a password, a robot token and a bearer token on
ferryd, and with no auth and htpasswd (bcrypt) Basic on Distribution 2.8.

  auth_bench.py FERRYD FERRYCTL [--runs 3]

ferryd checks a password with argon2id once per client session (a cache of
verified logins); Distribution checks bcrypt on every request. Prints a
markdown table of medians, with each setting's rate over the same server's
rate without auth.
"""
import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_bench import OCI_MANIFEST, Server, free_port, push_image, request, wrk  # noqa: E402

PATH = "/v2/bench/app/manifests/v1"
ACCEPT = f"Accept: {OCI_MANIFEST}"


def basic(user, secret):
    return "Authorization: Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def as_dict(headers):
    return dict(h.split(": ", 1) for h in headers)


def measure(port, headers, runs):
    results = [wrk(port, PATH, [ACCEPT] + headers) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[2] for r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ferryd")
    ap.add_argument("ferryctl")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ferry-auth-bench-")
    rows = []  # (server, setting, req/s, p99 ms)
    try:
        data = os.path.join(work, "ferry")
        port = free_port()
        ferry = Server("ferryd", [args.ferryd, "serve", "--listen", f"127.0.0.1:{port}",
                                  "--data-dir", data], port)
        ferry.start()
        push_image(port)
        rows.append(("ferryd", "none (open: loopback, no users)", *measure(port, [], args.runs)))
        ferry.stop()

        def ctl(*argv, stdin=None):
            return subprocess.run([args.ferryctl, "--data-dir", data, *argv], input=stdin,
                                  capture_output=True, text=True, check=True).stdout.strip()
        ctl("user", "add", "bench", stdin="bench-password\n")
        ctl("grant", "bench", "bench", "reader")
        token = ctl("token", "create", "--user", "bench")
        ferry.start()
        status, _, body = request(port, "GET", "/ferry/v1/token?service=ferry&scope=repository:bench/app:pull",
                                  headers=as_dict([basic("bench", "bench-password")]))
        assert status == 200, (status, body)
        bearer = json.loads(body)["token"]
        for setting, header in (("Basic, password (argon2id, cached)", basic("bench", "bench-password")),
                                ("Basic, robot token (cached)", basic("bench", token)),
                                ("bearer token (Ed25519, cached)", f"Authorization: Bearer {bearer}")):
            rows.append(("ferryd", setting, *measure(port, [header], args.runs)))
        ferry.stop()

        droot, dport = os.path.join(work, "dist"), free_port()
        os.makedirs(droot)
        htpasswd = subprocess.run(["htpasswd", "-Bbn", "bench", "bench-password"],
                                  capture_output=True, text=True, check=True).stdout
        with open(os.path.join(work, "htpasswd"), "w") as f:
            f.write(htpasswd)
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        for setting, auth in (("none", ""),
                              ("Basic, password (htpasswd bcrypt)",
                               f"auth:\n  htpasswd:\n    realm: bench\n    path: {work}/htpasswd\n")):
            with open(os.path.join(work, "dist.yml"), "w") as f:
                f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                        f"storage:\n  filesystem:\n    rootdirectory: {droot}\n"
                        f"http:\n  addr: 127.0.0.1:{dport}\n{auth}")
            dist = Server("distribution", ["docker-registry", "serve", os.path.join(work, "dist.yml")],
                          dport, env)
            dist.start()
            if not auth:
                push_image(dport)
                headers = []
            else:
                headers = [basic("bench", "bench-password")]
            status, _, _ = request(dport, "GET", PATH, headers=as_dict([ACCEPT] + headers))
            assert status == 200, status
            rows.append(("Distribution", setting, *measure(dport, headers, args.runs)))
            dist.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = {server: rps for server, setting, rps, _ in rows if setting.startswith("none")}
    print(f"\nmanifest GET, wrk -t2 -c64 -d8s, medians of {args.runs}\n")
    print("| server | auth | req/s | vs no auth | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for server, setting, rps, p99 in rows:
        print(f"| {server} | {setting} | {rps:,.0f} | {rps / base[server]:.2f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
