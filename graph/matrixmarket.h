/* matrixmarket.h — MatrixMarket coordinate files as edge streams.
 *
 * What: a file whose first line is the banner
 *   %%MatrixMarket matrix coordinate pattern|integer|real general|symmetric
 * (words after the first case-insensitive, as the format says) holds, after
 * '%' comment lines, a size line `rows columns entries` and then one entry
 * `i j [value]` per line, 1-based.  Each entry is an undirected edge: for
 * a square matrix (rows == columns, always so when symmetric) between
 * vertices i and j, ids as written; for a rectangular one, between row i
 * and column j, the column's vertex id being rows + j (rows and columns
 * are distinct vertex sets: a bipartite graph).  A value (integer or real)
 * is the edge's weight.  The banner and size line are never edges.
 * Checks: the banner's words, the size line (three integers, square when
 * symmetric), every index within its bound (0 is out of range: 1-based),
 * a value exactly when the field is not pattern, and the count of entry
 * lines against the size line's (es_mm_finish at the end of the file).
 * Source: the NIST format definition, "The Matrix Market Exchange
 * Formats: Initial Design" (Boisvert, Pozo, Remington, 1996).
 * Cost: O(len) per line, no allocation; the state is a few integers.
 */
#ifndef ES_MATRIXMARKET_H
#define ES_MATRIXMARKET_H

#include <glib.h>
#include <stdint.h>

#include "graph/parse.h"

typedef struct {
    gboolean on;            /* the input opened with a banner */
    gboolean sized;         /* its size line was read */
    gboolean pattern, integer;
    gboolean symmetric;
    uint64_t rows, cols, nnz;
    uint64_t entries;       /* entry lines read so far (good or bad) */
    uint64_t size_line;     /* line number of the size line */
} es_mm;

/* Is [line, line+len) a MatrixMarket banner (starts with %%MatrixMarket)? */
gboolean es_mm_is_banner(const char *line, size_t len);
/* Read the banner into a fresh state: ES_LINE_SKIP, or ES_LINE_FATAL with
 * the fault (not a coordinate matrix of a supported field or symmetry). */
es_line_kind es_mm_banner(es_mm *mm, const char *line, size_t len, es_parse_fault *fault);
/* One line after the banner, number line_no of the file: a comment or
 * blank (ES_LINE_SKIP), the size line (ES_LINE_SKIP), an entry
 * (ES_LINE_EDGE, with out->has_w for integer and real), ES_LINE_BAD for
 * a bad entry, ES_LINE_FATAL for a bad size line or an entry beyond its
 * count. */
es_line_kind es_mm_line(es_mm *mm, uint64_t line_no, const char *line, size_t len, es_parsed_edge *out,
                        es_parse_fault *fault);
/* At the end of the file: FALSE with ES_ERROR_DATA when no size line came
 * or the entries do not number what it said (`name:LINE: ...`). */
gboolean es_mm_finish(const es_mm *mm, const char *name, uint64_t last_line, GError **error);

#endif
