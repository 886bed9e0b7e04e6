#!/usr/bin/env bash
# The .deb on a fresh Debian 12 system booted under real systemd: a minimal
# bookworm root (debootstrap, cached between runs), `apt-get install
# ./ferry.deb` pulling its dependencies, then `systemd-nspawn --boot`. Inside,
# a check unit confirms ferryd is active as Type=notify under the ferry user
# with its sandbox, imports a signed bundle from the shell and another
# through the inbox, pulls both, and powers the container off.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the CMake build directory}
cd "$WORK"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ferry
mkdir -p "$cache"

if [[ ! -s "$cache/bookworm-rootfs.tar" ]]; then
  echo "     making a bookworm root with debootstrap (cached in $cache)"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,ca-certificates \
    bookworm boot-root http://deb.debian.org/debian >debootstrap.log 2>&1 ||
    { tail -20 debootstrap.log; exit 1; }
  tar -C boot-root -cf "$cache/bookworm-rootfs.tar.partial" . && mv "$cache/bookworm-rootfs.tar.partial" "$cache/bookworm-rootfs.tar"
  rm -rf boot-root
fi
root=$WORK/root
mkdir "$root" && tar -C "$root" -xf "$cache/bookworm-rootfs.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"

cpack -G DEB -B "$WORK/pkg" --config "$BUILD_DIR/CPackConfig.cmake" >cpack.log 2>&1
cp pkg/ferry_*.deb "$root/root/ferry.deb"
check "apt-get installs the .deb on a fresh bookworm, pulling its dependencies" \
  bash -c "chroot '$root' sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/ferry.deb' >apt.log 2>&1 || { tail -20 apt.log; exit 1; }"
check "and enables ferryd.service" bash -c "chroot '$root' systemctl is-enabled ferryd.service | grep -qx enabled"

mkdir -p "$root/srv"  # where a stick would be mounted: readable by the ferry user
make_layout app --tag v1 --layers 2 --layer-size 100000 >/dev/null
make_layout tool --tag v2 --layers 2 --layer-size 100000 --seed 2 >/dev/null
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" pack -k site.key -o "$root/srv/app.ferry" --channel apps oci:app:v1=site/app:v1 >/dev/null
"$FERRY" pack -k site.key -o "$root/srv/tool.ferry" --channel tools oci:tool:v2=site/tool:v2 >/dev/null
cp site.pub "$root/etc/ferry/trusted-keys/"
cat >"$root/root/check.sh" <<'EOF'
#!/bin/sh
# Runs once at boot, after ferryd; writes what it sees, then powers off.
exec >/root/check.txt 2>&1
for i in $(seq 1 50); do systemctl is-active -q ferryd.service && break; sleep 0.2; done
echo "active=$(systemctl is-active ferryd.service)"
systemctl show ferryd.service -p Type -p User -p WatchdogUSec -p StatusText -p NRestarts
echo "exposure=$(systemd-analyze security ferryd.service 2>/dev/null | grep -o 'exposure level for ferryd.service: [0-9.]*' | awk '{print $NF}')"
echo "base=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5000/v2/)"
# Listening on 0.0.0.0 with no users yet, the box takes no imports.
ferryd import -q --config /etc/ferry/ferryd.toml --data-dir /var/lib/ferry /srv/app.ferry \
  >/root/locked.txt 2>&1
echo "locked=$?"
# The first admin, and imports into the site namespace.
echo admin-pass-1 | ferryctl --data-dir /var/lib/ferry user add admin
ferryctl --data-dir /var/lib/ferry grant admin '*' admin
ferryctl --data-dir /var/lib/ferry namespace set site --import on
# As root: ferryd import becomes the data dir's owner, so the service can
# still write everything the import created.
ferryd import -q --config /etc/ferry/ferryd.toml --data-dir /var/lib/ferry /srv/app.ferry \
  >/root/import.txt 2>&1
echo "import=$?"
echo "root-owned=$(find /var/lib/ferry -user root | wc -l)"
accept='Accept: application/vnd.oci.image.manifest.v1+json'
login='admin:admin-pass-1'
echo "app=$(curl -s -o /dev/null -w '%{http_code}' -u "$login" -H "$accept" http://127.0.0.1:5000/v2/site/app/manifests/v1)"
cp /srv/tool.ferry /var/lib/ferry/inbox/tool.ferry.partial
chown ferry:ferry /var/lib/ferry/inbox/tool.ferry.partial
mv /var/lib/ferry/inbox/tool.ferry.partial /var/lib/ferry/inbox/tool.ferry
code=000
for i in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "$login" -H "$accept" http://127.0.0.1:5000/v2/site/tool/manifests/v2)
  [ "$code" = 200 ] && break
  sleep 0.2
done
echo "inbox=$code"
echo "history=$(curl -s -u "$login" http://127.0.0.1:5000/ferry/v1/imports | grep -o '"result":"imported"' | wc -l)"
journalctl -u ferryd.service --no-pager -q -o cat | grep -v ' GET \| HEAD ' | tail -20 >/root/journal.txt
systemctl poweroff
EOF
chmod +x "$root/root/check.sh"
cat >"$root/etc/systemd/system/ferry-check.service" <<'EOF'
[Unit]
After=ferryd.service
[Service]
Type=oneshot
ExecStart=/root/check.sh
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable ferry-check.service >/dev/null 2>&1
timeout 180 systemd-nspawn -q -D "$root" --boot --register=no --keep-unit >nspawn.log 2>&1 || true
touch "$root/root/check.txt"
sed 's/^/     /' "$root/root/check.txt"
# has LINE...: check.txt holds every one of these lines.
has() {
  local line
  for line in "$@"; do
    grep -qx -- "$line" "$root/root/check.txt" || { echo "missing '$line'"; tail -20 nspawn.log; return 1; }
  done
}
check "booted under systemd, ferryd.service is active" has "active=active"
check "as Type=notify, its STATUS= shown by systemctl" \
  has Type=notify "StatusText=serving /var/lib/ferry on 0.0.0.0:5000"
check "under its own user, with the watchdog armed and no restarts" \
  has User=ferry WatchdogUSec=30s NRestarts=0
exposure=$(grep -o '^exposure=[0-9.]*' "$root/root/check.txt" | cut -d= -f2 || true)
check "systemd-analyze security on the live unit: 2.0 or lower (${exposure:-none})" \
  awk -v e="${exposure:-99}" 'BEGIN{exit !(e <= 2.0)}'
check "it answers the registry API" has "base=200"
check "no users yet, listening on 0.0.0.0: an import is refused as not allowed (26)" has locked=26
check "after an admin allows imports, ferryd import run by root publishes the bundle, as the data dir's owner" \
  has import=0 app=200 root-owned=0
check "a bundle moved into the inbox is imported by the sandboxed service" has "inbox=200"
check "both are in the history served by /ferry/v1/imports" has "history=2"
finish
