#!/usr/bin/env bash
# Access control over plain HTTP with real clients: podman login/push/pull,
# skopeo --creds and --authfile, curl for the refusals. Every refusal is
# checked for its status and error code, and for an unchanged store.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
export WORK  # status() below runs in bash -c subshells too
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
podman_sandbox
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
img=$(make_layout "$WORK/a" --tag v1 --layers 2 --layer-size 100000 --seed 1)
img2=$(make_layout "$WORK/b" --tag v1 --layers 2 --layer-size 100000 --seed 2)
push() {  # push LAYOUT REF [skopeo flags...]
  local src=$1 ref=$2; shift 2
  skopeo copy --dest-tls-verify=false "$@" "oci:$WORK/$src:v1" "docker://$REG/$ref" >/dev/null 2>push.err
}
pull() { rm -rf "$WORK/pulled"; skopeo copy --src-tls-verify=false "$@" "oci:$WORK/pulled:x" >/dev/null 2>pull.err; }
# status METHOD PATH [curl args]: the HTTP status and the error code, e.g. "401 UNAUTHORIZED".
# Each call comes from its own loopback address (127.0.0.N), so deliberate
# failures do not add up to the per-address login throttle.
# (The counter lives in a file: status runs in command substitutions.)
echo 10 >"$WORK/src.n"
status() {
  local method=$1 path=$2 src; shift 2
  src=$(($(cat "$WORK/src.n") + 1)); echo "$src" >"$WORK/src.n"
  curl -s --interface "127.0.0.$src" -o body.json -w '%{http_code}' -X "$method" "$@" "http://$REG$path" >code.txt
  echo "$(cat code.txt) $(python3 -c "import json;print(json.load(open('body.json'))['errors'][0]['code'])" 2>/dev/null)"
}
tags_of() { curl -sf -u admin:admin-pass "http://$REG/v2/$1/tags/list" | python3 -c 'import json,sys;print(sorted(json.load(sys.stdin).get("tags") or []))'; }

# ---- no users, listening beyond loopback: pulls open, writes refused.
port=$(free_port)
"$FERRYD" serve --listen "0.0.0.0:$port" --data-dir "$DATA" 2>>ferryd.log &
FERRYD_PID=$!
REG=127.0.0.1:$port
until curl -sf "http://$REG/v2/" >/dev/null; do sleep 0.05; done
check "no users, not loopback: a push is refused 403 DENIED, saying how to fix it" \
  bash -c "[ \"\$(curl -s -o b.json -w '%{http_code}' -X POST http://$REG/v2/x/app/blobs/uploads/)\" = 403 ] && grep -q 'ferryctl user add' b.json"
check "... while GET /v2/ stays open" curl -sf "http://$REG/v2/"
stop_ferryd

# ---- users and roles; ferryd on loopback now enforces them.
for u in admin dev reader maint; do echo "$u-pass" | ctl user add "$u"; done
ctl grant admin '*' admin
ctl grant dev team writer
ctl grant reader team reader
ctl grant maint team maintainer
ctl namespace set public --anonymous-pull on
ctl namespace set team --immutable 'v*'
start_ferryd "$DATA"

check "anonymous GET /v2/: 401 with a Bearer challenge naming the token endpoint" \
  bash -c "curl -s -D - -o /dev/null http://$REG/v2/ | tr -d '\r' | grep -qx 'WWW-Authenticate: Bearer realm=\"http://$REG/ferry/v1/token\",service=\"ferry\"'"
check "podman login with the right password" \
  "${P[@]}" login --tls-verify=false -u dev -p dev-pass "$REG"
check "skopeo push with --authfile (podman's login)" push a team/app:v1 --authfile "$REGISTRY_AUTH_FILE"
check "... and pull it back, same digest" \
  bash -c "$(declare -f pull); WORK=$WORK; pull --authfile $REGISTRY_AUTH_FILE docker://$REG/team/app:v1 && grep -q '$img' $WORK/pulled/index.json"
image_id=$(build_scratch_image localhost/e2e/auth:v1 500000)
check "podman push with that login" \
  "${P[@]}" push -q --tls-verify=false localhost/e2e/auth:v1 "$REG/team/podman:v1"
"${P[@]}" rmi -f localhost/e2e/auth:v1 >/dev/null
check "... and podman pull: the image that was built" \
  bash -c "$PQ pull -q --tls-verify=false $REG/team/podman:v1 >/dev/null && [ \"\$($PQ image inspect --format '{{.Id}}' $REG/team/podman:v1)\" = $image_id ]"
check "podman logout" "${P[@]}" logout "$REG"
check "... then podman pull is refused for the login" \
  bash -c "! $PQ pull -q --tls-verify=false $REG/team/podman:v1 2>err.txt && grep -qi 'unauthorized\|authentication required' err.txt"
check "skopeo --src-creds reader pulls" pull --src-creds reader:reader-pass "docker://$REG/team/app:v1"
check "a reader pushing: refused" bash -c "! skopeo copy --dest-tls-verify=false --dest-creds reader:reader-pass oci:$WORK/b:v1 docker://$REG/team/app:dev 2>err.txt"
check "... 403 DENIED naming the role needed" \
  bash -c "$(declare -f status); REG=$REG; [ \"\$(status POST /v2/team/app/blobs/uploads/ -u reader:reader-pass)\" = '403 DENIED' ] && grep -q 'needs the writer role' body.json"
check "... and the store is unchanged" equal "$(tags_of team/app)" "['v1']"
check "no credentials, push: 401 UNAUTHORIZED" equal "$(status POST /v2/team/app/blobs/uploads/)" "401 UNAUTHORIZED"
check "a wrong password: 401 UNAUTHORIZED" equal "$(status GET /v2/team/app/tags/list -u dev:wrong)" "401 UNAUTHORIZED"
check "an unknown user: 401 UNAUTHORIZED" equal "$(status GET /v2/team/app/tags/list -u mallory:x)" "401 UNAUTHORIZED"
check "a malformed Authorization header: 401 saying what is expected" \
  bash -c "$(declare -f status); REG=$REG; [ \"\$(status GET /v2/ -H 'Authorization: Basic !!!notbase64')\" = '401 UNAUTHORIZED' ] && grep -q 'malformed' body.json"
check "another scheme: 401" equal "$(status GET /v2/ -H 'Authorization: Digest x')" "401 UNAUTHORIZED"
check "a writer deleting: 403 DENIED" equal "$(status DELETE /v2/team/app/manifests/v1 -u dev:dev-pass)" "403 DENIED"
check "... the tag is still there" equal "$(tags_of team/app)" "['v1']"

push a team/app:dev --dest-creds dev:dev-pass
check "a writer moving an existing tag to another image: 403 DENIED" \
  bash -c "! skopeo copy --dest-tls-verify=false --dest-creds dev:dev-pass oci:$WORK/b:v1 docker://$REG/team/app:dev 2>/dev/null"
check "... pushing the same image to it again is fine" push a team/app:dev --dest-creds dev:dev-pass
check "a maintainer moves it" push b team/app:dev --dest-creds maint:maint-pass
check "overwriting an immutable tag (v*), even as admin: refused" \
  bash -c "! skopeo copy --dest-tls-verify=false --dest-creds admin:admin-pass oci:$WORK/b:v1 docker://$REG/team/app:v1 2>err.txt && grep -qi 'denied' err.txt"
check "... and it still names the first image" \
  equal "$(curl -s -u admin:admin-pass -H 'Accept: application/vnd.oci.image.manifest.v1+json' -o /dev/null -D - "http://$REG/v2/team/app/manifests/v1" | tr -d '\r' | awk 'tolower($1)=="docker-content-digest:"{print $2}')" "$img"
check "deleting an immutable tag by digest: 403 DENIED" equal "$(status DELETE "/v2/team/app/manifests/$img" -u admin:admin-pass)" "403 DENIED"
check "a maintainer deletes a mutable tag" equal "$(status DELETE /v2/team/app/manifests/dev -u maint:maint-pass)" "202 "

# ---- the bearer-token flow, by hand
claims() { python3 -c "import base64,json,sys; t=json.load(open('$WORK/tok.json'))['token'].split('.')[0]; print(json.dumps(json.loads(base64.urlsafe_b64decode(t + '=' * (-len(t) % 4)))['access']))"; }
curl -sf -u reader:reader-pass "http://$REG/ferry/v1/token?service=ferry&scope=repository:team/app:pull,push" >tok.json
check "the token endpoint grants a reader pull but not push" \
  equal "$(claims)" '[{"actions": ["pull"], "name": "team/app", "type": "repository"}]'
bearer=$(python3 -c "import json;print(json.load(open('$WORK/tok.json'))['token'])")
check "... and the token pulls" equal "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bearer" "http://$REG/v2/team/app/tags/list")" 200
check "a reader pushing with it: 403 DENIED" \
  equal "$(status POST /v2/team/app/blobs/uploads/ -H "Authorization: Bearer $bearer")" "403 DENIED"
pull_only=$(curl -sf -u dev:dev-pass "http://$REG/ferry/v1/token?service=ferry&scope=repository:team/app:pull" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
check "a writer pushing with a pull-only token: 401 with a challenge for the push scope" \
  bash -c "curl -s -D - -o /dev/null -X POST -H 'Authorization: Bearer $pull_only' http://$REG/v2/team/app/blobs/uploads/ | tr -d '\r' | grep -q 'scope=\"repository:team/app:push\"'"
check "a forged token (claims edited): 401 UNAUTHORIZED" \
  equal "$(status GET /v2/team/app/tags/list -H "Authorization: Bearer $(python3 -c "
import base64,json; t='$bearer'; p,s=t.split('.'); c=json.loads(base64.urlsafe_b64decode(p+'='*(-len(p)%4)))
c['access'][0]['actions']=['pull','push','delete']; print(base64.urlsafe_b64encode(json.dumps(c).encode()).decode().rstrip('=')+'.'+s)")")" "401 UNAUTHORIZED"
curl -sf "http://$REG/ferry/v1/token?service=ferry&scope=repository:public/app:pull&scope=repository:team/app:pull" >tok.json
check "an anonymous token covers public pulls only" \
  equal "$(claims)" '[{"actions": ["pull"], "name": "public/app", "type": "repository"}]'
check "wrong credentials at the token endpoint: 401" equal "$(status GET '/ferry/v1/token?scope=repository:team/app:pull' -u dev:nope)" "401 UNAUTHORIZED"
# The OAuth2 password grant, which containerd tries first.
curl -sf -X POST --data-urlencode grant_type=password --data-urlencode username=reader \
  --data-urlencode password=reader-pass --data-urlencode service=ferry \
  --data-urlencode 'scope=repository:team/app:pull,push repository:public/app:pull' \
  "http://$REG/ferry/v1/token" >tok.json
check "POST the token endpoint (OAuth2 password grant): the same grants as GET, several scopes" \
  equal "$(claims)" '[{"actions": ["pull"], "name": "team/app", "type": "repository"}, {"actions": ["pull"], "name": "public/app", "type": "repository"}]'
check "... with a wrong password: 401" \
  equal "$(status POST /ferry/v1/token --data 'grant_type=password&username=reader&password=nope')" "401 UNAUTHORIZED"
check "... another grant type: 400 INVALID, saying what ferryd takes" \
  bash -c "$(declare -f status); REG=$REG; [ \"\$(status POST /ferry/v1/token --data 'grant_type=refresh_token&refresh_token=x')\" = '400 INVALID' ] && grep -q 'grant_type=password' body.json"

# ---- robot tokens
tok=$(ctl token create --user dev --description ci 2>/dev/null)
check "a robot token pushes (skopeo --dest-creds dev:TOKEN)" push b team/bot:latest --dest-creds "dev:$tok"
check "a token under another user's name: 401" equal "$(status GET /v2/team/bot/tags/list -u "reader:$tok")" "401 UNAUTHORIZED"
# Change the last character to one it is not, or the "tampered" token is the real one.
tampered="${tok%?}0"; [ "$tampered" != "$tok" ] || tampered="${tok%?}1"
check "a tampered token: 401" equal "$(status GET /v2/team/bot/tags/list -u "dev:$tampered")" "401 UNAUTHORIZED"
ctl token revoke "${tok:6:12}"
sleep 1.2
check "a revoked token: 401" equal "$(status GET /v2/team/bot/tags/list -u "dev:$tok")" "401 UNAUTHORIZED"
short=$(ctl token create --user dev --expires 1s 2>/dev/null)
sleep 1.5
check "an expired token: 401" equal "$(status GET /v2/team/bot/tags/list -u "dev:$short")" "401 UNAUTHORIZED"
# ferryd caches a checked robot token, but never past its expiry.
short=$(ctl token create --user dev --expires 3s 2>/dev/null)
check "a robot token that works ..." equal "$(status GET /v2/team/bot/tags/list -u "dev:$short")" "200 "
sleep 3.5
check "... stops working when it expires, though ferryd had cached it" \
  equal "$(status GET /v2/team/bot/tags/list -u "dev:$short")" "401 UNAUTHORIZED"
check "a token used outside its user's namespaces: 403" \
  bash -c "t=\$('$FERRYCTL' --data-dir '$DATA' token create --user dev 2>/dev/null); $(declare -f status); REG=$REG; [ \"\$(status POST /v2/other/app/blobs/uploads/ -u dev:\$t)\" = '403 DENIED' ]"

# ---- anonymous pull, the catalog, changes without restart
push a public/app:v1 --dest-creds admin:admin-pass
check "anonymous pull from a namespace with anonymous pull on" pull "docker://$REG/public/app:v1"
check "a logged-in user without a role there pulls it too" \
  pull --src-creds reader:reader-pass "docker://$REG/public/app:v1"
check "anonymous pull elsewhere: 401" equal "$(status GET /v2/team/app/tags/list)" "401 UNAUTHORIZED"
check "the catalog lists only what the caller may pull (reader)" \
  equal "$(curl -sf -u reader:reader-pass "http://$REG/v2/_catalog" | python3 -c 'import json,sys;print(json.load(sys.stdin)["repositories"])')" "['public/app', 'team/app', 'team/bot', 'team/podman']"
check "... (anonymous)" \
  equal "$(curl -sf "http://$REG/v2/_catalog" | python3 -c 'import json,sys;print(json.load(sys.stdin)["repositories"])')" "['public/app']"
ctl namespace set '*' --anonymous-pull on
ctl namespace set lab --quota 1GiB
ctl namespace set team --anonymous-pull off
sleep 1.2
check "'*' with anonymous pull on: a namespace with only a quota of its own follows it" \
  equal "$(status GET /v2/lab/app/tags/list)" "404 NAME_UNKNOWN"
check "... and one that turned it off stays closed" equal "$(status GET /v2/team/app/tags/list)" "401 UNAUTHORIZED"
ctl namespace set '*' --anonymous-pull inherit
ctl grant reader team writer
sleep 1.2
check "a ferryctl grant takes effect without a restart" push b team/app:reader-pushed --dest-creds reader:reader-pass

# ---- guessing is slowed down
for _ in 1 2 3 4 5 6; do curl -s --interface 127.0.0.5 -o /dev/null -u maint:guess "http://$REG/v2/team/app/tags/list"; done
check "repeated wrong passwords from one address: 429 TOOMANYREQUESTS" \
  equal "$(curl -s --interface 127.0.0.5 -o /dev/null -w '%{http_code}' -u nobody:guess "http://$REG/v2/team/app/tags/list")" 429
check "... and for that user from anywhere, even with the right password" \
  equal "$(status GET /v2/team/app/tags/list -u maint:maint-pass)" "429 TOOMANYREQUESTS"

# ---- quotas: refused before the namespace goes over, at push and at import
FERRY=${FERRY:?set FERRY to the ferry binary}
ctl grant dev quota writer
ctl namespace set quota --quota 150KiB
sleep 1.2
check "a push that would go over the namespace's quota: refused" \
  bash -c "! skopeo copy --dest-tls-verify=false --dest-creds dev:dev-pass oci:$WORK/a:v1 docker://$REG/quota/app:v1 2>quota.err"
check "... 403 DENIED saying the quota, the use and what to do" \
  bash -c "$(declare -f status); REG=$REG; [ \"\$(status POST '/v2/quota/app/blobs/uploads/?digest=sha256:0000000000000000000000000000000000000000000000000000000000000000' -u dev:dev-pass --data-binary @$WORK/a/blobs/sha256/$(ls $WORK/a/blobs/sha256 | head -1))\" = '403 DENIED' ] && grep -q 'over its quota of 150.0 KiB' body.json && grep -q 'ferryctl namespace set quota --quota' body.json"
check "... and no tag was published" equal "$(tags_of quota/app)" "[]"
"$FERRY" keygen -o k --no-password >/dev/null && mkdir -p trust && cp k.pub trust/
"$FERRY" pack -k k.key -o q.ferry "oci:$WORK/b:v1=quota/imp:v1" >/dev/null
rc=0; "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust q.ferry 2>imp.err || rc=$?
check "users exist: an import into a namespace without import on is refused (26), saying how to allow it" \
  bash -c "[ $rc -eq 26 ] && grep -q \"namespace 'quota' does not take imports (quota/imp); allow them with ferryctl namespace set quota --import on\" imp.err"
check "... and nothing was published (404)" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' -u admin:admin-pass "http://$REG/v2/quota/imp/tags/list")" 404
ctl namespace set quota --import on
rc=0; "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust q.ferry 2>imp.err || rc=$?
check "an import that would go over it: refused (25), naming the namespace" \
  bash -c "[ $rc -eq 25 ] && grep -q \"namespace 'quota'\" imp.err"
ctl namespace set quota --quota 10MiB
sleep 1.2
check "with the quota raised (no restart), the push works" push a quota/app:v1 --dest-creds dev:dev-pass
check "... and so does the import" "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust q.ferry

# ---- imports follow "*" unless a namespace says otherwise
ctl namespace set '*' --import on
"$FERRY" pack -k k.key -o t1.ferry --channel inherit1 "oci:$WORK/b:v1=team/imported:v1" >/dev/null
"$FERRY" pack -k k.key -o t2.ferry --channel inherit2 "oci:$WORK/b:v1=team/imported:v2" >/dev/null
check "with '*' --import on, a namespace with settings of its own but no import rule takes imports" \
  "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust t1.ferry
ctl namespace set team --import off
rc=0; "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust t2.ferry 2>imp.err || rc=$?
check "... until it turns them off itself (26)" equal "$rc" 26

# ---- a namespace may be a configured prefix of several components
ctl grant dev site/line1 writer
sleep 1.2
check "a role in the prefix namespace site/line1 lets its holder push under it" \
  push b site/line1/app:v1 --dest-creds dev:dev-pass
check "... but not elsewhere under site: 403 naming namespace 'site'" \
  bash -c "$(declare -f status); REG=$REG; [ \"\$(status POST /v2/site/other/blobs/uploads/ -u dev:dev-pass)\" = '403 DENIED' ] && grep -q \"namespace 'site'\" body.json"
check "ferryctl status lists the prefix namespace with its space" \
  bash -c "ctl() { \"$FERRYCTL\" --data-dir \"$DATA\" \"\$@\"; }; ctl status | grep -qE '^site/line1 +1 +1 '"

ctl audit --json -n 1000 >audit.json
check "the audit log has pushes, refusals, deletes, imports and failed logins, with who and from where" \
  python3 - audit.json <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
seen = {(e["actor"], e["action"], e["result"]) for e in log}
for want in [("dev", "push manifest", "ok"), ("maint", "delete manifest", "ok"),
             ("admin", "push manifest", "refused"), ("anonymous", "login", "failed")]:
    assert want in seen, (want, sorted(seen))
imports = [e for e in log if e["action"] == "import"]
assert all(e["actor"].startswith("ferryd import:") for e in imports), imports
assert any(e["result"] == "refused" and e["detail"].startswith("signer ") and "not-allowed:" in e["detail"]
           and e["target"].endswith(": quota/imp:v1") for e in imports), imports
assert any(e["result"] == "refused" and "quota:" in e["detail"] for e in imports), imports
assert any(e["result"] == "ok" and e["target"].startswith("bundle ") for e in imports), imports
assert all(e["client"] for e in log)
text = json.dumps(log)
assert not any(s in text for s in ("dev-pass", "admin-pass", "reader-pass", "maint-pass", "ferry_")), \
    "a secret leaked"
PY
check "passwords never reach the log" bash -c "! grep -q -e 'dev-pass' -e 'ferry_' ferryd.log"

# ---- a bearer token ferryd has checked (and cached) stops at its expiry.
stop_ferryd
printf '[auth]\ntoken_ttl = "2s"\n' >short-tokens.toml
start_ferryd "$DATA" --config short-tokens.toml
short_bearer=$(curl -sf -u reader:reader-pass "http://$REG/ferry/v1/token?service=ferry&scope=repository:team/app:pull" | jq -r .token)
check "a bearer token pulls ..." \
  equal "$(status GET /v2/team/app/tags/list -H "Authorization: Bearer $short_bearer")" "200 "
sleep 2.5
check "... and is refused once it expires (auth.token_ttl), cached or not" \
  equal "$(status GET /v2/team/app/tags/list -H "Authorization: Bearer $short_bearer")" "401 UNAUTHORIZED"
stop_ferryd
printf '[auth]\ntoken_ttl = "0"\n' >zero-ttl.toml
check "auth.token_ttl = 0 (tokens born expired) stops start-up: exit 2, naming the key and the range" \
  bash -c "rc=0; '$FERRYD' serve --listen 127.0.0.1:0 --data-dir '$DATA' --config zero-ttl.toml 2>zero.txt || rc=\$?;
           cat zero.txt; [ \$rc = 2 ] && grep -q 'auth.token_ttl' zero.txt && grep -q '1s to 24h' zero.txt"
finish
