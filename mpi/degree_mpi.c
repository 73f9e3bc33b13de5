/* degree_mpi.c — degree partials across ranks (see degree_mpi.h). */
#include "mpi/degree_mpi.h"

#include <string.h>

#include "graph/batch.h"
#include "graph/common.h"
#include "graph/edgetable.h"
#include "graph/idmap.h"
#include "mpi/chunks.h"
#include "mpi/globals.h"

struct es_mpi_degree {
    guint         groups;
    es_idmap     *map;       /* the vertices of the pairs this rank owns */
    es_edgetable *table;     /* those pairs, over map's ids */
    uint32_t     *inc;       /* per local vertex: this batch's increment */
    size_t        inc_cap;
    GArray       *touched;   /* uint32 local vertices with inc > 0 */
    uint64_t     *out, *all_ext;
    uint32_t     *out_inc, *all_inc;
    size_t        out_cap, all_cap;
    /* Runs with snapshots: the run's dense id (rank 0's id map) per local
     * vertex, and what es_mpi_degree_globals needs of the last batch. */
    es_mpi_globals global;
    uint32_t     *out_local;  /* per entry sent: its local vertex */
    size_t        sent_n;     /* entries this rank sent */
    int          *cs, *ds;    /* rank 0: every rank's entries in the gather */
};

es_mpi_degree *es_mpi_degree_new(guint groups, gboolean logged)
{
    es_mpi_degree *d = g_new0(es_mpi_degree, 1);
    d->groups = MAX(groups, 1);
    d->map = es_idmap_new(1u << 16, NULL);
    d->table = es_edgetable_new(logged, NULL);
    d->touched = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return d;
}

void es_mpi_degree_free(es_mpi_degree *d)
{
    if (d == NULL)
        return;
    es_idmap_free(d->map);
    es_edgetable_free(d->table);
    g_array_free(d->touched, TRUE);
    g_free(d->inc);
    g_free(d->out);
    g_free(d->out_inc);
    g_free(d->all_ext);
    g_free(d->all_inc);
    es_mpi_globals_clear(&d->global);
    g_free(d->out_local);
    g_free(d->cs);
    g_free(d->ds);
    g_free(d);
}

size_t es_mpi_degree_entries(const uint64_t *x, uint32_t *inc, GArray *raised, uint32_t before, uint32_t nv,
                             uint64_t **ext, uint32_t **out_inc, uint32_t **local, size_t *cap)
{
    size_t want = raised->len + (nv - before), k = 0;
    if (want > *cap) {
        *cap = es_grow_cap(*cap, want);
        *ext = g_renew(uint64_t, *ext, *cap);
        *out_inc = g_renew(uint32_t, *out_inc, *cap);
        if (local)
            *local = g_renew(uint32_t, *local, *cap);
    }
    for (size_t i = 0; i < want; i++) {
        uint32_t v = i < raised->len ? g_array_index(raised, uint32_t, i) : before + (uint32_t)(i - raised->len);
        if (local)
            (*local)[k] = v;
        (*ext)[k] = x[v];
        (*out_inc)[k++] = inc[v];
        inc[v] = 0;
    }
    g_array_set_size(raised, 0);
    return k;
}

/* The rank owning pair {a, b}: its key group (a mix of both ids, the same
 * in either direction) and the group's range. */
static int owner(const es_mpi_degree *d, uint64_t a, uint64_t b, int size)
{
    uint64_t lo = MIN(a, b), hi = MAX(a, b);
    uint64_t h = lo * 0x9e3779b97f4a7c15ull ^ (hi + 0x632be59bd9b4e019ull);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return es_group_owner((guint)(h % d->groups), d->groups, size);
}

/* Every edge to its owner (one MPI_Alltoallv); *got (g_free) the pairs this
 * rank owns, *gn of them, in rank order. */
static uint64_t *shuffle(es_mpi_degree *d, MPI_Comm comm, int rank, int size, const uint64_t *ids, size_t n,
                         size_t *gn, uint64_t *sent)
{
    int *scount = g_new0(int, size), *rcount = g_new(int, size), *sdispl = g_new(int, size),
        *rdispl = g_new(int, size), *at = g_new(int, size);
    int *dest = g_new(int, n + 1);
    for (size_t i = 0; i < n; i++) {
        dest[i] = owner(d, ids[2 * i], ids[2 * i + 1], size);
        scount[dest[i]] += 2;
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
        out[at[dest[i]]++] = ids[2 * i];
        out[at[dest[i]]++] = ids[2 * i + 1];
    }
    MPI_Alltoallv(out, scount, sdispl, MPI_UINT64_T, got, rcount, rdispl, MPI_UINT64_T, comm);
    *sent += 4 * (uint64_t)size + 8 * (uint64_t)(so - scount[rank]);
    *gn = (size_t)ro / 2;
    g_free(out);
    g_free(dest);
    g_free(scount);
    g_free(rcount);
    g_free(sdispl);
    g_free(rdispl);
    g_free(at);
    return got;
}

gboolean es_mpi_degree_batch(es_mpi_degree *d, MPI_Comm comm, const uint64_t *ids, size_t n, const uint64_t **ext,
                             const uint32_t **inc, size_t *m, uint64_t counts[3], uint64_t *sent, GError **error)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t gn = 0, k = 0;
    uint64_t *got = shuffle(d, comm, rank, size, ids, n, &gn, sent);
    uint64_t mine[3] = { 0, 0, 0 };   /* new edges, self-loops, repeats */
    uint32_t before = es_idmap_size(d->map);
    es_edge *e = g_new(es_edge, gn + 1);
    uint8_t *change = g_new(uint8_t, gn + 1);
    GError *err = NULL;
    gboolean ok = es_idmap_map_ids(d->map, got, (uint32_t *)e, 2 * gn, &err);
    if (ok) {
        uint32_t nv = es_idmap_size(d->map);
        if (nv > d->inc_cap) {
            size_t cap = es_grow_cap(d->inc_cap, nv);
            d->inc = g_renew(uint32_t, d->inc, cap);
            memset(d->inc + d->inc_cap, 0, (cap - d->inc_cap) * sizeof *d->inc);
            d->inc_cap = cap;
        }
        es_edgetable_apply(d->table, e, gn, change);
        for (size_t i = 0; i < gn; i++) {
            if (e[i].u == e[i].v) {
                mine[1]++;
            } else if (change[i] == ES_EDGE_APPEARS) {
                mine[0]++;
                if (d->inc[e[i].u]++ == 0 && e[i].u < before)
                    g_array_append_val(d->touched, e[i].u);
                if (d->inc[e[i].v]++ == 0 && e[i].v < before)
                    g_array_append_val(d->touched, e[i].v);
            } else {
                mine[2]++;
            }
        }
        k = es_mpi_degree_entries(es_idmap_externals(d->map), d->inc, d->touched, before, nv, &d->out, &d->out_inc,
                                  &d->out_local, &d->out_cap);
    }
    g_free(got);
    g_free(e);
    g_free(change);

    /* The partials to rank 0, in rank order. */
    int cnt = (int)k, total = 0;
    if (rank == 0 && d->cs == NULL) {
        d->cs = g_new(int, size);
        d->ds = g_new(int, size);
    }
    int *cs = d->cs, *ds = d->ds;
    d->sent_n = k;
    MPI_Gather(&cnt, 1, MPI_INT, cs, 1, MPI_INT, 0, comm);
    if (rank == 0) {
        for (int r = 0; r < size; r++) {
            ds[r] = total;
            total += cs[r];
        }
        if ((size_t)total + 1 > d->all_cap) {
            d->all_cap = es_grow_cap(d->all_cap, (size_t)total + 1);
            d->all_ext = g_renew(uint64_t, d->all_ext, d->all_cap);
            d->all_inc = g_renew(uint32_t, d->all_inc, d->all_cap);
        }
    }
    MPI_Gatherv(d->out, cnt, MPI_UINT64_T, d->all_ext, cs, ds, MPI_UINT64_T, 0, comm);
    MPI_Gatherv(d->out_inc, cnt, MPI_UINT32_T, d->all_inc, cs, ds, MPI_UINT32_T, 0, comm);
    MPI_Reduce(mine, counts, 3, MPI_UINT64_T, MPI_SUM, 0, comm);
    *sent += rank ? 4 + 12 * (uint64_t)k + 24 : 0;
    *ext = rank == 0 ? d->all_ext : NULL;
    *inc = rank == 0 ? d->all_inc : NULL;
    *m = rank == 0 ? (size_t)total : 0;
    if (!ok)
        g_propagate_error(error, err);
    return ok;
}

void es_mpi_degree_globals(es_mpi_degree *d, MPI_Comm comm, const uint32_t *dense, uint64_t *sent)
{
    es_mpi_globals_scatter(&d->global, comm, dense, d->out_local, d->sent_n, es_idmap_size(d->map), sent);
}

uint64_t *es_mpi_degree_keys(const es_mpi_degree *d, size_t from, size_t *n)
{
    size_t all = 0;
    const uint64_t *local = es_edgetable_keys(d->table, &all);
    *n = all - MIN(from, all);
    return es_mpi_globals_keys(&d->global, local + from, *n);
}

size_t es_mpi_degree_key_count(const es_mpi_degree *d)
{
    size_t all = 0;
    es_edgetable_keys(d->table, &all);
    return all;
}

void es_mpi_degree_groups(const es_mpi_degree *d, int rank, int size, uint64_t *lo, uint64_t *hi)
{
    *lo = es_group_first(rank, d->groups, size);
    *hi = es_group_first(rank + 1, d->groups, size);
}

gboolean es_mpi_degree_restore(es_mpi_degree *d, MPI_Comm comm, const uint64_t *ext, uint32_t nv, const uint64_t *keys,
                               size_t nk, GError **error)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    uint64_t *mine = g_new(uint64_t, MIN(nk, (size_t)1 << 20) + 1);
    gboolean ok = TRUE;
    for (size_t at = 0; ok && at < nk;) {
        size_t m = 0;
        for (; at < nk && m < ((size_t)1 << 20); at++) {
            uint32_t a = (uint32_t)(keys[at] >> 32), b = (uint32_t)keys[at], la, lb;
            if (a >= b || b >= nv) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: key %zu is not a pair of the %u vertices",
                            ES_EDGES_DATASET, at, nv);
                ok = FALSE;
                break;
            }
            if (owner(d, ext[a], ext[b], size) != rank)
                continue;
            if (!es_idmap_get_or_add(d->map, ext[a], &la, error) || !es_idmap_get_or_add(d->map, ext[b], &lb, error)) {
                ok = FALSE;
                break;
            }
            es_mpi_globals_room(&d->global, es_idmap_size(d->map));
            d->global.id[la] = a;
            d->global.id[lb] = b;
            mine[m++] = (uint64_t)MIN(la, lb) << 32 | MAX(la, lb);
        }
        ok = ok && es_edgetable_add_keys(d->table, mine, m, es_idmap_size(d->map), ES_EDGES_DATASET, error);
    }
    g_free(mine);
    return ok;
}
