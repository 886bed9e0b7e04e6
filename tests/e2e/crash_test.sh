#!/usr/bin/env bash
# Crash safety: while several skopeo pushes run at once, kill -9 ferryd at
# random moments, restart it on the same data, and check that every served
# blob matches its digest and every tag resolves to a complete manifest.
# Finally re-push everything and check the store converges.
source "$(dirname "$0")/lib.sh"
ROUNDS=${CRASH_ROUNDS:-6}
SRC=$WORK/src
for i in 1 2 3 4; do
  make_layout "$SRC" --tag "img$i" --layers 3 --layer-size $((400000 * i)) --seed "$i" >/dev/null
done

push_loop() {  # push_loop INDEX: pushes its image over and over, ignoring failures
  local n=0
  while true; do
    n=$((n + 1))
    skopeo copy -q --dest-tls-verify=false "oci:$SRC:img$1" "docker://$REG/crash/img$1:t$n" >/dev/null 2>&1 || true
  done
}

start_ferryd
for round in $(seq 1 "$ROUNDS"); do
  pids=()
  for i in 1 2 3 4; do push_loop "$i" & pids+=($!); done
  sleep "$(python3 -c "import random; print(round(random.uniform(0.3, 2.5), 2))")"
  kill -9 "$FERRYD_PID"; wait "$FERRYD_PID" 2>/dev/null || true; FERRYD_PID=""
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true
  pkill -f "skopeo copy -q --dest-tls-verify=false oci:$SRC" 2>/dev/null || true
  start_ferryd
  check "round $round: after kill -9, every tag, manifest and blob is whole" \
    python3 "$HERE/verify_store.py" "$REG" "$WORK/data"
done

tags_landed=$(for i in 1 2 3 4; do curl -sf "http://$REG/v2/crash/img$i/tags/list" || true; done | grep -o '"t[0-9]*"' | wc -l)
check "pushes were landing between the kills ($tags_landed tags), so the kills hit live traffic" \
  test "$tags_landed" -ge 4
check "no staging files survive a restart" \
  bash -c "[ -z \"\$(ls -A '$WORK/data/tmp')\" ]"
for i in 1 2 3 4; do
  check "re-push img$i after the crashes" \
    skopeo copy -q --dest-tls-verify=false "oci:$SRC:img$i" "docker://$REG/crash/img$i:final"
  check "img$i pulls back with the pushed digest" \
    equal "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/crash/img$i:final")" \
          "$(python3 -c "import json;print([m['digest'] for m in json.load(open('$SRC/index.json'))['manifests'] if m['annotations']['org.opencontainers.image.ref.name']=='img$i'][0])")"
done
check "final store is consistent" python3 "$HERE/verify_store.py" "$REG" "$WORK/data"
finish
