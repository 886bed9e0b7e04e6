#!/usr/bin/env bash
# Validly signed bundles whose parts disagree (issue 13 items 5 and 6),
# crafted by craft_bundle.py from a good one and signed again with the trusted
# key by stock minisign: `ferry verify` and `ferryd import` refuse each with
# its documented exit code and one line, and nothing is published or written.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
cd "$WORK"
export FERRY_PROGRESS=0

make_layout app --tag v1 --layers 2 --layer-size 1000 --seed 3 --uncompressed >/dev/null
"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/
"$FERRY" pack -k site.key -o good.ferry --sequence 10 oci:app:v1=crafted/app:v1 >/dev/null
mkdir good && tar --zstd -xf good.ferry -C good
comment=$(sed -n 's/^trusted comment: //p' good/ferry-bundle.json.minisig)

craft() {  # craft MUTATION: writes MUTATION.ferry, signed by the trusted key
  rm -rf "c-$1" && cp -r good "c-$1"
  local order; order=$(python3 "$HERE/craft_bundle.py" "c-$1" "$1")
  minisign -S -s site.key -m "c-$1/ferry-bundle.json" -x "c-$1/ferry-bundle.json.minisig" \
    -t "$comment" </dev/null >/dev/null
  # shellcheck disable=SC2086
  retar "$1.ferry" "c-$1" $order
}
stored_files() { find data/blobs -type f 2>/dev/null | wc -l; }
# import_refused CODE TEXT MUTATION [written]: exit CODE, one error line
# saying TEXT, nothing published, and (unless "written": refusals that need
# the manifests, which arrive amid the blobs, come after those are stored,
# invisible until GC takes them) no content file written.
import_refused() {
  local want=$1 text=$2 rc=0 before; before=$(stored_files)
  "$FERRYD" import -q --data-dir data --trust-dir trust "$3.ferry" >out.txt 2>&1 || rc=$?
  [[ $rc -eq $want ]] || { echo "exit $rc, wanted $want"; cat out.txt; return 1; }
  grep -q -- "$text" out.txt || { echo "no '$text' in:"; cat out.txt; return 1; }
  [[ $(wc -l <out.txt) -eq 1 ]] || { echo "want one line:"; cat out.txt; return 1; }
  ! grep -q 'json.exception' out.txt || { echo "a library's words:"; cat out.txt; return 1; }
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/crafted/app/tags/list") == 404 ]] ||
    { echo "crafted/app was published"; return 1; }
  [[ ${4:-} == written ]] && return 0
  [[ $(stored_files) -eq $before ]] || { echo "content was written"; return 1; }
  "$FERRYD" imports --data-dir data --json -n 1 | jq -e '.imports[0] | .blobsWritten == 0' >/dev/null
}
# verify_refused CODE TEXT MUTATION: ferry verify exits CODE with one line saying TEXT.
verify_refused() {
  local rc=0
  "$FERRY" verify -p site.pub "$3.ferry" >out.txt 2>&1 || rc=$?
  [[ $rc -eq $1 ]] || { echo "exit $rc, wanted $1"; cat out.txt; return 1; }
  grep -q -- "$2" out.txt && [[ $(wc -l <out.txt) -eq 1 ]] || { cat out.txt; return 1; }
}

start_ferryd "$WORK/data"
for m in huge-blob index-twice index-dup-key index-number layer-size unused-blob unlisted-blob; do
  craft "$m"
done

# ---- item 5: a size that would wrap the free-space sum
check "a blob declaring 2^64 - 1 bytes: no-space (24) before anything is written" \
  import_refused 24 "more bytes than any disk holds" huge-blob

# ---- item 6: index.json against the signed manifest
check "index.json naming the image twice, once with a digest found nowhere: tampered (13)" \
  import_refused 13 "index.json lists crafted/app:v1 sha256:" index-twice
check "... ferry verify refuses it the same way" verify_refused 13 "index.json lists" index-twice
check "index.json with \"digest\" twice in one descriptor: tampered (13)" \
  import_refused 13 'the key "digest" twice' index-dup-key
check "a number where index.json expects a digest: tampered (13), our words, one line" \
  import_refused 13 "digest is missing or not a digest string" index-number
check "... ferry verify: the same exit code and line, not exit 1" \
  verify_refused 13 "digest is missing or not a digest string" index-number

# ---- item 6: the manifests inside, checked as a push checks them
check "an image manifest giving 1 byte for a 10240-byte layer: tampered (13), not published" \
  import_refused 13 "is 10240 bytes but manifest sha256:[0-9a-f]* says 1 byte" layer-size written
check "... ferry verify finds the same, with the same exit code" \
  verify_refused 13 "is 10240 bytes but manifest sha256:[0-9a-f]* says 1 byte" layer-size
check "a blob carried that no image uses: malformed (12)" \
  import_refused 12 "which none of its images uses" unused-blob written
check "a layer the signed manifest neither carries nor requires: tampered (13)" \
  import_refused 13 "neither carried nor required by the signed manifest" unlisted-blob written

check "... ferry verify: the same (12)" verify_refused 12 "which none of its images uses" unused-blob
check "... ferry verify: the same (13)" \
  verify_refused 13 "neither carried nor required by the signed manifest" unlisted-blob
check "ferry verify passes the good bundle" "$FERRY" verify -p site.pub good.ferry
make_layout app2 --tag v2 --layers 2 --layer-size 1000 --seed 3 --uncompressed >/dev/null
"$FERRY" pack -k site.key -o delta.ferry --sequence 11 --base good.ferry \
  oci:app:v1=crafted/app:v1 oci:app2:v2=crafted/app:v2 >/dev/null
check "... and a delta whose unchanged image is all on the box (verify takes the base on trust)" \
  "$FERRY" verify -p site.pub delta.ferry

check "after all that, the good bundle imports and pulls" \
  bash -c "'$FERRYD' import -q --data-dir data --trust-dir trust good.ferry &&
           skopeo copy -q --src-tls-verify=false docker://$REG/crafted/app:v1 oci:pulled:v1"
finish
