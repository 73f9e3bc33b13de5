/* test_snapshot_sketches.c — HDF5 snapshots of the operators cm, topk, hll
 * and bipartite (operators/cm.c, topk.c, hll_distinct.c, bipartite.c).
 *
 * Round trips (es_test_snapshot_roundtrip): an operator fed a prefix of a
 * stream, written, read into a fresh operator of the same spec, must give
 * the same report, and after the rest of the stream the same report as the
 * uninterrupted one, byte for byte.  Streams: Zipf-skewed multigraphs with
 * self-loops and repeated lines, named by scattered 64-bit external ids
 * (dense ids in first-appearance order, as the id map gives them), and a
 * bipartite stream in which a late line closes an odd cycle through edges
 * seen long before; cut at 0, a third, the middle, 3 lines before the end
 * and m; batches of 1, 7 and 1000 edges.  Beyond the reports, which
 * do not show every counter: a restored operator written again gives the
 * same datasets and attributes, bit for bit; a restored cm answers every
 * point query as the original; the snapshot does not depend on the thread
 * count.
 *
 * Malformed snapshots, written by hand with h5util (missing dataset or
 * attribute, wrong length or type, dimensions or options of another
 * operator, a counter or register or parent out of range, a cycle of
 * parents, a count below its error, unsorted or repeated items): each is an
 * ES_ERROR_DATA error whose message names the dataset or attribute, and the
 * operator is left as it was created.
 * Fixed seeds; a failing round trip prints its spec, cut and batch size.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include <hdf5.h>

#include "graph/common.h"
#include "operators/cm.h"
#include "operators/hll.h"
#include "operators/operator.h"
#include "operators/topk.h"
#include "snapshot/h5util.h"
#include "tests/testutil.h"

/* ---- streams ---------------------------------------------------------- */

typedef struct {
    uint32_t *pairs;   /* 2m dense ids, first-appearance order */
    uint64_t *ext;     /* 2m external ids */
    size_t    m;
    uint32_t  n;       /* distinct vertices */
} stream;

static void stream_free(stream *s)
{
    g_free(s->pairs);
    g_free(s->ext);
}

/* External id of raw vertex r: a bijection that scatters ids over 64 bits
 * (r = 0 is UINT64_MAX). */
static uint64_t external_of(uint32_t r)
{
    return UINT64_MAX - (uint64_t)r * UINT64_C(0x9E3779B97F4A7C15);
}

/* Relabel raw vertex numbers to dense ids in order of first appearance. */
static stream make_stream(const uint32_t *raw, size_t m, uint32_t raw_n)
{
    stream s = { g_new(uint32_t, 2 * m), g_new(uint64_t, 2 * m), m, 0 };
    uint32_t *dense = g_new(uint32_t, raw_n);
    memset(dense, 0xff, raw_n * sizeof(uint32_t));
    for (size_t i = 0; i < 2 * m; i++) {
        if (dense[raw[i]] == UINT32_MAX)
            dense[raw[i]] = s.n++;
        s.pairs[i] = dense[raw[i]];
        s.ext[i] = external_of(raw[i]);
    }
    g_free(dense);
    return s;
}

/* m lines over n raw vertices, both ends Zipf(1.2): a few hubs and a long
 * tail; every 37th line a self-loop, every 29th a repeat of an earlier one. */
static stream skewed_stream(uint32_t n, size_t m, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    es_test_zipf z = es_test_zipf_new(n, 1.2);
    uint32_t *raw = g_new(uint32_t, 2 * m);
    for (size_t i = 0; i < m; i++) {
        raw[2 * i] = es_test_zipf_draw(&z, rng);
        raw[2 * i + 1] = i % 37 == 36 ? raw[2 * i] : es_test_zipf_draw(&z, rng);
        if (i % 29 == 28) {
            size_t j = (size_t)g_rand_int_range(rng, 0, (gint32)i);
            raw[2 * i] = raw[2 * j];
            raw[2 * i + 1] = raw[2 * j + 1];
        }
    }
    stream s = make_stream(raw, m, n);
    g_free(raw);
    es_test_zipf_free(&z);
    g_rand_free(rng);
    return s;
}

/* Lines between even and odd raw vertices (Zipf on each side): bipartite,
 * except line odd_at, which joins the hubs 0 and 2 (both even, and long
 * connected through common neighbours by then): it closes an odd cycle that
 * only the union-find of the lines before it can see. */
static stream bipartite_stream(uint32_t n, size_t m, size_t odd_at, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    es_test_zipf z = es_test_zipf_new(n / 2, 1.1);
    uint32_t *raw = g_new(uint32_t, 2 * m);
    for (size_t i = 0; i < m; i++) {
        raw[2 * i] = 2 * es_test_zipf_draw(&z, rng);
        raw[2 * i + 1] = 2 * es_test_zipf_draw(&z, rng) + 1;
    }
    raw[2 * odd_at] = 0;
    raw[2 * odd_at + 1] = 2;
    stream s = make_stream(raw, m, n);
    g_free(raw);
    es_test_zipf_free(&z);
    g_rand_free(rng);
    return s;
}

/* ---- operators and in-memory snapshots --------------------------------- */

/* Feed lines [from, to) in batches of bs, vertex count growing as in the stream. */
static void feed(es_operator *op, const stream *s, size_t from, size_t to, size_t bs, gboolean with_ext)
{
    uint32_t maxv = 0;
    for (size_t i = 0; i < 2 * from; i++)
        maxv = s->pairs[i] + 1 > maxv ? s->pairs[i] + 1 : maxv;
    for (size_t start = from; start < to; start += bs) {
        size_t n = to - start < bs ? to - start : bs;
        for (size_t i = 0; i < 2 * n; i++)
            maxv = s->pairs[2 * start + i] + 1 > maxv ? s->pairs[2 * start + i] + 1 : maxv;
        es_batch b = {
            .edges = (const es_edge *)(s->pairs + 2 * start),
            .ext = with_ext ? s->ext + 2 * start : NULL,
            .n = n,
            .first_index = start,
            .num_vertices = maxv,
        };
        GError *err = NULL;
        CU_ASSERT_TRUE_FATAL(es_operator_process(op, &b, &err));
    }
}

/* A new HDF5 file in memory (core driver, no backing store). */
static hid_t mem_file(void)
{
    static int serial;
    char name[64];
    snprintf(name, sizeof name, "es-test-snapshot-%d.h5", serial++);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 16, 0);
    hid_t f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    CU_ASSERT_FATAL(f >= 0);
    return f;
}

typedef struct {
    hid_t file, group;
} snap;

/* op's state in group "op" of a new in-memory file. */
static snap snap_of(es_operator *op)
{
    es_h5_quiet();
    snap s;
    s.file = mem_file();
    s.group = H5Gcreate2(s.file, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    GError *err = NULL;
    es_snapshot_writer w = { s.group, NULL };
    es_operator_snapshot_prepare(op);
    gboolean ok = es_operator_snapshot_write(op, &w, &err);
    if (!ok)
        fprintf(stderr, "\n  %s: snapshot_write: %s\n", op->spec, err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    return s;
}

static void snap_close(snap s)
{
    H5Gclose(s.group);
    H5Fclose(s.file);
}

/* A fresh operator of spec restored from s. */
static es_operator *restored(const char *spec, snap s)
{
    es_operator *op = es_test_new_operator(spec);
    GError *err = NULL;
    gboolean ok = es_operator_snapshot_read(op, s.group, &err);
    if (!ok)
        fprintf(stderr, "\n  %s: snapshot_read: %s\n", spec, err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    return op;
}

/* ---- comparing two snapshot groups bit for bit ------------------------- */

static herr_t collect_link(hid_t g, const char *name, const H5L_info_t *info, void *names)
{
    (void)g;
    (void)info;
    g_ptr_array_add(names, g_strdup(name));
    return 0;
}

static herr_t collect_attr(hid_t obj, const char *name, const H5A_info_t *info, void *names)
{
    (void)obj;
    (void)info;
    g_ptr_array_add(names, g_strdup(name));
    return 0;
}

/* The raw bytes of a dataset (is_attr = 0) or attribute, in its file type. */
static GBytes *raw_bytes(hid_t g, const char *name, gboolean is_attr)
{
    hid_t obj = is_attr ? H5Aopen(g, name, H5P_DEFAULT) : H5Dopen2(g, name, H5P_DEFAULT);
    CU_ASSERT_FATAL(obj >= 0);
    hid_t t = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    size_t bytes = H5Tget_size(t) * (size_t)H5Sget_simple_extent_npoints(space);
    char *buf = g_malloc0(bytes + 1);
    herr_t rc = is_attr ? H5Aread(obj, t, buf) : (bytes ? H5Dread(obj, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0);
    CU_ASSERT(rc >= 0);
    H5Sclose(space);
    H5Tclose(t);
    if (is_attr)
        H5Aclose(obj);
    else
        H5Dclose(obj);
    return g_bytes_new_take(buf, bytes);
}

static GPtrArray *names_of(hid_t g, gboolean attrs)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    hsize_t idx = 0;
    if (attrs)
        H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, names);
    else
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, names);
    return names;
}

/* Same datasets and attributes, same names, same bytes. */
static gboolean same_group(hid_t a, hid_t b, const char *what)
{
    gboolean same = TRUE;
    for (int attrs = 0; attrs < 2; attrs++) {
        GPtrArray *na = names_of(a, attrs), *nb = names_of(b, attrs);
        if (na->len != nb->len) {
            fprintf(stderr, "\n  %s: %u against %u %s\n", what, na->len, nb->len, attrs ? "attributes" : "datasets");
            same = FALSE;
        }
        for (guint i = 0; same && i < na->len; i++) {
            const char *name = g_ptr_array_index(na, i);
            if (strcmp(name, g_ptr_array_index(nb, i)) != 0) {
                fprintf(stderr, "\n  %s: %s against %s\n", what, name, (char *)g_ptr_array_index(nb, i));
                same = FALSE;
                break;
            }
            GBytes *x = raw_bytes(a, name, attrs), *y = raw_bytes(b, name, attrs);
            if (!g_bytes_equal(x, y)) {
                fprintf(stderr, "\n  %s: %s \"%s\" differs\n", what, attrs ? "attribute" : "dataset", name);
                same = FALSE;
            }
            g_bytes_unref(x);
            g_bytes_unref(y);
        }
        g_ptr_array_free(na, TRUE);
        g_ptr_array_free(nb, TRUE);
    }
    return same;
}

/* ---- round trips ------------------------------------------------------- */

/* topk:k=10,counters=10 lists every counter, so that a tie taken over in
 * the wrong order after a restore shows in the report. */
static const char *const specs[] = {
    "cm", "cm:eps=0.01,delta=0.05,seed=3", "topk:k=5", "topk:k=3,counters=8", "topk:k=10,counters=10",
    "hll:p=10", "bipartite", NULL,
};

static void roundtrips(const char *spec, const stream *s, gboolean with_ext)
{
    static const size_t batch_sizes[] = { 1, 7, 1000 };
    /* m - 3: a long continuation forgets which of the tied counters was to
     * be taken over first, a short one shows it. */
    const size_t cuts[] = { 0, s->m / 3, s->m / 2, s->m - 3, s->m };
    for (size_t b = 0; b < G_N_ELEMENTS(batch_sizes); b++) {
        for (size_t c = 0; c < G_N_ELEMENTS(cuts); c++) {
            unsigned before = CU_get_number_of_failures();
            es_test_snapshot_roundtrip(spec, s->pairs, with_ext ? s->ext : NULL, s->m, cuts[c], batch_sizes[b]);
            if (CU_get_number_of_failures() != before)
                fprintf(stderr, "\n  %s: round trip failed at cut %zu of %zu, batches of %zu%s\n", spec, cuts[c],
                        s->m, batch_sizes[b], with_ext ? ", external ids" : "");
        }
    }
}

static void test_round_trips_on_a_skewed_stream_continue_with_identical_reports(void)
{
    stream s = skewed_stream(3000, 4000, 11);
    for (size_t i = 0; specs[i]; i++)
        roundtrips(specs[i], &s, TRUE);
    stream_free(&s);
}

static void test_round_trips_without_external_ids_use_the_dense_ids(void)
{
    stream s = skewed_stream(500, 1500, 12);
    for (size_t i = 0; specs[i]; i++)
        roundtrips(specs[i], &s, FALSE);
    stream_free(&s);
}

static void test_bipartite_round_trips_before_and_after_the_odd_cycle(void)
{
    /* The odd cycle closes at line 2998: every cut but m falls in the
     * bipartite phase, and from the cut at m - 3 only the restored
     * union-find knows that hubs 0 and 2 are on the same side. */
    stream s = bipartite_stream(2000, 3000, 2998, 13);
    roundtrips("bipartite", &s, TRUE);
    es_operator *op = es_test_new_operator("bipartite");
    feed(op, &s, 0, s.m, 1000, TRUE);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    const es_report_entry *e = es_report_find(r, "bipartite", "odd_cycle_index");
    CU_ASSERT(e && e->v.u64 == 2998);
    es_report_free(r);
    es_operator_free(op);
    stream_free(&s);
}

/* Write, read into a fresh operator, write again: the same bits. */
static void test_a_restored_operator_writes_the_same_snapshot_bit_for_bit(void)
{
    stream s = skewed_stream(3000, 4000, 14);
    stream bip = bipartite_stream(2000, 3000, 2500, 15);
    for (size_t i = 0; i < G_N_ELEMENTS(specs); i++) {
        const char *spec = specs[i] ? specs[i] : "bipartite";   /* last: on the bipartite stream */
        const stream *st = specs[i] ? &s : &bip;
        for (size_t cut = 0; cut <= st->m; cut += st->m / 4) {
            es_operator *a = es_test_new_operator(spec);
            feed(a, st, 0, cut, 333, TRUE);
            snap sa = snap_of(a);
            es_operator *b = restored(spec, sa);
            snap sb = snap_of(b);
            char *what = g_strdup_printf("%s after %zu lines", spec, cut);
            CU_ASSERT(same_group(sa.group, sb.group, what));
            g_free(what);
            snap_close(sa);
            snap_close(sb);
            es_operator_free(a);
            es_operator_free(b);
        }
    }
    stream_free(&s);
    stream_free(&bip);
}

static void test_a_restored_cm_answers_every_point_query_as_the_original(void)
{
    stream s = skewed_stream(3000, 4000, 16);
    es_operator *a = es_test_new_operator("cm:eps=0.01,delta=0.05,seed=3");
    feed(a, &s, 0, s.m / 2, 1000, TRUE);
    snap sa = snap_of(a);
    es_operator *b = restored("cm:eps=0.01,delta=0.05,seed=3", sa);
    snap_close(sa);
    feed(a, &s, s.m / 2, s.m, 1000, TRUE);
    feed(b, &s, s.m / 2, s.m, 1000, TRUE);
    size_t differ = 0;
    for (size_t i = 0; i < 2 * s.m; i++)
        differ += es_cm_op_query(a, s.ext[i]) != es_cm_op_query(b, s.ext[i]);
    for (uint64_t x = 0; x < 1000; x++)
        differ += es_cm_op_query(a, x * 7919) != es_cm_op_query(b, x * 7919);
    CU_ASSERT_EQUAL(differ, 0);
    es_operator_free(a);
    es_operator_free(b);
    stream_free(&s);
}

static void test_snapshot_does_not_depend_on_the_thread_count(void)
{
    /* One batch of 40000 lines: 80000 endpoints, enough for cm's and hll's
     * parallel paths. */
    stream s = skewed_stream(20000, 40000, 17);
    const int saved = omp_get_max_threads();
    for (size_t i = 0; specs[i]; i++) {
        omp_set_num_threads(1);
        es_operator *a = es_test_new_operator(specs[i]);
        feed(a, &s, 0, s.m, s.m, TRUE);
        omp_set_num_threads(4);
        es_operator *b = es_test_new_operator(specs[i]);
        feed(b, &s, 0, s.m, s.m, TRUE);
        omp_set_num_threads(saved);
        snap sa = snap_of(a), sb = snap_of(b);
        CU_ASSERT(same_group(sa.group, sb.group, specs[i]));
        snap_close(sa);
        snap_close(sb);
        es_operator_free(a);
        es_operator_free(b);
    }
    stream_free(&s);
}

/* ---- malformed snapshots ----------------------------------------------- */

/* Reading g into a fresh `spec` operator fails with ES_ERROR_DATA naming
 * `what`, and the operator is left as created (same report as a fresh one,
 * also after more lines). */
static void expect_rejected(const char *spec, hid_t g, const char *what)
{
    es_operator *op = es_test_new_operator(spec), *fresh = es_test_new_operator(spec);
    GError *err = NULL;
    gboolean ok = es_operator_snapshot_read(op, g, &err);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    if (!ok && (err == NULL || strstr(err->message, what) == NULL))
        fprintf(stderr, "\n  %s: expected an error naming %s, got: %s\n", spec, what, err ? err->message : "none");
    CU_ASSERT(err != NULL && strstr(err->message, what) != NULL);
    g_clear_error(&err);
    stream s = skewed_stream(100, 200, 18);
    for (int round = 0; round < 2; round++) {
        char *x = es_test_report_tsv(op), *y = es_test_report_tsv(fresh);
        CU_ASSERT_STRING_EQUAL(x, y);
        g_free(x);
        g_free(y);
        feed(op, &s, 0, s.m, 50, TRUE);
        feed(fresh, &s, 0, s.m, 50, TRUE);
    }
    stream_free(&s);
    es_operator_free(op);
    es_operator_free(fresh);
}

/* A valid snapshot of `spec` after the first `lines` lines of s. */
static snap valid_snap(const char *spec, const stream *s, size_t lines)
{
    es_operator *op = es_test_new_operator(spec);
    feed(op, s, 0, lines, 100, TRUE);
    snap sn = snap_of(op);
    es_operator_free(op);
    return sn;
}

static void drop(hid_t g, const char *name)
{
    if (H5Lexists(g, name, H5P_DEFAULT) > 0)
        CU_ASSERT(H5Ldelete(g, name, H5P_DEFAULT) >= 0);
    if (H5Aexists(g, name) > 0)
        CU_ASSERT(H5Adelete(g, name) >= 0);
}

static void put_u64s(hid_t g, const char *name, const uint64_t *a, size_t n)
{
    drop(g, name);
    CU_ASSERT(es_h5_write_u64(g, name, a, n, NULL));
}

static void put_u32s(hid_t g, const char *name, const uint32_t *a, size_t n)
{
    drop(g, name);
    CU_ASSERT(es_h5_write_u32(g, name, a, n, NULL));
}

static void put_u8s(hid_t g, const char *name, const uint8_t *a, size_t n)
{
    drop(g, name);
    CU_ASSERT(es_h5_write_u8(g, name, a, n, NULL));
}

static void put_attr(hid_t g, const char *name, uint64_t v)
{
    CU_ASSERT(es_h5_set_u64(g, name, v, NULL));
}

static uint64_t *get_u64s(hid_t g, const char *name, size_t *n)
{
    uint64_t *a = NULL;
    CU_ASSERT_FATAL(es_h5_read_u64(g, name, &a, n, NULL));
    uint64_t *copy = g_new(uint64_t, *n ? *n : 1);
    if (*n)
        memcpy(copy, a, *n * sizeof(uint64_t));
    es_h5_free(a, *n * sizeof(uint64_t));
    return copy;
}

static void test_empty_groups_are_rejected_naming_what_is_missing(void)
{
    hid_t f = mem_file();
    hid_t g = H5Gcreate2(f, "op", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    expect_rejected("cm", g, "\"width\"");
    expect_rejected("topk", g, "\"k\"");
    expect_rejected("hll", g, "\"p\"");
    expect_rejected("bipartite", g, "\"vertices\"");
    H5Gclose(g);
    H5Fclose(f);
}

static void test_malformed_cm_snapshots_are_data_errors_naming_the_culprit(void)
{
    stream s = skewed_stream(1000, 2000, 19);
    const char *spec = "cm:eps=0.01,delta=0.05,seed=3";   /* 272 x 3 */

    snap sn = valid_snap(spec, &s, 1000);                   /* missing counters */
    drop(sn.group, "counters");
    expect_rejected(spec, sn.group, "\"counters\"");
    snap_close(sn);

    /* Counters of a cm of another width, under this cm's attributes. */
    snap other = valid_snap("cm:eps=0.02,delta=0.05,seed=3", &s, 1000);
    size_t n;
    uint64_t *c = get_u64s(other.group, "counters", &n);
    CU_ASSERT_EQUAL(n, 136 * 3);
    sn = valid_snap(spec, &s, 1000);
    put_u64s(sn.group, "counters", c, n);
    expect_rejected(spec, sn.group, "\"counters\"");
    snap_close(sn);
    g_free(c);
    /* The whole snapshot of that cm: its width is not this operator's. */
    expect_rejected(spec, other.group, "\"width\"");
    snap_close(other);

    sn = valid_snap("cm:eps=0.01,delta=0.05,seed=4", &s, 1000);   /* another seed */
    expect_rejected(spec, sn.group, "\"seed\"");
    snap_close(sn);
    sn = valid_snap("cm:eps=0.01,delta=0.2,seed=3", &s, 1000);    /* depth 2 */
    expect_rejected(spec, sn.group, "\"depth\"");
    snap_close(sn);

    sn = valid_snap(spec, &s, 1000);                        /* a counter off by one */
    c = get_u64s(sn.group, "counters", &n);
    c[300]++;
    put_u64s(sn.group, "counters", c, n);
    expect_rejected(spec, sn.group, "\"counters\"");
    put_attr(sn.group, "total", 2001);                      /* rows now sum to 2000 or 2001 */
    expect_rejected(spec, sn.group, "\"counters\"");
    g_free(c);
    snap_close(sn);

    sn = valid_snap(spec, &s, 1000);                        /* counters as u32 */
    uint32_t small[272 * 3] = { 0 };
    put_u32s(sn.group, "counters", small, 272 * 3);
    expect_rejected(spec, sn.group, "\"counters\"");
    snap_close(sn);

    sn = valid_snap(spec, &s, 1000);                        /* no total */
    drop(sn.group, "total");
    expect_rejected(spec, sn.group, "\"total\"");
    snap_close(sn);

    sn = valid_snap(spec, &s, 1000);                        /* eps not the width's */
    CU_ASSERT(es_h5_set_f64(sn.group, "eps", 0.01, NULL));
    expect_rejected(spec, sn.group, "\"eps\"");
    snap_close(sn);

    sn = valid_snap(spec, &s, 1000);                        /* conservative update */
    put_attr(sn.group, "conservative", 1);
    expect_rejected(spec, sn.group, "\"conservative\"");
    snap_close(sn);
    stream_free(&s);
}

static void test_malformed_hll_snapshots_are_data_errors_naming_the_culprit(void)
{
    stream s = skewed_stream(1000, 2000, 20);
    snap sn = valid_snap("hll:p=10", &s, 2000);            /* p mismatch */
    expect_rejected("hll:p=12", sn.group, "\"p\"");
    expect_rejected("hll:p=10,seed=2", sn.group, "\"seed\"");

    uint8_t *reg = NULL;
    size_t n;
    CU_ASSERT_FATAL(es_h5_read_u8(sn.group, "registers", &reg, &n, NULL));
    CU_ASSERT_EQUAL_FATAL(n, 1024);
    uint8_t copy[1024];
    memcpy(copy, reg, sizeof copy);
    es_h5_free(reg, n);

    put_u8s(sn.group, "registers", copy, 1023);              /* wrong length */
    expect_rejected("hll:p=10", sn.group, "\"registers\"");
    copy[77] = 65 - 10 + 1;                                  /* above 65 - p */
    put_u8s(sn.group, "registers", copy, 1024);
    expect_rejected("hll:p=10", sn.group, "\"registers\"");
    copy[77] = 65 - 10;                                      /* the largest possible: fine */
    put_u8s(sn.group, "registers", copy, 1024);
    es_operator *ok = restored("hll:p=10", sn);
    es_operator_free(ok);
    drop(sn.group, "registers");                             /* missing */
    expect_rejected("hll:p=10", sn.group, "\"registers\"");
    snap_close(sn);
    stream_free(&s);
}

static void test_malformed_topk_snapshots_are_data_errors_naming_the_culprit(void)
{
    stream s = skewed_stream(1000, 2000, 21);
    const char *spec = "topk:k=5,counters=20";
    snap sn = valid_snap(spec, &s, 1500);
    size_t n;
    uint64_t *keys = get_u64s(sn.group, "keys", &n);
    uint64_t *counts = get_u64s(sn.group, "counts", &n);
    uint64_t *errors = get_u64s(sn.group, "errors", &n);
    CU_ASSERT_EQUAL_FATAL(n, 20);
    uint64_t taken_over = 0;     /* full, with takeovers: the checks below mean something */
    for (size_t i = 0; i < n; i++)
        taken_over += errors[i] > 0;
    CU_ASSERT(taken_over > 0);

    expect_rejected("topk:k=6,counters=20", sn.group, "\"k\"");
    expect_rejected("topk:k=5,counters=21", sn.group, "\"counters\"");

    uint64_t *e2 = g_memdup2(errors, n * sizeof(uint64_t));
    e2[7] = counts[7] + 1;                                    /* count < error */
    put_u64s(sn.group, "errors", e2, n);
    expect_rejected(spec, sn.group, "\"errors\"");
    memcpy(e2, errors, n * sizeof(uint64_t));
    CU_ASSERT_FATAL(counts[19] > counts[0]);
    e2[19] = counts[0] + 1;                                   /* error above the smallest count */
    put_u64s(sn.group, "errors", e2, n);
    expect_rejected(spec, sn.group, "smallest count");
    put_u64s(sn.group, "errors", errors, n);

    put_u64s(sn.group, "keys", keys, n - 1);                  /* wrong length */
    expect_rejected(spec, sn.group, "\"keys\"");
    uint64_t *k2 = g_memdup2(keys, n * sizeof(uint64_t));
    k2[3] = k2[12];                                           /* a key twice */
    put_u64s(sn.group, "keys", k2, n);
    expect_rejected(spec, sn.group, "\"keys\"");
    put_u64s(sn.group, "keys", keys, n);

    uint64_t *c2 = g_memdup2(counts, n * sizeof(uint64_t));
    uint64_t t = c2[18];                                      /* not ascending */
    c2[18] = c2[19] + 1;
    put_u64s(sn.group, "counts", c2, n);
    expect_rejected(spec, sn.group, "\"counts\"");
    c2[18] = t;
    c2[0] = 0;                                                /* a zero count */
    put_u64s(sn.group, "counts", c2, n);
    expect_rejected(spec, sn.group, "\"counts\"");
    put_u64s(sn.group, "counts", counts, n);

    put_attr(sn.group, "total", 2999);                        /* counts sum to 3000 */
    expect_rejected(spec, sn.group, "\"total\"");
    put_attr(sn.group, "total", 3000);
    put_attr(sn.group, "size", 21);                           /* more than the counters */
    expect_rejected(spec, sn.group, "\"size\"");
    put_attr(sn.group, "size", 20);
    es_operator *ok = restored(spec, sn);                     /* repaired: accepted */
    es_operator_free(ok);
    drop(sn.group, "counts");
    expect_rejected(spec, sn.group, "\"counts\"");

    g_free(c2);
    g_free(k2);
    g_free(e2);
    g_free(keys);
    g_free(counts);
    g_free(errors);
    snap_close(sn);

    /* Not full: every count must be exact. */
    sn = valid_snap("topk:k=5", &s, 10);
    errors = get_u64s(sn.group, "errors", &n);
    CU_ASSERT_FATAL(n > 0 && n < 100);
    errors[0] = 1;
    put_u64s(sn.group, "errors", errors, n);
    expect_rejected("topk:k=5", sn.group, "\"errors\"");
    g_free(errors);
    snap_close(sn);
    stream_free(&s);
}

static void test_malformed_bipartite_snapshots_are_data_errors_naming_the_culprit(void)
{
    /* A path 0-1-2-...-9 in dense ids: bipartite, one tree. */
    stream s = { g_new(uint32_t, 18), g_new(uint64_t, 18), 9, 10 };
    for (uint32_t i = 0; i < 9; i++) {
        s.pairs[2 * i] = i;
        s.pairs[2 * i + 1] = i + 1;
        s.ext[2 * i] = 100 + i;
        s.ext[2 * i + 1] = 101 + i;
    }
    snap sn = valid_snap("bipartite", &s, 9);
    uint32_t *parent = NULL;
    uint8_t *parity = NULL, *rank = NULL;
    size_t n, n8;
    CU_ASSERT_FATAL(es_h5_read_u32(sn.group, "parent", &parent, &n, NULL));
    CU_ASSERT_EQUAL_FATAL(n, 10);
    CU_ASSERT_FATAL(es_h5_read_u8(sn.group, "parity", &parity, &n8, NULL));
    CU_ASSERT_FATAL(es_h5_read_u8(sn.group, "rank", &rank, &n8, NULL));
    uint32_t p2[10];
    uint8_t q2[10], r2[10];

    memcpy(p2, parent, sizeof p2);                           /* parent out of range */
    p2[4] = 10;
    put_u32s(sn.group, "parent", p2, 10);
    expect_rejected("bipartite", sn.group, "parent[4]");
    /* A cycle of parents: 2 -> 3 -> 2, which union by rank never builds. */
    memcpy(p2, parent, sizeof p2);
    memset(r2, 0, sizeof r2);
    for (uint32_t v = 0; v < 10; v++)
        p2[v] = v;
    p2[2] = 3;
    p2[3] = 2;
    put_u32s(sn.group, "parent", p2, 10);
    put_u8s(sn.group, "rank", r2, 10);
    memset(q2, 0, sizeof q2);
    put_u8s(sn.group, "parity", q2, 10);
    expect_rejected("bipartite", sn.group, "rank[2]");
    put_u32s(sn.group, "parent", parent, 10);
    put_u8s(sn.group, "rank", rank, 10);

    memcpy(q2, parity, sizeof q2);                           /* parity 2 */
    q2[5] = 2;
    put_u8s(sn.group, "parity", q2, 10);
    expect_rejected("bipartite", sn.group, "parity[5]");
    put_u8s(sn.group, "parity", parity, 9);                  /* wrong length */
    expect_rejected("bipartite", sn.group, "\"parity\"");
    put_u8s(sn.group, "parity", parity, 10);

    put_u32s(sn.group, "parent", parent, 9);                 /* shorter than vertices */
    expect_rejected("bipartite", sn.group, "\"parent\"");
    put_u32s(sn.group, "parent", parent, 10);

    put_attr(sn.group, "bipartite", 2);
    expect_rejected("bipartite", sn.group, "\"bipartite\"");
    put_attr(sn.group, "bipartite", 1);
    put_attr(sn.group, "odd_cycle_index", 5);                /* a closing edge while bipartite */
    expect_rejected("bipartite", sn.group, "\"odd_cycle_index\"");
    put_attr(sn.group, "odd_cycle_index", 0);
    put_attr(sn.group, "vertices", UINT64_C(1) << 32);
    expect_rejected("bipartite", sn.group, "\"vertices\"");
    put_attr(sn.group, "vertices", 10);
    es_operator *ok = restored("bipartite", sn);             /* repaired: accepted */
    es_operator_free(ok);
    drop(sn.group, "rank");
    expect_rejected("bipartite", sn.group, "\"rank\"");

    es_h5_free(parent, n * sizeof(uint32_t));
    es_h5_free(parity, n8);
    es_h5_free(rank, n8);
    snap_close(sn);
    stream_free(&s);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_round_trips_on_a_skewed_stream_continue_with_identical_reports),
        ES_TEST(test_round_trips_without_external_ids_use_the_dense_ids),
        ES_TEST(test_bipartite_round_trips_before_and_after_the_odd_cycle),
        ES_TEST(test_a_restored_operator_writes_the_same_snapshot_bit_for_bit),
        ES_TEST(test_a_restored_cm_answers_every_point_query_as_the_original),
        ES_TEST(test_snapshot_does_not_depend_on_the_thread_count),
        ES_TEST(test_empty_groups_are_rejected_naming_what_is_missing),
        ES_TEST(test_malformed_cm_snapshots_are_data_errors_naming_the_culprit),
        ES_TEST(test_malformed_hll_snapshots_are_data_errors_naming_the_culprit),
        ES_TEST(test_malformed_topk_snapshots_are_data_errors_naming_the_culprit),
        ES_TEST(test_malformed_bipartite_snapshots_are_data_errors_naming_the_culprit),
        { NULL, NULL },
    };
    return es_test_main("snapshot_sketches", tests);
}
