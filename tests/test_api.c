/* test_api.c — the public C API (include/edgestream.h): answers against
 * the verifiers (igraph) on random multigraphs however the edges are cut
 * into calls, arrays and lines alike; per-vertex queries; snapshot and
 * restore continuing to the same answers; every error status it
 * documents, with its message. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/edgestream.h"
#include "operators/verify.h"
#include "tests/testutil.h"

/* External ids far from the dense ones, so a mix-up shows. */
static uint64_t ext_of(uint32_t v)
{
    return (uint64_t)v * 1000003u + 17;
}

/* pairs renumbered in order of first appearance (the stream's dense ids);
 * *n distinct vertices. */
static uint32_t *first_appearance(const uint32_t *pairs, size_t m, uint32_t range, uint32_t *n)
{
    uint32_t *to = g_new(uint32_t, range), *out = g_new(uint32_t, 2 * m);
    memset(to, 0xff, range * sizeof *to);
    *n = 0;
    for (size_t i = 0; i < 2 * m; i++) {
        if (to[pairs[i]] == UINT32_MAX)
            to[pairs[i]] = (*n)++;
        out[i] = to[pairs[i]];
    }
    g_free(to);
    return out;
}

/* The public report as an es_report, for the verifiers' comparison. */
static es_report *as_report(edgestream *s)
{
    edgestream_report *pub = edgestream_report_take(s);
    es_report *r = es_report_new();
    for (size_t i = 0; i < edgestream_report_size(pub); i++) {
        const edgestream_value *v = edgestream_report_get(pub, i);
        es_report_begin(r, g_intern_string(v->op));
        switch (v->kind) {
        case EDGESTREAM_UINT:   es_report_add_u64(r, v->metric, v->u); break;
        case EDGESTREAM_INT:    es_report_add_i64(r, v->metric, v->i); break;
        case EDGESTREAM_DOUBLE: es_report_add_double(r, v->metric, v->d); break;
        case EDGESTREAM_BOOL:   es_report_add_bool(r, v->metric, v->b); break;
        case EDGESTREAM_STRING:
        case EDGESTREAM_LIST:   es_report_add_string(r, v->metric, v->str); break;
        case EDGESTREAM_HISTOGRAM: {
            es_hist_bin *bins = g_new(es_hist_bin, v->nbins + 1);
            for (size_t k = 0; k < v->nbins; k++)
                bins[k] = (es_hist_bin){ v->bins[k].value, v->bins[k].count };
            es_report_add_hist(r, v->metric, bins, v->nbins);
            g_free(bins);
            break;
        }
        }
    }
    edgestream_report_free(pub);
    return r;
}

static void feed_cut(edgestream *s, const uint64_t *ids, size_t m, size_t piece)
{
    edgestream_error err;
    for (size_t off = 0; off < m; off += piece) {
        size_t len = MIN(piece, m - off);
        CU_ASSERT_EQUAL_FATAL(edgestream_feed(s, ids + 2 * off, len, &err), EDGESTREAM_OK);
    }
}

static void test_answers_match_igraph_however_the_edges_are_cut(void)
{
    static const size_t pieces[] = { 1, 7, 1000, 100000 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        size_t m;
        uint32_t *raw = es_test_random_edges(300, 2000, seed, 1, &m), n;
        uint32_t *pairs = first_appearance(raw, m, 300, &n);
        uint64_t *ids = g_new(uint64_t, 2 * m);
        for (size_t i = 0; i < 2 * m; i++)
            ids[i] = ext_of(raw[i]);
        es_verify_graph x;
        es_verify_graph_init(&x, pairs, m, n);
        es_report *exact = es_report_new();
        uint64_t *local = NULL;
        es_verify_cc(&x, exact, "cc");
        es_verify_degree(&x, exact, "degree");
        es_verify_tri(&x, exact, "tri", &local);
        igraph_vector_int_t memb;
        igraph_vector_int_init(&memb, 0);
        igraph_connected_components(&x.g, &memb, NULL, NULL, IGRAPH_WEAK);
        for (size_t p = 0; p < G_N_ELEMENTS(pieces); p++) {
            edgestream *s;
            edgestream_options o = { .batch = p % 2 ? 64 : 0 };
            CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc,degree,tri", &o, NULL), EDGESTREAM_OK);
            feed_cut(s, ids, m, pieces[p]);
            es_report *got = as_report(s);
            const char *diff = NULL;
            for (const char *const *op = (const char *const[]){ "cc", "degree", "tri", NULL }; *op && !diff; op++)
                diff = es_verify_first_difference(got, exact, *op);
            ES_CHECK_SEED(diff == NULL, seed);
            if (diff)
                fprintf(stderr, "    first difference: %s (piece %zu)\n", diff, pieces[p]);
            CU_ASSERT_EQUAL(edgestream_edges(s), m);
            CU_ASSERT_EQUAL(edgestream_vertices(s), n);
            /* Per vertex, in the order of first appearance. */
            uint64_t *vid = g_new(uint64_t, n), *lab = g_new(uint64_t, n), *deg = g_new(uint64_t, n),
                     *tri = g_new(uint64_t, n);
            edgestream_vertex_ids(s, vid);
            CU_ASSERT_EQUAL(edgestream_component_labels(s, lab, NULL), EDGESTREAM_OK);
            CU_ASSERT_EQUAL(edgestream_degrees(s, deg, NULL), EDGESTREAM_OK);
            CU_ASSERT_EQUAL(edgestream_triangle_counts(s, tri, NULL), EDGESTREAM_OK);
            size_t wrong = 0;
            for (uint32_t v = 0; v < n; v++) {
                uint32_t rep;   /* the dense id of v's label */
                for (rep = 0; rep < n && vid[rep] != lab[v]; rep++)
                    ;
                wrong += rep == n || VECTOR(memb)[rep] != VECTOR(memb)[v];
                wrong += deg[v] != (uint64_t)VECTOR(x.deg)[v] || tri[v] != local[v];
                uint64_t one;
                edgestream_local_triangles(s, vid[v], &one, NULL);
                wrong += one != local[v];
                edgestream_degree(s, vid[v], &one, NULL);
                wrong += one != deg[v];
                edgestream_component(s, vid[v], &one, NULL);
                wrong += one != lab[v];
            }
            ES_CHECK_SEED(wrong == 0, seed);
            g_free(vid); g_free(lab); g_free(deg); g_free(tri);
            es_report_free(got);
            edgestream_free(s);
        }
        igraph_vector_int_destroy(&memb);
        g_free(local);
        es_report_free(exact);
        es_verify_graph_free(&x);
        g_free(ids);
        g_free(pairs);
        g_free(raw);
    }
}

static void test_lines_give_what_arrays_give(void)
{
    const char *text = "# a comment\n1 2\n2 3 100\n\n3 1\r\n1 1\n2 1\n4 5";
    const uint64_t ids[] = { 1, 2, 2, 3, 3, 1, 1, 1, 2, 1, 4, 5 };
    edgestream *a, *b;
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&a, "cc,degree,tri,bipartite", NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&b, "cc,degree,tri,bipartite", NULL, NULL), 0);
    CU_ASSERT_EQUAL(edgestream_feed_lines(a, text, strlen(text), NULL), 0);
    CU_ASSERT_EQUAL(edgestream_feed(b, ids, 6, NULL), 0);
    es_report *ra = as_report(a), *rb = as_report(b);
    for (const char *const *op = (const char *const[]){ "cc", "degree", "tri", "bipartite", NULL }; *op; op++)
        CU_ASSERT_PTR_NULL(es_verify_first_difference(ra, rb, *op));
    CU_ASSERT_EQUAL(es_report_find(ra, "tri", "triangles")->v.u64, 1);
    CU_ASSERT_EQUAL(es_report_find(ra, "degree", "self_loops")->v.u64, 1);
    CU_ASSERT_EQUAL(es_report_find(ra, "degree", "duplicates")->v.u64, 1);
    CU_ASSERT_EQUAL(es_report_find(ra, "cc", "components")->v.u64, 2);
    CU_ASSERT_EQUAL(es_report_find(ra, "stream", "edges")->v.u64, 6);
    es_report_free(ra);
    es_report_free(rb);
    edgestream_free(a);
    edgestream_free(b);
}

static void test_a_bad_line_fails_its_call_and_leaves_the_stream_usable(void)
{
    edgestream *s;
    edgestream_error err;
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc", NULL, &err), 0);
    const char *text = "1 2\n2 3\nx1 4\n5 6\n";
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, text, strlen(text), &err), EDGESTREAM_EDATA);
    CU_ASSERT_EQUAL(err.code, EDGESTREAM_EDATA);
    CU_ASSERT_STRING_EQUAL(err.message, "lines:3: expected a vertex id, got \"x1\"");
    CU_ASSERT_EQUAL(edgestream_edges(s), 2);   /* the lines before it were folded */
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, "3 4", 3, &err), 0);
    CU_ASSERT_EQUAL(edgestream_edges(s), 3);
    edgestream_free(s);

    edgestream_options o = { .skip_bad = 1 };
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc", &o, &err), 0);
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, text, strlen(text), &err), 0);
    CU_ASSERT_EQUAL(edgestream_edges(s), 3);
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, "1 2 3 4\n", 8, &err), EDGESTREAM_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "lines:5: expected "));
    edgestream_free(s);

    /* A deletion line in a stream opened without deletions fails its call
     * after the lines before it, as a bad line does; the stream goes on. */
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc", NULL, &err), 0);
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, "1 2\n1 2 -\n", 10, &err), EDGESTREAM_EDATA);
    CU_ASSERT_STRING_EQUAL(err.message, "edge 1 of the stream is a deletion (a line ending in -): open the stream with"
                                        " deletions");
    CU_ASSERT_EQUAL(edgestream_edges(s), 1);
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, "3 4\n", 4, &err), 0);
    CU_ASSERT_EQUAL(edgestream_edges(s), 2);
    edgestream_free(s);
    /* With deletions, an operator that folds none is refused at open. */
    edgestream_options d = { .deletions = 1 };
    CU_ASSERT_EQUAL(edgestream_open(&s, "cc,spanner", &d, &err), EDGESTREAM_EUSAGE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_STRING_EQUAL(err.message, "spanner handles insertions only: it cannot run on a stream with deletions");
}

/* A stream opened with deletions answers for the graph of what remains,
 * counts the deletions that changed nothing (of pairs never seen, before
 * any vertex was known too), adds no vertex for them, and keeps all of it
 * across a snapshot. */
static void test_a_stream_with_deletions_answers_for_what_remains(void)
{
    edgestream_options d = { .deletions = 1 };
    edgestream *s, *r;
    edgestream_error err;
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc,degree,tri,bipartite,tri-est:m=100", &d, &err), 0);
    const char *text = "9 7 -\n1 2\n2 3\n3 1\n3 4\n1 8 -\n";
    CU_ASSERT_EQUAL(edgestream_feed_lines(s, text, strlen(text), &err), 0);
    char dir[] = "/tmp/test_api-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
    g_autofree char *path = g_build_filename(dir, "del.h5", NULL);
    CU_ASSERT_EQUAL_FATAL(edgestream_snapshot(s, path, &err), 0);
    CU_ASSERT_EQUAL_FATAL(edgestream_restore(&r, path, NULL, &err), 0);
    edgestream *both[] = { s, r };
    for (int k = 0; k < 2; k++) {
        /* the triangle 1 2 3 loses 1 2; 2 3 4 is a path; 5 6 a new component */
        const char *more = "1 2 -\n2 4\n5 6\n5 6 -\n5 6\n";
        CU_ASSERT_EQUAL(edgestream_feed_lines(both[k], more, strlen(more), &err), 0);
        es_report *rep = as_report(both[k]);
        CU_ASSERT_EQUAL(es_report_find(rep, "stream", "vertices")->v.u64, 6);
        CU_ASSERT_EQUAL(es_report_find(rep, "stream", "deletions")->v.u64, 4);
        CU_ASSERT_EQUAL(es_report_find(rep, "stream", "deletions_ignored")->v.u64, 2);
        CU_ASSERT_EQUAL(es_report_find(rep, "cc", "components")->v.u64, 2);
        CU_ASSERT_EQUAL(es_report_find(rep, "degree", "edges")->v.u64, 5);
        CU_ASSERT_EQUAL(es_report_find(rep, "tri", "triangles")->v.u64, 1);
        CU_ASSERT_EQUAL(es_report_find(rep, "tri-est", "triangles")->v.dbl, 1.0);
        CU_ASSERT_FALSE(es_report_find(rep, "bipartite", "bipartite")->v.boolean);
        es_report_free(rep);
    }
    edgestream_free(s);
    edgestream_free(r);
    unlink(path);
    rmdir(dir);
}

static void test_errors_have_their_documented_status(void)
{
    edgestream *s;
    edgestream_error err;
    CU_ASSERT_EQUAL(edgestream_open(&s, "cc,degre", NULL, &err), EDGESTREAM_EUSAGE);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "degre"));
    CU_ASSERT_EQUAL(edgestream_open(&s, "tri-est:m=abc", NULL, &err), EDGESTREAM_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "abc"));

    CU_ASSERT_EQUAL_FATAL(edgestream_open(&s, "cc", NULL, &err), 0);
    const uint64_t ids[] = { 10, 20 };
    edgestream_feed(s, ids, 1, NULL);
    uint64_t x = 99;
    CU_ASSERT_EQUAL(edgestream_component(s, 30, &x, &err), EDGESTREAM_ENOVERTEX);
    CU_ASSERT_STRING_EQUAL(err.message, "vertex 30 has not been seen");
    CU_ASSERT_EQUAL(x, 99);
    CU_ASSERT_EQUAL(edgestream_component(s, 20, &x, &err), 0);
    CU_ASSERT(x == 10 || x == 20);
    CU_ASSERT_EQUAL(edgestream_degree(s, 10, &x, &err), EDGESTREAM_EUSAGE);
    CU_ASSERT_STRING_EQUAL(err.message, "the stream has no degree operator");
    CU_ASSERT_EQUAL(edgestream_triangle_counts(s, &x, &err), EDGESTREAM_EUSAGE);
    CU_ASSERT_EQUAL(edgestream_feed_file(s, "/nonexistent/edges.txt", &err), EDGESTREAM_ENOINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent/edges.txt"));
    CU_ASSERT_EQUAL(edgestream_feed_file(s, "datasets/bad/non-numeric-id.txt", &err), EDGESTREAM_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "datasets/bad/non-numeric-id.txt:"));
    CU_ASSERT_EQUAL(edgestream_snapshot(s, "/nonexistent/dir/snap.h5", &err), EDGESTREAM_EIO);
    edgestream_free(s);
    CU_ASSERT_EQUAL(edgestream_restore(&s, "/nonexistent/snap.h5", NULL, &err), EDGESTREAM_ENOINPUT);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_STRING_EQUAL(edgestream_strerror(EDGESTREAM_EDATA), "bad input data");
}

static void test_a_file_gives_what_its_lines_give(void)
{
    edgestream *a, *b;
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&a, "cc,degree,tri,spanner,tri-est:m=40", NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&b, "cc,degree,tri,spanner,tri-est:m=40", NULL, NULL), 0);
    CU_ASSERT_EQUAL(edgestream_feed_file(a, "datasets/zachary.txt", NULL), 0);
    gchar *text = NULL;
    gsize len = 0;
    CU_ASSERT_FATAL(g_file_get_contents("datasets/zachary.txt", &text, &len, NULL));
    CU_ASSERT_EQUAL(edgestream_feed_lines(b, text, len, NULL), 0);
    g_free(text);
    es_report *ra = as_report(a), *rb = as_report(b);
    CU_ASSERT_EQUAL(ra->entries->len, rb->entries->len);
    for (guint i = 0; i < ra->entries->len; i++)
        CU_ASSERT(es_report_entries_equal(&g_array_index(ra->entries, es_report_entry, i),
                                          &g_array_index(rb->entries, es_report_entry, i)));
    CU_ASSERT_EQUAL(es_report_find(ra, "tri", "triangles")->v.u64, 45);
    CU_ASSERT_EQUAL(es_report_find(ra, "stream", "edges")->v.u64, 78);
    es_report_free(ra);
    es_report_free(rb);
    edgestream_free(a);
    edgestream_free(b);
}

/* Snapshot half way, restore, feed the rest: the answers of one stream,
 * for every operator including the randomised ones. */
static void test_a_restored_snapshot_goes_on_to_the_same_answers(void)
{
    const char *ops = "cc,degree,tri,bipartite,tri-est:m=50,seed=3,cm,topk,hll,spanner:k=2";
    size_t m;
    uint32_t *raw = es_test_random_edges(200, 1500, 11, 1, &m);
    uint64_t *ids = g_new(uint64_t, 2 * m);
    for (size_t i = 0; i < 2 * m; i++)
        ids[i] = ext_of(raw[i]);
    char dir[] = "/tmp/test_api-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
    g_autofree char *path = g_build_filename(dir, "half.h5", NULL);
    edgestream *whole, *first, *second;
    edgestream_error err;
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&whole, ops, NULL, &err), 0);
    CU_ASSERT_EQUAL_FATAL(edgestream_open(&first, ops, NULL, &err), 0);
    feed_cut(whole, ids, m, 97);
    feed_cut(first, ids, m / 2, 31);
    CU_ASSERT_EQUAL_FATAL(edgestream_snapshot(first, path, &err), 0);
    edgestream_free(first);
    CU_ASSERT_EQUAL_FATAL(edgestream_restore(&second, path, NULL, &err), 0);
    CU_ASSERT_EQUAL(edgestream_edges(second), m / 2);
    feed_cut(second, ids + 2 * (m / 2), m - m / 2, 1000);
    es_report *ra = as_report(whole), *rb = as_report(second);
    CU_ASSERT_EQUAL(ra->entries->len, rb->entries->len);
    for (guint i = 0; i < ra->entries->len && i < rb->entries->len; i++) {
        const es_report_entry *x = &g_array_index(ra->entries, es_report_entry, i);
        const es_report_entry *y = &g_array_index(rb->entries, es_report_entry, i);
        CU_ASSERT_STRING_EQUAL(x->metric, y->metric);
        if (!es_report_entries_equal(x, y))
            fprintf(stderr, "\n    %s %s differs after the restore\n", x->op, x->metric);
        CU_ASSERT(es_report_entries_equal(x, y));
    }
    es_report_free(ra);
    es_report_free(rb);
    edgestream_free(whole);
    edgestream_free(second);
    unlink(path);
    rmdir(dir);
    g_free(ids);
    g_free(raw);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_answers_match_igraph_however_the_edges_are_cut),
        ES_TEST(test_lines_give_what_arrays_give),
        ES_TEST(test_a_bad_line_fails_its_call_and_leaves_the_stream_usable),
        ES_TEST(test_errors_have_their_documented_status),
        ES_TEST(test_a_file_gives_what_its_lines_give),
        ES_TEST(test_a_stream_with_deletions_answers_for_what_remains),
        ES_TEST(test_a_restored_snapshot_goes_on_to_the_same_answers),
        { NULL, NULL },
    };
    return es_test_main("api", tests);
}
