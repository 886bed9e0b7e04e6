#!/usr/bin/env bash
# Manifests over the wire, with curl (issue 13 items 4 and 9): what ferryd
# stores is exactly what it checked (a NUL byte and more after the JSON, a
# key twice: 400 MANIFEST_INVALID, nothing stored), and an OCI index whose
# entries are blobs, as `docker buildx build --cache-to type=registry`
# writes it, is taken, pulled back, and kept by GC with the blobs it names.
source "$(dirname "$0")/lib.sh"
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
start_ferryd "$WORK/data"

sha() { printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"; }
push_blob() {  # push_blob REPO FILE: a monolithic upload
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/octet-stream' \
    --data-binary "@$2" "http://$REG/v2/$1/blobs/uploads/?digest=$(sha "$2")"
}
# put REPO REF FILE TYPE: prints "STATUS CODE" (CODE from the error body, if any).
put() {
  local s; s=$(curl -s -o put.json -w '%{http_code}' -X PUT -H "Content-Type: $4" \
    --data-binary "@$3" "http://$REG/v2/$1/manifests/$2")
  echo "$s $(jq -r '.errors[0].code // ""' put.json 2>/dev/null)"
}
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json

# ---- item 4: lax JSON
printf '{}' >config.json
head -c 1000 /dev/urandom >layer.bin
push_blob team/app config.json
push_blob team/app layer.bin
desc() { printf '{"mediaType":"%s","digest":"%s","size":%s}' "$1" "$2" "$3"; }
manifest() {  # manifest LAYERS_JSON_FRAGMENT...
  printf '{"schemaVersion":2,"mediaType":"%s","config":%s,%s}' "$OCI_MANIFEST" \
    "$(desc application/vnd.oci.image.config.v1+json "$(sha config.json)" 2)" "$1"
}
LAYER=$(desc application/vnd.oci.image.layer.v1.tar "$(sha layer.bin)" 1000)
manifest "\"layers\":[$LAYER]" >good.json
{ cat good.json; printf '\0{"anything":1}'; } >nul.json
# 4 MiB of values: a million empty objects took minutes of CPU each (a
# quadratic parse) and tens of MiB; now one pass refuses it.
python3 -c "
import sys; n = (4194304 - 200) // 3
sys.stdout.write('{\"schemaVersion\":2,\"x\":[' + ','.join(['{}'] * n) + ']}')" >objects.json
big=$(curl -s --max-time 20 -o big.json -w '%{http_code}' -X PUT -H "Content-Type: $OCI_MANIFEST" \
  --data-binary @objects.json "http://$REG/v2/team/app/manifests/big")
check "4 MiB of empty objects in a manifest: 400 MANIFEST_INVALID within seconds, naming the value limit" \
  bash -c "cat big.json; [ $big = 400 ] && jq -e '.errors[0].code == \"MANIFEST_INVALID\"' big.json >/dev/null &&
           grep -q 'more than 100000 JSON values' big.json"
check "a manifest with a NUL byte and more after its JSON: 400 MANIFEST_INVALID" \
  equal "$(put team/app v1 nul.json $OCI_MANIFEST)" "400 MANIFEST_INVALID"
check "... saying where the NUL byte is, in our words" \
  bash -c "jq -r '.errors[0].message' put.json | grep -q 'NUL byte (at byte $(stat -c %s good.json))' && ! grep -q json.exception put.json"
check "... and nothing stored: neither the tag nor the digest answers" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/team/app/manifests/v1) = 404 ] &&
           [ \$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/team/app/manifests/$(sha nul.json)) = 404 ]"
ABSENT=$(desc application/vnd.oci.image.layer.v1.tar "sha256:$(printf 'nowhere' | sha256sum | cut -d' ' -f1)" 7)
manifest "\"layers\":[$ABSENT],\"layers\":[$LAYER]" >twice.json
check "'layers' twice, the first naming a blob the repository lacks: 400 MANIFEST_INVALID" \
  equal "$(put team/app v1 twice.json $OCI_MANIFEST)" "400 MANIFEST_INVALID"
check "... naming the key" grep -q 'the key \\"layers\\" twice' put.json
{ cat good.json; printf ' trailing'; } >trailing.json
check "bytes after the JSON value: 400 MANIFEST_INVALID" \
  equal "$(put team/app v1 trailing.json $OCI_MANIFEST)" "400 MANIFEST_INVALID"
check "the same manifest without the extras is taken (201) and served byte for byte" \
  bash -c "[ \"\$(REG=$REG; $(declare -f put); put team/app v1 good.json $OCI_MANIFEST)\" = '201 ' ] &&
           curl -sf http://$REG/v2/team/app/manifests/v1 | cmp - good.json"
check "Python's json reads what is served" \
  bash -c "curl -sf http://$REG/v2/team/app/manifests/v1 | python3 -c 'import json,sys; json.load(sys.stdin)'"

# ---- item 9: an index of blobs (a buildx registry cache)
head -c 5000 /dev/urandom >cache-layer.bin
printf '{"layers":[{"blob":"%s"}]}' "$(sha cache-layer.bin)" >cacheconfig.json
push_blob ci/cache cache-layer.bin
push_blob ci/cache cacheconfig.json
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[%s,%s]}' "$OCI_INDEX" \
  "$(desc application/vnd.oci.image.layer.v1.tar+gzip "$(sha cache-layer.bin)" 5000)" \
  "$(desc application/vnd.buildkit.cacheconfig.v0 "$(sha cacheconfig.json)" "$(stat -c %s cacheconfig.json)")" \
  >cache-index.json
check "an OCI index listing a layer and a buildkit cacheconfig blob: 201" \
  equal "$(put ci/cache buildcache cache-index.json $OCI_INDEX)" "201 "
check "... served back byte for byte" \
  bash -c "curl -sf http://$REG/v2/ci/cache/manifests/buildcache | cmp - cache-index.json"
sed "s/\"size\":5000/\"size\":1/" cache-index.json >wrong-size.json
check "an index of blobs with a wrong size: 400 MANIFEST_INVALID" \
  equal "$(put ci/cache other wrong-size.json $OCI_INDEX)" "400 MANIFEST_INVALID"
check "ferryctl gc (grace 0) keeps what the tagged index names" \
  "$FERRYCTL" --data-dir data gc --grace 0
check "... the layer and the cacheconfig still pull, whole" \
  bash -c "curl -sf http://$REG/v2/ci/cache/blobs/$(sha cache-layer.bin) | cmp - cache-layer.bin &&
           curl -sf http://$REG/v2/ci/cache/blobs/$(sha cacheconfig.json) | cmp - cacheconfig.json"
curl -sf -o /dev/null -X DELETE "http://$REG/v2/ci/cache/manifests/buildcache"
"$FERRYCTL" --data-dir data gc --grace 0 >gc.txt
check "once the tag is deleted, GC removes the index's blobs" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/ci/cache/blobs/$(sha cache-layer.bin)) = 404 ]"

# ---- admin API bodies are read by the same strict parser
admin_post() {  # admin_post BODY: prints the status; the answer is in admin.json
  curl -s -o admin.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$1" "http://$REG/ferry/v1/users"
}
check "an admin body with a key twice: 400, naming the key, and no user made" \
  bash -c "[ \$($(declare -f admin_post); REG=$REG; admin_post '{\"name\":\"eve\",\"name\":\"admin\",\"password\":\"pass-word-1\"}') = 400 ] &&
           grep -q 'the key .*name.* twice' admin.json && ! '$FERRYCTL' --data-dir data user list | grep -q admin"
check "an admin body with a field of the wrong type: 400 in our words, not nlohmann's tag" \
  bash -c "[ \$($(declare -f admin_post); REG=$REG; admin_post '{\"name\":5,\"password\":\"pass-word-1\"}') = 400 ] &&
           grep -q 'does not fit' admin.json && ! grep -q 'json.exception' admin.json"

finish
