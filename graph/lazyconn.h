/* lazyconn.h — connected components (or bipartiteness) of a simple graph
 * under edge insertions and deletions, brought up to date only when asked.
 *
 * What: the components (count, largest, size histogram, a label per
 * vertex), or in parity mode whether the graph is bipartite and which
 * change last made it not, after any sequence of appearances and
 * disappearances of simple-graph edges (u != v; an edge inserted must be
 * absent, one deleted present: graph/edgetable.h says which).  A deletion
 * that splits a component splits it; one that breaks the last odd cycle
 * makes the graph bipartite again.
 * Algorithm: an insert-only union-find (parity: with sides) over the
 * present pairs, whose joins (a spanning forest) are flagged.  A deletion
 * outside the forest changes nothing; one in it makes the next answer
 * rebuild the union-find from the present pairs.  Plain mode logs the
 * changes between compactions; parity mode settles an open answer from the
 * pairs no change touched, or by a replay through graph/dynconn.c; answers
 * asked for very often turn the structure into graph/dynconn.c for good.
 * docs/lazyconn.md gives each step and its memory.
 * Cost: per appearance an append or a probe and one union; per
 * disappearance a probe (parity: and two finds); per answer after a forest
 * pair left, O(m alpha(n)) for m present pairs.  Memory: 8 bytes per
 * vertex; per present pair 8 to 16 (plain, and 11 to 22 per forest pair)
 * or 11 to 32 (parity).
 * Guarantee: exact; the answers depend only on the sequence (labels may
 * differ between two runs that asked at different times).
 */
#ifndef ES_LAZYCONN_H
#define ES_LAZYCONN_H

#include <glib.h>
#include <stdint.h>

#include "graph/histogram.h"

typedef struct es_lazyconn es_lazyconn;

/* parity: bipartiteness (es_lazyconn_bipartite) instead of components. */
es_lazyconn *es_lazyconn_new(gboolean parity);
/* The components of t's present pairs (t may be NULL: no pairs) over n
 * vertices: how an operator rebuilds its state from a restored table.
 * NULL, with a data error, when a key names a vertex n or beyond. */
struct es_edgetable;
es_lazyconn *es_lazyconn_of_table(const struct es_edgetable *t, uint32_t n, gboolean parity, GError **error);
void         es_lazyconn_free(es_lazyconn *c);
/* Vertices 0 .. n-1 (n < 2^31); new ones are singletons. */
void         es_lazyconn_grow(es_lazyconn *c, uint32_t n);
uint32_t     es_lazyconn_vertices(const es_lazyconn *c);
/* Edge {u, v} (u != v, absent) appears. */
void         es_lazyconn_insert(es_lazyconn *c, uint32_t u, uint32_t v);
/* Parity mode: what names a change that made the graph not bipartite (the
 * caller's: a stream index and two ids, say). */
typedef struct {
    uint64_t index, u, v;
} es_lazyconn_tag;
/* Parity mode: edge {u, v} (u != v, absent) appears, named by tag (NULL:
 * none, the answer keeps its name). */
void         es_lazyconn_insert_tagged(es_lazyconn *c, uint32_t u, uint32_t v, const es_lazyconn_tag *tag);
/* Parity mode: a self-loop line (an odd cycle of length 1) appears (delta
 * +1, named by tag) or leaves (-1). */
void         es_lazyconn_loop(es_lazyconn *c, int delta, const es_lazyconn_tag *tag);
/* Parity mode: whether the graph (with its self-loop lines) is bipartite;
 * when not, *odd (may be NULL) gets the tag of the change that last made
 * it not bipartite.  Settles an open answer first. */
gboolean     es_lazyconn_bipartite(es_lazyconn *c, es_lazyconn_tag *odd);
/* Parity mode, on restore: loops self-loop lines and the tag of the change
 * that last made the graph not bipartite. */
/* Parity mode: self-loop lines present. */
uint64_t     es_lazyconn_loops(const es_lazyconn *c);
void         es_lazyconn_set_odd(es_lazyconn *c, uint64_t loops, const es_lazyconn_tag *odd);
/* Room for `pairs` present pairs without regrowth (each doubling is a
 * fresh set, touched again, and a rehash): for a caller that can
 * estimate the graph's size early. */
void         es_lazyconn_reserve(es_lazyconn *c, size_t pairs);
/* A hint: {u, v} will appear or disappear soon (its slot is fetched, and
 * its ends' union-find nodes). */
void         es_lazyconn_prefetch(const es_lazyconn *c, uint32_t u, uint32_t v);
/* Edge {u, v} (present) disappears. */
void         es_lazyconn_delete(es_lazyconn *c, uint32_t u, uint32_t v);
/* The answers (not in parity mode), brought up to date first. */
uint32_t     es_lazyconn_components(es_lazyconn *c);
uint32_t     es_lazyconn_largest(es_lazyconn *c);
const es_hist *es_lazyconn_sizes(es_lazyconn *c);
/* The label of v's component: equal labels, same component (until the
 * next change). */
uint32_t     es_lazyconn_label(es_lazyconn *c, uint32_t v);

#endif
