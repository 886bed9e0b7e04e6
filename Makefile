# Entry points for people. CMake does the real work; these targets install
# missing Debian packages first so each is one command on a fresh Debian 12 box.
BUILD    ?= build
JOBS     ?= $(shell nproc)
LISTEN   ?= 127.0.0.1:5000
DATA_DIR ?= ./data
CMAKE_FLAGS ?=

.PHONY: deps build run test test-asan fuzz bench format clean

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

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DFERRY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

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
