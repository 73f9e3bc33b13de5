/* test_unionfind.c — the union-find (graph/unionfind.c): hand-made cases,
 * then random unions checked against a naive labelling (every vertex holds
 * its set's label; a union relabels one whole set), which is obviously
 * correct and O(n) per union.  The batch union must build the very forest
 * that edge-by-edge unions build; the read-only queries must not change
 * it; a forest rebuilt from its parents must behave as the original, and
 * parents that are no union-by-size forest must be refused. */
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/unionfind.h"
#include "tests/testutil.h"

static void test_new_forest_has_every_vertex_as_a_singleton(void)
{
    es_uf *uf = es_uf_new(5);
    CU_ASSERT_EQUAL(es_uf_size(uf), 5);
    CU_ASSERT_EQUAL(es_uf_count(uf), 5);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 1);
    for (uint32_t v = 0; v < 5; v++) {
        CU_ASSERT_EQUAL(es_uf_find(uf, v), v);
        CU_ASSERT_EQUAL(es_uf_set_size(uf, v), 1);
    }
    es_uf_free(uf);
}

static void test_empty_forest_has_no_sets(void)
{
    es_uf *uf = es_uf_new(0);
    CU_ASSERT_EQUAL(es_uf_size(uf), 0);
    CU_ASSERT_EQUAL(es_uf_count(uf), 0);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 0);
    es_uf_grow(uf, 0);
    CU_ASSERT_EQUAL(es_uf_size(uf), 0);
    es_uf_free(uf);
    es_uf_free(NULL);
}

static void test_union_joins_two_sets_and_find_agrees(void)
{
    es_uf *uf = es_uf_new(6);
    CU_ASSERT_TRUE(es_uf_union(uf, 0, 1));
    CU_ASSERT_TRUE(es_uf_union(uf, 2, 3));
    CU_ASSERT_EQUAL(es_uf_find(uf, 0), es_uf_find(uf, 1));
    CU_ASSERT_EQUAL(es_uf_find(uf, 2), es_uf_find(uf, 3));
    CU_ASSERT_NOT_EQUAL(es_uf_find(uf, 0), es_uf_find(uf, 2));
    CU_ASSERT_TRUE(es_uf_union(uf, 1, 3));
    for (uint32_t v = 1; v < 4; v++)
        CU_ASSERT_EQUAL(es_uf_find(uf, v), es_uf_find(uf, 0));
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 2), 4);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 4), 1);
    CU_ASSERT_EQUAL(es_uf_count(uf), 3);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 4);
    es_uf_free(uf);
}

static void test_union_of_the_same_set_returns_false_and_changes_nothing(void)
{
    es_uf *uf = es_uf_new(4);
    CU_ASSERT_TRUE(es_uf_union(uf, 0, 1));
    CU_ASSERT_TRUE(es_uf_union(uf, 1, 2));
    CU_ASSERT_FALSE(es_uf_union(uf, 0, 2));
    CU_ASSERT_FALSE(es_uf_union(uf, 2, 0));
    CU_ASSERT_FALSE(es_uf_union(uf, 3, 3));
    CU_ASSERT_EQUAL(es_uf_count(uf), 2);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 0), 3);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 3);
    es_uf_free(uf);
}

static void test_union_of_two_trees_keeps_smaller_under_larger(void)
{
    /* {5,6,7} (root chosen by the forest) against singleton {1}: whichever
     * argument order, the larger set's root stays root. */
    for (int order = 0; order < 2; order++) {
        es_uf *uf = es_uf_new(8);
        es_uf_union(uf, 5, 6);
        es_uf_union(uf, 6, 7);
        uint32_t big = es_uf_find(uf, 7);
        CU_ASSERT_TRUE(order ? es_uf_union(uf, 1, 7) : es_uf_union(uf, 7, 1));
        CU_ASSERT_EQUAL(es_uf_find(uf, 1), big);
        CU_ASSERT_EQUAL(es_uf_find(uf, 5), big);
        CU_ASSERT_EQUAL(es_uf_set_size(uf, 1), 4);
        es_uf_free(uf);
    }
}

static void test_union_of_equal_sizes_keeps_the_smaller_id_as_root(void)
{
    es_uf *uf = es_uf_new(10);
    CU_ASSERT_TRUE(es_uf_union(uf, 9, 4));
    CU_ASSERT_EQUAL(es_uf_find(uf, 9), 4);
    CU_ASSERT_TRUE(es_uf_union(uf, 2, 8));
    CU_ASSERT_EQUAL(es_uf_find(uf, 8), 2);
    CU_ASSERT_TRUE(es_uf_union(uf, 9, 8)); /* sizes 2 and 2: roots 4 and 2 */
    CU_ASSERT_EQUAL(es_uf_find(uf, 4), 2);
    CU_ASSERT_EQUAL(es_uf_find(uf, 9), 2);
    es_uf_free(uf);
}

static void test_pairwise_unions_of_equal_trees_end_rooted_at_vertex_zero(void)
{
    /* Equal trees joined pairwise, round after round (the binomial-tree
     * worst case for depth): the smaller root wins every tie, so 0 ends as
     * the root of everything. */
    const uint32_t n = 1u << 12;
    es_uf *uf = es_uf_new(n);
    for (uint32_t step = 1; step < n; step *= 2)
        for (uint32_t v = 0; v + step < n; v += 2 * step)
            CU_ASSERT_TRUE(es_uf_union(uf, v, v + step));
    CU_ASSERT_EQUAL(es_uf_count(uf), 1);
    CU_ASSERT_EQUAL(es_uf_largest(uf), n);
    CU_ASSERT_EQUAL(es_uf_find(uf, n - 1), 0);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, n / 2), n);
    es_uf_free(uf);
}

static void test_grow_adds_singletons_and_keeps_existing_sets(void)
{
    es_uf *uf = es_uf_new(3);
    es_uf_union(uf, 0, 2);
    es_uf_grow(uf, 2); /* never shrinks */
    CU_ASSERT_EQUAL(es_uf_size(uf), 3);
    es_uf_grow(uf, 100000);
    CU_ASSERT_EQUAL(es_uf_size(uf), 100000);
    CU_ASSERT_EQUAL(es_uf_count(uf), 99999);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 2);
    CU_ASSERT_EQUAL(es_uf_find(uf, 2), es_uf_find(uf, 0));
    CU_ASSERT_EQUAL(es_uf_find(uf, 99999), 99999);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 50000), 1);
    CU_ASSERT_TRUE(es_uf_union(uf, 99999, 1));
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 1), 2);
    es_uf_free(uf);

    es_uf *empty = es_uf_new(0);
    es_uf_grow(empty, 1);
    CU_ASSERT_EQUAL(es_uf_count(empty), 1);
    CU_ASSERT_EQUAL(es_uf_largest(empty), 1);
    es_uf_free(empty);
}

/* Random unions and grows against the naive labelling. */
static int compare_with_labels(uint64_t seed, uint32_t n_final, size_t ops)
{
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    uint32_t *label = g_new(uint32_t, n_final);
    uint32_t n = n_final / 4;
    for (uint32_t v = 0; v < n_final; v++)
        label[v] = v;
    es_uf *uf = es_uf_new(n);
    int bad = 0;
    for (size_t i = 0; i < ops && !bad; i++) {
        if (n < n_final && g_rand_int_range(rng, 0, 100) == 0) {
            n += (uint32_t)g_rand_int_range(rng, 1, (gint32)(n_final - n) + 1);
            es_uf_grow(uf, n);
            continue;
        }
        uint32_t a = g_rand_int_range(rng, 0, (gint32)n), b = g_rand_int_range(rng, 0, (gint32)n);
        gboolean differ = label[a] != label[b];
        if (es_uf_union(uf, a, b) != differ)
            bad = 1;
        if (differ) {
            uint32_t from = label[b], to = label[a];
            for (uint32_t v = 0; v < n_final; v++)
                if (label[v] == from)
                    label[v] = to;
        }
        if (i % 97 == 0 || i + 1 == ops) {
            /* Full check: sets, sizes, count, largest. */
            uint32_t *size = g_new0(uint32_t, n_final);
            for (uint32_t v = 0; v < n; v++)
                size[label[v]]++;
            uint32_t count = 0, largest = 0;
            for (uint32_t v = 0; v < n_final; v++) {
                count += size[v] > 0;
                largest = size[v] > largest ? size[v] : largest;
            }
            bad |= es_uf_count(uf) != count || es_uf_largest(uf) != largest || es_uf_size(uf) != n;
            for (uint32_t v = 0; v < n && !bad; v++) {
                uint32_t r = es_uf_find(uf, v);
                bad |= es_uf_set_size(uf, v) != size[label[v]];
                bad |= label[r] != label[v];                    /* root in v's set */
                bad |= es_uf_find(uf, r) != r;                  /* and a root */
                uint32_t w = g_rand_int_range(rng, 0, (gint32)n);
                bad |= (es_uf_find(uf, w) == r) != (label[w] == label[v]);
            }
            g_free(size);
        }
    }
    if (bad)
        printf("\n  union-find differs from the naive labelling: seed %" G_GUINT64_FORMAT ", n %u\n",
               (guint64)seed, n_final);
    es_uf_free(uf);
    g_free(label);
    g_rand_free(rng);
    return bad;
}

static void test_random_unions_match_a_naive_labelling(void)
{
    for (uint64_t seed = 1; seed <= 8; seed++)
        CU_ASSERT_FALSE(compare_with_labels(seed, 200 + 300 * (uint32_t)seed, 3000));
}

static uint32_t *parents_of(const es_uf *uf)
{
    uint32_t n = es_uf_size(uf);
    uint32_t *p = g_new(uint32_t, n ? n : 1);
    es_uf_parents(uf, 0, n, p);
    return p;
}

/* Same vertices, parents, count, largest and root sizes. */
static int same_forest(const es_uf *a, const es_uf *b)
{
    uint32_t n = es_uf_size(a);
    if (n != es_uf_size(b) || es_uf_count(a) != es_uf_count(b) || es_uf_largest(a) != es_uf_largest(b))
        return 0;
    uint32_t *pa = parents_of(a), *pb = parents_of(b);
    int same = memcmp(pa, pb, (size_t)n * sizeof(uint32_t)) == 0;
    for (uint32_t v = 0; v < n && same; v++)
        same = es_uf_root_size(a, v) == es_uf_root_size(b, v);
    g_free(pa);
    g_free(pb);
    return same;
}

static es_edge *random_edges(GRand *rng, uint32_t n, size_t m)
{
    es_edge *e = g_new(es_edge, m);
    for (size_t i = 0; i < m; i++) {
        e[i].u = g_rand_int_range(rng, 0, (gint32)n);
        e[i].v = g_rand_int_range(rng, 0, (gint32)n);
    }
    return e;
}

static void test_batch_union_builds_the_forest_of_edge_by_edge_unions(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        const uint32_t n = 50 + 4000 * (uint32_t)seed;
        const size_t m = (size_t)n * (seed % 3 + 1) / 2;
        es_edge *e = random_edges(rng, n, m);
        es_uf *one = es_uf_new(n), *batch = es_uf_new(n);
        size_t joins = 0;
        for (size_t i = 0; i < m; i++)
            joins += es_uf_union(one, e[i].u, e[i].v);
        /* In uneven pieces, as batches come. */
        size_t batch_joins = 0;
        for (size_t at = 0, len = 1; at < m; at += len, len = len * 3 + 1)
            batch_joins += es_uf_union_edges(batch, e + at, MIN(len, m - at));
        CU_ASSERT_EQUAL(batch_joins, joins);
        CU_ASSERT_EQUAL(joins, n - es_uf_count(one));
        int same = same_forest(one, batch);
        CU_ASSERT_TRUE(same);
        if (!same)
            printf("\n  batch union differs: seed %" G_GUINT64_FORMAT "\n", (guint64)seed);
        CU_ASSERT_EQUAL(es_uf_union_edges(batch, e, 0), 0);
        es_uf_free(one);
        es_uf_free(batch);
        g_free(e);
        g_rand_free(rng);
    }
}

static void test_root_size_is_the_set_size_at_roots_and_zero_elsewhere(void)
{
    es_uf *uf = es_uf_new(7);
    es_uf_union(uf, 1, 2);
    es_uf_union(uf, 2, 3);
    es_uf_union(uf, 5, 6);
    uint32_t r = es_uf_find(uf, 3), s = es_uf_find(uf, 6);
    for (uint32_t v = 0; v < 7; v++) {
        uint32_t want = v == r ? 3 : v == s ? 2 : (v == 0 || v == 4) ? 1 : 0;
        CU_ASSERT_EQUAL(es_uf_root_size(uf, v), want);
    }
    uint32_t p[7];
    es_uf_parents(uf, 0, 7, p);
    for (uint32_t v = 0; v < 7; v++)
        CU_ASSERT_EQUAL(p[v] == v, es_uf_root_size(uf, v) != 0);
    es_uf_parents(uf, 5, 2, p);
    CU_ASSERT_EQUAL(p[1], s);
    es_uf_free(uf);
}

static void test_read_only_queries_leave_long_paths_alone(void)
{
    /* Pairwise unions of equal trees give paths of log2 n links; a find
     * would halve them, the read-only queries must not. */
    const uint32_t n = 1u << 10;
    es_uf *uf = es_uf_new(n);
    for (uint32_t step = 1; step < n; step *= 2)
        for (uint32_t v = 0; v + step < n; v += 2 * step)
            es_uf_union(uf, v, v + step);
    uint32_t *before = parents_of(uf);
    uint64_t total = 0;
    for (uint32_t v = 0; v < n; v++)
        total += es_uf_root_size(uf, v);
    uint32_t *after = parents_of(uf);
    CU_ASSERT_EQUAL(total, n);
    CU_ASSERT_EQUAL(memcmp(before, after, n * sizeof(uint32_t)), 0);
    CU_ASSERT_NOT_EQUAL(before[n - 1], 0);   /* not yet compressed */
    es_uf_find(uf, n - 1);
    uint32_t *found = parents_of(uf);
    CU_ASSERT_NOT_EQUAL(memcmp(before, found, n * sizeof(uint32_t)), 0);
    g_free(before);
    g_free(after);
    g_free(found);
    es_uf_free(uf);
}

static void test_forest_rebuilt_from_its_parents_goes_on_as_the_original(void)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)(seed + 100));
        const uint32_t n = 1000 * (uint32_t)seed;
        es_edge *e = random_edges(rng, n, n);
        es_uf *a = es_uf_new(n);
        es_uf_union_edges(a, e, n / 2 + seed);
        for (uint32_t v = 0; v < n; v += 7)   /* some compressed paths */
            es_uf_find(a, v);
        uint32_t *p = parents_of(a);
        GError *err = NULL;
        es_uf *b = es_uf_new_from_parents(p, n, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_TRUE(same_forest(a, b));
        es_uf_grow(a, n + 10);
        es_uf_grow(b, n + 10);
        CU_ASSERT_EQUAL(es_uf_union_edges(a, e + n / 2, n - n / 2 - 1), es_uf_union_edges(b, e + n / 2, n - n / 2 - 1));
        CU_ASSERT_TRUE(es_uf_union(a, 0, n + 3) == es_uf_union(b, 0, n + 3));
        CU_ASSERT_TRUE(same_forest(a, b));
        g_free(p);
        es_uf_free(a);
        es_uf_free(b);
        g_free(e);
        g_rand_free(rng);
    }
    GError *err = NULL;
    es_uf *empty = es_uf_new_from_parents(NULL, 0, &err);
    CU_ASSERT_PTR_NOT_NULL(empty);
    CU_ASSERT_EQUAL(es_uf_count(empty), 0);
    CU_ASSERT_EQUAL(es_uf_largest(empty), 0);
    es_uf_free(empty);
}

static void expect_bad_parents(const uint32_t *p, uint32_t n, const char *words)
{
    GError *err = NULL;
    es_uf *uf = es_uf_new_from_parents(p, n, &err);
    CU_ASSERT_PTR_NULL(uf);
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    CU_ASSERT_TRUE(err != NULL && strstr(err->message, words) != NULL);
    g_clear_error(&err);
    es_uf_free(uf);
}

static void test_parents_that_are_no_union_by_size_forest_are_refused(void)
{
    const uint32_t out_of_range[] = { 0, 0, 3 };
    const uint32_t two_cycle[] = { 1, 0, 2 };
    const uint32_t self_and_cycle[] = { 0, 2, 3, 1 };
    expect_bad_parents(out_of_range, 3, "parent[2] = 3");
    expect_bad_parents(two_cycle, 3, "cycle");
    expect_bad_parents(self_and_cycle, 4, "cycle");
    /* A chain: 32 links pass (no union by size makes them, but they do no
     * harm), 33 do not. */
    uint32_t chain[34];
    for (uint32_t v = 0; v < 34; v++)
        chain[v] = v ? v - 1 : 0;
    GError *err = NULL;
    es_uf *uf = es_uf_new_from_parents(chain, 33, &err);
    CU_ASSERT_PTR_NOT_NULL(uf);
    CU_ASSERT_EQUAL(uf ? es_uf_root_size(uf, 0) : 0, 33);
    es_uf_free(uf);
    expect_bad_parents(chain, 34, "vertex 33");
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_new_forest_has_every_vertex_as_a_singleton),
        ES_TEST(test_empty_forest_has_no_sets),
        ES_TEST(test_union_joins_two_sets_and_find_agrees),
        ES_TEST(test_union_of_the_same_set_returns_false_and_changes_nothing),
        ES_TEST(test_union_of_two_trees_keeps_smaller_under_larger),
        ES_TEST(test_union_of_equal_sizes_keeps_the_smaller_id_as_root),
        ES_TEST(test_pairwise_unions_of_equal_trees_end_rooted_at_vertex_zero),
        ES_TEST(test_grow_adds_singletons_and_keeps_existing_sets),
        ES_TEST(test_random_unions_match_a_naive_labelling),
        ES_TEST(test_batch_union_builds_the_forest_of_edge_by_edge_unions),
        ES_TEST(test_root_size_is_the_set_size_at_roots_and_zero_elsewhere),
        ES_TEST(test_read_only_queries_leave_long_paths_alone),
        ES_TEST(test_forest_rebuilt_from_its_parents_goes_on_as_the_original),
        ES_TEST(test_parents_that_are_no_union_by_size_forest_are_refused),
        { NULL, NULL },
    };
    return es_test_main("unionfind", tests);
}
