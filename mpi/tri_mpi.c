/* tri_mpi.c — triangles across ranks (see tri_mpi.h). */
#include "mpi/tri_mpi.h"

#include <string.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "graph/edgetable.h"
#include "graph/idmap.h"
#include "mpi/degree_mpi.h"
#include "mpi/globals.h"

typedef struct {
    uint32_t *v;
    uint32_t  len, cap;
} list;

/* A new edge (a, b) that may close triangles: a's first pa neighbours are
 * scanned against b's first pb (the older ones; pa <= pb). */
typedef struct {
    uint32_t a, b, pa, pb;
} query;

/* Entries gathered at rank 0: vertices and their increments. */
typedef struct {
    uint64_t *ext;
    void     *inc;
    size_t    cap;
} entries;

struct es_mpi_tri {
    guint       groups, k;
    int         rank, size;
    int        *owner;       /* k^3: the rank owning triple {a, b, c}, any order */
    int        *dest;        /* k^2 * k: the ranks an edge of colours (a, b) goes to */
    int        *ndest;       /* k^2: how many */
    es_idmap   *map;         /* the vertices of the edges this rank gets */
    es_edgeset *set;         /* those edges, over map's ids */
    list       *nb;          /* per local vertex: its neighbours, oldest first */
    uint8_t    *colour;      /* per local vertex */
    uint64_t   *inc;         /* per local vertex: this batch's triangles */
    uint32_t   *dinc;        /* per local vertex: this batch's new edges, as their degree rank */
    uint32_t   *pos;         /* per local vertex: 1 + its place in the list being probed, or 0 */
    query      *query;       /* the batch's new edges that may close triangles */
    size_t      query_cap;
    size_t      vcap;
    GArray     *touched;     /* uint32 local vertices with inc > 0 */
    GArray     *raised;      /* uint32 local vertices older than the batch with dinc > 0 */
    uint64_t    counts[3];   /* this batch's new edges, self-loops, repeats, as their degree rank */
    uint64_t   *out, *out_inc, *dout;
    uint32_t   *dout_inc;
    size_t      out_cap, dout_cap;
    entries     tri_all, deg_all;   /* rank 0: every rank's */
    /* Runs with snapshots: the run's dense id per local vertex, and the
     * local vertex of each degree entry of the last batch. */
    es_mpi_globals global;
    uint32_t   *dout_local;
    GArray     *klog;        /* uint64: the edges whose degree rank this is, local u << 32 | v, in arrival order */
    size_t      dsent_n;
};

/* A vertex's key group (a 64-bit mix of its id), then its colour: key
 * groups in k contiguous ranges; and its cell, the same with
 * ES_MPI_TRI_CELLS ranges whatever the rank count (snapshots' runs). */
static guint group_of(const es_mpi_tri *t, uint64_t v)
{
    uint64_t h = v + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    return (guint)(h % t->groups);
}

static guint colour_of(const es_mpi_tri *t, uint64_t v)
{
    return (guint)((uint64_t)group_of(t, v) * t->k / t->groups);
}

static guint cell_of(const es_mpi_tri *t, uint64_t v)
{
    return (guint)((uint64_t)group_of(t, v) * ES_MPI_TRI_CELLS / t->groups);
}

es_mpi_tri *es_mpi_tri_new(MPI_Comm comm, guint groups)
{
    es_mpi_tri *t = g_new0(es_mpi_tri, 1);
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    t->groups = MAX(groups, 1);
    guint k = 1;
    while ((uint64_t)k * (k + 1) * (k + 2) / 6 < (uint64_t)t->size && k < t->groups && k < 255)
        k++;
    t->k = k;
    uint64_t triples = (uint64_t)k * (k + 1) * (k + 2) / 6, i = 0;
    t->owner = g_new(int, (size_t)k * k * k);
    for (guint a = 0; a < k; a++)
        for (guint b = a; b < k; b++)
            for (guint c = b; c < k; c++, i++) {
                int r = (int)(i * (uint64_t)t->size / triples);
                guint p[6][3] = { { a, b, c }, { a, c, b }, { b, a, c }, { b, c, a }, { c, a, b }, { c, b, a } };
                for (int j = 0; j < 6; j++)
                    t->owner[(p[j][0] * k + p[j][1]) * k + p[j][2]] = r;
            }
    /* An edge's ranks: the owners of {a, b, x}, each once. */
    t->dest = g_new(int, (size_t)k * k * k);
    t->ndest = g_new0(int, (size_t)k * k);
    for (guint ab = 0; ab < k * k; ab++)
        for (guint x = 0; x < k; x++) {
            int r = t->owner[ab * k + x], *d = t->dest + (size_t)ab * k, seen = 0;
            for (int j = 0; j < t->ndest[ab]; j++)
                seen = seen || d[j] == r;
            if (!seen)
                d[t->ndest[ab]++] = r;
        }
    t->map = es_idmap_new(1u << 16, NULL);
    t->set = es_edgeset_new(0, 0);
    t->touched = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    t->raised = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    t->klog = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return t;
}

void es_mpi_tri_free(es_mpi_tri *t)
{
    if (t == NULL)
        return;
    for (size_t v = 0; v < t->vcap; v++)
        g_free(t->nb[v].v);
    g_free(t->nb);
    g_free(t->colour);
    g_free(t->inc);
    g_free(t->dinc);
    g_free(t->pos);
    g_free(t->query);
    g_free(t->owner);
    g_free(t->dest);
    g_free(t->ndest);
    es_idmap_free(t->map);
    es_edgeset_free(t->set);
    g_array_free(t->touched, TRUE);
    g_array_free(t->raised, TRUE);
    g_array_free(t->klog, TRUE);
    g_free(t->out);
    g_free(t->out_inc);
    g_free(t->dout);
    g_free(t->dout_inc);
    g_free(t->tri_all.ext);
    g_free(t->tri_all.inc);
    g_free(t->deg_all.ext);
    g_free(t->deg_all.inc);
    es_mpi_globals_clear(&t->global);
    g_free(t->dout_local);
    g_free(t);
}

/* Every edge to the ranks owning a triple of its colours, a self-loop
 * (which closes nothing) to its degree rank alone (one MPI_Alltoallv);
 * *got (g_free) the edges this rank gets, *gn of them, in rank order,
 * hence in stream order. */
static uint64_t *shuffle(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, size_t *gn, uint64_t *sent)
{
    const int size = t->size;
    const guint k = t->k;
    int *scount = g_new0(int, size), *rcount = g_new(int, size), *sdispl = g_new(int, size),
        *rdispl = g_new(int, size), *at = g_new(int, size);
    uint16_t *pair = g_new(uint16_t, n + 1);   /* per edge: its colours a * k + b */
    for (size_t i = 0; i < n; i++) {
        pair[i] = (uint16_t)(colour_of(t, ids[2 * i]) * k + colour_of(t, ids[2 * i + 1]));
        int copies = ids[2 * i] == ids[2 * i + 1] ? 1 : t->ndest[pair[i]];
        for (int j = 0; j < copies; j++)
            scount[t->dest[(size_t)pair[i] * k + j]] += 2;
    }
    MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, comm);
    int so = 0, ro = 0;
    for (int r = 0; r < size; r++) {
        sdispl[r] = at[r] = so;
        rdispl[r] = ro;
        so += scount[r];
        ro += rcount[r];
    }
    uint64_t *out = g_new(uint64_t, (size_t)so + 1), *got = g_new(uint64_t, (size_t)ro + 1);
    for (size_t i = 0; i < n; i++) {
        int copies = ids[2 * i] == ids[2 * i + 1] ? 1 : t->ndest[pair[i]];
        for (int j = 0; j < copies; j++) {
            int r = t->dest[(size_t)pair[i] * k + j];
            out[at[r]++] = ids[2 * i];
            out[at[r]++] = ids[2 * i + 1];
        }
    }
    MPI_Alltoallv(out, scount, sdispl, MPI_UINT64_T, got, rcount, rdispl, MPI_UINT64_T, comm);
    *sent += 4 * (uint64_t)size + 8 * (uint64_t)(so - scount[t->rank]);
    *gn = (size_t)ro / 2;
    g_free(pair);
    g_free(out);
    g_free(scount);
    g_free(rcount);
    g_free(sdispl);
    g_free(rdispl);
    g_free(at);
    return got;
}

static void room(es_mpi_tri *t, uint32_t nv)
{
    if (nv <= t->vcap)
        return;
    size_t cap = es_grow_cap(t->vcap, nv);
    t->nb = g_renew(list, t->nb, cap);
    t->colour = g_renew(uint8_t, t->colour, cap);
    t->inc = g_renew(uint64_t, t->inc, cap);
    t->dinc = g_renew(uint32_t, t->dinc, cap);
    t->pos = g_renew(uint32_t, t->pos, cap);
    memset(t->pos + t->vcap, 0, (cap - t->vcap) * sizeof *t->pos);
    memset(t->nb + t->vcap, 0, (cap - t->vcap) * sizeof *t->nb);
    memset(t->inc + t->vcap, 0, (cap - t->vcap) * sizeof *t->inc);
    memset(t->dinc + t->vcap, 0, (cap - t->vcap) * sizeof *t->dinc);
    t->vcap = cap;
}

static void push(list *l, uint32_t w)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->v = g_renew(uint32_t, l->v, l->cap);
    }
    l->v[l->len++] = w;
}

static void credit(es_mpi_tri *t, uint32_t v)
{
    if (t->inc[v]++ == 0)
        g_array_append_val(t->touched, v);
}

static void raise_degree(es_mpi_tri *t, uint32_t v, uint32_t before)
{
    if (t->dinc[v]++ == 0 && v < before)
        g_array_append_val(t->raised, v);
}

static int by_probed(const void *pa, const void *pb)
{
    const query *a = pa, *b = pb;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* The edges this rank got, in stream order (local vertices from before
 * on are new): each is counted by its degree rank, and each new one
 * (u, v) credits the common older neighbours whose triple this rank owns.
 * Lists keep their neighbours oldest first, so "older" is a prefix: the
 * lengths at the edge's arrival.  The batch is inserted first, recording
 * per new edge its scanned end a (the shorter prefix) and probed end b;
 * then, per probed vertex, its prefix is marked once with positions and
 * every query on it scans its a's prefix against the marks (the grouping
 * of tri_process_batch in operators/tri.c; a hash probe per entry cost
 * 5 times more here). */
static uint64_t count(es_mpi_tri *t, const uint32_t *e, size_t gn, uint32_t before)
{
    const guint k = t->k;
    uint64_t found = 0;
    size_t nq = 0;
    if (gn > t->query_cap) {
        t->query_cap = es_grow_cap(t->query_cap, gn);
        t->query = g_renew(query, t->query, t->query_cap);
    }
    for (size_t i = 0; i < gn; i++) {
        uint32_t u = e[2 * i], v = e[2 * i + 1];
        gboolean degree_rank = t->dest[((size_t)t->colour[u] * k + t->colour[v]) * k] == t->rank;
        if (u == v) {               /* sent here alone */
            t->counts[1]++;
            continue;
        }
        if (!es_edgeset_insert(t->set, u, v)) {
            t->counts[2] += degree_rank;
            continue;
        }
        if (degree_rank) {
            uint64_t key = (uint64_t)u << 32 | v;
            t->counts[0]++;
            raise_degree(t, u, before);
            raise_degree(t, v, before);
            g_array_append_val(t->klog, key);
        }
        uint32_t pu = t->nb[u].len, pv = t->nb[v].len;
        if (pu > 0 && pv > 0)
            t->query[nq++] = pu <= pv ? (query){ u, v, pu, pv } : (query){ v, u, pv, pu };
        push(&t->nb[u], v);
        push(&t->nb[v], u);
    }
    qsort(t->query, nq, sizeof *t->query, by_probed);
    for (size_t g = 0; g < nq;) {
        const uint32_t b = t->query[g].b;
        size_t h = g;
        uint32_t most = 0;
        for (; h < nq && t->query[h].b == b; h++)
            most = MAX(most, t->query[h].pb);
        const uint32_t *nb = t->nb[b].v;
        for (uint32_t j = 0; j < most; j++)
            t->pos[nb[j]] = j + 1;
        for (; g < h; g++) {
            const query *q = &t->query[g];
            const int *own = t->owner + ((size_t)t->colour[q->a] * k + t->colour[b]) * k;
            const uint32_t *na = t->nb[q->a].v;
            for (uint32_t j = 0; j < q->pa; j++) {
                uint32_t w = na[j], at = t->pos[w];
                if (at != 0 && at <= q->pb && own[t->colour[w]] == t->rank) {
                    found++;
                    credit(t, q->a);
                    credit(t, b);
                    credit(t, w);
                }
            }
        }
        for (uint32_t j = 0; j < most; j++)
            t->pos[nb[j]] = 0;
    }
    return found;
}

/* cnt entries (ext, and inc of isize bytes each, MPI type type) from
 * every rank to rank 0, in rank order, into all there; the number at
 * rank 0, 0 elsewhere. */
static size_t gather(MPI_Comm comm, int rank, int size, const uint64_t *ext, const void *inc, int cnt,
                     MPI_Datatype type, size_t isize, entries *all, uint64_t *sent)
{
    int *cs = NULL, *ds = NULL, total = 0;
    if (rank == 0) {
        cs = g_new(int, size);
        ds = g_new(int, size);
    }
    MPI_Gather(&cnt, 1, MPI_INT, cs, 1, MPI_INT, 0, comm);
    if (rank == 0) {
        for (int r = 0; r < size; r++) {
            ds[r] = total;
            total += cs[r];
        }
        if ((size_t)total + 1 > all->cap) {
            all->cap = es_grow_cap(all->cap, (size_t)total + 1);
            all->ext = g_renew(uint64_t, all->ext, all->cap);
            all->inc = g_realloc_n(all->inc, all->cap, isize);
        }
    }
    MPI_Gatherv(ext, cnt, MPI_UINT64_T, all->ext, cs, ds, MPI_UINT64_T, 0, comm);
    MPI_Gatherv(inc, cnt, type, all->inc, cs, ds, type, 0, comm);
    *sent += rank ? 4 + (8 + isize) * (uint64_t)cnt : 0;
    g_free(cs);
    g_free(ds);
    return (size_t)total;
}

gboolean es_mpi_tri_batch(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, es_mpi_tri_partials *out,
                          uint64_t *sent, GError **error)
{
    const int rank = t->rank, size = t->size;
    size_t gn = 0, k = 0, dk = 0;
    uint64_t *got = shuffle(t, comm, ids, n, &gn, sent), mine[4] = { 0, 0, 0, 0 }, all[4] = { 0, 0, 0, 0 };
    uint32_t *e = g_new(uint32_t, 2 * gn + 1), before = es_idmap_size(t->map);
    GError *err = NULL;
    gboolean ok = es_idmap_map_ids(t->map, got, e, 2 * gn, &err);
    if (ok) {
        uint32_t nv = es_idmap_size(t->map);
        room(t, nv);
        const uint64_t *x = es_idmap_externals(t->map);
        for (uint32_t v = before; v < nv; v++)
            t->colour[v] = (uint8_t)colour_of(t, x[v]);
        memset(t->counts, 0, sizeof t->counts);
        mine[3] = count(t, e, gn, before);
        memcpy(mine, t->counts, sizeof t->counts);
        if (t->touched->len > t->out_cap) {
            t->out_cap = es_grow_cap(t->out_cap, t->touched->len);
            t->out = g_renew(uint64_t, t->out, t->out_cap);
            t->out_inc = g_renew(uint64_t, t->out_inc, t->out_cap);
        }
        for (guint i = 0; i < t->touched->len; i++) {
            uint32_t v = g_array_index(t->touched, uint32_t, i);
            t->out[k] = x[v];
            t->out_inc[k++] = t->inc[v];
            t->inc[v] = 0;
        }
        g_array_set_size(t->touched, 0);
        dk = es_mpi_degree_entries(x, t->dinc, t->raised, before, nv, &t->dout, &t->dout_inc, &t->dout_local, &t->dout_cap);
    }
    g_free(got);
    g_free(e);

    t->dsent_n = dk;
    /* The partials to rank 0, in rank order. */
    *out = (es_mpi_tri_partials){ 0 };
    size_t tn = gather(comm, rank, size, t->out, t->out_inc, (int)k, MPI_UINT64_T, sizeof(uint64_t), &t->tri_all, sent);
    size_t dn = gather(comm, rank, size, t->dout, t->dout_inc, (int)dk, MPI_UINT32_T, sizeof(uint32_t), &t->deg_all,
                       sent);
    MPI_Reduce(mine, all, 4, MPI_UINT64_T, MPI_SUM, 0, comm);
    *sent += rank ? sizeof mine : 0;
    if (rank == 0) {
        *out = (es_mpi_tri_partials){
            .deg_ext = t->deg_all.ext, .deg_inc = t->deg_all.inc, .deg_n = dn,
            .tri_ext = t->tri_all.ext, .tri_inc = t->tri_all.inc, .tri_n = tn,
            .counts = { all[0], all[1], all[2] }, .triangles = all[3],
        };
    }
    if (!ok)
        g_propagate_error(error, err);
    return ok;
}

void es_mpi_tri_globals(es_mpi_tri *t, MPI_Comm comm, const uint32_t *dense, uint64_t *sent)
{
    es_mpi_globals_scatter(&t->global, comm, dense, t->dout_local, t->dsent_n, es_idmap_size(t->map), sent);
}

uint64_t *es_mpi_tri_keys(const es_mpi_tri *t, size_t from, size_t *n, uint8_t **bucket)
{
    const uint64_t *local = (const uint64_t *)t->klog->data;
    *n = t->klog->len - MIN(from, t->klog->len);
    if (bucket) {
        const uint64_t *x = es_idmap_externals(t->map);
        *bucket = g_new(uint8_t, *n + 1);
        for (size_t i = 0; i < *n; i++) {
            guint a = cell_of(t, x[local[from + i] >> 32]), b = cell_of(t, x[(uint32_t)local[from + i]]);
            (*bucket)[i] = (uint8_t)(MIN(a, b) * ES_MPI_TRI_CELLS + MAX(a, b));
        }
    }
    return es_mpi_globals_keys(&t->global, local + from, *n);
}

gboolean es_mpi_tri_wants(const es_mpi_tri *t, guint bucket)
{
    const guint k = t->k, cu = bucket / ES_MPI_TRI_CELLS, cv = bucket % ES_MPI_TRI_CELLS;
    /* The colours of a cell: those of its key groups. */
    guint lo[2], hi[2], cell[2] = { cu, cv };
    for (int e = 0; e < 2; e++) {
        guint g0 = (guint)(((uint64_t)cell[e] * t->groups + ES_MPI_TRI_CELLS - 1) / ES_MPI_TRI_CELLS);
        guint g1 = (guint)(((uint64_t)(cell[e] + 1) * t->groups + ES_MPI_TRI_CELLS - 1) / ES_MPI_TRI_CELLS);
        if (g0 >= g1)
            return FALSE;   /* (a cell without key groups holds no vertex) */
        lo[e] = (guint)((uint64_t)g0 * k / t->groups);
        hi[e] = (guint)((uint64_t)(g1 - 1) * k / t->groups);
    }
    for (guint a = lo[0]; a <= hi[0]; a++)
        for (guint b = lo[1]; b <= hi[1]; b++)
            for (int j = 0; j < t->ndest[a * k + b]; j++)
                if (t->dest[(size_t)(a * k + b) * k + j] == t->rank)
                    return TRUE;
    return FALSE;
}

size_t es_mpi_tri_key_count(const es_mpi_tri *t)
{
    return t->klog->len;
}

gboolean es_mpi_tri_restore(es_mpi_tri *t, const uint64_t *ext, uint32_t nv, const uint64_t *keys, size_t nk,
                            GError **error)
{
    const guint k = t->k;
    for (size_t i = 0; i < nk; i++) {
        uint32_t a = (uint32_t)(keys[i] >> 32), b = (uint32_t)keys[i], l[2];
        if (a >= b || b >= nv) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: a key is not a pair of the %u vertices",
                        ES_EDGES_DATASET, nv);
            return FALSE;
        }
        guint ab = colour_of(t, ext[a]) * k + colour_of(t, ext[b]);
        gboolean mine = FALSE;
        for (int j = 0; j < t->ndest[ab]; j++)
            mine = mine || t->dest[(size_t)ab * k + j] == t->rank;
        if (!mine)
            continue;
        for (int e = 0; e < 2; e++) {
            uint32_t before = es_idmap_size(t->map);
            if (!es_idmap_get_or_add(t->map, ext[e ? b : a], &l[e], error))
                return FALSE;
            if (l[e] == before) {
                room(t, before + 1);
                es_mpi_globals_room(&t->global, before + 1);
                t->colour[l[e]] = (uint8_t)colour_of(t, ext[e ? b : a]);
            }
            t->global.id[l[e]] = e ? b : a;
        }
        if (!es_edgeset_insert(t->set, l[0], l[1])) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s lists a pair twice", ES_EDGES_DATASET);
            return FALSE;
        }
        push(&t->nb[l[0]], l[1]);
        push(&t->nb[l[1]], l[0]);
        if (t->dest[(size_t)ab * k] == t->rank) {   /* its degree rank writes it */
            uint64_t key = (uint64_t)l[0] << 32 | l[1];
            g_array_append_val(t->klog, key);
        }
    }
    return TRUE;
}
