#!/usr/bin/env bash
# A blob over 4 GiB, pushed and served whole: the 32-bit check (armhf under
# qemu-user, `make test-large-cross ARCH=armhf`), where size_t, long and a
# readdir without large-file support are 32 bits wide. The blob is a sparse
# file (zeros, no disk) with markers just past 2 GiB, just past 4 GiB and at
# the end, so an offset that wrapped serves the wrong bytes, not just a wrong
# length. Needs the blob's size free on the data disk.
# LARGE_BLOB_BYTES overrides the size (default 4.5 GiB).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
size=${LARGE_BLOB_BYTES:-4831838208}
need_kib=$((size / 1024 + 1048576))
if (($(df -k --output=avail "$WORK" | tail -1) < need_kib)); then
  echo "skip: $((need_kib / 1048576)) GiB free needed under $WORK"; exit 77
fi

truncate -s "$size" big
mark() { printf '%s' "$2" | dd of=big bs=1 seek="$1" conv=notrunc status=none; }
mark $((1 << 31)) PAST-2GIB
(( size > (1 << 32) + 9 )) && mark $((1 << 32)) PAST-4GIB
mark $((size - 11)) END-OF-BLOB
digest=sha256:$(sha256sum big | cut -d' ' -f1)

start_ferryd
t0=$(date +%s)
location=$(curl -sf -o /dev/null -w '%header{location}' -X POST "http://$REG/v2/big/blobs/uploads/")
[[ $location == http* ]] || location="http://$REG$location"
sep='?'; [[ $location == *'?'* ]] && sep='&'
check "a $size-byte blob is pushed in one PUT (201)" \
  bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -T big -H 'Content-Type: application/octet-stream' '$location${sep}digest=$digest') = 201 ]"
echo "     push took $(($(date +%s) - t0)) s"
check "HEAD says its exact size" \
  bash -c "curl -sfI 'http://$REG/v2/big/blobs/$digest' | tr -d '\r' | grep -qx 'Content-Length: $size'"
range() { curl -sf -r "$1-$(($1 + ${#2} - 1))" "http://$REG/v2/big/blobs/$digest"; }
check "a range just past 2 GiB serves the bytes stored there" equal "$(range $((1 << 31)) PAST-2GIB)" PAST-2GIB
if (( size > (1 << 32) + 9 )); then
  check "a range just past 4 GiB serves the bytes stored there" equal "$(range $((1 << 32)) PAST-4GIB)" PAST-4GIB
fi
check "the last bytes too" equal "$(range $((size - 11)) END-OF-BLOB)" END-OF-BLOB
t0=$(date +%s)
check "the whole blob pulls back with its digest" \
  equal "sha256:$(curl -sf "http://$REG/v2/big/blobs/$digest" | sha256sum | cut -d' ' -f1)" "$digest"
echo "     pull took $(($(date +%s) - t0)) s"
stop_ferryd TERM
start_ferryd "$WORK/data"
check "after a restart, its size (read back from SQLite) is still exact" \
  bash -c "curl -sfI 'http://$REG/v2/big/blobs/$digest' | tr -d '\r' | grep -qx 'Content-Length: $size'"
finish
