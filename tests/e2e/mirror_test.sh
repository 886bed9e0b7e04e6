#!/usr/bin/env bash
# ferryd as the mirror of several upstream registries (issue 18): images keep
# their upstream names on the box (docker.io/library/x, quay.io/acme/app, ...)
# and containerd, the runtime k3s configures, pulls them by those names
# through `?ns=HOST`, with the hosts.toml files exactly as docs/mirrors.md
# shows them (box and CA path substituted), over TLS with a CA the test
# makes, anonymously and with logins. podman and skopeo pull by full names,
# also through podman's registries.conf forms from the doc. A bad ns is a
# 400. Access control sees the full name.
#
# k3s is not packaged in Debian and is NOT run here: the registries.yaml
# files of docs/mirrors.md are parsed and checked against the hosts.toml
# files this test pulls with (what k3s would write for containerd).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
export FERRY_PROGRESS=0
DATA=$WORK/data
DOC=$HERE/../../docs/mirrors.md
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
RECORDER_PID=""
mirror_cleanup() {
  [[ -n "$RECORDER_PID" ]] && kill "$RECORDER_PID" 2>/dev/null
  cleanup
}
trap mirror_cleanup EXIT
start_containerd

# pull REF [ctr flags...]: unpacked with the native snapshotter (no mounts).
pull() {
  local ref=$1; shift
  "${CTR[@]}" images rm "$ref" >/dev/null 2>&1 || true
  "${CTR[@]}" images pull --snapshotter native "$@" "$ref" >pull.out 2>pull.err
}
# refused REF TEXT [ctr flags...]: the pull fails and ctr's error says TEXT.
refused() {
  local ref=$1 text=$2; shift 2
  if pull "$ref" "$@"; then echo "pulled $ref"; return 1; fi
  grep -qi -- "$text" pull.err || { echo "no '$text' in:"; cat pull.err; return 1; }
}
digest_of() { "${CTR[@]}" images ls | awk -v r="$1" '$1 == r {print $3}'; }
# pulled_as REF DIGEST [ctr flags...]: pulls REF and checks what containerd holds.
pulled_as() {
  local ref=$1 want=$2; shift 2
  pull "$ref" "$@" || { cat pull.err; return 1; }
  equal "$(digest_of "$ref")" "$want"
}

# doc_block LABEL: the fenced block after "<!-- mirror-test: LABEL -->" in
# docs/mirrors.md, with box:5000 and the CA path made this test's.
doc_block() {
  python3 - "$DOC" "$1" "$REG" "$WORK/tls/ca.crt" <<'PY'
import re, sys
doc, label, reg, ca = sys.argv[1:]
m = re.search(r"<!-- mirror-test: " + re.escape(label) + r" -->\n```\w*\n(.*?)```", open(doc).read(), re.S)
if not m:
    sys.exit("docs/mirrors.md has no block " + label)
print(m.group(1).replace("box:5000", reg).replace("/etc/ssl/ferry/ca.crt", ca), end="")
PY
}

# ---- What containerd 1.6 sends a mirror: a stand-in that records each
# request line and answers 404 (containerd then tries the upstream, which
# fails offline).
rec_port=$(free_port)
python3 -u - "$rec_port" >recorded.txt 2>&1 <<'PY' &
import http.server, sys
class Recorder(http.server.BaseHTTPRequestHandler):
    def answer(self):
        print(self.command, self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_GET = do_HEAD = do_POST = answer
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Recorder).serve_forever()
PY
RECORDER_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$rec_port/" && break; sleep 0.05; done
mkdir -p rec-hosts/_default
printf '[host."http://127.0.0.1:%s"]\n  capabilities = ["pull", "resolve"]\n' "$rec_port" \
  >rec-hosts/_default/hosts.toml
for ref in docker.io/library/x:1 quay.io/acme/app:v1 registry.local:5000/app:v1; do
  timeout 60 "${CTR[@]}" images pull --hosts-dir rec-hosts "$ref" >/dev/null 2>&1 || true
done
kill "$RECORDER_PID"; RECORDER_PID=""
echo "containerd asked the mirror:"; sed 's/^/  /' recorded.txt
check "containerd asks a mirror for docker.io/library/x:1 as library/x with ?ns=docker.io" \
  grep -qxF 'HEAD /v2/library/x/manifests/1?ns=docker.io' recorded.txt
check "... quay.io/acme/app:v1 as acme/app with ?ns=quay.io" \
  grep -qxF 'HEAD /v2/acme/app/manifests/v1?ns=quay.io' recorded.txt
check "... and a host with a port percent-encoded (ns=registry.local%3A5000)" \
  grep -qxF 'HEAD /v2/app/manifests/v1?ns=registry.local%3A5000' recorded.txt

# ---- One ferryd, filled by one imported bundle with images of four
# registries. docker.io/acme/app and quay.io/acme/app share a path but are
# different images.
dx=$(make_layout x --tag 1 --layers 2 --layer-size 100000 --seed 21)
dq=$(make_layout qapp --tag v1 --layer-size 50000 --seed 22)
dd=$(make_layout dapp --tag v1 --layer-size 50000 --seed 23)
dp=$(make_layout pause --tag 3.9 --layer-size 20000 --seed 24)
dl=$(make_layout lapp --tag v1 --layer-size 20000 --seed 25)
"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/
"$FERRY" pack -k site.key -o mirror.ferry oci:x:1=docker.io/library/x:1 \
  oci:qapp:v1=quay.io/acme/app:v1 oci:dapp:v1=docker.io/acme/app:v1 \
  oci:pause:3.9=registry.k8s.io/pause:3.9 oci:lapp:v1=registry.local_5000/app:v1 >/dev/null
make_tls "$WORK/tls"
SCHEME=https start_ferryd "$DATA" --tls-cert tls/server.crt --tls-key tls/server.key
C=(curl -s --cacert "$WORK/tls/ca.crt")
CQ=$(printf '%q ' "${C[@]}")
check "ferryd import of one bundle with the images of four registries" \
  "$FERRYD" import -q --data-dir "$DATA" --trust-dir trust mirror.ferry
check "the box keeps them under their upstream names" \
  equal "$("${C[@]}" "https://$REG/v2/_catalog" | jq -c .repositories)" \
  '["docker.io/acme/app","docker.io/library/x","quay.io/acme/app","registry.k8s.io/pause","registry.local_5000/app"]'
check "quay.io/acme/app and docker.io/acme/app are different images" bash -c "[ $dq != $dd ]"

# ---- containerd with the hosts.toml files of docs/mirrors.md
for r in docker.io quay.io registry.k8s.io; do
  mkdir -p "hosts/$r" && doc_block "hosts.toml $r" >"hosts/$r/hosts.toml"
done
mkdir -p hosts-default/_default && doc_block "hosts.toml _default" >hosts-default/_default/hosts.toml
check "the docs' hosts.toml names the box over https with the CA" \
  grep -qF "[host.\"https://$REG\"]" hosts/docker.io/hosts.toml
check "ctr pulls docker.io/library/x:1 by its upstream name through ferryd" \
  pulled_as docker.io/library/x:1 "$dx" --hosts-dir hosts
check "... and unpacked it" grep -q "unpacking linux/amd64 $dx" pull.out
check "... ferryd answered the mirror request (HEAD /v2/library/x/manifests/1 200)" \
  grep -q "HEAD /v2/library/x/manifests/1 200" ferryd.log
check "ctr pulls quay.io/acme/app:v1: quay's image" pulled_as quay.io/acme/app:v1 "$dq" --hosts-dir hosts
check "ctr pulls docker.io/acme/app:v1: Docker Hub's, not quay's" \
  pulled_as docker.io/acme/app:v1 "$dd" --hosts-dir hosts
check "ctr pulls registry.k8s.io/pause:3.9" pulled_as registry.k8s.io/pause:3.9 "$dp" --hosts-dir hosts
for ref in docker.io/library/x:1 quay.io/acme/app:v1 docker.io/acme/app:v1 registry.k8s.io/pause:3.9; do
  want=$dx
  case $ref in quay.io/*) want=$dq ;; docker.io/acme/*) want=$dd ;; registry.k8s.io/*) want=$dp ;; esac
  check "_default/hosts.toml alone: ctr pulls $ref" pulled_as "$ref" "$want" --hosts-dir hosts-default
done
check "_default/hosts.toml: registry.local:5000/app:v1 (kept as registry.local_5000/app)" \
  pulled_as registry.local:5000/app:v1 "$dl" --hosts-dir hosts-default
check "an image the box lacks: the pull fails, ferryd said 404" \
  bash -c "$(declare -f pull); CTR=($(printf '%q ' "${CTR[@]}")); ! pull docker.io/library/missing:1 --hosts-dir hosts && grep -q 'HEAD /v2/library/missing/manifests/1 404' ferryd.log"

# ---- ns on the wire (curl)
ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
header_of() {  # header_of NAME URL [curl flags]: the value of a response header
  local name=$1 url=$2; shift 2
  "${C[@]}" -o /dev/null -D - "$@" "$url" | tr -d '\r' | awk -v n="$name" 'tolower($1) == tolower(n) ":" {print $2}'
}
check "GET /v2/library/x/manifests/1?ns=docker.io: docker.io/library/x's manifest" \
  equal "$(header_of Docker-Content-Digest "https://$REG/v2/library/x/manifests/1?ns=docker.io" -H "$ACCEPT")" "$dx"
check "the same by its full name, without ns" \
  equal "$(header_of Docker-Content-Digest "https://$REG/v2/docker.io/library/x/manifests/1" -H "$ACCEPT")" "$dx"
check "without ns, library/x is the repository library/x: unknown here (404)" \
  bash -c "$CQ -o out.json -w '%{http_code}' -H '$ACCEPT' https://$REG/v2/library/x/manifests/1 | grep -qx 404"
check "ns with a port: /v2/app/manifests/v1?ns=registry.local:5000 (percent-encoded)" \
  equal "$(header_of Docker-Content-Digest "https://$REG/v2/app/manifests/v1?ns=registry.local%3A5000" -H "$ACCEPT")" "$dl"
check "tags/list with ns names the full repository" \
  equal "$("${C[@]}" "https://$REG/v2/acme/app/tags/list?ns=quay.io" | jq -c .)" '{"name":"quay.io/acme/app","tags":["v1"]}'
cfg=$(jq -r .config.digest "x/blobs/sha256/${dx#sha256:}")
check "blobs with ns" \
  bash -c "$CQ -f https://$REG/v2/library/x/blobs/$cfg?ns=docker.io | sha256sum | grep -q ${cfg#sha256:}"
for bad in "" "docker.io/library" "under_score.io" "%5B::1%5D:5000" "host:99999999" ".."; do
  check "bad ns '$bad': 400 NAME_INVALID saying what ns must be" \
    bash -c "[ \"\$($CQ -o bad.json -w '%{http_code}' 'https://$REG/v2/library/x/manifests/1?ns=$bad')\" = 400 ] &&
             jq -e '.errors[0].code == \"NAME_INVALID\" and (.errors[0].message | test(\"invalid ns .*registry\"))' bad.json"
done

# An upload started with ns continues at the Location it answers: the full
# name, without ns.
blob=$WORK/blob.bin && head -c 70000 /dev/urandom >"$blob"
bd=sha256:$(sha256sum "$blob" | cut -d' ' -f1)
loc=$(header_of Location "https://$REG/v2/library/up/blobs/uploads/?ns=docker.io" -X POST)
check "POST uploads with ns: Location is under the full name" \
  bash -c "[[ '$loc' =~ ^/v2/docker.io/library/up/blobs/uploads/[^?/]+\$ ]]"
check "... the PUT to that Location closes it, 201 with the blob's Location and digest" \
  bash -c "$CQ -D h.txt -o /dev/null -X PUT --data-binary @$blob -H 'Content-Type: application/octet-stream' 'https://$REG$loc?digest=$bd' &&
           tr -d '\r' <h.txt | grep -q '^HTTP/1.1 201' && tr -d '\r' <h.txt | grep -qx 'Location: /v2/docker.io/library/up/blobs/$bd' &&
           tr -d '\r' <h.txt | grep -qx 'Docker-Content-Digest: $bd'"
check "... and the blob is there by ns" \
  bash -c "$CQ -f -I 'https://$REG/v2/library/up/blobs/$bd?ns=docker.io' >/dev/null"
layer=$(jq -r '.layers[0].digest' "x/blobs/sha256/${dx#sha256:}")
check "a mount with ns reads from= in the same ns (201 from docker.io/library/x)" \
  bash -c "[ \"\$($CQ -o /dev/null -w '%{http_code}' -X POST 'https://$REG/v2/library/m/blobs/uploads/?ns=docker.io&mount=$layer&from=library/x')\" = 201 ]"
# containerd 1.6 adds ns to pulls only: a push through a mirror given the
# push capability goes out without it, so it lands under the name as sent
# (docs/mirrors.md says not to give the box that capability).
mkdir -p hosts-push/docker.io
sed 's/"pull", "resolve"/"pull", "resolve", "push"/' hosts/docker.io/hosts.toml >hosts-push/docker.io/hosts.toml
"${CTR[@]}" images tag --force docker.io/library/x:1 docker.io/library/pushed:1 >/dev/null
check "ctr pushes docker.io/library/pushed:1 through the mirror (with the push capability)" \
  "${CTR[@]}" images push --hosts-dir hosts-push docker.io/library/pushed:1
check "... without ns: it landed as library/pushed, not docker.io/library/pushed" \
  bash -c "[ \"\$($CQ -o /dev/null -w '%{http_code}' -H '$ACCEPT' https://$REG/v2/docker.io/library/pushed/manifests/1)\" = 404 ] &&
           $CQ -f https://$REG/v2/_catalog | jq -e '.repositories | index(\"library/pushed\")'"

# ---- podman and skopeo: the full name, no ns
podman_sandbox
mkdir -p certs && cp tls/ca.crt certs/ca.crt
check "skopeo inspects $REG/docker.io/library/x:1" \
  bash -c "skopeo inspect --raw --cert-dir certs docker://$REG/docker.io/library/x:1 | sha256sum | grep -q ${dx#sha256:}"
check "skopeo copies $REG/quay.io/acme/app:v1 (quay's image)" \
  bash -c "skopeo copy -q --src-cert-dir certs docker://$REG/quay.io/acme/app:v1 oci:out:q && [ \"\$(skopeo inspect --raw oci:out:q | sha256sum | cut -d' ' -f1)\" = ${dq#sha256:} ]"
check "podman pulls $REG/docker.io/library/x:1" \
  bash -c "$PQ pull -q --cert-dir certs $REG/docker.io/library/x:1 >/dev/null &&
           [ \"\$($PQ image inspect --format '{{.Digest}}' $REG/docker.io/library/x:1)\" = $dx ]"
for form in mirror location; do
  doc_block "registries.conf $form" >"registries-$form.conf"
  check "podman with registries.conf ($form form of the doc) pulls docker.io/library/x:1 by its upstream name" \
    bash -c "$PQ rmi -af >/dev/null 2>&1; CONTAINERS_REGISTRIES_CONF=registries-$form.conf $PQ pull -q --cert-dir certs docker.io/library/x:1 >/dev/null &&
             [ \"\$($PQ image inspect --format '{{.Digest}}' docker.io/library/x:1)\" = $dx ]"
done

# ---- k3s's registries.yaml (k3s is not run): each mirror of the doc's
# files maps to a hosts.toml above with the same endpoint and CA, and the
# login is the user made below.
for yaml in per-registry wildcard; do
  doc_block "registries.yaml $yaml" >"registries-$yaml.yaml"
  check "registries.yaml ($yaml) from the doc parses and matches the hosts.toml used here" \
    python3 - "registries-$yaml.yaml" "$REG" "$WORK" <<'PY'
import sys, tomllib, yaml
conf, reg, work = sys.argv[1:]
y = yaml.safe_load(open(conf))
mirrors, box = y["mirrors"], y["configs"][reg]
want = {"*"} if "*" in mirrors else {"docker.io", "quay.io", "registry.k8s.io"}
assert set(mirrors) == want, mirrors
for name, m in mirrors.items():
    path = f"{work}/hosts-default/_default" if name == "*" else f"{work}/hosts/{name}"
    hosts = tomllib.load(open(path + "/hosts.toml", "rb"))["host"]
    assert m["endpoint"] == list(hosts), (m["endpoint"], list(hosts))
    assert box["tls"]["ca_file"] == hosts[f"https://{reg}"]["ca"], box
    assert hosts[f"https://{reg}"]["capabilities"] == ["pull", "resolve"]
assert box["auth"]["username"] == "k3s-node" and box["auth"]["password"], box
PY
done

# ---- Access control on the full name: k3s-node may pull docker.io's
# images only; anonymous callers must log in.
echo "k3s-node-pass" | ctl user add k3s-node
ctl grant k3s-node docker.io reader
tok=$(ctl token create --user k3s-node --description k3s 2>/dev/null)
sleep 1.2  # access changes reach ferryd within a second
check "anonymous: refused now that logins are required" \
  refused docker.io/library/x:1 "401\|unauthorized" --hosts-dir hosts
check "... the challenge names the full repository in its scope" \
  bash -c "$CQ -o /dev/null -D - 'https://$REG/v2/library/x/manifests/1?ns=docker.io' | tr -d '\r' |
           grep -i '^www-authenticate:' | grep -qF 'scope=\"repository:docker.io/library/x:pull\"'"
check "k3s-node (reader on docker.io) pulls docker.io/library/x:1 with its password" \
  pulled_as docker.io/library/x:1 "$dx" --hosts-dir hosts --user k3s-node:k3s-node-pass
check "... and docker.io/acme/app:v1 with its robot token" \
  pulled_as docker.io/acme/app:v1 "$dd" --hosts-dir hosts --user "k3s-node:$tok"
check "... but not quay.io/acme/app:v1 (ferryd refused it)" \
  bash -c "$(declare -f pull); CTR=($(printf '%q ' "${CTR[@]}")); ! pull quay.io/acme/app:v1 --hosts-dir hosts --user k3s-node:$tok &&
           grep -q 'HEAD /v2/acme/app/manifests/v1 40[13]' ferryd.log"
check "... nor registry.k8s.io/pause:3.9 through _default" \
  bash -c "$(declare -f pull); CTR=($(printf '%q ' "${CTR[@]}")); ! pull registry.k8s.io/pause:3.9 --hosts-dir hosts-default --user k3s-node:$tok"
check "with Basic credentials: 403 DENIED for quay.io/acme/app by ns, as by full name" \
  bash -c "for u in 'acme/app/manifests/v1?ns=quay.io' 'quay.io/acme/app/manifests/v1'; do
             [ \"\$($CQ -u k3s-node:k3s-node-pass -o d.json -w '%{http_code}' https://$REG/v2/\$u)\" = 403 ] &&
             jq -e '.errors[0].code == \"DENIED\"' d.json >/dev/null || exit 1; done"
finish
