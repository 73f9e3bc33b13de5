/* lazyconn.c — components under insertions and deletions, rebuilt when
 * asked after a forest pair left (see lazyconn.h). */
#include "graph/lazyconn.h"

#include <string.h>

#include "graph/batch.h"
#include "graph/common.h"
#include "graph/dynconn.h"
#include "graph/edgetable.h"
#include "graph/parity_uf.h"
#include "graph/unionfind.h"

/* A set entry: the key u << 32 | v (u < v < 2^31), with FOREST set when
 * the pair joined two sets of the union-find and, in parity mode, TOUCHED
 * when it appeared while the answer was open (graph/lazyconn.h); 0 is an
 * empty slot (the self-loop (0, 0) is no pair). */
#define FOREST  (UINT64_C(1) << 63)
#define TOUCHED (UINT64_C(1) << 31)
#define KEY(x) ((x) & ~(FOREST | TOUCHED))
/* Plain mode: a logged change that is a disappearance. */
#define GONE    (UINT64_C(1) << 63)

/* Rebuilds may scan this many times the changes folded; beyond, dynconn. */
#define REBUILD_FACTOR 8
/* Parity mode: an open answer is settled when its log holds this many
 * changes, or a quarter of the present pairs if more (a rebuild then
 * costs at most four scans per change, and the log 10 bytes a pair). */
#define LOG_MIN 4096

/* Parity mode.  The answer's three states: certain either way, or open
 * (a forest pair left a graph that held an odd cycle). */
enum { NO = 0, YES = 1, OPEN = 2 };
/* A logged change of an open answer. */
enum { INS = 1, DEL, LOOP_INS, LOOP_DEL };
typedef struct {
    uint32_t        u, v, op;
    es_lazyconn_tag tag;   /* (INS, LOOP_INS) */
} log_entry;

struct es_lazyconn {
    gboolean  parity;
    uint32_t  n;
    es_uf    *uf;         /* the present pairs' components while !stale */
    /* Plain mode: `slot` holds the forest pairs only (while !stale), and
     * the present pairs are those the changes logged since the last
     * compaction leave: keys appended as they appear, GONE | key as they
     * disappear (sequential writes, not a probe of a set per change). */
    uint64_t *plog;
    size_t    plog_n, plog_cap;   /* entries, bytes */
    size_t    plog_gone;          /* GONE entries in it */
    size_t    present;            /* present pairs */
    es_puf   *puf;        /* parity mode instead: sides, a 2-colouring of all present pairs but `odd` */
    gboolean  stale;      /* a forest pair left since the last rebuild */
    uint64_t *slot;       /* the present pairs, linear probing */
    size_t    cap, used;  /* cap a power of two (or 0) */
    uint64_t  changes, scanned;
    es_dynconn *dyn;      /* instead of all the above, once rebuilds cost too much */
    /* parity mode */
    uint64_t  odd;        /* present pairs outside the forest with both ends on one side */
    uint64_t  loops;      /* self-loop lines */
    gboolean  bip;        /* with dyn: the answer now */
    es_lazyconn_tag tag;  /* the change that last made the graph not bipartite */
    gboolean  open;       /* the answer has been open since the log's first change */
    gboolean  bip_start;  /* the answer before it */
    uint64_t  loops_start, loops_min;   /* self-loop lines then, and the fewest since */
    GArray   *log;        /* log_entry */
};

es_lazyconn *es_lazyconn_new(gboolean parity)
{
    es_lazyconn *c = g_new0(es_lazyconn, 1);
    c->parity = parity;
    if (parity) {
        c->puf = es_puf_new(0);
        c->log = g_array_new(FALSE, FALSE, sizeof(log_entry));
    } else {
        c->uf = es_uf_new(0);
    }
    c->bip = TRUE;
    return c;
}

void es_lazyconn_free(es_lazyconn *c)
{
    if (c == NULL)
        return;
    es_uf_free(c->uf);
    es_puf_free(c->puf);
    if (c->log)
        g_array_free(c->log, TRUE);
    es_big_free(c->slot, c->cap * sizeof *c->slot);
    es_big_free(c->plog, c->plog_cap);
    es_dynconn_free(c->dyn);
    g_free(c);
}

static inline size_t home(uint64_t k, size_t cap)
{
    return (size_t)((k * UINT64_C(0x9E3779B97F4A7C15)) >> 17) & (cap - 1);
}

static void put(uint64_t *slot, size_t cap, uint64_t x)
{
    size_t i = home(KEY(x), cap);
    while (slot[i] != 0)
        i = (i + 1) & (cap - 1);
    slot[i] = x;
}

/* The set rehashed into cap slots (a power of two above its load). */
static void rehash(es_lazyconn *c, size_t cap)
{
    uint64_t *slot = es_big_alloc(cap * sizeof *slot);   /* (zeroed) */
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] != 0)
            put(slot, cap, c->slot[i]);
    es_big_free(c->slot, c->cap * sizeof *c->slot);
    c->slot = slot;
    c->cap = cap;
}

/* Room for one more pair at a load of at most 3/4 (linear probing stays
 * short there with a multiplicative hash: most probes stay in the home
 * slot's cache line, 8 keys). */
static void reserve_one(es_lazyconn *c)
{
    if (4 * (c->used + 1) > 3 * c->cap)
        rehash(c, c->cap ? 2 * c->cap : 1024);
}

void es_lazyconn_reserve(es_lazyconn *c, size_t pairs)
{
    if (c->dyn)
        return;
    if (!c->parity) {   /* (address space: the pages are touched as the log fills) */
        if (pairs * sizeof *c->plog > c->plog_cap) {
            c->plog = es_big_realloc(c->plog, c->plog_cap, pairs * sizeof *c->plog);
            c->plog_cap = pairs * sizeof *c->plog;
        }
        return;
    }
    size_t cap = 1024;
    while (3 * cap < 4 * pairs)
        cap *= 2;
    if (cap > c->cap)
        rehash(c, cap);
}

/* The present pairs: the set's in parity mode, the log's in plain mode. */
static size_t pairs_of(const es_lazyconn *c)
{
    return c->parity ? c->used : c->present;
}

static void plog_push(es_lazyconn *c, uint64_t x)
{
    if ((c->plog_n + 1) * sizeof *c->plog > c->plog_cap) {
        const size_t cap = es_grow_cap(c->plog_cap, (c->plog_n + 1) * sizeof *c->plog);
        c->plog = es_big_realloc(c->plog, c->plog_cap, cap);
        c->plog_cap = cap;
    }
    c->plog[c->plog_n++] = x;
}

static void compact(es_lazyconn *c);

/* Whether key k is in the set. */
static gboolean contains(const es_lazyconn *c, uint64_t k)
{
    if (c->cap == 0)
        return FALSE;
    for (size_t i = home(k, c->cap);; i = (i + 1) & (c->cap - 1)) {
        if (KEY(c->slot[i]) == k)
            return TRUE;
        if (c->slot[i] == 0)
            return FALSE;
    }
}

/* The slot of key k (present). */
static size_t find(const es_lazyconn *c, uint64_t k)
{
    for (size_t i = home(k, c->cap);; i = (i + 1) & (c->cap - 1)) {
        if (KEY(c->slot[i]) == k)
            return i;
        g_assert(c->slot[i] != 0);   /* (the pair is present: graph/edgetable.h) */
    }
}

/* Empty slot i, moving back the entries after it that may move (linear
 * probing with backward-shift deletion: no tombstones). */
static void remove_at(es_lazyconn *c, size_t i)
{
    const size_t mask = c->cap - 1;
    for (size_t j = (i + 1) & mask; c->slot[j] != 0; j = (j + 1) & mask) {
        const size_t h = home(KEY(c->slot[j]), c->cap);
        if (((j - h) & mask) >= ((j - i) & mask)) {   /* h is not in (i, j]: it may move to i */
            c->slot[i] = c->slot[j];
            i = j;
        }
    }
    c->slot[i] = 0;
    c->used--;
}

void es_lazyconn_grow(es_lazyconn *c, uint32_t n)
{
    if (n > (UINT32_C(1) << 31))
        g_error("lazyconn: %u vertices, more than the 2^31 a stream with deletions can hold", n);
    c->n = MAX(c->n, n);
    if (c->dyn)
        es_dynconn_grow(c->dyn, c->n);
    else if (c->parity)
        es_puf_grow(c->puf, c->n);
    else
        es_uf_grow(c->uf, c->n);
}

uint32_t es_lazyconn_vertices(const es_lazyconn *c)
{
    return c->dyn ? es_dynconn_vertices(c->dyn) : c->n;
}

void es_lazyconn_prefetch(const es_lazyconn *c, uint32_t u, uint32_t v)
{
    if (c->cap > 0 && (c->parity || !c->stale))
        __builtin_prefetch(&c->slot[home(es_edge_key(u, v), c->cap)]);
    if (c->uf != NULL && !c->stale) {   /* (and the nodes an appearance unites) */
        es_uf_prefetch(c->uf, u);
        es_uf_prefetch(c->uf, v);
    }
}

void es_lazyconn_insert(es_lazyconn *c, uint32_t u, uint32_t v)
{
    g_assert(u != v && u < c->n && v < c->n);
    if (c->parity) {
        es_lazyconn_insert_tagged(c, u, v, NULL);
        return;
    }
    if (c->dyn) {
        es_dynconn_insert(c->dyn, u, v);
        return;
    }
    c->changes++;
    const uint64_t k = es_edge_key(u, v);
    plog_push(c, k);
    c->present++;
    if (!c->stale && es_uf_union(c->uf, u, v)) {
        reserve_one(c);
        put(c->slot, c->cap, k | FOREST);
        c->used++;
    }
}

static void delete_parity(es_lazyconn *c, uint32_t u, uint32_t v);

void es_lazyconn_delete(es_lazyconn *c, uint32_t u, uint32_t v)
{
    if (c->parity) {
        delete_parity(c, u, v);
        return;
    }
    if (c->dyn) {
        es_dynconn_delete(c->dyn, u, v);
        return;
    }
    c->changes++;
    const uint64_t k = es_edge_key(u, v);
    plog_push(c, GONE | k);
    c->plog_gone++;
    c->present--;
    /* (once stale, the forest is rebuilt whole: no need to keep it) */
    c->stale = c->stale || contains(c, k);
    /* The log holds at most about twice the present pairs: compacted
     * (O(log) each time, so O(1) a change amortised). */
    if (c->plog_n > 2 * c->present + 65536)
        compact(c);
}

static es_dynconn *replay(es_lazyconn *c);

/* Rebuilds have cost too much: dynconn from the present pairs (in parity
 * mode with an open answer, from the graph the log started from, the log
 * replayed to settle it). */
static void become_dynconn(es_lazyconn *c)
{
    if (c->parity && c->open) {
        c->dyn = replay(c);
    } else if (c->parity) {
        c->dyn = es_dynconn_new(TRUE);
        es_dynconn_grow(c->dyn, c->n);
        for (size_t i = 0; i < c->cap; i++)
            if (c->slot[i] != 0)
                es_dynconn_insert(c->dyn, (uint32_t)(KEY(c->slot[i]) >> 32), (uint32_t)KEY(c->slot[i]));
        c->bip = c->loops == 0 && es_dynconn_odd_components(c->dyn) == 0;
    } else {
        compact(c);
        c->dyn = es_dynconn_new(FALSE);
        es_dynconn_grow(c->dyn, c->n);
        for (size_t i = 0; i < c->plog_n; i++)
            es_dynconn_insert(c->dyn, (uint32_t)(c->plog[i] >> 32), (uint32_t)c->plog[i]);
    }
    es_big_free(c->slot, c->cap * sizeof *c->slot);
    c->slot = NULL;
    c->cap = c->used = 0;
    es_big_free(c->plog, c->plog_cap);
    c->plog = NULL;
    c->plog_n = c->plog_cap = c->plog_gone = c->present = 0;
    g_clear_pointer(&c->uf, es_uf_free);
    g_clear_pointer(&c->puf, es_puf_free);
}

/* Parity mode: one union of the pair in slot i, its FOREST flag
 * (TOUCHED cleared); TRUE when it closes an odd cycle. */
static gboolean unite_slot(es_lazyconn *c, size_t i)
{
    const uint64_t k = KEY(c->slot[i]);
    const uint32_t u = (uint32_t)(k >> 32), v = (uint32_t)k;
    const int r = es_puf_unite(c->puf, u, v);
    c->slot[i] = k | (r == ES_PUF_JOINED ? FOREST : 0);
    return r == ES_PUF_ODD;
}

/* Plain mode: the log cut down to the present pairs, one entry each, no
 * GONE entry.  Per pair, the logged changes alternate from an appearance
 * (the pair was absent when the log started, or listed then as one), so
 * a pair is present iff it has one appearance more than disappearances:
 * each GONE entry cancels one appearance of its key, whichever.  The
 * GONE entries go into a table, one slot each (a key gone twice holds two
 * slots; a slot that cancelled an appearance is marked USED, and still
 * lengthens its probe run), with a bitmap in front of it that spares most
 * appearances a probe (a random access into a table of the changes,
 * where the bitmap, 2 bytes a change, stays in cache).  Both passes fetch
 * ahead what they probe, far enough to cover several misses (a tenth of
 * the log is GONE at 10% deletions, and the final compaction before the
 * last rebuild is a pass over every change). */
#define USED GONE
#define COMPACT_AHEAD_BIT  128   /* pass 2: the bitmap's byte */
#define COMPACT_AHEAD_SLOT 64    /* pass 1: a GONE key's slot; pass 2: an appearance's, once its bit is in */

static inline size_t spread(uint64_t k, size_t cap)
{
    const uint64_t h = k * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static inline gboolean bit_test(const uint8_t *bit, size_t bits, uint64_t k)
{
    const size_t b = spread(k, bits);
    return (bit[b / 8] >> (b % 8)) & 1;
}

static void compact(es_lazyconn *c)
{
    if (c->plog_gone == 0)
        return;
    size_t cap = 1024;   /* at most two thirds full */
    while (cap < c->plog_gone + c->plog_gone / 2)
        cap *= 2;
    const size_t bits = 8 * cap;
    uint64_t *tab = es_big_alloc(cap * sizeof *tab);
    uint8_t *bit = es_big_alloc(bits / 8);
    uint64_t *log = c->plog;
    const size_t n = c->plog_n;
    for (size_t i = 0; i < n; i++) {
        if (i + COMPACT_AHEAD_SLOT < n && (log[i + COMPACT_AHEAD_SLOT] & GONE))
            __builtin_prefetch(&tab[spread(log[i + COMPACT_AHEAD_SLOT] & ~GONE, cap)], 1);
        if (!(log[i] & GONE))
            continue;
        const uint64_t k = log[i] & ~GONE;
        const size_t b = spread(k, bits);
        bit[b / 8] |= (uint8_t)(1u << (b % 8));
        size_t j = spread(k, cap);
        while (tab[j] != 0)
            j = (j + 1) & (cap - 1);
        tab[j] = k;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + COMPACT_AHEAD_BIT < n && !(log[i + COMPACT_AHEAD_BIT] & GONE)) {
            const size_t b = spread(log[i + COMPACT_AHEAD_BIT], bits);
            __builtin_prefetch(&bit[b / 8]);
        }
        if (i + COMPACT_AHEAD_SLOT < n && !(log[i + COMPACT_AHEAD_SLOT] & GONE) &&
            bit_test(bit, bits, log[i + COMPACT_AHEAD_SLOT]))
            __builtin_prefetch(&tab[spread(log[i + COMPACT_AHEAD_SLOT], cap)], 1);
        const uint64_t k = log[i];
        if (k & GONE)
            continue;
        if (bit_test(bit, bits, k)) {
            size_t j = spread(k, cap);
            while (tab[j] != 0 && tab[j] != k)
                j = (j + 1) & (cap - 1);
            if (tab[j] == k) {
                tab[j] = USED | k;
                continue;
            }
        }
        log[m++] = k;
    }
    g_assert(m == c->present);
    c->plog_n = m;
    c->plog_gone = 0;
    es_big_free(tab, cap * sizeof *tab);
    es_big_free(bit, bits / 8);
}

/* The union-find afresh from every present pair; no answer open. */
static void rebuild(es_lazyconn *c)
{
    c->scanned += pairs_of(c);
    if (!c->parity) {   /* (the forest set afresh too) */
        compact(c);
        es_uf_clear(c->uf);
        if (c->cap > 0)
            memset(c->slot, 0, c->cap * sizeof *c->slot);
        c->used = 0;
        for (size_t i = 0; i < c->plog_n; i++) {
            if (i + 16 < c->plog_n) {
                es_uf_prefetch(c->uf, (uint32_t)(c->plog[i + 16] >> 32));
                es_uf_prefetch(c->uf, (uint32_t)c->plog[i + 16]);
            }
            if (es_uf_union(c->uf, (uint32_t)(c->plog[i] >> 32), (uint32_t)c->plog[i])) {
                reserve_one(c);
                put(c->slot, c->cap, c->plog[i] | FOREST);
                c->used++;
            }
        }
        c->stale = FALSE;
        return;
    }
    es_puf_clear(c->puf);
    es_puf_grow(c->puf, c->n);
    c->odd = 0;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] != 0)
            c->odd += unite_slot(c, i);
    c->stale = FALSE;
    c->open = FALSE;
    if (c->log)
        g_array_set_size(c->log, 0);
}

/* Bring the union-find up to date: one union per present pair. */
static void settle(es_lazyconn *c)
{
    if (c->dyn || !c->stale)
        return;
    if (c->scanned + pairs_of(c) > (uint64_t)REBUILD_FACTOR * c->changes) {
        become_dynconn(c);
        return;
    }
    rebuild(c);
}

uint32_t es_lazyconn_components(es_lazyconn *c)
{
    g_assert(!c->parity);
    settle(c);
    return c->dyn ? es_dynconn_components(c->dyn) : es_uf_count(c->uf);
}

uint32_t es_lazyconn_largest(es_lazyconn *c)
{
    settle(c);
    return c->dyn ? es_dynconn_largest(c->dyn) : es_uf_largest(c->uf);
}

const es_hist *es_lazyconn_sizes(es_lazyconn *c)
{
    settle(c);
    return c->dyn ? es_dynconn_sizes(c->dyn) : es_uf_sizes(c->uf);
}

uint32_t es_lazyconn_label(es_lazyconn *c, uint32_t v)
{
    settle(c);
    return c->dyn ? es_dynconn_label(c->dyn, v) : es_uf_find(c->uf, v);
}

/* Parity mode.  The sides of es_puf colour every present pair but the
 * `odd` ones (outside the forest, both ends on one side) properly, stale
 * or not: a union only flips a whole set against another, so a pair's
 * verdict holds while it stays.  So the graph (no self-loop line) is
 * bipartite for sure when odd is 0, and not for sure while no forest
 * pair has left (an odd pair and the forest's paths make an odd cycle);
 * else the answer is open.  Only a deletion opens it (a forest pair, or
 * the last self-loop line, leaving a graph that holds an odd cycle): the
 * graph may have turned bipartite, and a later insertion may have made
 * it not again, which odd_cycle_* must then name.  From there every
 * change is logged (pairs appearing get TOUCHED) until the answer is
 * certain again: odd reaching 0 (bipartite: what the log says no longer
 * matters), or a settle (resolve). */
static int status(const es_lazyconn *c)
{
    if (c->loops > 0)
        return NO;
    if (c->odd == 0)
        return YES;
    return c->stale ? OPEN : NO;
}

static void resolve(es_lazyconn *c);

/* After a change (op, u, v, tag) taken from the answer `before` with
 * loops_before self-loop lines: open, log, or name the change. */
static void after_change(es_lazyconn *c, int before, uint64_t loops_before, uint32_t op, uint32_t u, uint32_t v,
                         const es_lazyconn_tag *tag)
{
    const int now = status(c);
    if (!c->open && !(before != OPEN && now == OPEN)) {
        g_assert(before != OPEN && !(before == YES && now == OPEN));
        if (before == YES && now == NO && tag != NULL)
            c->tag = *tag;
        return;
    }
    if (!c->open) {
        c->open = TRUE;
        c->bip_start = before == YES;
        c->loops_start = c->loops_min = loops_before;
        g_array_set_size(c->log, 0);
    }
    c->loops_min = MIN(c->loops_min, c->loops);
    log_entry e = { u, v, op, { 0, 0, 0 } };
    if (tag != NULL)
        e.tag = *tag;
    g_array_append_val(c->log, e);
    if (now == YES) {   /* bipartite for sure: whatever the log held is forgotten at the next odd cycle */
        c->open = FALSE;
        g_array_set_size(c->log, 0);
    } else if (c->log->len >= MAX((size_t)LOG_MIN, c->used / 4)) {
        resolve(c);
    }
}

/* Parity mode with dyn: the answer after every change. */
static void dyn_answer(es_lazyconn *c, const es_lazyconn_tag *tag)
{
    const gboolean now = c->loops == 0 && es_dynconn_odd_components(c->dyn) == 0;
    if (c->bip && !now && tag != NULL)
        c->tag = *tag;
    c->bip = now;
}

void es_lazyconn_insert_tagged(es_lazyconn *c, uint32_t u, uint32_t v, const es_lazyconn_tag *tag)
{
    g_assert(c->parity && u != v && u < c->n && v < c->n);
    c->changes++;
    if (c->dyn) {
        es_dynconn_insert(c->dyn, u, v);
        dyn_answer(c, tag);
        return;
    }
    const int before = status(c);
    if (before == YES && c->stale) {
        /* Bipartite, but with a stale forest a pair on one side would open
         * the answer: colour afresh first, so that it closes an odd cycle
         * for sure or not at all. */
        uint8_t su, sv;
        if (es_puf_find(c->puf, u, &su) == es_puf_find(c->puf, v, &sv) && su == sv)
            rebuild(c);
    }
    reserve_one(c);
    const int r = es_puf_unite(c->puf, u, v);
    put(c->slot, c->cap, es_edge_key(u, v) | (r == ES_PUF_JOINED ? FOREST : 0) | (c->open ? TOUCHED : 0));
    c->used++;
    c->odd += r == ES_PUF_ODD;
    after_change(c, before, c->loops, INS, u, v, tag);
}

static void delete_parity(es_lazyconn *c, uint32_t u, uint32_t v)
{
    c->changes++;
    if (c->dyn) {
        es_dynconn_delete(c->dyn, u, v);
        dyn_answer(c, NULL);
        return;
    }
    const int before = status(c);
    const size_t i = find(c, es_edge_key(u, v));
    if (c->slot[i] & FOREST) {
        c->stale = TRUE;
    } else {
        uint8_t su, sv;
        es_puf_find(c->puf, u, &su);
        es_puf_find(c->puf, v, &sv);
        c->odd -= su == sv;
    }
    remove_at(c, i);
    after_change(c, before, c->loops, DEL, u, v, NULL);
}

void es_lazyconn_loop(es_lazyconn *c, int delta, const es_lazyconn_tag *tag)
{
    g_assert(c->parity && (delta == 1 || (delta == -1 && c->loops > 0)));
    c->changes++;
    const int before = c->dyn ? NO : status(c);
    const uint64_t loops_before = c->loops;
    c->loops += (uint64_t)(int64_t)delta;
    if (c->dyn)
        dyn_answer(c, delta > 0 ? tag : NULL);
    else
        after_change(c, before, loops_before, delta > 0 ? LOOP_INS : LOOP_DEL, 0, 0, delta > 0 ? tag : NULL);
}

/* The open answer settled by graph/dynconn.c: the graph the log started
 * from (the present pairs, less those it inserted first, plus those it
 * deleted first), then the log's changes one by one, the answer after
 * each; the tag of the last that made it not bipartite.  Returns the
 * structure of the present pairs. */
static es_dynconn *replay(es_lazyconn *c)
{
    const log_entry *log = (const log_entry *)c->log->data;
    const size_t len = c->log->len;
    uint64_t *keys = g_new(uint64_t, len + 1);
    GHashTable *first = g_hash_table_new(g_int64_hash, g_int64_equal);   /* key -> its first op */
    for (size_t i = 0; i < len; i++) {
        keys[i] = log[i].op == INS || log[i].op == DEL ? es_edge_key(log[i].u, log[i].v) : 0;
        if (keys[i] != 0 && !g_hash_table_contains(first, &keys[i]))
            g_hash_table_insert(first, &keys[i], GUINT_TO_POINTER(log[i].op));
    }
    es_dynconn *d = es_dynconn_new(TRUE);
    es_dynconn_grow(d, c->n);
    for (size_t i = 0; i < c->cap; i++) {
        uint64_t k = KEY(c->slot[i]);
        if (k != 0 && GPOINTER_TO_UINT(g_hash_table_lookup(first, &k)) != INS)
            es_dynconn_insert(d, (uint32_t)(k >> 32), (uint32_t)k);
    }
    GHashTableIter it;
    gpointer key, op;
    g_hash_table_iter_init(&it, first);
    while (g_hash_table_iter_next(&it, &key, &op)) {
        const uint64_t k = *(const uint64_t *)key;
        if (GPOINTER_TO_UINT(op) == DEL && !contains(c, k))
            es_dynconn_insert(d, (uint32_t)(k >> 32), (uint32_t)k);
    }
    uint64_t loops = c->loops_start;
    gboolean bip = loops == 0 && es_dynconn_odd_components(d) == 0;
    g_assert(bip == c->bip_start);
    for (size_t i = 0; i < len; i++) {
        switch (log[i].op) {
        case INS: es_dynconn_insert(d, log[i].u, log[i].v); break;
        case DEL: es_dynconn_delete(d, log[i].u, log[i].v); break;
        case LOOP_INS: loops++; break;
        default: loops--; break;
        }
        const gboolean now = loops == 0 && es_dynconn_odd_components(d) == 0;
        if (bip && !now)
            c->tag = log[i].tag;
        bip = now;
    }
    g_assert(loops == c->loops);
    c->bip = bip;
    c->scanned += len;
    g_hash_table_destroy(first);
    g_free(keys);
    return d;
}

/* Settle an open answer.  The pairs no logged change touched were
 * present all along, and so were loops_min self-loop lines: if they hold
 * an odd cycle, the graph was never bipartite in between, and the tag
 * stands (one pass over them, one more over the touched pairs, and the
 * union-find is up to date).  Else the log is replayed. */
static void resolve(es_lazyconn *c)
{
    if (c->scanned + c->used > (uint64_t)REBUILD_FACTOR * c->changes) {
        become_dynconn(c);
        return;
    }
    c->scanned += c->used;
    es_puf_clear(c->puf);
    es_puf_grow(c->puf, c->n);
    uint64_t odd = 0;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] != 0 && !(c->slot[i] & TOUCHED))
            odd += unite_slot(c, i);
    if (odd == 0 && c->loops_min == 0) {
        es_dynconn_free(replay(c));
        rebuild(c);
        return;
    }
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] & TOUCHED)
            odd += unite_slot(c, i);
    c->odd = odd;
    c->stale = FALSE;
    c->open = FALSE;
    g_array_set_size(c->log, 0);
}

gboolean es_lazyconn_bipartite(es_lazyconn *c, es_lazyconn_tag *odd)
{
    g_assert(c->parity);
    if (!c->dyn && c->open)
        resolve(c);
    const gboolean bip = c->dyn ? c->bip : status(c) == YES;
    if (!bip && odd != NULL)
        *odd = c->tag;
    return bip;
}

uint64_t es_lazyconn_loops(const es_lazyconn *c)
{
    return c->loops;
}

void es_lazyconn_set_odd(es_lazyconn *c, uint64_t loops, const es_lazyconn_tag *odd)
{
    g_assert(c->parity && !c->open);
    c->loops = loops;
    c->tag = *odd;
    if (c->dyn)
        c->bip = loops == 0 && es_dynconn_odd_components(c->dyn) == 0;
}

static void insert_pair(uint32_t u, uint32_t v, void *c)
{
    es_lazyconn_insert(c, u, v);
}

es_lazyconn *es_lazyconn_of_table(const es_edgetable *t, uint32_t n, gboolean parity, GError **error)
{
    es_lazyconn *c = es_lazyconn_new(parity);
    es_lazyconn_grow(c, n);
    if (!es_edgetable_foreach_logged(t, n, insert_pair, c, error)) {
        es_lazyconn_free(c);
        return NULL;
    }
    return c;
}
