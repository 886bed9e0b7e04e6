#include "base/dir_entries.h"

#include <dirent.h>

#include <cerrno>
#include <memory>

#include "base/error.h"

namespace ferry {

std::vector<DirEntry> list_directory(const std::string& dir) {
  std::vector<DirEntry> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return out;
    throw_errno("cannot list " + dir, errno);
  }
  while (true) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0) throw_errno("cannot list " + dir, errno);
      return out;
    }
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out.push_back({std::move(name), e->d_type == DT_DIR});
  }
}

}  // namespace ferry
