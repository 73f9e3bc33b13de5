/* test_unionfind.c — the union-find (graph/unionfind.c): hand-made cases,
 * then random unions checked against a naive labelling (every vertex holds
 * its set's label; a union relabels one whole set), which is obviously
 * correct and O(n) per union. */
#include <stdio.h>

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
        { NULL, NULL },
    };
    return es_test_main("unionfind", tests);
}
