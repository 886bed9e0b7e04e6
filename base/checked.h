// Arithmetic on numbers that come from outside (sizes in a bundle's
// manifest, offsets and counts in requests): never wraps. Each returns
// nullopt when the exact result does not fit in T, so the caller refuses
// the input in its own words instead of going on with a wrapped value.
#pragma once

#include <optional>
#include <type_traits>

namespace ferry {

template <typename T>
requires std::is_integral_v<T> std::optional<T> checked_add(T a, T b) {
  T out;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

template <typename T>
requires std::is_integral_v<T> std::optional<T> checked_sub(T a, T b) {
  T out;
  if (__builtin_sub_overflow(a, b, &out)) return std::nullopt;
  return out;
}

template <typename T>
requires std::is_integral_v<T> std::optional<T> checked_mul(T a, T b) {
  T out;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

// Adds b to total in place; false (total unchanged) when it would wrap.
template <typename T>
requires std::is_integral_v<T>
bool add_to(T& total, T b) {
  auto sum = checked_add(total, b);
  if (!sum) return false;
  total = *sum;
  return true;
}

}  // namespace ferry
