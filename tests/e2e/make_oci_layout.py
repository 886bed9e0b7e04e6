#!/usr/bin/env python3
"""Writes an OCI image layout for tests, offline and deterministic per seed.

  make_oci_layout.py DIR --tag v1 [--layers 2] [--layer-size 65536] [--seed 1]
  make_oci_layout.py DIR --tag multi --platforms linux/amd64,linux/arm64

Each layer is a gzip'd tar holding one file of random bytes; the config is a
minimal valid image config. With --platforms, an image index lists one image
per platform and the tag names the index. Prints the tagged manifest digest.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import random
import tarfile


def put_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", digest)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return "sha256:" + digest


def layer(rng, size, name, compress=True):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        # randbytes cannot make hundreds of MiB at once: build it in 1 MiB pieces.
        payload = b"".join(rng.randbytes(min(1 << 20, size - off)) for off in range(0, size, 1 << 20))
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = raw.getvalue()
    diff_id = "sha256:" + hashlib.sha256(tar_bytes).hexdigest()
    return (gzip.compress(tar_bytes, mtime=0) if compress else tar_bytes), diff_id


def image(layout, rng, os_name, arch, layers, layer_size, compress=True):
    descs, diff_ids = [], []
    for i in range(layers):
        data, diff_id = layer(rng, layer_size, f"file-{arch}-{i}.bin", compress)
        media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
        descs.append({"mediaType": media,
                      "digest": put_blob(layout, data), "size": len(data)})
        diff_ids.append(diff_id)
    config = json.dumps({"architecture": arch, "os": os_name,
                         "config": {"Cmd": ["/file-0.bin"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}},
                        sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": put_blob(layout, config), "size": len(config)},
        "layers": descs}, sort_keys=True).encode()
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": put_blob(layout, manifest), "size": len(manifest),
            "platform": {"os": os_name, "architecture": arch}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--tag", required=True)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--layer-size", type=int, default=65536)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--platforms", default="")
    ap.add_argument("--uncompressed", action="store_true",
                    help="plain tar layers (fast to make; random bytes do not compress anyway)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.dir, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(args.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)

    if args.platforms:
        children = [image(args.dir, rng, *p.split("/"), args.layers, args.layer_size)
                    for p in args.platforms.split(",")]
        index = json.dumps({"schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": children}, sort_keys=True).encode()
        top = {"mediaType": "application/vnd.oci.image.index.v1+json",
               "digest": put_blob(args.dir, index), "size": len(index)}
    else:
        top = image(args.dir, rng, "linux", "amd64", args.layers, args.layer_size,
                    not args.uncompressed)
        top.pop("platform")

    index_path = os.path.join(args.dir, "index.json")
    outer = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            outer = json.load(f)
    top["annotations"] = {"org.opencontainers.image.ref.name": args.tag}
    outer["manifests"] = [m for m in outer["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != args.tag]
    outer["manifests"].append(top)
    with open(index_path, "w") as f:
        json.dump(outer, f)
    print(top["digest"])


if __name__ == "__main__":
    main()
