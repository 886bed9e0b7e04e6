#!/usr/bin/env bash
# ferry pack docker://: images pulled from a registry (a ferryd the test
# starts, filled by skopeo) over plain HTTP, without a login, with Basic auth
# and with the bearer-token flow (a small proxy in front of ferryd plays the
# login-demanding registry), credentials read from REGISTRY_AUTH_FILE and
# ~/.docker/config.json. Each bundle is verified, imported into a second
# ferryd and pulled back with the digests that were pushed.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
cd "$WORK"
export FERRY_PROGRESS=0

app=$(make_layout app --tag v1 --layers 2 --layer-size 300000 --seed 4)
multi=$(make_layout multi --tag v2 --platforms linux/amd64,linux/arm64 --seed 6)
start_ferryd "$WORK/source"
SRC=$REG
skopeo copy -q --dest-tls-verify=false oci:app:v1 "docker://$SRC/team/app:v1"
skopeo copy -q --all --dest-tls-verify=false oci:multi:v2 "docker://$SRC/team/multi:v2"
"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/

check "pack docker:// images from a local registry over plain HTTP (--insecure)" \
  "$FERRY" pack -k site.key -o reg.ferry --insecure "docker://$SRC/team/app:v1" "docker://$SRC/team/multi:v2"
check "the bundle verifies and names them by repository path and tag" \
  bash -c "'$FERRY' verify -p site.pub reg.ferry >/dev/null &&
           '$FERRY' inspect --json reg.ferry | jq -e '[.images[].name] == [\"team/app:v1\", \"team/multi:v2\"]'"
"$FERRYD" import -q --data-dir dest --trust-dir trust reg.ferry >/dev/null 2>&1
stop_ferryd
start_ferryd "$WORK/dest"
check "imported elsewhere, the images come back with the digests that were pushed" \
  bash -c "[ \$(skopeo inspect --raw --tls-verify=false docker://$REG/team/multi:v2 | sha256sum | cut -d' ' -f1) = ${multi#sha256:} ] &&
           [ \$(skopeo inspect --raw --tls-verify=false docker://$REG/team/app:v1 | sha256sum | cut -d' ' -f1) = ${app#sha256:} ]"
stop_ferryd
start_ferryd "$WORK/source"
SRC=$REG

check "by digest, named explicitly" \
  "$FERRY" pack -k site.key -o digest.ferry --insecure "docker://$SRC/team/app@$app=pinned/app:v1"
check "by digest without a name: refused, asking for =REPO:TAG (2)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure docker://$SRC/team/app@$app 2>&1); [ \$? -eq 2 ] && grep -q '=REPO:TAG' <<<\"\$out\""
check "--platform linux/arm64 picks that image out of the registry's index" \
  bash -c "'$FERRY' pack -k site.key -o arm.ferry --insecure --platform linux/arm64 docker://$SRC/team/multi:v2 >/dev/null &&
           '$FERRY' inspect --json arm.ferry | jq -e '.images[0].platforms == [\"linux/arm64\"] and (.images[0].mediaType | test(\"manifest\"))'"
check "a tag the registry does not have: refused as a source error (5), naming it" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure docker://$SRC/team/app:nope 2>&1); [ \$? -eq 5 ] && grep -q 'team/app/manifests/nope: not found' <<<\"\$out\""
check "HTTPS to a plain-HTTP registry fails with a hint about --insecure (5)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry docker://$SRC/team/app:v1 2>&1); [ \$? -eq 5 ] && grep -q -- '--insecure' <<<\"\$out\""
check "a source without a registry host is a usage error (2)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry docker://app:v1 2>/dev/null; [ \$? -eq 2 ]"

# ---- logins
proxy() {  # proxy MODE: a login-demanding front door to $SRC; sets AUTH_REG
  local port; port=$(free_port)
  python3 "$HERE/auth_proxy.py" "$port" "$SRC" "$1" alice s3cret &
  PROXY_PID=$!
  AUTH_REG=127.0.0.1:$port
  for _ in $(seq 1 100); do curl -s "http://$AUTH_REG/v2/" >/dev/null && return 0; sleep 0.05; done
  return 1
}
auth_file() {  # auth_file FILE USER PASS: a containers-style auth.json for $AUTH_REG
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$AUTH_REG" "$(printf '%s:%s' "$2" "$3" | base64)" >"$1"
}
proxy basic
check "Basic auth: without credentials, refused saying how to log in (5)" \
  bash -c "out=\$(env -u REGISTRY_AUTH_FILE HOME='$WORK/nohome' '$FERRY' pack -k site.key -o x.ferry --insecure docker://$AUTH_REG/team/app:v1 2>&1); [ \$? -eq 5 ] && grep -q 'login' <<<\"\$out\""
auth_file good.json alice s3cret
check "Basic auth with credentials from REGISTRY_AUTH_FILE" \
  env REGISTRY_AUTH_FILE="$WORK/good.json" "$FERRY" pack -k site.key -o basic.ferry --insecure "docker://$AUTH_REG/team/app:v1"
auth_file bad.json alice wrong
check "wrong credentials: refused naming the file they came from (5)" \
  bash -c "out=\$(REGISTRY_AUTH_FILE='$WORK/bad.json' '$FERRY' pack -k site.key -o x.ferry --insecure docker://$AUTH_REG/team/app:v1 2>&1); [ \$? -eq 5 ] && grep -q 'bad.json' <<<\"\$out\""
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
proxy bearer
mkdir -p home/.docker && auth_file home/.docker/config.json alice s3cret
check "bearer tokens (Docker Hub's flow) with credentials from ~/.docker/config.json" \
  env -u REGISTRY_AUTH_FILE HOME="$WORK/home" "$FERRY" pack -k site.key -o bearer.ferry --insecure "docker://$AUTH_REG/team/multi:v2"
check "the token-fetched bundle holds the whole multi-arch image" \
  bash -c "'$FERRY' verify -p site.pub bearer.ferry >/dev/null && '$FERRY' inspect --json bearer.ferry | jq -e '.images[0].digest == \"$multi\"'"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true

# ---- HTTPS, with a CA the test makes (Go and curl want an IP SAN on loopback)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ferry-test-ca \
  -addext "subjectAltName=IP:127.0.0.1" -keyout tls.key -out tls.pem 2>/dev/null
port=$(free_port)
python3 "$HERE/auth_proxy.py" "$port" "$SRC" none - - tls.pem tls.key &
PROXY_PID=$!
for _ in $(seq 1 100); do curl -s --cacert tls.pem "https://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
check "over HTTPS, trusting the registry's CA with --ca-cert" \
  bash -c "'$FERRY' pack -k site.key -o tls.ferry --ca-cert tls.pem docker://127.0.0.1:$port/team/app:v1 >/dev/null &&
           '$FERRY' inspect --json tls.ferry | jq -e '.images[0].digest == \"$app\"'"
check "over HTTPS with a CA it does not trust: refused, naming the TLS problem (5)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry docker://127.0.0.1:$port/team/app:v1 2>&1); [ \$? -eq 5 ] && grep -qi 'certificate' <<<\"\$out\""
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
finish
