/* report.c — collecting answers and printing them as text, tsv or json
 * (the formats: report.h).  Every value is rendered into a GString by one
 * function, es_report_value_append, so the three formats and the library's
 * callers agree on each value's text. */
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
    if (e->kind == ES_VAL_STRING || e->kind == ES_VAL_LIST)
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

void es_report_take(es_report *r, es_report *from)
{
    g_array_append_vals(r->entries, from->entries->data, from->entries->len);
    memset(from->entries->data, 0, from->entries->len * sizeof(es_report_entry));   /* (now r's) */
    g_array_set_size(from->entries, 0);
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
void es_report_add_list(es_report *r, const char *metric, const char *tuples) { add(r, metric, ES_VAL_LIST)->v.str = g_strdup(tuples); }

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
    case ES_VAL_STRING:
    case ES_VAL_LIST: return strcmp(a->v.str, b->v.str) == 0;
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

const char *es_format_double(char *buf, double x)
{
    if (isnan(x))
        return strcpy(buf, "nan");
    if (isinf(x))
        return strcpy(buf, x > 0 ? "inf" : "-inf");
    /* %.17g always reads back; fewer digits often do.  At most 17 tries,
     * each a snprintf and a strtod: cheap beside computing the answer. */
    for (int prec = 1; prec <= 17; prec++) {
        g_snprintf(buf, ES_DOUBLE_BUF, "%.*g", prec, x);
        if (g_ascii_strtod(buf, NULL) == x)
            break;
    }
    /* A whole double keeps a ".0", so a reader sees a double every time. */
    if (strspn(buf, "-0123456789") == strlen(buf))
        strcat(buf, ".0");
    return buf;
}

static void append_json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '"');
}

static void append_double(GString *out, double x, gboolean json)
{
    char buf[ES_DOUBLE_BUF];
    g_string_append(out, json && !isfinite(x) ? "null" : es_format_double(buf, x));
}

/* One number of a list tuple, as json: it is written by an operator as a
 * decimal integer or double; anything else becomes a json string. */
static void append_json_number(GString *out, const char *tok, size_t len)
{
    g_autofree char *t = g_strndup(tok, len);
    char *end = NULL;
    if (len > 0 && (g_ascii_isdigit(t[0]) || t[0] == '-')) {
        if (strchr(t, '.') || strchr(t, 'e') || strchr(t, 'E')) {
            double x = g_ascii_strtod(t, &end);
            if (*end == '\0') {
                append_double(out, x, TRUE);
                return;
            }
        } else {
            g_ascii_strtoll(t, &end, 10);
            if (*end == '\0') {
                g_string_append(out, t);
                return;
            }
        }
    }
    append_json_string(out, t);
}

/* `a:b,c:d` as [[a,b],[c,d]]. */
static void append_json_list(GString *out, const char *s)
{
    g_string_append_c(out, '[');
    for (const char *p = s; *p;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        g_string_append(out, p == s ? "[" : ",[");
        for (const char *q = p; q < end;) {
            const char *colon = memchr(q, ':', (size_t)(end - q));
            const char *stop = colon ? colon : end;
            if (q != p)
                g_string_append_c(out, ',');
            append_json_number(out, q, (size_t)(stop - q));
            q = colon ? colon + 1 : end;
        }
        g_string_append_c(out, ']');
        p = comma ? comma + 1 : end;
    }
    g_string_append_c(out, ']');
}

/* A u64 in decimal: histograms print thousands of them per report, and
 * printf's format parsing was a fifth of the CPU of a run reporting every
 * 1000 edges (bench/RESULTS.md, "Reports"). */
static void append_u64(GString *out, uint64_t x)
{
    char b[20], *p = b + sizeof b;
    do
        *--p = (char)('0' + x % 10);
    while ((x /= 10) != 0);
    g_string_append_len(out, p, b + sizeof b - p);
}

void es_report_value_append(GString *out, const es_report_entry *e, es_format fmt)
{
    const gboolean json = fmt == ES_FORMAT_JSON;
    switch (e->kind) {
    case ES_VAL_U64:    append_u64(out, e->v.u64); break;
    case ES_VAL_I64:    g_string_append_printf(out, "%" PRId64, e->v.i64); break;
    case ES_VAL_DOUBLE: append_double(out, e->v.dbl, json); break;
    case ES_VAL_BOOL:   g_string_append(out, e->v.boolean ? "true" : "false"); break;
    case ES_VAL_STRING:
        if (json) append_json_string(out, e->v.str);
        else g_string_append(out, e->v.str);
        break;
    case ES_VAL_LIST:
        if (json) append_json_list(out, e->v.str);
        else g_string_append(out, e->v.str);
        break;
    case ES_VAL_HIST: {
        /* json [[k,c],...]; tsv k:c,k:c; text k:c k:c */
        const char sep = json || fmt == ES_FORMAT_TSV ? ',' : ' ', pair = json ? ',' : ':';
        if (json) g_string_append_c(out, '[');
        for (size_t i = 0; i < e->nbins; i++) {
            if (i) g_string_append_c(out, sep);
            if (json) g_string_append_c(out, '[');
            append_u64(out, e->bins[i].key);
            g_string_append_c(out, pair);
            append_u64(out, e->bins[i].count);
            if (json) g_string_append_c(out, ']');
        }
        if (json) g_string_append_c(out, ']');
        break;
    }
    }
}

/* Text shows long histograms shortened: the first and last bins. */
#define TEXT_HIST_MAX 12

static void text_report(GString *out, const es_report *r)
{
    g_string_append_printf(out, "== %s report after %" PRIu64 " edges ==\n", r->final ? "final" : "interim", r->edges);
    const char *last_op = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (last_op == NULL || strcmp(last_op, e->op) != 0) {
            g_string_append_printf(out, "%s\n", e->op);
            last_op = e->op;
        }
        g_string_append_printf(out, "  %-22s ", e->metric);
        if (e->kind == ES_VAL_HIST && e->nbins > TEXT_HIST_MAX) {
            es_report_entry head = *e, tail = *e;
            head.nbins = TEXT_HIST_MAX / 2;
            tail.bins = e->bins + e->nbins - TEXT_HIST_MAX / 2;
            tail.nbins = TEXT_HIST_MAX / 2;
            es_report_value_append(out, &head, ES_FORMAT_TEXT);
            g_string_append_printf(out, " ... (%zu bins) ... ", e->nbins);
            es_report_value_append(out, &tail, ES_FORMAT_TEXT);
        } else {
            es_report_value_append(out, e, ES_FORMAT_TEXT);
        }
        g_string_append_c(out, '\n');
    }
}

static void tsv_report(GString *out, const es_report *r)
{
    /* The opening row: where the report stands and whether it is the last. */
    g_string_append_printf(out, "report\t%s\t%" PRIu64 "\n", r->final ? "final" : "interim", r->edges);
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        g_string_append_printf(out, "%s\t%s\t", e->op, e->metric);
        es_report_value_append(out, e, ES_FORMAT_TSV);
        g_string_append_c(out, '\n');
    }
}

static void json_report(GString *out, const es_report *r)
{
    g_string_append_printf(out, "{\"edges\":%" PRIu64 ",\"final\":%s,\"operators\":{", r->edges,
                           r->final ? "true" : "false");
    const char *last_op = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
        if (last_op == NULL || strcmp(last_op, e->op) != 0) {
            if (last_op)
                g_string_append(out, "},");
            append_json_string(out, e->op);
            g_string_append(out, ":{");
            last_op = e->op;
        } else {
            g_string_append_c(out, ',');
        }
        append_json_string(out, e->metric);
        g_string_append_c(out, ':');
        es_report_value_append(out, e, ES_FORMAT_JSON);
    }
    g_string_append(out, last_op ? "}}}\n" : "}}\n");
}

void es_report_print_header(es_format fmt, FILE *out)
{
    if (fmt == ES_FORMAT_TSV)
        fputs("operator\tmetric\tvalue\n", out);
}

void es_report_print(const es_report *r, es_format fmt, FILE *out)
{
    GString *s = g_string_sized_new(1024);
    switch (fmt) {
    case ES_FORMAT_TEXT: text_report(s, r); break;
    case ES_FORMAT_TSV:  tsv_report(s, r); break;
    case ES_FORMAT_JSON: json_report(s, r); break;
    }
    fwrite(s->str, 1, s->len, out);
    g_string_free(s, TRUE);
    fflush(out);
}
