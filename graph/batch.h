/* batch.h — edges and batches, the unit of the stream.
 *
 * The stream is a sequence of batches.  Every operator sees batch k before
 * any sees batch k+1, so a batch boundary is an aligned barrier: a snapshot
 * taken there is a consistent cut of the whole dataflow.
 *
 * Vertices are dense 32-bit ids (order of first appearance, see idmap.h).
 * An edge's stream index is implicit: batch->first_index + i, where i is its
 * position in the batch; indices count every accepted edge line from 0,
 * self-loops, duplicates and deletions included.  A deletion line (del[i])
 * never adds a vertex (es_idmap_map_lines): it names vertices the id map
 * knows, or comes as the deletion of a known vertex's self-loop, or, when
 * the map knows none, as (0, 0), which names no vertex; the edge table
 * ignores both (ES_EDGE_IGNORED), and operators read such a line's ids
 * only to skip it.
 */
#ifndef ES_BATCH_H
#define ES_BATCH_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint32_t u, v;
} es_edge;

/* es_batch.del values.  An expiry takes back exactly one earlier insertion
 * line of the same edge, so unlike a deletion it is never of an absent
 * pair, and it takes a self-loop line away too (a deletion of a self-loop
 * changes nothing). */
enum { ES_LINE_INSERT = 0, ES_LINE_DELETE = 1, ES_LINE_EXPIRE = 2 };

typedef struct {
    const es_edge *edges;    /* n edges in stream order */
    const uint64_t *ext;     /* 2n external ids (ext[2i], ext[2i+1] are edge i's
                                u and v as written in the input), or NULL; for
                                operators that work without the id map */
    const int64_t *time;     /* n timestamps, or NULL when no line had one */
    const uint8_t *del;      /* n flags, 1 (ES_LINE_DELETE) for a deletion line
                                (`u v -`), 2 (ES_LINE_EXPIRE) for the expiry of
                                an insertion line that left a sliding window
                                (dataflow/window.h), 0 for an insertion; or
                                NULL when the batch has none */
    const double  *weight;   /* n weights (0 where a line had none), or NULL
                                when no line had one; kept for operators to come */
    const uint8_t *change;   /* n es_edge_change answers of the run's edge table
                                (graph/edgetable.h), or NULL when the run keeps
                                none (operators/operator.h: needs_edges): what
                                edge i does to the simple graph.  Insert-only
                                streams give ES_EDGE_APPEARS and ES_EDGE_SEEN;
                                with deletions (del, --deletions) also
                                ES_EDGE_DISAPPEARS (multiplicity 1 -> 0) and
                                ES_EDGE_IGNORED (a deletion that changes
                                nothing), and an edge may appear again.  An
                                operator folding deletions applies each
                                appearance and disappearance in stream order
                                and ignores the rest */
    size_t   n;
    uint64_t first_index;    /* stream index of edges[0] */
    uint32_t num_vertices;   /* id-map size after this batch: every u, v < this,
                                save an ignored deletion's (above) */
} es_batch;

/* The key of undirected edge (u, v): min << 32 | max.  Without a branch:
 * on a stream whose endpoints come in either order (R-MAT's: a coin toss)
 * a branch mispredicts every other edge, about 5 ns against 1 ns here. */
static inline uint64_t es_edge_key(uint32_t u, uint32_t v)
{
    const uint32_t lo = u < v ? u : v, hi = u ^ v ^ lo;
    return (uint64_t)lo << 32 | hi;
}

static inline uint64_t es_batch_index(const es_batch *b, size_t i)
{
    return b->first_index + i;
}

/* The batch's 2n endpoints as keys (edge i's at 2i, 2i+1): b->ext when it
 * has external ids, else its dense ids widened into *buf, which grows to
 * *cap elements as needed (free with es_big_free(*buf, *cap * 8)). */
/* Check the batch's promise that every endpoint is below nv (an operator's
 * vertex count, at least b->num_vertices): breaking it is a programming
 * error, and aborts naming the first offending edge and `who`.  O(n),
 * parallel for large batches. */
void es_batch_assert_ids(const es_batch *b, uint32_t nv, const char *who);

const uint64_t *es_batch_endpoint_keys(const es_batch *b, uint64_t **buf, size_t *cap);

#endif
