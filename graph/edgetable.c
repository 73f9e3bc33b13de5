/* edgetable.c — the edge table (see edgetable.h): a thin layer over the
 * sharded edge set that states the stage's answers in the dataflow's terms
 * (appearances) and keeps the one check of restored keys. */
#include "graph/edgetable.h"

#include "graph/common.h"
#include "graph/edgeset.h"

/* Restored keys are inserted in pieces of this many (bounds the scratch). */
#define ADD_PIECE ((size_t)1 << 20)

struct es_edgetable {
    es_edgeset *set;
    es_edgetable_mark seen;   /* what keys and edges say (apply_ahead) */
};

es_edgetable *es_edgetable_new(gboolean logged, const es_log_memory *mem)
{
    es_edgetable *t = g_new0(es_edgetable, 1);
    t->set = logged ? es_edgeset_new_logged(0, 0, mem) : es_edgeset_new(0, 0);
    return t;
}

void es_edgetable_free(es_edgetable *t)
{
    if (t == NULL)
        return;
    es_edgeset_free(t->set);
    g_free(t);
}

size_t es_edgetable_apply_ahead(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change,
                                es_edgetable_mark *mark)
{
    /* es_edgeset's is_new is exactly ES_EDGE_APPEARS (1) or ES_EDGE_SEEN (0). */
    const size_t fresh = es_edgeset_insert_batch(t->set, edges, n, TRUE, change);
    mark->keys = es_edgeset_log(t->set, &mark->n);
    if (mark->keys == NULL)
        mark->n = es_edgeset_size(t->set);
    return fresh;
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

size_t es_edgetable_apply(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change)
{
    es_edgetable_mark mark;
    const size_t fresh = es_edgetable_apply_ahead(t, edges, n, change, &mark);
    es_edgetable_catch_up(t, &mark);
    return fresh;
}

size_t es_edgetable_edges(const es_edgetable *t)
{
    return t->seen.n;
}

gboolean es_edgetable_contains(const es_edgetable *t, uint32_t u, uint32_t v)
{
    return es_edgeset_contains(t->set, u, v);
}

size_t es_edgetable_memory(const es_edgetable *t)
{
    return sizeof *t + es_edgeset_memory(t->set);
}

gboolean es_edgetable_logged(const es_edgetable *t)
{
    size_t n;
    return es_edgeset_log(t->set, &n) != NULL;
}

const uint64_t *es_edgetable_keys(const es_edgetable *t, size_t *n)
{
    *n = t->seen.n;
    return t->seen.keys;
}

gboolean es_edgetable_add_keys(es_edgetable *t, const uint64_t *keys, size_t n, uint32_t num_vertices,
                               const char *what, GError **error)
{
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
    if ((uint64_t)t->seen.n != edges) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s holds %zu edges, the operator's state %" G_GUINT64_FORMAT,
                    what, t->seen.n, (guint64)edges);
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
