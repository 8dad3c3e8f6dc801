# The two commands: `make demo` and `make check`. Everything else here serves them.
BUILDDIR ?= build
FUZZDIR ?= build-fuzz
MESON_SETUP_FLAGS ?= -Dwerror=true
FUZZ_SECONDS ?= 20

.PHONY: all deps build demo check package test fuzz-build fuzz-smoke fuzz-long check-asan check-valgrind bench clean format

all: build

deps:
	@.ci/install-deps

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR) $(MESON_SETUP_FLAGS)

build: deps $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR)

# Runs the line on the simulated hardware: GUI when a display is available, headless otherwise.
demo: build
	tests/rig/demo $(BUILDDIR)

# The Debian packages (debian/): cardline and cardline-demo, into $(BUILDDIR)/package.
package: deps
	tests/package/build-package . $(BUILDDIR)/package

# Warnings fail the gcc build ($(BUILDDIR)); the clang build is for sanitizers and fuzzing.
# Every suite: unit, integration on the rig, data-file validation, then short fuzz runs under ASan/UBSan.
check: build fuzz-build
	meson test -C $(BUILDDIR) --print-errorlogs --num-processes 2
	CARDLINE_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C $(FUZZDIR) --suite fuzz --print-errorlogs --num-processes 2

test: build
	meson test -C $(BUILDDIR) --print-errorlogs

$(FUZZDIR)/build.ninja:
	CC=clang-14 meson setup $(FUZZDIR) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dbuildtype=debugoptimized

fuzz-build: deps $(FUZZDIR)/build.ninja
	meson compile -C $(FUZZDIR)

# Longer fuzzing: make fuzz-long FUZZ_SECONDS=600
fuzz-long: fuzz-build
	CARDLINE_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C $(FUZZDIR) --suite fuzz --print-errorlogs -t 0

check-asan: fuzz-build
	meson test -C $(FUZZDIR) --setup asan --no-suite fuzz --print-errorlogs --num-processes 2

check-valgrind: build
	meson test -C $(BUILDDIR) --setup valgrind --suite unit --print-errorlogs --num-processes 2

bench: build
	tests/bench/run $(BUILDDIR)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILDDIR) $(FUZZDIR)
