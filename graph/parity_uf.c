/* parity_uf.c — union-find with parity (see parity_uf.h): union by rank
 * and path compression, parities xor-composed along paths.  Amortised
 * inverse-Ackermann time per operation, 6 bytes per vertex; exact.
 */
#include "graph/parity_uf.h"

#include <string.h>

#include "graph/common.h"

struct es_puf {
    uint32_t *parent;
    uint8_t  *parity;   /* parity of the edge v -> parent[v] */
    uint8_t  *rank;
    uint32_t  n, cap;
};

es_puf *es_puf_new(uint32_t n)
{
    es_puf *uf = g_new0(es_puf, 1);
    es_puf_grow(uf, n);
    return uf;
}

void es_puf_free(es_puf *uf)
{
    if (uf == NULL)
        return;
    es_big_free(uf->parent, (size_t)uf->cap * sizeof(uint32_t));
    es_big_free(uf->parity, uf->cap);
    es_big_free(uf->rank, uf->cap);
    g_free(uf);
}

void es_puf_grow(es_puf *uf, uint32_t n)
{
    if (n <= uf->n)
        return;
    if (n > uf->cap) {
        size_t cap = es_grow_cap(uf->cap, n);
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        uf->parent = es_big_realloc(uf->parent, (size_t)uf->cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        uf->parity = es_big_realloc(uf->parity, uf->cap, cap);
        uf->rank = es_big_realloc(uf->rank, uf->cap, cap);
        uf->cap = (uint32_t)cap;
    }
    for (uint32_t v = uf->n; v < n; v++) {
        uf->parent[v] = v;   /* (after a clear or a copy the memory holds old entries) */
        uf->parity[v] = 0;
        uf->rank[v] = 0;
    }
    uf->n = n;
}

void es_puf_clear(es_puf *uf)
{
    uf->n = 0;
}

void es_puf_copy(es_puf *dst, const es_puf *src)
{
    es_puf_grow(dst, src->n);
    if (src->n > 0) {
        memcpy(dst->parent, src->parent, (size_t)src->n * sizeof(uint32_t));
        memcpy(dst->parity, src->parity, src->n);
        memcpy(dst->rank, src->rank, src->n);
    }
    dst->n = src->n;
}

uint32_t es_puf_size(const es_puf *uf)
{
    return uf->n;
}

uint32_t es_puf_find(es_puf *uf, uint32_t v, uint8_t *side)
{
    g_assert(v < uf->n);
    uint32_t *parent = uf->parent;
    uint8_t *parity = uf->parity;
    uint32_t root = v;
    uint8_t s = 0;
    while (parent[root] != root) {
        s ^= parity[root];
        root = parent[root];
    }
    /* Hang every vertex of the path directly under the root, with its own
     * side (relative to the root) as the new edge parity. */
    uint32_t x = v;
    uint8_t sx = s;
    while (x != root && parent[x] != root) {
        uint32_t next = parent[x];
        uint8_t snext = sx ^ parity[x];
        parent[x] = root;
        parity[x] = sx;
        x = next;
        sx = snext;
    }
    if (side)
        *side = s;
    return root;
}

gboolean es_puf_unite_opposite(es_puf *uf, uint32_t u, uint32_t v)
{
    return es_puf_unite(uf, u, v) != ES_PUF_ODD;
}

int es_puf_unite(es_puf *uf, uint32_t u, uint32_t v)
{
    uint8_t su, sv;
    uint32_t ru = es_puf_find(uf, u, &su);
    uint32_t rv = es_puf_find(uf, v, &sv);
    if (ru == rv)
        return su != sv ? ES_PUF_AGREES : ES_PUF_ODD;
    if (uf->rank[ru] < uf->rank[rv]) {
        uint32_t t = ru;
        ru = rv;
        rv = t;
    }
    /* side(v') relative to ru becomes parity(rv) ^ s(v' in rv's tree); for
     * the endpoints to differ, parity(rv) = su ^ sv ^ 1. */
    uf->parent[rv] = ru;
    uf->parity[rv] = su ^ sv ^ 1;
    if (uf->rank[ru] == uf->rank[rv])
        uf->rank[ru]++;
    return ES_PUF_JOINED;
}

void es_puf_arrays(const es_puf *uf, const uint32_t **parent, const uint8_t **parity, const uint8_t **rank)
{
    *parent = uf->parent;
    *parity = uf->parity;
    *rank = uf->rank;
}

/* A root of rank r holds at least 2^r vertices, and there are fewer than 2^32. */
#define MAX_RANK 31

es_puf *es_puf_restore(uint32_t n, const uint32_t *parent, const uint8_t *parity,
                       const uint8_t *rank, GError **error)
{
    for (uint32_t v = 0; v < n; v++) {
        const char *what = NULL, *why = NULL;
        uint32_t value = 0;
        if (parent[v] >= n)
            what = "parent", value = parent[v], why = "is not a vertex";
        else if (rank[v] > MAX_RANK)
            what = "rank", value = rank[v], why = "is above " G_STRINGIFY(MAX_RANK);
        else if (parity[v] > 1)
            what = "parity", value = parity[v], why = "is neither 0 nor 1";
        else if (parent[v] == v && parity[v] != 0)
            what = "parity", value = parity[v], why = "at a root is not 0";
        else if (parent[v] != v && rank[parent[v]] <= rank[v])
            what = "rank", value = rank[v], why = "is not below its parent's rank";
        if (what) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "parity union-find: saved %s[%u] = %u %s (%u vertices)", what, v, value, why, n);
            return NULL;
        }
    }
    es_puf *uf = es_puf_new(n);
    if (n > 0) {
        memcpy(uf->parent, parent, (size_t)n * sizeof(uint32_t));
        memcpy(uf->parity, parity, n);
        memcpy(uf->rank, rank, n);
    }
    return uf;
}
