// Secret bytes in libsodium's guarded memory: locked out of swap, surrounded
// by guard pages, and wiped when freed.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <new>
#include <utility>

#include "signing/sodium_init.h"

namespace ferry::signing {

class SecureBuffer {
 public:
  explicit SecureBuffer(size_t size) : data_(allocate(size)), size_(size) {}
  SecureBuffer(SecureBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  SecureBuffer& operator=(SecureBuffer&& other) noexcept {
    if (this != &other) {
      sodium_free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  ~SecureBuffer() { sodium_free(data_); }  // sodium_free wipes first

  unsigned char* data() { return static_cast<unsigned char*>(data_); }
  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  size_t size() const { return size_; }

 private:
  static void* allocate(size_t size) {
    ensure_sodium();  // sodium_malloc needs the page size and canaries set up
    void* p = sodium_malloc(size);
    if (!p) throw std::bad_alloc();
    return p;
  }

  void* data_;
  size_t size_;
};

}  // namespace ferry::signing
