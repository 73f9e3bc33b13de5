/* parse.h — the edge-line parser.
 *
 * A line is `u v [t]`: two unsigned 64-bit vertex ids (0 .. 18446744073709551615)
 * and an optional signed 64-bit integer timestamp, separated by spaces or
 * tabs.  Leading and trailing blanks are allowed; a trailing '\r' (CRLF files)
 * is ignored; a line whose first non-blank character is '#' or '%' is a
 * comment; a blank line is skipped.  Anything else is malformed, and the
 * parser says what it expected and what it got, so the caller can print
 * `FILE:LINE: expected a vertex id, got "x1"`.
 *
 * Cost: one pass over the bytes, no scanf/strtok/strtoull, no allocation.
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
} es_line_kind;

typedef struct {
    const char *expected;  /* static text: "a vertex id", "a second vertex id",
                              "a timestamp or end of line", "end of line",
                              "a vertex id below 2^64", "a line of at most 4096 bytes" ... */
    const char *got;       /* points into the line: the offending token */
    size_t      got_len;   /* its length (0 at end of line; the caller prints "end of line") */
} es_parse_fault;

typedef struct {
    uint64_t u, v;
    int64_t  t;
    gboolean has_t;
} es_parsed_edge;

/* Parse one line [line, line+len), without its '\n' (a '\r' before it is
 * allowed). */
es_line_kind es_parse_line(const char *line, size_t len, es_parsed_edge *out, es_parse_fault *fault);

/* Render a fault as `expected X, got "Y"` (Y shortened to 40 bytes with
 * non-printable bytes escaped). Caller frees. */
char *es_parse_fault_message(const es_parse_fault *fault);

#endif
