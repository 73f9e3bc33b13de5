/* checkpoint.c — snapshot scheduling, the writer thread, and resume (see
 * checkpoint.h). */
#include "dataflow/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataflow/edgesource.h"
#include "dataflow/streamspec.h"
#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/snapshot.h"

struct es_checkpoint {
    es_checkpoint_config cfg;
    es_edge_source *src;       /* the run's source (borrowed): kind and identity */
    char    *dir;
    char    *identity;         /* one line per input */
    char    *ops_spec;
    char    *stream;           /* es_stream_spec */
    char    *consumed;         /* the inputs' consumed bytes at the last barrier (es_reader_consumed_text) */
    int      lock_fd;
    uint64_t next_id;          /* id of the next snapshot */
    uint64_t parent_id;        /* id of the last snapshot taken or restored */
    uint64_t last_edges;       /* position of that snapshot (UINT64_MAX: none) */
    gint64   last_time;
    es_snapshot_logs *logs;    /* log files as of the last snapshot written */
    gboolean pending;          /* due, but deferred until the writer ends */
    gboolean told_in_process;  /* said once why snapshots stall the stream */
    guint    failed;           /* snapshots that failed */
    /* The writer thread, while one runs, and what it writes. */
    GThread *thread;
    gint     thread_done;      /* atomic: set as the thread ends */
    gint     thread_tid;       /* atomic: its thread id, once it runs idle */
    gint     hurried;          /* atomic: it should run at normal priority */
    gboolean thread_ok;
    GError  *thread_error;
    es_snapshot_meta job;
    es_snapshot_window window;  /* restored (es_stream_pos.window) */
    const uint64_t *job_externals;
    uint32_t job_vertices;
    GPtrArray *job_ops;
    es_snapshot_extra_fn extra;   /* es_checkpoint_set_extra */
    void    *extra_user;
};

gboolean es_checkpoint_parse_every(const char *s, uint64_t *edges, gint64 *us, GError **error)
{
    char *end = NULL;
    *edges = 0;
    *us = 0;
    guint64 x = (s[0] >= '0' && s[0] <= '9') ? g_ascii_strtoull(s, &end, 10) : 0;
    gint64 unit = 0;
    if (end && *end == '\0')
        unit = -1;
    else if (end && strcmp(end, "s") == 0)
        unit = G_USEC_PER_SEC;
    else if (end && strcmp(end, "m") == 0)
        unit = 60 * (gint64)G_USEC_PER_SEC;
    else if (end && strcmp(end, "h") == 0)
        unit = 3600 * (gint64)G_USEC_PER_SEC;
    if (unit == 0 || x == 0 || x > (guint64)G_MAXINT32) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "--snapshot-every must be an edge count or a time such as 30s, 5m, 1h; got \"%s\"", s);
        return FALSE;
    }
    if (unit < 0)
        *edges = x;
    else
        *us = (gint64)x * unit;
    return TRUE;
}

static char *join_specs(GPtrArray *ops)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < ops->len; i++)
        g_string_append_printf(s, "%s%s", i ? "," : "", ((es_operator *)g_ptr_array_index(ops, i))->spec);
    return g_string_free(s, FALSE);
}

static gint by_text(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Do the snapshot's operators mean those of this run?  Both are canonical
 * specs (operators/options.h), so equal text is equal meaning; the order
 * does not matter (each operator's state is found by its name).  Names both
 * when they differ. */
static gboolean check_operators(const char *snap, const char *then, const char *now, GError **error)
{
    GPtrArray *a = es_operator_split_specs(then), *b = es_operator_split_specs(now);
    g_ptr_array_sort(a, by_text);
    g_ptr_array_sort(b, by_text);
    gboolean same = a->len == b->len;
    for (guint i = 0; same && i < a->len; i++)
        same = strcmp(g_ptr_array_index(a, i), g_ptr_array_index(b, i)) == 0;
    if (!same)
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s holds operators \"%s\", this run asks for \"%s\"",
                    snap, then, now);
    g_ptr_array_free(a, TRUE);
    g_ptr_array_free(b, TRUE);
    return same;
}

/* Does the snapshot's source identity match this run's (edgesource.h)? */
static gboolean check_identity(es_checkpoint *ck, const char *snap, const char *then, GError **error)
{
    const es_edge_source_class *cls = ck->src->cls;
    if (cls->check_identity)
        return cls->check_identity(ck->src, snap, then, ck->identity, error);
    if (strcmp(then, ck->identity) == 0)
        return TRUE;
    g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from %s \"%s\", this run reads \"%s\"", snap,
                cls->kind, then, ck->identity);
    return FALSE;
}

/* Restore the snapshot at path if it fits this run: 1 when restored, 0
 * when it is corrupt or partial (said on stderr: the next older one may
 * do), -1 (and *error) when it is another run's or another format's, or
 * cannot be read. */
static int restore_one(es_checkpoint *ck, const char *path, GPtrArray *ops, es_stream_pos *pos,
                       uint64_t **externals, uint32_t *n, GError **error)
{
    GError *e = NULL;
    es_snapshot_meta meta = { 0 };
    int got = -1;
    if (!es_snapshot_verify(path, &e) || !es_snapshot_read_meta(path, &meta, &e)) {
        if (e->code == ES_ERROR_CONFIG) {   /* another format: not ours to skip */
            g_propagate_error(error, e);
            return -1;
        }
        fprintf(stderr, "edgestream: skipping %s\n", e->message);
        g_error_free(e);
        return 0;
    }
    if (!check_operators(path, meta.operators, ck->ops_spec, error) ||
        !es_stream_spec_check(path, meta.stream, ck->stream, error))
        goto out;
    if (strcmp(meta.source_kind, ck->src->cls->kind) != 0) {
        if (strcmp(meta.source_kind, "api") == 0)   /* the library's edgestream_snapshot */
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                        "%s was written by the library (edgestream_snapshot), which knows no input to resume: "
                        "continue it with edgestream_restore (Python: edgestream.restore)", path);
        else
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from a \"%s\" source, this run reads %s",
                        path, meta.source_kind, ck->src->cls->kind);
        goto out;
    }
    if (!check_identity(ck, path, meta.source_identity, error) ||
        !es_snapshot_restore(path, externals, n, ops, error) || !es_snapshot_load_logs(path, ck->logs, error))
        goto out;
    if ((uint64_t)*n > meta.edges_consumed * 2) {   /* more than 2 vertices per edge: not from this stream */
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: %u vertices for %" G_GUINT64_FORMAT " edges",
                    path, *n, meta.edges_consumed);
        goto out;
    }
    g_free(ck->consumed);
    ck->consumed = g_strdup(meta.source_consumed);
    *pos = (es_stream_pos){
        .edges = meta.edges_consumed, .lines = meta.lines_consumed, .bad = meta.bad_lines,
        .vertices = *n, .input = (guint)meta.source_input, .offset = meta.source_offset,
        .line = meta.source_line, .consumed = ck->consumed,
    };
    es_snapshot_window_clear(&ck->window);
    if (!es_snapshot_read_window(path, *n, &ck->window, error))
        goto out;
    if (ck->window.present)
        pos->window = &ck->window;
    ck->parent_id = meta.snapshot_id;
    ck->last_edges = meta.edges_consumed;
    if (ck->cfg.verbose)
        fprintf(stderr, "edgestream: resuming from %s at edge %" G_GUINT64_FORMAT "\n", path, meta.edges_consumed);
    got = 1;
out:
    es_snapshot_meta_clear(&meta);
    return got;
}

/* Restore the newest snapshot that verifies (none: start afresh, unless
 * some were corrupt). */
static gboolean resume(es_checkpoint *ck, GPtrArray *ops, es_stream_pos *pos, uint64_t **externals,
                       uint32_t *n, GError **error)
{
    GPtrArray *all = es_snapshot_list(ck->dir);
    guint corrupt = 0;
    int got = 0;
    for (guint i = 0; got == 0 && i < all->len; i++) {
        got = restore_one(ck, g_ptr_array_index(all, i), ops, pos, externals, n, error);
        corrupt += got == 0;
    }
    g_ptr_array_free(all, TRUE);
    if (got == 0 && corrupt > 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "no valid snapshot in %s (%u corrupt or partial)", ck->dir, corrupt);
        return FALSE;
    }
    if (got == 0 && ck->cfg.verbose)
        fprintf(stderr, "edgestream: no snapshot in %s yet: starting from the beginning\n", ck->dir);
    return got >= 0;
}

es_checkpoint *es_checkpoint_open(const es_checkpoint_config *cfg, es_edge_source *src, GPtrArray *ops,
                                  es_stream_pos *pos, uint64_t **externals, uint32_t *n, GError **error)
{
    es_checkpoint *ck = g_new0(es_checkpoint, 1);
    ck->cfg = *cfg;
    ck->dir = g_strdup(cfg->dir);
    ck->cfg.dir = ck->dir;
    ck->cfg.config = cfg->config ? g_strdup(cfg->config) : NULL;
    ck->stream = g_strdup(cfg->stream);
    ck->src = src;
    ck->lock_fd = -1;
    ck->logs = es_snapshot_logs_new();
    ck->last_edges = UINT64_MAX;
    ck->last_time = g_get_monotonic_time();
    ck->ops_spec = join_specs(ops);
    ck->window.open = INT64_MIN;
    *externals = NULL;
    *n = 0;
    memset(pos, 0, sizeof *pos);
    g_autofree char *lock = NULL;

    if ((ck->identity = src->cls->identity(src, error)) == NULL)
        goto fail;

    if (g_mkdir_with_parents(ck->dir, 0755) != 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create snapshot directory %s: %s", ck->dir, g_strerror(e));
        goto fail;
    }
    lock = g_build_filename(ck->dir, ".lock", NULL);
    ck->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ck->lock_fd < 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open %s: %s", lock, g_strerror(e));
        goto fail;
    }
    if (flock(ck->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (cfg->verbose)
            fprintf(stderr, "edgestream: waiting for another edgestream using %s\n", ck->dir);
        while (flock(ck->lock_fd, LOCK_EX) != 0 && errno == EINTR)
            ;
    }
    ck->next_id = es_snapshot_last_id(ck->dir) + 1;
    /* Another run's snapshots are continued (--resume) or left alone: a
     * fresh run would replace them, and retention delete them. */
    if (!cfg->resume && ck->next_id > 1) {
        g_autofree char *newest = es_snapshot_path(ck->dir, ck->next_id - 1);
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                    "%s holds the snapshots of another run (the newest: %s): continue it with --resume, "
                    "or give an empty or new --snapshot-dir", ck->dir, newest);
        goto fail;
    }
    es_snapshot_remove_partial(ck->dir, cfg->verbose);
    es_h5_quiet();   /* HDF5 set up here, once, not in the first writer */
    if (cfg->resume && !resume(ck, ops, pos, externals, n, error))
        goto fail;
    return ck;
fail:
    es_checkpoint_free(ck);
    return NULL;
}

uint64_t es_checkpoint_next_cut(const es_checkpoint *ck, uint64_t edges)
{
    uint64_t k = ck->cfg.every_edges;
    return k ? (edges / k + 1) * k : UINT64_MAX;
}

/* A snapshot failed, whoever wrote it (the final one too): count it, say
 * why, take the log table back to the last committed snapshot (the
 * failed one may have appended bytes that never reached the disk) so that
 * the next snapshot starts new log files (es_snapshot_logs_rollback), and
 * delete the log files no kept snapshot lists (those the failed one
 * started), so that a full disk keeps no half-written file.  Takes e. */
static void failed(es_checkpoint *ck, uint64_t id, GError *e)
{
    ck->failed++;
    fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT ": %s\n", (guint64)id, e->message);
    g_error_free(e);
    es_snapshot_logs_rollback(ck->logs);
    es_snapshot_retain(ck->dir, ck->cfg.keep);
}

/* Join the writer thread once it has ended (or, with `wait`, when it ends). */
static void reap(es_checkpoint *ck, gboolean wait)
{
    if (ck->thread == NULL || (!wait && !g_atomic_int_get(&ck->thread_done)))
        return;
    g_thread_join(ck->thread);
    ck->thread = NULL;
    es_log_hold(FALSE);   /* the log blocks it read may go */
    if (!ck->thread_ok)
        failed(ck, ck->job.snapshot_id, g_steal_pointer(&ck->thread_error));
}

/* Raise the writer thread to normal priority: something waits for it.  It
 * checks `hurried` after it went idle and published its id, so whichever
 * of the two comes second raises it. */
static void hurry(es_checkpoint *ck)
{
    if (ck->thread == NULL)
        return;
    struct sched_param normal = { 0 };
    g_atomic_int_set(&ck->hurried, 1);
    gint tid = g_atomic_int_get(&ck->thread_tid);
    if (tid != 0)
        sched_setscheduler(tid, SCHED_OTHER, &normal);
}

gboolean es_checkpoint_due(es_checkpoint *ck, uint64_t edges)
{
    reap(ck, FALSE);
    if (edges == ck->last_edges)
        return FALSE;
    /* Not at 0 edges unless asked: an idle server's timer would write a
     * snapshot of nothing. */
    gboolean due = ck->pending ||
                   (edges > 0 && ck->cfg.every_edges && edges % ck->cfg.every_edges == 0) ||
                   (edges > 0 && ck->cfg.every_us && g_get_monotonic_time() - ck->last_time >= ck->cfg.every_us);
    if (due && ck->thread != NULL) {
        /* Deferred: the previous write is still running.  It ran on idle
         * CPU only; now that it holds up a barrier, give it a fair share. */
        if (!ck->pending)
            hurry(ck);
        ck->pending = TRUE;
        return FALSE;
    }
    return due;
}

void es_checkpoint_wait(es_checkpoint *ck)
{
    hurry(ck);
    reap(ck, TRUE);
}

void es_checkpoint_request(es_checkpoint *ck)
{
    es_checkpoint_wait(ck);
    ck->pending = TRUE;
}

void es_checkpoint_restart(es_checkpoint *ck)
{
    es_checkpoint_wait(ck);
    es_snapshot_logs_restart(ck->logs, FALSE);
}

uint64_t es_checkpoint_last_id(const es_checkpoint *ck)
{
    return ck->parent_id;
}

static void fill_meta(es_checkpoint *ck, const es_stream_pos *pos, es_snapshot_meta *m)
{
    /* No writer runs now: the previous record is free to go. */
    g_free(ck->consumed);
    ck->consumed = g_strdup(pos->consumed ? pos->consumed : "");
    *m = (es_snapshot_meta){
        .snapshot_id = ck->next_id,
        .parent_id = ck->parent_id,
        .created_unix_ns = g_get_real_time() * 1000,
        .edges_consumed = pos->edges,
        .lines_consumed = pos->lines,
        .bad_lines = pos->bad,
        .source_kind = (char *)ck->src->cls->kind,
        .source_input = pos->input,
        .source_offset = pos->offset,
        .source_line = pos->line,
        .source_identity = ck->identity,
        .source_consumed = ck->consumed,
        .config = (char *)(ck->cfg.config ? ck->cfg.config : ""),
        .operators = ck->ops_spec,
        .stream = ck->stream,
        .window = pos->window,
        .extra = ck->extra,
        .extra_user = ck->extra_user,
    };
}

void es_checkpoint_set_extra(es_checkpoint *ck, es_snapshot_extra_fn fn, void *user)
{
    ck->extra = fn;
    ck->extra_user = user;
    ck->cfg.wait = TRUE;
}

es_snapshot_logs *es_checkpoint_logs(es_checkpoint *ck)
{
    return ck->logs;
}

/* Write snapshot m of the prepared operators, then keep only the newest:
 * the one commit every writer goes through. */
static gboolean commit(es_checkpoint *ck, const es_snapshot_meta *m, const uint64_t *externals, uint32_t vertices,
                       GPtrArray *ops, GError **error)
{
    if (!es_snapshot_write(ck->dir, m, externals, vertices, ops, ck->logs, error))
        return FALSE;
    es_snapshot_retain(ck->dir, ck->cfg.keep);
    return TRUE;
}

/* Freeze every operator's state at the barrier (operator.h). */
static void prepare_all(GPtrArray *ops)
{
    for (guint i = 0; i < ops->len; i++)
        es_operator_snapshot_prepare(g_ptr_array_index(ops, i));
}

static void taken(es_checkpoint *ck, const es_stream_pos *pos)
{
    ck->parent_id = ck->next_id++;
    ck->last_edges = pos->edges;
    ck->last_time = g_get_monotonic_time();
    ck->pending = FALSE;
}

/* Below the stream's priority: the writer takes only the CPU the stream
 * leaves idle (SCHED_IDLE; nice 19 where that is refused).  For the
 * calling thread only (Linux). */
static gpointer writer_thread(gpointer data)
{
    es_checkpoint *ck = data;
    struct sched_param param = { 0 };
    if (sched_setscheduler(0, SCHED_IDLE, &param) != 0 && nice(19) == -1)
        errno = 0;
    g_atomic_int_set(&ck->thread_tid, (gint)gettid());
    if (g_atomic_int_get(&ck->hurried))
        sched_setscheduler(0, SCHED_OTHER, &param);
    ck->thread_ok = commit(ck, &ck->job, ck->job_externals, ck->job_vertices, ck->job_ops, &ck->thread_error);
    g_atomic_int_set(&ck->thread_done, 1);
    return NULL;
}

/* Start the writer thread on the barrier's state.  The logs it reads keep
 * their blocks until it has been joined (es_log_hold, on already after
 * es_log_pin): the caller holds the id map's lock, so the mapper thread
 * cannot grow its log before. */
static gboolean start_thread(es_checkpoint *ck, const es_snapshot_meta *m, const uint64_t *externals,
                             uint32_t vertices, GPtrArray *ops)
{
    ck->job = *m;
    ck->job_externals = externals;
    ck->job_vertices = vertices;
    ck->job_ops = ops;
    ck->thread_ok = FALSE;
    g_atomic_int_set(&ck->thread_done, 0);
    g_atomic_int_set(&ck->thread_tid, 0);
    g_atomic_int_set(&ck->hurried, 0);
    es_log_hold(TRUE);
    GError *e = NULL;
    ck->thread = g_thread_try_new("es-writer", writer_thread, ck, &e);
    if (ck->thread == NULL) {
        es_log_hold(FALSE);
        g_prefix_error(&e, "cannot start the snapshot writer: ");
        failed(ck, m->snapshot_id, e);
        return FALSE;
    }
    return TRUE;
}

void es_checkpoint_take(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops)
{
    es_snapshot_meta m;
    fill_meta(ck, pos, &m);
    prepare_all(ops);
    const gboolean logs_move = es_logs_may_move();
    if (!ck->cfg.wait && !logs_move) {
        if (start_thread(ck, &m, externals, pos->vertices, ops))
            taken(ck, pos);
        return;
    }
    if (!ck->cfg.wait && !ck->told_in_process) {
        fprintf(stderr, "edgestream: address space is limited (ulimit -v), so logs may move: snapshots are written"
                        " in the process, and the stream waits for each\n");
        ck->told_in_process = TRUE;
    }
    GError *e = NULL;
    if (!commit(ck, &m, externals, pos->vertices, ops, &e))
        failed(ck, m.snapshot_id, e);
    es_log_hold(FALSE);   /* (the barrier's, es_log_pin) */
    taken(ck, pos);
}

guint es_checkpoint_finish(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops)
{
    es_checkpoint_wait(ck);
    if (pos->edges == ck->last_edges && ck->failed == 0) {
        /* Nothing new to write; a run killed between its last commit and
         * that commit's retention left one snapshot too many. */
        es_snapshot_retain(ck->dir, ck->cfg.keep);
        return 0;
    }
    es_snapshot_meta m;
    fill_meta(ck, pos, &m);
    prepare_all(ops);
    es_snapshot_logs_last(ck->logs);   /* (the stream waits for this one) */
    GError *e = NULL;
    if (commit(ck, &m, externals, pos->vertices, ops, &e))
        taken(ck, pos);
    else
        failed(ck, m.snapshot_id, e);
    return ck->failed;
}

void es_checkpoint_free(es_checkpoint *ck)
{
    if (ck == NULL)
        return;
    es_checkpoint_wait(ck);
    if (ck->lock_fd >= 0)
        close(ck->lock_fd);
    es_snapshot_logs_free(ck->logs);
    g_free(ck->dir);
    g_free(ck->identity);
    g_free(ck->ops_spec);
    g_free(ck->stream);
    g_free(ck->consumed);
    g_free((char *)ck->cfg.config);
    es_snapshot_window_clear(&ck->window);
    g_free(ck);
}
