/* edge_reservoir.h — a fixed-size uniform sample of a stream of undirected
 * edges (Algorithm R with the generator of sketches/sampler.h), kept as a
 * graph whose neighbourhoods can be intersected: the sample TRIÈST-style
 * estimators need (operators/tri_est.c).
 *
 * Graph: per vertex, the sampled neighbours with the slot of each edge;
 * one inline in a 16-byte header, up to ES_RESERVOIR_ARRAY_MAX in a sorted
 * array, above that an open-addressing hash set (linear probing, at most
 * half full, backward-shift deletion), blocks from one pool of power-of-two
 * sizes (layout in edge_reservoir.c).  Common neighbours come out in
 * increasing vertex order whatever the history, so sums over them are
 * bit-identical after a rebuild from the slots.
 *
 * Cost: an offer is O(1) when the edge is not taken, else O(log d) plus a
 * move of at most ES_RESERVOIR_ARRAY_MAX entries (O(1) expected in a hash
 * set); es_edge_reservoir_common is O(min(du, dv)) expected (merge, four
 * neighbours at a time where SSE2 is, binary search past a size ratio of 8,
 * or hash probes).  Memory: 8 bytes per
 * slot, about 32 per sampled edge in the pool, 16 per vertex id.
 * Guarantee: after t offers the sample is a uniform min(t, m)-subset of
 * the edges offered; the same seed gives the same sample.  Not thread-safe.
 */
#ifndef ES_EDGE_RESERVOIR_H
#define ES_EDGE_RESERVOIR_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/batch.h"
#include "sketches/sampler.h"

/* ---- the edge reservoir ------------------------------------------------ */

/* Largest sample degree kept as a sorted array; above it, a hash set. */
#define ES_RESERVOIR_ARRAY_MAX 128u
/* Largest reservoir: slots and pool offsets are 32-bit. */
#define ES_RESERVOIR_MAX_M (UINT32_C(1) << 29)
/* es_edge_reservoir_offer's answer when the edge was not taken. */
#define ES_RESERVOIR_SKIPPED UINT32_MAX

typedef struct es_edge_reservoir es_edge_reservoir;

/* A common neighbour c of u and v in the sample, with the slots holding
 * the edges (u, c) and (v, c). */
typedef struct {
    uint32_t c, slot_u, slot_v;
} es_common_nbr;

/* Everything the sample depends on, in plain arrays: what a snapshot
 * writes.  The graph is a function of the slots and is rebuilt from them. */
typedef struct {
    uint32_t       m;         /* capacity */
    uint64_t       t;         /* edges offered so far */
    uint64_t       rng[4];    /* generator state */
    uint32_t       size;      /* filled slots: min(t, m), or any number up to m
                                 when `managed` */
    gboolean       managed;   /* slots managed by the caller (put and remove:
                                 a sample under deletions) */
    const es_edge *slots;     /* size edges: slot i holds slots[i] */
} es_edge_reservoir_state;

/* An empty reservoir of m edges (2 <= m <= ES_RESERVOIR_MAX_M). */
es_edge_reservoir *es_edge_reservoir_new(uint32_t m, uint64_t seed);
void               es_edge_reservoir_free(es_edge_reservoir *r);

/* Make vertex ids below n valid (ids are dense; grows, never shrinks). */
void     es_edge_reservoir_grow_vertices(es_edge_reservoir *r, uint32_t n);
uint32_t es_edge_reservoir_vertices(const es_edge_reservoir *r);

uint32_t es_edge_reservoir_capacity(const es_edge_reservoir *r);
uint32_t es_edge_reservoir_size(const es_edge_reservoir *r);
uint64_t es_edge_reservoir_offered(const es_edge_reservoir *r);
uint32_t es_edge_reservoir_degree(const es_edge_reservoir *r, uint32_t v);
gboolean es_edge_reservoir_contains(const es_edge_reservoir *r, uint32_t u, uint32_t v);
/* Bytes held: slots, pool, headers, scratch. */
size_t   es_edge_reservoir_memory(const es_edge_reservoir *r);

/* Offer edge (u, v): u != v, both below the vertex count, and not in the
 * sample (the caller checks: es_edge_reservoir_common says so).  Counts it
 * (t += 1) and applies Algorithm R.  Returns the slot the edge now occupies,
 * or ES_RESERVOIR_SKIPPED.  When it replaced an edge, that edge is written
 * to *evicted (if not NULL); otherwise *evicted is {UINT32_MAX, UINT32_MAX}. */
uint32_t es_edge_reservoir_offer(es_edge_reservoir *r, uint32_t u, uint32_t v, es_edge *evicted);

/* Slots managed by the caller, for estimators with a sampling policy of
 * their own (a waiting room, priority sampling): put (u, v) into slot s,
 * s <= size (s == size appends), replacing the edge there, which is
 * written to *evicted (if not NULL; {UINT32_MAX, UINT32_MAX} when none).
 * (u, v): u != v, below the vertex count, not in the sample.  Leaves the
 * Algorithm R sampler's generator alone, and its count t too unless
 * es_edge_reservoir_offer_batch called the caller's insert hook: a
 * reservoir is used either through es_edge_reservoir_offer* with
 * Algorithm R or through this, never both.  Cost as an offer that takes
 * the edge. */
void es_edge_reservoir_put(es_edge_reservoir *r, uint32_t s, uint32_t u, uint32_t v, es_edge *evicted);

/* The slot holding (u, v) (either direction), or ES_RESERVOIR_SKIPPED. */
uint32_t es_edge_reservoir_slot(const es_edge_reservoir *r, uint32_t u, uint32_t v);

/* Slots managed by the caller, for a sample that shrinks (deletions):
 * take the edge in slot s out; the edge of the last slot, if s is not
 * the last, moves into s.  Returns the slot the moved edge came from
 * (size - 1 before the call; s itself when nothing moved).  Cost: two
 * removals from neighbour sets (the moved edge's entries stay: they name
 * it by a handle, see edge_reservoir.c). */
uint32_t es_edge_reservoir_remove(es_edge_reservoir *r, uint32_t s);
/* The same in two steps, for a caller with work to do between them: the
 * handle of (u, v) (either direction), a number that names the edge while
 * it stays in the sample whatever moves around it, or ES_RESERVOIR_SKIPPED
 * when the sample does not hold it; then the removal of the edge (u, v)
 * with handle h: returns the slot it left, *from set as
 * es_edge_reservoir_remove's answer.  One look-up in all (the handle's
 * slot is fetched ahead). */
uint32_t es_edge_reservoir_handle(const es_edge_reservoir *r, uint32_t u, uint32_t v);
uint32_t es_edge_reservoir_remove_handle(es_edge_reservoir *r, uint32_t h, uint32_t u, uint32_t v, uint32_t *from);
/* The slot the edge with handle h occupies now. */
uint32_t es_edge_reservoir_handle_slot(const es_edge_reservoir *r, uint32_t h);

/* Common neighbours of u and v in the sample, in increasing order of c;
 * *count of them.  The array is scratch owned by r, valid until the next
 * call.  When (u, v) itself is in the sample, *has_uv is TRUE and *count 0
 * (the caller drops the edge as a duplicate).  u != v. */
const es_common_nbr *es_edge_reservoir_common(es_edge_reservoir *r, uint32_t u, uint32_t v,
                                              size_t *count, gboolean *has_uv);
/* The same for (u, v) the caller knows is not in the sample (a change of a
 * graph the sample is drawn from: an appearance, or a disappearance after
 * the edge left the sample): no look-up of the pair itself. */
const es_common_nbr *es_edge_reservoir_common_absent(es_edge_reservoir *r, uint32_t u, uint32_t v, size_t *count);
/* Whether u and v have a common neighbour in the sample (u != v; either may
 * be past the vertices it knows).  Reads r only: threads may ask at once,
 * while nobody changes the sample, as es_edge_reservoir_handle may be. */
gboolean es_edge_reservoir_has_common(const es_edge_reservoir *r, uint32_t u, uint32_t v);

/* Hints for a loop over a batch: start loading the headers of u and v
 * (some edges ahead), then their neighbour blocks (fewer edges ahead, when
 * the headers have arrived).  Only speed depends on them. */
void es_edge_reservoir_prefetch_heads(const es_edge_reservoir *r, uint32_t u, uint32_t v);
void es_edge_reservoir_prefetch_blocks(const es_edge_reservoir *r, uint32_t u, uint32_t v);

/* What es_edge_reservoir_offer_batch tells its caller as it goes: the
 * estimator's part of the one loop every sampling policy shares. */
typedef struct {
    /* Edge (u, v), about to be accepted as the t-th edge, has k >= 1 common
     * neighbours cn[0 .. k) in the sample (increasing c). */
    void (*closed)(void *user, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k, uint64_t t);
    /* The accepted edge now occupies `slot` (a new slot, or one whose edge
     * it replaced); Algorithm R's policy only (insert == NULL). */
    void (*stored)(void *user, uint32_t slot);
    /* A sampling policy of the caller's own: decide about the t-th
     * accepted edge, which closed k sampled triangles, through
     * es_edge_reservoir_put.  NULL: Algorithm R (es_edge_reservoir_offer). */
    void (*insert)(void *user, uint32_t u, uint32_t v, size_t k, uint64_t t);
} es_edge_reservoir_hooks;

typedef struct {
    uint64_t loops;      /* self-loops passed over */
    uint64_t skipped;    /* edges with keep[i] == 0 passed over */
    uint64_t in_sample;  /* edges passed over because the sample holds them */
} es_offer_counts;

/* The loop of a streaming estimator, with prefetching: for each edge of
 * edges[0 .. n) in order, pass over self-loops, edges with keep[i] == 0
 * (when keep is not NULL) and edges already in the sample, adding to
 * *counts; accept the others: count it (es_edge_reservoir_offered grows by
 * one, whatever the policy), call hooks->closed when the edge has common
 * neighbours in the sample, then let the policy decide (hooks->insert, or
 * Algorithm R and hooks->stored when it took the edge).  Stops early once
 * t_limit edges have been accepted in all (UINT64_MAX: never), and, with
 * stop_at_repeat, right after the first edge passed over because the
 * sample holds it.  Returns the number of edges consumed.  Every vertex id
 * must be below the vertex count.  Algorithm R's decisions are drawn up to
 * 32 accepted edges ahead by a copy of the sampler, so that the edges they
 * evict are fetched in time; the reservoir's own sampler (its state, and a
 * snapshot's) is always that of the edges accepted so far. */
size_t es_edge_reservoir_offer_batch(es_edge_reservoir *r, const es_edge *edges, size_t n, const uint8_t *keep,
                                     uint64_t t_limit, gboolean stop_at_repeat, const es_edge_reservoir_hooks *hooks,
                                     void *user, es_offer_counts *counts);

/* The state, pointing into r (valid until r changes). */
void es_edge_reservoir_get_state(const es_edge_reservoir *r, es_edge_reservoir_state *out);
/* A reservoir in the given state over num_vertices vertex ids.  It then
 * behaves exactly as the reservoir the state was taken from.  Fails with
 * ES_ERROR_DATA when the state is inconsistent (size != min(t, m), a vertex
 * out of range, a self-loop or a repeated edge in the slots). */
es_edge_reservoir *es_edge_reservoir_restore(const es_edge_reservoir_state *st, uint32_t num_vertices,
                                             GError **error);

#endif
