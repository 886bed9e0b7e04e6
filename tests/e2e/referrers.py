#!/usr/bin/env python3
"""Referrers for tests, written into an OCI image layout, and pushed from it.

  referrers.py artifact LAYOUT SUBJECT --artifact-type T --payload TEXT [--layer-type T]
      An OCI 1.1 artifact manifest (empty config, one layer) whose subject is
      SUBJECT, a manifest of the layout: an SBOM, or a signature of one.
  referrers.py cosign LAYOUT SUBJECT --identity REPO --key KEY.pem
      A signature as `cosign sign --key` writes it for the tag schema: a
      simple-signing payload layer carrying the signature in the annotation
      dev.cosignproject.cosign/signature, and go-containerregistry's config
      for it, byte for byte. cosign is not packaged in Debian, so the test
      makes it here (the ECDSA P-256 signature with openssl, as cosign signs).
  referrers.py tag-index LAYOUT SUBJECT DIGEST...
      The OCI referrers tag schema's index for SUBJECT, listing DIGEST...
      (what oras writes to a registry without the referrers API).
  referrers.py push LAYOUT HOST:PORT REPO DIGEST [--tag TAG]
      Pushes the manifest's config and layers (monolithic uploads), then the
      manifest by TAG or by its digest, over plain HTTP.

Every manifest made is also listed in the layout's index.json: untagged,
or with ref name sha256-<hex>.sig for cosign's (what skopeo and oras do).
Each command prints the digest of what it made.
"""
import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY = "application/vnd.oci.empty.v1+json"


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def put_blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, digest), "wb") as f:
        f.write(data)
    return digest


def descriptor(layout, digest):
    data = open(blob_path(layout, digest), "rb").read()
    media = json.loads(data).get("mediaType", OCI_MANIFEST)
    return {"mediaType": media, "digest": digest, "size": len(data)}


def add_to_index(layout, desc, ref=None):
    path = os.path.join(layout, "index.json")
    index = json.load(open(path))
    entry = dict(desc)
    if ref:
        entry["annotations"] = {"org.opencontainers.image.ref.name": ref}
    index["manifests"].append(entry)
    with open(path, "w") as f:
        json.dump(index, f)


def go_json(obj):
    """Compact JSON with keys in the given order, as Go's encoding/json writes structs."""
    return json.dumps(obj, separators=(",", ":")).encode()


def artifact(args):
    config = b"{}"
    layer = args.payload.encode()
    manifest = go_json({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": args.artifact_type,
        "config": {"mediaType": EMPTY, "digest": put_blob(args.layout, config), "size": len(config)},
        "layers": [{"mediaType": args.layer_type or args.artifact_type,
                    "digest": put_blob(args.layout, layer), "size": len(layer)}],
        "subject": descriptor(args.layout, args.subject),
        "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"}})
    digest = put_blob(args.layout, manifest)
    add_to_index(args.layout, {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(manifest),
                               "artifactType": args.artifact_type})
    return digest


def cosign(args):
    # cosign's payload.Cosign (simple signing), then go-containerregistry's
    # empty image with that one layer appended: the .sig image cosign pushes.
    payload = go_json({"critical": {"identity": {"docker-reference": args.identity},
                                    "image": {"docker-manifest-digest": args.subject},
                                    "type": "cosign container image signature"},
                       "optional": None})
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                               input=payload, capture_output=True, check=True).stdout
    payload_digest = put_blob(args.layout, payload)
    config = go_json({"architecture": "", "created": "0001-01-01T00:00:00Z",
                      "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                      "rootfs": {"type": "layers", "diff_ids": [payload_digest]}, "config": {}})
    manifest = go_json({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "size": len(config), "digest": put_blob(args.layout, config)},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "size": len(payload), "digest": payload_digest,
                    "annotations": {"dev.cosignproject.cosign/signature":
                                    base64.b64encode(signature).decode()}}]})
    digest = put_blob(args.layout, manifest)
    tag = args.subject.replace(":", "-") + ".sig"
    add_to_index(args.layout, {"mediaType": OCI_MANIFEST, "digest": digest,
                               "size": len(manifest)}, tag)
    return digest


def tag_index(args):
    manifests = []
    for d in args.digests:
        desc = descriptor(args.layout, d)
        doc = json.load(open(blob_path(args.layout, d)))
        if "artifactType" in doc:
            desc["artifactType"] = doc["artifactType"]
        manifests.append(desc)
    index = go_json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
    return put_blob(args.layout, index)


def push(args):
    base = "http://" + args.registry + "/v2/" + args.repo
    doc = json.load(open(blob_path(args.layout, args.digest)))
    blobs = [doc["config"]] + doc["layers"] if "config" in doc else []
    for b in blobs:
        data = open(blob_path(args.layout, b["digest"]), "rb").read()
        req = urllib.request.Request(base + "/blobs/uploads/?digest=" + b["digest"], data=data,
                                     method="POST",
                                     headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(req) as r:
            if r.status == 202:  # no monolithic POST: PUT to the session
                loc = r.headers["Location"]
                loc = loc if loc.startswith("http") else "http://" + args.registry + loc
                sep = "&" if "?" in loc else "?"
                put = urllib.request.Request(loc + sep + "digest=" + b["digest"], data=data,
                                             method="PUT",
                                             headers={"Content-Type": "application/octet-stream"})
                urllib.request.urlopen(put).close()
    data = open(blob_path(args.layout, args.digest), "rb").read()
    req = urllib.request.Request(base + "/manifests/" + (args.tag or args.digest), data=data,
                                 method="PUT",
                                 headers={"Content-Type": doc.get("mediaType", OCI_MANIFEST)})
    urllib.request.urlopen(req).close()
    return args.digest


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("artifact")
    a.add_argument("layout")
    a.add_argument("subject")
    a.add_argument("--artifact-type", required=True)
    a.add_argument("--layer-type")
    a.add_argument("--payload", required=True)
    c = sub.add_parser("cosign")
    c.add_argument("layout")
    c.add_argument("subject")
    c.add_argument("--identity", required=True)
    c.add_argument("--key", required=True)
    t = sub.add_parser("tag-index")
    t.add_argument("layout")
    t.add_argument("subject")
    t.add_argument("digests", nargs="+")
    p = sub.add_parser("push")
    p.add_argument("layout")
    p.add_argument("registry")
    p.add_argument("repo")
    p.add_argument("digest")
    p.add_argument("--tag")
    args = ap.parse_args()
    print({"artifact": artifact, "cosign": cosign, "tag-index": tag_index, "push": push}[args.cmd](args))


if __name__ == "__main__":
    sys.exit(main())
