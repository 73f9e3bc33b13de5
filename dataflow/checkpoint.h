/* checkpoint.h — when and how a run takes its snapshots, and how it resumes
 * from one (the snapshot file itself is snapshot/snapshot.h).
 *
 * Barriers: a snapshot is taken at a batch boundary, after every operator
 * has folded the batch and before any sees the next: the operators' states,
 * the id map and the source position then describe the same prefix of the
 * stream (Chandy & Lamport 1985; Carbone et al., "Lightweight asynchronous
 * snapshots for distributed dataflows", 2015 — with one ordered stream the
 * barrier needs no alignment).
 *
 * Asynchronous write, two ways.  When every operator of the run is
 * snapshot_frozen (operators/operator.h: its writer reads only what its
 * prepare froze), a thread writes the snapshot: at the barrier every
 * operator takes its shadow copies and the pointers and lengths of its
 * logs, which keep their blocks while the thread lives (es_big_grow_log,
 * graph/common.h), and the thread appends the logs' new parts with direct
 * I/O (snapshot/logs.h) and writes the file while the stream goes on.
 * Otherwise the process forks at the barrier (as Redis's BGSAVE does) and
 * the child writes: the operators' working memory is kept from it, the
 * logs are cut at their length, so the parent's later writes copy no
 * page, and the child reports the log lengths it committed through a
 * pipe, so that the next writer appends after them.  A thread is the
 * cheaper of the two: a fork cost the stream 9 ms of CPU per snapshot on
 * R-MAT scale 20 (page tables write-protected, copy-on-write faults, the
 * TLB refilled), and the child's start-up and exit 8 ms more.  Either
 * writer runs under SCHED_IDLE, on CPU the stream leaves idle.  One write
 * at a time: a barrier that comes while the previous write is still
 * running is deferred to the first batch boundary after that write ends,
 * so the stream never waits for disk, and the late writer is raised to
 * normal priority (as it is when the run ends and waits for it).  With
 * `wait` the stream stalls for every write anyway, so the process writes
 * the snapshot itself, in the stream's thread.  A failed write (the final
 * one included) is reported and counted and costs only itself: the run
 * goes on, log files no kept snapshot lists are deleted; after a failed
 * thread or in-process write the next snapshot starts new log files, after
 * a failed child it appends after the lengths last committed.  Raising a late writer's priority needs the right to
 * (root, or RLIMIT_NICE): without it the writer keeps to idle CPU, and
 * barriers are deferred until it ends.  The
 * directory is locked (flock) by the run and by its
 * writer child, so a resumed run waits for an orphaned writer instead of
 * racing it.
 */
#ifndef ES_CHECKPOINT_H
#define ES_CHECKPOINT_H

#include <glib.h>
#include <stdint.h>

typedef struct {
    const char *dir;
    uint64_t    every_edges;   /* snapshot every N edges, 0 = not by count */
    gint64      every_us;      /* snapshot every T microseconds, 0 = not by time */
    guint       keep;          /* snapshots kept, >= 1 */
    gboolean    resume;        /* continue from the newest valid snapshot */
    gboolean    wait;          /* wait for each write: no barrier deferred, the stream stalls */
    const char *config;        /* the run's options as text, stored in each snapshot */
    gboolean    verbose;       /* say on stderr what resume skipped and what failed */
} es_checkpoint_config;

/* Where the stream stands at a barrier. */
typedef struct {
    uint64_t edges, lines, bad;
    uint32_t vertices;
    guint    input;
    uint64_t offset, line;
    const char *consumed;   /* es_reader_consumed_text at the barrier (borrowed) */
} es_stream_pos;

typedef struct es_checkpoint es_checkpoint;

/* Lock the directory, remove partial files, fingerprint the inputs; with
 * resume, restore ops (GPtrArray of es_operator *) and the id map's
 * external ids (*externals, *n; NULL and 0 when starting afresh) and fill
 * *pos.  Errors: ES_ERROR_CONFIG when the newest valid snapshot does not
 * match this run (inputs, operators, format), ES_ERROR_DATA when snapshots
 * exist but none verifies. */
es_checkpoint *es_checkpoint_open(const es_checkpoint_config *cfg, const char *const *inputs, GPtrArray *ops,
                                  es_stream_pos *pos, uint64_t **externals, uint32_t *n, GError **error);
/* The next edge count at which a count-based snapshot falls, after `edges`
 * (UINT64_MAX when not by count): the driver cuts batches there. */
uint64_t es_checkpoint_next_cut(const es_checkpoint *ck, uint64_t edges);
/* Is a snapshot due at this barrier? */
gboolean es_checkpoint_due(es_checkpoint *ck, uint64_t edges);
/* Take it: start a writer (a thread or a forked child).  The caller
 * guarantees that nothing mutates the id map or the operators during the
 * call (the barrier), and holds the id map's lock, so that its log cannot
 * move before the writer holds it. */
void     es_checkpoint_take(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops);
/* End of stream: wait for the writer, then write the final snapshot
 * in-process (unless the last one is at this position).  Returns how many
 * snapshots of the run failed (each said why on stderr): a failed snapshot
 * costs only itself, the run goes on and reports. */
guint    es_checkpoint_finish(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals,
                              GPtrArray *ops);
/* Wait for a writer still running (after a failed run), unlock, free. */
void     es_checkpoint_free(es_checkpoint *ck);

/* "30s", "5m", "2h" or a plain edge count. */
gboolean es_checkpoint_parse_every(const char *s, uint64_t *edges, gint64 *us, GError **error);

#endif
