#!/usr/bin/env bash
# The two .debs on a fresh Debian 12 system booted under real systemd: a
# minimal bookworm root (debootstrap, cached between runs) with only the
# workstation package `ferry` installed (apt-get, pulling its dependencies),
# then `systemd-nspawn --boot`. Inside, a check unit confirms that ferry
# alone started nothing; installs an older ferryd (this build repacked as
# 0.1.0-1); confirms ferryd is active as Type=notify under the ferry user
# with its sandbox, imports a signed bundle from the shell and another
# through the inbox, pulls both; upgrades in place to this build's ferryd
# and checks users, config, data and service came through; purges ferryd and
# checks what is gone and what is kept; and powers the container off.
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the CMake build directory}
cd "$WORK"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ferry
mkdir -p "$cache"

if [[ ! -s "$cache/bookworm-rootfs.tar" ]]; then
  echo "     making a bookworm root with debootstrap (cached in $cache)"
  # In the cache folder, not $WORK: debootstrap refuses a nodev /tmp (a
  # tmpfs /tmp, as in containers and Debian 13, is mounted nodev).
  boot_root=$(mktemp -d "$cache/boot-root.XXXXXX")
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,ca-certificates \
    bookworm "$boot_root" http://deb.debian.org/debian >debootstrap.log 2>&1 ||
    { tail -20 debootstrap.log; rm -rf "$boot_root"; exit 1; }
  tar -C "$boot_root" -cf "$cache/bookworm-rootfs.tar.partial" . && mv "$cache/bookworm-rootfs.tar.partial" "$cache/bookworm-rootfs.tar"
  rm -rf "$boot_root"
fi
root=$WORK/root
mkdir "$root" && tar -C "$root" -xf "$cache/bookworm-rootfs.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"

cpack -G DEB -B "$WORK/pkg" --config "$BUILD_DIR/CPackConfig.cmake" >cpack.log 2>&1
cp pkg/ferry_*.deb "$root/root/ferry.deb"
cp pkg/ferryd_*.deb "$root/root/ferryd.deb"
# The "older" ferryd: the same files, control Version lowered to 0.1.0-1.
dpkg-deb -R pkg/ferryd_*.deb old
sed -i 's/^Version: .*/Version: 0.1.0-1/' old/DEBIAN/control
dpkg-deb -b old "$root/root/ferryd-old.deb" >/dev/null
new_version=$(dpkg-deb -f pkg/ferryd_*.deb Version)
check "apt-get installs ferry alone on a fresh bookworm, pulling its dependencies" \
  bash -c "chroot '$root' sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/ferry.deb' >apt.log 2>&1 || { tail -20 apt.log; exit 1; }"
# A program run in the root, with its own /proc (gone when it ends): an
# ASan build cannot find its stack without /proc/self/maps and then reports
# false overflows when an exception unwinds.
in_root() { unshare --mount --fork --pid --mount-proc="$root/proc" chroot "$root" "$@"; }
export -f in_root; export root
check "ferry runs there; it brought no ferryd, unit, udev rule or config" \
  bash -c "in_root ferry --version >/dev/null && ! chroot '$root' sh -c 'command -v ferryd' &&
    ! ls '$root'/usr/lib/systemd/system/ferry* '$root'/usr/lib/udev/rules.d/*ferry* '$root/etc/ferry' 2>/dev/null | grep ."

mkdir -p "$root/srv"  # where a stick would be mounted: readable by the ferry user
make_layout app --tag v1 --layers 2 --layer-size 100000 >/dev/null
make_layout tool --tag v2 --layers 2 --layer-size 100000 --seed 2 >/dev/null
"$FERRY" keygen -o site --no-password >/dev/null
"$FERRY" pack -k site.key -o "$root/srv/app.ferry" --channel apps oci:app:v1=site/app:v1 >/dev/null
"$FERRY" pack -k site.key -o "$root/srv/tool.ferry" --channel tools oci:tool:v2=site/tool:v2 >/dev/null
cp site.pub "$root/root/site.pub"  # trusted once ferryd has made /etc/ferry
cat >"$root/root/check.sh" <<'EOF'
#!/bin/sh
# Runs once at boot; writes what it sees, then powers off.
exec >/root/check.txt 2>&1
# listening: TCP sockets in LISTEN state held by a process of this container
# (the network is the host's, so /proc/net/tcp alone would show the host's).
listening() {
  inodes=$(awk '$4 == "0A" {print $10}' /proc/net/tcp /proc/net/tcp6)
  n=0
  for i in $inodes; do
    ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q "socket:\[$i\]" && n=$((n + 1))
  done
  echo "$n"
}
sleep 2  # let the boot settle
echo "alone-listening=$(listening)"
echo "alone-units=$(systemctl list-units --all --no-legend 'ferry*' | wc -l)"
echo "alone-procs=$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^ferry')"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/ferryd-old.deb >/root/apt-old.txt 2>&1
echo "install-old=$?"
echo "enabled=$(systemctl is-enabled ferryd.service)"
cp /root/site.pub /etc/ferry/trusted-keys/
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
echo "listening=$(listening)"
journalctl -u ferryd.service --no-pager -q -o cat | grep -v ' GET \| HEAD ' | tail -20 >/root/journal.txt

# Upgrade in place: the admin's config edit, the users, the images and the
# ferry user's id come through; the new binary serves.
echo "# edited by the admin" >>/etc/ferry/ferryd.toml
uid=$(id -u ferry)
pid=$(systemctl show -p MainPID --value ferryd.service)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/ferryd.deb >/root/apt-new.txt 2>&1
echo "upgrade=$?"
echo "version=$(dpkg-query -W -f='${Version}' ferryd)"
for i in $(seq 1 50); do systemctl is-active -q ferryd.service && break; sleep 0.2; done
echo "upgraded-active=$(systemctl is-active ferryd.service)"
echo "restarted=$([ "$(systemctl show -p MainPID --value ferryd.service)" != "$pid" ] && echo yes)"
echo "config-kept=$(grep -c '^# edited by the admin' /etc/ferry/ferryd.toml)"
echo "uid-kept=$([ "$(id -u ferry)" = "$uid" ] && echo yes)"
for i in $(seq 1 50); do
  curl -s -o /dev/null http://127.0.0.1:5000/v2/ && break; sleep 0.2
done
echo "app-after=$(curl -s -o /dev/null -w '%{http_code}' -u "$login" -H "$accept" http://127.0.0.1:5000/v2/site/app/manifests/v1)"
echo "tool-after=$(curl -s -o /dev/null -w '%{http_code}' -u "$login" -H "$accept" http://127.0.0.1:5000/v2/site/tool/manifests/v2)"

# Purge: the package's files, config and unit state go; the images, the box
# key and the ferry user stay (docs/packaging.md: how to delete them too),
# as do files the admin added to /etc/ferry; ferry is untouched.
systemctl enable ferryd.socket >/dev/null 2>&1  # as an admin might, for socket activation
echo "socket-enabled=$(systemctl is-enabled ferryd.socket 2>/dev/null)"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ferryd >/root/apt-purge.txt 2>&1
echo "purge=$?"
echo "purged-status=$(dpkg-query -W -f='${db:Status-Abbrev}' ferryd 2>/dev/null | grep -q '^.i' || echo gone)"
echo "gone-bin=$([ ! -e /usr/bin/ferryd ] && [ ! -e /usr/bin/ferryctl ] && echo yes)"
echo "gone-unit=$(systemctl list-unit-files --no-legend 'ferryd*' | wc -l)"
echo "gone-wants=$([ ! -e /etc/systemd/system/multi-user.target.wants/ferryd.service ] && echo yes)"
echo "gone-socket-link=$([ ! -L /etc/systemd/system/sockets.target.wants/ferryd.socket ] && echo yes)"
echo "gone-config=$([ ! -e /etc/ferry/ferryd.toml ] && [ ! -e /etc/ferry/trusted-keys/README ] && echo yes)"
echo "kept-admin-key=$([ -f /etc/ferry/trusted-keys/site.pub ] && echo yes)"
echo "kept-data=$([ -f /var/lib/ferry/ferry.db ] && [ -d /var/lib/ferry/blobs ] && echo yes)"
echo "kept-user=$(id -un ferry)"
echo "purge-says=$(grep -c 'rm -rf /var/lib/ferry /etc/ferry && userdel ferry removes them' /root/apt-purge.txt)"
echo "purged-listening=$(listening)"
echo "ferry-still=$(ferry --version >/dev/null && echo yes)"
systemctl poweroff
EOF
chmod +x "$root/root/check.sh"
cat >"$root/etc/systemd/system/boot-check.service" <<'EOF'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/check.sh
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable boot-check.service >/dev/null 2>&1
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
check "ferry alone, booted: no ferry unit, no ferry process, nothing listening" \
  has alone-units=0 alone-procs=0 alone-listening=0
check "apt-get installs ferryd (0.1.0-1) on the running system and enables ferryd.service" \
  has install-old=0 enabled=enabled
check "booted under systemd, ferryd.service is active, listening" has "active=active" listening=1
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
check "apt-get install ./ferryd_$new_version over 0.1.0-1 upgrades in place and restarts the service" \
  has upgrade=0 "version=$new_version" upgraded-active=active restarted=yes
check "the upgrade keeps the admin's config edit, the ferry user, the users and both images" \
  has config-kept=1 uid-kept=yes app-after=200 tool-after=200
check "apt-get purge ferryd removes its programs, unit, enablement and config" \
  has purge=0 purged-status=gone gone-bin=yes gone-unit=0 gone-wants=yes gone-config=yes purged-listening=0
check "an admin's enabled ferryd.socket leaves no dangling link after the purge" \
  has socket-enabled=enabled gone-socket-link=yes
check "and keeps the images, the ferry user and the admin's own files; ferry stays" \
  has kept-data=yes kept-user=ferry kept-admin-key=yes ferry-still=yes
check "and the purge says what it kept and how to delete it, /etc/ferry included" has purge-says=1
finish
