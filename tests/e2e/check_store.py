#!/usr/bin/env python3
"""Checks a ferryd data dir for the promises of docs/storage.md and prints
every broken one: each content row has its file, of the recorded size; each
tag names a manifest of its repository; each manifest's blobs are linked to
the repository and stored; each index child is a manifest of the repository.
Usage: check_store.py DATA_DIR  (exit 1 when anything is broken)"""
import os
import sqlite3
import sys

data = sys.argv[1]
db = sqlite3.connect(f"file:{data}/ferry.db?mode=ro", uri=True)
problems = []


def path(digest):
    algorithm, hexpart = digest.split(":")
    return f"{data}/blobs/{algorithm}/{hexpart[:2]}/{hexpart}"


for digest, size in db.execute("SELECT digest, size FROM blobs"):
    p = path(digest)
    if not os.path.isfile(p):
        problems.append(f"row without file: {digest}")
    elif os.path.getsize(p) != size:
        problems.append(f"file of {digest} is {os.path.getsize(p)} bytes, row says {size}")
for repo, tag in db.execute(
        "SELECT r.name, t.name FROM tags t JOIN repositories r ON r.id = t.repository_id "
        "WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = t.repository_id "
        "AND m.digest = t.digest)"):
    problems.append(f"tag {repo}:{tag} names no manifest")
for repo, manifest, target, kind in db.execute(
        "SELECT r.name, x.manifest_digest, x.target_digest, x.kind FROM manifest_references x "
        "JOIN repositories r ON r.id = x.repository_id WHERE (x.kind = 0 AND NOT EXISTS ("
        "SELECT 1 FROM repository_blobs b WHERE b.repository_id = x.repository_id AND "
        "b.digest = x.target_digest)) OR (x.kind = 1 AND NOT EXISTS (SELECT 1 FROM manifests m "
        "WHERE m.repository_id = x.repository_id AND m.digest = x.target_digest))"):
    what = "blob" if kind == 0 else "child manifest"
    problems.append(f"{repo}@{manifest} needs {what} {target}, which is gone")
for (digest,) in db.execute(
        "SELECT digest FROM manifests WHERE digest NOT IN (SELECT digest FROM blobs)"):
    problems.append(f"manifest {digest} has no content row")
for (digest,) in db.execute(
        "SELECT digest FROM repository_blobs WHERE digest NOT IN (SELECT digest FROM blobs)"):
    problems.append(f"linked blob {digest} has no content row")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
