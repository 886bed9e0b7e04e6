#!/usr/bin/env bash
# Scrub throughput: `ferryctl scrub` (re-hash every blob, check every
# reference) against `sha256sum` of the same files, in one run, and against
# `openssl dgst -sha256` (SHA-NI, the hash ferry uses) as the real ceiling.
# The page cache is dropped before each command when this host allows it, so
# all read from disk; otherwise all read warm (the output says which).
# Usage: bench/scrub.sh [BUILD_DIR] [GIB] [RUNS]
build=${1:-build-release}; gib=${2:-1}; runs=${3:-3}
source "$(dirname "$0")/lib.sh"
ferryd=$(realpath "$build/daemon/ferryd")
ferryctl=$(realpath "$build/ctl/ferryctl")
bench_start scrub
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ferryd" serve --listen "127.0.0.1:$port" --data-dir data 2>/dev/null &
pid=$!
until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do sleep 0.05; done
for i in $(seq $((gib * 4))); do
  head -c $((256 << 20)) /dev/urandom >blob
  d=sha256:$(sha256sum blob | cut -d' ' -f1)
  curl -sf -X POST --data-binary @blob "http://127.0.0.1:$port/v2/bench/scrub/blobs/uploads/?digest=$d" >/dev/null
done
rm -f blob
kill $pid; wait $pid || true
bytes=$(find data/blobs -type f -printf '%s\n' | awk '{s+=$1} END{print s}')
cold=warm
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && cold=cold; }
drop
scrub_s=(); sum_s=(); ssl_s=()
for _ in $(seq "$runs"); do
  drop; read -r s _ < <(timed "$ferryctl" --data-dir data scrub); scrub_s+=("$s")
  drop; read -r s _ < <(timed bash -c "find data/blobs -type f -print0 | xargs -0 sha256sum"); sum_s+=("$s")
  drop; read -r s _ < <(timed bash -c "find data/blobs -type f -print0 | xargs -0 openssl dgst -sha256"); ssl_s+=("$s")
done
sc=$(printf '%s\n' "${scrub_s[@]}" | median); su=$(printf '%s\n' "${sum_s[@]}" | median)
ss=$(printf '%s\n' "${ssl_s[@]}" | median)
echo "$((bytes >> 20)) MiB in $((gib * 4)) blobs, $cold page cache; medians of $runs runs"
echo
echo "| | s | MB/s | / sha256sum |"
echo "| --- | ---: | ---: | ---: |"
echo "| sha256sum of the blob files | $su | $(mbs "$su") | 1.00 |"
echo "| openssl dgst -sha256 of the blob files | $ss | $(mbs "$ss") | $(ratio "$ss" "$su") |"
echo "| ferryctl scrub (unthrottled) | $sc | $(mbs "$sc") | $(ratio "$sc" "$su") |"
echo
echo "samples (s): scrub ${scrub_s[*]}; sha256sum ${sum_s[*]}; openssl ${ssl_s[*]}"
