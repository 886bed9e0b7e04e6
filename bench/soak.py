#!/usr/bin/env python3
"""Soak test: one ferryd under an hour of mixed work and attacks, on loopback.

  python3 bench/soak.py [--minutes 60] [--build build] [--sample 60] [--keep]

Not part of CI (docs/benchmarks.md, "Soak"). It starts its own ferryd on a
temp data dir, with a config that has an inbox (trusted key, 1 s settle, a
file that is not a bundle refused after 20 s rather than 10 min) and
a namespace "quota" limited to 2 MiB (ferryctl namespace set), and runs
bounded loops side by side until the time is up:

  push     skopeo copies fresh OCI layouts (tests/e2e/make_oci_layout.py)
           over four rotating tags soak/app:t0..t3
  pull     skopeo copies them back; curl-style Range GETs of their blobs
  import   `ferry pack` signed bundles dropped (renamed) into the inbox,
           over three rotating tags imp/app:t0..t2
  gc       `ferryctl gc --grace 30s` every 30 s
  attacks  in turn: 200 slow-header connections from 127.0.0.1; eight
           stalled 4 MiB manifest PUT bodies; chunked PATCHes streaming
           past the quota; manifests with trailing NULs and duplicate keys;
           bundles with absurd blob sizes or parts that disagree (re-signed
           with the trusted key) and file names with newlines in the inbox;
           anonymous catalog paging; Range on the empty blob

The slow-header and stalled-PUT connections come from 127.0.0.2, the honest
loops from 127.0.0.1 (both loopback). It does not assume how ferryd refuses an attack: it counts the status codes,
and a failure is a 5xx other than 507, ferryd dying, or bad content at the
end. ferryd's VmRSS/VmHWM, open fds (/proc/PID/fd) and disk use (du of the
data dir, and of its uploads/ alone) are sampled at start, after a warm-up (a minute, or a fifth of a
short run), every --sample seconds and at the end (loops stopped, a last
GC). The end is "flat" against the warm-up sample when
  VmRSS <= 1.25 x warm + 8 MiB, fds <= warm + 8, disk <= 1.5 x warm + 32 MiB
(pushes and imports overwrite the same tags, so what is kept is bounded).
At the end `ferryctl scrub`, tests/e2e/check_store.py and
tests/e2e/verify_store.py walk the store: they must find nothing.
Exit status 0 when everything holds, 1 otherwise. Needs skopeo, zstd.
"""
import argparse
import collections
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
E2E = os.path.join(ROOT, "tests", "e2e")
MiB = 1 << 20
# The connection-holding attacks come from another loopback address, so a
# per-address limit that stops them does not stop the honest loops too.
ATTACKER = "127.0.0.2"


class Soak:
    def __init__(self, args):
        self.args = args
        b = os.path.abspath(args.build)
        self.ferryd = f"{b}/daemon/ferryd"
        self.ferry = f"{b}/bundler/ferry"
        self.ferryctl = f"{b}/ctl/ferryctl"
        self.minisig = f"{b}/tests/minisig_tool"
        self.work = tempfile.mkdtemp(prefix="ferry-soak.")
        self.data = f"{self.work}/data"
        self.inbox = f"{self.data}/inbox"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = collections.Counter()  # (loop, outcome) -> n
        self.failures = []
        self.samples = []
        self.sequence = 0

    # ---- bookkeeping
    def count(self, loop, outcome):
        with self.lock:
            self.counts[(loop, str(outcome))] += 1

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {what}")

    def status(self, loop, code):
        self.count(loop, code)
        if isinstance(code, int) and code >= 500 and code != 507:
            self.fail(f"{loop}: HTTP {code}")

    def run(self, cmd, timeout=300, **kw):
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, text=True, **kw)

    # ---- set-up
    def setup(self):
        os.makedirs(f"{self.work}/trust")
        os.makedirs(f"{self.work}/layouts")
        self.run([self.ferry, "keygen", "-o", f"{self.work}/site", "--no-password"], cwd=self.work)
        shutil.copy(f"{self.work}/site.pub", f"{self.work}/trust/")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.reg = f"127.0.0.1:{self.port}"
        with open(f"{self.work}/ferryd.toml", "w") as f:
            f.write(f'listen = "{self.reg}"\ndata_dir = "{self.data}"\n'
                    f'[import]\ntrust_dir = "{self.work}/trust"\ninbox_settle = "1s"\n'
                    'inbox_incomplete_wait = "20s"\n'
                    '[gc]\ninterval = "0"\n')
        with open(f"{self.work}/policy.json", "w") as f:
            f.write('{"default":[{"type":"insecureAcceptAnything"}]}')
        os.makedirs(self.data)
        r = self.run([self.ferryctl, "--config", f"{self.work}/ferryd.toml", "namespace", "set",
                      "quota", "--quota", "2MiB"])
        if r.returncode:
            sys.exit(f"soak: ferryctl namespace set failed: {r.stderr}")
        self.log = open(f"{self.work}/ferryd.log", "w")
        self.proc = subprocess.Popen([self.ferryd, "serve", "--config", f"{self.work}/ferryd.toml"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.http("GET", "/v2/")[0] == 200:
                return
            time.sleep(0.1)
        sys.exit("soak: ferryd did not answer; see " + self.log.name)

    def alive(self):
        return self.proc.poll() is None

    # ---- HTTP over a fresh connection each time (no keep-alive to hide leaks)
    def http(self, method, path, body=None, headers=None, timeout=30):
        import http.client
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, dict(r.getheaders()), data
        except (OSError, http.client.HTTPException) as e:
            return f"error:{type(e).__name__}", {}, b""

    # ---- samples
    def sample(self, label):
        pid = self.proc.pid
        st = {}
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    st[k] = v.strip()
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            self.fail(f"sample {label}: ferryd is gone")
            return
        disk = uploads = 0
        for d, _, files in os.walk(self.data):
            for name in files:
                try:
                    size = os.lstat(os.path.join(d, name)).st_blocks * 512
                except OSError:
                    continue
                disk += size
                if d.startswith(f"{self.data}/uploads"):
                    uploads += size
        kib = lambda k: int(st.get(k, "0 kB").split()[0]) * 1024
        s = {"label": label, "t": round(time.time() - self.t0), "rss": kib("VmRSS"),
             "hwm": kib("VmHWM"), "fds": fds, "threads": int(st.get("Threads", 0)), "disk": disk,
             "uploads": uploads}
        with self.lock:
            self.samples.append(s)
        print(f"soak: {label:>6} t={s['t']:>5}s rss={s['rss'] / MiB:.1f}MiB "
              f"hwm={s['hwm'] / MiB:.1f}MiB fds={fds} disk={disk / MiB:.1f}MiB "
              f"(uploads {uploads / MiB:.1f}MiB)", flush=True)

    def sampler(self):
        warm_at = min(60, self.args.minutes * 60 / 5)
        next_at, warm_done = self.args.sample, False
        while not self.stop.wait(1):
            t = time.time() - self.t0
            if not warm_done and t >= warm_at:
                self.sample("warm")
                warm_done = True
                if next_at - t < self.args.sample / 2:
                    next_at += self.args.sample
            elif t >= next_at:
                self.sample(f"{int(t)}s")
                next_at += self.args.sample
            if not self.alive():
                self.fail("ferryd exited with %s" % self.proc.returncode)
                self.stop.set()

    # ---- loops
    def loop(self, name, body, pause):
        i = 0
        while not self.stop.is_set():
            try:
                body(i)
            except subprocess.TimeoutExpired as e:
                self.count(name, "timeout")
                self.fail(f"{name}: timed out: {e.cmd[:3]}")
            except Exception as e:  # a bug in this script, not ferryd: count and go on
                self.count(name, "script-error")
                self.fail(f"{name}: {type(e).__name__}: {e}")
            i += 1
            self.stop.wait(pause)

    def layout(self, name, seed, layers=2, size=200000):
        d = f"{self.work}/layouts/{name}"
        shutil.rmtree(d, ignore_errors=True)
        self.run([sys.executable, f"{E2E}/make_oci_layout.py", d, "--tag", "v1", "--layers",
                  str(layers), "--layer-size", str(size), "--seed", str(seed)])
        return d

    def skopeo(self, src, dst):
        return self.run(["skopeo", "--policy", f"{self.work}/policy.json", "copy", "-q",
                         "--src-tls-verify=false", "--dest-tls-verify=false", src, dst])

    def push(self, i):
        d = self.layout(f"push{i % 2}", 1000 + i, size=random.Random(i).randint(50000, 400000))
        r = self.skopeo(f"oci:{d}:v1", f"docker://{self.reg}/soak/app:t{i % 4}")
        self.count("push", "ok" if r.returncode == 0 else "failed")
        if r.returncode:
            self.fail(f"push {i}: {r.stderr.strip()[-200:]}")

    def pull(self, i):
        d = f"{self.work}/pulled"
        shutil.rmtree(d, ignore_errors=True)
        r = self.skopeo(f"docker://{self.reg}/soak/app:t{i % 4}", f"oci:{d}:x")
        # A tag not pushed yet, or moved by a push mid-copy, is not ferryd's fault.
        self.count("pull", "ok" if r.returncode == 0 else "failed")
        code, _, body = self.http("GET", f"/v2/soak/app/manifests/t{i % 4}", headers={
            "Accept": "application/vnd.oci.image.manifest.v1+json"})
        self.status("pull-range", code)
        if code == 200:
            for layer in json.loads(body).get("layers", []):
                code, _, part = self.http("GET", f"/v2/soak/app/blobs/{layer['digest']}",
                                          headers={"Range": "bytes=100-1123"})
                self.status("pull-range", code)
                if code == 206 and len(part) != 1024:
                    self.fail(f"pull-range: 206 with {len(part)} bytes, not 1024")

    def pack(self, out, source, tag, extra=()):
        with self.lock:
            self.sequence += 1
            seq = self.sequence
        r = self.run([self.ferry, "pack", "-k", f"{self.work}/site.key", "-o", out, "--force",
                      "--sequence", str(seq), "--threads", "1", *extra, f"oci:{source}:v1={tag}"])
        if r.returncode:
            raise RuntimeError(f"ferry pack: {r.stderr.strip()[-200:]}")

    def drop(self, path, name):
        """Moves a finished file into the inbox in one rename, as scp -p or rsync would."""
        os.replace(path, os.path.join(self.inbox, name))

    def wait_inbox(self, name, seconds=60):
        # Not cut short at the end of the run: an import in flight finishes.
        deadline = time.time() + seconds
        while time.time() < deadline:
            if not os.path.exists(os.path.join(self.inbox, name)):
                return True
            time.sleep(0.25)
        return False

    def import_(self, i):
        d = self.layout("imp", 5000 + i, layers=1, size=150000)
        out = f"{self.work}/imp.ferry"
        self.pack(out, d, f"imp/app:t{i % 3}")
        name = f"imp-{i}.ferry"
        self.drop(out, name)
        done = self.wait_inbox(name)
        refused = os.path.exists(f"{self.inbox}/refused/{name}")
        self.count("import", "refused" if refused else "ok" if done else "stuck")
        if refused or not done:
            self.fail(f"import {i}: {'refused' if refused else 'still in the inbox after 60 s'}")
        shutil.rmtree(f"{self.inbox}/refused", ignore_errors=True)

    def gc(self, i):
        r = self.run([self.ferryctl, "--config", f"{self.work}/ferryd.toml", "gc", "--grace", "30s"])
        self.count("gc", "ok" if r.returncode == 0 else f"exit {r.returncode}")
        if r.returncode:
            self.fail(f"gc: {r.stderr.strip()[-200:]}")

    # ---- attacks; each is bounded in connections and time
    def attack_slow_headers(self):
        socks = []
        for _ in range(200):
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5,
                                             source_address=(ATTACKER, 0))
                s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            except OSError:
                self.count("slow-headers", "connect-refused")
        self.count("slow-headers", f"opened-{len(socks)}")
        for _ in range(15):
            if self.stop.is_set():
                break
            for s in socks:
                try:
                    s.sendall(b"X-A: b\r\n")
                except OSError:
                    pass
            time.sleep(1)
        # Meanwhile the registry must still answer someone else.
        self.status("slow-headers-probe", self.http("GET", "/v2/", timeout=15)[0])
        for s in socks:
            s.close()

    def attack_stalled_put(self):
        socks = []
        for n in range(8):
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5,
                                             source_address=(ATTACKER, 0))
                s.sendall(f"PUT /v2/soak/stall/manifests/s{n} HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
                          f"Content-Length: {4 * MiB}\r\n\r\n".encode() + b"{" + b" " * 1023)
                socks.append(s)
            except OSError:
                self.count("stalled-put", "connect-refused")
        self.stop.wait(20)
        for s in socks:
            s.close()
        self.count("stalled-put", "done")
        self.status("stalled-put-probe", self.http("GET", "/v2/", timeout=15)[0])

    def attack_quota_patch(self):
        code, h, _ = self.http("POST", "/v2/quota/big/blobs/uploads/")
        self.status("quota-post", code)
        loc = h.get("Location") or h.get("location")
        if code != 202 or not loc:
            return
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        s.sendall(f"PATCH {loc} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Type: application/octet-stream\r\n\r\n".encode())
        chunk = os.urandom(64 * 1024)
        sent = 0
        try:
            while sent < 8 * MiB:  # four times the quota
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        s.settimeout(30)
        try:
            head = s.recv(4096).split(b"\r\n")[0].split()
            self.status("quota-patch", int(head[1]) if len(head) > 1 else "closed")
        except (OSError, ValueError):
            self.count("quota-patch", "closed")
        s.close()
        self.count("quota-patch", f"sent-{sent // MiB}MiB")

    def put_blob(self, repo, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        code, h, _ = self.http("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", body=data,
                               headers={"Content-Type": "application/octet-stream"})
        return digest, code

    def attack_bad_manifests(self):
        cfg, c1 = self.put_blob("soak/bad", b"{}")
        layer, c2 = self.put_blob("soak/bad", os.urandom(1000))
        self.status("bad-manifest-blobs", c1)
        self.status("bad-manifest-blobs", c2)
        good = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg,
                       "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer,
                        "size": 1000}]}).encode()
        ct = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
        for label, body in [("trailing-nul", good + b"\0\0\0\0"),
                            ("duplicate-key", b'{"schemaVersion":2,"schemaVersion":3,' + good[1:]),
                            ("duplicate-layers", good.replace(b'"layers"', b'"layers":[],"layers"'))]:
            self.status(f"manifest-{label}", self.http("PUT", "/v2/soak/bad/manifests/x",
                                                        body=body, headers=ct)[0])
        self.status("manifest-good", self.http("PUT", "/v2/soak/bad/manifests/ok", body=good,
                                               headers=ct)[0])

    def resign(self, folder, manifest):
        """Writes the changed manifest and signs it again with the trusted key."""
        path = f"{folder}/ferry-bundle.json"
        with open(f"{path}.minisig") as f:
            comment = f.read().splitlines()[2].partition(": ")[2]
        with open(path, "w") as f:
            json.dump(manifest, f)
        if not os.path.exists(self.minisig):  # a build without tests: left unsigned
            self.count("bundle-resign", "no minisig_tool")
            return
        os.remove(f"{path}.minisig")
        r = self.run([self.minisig, "sign", f"{self.work}/site.key", path, comment])
        if r.returncode:
            raise RuntimeError(f"minisig_tool: {r.stderr.strip()}")

    def retar(self, folder, out):
        names = ["ferry-bundle.json", "ferry-bundle.json.minisig", "oci-layout", "index.json"]
        blobs = sorted(os.listdir(f"{folder}/blobs/sha256"))
        names += [f"blobs/sha256/{b}" for b in blobs]
        r = self.run(["tar", "--zstd", "-cf", out, "-C", folder, *names])
        if r.returncode:
            raise RuntimeError(f"tar: {r.stderr.strip()}")

    def attack_bad_bundles(self):
        d = self.layout("evil", 77, layers=1, size=20000)
        base = f"{self.work}/evil.ferry"
        self.pack(base, d, "evil/app:v1")
        for label in ("absurd-size", "disagreeing-index", "short-blob"):
            folder = f"{self.work}/evil-{label}"
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
            self.run(["tar", "--zstd", "-xf", base, "-C", folder])
            with open(f"{folder}/ferry-bundle.json") as f:
                m = json.load(f)
            if label == "absurd-size":
                m["blobs"][0]["size"] = 2**63 - 1
                self.resign(folder, m)
            elif label == "disagreeing-index":
                with open(f"{folder}/index.json", "w") as f:
                    f.write('{"schemaVersion":2,"manifests":[]}')
            else:
                blob = m["blobs"][-1]["digest"].split(":")[1]
                with open(f"{folder}/blobs/sha256/{blob}", "r+b") as f:
                    f.truncate(10)
            self.retar(folder, f"{folder}.ferry")
            self.drop(f"{folder}.ferry", f"evil-{label}.ferry")
            self.count(f"bundle-{label}", "dropped")
        # A good bundle and junk under names with newlines in them.
        self.pack(f"{self.work}/nl.ferry", d, "evil/nl:v1")
        self.drop(f"{self.work}/nl.ferry", "new\nline.ferry")
        with open(f"{self.work}/junk", "wb") as f:
            f.write(os.urandom(4096))
        self.drop(f"{self.work}/junk", "junk\n\r.ferry")
        self.count("inbox-newline-names", "dropped")
        for name in ("evil-absurd-size.ferry", "evil-disagreeing-index.ferry",
                     "evil-short-blob.ferry", "new\nline.ferry", "junk\n\r.ferry"):
            if not self.wait_inbox(name, 60):
                self.count("bad-bundles", "still-in-inbox:" + repr(name))
        if self.http("GET", "/v2/evil/app/tags/list")[0] == 200:
            self.fail("a tampered bundle was imported: evil/app has tags")
        shutil.rmtree(f"{self.inbox}/refused", ignore_errors=True)

    def attack_catalog(self):
        path, pages = "/v2/_catalog?n=1", 0
        while path and pages < 50:
            code, h, _ = self.http("GET", path)
            self.status("catalog-paging", code)
            link = h.get("Link") or h.get("link") or ""
            path = link[1:link.index(">")] if link.startswith("<") and ">" in link else None
            pages += 1
        for q in ("n=0", "n=100000000", "n=-1", "n=abc", "last=%00", "last=" + "z" * 5000,
                  "n=1&last=../../etc"):
            self.status("catalog-odd", self.http("GET", f"/v2/_catalog?{q}")[0])

    def attack_empty_range(self):
        digest, code = self.put_blob("soak/empty", b"")
        self.status("empty-blob-put", code)
        for rng in ("bytes=0-0", "bytes=0-", "bytes=-1", "bytes=-0", "bytes=1-2", "bytes=0-0,1-1"):
            code, _, body = self.http("GET", f"/v2/soak/empty/blobs/{digest}",
                                      headers={"Range": rng})
            self.status("empty-range", code)
            if code == 206:
                self.fail(f"empty-range: 206 for {rng} on an empty blob")

    def attacks(self, i):
        kinds = [self.attack_slow_headers, self.attack_stalled_put, self.attack_quota_patch,
                 self.attack_bad_manifests, self.attack_bad_bundles, self.attack_catalog,
                 self.attack_empty_range]
        kinds[i % len(kinds)]()
        if self.alive():
            self.status("alive-probe", self.http("GET", "/v2/", timeout=30)[0])

    # ---- the end
    def walk_store(self):
        cfg = ["--config", f"{self.work}/ferryd.toml"]
        r = self.run([self.ferryctl, *cfg, "gc", "--grace", "0s"])
        if r.returncode:
            self.fail(f"final gc: {r.stderr.strip()}")
        r = self.run([self.ferryctl, *cfg, "scrub", "--json"], timeout=600)
        scrub = r.stdout.strip()
        if r.returncode:
            self.fail(f"ferryctl scrub: exit {r.returncode}: {scrub[-300:]} {r.stderr.strip()}")
        checks = {"ferryctl scrub": (r.returncode, scrub[-300:])}
        for tool, argv in (("check_store.py", [self.data]),
                           ("verify_store.py", [self.reg, self.data])):
            r = self.run([sys.executable, f"{E2E}/{tool}", *argv], timeout=600)
            checks[tool] = (r.returncode, (r.stdout + r.stderr).strip()[-300:])
            if r.returncode:
                self.fail(f"{tool}: {checks[tool][1]}")
        return checks

    def verdict(self):
        by = {s["label"]: s for s in self.samples}
        warm, end = by.get("warm"), by.get("end")
        if not warm or not end:
            return False, ["no warm-up or end sample"]
        notes, ok = [], True
        for key, limit in (("rss", warm["rss"] * 1.25 + 8 * MiB), ("fds", warm["fds"] + 8),
                           ("disk", warm["disk"] * 1.5 + 32 * MiB)):
            flat = end[key] <= limit
            ok &= flat
            unit = (lambda v: f"{v / MiB:.1f} MiB") if key != "fds" else str
            notes.append(f"{key}: end {unit(end[key])} vs limit {unit(limit)} "
                         f"(warm {unit(warm[key])}): {'flat' if flat else 'NOT FLAT'}")
        return ok, notes

    def report(self, checks):
        print("\n== soak summary: %d min, ferryd pid %d" % (self.args.minutes, self.proc.pid))
        print(f"{'sample':>7} {'t(s)':>6} {'VmRSS':>9} {'VmHWM':>9} {'fds':>5} {'thr':>4} "
              f"{'disk':>9} {'uploads':>9}")
        for s in self.samples:
            print(f"{s['label']:>7} {s['t']:>6} {s['rss'] / MiB:>8.1f}M {s['hwm'] / MiB:>8.1f}M "
                  f"{s['fds']:>5} {s['threads']:>4} {s['disk'] / MiB:>8.1f}M "
                  f"{s['uploads'] / MiB:>8.1f}M")
        print("\n== loops (outcome: count)")
        loops = collections.defaultdict(list)
        for (loop, outcome), n in sorted(self.counts.items()):
            loops[loop].append(f"{outcome}: {n}")
        for loop, outs in loops.items():
            print(f"  {loop:<22} {', '.join(outs)}")
        print("\n== store walk")
        for tool, (rc, out) in checks.items():
            print(f"  {tool:<16} {'clean' if rc == 0 else 'PROBLEMS'}"
                  + (f": {out}" if rc else ""))
        flat, notes = self.verdict()
        print("\n== flat? (end against the warm-up sample)")
        for n in notes:
            print("  " + n)
        alive = self.alive()
        store_ok = all(rc == 0 for rc, _ in checks.values())
        print("\n== failures" if self.failures else "\n== no failures")
        for f in self.failures:
            print("  " + f)
        good = flat and alive and store_ok and not self.failures
        print(f"\nVERDICT: {'PASS' if good else 'FAIL'} (ferryd {'alive' if alive else 'DEAD'}, "
              f"{'flat' if flat else 'not flat'}, store {'clean' if store_ok else 'BAD'}, "
              f"{len(self.failures)} failure(s))")
        return good

    def main(self):
        self.setup()
        self.t0 = time.time()
        self.sample("start")
        threads = [threading.Thread(target=self.sampler, daemon=True)]
        for name, body, pause in (("push", self.push, 1), ("pull", self.pull, 1),
                                  ("import", self.import_, 2), ("gc", self.gc, 30),
                                  ("attacks", self.attacks, 2)):
            threads.append(threading.Thread(target=self.loop, args=(name, body, pause), daemon=True))
        for t in threads:
            t.start()
        self.stop.wait(self.args.minutes * 60)
        self.stop.set()
        for t in threads[1:]:
            t.join(timeout=300)
        time.sleep(2)  # let ferryd close what the attacks left
        checks = self.walk_store()
        self.sample("end")
        good = self.report(checks)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.fail("ferryd did not stop within 30 s of SIGTERM")
        if self.args.keep:
            print(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return 0 if good else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build dir holding daemon/ferryd, bundler/ferry, ctl/ferryctl, tests/minisig_tool")
    p.add_argument("--sample", type=int, default=60, help="seconds between samples")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (data, ferryd.log)")
    sys.exit(Soak(p.parse_args()).main())
