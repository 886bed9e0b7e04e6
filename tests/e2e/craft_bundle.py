#!/usr/bin/env python3
"""Crafts a bad but validly signed bundle from an unpacked good one (issue 13
items 5 and 6): applies one MUTATION to the layout and the signed manifest,
keeps every digest and size the manifest states consistent unless the
mutation is about them, and writes DIR/ferry-bundle.json ready to sign.
Prints the tar entry order to use.

usage: craft_bundle.py DIR MUTATION
  huge-blob       one layer declares 2^64 - 1 bytes
  index-twice     index.json lists the image twice, once with a digest found nowhere
  index-dup-key   index.json's descriptor has "digest" twice, the first found nowhere
  index-number    index.json has a number where a digest string goes
  layer-size      the image manifest says 1 byte for a layer of many more
  unused-blob     the bundle carries a blob no image uses
  unlisted-blob   the image manifest names a layer the signed manifest does not carry
"""
import hashlib
import json
import os
import sys

d, mutation = sys.argv[1], sys.argv[2]


def dump(obj):  # nlohmann's canonical form: sorted keys, no spaces
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_path(digest):
    return os.path.join(d, "blobs", "sha256", digest.split(":")[1])


def put_blob(data):
    digest = sha(data)
    with open(blob_path(digest), "wb") as f:
        f.write(data)
    return digest


m = json.load(open(os.path.join(d, "ferry-bundle.json")))
index_bytes = open(os.path.join(d, "index.json"), "rb").read()
image = m["images"][0]
manifest_bytes = open(blob_path(image["digest"]), "rb").read()
image_manifest = json.loads(manifest_bytes)
layer = image_manifest["layers"][0]


def entry_of(digest):
    return next(b for b in m["blobs"] if b["digest"] == digest)


def replace_image_manifest(new_bytes):
    """Stores the edited image manifest under its new digest everywhere."""
    global index_bytes
    old = image["digest"]
    new = put_blob(new_bytes)
    os.remove(blob_path(old))
    e = entry_of(old)
    e["digest"], e["size"] = new, len(new_bytes)
    image["digest"], image["size"] = new, len(new_bytes)
    index_bytes = index_bytes.replace(old.encode(), new.encode()).replace(
        b'"size":%d' % len(manifest_bytes), b'"size":%d' % len(new_bytes))


if mutation == "huge-blob":
    entry_of(layer["digest"])["size"] = 2**64 - 1
elif mutation == "index-twice":
    idx = json.loads(index_bytes)
    extra = dict(idx["manifests"][0])
    extra["digest"] = sha(b"found nowhere")
    idx["manifests"].append(extra)
    index_bytes = dump(idx).encode()
elif mutation == "index-dup-key":
    real = image["digest"].encode()
    index_bytes = index_bytes.replace(
        b'"digest":"' + real + b'"',
        b'"digest":"' + sha(b"found nowhere").encode() + b'","digest":"' + real + b'"')
elif mutation == "index-number":
    index_bytes = index_bytes.replace(b'"' + image["digest"].encode() + b'"', b"12345")
elif mutation == "layer-size":
    layer["size"] = 1
    replace_image_manifest(dump(image_manifest).encode())
elif mutation == "unused-blob":
    extra = put_blob(b"carried but used by nothing")
    m["blobs"].append({"digest": extra, "mediaType": "application/octet-stream", "size": 27})
elif mutation == "unlisted-blob":
    layer["digest"] = sha(b"not in the bundle")
    layer["size"] = len(b"not in the bundle")
    replace_image_manifest(dump(image_manifest).encode())
else:
    sys.exit("unknown mutation " + mutation)

with open(os.path.join(d, "index.json"), "wb") as f:
    f.write(index_bytes)
m["index"] = {"digest": sha(index_bytes), "size": len(index_bytes)}
m["blobs"].sort(key=lambda b: b["digest"])
with open(os.path.join(d, "ferry-bundle.json"), "w") as f:
    f.write(dump(m))
print(" ".join(["ferry-bundle.json", "ferry-bundle.json.minisig", "oci-layout", "index.json"] +
               ["blobs/" + b["digest"].replace(":", "/") for b in m["blobs"]]))
