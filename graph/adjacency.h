/* adjacency.h — a growing undirected graph over dense 32-bit vertex ids:
 * for every vertex the set of its distinct neighbours, kept in the order
 * they were inserted (so a neighbour's position is the age of its edge).
 *
 * Layout: 16 bytes per vertex (pointer, degree, capacity).  A vertex of
 * degree <= ES_ADJACENCY_SMALL keeps its neighbours in a small array
 * (capacity 4, 8, 16: one 64-byte cache line at most) that is scanned
 * linearly: within one cache line a scan costs what a hash probe costs,
 * and most vertices of real graphs have such degrees, so they pay no
 * table.  Above the threshold the array is followed, in the same block, by
 * an open-addressing index of (neighbour + 1, position) pairs: power-of-two
 * sized, linear probing, Fibonacci hashing, array and index doubled
 * together so the index stays 3/8 to 3/4 full.  Lookups are expected O(1)
 * and also answer the neighbour's position.
 * Memory per neighbour entry (each undirected edge has two): about 6 bytes
 * on small vertices, about 22 on hashed ones (array + index).  Blocks come
 * from per-thread arenas of 16 MiB chunks from es_big_alloc (huge pages,
 * no per-block header; a hub's outgrown blocks are split for smaller
 * vertices); blocks above 1 MiB from es_big_alloc itself.  Measured totals:
 * bench/RESULTS.md.
 *
 * Insertion: a lookup and an append, expected O(1) amortised (a doubling
 * copies the list and rebuilds the index).  Intersection iterates the
 * smaller (prefix of a) neighbour list and probes the larger one (hash
 * probe, software-prefetched a few entries ahead; or a scan when both are
 * small): O(min(deg u, deg v)) expected.
 *
 * Parallel insertion: es_adjacency_insert_batch() inserts a batch in stream
 * order with OpenMP.  The two half-edges of each edge are grouped by owner
 * vertex (stable counting sort over buckets of vertices); each bucket is
 * filled by one thread in stream order, so every neighbour list, every
 * position and every new/duplicate answer equals that of a sequential
 * insertion, for any thread count.  One thread groups too (the grouping
 * keeps a bucket's records and lists in cache).
 *
 * CSR form (for snapshots): offsets[0 .. n] with offsets[u] the sum of
 * the degrees of the vertices before u, and the lists laid end to end in
 * vertex order, each in insertion order.  es_adjacency_csr_next() copies
 * the lists out in pieces (no OpenMP, nothing written); es_adjacency_new_from_csr() rebuilds a graph that answers
 * exactly as the one written, positions and hash indexes included, and
 * validates the arrays first (O(n + E) expected time; each block is
 * allocated once at its final size, so no outgrown blocks are left over).
 *
 * Plain graphs (es_adjacency_new_plain): lists only, no hash index, for a
 * caller that knows which edges are new (the edge table's answers,
 * es_adjacency_append_batch) and finds common neighbours itself (tri marks
 * a prefix in a bitmap).  Every list is an array of 4 * 2^j entries: 4 to
 * 8 bytes per neighbour entry, against about 22 on hashed vertices, and
 * appending writes only the list's end.  Lookups (insert, contains,
 * position, intersect) still answer, by scanning: O(degree).
 *
 * Vertex ids must be below UINT32_MAX (the id map never hands that out).
 * Neighbours are never removed (streams are insert-only).
 */
#ifndef ES_ADJACENCY_H
#define ES_ADJACENCY_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/edgetable.h"

/* "No position": absent neighbour, duplicate edge, self-loop. */
#define ES_ADJACENCY_NONE UINT32_MAX
/* Degrees up to this are plain arrays; above it, arrays with a hash index. */
#define ES_ADJACENCY_SMALL 16u

typedef struct es_adjacency es_adjacency;

/* A vertex's record.  Loops that visit many vertices (and want to prefetch
 * them) read the records directly: nb[0 .. deg-1] are the neighbours in
 * insertion order; cap and what follows nb[cap] are private. */
typedef struct {
    uint32_t *nb;
    uint32_t  deg;
    uint32_t  cap;
} es_adjacency_vertex;

es_adjacency *es_adjacency_new(uint32_t expected_vertices);
/* A plain graph: lists without hash indexes (see above). */
es_adjacency *es_adjacency_new_plain(uint32_t expected_vertices);
void          es_adjacency_free(es_adjacency *a);


/* Make vertices 0 .. num_vertices-1 exist (new ones have no neighbours). */
void     es_adjacency_grow(es_adjacency *a, uint32_t num_vertices);
uint32_t es_adjacency_vertices(const es_adjacency *a);
uint64_t es_adjacency_edges(const es_adjacency *a);    /* distinct undirected edges */
size_t   es_adjacency_memory(const es_adjacency *a);   /* bytes held (O(vertices)) */

/* Add undirected edge (u, v), growing the vertex range when needed.  TRUE
 * when it is new; a self-loop is never inserted (FALSE). */
gboolean es_adjacency_insert(es_adjacency *a, uint32_t u, uint32_t v);

/* Insert edges[0 .. n-1] in stream order, in parallel (every id must be
 * below es_adjacency_vertices()).  For a new edge i, pos_u[i] is the
 * position of v in u's list and pos_v[i] that of u in v's list (their
 * degrees just before it); for a self-loop or a repeat of an earlier edge
 * (either direction), both are ES_ADJACENCY_NONE.  pos_u and pos_v may be
 * NULL.  Returns the number of new edges.  Independent of thread count. */
size_t es_adjacency_insert_batch(es_adjacency *a, const es_edge *edges, size_t n,
                                 uint32_t *pos_u, uint32_t *pos_v);

/* Append, in stream order and in parallel, every edge i of edges[0 .. n-1]
 * with change[i] == ES_EDGE_APPEARS (change NULL: every edge), without
 * looking it up: the caller vouches that each is no self-loop and new
 * (not in the graph, not twice in the batch).  pos_u, pos_v as for
 * es_adjacency_insert_batch (ES_ADJACENCY_NONE for the edges left out).
 * Returns the number appended.  Independent of thread count. */
size_t es_adjacency_append_batch(es_adjacency *a, const es_edge *edges, const uint8_t *change, size_t n,
                                 uint32_t *pos_u, uint32_t *pos_v);

gboolean es_adjacency_contains(const es_adjacency *a, uint32_t u, uint32_t v);
uint32_t es_adjacency_degree(const es_adjacency *a, uint32_t u);
/* The records of all vertices (es_adjacency_vertices() of them), read-only;
 * valid until the next insertion or growth. */
const es_adjacency_vertex *es_adjacency_records(const es_adjacency *a);
/* u's neighbours in insertion order (degree(u) entries); valid until u's
 * next insertion. */
const uint32_t *es_adjacency_neighbors(const es_adjacency *a, uint32_t u);
/* Position of v in u's list (0 = oldest), or ES_ADJACENCY_NONE. */
uint32_t es_adjacency_position(const es_adjacency *a, uint32_t u, uint32_t v);

/* ---- CSR form -------------------------------------------------------------- */

/* offsets[0 .. vertices] of the CSR form; offsets[vertices] = 2 * edges. */
void es_adjacency_csr_offsets(const es_adjacency *a, uint64_t *offsets);

/* Where the next es_adjacency_csr_next() call goes on: entry `entry` of
 * vertex `vertex`'s list.  Start at { 0, 0 }. */
typedef struct {
    uint32_t vertex, entry;
} es_adjacency_cursor;

/* Copy the next neighbour entries in CSR order (vertex 0's list, then
 * vertex 1's, ...) from *at into out, at most room of them, and advance
 * *at; returns how many (0 at the end).  Reads only, starts no thread. */
size_t es_adjacency_csr_next(const es_adjacency *a, es_adjacency_cursor *at, uint32_t *out, size_t room);

/* The graph whose CSR form is offsets[0 .. n] and neighbors[0 .. len-1]:
 * every list keeps its order (so positions, the ages of edges, come back),
 * and blocks and hash indexes are those that inserting the lists' entries
 * in order would have built.  The arrays must describe a simple undirected
 * graph: offsets start at 0, never decrease and end at len; a vertex has
 * at most n - 1 neighbours, each below n, not itself, none twice; and v is
 * in u's list iff u is in v's.  Otherwise NULL and an ES_ERROR_DATA error
 * that names the array at fault by offsets_name or neighbors_name (say, a
 * snapshot's dataset names) and the first entry at fault.  May use OpenMP. */
es_adjacency *es_adjacency_new_from_csr(uint32_t n, const uint64_t *offsets, const uint32_t *neighbors, size_t len,
                                        const char *offsets_name, const char *neighbors_name, GError **error);

/* Common neighbours of u and v, written to out (room for min(deg u, deg v)
 * entries) in the order of the smaller list; returns how many. */
size_t es_adjacency_intersect(const es_adjacency *a, uint32_t u, uint32_t v, uint32_t *out);
/* The same restricted to the first nu neighbours of u and the first nv of
 * v (the edges older than a given one); out needs min(nu, nv) entries. */
size_t es_adjacency_intersect_prefix(const es_adjacency *a, uint32_t u, uint32_t nu,
                                     uint32_t v, uint32_t nv, uint32_t *out);

#endif
