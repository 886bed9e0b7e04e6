#!/usr/bin/env bash
# What the issue-2 targets can reach on this machine at all, measured beside
# ferryd and Distribution in one run:
#   - idle RSS: a C program that only starts Debian's libmicrohttpd with one
#     epoll thread (mhd_floor.c), and an empty C program, against ferryd and
#     Distribution idle;
#   - push: the data disk's durable write speed (dd ... conv=fdatasync, as
#     ferryd must fsync every blob), against 5x Distribution's push.
# Usage: bench/floor.sh [BUILD_DIR] [RUNS]
source "$(dirname "$0")/lib.sh"
build=$(cd "${1:-build-release}" && pwd)
runs=${2:-3}
bench_start floor
cc -O2 -o mhd_floor "$here/mhd_floor.c" $(pkg-config --cflags --libs libmicrohttpd)
printf '#include <unistd.h>\nint main(void) { pause(); return 0; }\n' >empty.c
cc -O2 -o empty empty.c

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_mib() { awk '/^VmRSS:/{printf "%.2f", $2/1024}' "/proc/$1/status"; }
pss_mib() { awk '/^Pss:/{printf "%.2f", $2/1024}' "/proc/$1/smaps_rollup"; }
# idle NAME PORT COMMAND...: start it, make one request, wait a second, read its memory.
idle() {
  local name=$1 p=$2; shift 2
  "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/v2/" && break; sleep 0.05; done
  sleep 1
  printf '| %s | %s | %s |\n' "$name" "$(rss_mib $pid)" "$(pss_mib $pid)"
  kill $pid; wait $pid 2>/dev/null || true
}
echo
echo "| idle process | RSS (MiB) | PSS (MiB) |"
echo "| --- | ---: | ---: |"
./empty & pid=$!; sleep 0.3
printf '| %s | %s | %s |\n' "empty C program (glibc only)" "$(rss_mib $pid)" "$(pss_mib $pid)"
kill $pid
p=$(port); idle "libmicrohttpd, one epoll thread, nothing else" "$p" ./mhd_floor "$p"
p=$(port); idle "ferryd serve" "$p" "$build/daemon/ferryd" serve --listen "127.0.0.1:$p" --data-dir ferry-data
p=$(port)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/dist-data" "$p" >dist.yml
idle "Distribution 2.8 (docker-registry)" "$p" docker-registry serve dist.yml

# Durable write speed of the disk the benchmarks use, 512 MiB at a time.
echo
for i in $(seq 1 "$runs"); do
  rm -f disk.bin; sync
  dd if=/dev/zero of=disk.bin bs=8M count=64 conv=fdatasync 2>&1 | awk '/copied/{print $(NF-1), $NF}'
done | awk '{v=$1; if ($2 ~ /^GB/) v*=1000; print v}' | median | xargs printf 'durable write, dd bs=8M conv=fdatasync, median of %s: %s MB/s\n' "$runs"
