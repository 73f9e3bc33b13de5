/* forest.c — spanning forests of batch shares, merged up a binary tree
 * (see forest.h). */
#include "mpi/forest.h"

#include "graph/batch.h"
#include "graph/idmap.h"
#include "graph/parity_uf.h"
#include "graph/unionfind.h"

#include <string.h>

/* The forest of ids[0 .. 2n): joining edges and self-loop-only vertices,
 * as external id pairs, in a new array of *out_n pairs.  With parity, the
 * unions ask for opposite sides and *odd is set when an edge (a self-loop
 * included) closes an odd cycle. */
static uint64_t *forest_of(const uint64_t *ids, size_t n, gboolean parity, int *odd, size_t *out_n)
{
    es_idmap *m = es_idmap_new(MAX(2 * n, 16), NULL);
    uint32_t *dense = g_new(uint32_t, 2 * n + 1);
    uint64_t *joins = g_new(uint64_t, n + 1);
    /* A batch has fewer than 2^29 endpoints: the map cannot fill. */
    if (!es_idmap_map_ids(m, ids, dense, 2 * n, NULL))
        g_error("forest: id map full");
    uint32_t nv = es_idmap_size(m);
    uint8_t *joined = g_new0(uint8_t, nv + 1);
    size_t k = 0;
    if (parity) {
        es_puf *uf = es_puf_new(nv);
        for (size_t i = 0; i < n; i++) {
            uint32_t u = dense[2 * i], v = dense[2 * i + 1];
            uint8_t su, sv;
            if (es_puf_find(uf, u, &su) != es_puf_find(uf, v, &sv)) {
                es_puf_unite_opposite(uf, u, v);
                joins[k++] = (uint64_t)u << 32 | v;
            } else if (su == sv) {
                *odd = 1;
            }
        }
        es_puf_free(uf);
    } else {
        es_uf *uf = es_uf_new(nv);
        k = es_uf_union_edges(uf, (const es_edge *)dense, n, joins);
        es_uf_free(uf);
    }
    for (size_t i = 0; i < k; i++)
        joined[joins[i] >> 32] = joined[joins[i] & 0xffffffffu] = 1;
    const uint64_t *ext = es_idmap_externals(m);
    size_t singles = 0;
    for (uint32_t v = 0; v < nv; v++)
        singles += !joined[v];
    uint64_t *out = g_new(uint64_t, 2 * (k + singles) + 1);
    for (size_t i = 0; i < k; i++) {
        out[2 * i] = ext[joins[i] >> 32];
        out[2 * i + 1] = ext[joins[i] & 0xffffffffu];
    }
    size_t j = k;
    for (uint32_t v = 0; v < nv; v++)
        if (!joined[v]) {
            out[2 * j] = out[2 * j + 1] = ext[v];
            j++;
        }
    *out_n = j;
    g_free(joined);
    g_free(joins);
    g_free(dense);
    es_idmap_free(m);
    return out;
}

void es_mpi_forest_reduce(MPI_Comm comm, const uint64_t *ids, size_t n, gboolean parity, uint64_t **out,
                          size_t *out_n, int *odd, uint64_t *sent)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t fn;
    int my_odd = 0;
    /* Rank 0 keeps its share as it is and appends what it receives
     * (forest.h): its caller's union-find does the merging once. */
    uint64_t *f;
    if (rank == 0) {
        f = g_new(uint64_t, 2 * n + 1);
        memcpy(f, ids, 16 * n);
        fn = n;
    } else {
        f = forest_of(ids, n, parity, &my_odd, &fn);
    }
    for (int s = 1; s < size; s *= 2) {
        if (rank % (2 * s) == s) {
            uint64_t head[2] = { fn, (uint64_t)my_odd };
            MPI_Send(head, 2, MPI_UINT64_T, rank - s, 0, comm);
            MPI_Send(f, (int)(2 * fn), MPI_UINT64_T, rank - s, 1, comm);
            *sent += 16 + 16 * (uint64_t)fn;
            g_free(f);
            f = NULL;
            break;
        }
        if (rank % (2 * s) == 0 && rank + s < size) {
            uint64_t head[2];
            MPI_Recv(head, 2, MPI_UINT64_T, rank + s, 0, comm, MPI_STATUS_IGNORE);
            uint64_t count = head[0];
            my_odd |= head[1] != 0;
            uint64_t *both = g_new(uint64_t, 2 * (fn + count) + 1);
            memcpy(both, f, 16 * fn);
            MPI_Recv(both + 2 * fn, (int)(2 * count), MPI_UINT64_T, rank + s, 1, comm, MPI_STATUS_IGNORE);
            g_free(f);
            if (rank == 0) {
                f = both;
                fn += count;
            } else {
                f = forest_of(both, fn + count, parity, &my_odd, &fn);
                g_free(both);
            }
        }
    }
    *out = f;
    *out_n = f ? fn : 0;
    *odd = f ? my_odd : 0;
}
