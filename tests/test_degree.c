/* test_degree.c — the degree operator (operators/degree.c) against its
 * verifier (es_verify_degree: igraph_degree with IGRAPH_NO_LOOPS and
 * igraph_ecount on the simplified graph) on random graphs: Erdos-Renyi, Barabasi-Albert and messy streams
 * with duplicates, both directions of an edge and self-loops, fed in
 * several batch sizes with one and with two threads; plus hand counts of
 * self-loops and duplicates.
 *
 * Streams are relabelled to first-appearance order before batching, as the
 * id map does, so a batch's num_vertices is the number of distinct vertices
 * seen so far and the igraph reference has exactly that many vertices. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "operators/operator.h"
#include "operators/verify.h"
#include "tests/testutil.h"

/* Random cases: every kind of es_test_make_case (tests/testutil.c), with
 * NUM_SEEDS seeds each. */
#define NUM_SEEDS 4

/* ---- checking a degree operator against igraph ------------------------- */

static const es_report_entry *entry(const es_report *r, const char *metric)
{
    const es_report_entry *e = es_report_find(r, "degree", metric);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    return e;
}

static uint64_t report_u64(const es_report *r, const char *metric)
{
    const es_report_entry *e = entry(r, metric);
    CU_ASSERT_EQUAL(e->kind, ES_VAL_U64);
    return e->v.u64;
}

/* Does r say these vertices, edges, self-loop and duplicate lines and
 * largest degree?  Prints r's counts when not. */
static int counts_are(const es_report *r, uint64_t vertices, uint64_t edges, uint64_t self_loops, uint64_t duplicates,
                      uint64_t max)
{
    const uint64_t got[5] = { report_u64(r, "vertices"), report_u64(r, "edges"), report_u64(r, "self_loops"),
                              report_u64(r, "duplicates"), report_u64(r, "max") };
    const int same = got[0] == vertices && got[1] == edges && got[2] == self_loops && got[3] == duplicates &&
                     got[4] == max;
    if (!same)
        printf("\n  vertices, edges, self_loops, duplicates, max: wanted %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
               " %" PRIu64 ", got %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", vertices, edges,
               self_loops, duplicates, max, got[0], got[1], got[2], got[3], got[4]);
    return same;
}

static es_report *run_degree(const uint32_t *pairs, size_t m, size_t batch_size, int threads)
{
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    es_operator *op = es_operator_new("degree", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_test_feed_batches(pairs, m, batch_size ? batch_size : (m ? m : 1), es_test_process, op);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    es_operator_free(op);
    omp_set_num_threads(saved);
    return r;
}

/* Compare a report with the verifier's; NULL or the first mismatch. */
static const char *check_degree(const es_report *r, const es_test_case *c)
{
    es_verify_graph x;
    es_verify_graph_init(&x, c->pairs, c->m, c->n);
    es_report *exact = es_report_new();
    es_verify_degree(&x, exact, "degree");
    es_verify_graph_free(&x);
    const char *bad = es_verify_first_difference(r, exact, "degree");
    es_report_free(exact);
    return bad;
}

static void test_degrees_match_igraph_for_any_batch_size_and_thread_count(void)
{
    static const size_t batch_sizes[] = { 1, 7, 1000, 10000, 0 /* all */ };
    int cases = 0;
    for (int kind = 0; kind < ES_TEST_CASE_KINDS; kind++) {
        for (uint64_t seed = 1; seed <= NUM_SEEDS; seed++) {
            es_test_case c;
            es_test_make_case(&c, kind, seed);
            for (size_t i = 0; i < G_N_ELEMENTS(batch_sizes); i++) {
                es_report *one = run_degree(c.pairs, c.m, batch_sizes[i], 1);
                es_report *two = run_degree(c.pairs, c.m, batch_sizes[i], 2);
                const char *bad = check_degree(one, &c);
                if (bad == NULL && (one->entries->len != two->entries->len
                                    || es_verify_first_difference(two, one, "degree") != NULL))
                    bad = "an answer with 2 threads";
                if (bad)
                    printf("\n  degree differs on %s: %s, batch size %zu\n",
                           bad, c.name, batch_sizes[i] ? batch_sizes[i] : c.m);
                CU_ASSERT_PTR_NULL(bad);
                es_report_free(one);
                es_report_free(two);
            }
            cases++;
            g_free(c.pairs);
        }
    }
    CU_ASSERT(cases >= 20);
}

/* ---- hand counts --------------------------------------------------------- */

static void test_self_loops_and_duplicates_are_counted_by_hand(void)
{
    /* (0,1) (1,0) (1,2) (2,2) (2,2) (0,1) (3,3): two distinct edges, three
     * self-loop lines, two duplicate lines; vertex 3 has degree 0. */
    const uint32_t p[] = { 0, 1, 1, 0, 1, 2, 2, 2, 2, 2, 0, 1, 3, 3 };
    for (int threads = 1; threads <= 2; threads++) {
        es_report *r = run_degree(p, 7, 0, threads);
        const es_hist_bin want[] = { { 0, 1 }, { 1, 2 }, { 2, 1 } };
        CU_ASSERT_TRUE(counts_are(r, 4, 2, 3, 2, 2));
        CU_ASSERT_DOUBLE_EQUAL(entry(r, "mean")->v.dbl, 1.0, 0.0);
        CU_ASSERT_TRUE(es_test_hist_equals(entry(r, "distribution"), want, 3));
        es_report_free(r);
    }
}

static void test_a_duplicate_in_a_later_batch_is_still_a_duplicate(void)
{
    const uint32_t p[] = { 0, 1, 1, 0, 0, 1, 0, 2, 2, 0, 1, 1 };
    es_report *r = run_degree(p, 6, 1, 2);
    const es_hist_bin want[] = { { 1, 2 }, { 2, 1 } };
    CU_ASSERT_EQUAL(report_u64(r, "edges"), 2);
    CU_ASSERT_EQUAL(report_u64(r, "duplicates"), 3);
    CU_ASSERT_EQUAL(report_u64(r, "self_loops"), 1);
    CU_ASSERT_TRUE(es_test_hist_equals(entry(r, "distribution"), want, 2));
    es_report_free(r);
}

static void test_an_empty_stream_reports_zeros(void)
{
    es_report *r = run_degree(NULL, 0, 0, 2);
    CU_ASSERT_TRUE(counts_are(r, 0, 0, 0, 0, 0));
    CU_ASSERT_DOUBLE_EQUAL(entry(r, "mean")->v.dbl, 0.0, 0.0);
    CU_ASSERT_EQUAL(entry(r, "distribution")->nbins, 0);
    es_report_free(r);
}

static void test_two_hubs_with_thousands_of_leaves(void)
{
    /* Hub 0 with leaves 1..10000, hub 10001 with leaves 10002..15001, every
     * edge twice (once reversed) and one hub self-loop: degrees far above
     * the dense part of the report's histogram. */
    const uint32_t a = 10000, b = 5000, n = a + b + 2;
    size_t m = 2 * (size_t)(a + b) + 1, k = 0;
    uint32_t *p = g_new(uint32_t, 2 * m);
    for (uint32_t i = 1; i <= a; i++, k++) { p[2 * k] = 0; p[2 * k + 1] = i; }
    for (uint32_t i = 1; i <= b; i++, k++) { p[2 * k] = a + 1; p[2 * k + 1] = a + 1 + i; }
    for (uint32_t i = 1; i <= a; i++, k++) { p[2 * k] = i; p[2 * k + 1] = 0; }
    for (uint32_t i = 1; i <= b; i++, k++) { p[2 * k] = a + 1 + i; p[2 * k + 1] = a + 1; }
    p[2 * k] = p[2 * k + 1] = 0;
    for (int threads = 1; threads <= 2; threads++) {
        es_report *r = run_degree(p, m, 0, threads);
        const es_hist_bin want[] = { { 1, a + b }, { b, 1 }, { a, 1 } };
        CU_ASSERT_TRUE(counts_are(r, n, a + b, 1, a + b, a));
        CU_ASSERT_TRUE(es_test_hist_equals(entry(r, "distribution"), want, 3));
        es_report_free(r);
    }
    g_free(p);
}

static void test_report_names_its_answers_in_a_fixed_order(void)
{
    const uint32_t p[] = { 0, 1 };
    es_report *r = run_degree(p, 1, 0, 1);
    static const char *const names[] = { "vertices", "edges", "self_loops", "duplicates", "max", "mean", "distribution" };
    static const es_value_kind kinds[] = { ES_VAL_U64, ES_VAL_U64, ES_VAL_U64, ES_VAL_U64, ES_VAL_U64, ES_VAL_DOUBLE, ES_VAL_HIST };
    CU_ASSERT_TRUE(es_test_report_layout(r, "degree", names, kinds, G_N_ELEMENTS(names)));
    es_report_free(r);
}

static void test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion(void)
{
    es_test_expect_vertex_bound("degree", (es_edge){ 7, 0 });
}

static void test_degree_takes_no_options(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(es_operator_new("degree:topk=10", &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    g_clear_error(&err);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_degrees_match_igraph_for_any_batch_size_and_thread_count),
        ES_TEST(test_self_loops_and_duplicates_are_counted_by_hand),
        ES_TEST(test_a_duplicate_in_a_later_batch_is_still_a_duplicate),
        ES_TEST(test_an_empty_stream_reports_zeros),
        ES_TEST(test_two_hubs_with_thousands_of_leaves),
        ES_TEST(test_report_names_its_answers_in_a_fixed_order),
        ES_TEST(test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion),
        ES_TEST(test_degree_takes_no_options),
        { NULL, NULL },
    };
    return es_test_main("degree", tests);
}
