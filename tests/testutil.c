/* testutil.c — shared test helpers (see testutil.h). */
#include "tests/testutil.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/snapshot.h"

static const char *running_suite = "test";   /* es_test_temp_path's names */

int es_test_main(const char *suite_name, const es_test *tests)
{
    running_suite = suite_name;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    for (const es_test *t = tests; t->name; t++)
        CU_add_test(suite, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

const char *es_test_shared_datasets(void)
{
    const char *env = g_getenv("ES_SHARED_DATASETS");
    const char *dir = env ? env : "../shared/datasets";
    return g_file_test(dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

uint32_t *es_test_random_edges(uint32_t n, size_t m, uint64_t seed, int messy, size_t *m_out)
{
    GRand *rng = g_rand_new_with_seed((guint32)(seed ^ (seed >> 32)));
    size_t extra = messy ? m / 5 + 1 : 0;
    uint32_t *p = g_new(uint32_t, 2 * (m + extra));
    size_t k = 0;
    for (size_t i = 0; i < m; i++, k++) {
        p[2 * k] = g_rand_int_range(rng, 0, (gint32)n);
        p[2 * k + 1] = g_rand_int_range(rng, 0, (gint32)n);
    }
    k = es_test_add_repeats(p, k, extra, 0, rng);
    g_rand_free(rng);
    *m_out = k;
    return p;
}

uint32_t *es_test_hub_edges(uint32_t n, size_t m, uint64_t seed, size_t every, size_t *m_out)
{
    uint32_t *p = es_test_random_edges(n, m, seed, 1, m_out);
    for (size_t i = 0; i < *m_out; i += every)
        p[2 * i] = 0;
    return p;
}

size_t es_test_add_repeats(uint32_t *p, size_t m, size_t extra, size_t among, GRand *rng)
{
    size_t k = m;
    for (size_t i = 0; i < extra && (among ? among : k) > 0; i++, k++) {
        size_t j = g_rand_int_range(rng, 0, (gint32)(among ? among : k));
        switch (i % 3) {
        case 0: p[2 * k] = p[2 * j]; p[2 * k + 1] = p[2 * j + 1]; break;   /* duplicate */
        case 1: p[2 * k] = p[2 * j + 1]; p[2 * k + 1] = p[2 * j]; break;   /* reversed */
        default: p[2 * k] = p[2 * k + 1] = p[2 * j]; break;                /* self-loop */
        }
    }
    return k;
}

void es_test_shuffle_lines(uint32_t *p, size_t m, GRand *rng)
{
    for (size_t i = m; i > 1; i--) {   /* Fisher-Yates over lines */
        size_t j = g_rand_int_range(rng, 0, (gint32)i);
        uint32_t a = p[2 * (i - 1)], b = p[2 * (i - 1) + 1];
        p[2 * (i - 1)] = p[2 * j];
        p[2 * (i - 1) + 1] = p[2 * j + 1];
        p[2 * j] = a;
        p[2 * j + 1] = b;
    }
}

void es_test_igraph_from_pairs(igraph_t *g, uint32_t n, const uint32_t *pairs, size_t m)
{
    igraph_vector_int_t ev;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * m));
    for (size_t i = 0; i < 2 * m; i++)
        VECTOR(ev)[i] = pairs[i];
    igraph_create(g, &ev, n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    igraph_simplify(g, 1, 1, NULL);
}

void es_test_feed_batches(const uint32_t *pairs, size_t m, size_t batch_size, es_test_batch_fn fn, void *user)
{
    uint32_t maxv = 0;
    for (size_t start = 0; start < m; start += batch_size) {
        size_t n = m - start < batch_size ? m - start : batch_size;
        for (size_t i = 0; i < 2 * n; i++)
            if (pairs[2 * start + i] + 1 > maxv)
                maxv = pairs[2 * start + i] + 1;
        es_batch b = {
            .edges = (const es_edge *)(pairs + 2 * start),
            .time = NULL,
            .n = n,
            .first_index = start,
            .num_vertices = maxv,
        };
        fn(&b, user);
    }
}

char *es_test_report_tsv(void *opv)
{
    es_operator *op = opv;
    es_report *r = es_report_new();
    es_operator_report(op, r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    es_report_print(r, ES_FORMAT_TSV, f);
    fclose(f);
    es_report_free(r);
    return buf;
}

gboolean es_test_same_reports(void *a, void *b)
{
    char *ra = es_test_report_tsv(a), *rb = es_test_report_tsv(b);
    const gboolean same = strcmp(ra, rb) == 0;
    g_free(ra);
    g_free(rb);
    return same;
}

/* Feed edges [from, to) in batches; the vertex count grows as in a stream
 * relabelled in first-appearance order. */
void es_test_feed_range(void *opv, const uint32_t *pairs, const uint64_t *ext, size_t from, size_t to,
                       size_t batch_size, uint32_t *maxv)
{
    es_operator *op = opv;
    for (size_t start = from; start < to; start += batch_size) {
        size_t n = to - start < batch_size ? to - start : batch_size;
        for (size_t i = 0; i < 2 * n; i++)
            if (pairs[2 * start + i] + 1 > *maxv)
                *maxv = pairs[2 * start + i] + 1;
        es_batch b = {
            .edges = (const es_edge *)(pairs + 2 * start),
            .ext = ext ? ext + 2 * start : NULL,
            .n = n,
            .first_index = start,
            .num_vertices = *maxv,
        };
        GError *err = NULL;
        gboolean ok = es_operator_process(op, &b, &err);
        CU_ASSERT_TRUE_FATAL(ok);
        if (!ok)
            g_error_free(err);
    }
}

void es_test_snapshot_roundtrip(const char *spec, const uint32_t *pairs, const uint64_t *ext,
                                size_t m, size_t cut, size_t batch_size)
{
    GError *err = NULL;
    es_operator *a = es_operator_new(spec, &err);
    es_operator *b = es_operator_new(spec, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint32_t maxv = 0;
    es_test_feed_range(a, pairs, ext, 0, cut, batch_size, &maxv);

    es_h5_quiet();
    char *path = g_strdup_printf("%s/es-roundtrip-%d.h5", g_get_tmp_dir(), (int)getpid());
    gboolean ok = es_test_write_snapshot_file(a, path, &err);
    if (!ok)
        fprintf(stderr, "\n%s: snapshot_write: %s\n", spec, err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    uint64_t *ids = es_test_externals(pairs, ext, cut, maxv);
    es_test_use_externals(ext ? ids : NULL, maxv);
    ok = es_test_read_snapshot_file(b, path, &err);
    es_test_use_externals(NULL, 0);
    g_free(ids);
    if (!ok)
        fprintf(stderr, "\n%s: snapshot_read: %s\n", spec, err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    g_unlink(path);
    g_free(path);

    CU_ASSERT_TRUE(es_test_same_reports(a, b));
    uint32_t maxv_b = maxv;
    es_test_feed_range(a, pairs, ext, cut, m, batch_size, &maxv);
    es_test_feed_range(b, pairs, ext, cut, m, batch_size, &maxv_b);
    CU_ASSERT_TRUE(es_test_same_reports(a, b));
    es_operator_free(a);
    es_operator_free(b);
}

void es_test_roundtrip_cases(const char *spec, const size_t *batch_sizes, size_t nb, int named)
{
    int runs = 0;
    for (int kind = 0; kind < ES_TEST_CASE_KINDS; kind++) {
        for (uint64_t seed = 1; seed <= 2; seed++) {
            es_test_case c;
            es_test_make_case(&c, kind, seed);
            uint64_t *ext = named ? es_test_hashed_externals(c.pairs, c.m) : NULL;
            const size_t cuts[] = { 0, 1, c.m / 3, c.m / 2 + 3, c.m - 1, c.m };
            for (size_t b = 0; b < nb; b++) {
                for (size_t k = 0; k < G_N_ELEMENTS(cuts); k++) {
                    const int failed_before = CU_get_number_of_failures();
                    es_test_snapshot_roundtrip(spec, c.pairs, ext, c.m, cuts[k], batch_sizes[b]);
                    if ((int)CU_get_number_of_failures() != failed_before)
                        printf("\n  %s round trip differs: %s, cut %zu of %zu, batch size %zu\n", spec, c.name,
                               cuts[k], c.m, batch_sizes[b]);
                    runs++;
                }
            }
            g_free(ext);
            g_free(c.pairs);
        }
    }
    CU_ASSERT_EQUAL(runs, ES_TEST_CASE_KINDS * 2 * 6 * (int)nb);
}

uint64_t *es_test_hashed_externals(const uint32_t *pairs, size_t m)
{
    uint64_t *ext = g_new(uint64_t, 2 * m + 1);
    for (size_t i = 0; i < 2 * m; i++)
        ext[i] = ((uint64_t)pairs[i] * 0x9E3779B97F4A7C15ull) >> 20;
    return ext;
}

char *es_test_temp_path(const char *what)
{
    return g_strdup_printf("%s/es-%s-%s-%d.h5", g_get_tmp_dir(), running_suite, what, (int)getpid());
}

void es_test_flip_lines(uint32_t *p, size_t m, GRand *rng)
{
    for (size_t i = 0; i < m; i++) {
        if (g_rand_boolean(rng)) {
            uint32_t a = p[2 * i];
            p[2 * i] = p[2 * i + 1];
            p[2 * i + 1] = a;
        }
    }
}

uint32_t *es_test_pairs_of_igraph(const igraph_t *g, size_t *m)
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

uint32_t es_test_relabel_first_appearance(uint32_t *pairs, size_t m, uint32_t id_bound)
{
    if (id_bound == 0)
        for (size_t i = 0; i < 2 * m; i++)
            id_bound = MAX(id_bound, pairs[i] + 1);
    uint32_t *label = g_new(uint32_t, id_bound);
    memset(label, 0xff, (size_t)id_bound * sizeof(uint32_t));
    uint32_t next = 0;
    for (size_t i = 0; i < 2 * m; i++) {
        if (label[pairs[i]] == UINT32_MAX)
            label[pairs[i]] = next++;
        pairs[i] = label[pairs[i]];
    }
    g_free(label);
    return next;
}

void es_test_make_case(es_test_case *c, int kind, uint64_t seed)
{
    static const char *kinds[ES_TEST_CASE_KINDS] = {
        "sparse ER", "ER", "BA tree", "BA m=3", "messy dense", "messy sparse"
    };
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
        p = es_test_pairs_of_igraph(&g, &m);
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
    c->n = es_test_relabel_first_appearance(p, m, n + k);
    g_rand_free(rng);
    c->pairs = p;
    c->m = m;
    snprintf(c->name, sizeof c->name, "%s, seed %" G_GUINT64_FORMAT, kinds[kind], (guint64)seed);
}

GArray *es_test_hist_of(const igraph_vector_int_t *values, uint64_t *max)
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

int es_test_report_layout(const es_report *r, const char *op, const char *const *names, const es_value_kind *kinds,
                          size_t n)
{
    if (r->entries->len != n) {
        printf("\n  %u report entries, wanted %zu\n", r->entries->len, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (strcmp(e->op, op) != 0 || strcmp(e->metric, names[i]) != 0 || (kinds && e->kind != kinds[i])) {
            printf("\n  entry %zu is %s %s (kind %d), wanted %s %s (kind %d)\n", i, e->op, e->metric, (int)e->kind, op,
                   names[i], kinds ? (int)kinds[i] : -1);
            return 0;
        }
    }
    return 1;
}

int es_test_hist_equals(const es_report_entry *e, const es_hist_bin *bins, size_t nbins)
{
    if (e == NULL || e->kind != ES_VAL_HIST || e->nbins != nbins)
        return 0;
    for (size_t i = 0; i < nbins; i++)
        if (e->bins[i].key != bins[i].key || e->bins[i].count != bins[i].count)
            return 0;
    return 1;
}

void es_test_expect_vertex_bound(const char *spec, es_edge beyond)
{
    const es_edge e[] = { { 0, 1 }, beyond };
    es_batch b = { .edges = e, .n = 2, .num_vertices = 2 };
    CU_ASSERT_TRUE(es_test_process_aborts(spec, &b));
    b.n = 1;
    CU_ASSERT_FALSE(es_test_process_aborts(spec, &b));
}

es_operator *es_test_new_operator(const char *spec)
{
    GError *err = NULL;
    es_operator *op = es_operator_new(spec, &err);
    if (op == NULL)
        fprintf(stderr, "\n  %s: %s\n", spec, err ? err->message : "?");
    g_clear_error(&err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    return op;
}

void es_test_process(const es_batch *b, void *op)
{
    GError *err = NULL;
    if (!es_operator_process(op, b, &err)) {
        CU_FAIL("process_batch failed");
        fprintf(stderr, "\n    %s\n", err ? err->message : "(no message)");
        g_clear_error(&err);
    }
}

uint32_t *es_test_complete_graph(uint32_t n, size_t *m)
{
    uint32_t *p = g_new(uint32_t, (size_t)n * (n - 1) + 2);
    size_t k = 0;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t v = u + 1; v < n; v++) {
            p[2 * k] = u;
            p[2 * k + 1] = v;
            k++;
        }
    *m = k;
    return p;
}

static gboolean write_file(void *opv, const char *path, gboolean prepared, GError **error)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create %s", path);
        return FALSE;
    }
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    es_snapshot_writer w = { g, NULL };
    if (!prepared)
        es_operator_snapshot_prepare(opv);
    gboolean ok = es_operator_snapshot_write(opv, &w, error);
    GPtrArray *ops = g_ptr_array_new();
    g_ptr_array_add(ops, opv);
    ok = ok && es_snapshot_write_edges(f, ops, NULL, error);
    g_ptr_array_free(ops, TRUE);
    H5Gclose(g);
    H5Fclose(f);
    return ok;
}

uint64_t *es_test_externals(const uint32_t *pairs, const uint64_t *ext, size_t m, uint32_t n)
{
    uint64_t *ids = g_new(uint64_t, MAX(n, 1));
    gboolean *named = g_new0(gboolean, MAX(n, 1));
    for (uint32_t x = 0; x < n; x++)
        ids[x] = x;
    for (size_t i = 0; ext && i < 2 * m; i++) {
        if (pairs[i] < n && !named[pairs[i]]) {
            ids[pairs[i]] = ext[i];
            named[pairs[i]] = TRUE;
        }
    }
    g_free(named);
    return ids;
}

static const uint64_t *use_ids;
static uint32_t use_n;

void es_test_use_externals(const uint64_t *ids, uint32_t n)
{
    use_ids = ids;
    use_n = n;
}

/* Read group g of file f into op, after the file's edge table, if any (as
 * es_snapshot_restore does, without an id map to bound the vertices: its
 * external ids those of es_test_use_externals). */
static gboolean read_group(es_operator *op, hid_t f, hid_t g, GError **error)
{
    es_edgetable *table = NULL;
    if (!es_snapshot_read_edges(f, UINT32_MAX, &table, error))
        return FALSE;
    const es_edgetable *before = op->edges;
    op->edges = table;
    op->externals = use_ids;
    op->num_externals = use_n;
    const gboolean ok = es_operator_snapshot_read(op, g, error);
    op->externals = NULL;
    if (!ok) {
        op->edges = before;
        es_edgetable_free(table);
        return FALSE;
    }
    if (table != NULL) {
        es_edgetable_free(op->own_edges);
        op->own_edges = table;
    }
    return TRUE;
}

gboolean es_test_write_snapshot_file(void *opv, const char *path, GError **error)
{
    return write_file(opv, path, FALSE, error);
}

gboolean es_test_write_prepared_snapshot_file(void *opv, const char *path, GError **error)
{
    return write_file(opv, path, TRUE, error);
}

gboolean es_test_read_snapshot_file(void *opv, const char *path, GError **error)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open %s", path);
        return FALSE;
    }
    hid_t g = H5Gopen2(f, "op", H5P_DEFAULT);
    gboolean ok = read_group(opv, f, g, error);
    H5Gclose(g);
    H5Fclose(f);
    return ok;
}


es_test_zipf es_test_zipf_new(uint32_t n, double s)
{
    es_test_zipf z = { g_new(double, n), n };
    double sum = 0;
    for (uint32_t r = 0; r < n; r++) {
        sum += 1.0 / pow(r + 1.0, s);
        z.cdf[r] = sum;
    }
    return z;
}

uint32_t es_test_zipf_draw(const es_test_zipf *z, GRand *rng)
{
    double x = g_rand_double(rng) * z->cdf[z->n - 1];
    uint32_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void es_test_zipf_free(es_test_zipf *z)
{
    g_free(z->cdf);
    z->cdf = NULL;
}

uint32_t *es_test_zipf_ranks(size_t n, uint32_t universe, double s, uint64_t seed)
{
    es_test_zipf z = es_test_zipf_new(universe, s);
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    uint32_t *out = g_new(uint32_t, n);
    for (size_t i = 0; i < n; i++)
        out[i] = es_test_zipf_draw(&z, rng);
    g_rand_free(rng);
    es_test_zipf_free(&z);
    return out;
}

void es_test_write_edge_keys(hid_t group, const uint64_t *keys, size_t n)
{
    hid_t g = H5Gcreate2(group, "/edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT_TRUE(es_h5_write_u64(g, "keys", keys, n, NULL));
    H5Gclose(g);
}

GBytes *es_test_dataset_bytes(const char *path, const char *name, int u64)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, name[0] == '/' ? "/" : "op", H5P_DEFAULT);
    void *a = NULL;
    size_t n = 0;
    GError *err = NULL;
    gboolean ok = u64 ? es_h5_read_u64(g, name, (uint64_t **)&a, &n, &err)
                      : es_h5_read_u32(g, name, (uint32_t **)&a, &n, &err);
    H5Gclose(g);
    H5Fclose(f);
    CU_ASSERT_TRUE(ok);
    if (!ok) {
        printf("\n  %s: %s\n", name, err->message);
        g_error_free(err);
        return g_bytes_new(NULL, 0);
    }
    const size_t bytes = n * (u64 ? 8 : 4);
    GBytes *b = g_bytes_new(a, bytes);
    es_h5_free(a, bytes);
    return b;
}

int es_test_same_dataset(const char *path_a, const char *path_b, const char *name, int u64)
{
    GBytes *a = es_test_dataset_bytes(path_a, name, u64), *b = es_test_dataset_bytes(path_b, name, u64);
    const int same = g_bytes_get_size(a) > 0 && g_bytes_equal(a, b);
    if (!same)
        printf("\n  dataset \"%s\": %zu and %zu bytes, %s\n", name, g_bytes_get_size(a), g_bytes_get_size(b),
               g_bytes_equal(a, b) ? "empty" : "not the same");
    g_bytes_unref(a);
    g_bytes_unref(b);
    return same;
}

uint64_t es_test_attr_u64(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "op", H5P_DEFAULT);
    uint64_t v = UINT64_MAX;
    CU_ASSERT_TRUE(es_h5_get_u64(g, name, &v, NULL));
    H5Gclose(g);
    H5Fclose(f);
    return v;
}

gboolean es_test_process_aborts(const char *spec, const es_batch *b)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *devnull = freopen("/dev/null", "w", stderr);
        (void)devnull;
        es_operator *op = es_operator_new(spec, NULL);
        if (op == NULL)
            _exit(2);
        es_operator_process(op, b, NULL);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return FALSE;
    return WIFSIGNALED(status);
}

gboolean es_test_read_built(void *op, es_test_build_fn build, const void *arg, GError **error)
{
    es_h5_quiet();
    char *path = g_strdup_printf("%s/es-test-built-%d.h5", g_get_tmp_dir(), (int)getpid());
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    build(g, arg);
    gboolean ok = read_group(op, f, g, error);
    H5Gclose(g);
    H5Fclose(f);
    g_unlink(path);
    g_free(path);
    return ok;
}

void es_test_expect_refused(const char *spec, es_test_build_fn build, const void *arg, const char *culprit,
                            const char *what, const char *words)
{
    static const uint32_t before[] = { 0, 1, 1, 2, 3, 3, 2, 0 };
    es_operator *op = es_operator_new(spec, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_batch b = { .edges = (const es_edge *)before, .n = 4, .num_vertices = 4 };
    CU_ASSERT_TRUE(es_operator_process(op, &b, NULL));
    char *report_before = es_test_report_tsv(op);
    GError *err = NULL;
    gboolean ok = es_test_read_built(op, build, arg, &err);
    char *quoted = g_strdup_printf("\"%s\"", culprit);
    const gboolean says = err != NULL && (words == NULL || strstr(err->message, words) != NULL);
    const gboolean right = !ok && g_error_matches(err, ES_ERROR, ES_ERROR_DATA) && strstr(err->message, quoted) && says;
    CU_ASSERT_TRUE(right);
    if (!right)
        printf("\n  %s, %s: expected an error naming %s%s%s, got: %s\n", spec, what, quoted,
               words ? " and saying " : "", words ? words : "", ok ? "success" : err ? err->message : "no error");
    /* The operator goes on as if nothing had been read. */
    char *report_after = es_test_report_tsv(op);
    CU_ASSERT_STRING_EQUAL(report_before, report_after);
    es_batch again = { .edges = (const es_edge *)before, .n = 4, .first_index = 4, .num_vertices = 4 };
    CU_ASSERT_TRUE(es_operator_process(op, &again, NULL));
    g_free(quoted);
    g_free(report_before);
    g_free(report_after);
    g_clear_error(&err);
    es_operator_free(op);
}

void es_test_remove_dir(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}
