#!/usr/bin/env bash
# Start-up of ferryd: from exec to the first answered GET /v2/ on a fresh
# data dir (creates the database) and on the same dir again, median of 5,
# and the stripped sizes of ferryd, ferry and ferryctl.
#   bash bench/startup.sh BUILD_DIR [LAUNCHER...]
# e.g. bash bench/startup.sh build-armhf qemu-arm-static -L /opt/ferry-sysroot-armhf
# Under qemu-user the figures are the emulator's, not an ARM board's.
set -euo pipefail
build=$1; shift
launcher=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip_tool=strip
case "$(file -b "$build/daemon/ferryd")" in
  *aarch64*) strip_tool=aarch64-linux-gnu-strip ;;
  *ARM,*) strip_tool=arm-linux-gnueabihf-strip ;;
esac
for p in daemon/ferryd bundler/ferry ctl/ferryctl; do
  [[ -f $build/$p ]] || continue
  "$strip_tool" -o "$work/s" "$build/$p"
  awk -v n="${p##*/}" -v b="$(stat -c %s "$work/s")" 'BEGIN { printf "%-9s %7.2f MB stripped\n", n, b / 1e6 }'
done
once() {  # prints milliseconds to the first answer
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0; t0=$(date +%s%N)
  "${launcher[@]}" "$build/daemon/ferryd" serve --listen "127.0.0.1:$port" --data-dir "$1" 2>/dev/null &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/v2/"; do sleep 0.005; done
  echo $((($(date +%s%N) - t0) / 1000000))
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
median() { sort -n | sed -n 3p; }
fresh=$(for i in 1 2 3 4 5; do once "$work/d$i"; done | median)
again=$(for i in 1 2 3 4 5; do once "$work/d1"; done | median)
echo "start-up to first answer: ${fresh} ms on a new data dir, ${again} ms on an existing one (median of 5)"
