/* edgetable.h — the edge table: the dataflow's one distinct-edge stage.
 *
 * What: for every edge of a batch, in stream order, whether its undirected
 * pair {u, v} appears for the first time (ES_EDGE_APPEARS) or not (a pair
 * seen before, in either direction, or a self-loop: ES_EDGE_SEEN).  The
 * driver runs it once per batch and hands the answers to every operator in
 * es_batch.change; operators that need simple-graph semantics (degree,
 * tri, spanner, tri-est's exact repeat test) read them instead of keeping
 * a set of their own, and operators bounded in memory by design never ask,
 * so a run of only those keeps no table (operators/operator.h).
 * Algorithm: graph/edgeset.c, a sharded linear-probing set of the keys
 * min(u,v) << 32 | max(u,v), with its parallel batch insertion.  Cost per
 * edge: one insertion, expected O(1); memory: the set (edgeset.h) and,
 * when logged, 8 bytes per distinct edge.
 * State: the keys in the order they first appeared (a log): what a
 * snapshot stores of the table, once for every operator, and what an
 * operator derives its own state from on restore (degrees, adjacency).
 * es_edgetable_add_keys is the one place where restored keys are checked.
 * Guarantee: the answers and the log are a sequential insertion's in
 * stream order, whatever the thread count and the batch size.
 * Next: with a multiplicity per pair instead of a bit, insertions and
 * deletions (and window expiry) become count changes, and the table emits
 * ES_EDGE_APPEARS on 0 -> 1 and a new ES_EDGE_DISAPPEARS on 1 -> 0, the
 * only changes simple-graph operators then see.
 */
#ifndef ES_EDGETABLE_H
#define ES_EDGETABLE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/common.h"

typedef enum {
    ES_EDGE_SEEN    = 0,  /* a repeat of a present pair, or a self-loop */
    ES_EDGE_APPEARS = 1,  /* the pair is new to the graph */
} es_edge_change;

typedef struct es_edgetable es_edgetable;

/* An empty table; with `logged`, it keeps its keys in first-appearance
 * order (needed for snapshots), in memory that grows as mem says (NULL:
 * es_big_realloc). */
es_edgetable *es_edgetable_new(gboolean logged, const es_log_memory *mem);
void          es_edgetable_free(es_edgetable *t);

/* Fold edges[0 .. n-1] in stream order (OpenMP inside): change[i] is edge
 * i's es_edge_change.  Returns the number of appearances. */
size_t es_edgetable_apply(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change);

/* A pipeline applies batches ahead of the operators, in another thread:
 * es_edgetable_apply_ahead folds a batch as es_edgetable_apply does but
 * leaves what es_edgetable_keys and es_edgetable_edges say as it was, and
 * gives *mark, the table as of this batch; es_edgetable_catch_up(t, mark),
 * called in the operators' thread when they get that batch, makes those
 * two say it (and nothing else of the table may be called meanwhile). */
typedef struct {
    const uint64_t *keys;
    size_t          n;
} es_edgetable_mark;
size_t es_edgetable_apply_ahead(es_edgetable *t, const es_edge *edges, size_t n, uint8_t *change,
                                es_edgetable_mark *mark);
void   es_edgetable_catch_up(es_edgetable *t, const es_edgetable_mark *mark);
/* Where logs may move (graph/common.h: es_big_logs_move), the keys of the
 * last mark may have moved since: point them at the log as it is now
 * (same first keys), with no apply_ahead running meanwhile. */
void   es_edgetable_refresh(es_edgetable *t);

size_t   es_edgetable_edges(const es_edgetable *t);    /* distinct pairs */
gboolean es_edgetable_contains(const es_edgetable *t, uint32_t u, uint32_t v);
size_t   es_edgetable_memory(const es_edgetable *t);   /* bytes held */
gboolean es_edgetable_logged(const es_edgetable *t);

/* The log: *n keys (*n == es_edgetable_edges()) in first-appearance order;
 * NULL for a table without one.  Valid until the next apply; the first
 * *n keys are never rewritten, so a snapshot writer may read them while
 * later batches are applied, when mem never moves it (snapshot/logmem.h). */
const uint64_t *es_edgetable_keys(const es_edgetable *t, size_t *n);

/* Append keys[0 .. n-1] as appearances (restore from a snapshot, or a
 * table started from edges known to be distinct): each must have
 * u < v < num_vertices and not be in the table yet.  Otherwise an
 * ES_ERROR_DATA error naming the first key at fault by its place in the
 * whole log (`what`, say a dataset's name); the table is then of no use
 * but to be freed. */
gboolean es_edgetable_add_keys(es_edgetable *t, const uint64_t *keys, size_t n, uint32_t num_vertices,
                               const char *what, GError **error);

/* How errors name the restored table. */
#define ES_EDGES_DATASET "snapshot dataset \"/edges/keys\""

/* For an operator restoring from a table restored by add_keys: does t
 * (NULL: none, which holds 0) hold exactly `edges` keys, every vertex below
 * num_vertices?  Else an ES_ERROR_DATA error (`what` names the table). */
gboolean es_edgetable_check(const es_edgetable *t, uint64_t edges, uint32_t num_vertices, const char *what,
                            GError **error);

#endif
