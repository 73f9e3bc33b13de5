/* dynconn.h — connected components (and bipartiteness) of a simple graph
 * under edge insertions and deletions.
 *
 * What: every vertex's component label and every component's size and, in
 * parity mode, whether it holds an odd cycle, after any sequence of
 * appearances and disappearances of simple-graph edges (u != v; an edge
 * inserted must be absent, one deleted present: graph/edgetable.h says
 * which).  A deletion that splits a component splits it; a deletion that
 * breaks the last odd cycle of a component makes it bipartite again.
 * Algorithm: adjacency lists plus explicit labels.  An insertion between
 * two components relabels the smaller one (small-to-large, flipping its
 * colours when both ends have one); inside a component it only checks
 * the colours.  A deletion removes the edge from both lists and searches
 * from both endpoints at once, one vertex of each side in turn: the
 * searches meet (still connected, nothing changes) or one runs out, and
 * the side that ran out is the new component: the search's cost is
 * bounded by twice the smaller side, as in the "balanced search" of
 * dynamic connectivity folklore (Even & Shiloach, JACM 1981, run the two
 * searches in parallel the same way).  A component that had an odd
 * cycle is coloured again by one search after a deletion in it.
 * Cost: insertion O(1) inside a component, O(smaller component) across
 * (O(log n) relabels per vertex over insertions only); deletion
 * O(deg u + deg v) to unlink plus the search: O(edges of the smaller side)
 * for a split, up to O(edges of the component) when it stays connected;
 * plus O(component) in parity mode when the component was not bipartite.
 * Memory: 24 bytes per vertex (list header, label, colour, marks) and 8
 * per edge (both directions), plus 12 per component id.
 * Guarantee: exact; labels and answers depend only on the sequence.
 */
#ifndef ES_DYNCONN_H
#define ES_DYNCONN_H

#include <glib.h>
#include <stdint.h>

typedef struct es_dynconn es_dynconn;

es_dynconn *es_dynconn_new(gboolean parity);
void        es_dynconn_free(es_dynconn *d);
/* Vertices 0 .. n-1; new ones are singletons. */
void        es_dynconn_grow(es_dynconn *d, uint32_t n);
uint32_t    es_dynconn_vertices(const es_dynconn *d);
/* Edge {u, v} (u != v, absent) appears; TRUE when it joined two components. */
gboolean    es_dynconn_insert(es_dynconn *d, uint32_t u, uint32_t v);
/* Edge {u, v} (present) disappears; TRUE when it split its component. */
gboolean    es_dynconn_delete(es_dynconn *d, uint32_t u, uint32_t v);

uint32_t    es_dynconn_components(const es_dynconn *d);
uint32_t    es_dynconn_largest(const es_dynconn *d);
/* The label of v's component: equal labels, same component (a label
 * names another component after the next change). */
uint32_t    es_dynconn_label(const es_dynconn *d, uint32_t v);
/* Sizes of all components, one per component (g_array_free). */
GArray     *es_dynconn_sizes(const es_dynconn *d);
/* Parity mode: components that hold an odd cycle. */
uint32_t    es_dynconn_odd_components(const es_dynconn *d);

#endif
