#!/usr/bin/env python3
"""Checks a ferryd store end to end; prints each problem and exits 1 if any.

  verify_store.py HOST:PORT DATA_DIR

- every file under DATA_DIR/blobs/<alg>/<xx>/<hex> hashes to its name;
- every tag of every repository in the catalog resolves to a manifest whose
  bytes hash to Docker-Content-Digest;
- every blob and child manifest that manifest references is served, with
  the right size and digest.
"""
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


def fetch(url):
    req = urllib.request.Request(url, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read(), r.headers


def digest_of(data, algorithm="sha256"):
    return algorithm + ":" + hashlib.new(algorithm, data).hexdigest()


def main():
    reg, data_dir = sys.argv[1], sys.argv[2]
    base = "http://" + reg
    problems = []
    files = 0
    for alg in ("sha256", "sha512"):
        root = os.path.join(data_dir, "blobs", alg)
        for shard in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            for name in os.listdir(os.path.join(root, shard)):
                h = hashlib.new(alg)
                with open(os.path.join(root, shard, name), "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                files += 1
                if h.hexdigest() != name:
                    problems.append(f"file {alg}/{shard}/{name} does not match its digest")

    repos = json.loads(fetch(base + "/v2/_catalog?n=100000")[0])["repositories"]
    checked = 0
    for repo in repos:
        tags = json.loads(fetch(f"{base}/v2/{repo}/tags/list?n=100000")[0])["tags"]
        for tag in tags:
            try:
                body, headers = fetch(f"{base}/v2/{repo}/manifests/{tag}")
            except urllib.error.HTTPError as e:
                problems.append(f"{repo}:{tag} does not resolve: HTTP {e.code}")
                continue
            if digest_of(body) != headers["Docker-Content-Digest"]:
                problems.append(f"{repo}:{tag} manifest bytes do not match its digest")
            doc = json.loads(body)
            refs = doc.get("manifests", []) + doc.get("layers", []) + ([doc["config"]] if "config" in doc else [])
            for d in refs:
                kind = "manifests" if "manifests" in doc else "blobs"
                try:
                    data, _ = fetch(f"{base}/v2/{repo}/{kind}/{d['digest']}")
                except urllib.error.HTTPError as e:
                    problems.append(f"{repo}:{tag} references {d['digest']}, which is missing: HTTP {e.code}")
                    continue
                alg = d["digest"].split(":")[0]
                if len(data) != d["size"] or digest_of(data, alg) != d["digest"]:
                    problems.append(f"{repo}:{tag}: {d['digest']} is served with wrong content")
            checked += 1
    for p in problems:
        print("PROBLEM:", p)
    print(f"verified {files} content files, {len(repos)} repositories, {checked} tags")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
