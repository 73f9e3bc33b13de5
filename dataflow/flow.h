/* flow.h — the consumer side of the dataflow, one code path for every way
 * a stream is fed: the state a stream has built (its operators and the
 * run's edge table) and the step that folds one batch of mapped edges
 * into it.
 *
 * The driver (driver.h) folds the batches its reader and mapper threads
 * make from files; the push entry point (push.h) folds the arrays and
 * lines its caller hands it.  Both go through es_flow_fold, so a stream
 * gives the same answers however it was fed, and however it was cut into
 * batches.
 *
 * The edge table (graph/edgetable.h): the flow keeps the run's one table
 * when an operator needs it, adopting the one an operator started or
 * restored (operators/operator.h, "Distinct edges").  Its answers for a
 * batch come either from a stage ahead that applied the table already
 * (es_edgetable_apply_ahead, the driver's mapper) or are computed by the
 * fold itself.
 * Deletions (es_batch.del): a flow started with `deletions` tells every
 * operator the stream deletes (es_operator.dynamic; each must fold them,
 * which its caller checked) and always keeps a table, whose
 * multiplicities turn deletion lines into disappearances; in one started
 * without, the operators refuse a batch holding a deletion line
 * (es_operator_process names the operator), unless the caller refused it
 * first in its own terms (the driver: "run with --deletions").
 * Windows: es_flow_restart starts every operator afresh over a new table
 * when a window closes.
 * Cost: the table's apply (when not done ahead) plus every operator's
 * process_batch; no allocation per batch.
 */
#ifndef ES_FLOW_H
#define ES_FLOW_H

#include <glib.h>

#include "dataflow/fanout.h"
#include "graph/batch.h"
#include "graph/edgetable.h"

typedef struct {
    GPtrArray    *ops;        /* es_operator *, borrowed */
    es_edgetable *table;      /* the run's edge table, or NULL while none is needed */
    gboolean      snapshots;  /* the run takes snapshots: the table keeps its keys */
    gboolean      deletions;  /* the stream may delete edges */
    uint64_t      deleted;    /* deletion lines folded (since the last restart) */
    struct es_fanout *fanout; /* runs the operators on a batch side by side (fanout.h) */
    struct es_fanout *expiry_fanout;  /* the same for a sliding window's expiries, */
    GPtrArray    *forgetting;         /* over the operators that forget (not per pane) */
} es_flow;

/* Take ops into a run: every operator reads the run's table from now on;
 * with deletions, each is told the stream deletes (all must fold them:
 * es_operator_class.deletions). */
void     es_flow_init(es_flow *f, GPtrArray *ops, gboolean snapshots, gboolean deletions);
/* A stage ahead applied the table to a whole batch (es_edgetable_apply_
 * ahead): bring the table to that batch's mark before folding it (or its
 * slices).  Nothing without a table. */
void     es_flow_catch_up(es_flow *f, const es_edgetable_mark *mark);
/* Fold b (b->change NULL on entry) into every operator, side by side
 * (dataflow/fanout.h), answers as in list order.  change
 * holds b->n bytes: the table's answers, filled by a stage ahead when
 * `answered`, else here.  On failure (an operator's limit) the run ends. */
gboolean es_flow_fold(es_flow *f, es_batch *b, uint8_t *change, gboolean answered, GError **error);
/* The same, with work beside the operators' folds (dataflow/fanout.h:
 * `before` gets each operator and its place among those folding b). */
gboolean es_flow_fold_beside(es_flow *f, es_batch *b, uint8_t *change, gboolean answered,
                             const es_fanout_beside *beside, GError **error);
/* Deletions that changed nothing (es_edgetable_ignored), since the last
 * restart. */
uint64_t es_flow_ignored(const es_flow *f);
/* A window closed: replace every operator of ops with a fresh one of the
 * same spec and flags, and the table with next (a table a stage ahead has
 * started for the new window, taken; or NULL: a new one when needed). */
void     es_flow_restart(es_flow *f, es_edgetable *next);
/* Release the operators from the run and free the table. */
void     es_flow_clear(es_flow *f);

#endif
