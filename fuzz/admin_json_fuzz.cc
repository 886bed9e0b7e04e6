// The admin API's JSON (access/json.h): a body for /ferry/v1/ parsed as
// ferryd parses it (json::parse without exceptions, an object), then read
// as each row type. A misfit throws json::exception (ferryd answers 400
// INVALID) or ferry::Error; the odd from_json that refuses a value with
// std::runtime_error is allowed too, as ferryctl reads those. A row that
// reads writes back to JSON that reads to the same JSON.
#include <nlohmann/json.hpp>

#include "access/json.h"
#include "base/error.h"
#include "fuzz/fuzz_input.h"

namespace {

template <typename Row>
void round_trip(const nlohmann::json& doc) {
  Row row;
  try {
    row = doc.get<Row>();
  } catch (const nlohmann::json::exception&) {
    return;
  } catch (const std::runtime_error&) {  // ferry::Error included
    return;
  }
  nlohmann::json once = row;
  nlohmann::json twice = once.get<Row>();
  if (once != twice) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry::access;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  round_trip<UserRow>(doc);
  round_trip<TokenRow>(doc);
  round_trip<GrantRow>(doc);
  round_trip<NamespaceRow>(doc);
  round_trip<AuditRow>(doc);
  round_trip<NamespaceChange>(doc);
  return 0;
}
