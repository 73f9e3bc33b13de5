/* test_snapshot_cc_degree.c — HDF5 snapshots of the cc and degree operators
 * (operators/cc.c, operators/degree.c).
 *
 * Round trips: on random messy streams (tests/testutil.c), cut at 0, m and
 * points in between, in batches of 1, 7, 1000 and 10000, a restored
 * operator must report byte for byte what the original reports, before
 * and after the rest of the stream.  Layout: the files written with one
 * and with two threads hold identical arrays; degree's edge table
 * (/edges/keys, written beside its group as a run's snapshot does) equals the
 * distinct keys of the stream in first-seen order (a plain verifier: a
 * hash set of the keys seen), and the degrees a restore counts from them
 * are the verifier's; a restored degree operator, fed the rest of the
 * stream, writes the very keys of an uninterrupted one, and keys written
 * by hand in any order restore and are written back in that order; cc's
 * joins are a spanning forest of igraph's components (n - components
 * edges of the stream, in stream order, that close no cycle and join
 * exactly igraph's components), a restored cc operator fed the rest of
 * the stream writes the joins of an uninterrupted one, and joins written
 * by hand that form a tree in any order restore.  Malformed
 * groups, written by hand with snapshot/h5util.h, are refused with an
 * ES_ERROR_DATA error naming the dataset or attribute at fault, and leave
 * the operator unchanged. */
#include <glib/gstdio.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "graph/unionfind.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "tests/testutil.h"

/* ---- round trips ----------------------------------------------------------- */

static void roundtrip_random_streams(const char *spec)
{
    static const size_t batch_sizes[] = { 1, 7, 1000, 10000 };
    es_test_roundtrip_cases(spec, batch_sizes, G_N_ELEMENTS(batch_sizes), 0);
}

static void test_cc_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("cc");
}

static void test_degree_restored_from_any_cut_reports_as_an_uninterrupted_run(void)
{
    roundtrip_random_streams("degree");
}

/* ---- helpers ------------------------------------------------------------------ */

static void feed_all(es_operator *op, const uint32_t *pairs, size_t m, size_t batch_size)
{
    es_test_feed_batches(pairs, m, batch_size, es_test_process, op);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ---- layout ------------------------------------------------------------------- */

/* A stream big enough for parallel batch insertion and for several write
 * pieces: more than 256 Ki vertices (cc's pieces) and distinct edges
 * (degree's stage). */
static uint32_t *big_stream(size_t *m, uint32_t *n)
{
    uint32_t *p = es_test_random_edges(400000, 300000, 42, 1, m);
    *n = es_test_relabel_first_appearance(p, *m, 400000);
    CU_ASSERT(*n > 262144);
    return p;
}

static void test_snapshot_arrays_do_not_depend_on_the_thread_count(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    const int saved = omp_get_max_threads();
    static const char *specs[] = { "cc", "degree" };
    static const char *datasets[2] = { "joins", "/edges/keys" };
    es_h5_quiet();
    for (int s = 0; s < 2; s++) {
        char *path[2];
        for (int t = 0; t < 2; t++) {
            omp_set_num_threads(t + 1);
            es_operator *op = es_operator_new(specs[s], NULL);
            feed_all(op, p, m, 10000);
            path[t] = es_test_temp_path(t ? "t2" : "t1");
            CU_ASSERT_TRUE(es_test_write_snapshot_file(op, path[t], NULL));
            es_operator_free(op);
        }
        CU_ASSERT_TRUE(es_test_same_dataset(path[0], path[1], datasets[s], 1));
        for (int t = 0; t < 2; t++) {
            g_unlink(path[t]);
            g_free(path[t]);
        }
    }
    omp_set_num_threads(saved);
    g_free(p);
}

static guint key_hash(gconstpointer p)
{
    return (guint)((*(const uint64_t *)p * 0x9E3779B97F4A7C15ull) >> 32);
}

static void test_degree_edge_keys_are_the_distinct_edges_in_first_seen_order(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    es_operator *op = es_operator_new("degree", NULL);
    feed_all(op, p, m, 10000);
    char *path = es_test_temp_path("keys");
    es_h5_quiet();
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, path, NULL));

    /* The verifier: every non-loop edge's key, the first time it is seen. */
    uint64_t *want = g_new(uint64_t, m);
    size_t e = 0;
    uint32_t *deg = g_new0(uint32_t, n);
    GHashTable *seen = g_hash_table_new(key_hash, g_int64_equal);
    for (size_t i = 0; i < m; i++) {
        if (p[2 * i] == p[2 * i + 1])
            continue;
        want[e] = es_edge_key(p[2 * i], p[2 * i + 1]);
        if (!g_hash_table_contains(seen, &want[e])) {
            g_hash_table_add(seen, &want[e]);
            deg[p[2 * i]]++;
            deg[p[2 * i + 1]]++;
            e++;
        }
    }
    GBytes *keys = es_test_dataset_bytes(path, "/edges/keys", 1);
    CU_ASSERT_EQUAL(g_bytes_get_size(keys), e * sizeof(uint64_t));
    CU_ASSERT(e > 262144);
    CU_ASSERT_TRUE(g_bytes_get_size(keys) == e * sizeof(uint64_t) &&
                   memcmp(g_bytes_get_data(keys, NULL), want, e * sizeof(uint64_t)) == 0);
    /* Degrees are not stored: a restore counts them from the keys.  The
     * verifier's maximum and distribution are what the restored one reports. */
    es_operator *restored = es_operator_new("degree", NULL);
    CU_ASSERT_TRUE_FATAL(es_test_read_snapshot_file(restored, path, NULL));
    es_report *r = es_report_new();
    es_operator_report(restored, r);
    uint32_t max_deg = 0;
    GHashTable *dist = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t v = 0; v < n; v++) {
        max_deg = MAX(max_deg, deg[v]);
        gpointer k = GUINT_TO_POINTER(deg[v] + 1);
        g_hash_table_insert(dist, k, GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(dist, k)) + 1));
    }
    const es_report_entry *me = es_report_find(r, "degree", "max"), *de = es_report_find(r, "degree", "distribution");
    CU_ASSERT_TRUE_FATAL(me != NULL && de != NULL);
    CU_ASSERT_EQUAL(me->v.u64, max_deg);
    CU_ASSERT_EQUAL(de->nbins, g_hash_table_size(dist));
    int bad_bins = 0;
    for (size_t i = 0; i < de->nbins; i++)
        bad_bins += GPOINTER_TO_UINT(g_hash_table_lookup(dist, GUINT_TO_POINTER(de->bins[i].key + 1))) !=
                    de->bins[i].count;
    CU_ASSERT_EQUAL(bad_bins, 0);
    g_hash_table_destroy(dist);
    es_report_free(r);
    es_operator_free(restored);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "vertices"), n);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "edges"), e);
    CU_ASSERT_EQUAL(es_test_attr_u64(path, "self_loops") + es_test_attr_u64(path, "duplicates") + e, m);
    /* Not sorted: a stream of random edges does not come in key order. */
    qsort(want, e, sizeof *want, u64_cmp);
    CU_ASSERT_FALSE(memcmp(g_bytes_get_data(keys, NULL), want, e * sizeof(uint64_t)) == 0);
    g_hash_table_destroy(seen);
    g_bytes_unref(keys);
    g_free(want);
    g_free(deg);
    g_unlink(path);
    g_free(path);
    es_operator_free(op);
    g_free(p);
}

/* The restore rebuilds the log: a restored operator, fed the rest of the
 * stream, writes byte for byte the arrays of one that never stopped. */
static void restored_writes_the_log_of_an_uninterrupted_run(const char *spec, const char *dataset)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    const size_t cuts[] = { 1, 120000, 290000 }, bs = 10000;
    es_h5_quiet();
    es_operator *whole = es_operator_new(spec, NULL);
    feed_all(whole, p, m, bs);
    char *path_whole = es_test_temp_path("whole");
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(whole, path_whole, NULL));
    for (size_t c = 0; c < G_N_ELEMENTS(cuts); c++) {
        const size_t cut = cuts[c];
        es_operator *first = es_operator_new(spec, NULL), *resumed = es_operator_new(spec, NULL);
        uint32_t maxv = 0;
        es_test_feed_range(first, p, NULL, 0, cut, bs, &maxv);
        char *path_cut = es_test_temp_path("cut"), *path_resumed = es_test_temp_path("resumed");
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(first, path_cut, NULL));
        CU_ASSERT_TRUE_FATAL(es_test_read_snapshot_file(resumed, path_cut, NULL));
        es_test_feed_range(resumed, p, NULL, cut, m, bs, &maxv);
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(resumed, path_resumed, NULL));
        if (!es_test_same_dataset(path_whole, path_resumed, dataset, 1)) {
            CU_FAIL("a resumed run writes other arrays");
            printf("\n  %s resumed at edge %zu\n", spec, cut);
        }
        /* and what it rebuilt on restore (degree's degrees, cc's forest)
         * answers as the whole run's */
        char *ta = es_test_report_tsv(whole), *tb = es_test_report_tsv(resumed);
        CU_ASSERT_STRING_EQUAL(ta, tb);
        g_free(ta);
        g_free(tb);
        g_unlink(path_cut);
        g_unlink(path_resumed);
        g_free(path_cut);
        g_free(path_resumed);
        es_operator_free(first);
        es_operator_free(resumed);
    }
    g_unlink(path_whole);
    g_free(path_whole);
    es_operator_free(whole);
    g_free(p);
}

static void test_a_restored_degree_writes_the_arrays_of_an_uninterrupted_run(void)
{
    restored_writes_the_log_of_an_uninterrupted_run("degree", "/edges/keys");
}

static void test_a_restored_cc_writes_the_joins_of_an_uninterrupted_run(void)
{
    restored_writes_the_log_of_an_uninterrupted_run("cc", "joins");
}

/* joins is a spanning forest of igraph's components: n - components keys,
 * each an edge u < v < n of the stream, in stream order (each join happens
 * at its edge's first appearance: a later one finds the ends joined
 * already), closing no cycle when replayed, and joining exactly igraph's
 * components. */
static void test_cc_joins_are_a_spanning_forest_of_the_components(void)
{
    for (uint64_t seed = 3; seed <= 4; seed++) {
        es_test_case c;
        es_test_make_case(&c, 0, seed);   /* sparse: many components */
        es_operator *op = es_operator_new("cc", NULL);
        feed_all(op, c.pairs, c.m, 7);
        char *path = es_test_temp_path("ccforest");
        es_h5_quiet();
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, path, NULL));
        GBytes *jb = es_test_dataset_bytes(path, "joins", 1);
        const size_t k = g_bytes_get_size(jb) / sizeof(uint64_t);
        const uint64_t *joins = g_bytes_get_data(jb, NULL);

        igraph_t g;
        igraph_vector_int_t memb, csize;
        igraph_integer_t no;
        es_test_igraph_from_pairs(&g, c.n, c.pairs, c.m);
        igraph_vector_int_init(&memb, 0);
        igraph_vector_int_init(&csize, 0);
        igraph_connected_components(&g, &memb, &csize, &no, IGRAPH_WEAK);
        CU_ASSERT(no > 1 && (uint32_t)no < c.n);   /* a forest with several trees */
        CU_ASSERT_EQUAL(g_bytes_get_size(jb), ((size_t)c.n - (size_t)no) * sizeof(uint64_t));

        /* Where each non-loop edge first appears in the stream. */
        GHashTable *first = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        for (size_t i = 0; i < c.m; i++) {
            if (c.pairs[2 * i] == c.pairs[2 * i + 1])
                continue;
            uint64_t *key = g_new(uint64_t, 1);
            *key = es_edge_key(c.pairs[2 * i], c.pairs[2 * i + 1]);
            if (g_hash_table_contains(first, key))
                g_free(key);
            else
                g_hash_table_insert(first, key, GSIZE_TO_POINTER(i + 1));
        }
        int not_edges = 0, out_of_order = 0, cycles = 0;
        size_t last = 0;
        es_uf *uf = es_uf_new(c.n);
        for (size_t i = 0; i < k; i++) {
            const uint64_t u = joins[i] >> 32, v = joins[i] & 0xffffffffu;
            const size_t at = GPOINTER_TO_SIZE(g_hash_table_lookup(first, &joins[i]));
            if (!(u < v && v < c.n) || at == 0) {
                not_edges++;
                continue;
            }
            out_of_order += at <= last;
            last = at;
            cycles += !es_uf_union(uf, (uint32_t)u, (uint32_t)v);
        }
        CU_ASSERT_EQUAL(not_edges, 0);
        CU_ASSERT_EQUAL(out_of_order, 0);
        CU_ASSERT_EQUAL(cycles, 0);
        /* Same partition: every set lies in one component and has its
         * size (so it is the whole component), as many sets as components. */
        CU_ASSERT_EQUAL(es_uf_count(uf), (uint32_t)no);
        int bad = 0;
        uint64_t largest = 0;
        for (uint32_t v = 0; v < c.n; v++) {
            const uint32_t r = es_uf_find(uf, v);
            bad += VECTOR(memb)[v] != VECTOR(memb)[r];
            bad += (igraph_integer_t)es_uf_set_size(uf, v) != VECTOR(csize)[VECTOR(memb)[v]];
            largest = MAX(largest, (uint64_t)VECTOR(csize)[VECTOR(memb)[v]]);
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(es_uf_largest(uf), largest);
        CU_ASSERT_EQUAL(es_test_attr_u64(path, "components"), (uint64_t)no);
        CU_ASSERT_EQUAL(es_test_attr_u64(path, "largest"), largest);
        CU_ASSERT_EQUAL(es_test_attr_u64(path, "vertices"), c.n);
        if (not_edges || out_of_order || cycles || bad)
            printf("\n  cc joins are no spanning forest of the components: %s\n", c.name);
        es_uf_free(uf);
        g_hash_table_destroy(first);
        igraph_vector_int_destroy(&memb);
        igraph_vector_int_destroy(&csize);
        igraph_destroy(&g);
        g_bytes_unref(jb);
        g_unlink(path);
        g_free(path);
        es_operator_free(op);
        g_free(c.pairs);
    }
}

/* Resume with another thread count: write with one thread, restore and go
 * on with two; the answers are those of an uninterrupted one-thread run. */
static void test_a_run_resumed_with_another_thread_count_reports_the_same(void)
{
    size_t m;
    uint32_t n;
    uint32_t *p = big_stream(&m, &n);
    const size_t cut = 120000, bs = 10000;
    const int saved = omp_get_max_threads();
    static const char *specs[] = { "cc", "degree" };
    es_h5_quiet();
    for (int s = 0; s < 2; s++) {
        omp_set_num_threads(1);
        es_operator *whole = es_operator_new(specs[s], NULL), *first = es_operator_new(specs[s], NULL);
        feed_all(whole, p, m, bs);
        uint32_t maxv = 0;
        es_test_feed_range(first, p, NULL, 0, cut, bs, &maxv);
        char *path = es_test_temp_path("resume");
        CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(first, path, NULL));
        omp_set_num_threads(2);
        es_operator *resumed = es_operator_new(specs[s], NULL);
        CU_ASSERT_TRUE_FATAL(es_test_read_snapshot_file(resumed, path, NULL));
        /* The rest, with first_index and vertex counts as the stream has them. */
        es_test_feed_range(resumed, p, NULL, cut, m, bs, &maxv);
        CU_ASSERT_TRUE(es_test_same_reports(whole, resumed));
        g_unlink(path);
        g_free(path);
        es_operator_free(whole);
        es_operator_free(first);
        es_operator_free(resumed);
    }
    omp_set_num_threads(saved);
    g_free(p);
}

/* ---- malformed snapshots --------------------------------------------------------- */

/* cc: the stream 0-1, 1-2, 3-3, 2-0 (a triangle on 0, 1, 2 and the lone
 * vertex 3), as the operator writes it: its joins are 0-1 and 1-2. */
#define CC_MAX_JOINS 48
typedef struct {
    const char *omit;           /* a dataset or attribute left out, or NULL */
    uint64_t vertices, components, largest;
    uint64_t joins[CC_MAX_JOINS];
    size_t njoins;
    gboolean joins_as_u32;      /* the keys' low halves, in a u32 dataset */
} cc_snap;

static const cc_snap cc_good = {
    NULL, 4, 2, 3, { KEY(0, 1), KEY(1, 2) }, 2, FALSE,
};

static void build_cc(hid_t g, const void *arg)
{
    const cc_snap *s = arg;
    const char *o = s->omit ? s->omit : "";
    if (strcmp(o, "vertices")) es_h5_set_u64(g, "vertices", s->vertices, NULL);
    if (strcmp(o, "components")) es_h5_set_u64(g, "components", s->components, NULL);
    if (strcmp(o, "largest")) es_h5_set_u64(g, "largest", s->largest, NULL);
    if (strcmp(o, "joins")) {
        if (s->joins_as_u32) {
            uint32_t j32[CC_MAX_JOINS];
            for (size_t i = 0; i < s->njoins; i++)
                j32[i] = (uint32_t)s->joins[i];
            es_h5_write_u32(g, "joins", j32, s->njoins, NULL);
        } else {
            es_h5_write_u64(g, "joins", s->joins, s->njoins, NULL);
        }
    }
}

/* The snapshot s restores into a cc operator that then reports as one fed
 * the stream s describes (pairs[0 .. m-1] over nv vertices), before and
 * after both see more[0 .. mm-1] (over nv2 vertices); and its next
 * snapshot holds the joins of the fed one: the restored joins, in their
 * order, then the new ones. */
static void expect_cc_restores(const cc_snap *s, const uint32_t *pairs, size_t m, uint32_t nv,
                               const uint32_t *more, size_t mm, uint32_t nv2, const char *what)
{
    es_operator *fed = es_operator_new("cc", NULL), *op = es_operator_new("cc", NULL);
    es_batch b = { .edges = (const es_edge *)pairs, .n = m, .num_vertices = nv };
    if (m > 0 || nv > 0)
        CU_ASSERT_TRUE(es_operator_process(fed, &b, NULL));
    es_h5_quiet();
    char *path = es_test_temp_path("good");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    build_cc(g, s);
    GError *err = NULL;
    const gboolean ok = es_operator_snapshot_read(op, g, &err);
    CU_ASSERT_TRUE(ok);
    if (!ok)
        printf("\n  cc, %s: refused: %s\n", what, err ? err->message : "no error");
    g_clear_error(&err);
    H5Gclose(g);
    H5Fclose(f);
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    es_batch next = { .edges = (const es_edge *)more, .n = mm, .first_index = m, .num_vertices = nv2 };
    CU_ASSERT_TRUE(es_operator_process(fed, &next, NULL));
    CU_ASSERT_TRUE(es_operator_process(op, &next, NULL));
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    char *again = es_test_temp_path("good-again");
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(fed, path, NULL));
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, again, NULL));
    GBytes *ja = es_test_dataset_bytes(path, "joins", 1), *jb = es_test_dataset_bytes(again, "joins", 1);
    CU_ASSERT(g_bytes_get_size(ja) > s->njoins * sizeof(uint64_t));   /* the more edges joined some */
    CU_ASSERT_TRUE(g_bytes_equal(ja, jb));
    if (!g_bytes_equal(ja, jb))
        printf("\n  cc, %s: the restored operator writes other joins\n", what);
    g_bytes_unref(ja);
    g_bytes_unref(jb);
    g_unlink(path);
    g_unlink(again);
    g_free(path);
    g_free(again);
    es_operator_free(fed);
    es_operator_free(op);
}

static void test_a_hand_written_cc_snapshot_restores_the_graph_it_describes(void)
{
    static const uint32_t p[] = { 0, 1, 1, 2, 3, 3, 2, 0 }, more[] = { 4, 2, 3, 1, 5, 5 };
    expect_cc_restores(&cc_good, p, 4, 4, more, 3, 6, "the triangle and a lone vertex");

    /* A tree whose joins are not in key order, and a vertex of its own. */
    cc_snap tree = { NULL, 5, 2, 4, { KEY(2, 3), KEY(0, 1), KEY(1, 3) }, 3, FALSE };
    static const uint32_t tp[] = { 2, 3, 0, 1, 3, 1, 4, 4, 2, 1 }, tmore[] = { 0, 2, 3, 4 };
    expect_cc_restores(&tree, tp, 5, 5, tmore, 2, 5, "a tree in no key order");

    /* Nothing seen yet: no vertices, no components, no joins. */
    cc_snap empty = { NULL, 0, 0, 0, { 0 }, 0, FALSE };
    static const uint32_t emore[] = { 0, 1, 2, 2 };
    expect_cc_restores(&empty, NULL, 0, 0, emore, 2, 3, "an empty graph");
}

/* A path of 40 links, its joins listed from the far end: no union by size
 * builds a forest that deep, but as joins it is an ordinary spanning tree
 * of 41 vertices, and it goes on as the stream that listed it. */
static void test_a_cc_path_of_40_joins_restores_as_one_component(void)
{
    cc_snap path = { NULL, 41, 1, 41, { 0 }, 40, FALSE };
    uint32_t p[80];
    for (uint32_t i = 0; i < 40; i++) {
        path.joins[i] = KEY(39 - i, 40 - i);
        p[2 * i] = 40 - i;
        p[2 * i + 1] = 39 - i;
    }
    static const uint32_t more[] = { 0, 40, 41, 20, 42, 43 };
    expect_cc_restores(&path, p, 40, 41, more, 3, 44, "a path of 40 links");
    /* A last link that closes the path into a cycle is refused. */
    path.joins[39] = KEY(1, 40);
    GError *err = NULL;
    char *file = es_test_temp_path("cycle");
    es_h5_quiet();
    hid_t f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    build_cc(g, &path);
    es_operator *op = es_operator_new("cc", NULL);
    CU_ASSERT_FALSE(es_operator_snapshot_read(op, g, &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    CU_ASSERT_TRUE(err != NULL && strstr(err->message, "\"joins\"") != NULL && strstr(err->message, "key 39,") != NULL);
    g_clear_error(&err);
    es_operator_free(op);
    H5Gclose(g);
    H5Fclose(f);
    g_unlink(file);
    g_free(file);
}

static void test_malformed_cc_snapshots_are_refused_naming_the_culprit(void)
{
    cc_snap s;
#define CC_CASE(culprit, what, ...) \
    ES_TEST_REFUSED_CASE(s, cc_good, "cc", build_cc, culprit, what, NULL, __VA_ARGS__)
#define CC_CASE_SAYING(culprit, what, words, ...) \
    ES_TEST_REFUSED_CASE(s, cc_good, "cc", build_cc, culprit, what, words, __VA_ARGS__)
    CC_CASE("joins", "no joins dataset", s.omit = "joins");
    CC_CASE("vertices", "no vertices attribute", s.omit = "vertices");
    CC_CASE("components", "no components attribute", s.omit = "components");
    CC_CASE("largest", "no largest attribute", s.omit = "largest");
    CC_CASE_SAYING("joins", "joins one too long", "expected 2", s.njoins = 3; s.joins[2] = KEY(2, 3));
    CC_CASE_SAYING("joins", "joins one too short", "expected 2", s.njoins = 1);
    CC_CASE_SAYING("joins", "joins for fewer components", "expected 1", s.components = 3);
    CC_CASE_SAYING("joins", "joins of u32", "wrong type", s.joins_as_u32 = TRUE);
    CC_CASE_SAYING("joins", "a key with u = v", "key 1,", s.joins[1] = KEY(1, 1));
    CC_CASE_SAYING("joins", "a key with u > v", "key 1,", s.joins[1] = KEY(2, 1));
    CC_CASE_SAYING("joins", "a key with u far above v", "key 0,", s.joins[0] = KEY(UINT32_MAX, 1));
    CC_CASE_SAYING("joins", "a key with v = n", "key 1,", s.joins[1] = KEY(1, 4));
    CC_CASE_SAYING("joins", "a key with v far beyond n", "key 0,", s.joins[0] = KEY(0, UINT32_MAX));
    CC_CASE_SAYING("joins", "a cycle", "key 2,",
                   s.components = 1; s.largest = 4; s.njoins = 3; s.joins[2] = KEY(0, 2));
    CC_CASE_SAYING("joins", "a repeated key", "key 1,", s.joins[1] = KEY(0, 1));
    CC_CASE_SAYING("joins", "a repeated key, reversed", "key 1,", s.joins[1] = KEY(1, 0));
    CC_CASE_SAYING("largest", "largest too large", "give 3", s.largest = 4);
    CC_CASE_SAYING("largest", "largest too small", "give 3", s.largest = 2);
    CC_CASE_SAYING("components", "no components among vertices", "\"vertices\"", s.components = 0);
    CC_CASE_SAYING("components", "more components than vertices", "\"vertices\"", s.components = 5);
    CC_CASE_SAYING("components", "components but no vertices", "\"vertices\"",
                   s.vertices = 0; s.components = 1; s.largest = 0; s.njoins = 0);
    CC_CASE_SAYING("vertices", "vertices beyond 32 bits", "\"components\"", s.vertices = (uint64_t)1 << 33);
    CC_CASE_SAYING("vertices", "vertices just beyond 32 bits", "\"components\"", s.vertices = (uint64_t)1 << 32);
#undef CC_CASE_SAYING
#undef CC_CASE
}

/* degree: edges 0-1, 0-2, 1-2, 2-3; vertex 4 seen only in a self-loop; one
 * self-loop line and two duplicate lines. */
typedef struct {
    const char *omit;
    uint64_t vertices, edges, self_loops, duplicates;
    uint64_t keys[8];
    size_t nkeys;
} degree_snap;

static const degree_snap degree_good = {
    NULL, 5, 4, 1, 2, { KEY(0, 1), KEY(0, 2), KEY(1, 2), KEY(2, 3) }, 4,
};

static void build_degree(hid_t g, const void *arg)
{
    const degree_snap *s = arg;
    const char *o = s->omit ? s->omit : "";
    if (strcmp(o, "vertices")) es_h5_set_u64(g, "vertices", s->vertices, NULL);
    if (strcmp(o, "edges")) es_h5_set_u64(g, "edges", s->edges, NULL);
    if (strcmp(o, "self_loops")) es_h5_set_u64(g, "self_loops", s->self_loops, NULL);
    if (strcmp(o, "duplicates")) es_h5_set_u64(g, "duplicates", s->duplicates, NULL);
    if (strcmp(o, "edge_keys")) es_test_write_edge_keys(g, s->keys, s->nkeys);
}

static void test_a_hand_written_degree_snapshot_restores_the_graph_it_describes(void)
{
    static const uint32_t p[] = { 0, 1, 1, 2, 0, 2, 2, 3, 4, 4, 1, 0, 3, 2 };
    es_operator *fed = es_operator_new("degree", NULL), *op = es_operator_new("degree", NULL);
    es_batch b = { .edges = (const es_edge *)p, .n = 7, .num_vertices = 5 };
    CU_ASSERT_TRUE(es_operator_process(fed, &b, NULL));
    GError *err = NULL;
    CU_ASSERT_TRUE(es_test_read_built(op, build_degree, &degree_good, &err));
    g_clear_error(&err);
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    /* The restored set knows its edges: repeating them adds only duplicates. */
    es_batch again = { .edges = (const es_edge *)p, .n = 7, .first_index = 7, .num_vertices = 5 };
    CU_ASSERT_TRUE(es_operator_process(fed, &again, NULL));
    CU_ASSERT_TRUE(es_operator_process(op, &again, NULL));
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    char *rb = es_test_report_tsv(op);
    CU_ASSERT_PTR_NOT_NULL(strstr(rb, "degree\tduplicates\t8\n"));
    g_free(rb);
    es_operator_free(fed);
    es_operator_free(op);
}

/* /edges/keys lists the edges in the order the stream first showed them, so
 * any order is valid: it restores, and the next snapshot keeps it. */
static void test_degree_keys_in_any_order_restore_and_are_written_back_in_that_order(void)
{
    static const uint32_t p[] = { 0, 1, 1, 2, 0, 2, 2, 3, 4, 4, 1, 0, 3, 2 };
    degree_snap s = degree_good;
    s.keys[0] = KEY(2, 3);
    s.keys[1] = KEY(1, 2);
    s.keys[2] = KEY(0, 1);
    s.keys[3] = KEY(0, 2);
    es_operator *fed = es_operator_new("degree", NULL), *op = es_operator_new("degree", NULL);
    es_batch b = { .edges = (const es_edge *)p, .n = 7, .num_vertices = 5 };
    CU_ASSERT_TRUE(es_operator_process(fed, &b, NULL));
    es_h5_quiet();
    char *path = es_test_temp_path("anyorder"), *again = es_test_temp_path("anyorder-again");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    build_degree(g, &s);
    H5Gclose(g);
    H5Fclose(f);
    GError *err = NULL;
    CU_ASSERT_TRUE(es_test_read_snapshot_file(op, path, &err));
    g_clear_error(&err);
    CU_ASSERT_TRUE(es_test_same_reports(fed, op));
    /* A new edge goes after the restored ones. */
    static const uint32_t more[] = { 3, 4, 2, 1 };
    es_batch next = { .edges = (const es_edge *)more, .n = 2, .first_index = 7, .num_vertices = 5 };
    CU_ASSERT_TRUE(es_operator_process(op, &next, NULL));
    CU_ASSERT_TRUE_FATAL(es_test_write_snapshot_file(op, again, NULL));
    GBytes *keys = es_test_dataset_bytes(again, "/edges/keys", 1);
    const uint64_t want[] = { KEY(2, 3), KEY(1, 2), KEY(0, 1), KEY(0, 2), KEY(3, 4) };
    CU_ASSERT_TRUE(g_bytes_get_size(keys) == sizeof want &&
                   memcmp(g_bytes_get_data(keys, NULL), want, sizeof want) == 0);
    g_bytes_unref(keys);
    g_unlink(path);
    g_unlink(again);
    g_free(path);
    g_free(again);
    es_operator_free(fed);
    es_operator_free(op);
}

/* Keys are read back in pieces of 1 Mi: a repeat of a key of an earlier
 * piece is caught too.  A star around vertex 0, whose first leaf comes
 * again at the very end. */
static void build_degree_repeat_across_pieces(hid_t g, const void *arg)
{
    (void)arg;
    const size_t leaves = ((size_t)1 << 20) + 5, E = leaves + 1;
    uint64_t *keys = g_new(uint64_t, E);
    for (size_t i = 0; i < leaves; i++)
        keys[i] = KEY(0, i + 1);
    keys[leaves] = KEY(0, 1);
    es_h5_set_u64(g, "vertices", leaves + 1, NULL);
    es_h5_set_u64(g, "edges", E, NULL);
    es_h5_set_u64(g, "self_loops", 0, NULL);
    es_h5_set_u64(g, "duplicates", 0, NULL);
    es_test_write_edge_keys(g, keys, E);
    g_free(keys);
}

static void test_a_degree_key_repeated_in_a_later_read_piece_is_refused(void)
{
    es_test_expect_refused("degree", build_degree_repeat_across_pieces, NULL, "/edges/keys", "a repeat 1 Mi keys later",
                          "key 1048581 (0x0000000000000001: u 0, v 1) repeats an earlier key");
}

static void test_malformed_degree_snapshots_are_refused_naming_the_culprit(void)
{
    degree_snap s;
#define DEG_CASE(culprit, what, ...) \
    ES_TEST_REFUSED_CASE(s, degree_good, "degree", build_degree, culprit, what, NULL, __VA_ARGS__)
    DEG_CASE("/edges/keys", "no /edges/keys dataset", s.omit = "edge_keys");
    DEG_CASE("vertices", "no vertices attribute", s.omit = "vertices");
    DEG_CASE("edges", "no edges attribute", s.omit = "edges");
    DEG_CASE("self_loops", "no self_loops attribute", s.omit = "self_loops");
    DEG_CASE("duplicates", "no duplicates attribute", s.omit = "duplicates");
    DEG_CASE("/edges/keys", "/edges/keys one too long", s.nkeys = 5; s.keys[4] = KEY(3, 4));
    DEG_CASE("/edges/keys", "/edges/keys one too short", s.nkeys = 3);
    DEG_CASE("/edges/keys", "a key with u = v", s.keys[3] = KEY(3, 3));
    DEG_CASE("/edges/keys", "a key with u > v", s.keys[3] = KEY(3, 2));
    DEG_CASE("/edges/keys", "a key beyond the vertices", s.keys[3] = KEY(2, 5));
    DEG_CASE("/edges/keys", "a key far beyond", s.keys[3] = KEY(2, 0xFFFFFFFFu));
    DEG_CASE("/edges/keys", "a repeated key", s.keys[1] = KEY(0, 1));
    s = degree_good;
    s.keys[3] = KEY(1, 2);
    es_test_expect_refused("degree", build_degree, &s, "/edges/keys", "a key repeated at once",
                          "key 3 (0x0000000100000002: u 1, v 2) repeats an earlier key");
    DEG_CASE("edges", "more edges than the vertices allow", s.vertices = 2);
    DEG_CASE("vertices", "vertices beyond 32 bits", s.vertices = (uint64_t)1 << 32);
#undef DEG_CASE
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_cc_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_degree_restored_from_any_cut_reports_as_an_uninterrupted_run),
        ES_TEST(test_snapshot_arrays_do_not_depend_on_the_thread_count),
        ES_TEST(test_degree_edge_keys_are_the_distinct_edges_in_first_seen_order),
        ES_TEST(test_a_restored_degree_writes_the_arrays_of_an_uninterrupted_run),
        ES_TEST(test_a_restored_cc_writes_the_joins_of_an_uninterrupted_run),
        ES_TEST(test_cc_joins_are_a_spanning_forest_of_the_components),
        ES_TEST(test_a_run_resumed_with_another_thread_count_reports_the_same),
        ES_TEST(test_a_hand_written_cc_snapshot_restores_the_graph_it_describes),
        ES_TEST(test_malformed_cc_snapshots_are_refused_naming_the_culprit),
        ES_TEST(test_a_cc_path_of_40_joins_restores_as_one_component),
        ES_TEST(test_a_hand_written_degree_snapshot_restores_the_graph_it_describes),
        ES_TEST(test_malformed_degree_snapshots_are_refused_naming_the_culprit),
        ES_TEST(test_degree_keys_in_any_order_restore_and_are_written_back_in_that_order),
        ES_TEST(test_a_degree_key_repeated_in_a_later_read_piece_is_refused),
        { NULL, NULL },
    };
    return es_test_main("snapshot_cc_degree", tests);
}
