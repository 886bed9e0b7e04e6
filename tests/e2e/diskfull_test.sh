#!/usr/bin/env bash
# Low space and a full disk, on a 100 MiB tmpfs the test mounts: under the
# storage.min_free floor pushes and imports are refused (507 DENIED, a log
# line) while pulls go on, and ferryd recovers by itself once space is freed;
# a write that meets ENOSPC fails cleanly with nothing partial left; ferryd
# starts on a full disk.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRY=${FERRY:?set FERRY to the ferry binary}
SRC=$WORK/src
DATA=$WORK/small/data
push() { skopeo copy --dest-tls-verify=false "oci:$SRC/$1:v1" "docker://$REG/$2" >/dev/null 2>>push-err.txt; }
pulls_as() {
  rm -rf "$WORK/pull" && skopeo copy --src-tls-verify=false "docker://$REG/$1" "oci:$WORK/pull:x" >/dev/null &&
    equal "$(python3 -c "import json;print(json.load(open('$WORK/pull/index.json'))['manifests'][0]['digest'])")" "$2"
}
free_mib() { echo $(( $(stat -f -c '%a * %S' "$WORK/small") / 1048576 )); }
# fill_to MIB: a filler file leaves about MIB free.
fill_to() {
  rm -f small/filler
  local n=$(( $(free_mib) - $1 ))
  ((n > 0)) && dd if=/dev/zero of=small/filler bs=1M count=$n 2>/dev/null
  sync
}
nothing_partial() {
  [[ -z $(ls -A "$DATA/tmp" | grep -v '^import$') ]] && [[ -z $(find "$DATA/tmp" -type f) ]]
}

mkdir -p small && mount -t tmpfs -o size=100m tmpfs small
printf '[storage]\nmin_free = "40MiB"\n' >floor.toml
start_ferryd "$DATA" --config floor.toml
a=$(make_layout "$SRC/a" --tag v1 --layers 2 --layer-size 2000000 --seed 1)
b=$(make_layout "$SRC/b" --tag v1 --layers 2 --layer-size 2000000 --seed 2)
check "with room to spare, a push works" push a a/app:v1

fill_to 30
check "under the floor: skopeo push is refused" bash -c "! skopeo copy --dest-tls-verify=false oci:$SRC/b:v1 docker://$REG/b/app:v1 2>push-b.txt"
check "... saying why (507, DENIED, the floor and what to do)" \
  bash -c "curl -s -w ' %{http_code}' -X POST http://$REG/v2/b/app/blobs/uploads/ | grep -q '\"DENIED\".*under the floor of 40.0 MiB (storage.min_free).*ferryctl gc.* 507'"
check "... and ferryd logs it" grep -q 'under the floor' ferryd.log
check "a manifest PUT is refused too" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$SRC/a/blobs/sha256/${a#sha256:}" "http://$REG/v2/a/app/manifests/again")" 507
check "pulls keep working under the floor" pulls_as a/app:v1 "$a"
check "a delete (which frees space) is still allowed" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://$REG/v2/a/app/manifests/nope")" 404
"$FERRY" keygen -o k --no-password >/dev/null && mkdir -p trust && cp k.pub trust/
"$FERRY" pack -k k.key -o b.ferry "oci:$SRC/b:v1=b/app:v1" >/dev/null
rc=0; "$FERRYD" import -q --config floor.toml --data-dir "$DATA" --trust-dir trust b.ferry 2>imp.txt || rc=$?
refused_24() { [[ $rc -eq 24 ]] && grep -q 'storage.min_free' imp.txt && nothing_partial; }
check "an import under the floor is refused before writing (24)" refused_24

rm -f small/filler
check "space freed: the same push now works, with no restart" push b b/app:v1
check "... and pulls" pulls_as b/app:v1 "$b"
check "the import works too" \
  "$FERRYD" import -q --config floor.toml --allow-downgrade --data-dir "$DATA" --trust-dir trust b.ferry

# ---- the disk really full in the middle of a write (no floor to stop it first).
stop_ferryd
printf '[storage]\nmin_free = 0\n' >nofloor.toml
start_ferryd "$DATA" --config nofloor.toml
head -c $((20 << 20)) /dev/urandom >big.bin
big=sha256:$(sha256sum big.bin | cut -d' ' -f1)
fill_to 5
check "a 20 MiB monolithic upload into 5 MiB: 507 saying the disk is full" \
  bash -c "curl -s -w ' %{http_code}' -X POST --data-binary @big.bin 'http://$REG/v2/c/app/blobs/uploads/?digest=$big' | grep -q 'No space left on device.* 507'"
check "... and leaves no partial file" nothing_partial
loc=$(curl -si -X POST "http://$REG/v2/c/app/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
check "a 20 MiB chunk (PATCH) into 5 MiB fails cleanly" \
  bash -c "curl -s -w ' %{http_code}' -X PATCH -H 'Content-Type: application/octet-stream' --data-binary @big.bin 'http://$REG$loc' | grep -q ' 507'"
check "... and the session is still at offset 0, not half written" \
  bash -c "curl -s -o /dev/null -D - 'http://$REG$loc' | tr -d '\r' | grep -qi '^range: 0-0'"
check "pulls still work on the full disk" pulls_as a/app:v1 "$a"
check "the store is consistent" python3 "$HERE/check_store.py" "$DATA"

# ---- start-up on a completely full disk.
stop_ferryd
fill_to 0
dd if=/dev/zero of=small/filler2 bs=4k 2>/dev/null || true
check "ferryd starts on a full disk" start_ferryd "$DATA" --config nofloor.toml
check "... and serves pulls" pulls_as b/app:v1 "$b"
rm -f small/filler small/filler2
check "space back: the interrupted chunked upload resumes and completes" \
  bash -c "curl -sf -o /dev/null -X PATCH -H 'Content-Type: application/octet-stream' --data-binary @big.bin 'http://$REG$loc' &&
           curl -sf -o /dev/null -X PUT 'http://$REG$loc?digest=$big'"
check "... and the blob is served whole" bash -c "curl -sf http://$REG/v2/c/app/blobs/$big | cmp - big.bin"
check "the store is consistent at the end" python3 "$HERE/check_store.py" "$DATA"
stop_ferryd
umount small
finish
