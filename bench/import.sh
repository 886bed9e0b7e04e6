#!/usr/bin/env bash
# ferryd import of a bundle against the pipeline that decompresses and hashes
# the same file, in one run (issue 4):
#   ferryd import BUNDLE  vs  zstd -dc BUNDLE | openssl dgst -sha256
# The import also writes and fsyncs every blob and commits SQLite, so the
# pipeline is its ceiling. Each import goes into an empty data dir; a second
# figure re-imports into a store that has everything (every blob read and
# checked, none written). Prints medians of RUNS, the ratio and peak RSS.
# Usage: bench/import.sh [BUILD_DIR] [GIB] [RUNS]
build=${1:-build-release}; gib=${2:-2}; runs=${3:-3}
source "$(dirname "$0")/lib.sh"
ferry=$(realpath "$build/bundler/ferry")
ferryd=$(realpath "$build/daemon/ferryd")
bench_start import
layers=$((gib * 4))
random_layout layout "$gib"
"$ferry" keygen -o k --no-password >/dev/null
mkdir trust && cp k.pub trust/
"$ferry" pack -k k.key -o b.ferry oci:layout:v1=bench/app:v1 >/dev/null
rm -rf layout
bytes=$("$ferry" inspect --json b.ferry | python3 -c 'import json,sys; print(json.load(sys.stdin)["blobBytes"])')

imp_s=(); imp_rss=(); again_s=(); base_s=(); disk_s=()
for _ in $(seq "$runs"); do
  rm -rf data && sync
  read -r s r < <(timed "$ferryd" import -q --data-dir data --trust-dir trust b.ferry); imp_s+=("$s"); imp_rss+=("$r")
  read -r s _ < <(timed "$ferryd" import -q --allow-downgrade --data-dir data --trust-dir trust b.ferry); again_s+=("$s")
  read -r s _ < <(timed bash -c "zstd -dc b.ferry | openssl dgst -sha256"); base_s+=("$s")
  rm -rf data out.tar && sync
  # What this disk allows: the same bytes decompressed, written and fsynced.
  read -r s _ < <(timed bash -c "zstd -dc b.ferry > out.tar && sync out.tar"); disk_s+=("$s")
  rm -f out.tar
done
i=$(printf '%s\n' "${imp_s[@]}" | median); a=$(printf '%s\n' "${again_s[@]}" | median)
b=$(printf '%s\n' "${base_s[@]}" | median); d=$(printf '%s\n' "${disk_s[@]}" | median)
ir=$(printf '%s\n' "${imp_rss[@]}" | sort -n | tail -1)
echo "bundle: $((bytes >> 20)) MiB of blobs in $layers layers ($(($(stat -c %s b.ferry) >> 20)) MiB compressed); medians of $runs runs"
echo
echo "| step | s | MB/s | / pipeline | peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| zstd -dc \| openssl dgst -sha256 | $b | $(mbs "$b") | 1.00 | |"
echo "| ferryd import, empty store | $i | $(mbs "$i") | $(ratio "$i" "$b") | $((ir / 1024)) |"
echo "| ferryd import again, all blobs present | $a | $(mbs "$a") | $(ratio "$a" "$b") | |"
echo "| zstd -dc > file && sync file (the disk's ceiling for a durable import) | $d | $(mbs "$d") | $(ratio "$d" "$b") | |"
echo
echo "samples (s): import ${imp_s[*]}; again ${again_s[*]}; pipeline ${base_s[*]}; disk ${disk_s[*]}"
