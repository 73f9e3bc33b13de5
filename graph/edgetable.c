/* edgetable.c — the edge table (see edgetable.h): the sharded edge set
 * tells first sightings, a side table holds multiplicities other than 1,
 * and one pass in stream order states the answers in the dataflow's terms
 * (appearances, disappearances); also the one check of restored keys. */
#include "graph/edgetable.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "snapshot/logmem.h"

/* Restored keys are inserted in pieces of this many (bounds the scratch). */
#define ADD_PIECE ((size_t)1 << 20)

/* Multiplicities other than 1 of pairs in the set: linear probing over a
 * power-of-two table, key 0 (the self-loop (0, 0), never a pair) empty.
 * Entries are never removed (a count back at 1 stays), except in a
 * window's table (es_edgetable_window), which keeps the multiplicity of
 * every present pair and no other: there a pair at 0 leaves by
 * backward-shift deletion, so probes stay as short as the load allows
 * without tombstones.  A key and its
 * count share one 16-byte entry, so that a probe is one cache miss, not
 * two: these probes were most of a sliding window's table (every expiry
 * takes one), bench/RESULTS.md. */
typedef struct {
    uint64_t key;
    uint32_t cnt;
} count_entry;

typedef struct {
    count_entry *e;
    size_t       cap, used;
} countmap;

/* How many lines ahead settle fetches the entries it will probe. */
#define COUNT_AHEAD 16

struct es_edgetable {
    es_edgeset *set;
    countmap    counts;
    size_t      present;      /* as of the last apply */
    uint64_t    ignored;
    uint64_t    deletions;    /* deletion lines (ES_LINE_DELETE) applied */
    gboolean    logged;       /* the set keeps a log (es_edgetable_unlog ends it) */
    gboolean    dynamic;      /* a deletion was seen */
    es_edgetable_mark seen;   /* what keys and edges say (apply_ahead) */
    /* The multiplicities other than 1 at the last barrier (es_edgetable_
     * freeze), sorted by key; caps in bytes. */
    uint64_t   *f_key;
    uint32_t   *f_cnt;
    size_t      f_n, f_key_cap, f_cnt_cap;
    uint64_t    f_deletions, f_ignored;
    uint64_t    applies, f_applies;   /* applies so far, and at the last freeze (+ 1) */
    size_t      reserved;     /* the most pairs es_edgetable_reserve made room for */
    gboolean    window;       /* present pairs only, in counts (es_edgetable_window): no set */
    /* A window's table while every id is below 2^PACK_ID_BITS: the same
     * slots as counts would hold, 8 bytes each (packed, below), and the
     * multiplicities of PACK_MANY or more in `many` (key -> count). */
    uint64_t   *packed;
    size_t      p_cap, p_used;
    GHashTable *many;
};

/* A packed entry: u << 36 | v << 8 | c for the pair u < v (both below
 * 2^28), c its multiplicity, or PACK_MANY when that is PACK_MANY or more
 * (then in `many`); 0 is an empty slot (v > u >= 0 makes an entry
 * nonzero).  Half the bytes of a count_entry: a sliding window's table
 * is a random access per line entering and per line leaving, and a table
 * of half the size stays in the cache more often. */
#define PACK_ID_BITS 28
#define PACK_MANY    255u

static inline uint64_t pack_key(uint64_t k)   /* (k = u << 32 | v) */
{
    return (k >> 32) << 36 | (k & 0xffffffffu) << 8;
}

static inline uint64_t unpack_key(uint64_t x)
{
    return (x >> 36) << 32 | ((x >> 8) & ((UINT64_C(1) << PACK_ID_BITS) - 1));
}

/* The product's high half folded onto its low one, so that every bit of
 * the key reaches the slot (the middle bits of the product alone miss the
 * high bits of u). */
static inline size_t slot_of(uint64_t k, size_t cap)
{
    const uint64_t h = k * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

/* The multiplicity of key k; `absent` is that of a key with no entry: 1
 * for a key known to be in the set, 0 in a window's table (its present
 * pairs alone). */
static uint32_t count_of(const countmap *m, uint64_t k, uint32_t absent)
{
    if (m->used == 0)
        return absent;
    for (size_t i = slot_of(k, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->e[i].key == k)
            return m->e[i].cnt;
        if (m->e[i].key == 0)
            return absent;
    }
}

/* Rehash m into cap slots (a power of two above its load). */
static void count_rehash(countmap *m, size_t cap)
{
    countmap g = { .cap = cap };
    g.e = es_big_alloc(g.cap * sizeof *g.e);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->e[i].key == 0)
            continue;
        size_t j = slot_of(m->e[i].key, g.cap);
        while (g.e[j].key != 0)
            j = (j + 1) & (g.cap - 1);
        g.e[j] = m->e[i];
    }
    g.used = m->used;
    es_big_free(m->e, m->cap * sizeof *m->e);
    *m = g;
}

/* The entry of a key known to be in the set, made (at multiplicity 1)
 * when it has none: one probe for a read and the write after it. */
static count_entry *count_slot(countmap *m, uint64_t k)
{
    if (4 * (m->used + 1) > 3 * m->cap)
        count_rehash(m, m->cap ? 2 * m->cap : 1024);
    size_t i = slot_of(k, m->cap);
    while (m->e[i].key != 0 && m->e[i].key != k)
        i = (i + 1) & (m->cap - 1);
    if (m->e[i].key == 0) {
        m->e[i] = (count_entry){ k, 1 };
        m->used++;
    }
    return &m->e[i];
}

static void count_set(countmap *m, uint64_t k, uint32_t c)
{
    count_slot(m, k)->cnt = c;
}

/* Empty entry i, moving back each later entry of its run that may sit
 * there (its home is not in (i, j]), so that no probe needs a tombstone. */
static void count_remove_at(countmap *m, size_t i)
{
    const size_t mask = m->cap - 1;
    for (size_t j = (i + 1) & mask; m->e[j].key != 0; j = (j + 1) & mask) {
        const size_t home = slot_of(m->e[j].key, m->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->e[i] = m->e[j];
            i = j;
        }
    }
    m->e[i] = (count_entry){ 0, 0 };
    m->used--;
}

/* ---- a window's packed table (see es_edgetable.packed) ---- */

static inline uint32_t packed_count(const es_edgetable *t, uint64_t x)
{
    const uint32_t c = (uint32_t)(x & 0xff);
    if (c < PACK_MANY)
        return c;
    return (uint32_t)GPOINTER_TO_SIZE(g_hash_table_lookup(t->many, GSIZE_TO_POINTER((gsize)unpack_key(x))));
}

/* Entry j (of pair key k) holds c >= 1 now; it held `old` (its low byte). */
static inline void packed_set(es_edgetable *t, size_t j, uint64_t k, uint32_t old, uint32_t c)
{
    if (c >= PACK_MANY) {
        t->packed[j] = pack_key(k) | PACK_MANY;
        g_hash_table_insert(t->many, GSIZE_TO_POINTER((gsize)k), GSIZE_TO_POINTER((gsize)c));
        return;
    }
    if (old == PACK_MANY)
        g_hash_table_remove(t->many, GSIZE_TO_POINTER((gsize)k));
    t->packed[j] = pack_key(k) | c;
}

static inline size_t packed_find(const es_edgetable *t, uint64_t pk)
{
    size_t j = slot_of(unpack_key(pk), t->p_cap);
    while (t->packed[j] != 0 && (t->packed[j] & ~UINT64_C(0xff)) != pk)
        j = (j + 1) & (t->p_cap - 1);
    return j;
}

static void packed_rehash(es_edgetable *t, size_t cap)
{
    uint64_t *g = es_big_alloc(cap * sizeof *g);
    for (size_t i = 0; i < t->p_cap; i++) {
        if (t->packed[i] == 0)
            continue;
        size_t j = slot_of(unpack_key(t->packed[i]), cap);
        while (g[j] != 0)
            j = (j + 1) & (cap - 1);
        g[j] = t->packed[i];
    }
    es_big_free(t->packed, t->p_cap * sizeof *t->packed);
    t->packed = g;
    t->p_cap = cap;
}

/* count_remove_at's backward shift, on the packed slots. */
static void packed_remove_at(es_edgetable *t, size_t i)
{
    const size_t mask = t->p_cap - 1;
    for (size_t j = (i + 1) & mask; t->packed[j] != 0; j = (j + 1) & mask) {
        const size_t home = slot_of(unpack_key(t->packed[j]), t->p_cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->packed[i] = t->packed[j];
            i = j;
        }
    }
    t->packed[i] = 0;
    t->p_used--;
}

/* An id of 2^PACK_ID_BITS or more: the counts take over, slot for slot
 * (the same hash and probes, so the same places). */
static void widen(es_edgetable *t)
{
    countmap *m = &t->counts;
    m->cap = t->p_cap;
    m->used = t->p_used;
    m->e = es_big_alloc(m->cap * sizeof *m->e);
    for (size_t i = 0; i < t->p_cap; i++)
        if (t->packed[i] != 0)
            m->e[i] = (count_entry){ unpack_key(t->packed[i]), packed_count(t, t->packed[i]) };
    es_big_free(t->packed, t->p_cap * sizeof *t->packed);
    t->packed = NULL;
    t->p_cap = t->p_used = 0;
    g_clear_pointer(&t->many, g_hash_table_destroy);
}

es_edgetable *es_edgetable_new(gboolean logged, const es_log_memory *mem)
{
    es_edgetable *t = g_new0(es_edgetable, 1);
    t->set = logged ? es_edgeset_new_logged(0, 0, mem) : es_edgeset_new(0, 0);
    t->logged = logged;
    return t;
}

void es_edgetable_free(es_edgetable *t)
{
    if (t == NULL)
        return;
    es_edgeset_free(t->set);
    es_big_free(t->counts.e, t->counts.cap * sizeof *t->counts.e);
    es_big_free(t->packed, t->p_cap * sizeof *t->packed);
    if (t->many)
        g_hash_table_destroy(t->many);
    es_big_free(t->f_key, t->f_key_cap);
    es_big_free(t->f_cnt, t->f_cnt_cap);
    g_free(t);
}

void es_edgetable_unlog(es_edgetable *t)
{
    es_edgeset_unlog(t->set);
    t->logged = FALSE;
    t->seen.keys = NULL;
    t->seen.n = es_edgeset_size(t->set);
}

void es_edgetable_reserve(es_edgetable *t, size_t pairs)
{
    if (!t->window)   /* (a window's pairs are bounded by its lines) */
        es_edgeset_reserve(t->set, pairs);
    t->reserved = MAX(t->reserved, pairs);
}

void es_edgetable_window(es_edgetable *t, size_t lines)
{
    g_assert(es_edgeset_size(t->set) == 0 && es_edgeset_log(t->set, &(size_t){ 0 }) == NULL && t->counts.used == 0);
    t->window = TRUE;
    t->dynamic = TRUE;
    size_t cap = 1024;
    while (3 * cap < 4 * lines)
        cap *= 2;
    t->p_cap = cap;
    t->packed = es_big_alloc(cap * sizeof *t->packed);
    t->many = g_hash_table_new(g_direct_hash, g_direct_equal);
}

size_t es_edgetable_reserved(const es_edgetable *t)
{
    return t->reserved;
}

/* A self-loop line's answer, in every settle: a self-loop is never in the
 * graph, so its deletion changes nothing (ignored), and its insertion or
 * expiry (it leaves as it came) is seen. */
static inline uint8_t settle_self_loop(es_edgetable *t, uint8_t kind)
{
    const gboolean ignored = kind == ES_LINE_DELETE;
    t->ignored += ignored;
    return ignored ? ES_EDGE_IGNORED : ES_EDGE_SEEN;
}

/* The answers of a batch whose set insertion said is_new (1: first seen)
 * in change[]: one pass in stream order over the repeats and deletions. */
static size_t settle(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n, uint8_t *change)
{
    size_t appear = 0;
    for (size_t i = 0; i < n; i++) {
        /* (written out here: GCC 12 at -O2 dropped the calls of a static
         * helper holding only this prefetch) */
        if (i + COUNT_AHEAD < n && t->counts.cap > 0 && ((del && del[i + COUNT_AHEAD]) || change[i + COUNT_AHEAD] != 1))
            __builtin_prefetch(&t->counts.e[slot_of(es_edge_key(edges[i + COUNT_AHEAD].u, edges[i + COUNT_AHEAD].v),
                                                    t->counts.cap)], 1);
        const uint32_t u = edges[i].u, v = edges[i].v;
        const gboolean d = del && del[i];
        t->deletions += d && del[i] == ES_LINE_DELETE;
        if (G_UNLIKELY(u == v)) {
            change[i] = settle_self_loop(t, del ? del[i] : ES_LINE_INSERT);
            continue;
        }
        if (G_LIKELY(!d && change[i] == 1)) {
            appear++;
            continue;
        }
        const uint64_t k = es_edge_key(u, v);
        if (!d) {
            count_entry *x = count_slot(&t->counts, k);
            const uint32_t c = x->cnt;
            if (c != UINT32_MAX)
                x->cnt = c + 1;
            change[i] = c == 0 ? ES_EDGE_APPEARS : ES_EDGE_SEEN;
            appear += c == 0;
            continue;
        }
        /* A deletion: of a pair the insertion just put in the set (absent
         * until now: it stays at 0), or of one already there. */
        count_entry *x = count_slot(&t->counts, k);
        const uint32_t c = change[i] == 1 ? 0 : x->cnt;
        if (c == 0 || c == UINT32_MAX) {   /* absent, or saturated: leave it */
            if (change[i] == 1)
                x->cnt = 0;
            change[i] = c == 0 ? ES_EDGE_IGNORED : ES_EDGE_SEEN;
            t->ignored += c == 0;
            continue;
        }
        x->cnt = c - 1;
        change[i] = c == 1 ? ES_EDGE_DISAPPEARS : ES_EDGE_SEEN;
        t->present -= c == 1;
    }
    t->present += appear;
    return appear;
}

/* settle_window on the packed slots, up to the first line naming an id
 * of 2^PACK_ID_BITS or more (after which the counts take over); returns
 * the lines it settled. */
static size_t settle_packed(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n, uint8_t *change,
                            size_t *appeared)
{
    size_t appear = 0, i = 0;
    for (; i < n; i++) {
        if (i + COUNT_AHEAD < n) {   /* (as settle_window: the home's line and the next) */
            const size_t h = slot_of(es_edge_key(edges[i + COUNT_AHEAD].u, edges[i + COUNT_AHEAD].v), t->p_cap);
            __builtin_prefetch(&t->packed[h], 1);
            __builtin_prefetch(&t->packed[(h + 7) & (t->p_cap - 1)], 1);
        }
        const uint32_t u = edges[i].u, v = edges[i].v;
        if (G_UNLIKELY((u | v) >> PACK_ID_BITS)) {
            widen(t);
            break;
        }
        const gboolean d = del && del[i];
        t->deletions += d && del[i] == ES_LINE_DELETE;
        if (G_UNLIKELY(u == v)) {
            change[i] = settle_self_loop(t, del ? del[i] : ES_LINE_INSERT);
            continue;
        }
        const uint64_t k = es_edge_key(u, v), pk = pack_key(k);
        if (!d && 4 * (t->p_used + 1) > 3 * t->p_cap)
            packed_rehash(t, 2 * t->p_cap);
        const size_t j = packed_find(t, pk);
        const uint64_t x = t->packed[j];
        if (!d) {
            if (x == 0) {
                t->packed[j] = pk | 1;
                t->p_used++;
                change[i] = ES_EDGE_APPEARS;
                appear++;
            } else {
                const uint32_t c = packed_count(t, x);
                if (c != UINT32_MAX)
                    packed_set(t, j, k, (uint32_t)(x & 0xff), c + 1);
                change[i] = ES_EDGE_SEEN;
            }
            continue;
        }
        const uint32_t c = x == 0 ? 0 : packed_count(t, x);
        if (x == 0 || c == UINT32_MAX) {   /* absent, or saturated: leave it */
            change[i] = x == 0 ? ES_EDGE_IGNORED : ES_EDGE_SEEN;
            t->ignored += x == 0;
            continue;
        }
        if (c == 1) {
            packed_remove_at(t, j);
            change[i] = ES_EDGE_DISAPPEARS;
            t->present--;
        } else {
            packed_set(t, j, k, (uint32_t)(x & 0xff), c - 1);
            change[i] = ES_EDGE_SEEN;
        }
    }
    t->present += appear;
    *appeared = appear;
    return i;
}

/* settle for a window's table: the counts alone answer, one probe a
 * line; a pair leaves them when it reaches 0.  The answers and counters
 * are settle's for the same lines. */
static size_t settle_window(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n, uint8_t *change)
{
    size_t packed_appear = 0;
    const size_t done = t->packed ? settle_packed(t, edges, del, n, change, &packed_appear) : 0;
    edges += done;
    change += done;
    if (del)
        del += done;
    n -= done;
    countmap *m = &t->counts;
    size_t appear = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + COUNT_AHEAD < n) {
            /* the home's line, and the next one a probe or a removal's
             * backward shift runs into from the home's end */
            const size_t h = slot_of(es_edge_key(edges[i + COUNT_AHEAD].u, edges[i + COUNT_AHEAD].v), m->cap);
            __builtin_prefetch(&m->e[h], 1);
            __builtin_prefetch(&m->e[(h + 3) & (m->cap - 1)], 1);
        }
        const uint32_t u = edges[i].u, v = edges[i].v;
        const gboolean d = del && del[i];
        t->deletions += d && del[i] == ES_LINE_DELETE;
        if (G_UNLIKELY(u == v)) {
            change[i] = settle_self_loop(t, del ? del[i] : ES_LINE_INSERT);
            continue;
        }
        const uint64_t k = es_edge_key(u, v);
        if (!d && 4 * (m->used + 1) > 3 * m->cap)
            count_rehash(m, 2 * m->cap);
        size_t j = slot_of(k, m->cap);
        while (m->e[j].key != 0 && m->e[j].key != k)
            j = (j + 1) & (m->cap - 1);
        count_entry *x = &m->e[j];
        if (!d) {
            if (x->key == 0) {
                *x = (count_entry){ k, 1 };
                m->used++;
                change[i] = ES_EDGE_APPEARS;
                appear++;
            } else {
                x->cnt += x->cnt != UINT32_MAX;
                change[i] = ES_EDGE_SEEN;
            }
            continue;
        }
        if (x->key == 0 || x->cnt == UINT32_MAX) {   /* absent, or saturated: leave it */
            change[i] = x->key == 0 ? ES_EDGE_IGNORED : ES_EDGE_SEEN;
            t->ignored += x->key == 0;
            continue;
        }
        if (x->cnt == 1) {
            count_remove_at(m, j);
            change[i] = ES_EDGE_DISAPPEARS;
            t->present--;
        } else {
            x->cnt--;
            change[i] = ES_EDGE_SEEN;
        }
    }
    t->present += appear;
    return packed_appear + appear;
}

size_t es_edgetable_apply_ahead_signed(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n,
                                       uint8_t *change, es_edgetable_mark *mark)
{
    /* es_edgeset's is_new is 1 for a pair first seen, else 0.  A batch of
     * expiries (a sliding window's pane) takes back lines this table
     * counted: every pair is in the set, so it asks only the counts. */
    if (del != NULL)   /* (written only then: a barrier reads it beside this) */
        t->dynamic = TRUE;
    t->applies++;
    size_t fresh;
    if (t->window) {
        fresh = settle_window(t, edges, del, n, change);
    } else {
        if (n > 0 && del != NULL && del[0] == ES_LINE_EXPIRE)
            memset(change, 0, n);
        else
            es_edgeset_insert_batch(t->set, edges, n, TRUE, change);
        fresh = settle(t, edges, del, n, change);
    }
    mark->keys = es_edgeset_log(t->set, &mark->n);
    if (mark->keys == NULL)
        mark->n = es_edgeset_size(t->set);
    mark->present = t->present;
    mark->ignored = t->ignored;
    mark->deletions = t->deletions;
    return fresh;
}

size_t es_edgetable_apply_ahead(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change,
                                es_edgetable_mark *mark)
{
    return es_edgetable_apply_ahead_signed(t, edges, NULL, n, change, mark);
}

void es_edgetable_catch_up(es_edgetable *t, const es_edgetable_mark *mark)
{
    t->seen = *mark;
}

void es_edgetable_refresh(es_edgetable *t)
{
    size_t n;
    t->seen.keys = es_edgeset_log(t->set, &n);
}

size_t es_edgetable_apply_signed(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n,
                                 uint8_t *change)
{
    es_edgetable_mark mark;
    const size_t fresh = es_edgetable_apply_ahead_signed(t, edges, del, n, change, &mark);
    es_edgetable_catch_up(t, &mark);
    return fresh;
}

size_t es_edgetable_apply(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change)
{
    return es_edgetable_apply_signed(t, edges, NULL, n, change);
}

/* The multiplicity of pair key k in a window's table. */
static uint32_t window_count(const es_edgetable *t, uint64_t k)
{
    if (t->packed == NULL)
        return count_of(&t->counts, k, 0);
    if ((k >> 32 | (k & 0xffffffffu)) >> PACK_ID_BITS)
        return 0;   /* (no id that large yet) */
    const uint64_t x = t->packed[packed_find(t, pack_key(k))];
    return x == 0 ? 0 : packed_count(t, x);
}

size_t es_edgetable_edges(const es_edgetable *t)
{
    return t->seen.present;
}

uint64_t es_edgetable_ignored(const es_edgetable *t)
{
    return t->seen.ignored;
}

uint64_t es_edgetable_deletions(const es_edgetable *t)
{
    return t->seen.deletions;
}

gboolean es_edgetable_dynamic(const es_edgetable *t)
{
    return t->dynamic;
}

uint32_t es_edgetable_count(const es_edgetable *t, uint32_t u, uint32_t v)
{
    if (u == v)
        return 0;
    if (t->window)
        return window_count(t, es_edge_key(u, v));
    if (!es_edgeset_contains(t->set, u, v))
        return 0;
    return count_of(&t->counts, es_edge_key(u, v), 1);
}

gboolean es_edgetable_key_present(const es_edgetable *t, uint64_t key)
{
    if (t->window)
        return window_count(t, key) > 0;
    return !t->dynamic || count_of(&t->counts, key, 1) > 0;
}

gboolean es_edgetable_contains(const es_edgetable *t, uint32_t u, uint32_t v)
{
    return es_edgetable_count(t, u, v) > 0;
}

void es_edgetable_foreach(const es_edgetable *t, void (*fn)(uint64_t key, void *user), void *user)
{
    if (t->window && t->packed) {
        for (size_t i = 0; i < t->p_cap; i++)
            if (t->packed[i] != 0)
                fn(unpack_key(t->packed[i]), user);
        return;
    }
    if (t->window) {
        for (size_t i = 0; i < t->counts.cap; i++)
            if (t->counts.e[i].key != 0)
                fn(t->counts.e[i].key, user);
        return;
    }
    const size_t n = es_edgeset_size(t->set);
    uint64_t *keys = es_big_alloc((n ? n : 1) * sizeof *keys);
    es_edgeset_keys(t->set, keys);
    for (size_t i = 0; i < n; i++)
        if (count_of(&t->counts, keys[i], 1) > 0)
            fn(keys[i], user);
    es_big_free(keys, (n ? n : 1) * sizeof *keys);
}

gboolean es_edgetable_foreach_logged(const es_edgetable *t, uint32_t n, void (*fn)(uint32_t u, uint32_t v, void *user),
                                     void *user, GError **error)
{
    size_t nk = 0;
    const uint64_t *keys = t ? es_edgetable_keys(t, &nk) : NULL;
    for (size_t i = 0; i < nk; i++) {
        if ((uint32_t)keys[i] >= n) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: key %zu names a vertex beyond the %u of attribute"
                        " \"vertices\"", ES_EDGES_DATASET, i, n);
            return FALSE;
        }
        if (es_edgetable_key_present(t, keys[i]))
            fn((uint32_t)(keys[i] >> 32), (uint32_t)keys[i], user);
    }
    return TRUE;
}

size_t es_edgetable_memory(const es_edgetable *t)
{
    /* (a window's table is its counts; the others' side table is left out) */
    return sizeof *t + es_edgeset_memory(t->set) + (t->window ? t->counts.cap * sizeof *t->counts.e : 0) +
           t->p_cap * sizeof *t->packed;
}

gboolean es_edgetable_logged(const es_edgetable *t)
{
    return t->logged && t->seen.keys != NULL;
}

const uint64_t *es_edgetable_keys(const es_edgetable *t, size_t *n)
{
    *n = t->seen.n;
    return t->seen.keys;
}

gboolean es_edgetable_add_keys(es_edgetable *t, const uint64_t *keys, size_t n, uint32_t num_vertices,
                               const char *what, GError **error)
{
    g_assert(!t->window);
    const size_t base = t->seen.n, piece = MIN(n, ADD_PIECE);
    es_edge *edges = g_new(es_edge, piece ? piece : 1);
    uint8_t *is_new = g_new(uint8_t, piece ? piece : 1);
    gboolean ok = TRUE;
    for (size_t at = 0; ok && at < n; at += piece) {
        const size_t len = MIN(piece, n - at);
        for (size_t i = 0; ok && i < len; i++) {
            const uint64_t k = keys[at + i];
            const uint32_t u = (uint32_t)(k >> 32), v = (uint32_t)k;
            if (u >= v || v >= num_vertices) {
                if (u >= v)
                    g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                                "%s: key %zu (0x%016" G_GINT64_MODIFIER "x: u %u, v %u) does not have u < v", what,
                                base + at + i, (guint64)k, u, v);
                else
                    g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                                "%s: key %zu (0x%016" G_GINT64_MODIFIER "x: u %u, v %u) names a vertex beyond the %u"
                                " vertices", what, base + at + i, (guint64)k, u, v, num_vertices);
                ok = FALSE;
            }
            edges[i] = (es_edge){ u, v };
        }
        if (ok && es_edgeset_insert_batch(t->set, edges, len, FALSE, is_new) != len) {
            size_t i = 0;
            while (is_new[i])
                i++;
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "%s: key %zu (0x%016" G_GINT64_MODIFIER "x: u %u, v %u) repeats an earlier key", what,
                        base + at + i, (guint64)keys[at + i], edges[i].u, edges[i].v);
            ok = FALSE;
        }
    }
    g_free(is_new);
    g_free(edges);
    t->seen.keys = es_edgeset_log(t->set, &t->seen.n);
    if (t->seen.keys == NULL)
        t->seen.n = es_edgeset_size(t->set);
    t->present = t->seen.present = es_edgeset_size(t->set);
    return ok;
}

gboolean es_edgetable_check(const es_edgetable *t, uint64_t edges, uint32_t num_vertices, const char *what,
                            GError **error)
{
    if (t == NULL) {   /* (no table: no edges) */
        if (edges > 0)
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s is missing", what);
        return edges == 0;
    }
    /* (with deletions its log also lists pairs that have gone) */
    const size_t have = t->dynamic ? t->seen.present : t->seen.n;
    if ((uint64_t)have != edges) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s holds %zu edges, the operator's state %" G_GUINT64_FORMAT,
                    what, have, (guint64)edges);
        return FALSE;
    }
    for (size_t i = 0; t->seen.keys && i < t->seen.n; i++) {
        if ((uint32_t)t->seen.keys[i] >= num_vertices) {   /* v, the larger end */
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: key %zu (0x%016" G_GINT64_MODIFIER "x: u %u, v %u)"
                        " names a vertex beyond the %u vertices", what, i, (guint64)t->seen.keys[i],
                        (uint32_t)(t->seen.keys[i] >> 32), (uint32_t)t->seen.keys[i], num_vertices);
            return FALSE;
        }
    }
    return TRUE;
}

static int cmp_key(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void es_edgetable_freeze(es_edgetable *t)
{
    g_assert(!t->window);   /* (a window's table is never logged) */
    if (t->f_applies == t->applies + 1)
        return;   /* (frozen already: one freeze for every operator that reads it) */
    t->f_applies = t->applies + 1;
    const countmap *m = &t->counts;
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        n += m->e[i].key != 0 && m->e[i].cnt != 1;
    es_shadow_reserve((void **)&t->f_key, &t->f_key_cap, MAX(n, 1) * sizeof *t->f_key);
    es_shadow_reserve((void **)&t->f_cnt, &t->f_cnt_cap, MAX(n, 1) * sizeof *t->f_cnt);
    n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key != 0 && m->e[i].cnt != 1)
            t->f_key[n++] = m->e[i].key;
    qsort(t->f_key, n, sizeof *t->f_key, cmp_key);
    for (size_t i = 0; i < n; i++)
        t->f_cnt[i] = count_of(m, t->f_key[i], 1);
    t->f_n = n;
    t->f_deletions = t->seen.deletions;
    t->f_ignored = t->seen.ignored;
}

gboolean es_edgetable_frozen(const es_edgetable *t, es_edgetable_counts *c)
{
    *c = (es_edgetable_counts){ t->f_key, t->f_cnt, t->f_n, t->f_deletions, t->f_ignored };
    return t->f_applies != 0;
}

gboolean es_edgetable_set_counts(es_edgetable *t, const es_edgetable_counts *c, const char *what, GError **error)
{
    const uint64_t *keys = c->keys, deletions = c->deletions, ignored = c->ignored;
    const uint32_t *counts = c->counts;
    const size_t n = c->n;
    g_assert(!t->window);
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = keys[i];
        const uint32_t u = (uint32_t)(k >> 32), v = (uint32_t)k;
        if (i > 0 && k <= keys[i - 1]) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: key %zu (0x%016" G_GINT64_MODIFIER "x) is not above"
                        " the one before", what, i, (guint64)k);
            return FALSE;
        }
        if (u >= v || !es_edgeset_contains(t->set, u, v) || counts[i] == 1) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: key %zu (0x%016" G_GINT64_MODIFIER "x: u %u, v %u,"
                        " multiplicity %u) is no pair of /edges/keys of a multiplicity other than 1", what, i,
                        (guint64)k, u, v, counts[i]);
            return FALSE;
        }
    }
    for (size_t i = 0; i < n; i++) {
        count_set(&t->counts, keys[i], counts[i]);
        t->present -= counts[i] == 0;
    }
    t->dynamic = TRUE;
    t->applies++;
    t->ignored = ignored;
    t->deletions = deletions;
    t->seen.present = t->present;
    t->seen.ignored = ignored;
    t->seen.deletions = deletions;
    return TRUE;
}
