/* batch.h — edges and batches, the unit of the stream.
 *
 * The stream is a sequence of batches.  Every operator sees batch k before
 * any sees batch k+1, so a batch boundary is an aligned barrier: a snapshot
 * taken there is a consistent cut of the whole dataflow.
 *
 * Vertices are dense 32-bit ids (order of first appearance, see idmap.h).
 * An edge's stream index is implicit: batch->first_index + i, where i is its
 * position in the batch; indices count every accepted edge line from 0,
 * self-loops and duplicates included.
 */
#ifndef ES_BATCH_H
#define ES_BATCH_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint32_t u, v;
} es_edge;

typedef struct {
    const es_edge *edges;    /* n edges in stream order */
    const uint64_t *ext;     /* 2n external ids (ext[2i], ext[2i+1] are edge i's
                                u and v as written in the input), or NULL; for
                                operators that work without the id map */
    const int64_t *time;     /* n timestamps, or NULL when no line had one */
    const uint8_t *change;   /* n es_edge_change answers of the run's edge table
                                (graph/edgetable.h), or NULL when the run keeps
                                none (operators/operator.h: needs_edges) */
    size_t   n;
    uint64_t first_index;    /* stream index of edges[0] */
    uint32_t num_vertices;   /* id-map size after this batch: every u, v < this */
} es_batch;

/* The key of undirected edge (u, v): min << 32 | max. */
static inline uint64_t es_edge_key(uint32_t u, uint32_t v)
{
    return u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
}

static inline uint64_t es_batch_index(const es_batch *b, size_t i)
{
    return b->first_index + i;
}

#endif
