# edgestream — build, test, demo, bench.
#
#   make            build build/libedgestream.a, build/libedgestream.so and build/edgestream
#   make python     the Python module, build/python/edgestream*.so
#   make demo       install missing packages, build, run the main job on a shipped dataset
#   make test       install missing packages, build, run the CUnit suites and the CLI tests
#   make test-asan  the same under AddressSanitizer + UBSan (in build-asan/)
#   make bench      benchmarks against igraph and GraphBLAS (writes bench/RESULTS.md, bench/plots/)
#   make count-snapshot-lines   lines of snapshot code, file by file
#   make install PREFIX=/usr/local DESTDIR=   (make uninstall: the same files removed)
#   make DEBUG=1    -O0 -g
#   make MPI=1      build-mpi/edgestream: `run` across MPI ranks (mpi/, Open MPI, parallel HDF5)
#   make test-mpi   build that and run its tests under mpirun
#   make test-mpi-asan  the same with both binaries under AddressSanitizer + UBSan

# What the library needs (edgestream.pc's Requires: a static link needs them too); what the
# tool adds (the server's HTTP, the Redis source), and the tests' CUnit.
LIB_PKGS := igraph glib-2.0 gio-2.0 hdf5-serial zlib libisal
TOOL_PKGS:= libsoup-3.0 hiredis
PKGS     := $(LIB_PKGS) $(TOOL_PKGS) cunit
# hdf5-serial, not hdf5: installing the MPI build of HDF5 repoints hdf5.pc at it.
DEBS     := libigraph-dev libglib2.0-dev libhdf5-dev hdf5-tools libcunit1-dev zlib1g-dev libisal-dev \
            libsoup-3.0-dev libhiredis-dev redis-server pkg-config gcc make python3-h5py \
            python3-numpy python3-dev python3-pytest python3-networkx gnuplot-nox
# Debian's interpreter (its numpy, pytest, networkx), not one first on PATH.
PYTHON   ?= /usr/bin/python3
BUILD    ?= build
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
# Where the Python module goes: on Debian's sys.path for that prefix.
PYVER    := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYDIR    ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYVER)/dist-packages)
VERSION  := $(shell sed -n 's/^.define ES_VERSION "\(.*\)"/\1/p' graph/common.h)
SONAME   := libedgestream.so.0
SOFILE   := libedgestream.so.$(VERSION)
CC       ?= gcc

# MPI=1: the same sources plus mpi/, compiled with mpicc against the MPI
# build of HDF5, in their own folder; the default build never sees MPI.
MPI_DEBS := openmpi-bin libopenmpi-dev libhdf5-openmpi-dev
ifeq ($(MPI),1)
LIB_PKGS := $(subst hdf5-serial,hdf5-openmpi,$(LIB_PKGS))
PKGS     := $(subst hdf5-serial,hdf5-openmpi,$(PKGS))
DEBS     += $(MPI_DEBS)
BUILD    := build-mpi
CC       := mpicc
MPI_SRC  := $(filter-out mpi/chunks.c mpi/grouprun.c,$(wildcard mpi/*.c))
MPI_FLAGS := -DES_MPI
endif

ifeq ($(DEBUG),1)
OPT      := -O0 -g
else
OPT      := -O2 -g
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# -fPIC: one set of objects for the static and the shared library; hidden
# visibility: the shared library exports edgestream.h's calls alone (and
# calls inside it stay direct, as in the static one).
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp -fPIC -fvisibility=hidden -MMD -MP $(OPT) $(SAN) $(MPI_FLAGS) -I. $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -lpthread
LDFLAGS  += -fopenmp $(SAN)

# The server and the Redis source belong to the tool: the library (and so
# edgestream.pc, the Python module) does not depend on libsoup or hiredis.
SRV_SRC  := $(wildcard server/*.c) dataflow/redissource.c
SRV_OBJ  := $(SRV_SRC:%.c=$(BUILD)/%.o)
# mpi/chunks.c and mpi/grouprun.c use no MPI: `compare --snapshot` replays an MPI
# run's key groups, and `run --resume` continues its snapshots, with them.
LIB_SRC  := $(filter-out $(SRV_SRC),$(wildcard graph/*.c sketches/*.c operators/*.c dataflow/*.c snapshot/*.c api/*.c)) mpi/chunks.c mpi/grouprun.c $(MPI_SRC)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o) $(SRV_OBJ)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_LIB := $(BUILD)/tests/testutil.o
BENCH_SRC:= $(wildcard bench/*.c)
BENCH_BIN:= $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
PYMOD    := $(BUILD)/python/edgestream$(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)

# Keep the shared test object between runs (make would delete it as intermediate).
.SECONDARY: $(TEST_LIB)

.PHONY: deps-mpi test-mpi test-mpi-asan
.PHONY: all deps bench-deps demo python test test-unit test-cli test-api test-crash test-corrupt test-serve-kill test-asan test-python-san test-valgrind bench count-snapshot-lines install uninstall clean
.DEFAULT_GOAL := all

all: $(BUILD)/libedgestream.a $(BUILD)/$(SOFILE) $(BUILD)/edgestream $(BUILD)/edgestream-plot

# Install the Debian packages that pkg-config (or h5dump) cannot find. Needs root (or sudo).
deps:
	@if pkg-config --exists $(PKGS) 2>/dev/null && command -v h5dump >/dev/null && command -v redis-server >/dev/null && command -v $(CC) >/dev/null && command -v gnuplot >/dev/null && \
	    $(PYTHON) -c 'import sysconfig, os, numpy, pytest, networkx; assert os.path.exists(sysconfig.get_path("include") + "/Python.h")' 2>/dev/null; then :; else \
	  echo "edgestream: installing build dependencies: $(DEBS)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(DEBS); \
	fi

# Each object depends on the headers it includes (-MMD: the compiler lists
# them in a .d file beside it), and on this file, whose flags it was built with.
$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Built afresh so that the object of a removed or renamed source leaves it.
$(BUILD)/libedgestream.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/$(SOFILE): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(LIB_PKGS)) -lm -lpthread
	ln -sf $(SOFILE) $(BUILD)/$(SONAME)
	ln -sf $(SOFILE) $(BUILD)/libedgestream.so

# The Python module: python/edgestream.c over edgestream.h alone, with the
# static library linked in, so that it finds no shared one at run time.
python: $(PYMOD)

$(PYMOD): python/edgestream.c include/edgestream.h $(BUILD)/libedgestream.a
	@mkdir -p $(dir $@)
	$(CC) -shared -std=c11 -Wall -Wextra -Werror $(OPT) $(SAN) -fPIC -fvisibility=hidden -Iinclude \
	  $(shell $(PYTHON) -c 'import sysconfig, numpy; print("-I" + sysconfig.get_path("include"), "-I" + numpy.get_include())') \
	  -o $@ $< $(BUILD)/libedgestream.a $(LDFLAGS) $(shell pkg-config --libs $(LIB_PKGS)) -lm -lpthread

$(BUILD)/edgestream: $(TOOL_OBJ) $(BUILD)/libedgestream.a
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(BUILD)/libedgestream.a $(LDLIBS)

# `edgestream plot` runs the script beside the binary.
$(BUILD)/edgestream-plot: tools/edgestream-plot
	@mkdir -p $(dir $@)
	install -m 755 $< $@

$(BUILD)/tests/%: tests/%.c $(TEST_LIB) $(BUILD)/libedgestream.a tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIB) $(BUILD)/libedgestream.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libedgestream.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_OBJ) $(BUILD)/libedgestream.a $(LDLIBS) $(BENCH_LIBS)

# The server's network loop against epoll.
$(BUILD)/bench/net_loop: BENCH_OBJ = $(SRV_OBJ)
$(BUILD)/bench/net_loop: $(SRV_OBJ)

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
	@$(MAKE) --no-print-directory test-unit test-cli test-api

# The library as users meet it: installed into a temporary prefix, the
# examples compiled with pkg-config and run, the Python module's tests.
test-api: all python
	@sh tests/test_install.sh $(BUILD)

test-unit: all $(TEST_BIN)
	@sh tests/run-unit.sh $(BUILD)

test-cli: all
	@sh tests/test_cli.sh $(BUILD)/edgestream
	@sh tests/test_output.sh $(BUILD)/edgestream
	@sh tests/test_tools.sh $(BUILD)/edgestream
	@sh tests/test_snapshot.sh $(BUILD)/edgestream 20
	@sh tests/test_dynamic_snapshot.sh $(BUILD)/edgestream
	@sh tests/test_faults.sh $(BUILD)/edgestream
	@sh tests/test_readers.sh $(BUILD)/edgestream
	@sh tests/test_live.sh $(BUILD)/edgestream
	@sh tests/test_redis.sh $(BUILD)/edgestream
	@sh tests/test_readme.sh $(BUILD)/edgestream
	@sh tests/test_corrupt.sh $(BUILD)/edgestream 20
	@sh tests/test_serve.sh $(BUILD)/edgestream 20
	@sh tests/test_serve_bounds.sh $(BUILD)/edgestream

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
ASAN_OPT := -O1 -g -fno-omit-frame-pointer
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="$(ASAN_OPT)" SAN="$(ASAN_SAN)" test-unit test-cli test-python-san

# test-mpi's checks with the MPI build and the plain one under the sanitizers.
# Leak checking off: Open MPI's plugins, unloaded by MPI_Finalize, leave
# allocations LeakSanitizer cannot even name a frame of (the CLI's own leaks
# are test-valgrind's part, on the same sources without MPI).
test-mpi-asan: deps-mpi
	@$(MAKE) --no-print-directory MPI=1 BUILD=build-mpi-asan OPT="$(ASAN_OPT)" SAN="$(ASAN_SAN)" build-mpi-asan/edgestream
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="$(ASAN_OPT)" SAN="$(ASAN_SAN)" build-asan/edgestream
	@ASAN_OPTIONS=detect_leaks=0 sh tests/test_mpi.sh build-mpi-asan/edgestream build-asan/edgestream

# The Python module's tests with the sanitizer runtimes preloaded into the
# interpreter (leak checking off: CPython keeps its caches at exit; the
# module's leaks are test-valgrind's part).
test-python-san: all python
	@cd tests && LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=0 PYTHONPATH=$(CURDIR)/$(BUILD)/python ES_DATASETS=$(CURDIR)/datasets \
	  ES_BIN=$(CURDIR)/$(BUILD)/edgestream $(PYTHON) -m pytest -q -p no:cacheprovider test_python.py

# The CLI on a small run must not leak (definite or indirect) nor touch bad memory.
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
test-valgrind: all python
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree --quiet datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degree --quiet --batch 7 --report-every 20 --format json datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream gen rmat --scale 8 > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,tri,topk --quiet --report-every 39 --format json datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream compare --ops cc,tri,tri-est:m=40,topk,spanner --quiet --format json datasets/zachary.txt > /dev/null
	$(VALGRIND) $(BUILD)/edgestream run --ops cc,degre datasets/zachary.txt 2> /dev/null; test $$? = 64
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
	@sh tests/test_python_valgrind.sh $(BUILD)
	sh tests/valgrind_serve.sh $(BUILD)/edgestream
	@echo "valgrind: no leaks, no memory errors"

# Peers and tools the benchmarks need beyond the build: GraphBLAS, GNU time.
bench-deps: deps
	@if [ -f /usr/include/GraphBLAS.h ] && [ -x /usr/bin/time ]; then :; else \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q libgraphblas-dev time; \
	fi

# Lines of snapshot machinery (snapshot/, dataflow/checkpoint.[ch], the
# operators' snapshot sections), file by file: bench/snapshot_lines.sh.
count-snapshot-lines:
	@sh bench/snapshot_lines.sh

bench: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh bench/run.sh $(BUILD)
	@sh bench/tri.sh $(BUILD)
	@sh bench/tri_est.sh $(BUILD)
	@sh bench/snapshot.sh $(BUILD)
	@sh bench/suite.sh $(BUILD)
	@sh bench/accuracy.sh $(BUILD)

# The command, both libraries, the one public header, the pkg-config file
# and the Python module (edgestream.pc written for this PREFIX).  Into a
# system prefix, as root, ldconfig learns the new shared library.
INSTALLED := $(PREFIX)/bin/edgestream $(LIBDIR)/libedgestream.a $(LIBDIR)/$(SOFILE) $(LIBDIR)/$(SONAME) \
             $(LIBDIR)/libedgestream.so $(INCDIR)/edgestream.h $(LIBDIR)/pkgconfig/edgestream.pc \
             $(PYDIR)/$(notdir $(PYMOD)) $(PREFIX)/bin/edgestream-plot $(PREFIX)/share/man/man1/edgestream.1 \
             $(PREFIX)/share/bash-completion/completions/edgestream

install: all python
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(PYDIR)
	install -m 755 $(BUILD)/edgestream $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libedgestream.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(SOFILE) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libedgestream.so
	install -m 644 include/edgestream.h $(DESTDIR)$(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|; s|@REQUIRES@|$(LIB_PKGS)|' \
	  edgestream.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/edgestream.pc
	install -m 755 $(PYMOD) $(DESTDIR)$(PYDIR)/
	install -m 755 $(BUILD)/edgestream-plot $(DESTDIR)$(PREFIX)/bin/
	install -D -m 644 docs/edgestream.1 $(DESTDIR)$(PREFIX)/share/man/man1/edgestream.1
	install -D -m 644 tools/edgestream.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/edgestream
	@case "$(DESTDIR):$(PREFIX)" in :/usr|:/usr/local) [ "$$(id -u)" != 0 ] || ldconfig 2>/dev/null || :;; esac

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	rm -rf build build-asan build-mpi build-mpi-asan

# The header lists the compiler wrote (-MMD above).
-include $(wildcard $(BUILD)/*/*.d)
