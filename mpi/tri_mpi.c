/* tri_mpi.c — triangles across ranks (see tri_mpi.h). */
#include "mpi/tri_mpi.h"

#include <string.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "graph/idmap.h"

typedef struct {
    uint32_t *v;
    uint32_t  len, cap;
} list;

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
    size_t      vcap;
    GArray     *touched;     /* uint32 local vertices with inc > 0 */
    uint64_t   *out, *out_inc, *all_ext, *all_inc;
    size_t      out_cap, all_cap;
};

/* A vertex's key group (a 64-bit mix of its id), then its colour: key
 * groups in k contiguous ranges. */
static guint colour_of(const es_mpi_tri *t, uint64_t v)
{
    uint64_t h = v + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    guint g = (guint)(h % t->groups);
    return (guint)((uint64_t)g * t->k / t->groups);
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
    g_free(t->owner);
    g_free(t->dest);
    g_free(t->ndest);
    es_idmap_free(t->map);
    es_edgeset_free(t->set);
    g_array_free(t->touched, TRUE);
    g_free(t->out);
    g_free(t->out_inc);
    g_free(t->all_ext);
    g_free(t->all_inc);
    g_free(t);
}

guint es_mpi_tri_colours(const es_mpi_tri *t) { return t->k; }

/* Every edge (self-loops aside: they close nothing) to the ranks owning a
 * triple of its colours (one MPI_Alltoallv); *got (g_free) the edges this
 * rank gets, *gn of them, in rank order, hence in stream order. */
static uint64_t *shuffle(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, size_t *gn, uint64_t *sent)
{
    const int size = t->size;
    const guint k = t->k;
    int *scount = g_new0(int, size), *rcount = g_new(int, size), *sdispl = g_new(int, size),
        *rdispl = g_new(int, size), *at = g_new(int, size);
    uint16_t *pair = g_new(uint16_t, n + 1);   /* per edge: its colours a * k + b, or UINT16_MAX */
    for (size_t i = 0; i < n; i++) {
        if (ids[2 * i] == ids[2 * i + 1]) {
            pair[i] = UINT16_MAX;
            continue;
        }
        pair[i] = (uint16_t)(colour_of(t, ids[2 * i]) * k + colour_of(t, ids[2 * i + 1]));
        for (int j = 0; j < t->ndest[pair[i]]; j++)
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
        if (pair[i] == UINT16_MAX)
            continue;
        for (int j = 0; j < t->ndest[pair[i]]; j++) {
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
    memset(t->nb + t->vcap, 0, (cap - t->vcap) * sizeof *t->nb);
    memset(t->inc + t->vcap, 0, (cap - t->vcap) * sizeof *t->inc);
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

/* The edges this rank got, in stream order: each new one credits the
 * common older neighbours whose triple this rank owns. */
static uint64_t count(es_mpi_tri *t, const uint32_t *e, size_t gn)
{
    const guint k = t->k;
    uint64_t found = 0;
    for (size_t i = 0; i < gn; i++) {
        uint32_t u = e[2 * i], v = e[2 * i + 1];
        if (!es_edgeset_insert(t->set, u, v))
            continue;
        /* Scan the shorter list, probe the set with the other end. */
        uint32_t a = t->nb[u].len <= t->nb[v].len ? u : v, b = a == u ? v : u;
        const int *own = t->owner + ((size_t)t->colour[u] * k + t->colour[v]) * k;
        const list *l = &t->nb[a];
        for (uint32_t j = 0; j < l->len; j++) {
            uint32_t w = l->v[j];
            if (own[t->colour[w]] == t->rank && es_edgeset_contains(t->set, b, w)) {
                found++;
                credit(t, u);
                credit(t, v);
                credit(t, w);
            }
        }
        push(&t->nb[u], v);
        push(&t->nb[v], u);
    }
    return found;
}

gboolean es_mpi_tri_batch(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, const uint64_t **ext,
                          const uint64_t **inc, size_t *m, uint64_t *triangles, uint64_t *sent, GError **error)
{
    const int rank = t->rank, size = t->size;
    size_t gn = 0, k = 0;
    uint64_t *got = shuffle(t, comm, ids, n, &gn, sent), found = 0;
    uint32_t *e = g_new(uint32_t, 2 * gn + 1), before = es_idmap_size(t->map);
    GError *err = NULL;
    gboolean ok = es_idmap_map_ids(t->map, got, e, 2 * gn, &err);
    if (ok) {
        uint32_t nv = es_idmap_size(t->map);
        room(t, nv);
        const uint64_t *x = es_idmap_externals(t->map);
        for (uint32_t v = before; v < nv; v++)
            t->colour[v] = (uint8_t)colour_of(t, x[v]);
        found = count(t, e, gn);
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
    }
    g_free(got);
    g_free(e);

    /* The partials to rank 0, in rank order. */
    int cnt = (int)k, *cs = NULL, *ds = NULL, total = 0;
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
        if ((size_t)total + 1 > t->all_cap) {
            t->all_cap = es_grow_cap(t->all_cap, (size_t)total + 1);
            t->all_ext = g_renew(uint64_t, t->all_ext, t->all_cap);
            t->all_inc = g_renew(uint64_t, t->all_inc, t->all_cap);
        }
    }
    MPI_Gatherv(t->out, cnt, MPI_UINT64_T, t->all_ext, cs, ds, MPI_UINT64_T, 0, comm);
    MPI_Gatherv(t->out_inc, cnt, MPI_UINT64_T, t->all_inc, cs, ds, MPI_UINT64_T, 0, comm);
    MPI_Reduce(&found, triangles, 1, MPI_UINT64_T, MPI_SUM, 0, comm);
    *sent += rank ? 4 + 16 * (uint64_t)k + 8 : 0;
    g_free(cs);
    g_free(ds);
    *ext = rank == 0 ? t->all_ext : NULL;
    *inc = rank == 0 ? t->all_inc : NULL;
    *m = rank == 0 ? (size_t)total : 0;
    if (!ok)
        g_propagate_error(error, err);
    return ok;
}
