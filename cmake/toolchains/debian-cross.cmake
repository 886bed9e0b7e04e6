# Shared body of the Debian cross toolchain files: the caller sets
# FERRY_CROSS_TRIPLET (GNU triplet), FERRY_CROSS_QEMU (qemu-user-static
# program) and FERRY_DEB_ARCH (dpkg architecture).
set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR ${FERRY_CROSS_TRIPLET})
set(CMAKE_C_COMPILER ${FERRY_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${FERRY_CROSS_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${FERRY_CROSS_TRIPLET})
# GCC's "parameter passing ... changed in GCC 7.1" notes on ARM concern
# code built by GCC 6 or older mixed with ours, which Debian 12 has none of.
set(CMAKE_CXX_FLAGS_INIT -Wno-psabi)
find_program(FERRY_QEMU ${FERRY_CROSS_QEMU} REQUIRED)

# Where the target's libraries come from: Debian multiarch (:arm64 -dev
# packages in /usr/lib/<triplet>), or, when apt could not install those
# (.ci/install-cross falls back), a sysroot unpacked by .ci/make-sysroot.
set(FERRY_SYSROOT "/opt/ferry-sysroot-${FERRY_DEB_ARCH}" CACHE PATH "Fallback sysroot")
if(NOT EXISTS /usr/lib/${FERRY_CROSS_TRIPLET}/libmicrohttpd.so
   AND EXISTS ${FERRY_SYSROOT}/.complete)
  set(CMAKE_SYSROOT ${FERRY_SYSROOT})
  set(ENV{PKG_CONFIG_SYSROOT_DIR} ${FERRY_SYSROOT})
  set(ENV{PKG_CONFIG_LIBDIR}
      "${FERRY_SYSROOT}/usr/lib/${FERRY_CROSS_TRIPLET}/pkgconfig:${FERRY_SYSROOT}/usr/share/pkgconfig")
  # Loader and libc both from the sysroot, so -L is consistent here.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FERRY_QEMU} -L ${FERRY_SYSROOT})
  # dpkg-shlibdeps (cpack -G DEB): the sysroot's libraries, and its dpkg
  # database, which names their packages (cmake/packaging.cmake).
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${FERRY_SYSROOT}/usr/lib/${FERRY_CROSS_TRIPLET}
                                                  ${FERRY_SYSROOT}/lib/${FERRY_CROSS_TRIPLET})
  set(FERRY_DPKG_ADMINDIR ${FERRY_SYSROOT}/var/lib/dpkg)
else()
  set(ENV{PKG_CONFIG_LIBDIR}
      "/usr/lib/${FERRY_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
  # No -L: Debian's qemu-user-static runs the target's loader from
  # /lib/ld-linux-*.so (libc6:<arch>), which finds the multiarch libraries
  # in /usr/lib/<triplet>. With -L /usr/<triplet> any program that starts
  # a thread spins forever (the cross package's loader meets the multiarch
  # libc).
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FERRY_QEMU})
  # -dev packages that are not Multi-Arch: same (libyaml-cpp-dev), unpacked
  # here by .ci/install-cross so the amd64 copy stays installed.
  list(APPEND CMAKE_PREFIX_PATH /opt/ferry-cross-${FERRY_DEB_ARCH}/usr)
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# Packages built here are for the target (cpack -G DEB).
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${FERRY_DEB_ARCH})
