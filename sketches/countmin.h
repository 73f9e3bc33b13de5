/* countmin.h — Count-Min sketch: approximate counts of 64-bit keys.
 *
 * Algorithm: Cormode & Muthukrishnan, "An improved data stream summary: the
 * count-min sketch and its applications", J. Algorithms 2005.  depth rows of
 * width counters; row j hashes a key with its own pairwise-independent
 * function (sketches/hash.h, drawn from the seed) and an update adds the
 * count to one counter per row; a point query is the minimum over the rows.
 *
 * Sizes: width = ceil(e / eps), depth = ceil(ln(1 / delta)), 8 bytes per
 * counter.  Cost: O(depth) per update and per query.
 *
 * Guarantee, for N the sum of all counts added: a query never
 * underestimates, and overestimates by more than eps*N with probability at
 * most delta (per query, over the choice of seed).  The sketch's own eps and
 * delta are those its dimensions give, e / width and e^-depth, never weaker
 * than the ones asked for.
 *
 * Conservative update (Estan & Varghese, SIGCOMM 2002) is available at
 * creation: an update raises each of the key's counters only up to the new
 * estimate.  It keeps both guarantees and is never less accurate, but it is
 * not linear: a merged pair of conservative sketches still satisfies the
 * guarantees without being equal to the sketch of the concatenated stream,
 * and es_cm_add_many must then run sequentially.  Without it the sketch is
 * linear: merging is adding counters and gives exactly the sketch of the
 * concatenated stream.
 *
 * State for snapshots: width, depth, seed, conservative, total and the
 * counters (row-major, depth * width); the hash functions follow from the
 * seed.  es_cm_restore rebuilds a sketch from them.
 */
#ifndef ES_COUNTMIN_H
#define ES_COUNTMIN_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_cm es_cm;

/* Largest dimensions accepted (width * depth counters must fit in memory:
 * at the limits, 2^28 counters = 2 GiB). */
#define ES_CM_MAX_WIDTH (UINT32_C(1) << 28)
#define ES_CM_MAX_DEPTH 64u

/* Width and depth for a requested (eps, delta): eps, delta in (0, 1]. */
uint32_t es_cm_width_for(double eps);
uint32_t es_cm_depth_for(double delta);

/* A sketch of the given (eps, delta); eps >= e / ES_CM_MAX_WIDTH. */
es_cm   *es_cm_new(double eps, double delta, uint64_t seed, gboolean conservative);
/* A sketch of explicit dimensions: 1 <= width <= ES_CM_MAX_WIDTH,
 * 1 <= depth <= ES_CM_MAX_DEPTH. */
es_cm   *es_cm_new_dims(uint32_t width, uint32_t depth, uint64_t seed, gboolean conservative);
void     es_cm_free(es_cm *cm);
es_cm   *es_cm_copy(const es_cm *cm);

/* Add `count` occurrences of key. */
void     es_cm_update(es_cm *cm, uint64_t key, uint64_t count);
/* Add one occurrence of each of keys[0..n-1].  The rows are filled in
 * parallel (OpenMP) unless the sketch is conservative; the result is the
 * same as n calls of es_cm_update, whatever the thread count. */
void     es_cm_add_many(es_cm *cm, const uint64_t *keys, size_t n);
/* Take `count` occurrences of key away (the turnstile model: linear
 * sketches only; a counter never goes below 0, so a deletion of what was
 * never added cannot wrap it).  The guarantees below then hold with N the
 * sum of the counts that remain, as long as no count is taken below 0. */
void     es_cm_remove(es_cm *cm, uint64_t key, uint64_t count);
/* Estimate of key's count: >= the true count, and <= true + eps*N with
 * probability >= 1 - delta. */
uint64_t es_cm_query(const es_cm *cm, uint64_t key);

/* dst += src.  Both must have the same width, depth, seed and update rule;
 * otherwise an ES_ERROR_USAGE error and dst is unchanged. */
gboolean es_cm_merge(es_cm *dst, const es_cm *src, GError **error);

uint32_t es_cm_width(const es_cm *cm);
uint32_t es_cm_depth(const es_cm *cm);
uint64_t es_cm_seed(const es_cm *cm);
gboolean es_cm_conservative(const es_cm *cm);
uint64_t es_cm_total(const es_cm *cm);            /* N: sum of all counts added */
double   es_cm_eps(const es_cm *cm);              /* e / width */
double   es_cm_delta(const es_cm *cm);            /* e^-depth */
/* eps * N: the overestimate no query exceeds with probability >= 1 - delta. */
double   es_cm_error_bound(const es_cm *cm);
/* The counters, row-major: counters[row * width + column]. */
const uint64_t *es_cm_counters(const es_cm *cm);

/* A sketch from saved state (counters: depth * width, copied).  Checks the
 * dimensions and that the counters are consistent with total (each row sums
 * to total, or to at most total for a conservative sketch); an
 * ES_ERROR_DATA error when they are not. */
es_cm   *es_cm_restore(uint32_t width, uint32_t depth, uint64_t seed, gboolean conservative,
                       uint64_t total, const uint64_t *counters, GError **error);

#endif
