#!/usr/bin/env bash
# ferry push: a verified bundle into a registry (a fresh ferryd here, which
# speaks the same protocol as Harbor or Distribution), with and without a
# prefix, again (nothing re-uploaded), a delta after its base, and refusals
# that push nothing: a tampered bundle, a wrong key, a delta without its base.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
cd "$WORK"
export FERRY_PROGRESS=0

app=$(make_layout app --tag v1 --layers 3 --layer-size 300000 --seed 7)
make_layout app2 --tag v2 --layers 3 --layer-size 300000 --seed 7 >/dev/null
multi=$(make_layout multi --tag v2 --platforms linux/amd64,linux/arm64 --seed 8)
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" keygen -o other --no-password >/dev/null
"$FERRY" pack -k site.key -o site.ferry --split 400K oci:app:v1=team/app:v1 oci:multi:v2=team/multi:v2 >/dev/null
start_ferryd
digest_of() { skopeo inspect --raw --tls-verify=false "docker://$REG/$1" | sha256sum | cut -d' ' -f1; }
export -f digest_of
export REG

check "ferry push uploads a split bundle's images into a registry" \
  bash -c "'$FERRY' push -p site.pub --insecure site.ferry.001 docker://$REG >out.txt && grep -q '0 already there' out.txt"
check "each is pulled back with the digest that was packed" \
  bash -c "[ \$(digest_of team/app:v1) = ${app#sha256:} ] && [ \$(digest_of team/multi:v2) = ${multi#sha256:} ]"
check "skopeo copies the multi-arch image out whole" \
  skopeo copy -q --all --src-tls-verify=false "docker://$REG/team/multi:v2" oci:out:multi
check "with a prefix, under it" \
  bash -c "'$FERRY' push -p site.pub --insecure site.ferry.001 docker://$REG/mirror >/dev/null && [ \$(digest_of mirror/team/app:v1) = ${app#sha256:} ]"
check "pushing again uploads nothing" \
  bash -c "'$FERRY' push -p site.pub --insecure site.ferry.001 docker://$REG >out.txt && grep -q ' 0 blob(s) uploaded' out.txt"
# Images packed from a registry keep its host as their first name component.
"$FERRY" pack -k site.key -o upstream.ferry --insecure "docker://$REG/team/app:v1" >/dev/null
check "an image named with its upstream host goes under PREFIX/HOST_PORT/..." \
  bash -c "'$FERRY' push -p site.pub --insecure upstream.ferry docker://$REG/mirror >out.txt &&
           grep -q \"^  $REG/mirror/${REG/:/_}/team/app:v1\$\" out.txt &&
           [ \$(digest_of mirror/${REG/:/_}/team/app:v1) = ${app#sha256:} ]"

# Refusals that must push nothing.
mkdir unpacked && cat site.ferry.* | tar --zstd -xf - -C unpacked
last=$(cat site.ferry.* | tar --zstd -tf - | grep '^blobs/' | tail -1)
flip_byte "unpacked/$last" 10
retar tampered.ferry unpacked $(cat site.ferry.* | tar --zstd -tf - | tr '\n' ' ')
check "a tampered bundle: refused (13) before anything is pushed" \
  bash -c "'$FERRY' push -p site.pub --insecure tampered.ferry docker://$REG/evil; [ \$? -eq 13 ] && ! curl -sf http://$REG/v2/_catalog | grep -q evil"
check "a bundle signed by another key: refused (11)" \
  bash -c "'$FERRY' push -p other.pub --insecure site.ferry.001 docker://$REG/evil; [ \$? -eq 11 ]"
"$FERRY" pack -k site.key -o base.ferry oci:app:v1=delta/app:v1 >/dev/null
"$FERRY" pack -k site.key -o delta.ferry --base base.ferry oci:app2:v2=delta/app:v2 >/dev/null
check "a delta into a registry without its base: refused (23), nothing tagged" \
  bash -c "out=\$('$FERRY' push -p site.pub --insecure delta.ferry docker://$REG 2>&1); [ \$? -eq 23 ] && grep -q 'push its base bundle first' <<<\"\$out\" && ! curl -sf http://$REG/v2/delta/app/tags/list"
check "after its base, the delta pushes and pulls whole" \
  bash -c "'$FERRY' push -p site.pub --insecure base.ferry docker://$REG >/dev/null &&
           '$FERRY' push -p site.pub --insecure delta.ferry docker://$REG >/dev/null &&
           skopeo copy -q --src-tls-verify=false docker://$REG/delta/app:v2 oci:out:delta"
# Through a registry that demands bearer tokens (push scope included).
port=$(free_port)
python3 "$HERE/auth_proxy.py" "$port" "$REG" bearer alice s3cret &
proxy_pid=$!
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}\n' "$port" "$(printf alice:s3cret | base64)" >auth.json
check "through a registry that wants bearer tokens, with REGISTRY_AUTH_FILE" \
  bash -c "REGISTRY_AUTH_FILE='$WORK/auth.json' '$FERRY' push -p site.pub --insecure site.ferry.001 docker://127.0.0.1:$port/authed >/dev/null &&
           [ \$(digest_of authed/team/multi:v2) = ${multi#sha256:} ]"
check "and without credentials: refused, pushing nothing (5)" \
  bash -c "env -u REGISTRY_AUTH_FILE HOME='$WORK/nohome' '$FERRY' push -p site.pub --insecure site.ferry.001 docker://127.0.0.1:$port/anon 2>/dev/null; [ \$? -eq 5 ] && ! curl -sf http://$REG/v2/_catalog | grep -q anon"
kill $proxy_pid; wait $proxy_pid 2>/dev/null || true

# A refusal with a reason (an immutable tag) shows the registry's words,
# not advice about logins.
"$FERRYCTL" --data-dir "$WORK/data" namespace set team --immutable 'v*'
sleep 1.2  # ferryd re-reads the rules within a second
"$FERRY" pack -k site.key -o moved.ferry oci:multi:v2=team/app:v1 >/dev/null
check "a push that would move an immutable tag: refused (5) with ferryd's reason" \
  bash -c "'$FERRY' push -p site.pub --insecure moved.ferry docker://$REG 2>err.txt; [ \$? -eq 5 ] &&
           grep -q 'refused (403): .*immutable' err.txt && ! grep -q 'credentials' err.txt &&
           [ \$(digest_of team/app:v1) = ${app#sha256:} ]"

check "a destination that is not docker://HOST[/PREFIX]: usage error (2)" \
  bash -c "'$FERRY' push -p site.pub site.ferry.001 oci:somewhere 2>/dev/null; [ \$? -eq 2 ]"
finish
