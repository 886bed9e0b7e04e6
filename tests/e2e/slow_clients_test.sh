#!/usr/bin/env bash
# Hostile and slow clients against a real ferryd (issue 13, items 1 and 2):
# hundreds of connections trickling header lines, a per-address connection
# limit, bodies and responses below the minimum rate, and 100 stalled 4 MiB
# manifest PUTs against the body budget. Another address must keep being
# answered within 1 s throughout, memory must stay bounded, and a normal
# push and pull must work afterwards. tests/e2e/slow_clients.py does the
# attacking; the timeouts are shortened in the config so this runs quickly.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
ATTACK=(python3 "$HERE/slow_clients.py")
json() { jq -r "$2" "$1"; }  # json FILE FILTER
cat >ferryd.toml <<'CONF'
[http]
header_timeout = "2s"
rate_window = "3s"
min_rate = "1KiB"
per_address_limit = 150
CONF
start_ferryd "$WORK/data" --config ferryd.toml
PORT=${REG#*:}
vm() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$FERRYD_PID/status"; }  # vm VmHWM: KiB

# -- A per-address limit: one address holds at most 150 connections; the
# others are closed at once, while another address is served.
"${ATTACK[@]}" hold 127.0.0.1 "$PORT" 127.0.0.3 200 0.5 >hold.json
echo "    per-address limit: $(cat hold.json)"
check "per-address limit: 150 of 200 connections from one address held, the rest closed at once" \
  bash -c "[[ \$(jq .held hold.json) == 150 && \$(jq .closed_by_server hold.json) == 50 ]]"
check "per-address limit: that address's next request is refused" equal "$(json hold.json .same_address_answered)" false
check "per-address limit: another address is served meanwhile" equal "$(json hold.json .other_address_answered)" true

# -- B 600 connections trickling one header line a second (the header
# timeout is 2 s): a probe from 127.0.0.2 is answered within 1 s throughout.
"${ATTACK[@]}" headers 127.0.0.1 "$PORT" 600 1 12 >headers.json &
attack=$!
sleep 2
"${ATTACK[@]}" probe 127.0.0.1 "$PORT" 127.0.0.2 9 >probe.json
wait "$attack"
echo "    slow headers: $(cat headers.json); probe from 127.0.0.2: $(cat probe.json)"
check "600 slow-header connections: every probe from another address answered within 1 s" \
  bash -c "cat probe.json; [[ \$(jq .failed probe.json) == 0 && \$(jq .answered probe.json) -ge 20 ]]"
check "slow-header connections are cut at the header deadline, and no more than 150 stay" \
  bash -c "cat headers.json; [[ \$(jq .closed_by_server headers.json) -ge 600 && \$(jq .alive_at_end headers.json) -le 150 ]]"
check "the log says why a connection was cut" \
  grep -aq "no complete request line and headers within 2 s (http.header_timeout)" "$WORK/ferryd.log"

# -- C bodies and responses below http.min_rate are cut after the window;
# a slow client above it is not.
loc=$(curl -s -o /dev/null -D - -X POST "http://$REG/v2/team/app/blobs/uploads/" | tr -d '\r' |
  awk 'tolower($1) == "location:" {print $2}')
head -c 8388608 /dev/urandom >big
big=sha256:$(sha256sum big | cut -d' ' -f1)
curl -sf -o /dev/null -X POST --data-binary @big -H 'Content-Type: application/octet-stream' \
  "http://$REG/v2/team/app/blobs/uploads/?digest=$big"
pids=()
"${ATTACK[@]}" trickle 127.0.0.1 "$PORT" PATCH "$loc" 100000 2000 10 15 >patch.json & pids+=($!)
"${ATTACK[@]}" trickle 127.0.0.1 "$PORT" PUT /v2/team/app/manifests/slow 100000 2000 10 15 >put.json & pids+=($!)
"${ATTACK[@]}" trickle 127.0.0.1 "$PORT" PUT /v2/team/app/manifests/ok 20000 1000 4000 15 >steady.json & pids+=($!)
"${ATTACK[@]}" slowread 127.0.0.1 "$PORT" "/v2/team/app/blobs/$big" 8 >read.json & pids+=($!)
wait "${pids[@]}"
cut_in_time() { bash -c "cat $1; t=\$(jq .cut_after_s $1); [[ \$t != null ]] && (( \${t%.*} < 8 ))"; }
check "a blob PATCH trickled at 10 bytes/s is cut within the 3 s window" cut_in_time patch.json
check "a manifest PUT trickled at 10 bytes/s is cut within the 3 s window" cut_in_time put.json
check "a body sent steadily at 4000 bytes/s is read to the end and answered" \
  bash -c "cat steady.json; [[ \$(jq -r .cut_after_s steady.json) == null && \$(jq -r .answer steady.json) == 'HTTP/1.1 400 Bad Request' ]]"
check "a client that stops reading an 8 MiB blob is cut" \
  bash -c "cat read.json; (( \$(jq .received read.json) < 8388608 ))"
check "a client that reads gets the whole blob" \
  bash -c "curl -sf http://$REG/v2/team/app/blobs/$big | sha256sum | grep -q ${big#sha256:}"
check "the log names the slow body and the slow reader" \
  bash -c "grep -aq 'it sent its body at' $WORK/ferryd.log && grep -aq 'it read its response at' $WORK/ferryd.log"
check "/metrics counts the cut connections" bash -c \
  "curl -sf http://$REG/metrics | awk '/^ferry_http_slow_connections_cut_total /{v=\$2} END{exit !(v >= 3)}'"
check "/metrics shows the body memory limit (32 MiB)" bash -c \
  "curl -sf http://$REG/metrics | grep -qx 'ferry_http_body_memory_limit_bytes 33554432'"

# -- D 100 manifest PUTs of 4 MiB (the limit) stalled 1 byte short, from a
# fresh ferryd so VmHWM is this attack's peak. The default body budget
# (32 MiB) holds 8; the rest are drained without being kept, or, when they
# wait for "100 Continue", refused at once with 429 and Retry-After.
stop_ferryd
start_ferryd "$WORK/data" --config ferryd.toml
PORT=${REG#*:}
before=$(vm VmRSS)
"${ATTACK[@]}" stall 127.0.0.1 "$PORT" /v2/team/app/manifests/big 100 4194304 0 4 >stall.json
"${ATTACK[@]}" stall 127.0.0.1 "$PORT" /v2/team/app/manifests/big 100 4194304 1 4 >expect.json
peak=$(vm VmHWM)
echo "    100 stalled PUTs: $(cat stall.json); with Expect: $(cat expect.json)"
# Under AddressSanitizer (make test-asan) the shadow memory alone is about
# 100 MiB and freed memory sits in its quarantine: there, the attack's growth
# is held to 64 MiB and the give-back is measured by the plain build only.
asan=0
[[ $(ldd "$FERRYD") == *libasan* ]] && asan=1  # not "| grep -q": under pipefail, ldd's SIGPIPE fails it
limit=65536
((asan)) && limit=$((before + 65536))
check "100 stalled 4 MiB manifest PUTs: peak RSS ${peak} KiB (from ${before} KiB) stays under $((limit / 1024)) MiB" \
  test "$peak" -lt "$limit"
check "over the body budget, PUTs waiting for 100 Continue get 429 with Retry-After" \
  bash -c "cat expect.json; (( \$(jq '.statuses[\"HTTP/1.1 429 Too Many Requests\"]' expect.json) >= 85 && \$(jq .with_retry_after expect.json) >= 85 ))"
check "within the budget, up to 8 of them got 100 Continue" \
  bash -c "n=\$(jq '.statuses.sent_body // 0' expect.json); (( n >= 1 && n <= 8 ))"
after=""
for _ in $(seq 1 100); do  # the stalled bodies are cut and their memory given back
  after=$(vm VmRSS)
  ((after < before + 16384)) && break
  sleep 0.1
done
echo "    RSS before ${before} KiB, peak ${peak} KiB, after ${after} KiB"
if ((asan)); then
  echo "skip - after the attack the memory is given back (not measurable under AddressSanitizer)"
else
  check "after the attack the memory is given back (RSS ${after} KiB)" test "$after" -lt $((before + 16384))
fi

# -- D2 one address's stalled bodies hold at most a quarter of the budget
# (8 MiB of 32): a manifest pushed from another address meanwhile goes in.
EMPTY=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
printf '{}' >empty.json
curl -sf -o /dev/null -X POST --data-binary @empty.json -H 'Content-Type: application/octet-stream' \
  "http://$REG/v2/team/other/blobs/uploads/?digest=$EMPTY"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.note","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2}]}' \
  "$EMPTY" "$EMPTY" >note.json
"${ATTACK[@]}" stall 127.0.0.1 "$PORT" /v2/team/app/manifests/big 20 4194304 0 6 >stall2.json &
staller=$!
held=0
for _ in $(seq 1 50); do
  held=$(curl -s --interface 127.0.0.2 "http://$REG/metrics" | awk '/^ferry_http_body_memory_bytes /{print $2}')
  [[ "$held" == 8388608 ]] && break
  sleep 0.1
done
code=$(curl -s -o put.txt -w '%{http_code}' --interface 127.0.0.2 -X PUT \
  -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @note.json \
  "http://$REG/v2/team/other/manifests/note")
check "20 stalled manifest PUTs from one address hold a quarter of the budget (${held} bytes)" \
  test "$held" = 8388608
check "meanwhile another address pushes a manifest (201)" bash -c "cat put.txt; [ $code = 201 ]"
wait $staller

# -- E a body over its endpoint's limit gets 413 before it is sent: a 70 MB
# admin body waiting for 100 Continue used to get 100 and then a cut.
head -c 70000000 /dev/zero >huge
curl -s -o huge.json -w '%{http_code} %{size_upload}' -H 'Content-Type: application/json' \
  -H 'Expect: 100-continue' --data-binary @huge "http://$REG/ferry/v1/users" >huge.txt || true
check "a 70 MB admin body with Expect: 100-continue gets 413 at once, nothing uploaded" \
  bash -c "cat huge.txt huge.json; [[ \$(cat huge.txt) == '413 0' ]] && grep -q 'at most 65536 bytes' huge.json"

# -- F afterwards a normal push and pull work.
make_layout "$WORK/img" --tag v1 --layers 2 --layer-size 100000 --seed 3 >/dev/null
check "skopeo pushes after the attacks" \
  skopeo copy --dest-tls-verify=false "oci:$WORK/img:v1" "docker://$REG/team/after:v1"
check "skopeo pulls it back" \
  skopeo copy --src-tls-verify=false "docker://$REG/team/after:v1" "oci:$WORK/pulled:v1"

# -- G over TLS, a handshake trickled a byte at a time is cut at the header
# deadline too, while a real client is served.
stop_ferryd
make_tls "$WORK/tls"
SCHEME=https start_ferryd "$WORK/data" --config ferryd.toml \
  --tls-cert "$WORK/tls/server.crt" --tls-key "$WORK/tls/server.key"
"${ATTACK[@]}" tlshello 127.0.0.1 "${REG#*:}" 10 >tls.json
check "a trickled TLS handshake is cut at the 2 s header deadline" cut_in_time tls.json
check "an HTTPS client is served" \
  curl -sf --cacert "$WORK/tls/ca.crt" -o /dev/null "https://$REG/v2/"

# -- H a budget too small for one manifest is refused at start.
printf '[http]\nbody_memory = "1MiB"\n' >small.toml
check "http.body_memory under limits.max_manifest_size is refused at start" bash -c \
  "! $FERRYD serve --listen 127.0.0.1:0 --data-dir $WORK/d2 --config small.toml 2>err.txt; cat err.txt; grep -q 'http.body_memory' err.txt"
finish
