/* lazyconn.h — connected components of a simple graph under edge
 * insertions and deletions, brought up to date only when asked.
 *
 * What: the components (count, largest, size histogram, a label per
 * vertex) after any sequence of appearances and disappearances of
 * simple-graph edges (u != v; an edge inserted must be absent, one
 * deleted present: graph/edgetable.h says which).  A deletion that splits
 * a component splits it.
 * Algorithm: an insert-only union-find (graph/unionfind.h) over the
 * present pairs, whose joins (a spanning forest) are flagged in a set of
 * the present pairs (linear probing, backward-shift deletion).  A
 * disappearing pair outside the forest changes no component: the forest
 * still spans the graph.  One in the forest leaves the union-find stale;
 * the next question rebuilds it from the set (one union per present pair,
 * flagging the new forest), and until then appearances and disappearances
 * only update the set.  Answers are read far less often than edges change
 * (at reports), so one rebuild stands for many deletions.  When rebuilds
 * have scanned more than REBUILD_FACTOR times the changes folded (answers
 * asked for often, say at every few lines), the structure turns into
 * graph/dynconn.c for good, built from the set: the total cost stays
 * within a constant factor of the changes plus dynconn's own.
 * Cost: per appearance one probe of the set and, while up to date, one
 * union; per disappearance one probe and a deletion from the set; per
 * answer after a forest pair left, O(m alpha(n)) for m present pairs.
 * Memory: 8 bytes per vertex (the union-find) and 11 to 22 bytes per
 * present pair (the set at a load of 3/8 to 3/4).
 * Guarantee: exact; the answers depend only on the sequence (labels may
 * differ between two runs that asked at different times).
 */
#ifndef ES_LAZYCONN_H
#define ES_LAZYCONN_H

#include <glib.h>
#include <stdint.h>

#include "graph/histogram.h"

typedef struct es_lazyconn es_lazyconn;

es_lazyconn *es_lazyconn_new(void);
/* The components of t's present pairs (t may be NULL: no pairs) over n
 * vertices: how an operator rebuilds its state from a restored table.
 * NULL, with a data error, when a key names a vertex n or beyond. */
struct es_edgetable;
es_lazyconn *es_lazyconn_of_table(const struct es_edgetable *t, uint32_t n, GError **error);
void         es_lazyconn_free(es_lazyconn *c);
/* Vertices 0 .. n-1 (n < 2^31); new ones are singletons. */
void         es_lazyconn_grow(es_lazyconn *c, uint32_t n);
uint32_t     es_lazyconn_vertices(const es_lazyconn *c);
/* Edge {u, v} (u != v, absent) appears. */
void         es_lazyconn_insert(es_lazyconn *c, uint32_t u, uint32_t v);
/* A hint: {u, v} will appear or disappear soon (its slot is fetched). */
void         es_lazyconn_prefetch(const es_lazyconn *c, uint32_t u, uint32_t v);
/* Edge {u, v} (present) disappears. */
void         es_lazyconn_delete(es_lazyconn *c, uint32_t u, uint32_t v);
/* The answers, brought up to date first. */
uint32_t     es_lazyconn_components(es_lazyconn *c);
uint32_t     es_lazyconn_largest(es_lazyconn *c);
const es_hist *es_lazyconn_sizes(es_lazyconn *c);
/* The label of v's component: equal labels, same component (until the
 * next change). */
uint32_t     es_lazyconn_label(es_lazyconn *c, uint32_t v);

#endif
