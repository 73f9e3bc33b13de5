/* edgeset.c — a sharded set of undirected edges (see edgeset.h).
 *
 * Open addressing with linear probing (Knuth, TAOCP vol. 3, 6.4, algorithm
 * L) at most three quarters full, so an expected probe reads at most about
 * 2.5 slots for a hit and 8.5 for a miss, in one or two cache lines.  (At
 * most half full, as first written, the table took twice the memory, and
 * fresh memory is what a growing set pays for most: on R-MAT scale 20,
 * `cc,degree,tri-est` peaked at 593 MiB and spent 0.3 s more in the
 * kernel than at three quarters, 400 MiB.)  The hash is a 64-bit multiply-xorshift finaliser (the
 * mixer of SplitMix64, Steele, Lea & Flood, OOPSLA 2014); its top bits pick
 * the shard, its low bits the slot within the shard's region.  Key 0 (the
 * self-loop (0,0)) marks an empty slot and is kept as a flag beside its
 * shard, so zero-filled memory from es_big_alloc is an empty table.
 *
 * All shards share one allocation and one region size R.  Growth doubles R
 * and rehashes region by region (in parallel; a region's keys only move
 * within the region).  One block rather than a table per shard, because
 * first touch of fresh memory dominates the cost of a growing set and only
 * large blocks get huge pages (common.h).
 *
 * Batch insertion (es_edgeset_insert_batch): each thread counts the keys of
 * its slice of the batch per shard; prefix sums taken in (shard, slice)
 * order give every key a place such that a shard's keys are contiguous and
 * in stream order (a stable counting sort); then threads take whole shards
 * and insert, prefetching the slots of keys a few places ahead.  A shard
 * that would pass three quarters full stops where it is; the table doubles between
 * passes, and stopped shards resume.  Cost per edge: four hash
 * evaluations, 12 bytes of scratch written and read, one probe sequence.
 * Each shard sees its keys in stream order, so the new/old answers equal a
 * sequential insertion's, whatever the thread count.
 *
 * Insertion log: es_edgeset_insert appends a new key at once; the batch
 * path appends a piece's new keys after inserting it, in one pass over the
 * piece in batch order (is_new is exactly a sequential insertion's answer),
 * so the log does not depend on the thread count.  It grows with the
 * memory the caller passes (es_log_memory): geometrically, or a step at a
 * time in memory that grows in place; memory that never moves the log
 * lets a snapshot writer thread read it meanwhile.
 *
 * Sorted walk (es_edgeset_foreach_sorted): hash order depends on the
 * shard count, so a listing that must not lists the keys sorted, without a
 * sorted copy of the whole set.  The key range is cut into pieces of at
 * most max_piece keys by a histogram of 2^16 equal sub-ranges (a sub-range
 * still too full gets its own histogram, at most four levels deep for
 * 64-bit keys); each piece is gathered by one scan of the table and sorted
 * by an LSD radix sort (8-bit digits; digits equal in all keys skipped).
 * Measured (one core, random keys): 20 M keys in 1.1 s with pieces of 4 Mi
 * keys, 50 M in 3.0 s with pieces of 16 Mi; a copy and qsort took 4.4 s
 * and 11.9 s.
 */
#include "graph/edgeset.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "graph/common.h"
#include "graph/scatter.h"

#define MIN_REGION 16u
/* How many keys ahead a shard's insertion loop prefetches. */
#define PREFETCH_AHEAD 12
/* Below this many edges a batch is inserted edge by edge. */
#define PARALLEL_MIN 8192
/* Largest piece of a batch sorted at once: bounds the scratch memory. */
#define PIECE_MAX ((size_t)1 << 22)
/* Below this many slots a rehash runs on one thread. */
#define PARALLEL_REHASH_MIN ((size_t)1 << 16)

typedef struct {
    _Alignas(64) size_t used; /* non-zero keys in the region */
    gboolean has_zero;        /* key 0 is a member */
} shard;

struct es_edgeset {
    uint64_t *slot;       /* nshards regions of `region` slots, 0 = empty */
    size_t    region;     /* slots per shard, a power of two */
    shard    *shard;
    uint32_t  nshards;
    unsigned  shard_bits;
    /* Scratch of es_edgeset_insert_batch, kept between calls. */
    uint64_t *keys;
    uint32_t *pos;
    size_t    scratch_cap;
    /* Insertion log (logged sets only): log_n keys of log_cap. */
    gboolean  logged;
    es_log_memory mem;   /* how the log grows */
    uint64_t *log;
    size_t    log_n, log_cap;
};

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint32_t shard_index(const es_edgeset *s, uint64_t h)
{
    return s->shard_bits ? (uint32_t)(h >> (64 - s->shard_bits)) : 0;
}

static inline uint64_t *region_of(const es_edgeset *s, uint32_t p)
{
    return s->slot + (size_t)p * s->region;
}

/* Slots per shard for `edges` keys at <= 75% load, with slack for the
 * uneven spread of keys over shards. */
static size_t region_for(size_t edges, uint32_t shards)
{
    size_t per = edges / shards;
    per += per / 8 + 1;
    size_t region = MIN_REGION;
    while (3 * region < 4 * per)
        region <<= 1;
    return region;
}

es_edgeset *es_edgeset_new(size_t expected_edges, uint32_t shards)
{
    if (shards == 0)
        shards = ES_EDGESET_DEFAULT_SHARDS;
    g_return_val_if_fail(shards <= ES_EDGESET_MAX_SHARDS && (shards & (shards - 1)) == 0, NULL);
    es_edgeset *s = g_new0(es_edgeset, 1);
    s->nshards = shards;
    while ((1u << s->shard_bits) < shards)
        s->shard_bits++;
    s->shard = aligned_alloc(64, shards * sizeof(shard));
    if (s->shard == NULL)
        es_out_of_memory(shards * sizeof(shard), "an edge set's shards");
    memset(s->shard, 0, shards * sizeof(shard));
    s->region = region_for(expected_edges, shards);
    s->slot = es_big_alloc(shards * s->region * sizeof(uint64_t));
    return s;
}

es_edgeset *es_edgeset_new_logged(size_t expected_edges, uint32_t shards, const es_log_memory *mem)
{
    es_edgeset *s = es_edgeset_new(expected_edges, shards);
    if (s == NULL)
        return NULL;
    s->logged = TRUE;
    s->mem = mem ? *mem : es_log_memory_plain;
    if (expected_edges > 0) {
        s->log = s->mem.grow(NULL, 0, expected_edges * sizeof(uint64_t));
        s->log_cap = expected_edges;
    }
    return s;
}

void es_edgeset_free(es_edgeset *s)
{
    if (s == NULL)
        return;
    es_big_free(s->slot, s->nshards * s->region * sizeof(uint64_t));
    free(s->shard);
    es_big_free(s->keys, s->scratch_cap * sizeof(uint64_t));
    es_big_free(s->pos, s->scratch_cap * sizeof(uint32_t));
    if (s->logged)
        s->mem.free(s->log, s->log_cap * sizeof(uint64_t));
    g_free(s);
}

void es_edgeset_unlog(es_edgeset *s)
{
    if (!s->logged)
        return;
    s->mem.free(s->log, s->log_cap * sizeof(uint64_t));
    s->log = NULL;
    s->log_n = s->log_cap = 0;
    s->logged = FALSE;
}

/* Room in the log for `more` keys beyond log_n. */
static void log_reserve(es_edgeset *s, size_t more)
{
    if (s->log_n + more <= s->log_cap)
        return;
    const size_t step = s->mem.step / sizeof(uint64_t), need = s->log_n + more;
    size_t cap = step ? (need + step - 1) / step * step : es_grow_cap(s->log_cap, need);
    s->log = s->mem.grow(s->log, s->log_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
    s->log_cap = cap;
}

/* Regions of R2 slots (a multiple of today's R).  When doubling, old slot i
 * of a region holds keys whose home is at most i, so the new homes,
 * h & (2R-1), come in two increasing runs: the rehash writes nearly
 * sequentially. */
static void grow_to(es_edgeset *s, size_t R2)
{
    const size_t R = s->region, mask = R2 - 1;
    const size_t total = s->nshards * R2;
    uint64_t *old = s->slot, *nslot = es_big_alloc(total * sizeof(uint64_t));
    #pragma omp parallel for schedule(static) if (total >= PARALLEL_REHASH_MIN)
    for (uint32_t p = 0; p < s->nshards; p++) {
        const uint64_t *from = old + (size_t)p * R;
        uint64_t *to = nslot + (size_t)p * R2;
        for (size_t i = 0; i < R; i++) {
            uint64_t k = from[i];
            if (k == 0)
                continue;
            size_t j = mix64(k) & mask;
            while (to[j] != 0)
                j = (j + 1) & mask;
            to[j] = k;
        }
    }
    es_big_free(old, s->nshards * R * sizeof(uint64_t));
    s->slot = nslot;
    s->region = R2;
}

static void grow(es_edgeset *s)
{
    grow_to(s, 2 * s->region);
}

void es_edgeset_reserve(es_edgeset *s, size_t edges)
{
    const size_t R2 = region_for(edges, s->nshards);
    if (R2 > s->region)
        grow_to(s, R2);
}

/* 1 when key was added, 0 when present, -1 when adding it would fill its
 * region past three quarters (the caller grows the table and tries again). */
static inline int region_insert(es_edgeset *s, uint32_t p, uint64_t key, uint64_t h)
{
    shard *sh = &s->shard[p];
    if (key == 0) {
        if (sh->has_zero)
            return 0;
        sh->has_zero = TRUE;
        return 1;
    }
    uint64_t *reg = region_of(s, p);
    const size_t mask = s->region - 1;
    size_t i = h & mask;
    for (;;) {
        uint64_t k = reg[i];
        if (k == key)
            return 0;
        if (k == 0)
            break;
        i = (i + 1) & mask;
    }
    if (4 * (sh->used + 1) > 3 * s->region)
        return -1;
    reg[i] = key;
    sh->used++;
    return 1;
}

gboolean es_edgeset_insert(es_edgeset *s, uint32_t u, uint32_t v)
{
    uint64_t key = es_edge_key(u, v), h = mix64(key);
    g_return_val_if_fail(key != UINT64_MAX, FALSE);
    uint32_t p = shard_index(s, h);
    int r;
    while ((r = region_insert(s, p, key, h)) < 0)
        grow(s);
    if (r && s->logged) {
        log_reserve(s, 1);
        s->log[s->log_n++] = key;
    }
    return r;
}

gboolean es_edgeset_contains(const es_edgeset *s, uint32_t u, uint32_t v)
{
    uint64_t key = es_edge_key(u, v), h = mix64(key);
    uint32_t p = shard_index(s, h);
    if (key == 0)
        return s->shard[p].has_zero;
    const uint64_t *reg = region_of(s, p);
    const size_t mask = s->region - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (reg[i] == key)
            return TRUE;
        if (reg[i] == 0)
            return FALSE;
    }
}

size_t es_edgeset_size(const es_edgeset *s)
{
    size_t n = 0;
    for (uint32_t p = 0; p < s->nshards; p++)
        n += s->shard[p].used + (s->shard[p].has_zero ? 1 : 0);
    return n;
}

size_t es_edgeset_memory(const es_edgeset *s)
{
    return sizeof *s + s->nshards * (sizeof(shard) + s->region * sizeof(uint64_t))
           + s->scratch_cap * (sizeof(uint64_t) + sizeof(uint32_t)) + s->log_cap * sizeof(uint64_t);
}

uint32_t es_edgeset_shards(const es_edgeset *s)
{
    return s->nshards;
}

void es_edgeset_keys(const es_edgeset *s, uint64_t *out)
{
    size_t k = 0;
    for (uint32_t p = 0; p < s->nshards; p++) {
        if (s->shard[p].has_zero)
            out[k++] = 0;
        const uint64_t *reg = region_of(s, p);
        for (size_t i = 0; i < s->region; i++)
            if (reg[i] != 0)
                out[k++] = reg[i];
    }
}

const uint64_t *es_edgeset_log(const es_edgeset *s, size_t *n)
{
    *n = s->log_n;
    return s->logged ? s->log : NULL;
}

static size_t insert_sequential(es_edgeset *s, const es_edge *edges, size_t n,
                                gboolean skip_loops, uint8_t *is_new)
{
    size_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        if (skip_loops && edges[i].u == edges[i].v) {
            is_new[i] = 0;
            continue;
        }
        is_new[i] = (uint8_t)es_edgeset_insert(s, edges[i].u, edges[i].v);
        fresh += is_new[i];
    }
    return fresh;
}

/* Stable counting sort of a piece's keys by shard into the scratch:
 * afterwards shard p's keys are keys[start[p] .. start[p+1]), in stream
 * order, with their batch positions in pos[].  The counting grid is
 * slices x shards; thread t counts and scatters slice t, and the grid's
 * prefix sums, taken shard-major, keep slices in order. */
static void sort_by_shard(es_edgeset *s, const es_edge *edges, size_t n,
                          gboolean skip_loops, uint8_t *is_new, size_t *start)
{
    const uint32_t P = s->nshards;
    size_t *grid = g_new0(size_t, (size_t)omp_get_max_threads() * P);

    #pragma omp parallel
    {
        const int T = omp_get_num_threads(), t = omp_get_thread_num();
        const size_t lo = n * t / T, hi = n * (t + 1) / T;
        size_t *cnt = grid + (size_t)t * P;

        for (size_t i = lo; i < hi; i++) {
            if (skip_loops && edges[i].u == edges[i].v) {
                is_new[i] = 0;
                continue;
            }
            cnt[shard_index(s, mix64(es_edge_key(edges[i].u, edges[i].v)))]++;
        }
        #pragma omp barrier
        #pragma omp single
        es_scatter_offsets(grid, T, P, start); /* implied barrier */
        for (size_t i = lo; i < hi; i++) {
            if (skip_loops && edges[i].u == edges[i].v)
                continue;
            uint64_t key = es_edge_key(edges[i].u, edges[i].v);
            size_t at = cnt[shard_index(s, mix64(key))]++;
            s->keys[at] = key;
            s->pos[at] = (uint32_t)i;
        }
    }
    g_free(grid);
}

/* One piece of at most PIECE_MAX edges. */
static size_t insert_piece(es_edgeset *s, const es_edge *edges, size_t n,
                           gboolean skip_loops, uint8_t *is_new)
{
    const uint32_t P = s->nshards;
    size_t *start = g_new(size_t, (size_t)P + 1);
    size_t *next = g_new(size_t, P);  /* where each shard resumes */
    sort_by_shard(s, edges, n, skip_loops, is_new, start);
    memcpy(next, start, P * sizeof(size_t));

    size_t fresh = 0;
    for (;;) {
        int stalled = 0;
        #pragma omp parallel for schedule(dynamic, 1) reduction(+ : fresh) reduction(| : stalled)
        for (uint32_t p = 0; p < P; p++) {
            const uint64_t *reg = region_of(s, p);
            const size_t mask = s->region - 1, e = start[p + 1];
            size_t j = next[p];
            for (; j < e; j++) {
                if (j + PREFETCH_AHEAD < e)
                    __builtin_prefetch(&reg[mix64(s->keys[j + PREFETCH_AHEAD]) & mask], 1);
                uint64_t key = s->keys[j];
                int r = region_insert(s, p, key, mix64(key));
                if (r < 0) {
                    stalled = 1;
                    break;
                }
                is_new[s->pos[j]] = (uint8_t)r;
                fresh += (size_t)r;
            }
            next[p] = j;
        }
        if (!stalled)
            break;
        grow(s);
    }
    g_free(start);
    g_free(next);
    return fresh;
}

size_t es_edgeset_insert_batch(es_edgeset *s, const es_edge *edges, size_t n,
                               gboolean skip_loops, uint8_t *is_new)
{
    /* The sorted path pays even on one thread: its prefetches overlap the
     * cache misses that a plain loop takes one at a time. */
    if (n < PARALLEL_MIN)
        return insert_sequential(s, edges, n, skip_loops, is_new);
    size_t piece = n < PIECE_MAX ? n : PIECE_MAX;
    if (piece > s->scratch_cap) {
        size_t cap = es_grow_cap(s->scratch_cap, piece);
        if (cap > PIECE_MAX)
            cap = PIECE_MAX;
        /* Scratch contents need not survive: free and allocate, no copy. */
        es_big_free(s->keys, s->scratch_cap * sizeof(uint64_t));
        es_big_free(s->pos, s->scratch_cap * sizeof(uint32_t));
        s->keys = es_big_alloc(cap * sizeof(uint64_t));
        s->pos = es_big_alloc(cap * sizeof(uint32_t));
        s->scratch_cap = cap;
    }
    size_t fresh = 0;
    for (size_t at = 0; at < n; at += piece) {
        const size_t len = n - at < piece ? n - at : piece;
        const size_t got = insert_piece(s, edges + at, len, skip_loops, is_new + at);
        if (s->logged && got > 0) {
            /* Every key is stored, and the end moves past the new ones
             * only: no branch to mispredict on a coin flip of new and
             * old (the slot past the new end is written over; it is not
             * the log's yet). */
            log_reserve(s, got + 1);
            uint64_t *log = s->log + s->log_n;
            const es_edge *e = edges + at;
            const uint8_t *fresh_at = is_new + at;
            for (size_t i = 0; i < len; i++) {
                *log = es_edge_key(e[i].u, e[i].v);
                log += fresh_at[i];
            }
            s->log_n += got;
        }
        fresh += got;
    }
    return fresh;
}

/* ---- sorted walk --------------------------------------------------------- */

#define WALK_BITS 16
#define WALK_BUCKETS ((size_t)1 << WALK_BITS)

typedef struct {
    const es_edgeset *s;
    size_t max_piece;
    uint64_t *buf, *tmp;   /* max_piece keys each */
    es_edgeset_keys_fn fn;
    void *user;
} walk;

/* Every key k with lo <= k <= hi is passed to VISIT; key 0 (a flag, not a
 * slot) only when lo is 0. */
#define FOR_KEYS_IN(s, lo, hi, VISIT)                                            \
    do {                                                                         \
        const uint64_t lo_ = (lo), span_ = (hi) - lo_;                           \
        if (lo_ == 0)                                                            \
            for (uint32_t p_ = 0; p_ < (s)->nshards; p_++)                       \
                if ((s)->shard[p_].has_zero) {                                   \
                    const uint64_t key = 0;                                      \
                    VISIT;                                                       \
                }                                                                \
        const uint64_t *slot_ = (s)->slot;                                       \
        const size_t total_ = (size_t)(s)->nshards * (s)->region;                \
        for (size_t i_ = 0; i_ < total_; i_++) {                                 \
            const uint64_t key = slot_[i_];                                      \
            if (key - lo_ <= span_ && key != 0) {                                \
                VISIT;                                                           \
            }                                                                    \
        }                                                                        \
    } while (0)

/* Sort a[0 .. n-1], all in [lo, lo + span], using tmp; returns the buffer
 * that holds the result (a or tmp). */
static uint64_t *radix_sort(uint64_t *a, uint64_t *tmp, size_t n, uint64_t lo, uint64_t span)
{
    unsigned digits = 0;
    while (digits < 8 && (span >> (8 * digits)) != 0)
        digits++;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = a[i] - lo;
        for (unsigned d = 0; d < digits; d++)
            count[d][(x >> (8 * d)) & 0xff]++;
    }
    for (unsigned d = 0; d < digits; d++) {
        size_t off = 0;
        gboolean one_value = FALSE;
        for (int b = 0; b < 256; b++) {
            size_t c = count[d][b];
            if (c == n)
                one_value = TRUE;
            count[d][b] = off;
            off += c;
        }
        if (one_value)
            continue;
        for (size_t i = 0; i < n; i++)
            tmp[count[d][((a[i] - lo) >> (8 * d)) & 0xff]++] = a[i];
        uint64_t *t = a; a = tmp; tmp = t;
    }
    return a;
}

/* Walk the `count` keys in [lo, hi]. */
static gboolean walk_range(walk *w, uint64_t lo, uint64_t hi, size_t count)
{
    const es_edgeset *s = w->s;
    if (count == 0)
        return TRUE;
    if (count <= w->max_piece) {
        uint64_t *buf = w->buf;
        size_t k = 0;
        FOR_KEYS_IN(s, lo, hi, buf[k++] = key);
        g_assert(k == count);
        return w->fn(radix_sort(buf, w->tmp, k, lo, hi - lo), k, w->user);
    }
    /* Too many for one piece: count the keys of 2^16 equal sub-ranges, then
     * walk runs of consecutive sub-ranges that fit in a piece. */
    const uint64_t span = hi - lo;
    unsigned shift = 0;
    while ((span >> shift) >= WALK_BUCKETS)
        shift++;
    const size_t nb = (size_t)(span >> shift) + 1;
    size_t *hist = g_new0(size_t, nb);
    FOR_KEYS_IN(s, lo, hi, hist[(key - lo) >> shift]++);
    gboolean ok = TRUE;
    for (size_t b = 0, e; ok && b < nb; b = e) {
        size_t c = hist[b];
        e = b + 1;
        while (e < nb && c + hist[e] <= w->max_piece)
            c += hist[e++];
        /* A lone sub-range with more than max_piece keys is 2^16 times
         * narrower than [lo, hi]: the recursion ends. */
        uint64_t sub_lo = lo + ((uint64_t)b << shift);
        uint64_t sub_hi = e == nb ? hi : lo + ((uint64_t)e << shift) - 1;
        ok = walk_range(w, sub_lo, sub_hi, c);
    }
    g_free(hist);
    return ok;
}

gboolean es_edgeset_foreach_sorted(const es_edgeset *s, size_t max_piece,
                                   es_edgeset_keys_fn fn, void *user)
{
    g_return_val_if_fail(s != NULL && fn != NULL && max_piece >= 1, FALSE);
    const size_t n = es_edgeset_size(s);
    if (n == 0)
        return TRUE;
    uint64_t lo = UINT64_MAX, hi = 0;
    FOR_KEYS_IN(s, 0, UINT64_MAX, {
        if (key < lo) lo = key;
        if (key > hi) hi = key;
    });
    const size_t piece = n < max_piece ? n : max_piece;
    walk w = {
        .s = s,
        .max_piece = piece,
        .buf = es_big_alloc(piece * sizeof(uint64_t)),
        .tmp = es_big_alloc(piece * sizeof(uint64_t)),
        .fn = fn,
        .user = user,
    };
    gboolean ok = walk_range(&w, lo, hi, n);
    es_big_free(w.buf, piece * sizeof(uint64_t));
    es_big_free(w.tmp, piece * sizeof(uint64_t));
    return ok;
}
