#!/usr/bin/env bash
# Referrers travel with their subjects (issue 18, part 3). An image, its
# SBOM (an OCI 1.1 artifact with a subject) and a signature of that SBOM
# are pushed into a source ferryd (referrers API); an SBOM of one child of a
# multi-arch index too. A Distribution 2.8 registry (no referrers API) holds
# a cosign-style sha256-<hex>.sig tag and the tag schema's sha256-<hex> index.
# Each is packed, imported into a box whose referrers API then lists them,
# digests unchanged, the .sig tag resolving; --no-referrers leaves them out;
# the OCI-layout path; inspect, verify and push; refused imports publish none.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
export FERRY_PROGRESS=0
ref() { python3 "$HERE/referrers.py" "$@"; }
# The referrers API's answer: "artifactType digest" lines, sorted.
listed() { curl -sf "http://$1/v2/$2/referrers/$3" | jq -r '.manifests[] | "\(.artifactType) \(.digest)"' | sort; }
# The digest of what a registry serves for REPO:REF, from the bytes themselves.
served() { curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$1/v2/$2/manifests/$3" | sha256sum | sed 's/^/sha256:/; s/ .*//'; }
export -f listed served
SPDX=application/spdx+json
SIG=application/vnd.dev.cosign.artifact.sig.v1+json

"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/
openssl ecparam -name prime256v1 -genkey -noout -out cosign.pem 2>/dev/null
app=$(make_layout app --tag v1 --layers 1 --layer-size 20000 --seed 1)
multi=$(make_layout multi --tag v2 --platforms linux/amd64,linux/arm64 --layers 1 --layer-size 5000 --seed 2)
arm=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "multi/blobs/sha256/${multi#sha256:}")
sbom=$(ref artifact app "$app" --artifact-type $SPDX --payload '{"spdxVersion":"SPDX-2.3","name":"app"}')
sbom_sig=$(ref artifact app "$sbom" --artifact-type $SIG --layer-type application/vnd.dev.cosign.simplesigning.v1+json --payload 'signed sbom')
arm_sbom=$(ref artifact multi "$arm" --artifact-type $SPDX --payload '{"spdxVersion":"SPDX-2.3","name":"arm64"}')

# ---- a source with the referrers API: a ferryd of its own, up throughout
SRC=127.0.0.1:$(free_port)
"$FERRYD" serve --listen "$SRC" --data-dir "$WORK/source" 2>>"$WORK/source.log" &
SRC_PID=$!
DIST_PID=""
trap 'kill $SRC_PID $DIST_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do curl -sf "http://$SRC/v2/" >/dev/null && break; sleep 0.05; done
NS=${SRC/:/_}
skopeo copy -q --dest-tls-verify=false oci:app:v1 "docker://$SRC/team/app:v1"
skopeo copy -q --all --dest-tls-verify=false oci:multi:v2 "docker://$SRC/team/multi:v2"
for d in "$sbom" "$sbom_sig"; do ref push app "$SRC" team/app "$d" >/dev/null; done
ref push multi "$SRC" team/multi "$arm_sbom" >/dev/null
check "the source lists the SBOM as a referrer of the image" \
  equal "$(listed "$SRC" team/app "$app")" "$SPDX $sbom"

check "pack carries the SBOM, the signature of the SBOM, and an index child's SBOM" \
  bash -c "'$FERRY' pack -k site.key -o api.ferry --insecure docker://$SRC/team/app:v1 docker://$SRC/team/multi:v2 >pack.out &&
           grep -q '^  referrer $sbom $SPDX\$' pack.out && grep -q '^  referrer $sbom_sig $SIG\$' pack.out &&
           grep -q '^  referrer $arm_sbom $SPDX\$' pack.out"
check "inspect --json lists each referrer under its image with its subject" \
  bash -c "'$FERRY' inspect --json api.ferry | jq -e '
    (.images[0].referrers | map([.digest, .subject, .artifactType]) | sort) == ([[\"$sbom\", \"$app\", \"$SPDX\"], [\"$sbom_sig\", \"$sbom\", \"$SIG\"]] | sort) and
    (.images[1].referrers | map([.digest, .subject]) == [[\"$arm_sbom\", \"$arm\"]])'"
check "inspect shows the signature under the SBOM under the image, and the child's SBOM" \
  bash -c "'$FERRY' inspect api.ferry >inspect.out && grep -q '^  referrer $SPDX ${sbom:0:19}' inspect.out &&
           grep -q '^    referrer $SIG ${sbom_sig:0:19}' inspect.out &&
           grep -q '^  of ${arm:0:19} (in the index):' inspect.out && grep -q '^    referrer $SPDX ${arm_sbom:0:19}' inspect.out"
check "ferry verify accepts it and counts the referrers" \
  bash -c "'$FERRY' verify -p site.pub api.ferry | grep -q '2 image(s), 3 referrer(s)'"
mkdir unpacked && tar --zstd -xf api.ferry -C unpacked
check "the unpacked layout's index.json lists the referrers untagged, with their artifactType" \
  bash -c "jq -e '[.manifests[] | select(.annotations == null) | [.digest, .artifactType]] | sort == ([[\"$sbom\", \"$SPDX\"], [\"$sbom_sig\", \"$SIG\"], [\"$arm_sbom\", \"$SPDX\"]] | sort)' unpacked/index.json"
check "skopeo still reads the images from the unpacked layout" \
  bash -c "[ \$(skopeo inspect --raw oci:unpacked:$NS/team/app:v1 | sha256sum | cut -c1-64) = ${app#sha256:} ]"

"$FERRYD" import -q --data-dir box --trust-dir trust api.ferry >/dev/null
start_ferryd "$WORK/box"
BOX=$REG
check "the box's referrers API lists the SBOM for the image" equal "$(listed "$BOX" "$NS/team/app" "$app")" "$SPDX $sbom"
check "and the signature for the SBOM" equal "$(listed "$BOX" "$NS/team/app" "$sbom")" "$SIG $sbom_sig"
check "and the child's SBOM for the arm64 image of the index" equal "$(listed "$BOX" "$NS/team/multi" "$arm")" "$SPDX $arm_sbom"
check "the referrers arrive byte for byte (digests unchanged)" \
  bash -c "[ \$(curl -sf http://$BOX/v2/$NS/team/app/manifests/$sbom | sha256sum | cut -c1-64) = ${sbom#sha256:} ] &&
           [ \$(curl -sf http://$BOX/v2/$NS/team/app/manifests/$sbom_sig | sha256sum | cut -c1-64) = ${sbom_sig#sha256:} ]"
check "the API carries the annotations ferryd serves for pushed referrers" \
  bash -c "curl -sf http://$BOX/v2/$NS/team/app/referrers/$app | jq -e '.manifests[0].annotations[\"org.opencontainers.image.created\"] == \"2026-01-01T00:00:00Z\"'"
check "referrers add no tags" equal "$(curl -sf "http://$BOX/v2/$NS/team/app/tags/list" | jq -c .tags)" '["v1"]'
stop_ferryd

# ---- --no-referrers
check "--no-referrers leaves them out" \
  bash -c "'$FERRY' pack -k site.key -o bare.ferry --insecure --no-referrers docker://$SRC/team/app:v1 >out.txt &&
           ! grep -q referrer out.txt && '$FERRY' inspect --json bare.ferry | jq -e '.images[0] | has(\"referrers\") | not'"
"$FERRYD" import -q --data-dir bare-box --trust-dir trust bare.ferry >/dev/null
start_ferryd "$WORK/bare-box"
check "and the box imported from it lists no referrer" equal "$(listed "$REG" "$NS/team/app" "$app")" ""
stop_ferryd

# ---- a registry without the referrers API: Distribution 2.8, tag schema
dport=$(free_port)
cat >dist.yml <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/dist}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$dport}
EOF
env -u REGISTRY_AUTH_FILE docker-registry serve dist.yml >dist.log 2>&1 &
DIST_PID=$!
DIST=127.0.0.1:$dport
for _ in $(seq 1 100); do curl -sf "http://$DIST/v2/" >/dev/null && break; sleep 0.05; done
DNS=${DIST/:/_}
skopeo copy -q --dest-tls-verify=false oci:app:v1 "docker://$DIST/team/app:v1"
cosign_sig=$(ref cosign app "$app" --identity "$DIST/team/app" --key cosign.pem)
ref push app "$DIST" team/app "$cosign_sig" --tag "sha256-${app#sha256:}.sig" >/dev/null
ref push app "$DIST" team/app "$sbom" >/dev/null
tag_index=$(ref tag-index app "$app" "$sbom")
ref push app "$DIST" team/app "$tag_index" --tag "sha256-${app#sha256:}" >/dev/null
check "Distribution 2.8 has no referrers API (404)" \
  equal "$(curl -s -o /dev/null -w '%{http_code}' "http://$DIST/v2/team/app/referrers/$app")" 404
check "the cosign signature is as cosign writes it (simple signing, signature annotation, verifiable)" \
  bash -c "curl -sf http://$DIST/v2/team/app/manifests/sha256-${app#sha256:}.sig -H 'Accept: application/vnd.oci.image.manifest.v1+json' >sig.json &&
           jq -e '.layers[0].mediaType == \"application/vnd.dev.cosign.simplesigning.v1+json\"' sig.json >/dev/null &&
           jq -r '.layers[0].annotations[\"dev.cosignproject.cosign/signature\"]' sig.json | base64 -d >sig.der &&
           curl -sf http://$DIST/v2/team/app/blobs/\$(jq -r '.layers[0].digest' sig.json) >payload.json &&
           openssl ec -in cosign.pem -pubout -out cosign.pub 2>/dev/null &&
           openssl dgst -sha256 -verify cosign.pub -signature sig.der payload.json"
check "pack from it finds the .sig tag and the tag schema's index, not the index itself" \
  bash -c "'$FERRY' pack -k site.key -o tags.ferry --insecure docker://$DIST/team/app:v1 >pack2.out &&
           grep -q '^  referrer $cosign_sig .* (tag sha256-${app#sha256:}.sig)\$' pack2.out &&
           grep -q '^  referrer $sbom $SPDX\$' pack2.out && [ \$(grep -c referrer pack2.out) = 2 ]"
check "inspect shows the tag of a tag-schema referrer" \
  bash -c "'$FERRY' inspect tags.ferry | grep -q 'tag sha256-${app#sha256:}.sig'"
"$FERRYD" import -q --data-dir tag-box --trust-dir trust tags.ferry >/dev/null
start_ferryd "$WORK/tag-box"
check "on the box the .sig tag resolves, with the same digest" \
  equal "$(served "$REG" "$DNS/team/app" "sha256-${app#sha256:}.sig")" "$cosign_sig"
check "and the referrers API lists the SBOM found through the tag schema" \
  equal "$(listed "$REG" "$DNS/team/app" "$app")" "$SPDX $sbom"
check "ferry push carries the referrers on, after their subjects (into ferryd)" \
  bash -c "'$FERRY' push -p site.pub --insecure api.ferry docker://$REG/mirror | grep -q '2 image(s), 3 referrer(s)' &&
           [ \"\$(curl -sf http://$REG/v2/mirror/$NS/team/app/referrers/$sbom | jq -r '.manifests[].digest')\" = $sbom_sig ]"
stop_ferryd
check "ferry push sets the .sig tag on a registry without the API" \
  bash -c "'$FERRY' push -p site.pub --insecure tags.ferry docker://$DIST/copy >/dev/null &&
           [ \$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$DIST/v2/copy/$DNS/team/app/manifests/sha256-${app#sha256:}.sig | sha256sum | cut -c1-64) = ${cosign_sig#sha256:} ]"
kill "$DIST_PID"; wait "$DIST_PID" 2>/dev/null || true

# ---- OCI layouts: referrers listed in index.json (as oras and skopeo write them)
check "oci:DIR without a tag still means the one image among its referrers" \
  bash -c "'$FERRY' pack -k site.key -o layout.ferry oci:app=team/app:v1 >layout.out &&
           [ \$(grep -c '^  referrer' layout.out) = 3 ] && grep -q '(tag sha256-${app#sha256:}.sig)' layout.out"
"$FERRYD" import -q --data-dir layout-box --trust-dir trust layout.ferry >/dev/null
start_ferryd "$WORK/layout-box"
check "imported from a layout: the API lists the SBOM, the .sig tag resolves" \
  bash -c "[ \"\$(listed $REG team/app $app)\" = '$SPDX $sbom' ] && [ \"\$(listed $REG team/app $sbom)\" = '$SIG $sbom_sig' ] &&
           [ \$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$REG/v2/team/app/manifests/sha256-${app#sha256:}.sig | sha256sum | cut -c1-64) = ${cosign_sig#sha256:} ]"
stop_ferryd
check "a bundle's unpacked layout packs again with its referrers" \
  bash -c "'$FERRY' pack -k site.key -o again.ferry oci:unpacked:$NS/team/app:v1=again/app:v1 >again.out && [ \$(grep -c '^  referrer' again.out) = 2 ]"

# ---- a delta: a new signature of an image the box already has
"$FERRYD" import -q --data-dir delta-box --trust-dir trust bare.ferry >/dev/null
check "a delta against the bare bundle carries only the referrers' content" \
  bash -c "'$FERRY' pack -k site.key -o delta.ferry --insecure --base bare.ferry docker://$SRC/team/app:v1 >/dev/null &&
           '$FERRY' inspect --json delta.ferry | jq -e '(.requires | index(\"$app\")) != null and (.images[0].referrers | length) == 2'"
"$FERRYD" import -q --data-dir delta-box --trust-dir trust delta.ferry >/dev/null
start_ferryd "$WORK/delta-box"
check "imported onto the box that has the image, the delta's referrers are listed" \
  equal "$(listed "$REG" "$NS/team/app" "$app")" "$SPDX $sbom"
stop_ferryd

# ---- refused imports publish none of them
mkdir rules-box
start_ferryd "$WORK/rules-box"
"$FERRYCTL" --data-dir rules-box namespace set team --immutable 'sha256-*' >/dev/null
"$FERRY" pack -k site.key -o first.ferry --sequence 1 oci:app:v1=team/app:v1 >/dev/null
"$FERRYD" import -q --data-dir rules-box --trust-dir trust first.ferry >/dev/null
# The same image with its .sig tag now naming another signature.
other_sig=$(ref cosign app "$app" --identity other/app --key cosign.pem)
python3 - "$WORK/app/index.json" "$cosign_sig" <<'EOF'
import json, sys
index = json.load(open(sys.argv[1]))
index["manifests"] = [m for m in index["manifests"] if m["digest"] != sys.argv[2]]
json.dump(index, open(sys.argv[1], "w"))
EOF
new_sbom=$(ref artifact app "$app" --artifact-type $SPDX --payload '{"spdxVersion":"SPDX-2.3","name":"new"}')
"$FERRY" pack -k site.key -o moved.ferry --sequence 2 oci:app=team/app:v1 >/dev/null
rc=0 && "$FERRYD" import -q --data-dir rules-box --trust-dir trust moved.ferry >moved.out 2>&1 || rc=$?
check "an import that would move an immutable .sig tag is refused whole (27)" \
  bash -c "[ $rc = 27 ] && grep -q 'would move tag team/app:sha256-${app#sha256:}.sig' moved.out"
check "and publishes none of its referrers: the tag and the API are as before" \
  bash -c "[ \$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$REG/v2/team/app/manifests/sha256-${app#sha256:}.sig | sha256sum | cut -c1-64) = ${cosign_sig#sha256:} ] &&
           [ \"\$(listed $REG team/app $app)\" = '$SPDX $sbom' ] &&
           [ \"\$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/team/app/manifests/$other_sig)\" = 404 ] &&
           [ \"\$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/team/app/manifests/$new_sbom)\" = 404 ]"
"$FERRY" pack -k site.key -o old.ferry --sequence 1 oci:app=team/new:v1 >/dev/null
rc=0 && "$FERRYD" import -q --data-dir rules-box --trust-dir trust old.ferry >/dev/null 2>&1 || rc=$?
check "a bundle refused as a rollback (21) leaves no referrer behind either" \
  bash -c "[ $rc = 21 ] && [ -z \"\$(listed $REG team/new $app)\" ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' http://$REG/v2/team/new/manifests/$sbom)\" = 404 ]"
stop_ferryd
finish
