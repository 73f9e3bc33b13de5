/* checkpoint.c — snapshot scheduling, the forked writer, and resume (see
 * checkpoint.h). */
#include "dataflow/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/snapshot.h"

struct es_checkpoint {
    es_checkpoint_config cfg;
    char    *dir;
    char    *identity;         /* one line per input */
    char    *ops_spec;
    char    *consumed;         /* the inputs' consumed bytes at the last barrier (es_reader_consumed_text) */
    int      lock_fd;
    uint64_t next_id;          /* id of the next snapshot */
    uint64_t parent_id;        /* id of the last snapshot taken or restored */
    uint64_t last_edges;       /* position of that snapshot (UINT64_MAX: none) */
    gint64   last_time;
    es_snapshot_logs *logs;    /* log files as of the last snapshot committed */
    pid_t    writer;           /* running writer child, or 0 */
    /* Or the running writer thread and what it writes. */
    GThread *thread;
    gint     thread_done;      /* atomic: set as the thread ends */
    gint     thread_tid;       /* atomic: its thread id, once it runs idle */
    gint     hurried;          /* atomic: it should run at normal priority */
    gboolean thread_ok;
    GError  *thread_error;
    es_snapshot_meta job;
    const uint64_t *job_externals;
    uint32_t job_vertices;
    GPtrArray *job_ops;
    int      writer_pipe;      /* its report: the log lines it committed */
    uint64_t writer_id;
    gboolean pending;          /* due, but deferred until the writer ends */
    guint    failed;           /* writers that failed */
};

/* A log table that appends with direct I/O: a writer thread, or this
 * process, writes straight from the arrays; a forked child turns it off
 * (snapshot/logs.h). */
static es_snapshot_logs *new_logs(void)
{
    es_snapshot_logs *logs = es_snapshot_logs_new();
    es_snapshot_logs_set_direct(logs, TRUE);
    return logs;
}

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

/* Are all operators snapshot_frozen (operator.h), and do logs stay where
 * they are (graph/common.h), so that a thread may write? */
static gboolean all_frozen(GPtrArray *ops)
{
    if (g_atomic_int_get(&es_big_logs_move))
        return FALSE;
    for (guint i = 0; i < ops->len; i++)
        if (!((es_operator *)g_ptr_array_index(ops, i))->klass->snapshot_frozen)
            return FALSE;
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

/* Does the snapshot's input identity match this run's?  Names what differs. */
static gboolean check_inputs(const char *snap, const char *then, const char *now, GError **error)
{
    g_auto(GStrv) a = g_strsplit(then, "\n", -1), b = g_strsplit(now, "\n", -1);
    guint na = g_strv_length(a), nb = g_strv_length(b);
    if (na != nb) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from %u input(s), this run reads %u", snap, na, nb);
        return FALSE;
    }
    for (guint i = 0; i < na; i++) {
        g_auto(GStrv) x = g_strsplit(a[i], "\t", -1), y = g_strsplit(b[i], "\t", -1);
        if (g_strv_length(x) != 4 || g_strv_length(y) != 4) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: unreadable source identity", snap);
            return FALSE;
        }
        if (strcmp(x[0], y[0]) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from input %u \"%s\", this run reads \"%s\"",
                        snap, i + 1, x[0], y[0]);
            return FALSE;
        }
        if (strcmp(x[1], y[1]) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: input \"%s\" has changed: %s bytes then, %s now",
                        snap, x[0], x[1], y[1]);
            return FALSE;
        }
        if (strcmp(x[2], y[2]) != 0 || strcmp(x[3], y[3]) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: input \"%s\" has changed: same size, different content",
                        snap, x[0]);
            return FALSE;
        }
    }
    return TRUE;
}

/* Find the newest snapshot that verifies, check it fits this run, restore it. */
static gboolean resume(es_checkpoint *ck, GPtrArray *ops, es_stream_pos *pos, uint64_t **externals,
                       uint32_t *n, GError **error)
{
    GPtrArray *all = es_snapshot_list(ck->dir);
    guint corrupt = 0;
    gboolean ok = TRUE, found = FALSE;
    for (guint i = 0; ok && !found && i < all->len; i++) {
        const char *path = g_ptr_array_index(all, i);
        GError *e = NULL;
        es_snapshot_meta meta;
        if (!es_snapshot_verify(path, &e) || !es_snapshot_read_meta(path, &meta, &e)) {
            if (e->code == ES_ERROR_CONFIG) {   /* another format: not ours to skip */
                g_propagate_error(error, e);
                ok = FALSE;
                break;
            }
            fprintf(stderr, "edgestream: skipping %s\n", e->message);
            g_error_free(e);
            corrupt++;
            continue;
        }
        if (!check_operators(path, meta.operators, ck->ops_spec, error)) {
            ok = FALSE;
        } else if (strcmp(meta.source_kind, "files") != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from a \"%s\" source, this run reads files",
                        path, meta.source_kind);
            ok = FALSE;
        } else {
            ok = check_inputs(path, meta.source_identity, ck->identity, error) &&
                 es_snapshot_restore(path, externals, n, ops, error) &&
                 es_snapshot_load_logs(path, ck->logs, error);
        }
        if (ok) {
            found = TRUE;
            if ((uint64_t)*n > meta.edges_consumed * 2) {
                /* more vertices than 2 per edge cannot come from this stream */
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: %u vertices for %" G_GUINT64_FORMAT " edges",
                            path, *n, meta.edges_consumed);
                ok = FALSE;
            }
            g_free(ck->consumed);
            ck->consumed = g_strdup(meta.source_consumed);
            *pos = (es_stream_pos){
                .edges = meta.edges_consumed, .lines = meta.lines_consumed, .bad = meta.bad_lines,
                .vertices = *n, .input = (guint)meta.source_input, .offset = meta.source_offset,
                .line = meta.source_line, .consumed = ck->consumed,
            };
            ck->parent_id = meta.snapshot_id;
            ck->last_edges = meta.edges_consumed;
            if (ck->cfg.verbose)
                fprintf(stderr, "edgestream: resuming from %s at edge %" G_GUINT64_FORMAT "\n", path, meta.edges_consumed);
        }
        es_snapshot_meta_clear(&meta);
    }
    if (ok && !found) {
        if (corrupt > 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "no valid snapshot in %s (%u corrupt or partial)", ck->dir, corrupt);
            ok = FALSE;
        } else if (ck->cfg.verbose) {
            fprintf(stderr, "edgestream: no snapshot in %s yet: starting from the beginning\n", ck->dir);
        }
    }
    g_ptr_array_free(all, TRUE);
    return ok;
}

es_checkpoint *es_checkpoint_open(const es_checkpoint_config *cfg, const char *const *inputs, GPtrArray *ops,
                                  es_stream_pos *pos, uint64_t **externals, uint32_t *n, GError **error)
{
    es_checkpoint *ck = g_new0(es_checkpoint, 1);
    ck->cfg = *cfg;
    ck->dir = g_strdup(cfg->dir);
    ck->cfg.dir = ck->dir;
    ck->cfg.config = NULL;
    ck->lock_fd = -1;
    ck->writer_pipe = -1;
    ck->logs = new_logs();
    ck->last_edges = UINT64_MAX;
    ck->last_time = g_get_monotonic_time();
    ck->ops_spec = join_specs(ops);
    *externals = NULL;
    *n = 0;
    memset(pos, 0, sizeof *pos);

    GString *id = g_string_new(NULL);
    for (guint i = 0; inputs[i]; i++) {
        /* An input is named by its real path: "f", "./f" and "/dir/f" are one file. */
        g_autofree char *real = realpath(inputs[i], NULL);
        char *line = strcmp(inputs[i], "-") == 0 ? NULL : es_snapshot_input_identity(real ? real : inputs[i], error);
        if (line == NULL) {
            if (strcmp(inputs[i], "-") == 0)
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                            "snapshots need inputs that are regular files: standard input cannot be re-read on resume");
            g_string_free(id, TRUE);
            es_checkpoint_free(ck);
            return NULL;
        }
        g_string_append_printf(id, "%s%s", i ? "\n" : "", line);
        g_free(line);
    }
    ck->identity = g_string_free(id, FALSE);

    if (g_mkdir_with_parents(ck->dir, 0755) != 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create snapshot directory %s: %s", ck->dir, g_strerror(e));
        es_checkpoint_free(ck);
        return NULL;
    }
    g_autofree char *lock = g_build_filename(ck->dir, ".lock", NULL);
    ck->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ck->lock_fd < 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open %s: %s", lock, g_strerror(e));
        es_checkpoint_free(ck);
        return NULL;
    }
    if (flock(ck->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (cfg->verbose)
            fprintf(stderr, "edgestream: waiting for another edgestream (or its snapshot writer) using %s\n", ck->dir);
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
        es_checkpoint_free(ck);
        return NULL;
    }
    es_snapshot_remove_partial(ck->dir, cfg->verbose);
    /* Initialise HDF5 here, once: a forked writer would otherwise set up
     * the whole library (types, property lists, conversion paths) anew in
     * every snapshot, page faults included. */
    es_h5_quiet();
    if (cfg->resume && !resume(ck, ops, pos, externals, n, error)) {
        es_checkpoint_free(ck);
        return NULL;
    }
    if (cfg->config)
        ck->cfg.config = g_strdup(cfg->config);
    /* Forked writers need operators to split their logs at each barrier
     * (es_big_fork_prefix); a writer thread or an in-process one do not. */
    es_big_set_forking(!cfg->wait && !all_frozen(ops));
    return ck;
}

uint64_t es_checkpoint_next_cut(const es_checkpoint *ck, uint64_t edges)
{
    uint64_t k = ck->cfg.every_edges;
    return k ? (edges / k + 1) * k : UINT64_MAX;
}

/* Everything the writer reported (it wrote before exiting; the pipe holds
 * it, at most a few KiB). */
static char *read_report(int fd)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        g_string_append_len(s, buf, got);
    }
    return g_string_free(s, FALSE);
}

static void failed_here(es_checkpoint *ck, uint64_t id, GError *e);

/* Reap a finished writer (without blocking unless `wait`).  On success,
 * adopt the log lengths it committed, so the next writer appends after
 * them; on failure keep the old ones (its bytes past them are overwritten),
 * or, after a thread, forget them (failed_here). */
static void reap(es_checkpoint *ck, gboolean wait)
{
    if (ck->thread != NULL) {
        if (!wait && !g_atomic_int_get(&ck->thread_done))
            return;
        g_thread_join(ck->thread);
        ck->thread = NULL;
        es_big_hold(FALSE);   /* the log blocks it read may go */
        if (!ck->thread_ok) {
            failed_here(ck, ck->writer_id, ck->thread_error);
            ck->thread_error = NULL;
        }
        return;
    }
    if (ck->writer == 0)
        return;
    int status = 0;
    pid_t r;
    do
        r = waitpid(ck->writer, &status, wait ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return;
    gboolean ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
        g_autofree char *report = read_report(ck->writer_pipe);
        GError *e = NULL;
        if (!es_snapshot_logs_parse(ck->logs, report, &e)) {
            fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT ": %s\n", ck->writer_id, e->message);
            g_error_free(e);
        }
    } else {
        /* It may have died after its commit, before its report: then its
         * log lengths are those to extend (it may have started new files). */
        g_autofree char *path = es_snapshot_path(ck->dir, ck->writer_id);
        if (g_file_test(path, G_FILE_TEST_EXISTS) && es_snapshot_verify(path, NULL) &&
            es_snapshot_load_logs(path, ck->logs, NULL)) {
            fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT " was written, but its writer failed after\n",
                    ck->writer_id);
        } else {
            ck->failed++;
            fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT " was not written\n", ck->writer_id);
            es_snapshot_retain(ck->dir, ck->cfg.keep);   /* the log files it started */
        }
    }
    close(ck->writer_pipe);
    ck->writer_pipe = -1;
    ck->writer = 0;
}

/* Raise the running writer to normal priority: something waits for it. */
static void hurry(es_checkpoint *ck)
{
    struct sched_param normal = { 0 };
    if (ck->writer != 0)
        sched_setscheduler(ck->writer, SCHED_OTHER, &normal);
    if (ck->thread != NULL) {
        /* The thread checks `hurried` after it went idle and published its
         * id, so whichever of the two comes second raises it. */
        g_atomic_int_set(&ck->hurried, 1);
        gint tid = g_atomic_int_get(&ck->thread_tid);
        if (tid != 0)
            sched_setscheduler(tid, SCHED_OTHER, &normal);
    }
}

gboolean es_checkpoint_due(es_checkpoint *ck, uint64_t edges)
{
    reap(ck, FALSE);
    if (edges == ck->last_edges)
        return FALSE;
    gboolean due = ck->pending ||
                   (ck->cfg.every_edges && edges % ck->cfg.every_edges == 0) ||
                   (ck->cfg.every_us && g_get_monotonic_time() - ck->last_time >= ck->cfg.every_us);
    if (due && (ck->writer != 0 || ck->thread != NULL)) {
        /* Deferred: the previous write is still running.  It ran on idle
         * CPU only; now that it holds up a barrier, give it a fair share. */
        if (!ck->pending)
            hurry(ck);
        ck->pending = TRUE;
        return FALSE;
    }
    return due;
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
        .source_kind = (char *)"files",
        .source_input = pos->input,
        .source_offset = pos->offset,
        .source_line = pos->line,
        .source_identity = ck->identity,
        .source_consumed = ck->consumed,
        .config = (char *)(ck->cfg.config ? ck->cfg.config : ""),
        .operators = ck->ops_spec,
    };
}

/* A snapshot written in this process failed: its log table may list bytes
 * that never reached the disk, so forget it; the next snapshot starts new
 * log files (older snapshots keep theirs). */
static void forget_logs(es_checkpoint *ck)
{
    es_snapshot_logs_free(ck->logs);
    ck->logs = new_logs();
}

/* A snapshot written in this process (by the stream or the writer thread)
 * failed: count it, say why, forget the log table, and delete the log
 * files that no kept snapshot lists (those the failed one started), so
 * that a full disk keeps no half-written file.  Takes e. */
static void failed_here(es_checkpoint *ck, uint64_t id, GError *e)
{
    ck->failed++;
    fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT ": %s\n", (guint64)id, e ? e->message : "not written");
    if (e)
        g_error_free(e);
    forget_logs(ck);
    es_snapshot_retain(ck->dir, ck->cfg.keep);
}

/* Write snapshot m of the prepared operators, then keep only the newest. */
static gboolean commit(es_checkpoint *ck, const es_snapshot_meta *m, const uint64_t *externals, uint32_t vertices,
                       GPtrArray *ops, GError **error)
{
    if (!es_snapshot_write(ck->dir, m, externals, vertices, ops, ck->logs, error))
        return FALSE;
    es_snapshot_retain(ck->dir, ck->cfg.keep);
    return TRUE;
}

/* Shadow copies of what the next batches overwrite (operator.h). */
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

/* Below the stream's priority: a writer takes only the CPU the stream
 * leaves idle (SCHED_IDLE; nice 19 where that is refused).  For the
 * calling thread only (Linux). */
static void go_idle(void)
{
    struct sched_param idle = { 0 };
    if (sched_setscheduler(0, SCHED_IDLE, &idle) != 0 && nice(19) == -1)
        errno = 0;
}

static gpointer writer_thread(gpointer data)
{
    es_checkpoint *ck = data;
    go_idle();
    g_atomic_int_set(&ck->thread_tid, (gint)gettid());
    if (g_atomic_int_get(&ck->hurried)) {
        struct sched_param normal = { 0 };
        sched_setscheduler(0, SCHED_OTHER, &normal);
    }
    ck->thread_ok = commit(ck, &ck->job, ck->job_externals, ck->job_vertices, ck->job_ops, &ck->thread_error);
    g_atomic_int_set(&ck->thread_done, 1);
    return NULL;
}

/* Start the writer thread on the barrier's state.  The logs it reads keep
 * their blocks until it has been joined (es_big_hold): the caller holds
 * the id map's lock, so the mapper thread cannot grow its log before. */
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
    es_big_hold(TRUE);
    GError *e = NULL;
    ck->thread = g_thread_try_new("es-writer", writer_thread, ck, &e);
    if (ck->thread == NULL) {
        es_big_hold(FALSE);
        ck->failed++;
        fprintf(stderr, "edgestream: cannot start the snapshot writer: %s\n", e->message);
        g_error_free(e);
        return FALSE;
    }
    ck->writer_id = m->snapshot_id;
    return TRUE;
}

void es_checkpoint_take(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops)
{
    es_snapshot_meta m;
    fill_meta(ck, pos, &m);
    prepare_all(ops);
    if (ck->cfg.wait) {
        /* The stream waits anyway: write here, no fork. */
        GError *e = NULL;
        if (!commit(ck, &m, externals, pos->vertices, ops, &e))
            failed_here(ck, m.snapshot_id, e);
        taken(ck, pos);
        return;
    }
    if (all_frozen(ops)) {
        if (start_thread(ck, &m, externals, pos->vertices, ops))
            taken(ck, pos);
        return;
    }
    fflush(stdout);
    fflush(stderr);
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        ck->failed++;
        fprintf(stderr, "edgestream: cannot start the snapshot writer: %s\n", g_strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        ck->failed++;
        fprintf(stderr, "edgestream: cannot start the snapshot writer: %s\n", g_strerror(errno));
        close(report[0]);
        close(report[1]);
        return;
    }
    if (pid == 0) {
        /* The writer: a copy-on-write image of the barrier.  Detach from the
         * output pipe so a reader of our stdout is not kept waiting. */
        go_idle();
        prctl(PR_SET_NAME, "es-writer", 0, 0, 0);   /* as ps and top show it */
        /* Large blocks from mmap, whose pages are zero until touched: HDF5
         * callocs big tables it uses little of, and from the heap each of
         * their pages would be cleared, one page fault each. */
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        close(report[0]);
        es_snapshot_logs_set_direct(ck->logs, FALSE);
        GError *e = NULL;
        gboolean ok = commit(ck, &m, externals, pos->vertices, ops, &e);
        if (ok) {
            g_autofree char *lines = es_snapshot_logs_format(ck->logs);
            size_t len = strlen(lines);
            ok = write(report[1], lines, len) == (ssize_t)len;   /* a header's worth: fits the pipe, never blocks */
        } else {
            fprintf(stderr, "edgestream: snapshot %" G_GUINT64_FORMAT ": %s\n", m.snapshot_id, e->message);
        }
        _exit(ok ? 0 : 1);
    }
    close(report[1]);
    ck->writer = pid;
    ck->writer_pipe = report[0];
    ck->writer_id = m.snapshot_id;
    taken(ck, pos);

}

guint es_checkpoint_finish(es_checkpoint *ck, const es_stream_pos *pos, const uint64_t *externals, GPtrArray *ops)
{
    hurry(ck);
    reap(ck, TRUE);
    if (pos->edges == ck->last_edges && ck->failed == 0)
        return 0;
    es_snapshot_meta m;
    fill_meta(ck, pos, &m);
    prepare_all(ops);
    GError *e = NULL;
    if (commit(ck, &m, externals, pos->vertices, ops, &e))
        taken(ck, pos);
    else
        failed_here(ck, m.snapshot_id, e);
    return ck->failed;
}

void es_checkpoint_free(es_checkpoint *ck)
{
    if (ck == NULL)
        return;
    reap(ck, TRUE);
    if (ck->lock_fd >= 0)
        close(ck->lock_fd);
    es_snapshot_logs_free(ck->logs);
    g_free(ck->dir);
    g_free(ck->identity);
    g_free(ck->ops_spec);
    g_free(ck->consumed);
    g_free((char *)ck->cfg.config);
    g_free(ck);
}
