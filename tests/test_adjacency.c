/* test_adjacency.c — the adjacency sets against a plain reference: a dense
 * matrix for membership and per-vertex lists in insertion order.  Random
 * cases use fixed seeds and print them when an assertion fails. */
#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/adjacency.h"
#include "tests/testutil.h"

#define CHECK_SEED(cond, seed)                                                       \
    do {                                                                             \
        int ok_ = !!(cond);                                                          \
        CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE);      \
        if (!ok_)                                                                    \
            fprintf(stderr, "\n    (seed %" PRIu64 ")\n", (uint64_t)(seed));         \
    } while (0)

/* The obviously correct reference: an n x n matrix and lists in insertion order. */
typedef struct {
    uint32_t n;
    uint8_t *m;
    GArray **lists;
    uint64_t edges;
} ref_graph;

static ref_graph *ref_new(uint32_t n)
{
    ref_graph *r = g_new0(ref_graph, 1);
    r->n = n;
    r->m = g_new0(uint8_t, (size_t)n * n);
    r->lists = g_new(GArray *, n);
    for (uint32_t i = 0; i < n; i++)
        r->lists[i] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return r;
}

static void ref_free(ref_graph *r)
{
    for (uint32_t i = 0; i < r->n; i++)
        g_array_free(r->lists[i], TRUE);
    g_free(r->lists);
    g_free(r->m);
    g_free(r);
}

static int ref_insert(ref_graph *r, uint32_t u, uint32_t v)
{
    if (u == v || r->m[(size_t)u * r->n + v])
        return 0;
    r->m[(size_t)u * r->n + v] = r->m[(size_t)v * r->n + u] = 1;
    g_array_append_val(r->lists[u], v);
    g_array_append_val(r->lists[v], u);
    r->edges++;
    return 1;
}

/* Every vertex's list equals the reference's, in order, and positions agree. */
static int same_as_ref(const es_adjacency *a, const ref_graph *r)
{
    if (es_adjacency_edges(a) != r->edges)
        return 0;
    for (uint32_t x = 0; x < r->n; x++) {
        const GArray *l = r->lists[x];
        if (es_adjacency_degree(a, x) != l->len)
            return 0;
        const uint32_t *nb = es_adjacency_neighbors(a, x);
        if (l->len && memcmp(nb, l->data, l->len * sizeof(uint32_t)) != 0)
            return 0;
        for (guint i = 0; i < l->len; i++)
            if (es_adjacency_position(a, x, g_array_index(l, uint32_t, i)) != i)
                return 0;
    }
    return 1;
}

static void test_insert_contains_and_degree_match_a_plain_matrix(void)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        const uint32_t n = seed == 4 ? 40 : 300;
        size_t m;
        uint32_t *p = es_test_random_edges(n, seed == 4 ? 600 : 6000, seed, 1, &m);
        es_adjacency *a = es_adjacency_new(0);
        ref_graph *r = ref_new(n);
        int agree = 1;
        for (size_t i = 0; i < m; i++)
            agree &= es_adjacency_insert(a, p[2 * i], p[2 * i + 1]) == ref_insert(r, p[2 * i], p[2 * i + 1]);
        CHECK_SEED(agree, seed);
        int contains = 1;
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = 0; v < n; v++)
                contains &= es_adjacency_contains(a, u, v) == r->m[(size_t)u * n + v];
        CHECK_SEED(contains, seed);
        CHECK_SEED(same_as_ref(a, r), seed);
        ref_free(r);
        es_adjacency_free(a);
        g_free(p);
    }
}

static void test_self_loops_and_repeats_in_either_direction_are_not_inserted(void)
{
    es_adjacency *a = es_adjacency_new(0);
    CU_ASSERT_FALSE(es_adjacency_insert(a, 3, 3));
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 3), 0);
    CU_ASSERT_TRUE(es_adjacency_insert(a, 1, 2));
    CU_ASSERT_FALSE(es_adjacency_insert(a, 1, 2));
    CU_ASSERT_FALSE(es_adjacency_insert(a, 2, 1));
    CU_ASSERT_EQUAL(es_adjacency_edges(a), 1);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 1), 1);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 2), 1);
    CU_ASSERT_TRUE(es_adjacency_contains(a, 2, 1));
    CU_ASSERT_FALSE(es_adjacency_contains(a, 1, 3));
    es_adjacency_free(a);
}

static void test_the_vertex_range_grows_with_the_ids_inserted(void)
{
    es_adjacency *a = es_adjacency_new(2);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 0);
    es_adjacency_insert(a, 0, 1);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 2);
    for (uint32_t v = 2; v < 100000; v += 7)   /* last v: 99997 */
        es_adjacency_insert(a, v - 1, v);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 99998);
    CU_ASSERT_TRUE(es_adjacency_contains(a, 99996, 99997));
    CU_ASSERT_TRUE(es_adjacency_contains(a, 0, 1));
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 99997), 1);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 5), 0);
    es_adjacency_grow(a, 200000);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 200000);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 199999), 0);
    CU_ASSERT_FALSE(es_adjacency_contains(a, 199999, 0));
    CU_ASSERT_FALSE(es_adjacency_contains(a, 300000, 0));
    es_adjacency_free(a);
}

static void test_a_hub_of_degree_200000_keeps_order_positions_and_membership(void)
{
    const uint32_t leaves = 200000;
    es_adjacency *a = es_adjacency_new(0);
    /* Hub 0 and hub 1 share the even leaves; leaves are 2 .. leaves+1. */
    int fresh = 1;
    for (uint32_t i = 0; i < leaves; i++) {
        uint32_t leaf = 2 + (uint32_t)(((uint64_t)i * 7919) % leaves);
        fresh &= es_adjacency_insert(a, 0, leaf);
        if (leaf % 2 == 0)
            fresh &= es_adjacency_insert(a, leaf, 1);
    }
    CU_ASSERT_TRUE(fresh);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 0), leaves);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 1), leaves / 2);
    CU_ASSERT_FALSE(es_adjacency_insert(a, 12345, 0));
    const uint32_t *nb = es_adjacency_neighbors(a, 0);
    int order = 1, member = 1;
    for (uint32_t i = 0; i < leaves; i++) {
        order &= nb[i] == 2 + (uint32_t)(((uint64_t)i * 7919) % leaves);
        order &= es_adjacency_position(a, 0, nb[i]) == i;
        member &= es_adjacency_contains(a, nb[i], 1) == (nb[i] % 2 == 0);
    }
    CU_ASSERT_TRUE(order);
    CU_ASSERT_TRUE(member);
    CU_ASSERT_EQUAL(es_adjacency_position(a, 0, leaves + 2), ES_ADJACENCY_NONE);
    CU_ASSERT_FALSE(es_adjacency_contains(a, 0, leaves + 5));
    uint32_t *out = g_new(uint32_t, leaves);
    CU_ASSERT_EQUAL(es_adjacency_intersect(a, 0, 1, out), leaves / 2);
    CU_ASSERT_EQUAL(es_adjacency_intersect(a, 1, 0, out), leaves / 2);
    /* The first 1000 of hub 0's list meet the first 300 of hub 1's. */
    const uint32_t *nb1 = es_adjacency_neighbors(a, 1);
    size_t expect = 0;
    for (uint32_t i = 0; i < 1000; i++)
        for (uint32_t j = 0; j < 300; j++)
            expect += nb[i] == nb1[j];
    CU_ASSERT_EQUAL(es_adjacency_intersect_prefix(a, 0, 1000, 1, 300, out), expect);
    CU_ASSERT_EQUAL(es_adjacency_intersect_prefix(a, 1, 300, 0, 1000, out), expect);
    /* Memory: at most ~40 bytes per neighbour entry for hashed vertices,
     * plus the unused part of the last 16 MiB arena chunk. */
    CU_ASSERT_TRUE(es_adjacency_memory(a) < 40 * (size_t)(leaves + leaves / 2) * 2 + ((size_t)16 << 20));
    g_free(out);
    es_adjacency_free(a);
}

/* Naive prefix intersection: common w with position < nu in u and < nv in v. */
static size_t naive_prefix(const ref_graph *r, uint32_t u, uint32_t nu, uint32_t v, uint32_t nv)
{
    size_t k = 0;
    const GArray *lu = r->lists[u], *lv = r->lists[v];
    for (guint i = 0; i < lu->len && i < nu; i++)
        for (guint j = 0; j < lv->len && j < nv; j++)
            k += g_array_index(lu, uint32_t, i) == g_array_index(lv, uint32_t, j);
    return k;
}

static void test_intersections_and_their_prefixes_match_a_naive_count(void)
{
    for (uint64_t seed = 11; seed <= 13; seed++) {
        /* Dense enough that many vertices pass the small-array threshold. */
        const uint32_t n = 120;
        size_t m;
        uint32_t *p = es_test_random_edges(n, seed == 13 ? 5000 : 1500, seed, 1, &m);
        es_adjacency *a = es_adjacency_new(0);
        ref_graph *r = ref_new(n);
        for (size_t i = 0; i < m; i++) {
            es_adjacency_insert(a, p[2 * i], p[2 * i + 1]);
            ref_insert(r, p[2 * i], p[2 * i + 1]);
        }
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        uint32_t out[128];
        int full = 1, prefix = 1, members = 1;
        for (int q = 0; q < 3000; q++) {
            uint32_t u = g_rand_int_range(rng, 0, n), v = g_rand_int_range(rng, 0, n);
            size_t c = es_adjacency_intersect(a, u, v, out);
            full &= c == naive_prefix(r, u, UINT32_MAX, v, UINT32_MAX);
            for (size_t j = 0; j < c; j++)
                members &= es_adjacency_contains(a, u, out[j]) && es_adjacency_contains(a, v, out[j]);
            uint32_t nu = g_rand_int_range(rng, 0, 60), nv = g_rand_int_range(rng, 0, 60);
            prefix &= es_adjacency_intersect_prefix(a, u, nu, v, nv, out) == naive_prefix(r, u, nu, v, nv);
        }
        CHECK_SEED(full, seed);
        CHECK_SEED(prefix, seed);
        CHECK_SEED(members, seed);
        g_rand_free(rng);
        ref_free(r);
        es_adjacency_free(a);
        g_free(p);
    }
}

/* Insert pairs in batches of bs with es_adjacency_insert_batch, checking the
 * reported positions against the reference as it goes. */
static int batch_insert_agrees(const uint32_t *p, size_t m, uint32_t n, size_t bs, int threads)
{
    omp_set_num_threads(threads);
    es_adjacency *a = es_adjacency_new(0);
    ref_graph *r = ref_new(n);
    uint32_t *pu = g_new(uint32_t, bs), *pv = g_new(uint32_t, bs);
    int ok = 1;
    for (size_t s = 0; s < m; s += bs) {
        size_t k = m - s < bs ? m - s : bs;
        const es_edge *e = (const es_edge *)(p + 2 * s);
        es_adjacency_grow(a, n);
        size_t fresh = es_adjacency_insert_batch(a, e, k, pu, pv), expect = 0;
        for (size_t i = 0; i < k; i++) {
            uint32_t du = r->lists[e[i].u]->len, dv = r->lists[e[i].v]->len;
            int isnew = ref_insert(r, e[i].u, e[i].v);
            expect += isnew;
            ok &= isnew ? pu[i] == du && pv[i] == dv
                        : pu[i] == ES_ADJACENCY_NONE && pv[i] == ES_ADJACENCY_NONE;
        }
        ok &= fresh == expect;
    }
    ok &= same_as_ref(a, r);
    g_free(pu);
    g_free(pv);
    ref_free(r);
    es_adjacency_free(a);
    return ok;
}

static void test_parallel_batch_insertion_equals_sequential_insertion_for_1_and_2_threads(void)
{
    const int saved = omp_get_max_threads();
    for (uint64_t seed = 21; seed <= 23; seed++) {
        const uint32_t n = seed == 23 ? 2000 : 400;
        size_t m;
        uint32_t *p = es_test_random_edges(n, 40000, seed, 1, &m);
        /* A hub: vertex 0 joined to many others, to exercise hashed lists. */
        for (size_t i = 0; i < m; i += 3)
            p[2 * i] = 0;
        CHECK_SEED(batch_insert_agrees(p, m, n, m, 1), seed);
        CHECK_SEED(batch_insert_agrees(p, m, n, m, 2), seed);
        CHECK_SEED(batch_insert_agrees(p, m, n, 9000, 2), seed);
        CHECK_SEED(batch_insert_agrees(p, m, n, 7, 2), seed);
        g_free(p);
    }
    omp_set_num_threads(saved);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_insert_contains_and_degree_match_a_plain_matrix),
        ES_TEST(test_self_loops_and_repeats_in_either_direction_are_not_inserted),
        ES_TEST(test_the_vertex_range_grows_with_the_ids_inserted),
        ES_TEST(test_a_hub_of_degree_200000_keeps_order_positions_and_membership),
        ES_TEST(test_intersections_and_their_prefixes_match_a_naive_count),
        ES_TEST(test_parallel_batch_insertion_equals_sequential_insertion_for_1_and_2_threads),
        { NULL, NULL },
    };
    return es_test_main("adjacency", tests);
}
