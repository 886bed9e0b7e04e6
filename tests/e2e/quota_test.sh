#!/usr/bin/env bash
# Quotas bound disk (docs/access.md, "Quotas"): open upload sessions count
# toward their namespace's quota as their bytes land, a streamed chunk is
# refused as soon as it would cross it, concurrent pushers cannot overshoot
# together, the number and size of open sessions per user and namespace are
# bounded, and the admin API refuses numbers out of range. curl for the wire,
# skopeo for a normal push.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
export WORK DATA=$WORK/data
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
export FERRYCTL; export -f ctl
for u in admin dev ops; do echo "$u-pass" | ctl user add "$u"; done
ctl grant admin '*' admin
ctl grant dev team writer
ctl grant dev big writer
ctl grant ops big writer
ctl namespace set team --quota 1MiB
cat >ferryd.toml <<'EOF'
[uploads]
max_sessions_per_user = 3
max_sessions_per_namespace = 4
max_bytes_per_user = "2MiB"
EOF
start_ferryd "$DATA" --config ferryd.toml
export REG

# code METHOD URL [curl args]: "STATUS ERRORCODE" of the answer (body in body.json).
code() {
  local method=$1 url=$2; shift 2
  curl -s -o body.json -w '%{http_code}' -X "$method" "$@" "http://$REG$url" >code.txt || true
  echo "$(cat code.txt) $(jq -r '.errors[0].code // empty' body.json 2>/dev/null)"
}
# start REPO USER: a new session's path (Location).
start() {
  curl -s -o /dev/null -D - -X POST -u "$2:$2-pass" "http://$REG/v2/$1/blobs/uploads/" |
    tr -d '\r' | sed -n 's/^Location: //Ip'
}
offset() {  # offset PATH USER: bytes the session holds (end of its Range + 1, or 0)
  local r; r=$(curl -s -D - -o /dev/null -u "$2:$2-pass" "http://$REG$1" | tr -d '\r' | sed -n 's/^Range: 0-//Ip')
  [[ "$r" == 0 ]] && { echo 0; return; }
  echo $((r + 1))
}
uploads_bytes() { du -sb "$DATA/uploads" | cut -f1; }
export -f code start offset uploads_bytes

# ---- one streamed PATCH of 20 MiB into a namespace with a 1 MiB quota
s1=$(start team/app dev)
head -c $((20 << 20)) /dev/urandom >big.bin
curl -s -o stream.json -w '%{http_code}' -X PATCH -u dev:dev-pass -H 'Transfer-Encoding: chunked' \
  -H 'Content-Type: application/octet-stream' --data-binary @big.bin "http://$REG$s1" >stream.code || true
check "a 20 MiB chunked PATCH into a 1 MiB quota: refused mid-stream, 403 DENIED" \
  bash -c "[ \"\$(cat stream.code)\" = 403 ] && jq -e '.errors[0].code == \"DENIED\"' stream.json"
check "... saying the quota, the use and what to do" \
  bash -c "jq -r '.errors[0].message' stream.json | grep -q \"namespace 'team' would go over its quota of 1.0 MiB\""
check "... with less than 1 MiB left on disk in uploads/ (not 20 MiB)" \
  bash -c "[ \$(uploads_bytes) -lt \$((1 << 20)) ]"
check "... and the refused request's bytes dropped: the session is back at 0" \
  bash -c "[ \$(offset $s1 dev) = 0 ]"
curl -s -o /dev/null -X DELETE -u dev:dev-pass "http://$REG$s1"

# ---- parallel sessions cannot together exceed the quota
for i in 1 2 3 4; do start team/app dev; done >sessions.txt 2>/dev/null || true
mapfile -t S <sessions.txt
check "four sessions at once: the per-user limit (3) lets three open" equal "${#S[@]}" 3
head -c 450000 /dev/urandom >part.bin
pids=()
for s in "${S[@]}"; do
  curl -s -o /dev/null -w '%{http_code}\n' -X PATCH -u dev:dev-pass -H 'Transfer-Encoding: chunked' \
    --data-binary @part.bin "http://$REG$s" >>par.codes &
  pids+=($!)
done
wait "${pids[@]}"
check "three parallel streamed PATCHes of 450 KB into 1 MiB: two land, one is refused 403" \
  bash -c "[ \$(grep -c 202 par.codes) = 2 ] && [ \$(grep -c 403 par.codes) = 1 ]"
check "... and together the sessions hold no more than the quota" \
  bash -c "t=0; for s in ${S[*]}; do t=\$((t + \$(offset \$s dev))); done; [ \$t -le \$((1 << 20)) ] && [ \$(uploads_bytes) -le \$((1 << 20)) ]"
for s in "${S[@]}"; do curl -s -o /dev/null -X DELETE -u dev:dev-pass "http://$REG$s"; done
check "cancelled sessions give their bytes back: a PATCH of 900 KB with a length fits" \
  bash -c "s=\$(start team/app dev); head -c 900000 /dev/urandom >p.bin; [ \"\$(code PATCH \$s -u dev:dev-pass --data-binary @p.bin)\" = '202 ' ] && curl -sf -X DELETE -u dev:dev-pass http://$REG\$s"

# ---- a normal push within the quota still works
make_layout "$WORK/img" --tag v1 --layers 2 --layer-size 100000 --seed 3 >/dev/null
check "a skopeo push within the quota works" \
  skopeo copy -q --dest-tls-verify=false --dest-creds dev:dev-pass "oci:$WORK/img:v1" "docker://$REG/team/app:v1"
check "... and a chunk with a length that would cross the quota is refused before it is read" \
  bash -c "s=\$(start team/app dev); head -c 900000 /dev/urandom >p.bin; [ \"\$(code PATCH \$s -u dev:dev-pass --data-binary @p.bin)\" = '403 DENIED' ] && [ \$(offset \$s dev) = 0 ] && curl -sf -X DELETE -u dev:dev-pass http://$REG\$s"

# ---- limits on open sessions: count and bytes, per user and per namespace
for i in 1 2 3; do start big/app dev; done >big.txt
mapfile -t B <big.txt
check "a fourth session for dev (max_sessions_per_user = 3): 429 TOOMANYREQUESTS naming the key" \
  bash -c "[ \"\$(code POST /v2/big/app/blobs/uploads/ -u dev:dev-pass)\" = '429 TOOMANYREQUESTS' ] && jq -r '.errors[0].message' body.json | grep -q 'uploads.max_sessions_per_user' "
check "... which ops may still open (the namespace has 3 of 4)" \
  bash -c "[ \"\$(code POST /v2/big/app/blobs/uploads/ -u ops:ops-pass)\" = '202 ' ]"
check "... but a fifth in the namespace (max_sessions_per_namespace = 4) is refused 429" \
  bash -c "[ \"\$(code POST /v2/big/app/blobs/uploads/ -u ops:ops-pass)\" = '429 TOOMANYREQUESTS' ] && jq -r '.errors[0].message' body.json | grep -q \"namespace 'big'.*uploads.max_sessions_per_namespace\""
head -c $((3 << 20)) /dev/urandom >three.bin
check "a 3 MiB chunk past max_bytes_per_user (2 MiB): 429, before it is read" \
  bash -c "[ \"\$(code PATCH ${B[0]} -u dev:dev-pass --data-binary @three.bin)\" = '429 TOOMANYREQUESTS' ] && jq -r '.errors[0].message' body.json | grep -q 'uploads.max_bytes_per_user' && [ \$(offset ${B[0]} dev) = 0 ]"
check "... streamed without a length: refused once 2 MiB are held" \
  bash -c "[ \"\$(code PATCH ${B[1]} -u dev:dev-pass -H 'Transfer-Encoding: chunked' --data-binary @three.bin)\" = '429 TOOMANYREQUESTS' ] && [ \$(offset ${B[1]} dev) = 0 ]"
check "a cancelled session makes room for a new one" \
  bash -c "curl -sf -X DELETE -u dev:dev-pass http://$REG${B[2]} && [ \"\$(code POST /v2/big/app/blobs/uploads/ -u dev:dev-pass)\" = '202 ' ]"

# ---- numbers from outside: the admin API and the upload path refuse them
patch_ns() { code PATCH /ferry/v1/namespaces/team -u admin:admin-pass -H 'Content-Type: application/json' -d "$1"; }
quota_of_team() { curl -s -u admin:admin-pass "http://$REG/ferry/v1/namespaces" | jq -c '.namespaces[] | select(.name == "team") | .quota'; }
export -f patch_ns quota_of_team
check "a quota of 2^63 bytes: 400 INVALID (not taken as none), the quota unchanged" \
  bash -c "[ \"\$(patch_ns '{\"quota\":9223372036854775808}')\" = '400 INVALID' ] && jq -r '.errors[0].message' body.json | grep -q 'for no quota set none' && [ \"\$(quota_of_team)\" = 1048576 ]"
check "a quota of 2^64 and of -1: 400 INVALID" \
  bash -c "[ \"\$(patch_ns '{\"quota\":18446744073709551616}')\" = '400 INVALID' ] && [ \"\$(patch_ns '{\"quota\":-1}')\" = '400 INVALID' ] && [ \"\$(quota_of_team)\" = 1048576 ]"
check "ferryctl namespace set --quota 2000000TiB: exit 2" \
  bash -c "[ \$(ctl namespace set team --quota 2000000TiB 2>err.txt; echo \$?) = 2 ] && grep -q 'over the largest' err.txt"
token() { code POST /ferry/v1/tokens -u admin:admin-pass -H 'Content-Type: application/json' -d "{\"user\":\"dev\",\"expiresIn\":$1}"; }
export -f token
check "a token expiresIn of 2^63-1, 1e30, -5 or 0: 400 INVALID, no token made" \
  bash -c "for n in 9223372036854775807 1e30 -5 0 1.5; do [ \"\$(token \$n)\" = '400 INVALID' ] || exit 1; done; jq -r '.errors[0].message' body.json | grep -q 'from 1 to' && [ \$(curl -s -u admin:admin-pass http://$REG/ferry/v1/tokens | jq '.tokens | length') = 0 ]"
check "... while a year is taken, expiring in a year" \
  bash -c "token 31536000 >/dev/null && jq -e '.expiresAt - now | . > 31535000 and . < 31537000' body.json"
check "ferryctl token create --expires 999999999999d: exit 2" \
  bash -c "[ \$(ctl token create --user dev --expires 999999999999d 2>err.txt; echo \$?) = 2 ]"
check "a Content-Range ending at 2^64-1: 416 RANGE_INVALID" \
  bash -c "[ \"\$(code PATCH ${B[0]} -u dev:dev-pass -H 'Content-Range: 0-18446744073709551615' --data-binary x)\" = '416 RANGE_INVALID' ]"

# ---- held bytes survive a restart, and expire with an abandoned session
stop_ferryd
ctl namespace set big --quota 1MiB
printf '[uploads]\nexpire_after = "6s"\n' >short.toml
start_ferryd "$DATA" --config short.toml
s=$(start big/app ops)
head -c 800000 /dev/urandom >p8.bin
curl -s -o /dev/null -X PATCH -u ops:ops-pass --data-binary @p8.bin "http://$REG$s"
stop_ferryd
start_ferryd "$DATA" --config short.toml
check "after a restart /metrics shows the 800 KB the session holds (ferry_upload_bytes_held)" \
  bash -c "curl -s http://$REG/metrics | awk '\$1 == \"ferry_upload_bytes_held\" { found = 1; ok = (\$2 + 0 == 800000) } END { exit !(found && ok) }'"
check "after a restart a session's 800 KB still count: 400 KB more is refused 403" \
  bash -c "s2=\$(start big/app dev); head -c 400000 /dev/urandom >p4.bin; [ \"\$(code PATCH \$s2 -u dev:dev-pass --data-binary @p4.bin)\" = '403 DENIED' ]"
check "once the abandoned session expires (expire_after = 6s) its bytes are free again" \
  bash -c "for _ in \$(seq 1 60); do s2=\$(start big/app dev); [ \"\$(code PATCH \$s2 -u dev:dev-pass --data-binary @p4.bin)\" = '202 ' ] && exit 0; curl -s -o /dev/null -X DELETE -u dev:dev-pass http://$REG\$s2; sleep 0.5; done; exit 1"

finish
