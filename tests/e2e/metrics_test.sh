#!/usr/bin/env bash
# /metrics against a running ferryd driven by skopeo, curl and ferryd import:
# promtool accepts the page, and each family counts what really happened.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRY=${FERRY:?set FERRY to the ferry binary}
SRC=$WORK/src
DATA=$WORK/data
scrape() { curl -sf "http://$REG/metrics" >metrics.txt; }
# value NAME{LABELS}: the sample's value on the last scrape (empty if absent).
value() { awk -v m="$1" '$1 == m {print $2}' metrics.txt; }
at_least() { local v; v=$(value "$1"); [[ -n $v ]] && (( ${v%.*} >= $2 )) || { echo "$1 = '$v', wanted >= $2"; return 1; }; }

printf '[gc]\ninterval = "1s"\ngrace = "0s"\n[scrub]\ninterval = "1s"\n' >ferryd.toml
start_ferryd "$DATA" --config ferryd.toml
img=$(make_layout "$SRC/img" --tag v1 --layers 2 --layer-size 300000 --seed 1)
skopeo copy --dest-tls-verify=false "oci:$SRC/img:v1" "docker://$REG/m/app:v1" >/dev/null
skopeo copy --src-tls-verify=false "docker://$REG/m/app:v1" "oci:$WORK/out:v1" >/dev/null
curl -s -o /dev/null "http://$REG/v2/m/app/manifests/nope"
curl -s -o /dev/null -X POST "http://$REG/v2/m/app/blobs/uploads/"
scrape
check "promtool accepts the page" bash -c "promtool check metrics <metrics.txt"
check "the skopeo push counted: PUT manifest 201" at_least 'ferry_http_requests_total{method="PUT",route="manifest",code="201"}' 1
check "the pull counted: GET blob 200, three of them" at_least 'ferry_http_requests_total{method="GET",route="blob",code="200"}' 3
check "the miss counted: GET manifest 404" at_least 'ferry_http_requests_total{method="GET",route="manifest",code="404"}' 1
check "latency histogram: +Inf bucket equals the count" \
  equal "$(value 'ferry_http_request_duration_seconds_bucket{route="blob",le="+Inf"}')" "$(value 'ferry_http_request_duration_seconds_count{route="blob"}')"
check "bytes sent cover the pulled layers" at_least ferry_http_sent_bytes_total 600000
check "bytes received cover the pushed layers" at_least ferry_http_received_bytes_total 600000
check "ferry_blobs is the number of content files on disk" \
  equal "$(value ferry_blobs)" "$(find "$DATA/blobs" -type f | wc -l)"
check "ferry_tags is 1" equal "$(value ferry_tags)" 1
check "the open upload session is counted" equal "$(value ferry_uploads_in_progress)" 1
check "free space is reported, and not low" bash -c "[ $(value ferry_free_bytes | cut -d. -f1) -gt 0 ] && [ $(value ferry_low_space) = 0 ]"

"$FERRY" keygen -o k --no-password >/dev/null && mkdir -p trust && cp k.pub trust/
"$FERRY" pack -k k.key -o b.ferry "oci:$SRC/img:v1=imp/app:v1" >/dev/null
"$FERRYD" import -q --data-dir "$DATA" --trust-dir trust b.ferry >/dev/null 2>&1
"$FERRYD" import -q --data-dir "$DATA" --trust-dir trust b.ferry >/dev/null 2>&1
"$FERRY" keygen -o stranger --no-password >/dev/null
"$FERRY" pack -k stranger.key -o s.ferry "oci:$SRC/img:v1=imp/other:v1" >/dev/null
"$FERRYD" import -q --data-dir "$DATA" --trust-dir trust s.ferry >/dev/null 2>&1 || true
scrape
check "imports by result: one imported, one unchanged (the same again), one refused" \
  equal "$(value 'ferry_imports_total{result="imported"}') $(value 'ferry_imports_total{result="unchanged"}') $(value 'ferry_imports_total{result="refused"}')" "1 1 1"

layer=$(python3 -c "import json;print(json.load(open('$SRC/img/blobs/sha256/${img#sha256:}'))['layers'][0]['digest'])")
python3 -c "
import sys; f = open(sys.argv[1], 'r+b'); f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))" \
  "$DATA/blobs/sha256/${layer:7:2}/${layer#sha256:}"
damaged() { for _ in $(seq 50); do scrape; [[ $(value ferry_damaged_blobs) == 1 ]] && return 0; sleep 0.2; done; return 1; }
check "the background scrub's find shows as ferry_damaged_blobs 1" damaged
# The quarantine shows at once; the run's counters when the whole run ends.
eventually() { for _ in $(seq 50); do scrape; at_least "$@" >/dev/null && return 0; sleep 0.2; done; at_least "$@"; }
check "... and in the scrub counters" eventually ferry_scrub_damaged_found_total 1
skopeo delete --tls-verify=false "docker://$REG/m/app:v1"
skopeo delete --tls-verify=false "docker://$REG/imp/app:v1"
gc_ran() { for _ in $(seq 50); do scrape; [[ $(value 'ferry_gc_removed_blobs_total') -ge 1 ]] 2>/dev/null && return 0; sleep 0.2; done; return 1; }
check "scheduled GC shows up: runs, removed blobs, freed bytes" \
  bash -c "$(declare -f gc_ran scrape value); REG=$REG; gc_ran && [ \$(value 'ferry_gc_freed_bytes_total') -gt 0 ] && [ \$(value 'ferry_gc_runs_total{result=\"ok\"}') -ge 1 ]"
check "the page still passes promtool" bash -c "promtool check metrics <metrics.txt"
check "POST /metrics is refused (405)" equal "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$REG/metrics")" 405
finish
