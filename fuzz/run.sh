#!/usr/bin/env bash
# Runs every libFuzzer target of a FERRY_FUZZ=ON build for a bounded time
# (`make fuzz`; README.md, "Tests").
#
#   fuzz/run.sh BUILD_DIR [SECONDS_EACH] [TARGET...]
#
# Each target fuzzes a scratch copy of fuzz/corpus/<name>/ plus
# fuzz/regressions/<name>/, so the checked-in seeds never change. On a
# crash, the input is left in BUILD_DIR/fuzz-artifacts/<name>/: copy it to
# fuzz/regressions/<name>/ (it then runs in `make test`), fix the parser,
# and the exit status is 1. -seed=1: the same run on every machine.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS_EACH] [TARGET...]}
secs=${2:-20}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
((${#targets[@]})) || targets=(json_strict manifest bundle_manifest bundle_consistency bundle_reader range reference
  admin_json config)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
  exe=$build/fuzz/fuzz_$t
  [[ -x $exe ]] || { echo "fuzz: $exe is not built (make fuzz builds it)" >&2; exit 2; }
  mkdir -p "$scratch/$t" "$build/fuzz-artifacts/$t"
  cp fuzz/corpus/"$t"/* "$scratch/$t/"
  [[ -d fuzz/regressions/$t ]] && cp fuzz/regressions/"$t"/* "$scratch/$t/" 2>/dev/null || true
  echo "== fuzz $t (${secs}s)"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$exe" -seed=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t/" "$scratch/$t" \
      >"$build/fuzz-artifacts/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$build/fuzz-artifacts/$t.log" | tail -2 || true
  else
    failed+=("$t")
    tail -40 "$build/fuzz-artifacts/$t.log"
    echo "fuzz $t FAILED: input in $build/fuzz-artifacts/$t/; keep it in fuzz/regressions/$t/" >&2
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${secs}s each, no crash"
