#!/usr/bin/env bash
# The appliance: systemd units checked by systemd-analyze, the sd_notify
# protocol (READY, STATUS, WATCHDOG, STOPPING) against a test socket, socket
# activation through systemd-socket-activate, the USB import script, and the
# .debs built by CPack, installed into a clean root and started from there.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the CMake build directory}
UNITS=$HERE/../../systemd
cd "$WORK"

# ---- unit files
mkdir units
sed "s|/usr/bin/ferryd|$FERRYD|" "$UNITS/ferryd.service" >units/ferryd.service
cp "$UNITS/ferryd.socket" units/
sed "s|/usr/lib/ferry/ferry-usb-import|$UNITS/ferry-usb-import|" "$UNITS/ferry-usb-import@.service" \
  >"units/ferry-usb-import@sdb1.service"
for unit in ferryd.service ferryd.socket ferry-usb-import@sdb1.service; do
  check "systemd-analyze verify $unit" systemd-analyze verify --man=no "units/$unit"
done
systemd-analyze security --offline=true units/ferryd.service >security.txt 2>&1 || true
exposure=$(grep -o 'Overall exposure level for ferryd.service: [0-9.]*' security.txt | awk '{print $NF}')
echo "     systemd-analyze security: exposure $exposure"
check "ferryd.service's sandbox rates an exposure of 2.0 or lower ($exposure)" \
  systemd-analyze security --offline=true --threshold=20 units/ferryd.service

# ---- sd_notify, against a socket of our own
cat >listen_notify.py <<'EOF'
import socket, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
end = time.time() + seconds
while time.time() < end:
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        continue
    for line in msg.split("\n"):
        print(f"{time.time():.3f} {line}", flush=True)
EOF
python3 listen_notify.py "$WORK/notify.sock" 6 >notify.log &
listener=$!
sleep 0.3
port=$(free_port)
NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=400000 \
  "$FERRYD" serve --listen "127.0.0.1:$port" --data-dir notify-data 2>notify-ferryd.log &
pid=$!
sleep 1.5
kill -TERM $pid; wait $pid || true
wait $listener
check "READY=1 once serving, with a STATUS saying where" \
  bash -c "grep -q ' READY=1' notify.log && grep -q ' STATUS=serving .*notify-data on 127.0.0.1:$port' notify.log"
check "WATCHDOG=1 every half WatchdogSec (>= 4 pings in 1.5 s at 400 ms)" \
  bash -c "[ \$(grep -c ' WATCHDOG=1' notify.log) -ge 4 ]"
check "STOPPING=1 on SIGTERM" grep -q ' STOPPING=1' notify.log
check "no notifications without NOTIFY_SOCKET, and nothing breaks" \
  bash -c "'$FERRYD' serve --listen 127.0.0.1:$(free_port) --data-dir quiet-data 2>/dev/null & p=\$!; sleep 0.5; kill -TERM \$p; wait \$p"

# ---- socket activation: systemd holds the port, ferryd inherits it
port=$(free_port)
systemd-socket-activate -l "127.0.0.1:$port" "$FERRYD" serve --data-dir activated-data 2>activated.log &
activator=$!
sleep 0.5
check "ferryd.socket style activation: the first request starts ferryd and is answered" \
  bash -c "curl -sf http://127.0.0.1:$port/v2/ >/dev/null"
# The server answers as soon as it listens; the "serving" line follows once
# housekeeping and the inbox are up, so give it a moment on a busy machine.
check "and ferryd says it serves the inherited socket" bash -c \
  "for i in \$(seq 50); do grep -q 'serving .* on 127.0.0.1:$port (from systemd)' activated.log && exit 0; sleep 0.1; done; exit 1"
kill -TERM $activator 2>/dev/null; wait $activator 2>/dev/null || true
pkill -TERM -f "serve --data-dir activated-data" 2>/dev/null || true

# ---- the USB import script, on a folder standing in for a mounted stick
make_layout app --tag v1 --layers 2 --layer-size 200000 >/dev/null
make_layout tool --tag v3 --layers 2 --layer-size 200000 --seed 3 >/dev/null
"$FERRY" keygen -o site --no-password >/dev/null
mkdir -p trust stick && cp site.pub trust/
"$FERRY" pack -k site.key -o stick/site.ferry oci:app:v1=usb/app:v1 >/dev/null
"$FERRY" pack -k site.key -o stick/tools.ferry --channel tools --split 150K oci:tool:v3=usb/tool:v3 >/dev/null
printf '[import]\ntrust_dir = "%s"\n' "$WORK/trust" >usb.toml
check "ferry-usb-import imports every bundle on the stick, split ones too" \
  env FERRYD="$FERRYD" FERRY_CONFIG="$WORK/usb.toml" FERRY_DATA_DIR="$WORK/usb-data" \
  FERRY_USER="$(id -un)" sh "$UNITS/ferry-usb-import" "$WORK/stick"
check "and leaves a receipt per bundle on the stick, verifiable with the box's key" \
  bash -c "minisign -V -q -p usb-data/box.pub -m stick/ferry-receipts/site.ferry.receipt.json &&
           minisign -V -q -p usb-data/box.pub -m stick/ferry-receipts/tools.ferry.receipt.json"
check "both imports are in the history" \
  bash -c "'$FERRYD' imports --data-dir usb-data --json | jq -e '[.imports[] | select(.result == \"imported\")] | length == 2'"
"$FERRY" keygen -o stranger --no-password >/dev/null
mkdir stick2 && "$FERRY" pack -k stranger.key -o stick2/evil.ferry oci:app:v1=usb/app:v1 >/dev/null
rc=0
env FERRYD="$FERRYD" FERRY_CONFIG="$WORK/usb.toml" FERRY_DATA_DIR="$WORK/usb-data" \
  FERRY_USER="$(id -un)" sh "$UNITS/ferry-usb-import" "$WORK/stick2" 2>usb2.log || rc=$?
check "a stick with a bundle from an unknown signer: the script fails with its code (11)" \
  bash -c "[ $rc -eq 11 ] && grep -q 'not a trusted key' usb2.log"

# ---- the .deb
# (Two packages: ferry, the bundler, and ferryd, the appliance; both here.)
check "cpack builds the .debs" \
  bash -c "cpack -G DEB -B '$WORK/pkg' --config '$BUILD_DIR/CPackConfig.cmake' >cpack.log 2>&1 && ls pkg/ferry_*.deb pkg/ferryd_*.deb"
debs=("$PWD"/pkg/ferry_*.deb "$PWD"/pkg/ferryd_*.deb)
deb=$(ls pkg/ferryd_*.deb)
check "every dependency they declare resolves on this Debian release" \
  bash -c "apt-get install -s -qq ${debs[*]} >apt.log 2>&1 || { cat apt.log; exit 1; }"
root=$WORK/root
mkdir -p "$root"/var/lib/dpkg/{info,updates,triggers} "$root/etc" && touch "$root/var/lib/dpkg/status"
check "they install into a clean root (dpkg --root, maintainer scripts DPKG_ROOT-aware)" \
  dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null -i "${debs[@]}"
for f in usr/bin/ferryd usr/bin/ferry lib/systemd/system/ferryd.service lib/systemd/system/ferryd.socket \
  lib/systemd/system/ferry-usb-import@.service lib/udev/rules.d/90-ferry-usb.rules \
  lib/sysusers.d/ferry.conf lib/ferry/ferry-usb-import etc/ferry/ferryd.toml etc/ferry/trusted-keys/README; do
  check "the package installed /$f" test -e "$root/usr/${f#usr/}" -o -e "$root/$f"
done
check "the config is a conffile (kept on upgrade, asked about if edited)" \
  bash -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/ferry/ferryd.toml"
check "postinst created the ferry service user" grep -q '^ferry:' "$root/etc/passwd"
port=$(free_port)
python3 listen_notify.py "$WORK/notify2.sock" 3 >notify2.log &
listener=$!
sleep 0.3
NOTIFY_SOCKET=$WORK/notify2.sock "$root/usr/bin/ferryd" serve --config "$root/etc/ferry/ferryd.toml" \
  --listen "127.0.0.1:$port" --data-dir installed-data 2>installed.log &
pid=$!
sleep 1
check "the installed ferryd starts with the packaged config, tells systemd it is ready, and serves" \
  bash -c "grep -q ' READY=1' notify2.log && curl -sf http://127.0.0.1:$port/v2/ >/dev/null"
kill -TERM $pid; wait $pid || true
wait $listener
check "dpkg --purge removes the packages" \
  bash -c "dpkg --root='$root' --force-script-chrootless --log=/dev/null --purge ferry ferryd 2>purge.log &&
    [ ! -e '$root/usr/bin/ferryd' ] && [ ! -e '$root/usr/bin/ferry' ] && [ ! -e '$root/etc/ferry/ferryd.toml' ]"
finish
