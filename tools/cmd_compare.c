/* cmd_compare.c — `edgestream compare`: run the stream (or load a snapshot
 * and rebuild its stream prefix), compute the exact answers offline with
 * the operators' verifiers (operators/verify.h: igraph on the same simple
 * undirected graph, bounded BFS for the spanner), and print, per operator
 * and metric, the streamed value, the exact value and the verdict.
 *
 * Exact operators must agree exactly (doubles to 1e-9 relative).  Estimators
 * must lie within the bound they report: tri-est within 2 stddev (the bound
 * its documentation states), hll within error_bound, Count-Min never below
 * a vertex's degree and above it by at most eps*N for at least 1-delta of
 * the vertices, Space-Saving's guaranteed items truly among the top k.  The
 * spanner's stretch is verified by bounded BFS in the kept graph for every
 * input edge (a uniform sample of 10 000 above 1 M edges).
 *
 * A snapshot of a sliding window is checked against its window's graph
 * (window_graph), which the snapshot holds; without deletions its
 * operators are first rebuilt from the window's lines as a resumed run
 * rebuilds them (es_cli_snapshot_answers).
 *
 * Exit: 0 when everything agrees or lies within its bound, 1 otherwise;
 * 64/65/66/74 as for `run`.
 */
#include <igraph.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataflow/driver.h"
#include "graph/adjacency.h"
#include "graph/idmap.h"
#include "mpi/chunks.h"
#include "operators/cc.h"
#include "operators/cm.h"
#include "operators/operator.h"
#include "operators/spanner.h"
#include "operators/topk.h"
#include "operators/tri.h"
#include "operators/tri_est.h"
#include "operators/verify.h"
#include "tools/cli.h"

/* ---- the collector: a hidden operator that keeps the stream ---------------- */

typedef struct {
    es_operator base;
    GArray *pairs;      /* u32: 2 per edge line, dense ids */
    GArray *ext;        /* u64: external id of each dense id */
    GArray *gone;       /* u64: keys of the deletion lines that took a copy away */
    GArray *orig;       /* u32: the dense id of each id, when window_graph renumbered them (else NULL) */
} collector;

static es_operator *collect_create(es_options *o, GError **e)
{
    (void)o;
    (void)e;
    collector *c = g_new0(collector, 1);
    c->pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->ext = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    c->gone = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return &c->base;
}

static gboolean collect_batch(es_operator *op, const es_batch *b, GError **e)
{
    (void)e;
    collector *c = (collector *)op;
    /* Dense ids are handed out in order of first appearance. */
    for (size_t i = 0; i < 2 * b->n && b->ext; i++) {
        uint32_t v = ((const uint32_t *)b->edges)[i];
        if (v == c->ext->len)
            g_array_append_val(c->ext, b->ext[i]);
    }
    if (b->del != NULL) {
        /* Insertions are kept; a deletion that took a copy away (the edge
         * table did not ignore it) is settled after the run. */
        for (size_t i = 0; i < b->n; i++) {
            if (!b->del[i])
                g_array_append_vals(c->pairs, &b->edges[i], 2);
            else if (b->change[i] != ES_EDGE_IGNORED) {
                uint64_t k = es_edge_key(b->edges[i].u, b->edges[i].v);
                g_array_append_val(c->gone, k);
            }
        }
        return TRUE;
    }
    g_array_append_vals(c->pairs, b->edges, (guint)(2 * b->n));
    return TRUE;
}

/* The lines that remain: each deleted copy taken from the insertions. */
static void collect_settle(collector *c)
{
    if (c->gone->len == 0)
        return;
    GHashTable *left = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (guint i = 0; i < c->gone->len; i++) {
        uint64_t *k = &g_array_index(c->gone, uint64_t, i);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(left, k));
        g_hash_table_replace(left, g_memdup2(k, sizeof *k), GUINT_TO_POINTER(n + 1));
    }
    GArray *kept = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    const uint32_t *p = (const uint32_t *)c->pairs->data;
    /* The latest copies go first: a later one is never deleted before it exists. */
    for (guint i = c->pairs->len / 2; i-- > 0;) {
        uint64_t k = es_edge_key(p[2 * i], p[2 * i + 1]);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(left, &k));
        if (n > 0 && p[2 * i] != p[2 * i + 1]) {
            g_hash_table_replace(left, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(n - 1));
            continue;
        }
        g_array_append_vals(kept, &p[2 * i], 2);
    }
    g_hash_table_destroy(left);
    g_array_free(c->pairs, TRUE);
    c->pairs = kept;
    g_array_set_size(c->gone, 0);
}

static void collect_report(es_operator *op, es_report *r)
{
    (void)op;
    (void)r;
}

static void collect_destroy(es_operator *op)
{
    collector *c = (collector *)op;
    g_array_free(c->pairs, TRUE);
    g_array_free(c->ext, TRUE);
    g_array_free(c->gone, TRUE);
    if (c->orig)
        g_array_free(c->orig, TRUE);
    g_free(c);
}

static const es_operator_class collect_class = {
    .name = "collect", .summary = "", .options = "",
    .create = collect_create, .process_batch = collect_batch, .report = collect_report, .deletions = TRUE,
    .destroy = collect_destroy,
};

/* What a prefix that does not match a window's snapshot may mean. */
#define OVER_TIME " (or a window over time's, whose late lines compare does not drop: it checks snapshots of" \
                  " windows over counts)"

/* A sliding window's snapshot (snapshot.h: /window): the exact graph is
 * that of the window's lines less the copies deletions took back (each
 * pair's oldest; none without deletions), over the vertices the window's lines
 * name (the run leaves the others out of its answers: *absent of n), with
 * ids renumbered in order; the collector's lines and ids become those. */
static void window_graph(collector *c, const es_snapshot_window *w, uint32_t n, uint32_t *live, uint32_t *absent)
{
    GHashTable *left = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (size_t i = 0; i < w->cancelled; i++)
        g_hash_table_insert(left, GSIZE_TO_POINTER((gsize)w->cancelled_keys[i]),
                            GSIZE_TO_POINTER((gsize)w->cancelled_counts[i]));
    uint32_t *id = g_new(uint32_t, MAX(n, 1));
    for (uint32_t v = 0; v < n; v++)
        id[v] = UINT32_MAX;
    for (size_t i = 0; i < 2 * w->lines; i++)
        id[w->edges[i]] = 0;
    GArray *ext = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    c->orig = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t v = 0; v < n; v++)
        if (id[v] == 0) {
            id[v] = ext->len;
            g_array_append_val(ext, g_array_index(c->ext, uint64_t, v));
            g_array_append_val(c->orig, v);
        }
    g_array_set_size(c->pairs, 0);
    for (size_t i = 0; i < w->lines; i++) {
        const uint32_t u = w->edges[2 * i], v = w->edges[2 * i + 1];
        const gpointer k = GSIZE_TO_POINTER((gsize)es_edge_key(u, v));
        const gsize m = GPOINTER_TO_SIZE(g_hash_table_lookup(left, k));
        if (m > 0) {
            g_hash_table_insert(left, k, GSIZE_TO_POINTER(m - 1));
            continue;
        }
        const uint32_t e[2] = { id[u], id[v] };
        g_array_append_vals(c->pairs, e, 2);
    }
    *live = ext->len;
    *absent = n - ext->len;
    g_array_free(c->ext, TRUE);
    c->ext = ext;
    g_array_set_size(c->gone, 0);
    g_free(id);
    g_hash_table_destroy(left);
}

/* ---- verdict rows ------------------------------------------------------------ */

/* One row per check: the streamed and the exact value (NULL: none), the
 * error and the bound it must stay within (NAN: not a number here). */
typedef struct {
    es_format fmt;
    guint     rows, bad;
} table;

static es_report_entry num_u(uint64_t x) { return (es_report_entry){ .kind = ES_VAL_U64, .v.u64 = x }; }
static es_report_entry num_d(double x)   { return (es_report_entry){ .kind = ES_VAL_DOUBLE, .v.dbl = x }; }

static void cell(GString *out, const es_report_entry *e, es_format fmt)
{
    if (e)
        es_report_value_append(out, e, fmt);
    else
        g_string_append(out, fmt == ES_FORMAT_JSON ? "null" : fmt == ES_FORMAT_TEXT ? "-" : "");
}

/* An error or a bound: whole numbers as integers (a count's error is one). */
static void number_cell(GString *out, double x, es_format fmt)
{
    es_report_entry e = fabs(x) < 9007199254740992.0 && x == floor(x) && x >= 0 ? num_u((uint64_t)x) : num_d(x);
    cell(out, isnan(x) ? NULL : &e, fmt);
}

static void json_field(GString *out, const char *name)
{
    g_string_append_printf(out, ",\"%s\":", name);
}

static void row(table *t, const char *op, const char *metric, const es_report_entry *streamed,
                const es_report_entry *exact, double error, double bound, gboolean ok, const char *note)
{
    t->rows++;
    t->bad += !ok;
    const char *verdict = ok ? "ok" : "DIFFERS";
    GString *s = g_string_new(NULL);
    if (t->fmt == ES_FORMAT_JSON) {
        g_string_append(s, "{\"operator\":");
        es_report_entry name = { .kind = ES_VAL_STRING, .v.str = (char *)op };
        es_report_value_append(s, &name, ES_FORMAT_JSON);
        name.v.str = (char *)metric;
        json_field(s, "metric");
        es_report_value_append(s, &name, ES_FORMAT_JSON);
        json_field(s, "streamed");
        cell(s, streamed, t->fmt);
        json_field(s, "exact");
        cell(s, exact, t->fmt);
        json_field(s, "error");
        number_cell(s, error, t->fmt);
        json_field(s, "bound");
        number_cell(s, bound, t->fmt);
        g_string_append_printf(s, ",\"ok\":%s", ok ? "true" : "false");
        name.v.str = (char *)(note ? note : "");
        json_field(s, "note");
        es_report_value_append(s, &name, ES_FORMAT_JSON);
        g_string_append(s, "}\n");
    } else {
        /* tsv: tab-separated cells; text: the same padded into columns. */
        GString *c[6];
        for (int i = 0; i < 6; i++)
            c[i] = g_string_new(NULL);
        g_string_append(c[0], op);
        g_string_append(c[1], metric);
        cell(c[2], streamed, t->fmt);
        cell(c[3], exact, t->fmt);
        number_cell(c[4], error, t->fmt);
        number_cell(c[5], bound, t->fmt);
        if (t->fmt == ES_FORMAT_TSV)
            g_string_append_printf(s, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c[0]->str, c[1]->str, c[2]->str,
                                   c[3]->str, c[4]->str, c[5]->str, verdict, note ? note : "");
        else
            g_string_append_printf(s, "%-10s %-20s %-22s %-22s %-10s %-10s %-8s %s\n", c[0]->str, c[1]->str,
                                   c[2]->str, c[3]->str, c[4]->str, c[5]->str, verdict, note ? note : "");
        for (int i = 0; i < 6; i++)
            g_string_free(c[i], TRUE);
    }
    fputs(s->str, stdout);
    g_string_free(s, TRUE);
}

/* |streamed - exact| for numbers, NAN for other kinds. */
static double difference(const es_report_entry *s, const es_report_entry *x)
{
    if (s == NULL || x == NULL || s->kind != x->kind)
        return NAN;
    switch (s->kind) {
    case ES_VAL_U64: return s->v.u64 > x->v.u64 ? (double)(s->v.u64 - x->v.u64) : (double)(x->v.u64 - s->v.u64);
    case ES_VAL_I64: return fabs((double)s->v.i64 - (double)x->v.i64);
    case ES_VAL_DOUBLE: return fabs(s->v.dbl - x->v.dbl);
    default: return NAN;
    }
}

/* Compare every metric of the exact report for `op` with the streamed one:
 * they must agree (error 0; doubles to 1e-9 relative). */
static void compare_exact(table *t, const es_report *streamed, const es_report *exact, const char *op)
{
    for (guint i = 0; i < exact->entries->len; i++) {
        const es_report_entry *x = &g_array_index(exact->entries, es_report_entry, i);
        if (strcmp(x->op, op) != 0)
            continue;
        const es_report_entry *s = es_report_find(streamed, op, x->metric);
        double d = difference(s, x);
        double bound = isnan(d) ? NAN : x->kind == ES_VAL_DOUBLE ? 1e-9 * fabs(x->v.dbl) : 0;
        row(t, op, x->metric, s, x, d, bound, es_report_entries_equal(s, x), NULL);
    }
}

/* ---- the exact answers (operators/verify.h) ------------------------------------ */

static void exact_tri(table *t, es_verify_graph *x, es_operator *op, const uint32_t *orig, const es_report *streamed,
                      es_report *r)
{
    uint64_t *local = NULL;
    es_verify_tri(x, r, op->name, &local);
    compare_exact(t, streamed, r, op->name);
    uint32_t differ = 0;
    for (uint32_t v = 0; v < x->n; v++)
        differ += es_tri_local(op, orig ? orig[v] : v) != local[v];
    g_autofree char *note = g_strdup_printf("vertices whose local count differs from igraph_adjacent_triangles, of %u", x->n);
    es_report_entry sv = num_u(differ), xv = num_u(0);
    row(t, op->name, "local", &sv, &xv, differ, 0, differ == 0, note);
    g_free(local);
}

static void exact_bipartite(table *t, es_verify_graph *x, const char *name, const es_report *streamed, es_report *r,
                            gboolean window)
{
    gboolean bip = es_verify_bipartite_prefix(x->pairs, x->lines, x->n);
    es_report_begin(r, name);
    es_report_add_bool(r, "bipartite", bip);
    compare_exact(t, streamed, r, name);
    const es_report_entry *idx = es_report_find(streamed, name, "odd_cycle_index");
    const es_report_entry *dels = es_report_find(streamed, "stream", "deletions");
    /* With deletions the lines that remain have no stream order to check it
     * in; in a sliding window (window) it counts the stream's lines, not
     * the window's. */
    if (!bip && !window && (dels == NULL || dels->v.u64 == 0) && idx && idx->kind == ES_VAL_U64 && idx->v.u64 < x->lines) {
        /* The reported edge must be the first whose prefix is not bipartite. */
        gboolean ok = es_verify_bipartite_prefix(x->pairs, idx->v.u64, x->n)
                      && !es_verify_bipartite_prefix(x->pairs, idx->v.u64 + 1, x->n);
        row(t, name, "odd_cycle_index", idx, ok ? idx : NULL, NAN, NAN, ok,
            ok ? "the first edge closing an odd cycle" : "not the first edge closing an odd cycle");
    }
}

static void check_tri_est(table *t, es_verify_graph *x, es_operator *op)
{
    uint64_t triangles = es_verify_tri(x, NULL, NULL, NULL);
    double est = es_tri_est_global(op), sd = es_tri_est_stddev(op);
    double err = fabs(est - (double)triangles);
    gboolean ok = sd == 0 ? err < 0.5 : err <= 2 * sd;
    g_autofree char *note = g_strdup_printf("error %.3g%%, bound 2 stddev = %.3g%%",
                                            triangles ? 100 * err / triangles : 0.0,
                                            triangles ? 200 * sd / triangles : 0.0);
    es_report_entry sv = num_d(est), xv = num_u(triangles);
    row(t, op->name, "triangles", &sv, &xv, err, sd == 0 ? 0.5 : 2 * sd, ok, note);
}

static void check_cm(table *t, es_verify_graph *x, const uint64_t *ext, es_operator *op)
{
    double eps, delta;
    uint64_t total;
    es_cm_op_params(op, &eps, &delta, &total);
    uint64_t *d = es_verify_line_degrees(x);
    uint32_t under = 0, over = 0;
    double bound = eps * (double)total;
    for (uint32_t v = 0; v < x->n; v++) {
        uint64_t q = es_cm_op_query(op, ext[v]);
        under += q < d[v];
        over += (double)(q - (q >= d[v] ? d[v] : q)) > bound;
    }
    g_free(d);
    gboolean ok = under == 0 && (double)over <= delta * x->n + 1e-9;
    g_autofree char *note = g_strdup_printf("vertices over the degree by more than eps*N=%.4g, of %u; %u under (must be 0)",
                                            bound, x->n, under);
    es_report_entry sv = num_u(over), xv = num_u(0);
    row(t, op->name, "point_queries", &sv, &xv, over + under, floor(delta * x->n), ok, note);
}

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

static void check_topk(table *t, es_verify_graph *x, const uint64_t *ext, es_operator *op, const es_report *streamed)
{
    uint64_t *d = es_verify_line_degrees(x);
    uint64_t *sorted = g_memdup2(d, sizeof *d * (x->n ? x->n : 1));
    qsort(sorted, x->n, sizeof *sorted, cmp_desc);
    size_t k = 0;
    es_topk_entry *top = es_topk_op_list(op, &k);
    uint64_t kth = k && x->n ? sorted[MIN(k, x->n) - 1] : 0;
    GHashTable *dense = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (uint32_t v = 0; v < x->n; v++)
        g_hash_table_insert(dense, (gpointer)&ext[v], GUINT_TO_POINTER(v + 1));
    guint wrong = 0, guaranteed = 0;
    for (size_t i = 0; i < k; i++) {
        guint v1 = GPOINTER_TO_UINT(g_hash_table_lookup(dense, &top[i].id));
        uint64_t truth = v1 ? d[v1 - 1] : 0;
        gboolean in_range = top[i].count - top[i].error <= truth && truth <= top[i].count;
        gboolean heavy = !top[i].guaranteed || truth >= kth;
        guaranteed += top[i].guaranteed;
        wrong += !(in_range && heavy);
    }
    g_autofree char *note = g_strdup_printf("%zu listed, %u guaranteed, k-th degree %" PRIu64 "; error: items whose "
                                            "count does not bracket the degree or guaranteed but not heavy",
                                            k, guaranteed, kth);
    row(t, op->name, "top", es_report_find(streamed, op->name, "top"), NULL, wrong, 0, wrong == 0, note);
    g_hash_table_destroy(dense);
    g_free(top);
    g_free(sorted);
    g_free(d);
}

static void check_hll(table *t, es_verify_graph *x, const es_report *streamed, const char *name)
{
    const es_report_entry *est = es_report_find(streamed, name, "distinct");
    const es_report_entry *bound = es_report_find(streamed, name, "error_bound");
    if (!est || !bound)
        return;
    double err = fabs((double)est->v.u64 - (double)x->n);
    es_report_entry xv = num_u(x->n);
    row(t, name, "distinct", est, &xv, err, bound->v.dbl, err <= bound->v.dbl, "bound: the error_bound reported");
}

/* Every input edge (or a sample) has its endpoints within 2k-1 hops. */
static void check_spanner(table *t, es_verify_graph *x, es_operator *op, uint64_t seed)
{
    const unsigned stretch = es_spanner_stretch(op);
    const size_t sample = x->lines > 1000000 ? 10000 : x->lines;
    es_verify_spanner_result v = es_verify_spanner(x, es_spanner_graph(op), stretch, sample, seed);
    g_autofree char *note = g_strdup_printf("input edges beyond %u hops in the spanner, of %zu tested (%s); "
                                            "%zu kept edges not in the input", stretch, v.tested,
                                            sample == x->lines ? "every input edge" : "a uniform sample", v.fake);
    es_report_entry sv = num_u(v.far), xv = num_u(0);
    row(t, op->name, "edges_beyond_stretch", &sv, &xv, (double)(v.far + v.fake), 0,
        v.far == 0 && v.fake == 0 && v.symmetric, note);
}

/* A snapshot of a run across MPI ranks: its prefix is every key group's
 * (mpi/chunks.h), replayed in that run's stream order, and named with the
 * snapshot's own id map (a reduced run hands out dense ids in the order
 * of its forests, not of the stream).  Fills the collector and stats as
 * the driver would. */
static gboolean replay_mpi(const char *const *inputs, const es_parse_format *layout, const es_snapshot_meta *meta,
                           const uint64_t *snap_ext, uint32_t snap_n, collector *c, es_driver_stats *stats,
                           const char *snapshot, GError **error)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    es_idmap *m = es_idmap_new(MAX(snap_n, 16u), NULL);
    gboolean ok = es_chunks_replay(inputs, layout, meta->bad_lines, meta->source_consumed, ids, error) &&
                  es_idmap_add_all(m, snap_ext, snap_n, error);
    if (ok && (ids->len / 2 != meta->edges_consumed || es_idmap_size(m) != snap_n)) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s holds %" G_GUINT64_FORMAT " edges over %u vertices, but the "
                    "input's key groups give %u edges: not the snapshot's input", snapshot, meta->edges_consumed,
                    snap_n, ids->len / 2);
        ok = FALSE;
    }
    for (guint i = 0; ok && i < ids->len; i++) {
        uint64_t v = g_array_index(ids, uint64_t, i);
        uint32_t d;
        if (!es_idmap_lookup(m, v, &d)) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: vertex %" G_GUINT64_FORMAT " of the input's prefix is "
                        "not in the snapshot: not the snapshot's input", snapshot, v);
            ok = FALSE;
        } else {
            g_array_append_val(c->pairs, d);
        }
    }
    if (ok) {
        g_array_set_size(c->ext, 0);
        g_array_append_vals(c->ext, snap_ext, snap_n);
        *stats = (es_driver_stats){ .edges = meta->edges_consumed, .vertices = snap_n,
                                    .lines = meta->lines_consumed, .bad_lines = meta->bad_lines };
    }
    es_idmap_free(m);
    g_array_free(ids, TRUE);
    return ok;
}

/* ---- the command ------------------------------------------------------------- */

int es_cmd_compare(int argc, char **argv)
{
    g_autofree char *ops_spec = NULL, *format = NULL, *snapshot = NULL, *columns = NULL, *delimiter = NULL;
    gint64 seed = 1;
    gboolean quiet = FALSE, header = FALSE, deletions = FALSE;
    es_cli_stream_args stream = { 0 };
    GOptionEntry entries[] = {
        { "ops", 0, 0, G_OPTION_ARG_STRING, &ops_spec, "Operators to check (default cc,degree,tri,bipartite)", "LIST" },
        { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot, "Check a snapshot's answers instead of running the stream", "SNAP.h5" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Output format: text, tsv or json (default text)", "FMT" },
        { "header", 0, 0, G_OPTION_ARG_NONE, &header, "tsv: a header row first", NULL },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the spanner's edge sample (graphs above 1 M edges)", "S" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on stderr", NULL },
        { "columns", 0, 0, G_OPTION_ARG_STRING, &columns, "What each column holds, as for run (u,v,w,t ...)", "LIST" },
        { "deletions", 0, 0, G_OPTION_ARG_NONE, &deletions,
          "The stream may delete edges (lines ending in -); refused by insert-only operators", NULL },
        { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter, "Field separator, as for run", "C" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("FILE... - check streamed answers against exact ones (igraph)");
    g_autofree char *ops_help = es_cli_operators_help();
    g_autofree char *desc = g_strconcat(ops_help,
        "Prints, per check: operator, metric (run's name for it), streamed value, exact\n"
        "value, error, the bound the error must stay within, verdict and a note; json:\n"
        "one object per check, then {\"summary\":{...},\"final\":true}.\n"
        "Exit status: 0 all agree or lie within their bounds, 1 some differ, 64 usage,\n"
        "65 bad input or snapshot, 66 cannot open input, 71 out of memory, 74 I/O error,\n"
        "78 snapshot and input do not match.", NULL);
    g_option_context_set_description(ctx, desc);
    g_option_context_add_main_entries(ctx, entries, NULL);
    es_cli_stream_add(ctx, &stream);
    gboolean parsed = es_cli_parse(ctx, "compare", &argc, &argv);
    if (!parsed) {
        es_cli_stream_clear(&stream);
        return ES_ERROR_USAGE;
    }
    table t = { .fmt = ES_FORMAT_TEXT };
    es_driver_config cfg = { 0 };
    g_autofree char *why = NULL;
    if (format && !es_format_parse(format, &t.fmt))
        why = g_strdup("--format must be text, tsv or json");
    else if (!es_cli_stream_apply(&stream, &cfg, &why))
        ;
    else if (snapshot && ops_spec)
        why = g_strdup("--ops comes from the snapshot; do not give both");
    else if (header && t.fmt != ES_FORMAT_TSV)
        why = g_strdup("--header goes with --format tsv");
    else if (argc < 2)
        why = g_strdup("no input file");
    es_cli_stream_clear(&stream);
    if (why)
        return es_cli_usage("compare", why);

    GError *err = NULL;
    es_parse_format layout = { 0 };
    if ((columns && !es_parse_columns(columns, &layout, &err)) ||
        (delimiter && !es_parse_delimiter(delimiter, &layout, &err))) {
        fprintf(stderr, "edgestream compare: %s\n(see 'edgestream compare --help')\n", err->message);
        g_error_free(err);
        return ES_ERROR_USAGE;
    }
    es_cli_snapshot snap = { 0 };
    int status = 0;
    if (snapshot) {
        if ((status = es_cli_snapshot_load("compare", snapshot, &snap)) != 0)
            return status;
    } else if ((snap.ops = es_operator_new_list(ops_spec ? ops_spec : "cc,degree,tri,bipartite", &err)) == NULL) {
        goto fail;
    }

    /* Run the stream: with a snapshot only the collector, up to its offset. */
    es_options *none = es_options_parse("collect", NULL, NULL);
    es_operator *col = collect_create(none, NULL);
    es_options_free(none);
    col->klass = &collect_class;
    col->name = g_strdup("collect");
    col->spec = g_strdup("collect");
    GPtrArray *run_ops = g_ptr_array_new();
    if (!snapshot)
        for (guint i = 0; i < snap.ops->len; i++)
            g_ptr_array_add(run_ops, g_ptr_array_index(snap.ops, i));
    g_ptr_array_add(run_ops, col);
    cfg.inputs = (const char *const *)(argv + 1);
    cfg.max_edges = snapshot ? snap.meta.edges_consumed : 0;
    cfg.format = &layout;
    cfg.deletions = deletions || snap.stream.deletions;   /* (the snapshot's stream deletes) */
    if (snapshot)
        cfg.skip_bad = snap.meta.bad_lines;   /* the prefix skipped exactly these */
    cfg.progress = !quiet && isatty(STDERR_FILENO);
    es_driver_stats stats = { 0 };
    gboolean mpi = snapshot && snap.meta.source_consumed && g_str_has_prefix(snap.meta.source_consumed, "mpi-chunks ");
    gboolean ok = mpi ? replay_mpi((const char *const *)(argv + 1), &layout, &snap.meta, snap.ext, snap.n,
                                   (collector *)col, &stats, snapshot, &err)
                      : es_driver_run(&cfg, run_ops, &stats, &err);
    g_ptr_array_free(run_ops, TRUE);   /* no free func: frees the array only */
    if (ok && snapshot && !mpi && (stats.edges != snap.meta.edges_consumed || stats.vertices != snap.n)) {
        g_set_error(&err, ES_ERROR, ES_ERROR_CONFIG,
                    "%s holds %" G_GUINT64_FORMAT " edges over %u vertices, but the input's prefix gives %"
                    G_GUINT64_FORMAT " edges over %u vertices: not the snapshot's input%s", snapshot,
                    snap.meta.edges_consumed, snap.n, stats.edges, stats.vertices, snap.window.present ? OVER_TIME : "");
        ok = FALSE;
    }
    if (ok && snapshot && !mpi) {
        /* The snapshot's id map must be the prefix's. */
        collector *c = (collector *)col;
        for (uint32_t v = 0; ok && v < snap.n; v++)
            if (g_array_index(c->ext, uint64_t, v) != snap.ext[v]) {
                g_set_error(&err, ES_ERROR, ES_ERROR_CONFIG, "%s: vertex %u is %" G_GUINT64_FORMAT
                            " in the snapshot but %" G_GUINT64_FORMAT " in the input%s", snapshot, v,
                            snap.ext[v], g_array_index(c->ext, uint64_t, v), snap.window.present ? OVER_TIME : "");
                ok = FALSE;
            }
    }
    if (!ok) {
        es_operator_free(col);
        goto fail;
    }

    uint32_t exact_n = stats.vertices;
    if (snap.stream.window_slide)   /* a sliding window's: its graph, not the prefix's */
        window_graph((collector *)col, &snap.window, stats.vertices, &exact_n, &stats.absent);
    else
        collect_settle((collector *)col);
    es_report *streamed = es_report_new(), *exact = es_report_new();
    if ((status = es_cli_snapshot_answers("compare", &snap, &stats, streamed)) != 0) {
        es_report_free(streamed);
        es_report_free(exact);
        es_operator_free(col);
        goto out;
    }
    const collector *c = (const collector *)col;
    const uint64_t *ext = (const uint64_t *)c->ext->data;
    es_verify_graph x;
    es_verify_graph_init(&x, (const uint32_t *)c->pairs->data, c->pairs->len / 2, exact_n);
    if (t.fmt == ES_FORMAT_TEXT)
        printf("%-10s %-20s %-22s %-22s %-10s %-10s %-8s %s\n", "operator", "metric", "streamed", "exact", "error",
               "bound", "verdict", "note");
    else if (header)
        printf("operator\tmetric\tstreamed\texact\terror\tbound\tverdict\tnote\n");
    for (guint i = 0; i < snap.ops->len; i++) {
        es_operator *op = g_ptr_array_index(snap.ops, i);
        const char *cls = op->klass->name;
        if (strcmp(cls, "cc") == 0) {
            es_verify_cc(&x, exact, op->name);
            compare_exact(&t, streamed, exact, op->name);
        } else if (strcmp(cls, "degree") == 0) {
            es_verify_degree(&x, exact, op->name);
            compare_exact(&t, streamed, exact, op->name);
        } else if (strcmp(cls, "tri") == 0) {
            exact_tri(&t, &x, op, c->orig ? (const uint32_t *)c->orig->data : NULL, streamed, exact);
        } else if (strcmp(cls, "bipartite") == 0) {
            exact_bipartite(&t, &x, op->name, streamed, exact, snap.stream.window_slide && !snap.stream.deletions);
        } else if (strcmp(cls, "tri-est") == 0) {
            check_tri_est(&t, &x, op);
        } else if (strcmp(cls, "cm") == 0) {
            check_cm(&t, &x, ext, op);
        } else if (strcmp(cls, "topk") == 0) {
            check_topk(&t, &x, ext, op, streamed);
        } else if (strcmp(cls, "hll") == 0) {
            check_hll(&t, &x, streamed, op->name);
        } else if (strcmp(cls, "spanner") == 0) {
            check_spanner(&t, &x, op, (uint64_t)seed);
        }
    }
    if (t.fmt == ES_FORMAT_TEXT)
        printf("%u checks, %u differ\n", t.rows, t.bad);
    else if (t.fmt == ES_FORMAT_TSV)
        printf("summary\tchecks\t%u\t\t\t\t\t\nsummary\tdiffer\t%u\t\t\t\t\t\n", t.rows, t.bad);
    else
        printf("{\"summary\":{\"checks\":%u,\"differ\":%u,\"edges\":%" PRIu64 ",\"vertices\":%u},\"final\":true}\n",
               t.rows, t.bad, stats.edges, stats.vertices);
    es_verify_graph_free(&x);
    es_report_free(streamed);
    es_report_free(exact);
    es_operator_free(col);
    status = t.bad ? 1 : 0;
    goto out;
fail:
    status = es_cli_fail("compare", err);
    g_error_free(err);
out:
    es_cli_snapshot_clear(&snap);
    int out = es_cli_finish_stdout("compare");
    return status ? status : out;
}
