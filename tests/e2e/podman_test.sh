#!/usr/bin/env bash
# podman against ferryd: build an image FROM scratch, push it (podman sends
# one chunked PATCH per layer), remove it locally, pull it by tag and by
# digest, and check the pulled image is the one that was pushed.
source "$(dirname "$0")/lib.sh"
start_ferryd

podman_sandbox
echo "built by the ferry e2e test" >"$WORK/hello.txt"
image_id=$(build_scratch_image localhost/e2e/built:v1 3000000 "$WORK/hello.txt")

check "podman push to ferryd" \
  "${P[@]}" push --tls-verify=false --digestfile "$WORK/digest" localhost/e2e/built:v1 "$REG/e2e/built:v1"
check "podman's upload was one streamed PATCH per blob (chunked, no Content-Range)" \
  grep -q "PATCH /v2/e2e/built/blobs/uploads/.* 202 in=[0-9]" "$WORK/ferryd.log"
pushed=$(cat "$WORK/digest")
check "ferryd reports the digest podman pushed" \
  equal "$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REG/v2/e2e/built/manifests/v1" | tr -d '\r' | awk 'tolower($1)=="docker-content-digest:"{print $2}')" "$pushed"

"${P[@]}" rmi -f localhost/e2e/built:v1 >/dev/null
check "podman pull by tag" \
  "${P[@]}" pull --tls-verify=false "$REG/e2e/built:v1"
check "the pulled image has the same ID as the one built" \
  equal "$("${P[@]}" image inspect --format '{{.Id}}' "$REG/e2e/built:v1")" "$image_id"
"${P[@]}" rmi -f "$REG/e2e/built:v1" >/dev/null
check "podman pull by digest" \
  "${P[@]}" pull --tls-verify=false "$REG/e2e/built@$pushed"
check "pulled by digest: same image" \
  equal "$("${P[@]}" image inspect --format '{{.Id}}' "$REG/e2e/built@$pushed")" "$image_id"
check "the layer content survives the round trip" \
  bash -c "mnt=\$(${P[*]} image mount $REG/e2e/built@$pushed) && cmp \"\$mnt/payload.bin\" '$WORK/ctx-localhost_e2e_built_v1/payload.bin'"
# podman save -> ferry pack docker-archive: -> bundle -> ferryd -> podman pull
FERRY=${FERRY:?set FERRY to the ferry binary}
"${P[@]}" save --format docker-archive -o "$WORK/saved.tar" "$REG/e2e/built@$pushed" >/dev/null 2>&1 ||
  "${P[@]}" save --format docker-archive -o "$WORK/saved.tar" "$image_id" >/dev/null
"$FERRY" keygen -o "$WORK/k" --no-password >/dev/null
check "ferry packs a podman save archive (docker-archive:) into a bundle" \
  "$FERRY" pack -k "$WORK/k.key" -o "$WORK/saved.ferry" "docker-archive:$WORK/saved.tar=e2e/from-archive:v1"
check "the bundle verifies" "$FERRY" verify -p "$WORK/k.pub" "$WORK/saved.ferry"
mkdir "$WORK/unpacked" && tar --zstd -xf "$WORK/saved.ferry" -C "$WORK/unpacked"
check "skopeo copies the unpacked layout into ferryd" \
  skopeo copy --dest-tls-verify=false "oci:$WORK/unpacked:e2e/from-archive:v1" "docker://$REG/e2e/from-archive:v1"
"${P[@]}" rmi -af >/dev/null 2>&1 || true
check "podman pulls it back with the image ID it was built with" \
  bash -c "${P[*]} pull -q --tls-verify=false $REG/e2e/from-archive:v1 >/dev/null && test \"\$(${P[*]} image inspect --format '{{.Id}}' $REG/e2e/from-archive:v1)\" = '$image_id'"

check "pulling a missing tag fails, and says the manifest is unknown" \
  bash -c "out=\$(${P[*]} pull --tls-verify=false $REG/e2e/built:nope 2>&1) && exit 1; grep -q 'manifest unknown' <<<\"\$out\""
finish
