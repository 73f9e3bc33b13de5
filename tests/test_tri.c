/* test_tri.c — the exact triangle operator: hand-counted graphs, then
 * random ER, BA and R-MAT graphs with messy input (duplicates in both
 * directions, self-loops) against igraph on the simplified graph, for
 * several batch sizes and 1 or 2 threads.  Random cases use fixed seeds
 * and print them when an assertion fails. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "graph/rmat.h"
#include "operators/tri.h"
#include "operators/verify.h"
#include "tests/testutil.h"

/* The operator with these options (NULL for none), through the registry. */
static es_operator *tri_new(const char *options, GError **error)
{
    g_autofree char *spec = options ? g_strconcat("tri:", options, NULL) : g_strdup("tri");
    return es_operator_new(spec, error);
}

static es_operator *tri_run(const uint32_t *pairs, size_t m, size_t bs)
{
    es_operator *op = tri_new(NULL, NULL);
    es_test_feed_batches(pairs, m, bs ? bs : (m ? m : 1), es_test_process, op);
    return op;
}

typedef struct {
    uint64_t triangles, wedges;
    double transitivity, avg_clustering;
    char *top;
} answers;

static answers report_of(es_operator *op)
{
    es_report *r = es_report_new();
    es_operator_report(op, r);
    answers a = {
        es_report_find(r, "tri", "triangles")->v.u64,
        es_report_find(r, "tri", "wedges")->v.u64,
        es_report_find(r, "tri", "transitivity")->v.dbl,
        es_report_find(r, "tri", "avg_clustering")->v.dbl,
        g_strdup(es_report_find(r, "tri", "top")->v.str),
    };
    es_report_free(r);
    return a;
}

static void test_the_report_lists_its_five_metrics_in_a_fixed_order(void)
{
    static const uint32_t p[] = { 0, 1, 1, 2, 2, 0 };
    es_operator *op = tri_run(p, 3, 0);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    static const char *const names[] = { "triangles", "wedges", "transitivity", "avg_clustering", "top" };
    static const es_value_kind kinds[] = { ES_VAL_U64, ES_VAL_U64, ES_VAL_DOUBLE, ES_VAL_DOUBLE, ES_VAL_LIST };
    CU_ASSERT_TRUE(es_test_report_layout(r, "tri", names, kinds, G_N_ELEMENTS(names)));
    es_report_free(r);
    es_operator_free(op);
}

/* ---- hand-counted graphs ---- */

static void test_k4_has_4_triangles_and_k5_has_10(void)
{
    size_t m;
    uint32_t *p = es_test_complete_graph(4, &m);
    es_operator *op = tri_run(p, m, 0);
    answers a = report_of(op);
    CU_ASSERT_EQUAL(a.triangles, 4);
    CU_ASSERT_EQUAL(a.wedges, 12);
    CU_ASSERT_DOUBLE_EQUAL(a.transitivity, 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(a.avg_clustering, 1.0, 1e-15);
    for (uint32_t v = 0; v < 4; v++)
        CU_ASSERT_EQUAL(es_tri_local(op, v), 3);
    CU_ASSERT_STRING_EQUAL(a.top, "0:3,1:3,2:3,3:3");
    g_free(a.top);
    es_operator_free(op);
    g_free(p);

    p = es_test_complete_graph(5, &m);
    for (size_t bs = 1; bs <= m; bs++) {
        op = tri_run(p, m, bs);
        a = report_of(op);
        CU_ASSERT_EQUAL(a.triangles, 10);
        CU_ASSERT_EQUAL(a.wedges, 30);
        CU_ASSERT_EQUAL(es_tri_local(op, 4), 6);
        g_free(a.top);
        es_operator_free(op);
    }
    g_free(p);
}

static void test_a_star_has_no_triangle(void)
{
    uint32_t p[2 * 50];
    for (uint32_t i = 0; i < 50; i++) {
        p[2 * i] = 0;
        p[2 * i + 1] = i + 1;
    }
    es_operator *op = tri_run(p, 50, 0);
    answers a = report_of(op);
    CU_ASSERT_EQUAL(a.triangles, 0);
    CU_ASSERT_EQUAL(a.wedges, 50 * 49 / 2);
    CU_ASSERT_DOUBLE_EQUAL(a.transitivity, 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(a.avg_clustering, 0.0, 0);
    CU_ASSERT_STRING_EQUAL(a.top, "");
    g_free(a.top);
    es_operator_free(op);
}

static void test_a_graph_given_in_both_directions_counts_each_triangle_once(void)
{
    /* Two triangles sharing edge 1-2, every edge twice (both directions), plus loops. */
    static const uint32_t p[] = { 0, 1, 1, 2, 2, 0, 1, 0, 2, 1, 0, 2, 2, 2, 3, 1,
                                  3, 2, 1, 3, 2, 3, 3, 3, 0, 0 };
    const size_t m = sizeof p / sizeof p[0] / 2;
    for (size_t bs = 1; bs <= m; bs++) {
        es_operator *op = tri_run(p, m, bs);
        answers a = report_of(op);
        CU_ASSERT_EQUAL(a.triangles, 2);
        CU_ASSERT_EQUAL(a.wedges, 1 + 3 + 3 + 1);
        CU_ASSERT_EQUAL(es_tri_local(op, 0), 1);
        CU_ASSERT_EQUAL(es_tri_local(op, 1), 2);
        CU_ASSERT_EQUAL(es_tri_local(op, 2), 2);
        CU_ASSERT_EQUAL(es_tri_local(op, 3), 1);
        CU_ASSERT_EQUAL(es_tri_local(op, 99), 0);
        CU_ASSERT_STRING_EQUAL(a.top, "1:2,2:2,0:1,3:1");
        g_free(a.top);
        es_operator_free(op);
    }
}

static void test_a_100_by_100_grid_has_no_triangle(void)
{
    const uint32_t w = 100;
    GArray *e = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t r = 0; r < w; r++)
        for (uint32_t c = 0; c < w; c++) {
            uint32_t x = r * w + c, y;
            if (c + 1 < w) { g_array_append_val(e, x); y = x + 1; g_array_append_val(e, y); }
            if (r + 1 < w) { g_array_append_val(e, x); y = x + w; g_array_append_val(e, y); }
        }
    es_operator *op = tri_run((const uint32_t *)e->data, e->len / 2, 1000);
    answers a = report_of(op);
    CU_ASSERT_EQUAL(a.triangles, 0);
    /* Corner vertices: degree 2, border: 3, inner: 4. */
    CU_ASSERT_EQUAL(a.wedges, 4 * 1 + 4 * 98 * 3 + 98 * 98 * 6);
    g_free(a.top);
    es_operator_free(op);
    g_array_free(e, TRUE);
}

static void test_top_lists_external_ids_with_ties_to_the_smaller_id(void)
{
    /* Triangle {500, 40, 7} and triangle {500, 40, 900}: 500 and 40 in 2 each. */
    static const es_edge edges[] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 0, 3 }, { 3, 1 } };
    static const uint64_t ext[] = { 500, 40, 40, 7, 7, 500, 500, 900, 900, 40 };
    GError *err = NULL;
    es_operator *op = tri_new("top=3", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_batch b = { .edges = edges, .ext = ext, .n = 5, .first_index = 0, .num_vertices = 4 };
    CU_ASSERT_TRUE(es_operator_process(op, &b, &err));
    answers a = report_of(op);
    CU_ASSERT_STRING_EQUAL(a.top, "40:2,500:2,7:1");
    g_free(a.top);
    es_operator_free(op);

    op = tri_new("top=0", &err);
    CU_ASSERT_TRUE(es_operator_process(op, &b, &err));
    a = report_of(op);
    CU_ASSERT_STRING_EQUAL(a.top, "");
    CU_ASSERT_EQUAL(a.triangles, 2);
    g_free(a.top);
    es_operator_free(op);
}

static void test_bad_options_are_usage_errors_naming_the_operator(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(tri_new("top=abc", &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "tri: top") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(tri_new("top=1001", &err));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(tri_new("k=3", &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    g_clear_error(&err);
    es_operator *op = tri_new("top=1000", &err);
    CU_ASSERT_PTR_NOT_NULL(op);
    es_operator_free(op);
}

static void test_a_batch_naming_vertices_beyond_its_count_is_an_assertion(void)
{
    es_test_expect_vertex_bound("tri", (es_edge){ 1, 5 });
}

/* ---- random graphs against igraph ---- */

/* Messy and shuffled: m/5 extra lines that are duplicates, reversed
 * duplicates or self-loops, then a random order and random directions. */
static uint32_t *messy(uint32_t *p, size_t m, uint64_t seed, size_t *m_out)
{
    GRand *rng = g_rand_new_with_seed((guint32)(seed * 2654435761u));
    size_t extra = m / 5 + 1;
    p = g_renew(uint32_t, p, 2 * (m + extra));
    size_t k = es_test_add_repeats(p, m, extra, m, rng);
    es_test_shuffle_lines(p, k, rng);
    es_test_flip_lines(p, k, rng);
    g_rand_free(rng);
    *m_out = k;
    return p;
}

/* The stream of an R-MAT generator as 2*m ids (g_free). */
static uint32_t *rmat_pairs(const es_rmat_params *prm, size_t *m)
{
    es_rmat r;
    es_rmat_init(&r, prm, NULL);
    *m = r.num_edges;
    uint32_t *p = g_new(uint32_t, 2 * *m);
    uint64_t u, v;
    for (size_t i = 0; es_rmat_next(&r, &u, &v); i++) {
        p[2 * i] = (uint32_t)u;
        p[2 * i + 1] = (uint32_t)v;
    }
    return p;
}

typedef struct {
    const char *model;
    uint64_t seed;
    uint32_t *p;
    size_t m;
    uint32_t n;
} case_graph;

static case_graph make_case(int which, uint64_t seed)
{
    case_graph c = { .seed = seed };
    igraph_t g;
    igraph_rng_seed(igraph_rng_default(), seed);
    size_t m = 0;
    uint32_t *p = NULL;
    switch (which % 3) {
    case 0:
        c.model = "ER";
        igraph_erdos_renyi_game_gnm(&g, 300 + 100 * (seed % 7), 2000 + 500 * (seed % 5), 0, 0);
        p = es_test_pairs_of_igraph(&g, &m);
        igraph_destroy(&g);
        break;
    case 1:
        c.model = "BA";
        igraph_barabasi_game(&g, 1000 + 200 * (seed % 5), 1.0, 3 + seed % 4, NULL, 1, 1.0, 0,
                             IGRAPH_BARABASI_PSUMTREE, NULL);
        p = es_test_pairs_of_igraph(&g, &m);
        igraph_destroy(&g);
        break;
    default: {
        c.model = "RMAT";
        es_rmat_params prm = { .scale = 9 + seed % 4, .edge_factor = 8, .a = 0.57, .b = 0.19,
                               .c = 0.19, .seed = seed, .permute = TRUE };
        p = rmat_pairs(&prm, &m);
        break;
    }
    }
    c.p = messy(p, m, seed, &c.m);
    c.n = es_test_relabel_first_appearance(c.p, c.m, 0);
    return c;
}

typedef struct {
    uint64_t triangles, wedges;
    double transitivity, avg;
    uint64_t *local;
    char *top;
} reference;

static char *top_of(const uint64_t *local, uint32_t n, size_t k)
{
    /* Selection by repeated scans: obviously right, fine for tests. */
    GString *s = g_string_new(NULL);
    uint8_t *taken = g_new0(uint8_t, n);
    for (size_t i = 0; i < k; i++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t v = 0; v < n; v++)
            if (!taken[v] && local[v] > 0 && (best == UINT32_MAX || local[v] > local[best]))
                best = v;
        if (best == UINT32_MAX)
            break;
        taken[best] = 1;
        g_string_append_printf(s, "%s%u:%" PRIu64, i ? "," : "", best, local[best]);
    }
    g_free(taken);
    return g_string_free(s, FALSE);
}

static reference reference_of(const case_graph *c)
{
    reference r = { 0 };
    es_verify_graph x;
    es_verify_graph_init(&x, c->p, c->m, c->n);
    es_report *exact = es_report_new();
    r.triangles = es_verify_tri(&x, exact, "tri", &r.local);
    r.wedges = es_report_find(exact, "tri", "wedges")->v.u64;
    r.transitivity = es_report_find(exact, "tri", "transitivity")->v.dbl;
    r.avg = es_report_find(exact, "tri", "avg_clustering")->v.dbl;
    r.top = top_of(r.local, c->n, 10);
    es_report_free(exact);
    es_verify_graph_free(&x);
    return r;
}

static int locals_equal(es_operator *op, const reference *r, uint32_t n)
{
    for (uint32_t v = 0; v < n; v++)
        if (es_tri_local(op, v) != r->local[v])
            return 0;
    return 1;
}

static void test_ER_BA_and_RMAT_graphs_with_messy_input_match_igraph_for_all_batch_sizes_and_1_or_2_threads(void)
{
    const int saved = omp_get_max_threads();
    int graphs = 0;
    for (int which = 0; which < 24; which++) {
        const uint64_t seed = 1000 + (uint64_t)which;
        case_graph c = make_case(which, seed);
        reference r = reference_of(&c);
        const size_t sizes[] = { 1, 7, 1000, 0 };
        answers first = { 0 };
        for (int threads = 1; threads <= 2; threads++) {
            omp_set_num_threads(threads);
            for (size_t s = 0; s < 4; s++) {
                es_operator *op = tri_run(c.p, c.m, sizes[s]);
                answers a = report_of(op);
                ES_CHECK_SEED(a.triangles == r.triangles, seed);
                ES_CHECK_SEED(a.wedges == r.wedges, seed);
                ES_CHECK_SEED(fabs(a.transitivity - r.transitivity) <= 1e-12 * (1 + r.transitivity), seed);
                ES_CHECK_SEED(fabs(a.avg_clustering - r.avg) <= 1e-12, seed);
                ES_CHECK_SEED(strcmp(a.top, r.top) == 0, seed);
                ES_CHECK_SEED(locals_equal(op, &r, c.n), seed);
                if (threads == 1 && s == 0) {
                    first = a;
                } else {
                    /* Bit-identical answers whatever the threads and batches. */
                    ES_CHECK_SEED(memcmp(&a.transitivity, &first.transitivity, sizeof(double)) == 0, seed);
                    ES_CHECK_SEED(memcmp(&a.avg_clustering, &first.avg_clustering, sizeof(double)) == 0, seed);
                    g_free(a.top);
                }
                es_operator_free(op);
            }
        }
        if (r.triangles == 0 && c.model[0] != 'E')
            fprintf(stderr, "\n    note: %s seed %" PRIu64 " has no triangle\n", c.model, seed);
        graphs++;
        g_free(first.top);
        g_free(r.local);
        g_free(r.top);
        g_free(c.p);
    }
    CU_ASSERT_EQUAL(graphs, 24);
    omp_set_num_threads(saved);
}

/* After every batch, the answers equal a static count of the stream prefix. */
typedef struct {
    es_operator *op;
    const uint32_t *p;
    uint32_t n;
    uint64_t seed;
} prefix_ctx;

static void feed_and_check(const es_batch *b, void *user)
{
    prefix_ctx *x = user;
    es_test_process(b, x->op);
    size_t m = b->first_index + b->n;
    case_graph c = { .p = (uint32_t *)x->p, .m = m, .n = b->num_vertices };
    reference r = reference_of(&c);
    answers a = report_of(x->op);
    ES_CHECK_SEED(a.triangles == r.triangles && a.wedges == r.wedges, x->seed);
    ES_CHECK_SEED(locals_equal(x->op, &r, c.n), x->seed);
    g_free(a.top);
    g_free(r.local);
    g_free(r.top);
}

static void test_after_every_batch_the_counts_equal_a_static_count_of_the_prefix(void)
{
    const uint64_t seed = 77;
    case_graph c = make_case(2, seed); /* R-MAT */
    if (c.m > 3000)
        c.m = 3000;
    prefix_ctx x = { tri_new(NULL, NULL), c.p, c.n, seed };
    es_test_feed_batches(c.p, c.m, 97, feed_and_check, &x);
    es_operator_free(x.op);
    g_free(c.p);
}

static void test_a_large_single_batch_takes_the_parallel_path_and_stays_exact_with_either_scan(void)
{
    const int saved = omp_get_max_threads();
    const uint64_t seed = 4242;
    es_rmat_params prm = { .scale = 14, .edge_factor = 8, .a = 0.57, .b = 0.19, .c = 0.19,
                           .seed = seed, .permute = TRUE };
    size_t m;
    uint32_t *p = rmat_pairs(&prm, &m);
    case_graph c = { .p = p, .m = m, .seed = seed };
    c.n = es_test_relabel_first_appearance(p, m, 0);
    reference ref = reference_of(&c);
    /* The plain scan, then the vector one where the processor has it. */
    for (int vector = 0; vector <= 1; vector++) {
        es_tri_set_vector(vector);
        for (int threads = 1; threads <= 2; threads++) {
            omp_set_num_threads(threads);
            es_operator *op = tri_run(p, m, 0);
            answers a = report_of(op);
            ES_CHECK_SEED(a.triangles == ref.triangles, seed);
            ES_CHECK_SEED(a.wedges == ref.wedges, seed);
            ES_CHECK_SEED(locals_equal(op, &ref, c.n), seed);
            ES_CHECK_SEED(strcmp(a.top, ref.top) == 0, seed);
            g_free(a.top);
            es_operator_free(op);
        }
    }
    omp_set_num_threads(saved);
    g_free(ref.local);
    g_free(ref.top);
    g_free(p);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_the_report_lists_its_five_metrics_in_a_fixed_order),
        ES_TEST(test_k4_has_4_triangles_and_k5_has_10),
        ES_TEST(test_a_star_has_no_triangle),
        ES_TEST(test_a_graph_given_in_both_directions_counts_each_triangle_once),
        ES_TEST(test_a_100_by_100_grid_has_no_triangle),
        ES_TEST(test_top_lists_external_ids_with_ties_to_the_smaller_id),
        ES_TEST(test_bad_options_are_usage_errors_naming_the_operator),
        ES_TEST(test_a_batch_naming_vertices_beyond_its_count_is_an_assertion),
        ES_TEST(test_ER_BA_and_RMAT_graphs_with_messy_input_match_igraph_for_all_batch_sizes_and_1_or_2_threads),
        ES_TEST(test_after_every_batch_the_counts_equal_a_static_count_of_the_prefix),
        ES_TEST(test_a_large_single_batch_takes_the_parallel_path_and_stays_exact_with_either_scan),
        { NULL, NULL },
    };
    return es_test_main("tri", tests);
}
