#!/usr/bin/env bash
# ferryd over HTTPS with a CA this test makes: podman login/push/pull and
# skopeo with --cert-dir (no insecure-registry settings), curl; the
# certificate renewed on SIGHUP while the listener and open connections stay;
# an untrusted, broken or mismatched certificate refused.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }

make_tls "$WORK/tls"
# podman and skopeo trust the CAs of a folder given with --cert-dir.
mkdir -p certs && cp tls/ca.crt certs/ca.crt
podman_sandbox

for u in dev reader; do echo "$u-pass" | ctl user add "$u"; done
ctl grant dev team writer
ctl grant reader team reader

SCHEME=https start_ferryd "$DATA" --tls-cert tls/server.crt --tls-key tls/server.key
C=(curl -s --cacert tls/ca.crt)
CQ=$(printf '%q ' "${C[@]}")  # the same, as words for bash -c

check "GET /v2/ over HTTPS, verified against the test CA: 401 with an https token realm" \
  bash -c "$CQ -D - -o /dev/null https://$REG/v2/ | tr -d '\r' | grep -q 'realm=\"https://$REG/ferry/v1/token\"'"
check "a client without the CA refuses the certificate" \
  bash -c "! curl -sS https://$REG/v2/ 2>err.txt && grep -qi 'certificate' err.txt"
check "plain HTTP to the HTTPS port gets no registry answer" \
  bash -c "! curl -sf -m 5 http://$REG/v2/"

image_id=$(build_scratch_image localhost/e2e/tls:v1 2000000)

check "podman login over TLS with --cert-dir" \
  "${P[@]}" login --cert-dir certs -u dev -p dev-pass "$REG"
check "podman push over TLS" \
  "${P[@]}" push --cert-dir certs --digestfile digest localhost/e2e/tls:v1 "$REG/team/tls:v1"
"${P[@]}" rmi -f localhost/e2e/tls:v1 >/dev/null
check "podman pull by tag over TLS: the image that was built" \
  bash -c "$PQ pull -q --cert-dir certs $REG/team/tls:v1 >/dev/null && [ \"\$($PQ image inspect --format '{{.Id}}' $REG/team/tls:v1)\" = $image_id ]"
"${P[@]}" rmi -f "$REG/team/tls:v1" >/dev/null
check "podman pull by digest over TLS" \
  "${P[@]}" pull -q --cert-dir certs "$REG/team/tls@$(cat digest)"
check "podman without the CA: refused for the certificate" \
  bash -c "! $PQ pull $REG/team/tls:v1 2>err.txt && grep -qi 'x509\|certificate' err.txt"

img=$(make_layout "$WORK/layout" --tag v1 --layers 2 --layer-size 50000 --seed 7)
check "skopeo copy with --dest-cert-dir and --dest-creds" \
  skopeo copy -q --dest-cert-dir certs --dest-creds dev:dev-pass "oci:$WORK/layout:v1" "docker://$REG/team/sk:v1"
check "skopeo inspect with --cert-dir and --creds: the pushed digest" \
  equal "$(skopeo inspect --cert-dir certs --creds reader:reader-pass --format '{{.Digest}}' "docker://$REG/team/sk:v1")" "$img"
check "skopeo list-tags with podman's login (--authfile)" \
  bash -c "skopeo list-tags --cert-dir certs --authfile $REGISTRY_AUTH_FILE docker://$REG/team/tls | grep -q v1"
check "skopeo with a wrong password over TLS: refused as unauthorized" \
  bash -c "! skopeo inspect --cert-dir certs --creds reader:nope docker://$REG/team/sk:v1 2>err.txt && grep -qi 'unauthorized\|authentication' err.txt"

# ---- renewal: SIGHUP swaps the certificate; the socket and connections stay.
served_serial() { openssl s_client -connect "$REG" -CAfile tls/ca.crt </dev/null 2>/dev/null | openssl x509 -noout -serial; }
listener() { ss -Hltne "sport = :${REG##*:}" | grep -o 'ino:[0-9]*'; }
before_serial=$(served_serial)
before_listener=$(listener)
make_tls "$WORK/tls" renewed
renewed_serial=$(openssl x509 -noout -serial -in tls/renewed.crt)
# A client that keeps one connection open across the reload, and a stream of
# new connections during it.
python3 - "$REG" tls/ca.crt "$FERRYD_PID" >keepalive.txt 2>&1 <<'PY' &
import http.client, os, signal, ssl, sys, time
host, port = sys.argv[1].split(":")
ctx = ssl.create_default_context(cafile=sys.argv[2])
conn = http.client.HTTPSConnection(host, int(port), context=ctx)
conn.request("GET", "/v2/"); r = conn.getresponse(); r.read(); sock = conn.sock
time.sleep(1.5)  # the reload happens meanwhile
conn.request("GET", "/v2/"); r = conn.getresponse(); r.read()
print("same connection" if conn.sock is sock else "reconnected", r.status)
PY
keepalive_pid=$!
(for _ in $(seq 1 60); do "${C[@]}" -o /dev/null -w '%{http_code}\n' "https://$REG/v2/"; done >stream.txt) &
stream_pid=$!
sleep 0.3
cp tls/renewed.crt tls/server.crt
cp tls/renewed.key tls/server.key
kill -HUP "$FERRYD_PID"
wait "$stream_pid" "$keepalive_pid"
check "after SIGHUP the renewed certificate is served" equal "$(served_serial)" "$renewed_serial"
check "... it differs from the one before" bash -c "[ '$before_serial' != '$renewed_serial' ]"
check "... by the same process on the same listening socket" \
  bash -c "kill -0 $FERRYD_PID && [ '$(listener)' = '$before_listener' ] && [ -n '$before_listener' ]"
check "... every request during the reload was answered (60 x 401)" \
  equal "$(sort stream.txt | uniq -c | awk '{print $1 "x" $2}')" "60x401"
check "... a keep-alive connection opened before it carried on" equal "$(cat keepalive.txt)" "same connection 401"
check "... and the log says what it loaded" grep -q "SIGHUP: TLS certificate reloaded: CN=127.0.0.1" ferryd.log

echo "not a certificate" >tls/server.crt
kill -HUP "$FERRYD_PID"
for _ in $(seq 1 50); do grep -q "kept the current TLS certificate" ferryd.log && break; sleep 0.1; done
check "a broken certificate on SIGHUP: refused in one log line naming the file" \
  grep -q "error SIGHUP: kept the current TLS certificate: the TLS certificate tls/server.crt holds no usable PEM" ferryd.log
check "... and the renewed certificate is still served" equal "$(served_serial)" "$renewed_serial"
check "... to verified clients" skopeo inspect --cert-dir certs --creds reader:reader-pass "docker://$REG/team/sk:v1"
stop_ferryd

make_tls "$WORK/tls" other
port=$(free_port)
check "a key that is not the certificate's: ferryd does not start (exit 2) and says so" \
  bash -c "\"$FERRYD\" serve --listen 127.0.0.1:$port --data-dir $DATA --tls-cert tls/renewed.crt --tls-key tls/other.key 2>start.err; [ \$? = 2 ] && grep -q 'does not belong to the certificate tls/renewed.crt' start.err"
check "a missing key file: exit 2 naming it" \
  bash -c "\"$FERRYD\" serve --listen 127.0.0.1:$port --data-dir $DATA --tls-cert tls/renewed.crt --tls-key tls/nope.key 2>start.err; [ \$? = 2 ] && grep -q 'cannot read the TLS key tls/nope.key' start.err"
check "a certificate without its key: exit 2" \
  bash -c "\"$FERRYD\" serve --listen 127.0.0.1:$port --data-dir $DATA --tls-cert tls/renewed.crt 2>start.err; [ \$? = 2 ] && grep -q 'needs both tls.cert and tls.key' start.err"
printf '[tls]\ncert = "%s"\nkey = "%s"\n' "$WORK/tls/renewed.crt" "$WORK/tls/renewed.key" >ferryd.toml
SCHEME=https start_ferryd "$DATA" --config ferryd.toml
check "tls.cert and tls.key from the config file" \
  bash -c "$CQ -o /dev/null -w '%{http_code}' https://$REG/v2/ | grep -q 401"
finish
