/* unionfind.h — disjoint sets over dense vertex ids.
 *
 * Union by size with path halving (Tarjan & van Leeuwen, "Worst-case
 * analysis of set union algorithms", JACM 1984): amortised inverse-Ackermann
 * time per operation, 8 bytes per vertex (parent and size, 32-bit each).
 * Grows as new vertices appear; a new vertex is a singleton.
 * Deterministic: the same union sequence gives the same forest.
 */
#ifndef ES_UNIONFIND_H
#define ES_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "graph/batch.h"

typedef struct es_uf es_uf;

es_uf   *es_uf_new(uint32_t n);
void     es_uf_free(es_uf *uf);
/* Make sure vertices 0 .. n-1 exist (new ones are singletons). */
void     es_uf_grow(es_uf *uf, uint32_t n);
/* Keep the forest's memory out of forked children from now on (in a
 * mapping of its own, es_big_keep_private): a forked snapshot writer must
 * use a copy taken before the fork (es_uf_parents). */
void     es_uf_dontfork(es_uf *uf);
uint32_t es_uf_size(const es_uf *uf);          /* number of vertices */
uint32_t es_uf_find(es_uf *uf, uint32_t v);     /* representative; halves the path */
/* Join the sets of a and b; TRUE when they were different sets. */
gboolean es_uf_union(es_uf *uf, uint32_t a, uint32_t b);
uint32_t es_uf_set_size(es_uf *uf, uint32_t v); /* size of v's set */
uint32_t es_uf_count(const es_uf *uf);          /* number of sets */
uint32_t es_uf_largest(const es_uf *uf);        /* size of the largest set (0 when empty) */

/* Join the endpoints of edges[0 .. n-1] in order, as n calls of
 * es_uf_union would, prefetching the nodes of edges a few places ahead.
 * Every endpoint must be below es_uf_size().  Returns the number of joins. */
size_t   es_uf_union_edges(es_uf *uf, const es_edge *edges, size_t n);

/* Read-only queries: they never compress a path, so they may run on a
 * forest shared with other readers (a report, a forked snapshot writer). */
/* Size of v's set when v is a root, 0 when it is not. */
uint32_t es_uf_root_size(const es_uf *uf, uint32_t v);
/* Copy the parents of vertices from .. from+len-1 (a root is its own parent). */
void     es_uf_parents(const es_uf *uf, uint32_t from, uint32_t len, uint32_t *out);

/* A forest of n vertices with the given parents, as es_uf_parents gave
 * them (for snapshots); set sizes, count and largest are recomputed, and it
 * goes on exactly as the forest it came from.  NULL and an ES_ERROR_DATA
 * error, naming the first bad vertex, when parent[] is no such forest: an
 * entry >= n, a cycle, or a path of more than 32 links (union by size keeps
 * paths below log2 n). */
es_uf   *es_uf_new_from_parents(const uint32_t *parent, uint32_t n, GError **error);

#endif
