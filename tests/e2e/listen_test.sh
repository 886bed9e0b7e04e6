#!/usr/bin/env bash
# Where ferryd listens: IPv6 ([::1], dual-stack [::]), host names, several
# --listen values and config entries, several systemd sockets; the locked
# default decided per address; the README's appliance recipe keeping
# anonymous pulls on; and the refusals that say what to write instead.
source "$(dirname "$0")/lib.sh"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
T=(--src-tls-verify=false)

# serve LOG URL FERRYD-ARGS...: starts ferryd (or a launcher of it) in the
# background, sets PID, and waits until URL answers /v2/ (200 or 401).
serve() {
  local log=$1 url=$2; shift 2
  "$@" 2>>"$log" &
  PID=$!
  for _ in $(seq 1 200); do
    [[ $(curl -sg -o /dev/null -w '%{http_code}' "$url/v2/" 2>/dev/null) =~ ^(200|401)$ ]] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "ferryd died at start"; cat "$log"; exit 1; }
    sleep 0.05
  done
  echo "ferryd did not answer on $url"; cat "$log"; exit 1
}
stop_serving() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
answers() { [[ $(curl -sg -o /dev/null -w '%{http_code}' "$1/v2/") =~ ^(200|401)$ ]]; }
# until_answers URL: polls for up to 10 s (systemd-socket-activate binds in the background).
until_answers() { for _ in $(seq 100); do answers "$1" && return 0; sleep 0.1; done; return 1; }
refused() { ! curl -sg -o /dev/null --max-time 5 "$1/v2/"; }
# pulled REF: skopeo copies REF out and its manifest digest is the pushed one.
pulled() {
  rm -rf out && skopeo copy -q "${T[@]}" "docker://$1" oci:out:x >/dev/null &&
    equal "$(jq -r '.manifests[0].digest' out/index.json)" "$digest"
}

# skopeo 1.9 (Debian 12) refuses docker://[::1]:PORT/... ("invalid reference
# format"), so it reaches [::1] through a name: `v6 CMD` runs CMD with its
# own /etc/hosts (a mount namespace) where localhost is ::1 only, so every
# connection it makes to localhost is IPv6. curl checks the literal [::1].
printf '::1 localhost\n' >hosts-v6
printf '127.0.0.1 localhost\n127.0.0.1 edgebox\n::1 edgebox\n:: wideopen\n' >hosts-names
NS=1
unshare -m true 2>/dev/null || NS=0
v6() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts-v6" "$@"; }
# pulled6 PORT: skopeo pulls localhost:PORT over IPv6 only, with the pushed digest.
pulled6() {
  ((NS)) || { echo "no mount namespace here: skopeo over IPv6 not checked"; return 0; }
  rm -rf out && v6 skopeo copy -q "${T[@]}" "docker://localhost:$1/e2e/app:v1" oci:out:x >/dev/null &&
    equal "$(jq -r '.manifests[0].digest' out/index.json)" "$digest"
}
# curl_pulled HOST:PORT: the manifest fetched from that literal address has the pushed digest.
curl_pulled() {
  equal "sha256:$(curl -sgf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$1/v2/e2e/app/manifests/v1" | sha256sum | cut -d' ' -f1)" "$digest"
}
push() { skopeo copy -q --dest-tls-verify=false oci:src:v1 "docker://$1"; }

digest=$(make_layout src --tag v1 --layers 2 --layer-size 100000)
p=$(free_port)
q=$(free_port)

# ---- [::1]: IPv6 loopback, so the open development default
serve v6.log "http://[::1]:$p" "$FERRYD" serve --data-dir data --listen "[::1]:$p"
if ((NS)); then
  check "skopeo pushes over IPv6 to [::1] (loopback: open without users)" \
    v6 skopeo copy -q --dest-tls-verify=false oci:src:v1 "docker://localhost:$p/e2e/app:v1"
else
  echo "skip - skopeo over IPv6 (no mount namespace); pushing with curl's help is not done"
  stop_serving
  exit 77
fi
check "skopeo pulls it back over IPv6 with the pushed digest" pulled6 "$p"
check "curl fetches the manifest from the literal [::1]:PORT, same digest" curl_pulled "[::1]:$p"
check "[::1] alone does not answer on 127.0.0.1" refused "http://127.0.0.1:$p"
check "ferryd says where it serves" grep -q "serving .* on \[::1\]:$p$" v6.log
stop_serving

# ---- a host name, and two --listen values at once
serve name.log "http://localhost:$p" "$FERRYD" serve --data-dir data --listen "localhost:$p"
check "skopeo pulls over localhost:PORT" pulled "localhost:$p/e2e/app:v1"
stop_serving
serve two.log "http://[::1]:$q" "$FERRYD" serve --data-dir data --listen "127.0.0.1:$p" --listen "[::1]:$q"
check "two --listen: skopeo pulls over the first (127.0.0.1)" pulled "127.0.0.1:$p/e2e/app:v1"
check "and over the second ([::1], IPv6)" pulled6 "$q"
check "and curl over the literal [::1]" curl_pulled "[::1]:$q"
check "and the log names both" grep -q "on 127.0.0.1:$p, \[::1\]:$q$" two.log
stop_serving

# ---- [::]: dual-stack, beyond loopback, so locked until a user exists
serve any.log "http://127.0.0.1:$p" "$FERRYD" serve --data-dir data --listen "[::]:$p"
check "[::] is dual-stack: skopeo pulls over 127.0.0.1" pulled "127.0.0.1:$p/e2e/app:v1"
check "and over ::1 (skopeo over IPv6)" pulled6 "$p"
check "and curl over the literal [::1]" curl_pulled "[::1]:$p"
check "the locked default refuses pushes on [::] (not loopback), saying what to do" bash -c \
  "$(declare -f push); ! push 127.0.0.1:$p/e2e/other:v1 2>push.err && grep -q 'create an admin' push.err"

# ---- the README's appliance recipe, on the running box: the first admin
# must not take anonymous pulls away from k3s nodes.
check "README recipe: user add, grant, imports on, anonymous pull on" bash -c "
  echo 'admin password' | '$FERRYCTL' --data-dir data user add admin &&
  '$FERRYCTL' --data-dir data grant admin '*' admin &&
  '$FERRYCTL' --data-dir data namespace set '*' --import on &&
  '$FERRYCTL' --data-dir data namespace set '*' --anonymous-pull on"
check "with an admin, an anonymous GET /v2/ gets the login challenge (401) within 10 s" bash -c \
  "for i in \$(seq 100); do [ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p/v2/) = 401 ] && exit 0; sleep 0.1; done; exit 1"
check "nodes still pull anonymously over IPv4" pulled "127.0.0.1:$p/e2e/app:v1"
check "and over IPv6" pulled6 "$p"
check "but anonymous pushes now need a login" bash -c \
  "$(declare -f push); ! push 127.0.0.1:$p/e2e/other:v1 2>/dev/null"
check "ferryctl --registry with a scheme reaches it over [::1]" bash -c \
  "'$FERRYCTL' --registry 'http://[::1]:$p' --creds 'admin:admin password' user list | grep -q admin"
stop_serving
check "ferryctl --registry HOST:PORT without a scheme: exit 2, says to add http:// or https://" bash -c \
  "rc=0; '$FERRYCTL' --registry '127.0.0.1:$p' --creds a:b user list 2>err.txt || rc=\$?; [ \$rc = 2 ] &&
   grep -qx \"ferryctl: --registry '127.0.0.1:$p' must start with http:// or https://; write http://127.0.0.1:$p (plain HTTP) or https://127.0.0.1:$p (TLS)\" err.txt"
check "ferryctl --registry '' (an unset variable): exit 2, and no ./data made or used" bash -c \
  "mkdir -p empty && cd empty && rc=0; '$FERRYCTL' --registry '' status 2>err.txt || rc=\$?; [ \$rc = 2 ] &&
   grep -q 'names no host\|must start with' err.txt && [ ! -e data ]"
check "ferryctl --registry http:// (no host): exit 2, sends no login anywhere" bash -c \
  "rc=0; '$FERRYCTL' --registry 'http://' --creds a:b status 2>err.txt || rc=\$?; [ \$rc = 2 ] &&
   grep -qx \"ferryctl: --registry 'http://' names no host; write http://HOST:PORT\" err.txt"
check "ferryctl --registry file:///x: exit 2, suggests http://HOST:PORT, not http:///x" bash -c \
  "rc=0; '$FERRYCTL' --registry 'file:///x' --creds a:b status 2>err.txt || rc=\$?; [ \$rc = 2 ] &&
   grep -q 'write http://HOST:PORT (plain HTTP)' err.txt"
check "ferryctl --registry with a bad port, a path or no slashes: exit 2, each saying what to write" bash -c "
  rc=0; '$FERRYCTL' --registry 'http://127.0.0.1:99999' --creds a:b status 2>e1.txt || rc=\$?; [ \$rc = 2 ] &&
  grep -q 'is not a usable URL' e1.txt &&
  rc=0; '$FERRYCTL' --registry 'http://127.0.0.1:$p/some/path' --creds a:b status 2>e2.txt || rc=\$?; [ \$rc = 2 ] &&
  grep -q 'has a path, query or fragment; .* write http://127.0.0.1:$p\$' e2.txt &&
  rc=0; '$FERRYCTL' --registry 'http:127.0.0.1:$p' --creds a:b status 2>e3.txt || rc=\$?; [ \$rc = 2 ] &&
  grep -q 'write http://127.0.0.1:$p (plain HTTP)' e3.txt"

# ---- the listen key: one string (as before) or an array
printf 'listen = ["127.0.0.1:%s", "[::1]:%s"]\n' "$p" "$q" >list.toml
serve conf.log "http://127.0.0.1:$p" "$FERRYD" serve --data-dir fresh --config list.toml
check "listen = [two addresses] serves both" answers "http://[::1]:$q"
check "loopback only, so the fresh box is open: a push over 127.0.0.1 works" push "127.0.0.1:$p/e2e/app:v1"
check "and it is served over [::1] too" curl_pulled "[::1]:$q"
stop_serving
printf 'listen = "[::1]:%s"\n' "$p" >one.toml
serve one.log "http://[::1]:$p" "$FERRYD" serve --data-dir fresh --config one.toml
check "listen = \"[::1]:PORT\" (one string, as before) serves it" curl_pulled "[::1]:$p"
stop_serving

# ---- a name with several addresses listens on each; one beyond loopback locks
if ((NS)); then
  serve multi.log "http://127.0.0.1:$p" unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
    "$WORK/hosts-names" "$FERRYD" serve --data-dir fresh2 --listen "edgebox:$p"
  check "a name with two addresses (127.0.0.1, ::1) answers on both" answers "http://[::1]:$p"
  check "the log names both addresses" \
    grep -Eq "on (127.0.0.1:$p, \[::1\]:$p|\[::1\]:$p, 127.0.0.1:$p)$" multi.log
  check "both loopback, so open: a push works" push "127.0.0.1:$p/e2e/app:v1"
  stop_serving
  serve wide.log "http://127.0.0.1:$p" unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
    "$WORK/hosts-names" "$FERRYD" serve --data-dir fresh2 --listen "wideopen:$p"
  check "a name resolving to :: is beyond loopback: pushes refused" bash -c \
    "! skopeo copy -q --dest-tls-verify=false oci:src:v1 'docker://127.0.0.1:$p/e2e/two:v1' 2>/dev/null"
  stop_serving
else
  echo "skip - names with several addresses (no mount namespace to give ferryd its own /etc/hosts)"
fi

# ---- socket activation with two sockets (two ListenStream= lines)
systemd-socket-activate -l "127.0.0.1:$p" -l "[::1]:$q" \
  "$FERRYD" serve --data-dir activated --listen 127.0.0.1:1 2>activated.log &
PID=$!
check "socket activation, two sockets: the first answers" until_answers "http://127.0.0.1:$p"
check "and the second" answers "http://[::1]:$q"
check "ferryd names both, and --listen is ignored" bash -c \
  "for i in \$(seq 50); do grep -q 'on 127.0.0.1:$p, \[::1\]:$q (from systemd)' activated.log && exit 0; sleep 0.1; done; exit 1"
check "both loopback: the activated box is open (a push works)" push "127.0.0.1:$p/e2e/app:v1"
check "and is served on the [::1] socket" curl_pulled "[::1]:$q"
stop_serving
systemd-socket-activate -l "[::]:$p" "$FERRYD" serve --data-dir activated 2>activated-any.log &
PID=$!
until_answers "http://127.0.0.1:$p" || true
check "an activated [::] socket is judged by its address: locked, pushes refused" bash -c \
  "! skopeo copy -q --dest-tls-verify=false oci:src:v1 'docker://127.0.0.1:$p/e2e/two:v1' 2>/dev/null"
stop_serving

# ---- refusals
code() { local rc=0; "$@" >/dev/null 2>err.txt || rc=$?; echo "$rc"; }
check "--listen ::1:PORT: exit 2, write [::1]:PORT" bash -c \
  "[ \$('$FERRYD' serve --data-dir bad --listen ::1:$p 2>&1 >/dev/null | tee /dev/stderr | grep -c 'write \[::1\]:$p') = 1 ]"
check "a bad port: exit 2" equal "$(code "$FERRYD" serve --data-dir bad --listen '[::1]:http')" 2
check "a name that does not resolve: exit 3" \
  equal "$(code "$FERRYD" serve --data-dir bad --listen 'no-such-host.invalid:5000')" 3
check "[::]:PORT with 127.0.0.1:PORT overlap: exit 2, give only [::]" bash -c \
  "[ \$(rc=0; '$FERRYD' serve --data-dir bad --listen '[::]:$p' --listen 127.0.0.1:$p 2>e.txt || rc=\$?; echo \$rc) = 2 ] &&
   grep -q 'give only \[::\]:$p' e.txt && [ ! -e bad/ferry.db ]"
check "two addresses in one value: exit 2, says to repeat --listen" bash -c \
  "[ \$(rc=0; '$FERRYD' serve --data-dir bad --listen '127.0.0.1:$p,[::1]:$p' 2>e.txt || rc=\$?; echo \$rc) = 2 ] &&
   grep -q 'repeat --listen' e.txt"
check "link-local with no interface: exit 2, says to add %IFACE" bash -c \
  "[ \$(rc=0; '$FERRYD' serve --data-dir bad --listen '[fe80::1]:$p' 2>e.txt || rc=\$?; echo \$rc) = 2 ] &&
   grep -q 'fe80::1%eth0' e.txt"
printf 'listen = "localhost"\n' >bad-listen.toml
mkdir -p keys
check "ferryd import with a bad listen key (serve ignores it when systemd passes sockets): not stopped by it, warns, judges the box beyond loopback" bash -c \
  "rc=0; '$FERRYD' import --config bad-listen.toml --data-dir bad --trust-dir keys x.ferry 2>e.txt || rc=\$?
   [ \$rc = 2 ] && grep -q \"listen key is not valid (listen address 'localhost' has no port\" e.txt &&
   grep -q 'x.ferry' e.txt"
serve busy.log "http://[::1]:$p" "$FERRYD" serve --data-dir data --listen "[::1]:$p"
check "[::1]:PORT already taken: exit 3, naming the address" bash -c \
  "[ \$(rc=0; '$FERRYD' serve --data-dir other --listen '[::1]:$p' 2>e.txt || rc=\$?; echo \$rc) = 3 ] &&
   grep -q 'cannot listen on \[::1\]:$p' e.txt"
stop_serving
finish
