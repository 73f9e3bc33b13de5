/* edgeset.h — a set of undirected edges over dense 32-bit vertex ids.
 *
 * An edge (u, v) is the 64-bit key min(u,v) << 32 | max(u,v), so (u, v) and
 * (v, u) are the same member.  Keys live in one open-addressing table of
 * u64 keys with linear probing, cut into P equal regions, the shards (P a
 * power of two fixed at creation): the top bits of a key's hash pick its
 * shard, the low bits its slot in the shard.  No shard is ever more than
 * three quarters full; when one would be, the whole table doubles.
 * Expected O(1) per insert or lookup; 10.7 to 21.3 bytes per edge, in one
 * es_big_alloc block.
 *
 * Parallel insertion: shards are independent, so es_edgeset_insert_batch()
 * sorts a batch's keys by shard (a stable counting sort, so each shard's
 * keys stay in stream order) and lets each OpenMP thread fill whole shards.
 * Every shard sees its keys in the order a sequential insertion would, so
 * which edges are new, and the set, do not depend on the thread count.
 *
 * Insertion log (optional, es_edgeset_new_logged): beside the table, an
 * append-only array of the keys in the order they were first inserted --
 * the order of a sequential insertion, whatever the thread count, since it
 * follows the new/old answers.  8 bytes more per edge.  It lists the set
 * without a walk of the table, in an order that depends only on the history
 * of insertions (not on the shard count), and it is never rewritten: a
 * snapshot writer thread may read its first n keys while the stream goes
 * on inserting, when its memory never moves (es_edgeset_new_logged).
 *
 * Vertex ids must be below UINT32_MAX (the key of (UINT32_MAX, UINT32_MAX)
 * is reserved); the id map never hands out that id.
 */
#ifndef ES_EDGESET_H
#define ES_EDGESET_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/common.h"

#define ES_EDGESET_DEFAULT_SHARDS 256u
#define ES_EDGESET_MAX_SHARDS     65536u

typedef struct es_edgeset es_edgeset;

/* A set sized for expected_edges without regrowth; shards is a power of two
 * up to ES_EDGESET_MAX_SHARDS, or 0 for ES_EDGESET_DEFAULT_SHARDS. */
es_edgeset *es_edgeset_new(size_t expected_edges, uint32_t shards);
/* The same, keeping the insertion log (room for expected_edges reserved,
 * touched only as it fills); mem: how the log grows (NULL: es_big_realloc;
 * a snapshot writer reading it beside the stream needs blocks that never
 * move). */
es_edgeset *es_edgeset_new_logged(size_t expected_edges, uint32_t shards, const es_log_memory *mem);
void        es_edgeset_free(es_edgeset *s);
/* Free a logged set's log and keep none from now on (a set whose keys no
 * snapshot will read). */
void        es_edgeset_unlog(es_edgeset *s);
/* Make room for `edges` keys in all without regrowth, in one rehash now:
 * a set that learns its size early skips the doublings (each a fresh
 * table, touched once more, and a rehash).  Never shrinks. */
void        es_edgeset_reserve(es_edgeset *s, size_t edges);

/* Add (u, v); TRUE when it was not in the set. */
gboolean es_edgeset_insert(es_edgeset *s, uint32_t u, uint32_t v);
gboolean es_edgeset_contains(const es_edgeset *s, uint32_t u, uint32_t v);
size_t   es_edgeset_size(const es_edgeset *s);      /* number of edges */
size_t   es_edgeset_memory(const es_edgeset *s);    /* bytes held, tables and scratch */

uint32_t es_edgeset_shards(const es_edgeset *s);

/* Insert edges[0 .. n-1] in stream order, in parallel with OpenMP.
 * is_new[i] = 1 iff edges[i] was neither in the set before the call nor
 * earlier in the batch.  With skip_loops, self-loops are not inserted and
 * get is_new[i] = 0.  Returns the number of new edges.  The answers and the
 * resulting set are the same for any number of threads. */
size_t es_edgeset_insert_batch(es_edgeset *s, const es_edge *edges, size_t n,
                               gboolean skip_loops, uint8_t *is_new);

/* Write every key (es_edgeset_size() of them) to out, shard by shard, in
 * table order: for snapshots and tests. */
void es_edgeset_keys(const es_edgeset *s, uint64_t *out);

/* The insertion log of a logged set: its *n keys (*n == es_edgeset_size()),
 * in the order they were first inserted.  The pointer is valid until the
 * next insertion (a growing log may move).  NULL and *n = 0 for a set
 * without a log. */
const uint64_t *es_edgeset_log(const es_edgeset *s, size_t *n);

/* Receives the next keys of es_edgeset_foreach_sorted; FALSE stops the walk. */
typedef gboolean (*es_edgeset_keys_fn)(const uint64_t *keys, size_t n, void *user);

/* Pass every key to fn in increasing order, in pieces of at most max_piece
 * (>= 1) keys: an order and a content that depend only on the set, never on
 * its shard count or history.  Memory: 16 bytes per key of max_piece, not
 * per edge.  Time: one scan of the table per piece and per histogram of
 * the key range (one, a few more when keys crowd a narrow range), and a
 * radix sort of each piece; so keep max_piece a fair fraction of the size.
 * Runs on the calling thread only (no OpenMP).  FALSE iff fn stopped it. */
gboolean es_edgeset_foreach_sorted(const es_edgeset *s, size_t max_piece,
                                   es_edgeset_keys_fn fn, void *user);

#endif
