#!/usr/bin/env bash
# docker login/push/pull against ferryd, with Debian's dockerd (docker.io)
# started by this test with its own data root, socket and client config:
# over plain HTTP on loopback (docker's default insecure range), and over
# TLS on a non-loopback address, where docker verifies the certificate
# against /etc/docker/certs.d/HOST:PORT/ca.crt.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
# Debian's client: a newer one elsewhere on PATH may not speak to dockerd 20.10.
DOCKER_BIN=$([[ -x /usr/bin/docker ]] && echo /usr/bin/docker || command -v docker)
command -v dockerd >/dev/null || { echo "dockerd is missing: install Debian's docker.io"; exit 1; }

DOCKERD_PID=""
CERTS_D=""
docker_cleanup() {
  [[ -n "$DOCKERD_PID" ]] && kill "$DOCKERD_PID" 2>/dev/null && wait "$DOCKERD_PID" 2>/dev/null
  [[ -n "$CERTS_D" ]] && rm -rf "$CERTS_D"
  umount "$WORK"/docker/exec/netns/* 2>/dev/null || true
  cleanup
}
trap docker_cleanup EXIT

mkdir -p docker/exec docker-config
export DOCKER_CONFIG=$WORK/docker-config DOCKER_HOST=unix://$WORK/docker/docker.sock
dockerd --data-root "$WORK/docker/root" --exec-root "$WORK/docker/exec" --pidfile "$WORK/docker/pid" \
  -H "$DOCKER_HOST" --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
  >dockerd.log 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 300); do "$DOCKER_BIN" version >/dev/null 2>&1 && break; sleep 0.1; done
"$DOCKER_BIN" version >/dev/null 2>&1 || { echo "dockerd did not start"; tail -20 dockerd.log; exit 1; }
D=("$DOCKER_BIN")

# An image made offline: a root filesystem of two files, imported as one layer.
mkdir -p rootfs
head -c 1500000 /dev/urandom >rootfs/payload.bin
echo "built by the ferry docker test" >rootfs/hello.txt
tar -C rootfs -c . | "${D[@]}" import - e2e/dk:v1 >/dev/null
image_id=$("${D[@]}" image inspect --format '{{.Id}}' e2e/dk:v1)

for u in dev reader; do echo "$u-pass" | ctl user add "$u"; done
ctl grant dev team writer
ctl grant reader team reader

# ---- plain HTTP on loopback
start_ferryd "$DATA"
check "docker login with a wrong password: refused as unauthorized" \
  bash -c "! echo nope | ${D[*]} login -u dev --password-stdin $REG 2>err.txt && grep -qi 'unauthorized' err.txt"
check "docker login (plain HTTP, loopback)" \
  bash -c "echo dev-pass | ${D[*]} login -u dev --password-stdin $REG"
"${D[@]}" tag e2e/dk:v1 "$REG/team/dk:v1"
check "docker push" "${D[@]}" push -q "$REG/team/dk:v1"
pushed=$(curl -s -u dev:dev-pass -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/team/dk/manifests/v1" | tr -d '\r' | awk 'tolower($1)=="docker-content-digest:"{print $2}')
check "ferryd holds the pushed tag as a Docker schema2 manifest" bash -c "[[ '$pushed' == sha256:* ]]"
"${D[@]}" rmi -f "$REG/team/dk:v1" e2e/dk:v1 >/dev/null
check "docker pull by tag: the image that was pushed" \
  bash -c "${D[*]} pull -q $REG/team/dk:v1 >/dev/null && [ \"\$(${D[*]} image inspect --format '{{.Id}}' $REG/team/dk:v1)\" = $image_id ]"
"${D[@]}" rmi -f "$REG/team/dk:v1" >/dev/null
check "docker pull by digest" "${D[@]}" pull -q "$REG/team/dk@$pushed"
"${D[@]}" logout "$REG" >/dev/null
check "docker pull after logout: refused (team is not public)" \
  bash -c "! ${D[*]} pull $REG/team/dk:v1 2>err.txt && grep -qi 'unauthorized\|denied\|authentication' err.txt"
echo reader-pass | "${D[@]}" login -u reader --password-stdin "$REG" >/dev/null 2>&1
"${D[@]}" tag "$REG/team/dk@$pushed" "$REG/team/dk:reader"
check "docker push as a reader: denied" \
  bash -c "! ${D[*]} push $REG/team/dk:reader 2>err.txt && grep -qi 'denied' err.txt"
check "... and no such tag appeared" \
  bash -c "! curl -s -u dev:dev-pass http://$REG/v2/team/dk/tags/list | grep -q reader"
stop_ferryd

# ---- TLS on a non-loopback address: docker verifies the certificate.
addr=$(ip -4 -o addr show scope global | awk '{split($4, a, "/"); print a[1]; exit}')
if [[ -z "$addr" ]]; then  # no network: a dummy interface gives an address docker does not trust by default
  ip link add ferrye2e0 type dummy && ip addr add 192.0.2.77/32 dev ferrye2e0 && ip link set ferrye2e0 up
  addr=192.0.2.77
fi
make_tls "$WORK/tls" server "$addr"
port=$(free_port)
"$FERRYD" serve --listen "$addr:$port" --data-dir "$DATA" --tls-cert tls/server.crt --tls-key tls/server.key \
  2>>ferryd.log &
FERRYD_PID=$!
TREG=$addr:$port
for _ in $(seq 1 100); do curl -s --cacert tls/ca.crt -o /dev/null "https://$TREG/v2/" && break; sleep 0.05; done
check "docker login over TLS without the CA: refused for the certificate" \
  bash -c "! echo dev-pass | ${D[*]} login -u dev --password-stdin $TREG 2>err.txt && grep -qi 'x509\|certificate' err.txt"
CERTS_D=/etc/docker/certs.d/$TREG
mkdir -p "$CERTS_D" && cp tls/ca.crt "$CERTS_D/ca.crt"
check "docker login over TLS with the CA in certs.d (no insecure-registry setting)" \
  bash -c "echo dev-pass | ${D[*]} login -u dev --password-stdin $TREG"
"${D[@]}" tag "$REG/team/dk@$pushed" "$TREG/team/dk-tls:v1"
check "docker push over TLS" "${D[@]}" push -q "$TREG/team/dk-tls:v1"
"${D[@]}" rmi -f "$TREG/team/dk-tls:v1" >/dev/null
check "docker pull over TLS: the same image" \
  bash -c "${D[*]} pull -q $TREG/team/dk-tls:v1 >/dev/null && [ \"\$(${D[*]} image inspect --format '{{.Id}}' $TREG/team/dk-tls:v1)\" = $image_id ]"
check "the pushes are in the audit log under the user's name" \
  bash -c "$FERRYCTL --data-dir $DATA audit -n 100 | grep -P '\tdev\t.*push manifest\tteam/dk-tls:v1\tok'"
finish
