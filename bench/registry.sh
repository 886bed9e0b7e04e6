#!/usr/bin/env bash
# Side-by-side benchmark of ferryd and CNCF Distribution 2.8 (see
# registry_bench.py). Usage: bench/registry.sh [BUILD_DIR] [extra args]
set -euo pipefail
build=${1:-build-release}; shift || true
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
python3 "$here/registry_bench.py" "$build/daemon/ferryd" "$@"
