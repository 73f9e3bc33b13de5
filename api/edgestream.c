/* edgestream.c — the public C API (include/edgestream.h) over the push
 * entry point of the dataflow (dataflow/push.h): a thin layer that turns
 * GErrors into status codes and messages, reports into plain structs, and
 * external vertex ids into the dense ids the operators index.
 *
 * Every symbol here is exported from the shared library; every other one
 * is hidden (-fvisibility=hidden), so the ABI is this file's.
 */
#include "include/edgestream.h"

#include <stdio.h>
#include <string.h>

#include "dataflow/push.h"
#include "graph/common.h"
#include "operators/cc.h"
#include "operators/degree.h"
#include "operators/operator.h"
#include "operators/report.h"
#include "operators/tri.h"

struct edgestream {
    es_push *push;
};

struct edgestream_report {
    es_report        *r;
    edgestream_value *values;
    edgestream_bin   *bins;
};

/* Fill err from e (which it frees) and return its status. */
static int fail(GError *e, edgestream_error *err)
{
    int code = e->domain == ES_ERROR ? e->code : EDGESTREAM_EINTERNAL;
    if (err) {
        err->code = code;
        g_strlcpy(err->message, e->message, sizeof err->message);
    }
    g_error_free(e);
    return code;
}

static int fail_with(int code, edgestream_error *err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int fail_with(int code, edgestream_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        g_vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int ok(edgestream_error *err)
{
    if (err) {
        err->code = EDGESTREAM_OK;
        err->message[0] = '\0';
    }
    return EDGESTREAM_OK;
}

static const edgestream_options defaults = { 0 };

int edgestream_open(edgestream **s, const char *ops, const edgestream_options *opts, edgestream_error *err)
{
    GError *e = NULL;
    *s = NULL;
    opts = opts ? opts : &defaults;
    GPtrArray *list = es_operator_new_list(ops ? ops : "cc,degree", &e);
    if (list == NULL)
        return fail(e, err);
    es_push *p = es_push_new(list, opts->batch, opts->skip_bad, opts->threads, opts->deletions != 0, &e);
    if (p == NULL)
        return fail(e, err);
    *s = g_new0(edgestream, 1);
    (*s)->push = p;
    return ok(err);
}

int edgestream_restore(edgestream **s, const char *path, const edgestream_options *opts, edgestream_error *err)
{
    GError *e = NULL;
    *s = NULL;
    opts = opts ? opts : &defaults;
    es_push *p = es_push_restore(path, opts->batch, opts->skip_bad, opts->threads, &e);
    if (p == NULL)
        return fail(e, err);
    *s = g_new0(edgestream, 1);
    (*s)->push = p;
    return ok(err);
}

void edgestream_free(edgestream *s)
{
    if (s == NULL)
        return;
    es_push_free(s->push);
    g_free(s);
}

int edgestream_feed(edgestream *s, const uint64_t *ids, size_t n, edgestream_error *err)
{
    GError *e = NULL;
    return es_push_edges(s->push, ids, NULL, n, &e) ? ok(err) : fail(e, err);
}

int edgestream_feed_lines(edgestream *s, const char *text, size_t len, edgestream_error *err)
{
    GError *e = NULL;
    return es_push_lines(s->push, text, len, &e) ? ok(err) : fail(e, err);
}

int edgestream_feed_file(edgestream *s, const char *path, edgestream_error *err)
{
    GError *e = NULL;
    return es_push_file(s->push, path, &e) ? ok(err) : fail(e, err);
}

uint64_t edgestream_edges(const edgestream *s)
{
    return es_push_stats(s->push)->edges;
}

uint64_t edgestream_vertices(const edgestream *s)
{
    return es_push_stats(s->push)->vertices;
}

edgestream_report *edgestream_report_take(edgestream *s)
{
    edgestream_report *rep = g_new0(edgestream_report, 1);
    rep->r = es_report_new();
    es_push_collect(s->push, FALSE, rep->r);
    GArray *entries = rep->r->entries;
    size_t nbins = 0;
    for (guint i = 0; i < entries->len; i++)
        nbins += g_array_index(entries, es_report_entry, i).nbins;
    rep->values = g_new0(edgestream_value, MAX(entries->len, 1));
    rep->bins = g_new(edgestream_bin, MAX(nbins, 1));
    edgestream_bin *bin = rep->bins;
    for (guint i = 0; i < entries->len; i++) {
        const es_report_entry *x = &g_array_index(entries, es_report_entry, i);
        edgestream_value *v = &rep->values[i];
        v->op = x->op;
        v->metric = x->metric;
        switch (x->kind) {
        case ES_VAL_U64:    v->kind = EDGESTREAM_UINT;   v->u = x->v.u64;       break;
        case ES_VAL_I64:    v->kind = EDGESTREAM_INT;    v->i = x->v.i64;       break;
        case ES_VAL_DOUBLE: v->kind = EDGESTREAM_DOUBLE; v->d = x->v.dbl;       break;
        case ES_VAL_BOOL:   v->kind = EDGESTREAM_BOOL;   v->b = !!x->v.boolean; break;
        case ES_VAL_STRING: v->kind = EDGESTREAM_STRING; v->str = x->v.str;     break;
        default:   /* ES_VAL_LIST: tuples of numbers, kept as their text */
            v->kind = EDGESTREAM_LIST;
            v->str = x->v.str;
            break;
        case ES_VAL_HIST:
            v->kind = EDGESTREAM_HISTOGRAM;
            v->bins = bin;
            v->nbins = x->nbins;
            for (size_t k = 0; k < x->nbins; k++)
                *bin++ = (edgestream_bin){ x->bins[k].key, x->bins[k].count };
            break;
        }
    }
    return rep;
}

size_t edgestream_report_size(const edgestream_report *r)
{
    return r->r->entries->len;
}

const edgestream_value *edgestream_report_get(const edgestream_report *r, size_t i)
{
    g_return_val_if_fail(i < r->r->entries->len, NULL);
    return &r->values[i];
}

const edgestream_value *edgestream_report_find(const edgestream_report *r, const char *op, const char *metric)
{
    for (guint i = 0; i < r->r->entries->len; i++)
        if (strcmp(r->values[i].op, op) == 0 && strcmp(r->values[i].metric, metric) == 0)
            return &r->values[i];
    return NULL;
}

void edgestream_report_free(edgestream_report *r)
{
    if (r == NULL)
        return;
    es_report_free(r->r);
    g_free(r->values);
    g_free(r->bins);
    g_free(r);
}

/* The stream's operator of class `name`, or NULL (and err filled). */
static es_operator *find_op(edgestream *s, const char *name, edgestream_error *err)
{
    GPtrArray *ops = es_push_ops(s->push);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (strcmp(op->klass->name, name) == 0)
            return op;
    }
    fail_with(EDGESTREAM_EUSAGE, err, "the stream has no %s operator", name);
    return NULL;
}

typedef enum { Q_COMPONENT, Q_DEGREE, Q_TRIANGLES } query;
static const char *const query_op[] = { "cc", "degree", "tri" };

static uint64_t answer(es_operator *op, query q, const uint64_t *ext, uint32_t v)
{
    switch (q) {
    case Q_COMPONENT: return ext[es_cc_component_of(op, v)];
    case Q_DEGREE:    return es_degree_of(op, v);
    default:          return es_tri_local(op, v);
    }
}

static int query_one(edgestream *s, query q, uint64_t v, uint64_t *out, edgestream_error *err)
{
    es_operator *op = find_op(s, query_op[q], err);
    if (op == NULL)
        return EDGESTREAM_EUSAGE;
    const es_idmap *m = es_push_idmap(s->push);
    uint32_t dense;
    if (!es_idmap_lookup(m, v, &dense))
        return fail_with(EDGESTREAM_ENOVERTEX, err, "vertex %" G_GUINT64_FORMAT " has not been seen", v);
    *out = answer(op, q, es_idmap_externals(m), dense);
    return ok(err);
}

static int query_all(edgestream *s, query q, uint64_t *out, edgestream_error *err)
{
    es_operator *op = find_op(s, query_op[q], err);
    if (op == NULL)
        return EDGESTREAM_EUSAGE;
    const es_idmap *m = es_push_idmap(s->push);
    const uint64_t *ext = es_idmap_externals(m);
    uint32_t n = es_idmap_size(m);
    for (uint32_t v = 0; v < n; v++)
        out[v] = answer(op, q, ext, v);
    return ok(err);
}

int edgestream_component(edgestream *s, uint64_t v, uint64_t *label, edgestream_error *err)
{
    return query_one(s, Q_COMPONENT, v, label, err);
}

int edgestream_degree(edgestream *s, uint64_t v, uint64_t *degree, edgestream_error *err)
{
    return query_one(s, Q_DEGREE, v, degree, err);
}

int edgestream_local_triangles(edgestream *s, uint64_t v, uint64_t *count, edgestream_error *err)
{
    return query_one(s, Q_TRIANGLES, v, count, err);
}

void edgestream_vertex_ids(const edgestream *s, uint64_t *out)
{
    const es_idmap *m = es_push_idmap(s->push);
    memcpy(out, es_idmap_externals(m), (size_t)es_idmap_size(m) * sizeof *out);
}

int edgestream_component_labels(edgestream *s, uint64_t *out, edgestream_error *err)
{
    return query_all(s, Q_COMPONENT, out, err);
}

int edgestream_degrees(edgestream *s, uint64_t *out, edgestream_error *err)
{
    return query_all(s, Q_DEGREE, out, err);
}

int edgestream_triangle_counts(edgestream *s, uint64_t *out, edgestream_error *err)
{
    return query_all(s, Q_TRIANGLES, out, err);
}

int edgestream_snapshot(edgestream *s, const char *path, edgestream_error *err)
{
    GError *e = NULL;
    return es_push_snapshot(s->push, path, &e) ? ok(err) : fail(e, err);
}

const char *edgestream_strerror(int status)
{
    switch (status) {
    case EDGESTREAM_OK:        return "success";
    case EDGESTREAM_ENOVERTEX: return "vertex not seen";
    case EDGESTREAM_EUSAGE:    return "usage error";
    case EDGESTREAM_EDATA:     return "bad input data";
    case EDGESTREAM_ENOINPUT:  return "cannot open input";
    case EDGESTREAM_EINTERNAL: return "internal error";
    case EDGESTREAM_EIO:       return "I/O error";
    case EDGESTREAM_ECONFIG:   return "snapshot does not match";
    default:                   return "unknown status";
    }
}
