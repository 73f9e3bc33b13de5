/* bic.h — connectivity and bipartiteness of a sliding window of edge
 * lines, with no deletion at all.
 *
 * What: the window is the lines inserted and not yet expired, expired
 * oldest first (dataflow/window.h).  es_bic_components gives the
 * window's components; in parity mode es_bic_odd says whether the
 * window's graph holds an odd cycle (a self-loop line is one), and
 * es_bic_insert names the line that made it hold one.
 * Algorithm: BIC (Zhang et al., "Bidirectional Incremental Computation",
 * VLDB 2024).  The window is [s, b) of an older chunk B and [b, now) of
 * the current chunk F.  F has an insert-only union-find (with parity in
 * parity mode).  B was run backwards once, when it became the older
 * chunk, listing its joins in that order, so the joins of any suffix
 * [s, b) are a prefix of that list; in parity mode the backward pass also
 * notes the latest line i with [i, b) not bipartite.  The window's
 * components are those of F's forest united with that prefix.  The
 * window is not bipartite when B's suffix or F is not, or when uniting
 * the two forests with parity meets a conflict (a 2-colouring of each
 * part's spanning forest that the other contradicts): a non-forest line
 * of either part agrees with its own forest, hence with any colouring of
 * the union.  When expiries exhaust B, F becomes B (one backward pass)
 * and F starts empty.
 * Cost per line: one union forward, one backward, 8 bytes held until it
 * expires; per es_bic_components, a copy of F's union-find (8 bytes per
 * vertex) and B's joins still in the window.  Parity mode: the same with
 * 6 bytes per vertex, plus, after each expiry that leaves the window
 * possibly bipartite, one such merge (into a third union-find C), and
 * while the window is bipartite one more union per line (into C), which
 * finds the line that closes an odd cycle.
 * Memory: 8 bytes per line of the window (twice while F and B swap), 16
 * per vertex (24 in parity mode: F, the scratch and C).
 * Guarantee: exact, a function of the window's lines in order (neither of
 * the batches they came in, nor of where F and B were cut).
 */
#ifndef ES_BIC_H
#define ES_BIC_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/unionfind.h"

typedef struct es_bic es_bic;

es_bic  *es_bic_new(gboolean parity);
void     es_bic_free(es_bic *b);
/* Lines e[0 .. n-1] enter the window, every id below nv.  In parity mode
 * returns the offset of the first of them after which the window holds an
 * odd cycle it did not hold before; n otherwise (and always n outside
 * parity mode). */
size_t   es_bic_insert(es_bic *b, const es_edge *e, size_t n, uint32_t nv);
/* The n oldest lines of the window leave (n at most the lines held). */
void     es_bic_expire(es_bic *b, size_t n, uint32_t nv);
/* The window's components over its nv vertices (outside parity mode): a
 * union-find owned by b, valid until the next call. */
es_uf   *es_bic_components(es_bic *b);
/* Parity mode: does the window's graph hold an odd cycle? */
gboolean es_bic_odd(es_bic *b);
/* Lines in the window. */
size_t   es_bic_lines(const es_bic *b);

#endif
