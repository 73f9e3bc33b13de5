/* driver.c — the three-thread pipeline (see driver.h).
 *
 *   reader thread:  free slot -> next raw batch from the source (edgesource.h;
 *                   for files reader.c: read, split, parse)
 *   mapper thread:  external ids -> dense ids (idmap.c), vertex count, and
 *                   the edge table's answers (graph/edgetable.h) when the
 *                   run keeps one from its start
 *   caller:         every operator on the batch, reports, progress
 *
 * Parsing and id mapping each cost about as much as a cheap operator, so
 * giving each its own thread lets the three overlap on two cores instead of
 * adding up.  The edge table goes with the mapper because the operators
 * that need it are sequential at heart (tri-est, cc, degree's increments,
 * spanner): beside them it costs the stream nothing, and in front of them
 * it added its whole time (measured in bench/RESULTS.md).  The operators
 * see the table as of their batch (es_edgetable_catch_up), so a barrier
 * freezes the keys of exactly the batches they folded.  A table adopted
 * mid-run (operators/operator.h: tri-est's dedup=auto after a repeat) is
 * applied by the caller, in the fold every stream shares
 * (dataflow/flow.h), to the batches the mapper passed on without answers;
 * from the next batch it maps on, the mapper applies it (hand_over_table:
 * streams without windows or deletions), having waited for the caller to
 * fold those, so the table sees every batch once and in stream order.
 * Slots carry
 * everything later stages need (vertex count, answers, progress figures),
 * so no stage touches another's state.  NSLOTS = 3 lets every stage hold
 * one batch: when the operators are the slowest stage, the next batch is
 * mapped and waiting whenever they finish one, and a fourth slot only held
 * 25 bytes per edge more (on R-MAT scale 20, `cc,degree,tri-est` peaked at
 * 350 MiB with four, 325 with three, at the same speed: bench/RESULTS.md).
 * Tumbling windows: the reader stage cuts batches at window boundaries (a
 * count of edges, or the first edge beyond a window of timestamps, the
 * rest of its read waiting in a carry buffer; late edges dropped there)
 * and marks a window's first batch; the mapper then starts a new id map
 * and edge table, and hands them over in the slot; the operators' thread
 * reports the closed window, waits for a snapshot that may be reading its
 * state, frees the old id map and rebuilds every operator from its spec
 * (close_window).  A snapshot inside a count window holds that window; a
 * resume at its end closes it with the first batch read.  A snapshot of a
 * window over time also holds the open window's number and the late lines
 * (snapshot/snapshot.h, /window), and is taken only where the reader's
 * carry buffer is empty; one of a sliding window holds its lines, folded
 * again on resume (with --deletions, and the copies deletions took back:
 * kept again, not folded, every operator restoring itself whole;
 * dataflow/window.h).  A sliding window's serial work goes beside the
 * folds, in the fanout's team (dataflow/fanout.h): the slider keeps and
 * counts lines as a side job, and a window's report is made, operator by
 * operator, just before each folds the next expiry (deferred_report; when
 * on_report reads only the report).  With --lateness the reader holds
 * lines until the watermark passes their pane, and goes on reading ahead
 * of the operators: each slot carries a copy of what it held and of the
 * watermark as of that slot (held_state, O(lines held) per slot, only with
 * snapshots), which a snapshot at the slot's barrier stores and a resume
 * holds again before reading on from the snapshot's position.
 */
#include "dataflow/driver.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataflow/flow.h"
#include "dataflow/window.h"
#include "dataflow/progress.h"
#include "dataflow/streamspec.h"
#include "dataflow/edgesource.h"
#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/snapshot.h"

#define NSLOTS 3

/* Ids are mapped in pieces of this many, taking the id-map lock for each,
 * so a snapshot barrier waits at most one piece for a consistent id map. */
#define MAP_PIECE 65536

/* The most pairs an edge table is made room for ahead (presize_table):
 * 2^26 pairs, a 1 GiB table. */
#define PRESIZE_MAX ((size_t)1 << 26)

/* The first batch read holds at most this many edges, each next one
 * twice as many, up to the batch size: the operators start on the stream
 * once the first small batch is parsed and mapped, instead of waiting for
 * a whole batch to pass both stages (on R-MAT scale 20, 1 Mi edges took
 * the reader and mapper about 0.15 s, in which the operators' thread had
 * nothing to do).  Answers do not depend on where batches are cut. */
#define RAMP_FIRST 65536

/* How long an interim report of a pipe's stream waits to learn whether the
 * stream ends there (and the report would repeat the final one). */
#define REPORT_LOOKAHEAD_US 200000


/* With --lateness and snapshots: the watermark's state and the lines
 * held (not yet handed on), pane by pane, as of a slot (the reader goes on
 * meanwhile), for a snapshot at its barrier (snapshot.h: /window). */
typedef struct {
    int64_t  max_time;
    uint64_t late_read;                   /* late lines read (the reports' count may be less) */
    gboolean sent_any;
    int64_t  sent_pane;
    GArray  *time, *ids, *del, *weight;   /* uint64 (two's complement), uint64 pairs, uint8, double */
    GArray  *late;                        /* uint64: its pane's held_pane.late */
} held_state;

typedef struct {
    es_raw_batch *raw;
    es_edge      *edges;
    uint8_t      *change;        /* the edge table's answers (cap bytes) */
    gboolean      has_change;    /* filled by the mapper, */
    es_edgetable_mark mark;      /* with the table as of this batch, */
    guint         log_moves;     /* and es_log_moves() before it was applied */
    size_t        cap;
    uint64_t      first_index;
    uint32_t      num_vertices;
    uint64_t      bytes_done, bytes_total, lines, bad;
    gboolean      end;           /* no more batches after this one (n may be 0) */
    gboolean      window_start;  /* the first batch of a window (not the first), set by the reader stage */
    gboolean      carried;       /* time windows: the read goes on in the carry buffer (no snapshot here) */
    int64_t       span_lo, span_hi; /* time windows: the bounds of this batch's window (pane) */
    int64_t       pane;          /* sliding windows: the pane of this batch (dataflow/window.h) */
    es_expiry_answers exp;       /* with has_change in a sliding window: the table's answers for
                                    the panes that expire before this batch */
    uint64_t      late;          /* time windows: edges dropped as late so far */
    uint64_t      late_base;     /* of those, read before this slot's first accepted line */
    uint64_t      late_tail;     /* of those, read after the last accepted line so far */
    GArray       *late_at;       /* uint64: for each late line of this slot, the accepted
                                    lines before it (windows over time, no --lateness) */
    es_edgetable *new_table;     /* with it: the mapper's table for the new window */
    es_idmap     *new_idmap;     /* and its id map (the old one is the operators' thread's to free) */
    held_state    held;          /* with --lateness and snapshots: as of this slot */
    GError       *error;         /* a stage failed: ends the run */
} slot;

typedef struct {
    const es_driver_config *cfg;
    es_edge_source *src;
    es_idmap    *idmap;
    GMutex       idmap_lock;     /* held by the mapper per piece, by a barrier while it starts a writer */
    es_checkpoint *ck;           /* or NULL */
    es_edgetable *mapper_table;  /* applied by the mapper, or NULL */
    GMutex       table_lock;     /* held by the mapper to apply it, by a barrier after a log moved */
    uint64_t     start_edges;    /* stream index of the first edge read (after a resume) */
    gboolean     presized;       /* the mapper has sized its table (presize_table) */
    /* A table adopted mid-run, for the mapper (hand_over_table), under
     * table_lock: it answers the slots from number handover_at on, once the
     * caller has folded the ones before (folded, counted with decided over
     * the slots the mapper passed its table step, error-free and not
     * empty); handover_cond signals folded. */
    es_edgetable *handover;
    uint64_t     handover_at, decided, folded;
    GCond        handover_cond;
    size_t       seen_lines, seen_fresh;   /* before that: lines mapped, new pairs among them */
    es_slider_ahead *ahead;      /* a sliding window's panes, for the mapper's table */
    GAsyncQueue *free_q, *parsed_q, *full_q;
    gint         stop;           /* consumer asks the producers to stop */
    /* Time windows (reader stage only): edges read beyond the open
     * window's end wait in carry; the open window's bounds. */
    es_raw_batch *carry;
    uint64_t     pane_edges;     /* count windows: edges per pane (the window, or its slide) */
    int64_t      pane_span;      /* time windows: the span of a pane (the window, or its slide) */
    gboolean     span_open;
    __int128     span_lo, span_hi;
    uint64_t     late;
    uint64_t     late_tail;      /* late lines read since the last accepted one */
    /* With --lateness (reader stage only): each read goes to stage, its
     * edges to the panes held (pane index -> held_pane) until the
     * watermark passes their end. */
    es_raw_batch *stage;
    gboolean     stage_end;      /* the source has ended */
    GTree       *held;
    int64_t      max_time;       /* the largest timestamp seen (span_open: any) */
    gboolean     sent_any;       /* a pane was handed on, */
    int64_t      sent_pane;      /* the last one */
    uint64_t     fill_late;      /* the late count of the lines fill_late handed on */
} pipeline;

/* Move b's edges [from, b->n) to c (empty), with their times, signs,
 * weights and b's position fields. */
static void carry_tail(es_raw_batch *b, size_t from, es_raw_batch *c)
{
    const size_t k = b->n - from;
    memcpy(c->ids, b->ids + 2 * from, 2 * k * sizeof *c->ids);
    memcpy(c->time, b->time + from, k * sizeof *c->time);
    c->has_time = b->has_time;
    c->has_del = b->has_del;
    if (b->has_del) {
        if (c->del == NULL)
            c->del = es_big_alloc(c->cap);
        memcpy(c->del, b->del + from, k);
    }
    c->has_weight = b->has_weight;
    if (b->has_weight) {
        if (c->weight == NULL)
            c->weight = es_big_alloc(c->cap * sizeof *c->weight);
        memcpy(c->weight, b->weight + from, k * sizeof *c->weight);
    }
    c->input = b->input;
    c->offset = b->offset;
    c->line = b->line;
    c->consumed = b->consumed;
    c->n = k;
    b->n = from;
}

/* The window of span w holding t: [floor(t / w) * w, + w). */
static void span_of(int64_t t, int64_t w, __int128 *lo, __int128 *hi)
{
    __int128 q = (__int128)t / w;
    if ((__int128)t % w < 0)
        q--;
    *lo = q * w;
    *hi = *lo + w;
}

static int64_t clamp64(__int128 x)
{
    return x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : (int64_t)x;
}

/* Time windows: drop late edges from the slot's batch, start a new window
 * when its first edge lies beyond the open one, and cut it before the
 * first edge beyond its window (the rest waits in pl->carry). */
static gboolean span_cut(pipeline *pl, slot *s)
{
    es_raw_batch *r = s->raw;
    const int64_t w = pl->pane_span;
    if (!r->has_time) {
        g_set_error(&s->error, ES_ERROR, ES_ERROR_DATA, "edge %" G_GUINT64_FORMAT " has no timestamp, and a window"
                    " over time (--window tumbling:SPAN) needs one on every line", (guint64)s->first_index);
        return FALSE;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const int64_t t = r->time[i];
        if (!pl->span_open) {
            span_of(t, w, &pl->span_lo, &pl->span_hi);
            pl->span_open = TRUE;
        }
        if (t < pl->span_lo) {
            const uint64_t p = s->first_index + k;
            g_array_append_val(s->late_at, p);
            pl->late++;
            pl->late_tail++;
            continue;
        }
        pl->late_tail = 0;
        if (t >= pl->span_hi) {
            if (k > 0) {
                /* Close the slot here; compact first so the tail follows. */
                r->n = k + (r->n - i);
                memmove(r->ids + 2 * k, r->ids + 2 * i, 2 * (r->n - k) * sizeof *r->ids);
                memmove(r->time + k, r->time + i, (r->n - k) * sizeof *r->time);
                if (r->has_del)
                    memmove(r->del + k, r->del + i, r->n - k);
                if (r->has_weight)
                    memmove(r->weight + k, r->weight + i, (r->n - k) * sizeof *r->weight);
                carry_tail(r, k, pl->carry);
                goto out;
            }
            span_of(t, w, &pl->span_lo, &pl->span_hi);   /* empty windows are skipped */
            s->window_start = TRUE;
        }
        if (k != i) {
            r->ids[2 * k] = r->ids[2 * i];
            r->ids[2 * k + 1] = r->ids[2 * i + 1];
            r->time[k] = t;
            if (r->has_del)
                r->del[k] = r->del[i];
            if (r->has_weight)
                r->weight[k] = r->weight[i];
        }
        k++;
    }
    r->n = k;
out:
    s->span_lo = clamp64(pl->span_lo);
    s->span_hi = clamp64(pl->span_hi);
    s->pane = (int64_t)(pl->span_lo / w);   /* (|t / w| < 2^63) */
    s->late = pl->late;
    return TRUE;
}

/* ---- --lateness: panes held until the watermark passes them ----------- */

/* The edges of one pane not yet handed on, in arrival order. */
typedef struct {
    int64_t  index;
    GArray  *ids, *time, *del, *weight;   /* uint64 pairs, int64, uint8, double */
    gboolean has_del, has_weight;
    size_t   sent;                        /* edges already handed on */
    uint64_t late;                        /* late lines read before the watermark passed its
                                             end (UINT64_MAX: not yet): its reports' count */
} held_pane;

static void held_pane_free(gpointer p)
{
    held_pane *h = p;
    g_array_free(h->ids, TRUE);
    g_array_free(h->time, TRUE);
    g_array_free(h->del, TRUE);
    g_array_free(h->weight, TRUE);
    g_free(h);
}

static gint cmp_i64(gconstpointer a, gconstpointer b, gpointer user)
{
    (void)user;
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static gboolean first_node(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    *(held_pane **)data = value;
    return TRUE;
}

/* Line (t, ids[0..1], d, x) into its pane, after those held there. */
static void hold_line(pipeline *pl, int64_t t, const uint64_t *ids, uint8_t d, double x, gboolean has_weight)
{
    __int128 lo, hi;
    span_of(t, pl->pane_span, &lo, &hi);
    int64_t index = (int64_t)(lo / pl->pane_span);
    held_pane *h = g_tree_lookup(pl->held, &index);
    if (h == NULL) {
        h = g_new0(held_pane, 1);
        h->index = index;
        h->ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        h->time = g_array_new(FALSE, FALSE, sizeof(int64_t));
        h->del = g_array_new(FALSE, FALSE, sizeof(uint8_t));
        h->weight = g_array_new(FALSE, FALSE, sizeof(double));
        h->late = UINT64_MAX;
        g_tree_insert(pl->held, &h->index, h);
    }
    g_array_append_vals(h->ids, ids, 2);
    g_array_append_val(h->time, t);
    g_array_append_val(h->del, d);
    g_array_append_val(h->weight, x);
    h->has_del = h->has_del || d;
    h->has_weight = h->has_weight || has_weight;
}

/* A held pane the watermark has just passed: the late lines read so far
 * are its reports' (so that they do not depend on how far the reader had
 * read when it was handed on: --batch). */
static gboolean mark_passed(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    held_pane *h = value;
    const pipeline *pl = data;
    if (((__int128)h->index + 1) * pl->pane_span > (__int128)pl->max_time - pl->cfg->lateness)
        return TRUE;   /* (this one and the newer ones: not yet) */
    if (h->late == UINT64_MAX)
        h->late = pl->late;
    return FALSE;
}

/* Sort the staged read's edges into their panes: late ones (older than the
 * watermark, the largest timestamp seen minus the lateness) dropped and
 * counted. */
static gboolean hold_staged(pipeline *pl, slot *s)
{
    es_raw_batch *r = pl->stage;
    if (r->n > 0 && !r->has_time) {
        g_set_error(&s->error, ES_ERROR, ES_ERROR_DATA, "edge %" G_GUINT64_FORMAT " has no timestamp, and a window"
                    " over time (--window tumbling:SPAN) needs one on every line", (guint64)s->first_index);
        return FALSE;
    }
    for (size_t i = 0; i < r->n; i++) {
        const int64_t t = r->time[i];
        if (!pl->span_open || t > pl->max_time) {
            pl->max_time = t;
            pl->span_open = TRUE;
            g_tree_foreach(pl->held, mark_passed, pl);
        }
        if ((__int128)t < (__int128)pl->max_time - pl->cfg->lateness) {
            pl->late++;
            continue;
        }
        hold_line(pl, t, r->ids + 2 * i, r->has_del ? r->del[i] : 0, r->has_weight ? r->weight[i] : 0.0,
                  r->has_weight);
    }
    r->n = 0;
    return TRUE;
}

/* The held lines as of now into *c (emptied first), pane by pane. */
static gboolean copy_pane(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    const held_pane *h = value;
    held_state *c = data;
    const guint k = h->time->len - (guint)h->sent;
    g_array_append_vals(c->time, &g_array_index(h->time, int64_t, h->sent), k);
    g_array_append_vals(c->ids, &g_array_index(h->ids, uint64_t, 2 * h->sent), 2 * k);
    g_array_append_vals(c->del, &g_array_index(h->del, uint8_t, h->sent), k);
    g_array_append_vals(c->weight, &g_array_index(h->weight, double, h->sent), k);
    for (guint i = 0; i < k; i++)
        g_array_append_val(c->late, h->late);
    return FALSE;
}

static void copy_held(const pipeline *pl, held_state *c)
{
    c->max_time = pl->max_time;
    c->late_read = pl->late;
    c->sent_any = pl->sent_any;
    c->sent_pane = pl->sent_pane;
    g_array_set_size(c->time, 0);
    g_array_set_size(c->ids, 0);
    g_array_set_size(c->del, 0);
    g_array_set_size(c->weight, 0);
    g_array_set_size(c->late, 0);
    g_tree_foreach(pl->held, copy_pane, c);
}

static void held_state_init(held_state *c)
{
    c->time = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    c->ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    c->del = g_array_new(FALSE, FALSE, sizeof(uint8_t));
    c->weight = g_array_new(FALSE, FALSE, sizeof(double));
    c->late = g_array_new(FALSE, FALSE, sizeof(uint64_t));
}

static void held_state_clear(held_state *c)
{
    if (c->time == NULL)
        return;
    g_array_free(c->time, TRUE);
    g_array_free(c->ids, TRUE);
    g_array_free(c->del, TRUE);
    g_array_free(c->weight, TRUE);
    g_array_free(c->late, TRUE);
    *c = (held_state){ 0 };
}

/* On resume: the restored snapshot's held lines and watermark (their
 * order is the one they were held in, so the panes are as they were). */
static void restore_held(pipeline *pl, const es_snapshot_window *w)
{
    __int128 lo, hi;
    pl->max_time = w->max_time;
    pl->late = w->late_read;
    pl->sent_any = w->sent_any != 0;
    pl->sent_pane = w->sent_pane;
    pl->span_open = w->held > 0 || w->sent_any;   /* (a line was read: it is held, or was handed on) */
    for (size_t i = 0; i < w->held; i++) {
        hold_line(pl, (int64_t)w->held_time[i], w->held_ids + 2 * i, w->held_del[i], w->held_weight[i],
                  w->held_weight[i] != 0.0);
        span_of((int64_t)w->held_time[i], pl->pane_span, &lo, &hi);
        int64_t index = (int64_t)(lo / pl->pane_span);
        ((held_pane *)g_tree_lookup(pl->held, &index))->late = w->held_late[i];
    }
}

/* Fill the slot from the oldest held pane once the watermark has passed
 * its end (or the stream ended), reading on until one has; a pane larger
 * than a slot goes in several. */
static void fill_late(pipeline *pl, slot *s, size_t max)
{
    es_raw_batch *r = s->raw;
    for (;;) {
        held_pane *h = NULL;
        g_tree_foreach(pl->held, first_node, &h);
        const __int128 w = pl->pane_span;
        if (h != NULL && (pl->stage_end || ((__int128)h->index + 1) * w <= (__int128)pl->max_time - pl->cfg->lateness)) {
            const size_t k = MIN(max, h->time->len - h->sent);
            memcpy(r->ids, &g_array_index(h->ids, uint64_t, 2 * h->sent), 2 * k * sizeof *r->ids);
            memcpy(r->time, &g_array_index(h->time, int64_t, h->sent), k * sizeof *r->time);
            r->has_time = TRUE;
            r->has_del = h->has_del;
            if (h->has_del) {
                if (r->del == NULL)
                    r->del = es_big_alloc(r->cap);
                memcpy(r->del, &g_array_index(h->del, uint8_t, h->sent), k);
            }
            r->has_weight = h->has_weight;
            if (h->has_weight) {
                if (r->weight == NULL)
                    r->weight = es_big_alloc(r->cap * sizeof *r->weight);
                memcpy(r->weight, &g_array_index(h->weight, double, h->sent), k * sizeof *r->weight);
            }
            r->n = k;
            s->window_start = pl->sent_any && h->index != pl->sent_pane;
            pl->sent_any = TRUE;
            pl->sent_pane = h->index;
            s->pane = h->index;
            pl->fill_late = h->late == UINT64_MAX ? pl->late : h->late;   /* (UINT64_MAX: the stream's end) */
            s->span_lo = clamp64((__int128)h->index * w);
            s->span_hi = clamp64(((__int128)h->index + 1) * w);
            h->sent += k;
            if (h->sent == h->time->len)
                g_tree_remove(pl->held, &h->index);
            break;
        }
        if (pl->stage_end) {
            s->end = TRUE;
            break;
        }
        gboolean end = FALSE;
        if (!pl->src->cls->next(pl->src, pl->stage, pl->stage->cap, &end, &s->error) || !hold_staged(pl, s)) {
            s->end = TRUE;
            return;
        }
        pl->stage_end = end || g_atomic_int_get(&pl->stop);
    }
    /* (the position of the last read: the edges handed on lie before it) */
    r->input = pl->stage->input;
    r->offset = pl->stage->offset;
    r->line = pl->stage->line;
    r->consumed = pl->stage->consumed;
}

/* The reader runs ahead of the operators, whose threads are the run's
 * critical path: where they share cores, the operators' threads come
 * first (this thread's nice raised by PRODUCER_NICE; Linux, where nice is
 * per thread and, with autogroups as Debian has them, orders the run's
 * own threads rather than the run against other sessions').  So does the
 * mapper once it has shown that it runs ahead: when for at least 3/4 of
 * its first MAPPER_PROBE batches the operators' thread was not waiting
 * for one (a nice cannot be lowered again without privilege, so
 * a mapper that is the slowest stage, as with deletions, keeps its
 * priority).  On R-MAT scale 20 with 2 cores, bench/RESULTS.md. */
#define PRODUCER_NICE 10
#define MAPPER_PROBE  16

static void run_behind_the_operators(void)
{
#ifdef __linux__
    const id_t self = (id_t)gettid();
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, self);
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, self, MIN(now + PRODUCER_NICE, 19));
#endif
}

static gpointer reader_stage(gpointer data)
{
    pipeline *pl = data;
    run_behind_the_operators();
    const es_driver_config *cfg = pl->cfg;
    uint64_t edges = pl->start_edges;
    size_t ramp = RAMP_FIRST;
    for (;;) {
        slot *s = g_async_queue_pop(pl->free_q);
        s->end = g_atomic_int_get(&pl->stop);
        s->raw->n = 0;
        s->window_start = FALSE;
        if (!s->end) {
            size_t max = s->cap < ramp ? s->cap : ramp;
            ramp = ramp < s->cap ? 2 * ramp : ramp;
            /* Cut batches where a count-based snapshot or a count window
             * falls (reports slice batches in the operators' thread
             * instead: see process_slot). */
            if (pl->pane_edges) {
                uint64_t to_boundary = pl->pane_edges - edges % pl->pane_edges;
                if (to_boundary < max)
                    max = (size_t)to_boundary;
            }
            if (pl->ck) {
                uint64_t to_cut = es_checkpoint_next_cut(pl->ck, edges) - edges;
                if (to_cut < max)
                    max = (size_t)to_cut;
            }
            if (cfg->max_edges && cfg->max_edges - edges < max)
                max = (size_t)(cfg->max_edges - edges);
            s->first_index = edges;
            /* (the late lines read after the last accepted one lie
             * before this slot's first: counted as this slot's) */
            s->late_base = pl->late - pl->late_tail;
            g_array_set_size(s->late_at, 0);
            for (uint64_t i = 0; i < pl->late_tail; i++)
                g_array_append_val(s->late_at, edges);
            if (pl->held && max == 0)
                s->end = TRUE;
            else if (pl->held)
                fill_late(pl, s, max);
            else if (pl->carry && pl->carry->n > 0) {
                /* what the last batch read beyond its window, first */
                carry_tail(pl->carry, 0, s->raw);
                s->end = FALSE;
            } else if (max == 0)
                s->end = TRUE;
            else if (!pl->src->cls->next(pl->src, s->raw, max, &s->end, &s->error))
                s->end = TRUE;
            if (!s->end && cfg->window_span && !pl->held && !span_cut(pl, s))
                s->end = TRUE;
            if (pl->held && pl->ck)
                copy_held(pl, &s->held);
            s->carried = pl->carry && pl->carry->n > 0;
            /* (A run resumed at a boundary restored the window before it,
             * not yet closed: its first batch closes it.) */
            if (pl->pane_edges && s->raw->n > 0 && edges % pl->pane_edges == 0 && edges > 0)
                s->window_start = TRUE;
            if (pl->pane_edges)
                s->pane = (int64_t)(edges / pl->pane_edges);
            s->late = pl->held && s->raw->n > 0 ? pl->fill_late : pl->late;
            s->late_tail = pl->late_tail;
            if (pl->held)   /* (their places are not kept: counted when the watermark passed the pane) */
                s->late_base = s->late;
            edges += s->raw->n;
            s->bytes_done = s->bytes_total = 0;
            if (pl->src->cls->progress)
                pl->src->cls->progress(pl->src, &s->bytes_done, &s->bytes_total);
            pl->src->cls->counts(pl->src, &s->lines, &s->bad);
        }
        g_async_queue_push(pl->parsed_q, s);
        if (s->end)
            return NULL;
    }
}

/* Ids of a batch with deletion lines (es_idmap_map_lines: a deletion adds
 * no vertex; one naming an unknown id deletes nothing and leaves every
 * answer as it was), under one hold of the lock. */
static gboolean map_signed(pipeline *pl, slot *s)
{
    g_mutex_lock(&pl->idmap_lock);
    const gboolean ok = es_idmap_map_lines(pl->idmap, s->raw->ids, s->raw->del, (uint32_t *)s->edges, s->raw->n,
                                           &s->error);
    g_mutex_unlock(&pl->idmap_lock);
    return ok;
}

/* After the first batch's worth of lines of a run from the start over files
 * of known size: make the edge table room for the pairs the whole input will
 * likely hold, those lines' new pairs scaled by the input's size over the bytes read,
 * so that it never doubles (each doubling a fresh table touched again and
 * a rehash: their page zeroing alone was 10.5% of `cc,degree,tri-est` on R-MAT
 * scale 20, bench/RESULTS.md).
 * Repeats grow more common as a stream goes on, so the estimate errs
 * high, by at most the input's line count; PRESIZE_MAX bounds it, beyond
 * which the table grows as it needs. */
static void presize_table(pipeline *pl, const slot *s, size_t fresh)
{
    pl->presized = TRUE;
    /* (a tumbling window's table restarts with the window: no estimate;
     * a sliding window's holds its present pairs: the estimate is only
     * es_edgetable_reserved's hint) */
    if (pl->start_edges > 0 || ((pl->cfg->window || pl->cfg->window_span) && !pl->cfg->window_slide) || s->end ||
        s->bytes_total <= s->bytes_done || s->bytes_done == 0)
        return;
    const double scale = (double)s->bytes_total / (double)s->bytes_done;
    const double want = MIN((double)fresh * scale, (double)PRESIZE_MAX);
    es_edgetable_reserve(pl->mapper_table, (size_t)want);
}

/* libgomp lets an idle team thread spin some 300 000 rounds (about a
 * millisecond) before it sleeps, unless it manages more threads than
 * there are cores.  The reader and the mapper are not its threads, so
 * between the operators' regions their team's idle worker spun on a core
 * those two need: a fifth of a sliding window's CPU (bench/RESULTS.md).
 * One region of two threads in the mapper leaves a parked worker that
 * libgomp counts (it sleeps, costing nothing): with as many team threads
 * as cores, idle ones then spin only briefly.  (The edge set's parallel
 * insertion in the mapper did so unasked while it always took a team; a
 * sliding window's table of present pairs has none, and the mapper now
 * takes the team only while the operators wait for it.) */
static void count_the_mapper(void)
{
    if (omp_get_max_threads() > 1) {
        int team = 0;
        #pragma omp parallel num_threads(2)
        {
            #pragma omp atomic
            team++;
        }
        (void)team;
    }
}

/* The mapper's step before a slot's table answers: a table the caller
 * handed over becomes the mapper's once the caller has folded every slot
 * passed on before it (their answers are the caller's to make, in order);
 * then this slot is counted. */
static void take_handover(pipeline *pl)
{
    g_mutex_lock(&pl->table_lock);
    if (pl->handover != NULL) {
        while (pl->folded < pl->handover_at)
            g_cond_wait(&pl->handover_cond, &pl->table_lock);
        pl->mapper_table = pl->handover;
        pl->handover = NULL;
    }
    pl->decided++;
    g_mutex_unlock(&pl->table_lock);
}

/* The caller's step after folding a slot: count it, and hand the run's
 * table, adopted mid-run, to the mapper (take_handover), which then also
 * sizes it for the whole input as it would have sized its own
 * (presize_table: the lines so far and their distinct pairs).  Not with
 * windows (the mapper starts a table per tumbling window only when the
 * run starts with one, and a sliding window's expiries go beside it) nor
 * with deletions (their tables stay with the caller under snapshots).  On
 * R-MAT scale 20, `--ops tri-est` alone applied its adopted table here,
 * unsized (bench/RESULTS.md). */
static void hand_over_table(pipeline *pl, const es_flow *flow, uint64_t lines, gboolean done)
{
    const es_driver_config *cfg = pl->cfg;
    g_mutex_lock(&pl->table_lock);
    pl->folded = done ? UINT64_MAX : pl->folded + 1;
    if (!done && flow->table != NULL && pl->mapper_table == NULL && pl->handover == NULL && !cfg->window &&
        !cfg->window_span && !cfg->window_slide && !cfg->deletions) {
        if (pl->ck == NULL)   /* (no snapshot will read its keys) */
            es_edgetable_unlog(flow->table);
        pl->handover = flow->table;
        pl->handover_at = pl->decided;
        pl->seen_lines = lines;
        pl->seen_fresh = es_edgetable_edges(flow->table);
    }
    g_cond_broadcast(&pl->handover_cond);
    g_mutex_unlock(&pl->table_lock);
}

static gpointer mapper_stage(gpointer data)
{
    pipeline *pl = data;
    count_the_mapper();
    unsigned pushed = 0, ahead = 0;
    const int team = pl->cfg->threads > 0 ? pl->cfg->threads : omp_get_max_threads();
    for (;;) {
        slot *s = g_async_queue_pop(pl->parsed_q);
        gboolean failed = FALSE;
        /* While mapped batches wait for the operators, the cores are
         * theirs: the table's insertion runs on this thread alone (a team
         * of its own only added hand-overs and spinning, 4% of the CPU of
         * `cc,degree,tri-est` on R-MAT scale 20, bench/RESULTS.md).  When
         * the operators wait for this stage, it takes the team.  Answers
         * do not depend on the thread count (graph/edgeset.h). */
        omp_set_num_threads(g_async_queue_length(pl->full_q) > 0 ? 1 : team);
        s->new_table = NULL;
        s->new_idmap = NULL;
        if (s->window_start && !s->error && s->raw->n > 0 && !pl->cfg->window_slide) {
            /* A new window: its vertices and edges start afresh.  The old
             * id map and table are the operators' until they close the old
             * window (a snapshot of it may be reading them): the main
             * thread frees them. */
            const es_log_memory *mem = pl->ck ? &es_log_memory_recycled : NULL;
            g_mutex_lock(&pl->idmap_lock);
            pl->idmap = s->new_idmap = es_idmap_new(1u << 16, mem);
            g_mutex_unlock(&pl->idmap_lock);
            if (pl->mapper_table) {
                pl->mapper_table = es_edgetable_new(pl->ck != NULL, mem);
                s->new_table = pl->mapper_table;
            }
        }
        size_t nids = s->error ? 0 : 2 * s->raw->n;
        if (nids > 0 && s->raw->has_del) {
            nids = 0;   /* mapped here instead of in pieces below */
            if (!map_signed(pl, s)) {
                failed = !s->end;
                s->end = TRUE;
                g_atomic_int_set(&pl->stop, 1);
            }
        }
        for (size_t off = 0; off < nids && !failed; off += MAP_PIECE) {
            size_t len = nids - off < MAP_PIECE ? nids - off : MAP_PIECE;
            g_mutex_lock(&pl->idmap_lock);
            gboolean ok = es_idmap_map_ids(pl->idmap, s->raw->ids + off, (uint32_t *)s->edges + off, len, &s->error);
            g_mutex_unlock(&pl->idmap_lock);
            if (!ok) {
                failed = !s->end;   /* the reader is still going: stop it */
                s->end = TRUE;
                g_atomic_int_set(&pl->stop, 1);
            }
        }
        s->num_vertices = es_idmap_size(pl->idmap);
        s->has_change = FALSE;
        if (!s->error && s->raw->n > 0)
            take_handover(pl);
        if (pl->mapper_table && !s->error && s->raw->n > 0) {
            g_mutex_lock(&pl->table_lock);
            s->log_moves = es_log_moves();
            if (pl->ahead)   /* (expiries come before the lines of a later pane) */
                es_slider_ahead_expire(pl->ahead, pl->mapper_table, s->pane, &s->exp);
            const size_t fresh = es_edgetable_apply_ahead_signed(pl->mapper_table, s->edges,
                                                                 s->raw->has_del ? s->raw->del : NULL,
                                                                 s->raw->n, s->change, &s->mark);
            if (!pl->presized) {
                /* (a batch's worth: the first batches are smaller, RAMP_FIRST) */
                pl->seen_lines += s->raw->n;
                pl->seen_fresh += fresh;
                if (pl->seen_lines >= s->cap || s->end)
                    presize_table(pl, s, pl->seen_fresh);
            }
            if (pl->ahead)
                es_slider_ahead_keep(pl->ahead, s->pane, s->edges, s->raw->has_del ? s->raw->del : NULL, s->change,
                                     s->raw->n);
            g_mutex_unlock(&pl->table_lock);
            s->has_change = TRUE;
        }
        gboolean end = s->end;
        if (pushed < MAPPER_PROBE) {
            ahead += g_async_queue_length(pl->full_q) >= 0;   /* (< 0: the operators wait for it) */
            if (++pushed == MAPPER_PROBE && 4 * ahead >= 3 * MAPPER_PROBE)
                run_behind_the_operators();
        }
        g_async_queue_push(pl->full_q, s);
        /* After a failure, recycle what the reader still sends until it ends. */
        while (failed) {
            slot *t = g_async_queue_pop(pl->parsed_q);
            failed = !t->end;
            g_clear_error(&t->error);
            g_async_queue_push(pl->free_q, t);
        }
        if (end)
            return NULL;
    }
}

/* A report's stream section (es_driver_collect without the operators'). */
static void collect_stream(const es_driver_stats *stats, gboolean final, es_report *r)
{
    es_report_clear(r);
    r->edges = stats->edges;
    r->final = final;
    es_report_begin(r, "stream");
    es_report_add_u64(r, "edges", stats->edges);
    es_report_add_u64(r, "vertices", stats->vertices - MIN(stats->absent, stats->vertices));
    es_report_add_u64(r, "bad_lines", stats->bad_lines);
    if (stats->window) {
        es_report_add_u64(r, "window_start", stats->window_start);
        es_report_add_u64(r, "window_end", stats->window_end ? stats->window_end : stats->window_start + stats->window);
    } else if (stats->span_hi > stats->span_lo) {
        es_report_add_i64(r, "window_start", stats->span_lo);
        es_report_add_i64(r, "window_end", stats->span_hi);
        es_report_add_u64(r, "late_edges", stats->late_edges);
    }
    if (stats->dynamic) {
        es_report_add_u64(r, "deletions", stats->deletions);
        es_report_add_u64(r, "deletions_ignored", stats->deletions_ignored);
    }
}

void es_driver_collect(GPtrArray *ops, const es_driver_stats *stats, gboolean final, es_report *r)
{
    collect_stream(stats, final, r);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        op->absent = stats->absent;
        es_operator_report(op, r);
    }
}

/* The late lines a report after the first x accepted lines counts: those
 * read before the x-th, so that no report depends on where batches were
 * cut (nor a resumed run's on where its snapshot was taken); the final
 * report counts them all. */
static uint64_t late_upto(const slot *s, uint64_t x)
{
    uint64_t c = s->late_base;
    for (guint i = 0; i < s->late_at->len && g_array_index(s->late_at, uint64_t, i) < x; i++)
        c++;
    return c;
}

/* Run every operator on a slot's batch, in slices that end where an
 * interim report falls, with a report after each.  Reports do not cut the
 * reader's batches: at --report-every 1000 that made 10 000 batches of R-MAT
 * scale 20 pass through three threads, a hand-over and an OpenMP region
 * each, which alone cost 1.7x the run's wall time (bench/RESULTS.md); a
 * slice costs one call per operator.  A slice ends where a cut would, with
 * the vertex count of its own prefix (dense ids are given in order of first
 * appearance, so it is one more than the largest id so far), so every
 * answer is that of a batch cut there.  The edge table is caught up with
 * the whole batch first: operators read only its answers (change[]) in
 * process_batch, and its keys only at barriers, which fall between
 * batches.  Each slice goes through the fold every stream shares
 * (dataflow/flow.h). */
typedef struct {
    es_slider      *slider;
    int64_t         pane;
    const es_batch *b;
} kept_lines;

static void keep_lines(void *user)
{
    const kept_lines *k = user;
    es_slider_keep(k->slider, k->pane, k->b);
}

static gboolean process_slot(const es_driver_config *cfg, GPtrArray *ops, es_flow *flow, es_slider *slider,
                             const slot *s, gboolean last, es_driver_stats *stats, es_report *report,
                             es_progress *progress, GError **error)
{
    const size_t n = s->raw->n;
    const uint64_t every = cfg->on_report ? cfg->report_every : 0;
    uint32_t nv = stats->vertices;
    if (s->has_change)
        es_flow_catch_up(flow, &s->mark);
    /* The table counts the whole batch's ignored deletions (applied
     * ahead): a slice's report counts those up to its end. */
    uint64_t ignored_ahead = 0;
    for (size_t i = 0; s->has_change && s->raw->has_del && i < n; i++)
        ignored_ahead += s->change[i] == ES_EDGE_IGNORED;
    for (size_t a = 0; a < n;) {
        size_t len = n - a;
        if (every) {
            const uint64_t to_boundary = every - (s->first_index + a) % every;
            if (to_boundary < len)
                len = (size_t)to_boundary;
        }
        uint32_t slice_nv = s->num_vertices;
        if (a + len < n) {
            for (size_t i = a; i < a + len; i++) {
                const uint32_t m = MAX(s->edges[i].u, s->edges[i].v) + 1;
                nv = MAX(nv, m);
            }
            slice_nv = nv;
        }
        es_batch b = {
            .edges = s->edges + a,
            .ext = s->raw->ids + 2 * a,
            .time = s->raw->has_time ? s->raw->time + a : NULL,
            .del = s->raw->has_del ? s->raw->del + a : NULL,
            .weight = s->raw->has_weight ? s->raw->weight + a : NULL,
            .n = len,
            .first_index = s->first_index + a,
            .num_vertices = slice_nv,
        };
        for (size_t i = 0; b.del != NULL && !cfg->deletions && i < len; i++) {
            if (b.del[i]) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "edge %" G_GUINT64_FORMAT " of the stream is a deletion"
                            " (a line ending in -): run with --deletions", (guint64)es_batch_index(&b, i));
                return FALSE;
            }
        }
        /* (a sliding window keeps the lines beside the fold: they touch
         * nothing the operators read) */
        kept_lines kl = { slider, s->pane, &b };
        const es_fanout_beside keep = { .side = keep_lines, .side_user = &kl };
        if (!es_flow_fold_beside(flow, &b, s->change + a, s->has_change, slider ? &keep : NULL, error))
            return FALSE;
        for (size_t i = a; s->has_change && s->raw->has_del && i < a + len; i++)
            ignored_ahead -= s->change[i] == ES_EDGE_IGNORED;
        stats->deletions = flow->deleted;
        stats->deletions_ignored = es_flow_ignored(flow) - ignored_ahead;
        a += len;
        stats->edges = s->first_index + a;
        stats->vertices = slice_nv;
        if (cfg->window_span)
            stats->late_edges = late_upto(s, stats->edges);
        if (slider)
            stats->absent = es_slider_absent(slider, slice_nv);
        /* Once stopped, only the final report: it covers what was read. */
        if (every && stats->edges % every == 0 && !(last && a == n) && !es_stop_reason(cfg->stop)) {
            es_progress_clear(progress);
            if (slider)
                es_slider_merge_begin(slider);
            es_driver_collect(ops, stats, FALSE, report);
            if (slider)
                es_slider_merge_end(slider);
            cfg->on_report(report, cfg->user);
        }
    }
    return TRUE;
}

/* The id map, after opening the checkpoint (cfg->checkpoint) and, on
 * resume, restoring the id map and seeking the source to *pos; NULL (and
 * nothing left open) when a step fails. */
static es_idmap *start(const es_driver_config *cfg, GPtrArray *ops, es_edge_source *src, es_stream_pos *pos,
                       es_checkpoint **ck, GError **error)
{
    uint64_t *ext = NULL;
    uint32_t n = 0;
    es_idmap *idmap = NULL;
    gboolean ok = FALSE;
    if (cfg->checkpoint == NULL)
        return es_idmap_new(1u << 16, NULL);
    /* Logs the writer thread reads beside the stream must stay put. */
    /* In a sliding window the per-pane operators' instances come and go
     * with the panes (dataflow/window.h): a writer thread beside the
     * stream could read one freed, so the stream waits for each write. */
    es_checkpoint_config ckcfg = *cfg->checkpoint;
    ckcfg.wait = ckcfg.wait || cfg->window_slide;
    g_autofree char *stream = es_stream_spec(cfg);
    ckcfg.stream = stream;
    if ((*ck = es_checkpoint_open(&ckcfg, src, ops, pos, &ext, &n, error)) == NULL)
        goto out;
    idmap = es_idmap_new(MAX(n, 1u << 16), &es_log_memory_stable);
    if (!es_idmap_add_all(idmap, ext, n, error))
        goto out;
    if (!src->cls->seek(src, pos, error))
        goto out;
    ok = TRUE;
out:
    if (ext)
        es_h5_free(ext, (size_t)n * sizeof *ext);
    if (!ok) {
        g_clear_pointer(ck, es_checkpoint_free);
        g_clear_pointer(&idmap, es_idmap_free);
    }
    return idmap;
}

gboolean es_driver_check_deletions(GPtrArray *ops, GError **error)
{
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!op->klass->deletions) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                        "%s handles insertions only: it cannot run on a stream with deletions", op->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* A window closes: its report, then every operator afresh reading the
 * next window's table (the mapper's new one, or none yet) and id map
 * (*idmap, the old one freed once no snapshot reads it). */
static void close_window(const es_driver_config *cfg, es_flow *flow, es_checkpoint *ck, es_idmap **idmap,
                         es_driver_stats *stats, es_report *report, slot *s)
{
    if (cfg->on_report) {
        es_driver_collect(flow->ops, stats, FALSE, report);
        cfg->on_report(report, cfg->user);
    }
    if (ck)   /* a snapshot may be reading the old window's state */
        es_checkpoint_restart(ck);
    es_flow_restart(flow, s->new_table);
    s->new_table = NULL;
    es_idmap_free(*idmap);
    *idmap = s->new_idmap;
    s->new_idmap = NULL;
    stats->window_start = s->first_index;
    stats->vertices = 0;   /* (the new window's id map starts empty: slices count from here) */
    stats->span_lo = s->span_lo;
    stats->span_hi = s->span_hi;
    stats->deletions = 0;
    stats->deletions_ignored = 0;
}

/* A sliding window: every operator must forget expiring edges. */
static gboolean check_sliding(const es_driver_config *cfg, GPtrArray *ops, GError **error)
{
    const uint64_t size = cfg->window ? cfg->window : (uint64_t)cfg->window_span;
    g_return_val_if_fail(size > 0 && size % cfg->window_slide == 0, FALSE);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!op->klass->deletions && op->klass->merge == NULL) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s cannot forget edges: it cannot run in a sliding window,"
                        " whose expiring edges every operator must forget (--window tumbling takes it)", op->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* At a barrier: what a snapshot needs of the window beyond the
 * operators (snapshot/snapshot.h, /window), into *w and pos->window: a
 * sliding window's lines, and with windows over time the open window
 * (pane) and the late lines so far. */
static void freeze_window(const es_driver_config *cfg, es_slider *slider, int64_t span_pane, uint64_t late_tail,
                          const held_state *held, held_state *frozen, const es_driver_stats *stats,
                          es_snapshot_window *w, es_stream_pos *pos)
{
    if (slider)
        es_slider_freeze(slider, w);
    else if (cfg->window_span)
        *w = (es_snapshot_window){ .present = TRUE, .open = span_pane };
    else
        return;
    w->late = stats->late_edges;
    w->late_tail = late_tail;
    if (held != NULL) {   /* (copied: the slot goes back to the reader, the writer may still read) */
        frozen->max_time = held->max_time;
        frozen->late_read = held->late_read;
        frozen->sent_any = held->sent_any;
        frozen->sent_pane = held->sent_pane;
        g_array_set_size(frozen->time, 0);
        g_array_append_vals(frozen->time, held->time->data, held->time->len);
        g_array_set_size(frozen->ids, 0);
        g_array_append_vals(frozen->ids, held->ids->data, held->ids->len);
        g_array_set_size(frozen->del, 0);
        g_array_append_vals(frozen->del, held->del->data, held->del->len);
        g_array_set_size(frozen->weight, 0);
        g_array_append_vals(frozen->weight, held->weight->data, held->weight->len);
        g_array_set_size(frozen->late, 0);
        g_array_append_vals(frozen->late, held->late->data, held->late->len);
        w->held_present = TRUE;
        w->max_time = frozen->max_time;
        w->late_read = frozen->late_read;
        w->sent_any = frozen->sent_any;
        w->sent_pane = frozen->sent_pane;
        w->held = frozen->time->len;
        w->held_time = (uint64_t *)(void *)frozen->time->data;
        w->held_ids = (uint64_t *)(void *)frozen->ids->data;
        w->held_del = (uint8_t *)frozen->del->data;
        w->held_weight = (double *)(void *)frozen->weight->data;
        w->held_late = (uint64_t *)(void *)frozen->late->data;
    }
    pos->window = w;
}

void es_driver_mark_ops(GPtrArray *ops, gboolean deletions, gboolean sliding)
{
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        op->dynamic = op->dynamic || deletions || sliding;
        op->sliding = op->sliding || (sliding && !deletions);   /* (BIC takes no deletion) */
    }
}

es_slider *es_driver_flow_start(es_flow *flow, GPtrArray *ops, gboolean snapshots, gboolean deletions,
                                gboolean sliding)
{
    /* A sliding window's table is rebuilt from its lines on resume
     * (es_slider_restore); with deletions it is the snapshot's, as every
     * operator's state is. */
    for (guint i = 0; sliding && snapshots && !deletions && i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        g_clear_pointer(&op->own_edges, es_edgetable_free);
        op->edges = NULL;
    }
    es_flow_init(flow, ops, snapshots, deletions || sliding);
    es_slider *slider = sliding ? es_slider_new(deletions) : NULL;
    if (slider)
        es_slider_watch(slider, ops);
    return slider;
}

/* The bounds of the sliding window ending with pane j into stats. */
static void window_of_pane(const es_driver_config *cfg, int64_t j, es_driver_stats *stats)
{
    const __int128 end = ((__int128)j + 1) * (__int128)cfg->window_slide;
    if (cfg->window) {
        stats->window_end = (uint64_t)end;
        stats->window_start = end > (__int128)cfg->window ? (uint64_t)(end - cfg->window) : 0;
    } else {
        stats->span_hi = clamp64(end);
        stats->span_lo = clamp64(end - cfg->window_span);
    }
}

void es_driver_resumed_window(const es_driver_config *cfg, uint64_t edges, const es_snapshot_window *w,
                              es_driver_stats *stats)
{
    stats->window = cfg->window;
    /* (a tumbling window holding edge edges - 1: at a boundary, the window before it) */
    stats->window_start = cfg->window && edges > 0 ? (edges - 1) / cfg->window * cfg->window : 0;
    if (w == NULL || !w->present)
        return;
    if (cfg->window_slide) {
        window_of_pane(cfg, w->open, stats);
    } else if (cfg->window_span) {   /* a tumbling window over time: number open */
        stats->span_lo = clamp64((__int128)w->open * cfg->window_span);
        stats->span_hi = clamp64((__int128)w->open * cfg->window_span + cfg->window_span);
    }
    if (cfg->window_span)
        stats->late_edges = w->late;
}

/* A sliding window's report, its operators' sections made beside the
 * next expiry's fold (each operator's in its own task, before it folds
 * the expiry: dataflow/fanout.h), so that the report's heavy parts (cc's
 * union of BIC's two forests) overlap the heavy operator's expiry
 * (tri-est's) instead of running alone; printed after that fold, the same
 * bytes.  Only when on_report reads nothing but the report
 * (es_driver_config.reports_only), and not with per-pane operators
 * (their report merges the panes' instances, es_slider_merge_begin, which
 * the expiry may free). */
typedef struct {
    GPtrArray  *ops;
    GPtrArray  *part;      /* es_report * per operator of ops */
    uint32_t    absent;    /* es_operator.absent as of the report */
    es_report  *report;    /* the stream section, then the operators' */
    gboolean    pending;   /* a report waits for the next expiry */
} deferred_report;

static void deferred_before(es_operator *op, guint i, void *user)
{
    deferred_report *d = user;
    (void)i;   /* (its place among the operators folding: all of them, here) */
    guint at = 0;
    while (g_ptr_array_index(d->ops, at) != op)
        at++;
    es_report *r = g_ptr_array_index(d->part, at);
    es_report_clear(r);
    op->absent = d->absent;
    es_operator_report(op, r);
}

/* Hand a pending report on: its operators' sections, made beside the
 * expiry's fold (ran) or now. */
static void deferred_emit(const es_driver_config *cfg, deferred_report *d, gboolean ran)
{
    if (!d->pending)
        return;
    d->pending = FALSE;
    for (guint i = 0; i < d->ops->len; i++) {
        es_report *r = g_ptr_array_index(d->part, i);
        if (!ran)
            deferred_before(g_ptr_array_index(d->ops, i), i, d);
        es_report_take(d->report, r);
    }
    cfg->on_report(d->report, cfg->user);
}

/* A sliding window's first batch of pane q (q >= *open): report every
 * window that closes before q and holds an edge (those ending with the
 * panes from *open on), expiring the panes that leave first; then expire
 * the panes q's window leaves out, and open q. */
static gboolean slide(const es_driver_config *cfg, es_flow *flow, es_slider *slider, int64_t *open, int64_t q,
                      es_expiry_answers *ahead, es_driver_stats *stats, deferred_report *d, GError **error)
{
    const uint64_t size = cfg->window ? cfg->window : (uint64_t)cfg->window_span;
    const __int128 k = size / cfg->window_slide;   /* panes per window */
    if (*open == q)
        return TRUE;
    const es_fanout_beside with_report = { .before = deferred_before, .before_user = d };
    gboolean ran;
    for (__int128 j = *open; *open != INT64_MIN && j < q && j < *open + k; j++) {
        const __int128 gone = j - k;
        const gboolean ok = es_slider_expire(slider, flow, gone < INT64_MIN ? INT64_MIN : (int64_t)gone,
                                             stats->vertices, ahead, d->pending ? &with_report : NULL, &ran, error);
        deferred_emit(cfg, d, ran);
        if (!ok)
            return FALSE;
        stats->absent = es_slider_absent(slider, stats->vertices);
        if (es_slider_empty(slider) || cfg->on_report == NULL)
            continue;
        window_of_pane(cfg, (int64_t)j, stats);
        if (es_slider_per_pane(slider) || !cfg->reports_only) {
            es_slider_merge_begin(slider);
            es_driver_collect(flow->ops, stats, FALSE, d->report);
            es_slider_merge_end(slider);
            cfg->on_report(d->report, cfg->user);
            continue;
        }
        collect_stream(stats, FALSE, d->report);
        d->absent = stats->absent;
        d->pending = TRUE;
    }
    es_slider_open(slider, q);   /* (before the expiry: the open pane's instances may go too) */
    const __int128 gone = (__int128)q - k;
    const gboolean ok = es_slider_expire(slider, flow, gone < INT64_MIN ? INT64_MIN : (int64_t)gone, stats->vertices,
                                         ahead, d->pending ? &with_report : NULL, &ran, error);
    deferred_emit(cfg, d, ran);
    if (!ok)
        return FALSE;
    g_assert(ahead == NULL || ahead->at == ahead->n);
    stats->absent = es_slider_absent(slider, stats->vertices);
    *open = q;
    window_of_pane(cfg, q, stats);
    return TRUE;
}

gboolean es_driver_run(const es_driver_config *cfg, GPtrArray *ops, es_driver_stats *stats, GError **error)
{
    if (cfg->deletions && !es_driver_check_deletions(ops, error))
        return FALSE;
    if (cfg->window_slide && !check_sliding(cfg, ops, error))
        return FALSE;
    es_edge_source *own_src = cfg->source ? NULL : es_file_source_new(cfg->inputs, cfg->skip_bad, cfg->format);
    es_edge_source *src = cfg->source ? cfg->source : own_src;
    if (own_src)
        es_file_source_set_live(own_src, cfg->linger_us, cfg->stop);
    size_t batch = cfg->batch_size ? cfg->batch_size : ES_DEFAULT_BATCH;
    if (src->cls->batch_bound)
        batch = MAX(src->cls->batch_bound(src, batch), 1);
    if (cfg->threads > 0)
        omp_set_num_threads(cfg->threads);
    *stats = (es_driver_stats){ 0 };
    es_stream_pos pos = { 0 };
    es_checkpoint *ck = NULL;
    /* (a snapshot's operators restore as the stream will feed them) */
    es_driver_mark_ops(ops, cfg->deletions, cfg->window_slide != 0);
    es_idmap *idmap = start(cfg, ops, src, &pos, &ck, error);
    if (idmap == NULL) {
        es_edge_source_free(own_src);
        return FALSE;
    }
    stats->edges = pos.edges;
    stats->lines = pos.lines;
    stats->bad_lines = pos.bad;
    stats->vertices = pos.vertices;
    es_driver_resumed_window(cfg, pos.edges, pos.window, stats);
    stats->dynamic = cfg->deletions;
    pipeline pl = {
        .cfg = cfg,
        .src = src,
        .idmap = idmap,
        .ck = ck,
        .start_edges = pos.edges,
        .free_q = g_async_queue_new(),
        .parsed_q = g_async_queue_new(),
        .full_q = g_async_queue_new(),
    };
    pl.carry = cfg->window_span && !cfg->lateness_on ? es_raw_batch_new(batch) : NULL;
    if (cfg->window_span && cfg->lateness_on) {
        pl.stage = es_raw_batch_new(batch);
        pl.held = g_tree_new_full(cmp_i64, NULL, NULL, held_pane_free);
    }
    pl.pane_edges = cfg->window_slide && cfg->window ? cfg->window_slide : cfg->window;
    pl.pane_span = cfg->window_slide && cfg->window_span ? (int64_t)cfg->window_slide : cfg->window_span;
    g_mutex_init(&pl.idmap_lock);
    g_mutex_init(&pl.table_lock);
    g_cond_init(&pl.handover_cond);
    slot slots[NSLOTS];
    for (int i = 0; i < NSLOTS; i++) {
        slots[i] = (slot){ .raw = es_raw_batch_new(batch), .cap = batch,
                           .late_at = g_array_new(FALSE, FALSE, sizeof(uint64_t)) };
        if (cfg->lateness_on && cfg->checkpoint)
            held_state_init(&slots[i].held);
        slots[i].edges = es_big_alloc(batch * sizeof(es_edge));
        slots[i].change = es_big_alloc(batch);
        g_async_queue_push(pl.free_q, &slots[i]);
    }
    es_flow flow;
    es_slider *slider = es_driver_flow_start(&flow, ops, cfg->checkpoint != NULL, cfg->deletions,
                                             cfg->window_slide != 0);
    /* (resumed: the restored table's counts, even when no line is left to
     * fold, as after the final snapshot) */
    stats->deletions = flow.deleted;
    stats->deletions_ignored = es_flow_ignored(&flow);
    /* The table's stage runs in the mapper thread, beside the operators, when
     * the run starts with one (else in this thread, once adopted); in a
     * sliding window the mapper also applies the expiries of the panes that
     * leave, before the first batch of a later pane (es_slider_ahead), and
     * hands their answers over in the slot; with deletions or a sliding
     * window and snapshots, here, so that a barrier freezes the
     * multiplicities of the batches folded (es_edgetable_freeze). */
    pl.mapper_table = (cfg->window_slide || cfg->deletions) && ck ? NULL : flow.table;
    if (cfg->window_slide && pl.mapper_table) {
        pl.ahead = es_slider_ahead_new((cfg->window ? cfg->window : (uint64_t)cfg->window_span) / cfg->window_slide);
        /* (no snapshot reads its keys: it keeps the present pairs alone) */
        if (!es_edgetable_logged(pl.mapper_table))
            es_edgetable_window(pl.mapper_table, (size_t)MIN(cfg->window, (uint64_t)PRESIZE_MAX));
    }
    int64_t open_pane = INT64_MIN;   /* the sliding window's newest pane (INT64_MIN: none yet) */
    int64_t span_pane = INT64_MIN;   /* a tumbling window over time: the open window's number */
    uint64_t final_late_tail = pos.window ? pos.window->late_tail : 0;
    es_snapshot_window frozen_window;
    held_state frozen_held = { 0 };   /* (the held lines of the last snapshot taken) */
    if (cfg->lateness_on && ck)
        held_state_init(&frozen_held);
    gboolean restored = TRUE;
    if (slider && pos.window) {   /* resumed inside a window: its lines again */
        restored = es_slider_restore(slider, &flow, pos.window, es_idmap_externals(idmap), pos.vertices, error);
        open_pane = pos.window->open;
        stats->absent = es_slider_absent(slider, stats->vertices);
    }
    if (cfg->window_span && pos.window) {   /* the open window over time (or pane) */
        span_pane = pos.window->open;
        pl.span_open = TRUE;
        pl.span_lo = (__int128)span_pane * pl.pane_span;
        pl.span_hi = pl.span_lo + pl.pane_span;
        pl.late = pos.window->late;
        pl.late_tail = pos.window->late_tail;
    }
    if (pl.held && pos.window && pos.window->held_present)
        restore_held(&pl, pos.window);
    pos.window = NULL;
    es_report *report = es_report_new();
    deferred_report deferred = { .ops = ops, .report = report };
    if (slider) {
        deferred.part = g_ptr_array_new_with_free_func((GDestroyNotify)es_report_free);
        for (guint i = 0; i < ops->len; i++)
            g_ptr_array_add(deferred.part, es_report_new());
    }
    es_progress *progress = es_progress_new(cfg->progress, cfg->progress_lines);
    gint64 t0 = g_get_monotonic_time();
    /* es_log_moves() before the mapper applied the table's mark the
     * operators caught up with last (a barrier's es_log_pin) */
    guint seen_moves = es_log_moves();
    GThread *reader_th = g_thread_try_new("es-reader", reader_stage, &pl, NULL);
    GThread *mapper_th = reader_th ? g_thread_try_new("es-mapper", mapper_stage, &pl, NULL) : NULL;
    if (mapper_th == NULL)
        es_out_of_memory(0, "the stack of a reader thread");

    gboolean ok = restored, seen_end = FALSE;
    char *final_text = NULL;   /* the source's position text at the end */
    uint64_t snap_offset = pos.offset;   /* of the last snapshot taken or restored */
    slot *ahead = NULL;   /* the next slot, popped early to see whether the stream ends */
    while (!seen_end) {
        slot *s = ahead ? ahead : g_async_queue_pop(pl.full_q);
        ahead = NULL;
        seen_end = s->end;
        if (s->error) {
            g_propagate_error(error, s->error);
            s->error = NULL;
            ok = FALSE;
        }
        size_t n = s->raw->n;
        if (cfg->window_span && ok && n > 0)   /* (the reports of windows closing now) */
            stats->late_edges = late_upto(s, s->first_index);
        if (ok && n > 0 && slider) {
            es_progress_clear(progress);
            ok = slide(cfg, &flow, slider, &open_pane, s->pane, s->has_change ? &s->exp : NULL, stats, &deferred,
                       error);
        } else if (ok && n > 0 && s->window_start) {
            es_progress_clear(progress);
            close_window(cfg, &flow, ck, &idmap, stats, report, s);
        }
        gboolean last = seen_end;
        if (ok && n > 0 && !seen_end && cfg->on_report && cfg->report_every &&
            (s->first_index + n) % cfg->report_every == 0) {
            /* A report falls at this batch's end: when the stream ends
             * there, the final report says the same, so look at the next
             * slot first.  A file's comes at once; a pipe's may not come
             * for long, so wait a moment only. */
            ahead = s->bytes_total > 0 ? g_async_queue_pop(pl.full_q)
                                       : g_async_queue_timeout_pop(pl.full_q, REPORT_LOOKAHEAD_US);
            last = ahead && ahead->end && ahead->raw->n == 0 && ahead->error == NULL;
        }
        if (ok && n > 0) {
            ok = process_slot(cfg, ops, &flow, slider, s, last, stats, report, progress, error);
            if (s->has_change)
                seen_moves = s->log_moves;
            if (ok)
                hand_over_table(&pl, &flow, stats->edges, FALSE);
            if (cfg->window_span && !slider) {
                stats->span_lo = s->span_lo;
                stats->span_hi = s->span_hi;
            }
            span_pane = s->pane;
            final_late_tail = s->late_tail;
            es_progress_update(progress, stats->edges, s->bytes_done, s->bytes_total);
        }
        if (ok && s->error == NULL && cfg->window_span)
            stats->late_edges = s->late;
        if (ok && s->error == NULL) {
            /* The stream position after this batch (after trailing comment
             * or skipped lines too, when it is the end marker). */
            stats->lines = s->lines;
            stats->bad_lines = s->bad;
            pos = (es_stream_pos){
                .edges = stats->edges, .lines = s->lines, .bad = s->bad, .vertices = stats->vertices,
                .input = s->raw->input, .offset = s->raw->offset, .line = s->raw->line,
            };
        }
        if (!ok) {
            g_async_queue_push(pl.free_q, s);
            break;
        }
        es_barrier bar = { .ops = ops, .stats = stats, .idmap = idmap, .pos = &pos,
                           .snapshot_id = ck ? es_checkpoint_last_id(ck) : 0, .snapshot_offset = snap_offset };
        if (!seen_end && cfg->on_barrier) {
            g_mutex_lock(&pl.idmap_lock);   /* lookups beside the mapper */
            cfg->on_barrier(&bar, cfg->user);
            g_mutex_unlock(&pl.idmap_lock);
            if (bar.snapshot_now && ck)
                es_checkpoint_request(ck);
        }
        /* A barrier: every operator has folded this batch, none the next. */
        /* (the rest of a read cut at a window's end waits in the reader's
         * carry buffer, where no snapshot holds it: a snapshot due then
         * waits for the next batch) */
        if (!seen_end && ck && !s->carried && es_checkpoint_due(ck, stats->edges)) {
            g_autofree char *text = src->cls->position_text(src, s->raw);
            pos.consumed = text;
            g_mutex_lock(&pl.idmap_lock);
            /* The mapper goes on applying the next batches to the table:
             * the keys of the mark the operators caught up with stay where
             * they are for the writer (es_log_pin).  Only after a log has
             * moved since is the mapper stopped, and the keys looked up
             * again (waiting for it cost up to a batch's apply per
             * barrier: bench/RESULTS.md). */
            const gboolean stop_mapper = !es_log_pin(seen_moves);
            if (stop_mapper) {
                g_mutex_lock(&pl.table_lock);
                if (flow.table)   /* (with windows the mapper's may be the next window's) */
                    es_edgetable_refresh(flow.table);
            }
            freeze_window(cfg, slider, span_pane, s->late_tail, s->held.time ? &s->held : NULL, &frozen_held, stats,
                          &frozen_window, &pos);
            es_checkpoint_take(ck, &pos, es_idmap_externals(idmap), ops);
            pos.window = NULL;
            snap_offset = pos.offset;
            if (stop_mapper)
                g_mutex_unlock(&pl.table_lock);
            g_mutex_unlock(&pl.idmap_lock);
            pos.consumed = NULL;
        }
        if (bar.snapshot_now) {
            if (ck)   /* the answer names a committed file */
                es_checkpoint_wait(ck);
            bar.snapshot_now = FALSE;
            bar.snapshot_answer = TRUE;
            bar.snapshot_id = ck ? es_checkpoint_last_id(ck) : 0;
            bar.snapshot_offset = snap_offset;
            g_mutex_lock(&pl.idmap_lock);
            cfg->on_barrier(&bar, cfg->user);
            g_mutex_unlock(&pl.idmap_lock);
        }
        if (seen_end && ck && s->error == NULL)
            final_text = src->cls->position_text(src, s->raw);
        /* The slot goes back only now: position_text reads its position. */
        g_async_queue_push(pl.free_q, s);
    }
    /* A failed run: stop the stages (a mapper waiting for a hand-over goes
     * on), and keep handing slots back until the end marker has gone
     * through them. */
    hand_over_table(&pl, &flow, 0, TRUE);
    g_atomic_int_set(&pl.stop, 1);
    while (!seen_end) {
        slot *s = ahead ? ahead : g_async_queue_pop(pl.full_q);
        ahead = NULL;
        seen_end = s->end;
        g_clear_error(&s->error);
        if (s->new_table != NULL && s->new_table != pl.mapper_table)
            es_edgetable_free(s->new_table);   /* a window never opened */
        if (s->new_idmap != NULL && s->new_idmap != pl.idmap)
            es_idmap_free(s->new_idmap);
        s->new_table = NULL;
        s->new_idmap = NULL;
        g_async_queue_push(pl.free_q, s);
    }
    g_thread_join(reader_th);
    g_thread_join(mapper_th);
    es_progress_finish(progress, stats->edges);
    pos.consumed = final_text;
    if (ok && ck) {
        es_checkpoint_wait(ck);   /* (the writer may read the frozen window) */
        held_state end_held = { 0 };
        if (pl.held) {   /* (the reader has ended: its state is the stream's end) */
            held_state_init(&end_held);
            copy_held(&pl, &end_held);
        }
        freeze_window(cfg, slider, span_pane, final_late_tail, pl.held ? &end_held : NULL, &frozen_held, stats,
                      &frozen_window, &pos);
        held_state_clear(&end_held);
    }
    if (ok && ck)
        stats->snapshots_failed = es_checkpoint_finish(ck, &pos, es_idmap_externals(idmap), ops);
    es_checkpoint_free(ck);
    held_state_clear(&frozen_held);
    stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (ok && cfg->on_report) {
        if (slider)
            es_slider_merge_begin(slider);
        es_driver_collect(ops, stats, TRUE, report);
        if (slider)
            es_slider_merge_end(slider);
        cfg->on_report(report, cfg->user);
    }
    es_progress_free(progress);
    if (deferred.part)
        g_ptr_array_free(deferred.part, TRUE);
    es_report_free(report);
    /* Drain the queues before freeing slots (the producer has exited). */
    while (g_async_queue_try_pop(pl.full_q))
        ;
    while (g_async_queue_try_pop(pl.parsed_q))
        ;
    while (g_async_queue_try_pop(pl.free_q))
        ;
    for (int i = 0; i < NSLOTS; i++) {
        es_raw_batch_free(slots[i].raw);
        g_array_free(slots[i].late_at, TRUE);
        held_state_clear(&slots[i].held);
        es_big_free(slots[i].edges, batch * sizeof(es_edge));
        es_big_free(slots[i].change, batch);
        es_expiry_answers_clear(&slots[i].exp);
        g_clear_error(&slots[i].error);
    }
    g_async_queue_unref(pl.free_q);
    g_async_queue_unref(pl.parsed_q);
    g_async_queue_unref(pl.full_q);
    es_raw_batch_free(pl.carry);
    es_raw_batch_free(pl.stage);
    if (pl.held)
        g_tree_destroy(pl.held);
    g_mutex_clear(&pl.idmap_lock);
    g_mutex_clear(&pl.table_lock);
    g_cond_clear(&pl.handover_cond);
    if (pl.mapper_table != NULL && pl.mapper_table != flow.table)
        es_edgetable_free(pl.mapper_table);   /* a window's, never opened */
    es_flow_clear(&flow);
    es_slider_free(slider);
    es_slider_ahead_free(pl.ahead);
    if (pl.idmap != idmap)
        es_idmap_free(pl.idmap);   /* a window's, never opened */
    es_idmap_free(idmap);
    es_edge_source_free(own_src);
    g_free(final_text);
    return ok;
}
