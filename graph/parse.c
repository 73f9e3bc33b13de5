/* parse.c — the edge-line parser: `u v [t]` into two unsigned 64-bit ids and
 * an optional signed 64-bit timestamp (the contract is in parse.h).
 *
 * Algorithm: one left-to-right pass.  Trim a trailing '\r' and the blanks
 * around the fields, then read each field.  A field's first up to 8 digits
 * are read as one 64-bit word (SWAR): xor with '0', find the first
 * non-digit byte with an add-and-mask test, and combine the digits in three
 * multiplies (pairs, then quads, then the octet).  That replaces a
 * data-dependent branch per digit, mispredicted at the end of every id,
 * with straight-line code.  The word never reaches outside the line: near
 * the end it is loaded so that it ends at the last byte and shifted.
 * Digits beyond the 8th go through a checked multiply-add loop, so
 * overflow detection is exact (leading zeros included).  A field must end
 * at a blank or the end of the line, so "1x" is one bad token, not 1 then
 * junk.  Big-endian targets use the checked loop alone.
 *
 * Cost: O(len), each byte looked at once or twice (twice only on an error
 * path, to delimit the offending token); no allocation, no libc parsing
 * calls.  About 5 ns per typical SNAP/R-MAT line on one core (0.05 s for a
 * 132 MB, 10.5 M-line R-MAT scale-20 list already in memory, plus 0.05 s
 * for the caller's memchr; the scalar digit loop took 0.14 s).
 *
 * Errors are rendered as `expected X, got "Y"`; in Y, bytes outside
 * printable ASCII are escaped as \xNN and '"' and '\' as \" and \\, so the
 * quoted token is unambiguous.
 *
 * Guarantees: accepts exactly the grammar in parse.h; every malformed line
 * yields ES_LINE_BAD with a static `expected` text and `got` pointing at the
 * offending token inside the line (got_len 0 at end of line).
 */
#include "graph/parse.h"

#include <errno.h>
#include <string.h>

#include "graph/common.h"

#define EXP_ID       "a vertex id"
#define EXP_ID2      "a second vertex id"
#define EXP_ID_RANGE "a vertex id below 2^64"
#define EXP_TIME     "a timestamp, a sign (+ or -) or end of line"
#define EXP_TIME_W   "an integer timestamp, not a weight (name the columns: --columns u,v,w or u,v,w,t)"
#define EXP_T_RANGE  "a timestamp from -2^63 to 2^63-1"
#define EXP_EOL      "end of line"
#define EXP_EOL_T    "a sign (+ or -) or end of line (more columns? name them: --columns u,v,w,t)"
#define EXP_LEN      "a line of at most 4096 bytes"
#define EXP_COL_T    "a timestamp"
#define EXP_COL_W    "a weight (a decimal number)"
#define EXP_COL_SKIP "a column (ignored)"
#define EXP_SIGN     "a sign (+ or -) or end of line"

const char es_parse_empty_field[] = "";

/* Longest byte run shown by es_parse_fault_message before "...". */
#define GOT_SHOWN 40

/* Outcome of reading one unsigned number. */
enum { NUM_OK, NUM_NOT_A_NUMBER, NUM_OVERFLOW };

static inline gboolean is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

static inline const char *token_end(const char *p, const char *end)
{
    while (p < end && !is_blank(*p))
        p++;
    return p;
}

static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Number of leading decimal digits (0..8) in a word whose bytes, in memory
 * order from the least significant, were xored with '0': a digit is then a
 * byte 0..9, and anything else has a high nibble set after adding 6.  A
 * carry out of a non-digit byte only disturbs the bytes above it, which lie
 * beyond the first non-digit and do not count. */
static inline unsigned swar_digit_count(uint64_t v)
{
    uint64_t m = ((v + 0x0606060606060606ull) | v) & 0xF0F0F0F0F0F0F0F0ull;
    return m ? (unsigned)__builtin_ctzll(m) >> 3 : 8;
}

/* Value of the first n (1..8) digits of such a word: shift them to the top
 * (the vacated low bytes read as leading zeros), then combine neighbours
 * pairwise in three multiplies: digits -> 2-digit -> 4-digit -> 8-digit. */
static inline uint64_t swar_digit_value(uint64_t v, unsigned n)
{
    v <<= 8 * (8 - n);
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFull;
}

/* The general digit loop, with exact overflow detection: continues a field
 * whose bytes before p gave v (p == start when nothing was read yet). */
static int read_u64_checked(const char **pp, const char *end, const char *p, uint64_t v, uint64_t *val)
{
    const char *start = *pp;
    gboolean overflow = FALSE;
    unsigned d;
    while (p < end && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v))
            overflow = TRUE;
        p++;
    }
    if (p == start || (p < end && !is_blank(*p)))
        return NUM_NOT_A_NUMBER;
    if (overflow)
        return NUM_OVERFLOW;
    *val = v;
    *pp = p;
    return NUM_OK;
}

/* Read the unsigned decimal field starting at *pp (< end, not a blank).  On
 * NUM_OK *pp is moved past it and *val holds it; the field must be followed
 * by a blank or the end.  The first up to 8 digits are read as one word
 * (taken so that it ends at `end` when fewer than 8 bytes remain, so no
 * byte outside the line is read), which avoids a mispredicted branch per
 * digit; longer fields continue in the checked loop. */
static inline int read_u64(const char **pp, const char *end, const char *line, uint64_t *val)
{
    const char *p = *pp;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    (void)line;
    return read_u64_checked(pp, end, p, 0, val);
#else
    size_t room = (size_t)(end - p);
    uint64_t x;
    if (G_LIKELY(room >= 8))
        x = load8(p);
    else if (G_LIKELY(end - line >= 8))
        x = load8(end - 8) >> (8 * (8 - room));   /* bytes past end read as 0 */
    else
        return read_u64_checked(pp, end, p, 0, val);
    x ^= 0x3030303030303030ull;
    unsigned n = swar_digit_count(x);
    if (G_UNLIKELY(n == 0))
        return NUM_NOT_A_NUMBER;
    uint64_t v = swar_digit_value(x, n);
    p += n;
    if (G_UNLIKELY(n == 8))
        return read_u64_checked(pp, end, p, v, val);
    if (G_UNLIKELY(p < end && !is_blank(*p)))
        return NUM_NOT_A_NUMBER;
    *val = v;
    *pp = p;
    return NUM_OK;
#endif
}

static es_line_kind bad(es_parse_fault *fault, const char *expected, const char *tok, const char *end)
{
    fault->expected = expected;
    fault->got = tok;
    fault->got_len = (size_t)(token_end(tok, end) - tok);
    return ES_LINE_BAD;
}

/* A field that is a lone '+' or '-' (then a blank or the end). */
static inline gboolean is_sign(const char *p, const char *end)
{
    return (*p == '-' || *p == '+') && (p + 1 == end || is_blank(p[1]));
}

static es_line_kind sign_then_end(const char *p, const char *end, es_parsed_edge *out, es_parse_fault *fault)
{
    out->del = *p == '-';
    p = skip_blanks(p + 1, end);
    if (G_UNLIKELY(p != end))
        return bad(fault, EXP_EOL, p, end);
    return ES_LINE_EDGE;
}

gboolean es_parse_u64(const char *p, const char *end, uint64_t *out, gboolean *overflow)
{
    uint64_t v = 0;
    gboolean over = FALSE;
    if (p == end)
        return FALSE;
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d > 9)
            return FALSE;
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v))
            over = TRUE;
    }
    if (overflow)
        *overflow = over;
    *out = v;
    return !over;
}

gboolean es_parse_double(const char *p, const char *end, double *out)
{
    char tmp[64];
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= sizeof tmp)
        return FALSE;
    /* strtod would also take hex, "inf" and "nan": a weight is decimal. */
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isdigit(p[i]) && p[i] != '.' && p[i] != '-' && p[i] != '+' && p[i] != 'e' && p[i] != 'E')
            return FALSE;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *stop;
    errno = 0;
    *out = g_ascii_strtod(tmp, &stop);
    return stop == tmp + n && errno == 0;
}

/* A token that is a decimal number but not an integer: a weight, most likely. */
static gboolean looks_like_weight(const char *tok, const char *end)
{
    double w;
    return es_parse_double(tok, token_end(tok, end), &w);
}

es_line_kind es_parse_line(const char *line, size_t len, es_parsed_edge *out, es_parse_fault *fault)
{
    if (G_UNLIKELY(len > ES_MAX_LINE)) {
        fault->expected = EXP_LEN;
        fault->got = line;
        fault->got_len = len;
            return ES_LINE_BAD;
    }
    const char *p = line;
    const char *end = line + len;
    if (len > 0 && end[-1] == '\r')
        end--;
    p = skip_blanks(p, end);
    if (p == end || *p == '#' || *p == '%')
        return ES_LINE_SKIP;

    int st = read_u64(&p, end, line, &out->u);
    if (G_UNLIKELY(st != NUM_OK))
        return bad(fault, st == NUM_OVERFLOW ? EXP_ID_RANGE : EXP_ID, p, end);

    p = skip_blanks(p, end);
    if (G_UNLIKELY(p == end))
        return bad(fault, EXP_ID2, p, end);
    st = read_u64(&p, end, line, &out->v);
    if (G_UNLIKELY(st != NUM_OK))
        return bad(fault, st == NUM_OVERFLOW ? EXP_ID_RANGE : EXP_ID2, p, end);

    p = skip_blanks(p, end);
    out->t = 0;
    out->has_t = FALSE;
    out->has_w = FALSE;
    out->w = 0;
    out->del = FALSE;
    if (G_LIKELY(p == end))
        return ES_LINE_EDGE;

    if (is_sign(p, end))
        return sign_then_end(p, end, out, fault);
    const char *tok = p;
    gboolean neg = *p == '-';
    if (neg && ++p == end)
        return bad(fault, EXP_TIME, tok, end);
    uint64_t mag;
    st = read_u64(&p, end, line, &mag);
    if (st == NUM_NOT_A_NUMBER)
        return bad(fault, looks_like_weight(tok, end) ? EXP_TIME_W : EXP_TIME, tok, end);
    if (st == NUM_OVERFLOW || mag > (uint64_t)INT64_MAX + neg)
        return bad(fault, EXP_T_RANGE, tok, end);
    /* -mag computed in unsigned arithmetic: exact for mag == 2^63. */
    out->t = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    out->has_t = TRUE;

    p = skip_blanks(p, end);
    if (G_LIKELY(p == end))
        return ES_LINE_EDGE;
    if (is_sign(p, end))
        return sign_then_end(p, end, out, fault);
    return bad(fault, EXP_EOL_T, p, end);
}

char *es_parse_fault_message(const es_parse_fault *fault)
{
    g_return_val_if_fail(fault != NULL && fault->expected != NULL, NULL);
    GString *s = g_string_new("expected ");
    g_string_append(s, fault->expected);
    if (fault->got == es_parse_empty_field) {
        g_string_append(s, ", got an empty field");
        return g_string_free(s, FALSE);
    }
    if (fault->got_len == 0 || fault->got == NULL) {
        g_string_append(s, ", got end of line");
        return g_string_free(s, FALSE);
    }
    size_t n = fault->got_len < GOT_SHOWN ? fault->got_len : GOT_SHOWN;
    g_string_append(s, ", got \"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)fault->got[i];
        if (c == '"' || c == '\\')
            g_string_append_printf(s, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            g_string_append_printf(s, "\\x%02x", c);
        else
            g_string_append_c(s, (char)c);
    }
    if (fault->got_len > GOT_SHOWN)
        g_string_append(s, "...");
    g_string_append_c(s, '"');
    return g_string_free(s, FALSE);
}

/* ---- named columns and delimiters -------------------------------------- */

gboolean es_parse_format_is_default(const es_parse_format *fmt)
{
    return fmt == NULL || (fmt->delim == 0 && fmt->ncols == 0);
}

gboolean es_parse_columns(const char *spec, es_parse_format *fmt, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    guint n = g_strv_length(parts), seen[5] = { 0 };
    const char *why = NULL;
    if (n > ES_MAX_COLUMNS)
        why = "at most 16 columns";
    for (guint i = 0; why == NULL && i < n; i++) {
        const char *c = g_strstrip(parts[i]);
        es_column k;
        if (strcmp(c, "u") == 0)
            k = ES_COL_U;
        else if (strcmp(c, "v") == 0)
            k = ES_COL_V;
        else if (strcmp(c, "t") == 0)
            k = ES_COL_T;
        else if (strcmp(c, "w") == 0)
            k = ES_COL_W;
        else if (strcmp(c, "-") == 0)
            k = ES_COL_SKIP;
        else {
            why = "each column must be u, v, t, w or - (ignored)";
            break;
        }
        if (k != ES_COL_SKIP && seen[k]++)
            why = "u, v, t and w may each be named once";
        fmt->cols[i] = k;
    }
    if (why == NULL && (!seen[ES_COL_U] || !seen[ES_COL_V]))
        why = "u and v must be named";
    if (why) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "--columns %s: %s (e.g. u,v or u,v,t or u,v,w,t)", spec, why);
        return FALSE;
    }
    fmt->ncols = n;
    return TRUE;
}

gboolean es_parse_delimiter(const char *spec, es_parse_format *fmt, GError **error)
{
    char d;
    if (strcmp(spec, "tab") == 0 || strcmp(spec, "\\t") == 0 || strcmp(spec, "\t") == 0 || strcmp(spec, " ") == 0 ||
        strcmp(spec, "space") == 0)
        d = 0;   /* blanks already separate fields */
    else if (strlen(spec) == 1 && !g_ascii_isalnum(spec[0]) && strchr("-+.#%\r\n\"", spec[0]) == NULL)
        d = spec[0];
    else {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "--delimiter must be one character such as , or ; or tab (not a letter, digit, sign, '.', '#' or '%%'), got \"%s\"",
                    spec);
        return FALSE;
    }
    fmt->delim = d;
    return TRUE;
}

/* The next field after *pp: [*a, *b), blanks around it trimmed; FALSE when
 * the line has no more.  With a delimiter, a delimiter promises a field
 * (*more), possibly empty. */
static gboolean next_field(char delim, const char **pp, const char *end, gboolean *more, const char **a,
                           const char **b)
{
    const char *p = *pp;
    if (delim == 0) {
        p = skip_blanks(p, end);
        if (p == end)
            return FALSE;
        *a = p;
        *b = *pp = token_end(p, end);
        return TRUE;
    }
    if (!*more)
        return FALSE;
    const char *q = memchr(p, delim, (size_t)(end - p));
    if (q == NULL)
        q = end;
    *more = q < end;
    const char *s = skip_blanks(p, q), *e = q;
    while (e > s && is_blank(e[-1]))
        e--;
    *a = s;
    *b = e;
    *pp = q < end ? q + 1 : end;
    return TRUE;
}

static es_line_kind bad_field(es_parse_fault *fault, const char *expected, const char *a, const char *b)
{
    fault->expected = expected;
    fault->got = a == b ? es_parse_empty_field : a;
    fault->got_len = (size_t)(b - a);
    return ES_LINE_BAD;
}

static es_line_kind parse_field(es_column col, gboolean optional_t, const char *a, const char *b,
                                es_parsed_edge *out, es_parse_fault *fault)
{
    uint64_t x = 0;
    gboolean over = FALSE;
    switch (col) {
    case ES_COL_U:
    case ES_COL_V:
        if (!es_parse_u64(a, b, &x, &over))
            return bad_field(fault, over ? EXP_ID_RANGE : col == ES_COL_U ? EXP_ID : EXP_ID2, a, b);
        *(col == ES_COL_U ? &out->u : &out->v) = x;
        return ES_LINE_EDGE;
    case ES_COL_T: {
        gboolean neg = a < b && *a == '-';
        if (!es_parse_u64(a + neg, b, &x, &over) || x > (uint64_t)INT64_MAX + neg) {
            double w;
            const char *exp = over || (x > (uint64_t)INT64_MAX + neg && a + neg < b)
                                  ? EXP_T_RANGE
                                  : es_parse_double(a, b, &w) ? EXP_TIME_W
                                  : optional_t                ? EXP_TIME
                                                              : EXP_COL_T;
            return bad_field(fault, exp, a, b);
        }
        out->t = neg ? (int64_t)(0 - x) : (int64_t)x;
        out->has_t = TRUE;
        return ES_LINE_EDGE;
    }
    case ES_COL_W:
        if (!es_parse_double(a, b, &out->w))
            return bad_field(fault, EXP_COL_W, a, b);
        out->has_w = TRUE;
        return ES_LINE_EDGE;
    case ES_COL_SKIP:
    default:
        return ES_LINE_EDGE;
    }
}

es_line_kind es_parse_line_as(const es_parse_format *fmt, const char *line, size_t len, es_parsed_edge *out,
                              es_parse_fault *fault)
{
    static const es_column deflt[] = { ES_COL_U, ES_COL_V, ES_COL_T };
    if (es_parse_format_is_default(fmt))
        return es_parse_line(line, len, out, fault);
    if (G_UNLIKELY(len > ES_MAX_LINE)) {
        fault->expected = EXP_LEN;
        fault->got = line;
        fault->got_len = len;
            return ES_LINE_BAD;
    }
    const char *p = line, *end = line + len;
    if (len > 0 && end[-1] == '\r')
        end--;
    p = skip_blanks(p, end);
    if (p == end || *p == '#' || *p == '%')
        return ES_LINE_SKIP;
    *out = (es_parsed_edge){ 0 };
    const es_column *cols = fmt->ncols ? fmt->cols : deflt;
    const guint ncols = fmt->ncols ? fmt->ncols : 3, required = fmt->ncols ? fmt->ncols : 2;
    gboolean more = TRUE;
    const char *a, *b;
    for (guint i = 0; i < ncols; i++) {
        if (!next_field(fmt->delim, &p, end, &more, &a, &b)) {
            if (i >= required)
                return ES_LINE_EDGE;
            static const char *const missing[] = { EXP_ID, EXP_ID2, EXP_COL_T, EXP_COL_W, EXP_COL_SKIP };
            /* the first vertex column read is "a vertex id", as in the default layout */
            return bad_field(fault, cols[i] == ES_COL_U && i > 0 ? EXP_ID2 : missing[cols[i]], end, end);
        }
        if (i >= required && a + 1 == b && (*a == '-' || *a == '+')) {
            out->del = *a == '-';
            goto after_sign;
        }
        es_line_kind k = parse_field(cols[i], i >= required, a, b, out, fault);
        if (k != ES_LINE_EDGE)
            return k;
    }
    if (!next_field(fmt->delim, &p, end, &more, &a, &b))
        return ES_LINE_EDGE;
    if (a + 1 != b || (*a != '-' && *a != '+'))
        return bad_field(fault, fmt->ncols ? EXP_SIGN : EXP_EOL_T, a, b);
    out->del = *a == '-';
after_sign:
    if (next_field(fmt->delim, &p, end, &more, &a, &b))
        return bad_field(fault, EXP_EOL, a, b);
    return ES_LINE_EDGE;
}
