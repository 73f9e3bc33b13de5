/* adjacency.c — per-vertex neighbour sets in insertion order: small arrays
 * for low degrees, arrays with a hash index for high ones, blocks from
 * per-thread arenas; parallel batch insertion and prefix intersection (see
 * adjacency.h for the layout and the costs). */
#include "graph/adjacency.h"

#include <omp.h>
#include <string.h>

#include "graph/common.h"
#include "graph/scatter.h"

/* One vertex.  deg <= ES_ADJACENCY_SMALL, or any degree in a plain graph:
 * nb holds cap (4 * 2^j) entries.  Otherwise nb holds cap (even) entries
 * followed by the table of 2^table_bits(cap) u64 slots, (neighbour + 1)
 * << 32 | position, 0 meaning empty. */
typedef es_adjacency_vertex vrec;

/* A half-edge of a batch: x gets neighbour y; id = edge index << 1 | side
 * (side 0: x is the edge's u). */
typedef struct {
    uint32_t x, y, id;
} half;

#define SMALL ES_ADJACENCY_SMALL
#define NONE  ES_ADJACENCY_NONE

/* Vertices are spread over BUCKETS buckets for parallel insertion: enough
 * for dynamic scheduling to balance hubs over the threads. */
#define BUCKET_BITS 10
#define BUCKETS     (1u << BUCKET_BITS)
/* Batches smaller than this are inserted one edge at a time (same
 * result); larger ones are grouped by owner even on one thread: a
 * bucket's records, lists and indexes stay in cache while it is filled,
 * which halves the insertion's CPU time against going edge by edge
 * (bench/RESULTS.md). */
#define PARALLEL_MIN 8192
/* Edges per piece of a batch, so that id (index << 1 | side) fits 32 bits. */
#define PIECE ((size_t)1 << 30)
/* Hash probes are prefetched this many entries ahead. */
#define PREFETCH 8
/* Capacity of a hashed vertex's first array (with a 32-slot table); each
 * growth doubles both, so the table stays between 3/8 and 3/4 full. */
#define HASHED_MIN_CAP 24u

/* Neighbour blocks come from per-thread arenas: 16 MiB chunks from
 * es_big_alloc (huge pages: far fewer page faults than the C heap's 4 KiB
 * pages, no per-block header), carved by bumping a pointer, with a free
 * list per block size for the blocks that growth gives back.  Blocks have
 * two families of sizes: 16 * 2^j bytes (arrays: small ones, and every
 * list of a plain graph; classes 0 .. 16) and 352 * 2^j (hashed: 24 * 2^j
 * entries and 32 * 2^j slots; classes 17 .. 28).  Other sizes and blocks
 * above ARENA_MAX_BLOCK go to es_big_alloc directly.  A thread only
 * touches its own arena, so parallel insertion takes no lock. */
#define ARENA_CHUNK     ((size_t)16 << 20)
#define ARENA_MAX_BLOCK ((size_t)1 << 20)
#define ARRAY_CLASSES   17    /* 16 B .. 1 MiB */
#define ARENA_CLASSES   29

typedef struct {
    char *cur, *end;              /* bump region of the newest chunk */
    void *chunks;                 /* chunks, linked through their first word */
    void *free[ARENA_CLASSES];    /* free blocks, linked through their first word */
    char  pad[64];                /* keep threads' arenas on separate lines */
} arena;

struct es_adjacency {
    vrec    *v;
    size_t   vcap;          /* records allocated */
    uint32_t nv;            /* vertices */
    uint64_t edges;
    half    *halves;        /* insert_batch scratch, es_big_alloc'd */
    size_t   halves_cap;
    arena   *arenas;        /* narenas of them; arena 0 serves sequential calls */
    int      narenas;
    gboolean plain;         /* lists only, no hash index (es_adjacency_new_plain) */
};

/* log2 of the table size for an array of cap entries: load <= 3/4 when
 * the array is full. */
static inline unsigned table_bits(uint32_t cap)
{
    uint64_t need = ((uint64_t)cap * 4 + 2) / 3;
    return 64u - (unsigned)__builtin_clzll(need - 1);
}

static inline uint64_t *table_of(const vrec *r)
{
    return (uint64_t *)(r->nb + r->cap);
}

static inline size_t block_bytes(gboolean plain, uint32_t deg, uint32_t cap)
{
    if (plain || deg <= SMALL)
        return (size_t)cap * sizeof(uint32_t);
    return (size_t)cap * sizeof(uint32_t) + ((size_t)1 << table_bits(cap)) * sizeof(uint64_t);
}

/* Fibonacci hashing: consecutive ids (dense ids are) spread evenly. */
static inline size_t slot_of(uint64_t key, unsigned bits)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

static void table_put(uint64_t *tab, unsigned bits, uint32_t y, uint32_t pos)
{
    const size_t mask = ((size_t)1 << bits) - 1;
    const uint64_t key = (uint64_t)y + 1;
    size_t h = slot_of(key, bits);
    while (tab[h] != 0)
        h = (h + 1) & mask;
    tab[h] = key << 32 | pos;
}

/* Position of y in r's list, or NONE (a plain graph's lists are scanned). */
static inline uint32_t lookup(gboolean plain, const vrec *r, uint32_t y)
{
    const uint32_t d = r->deg;
    const uint32_t *nb = r->nb;
    if (plain || d <= SMALL) {
        for (uint32_t i = 0; i < d; i++)
            if (nb[i] == y)
                return i;
        return NONE;
    }
    const unsigned bits = table_bits(r->cap);
    const size_t mask = ((size_t)1 << bits) - 1;
    const uint64_t *tab = table_of(r);
    const uint64_t key = (uint64_t)y + 1;
    for (size_t h = slot_of(key, bits);; h = (h + 1) & mask) {
        uint64_t s = tab[h];
        if (s >> 32 == key)
            return (uint32_t)s;
        if (s == 0)
            return NONE;
    }
}

/* The arena class of a block size, or -1 for a block from es_big_alloc. */
static inline int block_class(size_t bytes)
{
    if (bytes < 16 || bytes > ARENA_MAX_BLOCK)
        return -1;
    if ((bytes & (bytes - 1)) == 0)
        return __builtin_ctzll(bytes) - 4;
    if (bytes % 352 == 0 && ((bytes / 352) & (bytes / 352 - 1)) == 0)
        return ARRAY_CLASSES + __builtin_ctzll(bytes / 352);
    return -1;
}

/* A block of `bytes`, zeroed when `zero` (fresh chunk memory already is). */
static void *block_alloc(arena *ar, size_t bytes, int zero)
{
    const int c = block_class(bytes);
    if (c < 0)
        return es_big_alloc(bytes);
    void *p = ar->free[c];
    /* None of this size: split a freed larger block of the same family (a
     * hub's old block), since far more vertices grow into the small sizes. */
    const int last = c < ARRAY_CLASSES ? ARRAY_CLASSES - 1 : ARENA_CLASSES - 1;
    for (int big = c + 1; p == NULL && big <= last; big++) {
        char *q = ar->free[big];
        if (q == NULL)
            continue;
        ar->free[big] = *(void **)q;
        for (size_t off = bytes; off < (bytes << (big - c)); off += bytes) {
            *(void **)(q + off) = ar->free[c];
            ar->free[c] = q + off;
        }
        *(void **)q = ar->free[c];
        p = q;
    }
    if (p != NULL) {
        ar->free[c] = *(void **)p;
        if (zero)
            memset(p, 0, bytes);
        else
            *(void **)p = NULL;
        return p;
    }
    if ((size_t)(ar->end - ar->cur) < bytes) {
        char *chunk = es_big_alloc(ARENA_CHUNK);
        *(void **)chunk = ar->chunks;
        ar->chunks = chunk;
        ar->cur = chunk + 64;
        ar->end = chunk + ARENA_CHUNK;
    }
    p = ar->cur;
    ar->cur += bytes;
    return p;
}

static void block_free(arena *ar, void *p, size_t bytes)
{
    if (p == NULL)
        return;
    const int c = block_class(bytes);
    if (c < 0) {
        es_big_free(p, bytes);
        return;
    }
    *(void **)p = ar->free[c];
    ar->free[c] = p;
}

/* Move r to a hashed block of capacity cap (> SMALL, even), keeping its list. */
static void rehash(arena *ar, vrec *r, uint32_t cap)
{
    const unsigned bits = table_bits(cap);
    const size_t bytes = (size_t)cap * sizeof(uint32_t) + ((size_t)1 << bits) * sizeof(uint64_t);
    uint32_t *nb = block_alloc(ar, bytes, 1);
    memcpy(nb, r->nb, (size_t)r->deg * sizeof(uint32_t));
    uint64_t *tab = (uint64_t *)(nb + cap);
    if (r->deg > SMALL && table_bits(r->cap) == bits) {
        memcpy(tab, table_of(r), ((size_t)1 << bits) * sizeof(uint64_t));
    } else {
        for (uint32_t i = 0; i < r->deg; i++)
            table_put(tab, bits, nb[i], i);
    }
    block_free(ar, r->nb, block_bytes(FALSE, r->deg, r->cap));
    r->nb = nb;
    r->cap = cap;
}

/* Append y, known to be absent, to r's list; returns its position. */
static uint32_t append(gboolean plain, arena *ar, vrec *r, uint32_t y)
{
    const uint32_t d = r->deg;
    if (d < SMALL || plain) {
        if (d == r->cap) {
            const uint64_t want = r->cap ? 2 * (uint64_t)r->cap : 4;
            const uint32_t cap = want > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)want;
            uint32_t *nb = block_alloc(ar, (size_t)cap * sizeof(uint32_t), 0);
            if (d > 0)
                memcpy(nb, r->nb, (size_t)d * sizeof(uint32_t));
            block_free(ar, r->nb, (size_t)r->cap * sizeof(uint32_t));
            r->nb = nb;
            r->cap = cap;
        }
        r->nb[d] = y;
        r->deg = d + 1;
        return d;
    }
    if (d == SMALL) {
        rehash(ar, r, HASHED_MIN_CAP);    /* deg is still SMALL: the table is built from the array */
    } else if (d == r->cap) {
        uint64_t cap = 2 * (uint64_t)r->cap;
        if (cap > UINT32_MAX - 1)
            cap = UINT32_MAX - 1;
        rehash(ar, r, (uint32_t)cap);
    }
    r->nb[d] = y;
    table_put(table_of(r), table_bits(r->cap), y, d);
    r->deg = d + 1;
    return d;
}

/* Hints for the two dependent misses of an insertion or a probe: the
 * record, then the cache line the lookup of y will read. */
static inline void prefetch_record(const es_adjacency *a, uint32_t x)
{
    __builtin_prefetch(&a->v[x]);
}

static inline void prefetch_probe(const es_adjacency *a, uint32_t x, uint32_t y)
{
    const vrec *r = &a->v[x];
    if (a->plain)
        es_prefetch(r->nb + r->deg);   /* where the next entry goes */
    else if (r->deg <= SMALL)
        es_prefetch(r->nb);
    else
        es_prefetch(&table_of(r)[slot_of((uint64_t)y + 1, table_bits(r->cap))]);
}

/* Add y to x's list unless present (or, `known`, as known to be
 * absent): its position, or NONE when present. */
static inline uint32_t insert_half(es_adjacency *a, arena *ar, uint32_t x, uint32_t y, gboolean known)
{
    vrec *r = &a->v[x];
    if (!known && lookup(a->plain, r, y) != NONE)
        return NONE;
    return append(a->plain, ar, r, y);
}

/* Arenas for `threads` threads (called outside parallel regions). */
static void ensure_arenas(es_adjacency *a, int threads)
{
    if (threads <= a->narenas)
        return;
    a->arenas = g_renew(arena, a->arenas, threads);
    memset(a->arenas + a->narenas, 0, (size_t)(threads - a->narenas) * sizeof(arena));
    a->narenas = threads;
}

es_adjacency *es_adjacency_new(uint32_t expected_vertices)
{
    es_adjacency *a = g_new0(es_adjacency, 1);
    ensure_arenas(a, 1);
    if (expected_vertices > 0) {
        a->vcap = expected_vertices;
        a->v = es_big_alloc(a->vcap * sizeof(vrec));
    }
    return a;
}

es_adjacency *es_adjacency_new_plain(uint32_t expected_vertices)
{
    es_adjacency *a = es_adjacency_new(expected_vertices);
    a->plain = TRUE;
    return a;
}

void es_adjacency_free(es_adjacency *a)
{
    if (a == NULL)
        return;
    for (uint32_t x = 0; x < a->nv; x++) {
        const size_t bytes = block_bytes(a->plain, a->v[x].deg, a->v[x].cap);
        if (block_class(bytes) < 0)
            es_big_free(a->v[x].nb, bytes);
    }
    for (int i = 0; i < a->narenas; i++) {
        for (void *c = a->arenas[i].chunks; c != NULL;) {
            void *next = *(void **)c;
            es_big_free(c, ARENA_CHUNK);
            c = next;
        }
    }
    g_free(a->arenas);
    es_big_free(a->v, a->vcap * sizeof(vrec));
    es_big_free(a->halves, a->halves_cap * sizeof(half));
    g_free(a);
}

void es_adjacency_grow(es_adjacency *a, uint32_t num_vertices)
{
    if (num_vertices > a->vcap) {
        size_t cap = es_grow_cap(a->vcap, num_vertices);
        a->v = es_big_realloc(a->v, a->vcap * sizeof(vrec), cap * sizeof(vrec));
        a->vcap = cap;
    }
    if (num_vertices > a->nv)
        a->nv = num_vertices;
}

uint32_t es_adjacency_vertices(const es_adjacency *a)
{
    return a->nv;
}

uint64_t es_adjacency_edges(const es_adjacency *a)
{
    return a->edges;
}

size_t es_adjacency_memory(const es_adjacency *a)
{
    size_t bytes = sizeof *a + a->vcap * sizeof(vrec) + a->halves_cap * sizeof(half);
    for (uint32_t x = 0; x < a->nv; x++) {
        const size_t b = block_bytes(a->plain, a->v[x].deg, a->v[x].cap);
        if (block_class(b) < 0)
            bytes += b;
    }
    /* Arena chunks count whole, free lists and unused tails included. */
    for (int i = 0; i < a->narenas; i++)
        for (void *c = a->arenas[i].chunks; c != NULL; c = *(void **)c)
            bytes += ARENA_CHUNK;
    return bytes;
}

gboolean es_adjacency_insert(es_adjacency *a, uint32_t u, uint32_t v)
{
    if (u == v)
        return FALSE;
    uint32_t hi = u > v ? u : v;
    if (hi >= a->nv)
        es_adjacency_grow(a, hi + 1);
    /* Check the cheaper side: a small list scan or a hash probe. */
    vrec *ru = &a->v[u], *rv = &a->v[v];
    if (lookup(a->plain, ru->deg <= rv->deg ? ru : rv, ru->deg <= rv->deg ? v : u) != NONE)
        return FALSE;
    append(a->plain, &a->arenas[0], ru, v);
    append(a->plain, &a->arenas[0], rv, u);
    a->edges++;
    return TRUE;
}

/* Whether edge i is offered to the lists: not a self-loop and, when the
 * caller says which edges are new (change), a new one. */
static inline gboolean offered(const es_edge *e, const uint8_t *change, size_t i)
{
    return e[i].u != e[i].v && (change == NULL || change[i] == ES_EDGE_APPEARS);
}

/* insert_batch (known FALSE, change NULL) or append_batch (known TRUE) of
 * a piece, edge by edge. */
static size_t insert_sequential(es_adjacency *a, const es_edge *e, const uint8_t *change, size_t n,
                                gboolean known, uint32_t *pos_u, uint32_t *pos_v)
{
    size_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 * PREFETCH < n)
            prefetch_record(a, e[i + 2 * PREFETCH].u);
        if (i + PREFETCH < n)
            prefetch_probe(a, e[i + PREFETCH].u, e[i + PREFETCH].v);
        uint32_t pu = NONE, pv = NONE;
        if (offered(e, change, i)) {
            pu = insert_half(a, &a->arenas[0], e[i].u, e[i].v, known);
            if (pu != NONE) {
                pv = append(a->plain, &a->arenas[0], &a->v[e[i].v], e[i].u);
                fresh++;
            }
        }
        if (pos_u)
            pos_u[i] = pu;
        if (pos_v)
            pos_v[i] = pv;
    }
    return fresh;
}

static inline uint32_t bucket_of(uint32_t x)
{
    return (uint32_t)(x * 0x9E3779B1u) >> (32 - BUCKET_BITS);
}

/* n < PIECE edges: group half-edges by bucket of their owner (stable), then
 * fill each bucket's vertices in stream order, one thread per bucket (on
 * one thread too, for the locality).  known, change: as for
 * insert_sequential. */
static size_t insert_grouped(es_adjacency *a, const es_edge *e, const uint8_t *change, size_t n,
                             gboolean known, uint32_t *pos_u, uint32_t *pos_v)
{
    if (2 * n > a->halves_cap) {
        /* Remapped, not allocated afresh: batches ramp up, and a fresh page
         * costs its zeroing at first touch. */
        size_t cap = es_grow_cap(a->halves_cap, 2 * n);
        a->halves = es_big_realloc(a->halves, a->halves_cap * sizeof(half), cap * sizeof(half));
        a->halves_cap = cap;
    }
    half *hs = a->halves;
    const int max_threads = omp_get_max_threads();
    ensure_arenas(a, max_threads);
    size_t *grid = g_new0(size_t, (size_t)max_threads * BUCKETS);
    size_t *start = g_new(size_t, BUCKETS + 1);
    size_t fresh = 0;

    #pragma omp parallel
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        arena *ar = &a->arenas[t];
        const size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
        size_t *cnt = grid + (size_t)t * BUCKETS;
        for (size_t i = lo; i < hi; i++) {
            if (offered(e, change, i)) {
                cnt[bucket_of(e[i].u)]++;
                cnt[bucket_of(e[i].v)]++;
            }
        }
        #pragma omp barrier
        #pragma omp single
        es_scatter_offsets(grid, T, BUCKETS, start);
        for (size_t i = lo; i < hi; i++) {
            const uint32_t u = e[i].u, v = e[i].v;
            if (offered(e, change, i)) {
                hs[cnt[bucket_of(u)]++] = (half){ u, v, (uint32_t)(i << 1) };
                hs[cnt[bucket_of(v)]++] = (half){ v, u, (uint32_t)(i << 1 | 1) };
            } else {
                if (pos_u)
                    pos_u[i] = NONE;
                if (pos_v)
                    pos_v[i] = NONE;
            }
        }
        #pragma omp barrier
        #pragma omp for schedule(dynamic, 1) reduction(+ : fresh)
        for (uint32_t b = 0; b < BUCKETS; b++) {
            const size_t end = start[b + 1];
            for (size_t j = start[b]; j < end; j++) {
                /* Only this bucket's vertices: this thread owns them. */
                if (j + 2 * PREFETCH < end)
                    prefetch_record(a, hs[j + 2 * PREFETCH].x);
                if (j + PREFETCH < end)
                    prefetch_probe(a, hs[j + PREFETCH].x, hs[j + PREFETCH].y);
                const half h = hs[j];
                uint32_t p = insert_half(a, ar, h.x, h.y, known);
                uint32_t *out = (h.id & 1) ? pos_v : pos_u;
                if (out)
                    out[h.id >> 1] = p;
                /* Both halves of an edge agree on new/old: count one. */
                fresh += (h.id & 1) == 0 && p != NONE;
            }
        }
    }
    g_free(grid);
    g_free(start);
    return fresh;
}

static size_t add_batch(es_adjacency *a, const es_edge *edges, const uint8_t *change, size_t n, gboolean known,
                        uint32_t *pos_u, uint32_t *pos_v)
{
    size_t fresh = 0;
    for (size_t off = 0; off < n; off += PIECE) {
        size_t m = n - off < PIECE ? n - off : PIECE;
        uint32_t *pu = pos_u ? pos_u + off : NULL, *pv = pos_v ? pos_v + off : NULL;
        const uint8_t *c = change ? change + off : NULL;
        if (m < PARALLEL_MIN)
            fresh += insert_sequential(a, edges + off, c, m, known, pu, pv);
        else
            fresh += insert_grouped(a, edges + off, c, m, known, pu, pv);
    }
    a->edges += fresh;
    return fresh;
}

size_t es_adjacency_insert_batch(es_adjacency *a, const es_edge *edges, size_t n,
                                 uint32_t *pos_u, uint32_t *pos_v)
{
    return add_batch(a, edges, NULL, n, FALSE, pos_u, pos_v);
}

size_t es_adjacency_append_batch(es_adjacency *a, const es_edge *edges, const uint8_t *change, size_t n,
                                 uint32_t *pos_u, uint32_t *pos_v)
{
    return add_batch(a, edges, change, n, TRUE, pos_u, pos_v);
}

gboolean es_adjacency_contains(const es_adjacency *a, uint32_t u, uint32_t v)
{
    if (u >= a->nv || v >= a->nv)
        return FALSE;
    const vrec *ru = &a->v[u], *rv = &a->v[v];
    return ru->deg <= rv->deg ? lookup(a->plain, ru, v) != NONE : lookup(a->plain, rv, u) != NONE;
}

uint32_t es_adjacency_degree(const es_adjacency *a, uint32_t u)
{
    return u < a->nv ? a->v[u].deg : 0;
}

const es_adjacency_vertex *es_adjacency_records(const es_adjacency *a)
{
    return a->v;
}

const uint32_t *es_adjacency_neighbors(const es_adjacency *a, uint32_t u)
{
    return u < a->nv ? a->v[u].nb : NULL;
}

uint32_t es_adjacency_position(const es_adjacency *a, uint32_t u, uint32_t v)
{
    return u < a->nv ? lookup(a->plain, &a->v[u], v) : NONE;
}

size_t es_adjacency_intersect(const es_adjacency *a, uint32_t u, uint32_t v, uint32_t *out)
{
    return es_adjacency_intersect_prefix(a, u, UINT32_MAX, v, UINT32_MAX, out);
}

size_t es_adjacency_intersect_prefix(const es_adjacency *a, uint32_t u, uint32_t nu,
                                     uint32_t v, uint32_t nv, uint32_t *out)
{
    if (u >= a->nv || v >= a->nv)
        return 0;
    const vrec *rs = &a->v[u], *rl = &a->v[v];
    if (nu > rs->deg)
        nu = rs->deg;
    if (nv > rl->deg)
        nv = rl->deg;
    if (nu > nv) {
        const vrec *t = rs; rs = rl; rl = t;
        uint32_t tn = nu; nu = nv; nv = tn;
    }
    /* Iterate the first ns entries of rs, probe the first nl of rl. */
    const uint32_t ns = nu, nl = nv;
    const uint32_t *s = rs->nb;
    size_t k = 0;
    if (ns == 0)
        return 0;
    if (a->plain || rl->deg <= SMALL) {
        const uint32_t *l = rl->nb;
        for (uint32_t i = 0; i < ns; i++) {
            const uint32_t w = s[i];
            for (uint32_t j = 0; j < nl; j++) {
                if (l[j] == w) {
                    out[k++] = w;
                    break;
                }
            }
        }
        return k;
    }
    const unsigned bits = table_bits(rl->cap);
    const size_t mask = ((size_t)1 << bits) - 1;
    const uint64_t *tab = table_of(rl);
    for (uint32_t i = 0; i < ns; i++) {
        if (i + PREFETCH < ns)
            __builtin_prefetch(&tab[slot_of((uint64_t)s[i + PREFETCH] + 1, bits)]);
        const uint64_t key = (uint64_t)s[i] + 1;
        for (size_t h = slot_of(key, bits);; h = (h + 1) & mask) {
            const uint64_t x = tab[h];
            if (x >> 32 == key) {
                if ((uint32_t)x < nl)
                    out[k++] = s[i];
                break;
            }
            if (x == 0)
                break;
        }
    }
    return k;
}

/* ---- CSR form --------------------------------------------------------------- */

void es_adjacency_csr_offsets(const es_adjacency *a, uint64_t *offsets)
{
    uint64_t off = 0;
    for (uint32_t x = 0; x < a->nv; x++) {
        offsets[x] = off;
        off += a->v[x].deg;
    }
    offsets[a->nv] = off;
}

size_t es_adjacency_csr_next(const es_adjacency *a, es_adjacency_cursor *at, uint32_t *out, size_t room)
{
    size_t k = 0;
    uint32_t x = at->vertex, i = at->entry;
    while (k < room && x < a->nv) {
        const vrec *r = &a->v[x];
        if (i >= r->deg) {
            x++;
            i = 0;
            continue;
        }
        const size_t take = MIN((size_t)(r->deg - i), room - k);
        memcpy(out + k, r->nb + i, take * sizeof(uint32_t));
        k += take;
        i += (uint32_t)take;
    }
    at->vertex = x;
    at->entry = i;
    return k;
}

/* The capacity append() leaves a list of d entries with: 4, 8, 16, then
 * 24 * 2^j. */
static uint32_t cap_after(uint32_t d)
{
    if (d == 0)
        return 0;
    uint64_t c = d <= SMALL ? 4 : HASHED_MIN_CAP;
    while (c < d)
        c *= 2;
    return c > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)c;
}

/* Give r the block that appending list[0 .. d-1] in order would have left
 * it with: same capacity, and (hashed) the same table, since a table is
 * always rebuilt from the list in order and then filled in order.  FALSE
 * when the list repeats an entry (r is then still a valid record). */
static gboolean build_list(arena *ar, vrec *r, const uint32_t *list, uint32_t d)
{
    const uint32_t cap = cap_after(d);
    r->deg = d;
    r->cap = cap;
    if (d == 0) {
        r->nb = NULL;
        return TRUE;
    }
    r->nb = block_alloc(ar, block_bytes(FALSE, d, cap), d > SMALL);
    memcpy(r->nb, list, (size_t)d * sizeof(uint32_t));
    if (d <= SMALL) {
        for (uint32_t i = 1; i < d; i++)
            for (uint32_t j = 0; j < i; j++)
                if (list[j] == list[i])
                    return FALSE;
        return TRUE;
    }
    const unsigned bits = table_bits(cap);
    const size_t mask = ((size_t)1 << bits) - 1;
    uint64_t *tab = table_of(r);
    for (uint32_t i = 0; i < d; i++) {
        const uint64_t key = (uint64_t)list[i] + 1;
        size_t h = slot_of(key, bits);
        for (; tab[h] != 0; h = (h + 1) & mask)
            if (tab[h] >> 32 == key)
                return FALSE;
        tab[h] = key << 32 | i;
    }
    return TRUE;
}

/* Vertices per OpenMP work item of the rebuild, and fewer than this are
 * rebuilt on one thread. */
#define CSR_GRAIN 1024u

es_adjacency *es_adjacency_new_from_csr(uint32_t n, const uint64_t *offsets, const uint32_t *neighbors, size_t len,
                                        const char *offsets_name, const char *neighbors_name, GError **error)
{
    /* 1. The arrays' shape and ranges, before anything is allocated. */
    if (offsets[0] != 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: entry 0 is %" G_GUINT64_FORMAT ", not 0", offsets_name,
                    (guint64)offsets[0]);
        return NULL;
    }
    for (uint32_t u = 0; u < n; u++) {
        const uint64_t lo = offsets[u], hi = offsets[u + 1];
        if (hi < lo) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "%s: entry %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT ") is below entry %u (%"
                        G_GUINT64_FORMAT "): offsets must not decrease", offsets_name, (guint64)u + 1,
                        (guint64)hi, u, (guint64)lo);
            return NULL;
        }
        if (hi > len) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "%s: entry %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT ") is beyond the %zu entries of %s",
                        offsets_name, (guint64)u + 1, (guint64)hi, len, neighbors_name);
            return NULL;
        }
        if (hi - lo > (uint64_t)n - 1) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "%s: entries %u and %u give vertex %u %" G_GUINT64_FORMAT " neighbours, more than the"
                        " %u other vertices", offsets_name, u, u + 1, u, (guint64)(hi - lo), n - 1);
            return NULL;
        }
    }
    if (offsets[n] != len) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "%s: the last entry is %" G_GUINT64_FORMAT ", but %s has %zu entries", offsets_name,
                    (guint64)offsets[n], neighbors_name, len);
        return NULL;
    }
    for (uint32_t u = 0; u < n; u++) {
        for (uint64_t j = offsets[u]; j < offsets[u + 1]; j++) {
            const uint32_t v = neighbors[j];
            if (v == u) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                            "%s: entry %" G_GUINT64_FORMAT " lists vertex %u as its own neighbour",
                            neighbors_name, (guint64)j, u);
                return NULL;
            }
            if (v >= n) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                            "%s: entry %" G_GUINT64_FORMAT " (a neighbour of vertex %u) is %u, beyond the %u"
                            " vertices", neighbors_name, (guint64)j, u, v, n);
                return NULL;
            }
        }
    }

    /* 2. Build every list (in parallel: each thread has its own arena). */
    es_adjacency *a = es_adjacency_new(n);
    a->nv = n;
    a->edges = len / 2;
    ensure_arenas(a, omp_get_max_threads());
    const uint32_t blocks = (uint32_t)(((uint64_t)n + CSR_GRAIN - 1) / CSR_GRAIN);
    uint32_t repeat = UINT32_MAX, asymmetric = UINT32_MAX;
    #pragma omp parallel for schedule(dynamic, 1) reduction(min : repeat) if (n >= 4 * CSR_GRAIN)
    for (uint32_t b = 0; b < blocks; b++) {
        arena *ar = &a->arenas[omp_get_thread_num()];
        const uint32_t hi = n - b * CSR_GRAIN < CSR_GRAIN ? n : (b + 1) * CSR_GRAIN;
        for (uint32_t u = b * CSR_GRAIN; u < hi; u++)
            if (!build_list(ar, &a->v[u], neighbors + offsets[u], (uint32_t)(offsets[u + 1] - offsets[u])) &&
                u < repeat)
                repeat = u;
    }
    /* 3. Symmetry: v in N(u) iff u in N(v).  The lists have no repeats and
     * every entry's reverse is present, so the entries pair up. */
    if (repeat == UINT32_MAX) {
        #pragma omp parallel for schedule(dynamic, 1) reduction(min : asymmetric) if (n >= 4 * CSR_GRAIN)
        for (uint32_t b = 0; b < blocks; b++) {
            const uint32_t hi = n - b * CSR_GRAIN < CSR_GRAIN ? n : (b + 1) * CSR_GRAIN;
            for (uint32_t u = b * CSR_GRAIN; u < hi && u < asymmetric; u++) {
                const vrec *r = &a->v[u];
                for (uint32_t i = 0; i < r->deg; i++) {
                    if (lookup(FALSE, &a->v[r->nb[i]], u) == NONE) {
                        asymmetric = u;
                        break;
                    }
                }
            }
        }
    }
    if (repeat != UINT32_MAX) {
        /* The first entry whose lookup does not find itself is the repeat:
         * the list (small) or the table built so far (hashed) holds an
         * earlier one. */
        const vrec *r = &a->v[repeat];
        uint32_t i = 0;
        while (i < r->deg && lookup(FALSE, r, r->nb[i]) == i)
            i++;
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "%s: entry %" G_GUINT64_FORMAT " repeats neighbour %u of vertex %u", neighbors_name,
                    (guint64)(offsets[repeat] + i), r->nb[i], repeat);
        es_adjacency_free(a);
        return NULL;
    }
    if (asymmetric != UINT32_MAX) {
        const vrec *r = &a->v[asymmetric];
        uint32_t i = 0;
        while (lookup(FALSE, &a->v[r->nb[i]], asymmetric) != NONE)
            i++;
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "%s: entry %" G_GUINT64_FORMAT " lists %u as a neighbour of vertex %u, but %u's list lacks %u",
                    neighbors_name, (guint64)(offsets[asymmetric] + i), r->nb[i], asymmetric, r->nb[i], asymmetric);
        es_adjacency_free(a);
        return NULL;
    }
    return a;
}
