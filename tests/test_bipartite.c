/* test_bipartite.c — the parity union-find (graph/parity_uf.c) and the
 * "bipartite" operator (operators/bipartite.c).
 *
 * Known answers: odd cycles (the closing edge is the last one), even
 * cycles, a 100 x 100 grid in random edge order, self-loops (an odd cycle
 * of length 1, as igraph_is_bipartite also says), repeated edges, external
 * ids in the answer.  Verifier: igraph_is_bipartite, on 24 random graphs
 * (sparse Erdős–Rényi with and without self-loops and duplicates,
 * Barabási–Albert trees with m = 1, random bipartite graphs, and random
 * bipartite graphs with one odd edge inserted), each fed in batches of 1, 7,
 * 100 edges and in one batch.  The operator's answer must equal igraph's on
 * the whole stream, and when it names a closing edge at index i, igraph
 * must find the prefix of i edges bipartite and the prefix of i + 1 not.
 * The union-find's saved arrays restore to a structure that answers every
 * later request identically; arrays no union by rank could build (a parent
 * out of range, a cycle of parents, a parity not 0/1) are refused.
 * Random graphs use fixed seeds, printed when an assertion fails.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/parity_uf.h"
#include "operators/operator.h"
#include "operators/verify.h"
#include "tests/testutil.h"

typedef struct {
    gboolean bipartite;
    uint64_t index, u, v;
} answer;

static answer answer_of(es_operator *op)
{
    es_report *r = es_report_new();
    es_operator_report(op, r);
    answer a = { TRUE, 0, 0, 0 };
    const es_report_entry *e = es_report_find(r, "bipartite", "bipartite");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->kind, ES_VAL_BOOL);
    a.bipartite = e->v.boolean;
    const es_report_entry *i = es_report_find(r, "bipartite", "odd_cycle_index");
    const es_report_entry *u = es_report_find(r, "bipartite", "odd_cycle_u");
    const es_report_entry *v = es_report_find(r, "bipartite", "odd_cycle_v");
    /* The closing edge is reported exactly when the answer is false. */
    CU_ASSERT_EQUAL(i != NULL, !a.bipartite);
    CU_ASSERT_EQUAL(u != NULL, !a.bipartite);
    CU_ASSERT_EQUAL(v != NULL, !a.bipartite);
    if (i && u && v) {
        a.index = i->v.u64;
        a.u = u->v.u64;
        a.v = v->v.u64;
    }
    es_report_free(r);
    return a;
}

/* The operator's answer on pairs fed in batches of batch_size. */
/* Is the answer "not bipartite, since line `index`, the edge u-v"?  Prints
 * the answer when not. */
static int odd_at(answer a, uint64_t index, uint64_t u, uint64_t v)
{
    const int same = !a.bipartite && a.index == index && a.u == u && a.v == v;
    if (!same)
        printf("\n  wanted odd at line %" PRIu64 " (%" PRIu64 "-%" PRIu64 "), got %s at %" PRIu64 " (%" PRIu64
               "-%" PRIu64 ")\n", index, u, v, a.bipartite ? "bipartite" : "odd", a.index, a.u, a.v);
    return same;
}

static answer run(const uint32_t *pairs, size_t m, size_t batch_size)
{
    GError *err = NULL;
    es_operator *op = es_operator_new("bipartite", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_test_feed_batches(pairs, m, batch_size ? batch_size : (m ? m : 1), es_test_process, op);
    answer a = answer_of(op);
    es_operator_free(op);
    return a;
}

/* igraph's verdict on the first `len` pairs, loops and multi-edges kept. */
static gboolean igraph_bipartite_prefix(const uint32_t *pairs, size_t len)
{
    uint32_t n = 0;
    for (size_t i = 0; i < 2 * len; i++)
        n = pairs[i] + 1 > n ? pairs[i] + 1 : n;
    return es_verify_bipartite_prefix(pairs, len, n);
}

static void test_five_cycle_is_not_bipartite_and_its_fifth_edge_closes_it(void)
{
    const uint32_t c5[] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 0 };
    for (size_t bs = 1; bs <= 5; bs++) {
        answer a = run(c5, 5, bs);
        CU_ASSERT_TRUE(odd_at(a, 4, 4, 0));
    }
    /* Before its fifth edge the path is bipartite. */
    CU_ASSERT_TRUE(run(c5, 4, 0).bipartite);
    CU_ASSERT_FALSE(igraph_bipartite_prefix(c5, 5));
}

static uint32_t *cycle(uint32_t len)
{
    uint32_t *p = g_new(uint32_t, 2 * len);
    for (uint32_t i = 0; i < len; i++) {
        p[2 * i] = i;
        p[2 * i + 1] = (i + 1) % len;
    }
    return p;
}

static void test_even_cycles_are_bipartite_and_odd_cycles_close_on_their_last_edge(void)
{
    const uint32_t lens[] = { 3, 4, 6, 7, 100, 999, 1000 };
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        uint32_t *p = cycle(lens[i]);
        answer a = run(p, lens[i], 13);
        CU_ASSERT_EQUAL(a.bipartite, lens[i] % 2 == 0);
        CU_ASSERT_EQUAL(a.bipartite, igraph_bipartite_prefix(p, lens[i]));
        if (!a.bipartite)
            CU_ASSERT_EQUAL(a.index, lens[i] - 1);
        g_free(p);
    }
}

static void shuffle_pairs(uint32_t *p, size_t m, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    es_test_shuffle_lines(p, m, rng);
    g_rand_free(rng);
}

static void test_100_by_100_grid_is_bipartite_in_any_edge_order(void)
{
    const uint32_t k = 100;
    uint32_t *p = g_new(uint32_t, 4 * k * k);
    size_t m = 0;
    for (uint32_t r = 0; r < k; r++) {
        for (uint32_t c = 0; c < k; c++) {
            if (c + 1 < k) {
                p[2 * m] = r * k + c;
                p[2 * m++ + 1] = r * k + c + 1;
            }
            if (r + 1 < k) {
                p[2 * m] = r * k + c;
                p[2 * m++ + 1] = (r + 1) * k + c;
            }
        }
    }
    CU_ASSERT_EQUAL(m, 2 * k * (k - 1));
    CU_ASSERT_TRUE(run(p, m, 1000).bipartite);
    shuffle_pairs(p, m, 42);
    CU_ASSERT_TRUE(run(p, m, 1).bipartite);
    CU_ASSERT_TRUE(run(p, m, 0).bipartite);
    CU_ASSERT_TRUE(igraph_bipartite_prefix(p, m));
    /* One diagonal makes a triangle with two grid edges. */
    p[2 * m] = 0;
    p[2 * m + 1] = k + 1;
    answer a = run(p, m + 1, 333);
    CU_ASSERT_FALSE(a.bipartite);
    CU_ASSERT_EQUAL(a.index, m);
    g_free(p);
}

static void test_self_loop_is_an_odd_cycle_of_length_one(void)
{
    const uint32_t path_then_loop[] = { 0, 1, 1, 2, 2, 2, 0, 3 };
    answer a = run(path_then_loop, 4, 1);
    CU_ASSERT_TRUE(odd_at(a, 2, 2, 2));
    CU_ASSERT_FALSE(igraph_bipartite_prefix(path_then_loop, 3));   /* igraph agrees */
    CU_ASSERT_TRUE(igraph_bipartite_prefix(path_then_loop, 2));
    const uint32_t lone_loop[] = { 7, 7 };
    a = run(lone_loop, 1, 1);
    CU_ASSERT_FALSE(a.bipartite);
    CU_ASSERT_EQUAL(a.index, 0);
    CU_ASSERT_EQUAL(a.u, 7);
}

static void test_repeated_edges_keep_a_bipartite_graph_bipartite(void)
{
    const uint32_t p[] = { 0, 1, 1, 0, 0, 1, 1, 2, 2, 1, 3, 2, 0, 3, 3, 0 };
    CU_ASSERT_TRUE(run(p, 8, 3).bipartite);
    CU_ASSERT_TRUE(igraph_bipartite_prefix(p, 8));
}

static void test_answer_stays_with_the_first_odd_cycle(void)
{
    /* Triangle closes at 2; a later 5-cycle and a self-loop change nothing. */
    const uint32_t p[] = { 0, 1, 1, 2, 2, 0, 3, 4, 4, 5, 5, 6, 6, 7, 7, 3, 9, 9 };
    for (size_t bs = 1; bs <= 9; bs++) {
        answer a = run(p, 9, bs);
        CU_ASSERT_TRUE(odd_at(a, 2, 2, 0));
    }
}

static void test_closing_edge_is_named_by_its_external_ids_when_the_batch_has_them(void)
{
    const es_edge e1[] = { { 0, 1 }, { 1, 2 } };
    const uint64_t x1[] = { 1000, UINT64_MAX, UINT64_MAX, 5 };
    const es_edge e2[] = { { 2, 3 }, { 2, 0 } };
    const uint64_t x2[] = { 5, 77, 5, 1000 };
    GError *err = NULL;
    es_operator *op = es_operator_new("bipartite", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_batch b1 = { .edges = e1, .ext = x1, .n = 2, .first_index = 0, .num_vertices = 3 };
    es_batch b2 = { .edges = e2, .ext = x2, .n = 2, .first_index = 2, .num_vertices = 4 };
    CU_ASSERT_TRUE(es_operator_process(op, &b1, &err));
    CU_ASSERT_TRUE(answer_of(op).bipartite);
    CU_ASSERT_TRUE(es_operator_process(op, &b2, &err));
    answer a = answer_of(op);
    CU_ASSERT_TRUE(odd_at(a, 3, 5, 1000));
    es_operator_free(op);
}

static void test_a_vertex_beyond_the_batch_s_count_is_an_assertion(void)
{
    es_test_expect_vertex_bound("bipartite", (es_edge){ 0, 5 });
}

static void test_parity_find_gives_opposite_sides_across_every_united_edge(void)
{
    const uint32_t n = 5000;
    es_puf *uf = es_puf_new(10);
    es_puf_grow(uf, n);
    CU_ASSERT_EQUAL(es_puf_size(uf), n);
    GRand *rng = g_rand_new_with_seed(3);
    /* A random forest: vertex v > 0 joins a random earlier vertex, in random order. */
    uint32_t *p = g_new(uint32_t, 2 * (n - 1));
    for (uint32_t v = 1; v < n; v++) {
        p[2 * (v - 1)] = v;
        p[2 * (v - 1) + 1] = (uint32_t)g_rand_int_range(rng, 0, (gint32)v);
    }
    shuffle_pairs(p, n - 1, 4);
    for (uint32_t i = 0; i < n - 1; i++)
        CU_ASSERT_TRUE(es_puf_unite_opposite(uf, p[2 * i], p[2 * i + 1]));
    size_t same = 0;
    uint32_t root = es_puf_find(uf, 0, NULL);
    for (uint32_t i = 0; i < n - 1; i++) {
        uint8_t su, sv;
        uint32_t ru = es_puf_find(uf, p[2 * i], &su), rv = es_puf_find(uf, p[2 * i + 1], &sv);
        same += su == sv || ru != root || rv != root;
        /* Re-uniting a tree edge is consistent; a same-side pair is refused. */
        CU_ASSERT_TRUE(es_puf_unite_opposite(uf, p[2 * i], p[2 * i + 1]));
    }
    CU_ASSERT_EQUAL(same, 0);
    uint8_t s0, s1;
    es_puf_find(uf, p[0], &s0);
    es_puf_find(uf, p[1], &s1);
    CU_ASSERT_NOT_EQUAL(s0, s1);
    /* Two vertices on the same side: refused, and nothing changes. */
    uint32_t a = 0, b = 0;
    for (uint32_t v = 1; v < n && b == 0; v++) {
        uint8_t sa, sb;
        es_puf_find(uf, a, &sa);
        es_puf_find(uf, v, &sb);
        if (sa == sb)
            b = v;
    }
    CU_ASSERT_NOT_EQUAL(b, 0);
    CU_ASSERT_FALSE(es_puf_unite_opposite(uf, a, b));
    CU_ASSERT_FALSE(es_puf_unite_opposite(uf, 17, 17));
    g_free(p);
    g_rand_free(rng);
    es_puf_free(uf);
}

/* The arrays of a structure, restored, give a structure that answers every
 * later request as the original; arrays that no union by rank could build
 * are refused, naming the array and the vertex. */
static void test_parity_restore_continues_identically_and_refuses_impossible_forests(void)
{
    const uint32_t n = 3000;
    GRand *rng = g_rand_new_with_seed(21);
    es_puf *uf = es_puf_new(n);
    for (int i = 0; i < 2000; i++)
        es_puf_unite_opposite(uf, (uint32_t)g_rand_int_range(rng, 0, n), (uint32_t)g_rand_int_range(rng, 0, n));
    const uint32_t *parent;
    const uint8_t *parity, *rank;
    es_puf_arrays(uf, &parent, &parity, &rank);
    GError *err = NULL;
    es_puf *back = es_puf_restore(n, parent, parity, rank, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(es_puf_size(back), n);
    size_t differ = 0;
    for (int i = 0; i < 4000; i++) {
        uint32_t u = (uint32_t)g_rand_int_range(rng, 0, n), v = (uint32_t)g_rand_int_range(rng, 0, n);
        differ += es_puf_unite_opposite(uf, u, v) != es_puf_unite_opposite(back, u, v);
    }
    es_puf_grow(uf, n + 10);
    es_puf_grow(back, n + 10);
    for (uint32_t v = 0; v < n + 10; v++) {
        uint8_t s1, s2;
        differ += es_puf_find(uf, v, &s1) != es_puf_find(back, v, &s2) || s1 != s2;
    }
    CU_ASSERT_EQUAL(differ, 0);

    /* A tree 0 <- 1 <- 2 (ranks 2, 1, 0) and a singleton 3. */
    uint32_t par[4] = { 0, 0, 1, 3 };
    uint8_t pty[4] = { 0, 1, 1, 0 }, rk[4] = { 2, 1, 0, 0 };
    es_puf *ok = es_puf_restore(4, par, pty, rk, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
    uint8_t side;
    CU_ASSERT_EQUAL(es_puf_find(ok, 2, &side), 0);
    CU_ASSERT_EQUAL(side, 0);          /* 1 xor 1 */
    es_puf_free(ok);
    static const struct {
        int vertex, field;             /* field 0: parent, 1: parity, 2: rank */
        int value;
        const char *want;
    } bad[] = {
        { 2, 0, 4, "parent[2] = 4" },   /* not a vertex */
        { 0, 0, 2, "rank[0]" },         /* 0 -> 2 -> 1 -> 0: a cycle, ranks cannot all grow */
        { 1, 1, 2, "parity[1] = 2" },
        { 3, 1, 1, "parity[3]" },       /* 1 at a root */
        { 3, 2, 32, "rank[3] = 32" },
        { 2, 2, 1, "rank[2]" },         /* equal to its parent's */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint32_t p2[4];
        uint8_t q2[4], r2[4];
        memcpy(p2, par, sizeof p2);
        memcpy(q2, pty, sizeof q2);
        memcpy(r2, rk, sizeof r2);
        if (bad[i].field == 0)
            p2[bad[i].vertex] = (uint32_t)bad[i].value;
        else if (bad[i].field == 1)
            q2[bad[i].vertex] = (uint8_t)bad[i].value;
        else
            r2[bad[i].vertex] = (uint8_t)bad[i].value;
        CU_ASSERT_PTR_NULL(es_puf_restore(4, p2, q2, r2, &err));
        int named = g_error_matches(err, ES_ERROR, ES_ERROR_DATA) && strstr(err->message, bad[i].want);
        if (!named)
            fprintf(stderr, "\n  case %zu: expected \"%s\", got: %s\n", i, bad[i].want, err ? err->message : "none");
        CU_ASSERT(named);
        g_clear_error(&err);
    }
    es_puf *empty = es_puf_restore(0, NULL, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(empty);
    es_puf_free(empty);
    es_puf_free(back);
    es_puf_free(uf);
    g_rand_free(rng);
}

/* Compare the operator with igraph on one graph, for every batch size. */
static void check_against_igraph(const char *family, uint64_t seed, const uint32_t *p, size_t m,
                                 int expect)
{
    const size_t sizes[] = { 1, 7, 100, 0 };
    answer first = run(p, m, sizes[0]);
    int ok = TRUE;
    for (size_t s = 1; s < G_N_ELEMENTS(sizes); s++) {
        answer a = run(p, m, sizes[s]);
        ok = ok && a.bipartite == first.bipartite && a.index == first.index && a.u == first.u && a.v == first.v;
    }
    gboolean ig = igraph_bipartite_prefix(p, m);
    ok = ok && first.bipartite == ig;
    if (expect >= 0)
        ok = ok && first.bipartite == expect;
    if (ok && !first.bipartite) {
        ok = first.index < m && igraph_bipartite_prefix(p, first.index)
             && !igraph_bipartite_prefix(p, first.index + 1)
             && first.u == p[2 * first.index] && first.v == p[2 * first.index + 1];
    }
    if (!ok)
        fprintf(stderr, "\n  %s seed %" PRIu64 " (%zu edges): operator says %s at %" PRIu64 ", igraph %s\n",
                family, seed, m, first.bipartite ? "bipartite" : "odd cycle", first.index,
                ig ? "bipartite" : "not bipartite");
    CU_ASSERT(ok);
}

static void test_agrees_with_igraph_on_random_graphs_in_several_batch_sizes(void)
{
    size_t graphs = 0, non_bipartite = 0;
    /* Sparse Erdős–Rényi around the threshold where odd cycles appear. */
    const size_t ms[] = { 60, 90, 120, 180 };
    for (uint64_t seed = 1; seed <= 2; seed++) {
        for (size_t i = 0; i < G_N_ELEMENTS(ms); i++) {
            size_t m;
            uint32_t *p = es_test_random_edges(300, ms[i], seed * 100 + i, 0, &m);
            check_against_igraph("er", seed * 100 + i, p, m, -1);
            non_bipartite += !igraph_bipartite_prefix(p, m);
            graphs++;
            g_free(p);
        }
    }
    /* The same with duplicates, reversed duplicates and self-loops. */
    for (uint64_t seed = 1; seed <= 4; seed++) {
        size_t m;
        uint32_t *p = es_test_random_edges(400, 30 * seed, seed, 1, &m);
        check_against_igraph("er-messy", seed, p, m, -1);
        non_bipartite += !igraph_bipartite_prefix(p, m);
        graphs++;
        g_free(p);
    }
    /* Barabási–Albert with one edge per new vertex: trees, so bipartite;
     * in random order and with every edge repeated reversed. */
    const igraph_integer_t ns[] = { 50, 500, 5000, 20000 };
    for (size_t i = 0; i < G_N_ELEMENTS(ns); i++) {
        igraph_rng_seed(igraph_rng_default(), 7 + i);
        igraph_t g;
        igraph_barabasi_game(&g, ns[i], 1.0, 1, NULL, 0, 1.0, IGRAPH_UNDIRECTED,
                             IGRAPH_BARABASI_PSUMTREE, NULL);
        size_t m;
        uint32_t *t = es_test_pairs_of_igraph(&g, &m);
        igraph_destroy(&g);
        uint32_t *p = g_new(uint32_t, 4 * m);
        for (size_t e = 0; e < m; e++) {
            p[2 * e] = t[2 * e];
            p[2 * e + 1] = t[2 * e + 1];
            p[2 * (m + e)] = t[2 * e + 1];
            p[2 * (m + e) + 1] = t[2 * e];
        }
        shuffle_pairs(p, 2 * m, (guint32)(7 + i));
        check_against_igraph("ba-tree", 7 + i, p, 2 * m, TRUE);
        graphs++;
        g_free(p);
        g_free(t);
    }
    /* Random bipartite graphs (left 0..n1-1, right n1..n1+n2-1); half of
     * them get one left-left edge at a random place, which closes an odd
     * cycle once both ends are connected. */
    for (uint64_t seed = 1; seed <= 8; seed++) {
        const uint32_t n1 = 60 + 10 * (uint32_t)seed, n2 = 80;
        const size_t m = 3 * (n1 + n2);
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        uint32_t *p = g_new(uint32_t, 2 * (m + 1));
        for (size_t e = 0; e < m; e++) {
            uint32_t l = (uint32_t)g_rand_int_range(rng, 0, (gint32)n1);
            uint32_t r = n1 + (uint32_t)g_rand_int_range(rng, 0, (gint32)n2);
            p[2 * e] = e % 2 ? l : r;
            p[2 * e + 1] = e % 2 ? r : l;
        }
        size_t total = m;
        if (seed % 2 == 0) {
            size_t at = (size_t)g_rand_int_range(rng, 0, (gint32)m);
            p[2 * m] = p[2 * at];
            p[2 * m + 1] = p[2 * at + 1];
            uint32_t l1 = (uint32_t)g_rand_int_range(rng, 0, (gint32)n1);
            p[2 * at] = l1;
            p[2 * at + 1] = (l1 + 1) % n1;
            total = m + 1;
        }
        check_against_igraph("bipartite", seed, p, total, seed % 2 == 0 ? FALSE : TRUE);
        non_bipartite += seed % 2 == 0;
        graphs++;
        g_free(p);
        g_rand_free(rng);
    }
    CU_ASSERT(graphs >= 20);
    /* The families cover both answers. */
    CU_ASSERT(non_bipartite >= 5 && non_bipartite + 5 <= graphs);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_five_cycle_is_not_bipartite_and_its_fifth_edge_closes_it),
        ES_TEST(test_even_cycles_are_bipartite_and_odd_cycles_close_on_their_last_edge),
        ES_TEST(test_100_by_100_grid_is_bipartite_in_any_edge_order),
        ES_TEST(test_self_loop_is_an_odd_cycle_of_length_one),
        ES_TEST(test_repeated_edges_keep_a_bipartite_graph_bipartite),
        ES_TEST(test_answer_stays_with_the_first_odd_cycle),
        ES_TEST(test_closing_edge_is_named_by_its_external_ids_when_the_batch_has_them),
        ES_TEST(test_a_vertex_beyond_the_batch_s_count_is_an_assertion),
        ES_TEST(test_parity_find_gives_opposite_sides_across_every_united_edge),
        ES_TEST(test_parity_restore_continues_identically_and_refuses_impossible_forests),
        ES_TEST(test_agrees_with_igraph_on_random_graphs_in_several_batch_sizes),
        { NULL, NULL },
    };
    return es_test_main("bipartite", tests);
}
