/* dynadj.h — an undirected simple graph under edge insertions and
 * deletions, for exact triangle counting in streams that delete.
 *
 * Layout: per vertex a sorted array of its neighbours (16 bytes of header
 * per vertex, 4 bytes per neighbour entry, two per edge, arrays doubled
 * as they grow).  Insertion and deletion move the tail of the two arrays:
 * O(deg u + deg v); the common neighbours of u and v are a merge of the
 * two sorted arrays, O(deg u + deg v), or a binary search of the longer
 * one for each entry of the shorter when their lengths differ more than
 * 16-fold, O(min · log max).  The insert-only operators keep the faster
 * hashed adjacency (adjacency.h), which cannot forget.
 * Guarantee: exact; the neighbour lists depend only on the edge set.
 */
#ifndef ES_DYNADJ_H
#define ES_DYNADJ_H

#include <glib.h>
#include <stdint.h>

typedef struct es_dynadj es_dynadj;

es_dynadj *es_dynadj_new(void);
void       es_dynadj_free(es_dynadj *a);
void       es_dynadj_grow(es_dynadj *a, uint32_t n);
uint32_t   es_dynadj_vertices(const es_dynadj *a);
uint32_t   es_dynadj_degree(const es_dynadj *a, uint32_t v);
/* Add {u, v} (u != v, absent) / remove it (present). */
void       es_dynadj_insert(es_dynadj *a, uint32_t u, uint32_t v);
void       es_dynadj_remove(es_dynadj *a, uint32_t u, uint32_t v);
/* The common neighbours of u and v, written to out (room for the smaller
 * degree); returns their number. */
size_t     es_dynadj_common(const es_dynadj *a, uint32_t u, uint32_t v, uint32_t *out);

#endif
