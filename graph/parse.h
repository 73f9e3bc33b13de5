/* parse.h — the edge-line parser.
 *
 * A line is `u v [t] [+|-]`: two unsigned 64-bit vertex ids
 * (0 .. 18446744073709551615), an optional signed 64-bit integer timestamp
 * and an optional sign, `-` for a deletion and `+` for an insertion (the
 * default), separated by spaces or tabs.  Leading and trailing blanks are
 * allowed; a trailing '\r' (CRLF files) is ignored; a line whose first
 * non-blank character is '#' or '%' is a comment; a blank line is skipped.
 * Anything else is malformed, and the parser says what it expected and what
 * it got, so the caller can print `FILE:LINE: expected a vertex id, got "x1"`.
 *
 * Other layouts (es_parse_format): named columns (`--columns u,v,w,t`:
 * KONECT's weight then timestamp; `-` ignores a column), each required,
 * then the optional sign; and a delimiter other than blanks (`,` for CSV:
 * fields split at each comma, blanks around a field trimmed).  A weight is
 * any decimal number strtod reads ("1", "-0.5", "2e3"); a timestamp, ids
 * and weights are checked as above.  A decimal number where a timestamp is
 * expected gets a message that names --columns.
 *
 * Cost: one pass over the bytes, no scanf/strtok/strtoull, no allocation;
 * the default layout keeps the SWAR fast path (parse.c), named columns
 * and delimiters take a plainer loop.
 */
#ifndef ES_PARSE_H
#define ES_PARSE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Lines longer than this (bytes, without the newline) are malformed. */
#define ES_MAX_LINE 4096

typedef enum {
    ES_LINE_EDGE,   /* u, v (and maybe t) were parsed */
    ES_LINE_SKIP,   /* blank line or comment */
    ES_LINE_BAD,    /* malformed: see es_parse_fault */
    ES_LINE_FATAL,  /* malformed beyond any --skip-bad: a line that says how to read the
                       rest (graph/matrixmarket.h's banner and size line) */
} es_line_kind;

typedef struct {
    const char *expected;  /* static text: "a vertex id", "a second vertex id",
                              "a timestamp or end of line", "end of line",
                              "a vertex id below 2^64", "a line of at most 4096 bytes" ... */
    const char *got;       /* points into the line: the offending token */
    size_t      got_len;   /* its length (0 at end of line; the caller prints "end of line") */
} es_parse_fault;

/* `got` of a fault at an empty field between delimiters (the message then
 * says "got an empty field"). */
extern const char es_parse_empty_field[];

typedef struct {
    uint64_t u, v;
    int64_t  t;
    double   w;          /* the weight column's value, 0 without one */
    gboolean has_t, has_w;
    gboolean del;        /* the line ends with `-`: a deletion */
} es_parsed_edge;

typedef enum { ES_COL_U, ES_COL_V, ES_COL_T, ES_COL_W, ES_COL_SKIP } es_column;
#define ES_MAX_COLUMNS 16

/* What each column holds and what separates them.  All zero is the
 * default: blanks, `u v [t]`. */
typedef struct {
    char      delim;                  /* 0: runs of blanks; else this byte */
    guint     ncols;                  /* 0: `u v [t]` */
    es_column cols[ES_MAX_COLUMNS];
} es_parse_format;

/* "u,v", "u,v,t", "u,v,w,t", "u,-,v" ...: u and v exactly once, t and w at
 * most once, `-` for a column to ignore, at most ES_MAX_COLUMNS.  Bad:
 * ES_ERROR_USAGE naming the spec. */
gboolean es_parse_columns(const char *spec, es_parse_format *fmt, GError **error);
/* A delimiter: one byte other than a digit, '-', '+', '.', '#', '%',
 * '\r' or '\n'; "tab" and "\t" name the tab.  Bad: ES_ERROR_USAGE. */
gboolean es_parse_delimiter(const char *spec, es_parse_format *fmt, GError **error);
/* Whether fmt is the default layout (es_parse_line's). */
gboolean es_parse_format_is_default(const es_parse_format *fmt);

/* Parse one line [line, line+len), without its '\n' (a '\r' before it is
 * allowed), in the default layout. */
es_line_kind es_parse_line(const char *line, size_t len, es_parsed_edge *out, es_parse_fault *fault);
/* The same in layout fmt (NULL: the default). */
es_line_kind es_parse_line_as(const es_parse_format *fmt, const char *line, size_t len, es_parsed_edge *out,
                              es_parse_fault *fault);

/* Read a whole token [p, end) as a number: FALSE when it is not one (or is
 * out of range).  The MatrixMarket reader (dataflow/reader.c) shares them. */
gboolean es_parse_u64(const char *p, const char *end, uint64_t *out, gboolean *overflow);
gboolean es_parse_double(const char *p, const char *end, double *out);

/* Render a fault as `expected X, got "Y"` (Y shortened to 40 bytes with
 * non-printable bytes escaped). Caller frees. */
char *es_parse_fault_message(const es_parse_fault *fault);

#endif
