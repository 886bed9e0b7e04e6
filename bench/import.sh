#!/usr/bin/env bash
# ferryd import of a bundle against the pipeline that decompresses and hashes
# the same file, in one run (issue 4):
#   ferryd import BUNDLE  vs  zstd -dc BUNDLE | openssl dgst -sha256
# The import also writes and fsyncs every blob and commits SQLite, so the
# pipeline is its ceiling. Each import goes into an empty data dir; a second
# figure re-imports into a store that has everything (every blob read and
# checked, none written). Prints medians of RUNS, the ratio and peak RSS.
# Usage: bench/import.sh [BUILD_DIR] [GIB] [RUNS]
set -euo pipefail
build=${1:-build-release}; gib=${2:-2}; runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
ferry=$(realpath "$build/bundler/ferry")
ferryd=$(realpath "$build/daemon/ferryd")
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-import-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
layers=$((gib * 4))
python3 "$here/../tests/e2e/make_oci_layout.py" layout --tag v1 --uncompressed \
  --layers "$layers" --layer-size $((256 << 20)) >/dev/null
"$ferry" keygen -o k --no-password >/dev/null
mkdir trust && cp k.pub trust/
"$ferry" pack -k k.key -o b.ferry oci:layout:v1=bench/app:v1 >/dev/null
rm -rf layout
bytes=$("$ferry" inspect --json b.ferry | python3 -c 'import json,sys; print(json.load(sys.stdin)["blobBytes"])')

# Same rules as bench/bundle.sh: sync first, outputs removed beforehand.
timed() { sync; /usr/bin/time -f "%e %M" -o t.out "$@" >/dev/null 2>&1; cat t.out; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

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
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.0f", b/s/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b/a}'; }
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
