# The two commands of the README, plus the developer targets.
#   make demo   install dependencies, build, run the main job on examples/, print where the output went
#   make test   install dependencies, build, run the whole test suite (ctest); non-zero on any failure
#   make bench  build the benchmarks and run them all (figures go in docs/benchmarks.md)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
MAKEFLAGS += --no-print-directory

.PHONY: all deps configure build test check demo fuzz bench format clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DTUTELA_BUILD_TESTS=ON -DTUTELA_BUILD_BENCHMARKS=ON \
		$(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The whole suite: unit, e2e, slow and fuzz labels.
test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure --timeout 900 -j$(JOBS) $(CTEST_FLAGS)

# The quick suite for the edit-compile-test loop: everything but the slow and fuzz labels.
check: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) -LE 'slow|fuzz' $(CTEST_FLAGS)

demo: build
	@scripts/demo $(BUILD_DIR)

# Real fuzzing: every fuzz target built with clang's libFuzzer (plus ASan/UBSan), each run for
# FUZZ_SECONDS from its corpus. The default build only replays the corpora (ctest label `fuzz`).
FUZZ_SECONDS ?= 20
fuzz: deps
	@CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTUTELA_FUZZ=ON \
		-DTUTELA_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target tutela_fuzzers
	@ctest --test-dir build-fuzz -L fuzz --output-on-failure

bench: build
	@bench/run $(BUILD_DIR)

format:
	@find apps include src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) out
