# Cross-build for 32-bit ARM (Debian armhf, ARMv7 hard-float) with Debian 12's
# crossbuild-essential-armhf and the :armhf -dev packages (.ci/install-cross).
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
set(FERRY_CROSS_TRIPLET arm-linux-gnueabihf)
set(FERRY_CROSS_QEMU qemu-arm-static)
set(FERRY_DEB_ARCH armhf)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
