#!/usr/bin/env bash
# ferryd import, end to end and offline: bundles made by ferry are imported
# into a running ferryd (from the shell and through the inbox), then pulled
# with skopeo and podman. Every way an import can fail is tried, each followed
# by a check that the registry serves exactly what it served before.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
cd "$WORK"
export FERRY_PROGRESS=0

make_layout app --tag v1 --layers 3 --layer-size 300000 --seed 1 >/dev/null
make_layout app2 --tag v2 --layers 3 --layer-size 300000 --seed 1 >/dev/null  # same layers as app
multi=$(make_layout multi --tag v2 --platforms linux/amd64,linux/arm64 --seed 5)
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" keygen -o other --no-password >/dev/null
mkdir trust && cp site.pub trust/
cat >ferryd.toml <<EOF
[import]
trust_dir = "$WORK/trust"
inbox_settle = "1s"
inbox_incomplete_wait = "20s"
EOF
start_ferryd "$WORK/data" --config ferryd.toml

IMPORT=("$FERRYD" import -q --data-dir "$WORK/data" --trust-dir "$WORK/trust")
imp() { "${IMPORT[@]}" "$@"; }
# Every repository:tag the registry serves, with the digest it serves.
snapshot() {
  local r t
  for r in $(curl -sf "http://$REG/v2/_catalog" | jq -r '.repositories[]'); do
    for t in $(curl -sf "http://$REG/v2/$r/tags/list" | jq -r '.tags[]?'); do
      echo "$r:$t $(skopeo inspect --raw --tls-verify=false "docker://$REG/$r:$t" | sha256sum | cut -c1-16)"
    done
  done
}
# refused CODE TEXT BUNDLE [FLAGS]: import exits CODE, says TEXT, changes nothing.
refused() {
  local want=$1 text=$2 rc=0; shift 2
  local before; before=$(snapshot)
  imp "$@" >out.txt 2>&1 || rc=$?
  [[ $rc -eq $want ]] || { echo "exit $rc, wanted $want"; cat out.txt; return 1; }
  grep -q -- "$text" out.txt || { echo "no '$text' in:"; cat out.txt; return 1; }
  [[ $(grep -c ' error ' out.txt) -eq 1 ]] || { echo "want one error line:"; cat out.txt; return 1; }
  equal "$(snapshot)" "$before"
}
last_result() { "$FERRYD" imports --data-dir "$WORK/data" --json -n 1 | jq -r '.imports[0] | .result + " " + (.reason // "")'; }

"$FERRY" pack -k site.key -o b1.ferry --channel stable --sequence 10 oci:app:v1 oci:multi:v2=team/multi:v2 >/dev/null

# ---- the happy path, while the server runs
check "ferryd import publishes a signed bundle into the running registry" \
  imp --receipt receipt.json b1.ferry
check "skopeo pulls every image of it, with the digests that were packed" \
  bash -c "skopeo copy -q --all --src-tls-verify=false docker://$REG/team/multi:v2 oci:pulled:multi &&
           [ \$(skopeo inspect --raw oci:pulled:multi | sha256sum | cut -d' ' -f1) = ${multi#sha256:} ] &&
           skopeo copy -q --src-tls-verify=false docker://$REG/app:v1 oci:pulled:app &&
           [ \"\$(skopeo inspect --raw oci:pulled:app | sha256sum)\" = \"\$(skopeo inspect --raw oci:app:v1 | sha256sum)\" ]"
podman_sandbox
check "podman pulls it too, and records the digest that was packed" \
  bash -c "$PQ pull -q --tls-verify=false '$REG/app:v1' >/dev/null &&
           [ \"\$($PQ image inspect --format '{{.Digest}}' '$REG/app:v1')\" = \"sha256:\$(skopeo inspect --raw oci:app:v1 | sha256sum | cut -d' ' -f1)\" ]"
check "the receipt is signed by the box's own key: stock minisign verifies it" \
  bash -c "minisign -V -p data/box.pub -m receipt.json | grep -q 'ferry-receipt bundle=' &&
           jq -e '.images | map(.name) == [\"app:v1\", \"team/multi:v2\"]' receipt.json"
check "ferryd imports shows the attempt, with its counters" \
  bash -c "'$FERRYD' imports --data-dir data --json | jq -e '.imports[0] | .result == \"imported\" and .channel == \"stable\" and .sequence == 10 and .blobsWritten > 0 and (.images | length) == 2'"
check "so does GET /ferry/v1/imports on the running server" \
  bash -c "curl -sf http://$REG/ferry/v1/imports | jq -e '.imports[0].result == \"imported\"'"

# ---- rollback and freeze protection
before=$(snapshot)
rc=0 && imp b1.ferry >again.txt 2>&1 || rc=$?
check "the same bundle again: exit 0 and one line saying it was already imported" \
  bash -c "[ $rc -eq 0 ] && [ \$(wc -l <again.txt) -eq 1 ] && grep -q 'was already imported on .*; nothing to do' again.txt"
check "and it changed nothing" equal "$(snapshot)" "$before"
check "and the history says so" equal "$(last_result)" "unchanged already-imported"
"$FERRY" pack -k site.key -o b-old.ferry --channel stable --sequence 9 oci:app2:v2=app:v1 >/dev/null
check "an older sequence of the channel: refused as a rollback (21)" refused 21 "not newer than sequence 10" b-old.ferry
check "--allow-downgrade takes it, for the admin who means it" imp --allow-downgrade b-old.ferry
check "and the tag moved to the downgraded image" \
  equal "$(skopeo inspect --raw --tls-verify=false docker://$REG/app:v1 | sha256sum)" "$(skopeo inspect --raw oci:app2:v2 | sha256sum)"
"$FERRY" pack -k site.key -o b-other-channel.ferry --channel testing --sequence 1 oci:app:v1 >/dev/null
check "another channel keeps its own sequence" imp b-other-channel.ferry
"$FERRY" pack -k site.key -o b-expired.ferry --sequence 99 --expires 2020-01-01T00:00:00Z oci:app:v1 >/dev/null
check "an expired bundle: refused (22)" refused 22 "expired at 2020-01-01" b-expired.ferry

# ---- bad bundles
"$FERRY" pack -k other.key -o b-other.ferry --sequence 100 oci:app2:v2=app:v1 >/dev/null
check "signed by a key not in the trust store: refused (11)" refused 11 "not a trusted key" b-other.ferry
check "and nothing of it was written" \
  bash -c "'$FERRYD' imports --data-dir data --json -n 1 | jq -e '.imports[0] | .blobsWritten == 0 and .reason == \"unknown-key\"'"
"$FERRY" pack -k site.key -o b2.ferry --sequence 200 oci:app2:v2=app:v1 oci:multi:v2=team/multi:v2 >/dev/null
mkdir unpacked && tar --zstd -xf b2.ferry -C unpacked
order=$(tar --zstd -tf b2.ferry | tr '\n' ' ')
retar unsigned.ferry unpacked $(echo $order | sed 's|ferry-bundle.json.minisig||')
check "unsigned: refused (12)" refused 12 "not signed" unsigned.ferry
last_blob=$(tar --zstd -tf b2.ferry | grep '^blobs/' | tail -1)
cp -r unpacked t1 && flip_byte "t1/$last_blob" 10
retar tampered.ferry t1 $order
check "a flipped byte in its last blob: refused (13) after the others were written" \
  refused 13 "does not match its digest" tampered.ferry
check "the history says tampered" equal "$(last_result)" "refused tampered"
head -c $(($(stat -c %s b2.ferry) * 2 / 3)) b2.ferry >truncated.ferry
check "truncated: refused (14)" refused 14 "" truncated.ferry
"$FERRY" pack -k site.key -o split.ferry --sequence 200 --split 200K oci:app2:v2=app:v1 oci:multi:v2=team/multi:v2 >/dev/null
mkdir gap && cp split.ferry.* gap/ && rm gap/split.ferry.002
check "a split bundle missing a volume: refused naming it (18)" refused 18 "split.ferry.002 is missing" gap/split.ferry.001
check "the good bundle then imports, reusing what the refused ones wrote" \
  bash -c "'$FERRYD' import -q --data-dir data --trust-dir trust b2.ferry && '$FERRYD' imports --data-dir data --json -n 1 | jq -e '.imports[0].bytesAlreadyPresent > 0'"

# ---- deltas
"$FERRY" pack -k site.key -o base.ferry --sequence 300 oci:app:v1=delta/app:v1 >/dev/null
"$FERRY" pack -k site.key -o delta.ferry --sequence 301 --base base.ferry oci:app2:v2=delta/app:v2 >/dev/null
check "a delta into a store without its base: refused (23)" \
  bash -c "out=\$('$FERRYD' import -q --data-dir fresh --trust-dir trust delta.ferry 2>&1); [ \$? -eq 23 ] && grep -q 'import the bundle it was made against first' <<<\"\$out\""
check "into the store that has the base, it imports" imp delta.ferry
check "and the delta's image pulls whole" \
  skopeo copy -q --src-tls-verify=false "docker://$REG/delta/app:v2" oci:pulled:delta

# ---- concurrency, pulls during an import, kill -9
make_layout big --tag v1 --layers 3 --layer-size 40000000 --uncompressed --seed 9 >/dev/null
"$FERRY" pack -k site.key -o big.ferry --sequence 400 oci:big:v1=app:v1 >/dev/null
# Until an import is writing a blob: a staging file that was not there before
# (a killed import leaves its own, which the next one clears first).
wait_for_import() {
  local dir=$1 stale f
  stale=" $(ls "$dir/tmp/import" 2>/dev/null | tr '\n' ' ') "
  for _ in $(seq 1 2000); do
    for f in $(ls "$dir/tmp/import" 2>/dev/null); do [[ $stale == *" $f "* ]] || return 0; done
    sleep 0.005
  done
  return 1
}
before=$(snapshot)
"${IMPORT[@]}" big.ferry 2>big1.log &  # the binary itself, so kill -9 hits it
pid=$!
wait_for_import data
kill -9 $pid; wait $pid 2>/dev/null || true
check "kill -9 in the middle of an import: the registry serves what it served" equal "$(snapshot)" "$before"
old=$(skopeo inspect --raw --tls-verify=false docker://$REG/app:v1 | sha256sum | cut -c1-64)
new=$(skopeo inspect --raw oci:big:v1 | sha256sum | cut -c1-64)
# Pull until the import has ended, and a few times after: a fixed count
# could end before a slow (loaded, sanitized) import publishes.
(after=0
 for _ in $(seq 1 5000); do
   curl -s -o /dev/null -w '%{http_code} ' -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/app/manifests/v1"
   curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/app/manifests/v1" | sha256sum | cut -c1-64
   [[ -f import.done ]] && ((++after >= 5)) && break
 done >pulls.txt) &
pulls=$!
"${IMPORT[@]}" big.ferry >/dev/null 2>big2.log &
pid=$!
# Until it holds the data dir's import lock (flock -n fails), then until it
# writes a blob: stopped there, it holds no database transaction.
for _ in $(seq 1 5000); do flock -n data/import.lock true || break; done
wait_for_import data || true
kill -STOP $pid  # held mid-import, so the second one surely meets it
rc=0; imp b2.ferry >second.txt 2>&1 || rc=$?
kill -CONT $pid
check "a second import while one runs: refused as busy (20)" \
  bash -c "[ $rc -eq 20 ] && grep -q 'another import (or garbage collection) is running' second.txt || { echo 'exit $rc:'; cat second.txt; false; }"
rc=0; wait $pid || rc=$?
touch import.done
check "the next import finishes the work of the killed one" equal "$rc" 0
wait $pulls
check "pulls during the import saw the old manifest or the new, never an error" \
  bash -c "! grep -v -E '^200 ($old|$new)\$' pulls.txt && grep -q '$new' pulls.txt || { echo \"\$(wc -l <pulls.txt) pulls; none new, or these:\"; grep -v -E '^200 ($old|$new)\$' pulls.txt | sort | uniq -c | head -5; false; }"
check "the killed attempt is in the history as interrupted" \
  bash -c "'$FERRYD' imports --data-dir data --json | jq -e '[.imports[] | select(.result == \"interrupted\")] | length == 1'"

# ---- disk full
# verify_small: every blob of the small store and every tag it serves are intact.
verify_small() {
  local port; port=$(free_port)
  "$FERRYD" serve --listen "127.0.0.1:$port" --data-dir small/data 2>>small.log &
  local pid=$! rc=0
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
  python3 "$HERE/verify_store.py" "127.0.0.1:$port" small/data || rc=$?
  kill $pid; wait $pid || true
  return $rc
}
mkdir small && mount -t tmpfs -o size=100m tmpfs small
"$FERRYD" import -q --data-dir small/data --trust-dir trust b1.ferry >/dev/null 2>&1
check "a bundle larger than the free space: refused before writing (24)" \
  bash -c "out=\$('$FERRYD' import -q --data-dir small/data --trust-dir trust big.ferry 2>&1); [ \$? -eq 24 ] && grep -q 'is free on' <<<\"\$out\" && [ -z \"\$(ls small/data/tmp/import 2>/dev/null)\" ]"
umount small && mount -t tmpfs -o size=190m tmpfs small
"$FERRYD" import -q --data-dir small/data --trust-dir trust b1.ferry >/dev/null 2>&1
"$FERRYD" import -q --data-dir small/data --trust-dir trust big.ferry 2>full.log &
pid=$!
wait_for_import small/data
kill -STOP $pid
dd if=/dev/zero of=small/filler bs=1M 2>/dev/null || true  # the disk fills up behind its back
kill -CONT $pid
rc=0; wait $pid || rc=$?
check "the disk filling up in the middle: a clean failure (4) naming it" \
  bash -c "[ $rc -eq 4 ] && grep -q 'No space left' full.log && [ -z \"\$(ls small/data/tmp/import)\" ]"
check "and the small store still serves its first bundle, intact" verify_small
rm small/filler
check "with space back, the same import succeeds, and the store is intact" \
  bash -c "'$FERRYD' import -q --data-dir small/data --trust-dir trust big.ferry && $(declare -f verify_small free_port); FERRYD='$FERRYD' HERE='$HERE' verify_small"
umount small

# ---- progress on a terminal
"$FERRY" pack -k site.key -o again.ferry --channel tty oci:app2:v2=tty/app:v2 >/dev/null
check "on a terminal, ferryd import shows progress and says the blobs are already here" \
  bash -c "env -u FERRY_PROGRESS script -qec \"'$FERRYD' import --data-dir data --trust-dir trust again.ferry\" /dev/null | tr '\r' '\n' |
           grep -E 'importing [0-9a-f]+ .*%.*ETA [0-9]+:[0-9]{2}  [0-9]+ blob\(s\) already here, not rewritten'"

# ---- the inbox
mkdir -p inbox-src && "$FERRY" pack -k site.key -o inbox-src/drop.ferry --sequence 500 --split 300K \
  oci:app2:v2=inbox/app:v2 >/dev/null
cp inbox-src/drop.ferry.001 data/inbox/
sleep 3
check "a split bundle whose first volume alone arrived is left waiting, untouched" \
  bash -c "[ -f data/inbox/drop.ferry.001 ] && ! curl -sf http://$REG/v2/inbox/app/tags/list"
cp inbox-src/drop.ferry.0* data/inbox/
imported() { for _ in $(seq 1 100); do curl -sf "http://$REG/v2/$1/tags/list" >/dev/null && return 0; sleep 0.2; done; return 1; }
check "once every volume is there, ferryd imports it by itself" imported inbox/app
check "and removes the imported volumes from the inbox" bash -c "sleep 0.5; [ -z \"\$(ls data/inbox/ | grep drop)\" ]"
"$FERRY" pack -k site.key -o bad.ferry --sequence 550 oci:app2:v2=inbox/bad:v1 >/dev/null
mkdir bad && tar --zstd -xf bad.ferry -C bad
flip_byte "bad/$(tar --zstd -tf bad.ferry | grep '^blobs/' | tail -1)" 10
retar data/inbox/bad.ferry bad $(tar --zstd -tf bad.ferry | tr '\n' ' ')
check "a bad bundle dropped in the inbox is moved to refused/ with the reason" \
  bash -c "for _ in \$(seq 1 100); do [ -f data/inbox/refused/bad.ferry.reason ] && break; sleep 0.2; done; grep -q tampered data/inbox/refused/bad.ferry.reason"
"$FERRY" pack -k site.key -o slow.ferry --sequence 600 oci:app2:v2=inbox/slow:v1 >/dev/null
(head -c 100000 slow.ferry; sleep 3; tail -c +100001 slow.ferry) >data/inbox/slow.ferry &
writer=$!
check "a bundle still being copied is not imported half way, nor refused" \
  bash -c "wait $writer; [ ! -e data/inbox/refused/slow.ferry ]"
check "once the copy completes it is imported" imported inbox/slow
check "ferryd logged one line per inbox import" bash -c "grep -c 'inbox: importing' '$WORK/ferryd.log' | grep -qv '^0$'"

check "after all that, every blob in the store matches its digest and every tag resolves" \
  python3 "$HERE/verify_store.py" "$REG" data
finish
