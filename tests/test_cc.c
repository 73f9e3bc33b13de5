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
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "operators/cc.h"
#include "tests/testutil.h"

/* ---- random graph cases ------------------------------------------------ */

typedef struct {
    char      name[80];
    uint32_t *pairs;  /* 2*m ids in first-appearance order */
    size_t    m;
    uint32_t  n;      /* distinct vertices */
} graph_case;

#define NUM_KINDS 6
#define NUM_SEEDS 4

static uint32_t *pairs_of_igraph(const igraph_t *g, size_t *m)
{
    igraph_vector_int_t el;
    igraph_vector_int_init(&el, 0);
    igraph_get_edgelist(g, &el, 0);
    *m = (size_t)igraph_vector_int_size(&el) / 2;
    uint32_t *p = g_new(uint32_t, 2 * *m + 2);
    for (size_t i = 0; i < 2 * *m; i++)
        p[i] = (uint32_t)VECTOR(el)[i];
    igraph_vector_int_destroy(&el);
    return p;
}

/* Kinds: 0 sparse ER (many small components), 1 denser ER, 2 BA tree,
 * 3 BA with 3 edges per vertex, 4 and 5 messy uniform streams (duplicates,
 * reversed duplicates, self-loops).  Each also gets a few vertices that
 * appear only in self-loops, and a shuffled stream order. */
static void make_case(graph_case *c, int kind, uint64_t seed)
{
    static const char *kinds[NUM_KINDS] = { "sparse ER", "ER", "BA tree", "BA m=3", "messy dense", "messy sparse" };
    GRand *rng = g_rand_new_with_seed((guint32)(seed * 7919 + (uint64_t)kind));
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)seed);
    igraph_t g;
    uint32_t n = 0;
    size_t m = 0;
    uint32_t *p = NULL;
    switch (kind) {
    case 0: n = 3000; igraph_erdos_renyi_game_gnm(&g, n, 1400, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS); break;
    case 1: n = 2000; igraph_erdos_renyi_game_gnm(&g, n, 5000, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS); break;
    case 2: n = 3000; igraph_barabasi_game(&g, n, 1.0, 1, NULL, 1, 1.0, IGRAPH_UNDIRECTED, IGRAPH_BARABASI_PSUMTREE, NULL); break;
    case 3: n = 2000; igraph_barabasi_game(&g, n, 1.0, 3, NULL, 1, 1.0, IGRAPH_UNDIRECTED, IGRAPH_BARABASI_PSUMTREE, NULL); break;
    case 4: n = 5000; p = es_test_random_edges(n, 20000, seed, 1, &m); break;
    default: n = 6000; p = es_test_random_edges(n, 2500, seed, 1, &m); break;
    }
    if (p == NULL) {
        p = pairs_of_igraph(&g, &m);
        igraph_destroy(&g);
        for (size_t i = 0; i < m; i++) {   /* either direction */
            if (g_rand_boolean(rng)) {
                uint32_t t = p[2 * i]; p[2 * i] = p[2 * i + 1]; p[2 * i + 1] = t;
            }
        }
    }
    /* Vertices n .. n+k-1 appear only in self-loops (one twice). */
    uint32_t k = 3 + (uint32_t)(seed % 5);
    p = g_renew(uint32_t, p, 2 * (m + k + 1));
    for (uint32_t j = 0; j <= k; j++, m++)
        p[2 * m] = p[2 * m + 1] = n + (j < k ? j : 0);
    for (size_t i = m - 1; i > 0; i--) {   /* shuffle the stream */
        size_t j = (size_t)g_rand_int_range(rng, 0, (gint32)(i + 1));
        uint32_t a = p[2 * i], b = p[2 * i + 1];
        p[2 * i] = p[2 * j]; p[2 * i + 1] = p[2 * j + 1];
        p[2 * j] = a; p[2 * j + 1] = b;
    }
    /* Relabel to first-appearance order. */
    uint32_t *label = g_new(uint32_t, n + k);
    memset(label, 0xff, (n + k) * sizeof(uint32_t));
    uint32_t next = 0;
    for (size_t i = 0; i < 2 * m; i++) {
        if (label[p[i]] == UINT32_MAX)
            label[p[i]] = next++;
        p[i] = label[p[i]];
    }
    g_free(label);
    g_rand_free(rng);
    c->pairs = p;
    c->m = m;
    c->n = next;
    snprintf(c->name, sizeof c->name, "%s, seed %" G_GUINT64_FORMAT, kinds[kind], (guint64)seed);
}

/* ---- checking a cc operator against igraph ----------------------------- */

static void feed(const es_batch *b, void *user)
{
    GError *err = NULL;
    CU_ASSERT_TRUE(es_operator_process(user, b, &err));
    g_clear_error(&err);
}

static int hist_equals(const es_report_entry *e, const es_hist_bin *bins, size_t nbins)
{
    if (e == NULL || e->kind != ES_VAL_HIST || e->nbins != nbins)
        return 0;
    for (size_t i = 0; i < nbins; i++)
        if (e->bins[i].key != bins[i].key || e->bins[i].count != bins[i].count)
            return 0;
    return 1;
}

static uint64_t report_u64(const es_report *r, const char *metric)
{
    const es_report_entry *e = es_report_find(r, "cc", metric);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->kind, ES_VAL_U64);
    return e->v.u64;
}

/* Histogram of a vector's values: sorted copy, run-length coded. */
static GArray *hist_of(const igraph_vector_int_t *values, uint64_t *max)
{
    igraph_vector_int_t v;
    igraph_vector_int_init_copy(&v, values);
    igraph_vector_int_sort(&v);
    GArray *bins = g_array_new(FALSE, TRUE, sizeof(es_hist_bin));
    *max = 0;
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&v);) {
        es_hist_bin b = { (uint64_t)VECTOR(v)[i], 0 };
        while (i < igraph_vector_int_size(&v) && (uint64_t)VECTOR(v)[i] == b.key) {
            b.count++;
            i++;
        }
        g_array_append_val(bins, b);
        *max = b.key;
    }
    igraph_vector_int_destroy(&v);
    return bins;
}

/* Feed the case in batches of batch_size and compare with igraph.  Returns
 * a description of the first disagreement, or NULL. */
static const char *check_cc(const graph_case *c, size_t batch_size, const igraph_vector_int_t *memb,
                            const igraph_vector_int_t *csize)
{
    const char *bad = NULL;
    es_operator *op = es_operator_new("cc", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_test_feed_batches(c->pairs, c->m, batch_size ? batch_size : c->m, feed, op);
    es_report *r = es_report_new();
    es_operator_report(op, r);

    size_t ncomp = (size_t)igraph_vector_int_size(csize);
    uint64_t largest = 0;
    GArray *bins = hist_of(csize, &largest);

    if (report_u64(r, "vertices") != c->n)
        bad = "vertices";
    else if (report_u64(r, "components") != ncomp || es_cc_components(op) != ncomp)
        bad = "components";
    else if (report_u64(r, "largest") != largest)
        bad = "largest";
    else if (!hist_equals(es_report_find(r, "cc", "size_histogram"), (es_hist_bin *)bins->data, bins->len))
        bad = "size_histogram";
    else if (es_cc_component_of(op, c->n) != UINT32_MAX)
        bad = "component_of an unseen vertex";
    else {
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
    g_array_free(bins, TRUE);
    es_report_free(r);
    es_operator_free(op);
    return bad;
}

static void test_components_match_igraph_on_random_graphs_in_any_batch_size(void)
{
    static const size_t batch_sizes[] = { 1, 7, 1000, 0 /* all */ };
    int cases = 0;
    for (int kind = 0; kind < NUM_KINDS; kind++) {
        for (uint64_t seed = 1; seed <= NUM_SEEDS; seed++) {
            graph_case c;
            make_case(&c, kind, seed);
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

static void test_a_path_is_one_component(void)
{
    const uint32_t p[] = { 0, 1, 1, 2, 2, 3, 3, 4 };
    es_operator *op = run_cc(p, 4, 5);
    es_report *r = report_of(op);
    const es_hist_bin want[] = { { 5, 1 } };
    CU_ASSERT_EQUAL(report_u64(r, "vertices"), 5);
    CU_ASSERT_EQUAL(report_u64(r, "components"), 1);
    CU_ASSERT_EQUAL(report_u64(r, "largest"), 5);
    CU_ASSERT_TRUE(hist_equals(es_report_find(r, "cc", "size_histogram"), want, 1));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), es_cc_component_of(op, 4));
    es_report_free(r);
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
    CU_ASSERT_TRUE(hist_equals(es_report_find(r, "cc", "size_histogram"), want, 1));
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
    es_report *r = report_of(op);
    const es_hist_bin want[] = { { 1, 1 }, { 7, 1 } };
    CU_ASSERT_EQUAL(report_u64(r, "vertices"), 8);
    CU_ASSERT_EQUAL(report_u64(r, "components"), 2);
    CU_ASSERT_EQUAL(report_u64(r, "largest"), 7);
    CU_ASSERT_TRUE(hist_equals(es_report_find(r, "cc", "size_histogram"), want, 2));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 7), 7);
    CU_ASSERT_NOT_EQUAL(es_cc_component_of(op, 6), 7);
    es_report_free(r);
    es_operator_free(op);
}

static void test_an_empty_stream_has_no_vertices_and_no_components(void)
{
    es_operator *op = es_operator_new("cc", NULL);
    es_report *r = report_of(op);
    CU_ASSERT_EQUAL(report_u64(r, "vertices"), 0);
    CU_ASSERT_EQUAL(report_u64(r, "components"), 0);
    CU_ASSERT_EQUAL(report_u64(r, "largest"), 0);
    CU_ASSERT_TRUE(hist_equals(es_report_find(r, "cc", "size_histogram"), NULL, 0));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), UINT32_MAX);
    es_report_free(r);
    es_operator_free(op);

    op = run_cc(NULL, 0, 0);   /* an empty batch changes nothing */
    r = report_of(op);
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
    es_report *r = report_of(op);
    const es_hist_bin want[] = { { 1, 2 }, { 4, 1 } };
    CU_ASSERT_EQUAL(report_u64(r, "vertices"), 6);
    CU_ASSERT_EQUAL(report_u64(r, "components"), 3);
    CU_ASSERT_EQUAL(report_u64(r, "largest"), 4);
    CU_ASSERT_TRUE(hist_equals(es_report_find(r, "cc", "size_histogram"), want, 2));
    CU_ASSERT_EQUAL(es_cc_component_of(op, 0), es_cc_component_of(op, 3));
    es_report_free(r);
    es_operator_free(op);
}

static void test_report_names_its_answers_in_a_fixed_order(void)
{
    const uint32_t p[] = { 0, 1 };
    es_operator *op = run_cc(p, 1, 2);
    es_report *r = report_of(op);
    static const char *names[] = { "vertices", "components", "largest", "size_histogram" };
    CU_ASSERT_EQUAL_FATAL(r->entries->len, G_N_ELEMENTS(names));
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        CU_ASSERT_STRING_EQUAL(e->metric, names[i]);
        CU_ASSERT_STRING_EQUAL(e->op, "cc");
        CU_ASSERT_EQUAL(e->kind, i == 3 ? ES_VAL_HIST : ES_VAL_U64);
    }
    es_report_free(r);
    es_operator_free(op);
}

static void test_a_batch_naming_a_vertex_beyond_its_count_is_refused(void)
{
    const uint32_t p[] = { 0, 1, 0, 5 };
    es_operator *op = es_operator_new("cc", NULL);
    es_batch b = { .edges = (const es_edge *)p, .n = 2, .num_vertices = 2 };
    GError *err = NULL;
    CU_ASSERT_FALSE(es_operator_process(op, &b, &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_INTERNAL));
    g_clear_error(&err);
    es_operator_free(op);
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
        ES_TEST(test_a_batch_naming_a_vertex_beyond_its_count_is_refused),
        ES_TEST(test_cc_takes_no_options),
        { NULL, NULL },
    };
    return es_test_main("cc", tests);
}
