/* edgestream.h — the edgestream library: incremental answers over a graph
 * edge stream (connected components, bipartiteness, degrees, exact and
 * estimated triangles, degree sketches, a spanner), the engine of the
 * `edgestream` command, as a C API.
 *
 *   edgestream *s;
 *   edgestream_error err;
 *   if (edgestream_open(&s, "cc,degree,tri", NULL, &err) != EDGESTREAM_OK) {
 *       fprintf(stderr, "%s\n", err.message);
 *       return err.code;
 *   }
 *   uint64_t ids[] = { 1, 2,  2, 3,  3, 1 };     // edges 1-2, 2-3, 3-1
 *   edgestream_feed(s, ids, 3, &err);
 *   uint64_t t;
 *   edgestream_local_triangles(s, 2, &t, &err);  // t == 1
 *   edgestream_free(s);
 *
 * A stream holds operators (the names and options of `edgestream run
 * --ops`, README.md "Operators and their answers") and folds every edge
 * fed to it, in order; its answers are those of `edgestream run` on the
 * same edges, however they were cut into calls.  Vertices are unsigned
 * 64-bit ids; the graph is undirected; self-loops and repeated edges are
 * counted, not errors.
 *
 * Errors: every call that can fail returns 0 (EDGESTREAM_OK) or a status
 * (edgestream_status: the `edgestream` command's exit statuses) and, when
 * `err` is not NULL, fills it with the status and a one-line message.
 * Nothing to free, no global state.  A malformed line fails its call
 * after the edges before it were folded, and the stream stays usable; a
 * limit (2^32 - 2 vertices) ends the stream: every later call fails.
 * Out of memory ends the process (status 71, a message on stderr), as
 * the command does.
 *
 * Threads: one stream is used by one thread at a time; distinct streams
 * may be fed from distinct threads, but snapshots and restores (HDF5)
 * must not run in two threads at once.  Operators use OpenMP inside a
 * call (`threads` below).
 *
 * Link: `cc prog.c $(pkg-config --cflags --libs edgestream)`.
 */
#ifndef EDGESTREAM_H
#define EDGESTREAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGESTREAM_VERSION "0.1.0"

#if defined(__GNUC__)
#define EDGESTREAM_API __attribute__((visibility("default")))
#else
#define EDGESTREAM_API
#endif

typedef enum {
    EDGESTREAM_OK        = 0,
    EDGESTREAM_ENOVERTEX = 1,   /* a query names a vertex the stream has not seen */
    EDGESTREAM_EUSAGE    = 64,  /* bad operator or option; a query for an operator the stream lacks */
    EDGESTREAM_EDATA     = 65,  /* malformed line, corrupt snapshot, a limit of the data */
    EDGESTREAM_ENOINPUT  = 66,  /* a file that cannot be opened */
    EDGESTREAM_EINTERNAL = 70,
    EDGESTREAM_EIO       = 74,  /* a read or write failed */
    EDGESTREAM_ECONFIG   = 78,  /* a snapshot of another format */
} edgestream_status;

typedef struct {
    int  code;                  /* an edgestream_status */
    char message[512];          /* one line, e.g. "lines:7: expected a vertex id, got \"x1\"" */
} edgestream_error;

typedef struct {
    size_t   batch;             /* edges per batch at most, 0: 1048576 (as `run`); no answer
                                   depends on it, but each call folds at least one batch, and
                                   some operators pay per batch (feed large pieces) */
    uint64_t skip_bad;          /* malformed lines tolerated over the stream's life */
    int      threads;           /* OpenMP threads inside operators, 0: OpenMP's default */
    int      deletions;         /* 1: lines may delete edges (`u v -`), as `run --deletions`;
                                   an operator that folds none is refused at open.  On
                                   restore the snapshot's stream decides, not this */
} edgestream_options;

typedef struct edgestream edgestream;

/* Open a stream with operators `ops` ("cc,degree,tri-est:m=100000,seed=7";
 * NULL: "cc,degree") and opts (NULL: defaults).  Usage error for an
 * unknown operator or a bad option, naming it. */
EDGESTREAM_API int  edgestream_open(edgestream **s, const char *ops, const edgestream_options *opts,
                                    edgestream_error *err);
/* Continue a stream from a snapshot file (edgestream_snapshot's, or one of
 * a run's --snapshot-dir with its log files beside it): its operators,
 * vertices, position and deletions setting.  EDGESTREAM_ENOINPUT,
 * EDGESTREAM_EDATA (corrupt), EDGESTREAM_ECONFIG (another format, or a
 * snapshot of a run in windows, which only `edgestream run --resume`
 * continues). */
EDGESTREAM_API int  edgestream_restore(edgestream **s, const char *path, const edgestream_options *opts,
                                       edgestream_error *err);
EDGESTREAM_API void edgestream_free(edgestream *s);

/* Feed n edges: ids[2i] -- ids[2i+1].  O(n) plus the operators' cost. */
EDGESTREAM_API int edgestream_feed(edgestream *s, const uint64_t *ids, size_t n, edgestream_error *err);
/* Feed text lines `u v [t] [+|-]` (README.md "Input format"), len bytes
 * of whole lines, the last one's '\n' optional; a deletion line in a
 * stream opened without options.deletions fails the call (EDGESTREAM_EDATA)
 * after the lines before it are folded.  A malformed line beyond
 * skip_bad: EDGESTREAM_EDATA, "lines:N: expected ...", N counted over
 * every line fed as text. */
EDGESTREAM_API int edgestream_feed_lines(edgestream *s, const char *text, size_t len, edgestream_error *err);
/* Feed an edge-list file (plain or gzip; "-" is standard input) to its
 * end; errors name it ("f.txt:7: expected ..."). */
EDGESTREAM_API int edgestream_feed_file(edgestream *s, const char *path, edgestream_error *err);

EDGESTREAM_API uint64_t edgestream_edges(const edgestream *s);     /* edges fed so far */
EDGESTREAM_API uint64_t edgestream_vertices(const edgestream *s);  /* distinct vertex ids seen */

/* Reports: every answer now, as (operator, metric, value), in the order
 * and with the names of `edgestream run --format tsv`; the "stream"
 * operator comes first. */
typedef enum {
    EDGESTREAM_UINT,            /* u */
    EDGESTREAM_INT,             /* i */
    EDGESTREAM_DOUBLE,          /* d */
    EDGESTREAM_BOOL,            /* b, 0 or 1 */
    EDGESTREAM_STRING,          /* str */
    EDGESTREAM_HISTOGRAM,       /* bins[0 .. nbins), by value ascending */
    EDGESTREAM_LIST,            /* str: tuples of numbers, "a:b,c:d" ("" for none), e.g. a top-k list */
} edgestream_kind;

typedef struct {
    uint64_t value, count;
} edgestream_bin;

typedef struct {
    const char           *op;       /* "cc" */
    const char           *metric;   /* "components" */
    edgestream_kind       kind;
    uint64_t              u;
    int64_t               i;
    double                d;
    int                   b;
    const char           *str;
    const edgestream_bin *bins;
    size_t                nbins;
} edgestream_value;

typedef struct edgestream_report edgestream_report;

/* The answers now; valid until edgestream_report_free, whatever the
 * stream does meanwhile.  O(vertices) for histograms. */
EDGESTREAM_API edgestream_report      *edgestream_report_take(edgestream *s);
EDGESTREAM_API size_t                  edgestream_report_size(const edgestream_report *r);
/* The i-th answer (i < size). */
EDGESTREAM_API const edgestream_value *edgestream_report_get(const edgestream_report *r, size_t i);
/* The answer named so, or NULL. */
EDGESTREAM_API const edgestream_value *edgestream_report_find(const edgestream_report *r, const char *op,
                                                              const char *metric);
EDGESTREAM_API void                    edgestream_report_free(edgestream_report *r);

/* Queries on one vertex (its id as fed).  EDGESTREAM_ENOVERTEX for a
 * vertex not seen, EDGESTREAM_EUSAGE when the stream lacks the operator.
 * component (needs cc): the id of its component's representative: two
 * vertices are connected iff they have the same (a representative may
 * change as components merge).  O(log n) amortised.
 * degree (needs degree): distinct neighbours, self-loops excluded.  O(1).
 * local triangles (needs tri): triangles through v.  O(1). */
EDGESTREAM_API int edgestream_component(edgestream *s, uint64_t v, uint64_t *label, edgestream_error *err);
EDGESTREAM_API int edgestream_degree(edgestream *s, uint64_t v, uint64_t *degree, edgestream_error *err);
EDGESTREAM_API int edgestream_local_triangles(edgestream *s, uint64_t v, uint64_t *count, edgestream_error *err);

/* The same for every vertex at once, into out[0 .. edgestream_vertices):
 * vertex i is the i-th distinct id seen (edgestream_vertex_ids).  O(n). */
EDGESTREAM_API void edgestream_vertex_ids(const edgestream *s, uint64_t *out);
EDGESTREAM_API int  edgestream_component_labels(edgestream *s, uint64_t *out, edgestream_error *err);
EDGESTREAM_API int  edgestream_degrees(edgestream *s, uint64_t *out, edgestream_error *err);
EDGESTREAM_API int  edgestream_triangle_counts(edgestream *s, uint64_t *out, edgestream_error *err);

/* Write the stream's whole state to one self-contained HDF5 snapshot file
 * (README.md "Snapshot file layout"; `edgestream inspect` reads it), which
 * appears whole or not at all.  EDGESTREAM_EIO when it cannot be written. */
EDGESTREAM_API int edgestream_snapshot(edgestream *s, const char *path, edgestream_error *err);

/* A status's meaning in a few words ("bad input data"). */
EDGESTREAM_API const char *edgestream_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
