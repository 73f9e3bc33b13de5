/* test_sketch_ops.c — the sketch operators cm, topk and hll end to end,
 * through es_operator_new, batches and reports.
 *
 * Verifier: the multigraph degree as lines seen (each line adds 1 to each
 * endpoint, a self-loop 2 to its vertex) and the exact set of vertices,
 * counted the obvious way.  What is checked: every reported value (names
 * and kinds fixed for scripts); topk's list is exact while the counters
 * suffice and otherwise keeps its bounds, with guaranteed vertices truly in
 * the top k; hll within its error bound, and equal to a sketch fed the
 * same keys directly, external ids when the batch has them and dense ids
 * otherwise; answers independent of batch size and thread count; a bad
 * option is an ES_ERROR_USAGE error naming the operator and the option;
 * the library calls for checkers (es_cm_op_query, es_topk_op_list,
 * es_hll_op_estimate) agree with the reports and keep the guarantees.
 */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "operators/cm.h"
#include "operators/hll.h"
#include "operators/operator.h"
#include "operators/topk.h"
#include "sketches/hll.h"
#include "tests/testutil.h"

/* A report of `spec` after the pairs, fed in batches of batch_size (0: one batch). */
static es_report *run(const char *spec, const uint32_t *pairs, size_t m, size_t batch_size)
{
    es_operator *op = es_test_new_operator(spec);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    es_test_feed_batches(pairs, m, batch_size ? batch_size : (m ? m : 1), es_test_process, op);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    es_operator_free(op);
    return r;
}

static const es_report_entry *entry(const es_report *r, const char *op, const char *metric, es_value_kind kind)
{
    const es_report_entry *e = es_report_find(r, op, metric);
    if (e == NULL || e->kind != kind)
        fprintf(stderr, "\n  %s %s: %s\n", op, metric, e ? "wrong kind" : "missing");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL_FATAL(e->kind, kind);
    return e;
}

static uint64_t u64_of(const es_report *r, const char *op, const char *metric)
{
    return entry(r, op, metric, ES_VAL_U64)->v.u64;
}

static double dbl_of(const es_report *r, const char *op, const char *metric)
{
    return entry(r, op, metric, ES_VAL_DOUBLE)->v.dbl;
}

static const char *str_of(const es_report *r, const char *op, const char *metric)
{
    return entry(r, op, metric, ES_VAL_LIST)->v.str;
}

/* A skewed multigraph: endpoint x = floor(n * U^3), so low ids are hubs;
 * every 50th line is a self-loop and every 40th repeats an earlier line. */
static uint32_t *skewed_edges(uint32_t n, size_t m, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    uint32_t *p = g_new(uint32_t, 2 * m);
    for (size_t i = 0; i < m; i++) {
        double a = g_rand_double(rng), b = g_rand_double(rng);
        p[2 * i] = (uint32_t)(n * a * a * a);
        p[2 * i + 1] = (uint32_t)(n * b * b * b);
        if (i % 50 == 49)
            p[2 * i + 1] = p[2 * i];
        if (i % 40 == 39) {
            size_t j = (size_t)g_rand_int_range(rng, 0, (gint32)i);
            p[2 * i] = p[2 * j];
            p[2 * i + 1] = p[2 * j + 1];
        }
    }
    g_rand_free(rng);
    return p;
}

/* The verifier: degree as lines seen. */
static uint64_t *line_degrees(const uint32_t *p, size_t m, uint32_t n)
{
    uint64_t *d = g_new0(uint64_t, n);
    for (size_t i = 0; i < 2 * m; i++)
        d[p[i]]++;
    return d;
}

static void test_cm_reports_total_dimensions_and_error_bound(void)
{
    uint32_t *p = skewed_edges(1000, 5000, 1);
    es_report *r = run("cm", p, 5000, 777);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "total"), 10000);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "width"), 2719);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "depth"), 5);
    double eps = dbl_of(r, "cm", "eps"), delta = dbl_of(r, "cm", "delta");
    CU_ASSERT_DOUBLE_EQUAL(eps, M_E / 2719, 1e-15);
    CU_ASSERT(eps <= 0.001);
    CU_ASSERT_DOUBLE_EQUAL(delta, exp(-5.0), 1e-15);
    CU_ASSERT(delta <= 0.01);
    CU_ASSERT_DOUBLE_EQUAL(dbl_of(r, "cm", "error_bound"), eps * 10000, 1e-9);
    es_report_free(r);
    r = run("cm:eps=0.01,delta=0.001,seed=7", p, 5000, 0);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "width"), 272);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "depth"), 7);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "total"), 10000);
    es_report_free(r);
    g_free(p);
}

typedef struct {
    uint64_t id, count, error;
} listed;

/* Parse "id:count:error,..." */
static GArray *parse_top(const char *s)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(listed));
    if (*s == '\0')
        return a;
    gchar **parts = g_strsplit(s, ",", -1);
    for (gchar **q = parts; *q; q++) {
        listed l;
        int used = 0;
        int ok = sscanf(*q, "%" SCNu64 ":%" SCNu64 ":%" SCNu64 "%n", &l.id, &l.count, &l.error, &used) == 3
                 && (*q)[used] == '\0';
        CU_ASSERT(ok);
        if (ok)
            g_array_append_val(a, l);
    }
    g_strfreev(parts);
    return a;
}

static void test_topk_lists_exact_degrees_while_the_counters_suffice(void)
{
    /* A star on 0 with 30 leaves, a path 40-41-42, a self-loop on 41 and
     * repeated lines: 34 vertices, fewer than the 100 default counters. */
    GArray *e = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint32_t add[2];
    for (uint32_t leaf = 1; leaf <= 30; leaf++) {
        add[0] = 0, add[1] = leaf;
        g_array_append_vals(e, add, 2);
    }
    const uint32_t more[] = { 40, 41, 41, 42, 41, 41, 0, 1, 1, 0, 2, 0, 42, 41 };
    g_array_append_vals(e, more, G_N_ELEMENTS(more));
    const uint32_t *p = (const uint32_t *)e->data;
    const size_t m = e->len / 2;
    es_report *r = run("topk:k=4", p, m, 5);
    /* Degrees as lines: 0: 33, 41: 2 + 2 (loop) + 1 = 5, 1: 3, 2: 2, 42: 2, 40: 1. */
    CU_ASSERT_STRING_EQUAL(str_of(r, "topk", "top"), "0:33:0,41:5:0,1:3:0,2:2:0");
    CU_ASSERT_EQUAL(u64_of(r, "topk", "guaranteed"), 4);
    CU_ASSERT_EQUAL(u64_of(r, "topk", "guarantee_threshold"), 2);   /* vertex 42's 2 */
    CU_ASSERT_EQUAL(u64_of(r, "topk", "total"), 2 * m);
    CU_ASSERT_DOUBLE_EQUAL(dbl_of(r, "topk", "error_bound"), 2.0 * m / 100, 1e-12);
    es_report_free(r);
    /* Fewer vertices than k: all of them, all guaranteed. */
    r = run("topk:k=50", p, m, 0);
    GArray *top = parse_top(str_of(r, "topk", "top"));
    CU_ASSERT_EQUAL(top->len, 34);
    CU_ASSERT_EQUAL(u64_of(r, "topk", "guaranteed"), 34);
    CU_ASSERT_DOUBLE_EQUAL(dbl_of(r, "topk", "error_bound"), 2.0 * m / 500, 1e-12);
    g_array_free(top, TRUE);
    es_report_free(r);
    g_array_free(e, TRUE);
}

static int u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

static void test_topk_on_a_skewed_graph_keeps_its_bounds_and_guarantees(void)
{
    const uint32_t n = 20000;
    const size_t m = 100000;
    const char *specs[] = { "topk", "topk:k=20,counters=60", "topk:k=5,counters=5" };
    const size_t ks[] = { 10, 20, 5 }, counters[] = { 100, 60, 5 };
    for (guint32 seed = 1; seed <= 3; seed++) {
        uint32_t *p = skewed_edges(n, m, seed);
        uint64_t *deg = line_degrees(p, m, n);
        uint64_t *sorted = g_memdup2(deg, n * sizeof(uint64_t));
        qsort(sorted, n, sizeof(uint64_t), u64_desc);
        for (size_t s = 0; s < G_N_ELEMENTS(specs); s++) {
            es_report *r = run(specs[s], p, m, 4096);
            const uint64_t N = u64_of(r, "topk", "total");
            CU_ASSERT_EQUAL(N, 2 * m);
            GArray *top = parse_top(str_of(r, "topk", "top"));
            const uint64_t threshold = u64_of(r, "topk", "guarantee_threshold");
            size_t sure = 0, bad = 0;
            for (guint i = 0; i < top->len; i++) {
                listed l = g_array_index(top, listed, i);
                bad += l.id >= n || l.count - l.error > deg[l.id] || deg[l.id] > l.count
                       || (double)l.error > (double)N / counters[s];
                if (i > 0)
                    bad += g_array_index(top, listed, i - 1).count < l.count;
                if (l.count - l.error >= threshold) {
                    sure++;
                    bad += l.id < n && deg[l.id] < sorted[ks[s] - 1];
                }
            }
            int ok = top->len == ks[s] && bad == 0 && sure == u64_of(r, "topk", "guaranteed");
            if (!ok)
                fprintf(stderr, "\n  seed %u, %s: %u listed, %zu bad, %zu guaranteed\n", seed, specs[s],
                        top->len, bad, sure);
            CU_ASSERT(ok);
            g_array_free(top, TRUE);
            es_report_free(r);
        }
        g_free(sorted);
        g_free(deg);
        g_free(p);
    }
}

static void test_hll_counts_distinct_vertices_within_its_error_bound(void)
{
    const uint32_t n = 60000;
    const size_t m = 200000;
    for (guint32 seed = 1; seed <= 3; seed++) {
        size_t got_m;
        uint32_t *p = es_test_random_edges(n, m, seed, 1, &got_m);
        uint8_t *seen = g_new0(uint8_t, n);
        uint64_t exact = 0;
        for (size_t i = 0; i < 2 * got_m; i++) {
            exact += !seen[p[i]];
            seen[p[i]] = 1;
        }
        es_report *r = run("hll:p=12", p, got_m, 10000);
        const uint64_t d = u64_of(r, "hll", "distinct");
        const double se = dbl_of(r, "hll", "stderr"), bound = dbl_of(r, "hll", "error_bound");
        CU_ASSERT_DOUBLE_EQUAL(se, 1.04 / 64, 1e-15);
        CU_ASSERT(fabs(bound - 3 * se * (double)d) <= 3 * se);   /* from the unrounded estimate */
        int ok = fabs((double)d - (double)exact) <= bound;
        if (!ok)
            fprintf(stderr, "\n  seed %u: %" PRIu64 " distinct, estimate %" PRIu64 " +- %.0f\n", seed,
                    exact, d, bound);
        CU_ASSERT(ok);
        es_report_free(r);
        g_free(seen);
        g_free(p);
    }
    /* Nothing seen: 0. */
    es_report *r = run("hll", NULL, 0, 1);
    CU_ASSERT_EQUAL(u64_of(r, "hll", "distinct"), 0);
    CU_ASSERT_EQUAL(dbl_of(r, "hll", "error_bound"), 0.0);
    es_report_free(r);
}

/* An operator of spec fed one hand-made batch whose ext ids are f(dense
 * id), or NULL. */
static es_operator *fed_with_ext(const char *spec, const uint32_t *p, size_t m, const uint64_t *ext)
{
    es_operator *op = es_test_new_operator(spec);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    uint32_t nv = 0;
    for (size_t i = 0; i < 2 * m; i++)
        nv = p[i] + 1 > nv ? p[i] + 1 : nv;
    es_batch b = { .edges = (const es_edge *)p, .ext = ext, .n = m, .first_index = 0, .num_vertices = nv };
    es_test_process(&b, op);
    return op;
}

static es_report *run_with_ext(const char *spec, const uint32_t *p, size_t m, const uint64_t *ext)
{
    es_operator *op = fed_with_ext(spec, p, m, ext);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    es_operator_free(op);
    return r;
}

static void test_sketch_operators_count_external_ids_when_the_batch_has_them(void)
{
    const size_t m = 3000;
    uint32_t *p = skewed_edges(500, m, 9);
    uint64_t *ext = g_new(uint64_t, 2 * m);
    for (size_t i = 0; i < 2 * m; i++)
        ext[i] = UINT64_C(1000000000000) + 7 * (uint64_t)p[i];
    /* hll: the same estimate as a sketch fed the same keys directly. */
    es_hll *with_ext = es_hll_new(10, 3), *dense = es_hll_new(10, 3);
    for (size_t i = 0; i < 2 * m; i++) {
        es_hll_add(with_ext, ext[i]);
        es_hll_add(dense, p[i]);
    }
    es_report *r = run_with_ext("hll:p=10,seed=3", p, m, ext);
    CU_ASSERT_EQUAL(u64_of(r, "hll", "distinct"), (uint64_t)llround(es_hll_estimate(with_ext)));
    es_report_free(r);
    r = run_with_ext("hll:p=10,seed=3", p, m, NULL);
    CU_ASSERT_EQUAL(u64_of(r, "hll", "distinct"), (uint64_t)llround(es_hll_estimate(dense)));
    es_report_free(r);
    /* topk: the same list, named by external ids (ties order by id, and
     * the map keeps the order of ids). */
    es_report *rd = run_with_ext("topk:k=8", p, m, NULL);
    es_report *re = run_with_ext("topk:k=8", p, m, ext);
    GArray *td = parse_top(str_of(rd, "topk", "top")), *te = parse_top(str_of(re, "topk", "top"));
    CU_ASSERT_EQUAL_FATAL(td->len, te->len);
    CU_ASSERT_EQUAL(td->len, 8);
    for (guint i = 0; i < td->len; i++) {
        listed a = g_array_index(td, listed, i), b = g_array_index(te, listed, i);
        CU_ASSERT_EQUAL(b.id, UINT64_C(1000000000000) + 7 * a.id);
        CU_ASSERT_EQUAL(b.count, a.count);
    }
    g_array_free(td, TRUE);
    g_array_free(te, TRUE);
    es_report_free(rd);
    es_report_free(re);
    /* cm: the same total either way. */
    r = run_with_ext("cm", p, m, ext);
    CU_ASSERT_EQUAL(u64_of(r, "cm", "total"), 2 * m);
    es_report_free(r);
    es_hll_free(with_ext);
    es_hll_free(dense);
    g_free(ext);
    g_free(p);
}

/* The calls a checker uses (cm.h, topk.h, hll.h) give what the report
 * says, and their answers keep the guarantees against the exact degrees
 * and vertex count, by external id. */
static void test_library_calls_give_the_reported_answers_within_their_guarantees(void)
{
    const uint32_t n = 5000;
    const size_t m = 20000;
    uint32_t *p = skewed_edges(n, m, 10);
    uint64_t *deg = line_degrees(p, m, n);
    uint64_t *ext = g_new(uint64_t, 2 * m);
    for (size_t i = 0; i < 2 * m; i++)
        ext[i] = UINT64_MAX - 3 * (uint64_t)p[i];
    uint64_t present = 0, kth;
    for (uint32_t v = 0; v < n; v++)
        present += deg[v] > 0;
    uint64_t *sorted = g_memdup2(deg, n * sizeof(uint64_t));
    qsort(sorted, n, sizeof(uint64_t), u64_desc);

    /* cm: never under; over by more than eps * N for at most about delta
     * of the vertices. */
    es_operator *op = fed_with_ext("cm:eps=0.002,delta=0.01,seed=5", p, m, ext);
    es_report *r = es_report_new();
    es_operator_report(op, r);
    double eps, delta;
    uint64_t total;
    es_cm_op_params(op, &eps, &delta, &total);
    CU_ASSERT_EQUAL(eps, dbl_of(r, "cm", "eps"));
    CU_ASSERT_EQUAL(delta, dbl_of(r, "cm", "delta"));
    CU_ASSERT_EQUAL(total, 2 * m);
    size_t under = 0, far = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint64_t est = es_cm_op_query(op, UINT64_MAX - 3 * (uint64_t)v);
        under += est < deg[v];
        far += (double)(est - deg[v]) > eps * (double)total;
    }
    CU_ASSERT_EQUAL(under, 0);
    CU_ASSERT(far <= 3 * delta * n + 5);
    es_report_free(r);
    es_operator_free(op);

    /* topk: the reported list, entry for entry. */
    op = fed_with_ext("topk:k=12,counters=60", p, m, ext);
    r = es_report_new();
    es_operator_report(op, r);
    size_t len;
    es_topk_entry *top = es_topk_op_list(op, &len);
    GArray *listed_top = parse_top(str_of(r, "topk", "top"));
    CU_ASSERT_EQUAL_FATAL(len, listed_top->len);
    CU_ASSERT_EQUAL(len, 12);
    kth = sorted[11];
    uint64_t sure = 0;
    for (size_t i = 0; i < len; i++) {
        listed l = g_array_index(listed_top, listed, i);
        CU_ASSERT(top[i].id == l.id && top[i].count == l.count && top[i].error == l.error);
        uint32_t v = (uint32_t)((UINT64_MAX - top[i].id) / 3);
        CU_ASSERT_FATAL(v < n && UINT64_MAX - 3 * (uint64_t)v == top[i].id);
        CU_ASSERT(top[i].count - top[i].error <= deg[v] && deg[v] <= top[i].count);
        CU_ASSERT(top[i].guaranteed == (top[i].count - top[i].error >= u64_of(r, "topk", "guarantee_threshold")));
        if (top[i].guaranteed) {
            sure++;
            CU_ASSERT(deg[v] >= kth);
        }
    }
    CU_ASSERT_EQUAL(sure, u64_of(r, "topk", "guaranteed"));
    CU_ASSERT(sure > 0);
    g_array_free(listed_top, TRUE);
    g_free(top);
    es_report_free(r);
    es_operator_free(op);

    /* hll: the unrounded estimate behind "distinct", within its bound. */
    op = fed_with_ext("hll:p=12", p, m, ext);
    r = es_report_new();
    es_operator_report(op, r);
    double bound, est = es_hll_op_estimate(op, &bound);
    CU_ASSERT_EQUAL((uint64_t)llround(est), u64_of(r, "hll", "distinct"));
    CU_ASSERT_EQUAL(bound, dbl_of(r, "hll", "error_bound"));
    CU_ASSERT(fabs(est - (double)present) <= bound);
    CU_ASSERT_EQUAL(es_hll_op_estimate(op, NULL), est);
    es_report_free(r);
    es_operator_free(op);

    g_free(sorted);
    g_free(ext);
    g_free(deg);
    g_free(p);
}

static gboolean same_reports(const es_report *a, const es_report *b)
{
    if (a->entries->len != b->entries->len)
        return FALSE;
    for (guint i = 0; i < a->entries->len; i++) {
        const es_report_entry *x = &g_array_index(a->entries, es_report_entry, i);
        const es_report_entry *y = &g_array_index(b->entries, es_report_entry, i);
        if (strcmp(x->metric, y->metric) != 0 || x->kind != y->kind)
            return FALSE;
        switch (x->kind) {
        case ES_VAL_U64:    if (x->v.u64 != y->v.u64) return FALSE; break;
        case ES_VAL_DOUBLE: if (x->v.dbl != y->v.dbl) return FALSE; break;
        case ES_VAL_BOOL:   if (x->v.boolean != y->v.boolean) return FALSE; break;
        case ES_VAL_STRING:
        case ES_VAL_LIST:   if (strcmp(x->v.str, y->v.str) != 0) return FALSE; break;
        default: return FALSE;
        }
    }
    return TRUE;
}

static void test_answers_do_not_depend_on_batch_size_or_thread_count(void)
{
    const size_t m = 150000;
    uint32_t *p = skewed_edges(50000, m, 4);
    const char *specs[] = { "cm:eps=0.0005", "topk:k=7", "hll:p=11", "bipartite" };
    const size_t sizes[] = { 1, 1000, 0 };
    const int threads[] = { 1, 4 };
    const int saved = omp_get_max_threads();
    for (size_t s = 0; s < G_N_ELEMENTS(specs); s++) {
        omp_set_num_threads(1);
        es_report *ref = run(specs[s], p, m, 65536);
        for (size_t b = 0; b < G_N_ELEMENTS(sizes); b++) {
            for (size_t t = 0; t < G_N_ELEMENTS(threads); t++) {
                omp_set_num_threads(threads[t]);
                es_report *r = run(specs[s], p, m, sizes[b]);
                int ok = same_reports(ref, r);
                if (!ok)
                    fprintf(stderr, "\n  %s: batch %zu, %d threads differ\n", specs[s], sizes[b], threads[t]);
                CU_ASSERT(ok);
                es_report_free(r);
            }
        }
        es_report_free(ref);
    }
    omp_set_num_threads(saved);
    g_free(p);
}

static void test_bad_options_are_usage_errors_naming_the_operator_and_the_option(void)
{
    static const struct {
        const char *spec, *want_op, *want_key;
    } cases[] = {
        { "cm:eps=abc", "cm: ", "eps" },
        { "cm:eps=0", "cm: ", "eps" },
        { "cm:delta=2", "cm: ", "delta" },
        { "cm:seed=-1", "cm: ", "seed" },
        { "cm:width=5", "cm: ", "width" },
        { "hll:p=30", "hll: ", "p must" },
        { "hll:p=3", "hll: ", "p must" },
        { "hll:seed=x", "hll: ", "seed" },
        { "topk:k=0", "topk: ", "k must" },
        { "topk:k=abc", "topk: ", "k must" },
        { "topk:k=20,counters=10", "topk: ", "counters must be at least k" },
        { "topk:counters=0", "topk: ", "counters" },
        { "bipartite:x=1", "bipartite: ", "\"x\"" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        es_operator *op = es_operator_new(cases[i].spec, &err);
        int ok = op == NULL && g_error_matches(err, ES_ERROR, ES_ERROR_USAGE)
                 && g_str_has_prefix(err->message, cases[i].want_op) && strstr(err->message, cases[i].want_key);
        if (!ok)
            fprintf(stderr, "\n  %s: %s\n", cases[i].spec, err ? err->message : "accepted");
        CU_ASSERT(ok);
        es_operator_free(op);
        g_clear_error(&err);
    }
    /* Edges of the valid ranges are accepted. */
    const char *fine[] = { "cm:eps=1,delta=1", "hll:p=4", "hll:p=18,seed=18446744073709551615",
                           "topk:k=1,counters=1", "cm:eps=0.000001" };
    for (size_t i = 0; i < G_N_ELEMENTS(fine); i++) {
        es_operator *op = es_test_new_operator(fine[i]);
        CU_ASSERT_PTR_NOT_NULL(op);
        es_operator_free(op);
    }
}

static void test_metric_names_are_the_fixed_ones(void)
{
    const uint32_t p[] = { 0, 1, 1, 2, 2, 0 };
    const struct {
        const char *spec, *op;
        const char *metrics[8];
    } want[] = {
        { "cm", "cm", { "total", "width", "depth", "eps", "delta", "error_bound", NULL } },
        { "topk", "topk", { "top", "guaranteed", "guarantee_threshold", "total", "error_bound", NULL } },
        { "hll", "hll", { "distinct", "stderr", "error_bound", NULL } },
        { "bipartite", "bipartite", { "bipartite", "odd_cycle_index", "odd_cycle_u", "odd_cycle_v", NULL } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        es_report *r = run(want[i].spec, p, 3, 0);
        size_t count = 0;
        for (const char *const *m = want[i].metrics; *m; m++, count++) {
            int ok = es_report_find(r, want[i].op, *m) != NULL;
            if (!ok)
                fprintf(stderr, "\n  missing %s %s\n", want[i].op, *m);
            CU_ASSERT(ok);
        }
        CU_ASSERT_EQUAL(r->entries->len, count);
        es_report_free(r);
    }
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_cm_reports_total_dimensions_and_error_bound),
        ES_TEST(test_topk_lists_exact_degrees_while_the_counters_suffice),
        ES_TEST(test_topk_on_a_skewed_graph_keeps_its_bounds_and_guarantees),
        ES_TEST(test_hll_counts_distinct_vertices_within_its_error_bound),
        ES_TEST(test_sketch_operators_count_external_ids_when_the_batch_has_them),
        ES_TEST(test_library_calls_give_the_reported_answers_within_their_guarantees),
        ES_TEST(test_answers_do_not_depend_on_batch_size_or_thread_count),
        ES_TEST(test_bad_options_are_usage_errors_naming_the_operator_and_the_option),
        ES_TEST(test_metric_names_are_the_fixed_ones),
        { NULL, NULL },
    };
    return es_test_main("sketch_ops", tests);
}
