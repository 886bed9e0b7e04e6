#!/usr/bin/env bash
# Import rules as a user expects them (issue 18, part 7): immutable tags hold
# against imports as against pushes, `ferryd serve --trust-dir`, an inbox
# with no trusted key warns once and retries a bundle refused for an unknown
# signer when a key arrives (also across a restart), and the key and path
# mix-ups of `ferry pack`/`verify` and `ferryd import` each get their own
# message and exit code. Every refusal leaves the registry as it was.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
export FERRY_PROGRESS=0

make_layout app --tag v1 --layers 2 --layer-size 100000 --seed 1 >/dev/null
make_layout app2 --tag v2 --layers 2 --layer-size 100000 --seed 2 >/dev/null
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" keygen -o other --no-password >/dev/null
mkdir trust && cp site.pub trust/
DATA=$WORK/data
IMPORT=("$FERRYD" import -q --data-dir "$DATA" --trust-dir "$WORK/trust")
imp() { "${IMPORT[@]}" "$@"; }
digest() { skopeo inspect --raw --tls-verify=false "docker://$REG/$1" | sha256sum | cut -c1-64; }
layout_digest() { skopeo inspect --raw "oci:$1" | sha256sum | cut -c1-64; }
snapshot() {
  local r t
  for r in $(curl -sf "http://$REG/v2/_catalog" | jq -r '.repositories[]'); do
    for t in $(curl -sf "http://$REG/v2/$r/tags/list" | jq -r '.tags[]?'); do echo "$r:$t $(digest "$r:$t")"; done
  done
}
last_result() { "$FERRYD" imports --data-dir "$DATA" --json -n 1 | jq -r '.imports[0] | .result + " " + (.reason // "")'; }

# ---- immutable tags
cat >ferryd.toml <<EOF
[import]
inbox_settle = "1s"
EOF
mkdir -p empty-trust
start_ferryd "$DATA" --config ferryd.toml --trust-dir "$WORK/empty-trust"
"$FERRYCTL" --data-dir "$DATA" namespace set team --immutable 'v*' >/dev/null
"$FERRY" pack -k site.key -o b1.ferry --sequence 1 oci:app:v1=team/app:v1 >/dev/null
check "a first import sets an immutable tag" imp b1.ferry

"$FERRY" pack -k site.key -o b2.ferry --sequence 2 oci:app2:v2=team/app:v1 oci:app:v1=team/other:v1 >/dev/null
before=$(snapshot)
rc=0 && imp b2.ferry >b2.out 2>&1 || rc=$?
check "a bundle that would move an immutable tag is refused with its own exit code (27)" equal "$rc" 27
check "the refusal names the tag and the namespace" \
  grep -q "would move tag team/app:v1 from sha256:.* but the tag is immutable in namespace 'team'" b2.out
check "nothing of that bundle was published, not even its other tags" equal "$(snapshot)" "$before"
check "the history records it as refused: immutable" equal "$(last_result)" "refused immutable"
check "the audit log too" bash -c "'$FERRYCTL' --data-dir '$DATA' audit --json | jq -e 'map(select(.action == \"import\"))[0] | .result == \"refused\" and (.detail | test(\"immutable\"))'"

"$FERRY" pack -k site.key -o b3.ferry --sequence 3 oci:app:v1=team/app:v1 oci:app2:v2=team/app:latest >/dev/null
check "a bundle that sets an immutable tag to what it already is, and moves a mutable one, imports" \
  imp b3.ferry
check "the immutable tag still serves the first image" equal "$(digest team/app:v1)" "$(layout_digest app:v1)"
check "the mutable tag moved" equal "$(digest team/app:latest)" "$(layout_digest app2:v2)"

# ---- ferryd serve --trust-dir, and the inbox when no key is trusted
check "ferryd serve warns once at start-up that its inbox has no trusted key" \
  bash -c "[ \$(grep -c 'no trusted keys in $WORK/empty-trust' '$WORK/ferryd.log') -eq 1 ]"
"$FERRY" pack -k site.key -o inbox1.ferry --sequence 10 oci:app2:v2=drop/app:v1 >/dev/null
cp inbox1.ferry "$DATA/inbox/"
wait_for() { for _ in $(seq 1 150); do bash -c "$1" && return 0; sleep 0.2; done; bash -c "$1"; }
check "a bundle from a signer not in --trust-dir is moved to refused/ as unknown-key" \
  wait_for "grep -q '^unknown-key' '$DATA/inbox/refused/inbox1.ferry.reason' 2>/dev/null"
cp site.pub empty-trust/
check "once the signer's key is added to the trust folder, it is imported without being moved by hand" \
  wait_for "curl -sf http://$REG/v2/drop/app/tags/list | grep -q v1"
check "and it has left refused/" bash -c "[ ! -e '$DATA/inbox/refused/inbox1.ferry' ] && [ ! -e '$DATA/inbox/refused/inbox1.ferry.reason' ]"

"$FERRY" pack -k other.key -o inbox2.ferry --sequence 11 --split 100K oci:app:v1=drop/other:v1 >/dev/null
cp inbox2.ferry.0* "$DATA/inbox/"
check "a split bundle from another unknown signer is refused, every volume moved aside" \
  wait_for "[ -f '$DATA/inbox/refused/inbox2.ferry.001.reason' ] && [ -f '$DATA/inbox/refused/inbox2.ferry.002' ]"
"$FERRY" keygen -o unrelated --no-password >/dev/null
cp unrelated.pub empty-trust/
sleep 4
check "a key that is not its signer's: tried again once, refused again, and left in refused/" \
  bash -c "[ \$(grep -c 'trying inbox2.ferry.001 again' '$WORK/ferryd.log') -eq 1 ] &&
           grep -q '^unknown-key' '$DATA/inbox/refused/inbox2.ferry.001.reason'"
stop_ferryd
cp -p other.pub empty-trust/  # cp -p keeps the mtime; the retry goes by ctime
start_ferryd "$DATA" --config ferryd.toml --trust-dir "$WORK/empty-trust"
check "a key added while ferryd was down: the refused bundle is imported after the restart" \
  wait_for "curl -sf http://$REG/v2/drop/other/tags/list | grep -q v1"
check "with a key in the folder, start-up does not warn" \
  bash -c "[ \$(grep -c 'no trusted keys' '$WORK/ferryd.log') -eq 1 ]"
cp inbox1.ferry "$DATA/inbox/$(printf 'forged\n2026-01-01T00:00:00.000Z info imported bundle x.ferry')"
check "a file name with a newline dropped into the inbox cannot forge a log line" \
  wait_for "grep -q 'forged\\\\x0a2026-01-01' '$WORK/ferryd.log' && ! grep -q '^2026-01-01T00:00:00.000Z' '$WORK/ferryd.log'"

# ---- sites say what they hold: ferryd inventory and receipts
make_layout app3 --tag v3 --layers 3 --layer-size 100000 --seed 1 >/dev/null  # app's 2 layers and 1 more
"$FERRYD" inventory --data-dir "$DATA" -o inventory.json 2>/dev/null
check "ferryd inventory lists every digest the box holds, and only those" \
  bash -c "jq -e '.mediaType == \"application/vnd.ferry.inventory.v1+json\" and (.blobs | index(\"sha256:$(layout_digest app:v1)\") != null)' inventory.json >/dev/null &&
           [ \"\$(jq -r '.blobs[]' inventory.json | cut -d: -f2)\" = \"\$(find '$DATA/blobs' -type f -printf '%f\\n' | sort)\" ]"
check "ferryd inventory prints to stdout without -o" \
  bash -c "[ \"\$('$FERRYD' inventory --data-dir '$DATA' | jq -c .blobs)\" = \"\$(jq -c .blobs inventory.json)\" ]"
"$FERRY" pack -k site.key -o delta.ferry --sequence 20 --base-inventory inventory.json oci:app3:v3=team/app3:v3 >delta.out
check "ferry pack --base-inventory leaves out the layers the site holds" \
  bash -c "grep -q 'delta: 2 blob(s) left out' delta.out && [ \$(tar --zstd -tf delta.ferry | grep -c '^blobs/') -eq 3 ]"
check "and the delta imports on that site" imp --receipt receipt.json delta.ferry
check "the receipt carries the box's inventory after the import" \
  bash -c "jq -e '.inventory | index(\"sha256:$(layout_digest app3:v3)\") != null' receipt.json >/dev/null"
make_layout app4 --tag v4 --layers 3 --layer-size 100000 --seed 2 >/dev/null  # app2's 2 layers and 1 more
rc=0 && "$FERRY" pack -k site.key -o d2.ferry --base-inventory receipt.json oci:app4:v4=team/app4:v4 >d2.out 2>&1 || rc=$?
check "a receipt as --base-inventory without --receipt-key: refused, saying which key to give (4)" \
  bash -c "[ $rc -eq 4 ] && grep -q 'is an import receipt: name the box.s public key' d2.out"
check "with the box's public key, the receipt is checked and used" \
  bash -c "'$FERRY' pack -k site.key -o d2.ferry --base-inventory receipt.json --receipt-key '$DATA/box.pub' oci:app4:v4=team/app4:v4 | grep -q 'delta: 2 blob(s) left out'"
jq '.inventory += ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]' receipt.json >forged.json
cp receipt.json.minisig forged.json.minisig
rc=0 && "$FERRY" pack -k site.key -o d3.ferry --base-inventory forged.json --receipt-key "$DATA/box.pub" oci:app4:v4=x/y:v1 >d3.out 2>&1 || rc=$?
check "a receipt changed after the box signed it: refused as a bad signature (10)" \
  bash -c "[ $rc -eq 10 ] && [ ! -e d3.ferry ]"
rc=0 && "$FERRY" pack -k site.key -o d3.ferry --base-inventory receipt.json --receipt-key site.pub oci:app4:v4=x/y:v1 >d3.out 2>&1 || rc=$?
check "a receipt checked against another key: refused as an unknown key (11)" \
  bash -c "[ $rc -eq 11 ] && grep -q 'signed by box key' d3.out"

rc=0 && imp --receipt again.json delta.ferry >again.out 2>&1 || rc=$?
check "the same bundle again with --receipt: exit 0, and a fresh signed receipt with the inventory" \
  bash -c "[ $rc -eq 0 ] && minisign -Vq -p '$DATA/box.pub' -m again.json && jq -e '.inventory | length > 0' again.json >/dev/null"

# ---- key files and paths
check "ferry verify takes the trust folder, as import does" \
  bash -c "'$FERRY' verify -p empty-trust b1.ferry | grep -q '^ok: bundle'"
rc=0 && "$FERRY" verify -p site.key b1.ferry >v.out 2>&1 || rc=$?
check "ferry verify given a secret key says so (4)" \
  bash -c "[ $rc -eq 4 ] && grep -q 'site.key is a secret key; checking needs the signer.s public key' v.out"
mkdir -p empty
rc=0 && "$FERRY" verify -p empty b1.ferry >v.out 2>&1 || rc=$?
check "ferry verify given a folder without keys says so (4)" \
  bash -c "[ $rc -eq 4 ] && grep -q 'no public key (\*.pub) in the folder empty' v.out"
rc=0 && "$FERRY" pack -k site.pub -o x.ferry oci:app:v1 >p.out 2>&1 || rc=$?
check "ferry pack given a public key where the secret key belongs says so (4)" \
  bash -c "[ $rc -eq 4 ] && grep -q 'site.pub is a public key; signing needs the secret key' p.out && [ ! -e x.ferry ]"
rc=0 && "$FERRY" verify -p site.pub no-such.ferry >v.out 2>&1 || rc=$?
check "ferry verify of a missing bundle is an I/O problem (3), not 'not a bundle'" \
  bash -c "[ $rc -eq 3 ] && grep -q 'no-such.ferry does not exist' v.out"
rc=0 && "$FERRYD" import -q --data-dir "$DATA" --trust-dir "$WORK/no-such-folder" b1.ferry >i.out 2>&1 || rc=$?
check "ferryd import with a trust folder that does not exist: a usage error (2) naming it, not 'unknown key'" \
  bash -c "[ $rc -eq 2 ] && grep -q 'the trust folder $WORK/no-such-folder does not exist' i.out"
mkdir fifo-trust && mkfifo fifo-trust/a.pub && cp site.pub fifo-trust/ && head -c 100000 /dev/zero >fifo-trust/huge.pub
rc=0 && timeout 20 "$FERRY" verify -p fifo-trust b1.ferry >v.out 2>&1 || rc=$?
check "a FIFO and a huge file named .pub in the trust folder are skipped, not read: verify still answers" \
  equal "$rc" 0
rc=0 && timeout 20 "$FERRYD" import -q --data-dir "$DATA" --trust-dir fifo-trust b1.ferry >i.out 2>&1 || rc=$?
check "... and so does ferryd import (a rollback here), naming the skipped files" \
  bash -c "[ $rc -eq 21 ] && grep -q 'a.pub: not a regular file' i.out && grep -q 'huge.pub: too large' i.out"
printf 'oci:app:v1=team/ok:v1\n\033]0;owned\007evil\n' >escape.list
rc=0 && "$FERRY" pack -k site.key -o esc.ferry -f escape.list >e.out 2>&1 || rc=$?
check "a list line with terminal escapes is refused (2) and quoted escaped, never sent raw to the terminal" \
  bash -c "[ $rc -eq 2 ] && grep -q 'escape.list:2: .\\\\x1b\]0;owned\\\\x07evil' e.out && ! grep -q \$'\\033' e.out"
rc=0 && imp no-such.ferry >i.out 2>&1 || rc=$?
check "ferryd import of a missing bundle is a usage error (2) naming the path" \
  bash -c "[ $rc -eq 2 ] && grep -q 'no-such.ferry does not exist' i.out"
finish
