/* parity_uf.h — union-find with parity: disjoint sets of dense vertex ids
 * in which every vertex also knows its side (0 or 1) relative to its set's
 * representative.  It maintains a 2-colouring of every component of a
 * growing graph, and detects the first edge that makes one impossible.
 *
 * Each vertex stores its parent and the parity of the edge to it; the side
 * of v relative to its root is the xor of the parities along the path.
 * Uniting the endpoints of an edge (u, v) asks for side(u) != side(v): in
 * different sets the smaller-rank root is hung under the other with the
 * parity that makes it so; in the same set the request fails exactly when
 * side(u) == side(v), i.e. when the edge closes a cycle of odd length.  A
 * self-loop (u, u) is a cycle of length 1 and always fails.
 *
 * Union by rank with path compression (Tarjan, JACM 1975; parities
 * composed along the compressed path): amortised inverse-Ackermann time per
 * operation, 6 bytes per vertex.  Grows as new vertices appear; a new
 * vertex is a singleton on side 0.  Deterministic.
 *
 * State for snapshots: the number of vertices n and the three arrays
 * parent, parity and rank (n entries each); es_puf_restore rebuilds the
 * structure from them after checking that they describe a forest.
 */
#ifndef ES_PARITY_UF_H
#define ES_PARITY_UF_H

#include <glib.h>
#include <stdint.h>

typedef struct es_puf es_puf;

es_puf  *es_puf_new(uint32_t n);
void     es_puf_free(es_puf *uf);
/* Make sure vertices 0 .. n-1 exist (new ones are singletons). */
void     es_puf_grow(es_puf *uf, uint32_t n);
uint32_t es_puf_size(const es_puf *uf);     /* number of vertices */
/* Representative of v's set; *side (may be NULL) gets v's side relative to
 * it.  Compresses the path. */
uint32_t es_puf_find(es_puf *uf, uint32_t v, uint8_t *side);
/* Put u and v on opposite sides, joining their sets.  FALSE when they are
 * already known to be on the same side (the edge closes an odd cycle; the
 * structure is left unchanged), TRUE otherwise. */
gboolean es_puf_unite_opposite(es_puf *uf, uint32_t u, uint32_t v);
/* The same, telling the outcomes apart: ES_PUF_JOINED (two sets became
 * one), ES_PUF_AGREES (one set, already on opposite sides), ES_PUF_ODD
 * (one set, same side: left unchanged). */
enum { ES_PUF_ODD = -1, ES_PUF_AGREES = 0, ES_PUF_JOINED = 1 };
int      es_puf_unite(es_puf *uf, uint32_t u, uint32_t v);
/* No vertex at all, keeping the memory (a structure rebuilt often). */
void     es_puf_clear(es_puf *uf);
/* dst := src, reusing dst's memory. */
void     es_puf_copy(es_puf *dst, const es_puf *src);

/* The arrays, es_puf_size() entries each, read-only: parent[v] (v for a
 * root), parity[v] (of the edge v -> parent[v]; 0 at a root) and rank[v].
 * Valid until the next call that changes the structure (find compresses). */
void     es_puf_arrays(const es_puf *uf, const uint32_t **parent, const uint8_t **parity,
                       const uint8_t **rank);

/* The structure from saved arrays of n entries (copied).  Checks what keeps
 * every operation safe and correct: parent[v] < n, parity 0 or 1 and 0 at a
 * root, rank below 32, and rank[parent[v]] > rank[v] for every non-root v
 * (the union-by-rank invariant, which also rules out a cycle of parents).
 * On failure an ES_ERROR_DATA error naming the array and the vertex. */
es_puf  *es_puf_restore(uint32_t n, const uint32_t *parent, const uint8_t *parity,
                        const uint8_t *rank, GError **error);

#endif
