#!/usr/bin/env bash
# Helm charts and plain files in bundles, offline: a chart .tgz made here
# with tar+gzip, a few MB of random binary and a folder go through ferry
# pack -> ferryd import -> pull (skopeo into an OCI layout, curl /files/),
# each compared byte for byte with what went in. Helm is not in Debian 12,
# so the chart's manifest and config are compared with what helm push
# writes (Helm 3's pkg/registry), written out here by hand.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
export WORK FERRY_PROGRESS=0
DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/
imp() { "$FERRYD" import -q --data-dir "$DATA" --trust-dir "$WORK/trust" "$@"; }

# ---- the content: a chart as helm package lays it out, a file, a folder
mkdir -p src/demo/templates
cat >src/demo/Chart.yaml <<'EOF'
apiVersion: v2
name: demo
description: A demo chart for Ferry
type: application
version: 0.1.0+build.7
appVersion: "1.16.0"
EOF
printf 'replicaCount: 1\nmessage: hello\n' >src/demo/values.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  message: {{ .Values.message }}\n' \
  >src/demo/templates/configmap.yaml
tar -C src -czf demo-0.1.0+build.7.tgz demo
touch -d '2026-01-02T03:04:05Z' demo-0.1.0+build.7.tgz  # helm push dates a chart by its file
head -c 3000000 /dev/urandom >installer.bin
mkdir -p tools/sub
printf '#!/bin/sh\necho hi\n' >tools/run.sh && chmod 755 tools/run.sh
head -c 200000 /dev/urandom >tools/sub/data.bin
ln -s run.sh tools/start

check "ferry pack takes a chart, a file and a folder, naming each where it will land" \
  bash -c "'$FERRY' pack -k site.key -o p.ferry chart:demo-0.1.0+build.7.tgz file:installer.bin file:tools >pack.out &&
           grep -q '^image charts/demo:0.1.0_build.7 <- chart:demo-0.1.0+build.7.tgz$' pack.out &&
           grep -q '^image files/installer.bin:latest <- file:installer.bin$' pack.out &&
           grep -q '^image files/tools:latest <- file:tools$' pack.out"
check "pack leaves no scratch folder behind" bash -c "! ls -a | grep -q '^.ferry-pack-'"
start_ferryd "$DATA"
check "ferryd import publishes them" imp p.ferry

# ---- the chart, against helm's format
tgz=demo-0.1.0+build.7.tgz
config='{"name":"demo","version":"0.1.0+build.7","description":"A demo chart for Ferry","apiVersion":"v2","appVersion":"1.16.0","type":"application"}'
config_digest=sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
manifest='{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"'$config_digest'","size":'${#config}'},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:'$(sha $tgz)'","size":'$(stat -c %s $tgz)'}],"annotations":{"org.opencontainers.image.created":"2026-01-02T03:04:05Z","org.opencontainers.image.description":"A demo chart for Ferry","org.opencontainers.image.title":"demo","org.opencontainers.image.version":"0.1.0+build.7"}}'
check "the chart's manifest is byte for byte the one helm push writes (tag with _ for +)" \
  bash -c "skopeo inspect --raw --tls-verify=false docker://$REG/charts/demo:0.1.0_build.7 >chart-manifest.json &&
           [ \"\$(cat chart-manifest.json)\" = '$manifest' ]"
check "its config is Chart.yaml as helm's chart.Metadata JSON, byte for byte" \
  bash -c "[ \"\$(curl -sf http://$REG/v2/charts/demo/blobs/$config_digest)\" = '$config' ]"
check "skopeo copies the chart to an OCI layout; its layer is the .tgz, unchanged" \
  bash -c "skopeo copy -q --src-tls-verify=false docker://$REG/charts/demo:0.1.0_build.7 oci:pulled:chart &&
           cmp pulled/blobs/sha256/$(sha $tgz) $tgz"
check "the manifest is served as an OCI image manifest" \
  bash -c "curl -sf -o /dev/null -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
             http://$REG/v2/charts/demo/manifests/0.1.0_build.7 | tr -d '\r' |
           grep -qx 'Content-Type: application/vnd.oci.image.manifest.v1+json'"
check "a chart in a registry packs as any registry source: helm's media types pass through" \
  bash -c "'$FERRY' pack -k site.key -o again.ferry --insecure docker://$REG/charts/demo:0.1.0_build.7=charts/demo:copy >/dev/null &&
           '$FERRY' inspect --json again.ferry | jq -e --arg d sha256:$(sha chart-manifest.json) '
             (.images[0].digest == \$d) and ([.blobs[].mediaType] | sort ==
             [\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\", \"application/vnd.cncf.helm.config.v1+json\",
              \"application/vnd.oci.image.manifest.v1+json\"])'"
check "--chart-prefix puts a chart elsewhere, and a .prov beside the .tgz goes along" \
  bash -c "printf 'signed\n' >$tgz.prov && '$FERRY' pack -k site.key -o prov.ferry --chart-prefix helm/stable chart:$tgz >out.txt &&
           grep -q '^image helm/stable/demo:0.1.0_build.7 ' out.txt &&
           '$FERRY' inspect --json prov.ferry | jq -e '[.blobs[].mediaType] | index(\"application/vnd.cncf.helm.chart.provenance.v1.prov\")' &&
           rm $tgz.prov"
# bad_chart NAME FILE TEXT: pack exits 5 with one line naming the file and why.
bad_chart() {
  rm -f bad.ferry
  local rc=0
  "$FERRY" pack -k site.key -o bad.ferry "chart:$2" >bad.out 2>&1 || rc=$?
  [[ $rc -eq 5 ]] || { echo "exit $rc"; cat bad.out; return 1; }
  [[ $(wc -l <bad.out) -eq 1 ]] && grep -q "chart:$2: .*$3" bad.out || { cat bad.out; return 1; }
  [[ ! -e bad.ferry ]]
}
head -c 5000 /dev/urandom >noise.tgz
mkdir -p src2/nochart && echo x >src2/nochart/values.yaml && tar -C src2 -czf nochart.tgz nochart
mkdir -p src3/badver && printf 'apiVersion: v2\nname: badver\nversion: latest\n' >src3/badver/Chart.yaml &&
  tar -C src3 -czf badver.tgz badver
check "a file that is no chart: exit 5, one line naming it" bad_chart noise noise.tgz "not a packaged chart"
check "a chart without Chart.yaml: exit 5, saying so" bad_chart nochart nochart.tgz "no CHARTNAME/Chart.yaml"
check "a chart whose version is not SemVer: exit 5, saying so" bad_chart badver badver.tgz 'version "latest" is not SemVer'
check "a chart that is not there: exit 5, naming it" bad_chart missing missing.tgz "cannot read it"
# What helm's loader refuses is refused before it crosses the air gap.
python3 - <<'PY'  # GNU tar would drop the ../ itself
import io, tarfile
with tarfile.open("escape.tgz", "w:gz") as t:
    for name, data in (("esc/Chart.yaml", b"apiVersion: v2\nname: esc\nversion: 1.0.0\n"), ("esc/../pwn", b"pwn\n")):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
check "a chart with an entry outside its folder (../): exit 5, naming the entry" \
  bad_chart escape escape.tgz "outside the chart's folder (esc/../pwn)"
mkdir -p src5/bomb && printf 'apiVersion: v2\nname: bomb\nversion: 1.0.0\n' >src5/bomb/Chart.yaml &&
  truncate -s 101M src5/bomb/zeros && tar -C src5 -czf bomb.tgz bomb
check "a chart that unpacks to more than 100 MiB (helm's limit): exit 5" bad_chart bomb bomb.tgz "more than 100 MiB"
python3 - <<'PY'
import io, tarfile
with tarfile.open("two.tgz", "w:gz") as t:
    for version in (b"1.0.0", b"9.0.0"):
        data = b"apiVersion: v2\nname: two\nversion: " + version + b"\n"
        info = tarfile.TarInfo("two/Chart.yaml"); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
check "a chart with two Chart.yaml: exit 5, rather than guessing which one helm reads" \
  bad_chart two two.tgz "two Chart.yaml"

# ---- files and folders as ORAS artifacts
check "a file's artifact: artifactType, the empty config, one layer titled with its name" \
  bash -c "skopeo inspect --raw --tls-verify=false docker://$REG/files/installer.bin:latest | jq -e '
             .artifactType == \"application/vnd.ferry.file.v1\" and
             .config.mediaType == \"application/vnd.oci.empty.v1+json\" and .config.size == 2 and
             (.layers | length) == 1 and .layers[0].annotations[\"org.opencontainers.image.title\"] == \"installer.bin\" and
             .layers[0].digest == \"sha256:$(sha installer.bin)\"'"
check "skopeo copies it to an OCI layout; the layer is the file, byte for byte" \
  bash -c "skopeo copy -q --src-tls-verify=false docker://$REG/files/installer.bin:latest oci:pulled:file &&
           cmp pulled/blobs/sha256/$(sha installer.bin) installer.bin &&
           [ \"\$(cat pulled/blobs/sha256/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a)\" = '{}' ]"
skopeo inspect --raw --tls-verify=false "docker://$REG/files/tools:latest" >tools-manifest.json
folder_digest=$(jq -r '.layers[0].digest' tools-manifest.json)
check "a folder is one tar+gzip layer that oras pull unpacks (unpack, digest of the tar)" \
  bash -c "curl -sf http://$REG/v2/files/tools/blobs/$folder_digest -o tools-layer.tgz &&
           jq -e --arg tar sha256:\$(gzip -dc tools-layer.tgz | sha256sum | cut -d' ' -f1) '.layers[0] |
             .mediaType == \"application/vnd.oci.image.layer.v1.tar+gzip\" and
             .annotations[\"io.deis.oras.content.unpack\"] == \"true\" and
             .annotations[\"io.deis.oras.content.digest\"] == \$tar and
             .annotations[\"org.opencontainers.image.title\"] == \"tools\"' tools-manifest.json"
check "the folder's archive holds it under its name, sorted, owner 0, with its link" \
  bash -c "[ \"\$(tar -tzvf tools-layer.tgz | awk '{print \$1, \$2, \$6 (\$7 ? \" \" \$7 \" \" \$8 : \"\")}')\" = \"\$(printf '%s\n' \
             'drwxr-xr-x 0/0 tools/' '-rwxr-xr-x 0/0 tools/run.sh' 'lrwxrwxrwx 0/0 tools/start -> run.sh' \
             'drwxr-xr-x 0/0 tools/sub/' '-rw-r--r-- 0/0 tools/sub/data.bin')\" ] &&
           mkdir -p unpacked && tar -xzf tools-layer.tgz -C unpacked && diff -r tools unpacked/tools"
check "packing the folder again after a touch gives the same layer digest" \
  bash -c "touch -d '2001-01-01' tools/sub/data.bin && '$FERRY' pack -k site.key -o tools2.ferry file:tools >/dev/null &&
           '$FERRY' inspect --json tools2.ferry | jq -e --arg l $folder_digest '(.blobs | map(.digest) | index(\$l)) != null'"
check "... and without any change at all, the very same bundle contents" \
  bash -c "'$FERRY' pack -k site.key -o t1.ferry file:tools >/dev/null && '$FERRY' pack -k site.key -o t2.ferry file:tools >/dev/null &&
           [ \"\$('$FERRY' inspect --json t1.ferry | jq -c '[.images, .blobs]')\" = \"\$('$FERRY' inspect --json t2.ferry | jq -c '[.images, .blobs]')\" ]"

# ---- /files/: plain downloads for a node with only curl
check "GET /files/ lists the files as JSON: name, size, sha256, repository:tag (no charts)" \
  bash -c "curl -sf http://$REG/files/ | jq -e --arg s $(sha installer.bin) '
             (.files | map(.name) | sort) == [\"installer.bin\", \"tools.tar.gz\"] and
             (.files[] | select(.name == \"installer.bin\") | .size == 3000000 and .sha256 == \$s and
               .reference == \"files/installer.bin:latest\" and .path == \"/files/files/installer.bin/latest/installer.bin\")'"
mkdir dl
check "curl -fO /files/NAME downloads the file byte for byte" \
  bash -c "cd dl && curl -sfO http://$REG/files/installer.bin && cmp installer.bin ../installer.bin"
check "the folder downloads as NAME.tar.gz" \
  bash -c "cd dl && curl -sfO http://$REG/files/tools.tar.gz && cmp tools.tar.gz ../tools-layer.tgz"
check "the plain-text listing checks with sha256sum -c" \
  bash -c "cd dl && curl -sf 'http://$REG/files/?format=sha256sum' | sha256sum -c --strict"
check "... also asked for with Accept: text/plain" \
  bash -c "cd dl && curl -sf -H 'Accept: text/plain' http://$REG/files/ | sha256sum -c --strict"
check "the full path /files/REPO/TAG/NAME serves it too" \
  bash -c "curl -sf http://$REG/files/files/installer.bin/latest/installer.bin | cmp - installer.bin"
check "a Range request returns that slice (206, Content-Range)" \
  bash -c "curl -s -D h.txt -r 1000000-1000999 http://$REG/files/installer.bin -o slice.bin &&
           grep -q '^HTTP/1.1 206' h.txt && grep -qi '^Content-Range: bytes 1000000-1000999/3000000' h.txt &&
           cmp slice.bin <(tail -c +1000001 installer.bin | head -c 1000)"
check "HEAD: 200, Content-Length and the digest as a strong ETag" \
  bash -c "curl -sfI http://$REG/files/installer.bin | tr -d '\r' >head.txt &&
           grep -qx 'Content-Length: 3000000' head.txt && grep -qix 'ETag: \"sha256:$(sha installer.bin)\"' head.txt"
check "a missing name: 404 with the OCI error JSON" \
  bash -c "[ \"\$(curl -s -o e.json -w '%{http_code}' http://$REG/files/nope.bin)\" = 404 ] &&
           jq -e '.errors[0].code == \"NAME_UNKNOWN\"' e.json &&
           [ \"\$(curl -s -o /dev/null -w '%{http_code}' http://$REG/files/files/installer.bin/v9/installer.bin)\" = 404 ]"
check "not GET or HEAD: 405" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X DELETE http://$REG/files/installer.bin)\" = 405 ]"
"$FERRY" pack -k site.key -o dup.ferry --channel dup "file:installer.bin=team/installer:v2" >/dev/null && imp dup.ferry >/dev/null
check "two files of one name: the short form says where each is (409); the full paths work" \
  bash -c "[ \"\$(curl -s -o e.json -w '%{http_code}' http://$REG/files/installer.bin)\" = 409 ] &&
           grep -q '/files/team/installer/v2/installer.bin' e.json &&
           curl -sf http://$REG/files/team/installer/v2/installer.bin | cmp - installer.bin &&
           [ \"\$(curl -sf 'http://$REG/files/?repository=team/installer' | jq -r '.files[].path')\" = /files/team/installer/v2/installer.bin ]"

# ---- conditional requests, in the blob code /files/ and /v2/ share
B=http://$REG/v2/files/installer.bin/blobs/sha256:$(sha installer.bin)
ETAG="\"sha256:$(sha installer.bin)\""
for url in "http://$REG/files/files/installer.bin/latest/installer.bin" "$B"; do
  where=${url#http://$REG}
  check "If-Range that does not match ($where): Range ignored, 200 with the whole file" \
    bash -c "[ \"\$(curl -s -o got.bin -w '%{http_code}' -H 'If-Range: \"sha256:00\"' -r 0-1 '$url')\" = 200 ] && cmp got.bin installer.bin &&
             [ \"\$(curl -s -o got.bin -w '%{http_code}' -H 'If-Range: W/$ETAG' -r 0-1 '$url')\" = 200 ] &&
             [ \"\$(curl -s -o got.bin -w '%{http_code}' -H 'If-Range: Sun, 01 Jan 2040 00:00:00 GMT' -r 0-1 '$url')\" = 200 ]"
  check "If-Range that matches ($where): 206 with the range" \
    bash -c "[ \"\$(curl -s -o got.bin -w '%{http_code}' -H 'If-Range: $ETAG' -r 0-1 '$url')\" = 206 ] && [ \$(stat -c %s got.bin) = 2 ]"
  check "If-None-Match with the ETag ($where): 304 on GET and HEAD; another: 200" \
    bash -c "rm -f got.bin; [ \"\$(curl -s -o got.bin -w '%{http_code}' -H 'If-None-Match: \"x\", $ETAG' '$url')\" = 304 ] && [ ! -s got.bin ] &&
             [ \"\$(curl -sI -o /dev/null -w '%{http_code}' -H 'If-None-Match: W/$ETAG' '$url')\" = 304 ] &&
             [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: *' '$url')\" = 304 ] &&
             [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: \"sha256:00\"' '$url')\" = 200 ]"
done

# ---- %00: the path reaches the router as a C string; never serve the shorter one
check "a NUL in a path is refused, never served as the part before it" \
  bash -c "for p in /files/installer.bin%00.txt /files/files/installer.bin/latest/installer.bin%00 /files/files/installer.bin/latest%00/installer.bin \
                    /v2/files/installer.bin/manifests/latest%00 /v2/files/installer.bin%00/manifests/latest \
                    '/v2/files/installer.bin/blobs/sha256:$(sha installer.bin)%00' '/files/?format=sha256sum%00'; do
             c=\$(curl -s -o e.json -w '%{http_code}' \"http://$REG\$p\"); { [ \$c = 400 ] || [ \$c = 404 ]; } || { echo \"\$p: \$c\"; exit 1; }
             jq -e '.errors[0].code == \"NAME_INVALID\"' e.json >/dev/null || { echo \"\$p\"; cat e.json; exit 1; }
           done"

# ---- the sha256sum listing: escaped as GNU sha256sum escapes, one line per file
# push_file REPO TITLE FILE: a file artifact pushed by hand, so its title may
# hold what ferry pack refuses.
push_file() {
  local d; d=sha256:$(sha "$3")
  curl -sf -X POST --data-binary @"$3" "http://$REG/v2/$1/blobs/uploads/?digest=$d" -o /dev/null || return 1
  curl -sf -X POST --data-binary '{}' "http://$REG/v2/$1/blobs/uploads/?digest=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" -o /dev/null
  jq -nc --arg d "$d" --arg t "$2" --argjson s "$(stat -c %s "$3")" '{schemaVersion:2,
    mediaType:"application/vnd.oci.image.manifest.v1+json", artifactType:"application/vnd.ferry.file.v1",
    config:{mediaType:"application/vnd.oci.empty.v1+json",digest:"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",size:2},
    layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar",digest:$d,size:$s,annotations:{"org.opencontainers.image.title":$t}}]}' >m.json
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @m.json \
    "http://$REG/v2/$1/manifests/latest" -o /dev/null
}
mkdir -p esc && printf 'one\n' >esc/one && printf 'two\n' >esc/two && printf 'three\n' >esc/three
check "file artifacts titled with a newline, a backslash and a carriage return are pushed" \
  bash -c "$(declare -f push_file sha); REG=$REG; push_file esc/nl \"\$(printf 'a\nb')\" esc/one && push_file esc/bs 'c\\d' esc/two &&
           push_file esc/cr \"\$(printf 'e\rf')\" esc/three"
check "... the text listing escapes them as GNU sha256sum does: no line injected" \
  bash -c "curl -sf 'http://$REG/files/?format=sha256sum&repository=esc/nl' >nl.txt && [ \$(wc -l <nl.txt) = 1 ] &&
           grep -qxF '\\$(sha esc/one)  a\\nb' nl.txt &&
           cd esc && cp one \"\$(printf 'a\nb')\" && cp two 'c\\d' && cp three \"\$(printf 'e\rf')\" &&
           sha256sum \"\$(printf 'a\nb')\" 'c\\d' \"\$(printf 'e\rf')\" >../want.txt &&
           for r in nl bs cr; do curl -sf \"http://$REG/files/?format=sha256sum&repository=esc/\$r\"; done >../got.txt &&
           cmp ../want.txt ../got.txt && sha256sum -c --strict ../got.txt"
check "... and the whole listing checks with sha256sum -c --ignore-missing" \
  bash -c "cd esc && curl -sf 'http://$REG/files/?format=sha256sum' | sha256sum -c --ignore-missing --strict"
mkdir -p amb/dir1 && echo in-folder >amb/dir1/x && echo a-file >amb/dir1.tar.gz
# and install.sh in two repositories, for access control below (one bundle:
# a second one packed within the same second would not be newer)
printf '#!/bin/sh\necho install\n' >install.sh
"$FERRY" pack -k site.key -o amb.ferry --channel amb file:amb/dir1 file:amb/dir1.tar.gz file:install.sh file:install.sh=tools/inst:v1 >/dev/null &&
  imp amb.ferry >/dev/null
check "two files listed under one name (a file dir1.tar.gz, a folder dir1): each by its full path" \
  bash -c "curl -sf 'http://$REG/files/?format=sha256sum' >all.txt &&
           ! grep -q '  dir1.tar.gz\$' all.txt && ! grep -q '  installer.bin\$' all.txt &&
           grep -qx \"$(sha amb/dir1.tar.gz)  files/dir1.tar.gz/latest/dir1.tar.gz\" all.txt &&
           grep -q '  files/dir1/latest/dir1.tar.gz\$' all.txt &&
           grep -qx \"$(sha installer.bin)  team/installer/v2/installer.bin\" all.txt &&
           [ \$(cut -d' ' -f3- all.txt | sort | uniq -d | wc -l) = 0 ]"
cat >walk_files.py <<'PY'
import json, re, sys, urllib.request
base, n = sys.argv[1], sys.argv[2]
url, seen = f"{base}/files/?n={n}", []
while url:
    with urllib.request.urlopen(url) as r:
        page = [f["path"] for f in json.load(r)["files"]]
        link = r.headers.get("Link")
    assert len(page) <= int(n), page
    seen += page
    m = re.match(r"<([^>]*)>; rel=\"next\"", link or "")
    url = base + m.group(1) if m else None
print("\n".join(seen))
PY
check "GET /files/?n=2 pages through every file once, following Link (names with backslashes and control characters too)" \
  bash -c "curl -sf 'http://$REG/files/' | jq -r '.files[].path' >full.txt && [ \$(wc -l <full.txt) -ge 6 ] &&
           python3 walk_files.py http://$REG 2 >paged.txt && diff full.txt paged.txt &&
           python3 walk_files.py http://$REG 1 | diff full.txt - && [ \$(sort paged.txt | uniq -d | wc -l) = 0 ]"
check "a malformed last= is 400 INVALID" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://$REG/files/?n=2&last=nopath') = 400 ]"
bad_file() {
  local rc=0
  "$FERRY" pack -k site.key -o bad.ferry "file:$1" >bad.out 2>&1 || rc=$?
  [[ $rc -eq 5 ]] || { echo "exit $rc"; cat bad.out; return 1; }
  [[ $(wc -l <bad.out) -eq 1 ]] && grep -q "control character" bad.out || { cat bad.out; return 1; }
  [[ ! -e bad.ferry ]]
}
mkdir -p ctl && echo x >"ctl/$(printf 'new\nline')" && echo x >"ctl/$(printf 'esc\033')" && mkdir "ctl/$(printf 'tab\tdir')"
check "ferry pack refuses a file named with a newline: exit 5, one line naming it" bad_file "ctl/$(printf 'new\nline')"
check "... an escape character, and a folder named with a tab" \
  bash -c "$(declare -f bad_file); FERRY=$FERRY; bad_file \"ctl/\$(printf 'esc\033')\" && grep -qF 'esc\\x1b' bad.out && bad_file \"ctl/\$(printf 'tab\tdir')\""

# ---- access control: as a pull of the file's repository
stop_ferryd
for u in admin reader; do echo "$u-pass" | ctl user add "$u" >/dev/null; done
ctl grant admin '*' admin >/dev/null
ctl grant reader team reader >/dev/null
start_ferryd "$DATA"
P=/files/files/installer.bin/latest/installer.bin
code() { curl -s -o body.json -w '%{http_code}' "$@"; }
check "anonymous, with users and no anonymous pull: 401 with the Bearer challenge" \
  bash -c "curl -s -D h.txt -o body.json http://$REG$P; grep -q '^HTTP/1.1 401' h.txt &&
           tr -d '\r' <h.txt | grep -q '^WWW-Authenticate: Bearer realm=\"http://$REG/ferry/v1/token\"' &&
           jq -e '.errors[0].code == \"UNAUTHORIZED\"' body.json"
check "... for the short form and the listing too" \
  bash -c "$(declare -f code); [ \$(code http://$REG/files/tools.tar.gz) = 401 ] && [ \$(code http://$REG/files/) = 401 ]"
check "a user without a role on the repository: 403 DENIED" \
  bash -c "$(declare -f code); [ \$(code -u reader:reader-pass http://$REG$P) = 403 ] && jq -e '.errors[0].code == \"DENIED\"' body.json"
check "... who still gets the files of repositories they may pull" \
  bash -c "curl -sf -u reader:reader-pass http://$REG/files/team/installer/v2/installer.bin | cmp - installer.bin &&
           [ \"\$(curl -sf -u reader:reader-pass http://$REG/files/ | jq -r '[.files[].path] | join(\" \")')\" = /files/team/installer/v2/installer.bin ]"
check "a user with the role downloads it" \
  bash -c "curl -sf -u admin:admin-pass http://$REG$P | cmp - installer.bin"
ctl namespace set '*' --anonymous-pull off >/dev/null
sleep 1.2
# hidden CODE USER URL...: each answers CODE, and lists no file's full path
hidden() {
  local want=$1 user=$2; shift 2
  for u in "$@"; do
    local got; got=$(curl -s -o body.json -w '%{http_code}' ${user:+-u "$user"} "http://$REG$u")
    [[ $got == "$want" ]] || { echo "$u: $got"; cat body.json; return 1; }
    ! grep -q '/files/files/\|/files/tools/' body.json || { echo "$u lists files"; cat body.json; return 1; }
  done
}
check "anonymous, no anonymous pull anywhere: 401 for every /files/ path, existing or not" \
  bash -c "$(declare -f hidden); REG=$REG; hidden 401 '' /files/install.sh /files/nonexistent /files/ '/files/?format=sha256sum' \
             /files/tools/inst/v1/install.sh /files/tools/inst/v9/nope /files/no/such/thing /files/a/b &&
           curl -s -D h.txt -o /dev/null http://$REG/files/nonexistent && tr -d '\r' <h.txt | grep -q '^WWW-Authenticate: Bearer realm='"
check "a user: files of namespaces without a role are as missing (404, no 409, not listed)" \
  bash -c "$(declare -f hidden); REG=$REG; hidden 404 reader:reader-pass /files/install.sh /files/nonexistent &&
           [ \"\$(curl -sf -u reader:reader-pass 'http://$REG/files/?format=sha256sum')\" = \"$(sha installer.bin)  installer.bin\" ]"
check "... and the full form of such a repository is 403 DENIED, existing or not, as /v2/ says" \
  bash -c "$(declare -f hidden); REG=$REG; hidden 403 reader:reader-pass /files/tools/inst/v1/install.sh /files/tools/inst/v9/nope &&
           [ \$(curl -s -o /dev/null -w '%{http_code}' -u reader:reader-pass http://$REG/v2/tools/inst/manifests/v1) = 403 ]"
ctl namespace set files --anonymous-pull on >/dev/null
sleep 1.2  # access changes reach ferryd within a second
check "anonymous pull on for the namespace: anonymous curl works again" \
  bash -c "curl -sf http://$REG$P | cmp - installer.bin"
check "... the short form then sees only that namespace: install.sh is one file, no 409" \
  bash -c "curl -sf http://$REG/files/install.sh | cmp - install.sh &&
           l=\$(curl -sf http://$REG/files/ | jq -r '[.files[].repository] | unique | join(\" \")') &&
           { [ \"\$l\" = 'files/dir1 files/dir1.tar.gz files/install.sh files/installer.bin files/tools' ] || { echo \"\$l\"; exit 1; }; } &&
           [ \$(curl -s -o /dev/null -w '%{http_code}' http://$REG/files/tools/inst/v1/install.sh) = 401 ]"
finish
