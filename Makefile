# Entry points for people. CMake does the real work; these targets install
# missing Debian packages first so each is one command on a fresh Debian 12 box.
BUILD    ?= build
JOBS     ?= $(shell nproc)
LISTEN   ?= 127.0.0.1:5000
DATA_DIR ?= ./data
CMAKE_FLAGS ?=

.PHONY: deps build run test build-asan test-asan fuzz bench format clean

deps:
	bash .ci/install-deps

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# Starts ferryd on 127.0.0.1:5000 with its data in ./data; no config needed.
run: build
	$(BUILD)/daemon/ferryd serve --listen $(LISTEN) --data-dir $(DATA_DIR)

# Unit, integration and end-to-end tests (real ferryd, real skopeo/podman).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (less the package tests, which check packaging: tests/CMakeLists.txt).
ASAN_CMAKE_FLAGS := -DFERRY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
build-asan:
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="$(ASAN_CMAKE_FLAGS)"

test-asan:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="$(ASAN_CMAKE_FLAGS)"

# libFuzzer (clang) over every parser of outside input, FUZZ_SECONDS each
# (9 targets: about 3 minutes); crash inputs go to fuzz/regressions/.
FUZZ_SECONDS ?= 20
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DFERRY_FUZZ=ON -DFERRY_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build build-fuzz --target fuzz -j $(JOBS)
	bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench:
	bash .ci/install-deps --bench
	$(MAKE) build BUILD=build-release CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release -DFERRY_TESTS=OFF"
	bash bench/hash.sh
	bash bench/registry.sh build-release
	bash bench/floor.sh build-release
	bash bench/tls.sh build-release
	python3 bench/auth_bench.py build-release/daemon/ferryd build-release/ctl/ferryctl
	bash bench/bundle.sh build-release
	bash bench/import.sh build-release
	python3 bench/gc_bench.py build-release/daemon/ferryd build-release/ctl/ferryctl
	bash bench/scrub.sh build-release
	bash bench/payload.sh build-release

format:
	find core daemon ctl access bundler signing tests bench fuzz -name '*.h' -o -name '*.cc' | xargs -r clang-format -i

clean:
	rm -rf build build-asan build-release build-fuzz

# ---- Cross-builds for edge boxes (docs/cross.md) ---------------------------
# ARCH=arm64 (64-bit ARM) or armhf (32-bit ARMv7). Each target installs the
# cross toolchain, qemu-user-static and the :ARCH libraries first
# (.ci/install-cross), and builds in build-ARCH (Release, no debug info).
#   make cross ARCH=arm64        build ferryd, ferry, ferryctl and the tests
#   make test-cross ARCH=arm64   unit + integration tests under qemu-user
#   make test-large-cross ARCH=armhf   a blob over 4 GiB through emulated ferryd
#   make deb ARCH=arm64          the .deb package(s) for ARCH (cpack)
ARCH ?= arm64
CROSS_BUILD ?= build-$(ARCH)
CROSS_TOOLCHAIN_arm64 := cmake/toolchains/aarch64-linux-gnu.cmake
CROSS_TOOLCHAIN_armhf := cmake/toolchains/arm-linux-gnueabihf.cmake
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
ifeq ($(ARCH),$(HOST_ARCH))
# ARCH=amd64 on an amd64 machine: the same targets, built natively.
CROSS_SETUP = bash .ci/install-deps
CROSS_CMAKE =
else
CROSS_SETUP = bash .ci/install-cross $(ARCH)
CROSS_CMAKE = -DCMAKE_TOOLCHAIN_FILE=$(or $(CROSS_TOOLCHAIN_$(ARCH)),$(error ARCH=$(ARCH): use ARCH=arm64, armhf or $(HOST_ARCH)))
endif
# The tests need only these (cmake/cross-tests.cmake).
CROSS_TEST_TARGETS ?= cross_tests

.PHONY: cross-configure cross cross-build-tests test-cross test-large-cross deb

cross-configure:
	$(CROSS_SETUP)
	cmake -S . -B $(CROSS_BUILD) $(CROSS_CMAKE) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

cross: cross-configure
	cmake --build $(CROSS_BUILD) -j $(JOBS)

# Unit and integration tests; the e2e tests drive real clients against the
# daemon and stay native (docs/cross.md lists what does not run emulated).
cross-build-tests: cross-configure
	cmake --build $(CROSS_BUILD) -j $(JOBS) --target $(CROSS_TEST_TARGETS)

test-cross: cross-build-tests
	cd $(CROSS_BUILD) && ctest --output-on-failure -j $(JOBS) -LE 'e2e|large' --timeout 600

# A blob over 4 GiB pushed and served by the emulated ferryd (the 32-bit
# check; writes 4.5 GiB under $TMPDIR, ~N min under qemu on armhf).
test-large-cross: cross-configure
	cmake --build $(CROSS_BUILD) -j $(JOBS) --target ferryd
	cd $(CROSS_BUILD) && ctest --output-on-failure -L large

deb: cross
	cd $(CROSS_BUILD) && cpack -G DEB
