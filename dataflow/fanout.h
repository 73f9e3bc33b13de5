/* fanout.h — every operator of a run on one batch, side by side.
 *
 * What: fold a batch into each operator of a list.  Operators are
 * independent: each keeps its own state, and the batch (its edges, ids,
 * times and the edge table's answers, batch->change) is read-only while
 * they run; so they can run at once, each on one thread, and every answer
 * is the one a fold in list order gives.
 * How: one OpenMP team of min(threads, operators) threads; each operator
 * is a task, so a thread that finishes a cheap operator takes the next.
 * Tasks are made longest first by each operator's time on the previous
 * batch (LPT, Graham 1969: within 4/3 of the best split), so the heavy
 * one does not start last.  Inside a task an operator's own OpenMP
 * regions get one thread (its task's nthreads is set to 1): on a machine
 * with as many cores as the team, nested teams would only oversubscribe
 * it, and the reader and mapper threads already share those cores.  A
 * run with one operator, or one thread, folds in the calling thread
 * with the whole team for the operator's own regions, as before.
 * Cost: one parallel region per batch (a few microseconds) and a clock
 * read per operator and batch.
 * Guarantee: answers, snapshots and errors do not depend on the thread
 * count: operators never share mutable state (the edge table is applied
 * before, in the calling thread), and on failure the error reported is
 * that of the first failing operator in list order.
 */
#ifndef ES_FANOUT_H
#define ES_FANOUT_H

#include <glib.h>

#include "graph/batch.h"

typedef struct es_fanout es_fanout;

es_fanout *es_fanout_new(void);
void       es_fanout_free(es_fanout *fo);
/* Fold b into every operator of ops (es_operator *), as
 * es_operator_process in list order would. */
gboolean   es_fanout_fold(es_fanout *fo, GPtrArray *ops, const es_batch *b, GError **error);

#endif
