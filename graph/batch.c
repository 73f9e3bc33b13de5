/* batch.c — what operators do with a whole batch before their own work:
 * check its vertex ids, or see its endpoints as 64-bit keys (cm, hll count
 * vertices without the id map).  O(n) per batch each; the keys need no
 * allocation once their buffer has grown to the largest batch. */
#include "graph/batch.h"
#include "graph/common.h"
#include "graph/edgetable.h"

/* A deletion that changes nothing may name no vertex (graph/batch.h). */
static inline gboolean names_none(const es_batch *b, size_t i)
{
    return b->del != NULL && b->del[i] == ES_LINE_DELETE && b->change != NULL && b->change[i] == ES_EDGE_IGNORED;
}

void es_batch_assert_ids(const es_batch *b, uint32_t nv, const char *who)
{
    const es_edge *e = b->edges;
    size_t bad = 0;
    #pragma omp parallel for reduction(+ : bad) schedule(static) if (b->n >= 65536)
    for (size_t i = 0; i < b->n; i++)
        bad += (e[i].u >= nv || e[i].v >= nv) && !names_none(b, i);
    if (G_LIKELY(bad == 0))
        return;
    size_t i = 0;
    while ((e[i].u < nv && e[i].v < nv) || names_none(b, i))
        i++;
    g_error("%s: edge %" G_GUINT64_FORMAT " (%u, %u) names a vertex beyond the batch's %u (and %zu more)",
            who, (guint64)es_batch_index(b, i), e[i].u, e[i].v, nv, bad - 1);
}

const uint64_t *es_batch_endpoint_keys(const es_batch *b, uint64_t **buf, size_t *cap)
{
    if (b->ext)
        return b->ext;
    if (2 * b->n > *cap) {
        size_t c = es_grow_cap(*cap, 2 * b->n);
        es_big_free(*buf, *cap * sizeof(uint64_t));
        *buf = es_big_alloc(c * sizeof(uint64_t));
        *cap = c;
    }
    uint64_t *k = *buf;
    const es_edge *e = b->edges;
    #pragma omp parallel for schedule(static) if (b->n >= 65536)
    for (size_t i = 0; i < b->n; i++) {
        k[2 * i] = e[i].u;
        k[2 * i + 1] = e[i].v;
    }
    return k;
}
