/* flow.c — the step every batch of a stream goes through (see flow.h). */
#include "dataflow/flow.h"

#include "dataflow/fanout.h"
#include "operators/operator.h"
#include "snapshot/logmem.h"

/* The run's edge table, when an operator needs one now: the table an
 * operator started or restored (operators/operator.h: adopted, the
 * others' copies dropped), else a new one; every operator then reads it.
 * A restored table no operator needs (tri's keys) is dropped.  A stream
 * with deletions always needs one: its multiplicities. */
static void adopt_edge_table(es_flow *f)
{
    /* (a sliding window's expiries need one only for an operator that
     * asks: they are never of absent edges) */
    gboolean need = f->deletions && !(f->ops->len > 0 && ((es_operator *)g_ptr_array_index(f->ops, 0))->sliding);
    for (guint i = 0; i < f->ops->len; i++) {
        es_operator *op = g_ptr_array_index(f->ops, i);
        need = need || es_operator_needs_edges(op, f->snapshots);
        if (op->own_edges != NULL && f->table == NULL)
            f->table = op->own_edges;
        else
            es_edgetable_free(op->own_edges);
        op->own_edges = NULL;
    }
    if (f->table == NULL && need)
        f->table = es_edgetable_new(f->snapshots, f->snapshots ? &es_log_memory_recycled : NULL);
    if (!need)
        g_clear_pointer(&f->table, es_edgetable_free);
    for (guint i = 0; i < f->ops->len; i++) {
        es_operator *op = g_ptr_array_index(f->ops, i);
        op->edges = f->table;
        op->driven = TRUE;
    }
}

void es_flow_init(es_flow *f, GPtrArray *ops, gboolean snapshots, gboolean deletions)
{
    *f = (es_flow){ .ops = ops, .snapshots = snapshots, .deletions = deletions, .fanout = es_fanout_new(),
                    .expiry_fanout = es_fanout_new(), .forgetting = g_ptr_array_new() };
    for (guint i = 0; deletions && i < ops->len; i++)
        ((es_operator *)g_ptr_array_index(ops, i))->dynamic = TRUE;
    adopt_edge_table(f);
    if (f->table)   /* (a restored table's, from its snapshot) */
        f->deleted = es_edgetable_deletions(f->table);
}

void es_flow_catch_up(es_flow *f, const es_edgetable_mark *mark)
{
    if (f->table)
        es_edgetable_catch_up(f->table, mark);
}

gboolean es_flow_fold(es_flow *f, es_batch *b, uint8_t *change, gboolean answered, GError **error)
{
    return es_flow_fold_beside(f, b, change, answered, NULL, error);
}

gboolean es_flow_fold_beside(es_flow *f, es_batch *b, uint8_t *change, gboolean answered,
                             const es_fanout_beside *beside, GError **error)
{
    gboolean ok = TRUE;
    for (size_t i = 0; b->del != NULL && f->deletions && i < b->n; i++)
        f->deleted += b->del[i] == ES_LINE_DELETE;   /* (not a sliding window's expiries) */
    if (f->table) {
        if (!answered)
            es_edgetable_apply_signed(f->table, b->edges, b->del, b->n, change);
        b->change = change;
    }
    const gboolean expiry = b->n > 0 && b->del != NULL && b->del[0] == ES_LINE_EXPIRE;
    if (expiry) {   /* (a per-pane operator's instance just goes with its pane) */
        g_ptr_array_set_size(f->forgetting, 0);
        for (guint i = 0; i < f->ops->len; i++)
            if (!((es_operator *)g_ptr_array_index(f->ops, i))->per_pane)
                g_ptr_array_add(f->forgetting, g_ptr_array_index(f->ops, i));
        ok = es_fanout_fold_beside(f->expiry_fanout, f->forgetting, b, beside, error);
    } else {
        ok = es_fanout_fold_beside(f->fanout, f->ops, b, beside, error);
    }
    /* An operator whose need arose in this batch started a table itself. */
    if (f->table == NULL)
        adopt_edge_table(f);
    return ok;
}

uint64_t es_flow_ignored(const es_flow *f)
{
    return f->table ? es_edgetable_ignored(f->table) : 0;
}

void es_flow_restart(es_flow *f, es_edgetable *next)
{
    for (guint i = 0; i < f->ops->len; i++) {
        es_operator *old = g_ptr_array_index(f->ops, i);
        GError *err = NULL;
        es_operator *op = es_operator_new(old->spec, &err);
        if (op == NULL)   /* its canonical spec was accepted at start */
            g_error("a window cannot restart operator %s: %s", old->spec, err->message);
        op->dynamic = old->dynamic;
        f->ops->pdata[i] = op;
        old->edges = NULL;
        es_operator_free(old);
    }
    es_edgetable_free(f->table);
    f->table = next;
    f->deleted = 0;
    adopt_edge_table(f);
}

void es_flow_clear(es_flow *f)
{
    for (guint i = 0; i < f->ops->len; i++) {
        es_operator *op = g_ptr_array_index(f->ops, i);
        op->edges = NULL;
        op->driven = FALSE;
    }
    es_edgetable_free(f->table);
    f->table = NULL;
    g_clear_pointer(&f->fanout, es_fanout_free);
    g_clear_pointer(&f->expiry_fanout, es_fanout_free);
    g_clear_pointer(&f->forgetting, g_ptr_array_unref);
}
