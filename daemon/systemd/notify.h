// The small parts of systemd's service protocol ferryd speaks, written
// against the documented environment rather than libsystemd (which would
// pull liblzma, libzstd, libgcrypt and more into a daemon sized for 1 GiB
// boxes):
//   - sd_notify: READY=1, STATUS=..., WATCHDOG=1, STOPPING=1 as datagrams to
//     $NOTIFY_SOCKET (a path, or '@' for the abstract namespace);
//   - the watchdog interval from $WATCHDOG_USEC (for us if $WATCHDOG_PID
//     is unset or ours);
//   - socket activation: $LISTEN_FDS sockets from fd 3 when $LISTEN_PID is ours.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace ferry::systemd {

// Sends one notification; false when not under systemd or it failed.
bool notify(std::string_view state);

std::optional<std::chrono::microseconds> watchdog_interval();

// The sockets systemd passed ($LISTEN_FDS of them from fd 3, e.g. one per
// ListenStream= line of ferryd.socket), close-on-exec from here; empty when
// none are for us. The LISTEN_* variables are unset afterwards so children
// do not take them for their own. The caller owns the descriptors.
std::vector<int> take_listen_fds();

}  // namespace ferry::systemd
