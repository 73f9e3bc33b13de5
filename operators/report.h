/* report.h — an operator's answers as named values, and their rendering.
 *
 * Operators fill an es_report with (operator, metric, value) entries through
 * es_report_add_*; the CLI renders the same entries as human text, tsv
 * (`operator<TAB>metric<TAB>value`, one line per answer, names fixed for
 * scripts) or json (one object per report, one line).  Because all three
 * come from one list, the formats cannot drift apart.
 *
 * Values: unsigned and signed integers, doubles (printed with %.17g in
 * tsv/json so they round-trip, %.6g in text), booleans, strings, and
 * histograms (key -> count pairs, printed `key:count,key:count` in tsv).
 */
#ifndef ES_REPORT_H
#define ES_REPORT_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "graph/histogram.h"   /* es_hist_bin */

typedef enum {
    ES_VAL_U64,
    ES_VAL_I64,
    ES_VAL_DOUBLE,
    ES_VAL_BOOL,
    ES_VAL_STRING,
    ES_VAL_HIST,
} es_value_kind;


typedef struct {
    char         *op;      /* operator name as the user wrote it, e.g. "cc" */
    char         *metric;  /* fixed metric name, e.g. "components" */
    es_value_kind kind;
    union {
        uint64_t u64;
        int64_t  i64;
        double   dbl;
        gboolean boolean;
        char    *str;
    } v;
    es_hist_bin *bins;     /* ES_VAL_HIST: bins sorted by key */
    size_t       nbins;
} es_report_entry;

typedef struct {
    GArray  *entries;      /* of es_report_entry */
    uint64_t edges;        /* stream position the report describes */
    gboolean final;        /* the end-of-stream report */
    const char *cur_op;    /* operator that es_report_add_* files entries under */
} es_report;

typedef enum { ES_FORMAT_TEXT, ES_FORMAT_TSV, ES_FORMAT_JSON } es_format;

es_report *es_report_new(void);
void       es_report_free(es_report *r);
void       es_report_clear(es_report *r);
/* Entries added next belong to operator `op` (the string must outlive them). */
void       es_report_begin(es_report *r, const char *op);

void es_report_add_u64(es_report *r, const char *metric, uint64_t x);
void es_report_add_i64(es_report *r, const char *metric, int64_t x);
void es_report_add_double(es_report *r, const char *metric, double x);
void es_report_add_bool(es_report *r, const char *metric, gboolean x);
void es_report_add_string(es_report *r, const char *metric, const char *s);
/* Copies bins; they need not be sorted. Bins with count 0 are dropped. */
void es_report_add_hist(es_report *r, const char *metric, const es_hist_bin *bins, size_t nbins);
/* The histogram of a multiset of values: counts[x] values equal x for
 * x < ncounts, and large[0 .. nlarge) lists the values >= ncounts, in any
 * order (sorted in place).  O(ncounts + nlarge log nlarge). */
void es_report_add_counts(es_report *r, const char *metric, const uint64_t *counts, size_t ncounts,
                          uint64_t *large, size_t nlarge);

/* Same kind and value (doubles within 1e-9 relative, histograms bin for
 * bin); FALSE when either is NULL. */
gboolean es_report_entries_equal(const es_report_entry *a, const es_report_entry *b);

/* Look an entry up (tests, compare). NULL when absent. */
const es_report_entry *es_report_find(const es_report *r, const char *op, const char *metric);

gboolean es_format_parse(const char *s, es_format *out);
void     es_report_print(const es_report *r, es_format fmt, FILE *out);

#endif
