#!/usr/bin/env bash
# ferry pack docker:// and bare references: images pulled from a registry (a
# ferryd the test starts, filled by skopeo; a second one holding another image
# at the same path), kept under their host's name, from the command line and
# -f lists, pinned by digest; over plain HTTP, without a login, with Basic auth
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

NS=${SRC/:/_}  # 127.0.0.1:PORT as a name component
check "pack docker:// and a bare reference from a local registry over plain HTTP (--insecure)" \
  bash -c "'$FERRY' pack -k site.key -o reg.ferry --insecure docker://$SRC/team/app:v1 $SRC/team/multi:v2 >out.txt &&
           grep -qx 'image $NS/team/app:v1 <- docker://$SRC/team/app:v1' out.txt"
check "the bundle verifies and keeps the registry host in each name (HOST:PORT as HOST_PORT)" \
  bash -c "'$FERRY' verify -p site.pub reg.ferry >/dev/null &&
           '$FERRY' inspect --json reg.ferry | jq -e '[.images[].name] == [\"$NS/team/app:v1\", \"$NS/team/multi:v2\"]' &&
           '$FERRY' inspect reg.ferry | grep -q '^$NS/team/multi:v2 *linux/amd64,linux/arm64 '"
"$FERRYD" import -q --data-dir dest --trust-dir trust reg.ferry >/dev/null 2>&1
stop_ferryd
start_ferryd "$WORK/dest"
check "imported elsewhere, the images come back under that name with the digests that were pushed" \
  bash -c "[ \$(skopeo inspect --raw --tls-verify=false docker://$REG/$NS/team/multi:v2 | sha256sum | cut -d' ' -f1) = ${multi#sha256:} ] &&
           [ \$(skopeo inspect --raw --tls-verify=false docker://$REG/$NS/team/app:v1 | sha256sum | cut -d' ' -f1) = ${app#sha256:} ]"
stop_ferryd
start_ferryd "$WORK/source"
SRC=$REG
NS=${SRC/:/_}

check "by digest, named explicitly" \
  "$FERRY" pack -k site.key -o digest.ferry --insecure "docker://$SRC/team/app@$app=pinned/app:v1"
check "by digest without a name: refused, asking for =REPO:TAG (2)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure docker://$SRC/team/app@$app 2>&1); [ \$? -eq 2 ] && grep -q '=REPO:TAG' <<<\"\$out\""
check "NAME:TAG@DIGEST fetches by the digest and names the image by the tag" \
  bash -c "'$FERRY' pack -k site.key -o pinned.ferry --insecure $SRC/team/app:v1@$app >/dev/null &&
           '$FERRY' inspect --json pinned.ferry | jq -e '.images[0].name == \"$NS/team/app:v1\" and .images[0].digest == \"$app\"'"
wrong=sha256:$(printf other | sha256sum | cut -d' ' -f1)
check "a pinned digest the registry does not have: refused as a source error (5), naming it" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure $SRC/team/app:v1@$wrong 2>&1); [ \$? -eq 5 ] && grep -q 'manifests/$wrong: not found' <<<\"\$out\""
check "a pinned digest of another repository's image: refused too (5)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry --insecure $SRC/team/app:v1@$multi 2>/dev/null; [ \$? -eq 5 ]"
check "--platform linux/arm64 picks that image out of the registry's index" \
  bash -c "'$FERRY' pack -k site.key -o arm.ferry --insecure --platform linux/arm64 docker://$SRC/team/multi:v2 >/dev/null &&
           '$FERRY' inspect --json arm.ferry | jq -e '.images[0].platforms == [\"linux/arm64\"] and (.images[0].mediaType | test(\"manifest\"))'"
check "a tag the registry does not have: refused as a source error (5), naming it" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure docker://$SRC/team/app:nope 2>&1); [ \$? -eq 5 ] && grep -q 'team/app/manifests/nope: not found' <<<\"\$out\""
check "HTTPS to a plain-HTTP registry fails with a hint about --insecure (5)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry docker://$SRC/team/app:v1 2>&1); [ \$? -eq 5 ] && grep -q -- '--insecure' <<<\"\$out\""
check "an upper-case reference is a usage error (2) saying why" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry docker://$SRC/Team/app:v1 2>&1); [ \$? -eq 2 ] && grep -q 'must be lower-case' <<<\"\$out\""
check "a bad command-line source names itself (2)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry 'nginx:' 2>&1); [ \$? -eq 2 ] && grep -q \"'nginx:' is not an image reference\" <<<\"\$out\""
# Docker Hub is not reachable here: a proxy that is not there shows where a bare name goes.
check "a bare name and docker://NAME are Docker Hub's library/NAME, asked of registry-1.docker.io" \
  bash -c "for src in nginx:1.25 docker://nginx:1.25; do
             out=\$(env -u no_proxy -u NO_PROXY https_proxy=http://127.0.0.1:$(free_port) '$FERRY' pack -k site.key -o x.ferry \$src 2>&1)
             [ \$? -eq 5 ] && grep -q 'https://registry-1.docker.io/v2/library/nginx/manifests/1.25' <<<\"\$out\" || exit 1
           done"
check "--insecure (for a local registry) does not downgrade Docker Hub to plain HTTP" \
  bash -c "out=\$(env -u no_proxy -u NO_PROXY https_proxy=http://127.0.0.1:$(free_port) http_proxy=http://127.0.0.1:$(free_port) \
             '$FERRY' pack -k site.key -o x.ferry --insecure nginx:1.25 2>&1)
           [ \$? -eq 5 ] && grep -q 'https://registry-1.docker.io/v2/library/nginx/manifests/1.25' <<<\"\$out\""

# ---- a second registry: the same path there is another image
port2=$(free_port)
"$FERRYD" serve --listen "127.0.0.1:$port2" --data-dir "$WORK/source2" 2>>"$WORK/ferryd.log" &
SRC2_PID=$!
SRC2=127.0.0.1:$port2
for _ in $(seq 1 100); do curl -s "http://$SRC2/v2/" >/dev/null && break; sleep 0.05; done
other=$(make_layout other --tag v1 --layers 1 --layer-size 1000 --seed 9)
skopeo copy -q --dest-tls-verify=false oci:other:v1 "docker://$SRC2/team/app:v1"
check "team/app:v1 from two registries: two images, each under its own host" \
  bash -c "'$FERRY' pack -k site.key -o two.ferry --insecure $SRC/team/app:v1 $SRC2/team/app:v1 >/dev/null &&
           '$FERRY' inspect --json two.ferry | jq -e '[.images[] | [.name, .digest]] == ([[\"$NS/team/app:v1\", \"$app\"], [\"${SRC2/:/_}/team/app:v1\", \"$other\"]] | sort)'"

# ---- -f LIST: a k3s-style image list, mixed with prefixed sources and renames
printf '%s\n' "# airgap images" "$SRC/team/app:v1" "" "docker://$SRC/team/multi:v2" \
  "  $SRC2/team/app:v1 = other/app:v1" >images.txt
check "-f LIST takes bare references, docker:// sources and SRC = DEST" \
  bash -c "'$FERRY' pack -k site.key -o listed.ferry --insecure -f images.txt >/dev/null &&
           '$FERRY' inspect --json listed.ferry | jq -e '[.images[].name] == [\"$NS/team/app:v1\", \"$NS/team/multi:v2\", \"other/app:v1\"]'"
printf '%s\n' "$SRC/team/app:v1" "# fine so far" "quay.io/Acme/app:v1" >bad.txt
check "a bad line in a list: refused (2) naming FILE:LINE and the reason" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure -f bad.txt 2>&1); [ \$? -eq 2 ] && grep -q '^ferry: bad.txt:3: .*must be lower-case' <<<\"\$out\""
printf '%s\n' "$SRC/team/app:v1" "$SRC/team/app:nope" >missing.txt
check "a listed image the registry lacks: refused (5) naming FILE:LINE" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure -f missing.txt 2>&1); [ \$? -eq 5 ] && grep -q '^ferry: missing.txt:2: .*not found' <<<\"\$out\""
printf '%s\n' "$SRC/team/app:v1" "docker://$SRC/team/app:v1" >dup.txt
check "two entries naming one image: refused (2) naming both lines" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --insecure -f dup.txt 2>&1); [ \$? -eq 2 ] && grep -q 'dup.txt:1 .* and dup.txt:2 ' <<<\"\$out\""
kill "$SRC2_PID"; wait "$SRC2_PID" 2>/dev/null || true

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
