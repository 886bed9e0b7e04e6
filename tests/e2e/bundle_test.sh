#!/usr/bin/env bash
# ferry pack / ferry verify with stock tools: tar --zstd lists and unpacks a
# bundle, minisign -V checks its manifest, skopeo reads its layout into a
# running ferryd. Packing is reproducible. Every way of breaking a bundle is
# refused with its own exit code (docs/ferry-cli.md).
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
cd "$WORK"
app=$(make_layout app --tag v1 --layers 3 --layer-size 400000)
multi=$(make_layout multi --tag v2 --platforms linux/amd64,linux/arm64 --seed 5)
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" keygen -o other --no-password >/dev/null

check "ferry pack two images (one multi-arch) into a signed bundle" \
  "$FERRY" pack -k site.key -o site.ferry --channel stable --sequence 7 oci:app:v1 oci:multi:v2=team/multi:v2
check "ferry verify accepts it" "$FERRY" verify -p site.pub site.ferry
check "tar --zstd lists the manifest and its signature first" \
  equal "$(tar --zstd -tf site.ferry | head -4 | tr '\n' ' ')" "ferry-bundle.json ferry-bundle.json.minisig oci-layout index.json "
mkdir unpacked && tar --zstd -xf site.ferry -C unpacked
check "stock minisign verifies the unpacked manifest and shows id, channel, sequence" \
  bash -c "minisign -V -p site.pub -m unpacked/ferry-bundle.json | grep -q 'Trusted comment: ferry-bundle id=[0-9a-f]* channel=stable sequence=7'"
start_ferryd
check "skopeo copies the unpacked layout into ferryd" \
  skopeo copy --all --dest-tls-verify=false oci:unpacked:team/multi:v2 "docker://$REG/team/multi:v2"
check "and the pushed index has the digest of the packed one" \
  equal "$(skopeo inspect --tls-verify=false --raw "docker://$REG/team/multi:v2" | sha256sum | cut -d' ' -f1)" "${multi#sha256:}"

check "after zstd -d, skopeo reads the bundle itself as an oci-archive, digests intact" \
  bash -c "zstd -q -d site.ferry -o site.tar &&
           [ \$(skopeo inspect --raw oci-archive:site.tar:team/multi:v2 | sha256sum | cut -d' ' -f1) = ${multi#sha256:} ] &&
           skopeo copy -q oci-archive:site.tar:app:v1 oci:from-archive:app"

check "packing is reproducible (same inputs and SOURCE_DATE_EPOCH, any thread count)" \
  bash -c "SOURCE_DATE_EPOCH=1700000000 '$FERRY' pack -k site.key -o r1.ferry --threads 1 oci:app:v1 >/dev/null &&
           SOURCE_DATE_EPOCH=1700000000 '$FERRY' pack -k site.key -o r2.ferry --threads 4 oci:app:v1 >/dev/null &&
           cmp r1.ferry r2.ferry"

check "on a terminal, ferry pack shows progress: bytes, percentage, rate and time left" \
  bash -c "script -qec \"'$FERRY' pack -k site.key -o tty.ferry oci:app:v1\" /dev/null | tr '\r' '\n' |
           grep -E 'packing +[0-9.]+ [KMG]?i?B / [0-9.]+ [KMG]?i?B +[0-9]+%  [0-9.]+ [KMG]?i?B/s  ETA [0-9]+:[0-9]{2}'"
check "and nothing but the summary when it is not on a terminal" \
  bash -c "'$FERRY' pack -k site.key -o notty.ferry oci:app:v1 2>err.txt >/dev/null && [ ! -s err.txt ]"

check "ferry inspect lists each image with its platforms" \
  bash -c "'$FERRY' inspect site.ferry | grep -E '^team/multi:v2 +linux/amd64,linux/arm64 ' && '$FERRY' inspect site.ferry | grep -E '^app:v1 +linux/amd64 '"
check "ferry inspect --json gives channel, sequence and the signer's key id" \
  bash -c "'$FERRY' inspect --json site.ferry | python3 -c \"import json,sys; d=json.load(sys.stdin); assert (d['channel'], d['sequence']) == ('stable', 7), d; assert d['signer'] == open('site.pub').readline().split()[-1], d['signer']; assert [i['name'] for i in d['images']] == ['app:v1', 'team/multi:v2']\""
check "ferry inspect refuses what is not a bundle (12)" \
  bash -c "head -c 1000 /dev/urandom > junk.ferry; '$FERRY' inspect junk.ferry; test \$? -eq 12"

check "--platform linux/arm64 packs just the arm64 image of a multi-arch index" \
  bash -c "'$FERRY' pack -k site.key -o arm.ferry --platform linux/arm64 oci:multi:v2=team/multi:v2 >/dev/null &&
           '$FERRY' inspect arm.ferry | grep -E '^team/multi:v2 +linux/arm64 ' &&
           mkdir arm && tar --zstd -xf arm.ferry -C arm &&
           skopeo inspect --format '{{.Architecture}}' oci:arm:team/multi:v2 | grep -qx arm64"
check "--platform naming every platform keeps the original index byte for byte" \
  bash -c "'$FERRY' pack -k site.key -o both.ferry --platform linux/arm64 --platform linux/amd64 oci:multi:v2=team/multi:v2 >/dev/null &&
           '$FERRY' inspect --json both.ferry | grep -q '\"$multi\"'"
check "--platform with no matching image says what there is (5)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --platform linux/riscv64 oci:multi:v2 2>&1); [ \$? -eq 5 ] && grep -q 'it has linux/amd64, linux/arm64' <<<\"\$out\""
check "-f LIST reads sources one per line, skipping comments and blanks" \
  bash -c "printf '# site\noci:app:v1\n\n  oci:multi:v2=team/multi:v2  \n' > list.txt &&
           '$FERRY' pack -k site.key -o listed.ferry -f list.txt >/dev/null &&
           test \$('$FERRY' inspect --json listed.ferry | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"images\"]))') -eq 2"

# Deltas: app2 shares app's three layers (same seed) and adds a fourth.
make_layout app2 --tag v2 --layers 4 --layer-size 400000 >/dev/null
"$FERRY" pack -k site.key -o full2.ferry oci:app2:v2=app:v2 >/dev/null
check "a delta against the earlier bundle leaves out the shared layers" \
  bash -c "'$FERRY' pack -k site.key -o delta.ferry --base site.ferry oci:app2:v2=app:v2 | grep -q '^delta: 3 blob(s) left out' &&
           [ \$(stat -c %s delta.ferry) -lt \$(( \$(stat -c %s full2.ferry) / 2 )) ]"
check "the delta verifies, and lists what it expects on site" \
  bash -c "'$FERRY' verify -p site.pub delta.ferry >/dev/null &&
           '$FERRY' inspect --json delta.ferry | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d[\"requires\"]) == 3 and len(d[\"blobs\"]) == 3, d'"
check "--base-inventory (a JSON list of digests) gives the same delta" \
  bash -c "'$FERRY' inspect --json delta.ferry | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[\"requires\"]))' > inventory.json &&
           SOURCE_DATE_EPOCH=1 '$FERRY' pack -k site.key -o d1.ferry --base site.ferry oci:app2:v2=app:v2 >/dev/null &&
           SOURCE_DATE_EPOCH=1 '$FERRY' pack -k site.key -o d2.ferry --base-inventory inventory.json oci:app2:v2=app:v2 >/dev/null &&
           cmp d1.ferry d2.ferry"
head -c 5000 /dev/urandom > not-a-bundle.bin
check "--base that is not a bundle is refused (12)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry --base not-a-bundle.bin oci:app2:v2=app:v2 2>&1); [ \$? -eq 12 ] && grep -q 'not a Ferry bundle' <<<\"\$out\""

refuses() {  # refuses CODE BUNDLE [KEY]: ferry verify exits with CODE
  local want=$1 bundle=$2 key=${3:-site.pub} rc=0
  "$FERRY" verify -p "$key" "$bundle" || rc=$?
  [[ $rc -eq $want ]] || { echo "exit $rc, wanted $want"; return 1; }
}
order=$(tar --zstd -tf site.ferry | tr '\n' ' ')
blobs=$(tar --zstd -tf site.ferry | grep '^blobs/' | tr '\n' ' ')
first_blob=$(echo $blobs | cut -d' ' -f1)

check "re-assembled unchanged, it still verifies" bash -c "$(declare -f retar); retar same.ferry unpacked $order && '$FERRY' verify -p site.pub same.ferry"
check "a bundle signed by another key: unknown key (11)" refuses 11 site.ferry other.pub
check "a truncated bundle: damaged (14)" bash -c "head -c \$(( \$(stat -c %s site.ferry) / 2 )) site.ferry > half.ferry; $(declare -f refuses); FERRY='$FERRY' refuses 14 half.ferry"

cp -r unpacked t1 && flip_byte "t1/$first_blob" 100
retar tampered.ferry t1 $order
check "one flipped byte in a blob: tampered (13)" refuses 13 tampered.ferry

cp -r unpacked t2 && echo evil > t2/evil.txt
retar extra.ferry t2 $order evil.txt
check "an entry the manifest does not list: refused (15)" refuses 15 extra.ferry

cp -r unpacked t3 && ln -s /etc/passwd t3/link
retar link.ferry t3 $order link
check "a symlink entry: refused (15)" refuses 15 link.ferry

cp -r unpacked t4 && head -c 5000000 /dev/urandom >> "t4/$first_blob"
retar big.ferry t4 $order
check "an entry larger than declared: refused without reading it (16)" refuses 16 big.ferry

retar missing.ferry unpacked $(echo $order | sed "s|$first_blob||")
check "a listed blob missing: incomplete (17)" refuses 17 missing.ferry

retar unsigned.ferry unpacked $(echo $order | sed 's|ferry-bundle.json.minisig||')
check "no signature: not a signed bundle (12)" refuses 12 unsigned.ferry

cp -r unpacked t5 && sed -i 's/"sequence":7/"sequence":9/' t5/ferry-bundle.json
retar edited.ferry t5 $order
check "an edited manifest: bad signature (10)" refuses 10 edited.ferry

head -c 100000 /dev/urandom > random.ferry
check "random bytes: not a bundle (12)" refuses 12 random.ferry

# Split bundles (FAT32 sticks): volumes NAME.001, NAME.002, ...
export SOURCE_DATE_EPOCH=1700000000
"$FERRY" pack -k site.key -o whole.ferry oci:app:v1 >/dev/null
check "pack --split 300K writes volumes of exactly that size, the last smaller" \
  bash -c "'$FERRY' pack -k site.key -o split.ferry --split 300K oci:app:v1 >/dev/null &&
           n=\$(ls split.ferry.* | wc -l) && [ \$n -ge 3 ] &&
           for v in \$(ls split.ferry.* | head -n -1); do [ \$(stat -c %s \$v) -eq 307200 ] || exit 1; done &&
           [ \$(stat -c %s \$(ls split.ferry.* | tail -1)) -le 307200 ]"
check "the volumes joined are byte-identical to the unsplit bundle" \
  bash -c "cat split.ferry.* | cmp - whole.ferry"
check "verify takes the first volume and finds the rest" "$FERRY" verify -p site.pub split.ferry.001
check "or the base name" "$FERRY" verify -p site.pub split.ferry
check "stock tools read the joined volumes" bash -c "cat split.ferry.* | tar --zstd -tf - | grep -qx index.json"
unset SOURCE_DATE_EPOCH
last=$(ls split.ferry.* | tail -1)
mkdir gap && cp split.ferry.* gap/ && rm gap/split.ferry.002
check "a missing middle volume is named (18)" \
  bash -c "out=\$('$FERRY' verify -p site.pub gap/split.ferry.001 2>&1); [ \$? -eq 18 ] && grep -q 'split.ferry.002 is missing' <<<\"\$out\""
mkdir nolast && cp split.ferry.* nolast/ && rm "nolast/$last"
check "a missing last volume is named too (18)" \
  bash -c "out=\$('$FERRY' verify -p site.pub nolast/split.ferry.001 2>&1); [ \$? -eq 18 ] && grep -q '${last} is missing' <<<\"\$out\""
mkdir cut && cp split.ferry.* cut/ && truncate -s 1000 "cut/$last"
check "a truncated last volume is damaged (14)" refuses 14 cut/split.ferry.001
check "--split with a size that is no size is refused (2)" \
  bash -c "'$FERRY' pack -k site.key -o y.ferry --split lots oci:app:v1; test \$? -eq 2"

echo '[{"Config":"c.json","RepoTags":["a/b:1"],"Layers":["missing.tar"]}]' > manifest.json
echo '{"os":"linux","architecture":"amd64"}' > c.json
tar -cf broken-archive.tar manifest.json c.json
check "a docker-archive whose manifest names a missing layer is refused (5)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o x.ferry docker-archive:broken-archive.tar 2>&1); [ \$? -eq 5 ] && grep -q 'missing.tar' <<<\"\$out\""
tar -cf not-a-save.tar c.json
check "an archive without manifest.json is refused (5)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry docker-archive:not-a-save.tar; test \$? -eq 5"
check "a docker-archive that does not exist is refused (5)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry docker-archive:nope.tar; test \$? -eq 5"

# Names without =DEST: what a user would expect, printed by pack.
mkdir -p da/l && echo hi >da/l/hello && tar -cf da/layer.tar -C da/l hello
echo '{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}' >da/c.json
save_archive() {  # save_archive FILE REPOTAG: a docker save archive of one tiny image
  printf '[{"Config":"c.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$2" >da/manifest.json
  tar -cf "$1" -C da manifest.json c.json layer.tar
}
save_archive docker-saved.tar nginx:1.25
save_archive podman-saved.tar localhost/app:v1
check "docker-archive: docker save's RepoTags nginx:1.25 is kept as docker.io/library/nginx:1.25" \
  bash -c "'$FERRY' pack -k site.key -o da1.ferry docker-archive:docker-saved.tar >out.txt &&
           grep -qx 'image docker.io/library/nginx:1.25 <- docker-archive:docker-saved.tar' out.txt &&
           '$FERRY' inspect --json da1.ferry | jq -e '.images[0].name == \"docker.io/library/nginx:1.25\"'"
check "podman save's localhost/app:v1 stays localhost/app:v1" \
  bash -c "'$FERRY' pack -k site.key -o da2.ferry docker-archive:podman-saved.tar >/dev/null &&
           '$FERRY' inspect --json da2.ferry | jq -e '.images[0].name == \"localhost/app:v1\"'"
check "docker-archive:FILE:REF picks an image by its normalised name" \
  "$FERRY" pack -k site.key -o da3.ferry docker-archive:docker-saved.tar:docker.io/library/nginx:1.25
check "SOURCE=DEST names it as given, not normalised" \
  bash -c "'$FERRY' pack -k site.key -o da4.ferry 'docker-archive:docker-saved.tar=nginx:1.25' >/dev/null &&
           '$FERRY' inspect --json da4.ferry | jq -e '.images[0].name == \"nginx:1.25\"'"
make_layout quay --tag quay.io/acme/app:v1 --seed 11 >/dev/null
check "oci: a ref.name that is a whole reference is the image's name; else the folder's name and tag" \
  bash -c "'$FERRY' pack -k site.key -o q.ferry oci:quay oci:app:v1 >out.txt &&
           grep -qx 'image quay.io/acme/app:v1 <- oci:quay' out.txt && grep -qx 'image app:v1 <- oci:app:v1' out.txt &&
           '$FERRY' inspect --json q.ferry | jq -e '[.images[].name] == [\"app:v1\", \"quay.io/acme/app:v1\"]'"
check "oci:DIR:REF splits at the first ':', as skopeo does" \
  bash -c "'$FERRY' pack -k site.key -o q2.ferry oci:quay:quay.io/acme/app:v1 >/dev/null"

# An earlier bundle is never replaced silently.
check "pack refuses an existing OUT (3), naming it and --force" \
  bash -c "out=\$('$FERRY' pack -k site.key -o site.ferry oci:app:v1 2>&1); [ \$? -eq 3 ] && grep -q 'site.ferry exists; pass --force' <<<\"\$out\" &&
           '$FERRY' verify -p site.pub site.ferry | grep -q 'sequence 7'"
check "--force replaces it" \
  bash -c "'$FERRY' pack -k site.key -o site.ferry --force --sequence 8 oci:app:v1 >/dev/null &&
           '$FERRY' inspect --json site.ferry | jq -e '.sequence == 8'"
check "and refuses existing volumes OUT.001... (3)" \
  bash -c "out=\$('$FERRY' pack -k site.key -o split.ferry --split 300K oci:app:v1 2>&1); [ \$? -eq 3 ] && grep -q 'split.ferry.001 exists' <<<\"\$out\""
check "--force over volumes removes those the new bundle did not rewrite" \
  bash -c "n=\$(ls split.ferry.* | wc -l) && [ \$n -ge 3 ] &&
           '$FERRY' pack -k site.key -o split.ferry --force --split 1M oci:app:v1 >/dev/null &&
           [ \$(ls split.ferry.* | wc -l) -lt \$n ] && '$FERRY' verify -p site.pub split.ferry >/dev/null"

check "pack refuses a tag the layout does not have (5)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry oci:app:nope; test \$? -eq 5"
check "pack refuses a destination that is not REPO:TAG (2)" \
  bash -c "'$FERRY' pack -k site.key -o x.ferry oci:app:v1=Bad_Name; test \$? -eq 2"
check "a failed pack leaves no bundle behind" bash -c "! ls x.ferry* 2>/dev/null"
finish
