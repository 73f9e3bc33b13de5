/* tri_est_mpi.c — tri-est's copies spread over the ranks (see
 * tri_est_mpi.h). */
#include "mpi/tri_est_mpi.h"

#include <string.h>

#include "dataflow/flow.h"
#include "graph/common.h"
#include "graph/edgetable.h"
#include "graph/idmap.h"
#include "mpi/driver_mpi.h"
#include "operators/operator.h"
#include "operators/tri_est.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

struct es_mpi_tri_est {
    MPI_Comm   comm;
    int        rank, size;
    GPtrArray *ops;      /* rank 0: ops' tri-est operators with copies; others: their own (owned) */
    uint64_t   every;    /* --report-every */
    uint64_t  *sent;
    es_idmap  *idmap;    /* ranks > 0: the stream's vertices, numbered as rank 0 numbers them */
    es_flow    flow;     /* ranks > 0: their operators */
    es_edge   *edges;
    uint8_t   *change;
    size_t     cap;
    uint64_t   folded;   /* edges of the stream folded (the next piece's first index) */
    GByteArray *buf;     /* a copy's state, flat */
    uint64_t   reported; /* rank 0: interim reports synced */
    uint64_t   reports;  /* rank 0: reports synced in all, */
    uint64_t   fail_at;  /* and the one that fails (ES_MPI_FAIL_REPORT; 0: none) */
};

/* The copies rank r of n runs out of c: [first_copy(c, r, n), first_copy(c, r + 1, n)). */
static uint32_t first_copy(uint32_t c, int r, int n)
{
    return (uint32_t)(((uint64_t)c * (uint64_t)r + (uint64_t)n - 1) / (uint64_t)n);
}

static int owner_of(uint32_t c, uint32_t k, int n)
{
    int r = 0;
    while (first_copy(c, r + 1, n) <= k)
        r++;
    return r;
}

static gboolean is_copied(es_operator *op)
{
    return op->klass == &es_tri_est_class && es_tri_est_copies(op) > 1;
}

gboolean es_mpi_tri_est_wanted(GPtrArray *ops)
{
    for (guint i = 0; i < ops->len; i++)
        if (is_copied(g_ptr_array_index(ops, i)))
            return TRUE;   /* (copies=C > 1 is refused with the fully dynamic methods) */
    return FALSE;
}

/* ---- a copy's state, flat ---------------------------------------------------
 * A head of fixed fields, then slots (2 u32 per edge), slot weights, gps's
 * edge weights and priorities (f64 per edge), local counters (f64 per
 * vertex).  With C > 1 no copy has a probation set, an own table or
 * external ids (operators/tri_est.c). */
typedef struct {
    uint64_t method, m, t, rng[4], size, managed, room, nv, self_loops, duplicates, exact, late, local;
    double   triangles, pairs, var_sum, z;
} flat_head;

static void flatten(const es_tri_est_state *st, GByteArray *b)
{
    flat_head h = {
        .method = st->method, .m = st->sample.m, .t = st->sample.t, .size = st->sample.size,
        .managed = st->sample.managed, .room = st->room, .nv = st->num_vertices, .self_loops = st->self_loops,
        .duplicates = st->duplicates, .exact = st->exact, .late = st->late, .local = st->local != NULL,
        .triangles = st->triangles, .pairs = st->pairs, .var_sum = st->var_sum, .z = st->z,
    };
    memcpy(h.rng, st->sample.rng, sizeof h.rng);
    g_byte_array_set_size(b, 0);
    g_byte_array_append(b, (const guint8 *)&h, sizeof h);
    if (h.size) {
        g_byte_array_append(b, (const guint8 *)st->sample.slots, (guint)(h.size * sizeof(es_edge)));
        g_byte_array_append(b, (const guint8 *)st->slot_weight, (guint)(h.size * sizeof(double)));
    }
    if (h.size && st->method == ES_TRI_EST_GPS) {
        g_byte_array_append(b, (const guint8 *)st->edge_weight, (guint)(h.size * sizeof(double)));
        g_byte_array_append(b, (const guint8 *)st->priority, (guint)(h.size * sizeof(double)));
    }
    if (h.local && h.nv)
        g_byte_array_append(b, (const guint8 *)st->local, (guint)(h.nv * sizeof(double)));
}

/* st pointing into p[0 .. len); FALSE when the lengths do not add up. */
static gboolean unflatten(const guint8 *p, size_t len, es_tri_est_state *st)
{
    flat_head h;
    if (len < sizeof h)
        return FALSE;
    memcpy(&h, p, sizeof h);
    const size_t per = h.method == ES_TRI_EST_GPS ? 32 : 16;
    if (h.size > h.m || h.nv > UINT32_MAX || len != sizeof h + h.size * per + (h.local ? h.nv * 8 : 0))
        return FALSE;
    memset(st, 0, sizeof *st);
    static const double none[1];
    const guint8 *at = p + sizeof h;
    st->method = (es_tri_est_method)h.method;
    st->sample.m = (uint32_t)h.m;
    st->sample.t = h.t;
    st->sample.size = (uint32_t)h.size;
    st->sample.managed = h.managed != 0;
    memcpy(st->sample.rng, h.rng, sizeof h.rng);
    st->sample.slots = (const es_edge *)at;
    at += h.size * sizeof(es_edge);
    st->slot_weight = (const double *)at;
    at += h.size * sizeof(double);
    if (h.method == ES_TRI_EST_GPS) {
        st->edge_weight = (const double *)at;
        at += h.size * sizeof(double);
        st->priority = (const double *)at;
        at += h.size * sizeof(double);
    }
    st->local = h.local ? (h.nv ? (const double *)at : none) : NULL;
    st->room = (uint32_t)h.room;
    st->num_vertices = (uint32_t)h.nv;
    st->self_loops = h.self_loops;
    st->duplicates = h.duplicates;
    st->exact = h.exact != 0;
    st->late = h.late != 0;
    st->triangles = h.triangles;
    st->pairs = h.pairs;
    st->var_sum = h.var_sum;
    st->z = h.z;
    return TRUE;
}

/* Copy k of op, flat, to rank `to` (tag k). */
static void send_copy(es_mpi_tri_est *t, es_operator *op, uint32_t k, int to)
{
    es_tri_est_state st;
    es_tri_est_copy_state(op, k, &st);
    flatten(&st, t->buf);
    MPI_Send(t->buf->data, (int)t->buf->len, MPI_BYTE, to, (int)k, t->comm);
    *t->sent += t->buf->len;
}

/* The message of tag k from rank `from`, whatever its length, into
 * t->buf; its length. */
static int recv_tagged(es_mpi_tri_est *t, uint32_t k, int from)
{
    MPI_Status status;
    int len = 0;
    MPI_Probe(from, (int)k, t->comm, &status);
    MPI_Get_count(&status, MPI_BYTE, &len);
    g_byte_array_set_size(t->buf, (guint)len);
    MPI_Recv(t->buf->data, len, MPI_BYTE, from, (int)k, t->comm, MPI_STATUS_IGNORE);
    return len;
}

/* Copy k's figures (es_tri_est_copy_figures), to rank `to` (tag k): a
 * head of 3 doubles and the vertex count, then the local estimates. */
static void send_figures(es_mpi_tri_est *t, es_operator *op, uint32_t k, int to)
{
    double head[4];
    uint32_t nv = 0;
    g_autofree double *loc = es_tri_est_copy_figures(op, k, head, &nv);
    head[3] = (double)nv;
    g_byte_array_set_size(t->buf, 0);
    g_byte_array_append(t->buf, (const guint8 *)head, sizeof head);
    if (loc && nv)
        g_byte_array_append(t->buf, (const guint8 *)loc, (guint)(nv * sizeof(double)));
    MPI_Send(t->buf->data, (int)t->buf->len, MPI_BYTE, to, (int)k, t->comm);
    *t->sent += t->buf->len;
}

/* Copy k's figures from rank `from`, given to op. */
static gboolean recv_figures(es_mpi_tri_est *t, es_operator *op, uint32_t k, int from, GError **error)
{
    const int len = recv_tagged(t, k, from);
    double head[4];
    if ((size_t)len < sizeof head)
        goto bad;
    memcpy(head, t->buf->data, sizeof head);
    if (!(head[3] >= 0 && head[3] <= UINT32_MAX))
        goto bad;
    const uint32_t nv = (uint32_t)head[3];
    const size_t rest = (size_t)len - sizeof head;
    if (rest != 0 && rest != nv * sizeof(double))
        goto bad;
    /* (aligned: the array's data is malloc'd, the head 32 bytes) */
    const double *loc = rest ? (const double *)(t->buf->data + sizeof head) : NULL;
    return es_tri_est_give_copy(op, k, head, loc, nv, error);
bad:
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "tri-est: copy %u's figures from rank %d do not add up", k, from);
    return FALSE;
}

gboolean es_mpi_tri_est_report(void *user, GError **error)
{
    es_mpi_tri_est *t = user;
    gboolean ok = TRUE;
    t->reported++;   /* (es_mpi_tri_est_drain counts from es_mpi_tri_est_mark) */
    for (guint i = 0; i < t->ops->len; i++) {
        es_operator *op = g_ptr_array_index(t->ops, i);
        const uint32_t c = es_tri_est_copies(op);
        if (t->rank > 0) {
            for (uint32_t k = first_copy(c, t->rank, t->size); k < first_copy(c, t->rank + 1, t->size); k++)
                send_figures(t, op, k, 0);
            continue;
        }
        for (uint32_t k = first_copy(c, 1, t->size); k < c; k++) {
            GError *err = NULL;   /* (every message is taken, whatever fails) */
            if (!recv_figures(t, op, k, owner_of(c, k, t->size), ok ? error : &err))
                ok = FALSE;
            g_clear_error(&err);
        }
    }
    if (t->rank == 0 && ++t->reports == t->fail_at && ok) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "tri-est: report %" G_GUINT64_FORMAT "'s figures fail (a test)",
                    (guint64)t->reports);
        ok = FALSE;
    }
    return ok;
}

/* Requests rank 0 sends at a snapshot's write: {operator, copy}, or
 * {-1, -1}: the barrier is over. */
#define TAG_ASK 30000

/* es_tri_est_fetch_fn at rank 0: copy c of op from the rank that runs it. */
static gboolean fetch_copy(void *user, es_operator *op, uint32_t c, es_tri_est_state *out, GError **error)
{
    es_mpi_tri_est *t = user;
    guint i = 0;
    while (i < t->ops->len && g_ptr_array_index(t->ops, i) != op)
        i++;
    g_return_val_if_fail(i < t->ops->len, FALSE);
    const int r = owner_of(es_tri_est_copies(op), c, t->size);
    int ask[2] = { (int)i, (int)c };
    MPI_Send(ask, 2, MPI_INT, r, TAG_ASK, t->comm);
    *t->sent += sizeof ask;
    const int len = recv_tagged(t, c, r);
    if (!unflatten(t->buf->data, (size_t)len, out)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "tri-est: copy %u from rank %d does not add up", c, r);
        return FALSE;
    }
    return TRUE;
}

void es_mpi_tri_est_serve(es_mpi_tri_est *t)
{
    if (t->rank == 0) {
        int done[2] = { -1, -1 };
        for (int r = 1; r < t->size; r++)
            MPI_Send(done, 2, MPI_INT, r, TAG_ASK, t->comm);
        *t->sent += sizeof done * (uint64_t)(t->size - 1);
        return;
    }
    for (;;) {
        int ask[2];
        MPI_Recv(ask, 2, MPI_INT, 0, TAG_ASK, t->comm, MPI_STATUS_IGNORE);
        if (ask[0] < 0 || (guint)ask[0] >= t->ops->len)
            break;
        send_copy(t, g_ptr_array_index(t->ops, ask[0]), (uint32_t)ask[1], 0);
    }
}

/* Rank 0's n u64 at a to every rank (a: rank 0's, or room for n), in
 * pieces an int counts. */
static void bcast_u64(uint64_t *a, uint64_t n, MPI_Comm comm)
{
    for (uint64_t at = 0; at < n; at += 1u << 26)
        MPI_Bcast(a + at, (int)MIN(n - at, (uint64_t)1 << 26), MPI_UINT64_T, 0, comm);
}

/* Rank r > 0 on resume: the copies it runs, read from the snapshot at
 * path (/operators/NAME/copies/k, as one process's restore reads them).
 * The test knob of a failed read (tests/test_mpi.sh):
 * ES_MPI_FAIL_COPIES="RANK" makes rank RANK's fail as a file it cannot
 * open would. */
static gboolean read_copies(es_mpi_tri_est *t, const char *path, GError **error)
{
    es_h5_quiet();
    const char *knob = g_getenv("ES_MPI_FAIL_COPIES");
    const gboolean fail = knob && g_ascii_strtoll(knob, NULL, 10) == t->rank;
    hid_t f = fail ? -1 : H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), opsg = -1;
    gboolean ok = f >= 0 && (opsg = H5Gopen2(f, "operators", H5P_DEFAULT)) >= 0;
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "HDF5 cannot read its /operators");
    for (guint i = 0; ok && i < t->ops->len; i++) {
        es_operator *op = g_ptr_array_index(t->ops, i);
        hid_t og = H5Lexists(opsg, op->name, H5P_DEFAULT) > 0 ? H5Gopen2(opsg, op->name, H5P_DEFAULT) : -1;
        if (og < 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "no state for operator \"%s\"", op->name);
            ok = FALSE;
            break;
        }
        const uint32_t c = es_tri_est_copies(op);
        for (uint32_t k = first_copy(c, t->rank, t->size); ok && k < first_copy(c, t->rank + 1, t->size); k++)
            ok = es_tri_est_read_copy(op, og, k, error);
        H5Gclose(og);
    }
    if (!ok)
        g_prefix_error(error, "rank %d: %s: ", t->rank, path);
    if (opsg >= 0)
        H5Gclose(opsg);
    if (f >= 0)
        H5Fclose(f);
    return ok;
}

/* Resume: rank 0's id map and run table to the other ranks, which read
 * their copies from the snapshot. */
static gboolean take_over(es_mpi_tri_est *t, const uint64_t *ext, uint32_t nv, const char *snapshot,
                          GError **error)
{
    gboolean ok = TRUE;
    uint64_t head[2] = { nv, 0 };
    const uint64_t *keys = NULL;
    size_t nkeys = 0;
    for (guint i = 0; t->rank == 0 && i < t->ops->len && keys == NULL; i++) {
        es_operator *op = g_ptr_array_index(t->ops, i);
        if (op->edges)
            keys = es_edgetable_keys(op->edges, &nkeys);
    }
    head[1] = keys ? nkeys : UINT64_MAX;
    MPI_Bcast(head, 2, MPI_UINT64_T, 0, t->comm);
    uint64_t *buf = t->rank == 0 ? (uint64_t *)ext : g_new(uint64_t, head[0] + 1);
    bcast_u64(buf, head[0], t->comm);
    if (t->rank > 0) {
        uint32_t *dense = g_new(uint32_t, head[0] + 1);
        ok = es_idmap_map_ids(t->idmap, buf, dense, head[0], error);
        g_free(dense);
        g_free(buf);
    } else {
        *t->sent += 8 * head[0] * (uint64_t)(t->size - 1);
    }
    if (head[1] != UINT64_MAX) {
        uint64_t *kb = t->rank == 0 ? (uint64_t *)keys : g_new(uint64_t, head[1] + 1);
        bcast_u64(kb, head[1], t->comm);
        if (t->rank > 0 && ok) {
            /* The first operator's table, which the flow adopts as the run's. */
            es_operator *op = g_ptr_array_index(t->ops, 0);
            es_edgetable *table = es_edgetable_new(TRUE, &es_log_memory_stable);
            ok = es_edgetable_add_keys(table, kb, head[1], (uint32_t)head[0], "tri-est's copies", error);
            if (ok) {
                op->own_edges = table;
                op->edges = table;
            } else {
                es_edgetable_free(table);
            }
        }
        if (t->rank > 0)
            g_free(kb);
        else
            *t->sent += 8 * head[1] * (uint64_t)(t->size - 1);
    }
    /* Each rank reads the copies it runs now from the snapshot rank 0
     * restored (which read only its own: es_mpi_tri_est_narrow). */
    int len = t->rank == 0 ? (int)strlen(snapshot ? snapshot : "") + 1 : 0;
    MPI_Bcast(&len, 1, MPI_INT, 0, t->comm);
    g_autofree char *path = g_malloc((size_t)len);
    if (t->rank == 0)
        memcpy(path, snapshot ? snapshot : "", (size_t)len);
    MPI_Bcast(path, len, MPI_CHAR, 0, t->comm);
    *t->sent += t->rank ? 0 : (uint64_t)(4 + len) * (uint64_t)(t->size - 1);
    for (guint i = 0; t->rank > 0 && i < t->ops->len; i++)   /* (the copies' exact test reads it) */
        ((es_operator *)g_ptr_array_index(t->ops, i))->edges = ((es_operator *)g_ptr_array_index(t->ops, 0))->edges;
    return t->rank > 0 && ok ? read_copies(t, path, error) : ok;
}

void es_mpi_tri_est_narrow(MPI_Comm comm, GPtrArray *ops)
{
    int size;
    MPI_Comm_size(comm, &size);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (is_copied(op))
            es_tri_est_own_copies(op, 0, first_copy(es_tri_est_copies(op), 1, size));
    }
}

es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, uint64_t every, const uint64_t *ext, uint32_t nv,
                                   uint64_t edges, const char *snapshot, uint64_t *sent, GError **error)
{
    es_mpi_tri_est *t = g_new0(es_mpi_tri_est, 1);
    t->comm = comm;
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    t->every = every;
    t->sent = sent;
    t->buf = g_byte_array_new();
    /* The test knob of a fold that fails at rank 0 mid-batch
     * (tests/test_mpi.sh): ES_MPI_FAIL_REPORT="N" makes rank 0's N-th
     * report fail, once it has every copy's figures, as figures that do not
     * fit would; the other ranks still send theirs for the batch's later
     * reports (es_mpi_tri_est_drain). */
    const char *knob = g_getenv("ES_MPI_FAIL_REPORT");
    t->fail_at = knob ? g_ascii_strtoull(knob, NULL, 10) : 0;
    t->ops = t->rank == 0 ? g_ptr_array_new() : g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!is_copied(op))
            continue;
        es_operator *mine = op;
        if (t->rank > 0 && (mine = es_operator_new(op->spec, error)) == NULL) {
            ok = FALSE;
            break;
        }
        uint32_t c = es_tri_est_copies(op);
        es_tri_est_own_copies(mine, first_copy(c, t->rank, t->size), first_copy(c, t->rank + 1, t->size));
        g_ptr_array_add(t->ops, mine);
    }
    /* ok on every rank?  Then, on resume, rank 0's state to the others. */
    int bad = !ok, any;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    uint64_t at = edges;
    MPI_Bcast(&at, 1, MPI_UINT64_T, 0, comm);
    t->folded = at;
    if (t->rank > 0)
        t->idmap = es_idmap_new(1u << 16, NULL);
    if (!any && at > 0) {
        /* (the first rank that failed says why, on every rank) */
        ok = es_mpi_agree(t->rank, take_over(t, ext, nv, snapshot, error), error);
        any = !ok;
    }
    if (any) {
        if (ok)
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "tri-est: another rank could not take its copies");
        es_mpi_tri_est_free(t);
        return NULL;
    }
    if (t->rank > 0)
        es_flow_init(&t->flow, t->ops, FALSE, FALSE);
    /* Rank 0 keeps only its own copies: the others' figures come for
     * reports, their states one at a time for snapshots. */
    for (guint i = 0; t->rank == 0 && i < t->ops->len; i++)
        es_tri_est_set_copy_source(g_ptr_array_index(t->ops, i), fetch_copy, t);
    return t;
}

/* Fold ext[0 .. 2n) (rank > 0), from stream index t->folded. */
static gboolean fold(es_mpi_tri_est *t, const uint64_t *ext, size_t n, GError **error)
{
    if (!es_idmap_map_ids(t->idmap, ext, (uint32_t *)t->edges, 2 * n, error))
        return FALSE;
    es_batch batch = {
        .edges = t->edges, .ext = ext, .n = n,
        .first_index = t->folded, .num_vertices = es_idmap_size(t->idmap),
    };
    return es_flow_fold(&t->flow, &batch, t->change, FALSE, error);
}

gboolean es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, gboolean last, GError **error)
{
    if (t->rank == 0 || n == 0)
        return TRUE;
    if (n > t->cap) {
        t->cap = MAX(n, 2 * t->cap);
        t->edges = g_renew(es_edge, t->edges, t->cap);
        t->change = g_renew(uint8_t, t->change, t->cap);
    }
    /* Cut where interim reports fall, as rank 0's fold does
     * (es_group_root_feed); a failure still sends (rank 0 waits for it). */
    gboolean ok = TRUE;
    for (size_t a = 0; a < n;) {
        size_t b = n;
        if (t->every && t->every - t->folded % t->every < n - a)
            b = a + (size_t)(t->every - t->folded % t->every);
        if (ok && !fold(t, ext + 2 * a, b - a, error))
            ok = FALSE;
        t->folded += b - a;
        a = b;
        if (t->every && t->folded % t->every == 0 && !(last && a == n))
            es_mpi_tri_est_report(t, NULL);
    }
    return ok;
}

void es_mpi_tri_est_mark(es_mpi_tri_est *t)
{
    t->reported = 0;
}

void es_mpi_tri_est_drain(es_mpi_tri_est *t, uint64_t from, uint64_t to, gboolean last)
{
    if (t->rank != 0 || t->every == 0)
        return;
    uint64_t want = to / t->every - from / t->every - (last && to % t->every == 0 && to > from ? 1 : 0);
    while (t->reported < want)
        es_mpi_tri_est_report(t, NULL);
}

void es_mpi_tri_est_free(es_mpi_tri_est *t)
{
    if (t == NULL)
        return;
    for (guint i = 0; t->rank == 0 && i < t->ops->len; i++)
        es_tri_est_set_copy_source(g_ptr_array_index(t->ops, i), NULL, NULL);
    if (t->rank > 0 && t->idmap) {
        if (t->flow.ops)
            es_flow_clear(&t->flow);
        es_idmap_free(t->idmap);
    }
    g_ptr_array_unref(t->ops);
    g_byte_array_unref(t->buf);
    g_free(t->edges);
    g_free(t->change);
    g_free(t);
}
