/* test_cc.c — the cc operator (operators/cc.c) against igraph's
 * igraph_connected_components on random graphs (Erdos-Renyi and
 * Barabasi-Albert, sparse ones with many small components, messy streams
 * with duplicates and self-loops, vertices seen only in self-loops), fed in
 * batches of 1, 7, 1000 and everything; plus hand-counted graphs.
 *
 * Streams are relabelled to first-appearance order before batching, as the
 * id map does, so a batch's num_vertices is the number of distinct vertices
 * seen so far and the igraph reference has exactly that many vertices. */
#include <stdio.h>

#include "graph/common.h"
#include "operators/cc.h"
#include "operators/verify.h"
#include "tests/testutil.h"

/* Random cases: every kind of es_test_make_case (tests/testutil.c), with
 * NUM_SEEDS seeds each. */
#define NUM_SEEDS 4

/* ---- checking a cc operator against igraph ----------------------------- */

static uint64_t report_u64(const es_report *r, const char *metric)
{
    const es_report_entry *e = es_report_find(r, "cc", metric);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->kind, ES_VAL_U64);
    return e->v.u64;
}

/* Feed the case in batches of batch_size and compare with igraph.  Returns
 * a description of the first disagreement, or NULL. */
static const char *check_cc(const es_test_case *c, size_t batch_size, const igraph_vector_int_t *memb,
                            const igraph_vector_int_t *csize)
{
    const char *bad;
    es_operator *op = es_operator_new("cc", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_test_feed_batches(c->pairs, c->m, batch_size ? batch_size : c->m, es_test_process, op);
    es_report *r = es_report_new();
    es_operator_report(op, r);

    es_verify_graph x;
    es_verify_graph_init(&x, c->pairs, c->m, c->n);
    es_report *exact = es_report_new();
    es_verify_cc(&x, exact, "cc");
    es_verify_graph_free(&x);

    bad = es_verify_first_difference(r, exact, "cc");
    if (bad == NULL && es_cc_components(op) != (size_t)igraph_vector_int_size(csize))
        bad = "components";
    if (bad == NULL && es_cc_component_of(op, c->n) != UINT32_MAX)
        bad = "component_of an unseen vertex";
    if (bad == NULL) {
        /* The partition: representative <-> igraph membership is a bijection. */
        int64_t *rep_to_memb = g_new(int64_t, c->n), *memb_to_rep = g_new(int64_t, c->n);
        for (uint32_t v = 0; v < c->n; v++)
            rep_to_memb[v] = memb_to_rep[v] = -1;
        for (uint32_t v = 0; v < c->n && !bad; v++) {
            uint32_t rep = es_cc_component_of(op, v);
            int64_t mb = VECTOR(*memb)[v];
            if (rep >= c->n) {
                bad = "component_of out of range";
                break;
            }
            if (rep_to_memb[rep] < 0)
                rep_to_memb[rep] = mb;
            if (memb_to_rep[mb] < 0)
                memb_to_rep[mb] = rep;
            if (rep_to_memb[rep] != mb || memb_to_rep[mb] != rep)
                bad = "component_of partition";
        }
        g_free(rep_to_memb);
        g_free(memb_to_rep);
    }
    es_report_free(exact);
    es_report_free(r);
    es_operator_free(op);
    return bad;
}

static void test_components_match_igraph_on_random_graphs_in_any_batch_size(void)
{
    static const size_t batch_sizes[] = { 1, 7, 1000, 0 /* all */ };
    int cases = 0;
    for (int kind = 0; kind < ES_TEST_CASE_KINDS; kind++) {
        for (uint64_t seed = 1; seed <= NUM_SEEDS; seed++) {
            es_test_case c;
            es_test_make_case(&c, kind, seed);
            igraph_t g;
            es_test_igraph_from_pairs(&g, c.n, c.pairs, c.m);
            igraph_vector_int_t memb, csize;
            igraph_integer_t no;
            igraph_vector_int_init(&memb, 0);
            igraph_vector_int_init(&csize, 0);
            igraph_connected_components(&g, &memb, &csize, &no, IGRAPH_WEAK);
            CU_ASSERT_EQUAL(igraph_vcount(&g), c.n);
            for (size_t i = 0; i < G_N_ELEMENTS(batch_sizes); i++) {
                const char *bad = check_cc(&c, batch_sizes[i], &memb, &csize);
                if (bad)
                    printf("\n  cc differs from igraph on %s: %s, batch size %zu\n",
                           bad, c.name, batch_sizes[i] ? batch_sizes[i] : c.m);
                CU_ASSERT_PTR_NULL(bad);
            }
            cases++;
            igraph_vector_int_destroy(&memb);
            igraph_vector_int_destroy(&csize);
            igraph_destroy(&g);
            g_free(c.pairs);
        }
    }
    CU_ASSERT(cases >= 20);
}

/* ---- hand-counted graphs ----------------------------------------------- */

static es_operator *run_cc(const uint32_t *pairs, size_t m, uint32_t num_vertices)
{
    es_operator *op = es_operator_new("cc", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_batch b = { .edges = (const es_edge *)pairs, .n = m, .num_vertices = num_vertices };
    GError *err = NULL;
    CU_ASSERT_TRUE(es_operator_process(op, &b, &err));
    g_clear_error(&err);
    return op;
}

static es_report *report_of(es_operator *op)
{
    es_report *r = es_report_new();
    es_operator_report(op, r);
    return r;
}

/* Does op's report say exactly these vertices, components, largest size
 * and size histogram (want[0 .. nbins-1])?  Prints the report when not. */
static int reports(es_operator *op, uint64_t vertices, uint64_t components, uint64_t largest,
                   const es_hist_bin *want, size_t nbins)
{
    es_report *r = report_of(op);
    const int same = report_u64(r, "vertices") == vertices && report_u64(r, "components") == components &&
                     report_u64(r, "largest") == largest &&
                     es_test_hist_equals(es_report_find(r, "cc", "size_histogram"), want, nbins);
    es_report_free(r);
    if (!same) {
        char *tsv = es_test_report_tsv(op);
        printf("\n  wanted %" PRIu64 " vertices, %" PRIu64 " components, largest %" PRIu64 "; got\n%s", vertices,
               components, largest, tsv);
        g_free(tsv);
    }
    return same;
}

static void test_a_path_is_one_component(void)
{
    const uint32_t p[] = { 0, 1, 1, 2, 2, 3, 3, 4 };
    es_operator *op = run_cc(p, 4, 5);
    const es_hist_bin want[] = { { 5, 1 } };
    CU_ASSERT_TRUE(reports(op, 5, 1, 5, want, 1));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), es_cc_component_of(op, 4));
    es_operator_free(op);
}

static void test_two_triangles_are_two_components_of_three(void)
{
    const uint32_t p[] = { 0, 1, 1, 2, 2, 0, 3, 4, 4, 5, 5, 3 };
    es_operator *op = run_cc(p, 6, 6);
    es_report *r = report_of(op);
    const es_hist_bin want[] = { { 3, 2 } };
    CU_ASSERT_EQUAL(report_u64(r, "components"), 2);
    CU_ASSERT_EQUAL(es_cc_components(op), 2);
    CU_ASSERT_EQUAL(report_u64(r, "largest"), 3);
    CU_ASSERT_TRUE(es_test_hist_equals(es_report_find(r, "cc", "size_histogram"), want, 1));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), es_cc_component_of(op, 2));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 3), es_cc_component_of(op, 5));
    CU_ASSERT_NOT_EQUAL(es_cc_component_of(op, 1), es_cc_component_of(op, 4));
    es_report_free(r);
    es_operator_free(op);
}

static void test_a_star_and_a_vertex_seen_only_in_a_self_loop(void)
{
    const uint32_t p[] = { 0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 7, 7, 0, 0 };
    es_operator *op = run_cc(p, 8, 8);
    const es_hist_bin want[] = { { 1, 1 }, { 7, 1 } };
    CU_ASSERT_TRUE(reports(op, 8, 2, 7, want, 2));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 7), 7);
    CU_ASSERT_NOT_EQUAL(es_cc_component_of(op, 6), 7);
    es_operator_free(op);
}

static void test_an_empty_stream_has_no_vertices_and_no_components(void)
{
    es_operator *op = es_operator_new("cc", NULL);
    CU_ASSERT_TRUE(reports(op, 0, 0, 0, NULL, 0));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), UINT32_MAX);
    es_operator_free(op);

    op = run_cc(NULL, 0, 0);   /* an empty batch changes nothing */
    es_report *r = report_of(op);
    CU_ASSERT_EQUAL(report_u64(r, "components"), 0);
    es_report_free(r);
    es_operator_free(op);
}

static void test_vertices_of_later_batches_join_earlier_components(void)
{
    es_operator *op = es_operator_new("cc", NULL);
    const uint32_t b1[] = { 0, 1, 2, 2 }, b2[] = { 3, 4, 4, 1, 5, 5 };
    es_batch x = { .edges = (const es_edge *)b1, .n = 2, .first_index = 0, .num_vertices = 3 };
    es_batch y = { .edges = (const es_edge *)b2, .n = 3, .first_index = 2, .num_vertices = 6 };
    CU_ASSERT_TRUE(es_operator_process(op, &x, NULL));
    CU_ASSERT_EQUAL(es_cc_components(op), 2);
    CU_ASSERT_EQUAL(es_cc_component_of(op, 3), UINT32_MAX);
    CU_ASSERT_TRUE(es_operator_process(op, &y, NULL));
    const es_hist_bin want[] = { { 1, 2 }, { 4, 1 } };
    CU_ASSERT_TRUE(reports(op, 6, 3, 4, want, 2));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), es_cc_component_of(op, 3));
    es_operator_free(op);
}

static void test_report_names_its_answers_in_a_fixed_order(void)
{
    const uint32_t p[] = { 0, 1 };
    es_operator *op = run_cc(p, 1, 2);
    es_report *r = report_of(op);
    static const char *const names[] = { "vertices", "components", "largest", "size_histogram" };
    static const es_value_kind kinds[] = { ES_VAL_U64, ES_VAL_U64, ES_VAL_U64, ES_VAL_HIST };
    CU_ASSERT_TRUE(es_test_report_layout(r, "cc", names, kinds, G_N_ELEMENTS(names)));
    es_report_free(r);
    es_operator_free(op);
}

static void test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion(void)
{
    es_test_expect_vertex_bound("cc", (es_edge){ 0, 5 });
}

static void test_cc_takes_no_options(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(es_operator_new("cc:seed=3", &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    g_clear_error(&err);
    es_operator *op = es_operator_new("cc:", &err);
    CU_ASSERT_PTR_NOT_NULL(op);
    es_operator_free(op);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_components_match_igraph_on_random_graphs_in_any_batch_size),
        ES_TEST(test_a_path_is_one_component),
        ES_TEST(test_two_triangles_are_two_components_of_three),
        ES_TEST(test_a_star_and_a_vertex_seen_only_in_a_self_loop),
        ES_TEST(test_an_empty_stream_has_no_vertices_and_no_components),
        ES_TEST(test_vertices_of_later_batches_join_earlier_components),
        ES_TEST(test_report_names_its_answers_in_a_fixed_order),
        ES_TEST(test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion),
        ES_TEST(test_cc_takes_no_options),
        { NULL, NULL },
    };
    return es_test_main("cc", tests);
}
