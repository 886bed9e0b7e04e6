#!/usr/bin/env bash
# ferryctl's access commands on a data dir a ferryd is serving: users,
# tokens, roles, namespaces and the audit log, each change checked and each
# refusal with its exit code (docs/access.md). What ferryd then enforces is
# auth_test.sh's.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
code() { local rc=0; "$@" >out.txt 2>err.txt || rc=$?; echo "$rc"; }
start_ferryd "$DATA"

check "user add reads the password from stdin" bash -c "echo 'correct horse' | '$FERRYCTL' --data-dir '$DATA' user add alice"
check "the password is stored as argon2id, never in clear" \
  bash -c "python3 -c \"import sqlite3; h=sqlite3.connect('$DATA/ferry.db').execute('select password_hash from users').fetchone()[0]; assert h.startswith('\\\$argon2id\\\$') and 'horse' not in h\""
check "adding alice again: exit 8, already exists" equal "$(echo 'correct horse' | code ctl user add alice)" 8
check "a short password: exit 2, says the minimum" \
  bash -c "[ \$(echo short | { rc=0; '$FERRYCTL' --data-dir '$DATA' user add bob 2>e.txt || rc=\$?; echo \$rc; }) = 2 ] && grep -q 'at least 8' e.txt"
check "a bad user name: exit 2" equal "$(echo 'correct horse' | code ctl user add 'Bad Name')" 2
check "user passwd changes it" bash -c "echo 'battery staple' | '$FERRYCTL' --data-dir '$DATA' user passwd alice"
check "user passwd of nobody: exit 9" equal "$(echo 'battery staple' | code ctl user passwd nobody)" 9
echo 'long enough' | ctl user add ci
check "user list" equal "$(ctl user list | cut -f1 | tr '\n' ' ')" "alice ci "

tok=$(ctl token create --user ci --expires 90d --description pipeline 2>tok.err)
check "token create prints the token once, on stdout" bash -c "[[ '$tok' =~ ^ferry_[0-9a-f]{12}_[0-9a-f]{64}\$ ]] && grep -q 'shown only now' tok.err"
id=${tok:6:12}
check "token list shows it active, with expiry and description, never the secret" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' token list | grep -q \"^$id	ci	active	expires 20..-..-..T..:..:..Z	pipeline\$\" && ! '$FERRYCTL' --data-dir '$DATA' token list | grep -q '${tok:19}'"
check "a token for nobody: exit 9" equal "$(code ctl token create --user nobody)" 9
check "a bad --expires: exit 2" equal "$(code ctl token create --user ci --expires soon)" 2
check "token revoke" ctl token revoke "$id"
check "... then it lists as revoked" bash -c "'$FERRYCTL' --data-dir '$DATA' token list | grep -q \"^$id	ci	revoked\""
check "revoking it again: exit 9" equal "$(code ctl token revoke "$id")" 9

check "grant alice team writer" ctl grant alice team writer
check "grant alice * reader" ctl grant alice '*' reader
check "grant with a made-up role: exit 2" equal "$(code ctl grant alice team boss)" 2
check "grant to nobody: exit 9" equal "$(code ctl grant nobody team reader)" 9
check "grants lists both" equal "$(ctl grants | tr '\t\n' ' |')" "alice * reader|alice team writer|"
check "revoke alice *" ctl revoke alice '*'
check "revoke what is not there: exit 9" equal "$(code ctl revoke alice other)" 9

check "namespace set: anonymous pull, imports, quota, immutable tags" \
  ctl namespace set team --anonymous-pull on --import on --quota 20GiB --immutable 'v*' --immutable latest
check "namespace list shows them" \
  equal "$(ctl namespace list)" "team	anonymous-pull on	import on	quota 20.0 GiB	immutable v*,latest"
check "namespace set changes only what it is given" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' namespace set team --quota none --immutable none && [ \"\$('$FERRYCTL' --data-dir '$DATA' namespace list)\" = 'team	anonymous-pull on	import on	quota none	immutable none' ]"
check "inherit puts a setting back to following '*'" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' namespace set team --quota inherit --anonymous-pull inherit && [ \"\$('$FERRYCTL' --data-dir '$DATA' namespace list)\" = 'team	anonymous-pull as *	import on	quota as *	immutable none' ]"
check "--immutable none beside a pattern: exit 2" \
  equal "$(code ctl namespace set team --immutable 'v*' --immutable none)" 2
check "an empty immutable pattern (an unset variable): exit 2" \
  equal "$(code ctl namespace set team --immutable '')" 2
check "the refused changes changed nothing" \
  equal "$(ctl namespace list)" "team	anonymous-pull as *	import on	quota as *	immutable none"
check "--anonymous-pull maybe: exit 2" equal "$(code ctl namespace set team --anonymous-pull maybe)" 2
check "--quota lots: exit 2" equal "$(code ctl namespace set team --quota lots)" 2
check "--import maybe: exit 2" equal "$(code ctl namespace set team --import maybe)" 2
check "a namespace may be a prefix of several components" ctl namespace set site/line1 --quota 1GiB
check "namespace del drops its settings" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' namespace del site/line1 && ! '$FERRYCTL' --data-dir '$DATA' namespace list | grep -q site/line1"
check "namespace del of one without settings: exit 9" equal "$(code ctl namespace del site/line1)" 9
check "... but not an invalid one (site//x): exit 2" equal "$(code ctl namespace set site//x --quota 1GiB)" 2

check "user del removes alice's roles too" bash -c "'$FERRYCTL' --data-dir '$DATA' user del alice && [ -z \"\$('$FERRYCTL' --data-dir '$DATA' grants)\" ]"
ctl audit --json >audit.json
check "the audit log has every change and every refusal, newest first" \
  python3 - audit.json <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
actions = [(e["action"], e["result"]) for e in log]
assert actions[0] == ("user del", "ok"), actions[0]
for want in [("user add", "ok"), ("user add", "refused"), ("token create", "ok"),
             ("token revoke", "ok"), ("token revoke", "refused"), ("grant", "ok"),
             ("grant", "refused"), ("revoke", "ok"), ("namespace set", "ok")]:
    assert want in actions, want
assert all(e["actor"].startswith("ferryctl:") and e["client"] == "local" for e in log)
assert not any("horse" in json.dumps(e) or "staple" in json.dumps(e) for e in log), "a secret leaked"
PY

# ---- status: totals and space per namespace, a shared blob counted once.
make_layout "$WORK/src" --tag v1 --layers 2 --layer-size 100000 --seed 1 >/dev/null
ctl grant ci '*' writer  # users exist now, so ferryd enforces roles
sleep 1.2
for r in team/app team/app-copy other/app; do
  skopeo copy --dest-tls-verify=false --dest-creds 'ci:long enough' "oci:$WORK/src:v1" "docker://$REG/$r:v1" >/dev/null
done
layout_bytes=$(find "$WORK/src/blobs" -type f -printf '%s\n' | awk '{s+=$1} END{print s}')
ctl status --json >status.json
check "status --json: 3 repositories, 3 tags, per-namespace space with shared blobs once" \
  python3 - status.json "$layout_bytes" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); layout = int(sys.argv[2])
assert s["repositories"] == 3 and s["tags"] == 3, s
ns = {n["namespace"]: n for n in s["namespaces"]}
assert ns["team"]["repositories"] == 2 and ns["team"]["tags"] == 2, ns
assert ns["team"]["bytes"] == layout, (ns["team"]["bytes"], layout)
assert ns["other"]["bytes"] == layout, ns
assert s["freeBytes"] > 0
PY
check "status for people names each namespace" bash -c "'$FERRYCTL' --data-dir '$DATA' status | grep -Eq '^team +2 +2 '"
check "ferryd kept serving throughout (401: it now wants a login)" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/")" 401

# ---- ls: namespaces, repositories, tags; on the data dir and through the registry alike.
check "ls: each namespace with its repositories and tags" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' ls | cut -f1-3 | tr '\t\n' ' |' | grep -qx 'other 1 repositories 1 tags|team 2 repositories 2 tags|'"
check "ls NAMESPACE: its repositories" equal "$(ctl ls team | cut -f1,2 | tr '\t\n' ' |')" "team/app 1 tags|team/app-copy 1 tags|"
check "ls REPO: its tags with digest, kind, platform and who pushed them" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' ls team/app | grep -Eq '^v1	sha256:[0-9a-f]{64}	image	linux/amd64	.*	20..-..-..T..:..:..Z	ci\$'"
ctl ls --json >ls.json
check "ls --json: a namespace's bytes count the shared blobs once" \
  python3 - ls.json "$layout_bytes" <<'PY'
import json, sys
ns = {n["name"]: n for n in json.load(open(sys.argv[1]))["namespaces"]}
assert ns["team"]["bytes"] == int(sys.argv[2]), (ns["team"], sys.argv[2])
PY
check "ls --registry answers what ls on the data dir does" \
  equal "$("$FERRYCTL" --registry "http://$REG" --creds 'ci:long enough' ls team/app --json)" "$(ctl ls team/app --json)"
echo 'viewer password' | ctl user add viewer
ctl grant viewer team reader
sleep 1.2
check "ls --registry shows a reader only what they may pull" \
  equal "$("$FERRYCTL" --registry "http://$REG" --creds 'viewer:viewer password' ls --json | jq -c '[.namespaces[].name]')" '["team"]'
check "ls --registry of a hidden repository: exit 9, as for one that is not there" \
  equal "$(code "$FERRYCTL" --registry "http://$REG" --creds 'viewer:viewer password' ls other/app)" 9
check "ls --registry with a wrong password: exit 11" \
  equal "$(code "$FERRYCTL" --registry "http://$REG" --creds 'viewer:wrong' ls)" 11
check "ls of nothing there: exit 9" equal "$(code ctl ls nothing/here)" 9
check "ls of an invalid name: exit 2" equal "$(code ctl ls 'Bad//Name')" 2

# ---- the audit log is pruned by ferryd's housekeeping (at start, then every
# few minutes) to audit.max_entries, oldest first.
total=$(ctl audit -n 100000 --json | jq length)
newest=$(ctl audit -n 1 --json | jq -c '.[0]')
stop_ferryd
printf '[audit]\nmax_entries = 5\nkeep = "3650d"\n' >audit.toml
start_ferryd "$DATA" --config audit.toml
for _ in $(seq 1 100); do grep -q 'audit: removed' ferryd.log && break; sleep 0.1; done
check "ferryd keeps the newest audit.max_entries entries and logs what it removed" \
  bash -c "[ \$('$FERRYCTL' --data-dir '$DATA' audit -n 100000 --json | jq length) = 5 ] && grep -q 'audit: removed $((total - 5)) old entries' ferryd.log"
check "... the newest entry is still there" \
  equal "$(ctl audit -n 1 --json | jq -c '.[0]')" "$newest"
finish
