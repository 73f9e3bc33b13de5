/* lazyconn.c — components under insertions and deletions, rebuilt when
 * asked after a forest pair left (see lazyconn.h). */
#include "graph/lazyconn.h"

#include <string.h>

#include "graph/batch.h"
#include "graph/common.h"
#include "graph/dynconn.h"
#include "graph/edgetable.h"
#include "graph/unionfind.h"

/* A set entry: the key u << 32 | v (u < v < 2^31), with FOREST set when
 * the pair joined two sets of the union-find; 0 is an empty slot (the
 * self-loop (0, 0) is no pair). */
#define FOREST (UINT64_C(1) << 63)
#define KEY(x) ((x) & ~FOREST)

/* Rebuilds may scan this many times the changes folded; beyond, dynconn. */
#define REBUILD_FACTOR 8

struct es_lazyconn {
    uint32_t  n;
    es_uf    *uf;         /* the present pairs' components while !stale */
    gboolean  stale;      /* a forest pair left since the last rebuild */
    uint64_t *slot;       /* the present pairs, linear probing */
    size_t    cap, used;  /* cap a power of two (or 0) */
    uint64_t  changes, scanned;
    es_dynconn *dyn;      /* instead of all the above, once rebuilds cost too much */
};

es_lazyconn *es_lazyconn_new(void)
{
    es_lazyconn *c = g_new0(es_lazyconn, 1);
    c->uf = es_uf_new(0);
    return c;
}

void es_lazyconn_free(es_lazyconn *c)
{
    if (c == NULL)
        return;
    es_uf_free(c->uf);
    es_big_free(c->slot, c->cap * sizeof *c->slot);
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

/* Room for one more pair at a load of at most 3/4 (linear probing stays
 * short there with a multiplicative hash: most probes stay in the home
 * slot's cache line, 8 keys). */
static void reserve_one(es_lazyconn *c)
{
    if (4 * (c->used + 1) <= 3 * c->cap)
        return;
    const size_t cap = c->cap ? 2 * c->cap : 1024;
    uint64_t *slot = es_big_alloc(cap * sizeof *slot);   /* (zeroed) */
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] != 0)
            put(slot, cap, c->slot[i]);
    es_big_free(c->slot, c->cap * sizeof *c->slot);
    c->slot = slot;
    c->cap = cap;
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
    else
        es_uf_grow(c->uf, c->n);
}

uint32_t es_lazyconn_vertices(const es_lazyconn *c)
{
    return c->dyn ? es_dynconn_vertices(c->dyn) : c->n;
}

void es_lazyconn_prefetch(const es_lazyconn *c, uint32_t u, uint32_t v)
{
    if (c->cap > 0)
        __builtin_prefetch(&c->slot[home(es_edge_key(u, v), c->cap)]);
}

void es_lazyconn_insert(es_lazyconn *c, uint32_t u, uint32_t v)
{
    g_assert(u != v && u < c->n && v < c->n);
    if (c->dyn) {
        es_dynconn_insert(c->dyn, u, v);
        return;
    }
    c->changes++;
    reserve_one(c);
    const uint64_t k = es_edge_key(u, v);
    const gboolean joined = !c->stale && es_uf_union(c->uf, u, v);
    put(c->slot, c->cap, k | (joined ? FOREST : 0));
    c->used++;
}

void es_lazyconn_delete(es_lazyconn *c, uint32_t u, uint32_t v)
{
    if (c->dyn) {
        es_dynconn_delete(c->dyn, u, v);
        return;
    }
    c->changes++;
    const size_t i = find(c, es_edge_key(u, v));
    c->stale = c->stale || (c->slot[i] & FOREST) != 0;
    remove_at(c, i);
}

/* Rebuilds have cost too much: dynconn from the present pairs. */
static void become_dynconn(es_lazyconn *c)
{
    c->dyn = es_dynconn_new(FALSE);
    es_dynconn_grow(c->dyn, c->n);
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i] != 0)
            es_dynconn_insert(c->dyn, (uint32_t)(KEY(c->slot[i]) >> 32), (uint32_t)c->slot[i]);
    es_big_free(c->slot, c->cap * sizeof *c->slot);
    c->slot = NULL;
    c->cap = c->used = 0;
    g_clear_pointer(&c->uf, es_uf_free);
}

/* Bring the union-find up to date: one union per present pair. */
static void settle(es_lazyconn *c)
{
    if (c->dyn || !c->stale)
        return;
    if (c->scanned + c->used > (uint64_t)REBUILD_FACTOR * c->changes) {
        become_dynconn(c);
        return;
    }
    c->scanned += c->used;
    es_uf_clear(c->uf);
    for (size_t i = 0; i < c->cap; i++) {
        const uint64_t k = KEY(c->slot[i]);
        if (k != 0)
            c->slot[i] = k | (es_uf_union(c->uf, (uint32_t)(k >> 32), (uint32_t)k) ? FOREST : 0);
    }
    c->stale = FALSE;
}

uint32_t es_lazyconn_components(es_lazyconn *c)
{
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

static void insert_pair(uint32_t u, uint32_t v, void *c)
{
    es_lazyconn_insert(c, u, v);
}

es_lazyconn *es_lazyconn_of_table(const es_edgetable *t, uint32_t n, GError **error)
{
    es_lazyconn *c = es_lazyconn_new();
    es_lazyconn_grow(c, n);
    if (!es_edgetable_foreach_logged(t, n, insert_pair, c, error)) {
        es_lazyconn_free(c);
        return NULL;
    }
    return c;
}
