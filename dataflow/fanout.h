/* fanout.h — every operator of a run on one batch, side by side.
 *
 * What: fold a batch into each operator of a list.  Operators are
 * independent: each keeps its own state, and the batch (its edges, ids,
 * times and the edge table's answers, batch->change) is read-only while
 * they run; so they can run at once, and every answer is the one a fold
 * in list order gives.
 * How: operators that spread their own work over an OpenMP team
 * (es_operator_class.parallel: tri) fold first, one after another, each
 * with the whole team, as before.  The others, sequential at heart, then
 * fold as the tasks of one team of min(threads, operators) threads, one
 * thread each, so a thread that finishes a cheap operator takes the next.
 * Tasks are made longest first by each operator's time on the previous
 * batch (LPT, Graham 1969: within 4/3 of the best split), so the heavy
 * one does not start last.  Inside a task an operator's own small OpenMP
 * regions get one thread (its task's nthreads is 1): nested teams would
 * only oversubscribe the cores, which the reader and mapper threads
 * share; but each task knows its team and how many of its tasks are
 * unfinished (operators/operator.h: es_operator_team), so an operator can
 * hand tasks to a thread that has folded its own (tri-est's queries).
 * (tri in a task, on one thread, cost 1.2 s more CPU on R-MAT scale 20
 * than with the team: bench/RESULTS.md.)  With one thread, one
 * operator left, or a batch of fewer than 16 Ki edges (a report's slice:
 * a team costs more than it saves there), they fold in the calling
 * thread, in list order.
 * Cost: one parallel region per batch (a few microseconds) and a clock
 * read per operator and batch.
 * Guarantee: answers, snapshots and errors do not depend on the thread
 * count: operators share no mutable state (the edge table is applied
 * before, in the calling thread), and on failure the error reported is
 * that of the first failing operator in list order.
 */
#ifndef ES_FANOUT_H
#define ES_FANOUT_H

#include <glib.h>

#include "graph/batch.h"

typedef struct es_fanout es_fanout;
typedef struct es_operator es_operator;

es_fanout *es_fanout_new(void);
void       es_fanout_free(es_fanout *fo);
/* Fold b into every operator of ops (es_operator *), as
 * es_operator_process in list order would. */
gboolean   es_fanout_fold(es_fanout *fo, GPtrArray *ops, const es_batch *b, GError **error);
/* Work that runs beside a fold, in its team's idle time (a sliding
 * window's report and line counts ran alone on the operators' thread
 * while one heavy operator kept the other busy: bench/RESULTS.md).
 * before(op, i, before_user), when set, runs in operator i's task just
 * before it folds b (reading op's state before the batch: a report), and
 * touches no other operator; side(side_user), when set, runs as one more
 * task, and touches no operator nor anything they read.  Without a team
 * every `before` runs, then `side`, then the folds in list order.  Every
 * `before` and the side job run even when a fold fails. */
typedef struct {
    void (*before)(es_operator *op, guint i, void *before_user);
    void  *before_user;
    void (*side)(void *side_user);
    void  *side_user;
} es_fanout_beside;
gboolean   es_fanout_fold_beside(es_fanout *fo, GPtrArray *ops, const es_batch *b, const es_fanout_beside *x,
                                 GError **error);

#endif
