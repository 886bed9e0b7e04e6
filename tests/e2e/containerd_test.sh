#!/usr/bin/env bash
# containerd (the runtime under k3s) pulling from ferryd with Debian's ctr,
# against a containerd this test starts with its own root, state and socket:
# the bearer-token flow over plain HTTP and over TLS with the test CA, a
# robot token, anonymous pulls where allowed, and the refusals.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
start_containerd

# pull REF [ctr flags...]: unpacked with the native snapshotter (no mounts).
pull() {
  local ref=$1; shift
  "${CTR[@]}" images rm "$ref" >/dev/null 2>&1 || true
  "${CTR[@]}" images pull --snapshotter native "$@" "$ref" >pull.out 2>pull.err
}
digest_of() { "${CTR[@]}" images ls | awk -v r="$1" '$1 == r {print $3}'; }

img=$(make_layout "$WORK/src" --tag v1 --layers 2 --layer-size 200000 --seed 7)
for u in dev reader; do echo "$u-pass" | ctl user add "$u"; done
ctl grant dev team writer
ctl grant dev public writer
ctl grant reader team reader
ctl namespace set public --anonymous-pull on
tok=$(ctl token create --user reader --description containerd 2>/dev/null)

# ---- plain HTTP
start_ferryd "$DATA"
for r in team/app public/app; do
  skopeo copy -q --dest-tls-verify=false --dest-creds dev:dev-pass "oci:$WORK/src:v1" "docker://$REG/$r:v1"
done
check "ctr pull with a reader's password (the bearer-token flow, plain HTTP)" \
  pull "$REG/team/app:v1" --plain-http --user reader:reader-pass
check "... containerd holds the manifest that was pushed" equal "$(digest_of "$REG/team/app:v1")" "$img"
check "... and unpacked it" grep -q "unpacking linux/amd64 $img" pull.out
check "a wrong password: refused, unauthorized" \
  bash -c "$(declare -f pull); CTR=($CQ); ! pull $REG/team/app:v1 --plain-http --user reader:nope && grep -qi 'unauthorized\|401' pull.err"
check "anonymous, from a namespace without anonymous pull: refused" \
  bash -c "$(declare -f pull); CTR=($CQ); ! pull $REG/team/app:v1 --plain-http && grep -qi 'unauthorized\|401' pull.err"
check "anonymous, from a namespace with anonymous pull on" pull "$REG/public/app:v1" --plain-http
check "a robot token as the password" pull "$REG/team/app:v1" --plain-http --user "reader:$tok"
check "containerd's token requests took no 405 detour (OAuth2 POST answered)" \
  bash -c "grep -q 'POST /ferry/v1/token 200' ferryd.log && ! grep -q '/ferry/v1/token 405' ferryd.log"
stop_ferryd

# ---- TLS with the test CA. ctr talks plain HTTP to loopback addresses
# unless a hosts.toml says otherwise; that file is also how k3s's
# registries.yaml reaches containerd.
make_tls "$WORK/tls"
SCHEME=https start_ferryd "$DATA" --tls-cert tls/server.crt --tls-key tls/server.key
hosts_toml() {  # hosts_toml DIR [CA]
  mkdir -p "$1/$REG"
  printf 'server = "https://%s"\n[host."https://%s"]\n  capabilities = ["pull", "resolve"]\n%s' \
    "$REG" "$REG" "${2:+  ca = \"$2\"
}" >"$1/$REG/hosts.toml"
}
hosts_toml "$WORK/hosts-ca" "$WORK/tls/ca.crt"
hosts_toml "$WORK/hosts-noca"
check "ctr pull over TLS, verified against the test CA (hosts.toml ca)" \
  pull "$REG/team/app:v1" --hosts-dir "$WORK/hosts-ca" --user reader:reader-pass
check "... the same manifest" equal "$(digest_of "$REG/team/app:v1")" "$img"
check "without the CA: refused for the certificate" \
  bash -c "$(declare -f pull); CTR=($CQ); ! pull $REG/team/app:v1 --hosts-dir $WORK/hosts-noca --user reader:reader-pass && grep -qi 'x509\|certificate' pull.err"
finish
