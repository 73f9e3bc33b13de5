/* snapshot.h — HDF5 snapshots of a run: the consistent cut at a batch
 * boundary (source position, id map, every operator's state), committed
 * atomically and verified before HDF5 ever parses them.
 *
 * A snapshot is DIR/snap-NNNNNN.h5 plus the log files its header lists
 * (snapshot/logs.h); the README's "Snapshot file layout" is the one
 * description of the header, the HDF5 layout and each operator's group.
 * The header (a 4096-byte HDF5 user block of text) carries the file's
 * length and CRC-32 and each log's length and CRC-32 of its prefix, so a
 * truncated, partial or bit-flipped file, or a damaged log, is refused by
 * reading plain bytes before the HDF5 library (which has crashed on
 * malformed files) sees it.
 *
 * Commit (es_snapshot_write, the one commit every writer goes through):
 * append the logs' new bytes, write snap-NNNNNN.h5.tmp, fill its header,
 * fsync it and the logs together, rename, fsync the directory.  A failed write
 * removes its .tmp and leaves no file a resume would pick; its log bytes
 * lie past every committed length, where the next writer overwrites them.
 * Retention keeps the newest K snapshots, the previous generation's last
 * (snapshot/logs.h), and the log files they list.
 */
#ifndef ES_SNAPSHOT_H
#define ES_SNAPSHOT_H

#include <glib.h>
#include <hdf5.h>
#include <stdint.h>

#include "graph/edgetable.h"
#include "snapshot/logs.h"

#define ES_SNAPSHOT_FORMAT 10
#define ES_SNAPSHOT_HEADER 4096

/* A window's state beyond the operators, the group /window of a
 * snapshot: the open pane (or tumbling window over time) and the late
 * lines so far; a sliding window's lines (dataflow/window.h:
 * es_slider_freeze): its panes oldest first, each pane's number, stream
 * index of its first line and line count, and the lines themselves
 * (dense ids, 2 per line) in stream order; with --deletions also the
 * copies of them deletions took back. */
typedef struct es_snapshot_window {
    gboolean  present;   /* the snapshot has a /window group */
    int64_t   open;      /* the pane opened last (a tumbling window over time: the window) */
    uint64_t  late;      /* windows over time: edges dropped as late so far, */
    uint64_t  late_tail; /* of which read after the last accepted line */
    size_t    panes;
    int64_t  *pane;
    uint64_t *first, *len;
    size_t    lines;
    uint32_t *edges;
    /* --lateness: the watermark's state and the lines read but not yet
     * handed on (windows it has not passed), pane by pane (oldest first),
     * in arrival order inside each; written only with it (held_present). */
    gboolean  held_present;
    int64_t   max_time;    /* the largest timestamp seen */
    uint64_t  late_read;   /* late lines read so far (late: those the reports count) */
    uint64_t  sent_any;    /* 1 once a pane was handed on, */
    int64_t   sent_pane;   /* the last one */
    size_t    held;
    uint64_t *held_time;   /* (two's complement) */
    uint64_t *held_ids;    /* 2 per line, external ids */
    uint8_t  *held_del;
    double   *held_weight;
    uint64_t *held_late;   /* late lines read when the watermark passed its pane (UINT64_MAX: not yet) */
    /* A sliding window with --deletions: the copies of the window's lines
     * that deletion lines took back, per pair (key min(u,v) << 32 |
     * max(u,v), increasing; each count >= 1, at most the pair's lines in
     * the window): the oldest lines of each pair, whose expiries are
     * dropped (dataflow/window.h).  Written only in such a run
     * (cancelled_present), even when there are none. */
    gboolean  cancelled_present;
    size_t    cancelled;
    uint64_t *cancelled_keys;
    uint64_t *cancelled_counts;
} es_snapshot_window;

/* Free what es_snapshot_read_window allocated. */
void es_snapshot_window_clear(es_snapshot_window *w);
/* The /window group of the snapshot at path (a verified file): *w, or
 * w->present FALSE when it has none; each pane checked
 * (increasing numbers, lengths summing to the lines, vertices below n),
 * and the cancelled copies' keys (increasing, u < v < n, counts >= 1;
 * es_slider_restore checks them against the lines). */
gboolean es_snapshot_read_window(const char *path, uint32_t n, es_snapshot_window *w, GError **error);

/* Writes parts of a snapshot into its closed file tmp (es_snapshot_meta.extra). */
typedef gboolean (*es_snapshot_extra_fn)(const char *tmp, void *user, GError **error);

typedef struct {
    uint64_t snapshot_id, parent_id;
    int64_t  created_unix_ns;
    uint64_t edges_consumed;    /* stream index of the next edge */
    uint64_t lines_consumed;    /* lines read, all inputs */
    uint64_t bad_lines;         /* lines skipped as malformed */
    char    *source_kind;       /* "files" */
    uint64_t source_input;      /* index of the input to continue in */
    uint64_t source_offset;     /* bytes of that input consumed (uncompressed) */
    uint64_t source_line;       /* lines of that input consumed */
    char    *source_identity;   /* one line per input: path, size, digests */
    char    *source_consumed;   /* one line per input up to source_input: CRC-32s of
                                   the bytes consumed (dataflow/consumed.h) */
    char    *config;            /* the run's options, as text */
    char    *operators;         /* the --ops specs, comma separated */
    char    *stream;            /* the stream's settings (dataflow/streamspec.h) */
    const es_snapshot_window *window;   /* written as /window (borrowed), or NULL */
    /* Parts written by others into the closed .tmp before its header is
     * filled (state partitioned across MPI ranks, written collectively:
     * mpi/snapshot_mpi.h), or NULL.  Called in the writing thread. */
    es_snapshot_extra_fn extra;
    void     *extra_user;
} es_snapshot_meta;

void es_snapshot_meta_clear(es_snapshot_meta *m);

/* Write a committed snapshot DIR/snap-<meta->snapshot_id>.h5 from the
 * metadata, the id map's external ids (n vertices) and every operator of
 * ops (GPtrArray of es_operator *).  With logs, append-only arrays extend
 * the log files logs describes (and logs is updated); with NULL they are
 * written into the file.  Every operator must have been prepared
 * (es_operator_snapshot_prepare) since its last batch: this writes what
 * prepare froze and calls no prepare itself, so it may run in a thread
 * beside the stream.  Single-threaded; no OpenMP. */
gboolean es_snapshot_write(const char *dir, const es_snapshot_meta *meta,
                           const uint64_t *externals, uint32_t n, GPtrArray *ops,
                           es_snapshot_logs *logs, GError **error);

/* One self-contained snapshot file at `path` (every array inline, no log
 * files): the operators are prepared here (so call it at a batch
 * boundary, from the stream's thread), the file is written by
 * es_snapshot_write into a fresh directory beside path and renamed onto
 * it, so path appears whole or not at all.  ES_ERROR_IO when it cannot be
 * written. */
gboolean es_snapshot_write_file(const char *path, const es_snapshot_meta *meta, const uint64_t *externals,
                                uint32_t n, GPtrArray *ops, GError **error);

/* Check the header, the whole-file checksum and the log files the header
 * lists (in the snapshot's directory), without HDF5. */
gboolean es_snapshot_verify(const char *path, GError **error);

/* Set logs to the log files the snapshot's header lists (so that the next
 * snapshot extends them). */
gboolean es_snapshot_load_logs(const char *path, es_snapshot_logs *logs, GError **error);

/* Read the root metadata (the file must verify first: es_snapshot_verify
 * checks its format, written in the header). */
gboolean es_snapshot_read_meta(const char *path, es_snapshot_meta *meta, GError **error);

/* Restore the id map's external ids (caller frees with es_h5_free(p, n*8)),
 * the edge table (every operator's `edges`, the first one's `own_edges`)
 * and every operator of ops (created from meta->operators by the caller). */
gboolean es_snapshot_restore(const char *path, uint64_t **externals, uint32_t *n,
                             GPtrArray *ops, GError **error);

/* The edge table's part, /edges/keys: the keys of the table the
 * operators read, frozen at the barrier (es_operator_snapshot_prepare),
 * written once for all of them (nothing when none reads one).  Read back
 * into a new table (*table; NULL when the snapshot has none), each key
 * checked by es_edgetable_add_keys against num_vertices. */
gboolean es_snapshot_write_edges(hid_t file, GPtrArray *ops, es_snapshot_logs *logs, GError **error);
gboolean es_snapshot_read_edges(hid_t file, uint32_t num_vertices, es_edgetable **table, GError **error);
/* Keys [first, first + count) of /edges/keys (count UINT64_MAX: every
 * key; otherwise an error when past the end) in file order, handed to fn
 * a piece of at most 1 Mi keys at a time (bounded memory for any table);
 * *total (when not NULL) gets the dataset's length.  FALSE with error set
 * when the dataset is missing or unreadable or fn fails. */
typedef gboolean (*es_snapshot_keys_fn)(void *ctx, const uint64_t *keys, size_t n, GError **error);
gboolean es_snapshot_read_key_range(hid_t file, uint64_t first, uint64_t count, es_snapshot_keys_fn fn, void *ctx,
                                    size_t *total, GError **error);

/* DIR/snap-<id>.h5 (g_free it). */
char      *es_snapshot_path(const char *dir, uint64_t id);
/* Committed snapshot paths in dir, newest first (GPtrArray of char *). */
GPtrArray *es_snapshot_list(const char *dir);
/* Largest snapshot id in dir (0 when none). */
uint64_t   es_snapshot_last_id(const char *dir);
/* Delete all but the newest `keep` snapshots and the newest one that
 * shares no log file with the newest (the previous generation's last,
 * snapshot/logs.h), and the log files none of those lists. */
void       es_snapshot_retain(const char *dir, guint keep);
/* Delete leftover *.h5.tmp files of interrupted writes; returns how many. */
guint      es_snapshot_remove_partial(const char *dir, gboolean verbose);


#endif
