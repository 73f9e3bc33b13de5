/* test_snapshot_tri_spanner.c — HDF5 snapshots of the exact triangle
 * operator and the spanner (operators/tri.c, operators/spanner.c).
 *
 * Round trips: on random messy streams (duplicates in both directions,
 * self-loops, ids in first-appearance order) with external ids, cut at 0,
 * 1, m/3, m/2 + 3, m - 1 and m, in batches of 1, 7 and 1000, a restored
 * operator must report byte for byte what the original reports, before and
 * after the rest of the stream ("tri", "tri:top=3", "spanner",
 * "spanner:k=3", "spanner:method=greedy").  Layout: the edge table tri and
 * the greedy spanner read (/edges/keys, written beside the group as a
 * run's snapshot does) is the distinct edges in first-seen order (a plain
 * verifier: keys and
 * lists built edge by edge with a hash set of the keys seen), and the
 * graph tri restores from them holds each vertex's neighbours in the order
 * the stream first showed their edges; the spanner's kept_keys, laid out
 * edge by edge, give its lists in order; the arrays are the same whether
 * written with one thread or two; a run restored at any cut, with another
 * thread count, and fed the rest writes the very arrays of an uninterrupted
 * one (so the neighbour order, which is the age of each edge, came back).
 * Hand-written groups restore the
 * graph they describe; malformed ones (keys out of range, not u < v,
 * self-loops, repeats; kept edges that are not input edges; counts of the
 * wrong length or inconsistent with the graph,
 * another k)
 * are refused with an ES_ERROR_DATA error naming the dataset or attribute
 * at fault, and leave the operator as it was. */
#include <glib/gstdio.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "operators/operator.h"
#include "operators/spanner.h"
#include "operators/tri.h"
#include "snapshot/h5util.h"
#include "tests/testutil.h"

/* ---- helpers ------------------------------------------------------------------ */

/* The datasets of each operator and whether they are u64. */
typedef struct {
    const char *name;
    int u64;
} dataset;

static const dataset tri_datasets[] = {
    { "/edges/keys", 1 }, { "local", 1 }, { NULL, 0 },
};
static const dataset spanner_datasets[] = {
    { "kept_keys", 1 }, { "/edges/keys", 1 }, { NULL, 0 },
};
static const dataset baswana_datasets[] = {
    { "kept_keys", 1 }, { "record_keys", 1 }, { "clusters", 0 }, { NULL, 0 },
};

static const dataset *datasets_of(const char *spec)
{
    return g_str_has_prefix(spec, "tri") ? tri_datasets
         : strstr(spec, "method=greedy") ? spanner_datasets : baswana_datasets;
}

/* Every dataset of the two files is the same, byte for byte (and not empty). */
static int same_datasets(const char *spec, const char *path_a, const char *path_b)
{
    int same = 1;
    for (const dataset *d = datasets_of(spec); d->name; d++)
        if (!es_test_same_dataset(path_a, path_b, d->name, d->u64)) {
            printf("  (%s)\n", spec);
            same = 0;
        }
    return same;
}

/* A stream big enough for the parallel paths (batch insertion of 8 Ki
 * edges and more, grouped triangle counting): 20 000 vertices of average
 * degree about 30, with a hub (every 50th edge starts at vertex 0) whose
 * list outgrows several hash tables, plus the usual mess. */
static uint32_t *big_stream(size_t *m, uint32_t *n)
{
    uint32_t *p = es_test_hub_edges(20000, 300000, 42, 50, m);
    *n = es_test_relabel_first_appearance(p, *m, 20000);
    return p;
}

/* ---- round trips ---------------------------------------------------------------- */

static void roundtrip_random_streams(const char *spec)
{
    static const size_t batch_sizes[] = { 1, 7, 1000 };
    es_test_roundtrip_cases(spec, batch_sizes, G_N_ELEMENTS(batch_sizes), 1);
}

static void test_tri_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("tri");
}

static void test_tri_with_top_3_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("tri:top=3");
}

static void test_spanner_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("spanner");
}

static void test_spanner_with_k_3_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("spanner:k=3");
}

static void test_greedy_spanner_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("spanner:k=2,method=greedy");
}

/* ---- layout ------------------------------------------------------------------- */

/* The verifier: CSR lists in first-seen order, built edge by edge with a
 * hash set of the keys seen, and those keys in first-seen order. */
typedef struct {
    GArray  **lists;
    GArray   *keys;
    uint32_t  n;
} plain_graph;

static guint key_hash(gconstpointer p)
{
    return (guint)((*(const uint64_t *)p * 0x9E3779B97F4A7C15ull) >> 32);
}

static plain_graph plain_of(const uint32_t *p, size_t m, uint32_t n)
{
    plain_graph g = { g_new(GArray *, n), g_array_new(FALSE, FALSE, sizeof(uint64_t)), n };
    for (uint32_t v = 0; v < n; v++)
        g.lists[v] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTable *seen = g_hash_table_new_full(key_hash, g_int64_equal, g_free, NULL);
    for (size_t i = 0; i < m; i++) {
        const uint32_t u = p[2 * i], v = p[2 * i + 1];
        if (u == v)
            continue;
        uint64_t *key = g_new(uint64_t, 1);
        *key = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
        if (g_hash_table_contains(seen, key)) {
            g_free(key);
            continue;
        }
        g_hash_table_add(seen, key);
        g_array_append_val(g.keys, *key);
        g_array_append_val(g.lists[u], v);
        g_array_append_val(g.lists[v], u);
    }
    g_hash_table_destroy(seen);
    return g;
}

static void plain_free(plain_graph *g)
{
    for (uint32_t v = 0; v < g->n; v++)
        g_array_free(g->lists[v], TRUE);
    g_free(g->lists);
    g_array_free(g->keys, TRUE);
}

static void test_tri_writes_each_vertex_s_neighbours_in_first_seen_order_and_its_counts(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    uint64_t *ext = es_test_hashed_externals(p, m);
    es_operator *op = es_operator_new("tri", NULL);
    uint32_t maxv = 0;
    es_test_feed_range(op, p, ext, 0, m, 10000, &maxv);
    char *path = es_test_temp_path("tri-layout");
    es_h5_quiet();
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, path, NULL));

    plain_graph g = plain_of(p, m, n);
    GBytes *kb = es_test_dataset_bytes(path, "/edges/keys", 1);
    GBytes *lb = es_test_dataset_bytes(path, "local", 1);
    CU_ASSERT_TRUE(g_bytes_get_size(kb) == g.keys->len * 8 &&
                   memcmp(g_bytes_get_data(kb, NULL), g.keys->data, g.keys->len * 8) == 0);
    CU_ASSERT_EQUAL_FATAL(g_bytes_get_size(lb), (size_t)n * 8);
    const uint64_t *local = g_bytes_get_data(lb, NULL);
    /* The graph restored from the keys has every list in first-seen order. */
    es_operator *back = es_operator_new("tri", NULL);
    CU_ASSERT_TRUE_FATAL(es_test_read_snapshot_file(back, path, NULL));
    const es_adjacency *adj = es_tri_graph(back);
    int lists = es_adjacency_vertices(adj) == n, counts = 1;
    uint64_t sum = 0, wedges = 0;
    for (uint32_t v = 0; lists && v < n; v++) {
        const GArray *l = g.lists[v];
        lists &= es_adjacency_degree(adj, v) == l->len &&
                 (l->len == 0 || memcmp(es_adjacency_neighbors(adj, v), l->data, l->len * sizeof(uint32_t)) == 0);
    }
    for (uint32_t v = 0; v < n; v++) {
        const GArray *l = g.lists[v];
        counts &= local[v] == es_tri_local(op, v);
        sum += local[v];
        wedges += (uint64_t)l->len * (l->len ? l->len - 1 : 0) / 2;
    }
    es_operator_free(back);
    CU_ASSERT_TRUE(lists);
    CU_ASSERT_TRUE(counts);
    CU_ASSERT_EQUAL(g.lists[0]->len > 3000, 1);   /* the hub */
    CU_ASSERT(es_tri_triangles(op) > 1000);
    CU_ASSERT_EQUAL(sum, 3 * es_tri_triangles(op));
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "triangles"), es_tri_triangles(op));
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "wedges"), wedges);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "vertices"), n);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "edges"), g.keys->len);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "top"), 10);
    g_bytes_unref(kb);
    g_bytes_unref(lb);
    plain_free(&g);
    g_unlink(path);
    g_free(path);
    es_operator_free(op);
    g_free(ext);
    g_free(p);
}

static void test_spanner_writes_its_input_edges_in_first_seen_order_and_a_subgraph_of_them(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    es_operator *op = es_operator_new("spanner:k=2,method=greedy", NULL);
    uint32_t maxv = 0;
    es_test_feed_range(op, p, NULL, 0, m, 10000, &maxv);
    char *path = es_test_temp_path("spanner-layout");
    es_h5_quiet();
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, path, NULL));

    plain_graph g = plain_of(p, m, n);
    GBytes *kb = es_test_dataset_bytes(path, "/edges/keys", 1);
    CU_ASSERT_TRUE(g_bytes_get_size(kb) == g.keys->len * 8 &&
                   memcmp(g_bytes_get_data(kb, NULL), g.keys->data, g.keys->len * 8) == 0);
    /* The kept edges in the order they were kept: laid out edge by edge,
     * they give the spanner's lists, in order; each is an input edge. */
    const es_adjacency *kept = es_spanner_graph(op);
    GBytes *ob = es_test_dataset_bytes(path, "kept_keys", 1);
    const size_t E = es_adjacency_edges(kept);
    CU_ASSERT_EQUAL_FATAL(g_bytes_get_size(ob), E * 8);
    const uint64_t *keys = g_bytes_get_data(ob, NULL);
    GArray **lists = g_new0(GArray *, n);
    GHashTable *input = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint i = 0; i < g.keys->len; i++)
        g_hash_table_add(input, &((uint64_t *)g.keys->data)[i]);
    int ok = 1;
    for (size_t i = 0; i < E; i++) {
        const uint32_t u = (uint32_t)(keys[i] >> 32), v = (uint32_t)keys[i];
        ok &= u < v && v < n && g_hash_table_contains(input, &keys[i]);
        if (!(u < v && v < n))
            break;
        for (int side = 0; side < 2; side++) {
            const uint32_t x = side ? v : u, y = side ? u : v;
            if (lists[x] == NULL)
                lists[x] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            g_array_append_val(lists[x], y);
        }
    }
    for (uint32_t v = 0; ok && v < n; v++) {
        const uint32_t d = es_adjacency_degree(kept, v);
        ok &= (lists[v] ? lists[v]->len : 0) == d &&
              (d == 0 || memcmp(lists[v]->data, es_adjacency_neighbors(kept, v), d * sizeof(uint32_t)) == 0);
    }
    CU_ASSERT_TRUE(ok);
    for (uint32_t v = 0; v < n; v++)
        if (lists[v])
            g_array_free(lists[v], TRUE);
    g_free(lists);
    g_hash_table_destroy(input);
    CU_ASSERT(es_adjacency_edges(kept) < g.keys->len);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "k"), 2);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "stretch"), 3);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "vertices"), n);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "edges"), es_adjacency_edges(kept));
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "input_edges"), g.keys->len);
    g_bytes_unref(kb);
    g_bytes_unref(ob);
    plain_free(&g);
    g_unlink(path);
    g_free(path);
    es_operator_free(op);
    g_free(p);
}

static void test_snapshot_arrays_do_not_depend_on_the_thread_count(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    uint64_t *ext = es_test_hashed_externals(p, m);
    const int saved = omp_get_max_threads();
    static const char *specs[] = { "tri", "spanner", "spanner:method=greedy" };
    es_h5_quiet();
    for (int s = 0; s < 3; s++) {
        char *path[2];
        for (int t = 0; t < 2; t++) {
            omp_set_num_threads(t + 1);
            es_operator *op = es_operator_new(specs[s], NULL);
            uint32_t maxv = 0;
            es_test_feed_range(op, p, ext, 0, m, 50000, &maxv);
            path[t] = es_test_temp_path(t ? "t2" : "t1");
            CU_ASSERT_TRUE(es_test_write_snapshot_file(op, path[t], NULL));
            es_operator_free(op);
        }
        CU_ASSERT_TRUE(same_datasets(specs[s], path[0], path[1]));
        for (int t = 0; t < 2; t++) {
            g_unlink(path[t]);
            g_free(path[t]);
        }
    }
    omp_set_num_threads(saved);
    g_free(ext);
    g_free(p);
}

/* The restore rebuilds the lists in order: a run restored at any cut, with
 * the other thread count, and fed the rest, writes byte for byte the
 * arrays of one that never stopped, and reports the same. */
static void test_a_resumed_run_writes_the_arrays_of_an_uninterrupted_one_with_any_thread_count(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    uint64_t *ext = es_test_hashed_externals(p, m);
    const size_t cuts[] = { 1, 120000, m - 7 }, bs = 20000;
    const int saved = omp_get_max_threads();
    static const char *specs[] = { "tri:top=5", "spanner:k=3", "spanner:k=3,method=greedy" };
    es_h5_quiet();
    for (int s = 0; s < 3; s++) {
        omp_set_num_threads(2);
        es_operator *whole = es_operator_new(specs[s], NULL);
        uint32_t maxv = 0;
        es_test_feed_range(whole, p, ext, 0, m, bs, &maxv);
        char *path_whole = es_test_temp_path("whole");
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(whole, path_whole, NULL));
        char *want = es_test_report_tsv(whole);
        for (size_t c = 0; c < G_N_ELEMENTS(cuts); c++) {
            omp_set_num_threads(2);
            es_operator *first = es_operator_new(specs[s], NULL);
            uint32_t maxv_first = 0;
            es_test_feed_range(first, p, ext, 0, cuts[c], bs, &maxv_first);
            char *path_cut = es_test_temp_path("cut"), *path_resumed = es_test_temp_path("resumed");
            CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(first, path_cut, NULL));
            omp_set_num_threads(1);
            es_operator *resumed = es_operator_new(specs[s], NULL);
            uint64_t *ids = es_test_externals(p, ext, cuts[c], maxv_first);   /* (the top list's names) */
            es_test_use_externals(ids, maxv_first);
            CU_ASSERT_TRUE_FATAL(es_test_read_snapshot_file(resumed, path_cut, NULL));
            es_test_use_externals(NULL, 0);
            g_free(ids);
            uint32_t maxv_resumed = maxv_first;
            es_test_feed_range(resumed, p, ext, cuts[c], m, bs, &maxv_resumed);
            CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(resumed, path_resumed, NULL));
            if (!same_datasets(specs[s], path_whole, path_resumed)) {
                CU_FAIL("a resumed run writes other arrays");
                printf("\n  %s resumed at edge %zu\n", specs[s], cuts[c]);
            }
            char *got = es_test_report_tsv(resumed);
            CU_ASSERT_STRING_EQUAL(want, got);
            g_free(got);
            g_unlink(path_cut);
            g_unlink(path_resumed);
            g_free(path_cut);
            g_free(path_resumed);
            es_operator_free(first);
            es_operator_free(resumed);
        }
        g_free(want);
        g_unlink(path_whole);
        g_free(path_whole);
        es_operator_free(whole);
    }
    omp_set_num_threads(saved);
    g_free(ext);
    g_free(p);
}

/* ---- hand-written and malformed snapshots ------------------------------------------ */

/* The stream of the hand-written groups: triangle 0-1-2, edge 2-3, vertex
 * 4 only in a self-loop, and a repeat. */
static const uint32_t small_stream[] = { 0, 1, 1, 2, 2, 0, 2, 3, 4, 4, 1, 0 };
static const uint64_t small_ext[] = { 700, 701, 701, 702, 702, 700, 702, 703, 704, 704, 701, 700 };

/* An operator of spec fed the small stream. */
static es_operator *small_fed(const char *spec)
{
    es_operator *op = es_operator_new(spec, NULL);
    es_batch b = { .edges = (const es_edge *)small_stream, .ext = small_ext, .n = 6, .num_vertices = 5 };
    CU_ASSERT_TRUE(es_operator_process(op, &b, NULL));
    return op;
}

/* tri: the small stream as the operator writes it.  Keys in arrival
 * order; lists 0: 1 2; 1: 0 2; 2: 1 0 3; 3: 2; 4: none. */
typedef struct {
    const char *omit;           /* a dataset or attribute left out, or NULL */
    uint64_t vertices, edges, triangles, wedges, top;
    uint64_t keys[8];
    uint64_t local[8];
    size_t nkeys, nlocal;
    gboolean keys_as_u32;
} tri_snap;

static const tri_snap tri_good = {
    NULL, 5, 4, 1, 5, 10,
    { KEY(0, 1), KEY(1, 2), KEY(0, 2), KEY(2, 3) }, { 1, 1, 1, 0, 0 },
    4, 5, FALSE,
};

static void build_tri(hid_t g, const void *arg)
{
    const tri_snap *s = arg;
    const char *o = s->omit ? s->omit : "";
    if (strcmp(o, "vertices")) es_h5_set_u64(g, "vertices", s->vertices, NULL);
    if (strcmp(o, "edges")) es_h5_set_u64(g, "edges", s->edges, NULL);
    if (strcmp(o, "triangles")) es_h5_set_u64(g, "triangles", s->triangles, NULL);
    if (strcmp(o, "wedges")) es_h5_set_u64(g, "wedges", s->wedges, NULL);
    if (strcmp(o, "top")) es_h5_set_u64(g, "top", s->top, NULL);
    if (strcmp(o, "edge_keys")) {
        if (s->keys_as_u32) {
            uint32_t narrow[8];
            for (size_t i = 0; i < s->nkeys; i++)
                narrow[i] = (uint32_t)s->keys[i];
            hid_t e = H5Gcreate2(g, "/edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            es_h5_write_u32(e, "keys", narrow, s->nkeys, NULL);
            H5Gclose(e);
        } else {
            es_test_write_edge_keys(g, s->keys, s->nkeys);
        }
    }
    if (strcmp(o, "local")) es_h5_write_u64(g, "local", s->local, s->nlocal, NULL);
}

/* spanner (k = 2): (2, 0) is dropped, 0-1-2 being a path of 2 <= 3 hops;
 * kept in order: (0, 1), (1, 2), (2, 3). */
typedef struct {
    const char *omit;
    uint64_t k, stretch, vertices, edges, input_edges;
    uint64_t kept[8];
    uint64_t keys[8];
    size_t nkept, nkeys;
} spanner_snap;

static const spanner_snap spanner_good = {
    NULL, 2, 3, 5, 3, 4,
    { KEY(0, 1), KEY(1, 2), KEY(2, 3) }, { KEY(0, 1), KEY(1, 2), KEY(0, 2), KEY(2, 3) },
    3, 4,
};

static void build_spanner(hid_t g, const void *arg)
{
    const spanner_snap *s = arg;
    const char *o = s->omit ? s->omit : "";
    if (strcmp(o, "k")) es_h5_set_u64(g, "k", s->k, NULL);
    if (strcmp(o, "stretch")) es_h5_set_u64(g, "stretch", s->stretch, NULL);
    if (strcmp(o, "method")) es_h5_set_str(g, "method", "greedy", NULL);
    if (strcmp(o, "vertices")) es_h5_set_u64(g, "vertices", s->vertices, NULL);
    if (strcmp(o, "edges")) es_h5_set_u64(g, "edges", s->edges, NULL);
    if (strcmp(o, "input_edges")) es_h5_set_u64(g, "input_edges", s->input_edges, NULL);
    if (strcmp(o, "kept_keys")) es_h5_write_u64(g, "kept_keys", s->kept, s->nkept, NULL);
    if (strcmp(o, "input_keys")) es_test_write_edge_keys(g, s->keys, s->nkeys);
}

/* A hand-written group restores what the operator itself would hold: the
 * same report, and the same answers to more edges (a repeat of a known
 * edge, edges that close or do not close triangles, a new vertex). */
static void expect_restores_as_fed(const char *spec, es_test_build_fn build, const void *arg)
{
    es_operator *fed = small_fed(spec), *op = es_operator_new(spec, NULL);
    GError *err = NULL;
    uint64_t *ids = es_test_externals(small_stream, small_ext, 6, 5);
    es_test_use_externals(ids, 5);
    CU_ASSERT_TRUE(es_test_read_built(op, build, arg, &err));
    es_test_use_externals(NULL, 0);
    g_free(ids);
    if (err)
        printf("\n  %s: %s\n", spec, err->message);
    g_clear_error(&err);
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    static const uint32_t more[] = { 2, 0, 3, 1, 3, 0, 5, 4, 4, 2 };
    static const uint64_t more_ext[] = { 702, 700, 703, 701, 703, 700, 705, 704, 704, 702 };
    es_batch b = { .edges = (const es_edge *)more, .ext = more_ext, .n = 5, .first_index = 6, .num_vertices = 6 };
    CU_ASSERT_TRUE(es_operator_process(fed, &b, NULL));
    CU_ASSERT_TRUE(es_operator_process(op, &b, NULL));
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    es_operator_free(fed);
    es_operator_free(op);
}

static void test_a_hand_written_tri_snapshot_restores_the_graph_it_describes(void)
{
    expect_restores_as_fed("tri", build_tri, &tri_good);
    expect_restores_as_fed("tri:top=2", build_tri, &tri_good);   /* top is not state */
}

/* tri and tri-est name their top vertices by the id map's external ids
 * (es_operator.externals): they restore those, and refuse a snapshot of
 * more vertices than the id map holds. */
static void test_top_lists_take_the_id_map_s_names_and_refuse_more_vertices_than_it_has(void)
{
    static const char *specs[] = { "tri:top=5", "tri-est:m=100,top=5" };
    es_h5_quiet();
    for (size_t i = 0; i < G_N_ELEMENTS(specs); i++) {
        es_operator *fed = small_fed(specs[i]);
        char *path = es_test_temp_path("ids");
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(fed, path, NULL));
        uint64_t *ids = es_test_externals(small_stream, small_ext, 6, 5);
        es_operator *op = es_operator_new(specs[i], NULL);
        GError *err = NULL;
        es_test_use_externals(ids, 4);
        CU_ASSERT_FALSE(es_test_read_snapshot_file(op, path, &err));
        CU_ASSERT(err != NULL && strstr(err->message, "5 vertices, more than the 4 of /idmap/external_ids") != NULL);
        g_clear_error(&err);
        es_test_use_externals(ids, 5);
        CU_ASSERT_TRUE(es_test_read_snapshot_file(op, path, NULL));
        es_test_use_externals(NULL, 0);
        char *want = es_test_report_tsv(fed), *got = es_test_report_tsv(op);
        CU_ASSERT_STRING_EQUAL(want, got);
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "702"));   /* (vertex 2, in the triangle, by its name) */
        g_free(want);
        g_free(got);
        g_free(ids);
        es_operator_free(op);
        es_operator_free(fed);
        g_unlink(path);
        g_free(path);
    }
}

static void test_a_hand_written_spanner_snapshot_restores_the_graph_it_describes(void)
{
    expect_restores_as_fed("spanner:method=greedy", build_spanner, &spanner_good);
}

/* The clustering spanner with n=1 (p = 1: every vertex a centre at level
 * 1, so every edge is decided at the top level, from its first endpoint):
 * the small stream keeps its 4 distinct edges with the records (0, 1),
 * (1, 2), (2, 0), (2, 3) and drops the repeat (1, 0). */
typedef struct {
    const char *omit;
    const char *method;
    uint64_t k, seed, expected, vertices, edges, seen, loops, records;
    uint8_t level[8];
    uint32_t clusters[8];
    uint64_t kept[8], rec[8];
    size_t nlevel, nclusters, nkept, nrec;
} baswana_snap;

static const baswana_snap baswana_good = {
    NULL, "baswana", 2, 1, 1, 5, 4, 5, 1, 4,
    { 1, 1, 1, 1, 1 }, { 0, 1, 2, 3, 4 },
    { KEY(0, 1), KEY(1, 2), KEY(0, 2), KEY(2, 3) }, { KEY(0, 1), KEY(1, 2), KEY(2, 0), KEY(2, 3) },
    5, 5, 4, 4,
};

static void build_baswana(hid_t g, const void *arg)
{
    const baswana_snap *s = arg;
    const char *o = s->omit ? s->omit : "";
    if (strcmp(o, "k")) es_h5_set_u64(g, "k", s->k, NULL);
    if (strcmp(o, "stretch")) es_h5_set_u64(g, "stretch", 2 * s->k - 1, NULL);
    if (strcmp(o, "method")) es_h5_set_str(g, "method", s->method, NULL);
    if (strcmp(o, "seed")) es_h5_set_u64(g, "seed", s->seed, NULL);
    if (strcmp(o, "expected_vertices")) es_h5_set_u64(g, "expected_vertices", s->expected, NULL);
    if (strcmp(o, "vertices")) es_h5_set_u64(g, "vertices", s->vertices, NULL);
    if (strcmp(o, "edges")) es_h5_set_u64(g, "edges", s->edges, NULL);
    if (strcmp(o, "edges_seen")) es_h5_set_u64(g, "edges_seen", s->seen, NULL);
    if (strcmp(o, "self_loops")) es_h5_set_u64(g, "self_loops", s->loops, NULL);
    if (strcmp(o, "records")) es_h5_set_u64(g, "records", s->records, NULL);
    if (strcmp(o, "level")) es_h5_write_u8(g, "level", s->level, s->nlevel, NULL);
    if (strcmp(o, "clusters")) es_h5_write_u32(g, "clusters", s->clusters, s->nclusters, NULL);
    if (strcmp(o, "kept_keys")) es_h5_write_u64(g, "kept_keys", s->kept, s->nkept, NULL);
    if (strcmp(o, "record_keys")) es_h5_write_u64(g, "record_keys", s->rec, s->nrec, NULL);
}

static void test_a_hand_written_baswana_snapshot_restores_the_spanner_it_describes(void)
{
    expect_restores_as_fed("spanner:n=1", build_baswana, &baswana_good);
}

static void test_malformed_baswana_snapshots_are_refused_naming_the_culprit(void)
{
    baswana_snap s;
#define BW_CASE(culprit, what, ...) \
    ES_TEST_REFUSED_CASE(s, baswana_good, "spanner:n=1", build_baswana, culprit, what, NULL, __VA_ARGS__)
    BW_CASE("method", "no method attribute", s.omit = "method");
    BW_CASE("method", "the greedy method's snapshot", s.method = "greedy");
    BW_CASE("seed", "no seed attribute", s.omit = "seed");
    BW_CASE("edges_seen", "no edges_seen attribute", s.omit = "edges_seen");
    BW_CASE("records", "no records attribute", s.omit = "records");
    BW_CASE("level", "no level dataset", s.omit = "level");
    BW_CASE("clusters", "no clusters dataset", s.omit = "clusters");
    BW_CASE("kept_keys", "no kept_keys dataset", s.omit = "kept_keys");
    BW_CASE("record_keys", "no record_keys dataset", s.omit = "record_keys");
    BW_CASE("seed", "another seed", s.seed = 2);
    BW_CASE("vertices", "vertices beyond 32 bits", s.vertices = (uint64_t)1 << 40);
    BW_CASE("edges_seen", "more kept edges than edges seen", s.seen = 3);
    BW_CASE("level", "level one too short", s.nlevel = 4);
    BW_CASE("level", "a level below the sampled one", s.level[2] = 0);
    BW_CASE("level", "a level beyond k-1", s.level[2] = 2);
    BW_CASE("clusters", "a vertex in another's cluster below its sampled level", s.clusters[3] = 2);
    BW_CASE("kept_keys", "kept_keys one too short", s.nkept = 3);
    BW_CASE("expected_vertices", "another expected vertex count", s.expected = 2);
    BW_CASE("kept_keys", "a kept key with u > v", s.kept[1] = KEY(2, 1));
    BW_CASE("kept_keys", "a kept key repeated", s.kept[2] = KEY(0, 1));
    BW_CASE("kept_keys", "a kept key beyond the vertices", s.kept[3] = KEY(2, 5));
    BW_CASE("record_keys", "a record of a vertex with itself", s.rec[1] = KEY(1, 1));
    BW_CASE("record_keys", "a record beyond the vertices", s.rec[1] = KEY(1, 7));
    BW_CASE("record_keys", "a record repeated", s.rec[3] = KEY(0, 1));
#undef BW_CASE
}

static void test_malformed_tri_snapshots_are_refused_naming_the_culprit(void)
{
    tri_snap s;
#define TRI_CASE(culprit, what, ...) \
    ES_TEST_REFUSED_CASE(s, tri_good, "tri", build_tri, culprit, what, NULL, __VA_ARGS__)
    TRI_CASE("vertices", "no vertices attribute", s.omit = "vertices");
    TRI_CASE("edges", "no edges attribute", s.omit = "edges");
    TRI_CASE("triangles", "no triangles attribute", s.omit = "triangles");
    TRI_CASE("wedges", "no wedges attribute", s.omit = "wedges");
    TRI_CASE("/edges/keys", "no /edges/keys dataset", s.omit = "edge_keys");
    TRI_CASE("local", "no local dataset", s.omit = "local");
    TRI_CASE("vertices", "vertices beyond 32 bits", s.vertices = (uint64_t)1 << 32);
    TRI_CASE("/edges/keys", "/edges/keys one too short", s.nkeys = 3);
    TRI_CASE("/edges/keys", "/edges/keys one too long", s.nkeys = 5; s.keys[4] = KEY(1, 3));
    TRI_CASE("/edges/keys", "/edges/keys of u32", s.keys_as_u32 = TRUE);
    TRI_CASE("/edges/keys", "edges attribute not the number of keys", s.edges = 5);
    TRI_CASE("/edges/keys", "a key out of range", s.keys[3] = KEY(2, 5));
    TRI_CASE("/edges/keys", "a key far out of range", s.keys[0] = KEY(0, UINT32_MAX));
    TRI_CASE("/edges/keys", "a key beyond the vertices", s.vertices = 3; s.nlocal = 3);
    TRI_CASE("/edges/keys", "a self-loop", s.keys[3] = KEY(3, 3));
    TRI_CASE("/edges/keys", "a key with u > v", s.keys[3] = KEY(3, 2));
    TRI_CASE("/edges/keys", "a repeated key", s.keys[2] = KEY(0, 1));
    TRI_CASE("local", "local one too short", s.nlocal = 4);
    TRI_CASE("local", "local one too long", s.nlocal = 6);
    TRI_CASE("local", "more triangles than pairs of neighbours", s.local[3] = 1);
    TRI_CASE("triangles", "local not summing to 3 triangles", s.local[0] = 0);
    TRI_CASE("triangles", "triangles one off", s.triangles = 2);
    TRI_CASE("triangles", "triangles beyond 64 bits when tripled", s.triangles = UINT64_MAX / 2);
    TRI_CASE("wedges", "wedges one off", s.wedges = 6);
#undef TRI_CASE
    s = tri_good;
    s.keys[3] = KEY(2, 5);
    es_test_expect_refused("tri", build_tri, &s, "/edges/keys", "a key out of range, said precisely",
                          "key 3 (0x0000000200000005: u 2, v 5) names a vertex beyond the 5 vertices");
}

/* A hub whose list repeats an entry far into its hash-indexed part. */
static void build_tri_hub_repeat(hid_t g, const void *arg)
{
    (void)arg;
    const uint32_t leaves = 1000, n = leaves + 1;
    uint64_t *keys = g_new(uint64_t, leaves);
    uint64_t *zero = g_new0(uint64_t, n);
    for (uint32_t i = 0; i < leaves; i++)
        keys[i] = KEY(0, i + 1);    /* the hub's list, in order */
    keys[900] = KEY(0, 17);         /* leaf 17 again; leaf 901 missing */
    es_h5_set_u64(g, "vertices", n, NULL);
    es_h5_set_u64(g, "edges", leaves, NULL);
    es_h5_set_u64(g, "triangles", 0, NULL);
    es_h5_set_u64(g, "wedges", (uint64_t)leaves * (leaves - 1) / 2, NULL);
    es_h5_set_u64(g, "top", 10, NULL);
    es_test_write_edge_keys(g, keys, leaves);
    es_h5_write_u64(g, "local", zero, n, NULL);
    g_free(keys);
    g_free(zero);
}

static void test_a_repeat_in_a_hashed_list_is_refused(void)
{
    es_test_expect_refused("tri", build_tri_hub_repeat, NULL, "/edges/keys", "a hub repeating leaf 17",
                          "key 900 (0x0000000000000011: u 0, v 17) repeats an earlier key");
}

static void test_malformed_spanner_snapshots_are_refused_naming_the_culprit(void)
{
    spanner_snap s;
#define SP_CASE(culprit, what, ...) \
    ES_TEST_REFUSED_CASE(s, spanner_good, "spanner:method=greedy", build_spanner, culprit, what, NULL, __VA_ARGS__)
    SP_CASE("k", "no k attribute", s.omit = "k");
    SP_CASE("method", "no method attribute", s.omit = "method");
    SP_CASE("vertices", "no vertices attribute", s.omit = "vertices");
    SP_CASE("edges", "no edges attribute", s.omit = "edges");
    SP_CASE("input_edges", "no input_edges attribute", s.omit = "input_edges");
    SP_CASE("kept_keys", "no kept_keys dataset", s.omit = "kept_keys");
    SP_CASE("/edges/keys", "no /edges/keys dataset", s.omit = "input_keys");
    SP_CASE("k", "another k", s.k = 3; s.stretch = 5);
    SP_CASE("vertices", "vertices beyond 32 bits", s.vertices = (uint64_t)1 << 40);
    SP_CASE("edges", "more kept edges than input edges", s.input_edges = 2; s.nkeys = 2);
    SP_CASE("kept_keys", "kept_keys one too short", s.nkept = 2);
    SP_CASE("kept_keys", "a kept key with u > v", s.kept[1] = KEY(2, 1));
    SP_CASE("kept_keys", "a kept key repeated", s.kept[2] = KEY(0, 1));
    SP_CASE("kept_keys", "a kept edge that was never input", s.keys[3] = KEY(3, 4));
    SP_CASE("/edges/keys", "/edges/keys one too short", s.nkeys = 3);
    SP_CASE("/edges/keys", "/edges/keys one too long", s.nkeys = 5; s.keys[4] = KEY(1, 3));
    SP_CASE("/edges/keys", "a key with u = v", s.keys[2] = KEY(2, 2));
    SP_CASE("/edges/keys", "a key with u > v", s.keys[2] = KEY(2, 0));
    SP_CASE("/edges/keys", "a key beyond the vertices", s.keys[2] = KEY(0, 5));
    SP_CASE("/edges/keys", "a repeated key", s.keys[2] = KEY(1, 2));
#undef SP_CASE
    s = spanner_good;
    s.k = 3;
    es_test_expect_refused("spanner:method=greedy", build_spanner, &s, "k", "another k, said precisely",
                          "is 3, but this operator has k=2");
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_tri_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_tri_with_top_3_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_spanner_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_spanner_with_k_3_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_greedy_spanner_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_tri_writes_each_vertex_s_neighbours_in_first_seen_order_and_its_counts),
        ES_TEST(test_spanner_writes_its_input_edges_in_first_seen_order_and_a_subgraph_of_them),
        ES_TEST(test_snapshot_arrays_do_not_depend_on_the_thread_count),
        ES_TEST(test_a_resumed_run_writes_the_arrays_of_an_uninterrupted_one_with_any_thread_count),
        ES_TEST(test_a_hand_written_tri_snapshot_restores_the_graph_it_describes),
        ES_TEST(test_top_lists_take_the_id_map_s_names_and_refuse_more_vertices_than_it_has),
        ES_TEST(test_a_hand_written_spanner_snapshot_restores_the_graph_it_describes),
        ES_TEST(test_malformed_tri_snapshots_are_refused_naming_the_culprit),
        ES_TEST(test_a_repeat_in_a_hashed_list_is_refused),
        ES_TEST(test_malformed_spanner_snapshots_are_refused_naming_the_culprit),
        ES_TEST(test_a_hand_written_baswana_snapshot_restores_the_spanner_it_describes),
        ES_TEST(test_malformed_baswana_snapshots_are_refused_naming_the_culprit),
        { NULL, NULL },
    };
    return es_test_main("snapshot_tri_spanner", tests);
}
