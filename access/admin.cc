// Accounts' Admin operations that take their time from the clock; the rest
// of Admin is Accounts' own methods (accounts.cc).
#include <ctime>

#include "access/accounts.h"
#include "base/error.h"

namespace ferry::access {
namespace {

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

}  // namespace

NewToken Accounts::create_token(const TokenRequest& request) {
  std::optional<int64_t> expires_at;
  if (request.lifetime) {
    int64_t seconds = request.lifetime->count();
    if (seconds <= 0 || seconds > kMaxTokenLifetime) {
      throw Error(AccessErrorKind::kInvalid,
                  "a token lifetime must be from 1 second to " + std::to_string(kMaxTokenLifetime) +
                      " seconds (100 years), not " + std::to_string(seconds) +
                      "; leave it out for a token that does not expire");
    }
    expires_at = now_unix() + seconds;
  }
  return create_token(request.user, expires_at, request.description);
}

void Accounts::revoke_token(const std::string& id) {
  revoke_token(id, now_unix());
}

}  // namespace ferry::access
