/* report.h — an operator's answers as named values, and their rendering.
 *
 * Operators fill an es_report with (operator, metric, value) entries through
 * es_report_add_*; the CLI, `inspect`, `compare` and the library's callers
 * all read the same entries, so a metric has one name everywhere (the list:
 * README.md's "Operators and their answers", checked against `run` by
 * tests/test_output.sh).  Renderings:
 *   text  for people: a header line per report, one line per metric;
 *   tsv   `operator<TAB>metric<TAB>value`, each report opened by the row
 *         `report<TAB>interim|final<TAB>EDGES` (es_report_print_header
 *         gives the optional header row `operator<TAB>metric<TAB>value`);
 *   json  one object per report, one line: {"edges":N,"final":B,
 *         "operators":{OP:{METRIC:VALUE,...},...}}.
 * Values: unsigned and signed integers, doubles (everywhere in the
 * shortest form that reads back to the same double, es_format_double;
 * nan and inf are json's null), booleans, strings, histograms (key ->
 * count; tsv `key:count,key:count`, json [[key,count],...]) and lists of
 * number tuples (tsv `a:b,c:d`, json [[a,b],[c,d]]: top-k lists).
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
    ES_VAL_LIST,   /* tuples of numbers, kept as their tsv text in v.str */
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
        char    *str;      /* ES_VAL_STRING, ES_VAL_LIST */
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
/* Move from's entries to the end of r's (from is left empty). */
void       es_report_take(es_report *r, es_report *from);
/* Entries added next belong to operator `op` (the string must outlive them). */
void       es_report_begin(es_report *r, const char *op);

void es_report_add_u64(es_report *r, const char *metric, uint64_t x);
void es_report_add_i64(es_report *r, const char *metric, int64_t x);
void es_report_add_double(es_report *r, const char *metric, double x);
void es_report_add_bool(es_report *r, const char *metric, gboolean x);
void es_report_add_string(es_report *r, const char *metric, const char *s);
/* A list of tuples of numbers written `a:b,c:d` (decimal integers or
 * doubles; "" for none), e.g. a top-k list of `id:count`. */
void es_report_add_list(es_report *r, const char *metric, const char *tuples);
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
/* tsv's header row (other formats have none). */
void     es_report_print_header(es_format fmt, FILE *out);
/* Append one entry's value as fmt renders it (json: a json value). */
void     es_report_value_append(GString *out, const es_report_entry *e, es_format fmt);

/* The shortest decimal form of x that strtod reads back to x exactly
 * ("0.1", "1e+300", "2.0": a whole double keeps ".0", as Python's repr
 * does); "nan", "inf", "-inf" when not finite.  buf must hold
 * ES_DOUBLE_BUF bytes. */
#define ES_DOUBLE_BUF 32
const char *es_format_double(char *buf, double x);

#endif
