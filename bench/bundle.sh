#!/usr/bin/env bash
# ferry pack and ferry verify against the plain pipelines that do the same
# work, on the same OCI layout in one run (issue 3):
#   pack    vs  tar -c LAYOUT | zstd -T0 -3
#   verify  vs  zstd -dc BUNDLE | openssl dgst -sha256
# Layers are random bytes, like real (already compressed) layers. Prints
# medians of RUNS and the throughput ratios, plus ferry's peak RSS.
# Usage: bench/bundle.sh [BUILD_DIR] [GIB] [RUNS]
set -euo pipefail
build=${1:-build-release}; gib=${2:-2}; runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
ferry=$(realpath "$build/bundler/ferry")
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bundle-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
layers=$((gib * 4))
python3 "$here/../tests/e2e/make_oci_layout.py" layout --tag v1 --uncompressed \
  --layers "$layers" --layer-size $((256 << 20)) >/dev/null
bytes=$(du -sb layout | cut -f1)
"$ferry" keygen -o k --no-password >/dev/null

# seconds and peak RSS (KiB) of a command, via GNU time, after `sync` so no
# command pays for the writeback of what another left dirty. The loop also
# removes each output before it is written again: replacing a 2 GiB file
# costs this VM's filesystem seconds, which would land on whoever comes next.
timed() { sync; /usr/bin/time -f "%e %M" -o t.out "$@" >/dev/null 2>&1; cat t.out; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

pack_s=(); pack_rss=(); base_s=(); sync_s=(); ver_s=(); ver_rss=(); vbase_s=()
for _ in $(seq "$runs"); do
  rm -f b.ferry
  read -r s r < <(timed "$ferry" pack -k k.key -o b.ferry oci:layout:v1); pack_s+=("$s"); pack_rss+=("$r")
  rm -f base.tar.zst
  read -r s _ < <(timed bash -c "tar -C layout -cf - . | zstd -T0 -3 -q -f -o base.tar.zst"); base_s+=("$s")
  rm -f base.tar.zst
  # The same pipeline made as durable as ferry's output (fsync before done).
  read -r s _ < <(timed bash -c "tar -C layout -cf - . | zstd -T0 -3 -q -f -o base.tar.zst && sync base.tar.zst"); sync_s+=("$s")
  rm -f base.tar.zst
  read -r s r < <(timed "$ferry" verify -p k.pub b.ferry); ver_s+=("$s"); ver_rss+=("$r")
  read -r s _ < <(timed bash -c "zstd -dc b.ferry | openssl dgst -sha256"); vbase_s+=("$s")
done
p=$(printf '%s\n' "${pack_s[@]}" | median); b=$(printf '%s\n' "${base_s[@]}" | median)
bs=$(printf '%s\n' "${sync_s[@]}" | median)
v=$(printf '%s\n' "${ver_s[@]}" | median); vb=$(printf '%s\n' "${vbase_s[@]}" | median)
pr=$(printf '%s\n' "${pack_rss[@]}" | sort -n | tail -1); vr=$(printf '%s\n' "${ver_rss[@]}" | sort -n | tail -1)
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.0f", b/s/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b/a}'; }
echo "layout: $((bytes >> 20)) MiB in $layers layers; medians of $runs runs"
echo
echo "| step | ferry s | ferry MB/s | pipeline s | pipeline MB/s | ferry / pipeline throughput | ferry peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| pack vs tar \| zstd -T0 -3 | $p | $(mbs "$p") | $b | $(mbs "$b") | $(ratio "$p" "$b") | $((pr / 1024)) |"
echo "| verify vs zstd -dc \| openssl dgst -sha256 | $v | $(mbs "$v") | $vb | $(mbs "$vb") | $(ratio "$v" "$vb") | $((vr / 1024)) |"
echo
echo "ferry pack fsyncs the bundle before it is done; the same pipeline with its output fsynced:"
echo "$bs s, $(mbs "$bs") MB/s; ferry / durable pipeline throughput $(ratio "$p" "$bs")"
