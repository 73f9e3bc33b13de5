/* bench_idmap.c — the vertex id map (graph/idmap.c) against GLib's
 * GHashTable doing the same job: external u64 ids -> dense u32 ids in order
 * of first appearance, plus the dense -> external array.
 *
 * Workloads (deterministic, seed 1; 20 Mi ids each, i.e. the ids of 10 Mi
 * edge lines, about the size of an R-MAT scale-20 edge list):
 *   rmat       R-MAT scale 20 (a, b, c, d = .57, .19, .19, .05) edge
 *              endpoints, ids as the generator writes them (0 .. 2^20-1):
 *              skewed, ~1 M possible ids, hot ones early.
 *   rmat-wide  the same stream with every id passed through a 64-bit
 *              bijection: the same skew over scattered 64-bit values.
 *   uniform    10 Mi distinct random 64-bit ids, each twice, shuffled: a
 *              table far larger than the caches and no locality at all.
 * Methods, each starting from an empty map (es_idmap_new(1 << 16, NULL), as the
 * driver does; GHashTable has no size hint) and including every rehash:
 *   map_ids    es_idmap_map_ids over batches of 2 Mi ids (prefetching)
 *   get_or_add es_idmap_get_or_add, one id at a time
 *   glib       GHashTable with the id packed into the key pointer (64-bit
 *              pointers), a hash that folds its two halves, pointer
 *              equality and dense+1 packed into the value: no allocation
 *              per id and no indirection, the fastest GLib usage found
 *   glib-int64 GHashTable with g_int64_hash / g_int64_equal on keys stored
 *              in the dense -> external array (the documented way)
 * Both GLib variants also fill the dense -> external array.  Every run's
 * dense ids are checked against a reference mapping made beforehand.
 *
 * Each timed run happens in a fresh child process (fork), as the CLI maps
 * ids once per process: fresh memory is expensive on these machines (see
 * DESIGN.md), and a warmed heap reused run after run would hide that cost
 * from GLib's malloc'd arrays but not from es_big_alloc's mmap'd ones.
 * Reported per method: best wall time (CLOCK_MONOTONIC) of --reps runs
 * interleaved round by round, million ids per wall second, best CPU time
 * (user + system: unaffected by time-sharing when the machine is busy),
 * and both as ratios to map_ids.  To give GLib huge pages as well, run
 * with GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
 *
 * --warm times the runs inside this process instead (later runs then reuse
 * heap pages that earlier ones faulted in: GLib's best case).
 *
 * Usage: bench_idmap [--reps N] [--ids N] [--warm]   (defaults: 3, 20971520)
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "graph/common.h"
#include "graph/idmap.h"

#define BATCH_IDS (2u << 20)

static uint64_t rng_state;

static uint64_t splitmix64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A 64-bit bijection unrelated to the id map's own hash (murmur3's
 * finalizer), to scatter the R-MAT ids. */
static uint64_t scatter(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}

static void gen_rmat(uint64_t *ids, size_t n, int scale)
{
    rng_state = 1;
    /* quadrant thresholds of a=.57, b=.19, c=.19, d=.05 on 32-bit draws */
    const uint32_t ta = (uint32_t)(0.57 * 4294967296.0), tb = (uint32_t)(0.76 * 4294967296.0),
                   tc = (uint32_t)(0.95 * 4294967296.0);
    for (size_t e = 0; e + 1 < n; e += 2) {
        uint64_t u = 0, v = 0;
        for (int b = 0; b < scale; b += 2) {
            uint64_t r = splitmix64();
            for (int half = 0; half < 2 && b + half < scale; half++) {
                uint32_t x = (uint32_t)(r >> (32 * half));
                u = u << 1 | (x >= tb);
                v = v << 1 | ((x >= ta && x < tb) || x >= tc);
            }
        }
        ids[e] = u;
        ids[e + 1] = v;
    }
}

static void gen_uniform(uint64_t *ids, size_t n)
{
    rng_state = 1;
    size_t distinct = n / 2;
    for (size_t i = 0; i < distinct; i++)
        ids[i] = ids[i + distinct] = splitmix64();
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = splitmix64() % (i + 1);
        uint64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
}

static double clock_s(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_loadavg(const char *when)
{
    char buf[128] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fgets(buf, sizeof buf, f))
        printf("load average %s: %s", when, buf);
    if (f)
        fclose(f);
}

static void die(GError *err)
{
    fprintf(stderr, "bench_idmap: %s\n", err->message);
    exit(1);
}

/* ---- the methods: each maps ids[0..n) into dense, from an empty map ---- */

static uint32_t run_map_ids(const uint64_t *ids, uint32_t *dense, size_t n)
{
    GError *err = NULL;
    es_idmap *m = es_idmap_new(1u << 16, NULL);
    for (size_t i = 0; i < n; i += BATCH_IDS) {
        size_t k = n - i < BATCH_IDS ? n - i : BATCH_IDS;
        if (!es_idmap_map_ids(m, ids + i, dense + i, k, &err))
            die(err);
    }
    uint32_t size = es_idmap_size(m);
    es_idmap_free(m);
    return size;
}

static uint32_t run_get_or_add(const uint64_t *ids, uint32_t *dense, size_t n)
{
    GError *err = NULL;
    es_idmap *m = es_idmap_new(1u << 16, NULL);
    for (size_t i = 0; i < n; i++)
        if (!es_idmap_get_or_add(m, ids[i], &dense[i], &err))
            die(err);
    uint32_t size = es_idmap_size(m);
    es_idmap_free(m);
    return size;
}

static guint fold_hash(gconstpointer p)
{
    uint64_t k = (uint64_t)(uintptr_t)p;
    return (guint)(k ^ (k >> 32));
}

static uint32_t run_glib(const uint64_t *ids, uint32_t *dense, size_t n)
{
    G_STATIC_ASSERT(sizeof(gpointer) == sizeof(uint64_t));
    GHashTable *h = g_hash_table_new(fold_hash, NULL);
    GArray *ext = g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), 1u << 16);
    for (size_t i = 0; i < n; i++) {
        gpointer key = (gpointer)(uintptr_t)ids[i];
        guint v = GPOINTER_TO_UINT(g_hash_table_lookup(h, key));
        if (v == 0) {
            v = ext->len + 1;
            g_hash_table_insert(h, key, GUINT_TO_POINTER(v));
            g_array_append_val(ext, ids[i]);
        }
        dense[i] = v - 1;
    }
    uint32_t size = ext->len;
    g_hash_table_destroy(h);
    g_array_free(ext, TRUE);
    return size;
}

static uint32_t run_glib_int64(const uint64_t *ids, uint32_t *dense, size_t n)
{
    GHashTable *h = g_hash_table_new(g_int64_hash, g_int64_equal);
    /* keys live here; sized for the worst case so they never move */
    uint64_t *ext = g_new(uint64_t, n);
    uint32_t size = 0;
    for (size_t i = 0; i < n; i++) {
        guint v = GPOINTER_TO_UINT(g_hash_table_lookup(h, &ids[i]));
        if (v == 0) {
            ext[size] = ids[i];
            v = ++size;
            g_hash_table_insert(h, &ext[size - 1], GUINT_TO_POINTER(v));
        }
        dense[i] = v - 1;
    }
    g_hash_table_destroy(h);
    g_free(ext);
    return size;
}

typedef uint32_t (*method_fn)(const uint64_t *, uint32_t *, size_t);

static const struct {
    const char *name;
    method_fn   fn;
} methods[] = {
    { "map_ids", run_map_ids },
    { "get_or_add", run_get_or_add },
    { "glib", run_glib },
    { "glib-int64", run_glib_int64 },
};
#define NMETHODS G_N_ELEMENTS(methods)

typedef struct {
    double wall, cpu;
} timing;

/* --warm: time the runs in this process instead, one after the other, so
 * later runs reuse heap pages faulted in by earlier ones (GLib's arrays
 * come from malloc, which keeps freed memory; es_big_alloc's mmap'd arrays
 * are fresh every time). */
static gboolean warm_heap;
static uint32_t *warm_out;

/* One timed run in a fresh child process, so that no method inherits a heap
 * warmed (pages already faulted in) by an earlier one: each starts as the
 * CLI's single run does.  The output array is touched before the clocks
 * start.  Wall time is CLOCK_MONOTONIC; CPU time (user + system, so page
 * faults count) is the child's, which time-sharing with other jobs on a
 * busy machine does not inflate.  The child also checks its dense ids. */
static timing timed_run(size_t k, const uint64_t *ids, size_t n, const uint32_t *ref, uint32_t distinct)
{
    if (warm_heap) {
        uint32_t *dense = warm_out;
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
        uint32_t size = methods[k].fn(ids, dense, n);
        timing t = { clock_s(CLOCK_MONOTONIC) - w0, clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0 };
        if (size != distinct || memcmp(ref, dense, n * sizeof *dense) != 0) {
            fprintf(stderr, "bench_idmap: %s disagreed with the reference\n", methods[k].name);
            exit(1);
        }
        return t;
    }
    int fd[2];
    if (pipe(fd) != 0) {
        perror("bench_idmap: pipe");
        exit(1);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_idmap: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fd[0]);
        uint32_t *dense = g_new(uint32_t, n);
        memset(dense, 0xFF, n * sizeof *dense);
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
        uint32_t size = methods[k].fn(ids, dense, n);
        timing t = { clock_s(CLOCK_MONOTONIC) - w0, clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0 };
        if (size != distinct || memcmp(ref, dense, n * sizeof *dense) != 0)
            t.wall = -1;
        ssize_t w = write(fd[1], &t, sizeof t);
        _exit(w == (ssize_t)sizeof t ? 0 : 1);
    }
    close(fd[1]);
    timing t = { -1, -1 };
    ssize_t got = read(fd[0], &t, sizeof t);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof t || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || t.wall < 0) {
        fprintf(stderr, "bench_idmap: %s failed or disagreed with the reference\n", methods[k].name);
        exit(1);
    }
    return t;
}

static void bench_workload(const char *name, const uint64_t *ids, size_t n, int reps)
{
    /* the reference answer, untimed */
    uint32_t *ref = g_new(uint32_t, n);
    uint32_t distinct = run_get_or_add(ids, ref, n);
    timing best[NMETHODS];
    for (size_t k = 0; k < NMETHODS; k++)
        best[k] = (timing){ 1e30, 1e30 };
    /* methods interleaved round by round, so drift of a shared machine hits
     * all alike */
    for (int r = 0; r < reps; r++)
        for (size_t k = 0; k < NMETHODS; k++) {
            timing t = timed_run(k, ids, n, ref, distinct);
            best[k].wall = MIN(best[k].wall, t.wall);
            best[k].cpu = MIN(best[k].cpu, t.cpu);
        }
    printf("\n%s: %zu ids, %" PRIu32 " distinct (all methods agree)\n", name, n, distinct);
    printf("  %-11s %8s %8s %9s %11s %11s\n", "method", "wall s", "Mids/s", "wall/ref", "CPU s", "CPU/ref");
    for (size_t k = 0; k < NMETHODS; k++)
        printf("  %-11s %8.3f %8.1f %8.2fx %11.3f %10.2fx\n", methods[k].name, best[k].wall,
               (double)n / best[k].wall / 1e6, best[k].wall / best[0].wall, best[k].cpu,
               best[k].cpu / best[0].cpu);
    g_free(ref);
}

int main(int argc, char **argv)
{
    int reps = 3;
    size_t n = 20u << 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--warm") == 0)
            warm_heap = TRUE;
        else if (strcmp(argv[i], "--ids") == 0 && i + 1 < argc)
            n = (size_t)strtoull(argv[++i], NULL, 10) & ~(size_t)1;
        else {
            fprintf(stderr, "usage: bench_idmap [--reps N] [--ids N] [--warm]\n");
            return 64;
        }
    }
    if (reps < 1 || n < 2) {
        fprintf(stderr, "bench_idmap: --reps and --ids must be positive\n");
        return 64;
    }
    printf("bench_idmap: %zu ids per workload, best of %d runs, each %s from an empty map;\n"
           "ref = map_ids; Mids/s = million ids mapped per wall second\n", n, reps,
           warm_heap ? "in this process (--warm: heap reused)" : "in a fresh process");
    print_loadavg("at start");
    uint64_t *ids = g_new(uint64_t, n);
    if (warm_heap) {
        warm_out = g_new(uint32_t, n);
        memset(warm_out, 0xFF, n * sizeof *warm_out);
    }
    gen_rmat(ids, n, 20);
    bench_workload("rmat (R-MAT scale 20, ids 0..2^20-1)", ids, n, reps);
    for (size_t i = 0; i < n; i++)
        ids[i] = scatter(ids[i]);
    bench_workload("rmat-wide (the same, ids scattered over 64 bits)", ids, n, reps);
    gen_uniform(ids, n);
    bench_workload("uniform (n/2 distinct random 64-bit ids, each twice, shuffled)", ids, n, reps);
    g_free(ids);
    g_free(warm_out);
    print_loadavg("at end");
    return 0;
}
