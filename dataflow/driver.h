/* driver.h — the dataflow driver: source -> id map -> batches ->
 * every operator, with periodic reports, progress and snapshots.
 *
 * Three stages overlap (driver.c): a reader thread reads and parses batch
 * k+2, a mapper thread maps batch k+1's ids to dense ids (and runs the
 * edge table, the distinct-edge stage, on it), and the calling thread runs
 * the operators (OpenMP inside them) on batch k.  Batches pass through a
 * ring of four reused buffers, so memory stays flat however long the
 * stream.  Every operator sees batch k before any sees batch k+1: a batch
 * boundary is an aligned barrier, where snapshots are taken
 * (dataflow/checkpoint.h).  Batches are cut at multiples of report_every,
 * so interim reports land on exact edge counts; an interim report that
 * would fall where the stream ends is not made, the final one saying the
 * same (a pipe's stream is given 0.2 s to show its end).
 */
#ifndef ES_DRIVER_H
#define ES_DRIVER_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/checkpoint.h"
#include "dataflow/edgesource.h"
#include "dataflow/flow.h"
#include "dataflow/stop.h"
#include "graph/idmap.h"
#include "graph/parse.h"
#include "operators/report.h"

#define ES_DEFAULT_BATCH (1u << 20)

typedef void (*es_report_fn)(const es_report *report, void *user);

/* What a barrier hook sees: the operators and the id map as of the last
 * batch every operator folded (nothing changes them during the call; the
 * id map may hold ids of later batches: dense ids >= stats->vertices are
 * not yet in the answers), and the stream position. */
typedef struct {
    GPtrArray *ops;
    const struct es_driver_stats *stats;
    const es_idmap *idmap;
    const es_stream_pos *pos;
    uint64_t snapshot_id;        /* the last snapshot taken or restored (0: none), */
    uint64_t snapshot_offset;    /* its source offset (edgesource.h) */
    gboolean snapshot_now;       /* set by the hook: take a snapshot at this barrier */
    gboolean snapshot_answer;    /* the call after it asked: snapshot_id is that snapshot */
} es_barrier;
typedef void (*es_barrier_fn)(es_barrier *barrier, void *user);

typedef struct {
    const char *const *inputs;  /* NULL-terminated; "-" is stdin (when source is NULL) */
    es_edge_source *source;     /* another source (borrowed), or NULL: inputs */
    size_t   batch_size;        /* edges per batch, 0 = ES_DEFAULT_BATCH */
    uint64_t report_every;      /* interim report every N edges, 0 = none */
    uint64_t skip_bad;          /* bad lines tolerated */
    const es_parse_format *format; /* the lines' layout, NULL: `u v [t] [+|-]` */
    uint64_t window;            /* tumbling windows of this many edges, 0 = none: at each
                                   window's close one report (stream window_start,
                                   window_end), then every operator, the id map and the
                                   edge table start afresh; no snapshots */
    int64_t  window_span;       /* tumbling windows over the timestamp column: this many of its
                                   units, 0 = none (see window); windows are aligned to
                                   multiples of the span, empty ones are skipped, and an edge
                                   older than the open window's start is late: counted
                                   (stream late_edges) and dropped */
    gboolean lateness_on;       /* with window_span: out-of-order edges wait `lateness` units */
    int64_t  lateness;          /* (>= 0): the watermark is the largest timestamp seen minus it;
                                   an edge older than the watermark is late (counted, dropped),
                                   the others go to their own window, which closes once the
                                   watermark passes its end.  Without it, the watermark is the
                                   open window's (sliding: newest pane's) start */
    uint64_t window_slide;      /* with window or window_span: a sliding window of that size,
                                   sliding by this many edges or units (dividing it), instead
                                   of a tumbling one (dataflow/window.h): one report per
                                   slide, for the window ending there (empty ones skipped);
                                   the last, final, for the window holding the last edge;
                                   operators forget expiring edges through their deletion
                                   path (each must have one: checked at start) */
    gboolean deletions;         /* the stream may delete edges (lines ending in -): every
                                   operator must handle them (checked at start), the run
                                   keeps an edge table of multiplicities; without it a
                                   deletion line ends the run (ES_ERROR_DATA) */
    uint64_t max_edges;         /* stop after this many edges, 0 = read everything */
    int      threads;           /* OpenMP threads for operators, 0 = default */
    gboolean progress;          /* progress line on stderr */
    gboolean progress_lines;    /* as lines every few seconds (stderr is a log, not a terminal) */
    es_report_fn on_report;     /* called for each report, final one last */
    gboolean reports_only;      /* on_report reads the report it is given, never the
                                   operators: a sliding window's report may then be made
                                   beside the next expiry's fold and handed over after it
                                   (the operators already past it); otherwise on_report
                                   sees them as of the report */
    /* Called in the operators' thread after every batch and idle tick
     * (edgesource.h), before reports and snapshots; when it sets
     * snapshot_now, a snapshot is taken there, committed, and it is
     * called again with snapshot_id filled.  May be NULL. */
    es_barrier_fn on_barrier;
    void    *user;
    const es_checkpoint_config *checkpoint;  /* snapshots and resume, or NULL */
    gint64   linger_us;         /* a stream's batch closes this long after its first edge
                                   when no more input is ready (dataflow/reader.h) */
    es_stop *stop;              /* ends the stream early, as at its end (dataflow/stop.h), or NULL */
} es_driver_config;

typedef struct es_driver_stats {
    uint64_t edges;             /* edge lines accepted */
    uint64_t lines;             /* lines read */
    uint64_t bad_lines;         /* lines skipped as malformed */
    uint32_t vertices;
    uint64_t window;            /* with windows: their size (edges), else 0 */
    uint64_t window_start;      /* with windows: the reported window's first edge index */
    uint64_t window_end;        /* with sliding count windows: the index after its last (else
                                   window_start + window) */
    uint32_t absent;            /* with sliding windows: vertices no line of the window names,
                                   left out of every answer (es_operator.absent) */
    int64_t  span_lo, span_hi;  /* with time windows: the reported window's [start, end) */
    uint64_t late_edges;        /* with time windows: edges dropped as late */
    gboolean dynamic;           /* the run declared deletions: the stream section reports the next two */
    uint64_t deletions;         /* deletion lines accepted */
    uint64_t deletions_ignored; /* of those, deletions of absent edges (graph/edgetable.h); 0 in a
                                   run that keeps no edge table */
    double   seconds;
    guint    snapshots_failed;  /* snapshots not written (the run went on without them) */
} es_driver_stats;

/* Run the stream through ops (a GPtrArray of es_operator *).  On error the
 * run stops at once; no final report is made. */
gboolean es_driver_run(const es_driver_config *cfg, GPtrArray *ops, es_driver_stats *stats, GError **error);

/* The operators' side of a run, shared by a resumed run and the tools
 * that answer from a snapshot (tools/cli.h), so both rebuild a snapshot's
 * state the same way.  Before restoring ops from a snapshot: tell them how
 * the stream feeds them (es_operator.dynamic, .sliding).  Then start flow
 * over them (es_flow_init; snapshots: the run takes or resumed from
 * snapshots) and, in a sliding window, return its slider watching them
 * (else NULL); with snapshots and no deletions the restored edge tables
 * are dropped first, the window's lines rebuilding them
 * (es_slider_restore, which the caller runs on a snapshot's /window). */
void es_driver_mark_ops(GPtrArray *ops, gboolean deletions, gboolean sliding);
/* A stream with deletions: does every operator fold them (es_operator_
 * class.deletions)?  Else ES_ERROR_USAGE naming the first that does not. */
gboolean es_driver_check_deletions(GPtrArray *ops, GError **error);
/* The stream figures of a run resumed at edge `edges` with window w (NULL:
 * none): the window's bounds (window, window_start, window_end, span_lo,
 * span_hi) and late_edges, as its next report prints them. */
void es_driver_resumed_window(const es_driver_config *cfg, uint64_t edges, const struct es_snapshot_window *w,
                              es_driver_stats *stats);
struct es_slider *es_driver_flow_start(es_flow *flow, GPtrArray *ops, gboolean snapshots, gboolean deletions,
                                       gboolean sliding);

/* Fill r with the stream section and every operator's answers. */
void es_driver_collect(GPtrArray *ops, const es_driver_stats *stats, gboolean final, es_report *r);

#endif
