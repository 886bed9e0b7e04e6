#!/usr/bin/env bash
# skopeo against ferryd: copy OCI layouts in and back out with identical
# digests, multi-arch with --all, inspect, list-tags, delete, and a referrer.
source "$(dirname "$0")/lib.sh"
start_ferryd
T=(--tls-verify=false)
SRC=$WORK/src
single=$(make_layout "$SRC" --tag v1 --layers 3 --layer-size 200000)
multi=$(make_layout "$SRC" --tag multi --platforms linux/amd64,linux/arm64 --seed 2)

check "skopeo copy oci:layout → ferryd" \
  skopeo copy --dest-tls-verify=false "oci:$SRC:v1" "docker://$REG/e2e/app:v1"
check "skopeo inspect shows the same manifest digest" \
  equal "$(skopeo inspect "${T[@]}" --format '{{.Digest}}' "docker://$REG/e2e/app:v1")" "$single"
check "raw manifest bytes are served exactly as pushed" \
  cmp <(skopeo inspect "${T[@]}" --raw "docker://$REG/e2e/app:v1") "$SRC/blobs/sha256/${single#sha256:}"

check "skopeo copy ferryd → oci:layout" \
  skopeo copy --src-tls-verify=false "docker://$REG/e2e/app:v1" "oci:$WORK/out:v1"
check "every blob comes back byte-identical" \
  bash -c "for b in \$(ls '$WORK/out/blobs/sha256'); do cmp '$WORK/out/blobs/sha256/'\$b '$SRC/blobs/sha256/'\$b || exit 1; done"
check "the copied-out layout names the same manifest" \
  equal "$(python3 -c "import json;print(json.load(open('$WORK/out/index.json'))['manifests'][0]['digest'])")" "$single"

check "skopeo copy --all of a multi-arch index" \
  skopeo copy --all --dest-tls-verify=false "oci:$SRC:multi" "docker://$REG/e2e/multi:v1"
check "the index digest is preserved" \
  equal "$(skopeo inspect "${T[@]}" --raw "docker://$REG/e2e/multi:v1" | sha256sum | cut -d' ' -f1)" "${multi#sha256:}"
check "skopeo inspect --override-arch arm64 resolves the arm64 child" \
  equal "$(skopeo inspect "${T[@]}" --override-arch arm64 --format '{{.Architecture}}' "docker://$REG/e2e/multi:v1")" "arm64"
check "skopeo copy --all back out keeps every platform" \
  skopeo copy --all --src-tls-verify=false "docker://$REG/e2e/multi:v1" "oci:$WORK/multi-out:v1"
check "both platform manifests came back" \
  bash -c "ls '$WORK/multi-out/blobs/sha256' | wc -l | grep -qx 9"

check "a second tag via copy between repositories (cross-repo mount)" \
  skopeo copy --src-tls-verify=false --dest-tls-verify=false "docker://$REG/e2e/app:v1" "docker://$REG/e2e/app-copy:v2"
check "ferryd mounted the blobs instead of re-uploading them" \
  grep -q "POST /v2/e2e/app-copy/blobs/uploads/ 201" "$WORK/ferryd.log"
check "skopeo list-tags" \
  equal "$(skopeo list-tags "${T[@]}" "docker://$REG/e2e/app" | python3 -c 'import json,sys;print(json.load(sys.stdin)["Tags"])')" "['v1']"

# A referrer (signature-like artifact) whose subject is the image; skopeo 1.9
# has no referrers support, so curl pushes it, as an artifact tool would.
empty_digest=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
single_size=$(stat -c %s "$SRC/blobs/sha256/${single#sha256:}")
curl -sf -X POST --data-binary '{}' "http://$REG/v2/e2e/app/blobs/uploads/?digest=$empty_digest" >/dev/null
artifact=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sig","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}}' \
  "$empty_digest" "$empty_digest" "$single" "$single_size")
artifact_digest=sha256:$(printf '%s' "$artifact" | sha256sum | cut -d' ' -f1)
check "push a referrer artifact; ferryd answers OCI-Subject" \
  bash -c "curl -sf -D - -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary '$artifact' 'http://$REG/v2/e2e/app/manifests/$artifact_digest' | grep -qi '^OCI-Subject: $single'"
check "the referrers API lists it under its subject" \
  equal "$(curl -sf "http://$REG/v2/e2e/app/referrers/$single?artifactType=application/vnd.example.sig" | python3 -c 'import json,sys;print([m["digest"] for m in json.load(sys.stdin)["manifests"]])')" "['$artifact_digest']"

check "skopeo delete removes the image" \
  skopeo delete "${T[@]}" "docker://$REG/e2e/app-copy:v2"
check "the deleted tag no longer resolves" \
  bash -c "! skopeo inspect ${T[*]} docker://$REG/e2e/app-copy:v2"
check "the other repository still serves the same content" \
  skopeo inspect "${T[@]}" "docker://$REG/e2e/app:v1"
finish
