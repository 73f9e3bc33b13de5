/* test_verify.c — the verifiers themselves (operators/verify.h), on graphs
 * counted by hand: two triangles sharing an edge plus a path, a pendant
 * and an isolated self-loop vertex; a 5-cycle for bipartiteness; kept
 * graphs with a missing and a fake edge for the spanner's check. */
#include <string.h>

#include "operators/verify.h"
#include "tests/testutil.h"

/* 0-1-2-0 and 1-2-3-1 (two triangles on edge 1-2), 3-4, a repeat of 1-0, a
 * self-loop at 5 (its only appearance), and a loop at 0. */
static const uint32_t small[] = { 0, 1, 1, 2, 2, 0, 1, 3, 2, 3, 3, 4, 1, 0, 5, 5, 0, 0 };
#define SMALL_LINES 9
#define SMALL_N 6

static uint64_t u64_of(const es_report *r, const char *op, const char *metric)
{
    const es_report_entry *e = es_report_find(r, op, metric);
    return e && e->kind == ES_VAL_U64 ? e->v.u64 : UINT64_MAX;
}

static void test_components_degrees_and_triangles_are_the_hand_counts(void)
{
    es_verify_graph x;
    es_verify_graph_init(&x, small, SMALL_LINES, SMALL_N);
    es_report *r = es_report_new();
    es_verify_cc(&x, r, "cc");
    es_verify_degree(&x, r, "degree");
    uint64_t *local = NULL;
    CU_ASSERT_EQUAL(es_verify_tri(&x, r, "tri", &local), 2);

    CU_ASSERT_EQUAL(u64_of(r, "cc", "vertices"), 6);
    CU_ASSERT_EQUAL(u64_of(r, "cc", "components"), 2);
    CU_ASSERT_EQUAL(u64_of(r, "cc", "largest"), 5);
    const es_hist_bin sizes[] = { { 1, 1 }, { 5, 1 } };
    CU_ASSERT_TRUE(es_test_hist_equals(es_report_find(r, "cc", "size_histogram"), sizes, 2));

    CU_ASSERT_EQUAL(u64_of(r, "degree", "edges"), 6);
    CU_ASSERT_EQUAL(u64_of(r, "degree", "self_loops"), 2);
    CU_ASSERT_EQUAL(u64_of(r, "degree", "duplicates"), 1);
    CU_ASSERT_EQUAL(u64_of(r, "degree", "max"), 3);
    /* degrees 0:2 1:3 2:3 3:3 4:1 5:0 */
    const es_hist_bin degs[] = { { 0, 1 }, { 1, 1 }, { 2, 1 }, { 3, 3 } };
    CU_ASSERT_TRUE(es_test_hist_equals(es_report_find(r, "degree", "distribution"), degs, 4));

    CU_ASSERT_EQUAL(u64_of(r, "tri", "triangles"), 2);
    CU_ASSERT_EQUAL(u64_of(r, "tri", "wedges"), 1 + 3 + 3 + 3);
    const uint64_t want[SMALL_N] = { 1, 2, 2, 1, 0, 0 };
    CU_ASSERT_EQUAL(memcmp(local, want, sizeof want), 0);
    g_free(local);

    uint64_t *d = es_verify_line_degrees(&x);
    const uint64_t lines[SMALL_N] = { 5, 4, 3, 3, 1, 2 };
    CU_ASSERT_EQUAL(memcmp(d, lines, sizeof lines), 0);
    g_free(d);
    es_report_free(r);
    es_verify_graph_free(&x);
}

static void test_first_difference_names_the_metric_that_differs(void)
{
    es_verify_graph x;
    es_verify_graph_init(&x, small, SMALL_LINES, SMALL_N);
    es_report *exact = es_report_new(), *same = es_report_new(), *other = es_report_new();
    es_verify_degree(&x, exact, "degree");
    es_verify_degree(&x, same, "degree");
    CU_ASSERT_PTR_NULL(es_verify_first_difference(same, exact, "degree"));
    es_verify_graph_free(&x);
    /* One line fewer: the repeat of 1-0 is gone, nothing else changes. */
    es_verify_graph_init(&x, small, 6, SMALL_N);
    es_verify_degree(&x, other, "degree");
    es_verify_graph_free(&x);
    const char *d = es_verify_first_difference(other, exact, "degree");
    CU_ASSERT_PTR_NOT_NULL(d);
    CU_ASSERT_STRING_EQUAL(d ? d : "", "self_loops");
    es_report_free(exact);
    es_report_free(same);
    es_report_free(other);
}

static void test_bipartite_prefix_turns_false_at_the_edge_closing_an_odd_cycle(void)
{
    const uint32_t c5[] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 0 };
    CU_ASSERT_TRUE(es_verify_bipartite_prefix(c5, 4, 5));
    CU_ASSERT_FALSE(es_verify_bipartite_prefix(c5, 5, 5));
    const uint32_t loop[] = { 0, 1, 1, 1 };
    CU_ASSERT_TRUE(es_verify_bipartite_prefix(loop, 1, 2));
    CU_ASSERT_FALSE(es_verify_bipartite_prefix(loop, 2, 2));
}

static void test_spanner_check_finds_far_edges_and_fake_edges(void)
{
    /* Input: the path 0-1-2-3 and the chord 0-3. */
    const uint32_t in[] = { 0, 1, 1, 2, 2, 3, 0, 3 };
    es_verify_graph x;
    es_verify_graph_init(&x, in, 4, 4);

    es_adjacency *path = es_adjacency_new(4);
    es_adjacency_insert(path, 0, 1);
    es_adjacency_insert(path, 1, 2);
    es_adjacency_insert(path, 2, 3);
    es_verify_spanner_result r = es_verify_spanner(&x, path, 3, 4, 1);
    CU_ASSERT_EQUAL(r.tested, 4);
    CU_ASSERT_EQUAL(r.far, 0);          /* 0-3 is 3 hops away */
    CU_ASSERT_EQUAL(r.fake, 0);
    CU_ASSERT_TRUE(r.symmetric);
    r = es_verify_spanner(&x, path, 2, 4, 1);
    CU_ASSERT_EQUAL(r.far, 1);          /* but not within 2 */

    es_adjacency_insert(path, 0, 2);    /* not an input edge */
    r = es_verify_spanner(&x, path, 3, 4, 1);
    CU_ASSERT_EQUAL(r.fake, 1);
    es_adjacency_free(path);

    es_adjacency *none = es_adjacency_new(4);
    r = es_verify_spanner(&x, none, 3, 4, 1);
    CU_ASSERT_EQUAL(r.far, 4);
    /* A sample smaller than the input tests that many lines. */
    r = es_verify_spanner(&x, none, 3, 2, 7);
    CU_ASSERT_EQUAL(r.tested, 2);
    es_adjacency_free(none);
    es_verify_graph_free(&x);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_components_degrees_and_triangles_are_the_hand_counts),
        ES_TEST(test_first_difference_names_the_metric_that_differs),
        ES_TEST(test_bipartite_prefix_turns_false_at_the_edge_closing_an_odd_cycle),
        ES_TEST(test_spanner_check_finds_far_edges_and_fake_edges),
        { NULL, NULL },
    };
    return es_test_main("verify", tests);
}
