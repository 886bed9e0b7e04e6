# Shared helpers for the end-to-end tests. Source it; then call start_ferryd.
# Every test runs in its own temp dir with its own client configuration, so
# tests never share state (containers tools read a lot of global config).
set -euo pipefail

FERRYD=${FERRYD:?set FERRYD to the ferryd binary}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-e2e.XXXXXX")
PASSED=0
FAILED=0
FERRYD_PID=""
CONTAINERD_PID=""

cleanup() {
  [[ -n "$FERRYD_PID" ]] && kill -9 "$FERRYD_PID" 2>/dev/null || true
  [[ -n "$CONTAINERD_PID" ]] && kill "$CONTAINERD_PID" 2>/dev/null && wait "$CONTAINERD_PID" 2>/dev/null
  wait 2>/dev/null || true
  if ((FAILED)) && [[ -f "$WORK/ferryd.log" ]]; then
    echo "---- ferryd log (last 40 lines)"; tail -40 "$WORK/ferryd.log"
  fi
  # Small filesystems a test mounted (disk-full tests).
  awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | xargs -r umount 2>/dev/null || true
  chmod -R u+w "$WORK" 2>/dev/null || true
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Cross-builds: FERRY_LAUNCHER (qemu-user, from CMAKE_CROSSCOMPILING_EMULATOR)
# runs the ARM programs, as binfmt_misc is not mounted on the build machines.
# Each program is replaced by a wrapper that execs the emulator, so PIDs,
# signals and exit codes stay those of the program.
if [[ -n "${FERRY_LAUNCHER:-}" ]]; then
  mkdir -p "$WORK/launch"
  for var in FERRYD FERRY FERRYCTL MINISIG_TOOL; do
    [[ -n "${!var:-}" ]] || continue
    printf '#!/bin/sh\nexec %s %q "$@"\n' "$FERRY_LAUNCHER" "${!var}" >"$WORK/launch/${var,,}"
    chmod +x "$WORK/launch/${var,,}"
    printf -v "$var" '%s' "$WORK/launch/${var,,}"
  done
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_ferryd [DATA_DIR [MORE SERVE FLAGS]]: sets REG=127.0.0.1:PORT and FERRYD_PID.
# With SCHEME=https the flags must include --tls-cert and --tls-key.
SCHEME=${SCHEME:-http}
start_ferryd() {
  local data=${1:-$WORK/data}
  shift || true
  local port; port=$(free_port)
  "$FERRYD" serve --listen "127.0.0.1:$port" --data-dir "$data" "$@" 2>>"$WORK/ferryd.log" &
  FERRYD_PID=$!
  REG=127.0.0.1:$port
  for _ in $(seq 1 200); do
    # 401: up, with access control on
    [[ $(curl -sk -o /dev/null -w '%{http_code}' "$SCHEME://$REG/v2/" 2>/dev/null) =~ ^(200|401)$ ]] && return 0
    kill -0 "$FERRYD_PID" 2>/dev/null || { echo "ferryd died at start"; cat "$WORK/ferryd.log"; exit 1; }
    sleep 0.05
  done
  echo "ferryd did not answer"; exit 1
}

stop_ferryd() {
  local sig=${1:-TERM}
  kill "-$sig" "$FERRYD_PID" 2>/dev/null || true
  local rc=0
  wait "$FERRYD_PID" || rc=$?
  FERRYD_PID=""
  return "$rc"
}

# check "what a user would notice" COMMAND...: runs it, counts the result.
check() {
  local what=$1; shift
  if "$@" >"$WORK/check.out" 2>&1; then
    PASSED=$((PASSED + 1)); echo "ok   - $what"
  else
    FAILED=$((FAILED + 1)); echo "FAIL - $what"; sed 's/^/       /' "$WORK/check.out" | tail -20
  fi
}

equal() { [[ "$1" == "$2" ]] || { echo "expected '$2', got '$1'"; return 1; }; }

# Prints the closing line CI reads and exits non-zero on any failure.
finish() {
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

# make_tls DIR [NAME [IP]]: a test CA (DIR/ca.crt, DIR/ca.key) made once,
# and a server certificate for 127.0.0.1, localhost and IP signed by it
# (DIR/NAME.crt, DIR/NAME.key; NAME defaults to server).
make_tls() {
  local dir=$1 name=${2:-server} san="IP:127.0.0.1,DNS:localhost${3:+,IP:$3}"
  mkdir -p "$dir"
  if [[ ! -f "$dir/ca.crt" ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/CN=Ferry e2e test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  fi
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 1 -extfile "$dir/ext" -out "$dir/$name.crt" 2>/dev/null
}

make_layout() { python3 "$HERE/make_oci_layout.py" "$@"; }

# Starts Debian's containerd (k3s's runtime) with its own root, state and
# socket in $WORK/ctrd, without the CRI plugin (not needed to pull); cleanup
# stops it. Sets CTR to the ctr command and CQ to the same as words for bash -c.
start_containerd() {
  command -v containerd >/dev/null || { echo "containerd is missing: install Debian's containerd"; exit 1; }
  mkdir -p "$WORK/ctrd"
  cat >"$WORK/ctrd/config.toml" <<CONF
version = 2
root = "$WORK/ctrd/root"
state = "$WORK/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$WORK/ctrd/sock"
[ttrpc]
  address = "$WORK/ctrd/ttrpc.sock"
CONF
  containerd --config "$WORK/ctrd/config.toml" >"$WORK/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  CTR=(ctr --address "$WORK/ctrd/sock")
  for _ in $(seq 1 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
  "${CTR[@]}" version >/dev/null 2>&1 || { echo "containerd did not start"; tail -20 "$WORK/containerd.log"; exit 1; }
  CQ=$(printf '%q ' "${CTR[@]}")
}

# Gives podman (and skopeo) this test's own vfs storage, auth file and
# runtime dir, so nothing outside $WORK is read or changed. Sets P to the
# podman command and PQ to the same as words for bash -c.
podman_sandbox() {
  mkdir -p "$WORK/run"
  printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$WORK/graph" "$WORK/run" \
    >"$WORK/storage.conf"
  [ -f "$WORK/auth.json" ] || echo '{"auths":{}}' >"$WORK/auth.json"
  export CONTAINERS_STORAGE_CONF=$WORK/storage.conf REGISTRY_AUTH_FILE=$WORK/auth.json \
    XDG_RUNTIME_DIR=$WORK/run
  P=(podman --storage-driver vfs)
  PQ=$(printf '%q ' "${P[@]}")
}

# Builds TAG FROM scratch with BYTES of random payload (and any further
# files given) and prints its image ID. The build context stays in
# $WORK/ctx-TAG (with / and : as _) for checks of what went in.
# Needs podman_sandbox.
build_scratch_image() {  # build_scratch_image TAG BYTES [FILE...]
  local tag=$1 bytes=$2 ctx; shift 2
  ctx=$WORK/ctx-${tag//[\/:]/_}
  mkdir -p "$ctx"
  head -c "$bytes" /dev/urandom >"$ctx/payload.bin"
  printf 'FROM scratch\nCOPY payload.bin /payload.bin\n' >"$ctx/Containerfile"
  for f in "$@"; do cp "$f" "$ctx/" && printf 'COPY %s /%s\n' "${f##*/}" "${f##*/}" >>"$ctx/Containerfile"; done
  "${P[@]}" build -q -t "$tag" "$ctx" >/dev/null
  "${P[@]}" image inspect --format '{{.Id}}' "$tag"
}

# Flips one bit of the byte at OFFSET, so the file always changes (writing a
# fixed byte does nothing one time in 256 when the byte is already that).
flip_byte() {  # flip_byte FILE OFFSET
  python3 -c "
import sys; f = open(sys.argv[1], 'r+b'); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
f.write(bytes([b[0] ^ 1]))" "$1" "$2"
}

# Re-assembles an unpacked bundle with GNU tar, in a given order, to craft bad ones.
retar() {  # retar OUT DIR NAME...
  local out=$1 dir=$2; shift 2
  tar --zstd -cf "$out" -C "$dir" --owner=0 --group=0 --format=posix "$@"
}
