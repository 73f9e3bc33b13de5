/* tri_est_mpi.c — one copy of each tri-est operator per rank, their mean
 * the answer (see tri_est_mpi.h). */
#include "mpi/tri_est_mpi.h"

#include <string.h>

#include "dataflow/flow.h"
#include "graph/common.h"
#include "graph/idmap.h"
#include "operators/operator.h"
#include "operators/tri_est.h"

struct es_mpi_tri_est {
    int        rank, size;
    GPtrArray *ops;      /* rank 0: ops' tri-est operators; others: the copies (owned) */
    es_idmap  *idmap;    /* ranks > 0: the stream's vertices, numbered as rank 0 numbers them */
    es_flow    flow;     /* ranks > 0: the copies */
    es_edge   *edges;
    uint8_t   *change;
    size_t     cap;
    uint64_t   folded;   /* edges folded (the next batch's first index) */
};

static gboolean is_tri_est(const es_operator *op)
{
    return op->klass == &es_tri_est_class;
}

gboolean es_mpi_tri_est_wanted(GPtrArray *ops)
{
    gboolean any = FALSE;
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!is_tri_est(op))
            continue;
        es_tri_est_state st;
        es_tri_est_get_state(op, &st);
        if (st.method == ES_TRI_EST_THINKD || st.method == ES_TRI_EST_FD)
            return FALSE;   /* random pairing reads the run's table; no deletions here anyway */
        any = TRUE;
    }
    return any;
}

/* spec with seed s + add and, when dedup_on, dedup=1 for dedup=auto. */
static char *copy_spec(const char *spec, uint64_t add, gboolean dedup_on)
{
    const char *colon = strchr(spec, ':');
    GString *s = g_string_new_len(spec, colon ? colon - spec : (gssize)strlen(spec));
    gboolean seeded = FALSE;
    char sep = ':';
    if (colon) {
        char **kv = g_strsplit(colon + 1, ",", -1);
        for (char **p = kv; *p; p++) {
            if (g_str_has_prefix(*p, "seed=")) {
                g_string_append_printf(s, "%cseed=%" G_GUINT64_FORMAT, sep,
                                       (guint64)(g_ascii_strtoull(*p + 5, NULL, 10) + add));
                seeded = TRUE;
            } else if (dedup_on && strcmp(*p, "dedup=auto") == 0) {
                g_string_append_printf(s, "%cdedup=1", sep);
            } else {
                g_string_append_printf(s, "%c%s", sep, *p);
            }
            sep = ',';
        }
        g_strfreev(kv);
    }
    if (!seeded)   /* (the canonical spec names every option: not expected) */
        g_string_append_printf(s, "%cseed=%" G_GUINT64_FORMAT, sep, (guint64)(1 + add));
    return g_string_free(s, FALSE);
}

es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, GError **error)
{
    es_mpi_tri_est *t = g_new0(es_mpi_tri_est, 1);
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    /* Does rank 0's run keep an edge table, which its copy reads? */
    gboolean table = FALSE;
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        table = table || (!is_tri_est(op) && es_operator_needs_edges(op, FALSE));
    }
    t->ops = t->rank == 0 ? g_ptr_array_new() : g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!is_tri_est(op))
            continue;
        if (t->rank == 0) {
            g_ptr_array_add(t->ops, op);
            continue;
        }
        g_autofree char *spec = copy_spec(op->spec, (uint64_t)t->rank, table);
        es_operator *copy = es_operator_new(spec, error);
        ok = copy != NULL;
        if (ok)
            g_ptr_array_add(t->ops, copy);
    }
    int bad = !ok, any;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    if (any) {
        if (ok)
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "tri-est: another rank could not make its copy");
        g_ptr_array_unref(t->ops);
        g_free(t);
        return NULL;
    }
    if (t->rank > 0) {
        t->idmap = es_idmap_new(1u << 16, NULL);
        es_flow_init(&t->flow, t->ops, FALSE, FALSE);
    }
    return t;
}

gboolean es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, GError **error)
{
    if (t->rank == 0 || n == 0)
        return TRUE;
    if (n > t->cap) {
        t->cap = MAX(n, 2 * t->cap);
        t->edges = g_renew(es_edge, t->edges, t->cap);
        t->change = g_renew(uint8_t, t->change, t->cap);
    }
    if (!es_idmap_map_ids(t->idmap, ext, (uint32_t *)t->edges, 2 * n, error))
        return FALSE;
    es_batch batch = {
        .edges = t->edges, .ext = ext, .n = n,
        .first_index = t->folded, .num_vertices = es_idmap_size(t->idmap),
    };
    t->folded += n;
    return es_flow_fold(&t->flow, &batch, t->change, FALSE, error);
}

void es_mpi_tri_est_combine(es_mpi_tri_est *t, MPI_Comm comm, uint64_t *sent)
{
    for (guint i = 0; i < t->ops->len; i++) {
        es_operator *op = g_ptr_array_index(t->ops, i);
        es_tri_est_state st;
        es_tri_est_get_state(op, &st);
        double sd = es_tri_est_stddev(op);
        double mine[3] = { es_tri_est_global(op), sd * sd, (double)st.sample.size }, sum[3];
        MPI_Reduce(mine, sum, 3, MPI_DOUBLE, MPI_SUM, 0, comm);
        /* Local estimates: every copy numbers the vertices alike; the
         * longest array (a copy may not have grown to the last vertex). */
        uint64_t nv = st.local ? st.num_vertices : 0, most = 0;
        MPI_Allreduce(&nv, &most, 1, MPI_UINT64_T, MPI_MAX, comm);
        double *loc = NULL, *loc_sum = NULL;
        if (most) {
            loc = g_new0(double, most);
            for (uint32_t v = 0; v < st.num_vertices; v++)
                loc[v] = es_tri_est_local(op, v);
            if (t->rank == 0)
                loc_sum = g_new(double, most);
            MPI_Reduce(loc, loc_sum, (int)most, MPI_DOUBLE, MPI_SUM, 0, comm);
        }
        *sent += t->rank ? sizeof mine + 8 * most : 0;
        if (t->rank == 0)
            es_tri_est_set_mean(op, (uint32_t)t->size, sum[0], sum[1], (uint64_t)sum[2], loc_sum);
        g_free(loc);
        g_free(loc_sum);
    }
}

void es_mpi_tri_est_free(es_mpi_tri_est *t)
{
    if (t == NULL)
        return;
    if (t->rank > 0) {
        es_flow_clear(&t->flow);
        es_idmap_free(t->idmap);
    }
    g_ptr_array_unref(t->ops);
    g_free(t->edges);
    g_free(t->change);
    g_free(t);
}
