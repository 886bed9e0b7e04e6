#!/usr/bin/env python3
"""Garbage collection: ferryd (ferryctl gc, online) vs CNCF Distribution 2.8
(docker-registry garbage-collect, offline), on the same content in one run.

  gc_bench.py FERRYD FERRYCTL [--repos 10] [--tags 100] [--layers 9] [--runs 3]

Both registries get repos x tags images pushed over the API, each a config
and `layers` small layers of its own: with the defaults 1,000 tags and
10,000 blobs. Half the images are then deleted by digest. Each run restores
a copy of that state and collects it, so every run does the same work;
prints medians. While ferryd collects, a client keeps pulling kept images,
and its latency is compared with the same client when nothing collects
(Distribution's GC wants the registry stopped, so it has no such figure).
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_bench import Server, free_port, request  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def push_images(port, repos, tags, layers):
    """Pushes every image; returns {(repo, tag): (manifest digest, first layer)}."""
    def blob(conn, repo, data):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        conn.request("POST", f"/v2/{repo}/blobs/uploads/")
        r = conn.getresponse()
        r.read()
        loc = r.getheader("Location")
        if loc.startswith("http"):
            loc = "/" + loc.split("/", 3)[3]
        sep = "&" if "?" in loc else "?"
        conn.request("PUT", f"{loc}{sep}digest={d}", body=data,
                     headers={"Content-Type": "application/octet-stream"})
        r = conn.getresponse()
        r.read()
        assert r.status == 201, r.status
        return {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d,
                "size": len(data)}

    def image(args):
        repo, tag = args
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        config = blob(conn, repo, json.dumps({"architecture": "amd64", "os": "linux",
                                               "image": f"{repo}:{tag}"}).encode())
        config["mediaType"] = "application/vnd.oci.image.config.v1+json"
        ls = [blob(conn, repo, (b"%s:%s layer %d " % (repo.encode(), tag.encode(), i)) * 64)
              for i in range(layers)]
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                           "layers": ls}).encode()
        conn.request("PUT", f"/v2/{repo}/manifests/{tag}", body=body,
                     headers={"Content-Type": OCI_MANIFEST})
        r = conn.getresponse()
        r.read()
        assert r.status == 201, r.status
        return (repo, tag), ("sha256:" + hashlib.sha256(body).hexdigest(), ls[0]["digest"])

    work = [(f"gc/r{r}", f"t{t}") for r in range(repos) for t in range(tags)]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        return dict(ex.map(image, work))


def delete_half(port, images):
    for i, ((repo, _), (digest, _)) in enumerate(sorted(images.items())):
        if i % 2:
            status, _, _ = request(port, "DELETE", f"/v2/{repo}/manifests/{digest}")
            assert status == 202, status


def pull_latencies(port, kept, stop):
    """GET manifest + GET first layer of kept images until stop is set; seconds each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out, i = [], 0
    items = sorted(kept.items())
    while not stop.is_set():
        (repo, tag), (_, layer) = items[i % len(items)]
        i += 1
        t0 = time.monotonic()
        conn.request("GET", f"/v2/{repo}/manifests/{tag}", headers={"Accept": OCI_MANIFEST})
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        conn.request("GET", f"/v2/{repo}/blobs/{layer}")
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        out.append(time.monotonic() - t0)
    return out


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))] * 1000


def restore(saved, live):
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(saved, live, symlinks=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ferryd")
    ap.add_argument("ferryctl")
    ap.add_argument("--repos", type=int, default=10)
    ap.add_argument("--tags", type=int, default=100)
    ap.add_argument("--layers", type=int, default=9)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ferry-gc-bench-")
    try:
        fp, dp = free_port(), free_port()
        fdata, ddata = os.path.join(work, "ferry"), os.path.join(work, "dist")
        os.makedirs(ddata)
        dist_yml = os.path.join(work, "dist.yml")
        with open(dist_yml, "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                    f"storage:\n  filesystem:\n    rootdirectory: {ddata}\n  delete:\n    enabled: true\n"
                    f"http:\n  addr: 127.0.0.1:{dp}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        ferry = Server("ferryd", [args.ferryd, "serve", "--listen", f"127.0.0.1:{fp}",
                                  "--data-dir", fdata], fp)
        dist = Server("distribution", ["docker-registry", "serve", dist_yml], dp, env)

        images = {}
        for s in (ferry, dist):
            s.start()
            t0 = time.monotonic()
            images = push_images(s.port, args.repos, args.tags, args.layers)
            delete_half(s.port, images)
            print(f"# {s.name}: pushed {len(images)} images and deleted half in "
                  f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
            s.stop()
        kept = {k: v for i, (k, v) in enumerate(sorted(images.items())) if i % 2 == 0}
        blobs = len(images) * (args.layers + 1)
        for d in (fdata, ddata):
            shutil.copytree(d, d + ".saved", symlinks=True)

        ferry_s, dist_s, during, idle = [], [], [], []
        for _ in range(args.runs):
            restore(fdata + ".saved", fdata)
            ferry.start()
            stop = threading.Event()
            with concurrent.futures.ThreadPoolExecutor(1) as ex:
                fut = ex.submit(pull_latencies, fp, kept, stop)
                time.sleep(1.0)
                stop.set()
                idle += fut.result()
            stop = threading.Event()
            with concurrent.futures.ThreadPoolExecutor(1) as ex:
                fut = ex.submit(pull_latencies, fp, kept, stop)
                time.sleep(0.2)
                t0 = time.monotonic()
                out = subprocess.run([args.ferryctl, "--data-dir", fdata, "gc", "--grace", "0"],
                                     capture_output=True, text=True, check=True).stdout
                ferry_s.append(time.monotonic() - t0)
                stop.set()
                during += fut.result()
            ferry.stop()
            summary = out.strip().splitlines()[-1]

            restore(ddata + ".saved", ddata)
            t0 = time.monotonic()
            dout = subprocess.run(["docker-registry", "garbage-collect", dist_yml], env=env,
                                  capture_output=True, text=True, check=True)
            dist_s.append(time.monotonic() - t0)
        deleted = sum(1 for line in dout.stdout.splitlines() if "blob eligible for deletion" in line)

        f, d = statistics.median(ferry_s), statistics.median(dist_s)
        print(f"{len(images)} tags, {blobs} blobs; half the images deleted; medians of {args.runs} runs")
        print(f"ferryctl gc: {summary}")
        print(f"docker-registry garbage-collect: {deleted} blobs eligible for deletion\n")
        print("| | ferryd (online) | Distribution (offline) | ferryd / Distribution |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| GC time (s) | {f:.2f} | {d:.2f} | {f / d:.2f} (lower is better) |")
        print(f"| pull p50 / p99 while GC runs (ms) | {pct(during, .5):.2f} / {pct(during, .99):.2f}"
              " | registry stopped | |")
        print(f"| pull p50 / p99, no GC (ms) | {pct(idle, .5):.2f} / {pct(idle, .99):.2f} | | |")
        print(f"\nsamples (s): ferryd {' '.join(f'{x:.2f}' for x in ferry_s)}; "
              f"distribution {' '.join(f'{x:.2f}' for x in dist_s)}; "
              f"pulls during GC {len(during)}, idle {len(idle)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
