/* dynconn.h — connected components (and bipartiteness) of a simple graph
 * under edge insertions and deletions.
 *
 * What: every vertex's component label and every component's size and, in
 * parity mode, whether it holds an odd cycle, after any sequence of
 * appearances and disappearances of simple-graph edges (u != v; an edge
 * inserted must be absent, one deleted present: graph/edgetable.h says
 * which).  A deletion that splits a component splits it; a deletion that
 * breaks the last odd cycle of a component makes it bipartite again.
 * Algorithm: adjacency lists, explicit labels and a spanning forest (a
 * flag per list entry).  An insertion between two components is a forest
 * edge and relabels the smaller component (small-to-large, flipping its
 * colours when both ends have one); inside a component it only checks
 * the colours.  Deleting a non-forest edge changes no component.
 * Deleting a forest edge cuts its tree in two: both parts are walked
 * along forest edges, one vertex of each in turn, until one is exhausted
 * (the smaller part P, found in O(|P|), as in Even & Shiloach's
 * interleaved searches, JACM 1981); a non-forest edge from P to outside
 * replaces the deleted one (the component stays whole), else P becomes a
 * component of its own.  This is the replacement-edge search of Holm, de
 * Lichtenberg & Thorup (JACM 2001) without their levels, so a forest
 * edge's deletion may scan the same non-forest edges again later.  A
 * component that had an odd cycle is coloured again by one search after
 * a deletion in it.
 * Cost: insertion O(1) inside a component, O(smaller component) across
 * (O(log n) relabels per vertex over insertions only); deletion of a
 * non-forest edge O(deg u + deg v) (unlinking); of a forest edge that
 * plus O(|P| + edges at P) for the smaller part P of its tree; plus
 * O(component) in parity mode when the component was not bipartite.
 * Measured in bench/RESULTS.md.
 * The size histogram and the largest size are kept at every change
 * (graph/histogram.h), so a report costs no recount.
 * Memory: 25 bytes per vertex (list header, label, colour, mark) and 8
 * per edge (both directions, the forest flag in each entry's top bit, so
 * at most 2^31 vertices), plus 5 per component id and the size histogram.
 * Guarantee: exact; labels and answers depend only on the sequence.
 */
#ifndef ES_DYNCONN_H
#define ES_DYNCONN_H

#include <glib.h>
#include <stdint.h>

#include "graph/histogram.h"

typedef struct es_dynconn es_dynconn;

es_dynconn *es_dynconn_new(gboolean parity);
/* The forest of t's present pairs (t may be NULL: no pairs) over n
 * vertices: how an operator rebuilds its forest from a restored table.
 * NULL, with a data error, when a key names a vertex n or beyond. */
struct es_edgetable;
es_dynconn *es_dynconn_of_table(const struct es_edgetable *t, uint32_t n, gboolean parity, GError **error);
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
/* The sizes of the components (size -> components), kept at every join
 * and split (graph/histogram.h): a report reads it without a recount. */
const es_hist *es_dynconn_sizes(const es_dynconn *d);
/* Parity mode: components that hold an odd cycle. */
uint32_t    es_dynconn_odd_components(const es_dynconn *d);

#endif
