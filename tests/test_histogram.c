/* test_histogram.c — the kept histogram (graph/histogram.c) against a
 * recount: random values, small and large, added and taken away one at a
 * time (a hub's degree walking up through large values, values whose
 * slots collide and are deleted from the middle of a probe run), the bins
 * after each step compared with those of a plain array of the values; and
 * the union-find's size histogram against the sizes its roots hold. */
#include <stdlib.h>
#include <string.h>

#include "graph/histogram.h"
#include "graph/unionfind.h"
#include "tests/testutil.h"

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* TRUE when h's bins are exactly those of vals[0 .. n). */
static gboolean same_as_recount(const es_hist *h, const uint64_t *vals, size_t n)
{
    uint64_t *v = g_memdup2(vals, (n ? n : 1) * sizeof *v);
    qsort(v, n, sizeof *v, u64_cmp);
    GArray *bins = es_hist_bins(h);
    gboolean same = h->total == n;
    guint b = 0;
    for (size_t i = 0; same && i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i])
            j++;
        const es_hist_bin *bin = b < bins->len ? &g_array_index(bins, es_hist_bin, b) : NULL;
        same = bin && bin->key == v[i] && bin->count == j - i;
        b++;
        i = j;
    }
    same = same && b == bins->len && es_hist_max(h) == (n ? v[n - 1] : 0);
    g_array_free(bins, TRUE);
    g_free(v);
    return same;
}

static void test_empty_histogram_has_no_bins_and_max_zero(void)
{
    es_hist *h = es_hist_new();
    GArray *bins = es_hist_bins(h);
    CU_ASSERT_EQUAL(bins->len, 0);
    CU_ASSERT_EQUAL(es_hist_max(h), 0);
    g_array_free(bins, TRUE);
    es_hist_free(h);
}

static void test_random_adds_and_removals_match_a_recount(void)
{
    const uint64_t seed = 11;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    es_hist *h = es_hist_new();
    size_t n = 0, cap = 4096;
    uint64_t *vals = g_new(uint64_t, cap);
    for (int step = 0; step < 20000; step++) {
        gboolean add = n == 0 || g_rand_int_range(rng, 0, 3) != 0;
        if (add && n < cap) {
            /* Half small, half large, the large ones from a narrow range so
             * that they collide and repeat. */
            uint64_t x = g_rand_boolean(rng) ? (uint64_t)g_rand_int_range(rng, 0, 5000)
                                             : ES_HIST_DENSE + (uint64_t)g_rand_int_range(rng, 0, 300) * 1024;
            vals[n++] = x;
            es_hist_add(h, x, 1);
        } else {
            size_t i = (size_t)g_rand_int_range(rng, 0, (gint32)n);
            es_hist_add(h, vals[i], -1);
            vals[i] = vals[--n];
        }
        if (step % 97 == 0)
            ES_CHECK_SEED(same_as_recount(h, vals, n), seed);
    }
    ES_CHECK_SEED(same_as_recount(h, vals, n), seed);
    es_hist_clear(h);
    ES_CHECK_SEED(same_as_recount(h, vals, 0), seed);
    g_free(vals);
    es_hist_free(h);
    g_rand_free(rng);
}

/* A hub's degree moves from one large value to the next: each step empties
 * one slot and fills another, which must neither leak nor lose a value. */
static void test_a_value_walking_through_large_values_stays_one_bin(void)
{
    es_hist *h = es_hist_new();
    uint64_t vals[3] = { ES_HIST_DENSE, ES_HIST_DENSE + 7, 3 };
    for (int i = 0; i < 3; i++)
        es_hist_add(h, vals[i], 1);
    for (int step = 0; step < 100000; step++) {
        es_hist_add(h, vals[0], -1);
        es_hist_add(h, ++vals[0], 1);
    }
    CU_ASSERT_TRUE(same_as_recount(h, vals, 3));
    CU_ASSERT_TRUE(h->cap <= 16);
    es_hist_free(h);
}

static void test_union_find_size_histogram_is_that_of_its_roots(void)
{
    const uint64_t seed = 5;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    const uint32_t n = 20000;
    es_uf *uf = es_uf_new(n / 2);
    for (int step = 0; step < 30000; step++) {
        if (step == 10000)
            es_uf_grow(uf, n);
        uint32_t m = es_uf_size(uf);
        es_uf_union(uf, (uint32_t)g_rand_int_range(rng, 0, (gint32)m), (uint32_t)g_rand_int_range(rng, 0, (gint32)m));
        if (step % 1000 == 0 || step == 29999) {
            uint64_t *sizes = g_new(uint64_t, m);
            size_t k = 0;
            for (uint32_t v = 0; v < m; v++)
                if (es_uf_root_size(uf, v))
                    sizes[k++] = es_uf_root_size(uf, v);
            ES_CHECK_SEED(same_as_recount(es_uf_sizes(uf), sizes, k), seed);
            g_free(sizes);
        }
    }
    es_uf_free(uf);
    g_rand_free(rng);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_empty_histogram_has_no_bins_and_max_zero),
        ES_TEST(test_random_adds_and_removals_match_a_recount),
        ES_TEST(test_a_value_walking_through_large_values_stays_one_bin),
        ES_TEST(test_union_find_size_histogram_is_that_of_its_roots),
        { NULL, NULL },
    };
    return es_test_main("histogram", tests);
}
