/* globals.c — the run's dense vertex ids at the ranks (see globals.h). */
#include "mpi/globals.h"

#include "graph/common.h"

void es_mpi_globals_room(es_mpi_globals *g, uint32_t nv)
{
    if (nv <= g->cap)
        return;
    size_t cap = es_grow_cap(g->cap, nv);
    g->id = g_renew(uint32_t, g->id, cap);
    g->cap = cap;
}

void es_mpi_globals_scatter(es_mpi_globals *g, MPI_Comm comm, const uint32_t *dense, const uint32_t *local, size_t n,
                            uint32_t nv, uint64_t *sent)
{
    int rank, size, cnt = (int)n, *cs = NULL, *ds = NULL;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (rank == 0) {
        cs = g_new(int, size);
        ds = g_new(int, size);
    }
    MPI_Gather(&cnt, 1, MPI_INT, cs, 1, MPI_INT, 0, comm);
    for (int r = 0, at = 0; rank == 0 && r < size; at += cs[r++]) {
        ds[r] = at;
        *sent += r ? 4 * (uint64_t)cs[r] : 0;   /* to the other ranks */
    }
    uint32_t *got = g_new(uint32_t, n + 1);
    MPI_Scatterv(dense, cs, ds, MPI_UINT32_T, got, cnt, MPI_UINT32_T, 0, comm);
    es_mpi_globals_room(g, nv);
    for (size_t i = 0; i < n; i++)
        g->id[local[i]] = got[i];
    *sent += rank ? 4 : 0;   /* the count */
    g_free(got);
    g_free(cs);
    g_free(ds);
}

uint64_t *es_mpi_globals_keys(const es_mpi_globals *g, const uint64_t *local, size_t n)
{
    uint64_t *keys = g_new(uint64_t, n + 1);
    for (size_t i = 0; i < n; i++) {
        const uint32_t a = g->id[local[i] >> 32], b = g->id[(uint32_t)local[i]];
        keys[i] = (uint64_t)MIN(a, b) << 32 | MAX(a, b);
    }
    return keys;
}

void es_mpi_globals_clear(es_mpi_globals *g)
{
    g_clear_pointer(&g->id, g_free);
    g->cap = 0;
}
