// The web console's files, compiled into ferryd from ui/ by tools/embed_ui.py
// (docs/console.md). They live in the binary's read-only data, so they cost
// memory only while pages of them are being sent.
#pragma once

#include <span>
#include <string_view>

namespace ferry::ui {

struct Asset {
  std::string_view path;          // "/ui/" or "/ui/assets/NAME.HASH.EXT"
  std::string_view content_type;  // with charset for text
  std::string_view body;          // the file as served
  std::string_view gzip;          // the same, gzip-compressed (Content-Encoding: gzip)
  std::string_view etag;          // quoted strong ETag of `body`
  bool immutable;                 // a hashed asset: cached for a year
};

// Every file of the console, "/ui/" first.
std::span<const Asset> assets();
// The content hash of the whole console, in every asset's name (12 hex digits).
std::string_view build_hash();

}  // namespace ferry::ui
