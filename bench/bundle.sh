#!/usr/bin/env bash
# ferry pack and ferry verify against the plain pipelines that do the same
# work, on the same OCI layout in one run (issue 3):
#   pack    vs  tar -c LAYOUT | zstd -T0 -3
#   verify  vs  zstd -dc BUNDLE | openssl dgst -sha256
# Layers are random bytes, like real (already compressed) layers. Prints
# medians of RUNS and the throughput ratios, plus ferry's peak RSS.
# Usage: bench/bundle.sh [BUILD_DIR] [GIB] [RUNS]
build=${1:-build-release}; gib=${2:-2}; runs=${3:-3}
source "$(dirname "$0")/lib.sh"
ferry=$(realpath "$build/bundler/ferry")
bench_start bundle
layers=$((gib * 4))
random_layout layout "$gib"
bytes=$(du -sb layout | cut -f1)
"$ferry" keygen -o k --no-password >/dev/null

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
echo "layout: $((bytes >> 20)) MiB in $layers layers; medians of $runs runs"
echo
echo "| step | ferry s | ferry MB/s | pipeline s | pipeline MB/s | ferry / pipeline throughput | ferry peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| pack vs tar \| zstd -T0 -3 | $p | $(mbs "$p") | $b | $(mbs "$b") | $(ratio "$p" "$b") | $((pr / 1024)) |"
echo "| verify vs zstd -dc \| openssl dgst -sha256 | $v | $(mbs "$v") | $vb | $(mbs "$vb") | $(ratio "$v" "$vb") | $((vr / 1024)) |"
echo
echo "ferry pack fsyncs the bundle before it is done; the same pipeline with its output fsynced:"
echo "$bs s, $(mbs "$bs") MB/s; ferry / durable pipeline throughput $(ratio "$p" "$bs")"
