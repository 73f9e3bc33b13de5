/* tri.c — the "tri" operator: exact triangle counts, global and per vertex,
 * maintained incrementally over the stream, with wedges, transitivity,
 * average local clustering and the vertices in most triangles.
 *
 * Algorithm: the edge iterator (Schank & Wagner, WEA 2005) run as edges
 * arrive: a new distinct edge (u, v) closes |N(u) ∩ N(v)| triangles,
 * credited to the global count and to u, v and each common neighbour.
 * Self-loops and repeated edges change nothing: which edges are new is
 * the run's edge table's answer (batch->change, graph/edgetable.h), so
 * the graph is kept as plain neighbour lists in arrival order, without a
 * hash index of its own.  A batch is counted in parallel, each triangle
 * once, by its youngest edge (see tri_process_batch).
 * Deletions: in a stream that may delete edges (op->dynamic, --deletions)
 * the graph is kept in graph/dynadj.c instead (sorted arrays, which can
 * forget) and the edge table's changes are applied one at a time: a
 * disappearing edge (u, v) removes |N(u) ∩ N(v)| triangles, globally and
 * from u, v and each common neighbour; O(deg u + deg v) per appearance or
 * disappearance.  A snapshot then holds the counts, and a restore folds
 * the restored table's present pairs in again (a run's cost over them)
 * and checks the counts against it.
 * Cost: O(min(deg u, deg v)) per new edge, over the stream at most
 * 2 m a(G), a the arboricity (Chiba & Nishizeki, SIAM J. Comput. 1985).
 * Memory: the plain adjacency (4 to 8 bytes per neighbour entry, two per
 * edge, see adjacency.h) beside the run's edge table (edgetable.h), whose
 * log of the distinct edges is what a snapshot stores of the graph; 16
 * bytes per vertex; 48 bytes per batch edge of scratch; per thread, a
 * bitmap of the vertices and, when used, 4 bytes per vertex.
 * Guarantees: exact, equal to igraph's adjacent_triangles, transitivity and
 * transitivity_avglocal (zero mode) on the simplified graph
 * (operators/verify.c), whatever the thread count or batch size.
 * Answers and the option top=K: README.md.  Snapshot: group
 * /operators/tri, laid out in README.md ("Snapshots"); a restore checks
 * every array and swaps the new state in only when all pass.
 *
 * Across MPI ranks (mpi/driver_mpi.h): in a run without snapshots,
 * partitioned (mpi/tri_mpi.h): vertices coloured by key group, each edge
 * sent to the ranks owning a triple of colours with its two, which find
 * each triangle once; rank 0 keeps no adjacency, only the counters, the
 * per-vertex triangles and the degrees, fed as partials (es_tri_op_add):
 * 16 bytes per edge copy, 16 per credited vertex, 12 per raised one.
 * With snapshots too: the ranks write the graph as /edges/keys
 * (mpi/snapshot_mpi.h); rank 0 writes the counts, and after a restore
 * the partials go on from the restored graph's degrees.
 */
#include "operators/tri.h"

#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "graph/dynadj.h"
#include "graph/edgeset.h"
#include "graph/scatter.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

/* A new edge that may close triangles: the older neighbours of v (the
 * first nv of its list) are intersected with those of x (the first nx);
 * v is the endpoint with the longer such prefix, the one probed. */
typedef struct {
    uint32_t        v, x, nv, nx;
    const uint32_t *nb;        /* x's list, filled once the batch is inserted */
} query;

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The counts and the copy of local (tri_fields, below); the graph is the
 * edge table's keys (/edges/keys), the external ids the id map's. */
typedef struct {
    uint64_t  nv, edges, triangles, wedges, top;
    uint64_t *local;
} tri_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator   base;
    es_adjacency *adj;
    es_dynadj    *dyn;         /* instead of adj in a stream with deletions (op->dynamic) */
    uint64_t      dyn_edges;   /* with dyn: the edges present */
    uint32_t     *common;      /* with dyn: scratch for common neighbours */
    size_t        common_cap;
    uint64_t     *local;       /* triangles per vertex, cap entries */
    uint64_t     *ext;         /* external id per vertex, cap entries */
    size_t        cap;
    tri_snap      f;           /* at the last snapshot barrier (f.local: a copy) */
    size_t        f_local_cap; /* bytes */
    uint32_t      nv;          /* vertices seen */
    uint64_t      triangles, wedges;
    uint32_t     *deg;         /* fed partials across MPI ranks (es_tri_op_add): the degrees, deg_cap entries */
    size_t        deg_cap;
    uint32_t      top_k;
    /* Batch scratch for batch_cap edges: positions (pos_u then pos_v),
     * queries, the radix sort's second buffer, group starts. */
    uint32_t     *pos;
    query        *query, *query_tmp;
    size_t       *group;
    size_t        batch_cap;
    /* Per thread (threads of them): a bitmap over the vertices, all zero
     * between groups; third-vertex counts of a batch, all zero between
     * batches. */
    int           threads;
    uint64_t    **bits;
    size_t       *bits_words;
    uint32_t    **delta;
    size_t       *delta_len;
} tri_op;

/* Vertices per block of the average-clustering sum. */
#define CLUSTER_BLOCK 65536u
/* Smaller batches are counted without forking threads: a fork-join
 * costs more than the work (the result is the same). */
#define PARALLEL_COUNT_MIN 64u
/* Bytes all threads' private per-vertex counts may take, and the largest
 * batch they serve (half their range). */
#define DELTA_BUDGET ((size_t)256 << 20)
#define DELTA_MAX_BATCH (UINT32_MAX / 2)
/* Radix digits of the sort by probed vertex. */
#define RADIX_BITS 11u
/* Smaller batches make and sort their queries on one thread. */
#define PARALLEL_SORT_MIN 65536u
/* Queries ahead whose lists (2x), records (4x) and credited counts (1x)
 * are prefetched. */
#define PREFETCH 8
/* Cache lines ahead prefetched while scanning a list. */
#define LIST_AHEAD 6
/* Lines of a list whose probes the vector scan gathers before it stores
 * their hits (scan_avx512); an enum, which `#pragma GCC unroll` accepts. */
enum { SCAN_BLOCK = 4 };

static es_operator *tri_create(es_options *opts, GError **error)
{
    uint64_t k;
    /* The getters record which options were used, hence the cast. */
    if (!es_options_get_u64(opts, "top", 10, 0, 1000, &k, error))
        return NULL;
    tri_op *t = g_new0(tri_op, 1);
    t->adj = es_adjacency_new_plain(0);
    t->top_k = (uint32_t)k;
    return &t->base;
}

static void free_scratch(tri_op *t)
{
    es_big_free(t->pos, 2 * t->batch_cap * sizeof(uint32_t));
    es_big_free(t->query, t->batch_cap * sizeof(query));
    es_big_free(t->query_tmp, t->batch_cap * sizeof(query));
    es_big_free(t->group, (t->batch_cap + 1) * sizeof(size_t));
}

static void tri_destroy(es_operator *op)
{
    tri_op *t = (tri_op *)op;
    es_adjacency_free(t->adj);
    es_dynadj_free(t->dyn);
    g_free(t->common);
    es_big_free(t->local, t->cap * sizeof(uint64_t));
    es_big_free(t->ext, t->cap * sizeof(uint64_t));
    es_big_free(t->f.local, t->f_local_cap);
    es_big_free(t->deg, t->deg_cap * sizeof(uint32_t));
    free_scratch(t);
    for (int i = 0; i < t->threads; i++) {
        es_big_free(t->bits[i], t->bits_words[i] * sizeof(uint64_t));
        es_big_free(t->delta[i], t->delta_len[i] * sizeof(uint32_t));
    }
    g_free(t->bits);
    g_free(t->bits_words);
    g_free(t->delta);
    g_free(t->delta_len);
    g_free(t);
}

static void grow(tri_op *t, const es_batch *batch)
{
    const uint32_t nv = batch->num_vertices;
    if (nv > t->cap) {
        size_t cap = es_grow_cap(t->cap, nv);
        t->local = es_big_realloc(t->local, t->cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        t->ext = es_big_realloc(t->ext, t->cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        t->cap = cap;
    }
    if (batch->n > t->batch_cap) {
        /* Scratch (never in a snapshot), remapped rather than freed and
         * allocated again: the first batches ramp up (dataflow/driver.c),
         * and a fresh page costs its zeroing at first touch. */
        const size_t old = t->batch_cap, cap = es_grow_cap(old, batch->n);
        t->pos = es_big_realloc(t->pos, 2 * old * sizeof(uint32_t), 2 * cap * sizeof(uint32_t));
        t->query = es_big_realloc(t->query, old * sizeof(query), cap * sizeof(query));
        t->query_tmp = es_big_realloc(t->query_tmp, old * sizeof(query), cap * sizeof(query));
        t->group = es_big_realloc(t->group, (old + 1) * sizeof(size_t), (cap + 1) * sizeof(size_t));
        t->batch_cap = cap;
    }
    const int threads = omp_get_max_threads();
    if (threads > t->threads) {
        t->bits = g_renew(uint64_t *, t->bits, threads);
        t->bits_words = g_renew(size_t, t->bits_words, threads);
        t->delta = g_renew(uint32_t *, t->delta, threads);
        t->delta_len = g_renew(size_t, t->delta_len, threads);
        for (int i = t->threads; i < threads; i++) {
            t->bits[i] = NULL;
            t->bits_words[i] = 0;
            t->delta[i] = NULL;
            t->delta_len[i] = 0;
        }
        t->threads = threads;
    }
    es_adjacency_grow(t->adj, nv);
    if (t->base.sliding && batch->ext != NULL) {
        /* A sliding window rebuilt on resume from its lines (window.h)
         * learns no external id of the vertices none of them names: any
         * line may name one again, so every line says its ids. */
        for (size_t i = 0; i < batch->n; i++) {
            if (batch->edges[i].u < t->nv)
                t->ext[batch->edges[i].u] = batch->ext[2 * i];
            if (batch->edges[i].v < t->nv)
                t->ext[batch->edges[i].v] = batch->ext[2 * i + 1];
        }
    }
    if (nv <= t->nv)
        return;
    /* Remember the external id of each new vertex: dense ids are handed out
     * in order of first appearance, so the new ones are those >= t->nv. */
    const uint32_t old = t->nv;
    for (uint32_t x = old; x < nv; x++)
        t->ext[x] = x;
    if (batch->ext != NULL) {
        for (size_t i = 0; i < batch->n; i++) {
            /* (a deletion adds no vertex: one naming an unknown id comes as
             * a known vertex's self-loop, its external ids another's) */
            if (batch->del != NULL && batch->del[i] == ES_LINE_DELETE)
                continue;
            if (batch->edges[i].u >= old)
                t->ext[batch->edges[i].u] = batch->ext[2 * i];
            if (batch->edges[i].v >= old)
                t->ext[batch->edges[i].v] = batch->ext[2 * i + 1];
        }
    }
    t->nv = nv;
}

/* Stable LSD radix sort of q[0 .. n-1] by v, whose values are below
 * 2^bits; tmp is scratch of n entries.  Returns the buffer holding the
 * result (q or tmp).  Each pass counts and scatters slices in parallel
 * (graph/scatter.h: slices in order within a digit, so stable). */
static query *sort_by_probed(query *q, query *tmp, size_t n, unsigned bits)
{
    const size_t B = (size_t)1 << RADIX_BITS;
    const uint32_t mask = (1u << RADIX_BITS) - 1;
    const int T = n >= PARALLEL_SORT_MIN ? omp_get_max_threads() : 1;
    size_t *grid = g_new(size_t, (size_t)T * B), *start = g_new(size_t, B + 1);
    for (unsigned shift = 0; shift < bits; shift += RADIX_BITS) {
        const query *from = q;
        query *to = tmp;
        #pragma omp parallel num_threads(T) if (T > 1)
        {
            const int nt = omp_get_num_threads(), th = omp_get_thread_num();
            const size_t lo = n * (size_t)th / (size_t)nt, hi = n * (size_t)(th + 1) / (size_t)nt;
            size_t *count = grid + (size_t)th * B;
            memset(count, 0, B * sizeof(size_t));
            for (size_t j = lo; j < hi; j++)
                count[(from[j].v >> shift) & mask]++;
            #pragma omp barrier
            #pragma omp single
            es_scatter_offsets(grid, nt, B, start);
            for (size_t j = lo; j < hi; j++)
                to[count[(from[j].v >> shift) & mask]++] = from[j];
        }
        query *x = q; q = tmp; tmp = x;
    }
    g_free(grid);
    g_free(start);
    return q;
}

/* A thread's scratch for counting: the bitmap over vertices (all zero
 * between groups), the hit buffer, and, when the batch uses them, private
 * per-vertex counts of third-vertex hits (flushed into local after the
 * batch), which spare one contended atomic add per triangle. */
typedef struct {
    uint64_t *bits;
    uint32_t *buf;
    size_t    bufcap;
    uint32_t *delta;       /* NULL: adds to local, atomic unless alone */
    uint64_t *local;
    gboolean  alone;       /* the only thread counting: plain adds (a lock
                            * prefix costs about 1 s of the count on R-MAT 20) */
} counter;

static inline uint32_t *hit_buffer(counter *k, size_t need)
{
    if (need > k->bufcap) {
        k->bufcap = es_grow_cap(k->bufcap, need);
        g_free(k->buf);
        k->buf = g_new(uint32_t, k->bufcap);
    }
    return k->buf;
}

/* Each of the c vertices in w is the third vertex of one more triangle. */
static inline void credit_thirds(counter *k, const uint32_t *w, size_t c)
{
    if (k->delta != NULL) {
        uint32_t *d = k->delta;
        for (size_t j = 0; j < c; j++)
            d[w[j]]++;
    } else if (k->alone) {
        uint64_t *local = k->local;
        for (size_t j = 0; j < c; j++)
            local[w[j]]++;
    } else {
        uint64_t *local = k->local;
        for (size_t j = 0; j < c; j++) {
            #pragma omp atomic update
            local[w[j]]++;
        }
    }
}

/* Vertex x is in c more triangles.  Private counts take endpoint credits
 * only up to half their range, so the third-vertex credits of a batch (at
 * most one per edge, fewer than DELTA_MAX_BATCH) cannot overflow them. */
static inline void credit(counter *k, uint32_t x, uint64_t c)
{
    if (k->delta != NULL && c <= (uint64_t)DELTA_MAX_BATCH - k->delta[x]) {
        k->delta[x] += (uint32_t)c;
    } else if (k->alone) {
        k->local[x] += c;
    } else {
        #pragma omp atomic update
        k->local[x] += c;
    }
}

/* Fetch the first lines of the lists of the queries ahead (their records
 * were read beforehand, in a loop of independent loads). */
static inline void prefetch_query(const query *q, size_t j, size_t nq)
{
    if (j + 2 * PREFETCH < nq) {
        const query *p = &q[j + 2 * PREFETCH];
        const uint32_t lines = p->nx < 64 ? (p->nx + 15) / 16 : 4;
        for (uint32_t l = 0; l < lines; l++)
            es_prefetch(p->nb + 16 * l);
    }
}

/* Fetch the count that the query PREFETCH ahead credits its endpoint in
 * (credit()): a random line per query, which stalled the count loop. */
static inline void prefetch_credit(const counter *k, const query *q, size_t j, size_t nq)
{
    if (j + PREFETCH < nq) {
        const uint32_t x = q[j + PREFETCH].x;
        es_prefetch(k->delta != NULL ? (const void *)&k->delta[x] : (const void *)&k->local[x]);
    }
}

/* Lists are scattered and mostly 0.5-16 KiB: scans prefetch ahead within
 * the list, a line (16 entries) at a time.  Each scan copies nbx[0 ..
 * nx-1]'s entries marked in bits to buf (room for nx + 16) and returns how
 * many; probes are bit tests, and hits are compacted without a branch
 * (about one probe in ten hits, too often and too randomly to predict). */
static size_t scan_plain(const uint32_t *nbx, uint32_t nx, const uint64_t *bits, uint32_t *buf)
{
    size_t c = 0;
    uint32_t t = 0;
    for (; t + 16 <= nx; t += 16) {
        __builtin_prefetch(nbx + t + 16 * LIST_AHEAD);
        for (uint32_t r = t; r < t + 16; r++) {
            const uint32_t w = nbx[r];
            buf[c] = w;
            c += bits[w >> 6] >> (w & 63) & 1;
        }
    }
    for (; t < nx; t++) {
        const uint32_t w = nbx[t];
        buf[c] = w;
        c += bits[w >> 6] >> (w & 63) & 1;
    }
    return c;
}

/* The same, 16 entries an instruction (AVX-512F): the bitmap read as
 * 32-bit words (bit w of the 64-bit words is bit w & 31 of 32-bit word
 * w >> 5 on a little-endian machine), gathered, shifted and tested, and the
 * hits compressed into buf.  The bitmap (a bit per vertex) is too large for
 * the first-level cache on big graphs, so sixteen probes in flight at once
 * is most of the gain: 0.89x the CPU of `--ops tri` on R-MAT 20
 * (bench/RESULTS.md, "All nine operators: topk's sparse index and tri's
 * sixteen-entry scan").  SCAN_BLOCK lines are gathered before any of their
 * hits is stored (each store's place depends on the hits before it), which
 * lets their gathers overlap: about 0.9x the scan's samples (bench/RESULTS.md,
 * "All nine operators: prefetches the compiler had dropped"). */
__attribute__((target("avx512f,popcnt")))
static size_t scan_avx512(const uint32_t *nbx, uint32_t nx, const uint64_t *bits, uint32_t *buf)
{
    const int *words = (const int *)(const void *)bits;
    const __m512i low5 = _mm512_set1_epi32(31), one = _mm512_set1_epi32(1);
    size_t c = 0;
    uint32_t t = 0;
    for (; t + 16 * SCAN_BLOCK <= nx; t += 16 * SCAN_BLOCK) {
        __m512i w[SCAN_BLOCK];
        __mmask16 hit[SCAN_BLOCK];
        #pragma GCC unroll SCAN_BLOCK
        for (int b = 0; b < SCAN_BLOCK; b++) {
            __builtin_prefetch(nbx + t + 16 * (LIST_AHEAD + b));
            w[b] = _mm512_loadu_si512((const void *)(nbx + t + 16 * b));
            const __m512i word = _mm512_i32gather_epi32(_mm512_srli_epi32(w[b], 5), words, 4);
            hit[b] = _mm512_test_epi32_mask(_mm512_srlv_epi32(word, _mm512_and_si512(w[b], low5)), one);
        }
        #pragma GCC unroll SCAN_BLOCK
        for (int b = 0; b < SCAN_BLOCK; b++) {
            _mm512_storeu_si512((void *)(buf + c), _mm512_maskz_compress_epi32(hit[b], w[b]));
            c += (size_t)__builtin_popcount(hit[b]);
        }
    }
    for (; t + 16 <= nx; t += 16) {
        __builtin_prefetch(nbx + t + 16 * LIST_AHEAD);
        const __m512i w = _mm512_loadu_si512((const void *)(nbx + t));
        const __m512i word = _mm512_i32gather_epi32(_mm512_srli_epi32(w, 5), words, 4);
        const __m512i bit = _mm512_srlv_epi32(word, _mm512_and_si512(w, low5));
        const __mmask16 hit = _mm512_test_epi32_mask(bit, one);
        _mm512_storeu_si512((void *)(buf + c), _mm512_maskz_compress_epi32(hit, w));
        c += (size_t)__builtin_popcount(hit);
    }
    if (t < nx) {
        const __mmask16 live = (__mmask16)((1u << (nx - t)) - 1);
        const __m512i w = _mm512_maskz_loadu_epi32(live, nbx + t);
        const __m512i word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, _mm512_srli_epi32(w, 5),
                                                         words, 4);
        const __m512i bit = _mm512_srlv_epi32(word, _mm512_and_si512(w, low5));
        const __mmask16 hit = _mm512_mask_test_epi32_mask(live, bit, one);
        _mm512_storeu_si512((void *)(buf + c), _mm512_maskz_compress_epi32(hit, w));
        c += (size_t)__builtin_popcount(hit);
    }
    return c;
}

typedef size_t (*scan_fn)(const uint32_t *, uint32_t, const uint64_t *, uint32_t *);

/* Set by es_tri_set_vector(FALSE) only. */
static gboolean plain_only;

void es_tri_set_vector(gboolean on)
{
    plain_only = !on;
}

static scan_fn choose_scan(void)
{
    return !plain_only && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt") ? scan_avx512
                                                                                                : scan_plain;
}

/* The triangles closed by the queries q[s .. end-1] (of nq), which all
 * probe the same vertex v: v's older neighbours are marked in the
 * thread's bitmap one prefix at a time (queries come in stream order, so
 * v's prefixes grow from one to the next), and each query's list is
 * scanned against it.  Marking costs the longest prefix, which the scans
 * outweigh but for a few groups: on R-MAT scale 20 the groups whose scans
 * are below an eighth of their prefix mark 2.5 M entries in all, against
 * the 1.40 G entries the count scans (bench/RESULTS.md).  Hits go to the
 * local counts; returns the triangles. */
static uint64_t count_group(const es_adjacency *adj, const query *q, size_t s, size_t end,
                            size_t nq, counter *k, scan_fn scan)
{
    const es_adjacency_vertex *V = es_adjacency_records(adj);
    const uint32_t v = q[s].v;
    uint64_t tri = 0;
    uint64_t *bits = k->bits;
    const uint32_t *nbv = V[v].nb;
    uint32_t marked = 0;
    for (size_t j = s; j < end; j++) {
        prefetch_query(q, j, nq);
        prefetch_credit(k, q, j, nq);
        const uint32_t x = q[j].x, nx = q[j].nx;
        for (; marked < q[j].nv; marked++)
            bits[nbv[marked] >> 6] |= (uint64_t)1 << (nbv[marked] & 63);
        uint32_t *buf = hit_buffer(k, (size_t)nx + 16);
        const size_t c = scan(q[j].nb, nx, bits, buf);
        if (c) {
            credit_thirds(k, buf, c);
            credit(k, x, c);
            tri += c;
        }
    }
    for (uint32_t t = 0; t < marked; t++)
        bits[nbv[t] >> 6] = 0;
    if (tri)
        credit(k, v, tri);
    return tri;
}

/* A batch, in parallel (OpenMP):
 *  1. append its new edges (the edge table's ES_EDGE_APPEARS) in stream
 *     order (graph/adjacency's parallel batch append, no lookups).
 *     Neighbour lists are in stream order, so each new edge's
 *     positions in its endpoints' lists are its age there: (u, w) is older
 *     than (u, v) iff w comes before v in u's list.
 *  2. make one query per new edge: intersect the older-prefixes of N(u) and
 *     N(v) (the wedges u-w-v whose two edges are both older than the edge).
 *     Each triangle is then counted once, by its youngest edge, exactly as
 *     a sequential pass would count it, whatever the batch boundaries.
 *     Queries are made, then grouped by the endpoint with the longer prefix
 *     (a stable radix sort), the one probed, both in parallel slices, so a
 *     hub's set is visited once per batch from cache rather than once per
 *     edge from memory.
 *  3. count the groups in parallel.  A group probing vertex v marks v's
 *     older neighbours in a per-thread bitmap over the vertices, growing
 *     the marked prefix query by query, so a probe is a bit test
 *     (count_group).  Neighbour lists of the queries ahead, and the counts
 *     they credit, are prefetched.
 *     Third-vertex credits go to per-thread 32-bit counts flushed after the
 *     batch (when the batch is large against the vertex count and they fit
 *     256 MiB), else to atomic adds (plain ones on one thread).
 * Every answer is a sum of integers, so it does not depend on the thread
 * count; the average clustering is summed over fixed blocks of vertices in
 * a fixed order, so even its rounding does not. */
/* A stream with deletions, one change at a time in stream order: an
 * appearing edge (u, v) closes |N(u) ∩ N(v)| triangles, a disappearing one
 * opens as many (counted once it is gone), for the global count, u, v and
 * each common neighbour; wedges change by deg u + deg v (the degrees
 * without the edge).  O(deg u + deg v) per change (dynadj.h).  Here one
 * change in dyn (appear: {u, v} appears, else it disappears), credited to
 * *triangles, *wedges and local[]; common, common_cap: scratch. */
static void fold_change(es_dynadj *dyn, uint64_t *local, uint64_t *triangles, uint64_t *wedges, uint32_t **common,
                        size_t *common_cap, uint32_t u, uint32_t v, gboolean appear)
{
    if (!appear)
        es_dynadj_remove(dyn, u, v);
    const size_t room = MIN(es_dynadj_degree(dyn, u), es_dynadj_degree(dyn, v));
    if (room > *common_cap) {
        *common_cap = es_grow_cap(*common_cap, room);
        *common = g_renew(uint32_t, *common, *common_cap);
    }
    const size_t k = es_dynadj_common(dyn, u, v, *common);
    const uint64_t w = (uint64_t)es_dynadj_degree(dyn, u) + es_dynadj_degree(dyn, v);
    const uint64_t sign = appear ? 1 : UINT64_MAX;   /* (+1 or -1, modulo 2^64) */
    if (appear)
        es_dynadj_insert(dyn, u, v);
    *triangles += sign * k;
    *wedges += sign * w;
    local[u] += sign * k;
    local[v] += sign * k;
    for (size_t j = 0; j < k; j++)
        local[(*common)[j]] += sign;
}

static void process_dynamic(tri_op *t, const es_batch *batch)
{
    if (t->dyn == NULL)
        t->dyn = es_dynadj_new();
    es_dynadj_grow(t->dyn, t->nv);
    g_assert(batch->n == 0 || batch->change != NULL);
    const es_edge *e = batch->edges;
    for (size_t i = 0; i < batch->n; i++) {
        const uint8_t c = batch->change[i];
        if (c != ES_EDGE_APPEARS && c != ES_EDGE_DISAPPEARS)
            continue;
        fold_change(t->dyn, t->local, &t->triangles, &t->wedges, &t->common, &t->common_cap, e[i].u, e[i].v,
                    c == ES_EDGE_APPEARS);
        t->dyn_edges += c == ES_EDGE_APPEARS ? 1 : (uint64_t)-1;
    }
}

static gboolean tri_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    tri_op *t = (tri_op *)op;
    const es_edge *e = batch->edges;
    const size_t n = batch->n;
    const uint32_t nv = batch->num_vertices > t->nv ? batch->num_vertices : t->nv;

    es_batch_assert_ids(batch, nv, "tri");
    if (n == 0)
        return TRUE;
    grow(t, batch);
    if (op->dynamic) {
        process_dynamic(t, batch);
        return TRUE;
    }

    /* 1. Append the batch's new edges (the edge table's answers): each
     * learns its positions (ages). */
    g_assert(batch->change != NULL);
    uint32_t *pos_u = t->pos, *pos_v = t->pos + t->batch_cap;
    es_adjacency_append_batch(t->adj, e, batch->change, n, pos_u, pos_v);

    /* 2. One query per new edge that may close a triangle, grouped by the
     * probed vertex (stable, so each group stays in stream order): a
     * vertex's neighbour set is then visited once per batch, from cache. */
    query *q = t->query;
    uint64_t wedges = 0;
    /* In parallel slices of the batch: each counts its queries, then
     * writes them after those of the slices before (stream order). */
    const int QT = n >= PARALLEL_SORT_MIN ? omp_get_max_threads() : 1;
    size_t *qoff = g_new0(size_t, (size_t)QT + 1);
    int qthreads = 1;
    #pragma omp parallel num_threads(QT) reduction(+ : wedges) if (QT > 1)
    {
        const int nt = omp_get_num_threads(), th = omp_get_thread_num();
        const size_t lo = n * (size_t)th / (size_t)nt, hi = n * (size_t)(th + 1) / (size_t)nt;
        size_t c = 0;
        for (size_t i = lo; i < hi; i++) {
            const uint32_t pu = pos_u[i], pv = pos_v[i];
            if (pu == ES_ADJACENCY_NONE)
                continue;
            wedges += (uint64_t)pu + pv;
            c += pu != 0 && pv != 0;
        }
        qoff[th + 1] = c;
        #pragma omp barrier
        #pragma omp single
        {
            qthreads = nt;
            for (int r = 0; r < nt; r++)
                qoff[r + 1] += qoff[r];
        }
        size_t at = qoff[th];
        for (size_t i = lo; i < hi; i++) {
            const uint32_t pu = pos_u[i], pv = pos_v[i];
            if (pu == ES_ADJACENCY_NONE || pu == 0 || pv == 0)
                continue;
            q[at++] = pu >= pv ? (query){ e[i].u, e[i].v, pu, pv, NULL } : (query){ e[i].v, e[i].u, pv, pu, NULL };
        }
    }
    const size_t nq = qoff[qthreads];
    g_free(qoff);
    t->wedges += wedges;
    if (nq == 0)
        return TRUE;
    const unsigned vbits = nv > 1 ? 32u - (unsigned)__builtin_clz(nv - 1) : 1u;
    q = sort_by_probed(q, t->query_tmp, nq, vbits);
    size_t *group = t->group, ng = 0;
    for (size_t j = 0; j < nq; j++)
        if (j == 0 || q[j].v != q[j - 1].v)
            group[ng++] = j;
    group[ng] = nq;

    /* 3. Count, groups in parallel, with private per-vertex counts when the
     * batch is large enough to pay for their flush and they fit the budget
     * (see credit() for why they cannot overflow). */
    const es_adjacency *adj = t->adj;
    const size_t words = ((size_t)nv + 63) / 64;
    const int T = omp_get_max_threads();
    const gboolean use_delta = T > 1 && n >= nv / 4 && n < DELTA_MAX_BATCH &&
                               (size_t)T * nv * sizeof(uint32_t) <= DELTA_BUDGET;
    uint64_t tri = 0;
    const scan_fn scan = choose_scan();
    #pragma omp parallel reduction(+ : tri) if (nq >= PARALLEL_COUNT_MIN)
    {
        const int tid = omp_get_thread_num();
        if (t->bits_words[tid] < words) {
            size_t w = es_grow_cap(t->bits_words[tid], words);
            es_big_free(t->bits[tid], t->bits_words[tid] * sizeof(uint64_t));
            t->bits[tid] = es_big_alloc(w * sizeof(uint64_t));
            t->bits_words[tid] = w;
        }
        if (use_delta && t->delta_len[tid] < nv) {
            size_t len = es_grow_cap(t->delta_len[tid], nv);
            es_big_free(t->delta[tid], t->delta_len[tid] * sizeof(uint32_t));
            t->delta[tid] = es_big_alloc(len * sizeof(uint32_t));
            t->delta_len[tid] = len;
        }
        /* The scanned lists' addresses: one random record read per query,
         * independent of each other, so many are in flight at once. */
        const es_adjacency_vertex *V = es_adjacency_records(adj);
        #pragma omp for schedule(static)
        for (size_t j = 0; j < nq; j++) {
            if (j + 4 * PREFETCH < nq)
                __builtin_prefetch(&V[q[j + 4 * PREFETCH].x]);
            q[j].nb = V[q[j].x].nb;
        }
        counter k = { .bits = t->bits[tid], .delta = use_delta ? t->delta[tid] : NULL, .local = t->local,
                      .alone = omp_get_num_threads() == 1 };
        #pragma omp for schedule(dynamic, 16)
        for (size_t g = 0; g < ng; g++)
            tri += count_group(adj, q, group[g], group[g + 1], nq, &k, scan);
        g_free(k.buf);
        if (use_delta) {
            /* Flush: each thread sums a slice of the vertices over all threads. */
            const int nt = omp_get_num_threads();
            #pragma omp for schedule(static)
            for (uint32_t x = 0; x < nv; x++) {
                uint64_t sum = 0;
                for (int r = 0; r < nt; r++) {
                    sum += t->delta[r][x];
                    t->delta[r][x] = 0;
                }
                t->local[x] += sum;
            }
        }
    }
    t->triangles += tri;
    return TRUE;
}

typedef struct {
    uint64_t count, id;
} top_entry;

/* a ranks before b: more triangles, then the smaller id. */
static inline int ranks_before(const top_entry *a, const top_entry *b)
{
    return a->count > b->count || (a->count == b->count && a->id < b->id);
}

static int top_cmp(const void *pa, const void *pb)
{
    const top_entry *a = pa, *b = pb;
    return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* Min-heap on rank: the root is the entry that ranks last. */
static void heap_sift_down(top_entry *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && ranks_before(&h[m], &h[l]))
            m = l;
        if (r < n && ranks_before(&h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        top_entry x = h[i]; h[i] = h[m]; h[m] = x;
        i = m;
    }
}

static void heap_sift_up(top_entry *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ranks_before(&h[p], &h[i]))
            return;
        top_entry x = h[i]; h[i] = h[p]; h[p] = x;
        i = p;
    }
}

static char *top_string(const tri_op *t)
{
    const size_t k = t->top_k;
    top_entry *h = g_new(top_entry, k ? k : 1);
    size_t n = 0;
    for (uint32_t v = 0; v < t->nv && k > 0; v++) {
        top_entry x = { t->local[v], t->ext[v] };
        if (x.count == 0)
            continue;
        if (n < k) {
            h[n] = x;
            heap_sift_up(h, n++);
        } else if (ranks_before(&x, &h[0])) {
            h[0] = x;
            heap_sift_down(h, n, 0);
        }
    }
    qsort(h, n, sizeof *h, top_cmp);
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(s, "%s%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                               i ? "," : "", (guint64)h[i].id, (guint64)h[i].count);
    g_free(h);
    return g_string_free(s, FALSE);
}

/* Over the vertices, save those no line of a sliding window names
 * (es_operator.absent: isolated, of coefficient 0).  Each coefficient is
 * added in fixed point (truncated to a multiple of 2^-63, an integer sum):
 * the sum, hence the answer bit for bit, does not depend on the order of
 * the dense ids, which follows the stream's in one process and the
 * partials' across MPI ranks. */
__extension__ typedef unsigned __int128 fixed_sum;
static double avg_clustering(const tri_op *t)
{
    const uint32_t nv = t->nv;
    if (nv <= t->base.absent)
        return 0.0;
    const size_t blocks = (nv + (size_t)CLUSTER_BLOCK - 1) / CLUSTER_BLOCK;
    fixed_sum *part = g_new0(fixed_sum, blocks);
    #pragma omp parallel for schedule(dynamic, 1) if (blocks > 1)
    for (size_t b = 0; b < blocks; b++) {
        const uint32_t lo = (uint32_t)(b * CLUSTER_BLOCK);
        const uint32_t hi = nv - lo < CLUSTER_BLOCK ? nv : lo + CLUSTER_BLOCK;
        fixed_sum sum = 0;
        for (uint32_t v = lo; v < hi; v++) {
            const double d = t->deg ? t->deg[v] : t->dyn ? es_dynadj_degree(t->dyn, v) : es_adjacency_degree(t->adj, v);
            if (d >= 2)
                sum += (uint64_t)ldexp((double)t->local[v] / (d * (d - 1) / 2), 63);
        }
        part[b] = sum;
    }
    fixed_sum sum = 0;
    for (size_t b = 0; b < blocks; b++)
        sum += part[b];
    g_free(part);
    return ldexp((double)sum, -63) / (nv - t->base.absent);
}

static void tri_report(es_operator *op, es_report *report)
{
    tri_op *t = (tri_op *)op;
    es_report_add_u64(report, "triangles", t->triangles);
    es_report_add_u64(report, "wedges", t->wedges);
    es_report_add_double(report, "transitivity",
                         t->wedges ? 3.0 * (double)t->triangles / (double)t->wedges : 0.0);
    es_report_add_double(report, "avg_clustering", avg_clustering(t));
    char *top = top_string(t);
    es_report_add_list(report, "top", top);
    g_free(top);
}

uint64_t es_tri_local(es_operator *op, uint32_t v)
{
    tri_op *t = (tri_op *)op;
    g_return_val_if_fail(op->klass == &es_tri_class, 0);
    return v < t->nv ? t->local[v] : 0;
}

uint64_t es_tri_triangles(es_operator *op)
{
    g_return_val_if_fail(op->klass == &es_tri_class, 0);
    return ((tri_op *)op)->triangles;
}

void es_tri_op_add(es_operator *op, const uint64_t *externals, uint32_t num_vertices, const uint32_t *dv,
                   const uint32_t *dinc, size_t dn, const uint32_t *tv, const uint64_t *tinc, size_t tn,
                   uint64_t triangles)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_class);
    tri_op *t = (tri_op *)op;
    if (num_vertices > t->cap) {
        size_t cap = es_grow_cap(t->cap, num_vertices);
        t->local = es_big_realloc(t->local, t->cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        t->ext = es_big_realloc(t->ext, t->cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        t->cap = cap;
    }
    const gboolean first = t->deg == NULL;
    if (num_vertices > t->deg_cap || first) {
        size_t cap = es_grow_cap(t->deg_cap, num_vertices);
        t->deg = es_big_realloc(t->deg, t->deg_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        t->deg_cap = cap;
    }
    /* After a restore the partials go on from the restored graph's degrees. */
    for (uint32_t v = 0; first && v < es_adjacency_vertices(t->adj); v++)
        t->deg[v] = (uint32_t)es_adjacency_degree(t->adj, v);
    for (uint32_t x = t->nv; x < num_vertices; x++)
        t->ext[x] = externals[x];
    if (num_vertices > t->nv)
        t->nv = num_vertices;
    /* A vertex of degree d raised by i gains i d + i (i - 1) / 2 wedges. */
    for (size_t i = 0; i < dn; i++) {
        g_assert(dv[i] < t->nv);
        t->wedges += (uint64_t)dinc[i] * t->deg[dv[i]] + (uint64_t)dinc[i] * (dinc[i] - 1) / 2;
        t->deg[dv[i]] += dinc[i];
    }
    for (size_t i = 0; i < tn; i++) {
        g_assert(tv[i] < t->nv);
        t->local[tv[i]] += tinc[i];
    }
    t->triangles += triangles;
}

const es_adjacency *es_tri_graph(es_operator *op)
{
    g_return_val_if_fail(op->klass == &es_tri_class, NULL);
    return ((tri_op *)op)->adj;
}

/* ---- snapshot ------------------------------------------------------------ */


static void tri_snapshot_prepare(es_operator *op)
{
    tri_op *t = (tri_op *)op;
    es_shadow_copy((void **)&t->f.local, &t->f_local_cap, t->local, (size_t)t->nv * sizeof(uint64_t));
    t->f = (tri_snap){ t->nv, t->dyn ? t->dyn_edges : es_adjacency_edges(t->adj), t->triangles, t->wedges,
                       t->top_k, t->f.local };
    if (t->deg) {
        /* Fed partials across MPI ranks: the graph is the ranks', which
         * write /edges/keys themselves (mpi/snapshot_mpi.h). */
        uint64_t ends = 0;
        for (uint32_t v = 0; v < t->nv; v++)
            ends += t->deg[v];
        t->f.edges = ends / 2;
        return;
    }
    g_assert(es_adjacency_vertices(t->adj) == t->nv);
    /* Its graph is the edge table's log (/edges/keys).
     * (in a sliding window the graph is the window's lines, rebuilt from
     * them on resume: dataflow/window.h; the table's log lists more) */
    g_assert(op->frozen_edges == t->f.edges || op->sliding || (op->edges && es_edgetable_dynamic(op->edges)));
}

static const es_field tri_fields[] = {
    ES_ATTR(tri_snap, nv, "vertices", .max = UINT32_MAX),
    ES_ATTR(tri_snap, edges, "edges"),
    ES_ATTR(tri_snap, triangles, "triangles"),
    ES_ATTR(tri_snap, wedges, "wedges"),
    ES_ATTR(tri_snap, top, "top"),
    ES_ARRAY(ES_FIELD_U64S, tri_snap, local, nv, "local"),
};

/* The graph of E checked edge keys (u << 32 | v, u < v < n, no repeat,
 * in arrival order: the restored table's log): each list in arrival
 * order, as the run that wrote them appended it. */
static es_adjacency *graph_from_keys(const uint64_t *keys, size_t E, uint32_t n)
{
    enum { PIECE = 1 << 16 };
    es_adjacency *adj = es_adjacency_new_plain(n);
    es_adjacency_grow(adj, n);
    es_edge *piece = g_new(es_edge, MIN(E, (size_t)PIECE) + 1);
    for (size_t at = 0; at < E; at += PIECE) {
        const size_t m = MIN(E - at, (size_t)PIECE);
        for (size_t i = 0; i < m; i++)
            piece[i] = (es_edge){ (uint32_t)(keys[at + i] >> 32), (uint32_t)keys[at + i] };
        es_adjacency_append_batch(adj, piece, NULL, m, NULL, NULL);
    }
    g_free(piece);
    return adj;
}

/* What the graph implies of the counts: local[v] <= C(deg v, 2), the
 * degrees give `wedges`, and local sums to 3 triangles. */
static gboolean check_counts(const es_adjacency *adj, const uint64_t *local, uint32_t n, uint64_t triangles,
                             uint64_t wedges, GError **error)
{
    uint64_t w = 0, sum = 0;
    for (uint32_t v = 0; v < n; v++) {
        const uint64_t d = es_adjacency_degree(adj, v), pairs = d < 2 ? 0 : d * (d - 1) / 2;
        if (local[v] > pairs) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "snapshot dataset \"local\": vertex %u is in %" G_GUINT64_FORMAT " triangles, more than"
                        " the %" G_GUINT64_FORMAT " pairs of its %" G_GUINT64_FORMAT " neighbours", v,
                        (guint64)local[v], (guint64)pairs, (guint64)d);
            return FALSE;
        }
        if (__builtin_add_overflow(w, pairs, &w))
            w = UINT64_MAX;   /* cannot equal a real count: refused below */
        sum += local[v];      /* <= w */
    }
    if (w != wedges) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"wedges\" is %" G_GUINT64_FORMAT ", but the degrees that /edges/keys"
                    " give %" G_GUINT64_FORMAT, (guint64)wedges, (guint64)w);
        return FALSE;
    }
    if (triangles > UINT64_MAX / 3 || sum != 3 * triangles) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"triangles\" is %" G_GUINT64_FORMAT ", but dataset \"local\" sums to %"
                    G_GUINT64_FORMAT ", not 3 times that", (guint64)triangles, (guint64)sum);
        return FALSE;
    }
    return TRUE;
}

/* Under deletions: the graph of the restored table's present pairs (s
 * read and the table checked), its counts found again by folding them in
 * as appearances (the cost of a run over them) and checked against the
 * snapshot's (NULL and an error when they differ); *present counts them. */
static es_dynadj *read_dynamic(tri_op *t, const tri_snap *s, uint64_t *present, GError **error)
{
    const es_edgetable *table = t->base.edges;
    const uint32_t n = (uint32_t)s->nv;
    const size_t bytes = (size_t)n * sizeof(uint64_t);
    uint64_t *local = es_big_alloc(bytes);
    es_dynadj *dyn = es_dynadj_new();
    uint64_t tri = 0, w = 0;
    size_t nkeys = 0;
    const uint64_t *keys = table ? es_edgetable_keys(table, &nkeys) : NULL;
    es_dynadj_grow(dyn, n);
    for (size_t i = 0; i < nkeys; i++) {
        if (!es_edgetable_key_present(table, keys[i]))
            continue;
        fold_change(dyn, local, &tri, &w, &t->common, &t->common_cap, (uint32_t)(keys[i] >> 32), (uint32_t)keys[i],
                    TRUE);
        ++*present;
    }
    if (tri != s->triangles || w != s->wedges || (n > 0 && memcmp(local, s->local, bytes) != 0)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attributes \"triangles\" (%" G_GUINT64_FORMAT ") and"
                    " \"wedges\" (%" G_GUINT64_FORMAT ") or dataset \"local\" are not those of the present pairs of"
                    " %s (%" G_GUINT64_FORMAT " triangles, %" G_GUINT64_FORMAT " wedges)", (guint64)s->triangles,
                    (guint64)s->wedges, ES_EDGES_DATASET, (guint64)tri, (guint64)w);
        g_clear_pointer(&dyn, es_dynadj_free);
    }
    es_big_free(local, bytes);
    return dyn;
}

/* Build the new state aside and swap it in only when every check passed, so
 * a bad snapshot leaves the operator as it was. */
static gboolean tri_snapshot_read(es_operator *op, hid_t g, GError **error)
{
    tri_op *t = (tri_op *)op;
    tri_snap s = { 0 };
    es_adjacency *adj = NULL;
    es_dynadj *dyn = NULL;
    uint64_t present = 0;
    const gboolean dynamic = op->dynamic && !op->sliding;
    uint64_t *ids = NULL;
    gboolean ok = ES_FIELDS_READ(g, tri_fields, 0, &s, error) &&
                  es_edgetable_check(op->edges, s.edges, (uint32_t)s.nv, ES_EDGES_DATASET, error) &&
                  (ids = es_operator_restored_ids(op, s.nv, error)) != NULL;
    if (ok && dynamic) {
        ok = (dyn = read_dynamic(t, &s, &present, error)) != NULL;
    } else if (ok) {
        size_t nkeys = 0;
        const uint64_t *keys = op->edges ? es_edgetable_keys(op->edges, &nkeys) : NULL;
        adj = graph_from_keys(keys, nkeys, (uint32_t)s.nv);
        ok = check_counts(adj, s.local, (uint32_t)s.nv, s.triangles, s.wedges, error);
    }
    if (!ok) {
        es_adjacency_free(adj);
        es_big_free(ids, s.nv * sizeof(uint64_t));
        ES_FIELDS_CLEAR(tri_fields, 0, &s);
        return FALSE;
    }
    if (dynamic) {
        es_dynadj_free(t->dyn);
        t->dyn = dyn;
        t->dyn_edges = present;
        es_adjacency_grow(t->adj, (uint32_t)s.nv);
    } else {
        es_adjacency_free(t->adj);
        t->adj = adj;
    }
    es_big_free(t->local, t->cap * sizeof(uint64_t));
    es_big_free(t->ext, t->cap * sizeof(uint64_t));
    t->local = g_steal_pointer(&s.local);
    t->ext = ids;
    t->cap = s.nv;
    t->nv = (uint32_t)s.nv;
    t->triangles = s.triangles;
    t->wedges = s.wedges;
    return TRUE;
}

/* Which edges are new is the table's answer, in every stream. */
static gboolean tri_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)op;
    (void)snapshots;
    return TRUE;
}

const es_operator_class es_tri_class = {
    .deletions = TRUE,
    .parallel = TRUE,
    .name = "tri",
    .summary = "exact triangles, global and per vertex: wedges, transitivity, average clustering, top vertices",
    .options = "top=K (vertices listed in `top`, default 10, 0..1000)",
    .create = tri_create,
    .process_batch = tri_process_batch,
    .report = tri_report,
    .snapshot_prepare = tri_snapshot_prepare,
    ES_FROZEN(tri_fields, tri_op, f),
    .snapshot_read = tri_snapshot_read,
    .destroy = tri_destroy,
    .needs_edges = tri_needs_edges,
};
