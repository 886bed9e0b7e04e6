#!/usr/bin/env bash
# Scrub against a running ferryd: a flipped byte in a layer and a truncated
# manifest are found, quarantined and refused with a clear error; everything
# else keeps serving; a skopeo push or a ferryd import of the same content
# repairs it; the background scrub finds damage by itself.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
FERRY=${FERRY:?set FERRY to the ferry binary}
SRC=$WORK/src
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
blob_file() { local d=${1#sha256:}; echo "$DATA/blobs/sha256/${d:0:2}/$d"; }
push() { skopeo copy --dest-tls-verify=false "oci:$SRC/$1:v1" "docker://$REG/$2" >/dev/null; }
pulls_as() {
  rm -rf "$WORK/pull" && skopeo copy --src-tls-verify=false "docker://$REG/$1" "oci:$WORK/pull:x" >/dev/null &&
    equal "$(python3 -c "import json;print(json.load(open('$WORK/pull/index.json'))['manifests'][0]['digest'])")" "$2"
}
first_layer() { python3 -c "import json;print(json.load(open('$SRC/$1/blobs/sha256/${2#sha256:}'))['layers'][0]['digest'])"; }

start_ferryd "$DATA"
a=$(make_layout "$SRC/a" --tag v1 --layers 3 --layer-size 400000 --seed 1)
b=$(make_layout "$SRC/b" --tag v1 --layers 2 --layer-size 400000 --seed 2)
c=$(make_layout "$SRC/c" --tag v1 --layers 2 --layer-size 400000 --seed 3)
push a a/app:v1; push b b/app:v1; push c c/app:v1

check "scrub of a healthy store: exit 0, nothing damaged" \
  bash -c "'$FERRYCTL' --data-dir '$DATA' scrub >clean.txt && grep -q ' 0 newly damaged, 0 still damaged from before, 0 broken' clean.txt"
check "... and it checked every file (3 images: 3 manifests, 3 configs, 7 layers)" \
  grep -q '^checked 13 file(s)' clean.txt

layer=$(first_layer a "$a")
flip_byte "$(blob_file "$layer")" 1000
truncate -s 20 "$(blob_file "$b")"
rc=0; ctl scrub >damaged.txt || rc=$?
check "scrub finds both: exit 6" equal "$rc" 6
check "... names the layer with the flipped byte" grep -q "^damaged   $layer  its bytes hash to sha256:" damaged.txt
check "... and the truncated manifest" grep -q "^damaged   $b  it is 20 bytes" damaged.txt
check "the damaged files are in quarantine/, not served" \
  bash -c "[ -f '$DATA/quarantine/sha256-${layer#sha256:}' ] && [ ! -e '$(blob_file "$layer")' ]"
check "GET of the damaged layer: 404 BLOB_UNKNOWN saying what to do" \
  bash -c "curl -s -w ' %{http_code}' http://$REG/v2/a/app/blobs/$layer | grep -q 'BLOB_UNKNOWN.*failed an integrity check.*push or import it again.* 404'"
check "HEAD of the damaged layer says absent (so a push sends it again)" \
  equal "$(curl -s -o /dev/null -I -w '%{http_code}' "http://$REG/v2/a/app/blobs/$layer")" 404
check "GET of the truncated manifest: 404 MANIFEST_UNKNOWN, never the bad bytes" \
  bash -c "curl -s -w ' %{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$REG/v2/b/app/manifests/v1 | grep -q 'MANIFEST_UNKNOWN.*failed an integrity check.* 404'"
check "skopeo cannot pull the damaged image: it fails on that layer, nothing corrupt is written" \
  bash -c "! skopeo copy --src-tls-verify=false docker://$REG/a/app:v1 oci:$WORK/bad:x 2>pull-err.txt && grep -q '$layer' pull-err.txt"
check "the healthy image still pulls" pulls_as c/app:v1 "$c"
rc=0; ctl scrub >again.txt || rc=$?
check "a second scrub still reports the damage as not repaired" \
  bash -c "[ $rc -eq 6 ] && grep -q ' 0 newly damaged, 2 still damaged from before' again.txt"

check "skopeo push of b again" push b b/app:v1
check "... repairs the manifest: b pulls with its digest" pulls_as b/app:v1 "$b"

"$FERRY" keygen -o "$WORK/k" --no-password >/dev/null
mkdir -p "$WORK/trust" && cp "$WORK/k.pub" "$WORK/trust/"
"$FERRY" pack -k "$WORK/k.key" -o "$WORK/a.ferry" "oci:$SRC/a:v1=a/app:v1" >/dev/null
check "ferryd import of a bundle holding the same layer" \
  "$FERRYD" import -q --data-dir "$DATA" --trust-dir "$WORK/trust" "$WORK/a.ferry"
check "... repairs it: a pulls with its digest" pulls_as a/app:v1 "$a"
check "scrub is clean again" ctl scrub
ctl gc >gc.txt
check "gc then drops the quarantined copies of repaired content" \
  bash -c "grep -q ' 2 orphan file(s)' gc.txt && [ -z \"\$(ls -A '$DATA/quarantine')\" ]"

check "scrub --rate paces its reads (2.3 MB at 1 MiB/s takes over a second)" \
  bash -c "s=\$(date +%s%N); '$FERRYCTL' --data-dir '$DATA' scrub --rate 1MiB >/dev/null; (( (\$(date +%s%N) - s) / 1000000 > 1500 ))"
rc=0; ctl scrub --rate fast 2>err.txt || rc=$?
check "a bad --rate is a usage error (2)" bash -c "[ $rc -eq 2 ] && grep -q \"is not a size\" err.txt"

# ---- the background scrub finds damage by itself.
stop_ferryd
printf '[scrub]\ninterval = "1s"\nrate = "64MiB"\n' >scrub.toml
start_ferryd "$DATA" --config scrub.toml
layer_c=$(first_layer c "$c")
flip_byte "$(blob_file "$layer_c")" 1000
found() { for _ in $(seq 50); do grep -q "scrub: $layer_c is damaged" "$WORK/ferryd.log" && return 0; sleep 0.2; done; return 1; }
check "the background scrub logs the damaged layer as an error" found
check "... and it is no longer served" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/c/app/blobs/$layer_c")" 404
check "images a and b still pull" bash -c "$(declare -f pulls_as equal); REG=$REG WORK=$WORK SRC=$SRC; pulls_as a/app:v1 $a && pulls_as b/app:v1 $b"
check "ferryd keeps serving" curl -sf "http://$REG/v2/"
finish
