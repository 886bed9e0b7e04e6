# `cpack -G DEB` in a build directory makes two packages (docs/packaging.md):
#   ferry_<version>_<arch>.deb   the bundler for the connected side: ferry, its
#                                man pages and completion; no service, starts
#                                nothing when installed
#   ferryd_<version>_<arch>.deb  the appliance: ferryd, ferryctl, the units,
#                                udev rule, service user, /etc/ferry
# Every install() rule names its component (ferry or ferryd). The architecture
# is left to CPack, which asks `dpkg --print-architecture`; a cross build sets
# CPACK_DEBIAN_PACKAGE_ARCHITECTURE (e.g. arm64) on the cmake command line or
# in its toolchain file and everything here follows it.
set(FERRY_DEB_REVISION 1 CACHE STRING "Debian revision of the packages (the -N in 0.2.0-N)")
set(FERRY_DEB_VERSION "${PROJECT_VERSION}-${FERRY_DEB_REVISION}")

# The changelog's newest entry must be this version: a release without its
# entry fails here rather than shipping a changelog that disagrees.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/changelog _ferry_cl_top LIMIT_COUNT 1)
if(NOT _ferry_cl_top MATCHES "^ferry \\(${FERRY_DEB_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog: the newest entry is '${_ferry_cl_top}', "
                      "not ferry (${FERRY_DEB_VERSION}); add an entry for this version")
endif()

# copyright and changelog.Debian.gz in /usr/share/doc/PKG of each package
# (Debian policy 12.5, 12.7); gzip -9n keeps the file reproducible.
set(_ferry_cl_gz ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.Debian.gz)
add_custom_command(OUTPUT ${_ferry_cl_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9n < '${PROJECT_SOURCE_DIR}/packaging/changelog' > '${_ferry_cl_gz}'"
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(deb_changelog ALL DEPENDS ${_ferry_cl_gz})
foreach(pkg ferry ferryd)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${_ferry_cl_gz}
          DESTINATION share/doc/${pkg} COMPONENT ${pkg})
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/${pkg} COMPONENT ${pkg})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/${pkg}/docs
          COMPONENT ${pkg} PATTERN man EXCLUDE)
endforeach()

set(CPACK_PACKAGE_NAME ferry)
set(CPACK_PACKAGE_VENDOR "Ferry")
set(CPACK_PACKAGE_CONTACT "Ferry maintainers <maintainers@ferry-registry.org>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ferry ferryd)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${FERRY_DEB_REVISION})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Versioned Depends on the shared libraries the binaries link (dpkg-shlibdeps,
# which needs the `file` program: .ci/install-deps installs it).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_FERRY_PACKAGE_NAME ferry)
set(CPACK_DEBIAN_FERRY_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_FERRY_DESCRIPTION "signed offline bundles of container images
ferry packs container images (from registries, OCI layouts, docker-save
archives, Helm charts) into one signed, compressed bundle file to carry to
an air-gapped site, and verifies, inspects or pushes such bundles.

This is the workstation side of Ferry: it installs no service and starts
nothing. The registry that imports the bundles is in the ferryd package.")

set(CPACK_DEBIAN_FERRYD_PACKAGE_NAME ferryd)
set(CPACK_DEBIAN_FERRYD_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FERRYD_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_FERRYD_PACKAGE_SUGGESTS "ferry")
set(CPACK_COMPONENT_FERRYD_DESCRIPTION "edge container registry for offline sites
ferryd serves the OCI Distribution API (docker, podman, containerd, k3s pull
from it) from a data directory, and imports signed Ferry bundles from the
shell, an inbox folder or a USB stick, all or nothing.

This package is the appliance: the ferryd daemon and ferryctl admin tool,
a hardened systemd service (enabled and started on install, as user ferry),
a udev rule that imports bundles from USB sticks, and /etc/ferry.")
set(_ferryd_maint ${PROJECT_SOURCE_DIR}/systemd/debian)
set(CPACK_DEBIAN_FERRYD_PACKAGE_CONTROL_EXTRA
    "${_ferryd_maint}/postinst;${_ferryd_maint}/prerm;${_ferryd_maint}/postrm;${_ferryd_maint}/conffiles")

# A cross build against a sysroot (cmake/toolchains/debian-cross.cmake) has
# its libraries outside the machine's dpkg database; dpkg-shlibdeps reads
# the sysroot's own (.ci/make-sysroot) instead. cpack loads this file when
# it runs, so the variable reaches the dpkg-shlibdeps it starts.
if(FERRY_DPKG_ADMINDIR)
  set(_ferry_cpack_env ${CMAKE_CURRENT_BINARY_DIR}/packaging/cpack-env.cmake)
  file(WRITE ${_ferry_cpack_env} "set(ENV{DPKG_ADMINDIR} \"${FERRY_DPKG_ADMINDIR}\")\n")
  set(CPACK_PROJECT_CONFIG_FILE ${_ferry_cpack_env})
endif()
include(CPack)
