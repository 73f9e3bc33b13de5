/* report.c — collecting answers and printing them as text, tsv or json. */
#include "operators/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void entry_clear(gpointer p)
{
    es_report_entry *e = p;
    g_free(e->op);
    g_free(e->metric);
    if (e->kind == ES_VAL_STRING)
        g_free(e->v.str);
    g_free(e->bins);
}

es_report *es_report_new(void)
{
    es_report *r = g_new0(es_report, 1);
    r->entries = g_array_new(FALSE, TRUE, sizeof(es_report_entry));
    g_array_set_clear_func(r->entries, entry_clear);
    r->cur_op = "";
    return r;
}

void es_report_free(es_report *r)
{
    if (r == NULL)
        return;
    g_array_free(r->entries, TRUE);
    g_free(r);
}

void es_report_clear(es_report *r)
{
    g_array_set_size(r->entries, 0);
    r->edges = 0;
    r->final = FALSE;
}

void es_report_begin(es_report *r, const char *op)
{
    r->cur_op = op;
}

static es_report_entry *add(es_report *r, const char *metric, es_value_kind kind)
{
    es_report_entry e = { .op = g_strdup(r->cur_op), .metric = g_strdup(metric), .kind = kind };
    g_array_append_val(r->entries, e);
    return &g_array_index(r->entries, es_report_entry, r->entries->len - 1);
}

void es_report_add_u64(es_report *r, const char *metric, uint64_t x)    { add(r, metric, ES_VAL_U64)->v.u64 = x; }
void es_report_add_i64(es_report *r, const char *metric, int64_t x)     { add(r, metric, ES_VAL_I64)->v.i64 = x; }
void es_report_add_double(es_report *r, const char *metric, double x)   { add(r, metric, ES_VAL_DOUBLE)->v.dbl = x; }
void es_report_add_bool(es_report *r, const char *metric, gboolean x)   { add(r, metric, ES_VAL_BOOL)->v.boolean = !!x; }
void es_report_add_string(es_report *r, const char *metric, const char *s) { add(r, metric, ES_VAL_STRING)->v.str = g_strdup(s); }

static int bin_cmp(const void *a, const void *b)
{
    const es_hist_bin *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

void es_report_add_hist(es_report *r, const char *metric, const es_hist_bin *bins, size_t nbins)
{
    es_report_entry *e = add(r, metric, ES_VAL_HIST);
    e->bins = g_new(es_hist_bin, nbins ? nbins : 1);
    size_t k = 0;
    for (size_t i = 0; i < nbins; i++)
        if (bins[i].count)
            e->bins[k++] = bins[i];
    e->nbins = k;
    gboolean sorted = TRUE;   /* as kept histograms hand them over: no sort */
    for (size_t i = 1; sorted && i < k; i++)
        sorted = e->bins[i - 1].key < e->bins[i].key;
    if (!sorted)
        qsort(e->bins, k, sizeof *e->bins, bin_cmp);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void es_report_add_counts(es_report *r, const char *metric, const uint64_t *counts, size_t ncounts,
                          uint64_t *large, size_t nlarge)
{
    GArray *bins = g_array_new(FALSE, FALSE, sizeof(es_hist_bin));
    for (size_t x = 0; x < ncounts; x++) {
        if (counts[x]) {
            es_hist_bin b = { x, counts[x] };
            g_array_append_val(bins, b);
        }
    }
    if (nlarge > 1)   /* large may be NULL when empty: qsort must not see it */
        qsort(large, nlarge, sizeof(uint64_t), u64_cmp);
    for (size_t i = 0; i < nlarge;) {
        es_hist_bin b = { large[i], 0 };
        for (; i < nlarge && large[i] == b.key; i++)
            b.count++;
        g_array_append_val(bins, b);
    }
    es_report_add_hist(r, metric, (const es_hist_bin *)bins->data, bins->len);
    g_array_free(bins, TRUE);
}

gboolean es_report_entries_equal(const es_report_entry *a, const es_report_entry *b)
{
    if (a == NULL || b == NULL || a->kind != b->kind)
        return FALSE;
    switch (a->kind) {
    case ES_VAL_U64: return a->v.u64 == b->v.u64;
    case ES_VAL_I64: return a->v.i64 == b->v.i64;
    case ES_VAL_DOUBLE:
        return a->v.dbl == b->v.dbl || fabs(a->v.dbl - b->v.dbl) <= 1e-9 * fmax(fabs(a->v.dbl), fabs(b->v.dbl));
    case ES_VAL_BOOL: return a->v.boolean == b->v.boolean;
    case ES_VAL_STRING: return strcmp(a->v.str, b->v.str) == 0;
    case ES_VAL_HIST:
        return a->nbins == b->nbins && memcmp(a->bins, b->bins, a->nbins * sizeof *a->bins) == 0;
    }
    return FALSE;
}

const es_report_entry *es_report_find(const es_report *r, const char *op, const char *metric)
{
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (strcmp(e->op, op) == 0 && strcmp(e->metric, metric) == 0)
            return e;
    }
    return NULL;
}

gboolean es_format_parse(const char *s, es_format *out)
{
    if (strcmp(s, "text") == 0) *out = ES_FORMAT_TEXT;
    else if (strcmp(s, "tsv") == 0) *out = ES_FORMAT_TSV;
    else if (strcmp(s, "json") == 0) *out = ES_FORMAT_JSON;
    else return FALSE;
    return TRUE;
}

static void print_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* A double as json allows (no nan/inf: those become null). */
static void print_double(FILE *out, double x, gboolean exact, gboolean json)
{
    if (!isfinite(x))
        fputs(json ? "null" : (isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf")), out);
    else
        fprintf(out, exact ? "%.17g" : "%.6g", x);
}

static void print_value(FILE *out, const es_report_entry *e, es_format fmt)
{
    gboolean json = fmt == ES_FORMAT_JSON;
    switch (e->kind) {
    case ES_VAL_U64:    fprintf(out, "%" PRIu64, e->v.u64); break;
    case ES_VAL_I64:    fprintf(out, "%" PRId64, e->v.i64); break;
    case ES_VAL_DOUBLE: print_double(out, e->v.dbl, fmt != ES_FORMAT_TEXT, json); break;
    case ES_VAL_BOOL:   fputs(e->v.boolean ? "true" : "false", out); break;
    case ES_VAL_STRING:
        if (json) print_json_string(out, e->v.str);
        else fputs(e->v.str, out);
        break;
    case ES_VAL_HIST:
        if (json) fputc('{', out);
        for (size_t i = 0; i < e->nbins; i++) {
            if (json)
                fprintf(out, "%s\"%" PRIu64 "\":%" PRIu64, i ? "," : "", e->bins[i].key, e->bins[i].count);
            else
                fprintf(out, "%s%" PRIu64 ":%" PRIu64, i ? (fmt == ES_FORMAT_TEXT ? " " : ",") : "",
                        e->bins[i].key, e->bins[i].count);
        }
        if (json) fputc('}', out);
        break;
    }
}

/* Text shows long histograms shortened: the first and last bins. */
#define TEXT_HIST_MAX 12

static void print_text(const es_report *r, FILE *out)
{
    fprintf(out, "== %s report after %" PRIu64 " edges ==\n", r->final ? "final" : "interim", r->edges);
    const char *last_op = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (last_op == NULL || strcmp(last_op, e->op) != 0) {
            fprintf(out, "%s\n", e->op);
            last_op = e->op;
        }
        fprintf(out, "  %-22s ", e->metric);
        if (e->kind == ES_VAL_HIST && e->nbins > TEXT_HIST_MAX) {
            es_report_entry head = *e, tail = *e;
            head.nbins = TEXT_HIST_MAX / 2;
            tail.bins = e->bins + e->nbins - TEXT_HIST_MAX / 2;
            tail.nbins = TEXT_HIST_MAX / 2;
            print_value(out, &head, ES_FORMAT_TEXT);
            fprintf(out, " ... (%zu bins) ... ", e->nbins);
            print_value(out, &tail, ES_FORMAT_TEXT);
        } else {
            print_value(out, e, ES_FORMAT_TEXT);
        }
        fputc('\n', out);
    }
}

static void print_tsv(const es_report *r, FILE *out)
{
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        fprintf(out, "%s\t%s\t", e->op, e->metric);
        print_value(out, e, ES_FORMAT_TSV);
        fputc('\n', out);
    }
}

static void print_json(const es_report *r, FILE *out)
{
    fprintf(out, "{\"edges\":%" PRIu64 ",\"final\":%s,\"operators\":{", r->edges, r->final ? "true" : "false");
    const char *last_op = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (last_op == NULL || strcmp(last_op, e->op) != 0) {
            if (last_op)
                fputs("},", out);
            print_json_string(out, e->op);
            fputs(":{", out);
            last_op = e->op;
        } else {
            fputc(',', out);
        }
        print_json_string(out, e->metric);
        fputc(':', out);
        print_value(out, e, ES_FORMAT_JSON);
    }
    fputs(last_op ? "}}}\n" : "}}\n", out);
}

void es_report_print(const es_report *r, es_format fmt, FILE *out)
{
    switch (fmt) {
    case ES_FORMAT_TEXT: print_text(r, out); break;
    case ES_FORMAT_TSV:  print_tsv(r, out); break;
    case ES_FORMAT_JSON: print_json(r, out); break;
    }
    fflush(out);
}
