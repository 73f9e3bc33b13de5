/* test_spanner.c — the (2k-1)-spanners, both methods: k = 1 keeps the
 * distinct edges; for k = 2, 3 (and 4 for the clustering) every input
 * edge's endpoints are within 2k-1 hops in the kept graph
 * (es_verify_spanner's bounded BFS) and the kept graph is a subgraph of
 * the input; the greedy one has girth above 2k (igraph_girth) and keeps
 * the star of a complete graph; the clustering one stays within its
 * expected-size bound, ignores repeats (same kept edges as on the
 * distinct stream, and with the edge table's answers as without) and
 * depends on its seed; the answers do not depend on
 * batch size or thread count.  Random cases use fixed seeds and print
 * them when an assertion fails. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "graph/edgetable.h"
#include "operators/spanner.h"
#include "operators/verify.h"
#include "tests/testutil.h"

/* The operator with these options (NULL for none), through the registry. */
static es_operator *spanner_new(const char *options, GError **error)
{
    g_autofree char *spec = options ? g_strconcat("spanner:", options, NULL) : g_strdup("spanner");
    return es_operator_new(spec, error);
}

static es_operator *spanner_run(const char *options, const uint32_t *pairs, size_t m, size_t bs)
{
    es_operator *op = spanner_new(options, NULL);
    es_test_feed_batches(pairs, m, bs ? bs : (m ? m : 1), es_test_process, op);
    return op;
}

static uint64_t answer_u64(es_operator *op, const char *metric)
{
    es_report *r = es_report_new();
    es_operator_report(op, r);
    const es_report_entry *e = es_report_find(r, "spanner", metric);
    uint64_t x = e ? e->v.u64 : UINT64_MAX;
    es_report_free(r);
    return x;
}

/* Distinct non-loop edges of the pairs. */
static size_t distinct_edges(const uint32_t *p, size_t m)
{
    es_edgeset *s = es_edgeset_new(m, 0);
    for (size_t i = 0; i < m; i++)
        if (p[2 * i] != p[2 * i + 1])
            es_edgeset_insert(s, p[2 * i], p[2 * i + 1]);
    size_t d = es_edgeset_size(s);
    es_edgeset_free(s);
    return d;
}

/* The verifier on every input edge: all within `stretch` hops, every
 * kept edge an input edge, listed at both ends. */
static int verify(es_operator *op, const uint32_t *p, size_t m, uint32_t n, unsigned stretch)
{
    es_verify_graph x;
    es_verify_graph_init(&x, p, m, n);
    es_verify_spanner_result r = es_verify_spanner(&x, es_spanner_graph(op), stretch, m, 1);
    es_verify_graph_free(&x);
    return r.far == 0 && r.fake == 0 && r.symmetric;
}

/* Girth of the kept graph (0: no cycle), through igraph. */
static double kept_girth(es_operator *op)
{
    const es_adjacency *a = es_spanner_graph(op);
    GArray *pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t w = 0; w < es_adjacency_vertices(a); w++) {
        const uint32_t *nb = es_adjacency_neighbors(a, w);
        for (uint32_t j = 0; j < es_adjacency_degree(a, w); j++)
            if (w < nb[j]) {
                g_array_append_val(pairs, w);
                g_array_append_val(pairs, nb[j]);
            }
    }
    igraph_t g;
    es_test_igraph_from_pairs(&g, es_adjacency_vertices(a), (const uint32_t *)pairs->data, pairs->len / 2);
    igraph_real_t girth = 0;
    igraph_girth(&g, &girth, NULL);
    igraph_destroy(&g);
    g_array_free(pairs, TRUE);
    return girth;
}

/* Pairs of an igraph graph, with some duplicates (both directions) and
 * self-loops mixed in, then shuffled. */
static uint32_t *messy_pairs(const igraph_t *g, uint64_t seed, size_t *m_out)
{
    size_t m;
    uint32_t *p = es_test_pairs_of_igraph(g, &m);
    const size_t extra = m / 5 + 1;
    p = g_renew(uint32_t, p, 2 * (m + extra));
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    size_t k = es_test_add_repeats(p, m, extra, m, rng);
    es_test_shuffle_lines(p, k, rng);
    g_rand_free(rng);
    *m_out = k;
    return p;
}

static uint32_t *random_case(int which, uint64_t seed, size_t *m, uint32_t *n)
{
    igraph_t g;
    igraph_rng_seed(igraph_rng_default(), seed);
    uint32_t nv;
    if (which % 2 == 0) {
        nv = 300 + 50 * (uint32_t)(seed % 5);
        igraph_erdos_renyi_game_gnm(&g, nv, 3000 + 500 * (seed % 3), 0, 0);
    } else {
        nv = 800;
        igraph_barabasi_game(&g, nv, 1.0, 4 + seed % 3, NULL, 1, 1.0, 0, IGRAPH_BARABASI_PSUMTREE, NULL);
    }
    uint32_t *p = messy_pairs(&g, seed, m);
    igraph_destroy(&g);
    *n = es_test_relabel_first_appearance(p, *m, nv);
    return p;
}

static void test_k1_keeps_exactly_the_distinct_edges(void)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        size_t m;
        uint32_t n;
        uint32_t *p = random_case((int)seed, seed, &m, &n);
        es_operator *op = spanner_run("k=1,method=greedy", p, m, 100);
        const size_t d = distinct_edges(p, m);
        ES_CHECK_SEED(answer_u64(op, "edges") == d, seed);
        ES_CHECK_SEED(answer_u64(op, "input_edges") == d, seed);
        ES_CHECK_SEED(answer_u64(op, "stretch") == 1, seed);
        ES_CHECK_SEED(verify(op, p, m, n, 1), seed);
        es_operator_free(op);
        op = spanner_run("k=1", p, m, 100);
        ES_CHECK_SEED(answer_u64(op, "edges") == d, seed);
        ES_CHECK_SEED(verify(op, p, m, n, 1), seed);
        es_operator_free(op);
        g_free(p);
    }
}

static void test_k2_and_k3_keep_every_input_edge_within_2k_minus_1_hops(void)
{
    int cases = 0;
    for (int which = 0; which < 8; which++) {
        const uint64_t seed = 100 + (uint64_t)which;
        size_t m;
        uint32_t n;
        uint32_t *p = random_case(which, seed, &m, &n);
        const size_t d = distinct_edges(p, m);
        for (unsigned k = 2; k <= 3; k++) {
            char opts[32];
            snprintf(opts, sizeof opts, "k=%u,method=greedy", k);
            es_operator *op = spanner_run(opts, p, m, which % 2 ? 7 : 0);
            const uint64_t kept = answer_u64(op, "edges");
            ES_CHECK_SEED(answer_u64(op, "input_edges") == d, seed);
            ES_CHECK_SEED(answer_u64(op, "stretch") == 2 * k - 1, seed);
            ES_CHECK_SEED(kept < d, seed);
            ES_CHECK_SEED(verify(op, p, m, n, 2 * k - 1), seed);
            double girth = kept_girth(op);
            ES_CHECK_SEED(girth == 0 || girth > 2 * k, seed);
            /* The Moore bound for girth > 2k. */
            ES_CHECK_SEED((double)kept <= pow(n, 1.0 + 1.0 / k) + n, seed);
            es_operator_free(op);
            cases++;
        }
        g_free(p);
    }
    CU_ASSERT_EQUAL(cases, 16);
}

static void test_a_complete_graph_with_k2_keeps_far_fewer_than_n_choose_2_edges(void)
{
    const uint32_t n = 200;
    size_t m;
    uint32_t *p = es_test_complete_graph(n, &m);
    es_operator *op = spanner_run("k=2,method=greedy", p, m, 0);
    const uint64_t kept = answer_u64(op, "edges");
    CU_ASSERT_EQUAL(answer_u64(op, "input_edges"), (uint64_t)n * (n - 1) / 2);
    /* Greedy in this order keeps the star of vertex 0 and nothing else. */
    CU_ASSERT_EQUAL(kept, n - 1);
    CU_ASSERT_TRUE(kept * 50 < (uint64_t)n * (n - 1) / 2);
    CU_ASSERT_TRUE(verify(op, p, m, n, 3));
    es_report *r = es_report_new();
    es_operator_report(op, r);
    CU_ASSERT_DOUBLE_EQUAL(es_report_find(r, "spanner", "fraction")->v.dbl,
                           (double)(n - 1) / ((double)n * (n - 1) / 2), 1e-15);
    es_report_free(r);
    es_operator_free(op);
    g_free(p);
}

static void test_the_kept_graph_is_the_same_for_any_batch_size_and_thread_count(void)
{
    const int saved = omp_get_max_threads();
    const uint64_t seed = 555;
    size_t m;
    uint32_t n;
    uint32_t *p = random_case(1, seed, &m, &n);
    es_operator *ref[2] = { NULL, NULL };
    const size_t sizes[] = { 1, 7, 1000, 0 };
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        for (int s = 0; s < 8; s++) {
            es_operator *op = spanner_run(s < 4 ? "k=2,n=800" : "k=2,method=greedy", p, m, sizes[s % 4]);
            if (ref[s / 4] == NULL) {
                ref[s / 4] = op;
                continue;
            }
            const es_adjacency *a = es_spanner_graph(op), *b = es_spanner_graph(ref[s / 4]);
            int same = es_adjacency_edges(a) == es_adjacency_edges(b);
            for (uint32_t v = 0; same && v < n; v++)
                same = es_adjacency_degree(a, v) == es_adjacency_degree(b, v) &&
                       memcmp(es_adjacency_neighbors(a, v), es_adjacency_neighbors(b, v),
                              es_adjacency_degree(a, v) * sizeof(uint32_t)) == 0;
            ES_CHECK_SEED(same, seed);
            es_operator_free(op);
        }
    }
    es_operator_free(ref[0]);
    es_operator_free(ref[1]);
    omp_set_num_threads(saved);
    g_free(p);
}

static void test_the_report_lists_edges_input_edges_fraction_and_stretch(void)
{
    static const uint32_t p[] = { 0, 1, 1, 2, 2, 0, 2, 2, 1, 0 };
    es_operator *op = spanner_run("k=2,method=greedy", p, 5, 0);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    static const char *const names[] = { "edges", "input_edges", "fraction", "stretch" };
    CU_ASSERT_TRUE_FATAL(es_test_report_layout(r, "spanner", names, NULL, G_N_ELEMENTS(names)));
    /* The triangle's last edge is within 2 hops: dropped. */
    CU_ASSERT_EQUAL(es_report_find(r, "spanner", "edges")->v.u64, 2);
    CU_ASSERT_EQUAL(es_report_find(r, "spanner", "input_edges")->v.u64, 3);
    CU_ASSERT_DOUBLE_EQUAL(es_report_find(r, "spanner", "fraction")->v.dbl, 2.0 / 3.0, 1e-15);
    CU_ASSERT_EQUAL(es_report_find(r, "spanner", "stretch")->v.u64, 3);
    es_report_free(r);
    es_operator_free(op);
}

static void test_bad_options_are_usage_errors(void)
{
    const char *bad[] = { "k=0", "k=65", "k=two", "stretch=3", "method=fast", "method=greedy,seed=2", "n=0" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(spanner_new(bad[i], &err));
        CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
        g_clear_error(&err);
    }
    es_operator *op = spanner_new("k=64", NULL);
    CU_ASSERT_PTR_NOT_NULL(op);
    CU_ASSERT_EQUAL(es_spanner_stretch(op), 127);
    es_operator_free(op);
}

static void test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion(void)
{
    es_test_expect_vertex_bound("spanner", (es_edge){ 2, 1 });
}

/* The clustering spanner on the random cases, with the expected vertex
 * count set to the graph's so that the sampling matters: the stretch, a
 * subgraph of the input, within the expected-size bound (which these
 * fixed seeds meet), and smaller than the input on the denser cases. */
static void test_baswana_keeps_every_input_edge_within_2k_minus_1_hops_and_its_size_bound(void)
{
    int cases = 0;
    for (int which = 0; which < 8; which++) {
        const uint64_t seed = 200 + (uint64_t)which;
        size_t m;
        uint32_t n;
        uint32_t *p = random_case(which, seed, &m, &n);
        const size_t d = distinct_edges(p, m);
        for (unsigned k = 2; k <= 4; k++) {
            char opts[64];
            snprintf(opts, sizeof opts, "k=%u,seed=%" PRIu64 ",n=%u", k, seed, n);
            es_operator *op = spanner_run(opts, p, m, which % 2 ? 7 : 0);
            const uint64_t kept = answer_u64(op, "edges");
            es_report *r = es_report_new();
            es_operator_report(op, r);
            const double bound = es_report_find(r, "spanner", "size_bound")->v.dbl;
            es_report_free(r);
            ES_CHECK_SEED(answer_u64(op, "stretch") == 2 * k - 1, seed);
            ES_CHECK_SEED(kept <= d, seed);
            ES_CHECK_SEED((double)kept <= bound, seed);
            ES_CHECK_SEED(verify(op, p, m, n, 2 * k - 1), seed);
            es_operator_free(op);
            cases++;
        }
        g_free(p);
    }
    CU_ASSERT_EQUAL(cases, 24);
}

/* A complete graph on 300 vertices: the bound for k = 2 is about 9 700
 * edges of the 44 850, and the spanner keeps fewer still. */
static void test_baswana_shrinks_a_complete_graph_within_its_bound(void)
{
    const uint32_t n = 300;
    size_t m;
    uint32_t *p = es_test_complete_graph(n, &m);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        char opts[64];
        snprintf(opts, sizeof opts, "k=2,seed=%" PRIu64 ",n=300", seed);
        es_operator *op = spanner_run(opts, p, m, 1000);
        const uint64_t kept = answer_u64(op, "edges");
        ES_CHECK_SEED(kept * 4 < m, seed);
        ES_CHECK_SEED(verify(op, p, m, n, 3), seed);
        es_operator_free(op);
    }
    g_free(p);
}

/* The two spanners kept the same edges, in the same order (vertices < n). */
static int same_spanner(es_operator *a, es_operator *b, uint32_t n)
{
    const es_adjacency *ga = es_spanner_graph(a), *gb = es_spanner_graph(b);
    int same = es_adjacency_edges(ga) == es_adjacency_edges(gb);
    for (uint32_t v = 0; same && v < n; v++)
        same = es_adjacency_degree(ga, v) == es_adjacency_degree(gb, v) &&
               memcmp(es_adjacency_neighbors(ga, v), es_adjacency_neighbors(gb, v),
                      es_adjacency_degree(ga, v) * sizeof(uint32_t)) == 0;
    return same;
}

/* Repeats and self-loops change nothing: the stream with every edge given
 * twice (the second time reversed, later) and loops mixed in keeps the same
 * edges, in the same order, as the stream of first occurrences. */
static void test_baswana_ignores_repeats_without_a_distinct_edge_stage(void)
{
    for (int which = 0; which < 4; which++) {
        const uint64_t seed = 300 + (uint64_t)which;
        size_t m;
        uint32_t n;
        uint32_t *p = random_case(which, seed, &m, &n);
        /* first occurrences only */
        es_edgeset *s = es_edgeset_new(m, 0);
        uint32_t *q = g_new(uint32_t, 2 * m);
        size_t d = 0;
        for (size_t i = 0; i < m; i++)
            if (p[2 * i] != p[2 * i + 1] && es_edgeset_insert(s, p[2 * i], p[2 * i + 1])) {
                q[2 * d] = p[2 * i];
                q[2 * d + 1] = p[2 * i + 1];
                d++;
            }
        es_edgeset_free(s);
        for (unsigned k = 2; k <= 3; k++) {
            char opts[64];
            snprintf(opts, sizeof opts, "k=%u,seed=%" PRIu64 ",n=%u", k, seed, n);
            es_operator *a = spanner_run(opts, p, m, 13);
            es_operator *b = spanner_run(opts, q, d, 13);
            ES_CHECK_SEED(same_spanner(a, b, n), seed);
            size_t lines = 0;
            for (size_t i = 0; i < m; i++)
                lines += p[2 * i] != p[2 * i + 1];
            ES_CHECK_SEED(answer_u64(a, "edges_seen") == lines && answer_u64(b, "edges_seen") == d, seed);
            es_operator_free(a);
            es_operator_free(b);
        }
        g_free(q);
        g_free(p);
    }
}

/* Batches fed with the edge table's answers up to batch `until` (of
 * bs edges each), without them after. */
typedef struct {
    es_operator   *op;
    const uint8_t *change;
    size_t         until;
} answered;

static void process_answered(const es_batch *b, void *user)
{
    const answered *a = user;
    es_batch c = *b;
    c.change = b->first_index < a->until ? a->change + b->first_index : NULL;
    es_test_process(&c, a->op);
}

/* With the run's edge table's answers (repeats dropped on them, no level-0
 * records), and when the answers stop mid-stream (the records of the edges
 * kept until then made), the clustering keeps the same edges, in the same
 * order, and counts the same lines as without them. */
static void test_baswana_keeps_the_same_edges_with_the_tables_answers(void)
{
    for (int which = 0; which < 4; which++) {
        const uint64_t seed = 320 + (uint64_t)which;
        size_t m;
        uint32_t n;
        uint32_t *p = random_case(which, seed, &m, &n);
        /* every edge twice (the copy reversed, later), and loops */
        const size_t m2 = 2 * m + m / 8;
        uint32_t *q = g_new(uint32_t, 2 * m2 + 2);
        for (size_t i = 0; i < m; i++) {
            q[2 * i] = p[2 * i];
            q[2 * i + 1] = p[2 * i + 1];
            q[2 * (m + i)] = p[2 * (m - 1 - i) + 1];
            q[2 * (m + i) + 1] = p[2 * (m - 1 - i)];
        }
        for (size_t i = 2 * m; i < m2; i++)
            q[2 * i] = q[2 * i + 1] = (uint32_t)(i % n);
        uint8_t *change = g_new(uint8_t, m2 + 1);
        es_edgeset *set = es_edgeset_new(m2, 0);
        for (size_t i = 0; i < m2; i++)
            change[i] = q[2 * i] != q[2 * i + 1] && es_edgeset_insert(set, q[2 * i], q[2 * i + 1])
                      ? ES_EDGE_APPEARS : ES_EDGE_SEEN;
        es_edgeset_free(set);
        for (unsigned k = 1; k <= 3; k++) {
            char opts[64];
            snprintf(opts, sizeof opts, "k=%u,seed=%" PRIu64 ",n=%u", k, seed, n);
            es_operator *a = spanner_run(opts, q, m2, 17);
            for (int stop = 0; stop < 2; stop++) {
                /* answers throughout, or for the first half of the batches */
                answered b = { spanner_new(opts, NULL), change, stop ? m2 / 2 : m2 };
                es_test_feed_batches(q, m2, 17, process_answered, &b);
                ES_CHECK_SEED(same_spanner(a, b.op, n), seed);
                ES_CHECK_SEED(answer_u64(a, "edges") == answer_u64(b.op, "edges"), seed);
                ES_CHECK_SEED(answer_u64(a, "edges_seen") == answer_u64(b.op, "edges_seen"), seed);
                es_operator_free(b.op);
            }
            es_operator_free(a);
        }
        g_free(change);
        g_free(q);
        g_free(p);
    }
}

static void test_baswana_spanners_depend_on_the_seed(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = random_case(0, 400, &m, &n);
    char opts[64];
    snprintf(opts, sizeof opts, "k=2,seed=1,n=%u", n);
    es_operator *a = spanner_run(opts, p, m, 0);
    snprintf(opts, sizeof opts, "k=2,seed=2,n=%u", n);
    es_operator *b = spanner_run(opts, p, m, 0);
    const es_adjacency *ga = es_spanner_graph(a), *gb = es_spanner_graph(b);
    int differ = es_adjacency_edges(ga) != es_adjacency_edges(gb);
    for (uint32_t v = 0; !differ && v < n; v++)
        differ = es_adjacency_degree(ga, v) != es_adjacency_degree(gb, v);
    CU_ASSERT_TRUE(differ);
    CU_ASSERT_TRUE(verify(a, p, m, n, 3) && verify(b, p, m, n, 3));
    es_operator_free(a);
    es_operator_free(b);
    g_free(p);
}

static void test_baswana_reports_edges_edges_seen_fraction_stretch_and_size_bound(void)
{
    /* A triangle, a loop and a repeat: whatever the sampling, a
     * 3-spanner of a triangle keeps 2 or 3 of its edges. */
    static const uint32_t p[] = { 0, 1, 1, 2, 2, 0, 2, 2, 1, 0 };
    es_operator *op = spanner_run("k=2", p, 5, 0);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    static const char *const names[] = { "edges", "edges_seen", "fraction", "stretch", "size_bound" };
    CU_ASSERT_TRUE_FATAL(es_test_report_layout(r, "spanner", names, NULL, G_N_ELEMENTS(names)));
    const uint64_t kept = es_report_find(r, "spanner", "edges")->v.u64;
    CU_ASSERT_TRUE(kept == 2 || kept == 3);
    CU_ASSERT_EQUAL(es_report_find(r, "spanner", "edges_seen")->v.u64, 4);
    CU_ASSERT_DOUBLE_EQUAL(es_report_find(r, "spanner", "fraction")->v.dbl, kept / 4.0, 1e-15);
    CU_ASSERT_EQUAL(es_report_find(r, "spanner", "stretch")->v.u64, 3);
    es_report_free(r);
    es_operator_free(op);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_k1_keeps_exactly_the_distinct_edges),
        ES_TEST(test_k2_and_k3_keep_every_input_edge_within_2k_minus_1_hops),
        ES_TEST(test_a_complete_graph_with_k2_keeps_far_fewer_than_n_choose_2_edges),
        ES_TEST(test_the_kept_graph_is_the_same_for_any_batch_size_and_thread_count),
        ES_TEST(test_the_report_lists_edges_input_edges_fraction_and_stretch),
        ES_TEST(test_bad_options_are_usage_errors),
        ES_TEST(test_baswana_keeps_every_input_edge_within_2k_minus_1_hops_and_its_size_bound),
        ES_TEST(test_baswana_shrinks_a_complete_graph_within_its_bound),
        ES_TEST(test_baswana_ignores_repeats_without_a_distinct_edge_stage),
        ES_TEST(test_baswana_keeps_the_same_edges_with_the_tables_answers),
        ES_TEST(test_baswana_spanners_depend_on_the_seed),
        ES_TEST(test_baswana_reports_edges_edges_seen_fraction_stretch_and_size_bound),
        ES_TEST(test_a_batch_naming_a_vertex_beyond_its_count_is_an_assertion),
        { NULL, NULL },
    };
    return es_test_main("spanner", tests);
}
