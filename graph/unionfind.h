/* unionfind.h — disjoint sets over dense vertex ids.
 *
 * Union by size with path halving (Tarjan & van Leeuwen, "Worst-case
 * analysis of set union algorithms", JACM 1984): amortised inverse-Ackermann
 * time per operation, 8 bytes per vertex (parent and size, 32-bit each).
 * Grows as new vertices appear; a new vertex is a singleton.
 * Deterministic: the same union sequence gives the same forest.  The
 * unions that joined two sets determine the sets, their roots and sizes;
 * a snapshot stores those (es_uf_union_edges lists them) and a restore
 * replays them (es_uf_new_from_joins).
 */
#ifndef ES_UNIONFIND_H
#define ES_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "graph/batch.h"
#include "graph/histogram.h"

typedef struct es_uf es_uf;

es_uf   *es_uf_new(uint32_t n);
void     es_uf_free(es_uf *uf);
/* Make sure vertices 0 .. n-1 exist (new ones are singletons). */
void     es_uf_grow(es_uf *uf, uint32_t n);
uint32_t es_uf_size(const es_uf *uf);          /* number of vertices */
/* Every vertex a singleton again, keeping the memory (a structure rebuilt
 * often: a new one costs its pages zeroed each time). */
void     es_uf_clear(es_uf *uf);
/* dst := src (sets, roots, sizes, histogram), reusing dst's memory. */
void     es_uf_copy(es_uf *dst, const es_uf *src);
uint32_t es_uf_find(es_uf *uf, uint32_t v);     /* representative; halves the path */
/* Join the sets of a and b; TRUE when they were different sets. */
gboolean es_uf_union(es_uf *uf, uint32_t a, uint32_t b);
/* A hint: v (< es_uf_size) will be found soon (its node is fetched). */
void     es_uf_prefetch(const es_uf *uf, uint32_t v);
uint32_t es_uf_set_size(es_uf *uf, uint32_t v); /* size of v's set */
uint32_t es_uf_count(const es_uf *uf);          /* number of sets */
uint32_t es_uf_largest(const es_uf *uf);        /* size of the largest set (0 when empty) */
/* Set size -> number of sets, kept by every union: O(1) to get. */
const es_hist *es_uf_sizes(const es_uf *uf);

/* Join the endpoints of edges[0 .. n-1] in order, as n calls of
 * es_uf_union would, prefetching the nodes of edges a few places ahead.
 * Every endpoint must be below es_uf_size().  Returns the number of joins;
 * when joins is not NULL (room for n keys) it receives the key of each
 * edge that joined two sets, in order (u << 32 | v with u < v). */
size_t   es_uf_union_edges(es_uf *uf, const es_edge *edges, size_t n, uint64_t *joins);
/* The same for edges given as keys[0 .. n-1] (u << 32 | v), no list. */
size_t   es_uf_union_keys(es_uf *uf, const uint64_t *keys, size_t n);

/* Read-only query: it never compresses a path, so a report may read the
 * forest without changing it.  Size of v's set when v is a root, 0 when it
 * is not. */
uint32_t es_uf_root_size(const es_uf *uf, uint32_t v);

/* Rebuild from the joins (for snapshots): n singletons, then the edges of
 * keys[0 .. k-1] (as es_uf_union_edges listed them) united in order.  Its
 * sets, roots and sizes are those of the forest the joins came from, so it
 * goes on exactly as that one (only the parents below the roots, which path
 * halving shortened there, may differ, and nothing depends on them).
 * NULL and an ES_ERROR_DATA error naming the first bad key when keys are
 * no such list: a key that is not u << 32 | v with u < v < n, or an edge
 * whose ends are already in one set (then the keys hold a cycle). */
es_uf   *es_uf_new_from_joins(const uint64_t *keys, size_t k, uint32_t n, GError **error);

#endif
