/* idmap.c — the vertex id map: external u64 ids -> dense u32 ids in order
 * of first appearance, and back (the contract is in idmap.h).
 *
 * Algorithm: open addressing with linear probing (Peterson 1957; Knuth,
 * TAOCP vol. 3, 6.4) over a power-of-two table of 12-byte slots {key,
 * dense + 1}, so a probe touches one cache line (rarely two) and a run of
 * probes the next few; a value field of 0 marks an empty slot, which
 * leaves every u64 (0 and UINT64_MAX included) usable as a key.  The slot
 * index is the low bits of the splitmix64 finalizer (Steele, Lea & Flood,
 * OOPSLA 2014) of the key, a bijective mix that spreads clustered ids
 * (SNAP's 0..n, R-MAT's, multiples of 2^32) evenly.  The table doubles
 * when it would pass half full, so expected probe counts stay below 1.5
 * (hit) and 2.5 (miss); a rehash re-inserts the keys from the reverse
 * array, in dense order, prefetching ahead.  The reverse array (dense ->
 * external) grows geometrically.
 *
 * es_idmap_map_ids() keeps the hashes of the next PREFETCH_AHEAD ids in a
 * ring and prefetches their slots while it resolves the current one, so a
 * table larger than the caches costs about one miss's latency per
 * PREFETCH_AHEAD ids instead of one per id; ids are still resolved one
 * after the other, so first-appearance order is exactly that of the array.
 *
 * Cost: expected O(1) per id; 12 bytes per slot at 25-50% load plus 8 bytes
 * per vertex in the reverse array, i.e. 32-56 bytes per vertex.  Large
 * arrays come from es_big_alloc (huge pages).  Measured figures against
 * GLib's GHashTable: bench/bench_idmap.c and bench/RESULTS.md.
 *
 * Guarantees: exact (no false positives or negatives); dense ids are
 * 0 .. size-1 in order of first appearance; at most ES_IDMAP_MAX_VERTICES
 * vertices, beyond which an ES_ERROR_DATA error is returned and the map is
 * left unchanged.
 */
#include "graph/idmap.h"

#include <string.h>

#include "graph/common.h"

/* The vertex limit; the unit tests compile this file with a small one to
 * reach the full-map error. */
#ifndef ES_IDMAP_LIMIT
#define ES_IDMAP_LIMIT ES_IDMAP_MAX_VERTICES
#endif

/* Prefetch distance in ids: enough to cover a DRAM miss (~100 ns) at a few
 * ns per id; a power of two (the hash ring is indexed with a mask). */
#define PREFETCH_AHEAD 16

#define MIN_SLOTS 16

/* 12 bytes, unaligned: a quarter less memory than a padded 16-byte slot,
 * which on these machines (expensive first touch, table larger than the
 * caches) took 15-25% less CPU time on 10 M distinct ids; 2 slots in 16
 * straddle a cache line. */
typedef struct __attribute__((packed)) {
    uint64_t key;
    uint32_t val;   /* dense id + 1; 0 = empty */
} slot;

struct es_idmap {
    slot     *tab;
    size_t    mask;      /* number of slots - 1 */
    size_t    grow_at;   /* size at which the table doubles: slots / 2 */
    uint64_t *ext;       /* dense -> external */
    size_t    ext_cap;
    es_log_memory mem;   /* how ext grows */
    uint32_t  size;
};

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static size_t slots_for(size_t vertices)
{
    size_t n = MIN_SLOTS;
    while (n / 2 < vertices)
        n *= 2;
    return n;
}

es_idmap *es_idmap_new(size_t expected_vertices, const es_log_memory *mem)
{
    if (expected_vertices > ES_IDMAP_MAX_VERTICES)
        expected_vertices = ES_IDMAP_MAX_VERTICES;
    es_idmap *m = g_new0(es_idmap, 1);
    size_t n = slots_for(expected_vertices);
    m->tab = es_big_alloc(n * sizeof(slot));
    m->mask = n - 1;
    m->grow_at = n / 2;
    m->ext_cap = expected_vertices < MIN_SLOTS ? MIN_SLOTS : expected_vertices;
    m->mem = mem ? *mem : es_log_memory_plain;
    m->ext = m->mem.grow(NULL, 0, m->ext_cap * sizeof(uint64_t));
    return m;
}

void es_idmap_free(es_idmap *m)
{
    if (m == NULL)
        return;
    es_big_free(m->tab, (m->mask + 1) * sizeof(slot));
    m->mem.free(m->ext, m->ext_cap * sizeof(uint64_t));
    g_free(m);
}

/* Double the table and re-insert every key.  The keys are distinct, so each
 * goes to the first empty slot of its probe sequence without comparisons. */
static G_GNUC_NO_INLINE void grow_table(es_idmap *m)
{
    size_t old_n = m->mask + 1, n = 2 * old_n, mask = n - 1;
    es_big_free(m->tab, old_n * sizeof(slot));
    slot *tab = es_big_alloc(n * sizeof(slot));
    const uint64_t *ext = m->ext;
    uint32_t size = m->size;
    for (uint32_t d = 0; d < size; d++) {
        if (d + PREFETCH_AHEAD < size)
            __builtin_prefetch(&tab[mix64(ext[d + PREFETCH_AHEAD]) & mask], 1);
        size_t i = mix64(ext[d]) & mask;
        while (tab[i].val != 0)
            i = (i + 1) & mask;
        tab[i].key = ext[d];
        tab[i].val = d + 1;
    }
    m->tab = tab;
    m->mask = mask;
    m->grow_at = n / 2;
}

/* Add ext, known absent, whose probe sequence (hash h) reached the empty
 * slot i. */
static inline gboolean add_new(es_idmap *m, uint64_t ext, uint64_t h, size_t i, uint32_t *dense, GError **error)
{
    if (G_UNLIKELY(m->size >= ES_IDMAP_LIMIT)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "too many distinct vertices (limit %u)",
                    (unsigned)ES_IDMAP_LIMIT);
        return FALSE;
    }
    if (G_UNLIKELY(m->size >= m->grow_at)) {
        grow_table(m);
        i = h & m->mask;
        while (m->tab[i].val != 0)
            i = (i + 1) & m->mask;
    }
    if (G_UNLIKELY(m->size == m->ext_cap)) {
        size_t cap = es_grow_cap(m->ext_cap, (size_t)m->size + 1);
        m->ext = m->mem.grow(m->ext, m->ext_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        m->ext_cap = cap;
    }
    uint32_t d = m->size++;
    m->ext[d] = ext;
    m->tab[i].key = ext;
    m->tab[i].val = d + 1;
    *dense = d;
    return TRUE;
}

static inline gboolean get_or_add_hashed(es_idmap *m, uint64_t ext, uint64_t h, uint32_t *dense, GError **error)
{
    const slot *tab = m->tab;
    size_t mask = m->mask, i = h & mask;
    for (;;) {
        uint32_t val = tab[i].val;
        if (val == 0)
            return add_new(m, ext, h, i, dense, error);
        if (tab[i].key == ext) {
            *dense = val - 1;
            return TRUE;
        }
        i = (i + 1) & mask;
    }
}

gboolean es_idmap_get_or_add(es_idmap *m, uint64_t ext, uint32_t *dense, GError **error)
{
    g_return_val_if_fail(m != NULL && dense != NULL, FALSE);
    return get_or_add_hashed(m, ext, mix64(ext), dense, error);
}

gboolean es_idmap_map_ids(es_idmap *m, const uint64_t *ext, uint32_t *dense, size_t n, GError **error)
{
    g_return_val_if_fail(m != NULL && (n == 0 || (ext != NULL && dense != NULL)), FALSE);
    uint64_t ring[PREFETCH_AHEAD];
    size_t head = n < PREFETCH_AHEAD ? n : PREFETCH_AHEAD;
    for (size_t j = 0; j < head; j++) {
        ring[j] = mix64(ext[j]);
        __builtin_prefetch(&m->tab[ring[j] & m->mask]);
    }
    size_t i = 0;
    /* The table may move (grow) inside the loop: the ring keeps full hashes
     * and slots are found from the current table; a prefetch into the old
     * one is merely wasted. */
    for (; i + PREFETCH_AHEAD < n; i++) {
        uint64_t h = ring[i % PREFETCH_AHEAD];
        uint64_t ahead = mix64(ext[i + PREFETCH_AHEAD]);
        ring[i % PREFETCH_AHEAD] = ahead;
        __builtin_prefetch(&m->tab[ahead & m->mask]);
        if (G_UNLIKELY(!get_or_add_hashed(m, ext[i], h, &dense[i], error)))
            return FALSE;
    }
    for (; i < n; i++)
        if (G_UNLIKELY(!get_or_add_hashed(m, ext[i], ring[i % PREFETCH_AHEAD], &dense[i], error)))
            return FALSE;
    return TRUE;
}

gboolean es_idmap_map_lines(es_idmap *m, const uint64_t *ext, const uint8_t *del, uint32_t *dense, size_t n,
                            GError **error)
{
    if (del == NULL)
        return es_idmap_map_ids(m, ext, dense, 2 * n, error);
    for (size_t i = 0; i < n;) {
        if (del[i]) {
            uint32_t a = 0, b = 0;
            const gboolean ha = es_idmap_lookup(m, ext[2 * i], &a);
            const gboolean hb = es_idmap_lookup(m, ext[2 * i + 1], &b);
            if (!ha || !hb)
                a = b = ha ? a : hb ? b : 0;
            dense[2 * i] = a;
            dense[2 * i + 1] = b;
            i++;
            continue;
        }
        /* a run of insertion lines in one call (its batched lookups, not
         * one call per line: that was 10% of a run with deletions) */
        size_t j = i + 1;
        while (j < n && !del[j])
            j++;
        if (!es_idmap_map_ids(m, ext + 2 * i, dense + 2 * i, 2 * (j - i), error))
            return FALSE;
        i = j;
    }
    return TRUE;
}

gboolean es_idmap_lookup(const es_idmap *m, uint64_t ext, uint32_t *dense)
{
    g_return_val_if_fail(m != NULL, FALSE);
    size_t mask = m->mask, i = mix64(ext) & mask;
    for (;;) {
        uint32_t val = m->tab[i].val;
        if (val == 0)
            return FALSE;
        if (m->tab[i].key == ext) {
            if (dense)
                *dense = val - 1;
            return TRUE;
        }
        i = (i + 1) & mask;
    }
}

uint64_t es_idmap_external(const es_idmap *m, uint32_t dense)
{
    g_return_val_if_fail(m != NULL && dense < m->size, 0);
    return m->ext[dense];
}

const uint64_t *es_idmap_externals(const es_idmap *m)
{
    g_return_val_if_fail(m != NULL, NULL);
    return m->ext;
}

uint32_t es_idmap_size(const es_idmap *m)
{
    g_return_val_if_fail(m != NULL, 0);
    return m->size;
}

gboolean es_idmap_add_all(es_idmap *m, const uint64_t *ext, uint32_t n, GError **error)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d;
        if (!es_idmap_get_or_add(m, ext[i], &d, error))
            return FALSE;
        if (d != i) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "snapshot id map lists vertex %" G_GUINT64_FORMAT " twice", ext[i]);
            return FALSE;
        }
    }
    return TRUE;
}
