#!/usr/bin/env bash
# The whole air-gap payload (issue 18), measured side by side in one run:
#  1. pack and import of a bundle of 50 images (2 layers of 8 MiB) with an
#     SBOM referrer each, plus 5 Helm charts and 5 files of 8 MiB, against an
#     images-only bundle of the same bytes (target: within 10%);
#  2. a 512 MiB file downloaded from ferryd's /files/ against nginx
#     (sendfile) serving the same file: MB/s and server CPU-s per GB (target:
#     at least 90% of nginx's throughput at no more CPU per GB).
# Medians of RUNS. Usage: bench/payload.sh [BUILD_DIR] [RUNS] [FILE_MIB]
build=${1:-build-release}; runs=${2:-3}; file_mib=${3:-512}
source "$(dirname "$0")/lib.sh"
build=$(cd "$build" && pwd)
ferry=$build/bundler/ferry
ferryd=$build/daemon/ferryd
bench_start payload
chmod 755 "$work"  # nginx workers run as www-data
"$ferry" keygen -o k --no-password >/dev/null
mkdir trust && cp k.pub trust/
export FERRY_PROGRESS=0

# ---- 1. content: 50 images (2 layers of 8 MiB) with an SBOM each, 5 charts
# and 5 files of 8 MiB; and 50 images alone whose layers hold the same bytes.
python3 - <<'EOF'
import gzip, hashlib, io, json, os, random, subprocess, sys, tarfile

here = os.environ.get("BENCH_HERE", "")
def put(layout, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(f"{layout}/blobs/sha256", exist_ok=True)
    with open(f"{layout}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}

def image(layout, rng, layer_bytes, sbom):
    os.makedirs(layout, exist_ok=True)
    open(f"{layout}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
    layers = []
    for size in layer_bytes:
        d = put(layout, rng.randbytes(size))
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", **d})
    config = put(layout, json.dumps({"architecture": "amd64", "os": "linux",
                                     "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode())
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                           "layers": layers}).encode()
    m = put(layout, manifest)
    entries = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **m,
                "annotations": {"org.opencontainers.image.ref.name": "v1"}}]
    if sbom:
        doc = put(layout, rng.randbytes(sbom))
        empty = put(layout, b"{}")
        ref = put(layout, json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/spdx+json",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", **empty},
            "layers": [{"mediaType": "application/spdx+json", **doc}],
            "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", **m}}).encode())
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", **ref,
                        "artifactType": "application/spdx+json"})
    json.dump({"schemaVersion": 2, "manifests": entries}, open(f"{layout}/index.json", "w"))

rng = random.Random(18)
MiB = 1 << 20
sources_mixed, sources_plain = [], []
for i in range(50):
    image(f"mixed/img{i}", rng, [8 * MiB, 8 * MiB], 256 << 10)
    sources_mixed.append(f"oci:mixed/img{i}:v1=bench/img{i}:v1")
for i in range(5):
    chart = f"mixed/chart{i}"
    os.makedirs(chart, exist_ok=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        def add(name, data):
            info = tarfile.TarInfo(f"c{i}/{name}"); info.size = len(data); t.addfile(info, io.BytesIO(data))
        add("Chart.yaml", f"apiVersion: v2\nname: c{i}\nversion: 1.0.{i}\n".encode())
        add("values.yaml", b"replicas: 1\n")
        add("templates/blob.bin", rng.randbytes(MiB))
    open(f"{chart}/c{i}-1.0.{i}.tgz", "wb").write(buf.getvalue())
    sources_mixed.append(f"chart:{chart}/c{i}-1.0.{i}.tgz")
    open(f"mixed/file{i}.bin", "wb").write(rng.randbytes(8 * MiB))
    sources_mixed.append(f"file:mixed/file{i}.bin")
# Images alone, the same bytes: the SBOMs, charts and files go into layers.
extra = (50 * (256 << 10) + 5 * MiB + 5 * 8 * MiB) // 50
for i in range(50):
    image(f"plain/img{i}", rng, [8 * MiB, 8 * MiB + extra], 0)
    sources_plain.append(f"oci:plain/img{i}:v1=bench/img{i}:v1")
open("mixed.list", "w").write("\n".join(sources_mixed) + "\n")
open("plain.list", "w").write("\n".join(sources_plain) + "\n")
EOF
bytes_mixed=$(du -sb mixed | cut -f1)
bytes_plain=$(du -sb plain | cut -f1)

pack_m=(); pack_p=(); imp_m=(); imp_p=()
for r in $(seq "$runs"); do
  for kind in mixed plain; do
    rm -rf "$kind.ferry" "data-$kind"
    read -r s _ < <(timed "$ferry" pack -k k.key -o "$kind.ferry" --sequence "$r" -f "$kind.list")
    if [[ $kind == mixed ]]; then pack_m+=("$s"); else pack_p+=("$s"); fi
    read -r s _ < <(timed "$ferryd" import -q --data-dir "data-$kind" --trust-dir trust "$kind.ferry")
    if [[ $kind == mixed ]]; then imp_m+=("$s"); else imp_p+=("$s"); fi
  done
done
pm=$(printf '%s\n' "${pack_m[@]}" | median); pp=$(printf '%s\n' "${pack_p[@]}" | median)
im=$(printf '%s\n' "${imp_m[@]}" | median); ip=$(printf '%s\n' "${imp_p[@]}" | median)
items=$("$ferry" inspect --json mixed.ferry | jq -r '"\(.images | length) images, \(.blobs | length)"')
echo "bundle with the payload: $((bytes_mixed >> 20)) MiB of sources ($items blobs);" \
  "images alone: $((bytes_plain >> 20)) MiB; medians of $runs runs"
echo
echo "| step | with referrers, charts, files (s) | images alone (s) | payload / images-only time |"
echo "| --- | ---: | ---: | ---: |"
echo "| ferry pack | $pm | $pp | $(awk -v a="$pm" -v b="$pp" 'BEGIN{printf "%.2f", a/b}') |"
echo "| ferryd import | $im | $ip | $(awk -v a="$im" -v b="$ip" 'BEGIN{printf "%.2f", a/b}') |"

# ---- 2. one big file: ferryd /files/ against nginx
head -c $((file_mib << 20)) /dev/urandom >big.bin
"$ferry" pack -k k.key -o big.ferry file:big.bin >/dev/null
rm -rf data-files && "$ferryd" import -q --data-dir data-files --trust-dir trust big.ferry >/dev/null 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
# get_runs URL PID...: "MB/s CPU-s/GB" medians over RUNS downloads.
get_runs() {
  local url=$1; shift
  local speeds="" cpus="" a b
  for _ in $(seq "$runs"); do
    a=$(ticks "$@")
    speeds+="$(curl -s -o /dev/null -w '%{speed_download}' "$url")"$'\n'
    b=$(ticks "$@")
    cpus+="$(awk -v a="$a" -v b="$b" -v t="$(getconf CLK_TCK)" -v g="$((file_mib << 20))" 'BEGIN{printf "%.3f\n", (b-a)/t/(g/1e9)}')"$'\n'
  done
  echo "$(printf '%s' "$speeds" | median | awk '{printf "%.0f", $1/1e6}') $(printf '%s' "$cpus" | median)"
}
fport=$(free_port)
"$ferryd" serve --listen "127.0.0.1:$fport" --data-dir data-files 2>/dev/null &
fpid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$fport/v2/" && break; sleep 0.05; done
read -r f_mbs f_cpu < <(get_runs "http://127.0.0.1:$fport/files/big.bin" $fpid)
kill $fpid; wait $fpid 2>/dev/null || true

mkdir -p nginx/www && ln big.bin nginx/www/big.bin
nport=$(free_port)
cat >nginx/nginx.conf <<EOF
daemon off; worker_processes auto; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx; server { listen 127.0.0.1:$nport; root $work/nginx/www; } }
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>/dev/null &
npid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null -I "http://127.0.0.1:$nport/big.bin" && break; sleep 0.05; done
read -r n_mbs n_cpu < <(get_runs "http://127.0.0.1:$nport/big.bin" $npid $(pgrep -P $npid))
kill $npid; wait $npid 2>/dev/null || true
echo
echo "one $file_mib MiB file, one stream over loopback; medians of $runs runs"
echo
echo "| server | MB/s | server CPU-s/GB | throughput vs nginx |"
echo "| --- | ---: | ---: | ---: |"
echo "| ferryd GET /files/big.bin | $f_mbs | $f_cpu | $(awk -v a="$f_mbs" -v b="$n_mbs" 'BEGIN{printf "%.2f", a/b}') |"
echo "| nginx 1.22 (sendfile) | $n_mbs | $n_cpu | 1.00 |"
