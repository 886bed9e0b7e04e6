# Cross-build for 64-bit ARM (Debian arm64) with Debian 12's
# crossbuild-essential-arm64 and the :arm64 -dev packages (.ci/install-cross).
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(FERRY_CROSS_TRIPLET aarch64-linux-gnu)
set(FERRY_CROSS_QEMU qemu-aarch64-static)
set(FERRY_DEB_ARCH arm64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
