#!/usr/bin/env bash
# ferryctl --registry: every access command and status through a running
# ferryd's admin API over TLS, each change taking effect at once; the
# read-only audit endpoint; and what the API refuses (not an admin, a wrong
# password, an untrusted certificate, bad bodies, the locked default).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
local_ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
make_tls "$WORK/tls"
mkdir -p certs && cp tls/ca.crt certs/
podman_sandbox
img=$(make_layout "$WORK/a" --tag v1 --layers 2 --layer-size 300000 --seed 3)
make_layout "$WORK/b" --tag v1 --layers 2 --layer-size 300000 --seed 4 >/dev/null
rc_of() { local rc=0; "$@" >out.txt 2>err.txt || rc=$?; echo "$rc"; }

# ---- the open development default: loopback, no users. The first admin can
# be made through the API; listening beyond loopback, it cannot.
FERRY=${FERRY:?set FERRY to the ferry binary}
"$FERRY" keygen -o signer --no-password >/dev/null && mkdir -p trust && cp signer.pub trust/
"$FERRY" pack -k signer.key -o locked.ferry "oci:$WORK/a:v1=team/locked:v1" >/dev/null
port=$(free_port)
printf 'listen = "0.0.0.0:%s"\n[import]\ntrust_dir = "%s"\ninbox_settle = "1s"\n' "$port" "$WORK/trust" >locked.toml
"$FERRYD" serve --data-dir "$DATA" --config locked.toml 2>>ferryd.log &
FERRYD_PID=$!
until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do sleep 0.05; done
check "no users, beyond loopback: the admin API refuses (exit 11), saying to use the host" \
  bash -c "[ \$(echo admin-pass | $FERRYCTL --registry http://127.0.0.1:$port user add admin 2>err.txt; echo \$?) = 11 ] && grep -q 'create the first admin on the registry' err.txt"
cp locked.ferry "$DATA/inbox/locked.ferry.partial" && mv "$DATA/inbox/locked.ferry.partial" "$DATA/inbox/locked.ferry"
for _ in $(seq 1 100); do
  "$FERRYD" imports --data-dir "$DATA" --json | jq -e '.imports | length > 0' >/dev/null 2>&1 && break
  sleep 0.1
done
check "... and a bundle in the inbox is refused as not-allowed, nothing published" \
  bash -c "$FERRYD imports --data-dir $DATA --json | jq -e '.imports[0] | .result == \"refused\" and .reason == \"not-allowed\"' && [ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/v2/team/locked/tags/list) = 404 ]"
check "... and audited as the inbox's refused import of team/locked:v1" \
  bash -c "$FERRYCTL --data-dir $DATA audit --json | jq -e '[.[] | select(.actor == \"inbox\" and .action == \"import\" and .result == \"refused\" and (.target | endswith(\": team/locked:v1\")))] | length == 1'"
check "... so is ferryd import given that config: exit 26, saying what to do" \
  bash -c "\"$FERRYD\" import -q --config locked.toml --data-dir $DATA locked.ferry 2>imp.err; [ \$? = 26 ] && grep -q \"ferryctl namespace set '\\*' --import on\" imp.err"
stop_ferryd
check "... and, the daemon stopped, ferryd import without that config too (the data dir remembers): 26" \
  bash -c "\"$FERRYD\" import -q --data-dir $DATA --trust-dir trust locked.ferry 2>imp.err; [ \$? = 26 ]"
start_ferryd "$DATA"
check "no users, loopback: the first user is made through the API, as an admin of '*'" \
  bash -c "echo admin-pass | $FERRYCTL --registry http://$REG user add admin && $FERRYCTL --registry http://$REG --creds admin:admin-pass grants | grep -qP '^admin\t\*\tadmin$'"
stop_ferryd

SCHEME=https start_ferryd "$DATA" --tls-cert tls/server.crt --tls-key tls/server.key
R=("$FERRYCTL" --registry "https://$REG" --ca-cert tls/ca.crt)
RQ=$(printf '%q ' "${R[@]}")  # the same, as words for bash -c
A=("${R[@]}" --creds admin:admin-pass)
AQ=$(printf '%q ' "${A[@]}")  # the same, as words for bash -c
C=(curl -s --cacert tls/ca.crt)
CQ=$(printf '%q ' "${C[@]}")  # the same, as words for bash -c

check "user add through the API (password from stdin)" bash -c "echo dev-pass-1 | $AQ user add dev"
check "... the new user can log in at once" \
  equal "$("${C[@]}" -o /dev/null -w '%{http_code}' -u dev:dev-pass-1 "https://$REG/v2/")" 200
check "user passwd through the API: the old password stops working" \
  bash -c "echo dev-pass-2 | $AQ user passwd dev && [ \$($CQ -o /dev/null -w '%{http_code}' -u dev:dev-pass-1 https://$REG/v2/) = 401 ]"
check "user list" bash -c "$AQ user list | cut -f1 | tr '\n' ' ' | grep -qx 'admin dev '"
check "grant through the API; a push works at once" \
  bash -c "$AQ grant dev team writer && skopeo copy -q --dest-cert-dir certs --dest-creds dev:dev-pass-2 oci:$WORK/a:v1 docker://$REG/team/app:v1"
check "grants" bash -c "$AQ grants | grep -qP '^dev\tteam\twriter$'"
tok=$("${A[@]}" token create --user dev --expires 1h --description robot 2>tok.err)
check "token create through the API: shown once, with its expiry" \
  bash -c "[[ '$tok' == ferry_* ]] && grep -q 'expires' tok.err"
check "... the token pulls" skopeo inspect --cert-dir certs --creds "dev:$tok" "docker://$REG/team/app:v1"
check "token list (no secret in it)" bash -c "$AQ token list | grep -P '\tdev\tactive\t.*robot' && ! $AQ token list | grep -q '${tok:19}'"
check "token revoke through the API: the token stops working at once" \
  bash -c "$AQ token revoke ${tok:6:12} && ! skopeo inspect --cert-dir certs --creds dev:$tok docker://$REG/team/app:v1 2>/dev/null"
check "namespace set --anonymous-pull on: anonymous pulls work at once" \
  bash -c "$AQ namespace set team --anonymous-pull on && [ \$($CQ -o /dev/null -w '%{http_code}' https://$REG/v2/team/app/manifests/v1) = 200 ]"
check "namespace set --quota: a push over it is refused at once" \
  bash -c "$AQ namespace set team --quota 700KiB && ! skopeo copy -q --dest-cert-dir certs --dest-creds dev:dev-pass-2 oci:$WORK/b:v1 docker://$REG/team/other:v1 2>err.txt && grep -qi 'quota' err.txt"
check "namespace set --immutable; namespace list shows all three" \
  bash -c "$AQ namespace set team --immutable 'v*' --quota none && $AQ namespace list | grep -qP '^team\tanonymous-pull on\timport as \*\tquota none\timmutable v\*$'"
check "namespace del through the API: the quota and patterns go, '*' rules again" \
  bash -c "$AQ namespace set lab --quota 1MiB && $AQ namespace del lab && ! $AQ namespace list | grep -q '^lab' && [ \$($AQ namespace del lab 2>/dev/null; echo \$?) = 9 ]"
check "revoke through the API: the writer can no longer push" \
  bash -c "$AQ revoke dev team && ! skopeo copy -q --dest-cert-dir certs --dest-creds dev:dev-pass-2 oci:$WORK/a:v1 docker://$REG/team/app:v2 2>/dev/null"
check "status through the API equals status on the data dir" \
  bash -c "diff <($AQ status --json | jq -S 'del(.freeBytes)') <(\"$FERRYCTL\" --data-dir $DATA status --json | jq -S 'del(.freeBytes)')"
check "status shows the namespace, its tag and its space" \
  bash -c "$AQ status | grep -qE '^team +[12] +1 +[0-9.]+ KiB'"
check "audit through the API: changes under the admin's name, from its address" \
  bash -c "$AQ audit -n 20 | grep -P '\tadmin\t127\.0\.0\.1\tgrant\tdev team writer\tok'"
check "... token creation names the token" \
  bash -c "$AQ audit -n 50 | grep -P '\ttoken create\ttoken ${tok:6:12} of dev\tok'"
check "user del through the API" \
  bash -c "$AQ user del dev && ! $AQ user list | grep -q '^dev'"

# ---- refusals, each with its exit code and one line
echo reader-pass | local_ctl user add reader
local_ctl grant reader team reader
check "a non-admin: exit 11, naming the role needed" \
  bash -c "[ \$($RQ --creds reader:reader-pass user list 2>err.txt; echo \$?) = 11 ] && grep -q \"is not an admin\" err.txt"

# ---- a namespace admin manages that namespace's roles and settings, not
# its quota, and nothing else (Harbor's project admin).
echo ops-pass-123 | local_ctl user add ops
local_ctl grant ops team admin
sleep 1.2  # ferryd sees changes made on the data dir within a second
N=("${R[@]}" --creds ops:ops-pass-123)
NQ=$(printf '%q ' "${N[@]}")
check "a namespace admin grants a role in their namespace" \
  bash -c "$NQ grant reader team writer && $AQ grants | grep -qP '^reader\tteam\twriter$'"
check "... sees only their namespace's grants" \
  bash -c "[ \"\$($NQ grants | cut -f2 | sort -u | tr '\n' ' ')\" = 'team ' ]"
check "... changes its settings" \
  bash -c "$NQ namespace set team --anonymous-pull off && $NQ namespace list | grep -qP '^team\tanonymous-pull off'"
check "... but not its quota: exit 11, saying who may" \
  bash -c "[ \$($NQ namespace set team --quota 1TiB 2>err.txt; echo \$?) = 11 ] && grep -q \"quota needs the admin role in namespace '\\*'\" err.txt"
check "... nor another namespace's roles: exit 11" \
  bash -c "[ \$($NQ grant reader other writer 2>err.txt; echo \$?) = 11 ] && grep -q \"not an admin of namespace 'other'\" err.txt"
check "... nor users: exit 11" \
  bash -c "[ \$($NQ user list 2>err.txt; echo \$?) = 11 ] && grep -q \"admin of namespace 'team' only\" err.txt"
check "... and the refusals are audited under their name" \
  bash -c "$AQ audit -n 10 --json | jq -e '[.[] | select(.actor == \"ops\" and .result == \"refused\")] | length >= 2'"
local_ctl grant ops lab admin
sleep 1.2
check "... an admin of several namespaces is told which" \
  bash -c "[ \$($NQ user list 2>err.txt; echo \$?) = 11 ] && grep -q \"admin of namespaces 'lab', 'team' only\" err.txt"
local_ctl grant reader team reader
check "a wrong password: exit 11, saying where the login came from" \
  bash -c "[ \$($RQ --creds admin:nope user list 2>err.txt; echo \$?) = 11 ] && grep -q 'refused the login of .admin. (from --creds)' err.txt"
check "no credentials: exit 11, saying how to give them" \
  bash -c "[ \$($RQ user list 2>err.txt; echo \$?) = 11 ] && grep -q 'FERRYCTL_CREDS' err.txt"
check "an untrusted certificate (no --ca-cert): exit 10, suggesting --ca-cert" \
  bash -c "[ \$($FERRYCTL --registry https://$REG --creds admin:admin-pass user list 2>err.txt; echo \$?) = 10 ] && grep -q -- '--ca-cert' err.txt"
check "nobody listening: exit 10" \
  equal "$(rc_of "$FERRYCTL" --registry "http://127.0.0.1:$(free_port)" --creds a:b user list)" 10
check "an existing user: exit 8" bash -c "[ \$(echo x-pass-123 | $AQ user add reader 2>/dev/null; echo \$?) = 8 ]"
check "an unknown user: exit 9" equal "$(rc_of "${A[@]}" user del nobody)" 9
check "an unknown role: exit 2" equal "$(rc_of "${A[@]}" grant reader team boss)" 2
check "a short password: exit 2, and the refusal is audited" \
  bash -c "[ \$(echo short | $AQ user add newbie 2>/dev/null; echo \$?) = 2 ] && $AQ audit -n 5 | grep -P '\tuser add\tnewbie\trefused\ta password needs'"
check "gc through --registry: exit 2, saying to run it on the host" \
  bash -c "[ \$($AQ gc 2>err.txt; echo \$?) = 2 ] && grep -q \"registry's host\" err.txt"
check "FERRYCTL_CREDS instead of --creds" \
  bash -c "FERRYCTL_CREDS=admin:admin-pass $RQ user list | grep -q reader"
check "podman's saved login instead of --creds" \
  bash -c "podman login --cert-dir certs -u admin -p admin-pass $REG >/dev/null && $RQ grants | grep -q reader"

# ---- the endpoints themselves
check "GET /ferry/v1/audit as an admin: JSON entries, newest first, with the pushes" \
  bash -c "$CQ -u admin:admin-pass 'https://$REG/ferry/v1/audit?n=500' | jq -e '[.entries[] | select(.action == \"push manifest\" and .target == \"team/app:v1\" and .actor == \"dev\")] | length == 1'"
check "... as a reader: 403 DENIED" \
  equal "$("${C[@]}" -o /dev/null -w '%{http_code}' -u reader:reader-pass "https://$REG/ferry/v1/audit")" 403
check "... anonymous: 401 with the Bearer challenge" \
  bash -c "$CQ -D - -o /dev/null https://$REG/ferry/v1/audit | tr -d '\r' | grep -q '^HTTP/1.1 401' "
admin_bearer=$("${C[@]}" -u admin:admin-pass "https://$REG/ferry/v1/token?service=ferry&scope=repository:team/app:pull" | jq -r .token)
check "... with a bearer token, even an admin's: 401 saying to send Basic credentials" \
  bash -c "[ \$($CQ -o body.json -w '%{http_code}' -H 'Authorization: Bearer $admin_bearer' https://$REG/ferry/v1/audit) = 401 ] && grep -q 'does not cover the admin API' body.json"
check "... it is read-only: POST is 405 UNSUPPORTED" \
  bash -c "$CQ -u admin:admin-pass -X POST -d '{}' https://$REG/ferry/v1/audit | jq -e '.errors[0].code == \"UNSUPPORTED\"'"
check "a body that is not a JSON object: 400 INVALID" \
  bash -c "$CQ -u admin:admin-pass -X POST -d '[1]' https://$REG/ferry/v1/users | jq -e '.errors[0].code == \"INVALID\"'"
check "a field of the wrong type: 400 INVALID" \
  bash -c "$CQ -u admin:admin-pass -X POST -d '{\"name\":1,\"password\":\"x\"}' https://$REG/ferry/v1/users | jq -e '.errors[0].code == \"INVALID\"'"
check "PATCH a namespace: a quota of \"none\", and null to follow '*' again" \
  bash -c "$CQ -u admin:admin-pass -X PATCH -d '{\"quota\":\"none\",\"anonymousPull\":null}' https://$REG/ferry/v1/namespaces/team >/dev/null && $CQ -u admin:admin-pass https://$REG/ferry/v1/namespaces | jq -e '.namespaces[] | select(.name == \"team\") | .quota == \"none\" and .anonymousPull == null and .immutable == [\"v*\"]'"
check "... a quota that is not a number of bytes: 400 INVALID, nothing changed" \
  bash -c "$CQ -u admin:admin-pass -X PATCH -d '{\"quota\":\"20GiB\"}' https://$REG/ferry/v1/namespaces/team | jq -e '.errors[0].code == \"INVALID\"' && $CQ -u admin:admin-pass https://$REG/ferry/v1/namespaces | jq -e '.namespaces[] | select(.name == \"team\") | .quota == \"none\"'"
check "a body over 64 KiB: 413" \
  bash -c "head -c 70000 /dev/zero | tr '\0' 'a' | $CQ -o /dev/null -w '%{http_code}' -u admin:admin-pass -X POST --data-binary @- https://$REG/ferry/v1/users | grep -qx 413"
check "an unknown endpoint: 404 naming the ones there are" \
  bash -c "$CQ -u admin:admin-pass https://$REG/ferry/v1/nope | grep -q 'session, status, storage, gc, scrub, audit, users'"
check "no password or token in the log or the audit" \
  bash -c "! grep -q -e dev-pass -e admin-pass -e '${tok:19}' ferryd.log && ! $AQ audit -n 1000 --json | grep -q -e dev-pass -e '${tok:19}'"
finish
