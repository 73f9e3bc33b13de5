/* edgetable.h — the edge table: the dataflow's one distinct-edge stage.
 *
 * What: for every edge of a batch, in stream order, what it does to the
 * simple graph of the stream.  The table keeps a multiplicity per
 * undirected pair {u, v}: an insertion adds one, a deletion (es_batch.del)
 * takes one away.  An insertion that takes a pair from 0 to 1 makes it
 * appear (ES_EDGE_APPEARS); a deletion from 1 to 0 makes it disappear
 * (ES_EDGE_DISAPPEARS); a deletion of a pair at 0, or of a self-loop,
 * changes nothing and is counted (the expiry of a self-loop line,
 * ES_LINE_EXPIRE, is ES_EDGE_SEEN) (ES_EDGE_IGNORED: `stream
 * deletions_ignored`); anything else (a repeat, a deletion of one of
 * several copies, an inserted self-loop) is ES_EDGE_SEEN.  The driver runs
 * it once per batch and hands the answers to every operator in
 * es_batch.change; operators that need simple-graph semantics (degree,
 * tri, cc and bipartite under deletions, spanner, tri-est's exact repeat
 * test) read them instead of keeping a set of their own, and see only
 * appearances and disappearances of simple-graph edges.  Operators
 * bounded in memory by design never ask, so a run of only those keeps no
 * table (operators/operator.h).
 * Algorithm: graph/edgeset.c, a sharded linear-probing set of the keys
 * min(u,v) << 32 | max(u,v), with its parallel batch insertion, tells
 * first sightings; multiplicities other than 1 live in a side table
 * (open addressing, keys of pairs seen twice or deleted), touched only by
 * repeats and deletions, in one sequential pass in stream order.  A pair
 * that disappears stays in the set with multiplicity 0 (no deletion from
 * the set: a pair deleted and inserted again costs no rehash); memory is
 * therefore that of every pair ever seen.  Multiplicities saturate at
 * 2^32 - 1.
 * A sliding window's table when no snapshot is taken (es_edgetable_window)
 * has no set: one table of the present pairs' multiplicities, a pair
 * removed at 0 (backward-shift deletion), answers every line with one
 * probe; while every id is below 2^28 a slot packs the pair and a
 * multiplicity below 255 in 8 bytes (larger ones in a small side table),
 * half the memory each line's two probes (entering, leaving) miss in.
 * Cost per edge: one insertion, expected O(1); a repeat or deletion one
 * more probe of the side table (a window's table: one probe per line);
 * memory: the set (edgeset.h), 16 bytes per side-table slot and, when
 * logged, 8 bytes per distinct pair (a window's: 8 bytes per slot for
 * its present pairs, 16 once an id reaches 2^28).
 * State: the keys in the order they were first seen (a log): what a
 * snapshot stores of the table, once for every operator, and what an
 * operator derives its own state from on restore (degrees, adjacency).
 * With deletions a snapshot also stores the multiplicities other than 1
 * (es_edgetable_freeze at the barrier, es_edgetable_set_counts on
 * restore) and the two counters; the keys' log still lists every pair
 * ever seen, present or not.
 * es_edgetable_add_keys is the one place where restored keys are checked.
 * Guarantee: the answers and the log are a sequential insertion's in
 * stream order, whatever the thread count and the batch size.
 */
#ifndef ES_EDGETABLE_H
#define ES_EDGETABLE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/common.h"

typedef enum {
    ES_EDGE_SEEN       = 0,  /* the simple graph is unchanged: a repeat of a present
                                pair, the deletion of one of its several copies, or
                                an inserted self-loop */
    ES_EDGE_APPEARS    = 1,  /* the pair enters the graph (multiplicity 0 -> 1) */
    ES_EDGE_DISAPPEARS = 2,  /* the pair leaves the graph (multiplicity 1 -> 0) */
    ES_EDGE_IGNORED    = 3,  /* a deletion of an absent pair or of a self-loop */
} es_edge_change;

/* The answer changes the simple graph (an appearance or a disappearance). */
static inline gboolean es_edge_changes_graph(uint8_t c)
{
    return c == ES_EDGE_APPEARS || c == ES_EDGE_DISAPPEARS;
}

typedef struct es_edgetable es_edgetable;

/* An empty table; with `logged`, it keeps its keys in first-appearance
 * order (needed for snapshots), in memory that grows as mem says (NULL:
 * es_big_realloc). */
es_edgetable *es_edgetable_new(gboolean logged, const es_log_memory *mem);
void          es_edgetable_free(es_edgetable *t);
/* Stop logging (es_edgeset_unlog): for a run that takes no snapshot, a
 * table an operator started logged (operators/operator.h) keeps its
 * answers without the 8 bytes per pair of its keys.  Only while no other
 * thread reads or applies it. */
void          es_edgetable_unlog(es_edgetable *t);
/* Room for `pairs` distinct pairs without regrowth (es_edgeset_reserve):
 * for a caller that can estimate the stream's size early. */
void          es_edgetable_reserve(es_edgetable *t, size_t pairs);
/* The most pairs es_edgetable_reserve made room for (0: none): a size
 * hint for an operator's own structures of the present pairs.  Set before
 * the answers of the first batch are handed on, never changed after. */
size_t        es_edgetable_reserved(const es_edgetable *t);
/* Make an empty table that is not logged a window's: it keeps the
 * multiplicity of each present pair only (8 bytes per slot, 16 once an
 * id reaches 2^28, at a load of 3/4 at most; room made for `lines`
 * pairs, 0: grown as needed), and a
 * pair leaves it at 0, so that its memory is bounded by the window's
 * lines, not by every pair ever seen.  Its answers are those of any table;
 * it lists no keys (es_edgetable_keys: none) and takes no snapshot. */
void          es_edgetable_window(es_edgetable *t, size_t lines);

/* Fold edges[0 .. n-1] in stream order (OpenMP inside): change[i] is edge
 * i's es_edge_change; del: n es_batch.del flags, or NULL for none (the
 * _signed variants); a batch holding an expiry (ES_LINE_EXPIRE) holds
 * only expiries, each of a line this table counted.  Returns the number of appearances. */
size_t es_edgetable_apply(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change);
size_t es_edgetable_apply_signed(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n,
                                 uint8_t *change);

/* A pipeline applies batches ahead of the operators, in another thread:
 * es_edgetable_apply_ahead folds a batch as es_edgetable_apply does but
 * leaves what es_edgetable_keys and es_edgetable_edges say as it was, and
 * gives *mark, the table as of this batch; es_edgetable_catch_up(t, mark),
 * called in the operators' thread when they get that batch, makes those
 * two say it (and nothing else of the table may be called meanwhile). */
typedef struct {
    const uint64_t *keys;
    size_t          n;        /* keys in the log (pairs ever seen, when logged) */
    size_t          present;  /* pairs of multiplicity >= 1: the graph's edges */
    uint64_t        ignored;  /* deletions that changed nothing, so far */
    uint64_t        deletions;/* deletion lines (ES_LINE_DELETE), so far */
} es_edgetable_mark;
size_t es_edgetable_apply_ahead(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change,
                                es_edgetable_mark *mark);
size_t es_edgetable_apply_ahead_signed(es_edgetable *t, const es_edge *edges, const uint8_t *del, size_t n,
                                       uint8_t *change, es_edgetable_mark *mark);
void   es_edgetable_catch_up(es_edgetable *t, const es_edgetable_mark *mark);
/* Where logs may move (graph/common.h: es_big_logs_move), the keys of the
 * last mark may have moved since: point them at the log as it is now
 * (same first keys), with no apply_ahead running meanwhile. */
void   es_edgetable_refresh(es_edgetable *t);

size_t   es_edgetable_edges(const es_edgetable *t);    /* pairs present (multiplicity >= 1) */
uint64_t es_edgetable_ignored(const es_edgetable *t);  /* deletions that changed nothing */
uint64_t es_edgetable_deletions(const es_edgetable *t); /* deletion lines (not expiries) */
/* Whether the table has seen a deletion (its log then lists pairs that
 * may have left, and its multiplicities matter). */
gboolean es_edgetable_dynamic(const es_edgetable *t);
/* Present now?  (As of the last apply, not the last catch_up.) */
gboolean es_edgetable_contains(const es_edgetable *t, uint32_t u, uint32_t v);
/* Is the pair of a key of the log (es_edgetable_keys) present now?  (As
 * of the last apply.) */
gboolean es_edgetable_key_present(const es_edgetable *t, uint64_t key);
/* The multiplicity of {u, v} (0 for an absent pair or a self-loop), as of
 * the last apply. */
uint32_t es_edgetable_count(const es_edgetable *t, uint32_t u, uint32_t v);
/* Call fn on every present pair's key (u < v), in no set order; as of the
 * last apply. */
void     es_edgetable_foreach(const es_edgetable *t, void (*fn)(uint64_t key, void *user), void *user);
/* A restored table (t may be NULL: no pairs) to a structure of n vertices:
 * fn on every present pair (u < v) in the log's order, or an ES_ERROR_DATA
 * error naming the first logged key beyond n (fn may have been called on
 * the pairs before it). */
gboolean es_edgetable_foreach_logged(const es_edgetable *t, uint32_t n, void (*fn)(uint32_t u, uint32_t v, void *user),
                                     void *user, GError **error);
size_t   es_edgetable_memory(const es_edgetable *t);   /* bytes held */
/* Has it a log (es_edgetable_new's `logged`, until es_edgetable_unlog)
 * as of the last catch_up (es_edgetable_keys is not NULL)?  Safe beside
 * apply_ahead. */
gboolean es_edgetable_logged(const es_edgetable *t);

/* The log: *n keys (every pair ever seen: es_edgetable_edges() in a stream
 * without deletions) in first-appearance order;
 * NULL for a table without one.  Valid until the next apply; the first
 * *n keys are never rewritten, so a snapshot writer may read them while
 * later batches are applied, when mem never moves it (snapshot/logmem.h).
 * With recycled memory, the keys a committed snapshot holds may leave
 * memory (es_log_released): only a restored table is read whole. */
const uint64_t *es_edgetable_keys(const es_edgetable *t, size_t *n);

/* Append keys[0 .. n-1] as appearances (restore from a snapshot, or a
 * table started from edges known to be distinct): each must have
 * u < v < num_vertices and not be in the table yet.  Otherwise an
 * ES_ERROR_DATA error naming the first key at fault by its place in the
 * whole log (`what`, say a dataset's name); the table is then of no use
 * but to be freed. */
gboolean es_edgetable_add_keys(es_edgetable *t, const uint64_t *keys, size_t n, uint32_t num_vertices,
                               const char *what, GError **error);

/* Snapshots of a table with deletions: at the barrier (in the thread
 * that applies it, with nothing applied ahead of the operators), copy the
 * pairs of multiplicity other than 1 (0: seen, now absent; >= 2:
 * repeated), sorted by key, and the counters; es_edgetable_frozen gives
 * them, to a writer thread, until the next freeze.  On restore, after add_keys: set them
 * (each must be a key of the table, in increasing order, none 1) and the
 * counters; otherwise an ES_ERROR_DATA error (`what` names the dataset)
 * and the table is of no use but to be freed. */
typedef struct {
    const uint64_t *keys;
    const uint32_t *counts;
    size_t          n;
    uint64_t        deletions, ignored;   /* es_edgetable_deletions, _ignored */
} es_edgetable_counts;
void     es_edgetable_freeze(es_edgetable *t);
gboolean es_edgetable_frozen(const es_edgetable *t, es_edgetable_counts *c);   /* FALSE: never frozen */
gboolean es_edgetable_set_counts(es_edgetable *t, const es_edgetable_counts *c, const char *what, GError **error);

/* How errors name the restored table. */
#define ES_EDGES_DATASET "snapshot dataset \"/edges/keys\""

/* For an operator restoring from a table restored by add_keys (and
 * set_counts): does t (NULL: none, which holds 0) hold exactly `edges`
 * present pairs (keys, without deletions), every vertex below
 * num_vertices?  Else an ES_ERROR_DATA error (`what` names the table). */
gboolean es_edgetable_check(const es_edgetable *t, uint64_t edges, uint32_t num_vertices, const char *what,
                            GError **error);

#endif
