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

#include <stdint.h>
#include <glib.h>

typedef struct es_uf es_uf;

es_uf   *es_uf_new(uint32_t n);
void     es_uf_free(es_uf *uf);
/* Make sure vertices 0 .. n-1 exist (new ones are singletons). */
void     es_uf_grow(es_uf *uf, uint32_t n);
uint32_t es_uf_size(const es_uf *uf);          /* number of vertices */
uint32_t es_uf_find(es_uf *uf, uint32_t v);     /* representative; halves the path */
/* Join the sets of a and b; TRUE when they were different sets. */
gboolean es_uf_union(es_uf *uf, uint32_t a, uint32_t b);
uint32_t es_uf_set_size(es_uf *uf, uint32_t v); /* size of v's set */
uint32_t es_uf_count(const es_uf *uf);          /* number of sets */
uint32_t es_uf_largest(const es_uf *uf);        /* size of the largest set (0 when empty) */

#endif
