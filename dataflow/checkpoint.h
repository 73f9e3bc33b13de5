/* checkpoint.h — when and how a run takes its snapshots, and how it resumes
 * from one (the snapshot file itself is snapshot/snapshot.h).
 *
 * Barriers: a snapshot is taken at a batch boundary, after every operator
 * has folded the batch and before any sees the next, so the operators, the
 * id map and the source position describe the same prefix of the stream
 * (Chandy & Lamport 1985; Carbone et al., "Lightweight asynchronous
 * snapshots for distributed dataflows", 2015: one ordered stream needs no
 * alignment).  There every operator freezes its state (operator.h), and a
 * writer thread under SCHED_IDLE writes the snapshot while the stream goes
 * on; the logs it reads stay put until it ends (snapshot/logmem.h).  With
 * `wait`, or where logs may move (ulimit -v, said once on stderr), the
 * process writes it itself and the stream waits.  One write at a time: a
 * barrier due while the writer runs is deferred to the first boundary
 * after it ends, and the writer is raised to normal priority (where the
 * system allows).  Every writer commits through es_snapshot_write; a
 * failed snapshot (the final one included) is reported and counted and
 * costs only itself: the run goes on, the log files no kept snapshot lists
 * are deleted, and the next snapshot starts new ones.  The directory is
 * locked (flock) for the run, and a fresh run refuses a directory that
 * holds another run's snapshots.
 * Resume: the newest snapshot that verifies, if it matches the inputs and
 * operators; corrupt ones are skipped with a message.
 */
#ifndef ES_CHECKPOINT_H
#define ES_CHECKPOINT_H

#include <glib.h>
#include <stdint.h>

#include "snapshot/snapshot.h"

typedef struct {
    const char *dir;
    uint64_t    every_edges;   /* snapshot every N edges, 0 = not by count */
    gint64      every_us;      /* snapshot every T microseconds, 0 = not by time */
    guint       keep;          /* snapshots kept, >= 1 */
    gboolean    resume;        /* continue from the newest valid snapshot */
    gboolean    wait;          /* wait for each write: no barrier deferred, the stream stalls */
    const char *config;        /* the run's options as text, stored in each snapshot */
    const char *stream;        /* the stream's settings (dataflow/streamspec.h), stored in
                                  each snapshot and checked on resume */
    gboolean    verbose;       /* say on stderr what resume skipped and what failed */
} es_checkpoint_config;

struct es_snapshot_window;   /* snapshot/snapshot.h */

/* Where the stream stands at a barrier. */
typedef struct {
    uint64_t edges, lines, bad;
    uint32_t vertices;
    guint    input;
    uint64_t offset, line;
    const char *consumed;   /* es_reader_consumed_text at the barrier (borrowed) */
    /* A sliding window's lines (dataflow/window.h): at a barrier, frozen
     * by the caller; on resume, the restored snapshot's (the
     * checkpoint's, until it is freed); NULL: no window. */
    const struct es_snapshot_window *window;
} es_stream_pos;

typedef struct es_checkpoint es_checkpoint;
typedef struct es_edge_source es_edge_source;   /* dataflow/edgesource.h */

/* Lock the directory, remove partial files, take the source's identity
 * (src is borrowed for the checkpoint's life); with
 * resume, restore ops (GPtrArray of es_operator *) and the id map's
 * external ids (*externals, *n; NULL and 0 when starting afresh) and fill
 * *pos.  Errors: ES_ERROR_CONFIG when the newest valid snapshot does not
 * match this run (source, operators, format), ES_ERROR_DATA when snapshots
 * exist but none verifies. */
es_checkpoint *es_checkpoint_open(const es_checkpoint_config *cfg, es_edge_source *src, GPtrArray *ops,
                                  es_stream_pos *pos, uint64_t **externals, uint32_t *n, GError **error);
/* The next edge count at which a count-based snapshot falls, after `edges`
 * (UINT64_MAX when not by count): the driver cuts batches there. */
uint64_t es_checkpoint_next_cut(const es_checkpoint *ck, uint64_t edges);
/* Is a snapshot due at this barrier? */
gboolean es_checkpoint_due(es_checkpoint *ck, uint64_t edges);
/* Make a snapshot due at the next barrier (after the writer, if one
 * runs, has ended: the caller waits for it). */
void     es_checkpoint_request(es_checkpoint *ck);
/* Wait for the writer thread, if one runs: the last snapshot taken is
 * then committed, or failed (and counted). */
void     es_checkpoint_wait(es_checkpoint *ck);
/* Every part of the state starts afresh (a window closed): wait for the
 * writer, then let the next snapshot write every log anew
 * (es_snapshot_logs_restart). */
void     es_checkpoint_restart(es_checkpoint *ck);
/* Id of the last snapshot taken or restored (0: none). */
uint64_t es_checkpoint_last_id(const es_checkpoint *ck);
/* Take it: start the writer thread (or write here, see above).  The caller
 * guarantees that nothing mutates the id map or the operators during the
 * call (the barrier), and holds the id map's lock, so that its log cannot
 * move before the writer holds it; logs appended beside the call (the edge
 * table's, by the mapper) it has pinned first (snapshot/logmem.h:
 * es_log_pin), or stopped.  Ends the pin's hold when it writes here. */
void     es_checkpoint_take(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops);
/* End of stream: wait for the writer, then write the final snapshot
 * in-process (unless the last one is at this position).  Returns how many
 * snapshots of the run failed (each said why on stderr): a failed snapshot
 * costs only itself, the run goes on and reports. */
guint    es_checkpoint_finish(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals,
                              GPtrArray *ops);
/* Every snapshot from now on gets meta.extra = fn (snapshot/snapshot.h)
 * and is written in the stream's thread (fn may make MPI calls). */
void     es_checkpoint_set_extra(es_checkpoint *ck, es_snapshot_extra_fn fn, void *user);
/* The log table the next snapshot extends (snapshot/logs.h), for an
 * `extra` step that appends logs of its own (es_snapshot_logs_put). */
es_snapshot_logs *es_checkpoint_logs(es_checkpoint *ck);
/* Wait for a writer still running (after a failed run), unlock, free. */
void     es_checkpoint_free(es_checkpoint *ck);

/* "30s", "5m", "2h" or a plain edge count. */
gboolean es_checkpoint_parse_every(const char *s, uint64_t *edges, gint64 *us, GError **error);

#endif
