/* sketch_bench.c — the accuracy of the sketch operators' summaries (hll,
 * cm, topk) against exact counts, by the memory given to them as a share
 * of the stream's edge lines, over seeds: the sketch part of
 * bench/accuracy.sh.
 *
 * The input (an edge file, plain or gzip, read with edgestream's reader)
 * is held as its external ids, which the three operators sketch: every
 * line adds 1 to the degree of u and of v (a self-loop 2), as `cm` and
 * `topk` count; `hll` counts distinct ids.  For a share F of the L lines:
 *   hll   p = round(log2(F L)) in [4, 18] (2^p one-byte registers):
 *         |estimate - exact| / exact of the distinct ids;
 *   cm    depth 5 (delta = e^-5), width F L / 5 (F L counters):
 *         over every vertex, the largest and the mean overestimate in
 *         units of N = 2 L, the share of vertices within eps N (the
 *         guarantee: at least 1 - delta), and the mean relative error of
 *         the 100 largest degrees;
 *   topk  k = 10, capacity F L / 3 counters (about as many bytes as cm's):
 *         how many of the true top 10 it lists, and the largest relative
 *         error of their counts (Space-Saving has no seed: one run).
 * Output: one tsv line per sketch and seed:
 *   input lines sketch frac seed size error aux1 aux2
 * (hll: size p, error the relative error; cm: size width, error the mean
 * relative error of the 100 largest degrees, aux1 the share within eps N,
 * aux2 the largest overestimate / N; topk: size capacity, error the largest
 * relative error of the true top 10's counts, aux1 the true top 10 listed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow/reader.h"
#include "graph/common.h"
#include "sketches/countmin.h"
#include "sketches/hll.h"
#include "sketches/spacesaving.h"

typedef struct {
    uint64_t key, deg;
} vdeg;

static int by_degree_desc(const void *a, const void *b)
{
    const vdeg *x = a, *y = b;
    return x->deg != y->deg ? (x->deg < y->deg ? 1 : -1) : (x->key > y->key) - (x->key < y->key);
}

int main(int argc, char **argv)
{
    int seeds = 10;
    double frac = 0.01;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--frac") == 0 && i + 1 < argc)
            frac = atof(argv[++i]);
        else
            path = argv[i];
    }
    if (path == NULL || seeds < 1 || !(frac > 0)) {
        fprintf(stderr, "usage: sketch_bench [--seeds S] [--frac F] FILE\n");
        return 64;
    }
    const char *paths[] = { path, NULL };
    es_reader *r = es_reader_new(paths, 0);
    es_raw_batch *b = es_raw_batch_new(1u << 20);
    uint64_t *ids = NULL;
    size_t n = 0, cap = 0;
    GError *err = NULL;
    for (;;) {
        if (!es_reader_next(r, b, b->cap, &err)) {
            fprintf(stderr, "sketch_bench: %s\n", err->message);
            return 65;
        }
        if (b->n == 0)
            break;
        if (n + 2 * b->n > cap) {
            size_t c = es_grow_cap(cap, n + 2 * b->n);
            ids = es_big_realloc(ids, cap * sizeof(uint64_t), c * sizeof(uint64_t));
            cap = c;
        }
        memcpy(ids + n, b->ids, 2 * b->n * sizeof(uint64_t));
        n += 2 * b->n;
    }
    es_raw_batch_free(b);
    es_reader_free(r);
    const size_t lines = n / 2;

    /* exact degrees (line counts) and distinct ids */
    GHashTable *deg = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    for (size_t i = 0; i < n; i++) {
        uint64_t *c = g_hash_table_lookup(deg, &ids[i]);
        if (c == NULL) {
            uint64_t *k = g_new(uint64_t, 1);
            *k = ids[i];
            c = g_new0(uint64_t, 1);
            g_hash_table_insert(deg, k, c);
        }
        (*c)++;
    }
    const size_t nv = g_hash_table_size(deg);
    vdeg *v = g_new(vdeg, nv);
    GHashTableIter it;
    gpointer k, c;
    size_t j = 0;
    g_hash_table_iter_init(&it, deg);
    while (g_hash_table_iter_next(&it, &k, &c))
        v[j++] = (vdeg){ *(uint64_t *)k, *(uint64_t *)c };
    qsort(v, nv, sizeof(vdeg), by_degree_desc);
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const double budget = frac * (double)lines;

    for (int s = 1; s <= seeds; s++) {
        int p = (int)lround(log2(budget));
        p = p < ES_HLL_MIN_P ? ES_HLL_MIN_P : p > ES_HLL_MAX_P ? ES_HLL_MAX_P : p;
        es_hll *h = es_hll_new((unsigned)p, (uint64_t)s);
        es_hll_add_many(h, ids, n);
        printf("%s\t%zu\thll\t%g\t%d\t%d\t%.6f\t%zu\t0\n", name, lines, frac, s, p,
               fabs(es_hll_estimate(h) - (double)nv) / (double)nv, nv);
        es_hll_free(h);

        uint32_t width = (uint32_t)(budget / 5 < 2 ? 2 : budget / 5);
        es_cm *cm = es_cm_new_dims(width, 5, (uint64_t)s, FALSE);
        es_cm_add_many(cm, ids, n);
        const double N = (double)es_cm_total(cm), bound = es_cm_eps(cm) * N;
        size_t within = 0;
        double worst = 0, top = 0;
        for (size_t i = 0; i < nv; i++) {
            const double over = (double)(es_cm_query(cm, v[i].key) - v[i].deg);
            within += over <= bound;
            worst = over > worst ? over : worst;
            if (i < 100)
                top += over / (double)v[i].deg / (nv < 100 ? (double)nv : 100.0);
        }
        printf("%s\t%zu\tcm\t%g\t%d\t%u\t%.6f\t%.6f\t%.6g\n", name, lines, frac, s, width, top,
               (double)within / (double)nv, worst / N);
        es_cm_free(cm);
    }

    const uint32_t capacity = (uint32_t)(budget / 3 < 10 ? 10 : budget / 3);
    es_ss *ss = es_ss_new(capacity);
    for (size_t i = 0; i < n; i++)
        es_ss_update(ss, ids[i], 1);
    es_ss_item got[10];
    gboolean guaranteed[10];
    const size_t listed = es_ss_top(ss, 10, got, guaranteed);
    int hits = 0;
    double worst = 0;
    for (size_t i = 0; i < 10 && i < nv; i++) {
        for (size_t q = 0; q < listed; q++)
            hits += got[q].key == v[i].key;
        uint64_t cnt = 0, e = 0;
        const double est = es_ss_query(ss, v[i].key, &cnt, &e) ? (double)cnt : 0.0;
        const double rel = fabs(est - (double)v[i].deg) / (double)v[i].deg;
        worst = rel > worst ? rel : worst;
    }
    printf("%s\t%zu\ttopk\t%g\t1\t%u\t%.6f\t%d\t0\n", name, lines, frac, capacity, worst, hits);
    es_ss_free(ss);
    g_free(v);
    g_hash_table_destroy(deg);
    es_big_free(ids, cap * sizeof(uint64_t));
    return 0;
}
