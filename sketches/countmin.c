/* countmin.c — Count-Min sketch (Cormode & Muthukrishnan, J. Algorithms
 * 2005), optionally with conservative update (Estan & Varghese, SIGCOMM
 * 2002).  O(depth) per update and query, 8 bytes per counter; a query never
 * underestimates and overestimates by more than (e / width) * N with
 * probability at most e^-depth.  See countmin.h for the contract.
 */
#include "sketches/countmin.h"

#include <math.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/hash.h"

struct es_cm {
    uint32_t width, depth;
    uint64_t seed;
    gboolean conservative;
    uint64_t total;
    uint64_t *counters;               /* depth * width, row-major */
    es_hash_pairwise_coef *hash;      /* one function per row, from seed */
};

uint32_t es_cm_width_for(double eps)
{
    g_return_val_if_fail(eps > 0 && eps <= 1, 0);
    double w = ceil(M_E / eps);
    return w > ES_CM_MAX_WIDTH ? ES_CM_MAX_WIDTH : (uint32_t)w;
}

uint32_t es_cm_depth_for(double delta)
{
    g_return_val_if_fail(delta > 0 && delta <= 1, 0);
    double d = ceil(log(1.0 / delta));
    if (d < 1)
        d = 1;
    return d > ES_CM_MAX_DEPTH ? ES_CM_MAX_DEPTH : (uint32_t)d;
}

es_cm *es_cm_new_dims(uint32_t width, uint32_t depth, uint64_t seed, gboolean conservative)
{
    g_return_val_if_fail(width >= 1 && width <= ES_CM_MAX_WIDTH, NULL);
    g_return_val_if_fail(depth >= 1 && depth <= ES_CM_MAX_DEPTH, NULL);
    es_cm *cm = g_new0(es_cm, 1);
    cm->width = width;
    cm->depth = depth;
    cm->seed = seed;
    cm->conservative = !!conservative;
    cm->counters = es_big_alloc((size_t)width * depth * sizeof(uint64_t));
    cm->hash = g_new(es_hash_pairwise_coef, depth);
    uint64_t state = seed;
    for (uint32_t j = 0; j < depth; j++)
        cm->hash[j] = es_hash_pairwise_draw(&state);
    return cm;
}

es_cm *es_cm_new(double eps, double delta, uint64_t seed, gboolean conservative)
{
    return es_cm_new_dims(es_cm_width_for(eps), es_cm_depth_for(delta), seed, conservative);
}

void es_cm_free(es_cm *cm)
{
    if (cm == NULL)
        return;
    es_big_free(cm->counters, (size_t)cm->width * cm->depth * sizeof(uint64_t));
    g_free(cm->hash);
    g_free(cm);
}

es_cm *es_cm_copy(const es_cm *cm)
{
    es_cm *c = es_cm_new_dims(cm->width, cm->depth, cm->seed, cm->conservative);
    memcpy(c->counters, cm->counters, (size_t)cm->width * cm->depth * sizeof(uint64_t));
    c->total = cm->total;
    return c;
}

void es_cm_update(es_cm *cm, uint64_t key, uint64_t count)
{
    const uint32_t w = cm->width, d = cm->depth;
    cm->total += count;
    if (!cm->conservative) {
        for (uint32_t j = 0; j < d; j++)
            cm->counters[(size_t)j * w + es_hash_pairwise_range(cm->hash[j], key, w)] += count;
        return;
    }
    /* Conservative: raise each counter only to (old estimate + count). */
    uint32_t col[ES_CM_MAX_DEPTH];
    uint64_t est = UINT64_MAX;
    for (uint32_t j = 0; j < d; j++) {
        col[j] = es_hash_pairwise_range(cm->hash[j], key, w);
        uint64_t c = cm->counters[(size_t)j * w + col[j]];
        if (c < est)
            est = c;
    }
    const uint64_t target = est + count;
    for (uint32_t j = 0; j < d; j++) {
        uint64_t *c = &cm->counters[(size_t)j * w + col[j]];
        if (*c < target)
            *c = target;
    }
}

void es_cm_add_many(es_cm *cm, const uint64_t *keys, size_t n)
{
    if (cm->conservative) {
        for (size_t i = 0; i < n; i++)
            es_cm_update(cm, keys[i], 1);
        return;
    }
    /* Rows are independent, so each thread fills whole rows: no atomics,
     * and every counter gets the same sum whatever the thread count. */
    const uint32_t w = cm->width, d = cm->depth;
    #pragma omp parallel for schedule(static, 1) if (n >= 4096 && d > 1)
    for (uint32_t j = 0; j < d; j++) {
        uint64_t *row = cm->counters + (size_t)j * w;
        const es_hash_pairwise_coef f = cm->hash[j];
        for (size_t i = 0; i < n; i++)
            row[es_hash_pairwise_range(f, keys[i], w)]++;
    }
    cm->total += n;
}

void es_cm_remove(es_cm *cm, uint64_t key, uint64_t count)
{
    g_return_if_fail(!cm->conservative);
    const uint32_t w = cm->width;
    for (uint32_t j = 0; j < cm->depth; j++) {
        uint64_t *c = &cm->counters[(size_t)j * w + es_hash_pairwise_range(cm->hash[j], key, w)];
        *c -= MIN(*c, count);
    }
    cm->total -= MIN(cm->total, count);
}

uint64_t es_cm_query(const es_cm *cm, uint64_t key)
{
    const uint32_t w = cm->width;
    uint64_t est = UINT64_MAX;
    for (uint32_t j = 0; j < cm->depth; j++) {
        uint64_t c = cm->counters[(size_t)j * w + es_hash_pairwise_range(cm->hash[j], key, w)];
        if (c < est)
            est = c;
    }
    return est;
}

gboolean es_cm_merge(es_cm *dst, const es_cm *src, GError **error)
{
    if (dst->width != src->width || dst->depth != src->depth || dst->seed != src->seed
        || dst->conservative != src->conservative) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "count-min: cannot merge a sketch of width %u, depth %u, seed %" G_GUINT64_FORMAT "%s"
                    " into one of width %u, depth %u, seed %" G_GUINT64_FORMAT "%s",
                    src->width, src->depth, (guint64)src->seed, src->conservative ? " (conservative)" : "",
                    dst->width, dst->depth, (guint64)dst->seed, dst->conservative ? " (conservative)" : "");
        return FALSE;
    }
    const size_t n = (size_t)dst->width * dst->depth;
    for (size_t i = 0; i < n; i++)
        dst->counters[i] += src->counters[i];
    dst->total += src->total;
    return TRUE;
}

uint32_t es_cm_width(const es_cm *cm)        { return cm->width; }
uint32_t es_cm_depth(const es_cm *cm)        { return cm->depth; }
uint64_t es_cm_seed(const es_cm *cm)         { return cm->seed; }
gboolean es_cm_conservative(const es_cm *cm) { return cm->conservative; }
uint64_t es_cm_total(const es_cm *cm)        { return cm->total; }
double   es_cm_eps(const es_cm *cm)          { return M_E / cm->width; }
double   es_cm_delta(const es_cm *cm)        { return exp(-(double)cm->depth); }
double   es_cm_error_bound(const es_cm *cm)  { return es_cm_eps(cm) * (double)cm->total; }
const uint64_t *es_cm_counters(const es_cm *cm) { return cm->counters; }

es_cm *es_cm_restore(uint32_t width, uint32_t depth, uint64_t seed, gboolean conservative,
                     uint64_t total, const uint64_t *counters, GError **error)
{
    if (width < 1 || width > ES_CM_MAX_WIDTH || depth < 1 || depth > ES_CM_MAX_DEPTH) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "count-min: saved dimensions %u x %u are out of range (width 1..%u, depth 1..%u)",
                    width, depth, ES_CM_MAX_WIDTH, ES_CM_MAX_DEPTH);
        return NULL;
    }
    for (uint32_t j = 0; j < depth; j++) {
        uint64_t sum = 0;
        gboolean overflow = FALSE;
        for (uint32_t i = 0; i < width; i++)
            overflow |= __builtin_add_overflow(sum, counters[(size_t)j * width + i], &sum);
        if (overflow || (conservative ? sum > total : sum != total)) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "count-min: saved row %u sums to %s%" G_GUINT64_FORMAT ", inconsistent with the total %"
                        G_GUINT64_FORMAT, j, overflow ? "more than " : "", (guint64)sum, (guint64)total);
            return NULL;
        }
    }
    es_cm *cm = es_cm_new_dims(width, depth, seed, conservative);
    memcpy(cm->counters, counters, (size_t)width * depth * sizeof(uint64_t));
    cm->total = total;
    return cm;
}
