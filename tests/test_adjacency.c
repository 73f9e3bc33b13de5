/* test_adjacency.c — the adjacency sets, indexed and plain, against a plain
 * reference: a dense matrix for membership and per-vertex lists in
 * insertion order.  Random
 * cases use fixed seeds and print them when an assertion fails. */
#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/adjacency.h"
#include "graph/common.h"
#include "tests/testutil.h"

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
        ES_CHECK_SEED(agree, seed);
        int contains = 1;
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = 0; v < n; v++)
                contains &= es_adjacency_contains(a, u, v) == r->m[(size_t)u * n + v];
        ES_CHECK_SEED(contains, seed);
        ES_CHECK_SEED(same_as_ref(a, r), seed);
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
        ES_CHECK_SEED(full, seed);
        ES_CHECK_SEED(prefix, seed);
        ES_CHECK_SEED(members, seed);
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
        /* A hub: vertex 0 joined to many others, to exercise hashed lists. */
        uint32_t *p = es_test_hub_edges(n, 40000, seed, 3, &m);
        ES_CHECK_SEED(batch_insert_agrees(p, m, n, m, 1), seed);
        ES_CHECK_SEED(batch_insert_agrees(p, m, n, m, 2), seed);
        ES_CHECK_SEED(batch_insert_agrees(p, m, n, 9000, 2), seed);
        ES_CHECK_SEED(batch_insert_agrees(p, m, n, 7, 2), seed);
        g_free(p);
    }
    omp_set_num_threads(saved);
}

/* A plain graph (plain) or an indexed one appended to in batches of bs
 * with the reference's new/repeat answers (an edge table's), change NULL
 * for a batch of only new edges: the same lists, positions and answers as
 * the reference. */
static int batch_append_agrees(const uint32_t *p, size_t m, uint32_t n, size_t bs, int threads, gboolean plain)
{
    omp_set_num_threads(threads);
    es_adjacency *a = plain ? es_adjacency_new_plain(0) : es_adjacency_new(0);
    ref_graph *r = ref_new(n);
    uint32_t *pu = g_new(uint32_t, bs), *pv = g_new(uint32_t, bs);
    uint32_t *du = g_new(uint32_t, bs), *dv = g_new(uint32_t, bs);
    uint8_t *change = g_new(uint8_t, bs);
    int ok = 1;
    for (size_t s = 0; s < m; s += bs) {
        size_t k = m - s < bs ? m - s : bs, expect = 0;
        const es_edge *e = (const es_edge *)(p + 2 * s);
        for (size_t i = 0; i < k; i++) {
            du[i] = r->lists[e[i].u]->len;
            dv[i] = r->lists[e[i].v]->len;
            change[i] = ref_insert(r, e[i].u, e[i].v) ? ES_EDGE_APPEARS : ES_EDGE_SEEN;
            expect += change[i] == ES_EDGE_APPEARS;
        }
        es_adjacency_grow(a, n);
        ok &= es_adjacency_append_batch(a, e, expect == k ? NULL : change, k, pu, pv) == expect;
        for (size_t i = 0; i < k; i++)
            ok &= change[i] == ES_EDGE_APPEARS ? pu[i] == du[i] && pv[i] == dv[i]
                                               : pu[i] == ES_ADJACENCY_NONE && pv[i] == ES_ADJACENCY_NONE;
    }
    ok &= same_as_ref(a, r);
    /* Lookups still answer on a plain graph (by scanning). */
    for (uint32_t x = 0; x < n && x < 50; x++) {
        for (uint32_t y = 0; y < n; y++)
            ok &= es_adjacency_contains(a, x, y) == (r->m[(size_t)x * n + y] != 0);
        uint32_t out[2000];
        size_t c = es_adjacency_intersect(a, x, x + 1, out), naive = 0;
        for (uint32_t w = 0; w < n; w++)
            naive += r->m[(size_t)x * n + w] && r->m[(size_t)(x + 1) * n + w];
        ok &= c == naive;
    }
    g_free(pu);
    g_free(pv);
    g_free(du);
    g_free(dv);
    g_free(change);
    ref_free(r);
    es_adjacency_free(a);
    return ok;
}

static void test_appending_the_new_edges_of_batches_gives_the_lists_of_insertion(void)
{
    const int saved = omp_get_max_threads();
    for (uint64_t seed = 31; seed <= 33; seed++) {
        const uint32_t n = seed == 33 ? 1500 : 400;
        size_t m;
        /* A hub (vertex 0 in every third edge): lists that grow past many blocks. */
        uint32_t *p = es_test_hub_edges(n, 40000, seed, 3, &m);
        for (int plain = 1; plain >= 0; plain--) {
            ES_CHECK_SEED(batch_append_agrees(p, m, n, m, 1, plain), seed);
            ES_CHECK_SEED(batch_append_agrees(p, m, n, m, 2, plain), seed);
            ES_CHECK_SEED(batch_append_agrees(p, m, n, 9000, 2, plain), seed);
            ES_CHECK_SEED(batch_append_agrees(p, m, n, 7, 2, plain), seed);
        }
        g_free(p);
    }
    omp_set_num_threads(saved);
}

/* ---- CSR form ---- */

/* The CSR form of a, through pieces of `room` entries. */
static uint32_t *csr_of(const es_adjacency *a, uint64_t **offsets, size_t room, size_t *len)
{
    const uint32_t n = es_adjacency_vertices(a);
    *offsets = g_new(uint64_t, (size_t)n + 1);
    es_adjacency_csr_offsets(a, *offsets);
    *len = (*offsets)[n];
    uint32_t *nb = g_new(uint32_t, *len + room);
    es_adjacency_cursor at = { 0, 0 };
    size_t k = 0, got;
    while ((got = es_adjacency_csr_next(a, &at, nb + k, room)) > 0) {
        CU_ASSERT(got <= room);
        k += got;
    }
    CU_ASSERT_EQUAL(k, *len);
    return nb;
}

/* A random messy graph with a hub (vertex 0 in every third edge), inserted
 * in batches of bs with threads threads; r (when not NULL) gets it too. */
static es_adjacency *hub_graph(uint64_t seed, uint32_t n, size_t edges, size_t bs, ref_graph *r)
{
    size_t m;
    uint32_t *p = es_test_hub_edges(n, edges, seed, 3, &m);
    es_adjacency *a = es_adjacency_new(0);
    es_adjacency_grow(a, n);
    for (size_t s = 0; s < m; s += bs)
        es_adjacency_insert_batch(a, (const es_edge *)(p + 2 * s), MIN(bs, m - s), NULL, NULL);
    for (size_t i = 0; r && i < m; i++)
        ref_insert(r, p[2 * i], p[2 * i + 1]);
    g_free(p);
    return a;
}

static void test_csr_pieces_of_any_size_list_every_vertex_in_insertion_order(void)
{
    const uint32_t n = 600;
    ref_graph *r = ref_new(n);
    es_adjacency *a = hub_graph(31, n, 20000, 5000, r);
    static const size_t rooms[] = { 1, 3, 16, 1000, 1u << 20 };
    for (size_t k = 0; k < G_N_ELEMENTS(rooms); k++) {
        uint64_t *off;
        size_t len;
        uint32_t *nb = csr_of(a, &off, rooms[k], &len);
        int same = off[0] == 0 && len == 2 * r->edges;
        for (uint32_t x = 0; x < n; x++) {
            const GArray *l = r->lists[x];
            same &= off[x + 1] - off[x] == l->len &&
                    (l->len == 0 || memcmp(nb + off[x], l->data, l->len * sizeof(uint32_t)) == 0);
        }
        CU_ASSERT_TRUE(same);
        g_free(off);
        g_free(nb);
    }
    CU_ASSERT(r->lists[0]->len > 400);   /* the hub's list is hashed */
    ref_free(r);
    es_adjacency_free(a);
}

/* Rebuilt from its CSR form (with 1 and 2 threads), a graph answers as the
 * original, and both answer the same to further insertions. */
static void test_a_graph_rebuilt_from_csr_answers_and_grows_as_the_original(void)
{
    const int saved = omp_get_max_threads();
    for (uint64_t seed = 41; seed <= 43; seed++) {
        const uint32_t n = seed == 43 ? 9000 : 500;
        ref_graph *r = ref_new(n);
        es_adjacency *a = hub_graph(seed, n, 30000, 10000, r);
        uint64_t *off;
        size_t len;
        uint32_t *nb = csr_of(a, &off, 4096, &len);
        for (int threads = 1; threads <= 2; threads++) {
            omp_set_num_threads(threads);
            GError *err = NULL;
            es_adjacency *b = es_adjacency_new_from_csr(n, off, nb, len, "OFF", "NB", &err);
            ES_CHECK_SEED(b != NULL && err == NULL, seed);
            if (b == NULL) {
                fprintf(stderr, "\n    %s\n", err->message);
                g_error_free(err);
                continue;
            }
            ES_CHECK_SEED(es_adjacency_vertices(b) == n && es_adjacency_edges(b) == r->edges, seed);
            ES_CHECK_SEED(same_as_ref(b, r), seed);
            GRand *rng = g_rand_new_with_seed((guint32)seed);
            uint32_t out_a[9000], out_b[9000];
            int agree = 1;
            for (int q = 0; q < 2000; q++) {
                uint32_t u = g_rand_int_range(rng, 0, n), v = g_rand_int_range(rng, 0, n);
                uint32_t nu = g_rand_int_range(rng, 0, 40), nv = g_rand_int_range(rng, 0, 40);
                agree &= es_adjacency_contains(a, u, v) == es_adjacency_contains(b, u, v);
                size_t ca = es_adjacency_intersect_prefix(a, u, nu, v, nv, out_a);
                size_t cb = es_adjacency_intersect_prefix(b, u, nu, v, nv, out_b);
                agree &= ca == cb && memcmp(out_a, out_b, ca * sizeof(uint32_t)) == 0;
            }
            ES_CHECK_SEED(agree, seed);
            /* More edges, to a copy of the original and to the rebuilt one. */
            es_adjacency *c = es_adjacency_new_from_csr(n, off, nb, len, "OFF", "NB", NULL);
            size_t m;
            uint32_t *p = es_test_random_edges(n + 50, 20000, seed + 100, 1, &m);
            es_adjacency_grow(b, n + 50);
            es_adjacency_grow(c, n + 50);
            uint32_t *pb = g_new(uint32_t, 2 * m), *pc = g_new(uint32_t, 2 * m);
            size_t fb = es_adjacency_insert_batch(b, (const es_edge *)p, m, pb, pb + m);
            omp_set_num_threads(1);
            size_t fc = 0;
            for (size_t s = 0; s < m; s += 7)
                fc += es_adjacency_insert_batch(c, (const es_edge *)(p + 2 * s), MIN(7, m - s), pc + s, pc + m + s);
            ES_CHECK_SEED(fb == fc && memcmp(pb, pc, 2 * m * sizeof(uint32_t)) == 0, seed);
            uint64_t *off_b, *off_c;
            size_t len_b, len_c;
            uint32_t *nb_b = csr_of(b, &off_b, 1000, &len_b), *nb_c = csr_of(c, &off_c, 1000, &len_c);
            ES_CHECK_SEED(len_b == len_c && memcmp(off_b, off_c, (n + 51) * sizeof(uint64_t)) == 0 &&
                       memcmp(nb_b, nb_c, len_b * sizeof(uint32_t)) == 0, seed);
            g_free(off_b);
            g_free(off_c);
            g_free(nb_b);
            g_free(nb_c);
            g_free(pb);
            g_free(pc);
            g_free(p);
            g_rand_free(rng);
            es_adjacency_free(b);
            es_adjacency_free(c);
        }
        g_free(off);
        g_free(nb);
        ref_free(r);
        es_adjacency_free(a);
    }
    omp_set_num_threads(saved);
}

static void test_empty_csr_gives_vertices_without_edges(void)
{
    const uint64_t zero[4] = { 0, 0, 0, 0 };
    es_adjacency *a = es_adjacency_new_from_csr(0, zero, NULL, 0, "OFF", "NB", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 0);
    CU_ASSERT_TRUE(es_adjacency_insert(a, 0, 1));
    es_adjacency_free(a);
    a = es_adjacency_new_from_csr(3, zero, NULL, 0, "OFF", "NB", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(es_adjacency_vertices(a), 3);
    CU_ASSERT_EQUAL(es_adjacency_edges(a), 0);
    CU_ASSERT_EQUAL(es_adjacency_degree(a, 2), 0);
    es_adjacency_free(a);
}

/* Path 0-1-2 plus edge 1-3: lists 0: 1; 1: 0 2 3; 2: 1; 3: 1. */
typedef struct {
    uint32_t n;
    uint64_t off[6];
    uint32_t nb[8];
    size_t len;
} csr_case;

static const csr_case csr_good = { 4, { 0, 1, 4, 5, 6 }, { 1, 0, 2, 3, 1, 1 }, 6 };

static void expect_csr_refused(const csr_case *c, const char *culprit, const char *words)
{
    GError *err = NULL;
    es_adjacency *a = es_adjacency_new_from_csr(c->n, c->off, c->nb, c->len, "OFF", "NB", &err);
    const int right = a == NULL && g_error_matches(err, ES_ERROR, ES_ERROR_DATA) &&
                      g_str_has_prefix(err->message, culprit) && strstr(err->message, words) != NULL;
    CU_ASSERT_TRUE(right);
    if (!right)
        fprintf(stderr, "\n    expected \"%s: ...%s...\", got: %s\n", culprit, words,
                a ? "a graph" : err ? err->message : "no error");
    es_adjacency_free(a);
    g_clear_error(&err);
}

static void test_malformed_csr_is_refused_naming_the_array_and_entry(void)
{
    es_adjacency *a = es_adjacency_new_from_csr(csr_good.n, csr_good.off, csr_good.nb, csr_good.len, "OFF", "NB",
                                                NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(es_adjacency_edges(a), 3);
    CU_ASSERT_EQUAL(es_adjacency_position(a, 1, 3), 2);
    es_adjacency_free(a);
    csr_case c;
#define CSR_CASE(culprit, words, ...) do { c = csr_good; __VA_ARGS__; expect_csr_refused(&c, culprit, words); } while (0)
    CSR_CASE("OFF", "entry 0 is 1, not 0", c.off[0] = 1);
    CSR_CASE("OFF", "entry 2 (0) is below entry 1 (1)", c.off[2] = 0);
    CSR_CASE("OFF", "entry 4 (7) is beyond the 6 entries of NB", c.off[4] = 7);
    CSR_CASE("OFF", "the last entry is 5, but NB has 6 entries", c.off[4] = 5);
    CSR_CASE("OFF", "give vertex 1 4 neighbours, more than the 3 other vertices", c.off[2] = 5; c.off[3] = 5);
    CSR_CASE("NB", "entry 5 (a neighbour of vertex 3) is 4, beyond the 4 vertices", c.nb[5] = 4);
    CSR_CASE("NB", "entry 5 lists vertex 3 as its own neighbour", c.nb[5] = 3);
    CSR_CASE("NB", "entry 3 repeats neighbour 2 of vertex 1", c.nb[3] = 2);
    CSR_CASE("NB", "entry 3 lists 3 as a neighbour of vertex 1, but 3's list lacks 1", c.nb[5] = 0);
    /* 0: 1; 1: 0 2; 2: 1; 3: 2 -- only vertex 3's entry lacks its reverse. */
    CSR_CASE("NB", "entry 4 lists 2 as a neighbour of vertex 3, but 2's list lacks 3", c.off[2] = 3; c.off[3] = 4;
             c.off[4] = 5; c.len = 5; c.nb[2] = 2; c.nb[3] = 1; c.nb[4] = 2);
#undef CSR_CASE
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
        ES_TEST(test_appending_the_new_edges_of_batches_gives_the_lists_of_insertion),
        ES_TEST(test_csr_pieces_of_any_size_list_every_vertex_in_insertion_order),
        ES_TEST(test_a_graph_rebuilt_from_csr_answers_and_grows_as_the_original),
        ES_TEST(test_empty_csr_gives_vertices_without_edges),
        ES_TEST(test_malformed_csr_is_refused_naming_the_array_and_entry),
        { NULL, NULL },
    };
    return es_test_main("adjacency", tests);
}
