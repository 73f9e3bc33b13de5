/* window.h — sliding windows: the panes of a window and the expiry of the
 * oldest.
 *
 * What: a sliding window of SIZE slides by SLIDE, SLIDE dividing SIZE
 * (counts of edge lines, or spans of the timestamp column): it is a
 * sequence of SIZE / SLIDE panes of SLIDE each, pane p holding the lines
 * of stream index (count windows) or timestamp (time windows) in
 * [p * SLIDE, (p + 1) * SLIDE).  The window ending with pane p holds panes
 * p - SIZE / SLIDE + 1 .. p.  The slider keeps the lines of those panes
 * (dense and external ids) in a FIFO; when the window slides past a pane,
 * its lines are folded again through the run's flow (dataflow/flow.h) as
 * expiries (es_batch.del = ES_LINE_EXPIRE): the edge table's
 * multiplicities turn them into disappearances of simple-graph edges, and
 * every operator forgets them through its deletion path, as in Flink's
 * sliding windows over a retracting stream, with no recomputation of the
 * window (or answers from the window's lines: es_operator.sliding, cc's
 * BIC).  It also counts, per vertex, the window's lines naming it, so
 * that the vertices whose lines have all expired (isolated now) are left
 * out of the answers (es_operator.absent).
 * Deletion lines (--deletions): one that takes a copy of its pair away
 * (the table's answer is not ES_EDGE_IGNORED) cancels the oldest kept
 * line of that pair, whose expiry is then left out of its pane's expiry
 * batch (the stage ahead and the slider both count the cancelled lines
 * per pair, in the same stream order, so they leave out the same lines);
 * a deletion line is not kept.  The window's multiset is then that of
 * its insertion lines less the copies taken, as --deletions alone
 * gives for a window as long as the stream.  Cost: a hash table entry
 * per pair with cancelled lines kept, a probe per expiring line while
 * any is (none otherwise).
 * Operators that cannot forget but merge (es_operator_class.merge: hll,
 * topk) are kept one per pane instead (es_operator.per_pane): a new pane
 * gets fresh instances, an expiring pane's go, and a report answers from
 * the merge of the window's (es_slider_merge_begin).
 * Cost: per line kept, 24 bytes until it expires (and 8 more in the
 * mapper's copy, es_slider_ahead) plus two counter increments; per line
 * expired, one more fold through every operator's deletion path (their
 * headers state that cost) and two decrements.
 * Memory: 32 bytes per line of the window, 4 bytes per vertex.
 * Guarantee: after es_slider_expire(s, .., last), the operators' state is
 * that of the lines of panes last + 1 .. open, folded in stream order.
 */
#ifndef ES_WINDOW_H
#define ES_WINDOW_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/flow.h"
#include "graph/batch.h"
#include "graph/edgetable.h"

typedef struct es_slider es_slider;
struct es_snapshot_window;   /* snapshot/snapshot.h */

/* deletions: the stream has deletion lines (--deletions). */
es_slider *es_slider_new(gboolean deletions);
void       es_slider_free(es_slider *s);

/* Lines of pane p (>= the last pane kept) in stream order: keep b's
 * insertion lines (b->ext may be NULL) to expire later; each deletion
 * line that took a copy away (b->change) cancels the oldest kept line of
 * its pair. */
void     es_slider_keep(es_slider *s, int64_t pane, const es_batch *b);
/* The edge table's answers for expiring panes, worked out ahead of the
 * operators (es_slider_ahead_expire), in expiry order; `at` panes and
 * `off` lines of them taken so far. */
typedef struct {
    size_t             n, at, off;
    int64_t           *pane;
    size_t            *len;
    es_edgetable_mark *mark;   /* the table as of each pane's expiry */
    uint8_t           *change;
    size_t             cap, change_cap;
} es_expiry_answers;
void es_expiry_answers_clear(es_expiry_answers *a);   /* frees the arrays */

/* Fold the lines of every kept pane numbered <= last through f as
 * expiries, oldest first, and forget them.  num_vertices: the id map's
 * size now.  ahead: the table's answers for them when a stage ahead
 * applied it (each pane's, in order), else NULL: the fold applies it.
 * first, when not NULL: its `before` runs beside the first pane's fold
 * (dataflow/fanout.h; its side job is ignored: the line counts are this
 * one's), *first_ran saying whether there was one.  On failure (an
 * operator's limit) the run ends. */
gboolean es_slider_expire(es_slider *s, es_flow *f, int64_t last, uint32_t num_vertices, es_expiry_answers *ahead,
                          const es_fanout_beside *first, gboolean *first_ran, GError **error);

/* The table's side of a sliding window, ahead of the operators (the
 * driver's mapper thread applies the table as the stream goes, so the
 * operators' thread only folds): the lines of the panes the window holds,
 * 8 bytes each, whose expiries it applies before the first batch of a
 * later pane, in the order es_slider_expire folds them. */
typedef struct es_slider_ahead es_slider_ahead;
es_slider_ahead *es_slider_ahead_new(uint64_t panes_per_window);
void             es_slider_ahead_free(es_slider_ahead *x);
/* Before t applies a batch of pane q: apply the expiries of the kept
 * panes that q's window leaves out, oldest first, their answers into a
 * (emptied first). */
void es_slider_ahead_expire(es_slider_ahead *x, es_edgetable *t, int64_t q, es_expiry_answers *a);
/* After: keep the batch's lines e[0 .. n-1] (pane q; del: their
 * es_batch.del flags or NULL, change: the table's answers). */
void es_slider_ahead_keep(es_slider_ahead *x, int64_t q, const es_edge *e, const uint8_t *del, const uint8_t *change,
                          size_t n);
/* Watch ops (the run's, whose entries this may replace): those that
 * merge and cannot forget are kept one per pane from now on. */
void     es_slider_watch(es_slider *s, GPtrArray *ops);
/* Pane p (> the last opened) opens: the per-pane operators' instances
 * are kept as the last pane's, fresh ones take their places. */
void     es_slider_open(es_slider *s, int64_t pane);
/* Whether some operator is kept one per pane (es_slider_watch). */
gboolean es_slider_per_pane(const es_slider *s);
/* Around a report: per-pane operators are replaced by the merge of their
 * kept and current instances, then put back. */
void     es_slider_merge_begin(es_slider *s);
void     es_slider_merge_end(es_slider *s);
/* Snapshots (snapshot/snapshot.h, /window).  At a barrier: copy the
 * kept panes into w, with deletions also the cancelled lines per pair
 * (sorted by key), which stays valid until the next freeze (a writer
 * thread may read it).  On resume, before the first batch: fold the
 * restored window's lines through f again, pane by pane, as insertions
 * (ext ids from externals, nv vertices), opening each pane, so that
 * every operator's state and the edge table are those of the window's
 * lines; an operator whose snapshot restored it whole (es_operator_class.
 * sliding_snapshot) is told so (es_operator.replaying) and ignores them.
 * Exact for operators whose state is a function of the window's lines
 * (every one but tri-est, and bipartite's odd_cycle_*, which their
 * snapshots hold).  With deletions the window's lines alone do not give
 * the state (which copies deletions took, and when, shaped it), but then
 * no operator answers from the window's lines (es_operator.sliding is
 * off): every one restored itself whole from its snapshot, as under
 * --deletions without a window, and the edge table its multiplicities;
 * so the lines are only kept again, not folded, and the cancelled
 * counts set (each checked against the pair's lines kept: ES_ERROR_DATA).
 * A snapshot taken with deletions and a run without, or the reverse:
 * ES_ERROR_CONFIG. */
void     es_slider_freeze(es_slider *s, struct es_snapshot_window *w);
gboolean es_slider_restore(es_slider *s, es_flow *f, const struct es_snapshot_window *w, const uint64_t *externals,
                           uint32_t nv, GError **error);
/* Whether any line is kept. */
gboolean es_slider_empty(const es_slider *s);
/* Of the vertices below nv (the id map's size), those no kept line names. */
uint32_t es_slider_absent(const es_slider *s, uint32_t nv);
/* Lines kept. */
uint64_t es_slider_lines(const es_slider *s);

#endif
