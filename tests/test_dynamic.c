/* test_dynamic.c — streams with deletions (--deletions): random
 * interleavings of insertions and deletions (deletions of absent edges,
 * of one of several copies, re-insertions, self-loops) run through the
 * driver, and at every report every operator that folds deletions is
 * checked against the static graph rebuilt from what remains: cc, degree,
 * tri against igraph's answers (operators/verify.c), bipartite against
 * igraph_is_bipartite, cm's point queries within their bound; the edge
 * table's answers against a plain multiset; a deletion that splits a
 * component and one that makes a graph bipartite again, by hand; the
 * refusals (an insert-only operator, a deletion without --deletions);
 * and tumbling windows, every window against igraph on its own graph, on
 * random streams with deletions and on SNAP's CollegeMsg (skipped, saying
 * so, without the shared datasets).
 * Fixed seeds, printed on failure.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataflow/driver.h"
#include "dataflow/reader.h"
#include "graph/common.h"
#include "graph/edgetable.h"
#include "operators/cm.h"
#include "operators/operator.h"
#include "operators/verify.h"
#include "tests/testutil.h"


/* The truth at one report: the lines that remain (dense ids), vertices. */
typedef struct {
    GArray  *pairs;     /* uint32 pairs: each present pair c times, self-loop lines */
    uint32_t n;
    GArray  *ext;       /* external id of each dense id */
} truth;

typedef struct {
    GPtrArray *truths;  /* one per report, in order */
    GPtrArray *ops;
    guint      at;
    uint64_t   window;    /* the run's window size, for the bounds check (0: 250) */
    uint64_t   seed;
    int        failures;
} ctx;

static void truth_free(gpointer p)
{
    truth *t = p;
    g_array_free(t->pairs, TRUE);
    g_array_free(t->ext, TRUE);
    g_free(t);
}

static gboolean same(const es_report *a, const es_report *b, const char *op, const char *metric)
{
    return es_report_entries_equal(es_report_find(a, op, metric), es_report_find(b, op, metric));
}

static void check(const es_report *r, const truth *t, ctx *c)
{
    es_verify_graph x;
    es_verify_graph_init(&x, (const uint32_t *)t->pairs->data, t->pairs->len / 2, t->n);
    es_report *exact = es_report_new();
    es_verify_cc(&x, exact, "cc");
    es_verify_degree(&x, exact, "degree");
    es_verify_tri(&x, exact, "tri", NULL);
    static const char *const cc_m[] = { "vertices", "components", "largest", "size_histogram" };
    static const char *const deg_m[] = { "vertices", "edges", "self_loops", "duplicates", "max", "mean",
                                         "distribution" };
    static const char *const tri_m[] = { "triangles", "wedges", "transitivity", "avg_clustering" };
    gboolean ok = TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(cc_m); i++)
        ok = ok && same(r, exact, "cc", cc_m[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(deg_m); i++)
        ok = ok && same(r, exact, "degree", deg_m[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(tri_m); i++)
        ok = ok && same(r, exact, "tri", tri_m[i]);
    const es_report_entry *bip = es_report_find(r, "bipartite", "bipartite");
    ok = ok && bip != NULL &&
         bip->v.boolean == es_verify_bipartite_prefix((const uint32_t *)t->pairs->data, t->pairs->len / 2, t->n);
    /* cm: never below the degree of the lines that remain, over it by at
     * most eps N (with N their sum) for all but a delta fraction. */
    es_operator *cm = g_ptr_array_index(c->ops, 4);
    double eps, delta;
    uint64_t total;
    es_cm_op_params(cm, &eps, &delta, &total);
    uint64_t *deg = es_verify_line_degrees(&x), sum = 0;
    uint32_t under = 0, over = 0;
    for (uint32_t v = 0; v < t->n; v++) {
        const uint64_t q = es_cm_op_query(cm, g_array_index(t->ext, uint64_t, v));
        sum += deg[v];
        under += q < deg[v];
        over += q > deg[v] + eps * (double)total;
    }
    ok = ok && under == 0 && over <= delta * t->n + 1 && total == sum;
    g_free(deg);
    /* tri-est: its sample holds every edge, so its estimate is tri's
     * count; its dropped lines are degree's self-loops and repeats. */
    const es_report_entry *est = es_report_find(r, "tri-est", "triangles");
    const es_report_entry *loops = es_report_find(r, "tri-est", "self_loops");
    const es_report_entry *reps = es_report_find(r, "tri-est", "duplicates_dropped");
    gboolean est_ok = est && loops && reps && est->v.dbl == (double)es_report_find(exact, "tri", "triangles")->v.u64 &&
                      loops->v.u64 == es_report_find(exact, "degree", "self_loops")->v.u64 &&
                      reps->v.u64 == es_report_find(exact, "degree", "duplicates")->v.u64;
    ok = ok && est_ok;
    if (!ok) {
        c->failures++;
        fprintf(stderr, "\n    seed %" G_GUINT64_FORMAT ", report after %" G_GUINT64_FORMAT " lines: %s\n", c->seed,
                r->edges, es_verify_first_difference(r, exact, "cc") ? "cc" :
                es_verify_first_difference(r, exact, "tri") ? "tri" : !est_ok ? "tri-est" : "degree, bipartite or cm");
    }
    es_report_free(exact);
    es_verify_graph_free(&x);
}

static void on_report(const es_report *r, void *user)
{
    ctx *c = user;
    const es_report_entry *ws = es_report_find(r, "stream", "window_start");
    if (ws != NULL && ws->v.u64 != (c->window ? c->window : 250) * (uint64_t)c->at) {
        c->failures++;
        fprintf(stderr, "\n    seed %" G_GUINT64_FORMAT ": report %u has window_start %" G_GUINT64_FORMAT "\n", c->seed,
                c->at, ws->v.u64);
    }
    if (c->at < c->truths->len)
        check(r, g_ptr_array_index(c->truths, c->at), c);
    c->at++;
}

/* Write a random stream of `lines` lines over `nv` vertices to path, and
 * the truth after every `every` lines (and at the end). */
static void make_stream_w(const char *path, uint64_t seed, uint32_t nv, size_t lines, size_t every, size_t window,
                          GPtrArray *truths);

static void make_stream(const char *path, uint64_t seed, uint32_t nv, size_t lines, size_t every, GPtrArray *truths)
{
    make_stream_w(path, seed, nv, lines, every, 0, truths);
}

/* The same, the state starting afresh every `window` lines (0: never). */
static void make_stream_w(const char *path, uint64_t seed, uint32_t nv, size_t lines, size_t every, size_t window,
                          GPtrArray *truths)
{
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    GHashTable *count = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL); /* ext key -> count */
    GArray *keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));           /* keys ever inserted */
    GArray *loops = g_array_new(FALSE, FALSE, sizeof(uint64_t));          /* self-loop lines (ext) */
    GHashTable *dense = g_hash_table_new(g_int64_hash, g_int64_equal);   /* ext -> dense + 1 */
    GArray *ext_of = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t *store = g_new(uint64_t, 2 * lines + 2);                     /* stable keys for the tables */
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < lines; i++) {
        if (window && i > 0 && i % window == 0) {
            g_hash_table_remove_all(count);
            g_hash_table_remove_all(dense);
            g_array_set_size(keys, 0);
            g_array_set_size(loops, 0);
            g_array_set_size(ext_of, 0);
        }
        uint64_t a = 7 + 13 * (uint64_t)g_rand_int_range(rng, 0, (gint32)nv);
        uint64_t b = 7 + 13 * (uint64_t)g_rand_int_range(rng, 0, (gint32)nv);
        const int kind = g_rand_int_range(rng, 0, 100);
        gboolean del = (window ? i % window : i) > 0 && kind < 40;
        if (del && kind < 30 && keys->len > 0) {   /* a pair inserted before, maybe still there */
            uint64_t k = g_array_index(keys, uint64_t, g_rand_int_range(rng, 0, (gint32)keys->len));
            a = k >> 32;
            b = k & 0xffffffffu;
        }
        if (!del && kind > 97)
            b = a;   /* a self-loop now and then */
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "%s\n", a, b, del ? " -" : "");
        if (!del) {
            for (int e = 0; e < 2; e++) {
                uint64_t x = e ? b : a;
                if (!g_hash_table_contains(dense, &x)) {
                    store[2 * i + e] = x;
                    g_hash_table_insert(dense, &store[2 * i + e], GUINT_TO_POINTER(ext_of->len + 1));
                    g_array_append_val(ext_of, x);
                }
            }
        }
        if (a == b) {
            if (!del)
                g_array_append_val(loops, a);
        } else {
            uint64_t k = MIN(a, b) << 32 | MAX(a, b);
            guint c = GPOINTER_TO_UINT(g_hash_table_lookup(count, &k));
            if (!del) {
                g_hash_table_replace(count, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(c + 1));
                g_array_append_val(keys, k);
            } else if (c > 0) {
                g_hash_table_replace(count, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(c - 1));
            }
        }
        if ((i + 1) % every == 0 || i + 1 == lines) {
            truth *t = g_new0(truth, 1);
            t->pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            t->ext = g_array_copy(ext_of);
            t->n = ext_of->len;
            GHashTableIter it;
            gpointer key, val;
            g_hash_table_iter_init(&it, count);
            while (g_hash_table_iter_next(&it, &key, &val)) {
                uint64_t k = *(uint64_t *)key, hi = k >> 32, lo = k & 0xffffffffu;
                uint32_t du = GPOINTER_TO_UINT(g_hash_table_lookup(dense, &hi)) - 1;
                uint32_t dv = GPOINTER_TO_UINT(g_hash_table_lookup(dense, &lo)) - 1;
                for (guint c = 0; c < GPOINTER_TO_UINT(val); c++) {
                    g_array_append_val(t->pairs, du);
                    g_array_append_val(t->pairs, dv);
                }
            }
            for (guint j = 0; j < loops->len; j++) {
                uint32_t d = GPOINTER_TO_UINT(g_hash_table_lookup(dense, &g_array_index(loops, uint64_t, j))) - 1;
                g_array_append_val(t->pairs, d);
                g_array_append_val(t->pairs, d);
            }
            g_ptr_array_add(truths, t);
        }
    }
    g_file_set_contents(path, s->str, (gssize)s->len, NULL);
    g_string_free(s, TRUE);
    g_hash_table_destroy(count);
    g_hash_table_destroy(dense);
    g_array_free(keys, TRUE);
    g_array_free(loops, TRUE);
    g_array_free(ext_of, TRUE);
    g_free(store);
    g_rand_free(rng);
}

static char *tmp_path(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("es-dynamic-XXXXXX.txt", &path, NULL);
    close(fd);
    return path;
}

static gboolean run(const char *path, const char *ops, gboolean deletions, size_t batch, uint64_t every,
                    es_report_fn fn, void *user, GPtrArray **list, GError **err)
{
    const char *inputs[] = { path, NULL };
    *list = es_operator_new_list(ops, err);
    g_assert(*list != NULL);
    es_driver_config cfg = { .inputs = inputs, .batch_size = batch, .report_every = every, .deletions = deletions,
                             .on_report = fn, .user = user };
    es_driver_stats stats;
    return es_driver_run(&cfg, *list, &stats, err);
}

static void test_random_interleavings_match_the_graph_of_what_remains(void)
{
    static const struct { uint32_t nv; size_t lines, batch; } shapes[] = {
        { 12, 3000, 7 }, { 40, 6000, 1000 }, { 200, 8000, 333 }, { 30, 5000, 1 },
    };
    for (uint64_t seed = 1; seed <= 8; seed++) {
        const size_t k = seed % G_N_ELEMENTS(shapes);
        char *path = tmp_path();
        GPtrArray *truths = g_ptr_array_new_with_free_func(truth_free);
        make_stream(path, seed, shapes[k].nv, shapes[k].lines, 250, truths);
        ctx c = { .truths = truths, .seed = seed };
        GError *err = NULL;
        GPtrArray *ops = es_operator_new_list("cc,degree,tri,bipartite,cm,tri-est:m=100000", &err);
        c.ops = ops;
        const char *inputs[] = { path, NULL };
        es_driver_config cfg = { .inputs = inputs, .batch_size = shapes[k].batch, .report_every = 250,
                                 .deletions = TRUE, .on_report = on_report, .user = &c };
        es_driver_stats stats;
        ES_CHECK_SEED(es_driver_run(&cfg, ops, &stats, &err), seed);
        if (err)
            fprintf(stderr, "\n    %s\n", err->message);
        g_clear_error(&err);
        /* every interim report (the last one is the final: it falls at the end) */
        ES_CHECK_SEED(c.at == truths->len && c.failures == 0, seed);
        g_ptr_array_free(ops, TRUE);
        g_ptr_array_free(truths, TRUE);
        g_unlink(path);
        g_free(path);
    }
}

/* Tumbling windows of 250 edges: every window's report is that of the
 * window's own graph (deletions included), with its bounds. */
static void test_each_tumbling_window_answers_for_its_own_graph(void)
{
    for (uint64_t seed = 21; seed <= 24; seed++) {
        char *path = tmp_path();
        GPtrArray *truths = g_ptr_array_new_with_free_func(truth_free);
        const size_t lines = 2000 + 137 * (seed % 3);   /* the last window partial but for one seed */
        make_stream_w(path, seed, 25 + (uint32_t)seed, lines, 250, 250, truths);
        ctx c = { .truths = truths, .seed = seed };
        GError *err = NULL;
        GPtrArray *ops = es_operator_new_list("cc,degree,tri,bipartite,cm,tri-est:m=100000", &err);
        c.ops = ops;
        const char *inputs[] = { path, NULL };
        es_driver_config cfg = { .inputs = inputs, .batch_size = 64 + seed, .window = 250, .deletions = TRUE,
                                 .on_report = on_report, .user = &c };
        es_driver_stats stats;
        ES_CHECK_SEED(es_driver_run(&cfg, ops, &stats, &err), seed);
        g_clear_error(&err);
        ES_CHECK_SEED(c.at == truths->len && c.failures == 0, seed);
        g_ptr_array_free(ops, TRUE);
        g_ptr_array_free(truths, TRUE);
        g_unlink(path);
        g_free(path);
    }
}

/* Time windows: a stream whose timestamps start negative and mostly grow,
 * with gaps (empty windows, skipped), equal timestamps at a boundary and
 * now and then one older than the open window (late: dropped, counted);
 * every window against igraph on its own graph. */
typedef struct {
    ctx      c;
    int64_t *lo;         /* each window's start */
    uint64_t late;       /* late edges in the whole stream */
    int      bad_bounds;
} span_ctx;

static void on_span_report(const es_report *r, void *user)
{
    span_ctx *k = user;
    const es_report_entry *lo = es_report_find(r, "stream", "window_start");
    const es_report_entry *hi = es_report_find(r, "stream", "window_end");
    if (lo == NULL || hi == NULL || k->c.at >= k->c.truths->len || lo->v.i64 != k->lo[k->c.at] ||
        hi->v.i64 != k->lo[k->c.at] + 100)
        k->bad_bounds++;
    if (r->final && es_report_find(r, "stream", "late_edges")->v.u64 != k->late)
        k->bad_bounds++;
    if (k->c.at < k->c.truths->len)
        check(r, g_ptr_array_index(k->c.truths, k->c.at), &k->c);
    k->c.at++;
}

static void test_each_time_window_answers_for_its_own_graph(void)
{
    for (uint64_t seed = 31; seed <= 34; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        char *path = tmp_path();
        GString *s = g_string_new(NULL);
        GPtrArray *truths = g_ptr_array_new_with_free_func(truth_free);
        GArray *los = g_array_new(FALSE, FALSE, sizeof(int64_t));
        GHashTable *dense = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        span_ctx k = { .late = 0 };
        truth *t = NULL;
        int64_t time = -5000 + (int64_t)seed, lo = 0, hi = 0;
        for (int i = 0; i < 3000; i++) {
            const int r = g_rand_int_range(rng, 0, 100);
            int64_t ts = time;
            if (r < 3 && t != NULL)
                ts = lo - 1 - g_rand_int_range(rng, 0, 50);      /* late */
            else if (r < 5)
                time += 250 + g_rand_int_range(rng, 0, 300);     /* a gap: maybe empty windows */
            else
                time += g_rand_int_range(rng, 0, 3);             /* equal times now and then */
            if (!(r < 3 && t != NULL))
                ts = time;
            uint64_t a = (uint64_t)g_rand_int_range(rng, 0, 30), b = (uint64_t)g_rand_int_range(rng, 0, 30);
            g_string_append_printf(s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", a, b, ts);
            if (t != NULL && ts < lo) {
                k.late++;
                continue;
            }
            if (t == NULL || ts >= hi) {
                lo = (ts >= 0 ? ts / 100 : -((-ts + 99) / 100)) * 100;
                hi = lo + 100;
                g_array_append_val(los, lo);
                t = g_new0(truth, 1);
                t->pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
                t->ext = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                g_ptr_array_add(truths, t);
                g_hash_table_remove_all(dense);
            }
            const uint64_t ends[2] = { a, b };
            for (int e = 0; e < 2; e++) {
                gpointer d = g_hash_table_lookup(dense, &ends[e]);
                if (d == NULL) {
                    g_array_append_val(t->ext, ends[e]);
                    d = GUINT_TO_POINTER(t->ext->len);
                    g_hash_table_insert(dense, g_memdup2(&ends[e], sizeof ends[e]), d);
                }
                uint32_t v = GPOINTER_TO_UINT(d) - 1;
                g_array_append_val(t->pairs, v);
            }
            t->n = t->ext->len;
        }
        g_file_set_contents(path, s->str, (gssize)s->len, NULL);
        k.c = (ctx){ .truths = truths, .seed = seed };
        k.lo = (int64_t *)los->data;
        GError *err = NULL;
        GPtrArray *ops = es_operator_new_list("cc,degree,tri,bipartite,cm,tri-est:m=100000", &err);
        k.c.ops = ops;
        const char *inputs[] = { path, NULL };
        es_driver_config cfg = { .inputs = inputs, .batch_size = 50 + seed, .window_span = 100,
                                 .on_report = on_span_report, .user = &k };
        es_driver_stats stats;
        ES_CHECK_SEED(es_driver_run(&cfg, ops, &stats, &err), seed);
        g_clear_error(&err);
        ES_CHECK_SEED(k.c.at == truths->len && k.c.failures == 0 && k.bad_bounds == 0 && k.late > 0, seed);
        g_ptr_array_free(ops, TRUE);
        g_ptr_array_free(truths, TRUE);
        g_array_free(los, TRUE);
        g_hash_table_destroy(dense);
        g_string_free(s, TRUE);
        g_rand_free(rng);
        g_unlink(path);
        g_free(path);
    }
}

/* Sliding windows: a stream of `u v t` lines (timestamps from below 0,
 * mostly growing, equal ones at pane boundaries, gaps wider than a window,
 * now and then a late one), run in sliding windows of `size` sliding by
 * `slide`, over counts of lines or over time.  Which windows are reported
 * is worked out here from the panes that hold a line (a window is reported
 * when it holds one, the last being the final report), and each report is
 * checked against igraph on its window's own graph. */
typedef struct {
    ctx      c;
    GArray  *ends;       /* each expected report's window end (int64) */
    GArray  *starts;     /* and start */
    gboolean count;      /* count windows (u64 bounds) */
    int      bad_bounds;
} slide_ctx;

static void on_slide_report(const es_report *r, void *user)
{
    slide_ctx *k = user;
    const es_report_entry *lo = es_report_find(r, "stream", "window_start");
    const es_report_entry *hi = es_report_find(r, "stream", "window_end");
    const guint at = k->c.at;
    if (lo == NULL || hi == NULL || at >= k->ends->len ||
        (k->count ? (int64_t)lo->v.u64 : lo->v.i64) != g_array_index(k->starts, int64_t, at) ||
        (k->count ? (int64_t)hi->v.u64 : hi->v.i64) != g_array_index(k->ends, int64_t, at) ||
        r->final != (at + 1 == k->ends->len)) {
        k->bad_bounds++;
        fprintf(stderr, "\n    seed %" G_GUINT64_FORMAT ": report %u has the wrong bounds\n", k->c.seed, at);
    }
    if (at < k->c.truths->len)
        check(r, g_ptr_array_index(k->c.truths, at), &k->c);
    k->c.at++;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

typedef struct {
    int64_t pane;
    size_t  line;
} pane_line;

static gint by_pane(gconstpointer a, gconstpointer b)
{
    const pane_line *x = a, *y = b;
    return x->pane != y->pane ? (x->pane < y->pane ? -1 : 1) : (x->line > y->line) - (x->line < y->line);
}

/* One run: lines (ext pairs, times) over `n` lines; count or time windows;
 * sliding, or tumbling when slide == size; lateness < 0: none. */
static void check_sliding(uint64_t seed, const uint64_t *ids, const int64_t *ts, size_t n, gboolean count,
                          int64_t size, int64_t slide, int64_t lateness, size_t batch)
{
    const int64_t k = size / slide;
    /* accepted lines and their panes: without lateness a line older than
     * the newest pane's start is late, with it one older than the largest
     * timestamp so far minus the lateness; panes go on in order */
    GArray *acc = g_array_new(FALSE, FALSE, sizeof(pane_line));
    int64_t newest = INT64_MIN, max_t = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const int64_t p = count ? (int64_t)(acc->len / (size_t)slide) : floor_div(ts[i], slide);
        max_t = MAX(max_t, ts[i]);
        if (!count && lateness < 0 && newest != INT64_MIN && p < newest)
            continue;
        if (!count && lateness >= 0 && (__int128)ts[i] < (__int128)max_t - lateness)
            continue;
        newest = MAX(newest, p);
        pane_line pl = { p, i };
        g_array_append_val(acc, pl);
    }
    g_array_sort(acc, by_pane);
    GArray *pane = g_array_new(FALSE, FALSE, sizeof(int64_t)), *keep = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (guint a = 0; a < acc->len; a++) {
        g_array_append_val(pane, g_array_index(acc, pane_line, a).pane);
        g_array_append_val(keep, g_array_index(acc, pane_line, a).line);
    }
    g_array_free(acc, TRUE);
    /* the windows that hold a line, in order, up to the last line's */
    GArray *ends = g_array_new(FALSE, FALSE, sizeof(int64_t)), *starts = g_array_new(FALSE, FALSE, sizeof(int64_t));
    GPtrArray *truths = g_ptr_array_new_with_free_func(truth_free);
    /* when line a + 1 opens a later pane q, the windows ending with panes
     * p = pane[a] .. min(q - 1, p + k - 1) close (each holds pane p); the
     * final report is the window ending with the last line's pane */
    for (guint a = 0; a < pane->len; a++) {
        const int64_t p = g_array_index(pane, int64_t, a);
        const int64_t q = a + 1 < pane->len ? g_array_index(pane, int64_t, a + 1) : p + 1;
        if (q == p)
            continue;
        for (int64_t j = p; j < q && j < p + k; j++) {
            const __int128 end = ((__int128)j + 1) * slide, start = count && end < size ? 0 : end - size;
            const int64_t e64 = end > INT64_MAX ? INT64_MAX : (int64_t)end;
            const int64_t s64 = start < INT64_MIN ? INT64_MIN : (int64_t)start;
            g_array_append_val(ends, e64);
            g_array_append_val(starts, s64);
            truth *t = g_new0(truth, 1);
            t->pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            t->ext = g_array_new(FALSE, FALSE, sizeof(uint64_t));
            GHashTable *dense = g_hash_table_new(g_int64_hash, g_int64_equal);
            for (guint b = 0; b <= a; b++) {
                if ((__int128)g_array_index(pane, int64_t, b) <= (__int128)j - k)
                    continue;
                const size_t i = g_array_index(keep, size_t, b);
                for (int e = 0; e < 2; e++) {
                    gpointer d = g_hash_table_lookup(dense, &ids[2 * i + e]);
                    if (d == NULL) {
                        g_array_append_val(t->ext, ids[2 * i + e]);
                        d = GUINT_TO_POINTER(t->ext->len);
                        g_hash_table_insert(dense, (gpointer)&ids[2 * i + e], d);
                    }
                    uint32_t v = GPOINTER_TO_UINT(d) - 1;
                    g_array_append_val(t->pairs, v);
                }
            }
            t->n = t->ext->len;
            g_hash_table_destroy(dense);
            g_ptr_array_add(truths, t);
        }
    }
    char *path = tmp_path();
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", ids[2 * i],
                               ids[2 * i + 1], ts[i]);
    g_file_set_contents(path, s->str, (gssize)s->len, NULL);
    slide_ctx x = { .c = { .truths = truths, .seed = seed }, .ends = ends, .starts = starts, .count = count };
    GError *err = NULL;
    GPtrArray *ops = es_operator_new_list("cc,degree,tri,bipartite,cm,tri-est:m=100000", &err);
    x.c.ops = ops;
    const char *inputs[] = { path, NULL };
    es_driver_config cfg = { .inputs = inputs, .batch_size = batch, .window = count ? (uint64_t)size : 0,
                             .window_span = count ? 0 : size, .window_slide = slide == size ? 0 : (uint64_t)slide,
                             .lateness_on = lateness >= 0, .lateness = MAX(lateness, 0),
                             .on_report = on_slide_report, .user = &x };
    es_driver_stats stats;
    ES_CHECK_SEED(es_driver_run(&cfg, ops, &stats, &err), seed);
    if (err)
        fprintf(stderr, "\n    %s\n", err->message);
    g_clear_error(&err);
    ES_CHECK_SEED(x.c.at == truths->len && x.c.failures == 0 && x.bad_bounds == 0 && truths->len > 3, seed);
    ES_CHECK_SEED(count || stats.late_edges == n - keep->len, seed);
    g_ptr_array_free(ops, TRUE);
    g_ptr_array_free(truths, TRUE);
    g_array_free(ends, TRUE);
    g_array_free(starts, TRUE);
    g_array_free(pane, TRUE);
    g_array_free(keep, TRUE);
    g_string_free(s, TRUE);
    g_unlink(path);
    g_free(path);
}

/* A random temporal stream: n lines over nv vertices. */
static void temporal_stream(GRand *rng, size_t n, uint32_t nv, uint64_t *ids, int64_t *ts)
{
    int64_t time = -3000 + g_rand_int_range(rng, 0, 100);
    for (size_t i = 0; i < n; i++) {
        const int r = g_rand_int_range(rng, 0, 100);
        if (r < 2)
            time += 400 + g_rand_int_range(rng, 0, 900);   /* a gap: empty windows */
        else if (r < 60)
            time += g_rand_int_range(rng, 0, 4);           /* equal times now and then */
        ts[i] = r >= 97 && i > 0 ? time - 60 - g_rand_int_range(rng, 0, 200) : time;   /* late, mostly */
        ids[2 * i] = 5 + 3 * (uint64_t)g_rand_int_range(rng, 0, (gint32)nv);
        ids[2 * i + 1] = r == 50 ? ids[2 * i] : 5 + 3 * (uint64_t)g_rand_int_range(rng, 0, (gint32)nv);
    }
}

static void test_each_sliding_window_answers_for_its_own_graph(void)
{
    static const struct { gboolean count; int64_t size, slide, lateness; size_t batch; } shapes[] = {
        { TRUE, 300, 100, -1, 64 }, { TRUE, 200, 200, -1, 1000 }, { TRUE, 250, 25, -1, 7 },
        { FALSE, 300, 100, -1, 50 }, { FALSE, 120, 40, -1, 333 }, { FALSE, 64, 1, -1, 13 },
        { FALSE, 300, 100, 150, 50 }, { FALSE, 120, 40, 0, 333 }, { FALSE, 64, 8, 1000, 13 },
        { FALSE, 100, 100, 120, 41 }, { FALSE, 100, 100, 0, 7 },
    };
    for (uint64_t seed = 41; seed <= 46; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        const size_t n = 1500 + 111 * (seed % 3);
        uint64_t *ids = g_new(uint64_t, 2 * n);
        int64_t *ts = g_new(int64_t, n);
        temporal_stream(rng, n, 20 + 5 * (uint32_t)(seed % 4), ids, ts);
        for (size_t s = 0; s < G_N_ELEMENTS(shapes); s++)
            check_sliding(seed, ids, ts, n, shapes[s].count, shapes[s].size, shapes[s].slide, shapes[s].lateness,
                          shapes[s].batch + seed);
        g_free(ids);
        g_free(ts);
        g_rand_free(rng);
    }
}

static void print_into(const es_report *r, void *user)
{
    GString *out = user;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    es_report_print(r, ES_FORMAT_TSV, f);
    fclose(f);
    g_string_append_len(out, buf, (gssize)len);
    free(buf);
}

/* The tsv of every report of a sliding window over path. */
static GString *sliding_reports(const char *path, const char *ops, gboolean count, gboolean reports_only, int threads,
                                size_t batch)
{
    const char *inputs[] = { path, NULL };
    GError *err = NULL;
    GPtrArray *list = es_operator_new_list(ops, &err);
    g_assert(list != NULL);
    GString *out = g_string_new(NULL);
    es_driver_config cfg = { .inputs = inputs, .batch_size = batch, .threads = threads,
                             .window = count ? 60000 : 0, .window_span = count ? 0 : 6000,
                             .window_slide = count ? 20000 : 2000, .on_report = print_into, .user = out,
                             .reports_only = reports_only };
    es_driver_stats stats;
    CU_ASSERT_TRUE(es_driver_run(&cfg, list, &stats, &err));
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    g_ptr_array_free(list, TRUE);
    return out;
}

/* A report made beside the next expiry's fold (reports_only: each
 * operator's section just before it folds the expiry, in the fanout's
 * team when the panes are large enough for one) is the report made
 * before that fold, byte for byte: count and time windows, one and two
 * threads, with a per-pane operator too (which makes its report first). */
static void test_reports_made_beside_the_expiries_are_the_reports_made_before(void)
{
    GRand *rng = g_rand_new_with_seed(77);
    const size_t n = 200000;
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(text, "%d %d %zu\n", g_rand_int_range(rng, 0, 3000), g_rand_int_range(rng, 0, 3000),
                               i / 10);
    g_rand_free(rng);
    char *path = tmp_path();
    g_file_set_contents(path, text->str, (gssize)text->len, NULL);
    static const char *const op_lists[] = { "cc,degree,tri-est:m=5000,bipartite,tri", "cc,degree,hll" };
    for (size_t o = 0; o < G_N_ELEMENTS(op_lists); o++) {
        for (int count = 0; count < 2; count++) {
            for (int threads = 1; threads <= 2; threads++) {
                GString *before = sliding_reports(path, op_lists[o], count, FALSE, threads, 30000);
                GString *beside = sliding_reports(path, op_lists[o], count, TRUE, threads, 30000);
                CU_ASSERT_TRUE(before->len > 1000);
                CU_ASSERT_TRUE(g_string_equal(before, beside));
                g_string_free(before, TRUE);
                g_string_free(beside, TRUE);
            }
        }
    }
    g_string_free(text, TRUE);
    g_unlink(path);
    g_free(path);
}

/* Sliding windows at the edges of the timestamp range: -2^63 and near
 * 2^63 - 1, a window holding one edge. */
static void test_sliding_windows_at_huge_and_negative_times(void)
{
    const uint64_t ids[] = { 1, 2, 2, 3, 3, 1, 4, 5, 5, 6, 6, 4, 7, 8 };
    const int64_t ts[] = { INT64_MIN, INT64_MIN, INT64_MIN + 1, -1, 0, INT64_MAX - 5, INT64_MAX };
    check_sliding(0, ids, ts, G_N_ELEMENTS(ts), FALSE, 10, 5, -1, 3);
    check_sliding(0, ids, ts, G_N_ELEMENTS(ts), FALSE, (int64_t)1 << 62, (int64_t)1 << 61, -1, 2);
    check_sliding(0, ids, ts, G_N_ELEMENTS(ts), TRUE, 2, 1, -1, 1);
    check_sliding(0, ids, ts, G_N_ELEMENTS(ts), FALSE, 10, 5, INT64_MAX, 3);   /* nothing late */
    check_sliding(0, ids, ts, G_N_ELEMENTS(ts), FALSE, 10, 10, 0, 3);
}

/* CollegeMsg (SNAP: src dst unix_time) in tumbling windows of 5000 lines,
 * each against igraph on the window's own graph; skipped without the
 * shared datasets. */
static void test_collegemsg_windows_match_igraph(void)
{
    const char *dir = es_test_shared_datasets();
    char *path = dir ? g_build_filename(dir, "CollegeMsg.txt.gz", NULL) : NULL;
    if (path == NULL || !g_file_test(path, G_FILE_TEST_EXISTS)) {
        fprintf(stderr, "\n    skipped: CollegeMsg.txt.gz is not in the shared datasets\n");
        g_free(path);
        return;
    }
    const uint64_t W = 5000;
    const char *inputs[] = { path, NULL };
    es_reader *rd = es_reader_new(inputs, 0);
    es_raw_batch *b = es_raw_batch_new(1 << 16);
    GPtrArray *truths = g_ptr_array_new_with_free_func(truth_free);
    GHashTable *dense = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    truth *t = NULL;
    uint64_t line = 0;
    GError *err = NULL;
    while (es_reader_next(rd, b, b->cap, &err) && b->n > 0) {
        for (size_t i = 0; i < b->n; i++, line++) {
            if (line % W == 0) {
                t = g_new0(truth, 1);
                t->pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
                t->ext = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                g_ptr_array_add(truths, t);
                g_hash_table_remove_all(dense);
            }
            for (int e = 0; e < 2; e++) {
                uint64_t x = b->ids[2 * i + e];
                gpointer d = g_hash_table_lookup(dense, &x);
                if (d == NULL) {
                    g_array_append_val(t->ext, x);
                    d = GUINT_TO_POINTER(t->ext->len);
                    g_hash_table_insert(dense, g_memdup2(&x, sizeof x), d);
                }
                uint32_t v = GPOINTER_TO_UINT(d) - 1;
                g_array_append_val(t->pairs, v);
            }
            t->n = t->ext->len;
        }
    }
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    es_raw_batch_free(b);
    es_reader_free(rd);
    g_hash_table_destroy(dense);
    CU_ASSERT_TRUE(truths->len > 10);
    ctx c = { .truths = truths, .window = W, .seed = 0 };
    GPtrArray *ops = es_operator_new_list("cc,degree,tri,bipartite,cm,tri-est:m=100000", &err);
    c.ops = ops;
    es_driver_config cfg = { .inputs = inputs, .window = W, .deletions = TRUE, .on_report = on_report, .user = &c };
    es_driver_stats stats;
    CU_ASSERT_TRUE(es_driver_run(&cfg, ops, &stats, &err));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(c.at, truths->len);
    CU_ASSERT_EQUAL(c.failures, 0);
    g_ptr_array_free(ops, TRUE);
    g_ptr_array_free(truths, TRUE);
    g_free(path);
}

/* The value of op metric in the final report of a run over text. */
typedef struct {
    es_report *last;
} keep;

static void keep_final(const es_report *r, void *user)
{
    keep *k = user;
    if (!r->final)
        return;
    es_report_clear(k->last);
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (strcmp(e->metric, "components") == 0 || strcmp(e->metric, "bipartite") == 0 ||
            strcmp(e->metric, "deletions_ignored") == 0 || strcmp(e->metric, "triangles") == 0) {
            es_report_begin(k->last, e->op);
            if (e->kind == ES_VAL_BOOL)
                es_report_add_bool(k->last, e->metric, e->v.boolean);
            else
                es_report_add_u64(k->last, e->metric, e->v.u64);
        }
    }
}

static const es_report_entry *final_of(const char *text, const char *op, const char *metric, keep *k)
{
    char *path = tmp_path();
    g_file_set_contents(path, text, -1, NULL);
    GPtrArray *list;
    GError *err = NULL;
    CU_ASSERT_TRUE(run(path, "cc,bipartite,tri,degree", TRUE, 2, 0, keep_final, k, &list, &err));
    g_clear_error(&err);
    g_ptr_array_free(list, TRUE);
    g_unlink(path);
    g_free(path);
    return es_report_find(k->last, op, metric);
}

static void test_a_deletion_that_splits_a_component_splits_it(void)
{
    keep k = { es_report_new() };
    /* a path 1-2-3-4 and a triangle 4-5-6: deleting 2-3 splits {1,2} off */
    const char *s = "1 2\n2 3\n3 4\n4 5\n5 6\n6 4\n2 3 -\n";
    CU_ASSERT_EQUAL(final_of(s, "cc", "components", &k)->v.u64, 2);
    CU_ASSERT_EQUAL(final_of(s, "tri", "triangles", &k)->v.u64, 1);
    /* deleting an edge of the triangle splits nothing, and opens it */
    CU_ASSERT_EQUAL(final_of("1 2\n2 3\n3 1\n1 2 -\n", "cc", "components", &k)->v.u64, 1);
    CU_ASSERT_EQUAL(final_of("1 2\n2 3\n3 1\n1 2 -\n", "tri", "triangles", &k)->v.u64, 0);
    /* a deletion of one of two copies leaves the edge */
    CU_ASSERT_EQUAL(final_of("1 2\n2 1\n1 2 -\n3 4\n", "cc", "components", &k)->v.u64, 2);
    es_report_free(k.last);
}

static void test_a_deletion_that_breaks_the_odd_cycle_makes_the_graph_bipartite_again(void)
{
    keep k = { es_report_new() };
    CU_ASSERT_FALSE(final_of("1 2\n2 3\n3 1\n4 5\n", "bipartite", "bipartite", &k)->v.boolean);
    CU_ASSERT_TRUE(final_of("1 2\n2 3\n3 1\n4 5\n3 1 -\n", "bipartite", "bipartite", &k)->v.boolean);
    /* two odd cycles: one deletion leaves the other */
    CU_ASSERT_FALSE(final_of("1 2\n2 3\n3 1\n4 5\n5 6\n6 4\n3 1 -\n", "bipartite", "bipartite", &k)->v.boolean);
    /* merging two components with colours to flip */
    CU_ASSERT_TRUE(final_of("1 2\n3 4\n2 3\n4 5\n", "bipartite", "bipartite", &k)->v.boolean);
    es_report_free(k.last);
}

static void test_deleting_absent_edges_changes_no_answer_and_is_counted(void)
{
    keep a = { es_report_new() }, b = { es_report_new() };
    const es_report_entry *x = final_of("1 2\n2 3\n3 1\n", "cc", "components", &a);
    const es_report_entry *y = final_of("1 2\n1 3 -\n2 3\n9 8 -\n3 3 -\n3 1\n1 9 -\n", "cc", "components", &b);
    CU_ASSERT_TRUE(es_report_entries_equal(x, y));
    CU_ASSERT_TRUE(es_report_entries_equal(es_report_find(a.last, "tri", "triangles"),
                                           es_report_find(b.last, "tri", "triangles")));
    CU_ASSERT_EQUAL(es_report_find(b.last, "stream", "deletions_ignored")->v.u64, 4);
    es_report_free(a.last);
    es_report_free(b.last);
}

static void test_insert_only_operators_and_undeclared_deletions_are_refused(void)
{
    char *path = tmp_path();
    g_file_set_contents(path, "1 2\n2 3\n1 2 -\n", -1, NULL);
    /* (tri-est folds deletions with method=thinkd or triest-fd; its
     * insert-only methods, named, refuse at their first batch) */
    const char *refused[] = { "spanner", "tri-est:method=impr", "hll", "topk" };
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        GPtrArray *list;
        GError *err = NULL;
        CU_ASSERT_FALSE(run(path, refused[i], TRUE, 10, 0, NULL, NULL, &list, &err));
        CU_ASSERT_TRUE(err && err->code == ES_ERROR_USAGE && strstr(err->message, "insertions only"));
        g_clear_error(&err);
        g_ptr_array_free(list, TRUE);
    }
    GPtrArray *list;
    GError *err = NULL;
    CU_ASSERT_FALSE(run(path, "cc", FALSE, 10, 0, NULL, NULL, &list, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA && strstr(err->message, "edge 2 of the stream is a deletion"));
    g_clear_error(&err);
    g_ptr_array_free(list, TRUE);
    g_unlink(path);
    g_free(path);
}

/* The table's answers against a plain multiset, edge by edge. */
static void test_edge_table_multiplicities_follow_a_plain_multiset(void)
{
    const uint64_t seed = 5;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    const size_t m = 50000;
    es_edge *e = g_new(es_edge, m);
    uint8_t *del = g_new(uint8_t, m), *got = g_new(uint8_t, m);
    for (size_t i = 0; i < m; i++) {
        e[i] = (es_edge){ (uint32_t)g_rand_int_range(rng, 0, 60), (uint32_t)g_rand_int_range(rng, 0, 60) };
        del[i] = g_rand_int_range(rng, 0, 100) < 45;
    }
    es_edgetable *t = es_edgetable_new(FALSE, NULL);
    for (size_t at = 0; at < m; at += 4096)
        es_edgetable_apply_signed(t, e + at, del + at, MIN(4096, m - at), got + at);
    uint32_t *cnt = g_new0(uint32_t, 60 * 60);
    size_t present = 0, ignored = 0, wrong = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t u = MIN(e[i].u, e[i].v), v = MAX(e[i].u, e[i].v), *c = &cnt[u * 60 + v];
        uint8_t want;
        if (u == v)
            want = del[i] ? ES_EDGE_IGNORED : ES_EDGE_SEEN;
        else if (!del[i])
            want = (*c)++ == 0 ? ES_EDGE_APPEARS : ES_EDGE_SEEN;
        else if (*c == 0)
            want = ES_EDGE_IGNORED;
        else
            want = --(*c) == 0 ? ES_EDGE_DISAPPEARS : ES_EDGE_SEEN;
        present += want == ES_EDGE_APPEARS;
        present -= want == ES_EDGE_DISAPPEARS;
        ignored += want == ES_EDGE_IGNORED;
        wrong += want != got[i];
    }
    ES_CHECK_SEED(wrong == 0, seed);
    ES_CHECK_SEED(es_edgetable_edges(t) == present && es_edgetable_ignored(t) == ignored, seed);
    for (uint32_t u = 0; u < 60; u++)
        for (uint32_t v = u + 1; v < 60; v++)
            wrong += es_edgetable_count(t, u, v) != cnt[u * 60 + v];
    ES_CHECK_SEED(wrong == 0, seed);
    es_edgetable_free(t);
    g_free(cnt);
    g_free(e);
    g_free(del);
    g_free(got);
    g_rand_free(rng);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_edge_table_multiplicities_follow_a_plain_multiset),
        ES_TEST(test_random_interleavings_match_the_graph_of_what_remains),
        ES_TEST(test_each_tumbling_window_answers_for_its_own_graph),
        ES_TEST(test_collegemsg_windows_match_igraph),
        ES_TEST(test_each_time_window_answers_for_its_own_graph),
        ES_TEST(test_each_sliding_window_answers_for_its_own_graph),
        ES_TEST(test_sliding_windows_at_huge_and_negative_times),
        ES_TEST(test_reports_made_beside_the_expiries_are_the_reports_made_before),
        ES_TEST(test_a_deletion_that_splits_a_component_splits_it),
        ES_TEST(test_a_deletion_that_breaks_the_odd_cycle_makes_the_graph_bipartite_again),
        ES_TEST(test_deleting_absent_edges_changes_no_answer_and_is_counted),
        ES_TEST(test_insert_only_operators_and_undeclared_deletions_are_refused),
        { NULL, NULL },
    };
    return es_test_main("dynamic", tests);
}
