/* matrixmarket.c — MatrixMarket coordinate files (see matrixmarket.h):
 * the banner's words, the size line, and each entry checked against it. */
#include "graph/matrixmarket.h"

#include <string.h>

#include "graph/common.h"

#define BANNER "%%MatrixMarket"
#define EXP_BANNER  "a MatrixMarket banner: %%MatrixMarket matrix coordinate pattern|integer|real general|symmetric"
#define EXP_SIZE    "a size line: rows columns entries (three integers)"
#define EXP_SQUARE  "a square size line (a symmetric matrix has as many rows as columns)"
#define EXP_ROW     "a row index from 1 to the size line's rows"
#define EXP_COL     "a column index from 1 to the size line's columns"
#define EXP_INT     "an integer value"
#define EXP_REAL    "a real value"
#define EXP_EOL     "end of line (a pattern matrix has no values)"
#define EXP_EOL_V   "end of line after the value"
#define EXP_MORE    "end of file (the size line's count of entries is reached)"

static inline gboolean blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next blank-separated token of [*p, end): FALSE when none is left. */
static gboolean token(const char **p, const char *end, const char **a, const char **b)
{
    const char *q = *p;
    while (q < end && blank(*q))
        q++;
    if (q == end)
        return FALSE;
    *a = q;
    while (q < end && !blank(*q))
        q++;
    *b = *p = q;
    return TRUE;
}

static es_line_kind bad(es_parse_fault *fault, const char *expected, const char *a, const char *b)
{
    fault->expected = expected;
    fault->got = a;
    fault->got_len = (size_t)(b - a);
    return ES_LINE_BAD;
}

static es_line_kind fatal(es_parse_fault *fault, const char *expected, const char *a, const char *b)
{
    bad(fault, expected, a, b);
    return ES_LINE_FATAL;
}

static gboolean word_is(const char *a, const char *b, const char *w)
{
    return (size_t)(b - a) == strlen(w) && g_ascii_strncasecmp(a, w, (size_t)(b - a)) == 0;
}

static const char *trim_cr(const char *line, size_t len)
{
    return len > 0 && line[len - 1] == '\r' ? line + len - 1 : line + len;
}

gboolean es_mm_is_banner(const char *line, size_t len)
{
    return len >= strlen(BANNER) && memcmp(line, BANNER, strlen(BANNER)) == 0;
}

es_line_kind es_mm_banner(es_mm *mm, const char *line, size_t len, es_parse_fault *fault)
{
    const char *p = line, *end = trim_cr(line, len), *a, *b;
    *mm = (es_mm){ .on = TRUE };
    token(&p, end, &a, &b);   /* %%MatrixMarket */
    if (!token(&p, end, &a, &b))
        return fatal(fault, EXP_BANNER, end, end);
    if (!word_is(a, b, "matrix"))
        return fatal(fault, EXP_BANNER, a, b);
    if (!token(&p, end, &a, &b))
        return fatal(fault, EXP_BANNER, end, end);
    if (!word_is(a, b, "coordinate"))
        return fatal(fault, EXP_BANNER, a, b);
    if (!token(&p, end, &a, &b))
        return fatal(fault, EXP_BANNER, end, end);
    mm->pattern = word_is(a, b, "pattern");
    mm->integer = word_is(a, b, "integer");
    if (!mm->pattern && !mm->integer && !word_is(a, b, "real"))
        return fatal(fault, EXP_BANNER, a, b);
    if (!token(&p, end, &a, &b))
        return fatal(fault, EXP_BANNER, end, end);
    mm->symmetric = word_is(a, b, "symmetric");
    if (!mm->symmetric && !word_is(a, b, "general"))
        return fatal(fault, EXP_BANNER, a, b);
    if (token(&p, end, &a, &b))
        return fatal(fault, EXP_BANNER, a, b);
    return ES_LINE_SKIP;
}

/* A 1-based index within [1, bound]. */
static gboolean index_in(const char *a, const char *b, uint64_t bound, uint64_t *out)
{
    return es_parse_u64(a, b, out, NULL) && *out >= 1 && *out <= bound;
}

es_line_kind es_mm_line(es_mm *mm, uint64_t line_no, const char *line, size_t len, es_parsed_edge *out,
                        es_parse_fault *fault)
{
    const char *p = line, *end = trim_cr(line, len), *a, *b;
    if (!token(&p, end, &a, &b) || *a == '%')
        return ES_LINE_SKIP;
    p = a;
    if (!mm->sized) {
        const char *first = a;
        uint64_t dims[3];
        for (int k = 0; k < 3; k++) {
            if (!token(&p, end, &a, &b))
                return fatal(fault, EXP_SIZE, end, end);
            if (!es_parse_u64(a, b, &dims[k], NULL))
                return fatal(fault, EXP_SIZE, a, b);
        }
        if (token(&p, end, &a, &b))
            return fatal(fault, EXP_SIZE, a, b);
        if (mm->symmetric && dims[0] != dims[1])
            return fatal(fault, EXP_SQUARE, first, end);
        mm->rows = dims[0];
        mm->cols = dims[1];
        mm->nnz = dims[2];
        mm->sized = TRUE;
        mm->size_line = line_no;
        return ES_LINE_SKIP;
    }
    if (mm->entries++ >= mm->nnz)
        return fatal(fault, EXP_MORE, a, end);
    uint64_t i, j;
    token(&p, end, &a, &b);
    if (!index_in(a, b, mm->rows, &i))
        return bad(fault, EXP_ROW, a, b);
    if (!token(&p, end, &a, &b))
        return bad(fault, EXP_COL, end, end);
    if (!index_in(a, b, mm->cols, &j))
        return bad(fault, EXP_COL, a, b);
    *out = (es_parsed_edge){ .u = i, .v = mm->rows == mm->cols ? j : mm->rows + j };
    if (mm->pattern) {
        if (token(&p, end, &a, &b))
            return bad(fault, EXP_EOL, a, b);
        return ES_LINE_EDGE;
    }
    if (!token(&p, end, &a, &b))
        return bad(fault, mm->integer ? EXP_INT : EXP_REAL, end, end);
    if (mm->integer) {
        gboolean neg = *a == '-';
        uint64_t x;
        if (!es_parse_u64(a + neg, b, &x, NULL) || x > (uint64_t)1 << 53)
            return bad(fault, EXP_INT, a, b);
        out->w = neg ? -(double)x : (double)x;
    } else if (!es_parse_double(a, b, &out->w)) {
        return bad(fault, EXP_REAL, a, b);
    }
    out->has_w = TRUE;
    if (token(&p, end, &a, &b))
        return bad(fault, EXP_EOL_V, a, b);
    return ES_LINE_EDGE;
}

gboolean es_mm_finish(const es_mm *mm, const char *name, uint64_t last_line, GError **error)
{
    if (!mm->on)
        return TRUE;
    if (!mm->sized) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": expected " EXP_SIZE ", got end of file",
                    name, last_line);
        return FALSE;
    }
    if (mm->entries != mm->nnz) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "%s:%" G_GUINT64_FORMAT ": expected %" G_GUINT64_FORMAT " entries, as the size line (line %"
                    G_GUINT64_FORMAT ") says, got %" G_GUINT64_FORMAT " before the end of the file",
                    name, last_line, mm->nnz, mm->size_line, mm->entries);
        return FALSE;
    }
    return TRUE;
}
