/* bic.c — a sliding window's components and bipartiteness by BIC: an
 * insert-only forest over the current chunk, a backward one over the
 * older chunk, merged on demand (see bic.h). */
#include "graph/bic.h"

#include <string.h>

#include "graph/common.h"
#include "graph/parity_uf.h"

/* How many lines ahead the backward pass fetches union-find nodes. */
#define PREFETCH_AHEAD 16

/* No line: the backward pass met no odd cycle. */
#define NONE SIZE_MAX

struct es_bic {
    gboolean  parity;
    /* The lines of B ([b_at, b_len) still in the window) and of F. */
    es_edge  *b_lines, *f_lines;
    size_t    b_len, b_at, b_cap, f_len, f_cap;
    /* B's backward joins (keys, and the index in B of the line that made
     * each, decreasing), b_keep of them still in the window. */
    uint64_t *b_joins;
    size_t   *b_join_at;
    size_t    b_njoins, b_keep, b_joins_cap;
    uint32_t  nv;
    /* Plain mode: F's union-find, and a scratch one for the backward pass
     * and the merge. */
    es_uf    *f_uf, *scratch;
    /* Parity mode: F's forest; the latest line i of B with [i, b_len) not
     * bipartite (NONE); whether F is not bipartite; C, F's forest united
     * with B's joins in the window and the lines F took since, which is
     * also the backward pass's scratch; whether the window holds an odd
     * cycle (known while odd_known; C is the window's forest while
     * odd_known and not odd). */
    es_puf   *f_puf, *c_puf;
    size_t    b_odd_at;
    gboolean  f_odd, odd_known, odd;
};

es_bic *es_bic_new(gboolean parity)
{
    es_bic *b = g_new0(es_bic, 1);
    b->parity = parity;
    b->b_odd_at = NONE;
    b->odd_known = TRUE;   /* (the empty window) */
    if (parity) {
        b->f_puf = es_puf_new(0);
        b->c_puf = es_puf_new(0);
    } else {
        b->f_uf = es_uf_new(0);
        b->scratch = es_uf_new(0);
    }
    return b;
}

void es_bic_free(es_bic *b)
{
    if (b == NULL)
        return;
    g_free(b->b_lines);
    g_free(b->f_lines);
    g_free(b->b_joins);
    g_free(b->b_join_at);
    es_uf_free(b->f_uf);
    es_uf_free(b->scratch);
    es_puf_free(b->f_puf);
    es_puf_free(b->c_puf);
    g_free(b);
}

size_t es_bic_lines(const es_bic *b)
{
    return b->b_len - b->b_at + b->f_len;
}

static void grow(es_bic *b, uint32_t nv)
{
    b->nv = MAX(b->nv, nv);
    if (b->parity)
        es_puf_grow(b->f_puf, b->nv);
    else
        es_uf_grow(b->f_uf, b->nv);
}

/* B is exhausted: F becomes B, run backwards, and F starts afresh. */
static void rotate(es_bic *b)
{
    es_edge *t = b->b_lines;
    b->b_lines = b->f_lines;
    b->f_lines = t;
    const size_t c = b->b_cap;
    b->b_cap = b->f_cap;
    b->f_cap = c;
    b->b_len = b->f_len;
    b->b_at = 0;
    b->f_len = 0;
    if (b->b_len > b->b_joins_cap) {
        b->b_joins_cap = es_grow_cap(b->b_joins_cap, b->b_len);
        b->b_joins = g_renew(uint64_t, b->b_joins, b->b_joins_cap);
        b->b_join_at = g_renew(size_t, b->b_join_at, b->b_joins_cap);
    }
    b->b_njoins = 0;
    b->b_odd_at = NONE;
    if (b->parity) {
        es_puf *uf = b->c_puf;   /* (C is rebuilt after any expiry) */
        es_puf_clear(uf);
        es_puf_grow(uf, b->nv);
        for (size_t i = b->b_len; i-- > 0;) {
            const es_edge e = b->b_lines[i];
            const int r = es_puf_unite(uf, e.u, e.v);
            if (r == ES_PUF_JOINED) {
                b->b_joins[b->b_njoins] = es_edge_key(e.u, e.v);
                b->b_join_at[b->b_njoins++] = i;
            } else if (r == ES_PUF_ODD && b->b_odd_at == NONE) {
                b->b_odd_at = i;
            }
        }
        es_puf_clear(b->f_puf);
        es_puf_grow(b->f_puf, b->nv);
        b->f_odd = FALSE;
    } else {
        es_uf *uf = b->scratch;
        es_uf_clear(uf);
        es_uf_grow(uf, b->nv);
        for (size_t i = b->b_len; i-- > 0;) {
            const es_edge e = b->b_lines[i];
            if (i >= PREFETCH_AHEAD) {
                es_uf_prefetch(uf, b->b_lines[i - PREFETCH_AHEAD].u);
                es_uf_prefetch(uf, b->b_lines[i - PREFETCH_AHEAD].v);
            }
            if (es_uf_union(uf, e.u, e.v)) {
                b->b_joins[b->b_njoins] = es_edge_key(e.u, e.v);
                b->b_join_at[b->b_njoins++] = i;
            }
        }
        es_uf_clear(b->f_uf);
        es_uf_grow(b->f_uf, b->nv);
    }
    b->b_keep = b->b_njoins;
}

void es_bic_expire(es_bic *b, size_t n, uint32_t nv)
{
    grow(b, nv);
    for (size_t left = n; left > 0;) {
        if (b->b_at == b->b_len)
            rotate(b);
        const size_t k = MIN(left, b->b_len - b->b_at);
        g_assert(k > 0);   /* (an expiry takes a line the window holds) */
        b->b_at += k;
        left -= k;
    }
    while (b->b_keep > 0 && b->b_join_at[b->b_keep - 1] < b->b_at)
        b->b_keep--;
    if (n > 0)
        b->odd_known = FALSE;   /* (and C holds lines gone) */
}

es_uf *es_bic_components(es_bic *b)
{
    g_assert(!b->parity);
    es_uf *uf = b->scratch;
    es_uf_copy(uf, b->f_uf);
    /* (prefetched a few joins ahead: these unions were a tenth of a
     * sliding window's run, bench/RESULTS.md) */
    es_uf_union_keys(uf, b->b_joins, b->b_keep);
    return uf;
}

gboolean es_bic_odd(es_bic *b)
{
    g_assert(b->parity);
    if (b->odd_known)
        return b->odd;
    b->odd = b->f_odd || (b->b_odd_at != NONE && b->b_at <= b->b_odd_at);
    if (!b->odd) {
        es_puf_copy(b->c_puf, b->f_puf);
        for (size_t i = 0; i < b->b_keep && !b->odd; i++)
            b->odd = es_puf_unite(b->c_puf, (uint32_t)(b->b_joins[i] >> 32), (uint32_t)b->b_joins[i]) == ES_PUF_ODD;
    }
    b->odd_known = TRUE;
    return b->odd;
}

size_t es_bic_insert(es_bic *b, const es_edge *e, size_t n, uint32_t nv)
{
    grow(b, nv);
    if (b->f_len + n > b->f_cap) {
        b->f_cap = es_grow_cap(b->f_cap, b->f_len + n);
        b->f_lines = g_renew(es_edge, b->f_lines, b->f_cap);
    }
    memcpy(b->f_lines + b->f_len, e, n * sizeof *e);
    b->f_len += n;
    if (!b->parity) {
        es_uf_union_edges(b->f_uf, e, n, NULL);
        return n;
    }
    size_t closed = n;
    if (!es_bic_odd(b)) {
        /* C is the window's forest: it meets the closing line. */
        es_puf_grow(b->c_puf, b->nv);
        for (size_t i = 0; i < n && closed == n; i++)
            if (es_puf_unite(b->c_puf, e[i].u, e[i].v) == ES_PUF_ODD)
                closed = i;
        b->odd = closed < n;
    }
    for (size_t i = 0; i < n; i++)
        if (es_puf_unite(b->f_puf, e[i].u, e[i].v) == ES_PUF_ODD)
            b->f_odd = TRUE;
    return closed;
}
