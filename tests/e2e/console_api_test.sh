#!/usr/bin/env bash
# The console's API with curl and a cookie jar, as a browser uses it
# (docs/console.md): log in, the session cookie's flags, CSRF and Origin on
# changes, storage and a GC started through the API (its outcome kept
# across a restart), an import's receipt downloaded, the audit log
# filtered, and sessions ended by logout and by a password change.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
FERRY=${FERRY:?set FERRY to the ferry binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
echo admin-pass-1 | ctl user add admin >/dev/null
ctl grant admin '*' admin >/dev/null
echo dev-pass-123 | ctl user add dev >/dev/null
ctl grant dev team reader >/dev/null
ctl namespace set '*' --import on >/dev/null
start_ferryd "$DATA"
U=http://$REG/ferry/v1
J=(-b jar -c jar)  # the browser's cookie jar
code() { curl -s -o body.json -D headers.txt -w '%{http_code}' "$@"; }
csrf() { jq -r .csrf login.json; }

check "anonymous: no user, login required, admin of nothing" \
  bash -c "curl -sf $U/session | jq -e '.user == null and .loginRequired == true and .admin.everything == false'"
check "a wrong password: 401, and no cookie" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -c jar -H 'Content-Type: application/json' -d '{\"user\":\"admin\",\"password\":\"wrong-pass\"}' $U/session) = 401 ] && ! grep -q ferry_session jar 2>/dev/null"
check "login: 200 with a CSRF token, an expiry and admin of everything" \
  bash -c "[ \$(curl -s -o login.json -D login.h -w '%{http_code}' ${J[*]} -d '{\"user\":\"admin\",\"password\":\"admin-pass-1\"}' $U/session) = 200 ] && jq -e '.user == \"admin\" and (.csrf | length) == 64 and .expiresAt > now and .admin.everything' login.json"
check "... the cookie is HttpOnly, SameSite=Strict, Path=/, 12 h, not Secure over http" \
  bash -c "grep -i '^set-cookie:' login.h | grep -q 'ferry_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200' && ! grep -qi '^set-cookie:.*secure' login.h && grep -q '^#HttpOnly_127.0.0.1.*ferry_session' jar"
check "... and the answer carries X-Frame-Options, nosniff and no-referrer" \
  bash -c "grep -qi '^x-frame-options: DENY' login.h && grep -qi '^x-content-type-options: nosniff' login.h && grep -qi '^referrer-policy: no-referrer' login.h"
check "the cookie alone says who is calling" \
  bash -c "curl -sf ${J[*]} $U/session | jq -e --arg c \"\$(jq -r .csrf login.json)\" '.user == \"admin\" and .csrf == \$c'"

body='{"name":"ops","password":"ops-pass-123"}'
check "a change with the cookie but no CSRF token: 403 naming the header" \
  bash -c "[ \$(curl -s -o err.json -w '%{http_code}' ${J[*]} -d '$body' $U/users) = 403 ] && grep -q X-Ferry-CSRF err.json"
check "... with a wrong token: 403" \
  equal "$(code "${J[@]}" -H "X-Ferry-CSRF: $(printf '0%.0s' {1..64})" -d "$body" "$U/users")" 403
check "... from another origin: 403 naming it" \
  bash -c "[ \$(curl -s -o err.json -w '%{http_code}' ${J[*]} -H 'X-Ferry-CSRF: $(csrf)' -H 'Origin: http://evil.example' -d '$body' $U/users) = 403 ] && grep -q evil.example err.json"
check "... with the token and our own origin: done" \
  equal "$(code "${J[@]}" -H "X-Ferry-CSRF: $(csrf)" -H "Origin: http://$REG" -d "$body" "$U/users")" 204
check "... and the new user exists" bash -c "$FERRYCTL --data-dir $DATA user list | grep -q '^ops'"

check "storage: disk, namespaces, no GC or scrub yet" \
  bash -c "curl -sf ${J[*]} $U/storage | jq -e '.disk.totalBytes > .disk.freeBytes and (.namespaces | type) == \"array\" and .gc == {running: false, last: null} and .scrub.last == null and .damaged == []'"
check "a reader may not see storage: 403" \
  equal "$(code -u dev:dev-pass-123 "$U/storage")" 403
check "POST gc with the session: 202 started" \
  bash -c "[ \$(curl -s -o gc.json -w '%{http_code}' ${J[*]} -X POST -H 'X-Ferry-CSRF: $(csrf)' $U/gc) = 202 ] && jq -e '.started' gc.json"
gc_done() {
  for _ in $(seq 1 100); do
    curl -sf "${J[@]}" "$U/storage" | jq -e '.gc.running == false and .gc.last != null' >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
check "... it finishes and shows as the last GC, started by the API as admin" \
  bash -c "$(declare -f gc_done); J=(${J[*]}); U=$U; gc_done && curl -sf ${J[*]} $U/storage | jq -e '.gc.last.trigger == \"api:admin\" and .gc.last.error == null'"
stop_ferryd
start_ferryd "$DATA"
U=http://$REG/ferry/v1
check "the last GC outlives a restart, and so does the session" \
  bash -c "curl -sf -b jar $U/storage | jq -e '.gc.last.trigger == \"api:admin\"'"
check "ferryctl gc is recorded as the last GC too" \
  bash -c "ctl() { $FERRYCTL --data-dir $DATA \"\$@\"; }; ctl gc >/dev/null && curl -sf -b jar $U/storage | jq -e '.gc.last.trigger | startswith(\"ferryctl:\")'"

# ---- an import with a receipt, downloaded through the API
"$FERRY" keygen -o signer --no-password >/dev/null && mkdir -p trust && cp signer.pub trust/
make_layout "$WORK/a" --tag v1 --layers 1 --layer-size 2000 --seed 5 >/dev/null
"$FERRY" pack -k signer.key -o app.ferry "oci:$WORK/a:v1=team/app:v1" >/dev/null
check "ferryd import --receipt beside the server" \
  "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust --receipt receipt.json app.ferry
id=$(curl -sf -b jar "$U/imports" | jq -r '.imports[0].id')
check "the import says it has a receipt" \
  bash -c "curl -sf -b jar $U/imports | jq -e '.imports[0].receipt == true'"
check "... the receipt and its signature download as written" \
  bash -c "curl -sf -b jar -o got.json $U/imports/$id/receipt && cmp got.json receipt.json && curl -sf -b jar -o got.minisig $U/imports/$id/receipt.minisig && cmp got.minisig receipt.json.minisig"
check "... not to a reader of team (it lists every digest the box holds: 403); anonymous: 401" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -u dev:dev-pass-123 $U/imports/$id/receipt) = 403 ] && [ \$(curl -s -o /dev/null -w '%{http_code}' $U/imports/$id/receipt) = 401 ]"

check "the audit log filters: admin's logins, ok" \
  bash -c "curl -sf -b jar '$U/audit?user=admin&action=login&result=ok' | jq -e '(.entries | length) >= 1 and all(.entries[]; .actor == \"admin\" and .action == \"login\" and .result == \"ok\") and (.entries[0].id | type) == \"number\"'"
check "... failed logins of anyone, and the GC start" \
  bash -c "curl -sf -b jar '$U/audit?action=login&result=failed' | jq -e '.entries | length >= 1' && curl -sf -b jar '$U/audit?action=gc+start' | jq -e '.entries[0].actor == \"admin\"'"

check "logout: 204, cookie cleared, the old cookie is anonymous again" \
  bash -c "cp jar old-jar && [ \$(curl -s -o /dev/null -D out.h -w '%{http_code}' ${J[*]} -X DELETE -H 'X-Ferry-CSRF: $(csrf)' $U/session) = 204 ] && grep -qi '^set-cookie: ferry_session=;.*Max-Age=0' out.h && curl -sf -b old-jar $U/session | jq -e '.user == null'"
check "... and a change with it is refused 401" \
  equal "$(code -b old-jar -H "X-Ferry-CSRF: $(csrf)" -X POST "$U/gc")" 401
curl -s -o login.json -c jar -d '{"user":"admin","password":"admin-pass-1"}' "$U/session" >/dev/null
check "a password change ends the user's sessions" \
  bash -c "curl -sf -b jar $U/session | jq -e '.user == \"admin\"' && echo admin-pass-2 | $FERRYCTL --data-dir $DATA user passwd admin && curl -sf -b jar $U/session | jq -e '.user == null'"
check "login is throttled like HTTP Basic after repeated failures" \
  bash -c "for i in 1 2 3 4 5 6; do curl -s -o /dev/null -d '{\"user\":\"dev\",\"password\":\"bad-pass-\$i\"}' $U/session; done; [ \$(curl -s -o /dev/null -w '%{http_code}' -d '{\"user\":\"dev\",\"password\":\"dev-pass-123\"}' $U/session) = 429 ]"

# ---- [ui] session_ttl
stop_ferryd
printf '[ui]\nsession_ttl = "30s"\n' >short.toml
check "ui.session_ttl under a minute stops start-up: exit 2, naming the key and the range" \
  bash -c "rc=0; timeout 10 $FERRYD serve --listen 127.0.0.1:$(free_port) --data-dir $DATA --config short.toml 2>ttl.txt || rc=\$?; [ \$rc = 2 ] && grep -q 'ui.session_ttl' ttl.txt && grep -q '1m to 7d' ttl.txt"
printf '[ui]\nsession_ttl = "2m"\n' >two.toml
start_ferryd "$DATA" --config two.toml
check "ui.session_ttl = 2m: the cookie lasts 120 s, and so does the session" \
  bash -c "curl -s -o two.json -D two.h -d '{\"user\":\"admin\",\"password\":\"admin-pass-2\"}' http://$REG/ferry/v1/session && grep -qi '^set-cookie:.*Max-Age=120' two.h && jq -e '.expiresAt - now | . > 100 and . <= 120' two.json"
finish
