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
 * Algorithm: an insert-only union-find (graph/unionfind.h; in parity mode
 * graph/parity_uf.h) over the present pairs, whose joins (a spanning
 * forest) are flagged in a set of the present pairs (linear probing,
 * backward-shift deletion).  A disappearing pair outside the forest
 * changes no component: the forest still spans the graph.  One in the
 * forest leaves the union-find stale; the next question rebuilds it from
 * the set (one union per present pair, flagging the new forest), and until
 * then appearances and disappearances only update the set.  Answers are
 * read far less often than edges change (at reports), so one rebuild
 * stands for many deletions.
 * Plain mode (components) needs no set of the present pairs between
 * rebuilds, only of the forest's: the present pairs are a log of the
 * changes (appearances, disappearances) since the last compaction, which
 * a rebuild, or the log reaching twice the present pairs, cuts down to
 * the present pairs (each disappearance cancels one appearance of its
 * pair: a counting table of the disappearances, a bitmap in front).  An
 * appearance is then an append and a union, not a probe of a set as large
 * as the graph (a random access each: bench/RESULTS.md).
 * Parity mode (lazyconn.c says more): the union-find's sides stay a
 * 2-colouring of every present pair but `odd` of them, even while stale,
 * so the answer is certain without a rebuild when odd is 0 (bipartite) or
 * the forest is whole (not); only a forest deletion in a graph with an
 * odd cycle leaves it open, and the changes from then on are logged.  The
 * question is settled at the next answer, or when the log reaches a
 * quarter of the present pairs: if the pairs no logged change touched
 * (present all along) already hold an odd cycle, the graph never turned
 * bipartite in between; else the log is replayed through graph/dynconn.c
 * from the graph it started from, to find the change that last made it
 * not bipartite.
 * When rebuilds have scanned more than REBUILD_FACTOR times the changes
 * folded (answers asked for often, say at every few lines), the structure
 * turns into graph/dynconn.c for good, built from the set: the total cost
 * stays within a constant factor of the changes plus dynconn's own.
 * Cost per appearance: plain mode an append and, while up to date, one
 * union (and a probe of the forest's set when it joins); parity mode one
 * probe of the set and one union.  Per disappearance: plain mode an append
 * and a probe of the forest's set (the compactions O(1) amortised); parity
 * mode a probe, a deletion from the set and two finds.  Per answer after a
 * forest pair left: O(m alpha(n)) for m present pairs (plain mode: and
 * O(changes since) for the compaction; parity mode only when the answer is
 * open, and then a replay of the log at worst, rare: it needs a graph that
 * was bipartite without its untouched pairs' help).
 * Memory: 8 bytes per vertex (the union-find; 6 in parity mode).  Plain
 * mode: 8 to 16 bytes per present pair (the log), 11 to 22 per forest pair
 * (its set at a load of 3/8 to 3/4), during a compaction 14 per
 * disappearance logged.  Parity mode: 11 to 22 per present pair (the set)
 * and up to 10 more (the log, 40 bytes a change).
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
