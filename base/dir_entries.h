// Listing a directory without mistaking an error for its end. readdir()
// returns NULL both at the end and on failure (EIO, EOVERFLOW on a 32-bit
// build without large-file support, a directory gone stale on a removed
// USB disk); a loop that stops at the first NULL reads the failure as "no
// more files" and silently skips what it was meant to find (orphans for GC,
// temp files for clean-up, bundles in the inbox). Every directory walk in
// Ferry goes through here.
#pragma once

#include <string>
#include <vector>

namespace ferry {

struct DirEntry {
  std::string name;
  bool is_dir = false;  // from d_type; false also when the filesystem does not say
};

// The entries of `dir`, "." and ".." left out, in readdir order.
// A directory that does not exist (ENOENT, ENOTDIR) lists as empty: callers
// walk folders that are made on first use. Any other failure of opendir()
// or readdir() (EACCES, EIO, EOVERFLOW...) throws ferry::Error kStorage,
// "cannot list <dir>: <strerror>".
std::vector<DirEntry> list_directory(const std::string& dir);

}  // namespace ferry
