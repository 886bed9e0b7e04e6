# Shared by the bundle benchmarks: a scratch folder, the machine line, a
# random-layer OCI layout, and timing that gives every command the same start.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_start NAME: a scratch folder removed at exit; cd there; print the header.
bench_start() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-$1-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
}

# random_layout DIR GIB: GIB*4 uncompressed layers of 256 MiB random bytes
# (like real, already compressed layers).
random_layout() {
  python3 "$here/../tests/e2e/make_oci_layout.py" "$1" --tag v1 --uncompressed \
    --layers $(($2 * 4)) --layer-size $((256 << 20)) >/dev/null
}

# Seconds and peak RSS (KiB) of a command, via GNU time, after `sync` so no
# command pays for the writeback of what another left dirty. Callers also
# remove each output before it is written again: replacing a 2 GiB file costs
# this VM's filesystem seconds, which would land on whoever comes next.
timed() { sync; /usr/bin/time -f "%e %M" -o t.out "$@" >/dev/null 2>&1; cat t.out; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# mbs SECONDS: throughput of $bytes; ratio A B: B/A (throughput of A over B's).
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.0f", b/s/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b/a}'; }
