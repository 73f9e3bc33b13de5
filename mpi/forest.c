/* forest.c — spanning forests of batch shares, merged up a binary tree
 * (see forest.h). */
#include "mpi/forest.h"

#include "graph/batch.h"
#include "graph/idmap.h"
#include "graph/unionfind.h"

/* The forest of ids[0 .. 2n): joining edges and self-loop-only vertices,
 * as external id pairs, in a new array of *out_n pairs. */
static uint64_t *forest_of(const uint64_t *ids, size_t n, size_t *out_n)
{
    es_idmap *m = es_idmap_new(MAX(2 * n, 16), NULL);
    uint32_t *dense = g_new(uint32_t, 2 * n + 1);
    uint64_t *joins = g_new(uint64_t, n + 1);
    /* A batch has fewer than 2^29 endpoints: the map cannot fill. */
    if (!es_idmap_map_ids(m, ids, dense, 2 * n, NULL))
        g_error("forest: id map full");
    uint32_t nv = es_idmap_size(m);
    es_uf *uf = es_uf_new(nv);
    size_t k = es_uf_union_edges(uf, (const es_edge *)dense, n, joins);
    const uint64_t *ext = es_idmap_externals(m);
    size_t singles = 0;
    for (uint32_t v = 0; v < nv; v++)
        singles += es_uf_root_size(uf, v) == 1;
    uint64_t *out = g_new(uint64_t, 2 * (k + singles) + 1);
    for (size_t i = 0; i < k; i++) {
        out[2 * i] = ext[joins[i] >> 32];
        out[2 * i + 1] = ext[joins[i] & 0xffffffffu];
    }
    size_t j = k;
    for (uint32_t v = 0; v < nv; v++)
        if (es_uf_root_size(uf, v) == 1) {
            out[2 * j] = out[2 * j + 1] = ext[v];
            j++;
        }
    *out_n = j;
    es_uf_free(uf);
    g_free(joins);
    g_free(dense);
    es_idmap_free(m);
    return out;
}

void es_mpi_forest_reduce(MPI_Comm comm, const uint64_t *ids, size_t n, uint64_t **out, size_t *out_n,
                          uint64_t *sent)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t fn;
    uint64_t *f = forest_of(ids, n, &fn);
    for (int s = 1; s < size; s *= 2) {
        if (rank % (2 * s) == s) {
            uint64_t count = fn;
            MPI_Send(&count, 1, MPI_UINT64_T, rank - s, 0, comm);
            MPI_Send(f, (int)(2 * fn), MPI_UINT64_T, rank - s, 1, comm);
            *sent += 8 + 16 * (uint64_t)fn;
            g_free(f);
            f = NULL;
            break;
        }
        if (rank % (2 * s) == 0 && rank + s < size) {
            uint64_t count;
            MPI_Recv(&count, 1, MPI_UINT64_T, rank + s, 0, comm, MPI_STATUS_IGNORE);
            uint64_t *both = g_new(uint64_t, 2 * (fn + count) + 1);
            memcpy(both, f, 16 * fn);
            MPI_Recv(both + 2 * fn, (int)(2 * count), MPI_UINT64_T, rank + s, 1, comm, MPI_STATUS_IGNORE);
            g_free(f);
            f = forest_of(both, fn + count, &fn);
            g_free(both);
        }
    }
    *out = f;
    *out_n = f ? fn : 0;
}
