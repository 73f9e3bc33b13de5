/* tri_est_bench.c — the tri-est benchmark: how fast the operator folds a
 * stream held in memory, and how far its estimate is from the exact count.
 *
 * The input (an edge file, plain or gzip, read with edgestream's reader;
 * or an R-MAT stream made in memory with graph/rmat.c, the same stream as
 * `edgestream gen rmat`) is parsed and mapped to dense ids first, and
 * parsing is not timed: the rate is that of es_operator_process alone, on
 * batches of --batch edges, as the driver hands them over.  Three runs:
 *   clean      first occurrences of each undirected pair, no self-loops
 *              (what TRIÈST assumes), operator with dedup=0
 *   raw        every line as read, operator with its defaults (dedup=auto:
 *              an exact set over a probation of 8 m accepted edges, for
 *              good if a repeat comes in it; docs/tri-est.md)
 *   raw-dedup0 every line as read, operator with dedup=0 (repeats whose
 *              copy left the sample count again: the estimate runs high)
 * M is --frac of the distinct edges (default 1%) unless --m is given.  The
 * exact count is igraph_adjacent_triangles on the simplified graph, summed
 * and divided by 3 (or --exact N, to skip it).
 *
 * Output: one tsv line per run:
 *   input lines distinct exact m mode seed seconds cpu_seconds edges_per_s estimate stddev rel_error
 *   sample_bytes
 * seconds is wall time in es_operator_process, cpu_seconds the CPU time
 * of all threads over the same calls (steadier on a shared machine);
 * edges_per_s counts the lines fed to the operator (repeats and loops
 * included) per wall second; rel_error is (estimate - exact) / exact;
 * sample_bytes is what the sample holds at the end (es_tri_est_sample_memory:
 * its graph, slot weights, gps's weights, priorities and heap), the
 * memory the methods are compared at.
 */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataflow/reader.h"
#include "graph/common.h"
#include "graph/edgeset.h"
#include "graph/idmap.h"
#include "graph/rmat.h"
#include "operators/tri_est.h"

typedef struct {
    es_edge *e;
    size_t   n, cap;
} edges;

static void push(edges *s, uint32_t u, uint32_t v)
{
    if (s->n == s->cap) {
        size_t cap = es_grow_cap(s->cap, s->n + 1);
        s->e = es_big_realloc(s->e, s->cap * sizeof(es_edge), cap * sizeof(es_edge));
        s->cap = cap;
    }
    s->e[s->n++] = (es_edge){ u, v };
}

static gboolean load_file(const char *path, es_idmap *map, edges *out, GError **error)
{
    const char *paths[] = { path, NULL };
    es_reader *r = es_reader_new(paths, 0);
    es_raw_batch *b = es_raw_batch_new(1u << 20);
    uint32_t *dense = g_new(uint32_t, 2u << 20);
    gboolean ok = TRUE;
    for (;;) {
        if (!es_reader_next(r, b, b->cap, error) || !es_idmap_map_ids(map, b->ids, dense, 2 * b->n, error)) {
            ok = FALSE;
            break;
        }
        if (b->n == 0)
            break;
        for (size_t i = 0; i < b->n; i++)
            push(out, dense[2 * i], dense[2 * i + 1]);
    }
    g_free(dense);
    es_raw_batch_free(b);
    es_reader_free(r);
    return ok;
}

static gboolean load_rmat(const char *spec, es_idmap *map, edges *out, GError **error)
{
    unsigned scale;
    unsigned long long ef, seed;
    if (sscanf(spec, "rmat:%u:%llu:%llu", &scale, &ef, &seed) != 3) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "expected rmat:SCALE:EDGE_FACTOR:SEED, got \"%s\"", spec);
        return FALSE;
    }
    es_rmat_params p = ES_RMAT_GRAPH500(scale);
    p.edge_factor = ef;
    p.seed = seed;
    es_rmat r;
    if (!es_rmat_init(&r, &p, error))
        return FALSE;
    uint64_t u, v;
    uint32_t du, dv;
    while (es_rmat_next(&r, &u, &v)) {
        if (!es_idmap_get_or_add(map, u, &du, error) || !es_idmap_get_or_add(map, v, &dv, error))
            return FALSE;
        push(out, du, dv);
    }
    return TRUE;
}

/* First occurrences of each undirected pair, self-loops left out. */
static void dedup_stream(const edges *raw, edges *clean)
{
    es_edgeset *set = es_edgeset_new(raw->n, 0);
    uint8_t *is_new = es_big_alloc(raw->n ? raw->n : 1);
    es_edgeset_insert_batch(set, raw->e, raw->n, TRUE, is_new);
    for (size_t i = 0; i < raw->n; i++)
        if (is_new[i])
            push(clean, raw->e[i].u, raw->e[i].v);
    es_big_free(is_new, raw->n ? raw->n : 1);
    es_edgeset_free(set);
}

static double exact_triangles(const edges *clean, uint32_t nv)
{
    igraph_vector_int_t ev;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * clean->n));
    for (size_t i = 0; i < clean->n; i++) {
        VECTOR(ev)[2 * i] = clean->e[i].u;
        VECTOR(ev)[2 * i + 1] = clean->e[i].v;
    }
    igraph_t g;
    igraph_create(&g, &ev, nv, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    igraph_simplify(&g, 1, 1, NULL);
    igraph_vector_t res;
    igraph_vector_init(&res, 0);
    igraph_adjacent_triangles(&g, &res, igraph_vss_all());
    double sum = 0;
    for (igraph_integer_t i = 0; i < igraph_vector_size(&res); i++)
        sum += VECTOR(res)[i];
    igraph_vector_destroy(&res);
    igraph_destroy(&g);
    return sum / 3;
}

static es_operator *new_tri_est(const char *optstr)
{
    GError *err = NULL;
    es_options *o = es_options_parse("tri-est", optstr, &err);
    es_operator *op = o ? es_tri_est_class.create(o, &err) : NULL;
    if (op && !es_options_check_unused(o, &err)) {
        es_tri_est_class.destroy(op);
        op = NULL;
    }
    es_options_free(o);
    if (op == NULL) {
        fprintf(stderr, "tri_est_bench: %s\n", err->message);
        exit(64);
    }
    op->klass = &es_tri_est_class;
    op->name = g_strdup("tri-est");
    op->spec = g_strdup(optstr);
    return op;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Fold s in batches; returns wall seconds spent in es_operator_process,
 * and in *cpu the CPU seconds of all threads over the same calls. */
static double run(es_operator *op, const edges *s, size_t batch, double *cpu)
{
    /* num_vertices per batch, computed before the clock starts */
    size_t nb = (s->n + batch - 1) / batch;
    uint32_t *nv = g_new(uint32_t, nb ? nb : 1);
    uint32_t seen = 0;
    for (size_t k = 0; k < nb; k++) {
        size_t end = (k + 1) * batch < s->n ? (k + 1) * batch : s->n;
        for (size_t i = k * batch; i < end; i++) {
            if (s->e[i].u + 1 > seen) seen = s->e[i].u + 1;
            if (s->e[i].v + 1 > seen) seen = s->e[i].v + 1;
        }
        nv[k] = seen;
    }
    double secs = 0;
    *cpu = 0;
    for (size_t k = 0; k < nb; k++) {
        size_t start = k * batch, n = s->n - start < batch ? s->n - start : batch;
        es_batch b = { .edges = s->e + start, .n = n, .first_index = start, .num_vertices = nv[k] };
        GError *err = NULL;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        gboolean ok = es_operator_process(op, &b, &err);
        secs += clock_s(CLOCK_MONOTONIC) - t0;
        *cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (!ok) {
            fprintf(stderr, "tri_est_bench: %s\n", err->message);
            exit(70);
        }
    }
    g_free(nv);
    return secs;
}

int main(int argc, char **argv)
{
    double frac = 0.01, exact = -1;
    uint64_t m_opt = 0, seeds = 3, batch = 1u << 20;
    const char *modes = "clean,raw,raw-dedup0", *input = NULL, *label = NULL, *extra = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        gboolean has = i + 1 < argc;
        if (strcmp(a, "--frac") == 0 && has) frac = atof(argv[++i]);
        else if (strcmp(a, "--m") == 0 && has) m_opt = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--seeds") == 0 && has) seeds = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--batch") == 0 && has) batch = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--exact") == 0 && has) exact = atof(argv[++i]);
        else if (strcmp(a, "--modes") == 0 && has) modes = argv[++i];
        else if (strcmp(a, "--label") == 0 && has) label = argv[++i];
        else if (strcmp(a, "--opts") == 0 && has) extra = argv[++i];
        else if (a[0] != '-' && input == NULL) input = a;
        else {
            fprintf(stderr, "usage: tri_est_bench [--frac F | --m M] [--seeds K] [--batch N] [--exact N]\n"
                            "                     [--modes clean,raw,raw-dedup0] [--label NAME] [--opts K=V,...] FILE|rmat:S:EF:SEED\n");
            return 64;
        }
    }
    if (input == NULL || batch == 0 || seeds == 0) {
        fprintf(stderr, "tri_est_bench: missing input (try --help)\n");
        return 64;
    }
    if (label == NULL) {
        const char *slash = strrchr(input, '/');
        label = slash ? slash + 1 : input;
    }

    es_idmap *map = es_idmap_new(0, NULL);
    edges raw = { 0 }, clean = { 0 };
    GError *err = NULL;
    gboolean ok = strncmp(input, "rmat:", 5) == 0 ? load_rmat(input, map, &raw, &err)
                                                   : load_file(input, map, &raw, &err);
    if (!ok) {
        fprintf(stderr, "tri_est_bench: %s: %s\n", input, err->message);
        return err->code;
    }
    const uint32_t nv = es_idmap_size(map);
    dedup_stream(&raw, &clean);
    if (exact < 0)
        exact = exact_triangles(&clean, nv);
    uint64_t M = m_opt ? m_opt : (uint64_t)(frac * clean.n + 0.5);
    if (M < 2)
        M = 2;
    fprintf(stderr, "tri_est_bench: %s: %zu lines, %zu distinct edges, %u vertices, %.0f triangles, m=%" G_GUINT64_FORMAT "\n",
            label, raw.n, clean.n, nv, exact, (guint64)M);

    printf("input\tlines\tdistinct\texact\tm\tmode\tseed\tseconds\tcpu_seconds\tedges_per_s\testimate\tstddev\trel_error\tsample_bytes\n");
    gchar **mode = g_strsplit(modes, ",", -1);
    for (gchar **md = mode; *md; md++) {
        const edges *s = strcmp(*md, "clean") == 0 ? &clean : &raw;
        const char *dedup = strcmp(*md, "raw") == 0 ? "auto" : "0";
        if (strcmp(*md, "clean") && strcmp(*md, "raw-dedup0") && strcmp(*md, "raw")) {
            fprintf(stderr, "tri_est_bench: unknown mode \"%s\"\n", *md);
            return 64;
        }
        for (uint64_t seed = 1; seed <= seeds; seed++) {
            char opts[256];
            snprintf(opts, sizeof opts, "m=%" G_GUINT64_FORMAT ",seed=%" G_GUINT64_FORMAT ",dedup=%s%s%s",
                     (guint64)M, (guint64)seed, dedup, extra ? "," : "", extra ? extra : "");
            es_operator *op = new_tri_est(opts);
            double cpu, secs = run(op, s, batch, &cpu);
            double est = es_tri_est_global(op), sd = es_tri_est_stddev(op);
            printf("%s\t%zu\t%zu\t%.0f\t%" G_GUINT64_FORMAT "\t%s\t%" G_GUINT64_FORMAT "\t%.4f\t%.4f\t%.0f\t%.1f\t%.1f\t%.5f\t%zu\n",
                   label, raw.n, clean.n, exact, (guint64)M, *md, (guint64)seed, secs, cpu, s->n / secs, est, sd,
                   exact > 0 ? (est - exact) / exact : NAN, es_tri_est_sample_memory(op));
            fflush(stdout);
            es_operator_free(op);
        }
    }
    g_strfreev(mode);
    es_big_free(raw.e, raw.cap * sizeof(es_edge));
    es_big_free(clean.e, clean.cap * sizeof(es_edge));
    es_idmap_free(map);
    return 0;
}
