#!/usr/bin/env bash
# ferryd over HTTPS against plain HTTP on the same 512 MiB blob: push MB/s,
# single-stream GET MB/s and ferryd's CPU-s per GB served (medians of RUNS).
# Blobs over TLS are encrypted in user space by GnuTLS, so they cannot use
# sendfile. Usage: bench/tls.sh [BUILD_DIR] [RUNS]
source "$(dirname "$0")/lib.sh"
build=$(cd "${1:-build-release}" && pwd)
runs=${2:-5}
bench_start tls
head -c $((512 << 20)) /dev/urandom >big
digest=sha256:$(sha256sum big | cut -d' ' -f1)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile ext \
  -out server.crt 2>/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo
echo "| scheme | push MB/s | GET MB/s | ferryd CPU-s/GB (GET) |"
echo "| --- | ---: | ---: | ---: |"
for scheme in http https; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  flags=()
  [[ $scheme == https ]] && flags=(--tls-cert server.crt --tls-key server.key)
  rm -rf "data-$scheme"
  "$build/daemon/ferryd" serve --listen "127.0.0.1:$port" --data-dir "data-$scheme" "${flags[@]}" 2>/dev/null &
  pid=$!
  base="$scheme://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -s --cacert ca.crt -o /dev/null "$base/v2/" && break; sleep 0.05; done
  push=$(for i in $(seq 1 "$runs"); do
    # -T - streams the file (a named file would be appended to the URL).
    curl -s --cacert ca.crt -o /dev/null -X POST -T - -H "Content-Length: $((512 << 20))" \
      -H 'Content-Type: application/octet-stream' -w '%{speed_upload}\n' \
      "$base/v2/bench/p$i/blobs/uploads/?digest=$digest" <big
  done | median)
  get=""; cpu=""
  for _ in $(seq 1 "$runs"); do
    a=$(ticks $pid)
    get+="$(curl -s --cacert ca.crt -o /dev/null -w '%{speed_download}' "$base/v2/bench/p1/blobs/$digest")"$'\n'
    b=$(ticks $pid)
    cpu+="$(awk -v a="$a" -v b="$b" -v t="$(getconf CLK_TCK)" 'BEGIN{print (b-a)/t/0.536870912}')"$'\n'
  done
  printf '| %s | %.0f | %.0f | %.3f |\n' "$scheme" "$(echo "$push" | awk '{print $1/1e6}')" \
    "$(printf '%s' "$get" | median | awk '{print $1/1e6}')" "$(printf '%s' "$cpu" | median)"
  kill $pid; wait $pid 2>/dev/null || true
done
