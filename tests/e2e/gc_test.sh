#!/usr/bin/env bash
# Garbage collection and retention against a running ferryd, with skopeo
# pushing and pulling: what no tag reaches goes, everything tagged stays
# pullable, a dry run changes nothing, GC beside pushes, pulls and imports in
# a loop, and a kill -9 in the middle of a collection.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
FERRY=${FERRY:?set FERRY to the ferry binary}
T=(--tls-verify=false)
SRC=$WORK/src
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
blob_file() { local d=${1#sha256:}; echo "$DATA/blobs/sha256/${d:0:2}/$d"; }
# The blob digests of an OCI layout's image, manifest included.
layout_blobs() { ls "$1/blobs/sha256" | sed 's/^/sha256:/'; }
push() { skopeo copy --all --dest-tls-verify=false "oci:$SRC/$1:v1" "docker://$REG/$2" >/dev/null; }
pulls_as() {  # pulls_as REF DIGEST: skopeo copies it out and the digest matches
  rm -rf "$WORK/pull" && skopeo copy --all --src-tls-verify=false "docker://$REG/$1" "oci:$WORK/pull:x" >/dev/null &&
    equal "$(python3 -c "import json;print(json.load(open('$WORK/pull/index.json'))['manifests'][0]['digest'])")" "$2"
}

start_ferryd "$DATA"
keep=$(make_layout "$SRC/keep" --tag v1 --layers 2 --layer-size 100000 --seed 1)
gone=$(make_layout "$SRC/gone" --tag v1 --layers 2 --layer-size 100000 --seed 2)
multi=$(make_layout "$SRC/multi" --tag v1 --platforms linux/amd64,linux/arm64 --seed 3)
push keep keep/app:v1
push gone gone/app:v1
push multi multi/app:v1
gone_only=$(comm -13 <(layout_blobs "$SRC/keep" | sort) <(layout_blobs "$SRC/gone" | sort))

# A referrer of keep/app:v1, pushed by digest only: it must stay with its subject.
empty=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
curl -sf -X POST --data-binary '{}' "http://$REG/v2/keep/app/blobs/uploads/?digest=$empty" >/dev/null
size=$(stat -c %s "$SRC/keep/blobs/sha256/${keep#sha256:}")
sig=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sig","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}}' "$empty" "$empty" "$keep" "$size")
sig_digest=sha256:$(printf '%s' "$sig" | sha256sum | cut -d' ' -f1)
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$sig" \
  "http://$REG/v2/keep/app/manifests/$sig_digest" >/dev/null

check "skopeo delete of gone/app:v1" skopeo delete "${T[@]}" "docker://$REG/gone/app:v1"
check "with the default 1h grace, GC spares what was just pushed" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' gc | tail -1 | grep -q '^removed 0 manifest(s), 0 blob(s)'"

ctl gc --dry-run --grace 0 >dry.txt
all_listed() { for d in $gone_only; do grep -q "^blob      $d" dry.txt || return 1; done; }
check "a dry run lists the deleted image's own blobs" all_listed
check "... and says what it would free" grep -q '^would remove .* would free ' dry.txt
all_there() { for d in $gone_only; do [[ -f $(blob_file "$d") ]] || return 1; done; }
none_there() { for d in $gone_only; do [[ ! -e $(blob_file "$d") ]] || return 1; done; }
check "... and removes nothing" all_there
check "the referrer is not on the dry run's list" bash -c "! grep -q '$sig_digest' dry.txt"

ctl gc --grace 0 --json >real.json
check "the real run removes exactly what the dry run listed" \
  equal "$(python3 -c "import json;r=json.load(open('real.json'));print(len(r['manifests']), len(r['blobs']))")" \
  "$(grep -c '^manifest ' dry.txt) $(grep -c '^blob ' dry.txt)"
check "the deleted image's blob files are gone" none_there
check "keep/app:v1 still pulls, same digest" pulls_as keep/app:v1 "$keep"
check "multi/app:v1 (an index) still pulls with every platform" pulls_as multi/app:v1 "$multi"
check "the referrer stayed with its subject" \
  bash -c "curl -sf 'http://$REG/v2/keep/app/referrers/$keep' | grep -q '$sig_digest'"
check "the store is consistent" python3 "$HERE/check_store.py" "$DATA"
check "a pull of a collected blob is a clean 404 BLOB_UNKNOWN" \
  bash -c "d=\$(echo $gone_only | cut -d' ' -f1); curl -s -w '%{http_code}' http://$REG/v2/gone/app/blobs/\$d | grep -q 'BLOB_UNKNOWN.*404'"
check "pushing the image again stores it again" bash -c "skopeo copy --dest-tls-verify=false oci:$SRC/gone:v1 docker://$REG/gone/app:v1 >/dev/null"
check "... and it pulls" pulls_as gone/app:v1 "$gone"

# ---- retention: ci keeps its newest tag and every v* tag; prod is untouched.
for t in v1.0 build-1 build-2 build-3; do push keep "ci/app:$t"; sleep 1.1; done
push keep prod/app:build-1
cat >gc.toml <<EOF
[gc]
grace = "0s"
[[gc.retention]]
namespace = "ci"
keep_last = 1
keep_matching = ["v*"]
EOF
"$FERRYCTL" --config gc.toml --data-dir "$DATA" gc --dry-run >ret.txt
check "retention dry run lists ci/app:build-1 and build-2 (newest build-3 and v1.0 kept)" \
  equal "$(grep '^tag ' ret.txt | awk '{print $2}' | sort | tr '\n' ' ')" "ci/app:build-1 ci/app:build-2 "
check "... and removes no tag" \
  equal "$(skopeo list-tags "${T[@]}" "docker://$REG/ci/app" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["Tags"]))')" 4
"$FERRYCTL" --config gc.toml --data-dir "$DATA" gc >ret-real.txt
check "the real run removes those two tags" \
  equal "$(skopeo list-tags "${T[@]}" "docker://$REG/ci/app" | python3 -c 'import json,sys;print(sorted(json.load(sys.stdin)["Tags"]))')" "['build-3', 'v1.0']"
check "prod/app, outside the namespace, keeps its tag" pulls_as prod/app:build-1 "$keep"
check "ci/app:v1.0 still pulls" pulls_as ci/app:v1.0 "$keep"
check "ferryctl refuses a retention rule that keeps nothing" \
  bash -c "printf '[[gc.retention]]\nnamespace = \"ci\"\n' >bad.toml; rc=0; '$FERRYCTL' --config bad.toml --data-dir '$DATA' gc --dry-run 2>err.txt || rc=\$?; [ \$rc -eq 2 ] && grep -q 'would remove every tag' err.txt"

# ---- an import holds the store: GC waits, then says busy (20) and removes nothing.
flock "$DATA/import.lock" sleep 8 &
locker=$!
sleep 0.3
rc=0; ctl gc --grace 0 >busy.txt 2>&1 || rc=$?
check "gc while an import runs: busy (20), with a reason" \
  bash -c "[ $rc -eq 20 ] && grep -q 'an import is running' busy.txt"
kill $locker 2>/dev/null; wait $locker 2>/dev/null || true

# ---- the schedule: ferryd collects by itself.
stop_ferryd
printf '[gc]\ninterval = "1s"\ngrace = "0s"\n' >sched.toml
start_ferryd "$DATA" --config sched.toml
skopeo delete "${T[@]}" "docker://$REG/gone/app:v1"
wait_for_gc() { for _ in $(seq 50); do none_there && return 0; sleep 0.2; done; return 1; }
check "scheduled GC removes a deleted image's blobs" wait_for_gc
check "... and logs what it freed" grep -q 'gc: removed' "$WORK/ferryd.log"
check "keep/app:v1 still pulls" pulls_as keep/app:v1 "$keep"
stop_ferryd
start_ferryd "$DATA"


# ---- GC in a loop beside pushes, pulls, deletes and imports.
"$FERRY" keygen -o "$WORK/k" --no-password >/dev/null
mkdir -p "$WORK/trust" && cp "$WORK/k.pub" "$WORK/trust/"
imp=$(make_layout "$SRC/imp" --tag v1 --layers 2 --layer-size 100000 --seed 9)
"$FERRY" pack -k "$WORK/k.key" -o "$WORK/imp.ferry" "oci:$SRC/imp:v1=imported/app:v1" >/dev/null
(while [[ ! -f $WORK/stop ]]; do
   rc=0; ctl gc --grace 5s >/dev/null 2>>"$WORK/gc-loop.err" || rc=$?
   [[ $rc -eq 0 || $rc -eq 20 ]] || echo "gc exited $rc" >>"$WORK/gc-loop.err"
   sleep 0.1
 done) &
gc_loop=$!
loop_ok=0; declare -A loop_digest
for i in 1 2 3 4 5 6; do
  loop_digest[$i]=$(make_layout "$SRC/l$i" --tag v1 --layers 2 --layer-size 50000 --seed $((20 + i)))
  push "l$i" "loop/app:v$i" && pulls_as "loop/app:v$i" "${loop_digest[$i]}" &&
    "$FERRYD" import -q --allow-downgrade --data-dir "$DATA" --trust-dir "$WORK/trust" "$WORK/imp.ferry" >/dev/null 2>>"$WORK/imports.log" &&
    pulls_as imported/app:v1 "$imp" &&
    skopeo delete "${T[@]}" "docker://$REG/imported/app:v1" &&
    { ((i <= 2)) || skopeo delete "${T[@]}" "docker://$REG/loop/app:v$((i - 2))"; } &&
    loop_ok=$((loop_ok + 1))
done
touch "$WORK/stop"; wait $gc_loop
check "6 rounds of push, pull, import, pull, delete while GC runs in a loop" equal "$loop_ok" 6
check "no GC run failed (busy while an import ran is fine)" bash -c "! grep -q 'exited' '$WORK/gc-loop.err'"
sleep 5.2; ctl gc --grace 5s >/dev/null
check "the images still tagged pull afterwards" \
  bash -c "$(declare -f pulls_as equal); REG=$REG WORK=$WORK; pulls_as loop/app:v5 ${loop_digest[5]} && pulls_as loop/app:v6 ${loop_digest[6]}"
deleted_gone() {
  for i in 1 2 3 4; do
    for d in $(layout_blobs "$SRC/l$i"); do [[ ! -e $(blob_file "$d") ]] || { echo "$d of v$i is still there"; return 1; }; done
  done
}
check "the deleted images' blobs are gone" deleted_gone
check "the store is consistent" python3 "$HERE/check_store.py" "$DATA"

# ---- kill -9 in the middle of a collection, at several instants.
python3 - "$REG" <<'PY'
import hashlib, http.client, sys
conn = http.client.HTTPConnection(sys.argv[1])
for n in range(3000):
    body = f"junk {n}".encode()
    d = "sha256:" + hashlib.sha256(body).hexdigest()
    conn.request("POST", f"/v2/junk/x/blobs/uploads/?digest={d}", body)
    r = conn.getresponse(); r.read()
    assert r.status == 201, r.status
PY
for delay in 0.02 0.05 0.1 0.2 0.4; do
  # ferryctl itself, not the ctl function: kill -9 of a function's subshell
  # would leave its ferryctl collecting, holding the locks past the next run.
  "$FERRYCTL" --data-dir "$DATA" gc --grace 0 >/dev/null 2>&1 &
  pid=$!; sleep $delay; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  check "kill -9 after ${delay}s of GC: the store is consistent" python3 "$HERE/check_store.py" "$DATA"
done
check "keep/app:v1 still pulls after the kills" pulls_as keep/app:v1 "$keep"
ctl gc --grace 0 >after.txt
ctl gc --grace 0 --dry-run >again.txt
check "a full run afterwards leaves nothing to collect, no orphan file included" \
  grep -q '^would remove 0 manifest(s), 0 blob(s), 0 orphan file(s)' again.txt
junk_gone() {
  for n in 0 1500 2999; do
    [[ ! -e $(blob_file "sha256:$(printf 'junk %s' "$n" | sha256sum | cut -d' ' -f1)") ]] || return 1
  done
}
check "no junk blob file is left" junk_gone
check "the store is consistent at the end" python3 "$HERE/check_store.py" "$DATA"
finish
