/* operator.c — the operator registry and the calls that dispatch through an
 * operator's vtable (see operator.h for the contract). */
#include "operators/operator.h"

#include <string.h>

#include "graph/common.h"
#include "graph/spelling.h"
#include "snapshot/logmem.h"

extern const es_operator_class es_cc_class, es_degree_class, es_bipartite_class;
extern const es_operator_class es_cm_class, es_topk_class, es_hll_class;
extern const es_operator_class es_tri_class, es_tri_est_class, es_spanner_class;

static const es_operator_class *const classes[] = {
    &es_cc_class,
    &es_degree_class,
    &es_bipartite_class,
    &es_tri_class,
    &es_tri_est_class,
    &es_cm_class,
    &es_topk_class,
    &es_hll_class,
    &es_spanner_class,
    NULL,
};

const es_operator_class *const *es_operator_classes(void)
{
    return classes;
}

const es_operator_class *es_operator_find(const char *name)
{
    for (size_t i = 0; classes[i]; i++)
        if (strcmp(classes[i]->name, name) == 0)
            return classes[i];
    return NULL;
}

es_operator *es_operator_new(const char *spec, GError **error)
{
    const char *colon = strchr(spec, ':');
    g_autofree char *name = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
    const es_operator_class *klass = es_operator_find(name);
    if (klass == NULL) {
        GString *known = g_string_new(NULL);
        GPtrArray *names = g_ptr_array_new();
        for (size_t i = 0; classes[i]; i++) {
            g_string_append_printf(known, "%s%s", i ? ", " : "", classes[i]->name);
            g_ptr_array_add(names, (gpointer)classes[i]->name);
        }
        const char *near = es_spelling_nearest(name, (const char *const *)names->pdata, names->len);
        if (near)
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "unknown operator \"%s\"; did you mean \"%s\"? (known: %s)",
                        name, near, known->str);
        else
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "unknown operator \"%s\" (known: %s)", name, known->str);
        g_ptr_array_free(names, TRUE);
        g_string_free(known, TRUE);
        return NULL;
    }
    es_options *opts = es_options_parse(name, colon ? colon + 1 : NULL, error);
    if (opts == NULL)
        return NULL;
    es_operator *op = klass->create(opts, error);
    if (op != NULL && !es_options_check_unused(opts, error)) {
        klass->destroy(op);
        op = NULL;
    }
    char *canonical = op ? es_options_canonical(opts) : NULL;
    es_options_free(opts);
    if (op == NULL)
        return NULL;
    op->klass = klass;
    op->spec = canonical;
    op->name = g_steal_pointer(&name);
    return op;
}

GPtrArray *es_operator_split_specs(const char *specs)
{
    gchar **parts = g_strsplit(specs, ",", -1);
    GPtrArray *joined = g_ptr_array_new_with_free_func(g_free);
    /* "tri-est:m=5,seed=2": a part with '=' but no ':' continues the spec before it. */
    for (gchar **p = parts; *p; p++) {
        g_strstrip(*p);   /* "cc, degree" as typed in a shell */
        if (**p == '\0')
            continue;
        if (strchr(*p, '=') && !strchr(*p, ':') && joined->len > 0) {
            char *prev = g_ptr_array_index(joined, joined->len - 1);
            g_ptr_array_index(joined, joined->len - 1) = g_strconcat(prev, ",", *p, NULL);
            g_free(prev);
        } else {
            g_ptr_array_add(joined, g_strdup(*p));
        }
    }
    g_strfreev(parts);
    return joined;
}

GPtrArray *es_operator_new_list(const char *specs, GError **error)
{
    GPtrArray *ops = g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    GPtrArray *joined = es_operator_split_specs(specs);
    gboolean ok = joined->len > 0;
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "--ops: no operator given");
    for (guint i = 0; ok && i < joined->len; i++) {
        const char *spec = g_ptr_array_index(joined, i);
        es_operator *op = es_operator_new(spec, error);
        for (guint j = 0; op && j < ops->len; j++) {
            if (strcmp(((es_operator *)g_ptr_array_index(ops, j))->name, op->name) == 0) {
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "--ops: operator \"%s\" given twice", op->name);
                g_clear_pointer(&op, es_operator_free);
            }
        }
        if (op == NULL)
            ok = FALSE;
        else
            g_ptr_array_add(ops, op);
    }
    g_ptr_array_free(joined, TRUE);
    if (!ok) {
        g_ptr_array_free(ops, TRUE);
        return NULL;
    }
    return ops;
}

gboolean es_operator_needs_edges(const es_operator *op, gboolean snapshots)
{
    return op->klass->needs_edges != NULL && op->klass->needs_edges(op, snapshots);
}

static _Thread_local const es_team *current_team;

const es_team *es_operator_enter_team(const es_team *team)
{
    const es_team *before = current_team;
    current_team = team;
    return before;
}

const es_team *es_operator_team(void)
{
    return current_team;
}

gboolean es_operator_process(es_operator *op, const es_batch *batch, GError **error)
{
    if (G_UNLIKELY(batch->del != NULL) && (!op->klass->deletions || !op->dynamic)) {
        size_t i = 0;
        while (i < batch->n && !batch->del[i])
            i++;
        if (i < batch->n) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        op->klass->deletions ? "%s was not told that the stream deletes (es_operator.dynamic), and edge %"
                        G_GUINT64_FORMAT " of the stream is a deletion" : "%s handles insertions only, and edge %"
                        G_GUINT64_FORMAT " of the stream is a deletion (a line ending in -)", op->name,
                        (guint64)es_batch_index(batch, i));
            return FALSE;
        }
    }
    /* (such a caller may well take snapshots of the operator) */
    if (batch->change != NULL || op->driven || (op->own_edges == NULL && !es_operator_needs_edges(op, TRUE)))
        return op->klass->process_batch(op, batch, error);
    /* Fed without the run's table: the operator's own stands in for it. */
    if (op->own_edges == NULL)
        op->own_edges = es_edgetable_new(TRUE, &es_log_memory_stable);
    op->edges = op->own_edges;
    if (batch->n > op->own_change_cap) {
        op->own_change_cap = es_grow_cap(op->own_change_cap, batch->n);
        op->own_change = g_renew(uint8_t, op->own_change, op->own_change_cap);
    }
    es_edgetable_apply_signed(op->own_edges, batch->edges, batch->del, batch->n, op->own_change);
    es_batch b = *batch;
    b.change = op->own_change;
    return op->klass->process_batch(op, &b, error);
}

void es_operator_report(es_operator *op, es_report *report)
{
    es_report_begin(report, op->name);
    op->klass->report(op, report);
}

void es_operator_free(es_operator *op)
{
    if (op == NULL)
        return;
    char *spec = op->spec, *name = op->name;
    es_edgetable_free(op->own_edges);
    g_free(op->own_change);
    op->klass->destroy(op);
    g_free(spec);
    g_free(name);
}

/* ---- snapshot ------------------------------------------------------------ */

void es_operator_snapshot_prepare(es_operator *op)
{
    op->frozen_table = op->edges != NULL && es_edgetable_logged(op->edges);
    op->frozen_keys = NULL;
    op->frozen_edges = 0;
    if (op->frozen_table)
        op->frozen_keys = es_edgetable_keys(op->edges, &op->frozen_edges);
    /* (the table is the run's, which every operator reading it freezes:
     * the first does, the others find it done) */
    if (op->frozen_table && es_edgetable_dynamic(op->edges))
        es_edgetable_freeze((es_edgetable *)op->edges);
    if (op->klass->snapshot_prepare)
        op->klass->snapshot_prepare(op);
}

gboolean es_operator_snapshot_write(es_operator *op, es_snapshot_writer *w, GError **error)
{
    const es_operator_class *k = op->klass;
    return k->fields ? es_fields_write(w, k->fields, k->nfields, 0, (const char *)op + k->frozen, error)
                     : k->snapshot_write(op, w, error);
}

uint64_t *es_operator_restored_ids(const es_operator *op, uint64_t n, GError **error)
{
    if (op->externals && n > op->num_externals) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot names %" G_GUINT64_FORMAT " vertices, more than"
                    " the %u of /idmap/external_ids", (guint64)n, op->num_externals);
        return NULL;
    }
    uint64_t *ids = es_big_alloc((size_t)n * sizeof(uint64_t));
    for (uint64_t v = 0; v < n; v++)
        ids[v] = op->externals ? op->externals[v] : v;
    return ids;
}

gboolean es_operator_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    if (op->sliding && !op->klass->sliding_snapshot)
        return TRUE;   /* (rebuilt from the window's lines: dataflow/window.h) */
    return op->klass->snapshot_read(op, group, error);
}
