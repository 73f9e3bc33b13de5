# edgestream — build, test, demo, bench.
#
#   make            build build/libedgestream.a and build/edgestream
#   make demo       install missing packages, build, run the main job on a shipped dataset
#   make test       install missing packages, build, run the CUnit suites and the CLI tests
#   make test-asan  the same under AddressSanitizer + UBSan (in build-asan/)
#   make bench      benchmarks against igraph (writes bench/RESULTS.md)
#   make install PREFIX=/usr/local
#   make DEBUG=1    -O0 -g
#   make MPI=1      build-mpi/edgestream: `run` across MPI ranks (mpi/, Open MPI, parallel HDF5)
#   make test-mpi   build that and run its tests under mpirun

PKGS     := igraph glib-2.0 gio-2.0 hdf5-serial cunit zlib libisal libsoup-3.0 hiredis
# hdf5-serial, not hdf5: installing the MPI build of HDF5 repoints hdf5.pc at it.
DEBS     := libigraph-dev libglib2.0-dev libhdf5-dev hdf5-tools libcunit1-dev zlib1g-dev libisal-dev libsoup-3.0-dev libhiredis-dev redis-server pkg-config gcc make python3-h5py python3-numpy
BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= gcc

# MPI=1: the same sources plus mpi/, compiled with mpicc against the MPI
# build of HDF5, in their own folder; the default build never sees MPI.
MPI_DEBS := openmpi-bin libopenmpi-dev libhdf5-openmpi-dev
ifeq ($(MPI),1)
PKGS     := $(subst hdf5-serial,hdf5-openmpi,$(PKGS))
BUILD    := build-mpi
CC       := mpicc
MPI_SRC  := $(wildcard mpi/*.c)
MPI_FLAGS := -DES_MPI
endif

ifeq ($(DEBUG),1)
OPT      := -O0 -g
else
OPT      := -O2 -g
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp $(OPT) $(SAN) $(MPI_FLAGS) -I. $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -lpthread
LDFLAGS  += -fopenmp $(SAN)

LIB_SRC  := $(wildcard graph/*.c sketches/*.c operators/*.c dataflow/*.c snapshot/*.c server/*.c) $(MPI_SRC)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_LIB := $(BUILD)/tests/testutil.o
BENCH_SRC:= $(wildcard bench/*.c)
BENCH_BIN:= $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
HEADERS  := $(wildcard graph/*.h sketches/*.h operators/*.h dataflow/*.h snapshot/*.h server/*.h mpi/*.h)

# Keep the shared test object between runs (make would delete it as intermediate).
.SECONDARY: $(TEST_LIB)

.PHONY: deps-mpi test-mpi
.PHONY: all deps bench-deps demo test test-unit test-cli test-crash test-corrupt test-serve-kill test-asan test-valgrind bench install clean
.DEFAULT_GOAL := all

all: $(BUILD)/libedgestream.a $(BUILD)/edgestream

# Install the Debian packages that pkg-config (or h5dump) cannot find. Needs root (or sudo).
deps:
	@if pkg-config --exists $(PKGS) 2>/dev/null && command -v h5dump >/dev/null && command -v redis-server >/dev/null && command -v $(CC) >/dev/null; then :; else \
	  echo "edgestream: installing build dependencies: $(DEBS)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(DEBS); \
	fi

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Built afresh so that the object of a removed or renamed source leaves it.
$(BUILD)/libedgestream.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/edgestream: $(TOOL_OBJ) $(BUILD)/libedgestream.a
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(BUILD)/libedgestream.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_LIB) $(BUILD)/libedgestream.a tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIB) $(BUILD)/libedgestream.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libedgestream.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libedgestream.a $(LDLIBS) $(BENCH_LIBS)

# The GraphBLAS peer of the triangle benchmark.
$(BUILD)/bench/tri_graphblas: BENCH_LIBS = -lgraphblas

# Open MPI and parallel HDF5, for make MPI=1.
deps-mpi: deps
	@if command -v mpicc >/dev/null && command -v mpirun >/dev/null && pkg-config --exists hdf5-openmpi 2>/dev/null; then :; else \
	  echo "edgestream: installing MPI build dependencies: $(MPI_DEBS)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(MPI_DEBS); \
	fi

# The run across ranks (tests/test_mpi.sh): answers equal to one process,
# resume under another rank count, a rank killed mid-stream.
test-mpi: deps-mpi
	@$(MAKE) --no-print-directory MPI=1 all
	@$(MAKE) --no-print-directory all
	@sh tests/test_mpi.sh build-mpi/edgestream $(BUILD)/edgestream

demo: deps
	@$(MAKE) --no-print-directory all
	@sh datasets/demo.sh $(BUILD)/edgestream

test: deps
	@$(MAKE) --no-print-directory test-unit test-cli

test-unit: all $(TEST_BIN)
	@sh tests/run-unit.sh $(BUILD)

test-cli: all
	@sh tests/test_cli.sh $(BUILD)/edgestream
	@sh tests/test_snapshot.sh $(BUILD)/edgestream 20
	@sh tests/test_faults.sh $(BUILD)/edgestream
	@sh tests/test_readers.sh $(BUILD)/edgestream
	@sh tests/test_live.sh $(BUILD)/edgestream
	@sh tests/test_redis.sh $(BUILD)/edgestream
	@sh tests/test_readme.sh $(BUILD)/edgestream
	@sh tests/test_corrupt.sh $(BUILD)/edgestream 20
	@sh tests/test_serve.sh $(BUILD)/edgestream 20

# The crash test with more kills: make test-crash N=100
N ?= 100
test-crash: all
	@sh tests/test_snapshot.sh $(BUILD)/edgestream $(N)

# The server's kill test with more kills: make test-serve-kill N=100
test-serve-kill: all
	@sh tests/test_serve.sh $(BUILD)/edgestream $(N)

# One damaged file (a random byte of a random snapshot or log file) N
# times: make test-corrupt N=200
test-corrupt: all
	@sh tests/test_corrupt.sh $(BUILD)/edgestream $(N)

# Sanitizer build in its own folder so it never mixes objects with the normal one.
test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test-unit test-cli

# The CLI on a small run must not leak (definite or indirect) nor touch bad memory.
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
test-valgrind: all
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree --quiet datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree --quiet --batch 7 --report-every 20 --format json datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream gen rmat --scale 8 > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --quiet datasets/bad/non-numeric-id.txt 2> /dev/null; test $$? = 65
	rm -rf $(BUILD)/valgrind-snaps
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree,tri,tri-est:m=40,spanner --quiet \
	  --batch 10 --snapshot-dir $(BUILD)/valgrind-snaps --snapshot-every 20 --snapshot-wait datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree,tri,tri-est:m=40,spanner --quiet \
	  --snapshot-dir $(BUILD)/valgrind-snaps --resume datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream inspect $$(ls $(BUILD)/valgrind-snaps/snap-*.h5 | tail -n 1) > /dev/null
	rm -rf $(BUILD)/valgrind-snaps
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree,tri,tri-est:m=40,spanner,bipartite,cm,topk,hll --quiet \
	  --batch 10 --snapshot-dir $(BUILD)/valgrind-snaps --snapshot-every 20 datasets/zachary.txt > /dev/null
	rm -rf $(BUILD)/valgrind-snaps
	@echo "valgrind: no leaks, no memory errors"

# Peers and tools the benchmarks need beyond the build: GraphBLAS, GNU time.
bench-deps: deps
	@if [ -f /usr/include/GraphBLAS.h ] && [ -x /usr/bin/time ]; then :; else \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q libgraphblas-dev time; \
	fi

bench: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh bench/run.sh $(BUILD)
	@sh bench/tri.sh $(BUILD)
	@sh bench/tri_est.sh $(BUILD)
	@sh bench/snapshot.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/edgestream
	install -m 755 $(BUILD)/edgestream $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libedgestream.a $(DESTDIR)$(PREFIX)/lib/
	for h in $(HEADERS); do install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/edgestream/$$h; done

clean:
	rm -rf build build-asan build-mpi
