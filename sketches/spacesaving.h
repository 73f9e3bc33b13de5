/* spacesaving.h — Space-Saving: the heavy hitters of a stream of 64-bit
 * keys with k counters.
 *
 * Algorithm: Metwally, Agrawal & El Abbadi, "Efficient computation of
 * frequent and top-k elements in data streams", ICDT 2005.  k counters,
 * each (key, count, error).  A monitored key's count grows by the update;
 * an unmonitored key takes over the counter with the smallest count m,
 * with count m + c and error m.  Among counters tied at the smallest count,
 * the one that reached its count first is taken, so the summary depends
 * only on the update sequence.
 *
 * Implementation: the paper's stream-summary: counters of equal count hang
 * in a list under one bucket, buckets in a list by increasing count, and a
 * linear-probing index maps keys to counters.  O(1) per unit update (a
 * weighted update walks past the buckets between the old and the new
 * count), 68 to 76 bytes per counter (and an index of up to 32 KiB below
 * 4096 counters, kept sparse for speed).
 *
 * Guarantees, for N the sum of all counts added and m the smallest count
 * (0 while fewer than k keys are monitored):
 *   - a monitored key's true count f satisfies count - error <= f <= count;
 *   - error <= m <= N / k, so counts overestimate by at most N / k;
 *   - an unmonitored key has f <= m; every key with f > N / k is monitored;
 *   - while fewer than k keys have been seen, every count is exact.
 * Top-k: es_ss_top lists the k largest counts and marks a key
 * "guaranteed" when count - error >= the (k+1)-th largest count (m when at
 * most k keys are monitored).  A guaranteed key's true count is then at
 * least that of every key outside the list, so at least the k-th largest
 * true count of the stream: it is a true top-k key (Metwally et al.,
 * section 5).
 *
 * Merge (mergeable summaries, Agarwal et al., PODS 2012; the Space-Saving
 * form is that of Cafaro, Pulimeno & Tempesta, Inf. Sci. 2016): a key
 * missing from one summary is given that summary's m as count and error,
 * counts and errors are added, and the k largest counts are kept (ties:
 * smaller key first).  All the guarantees above hold for the merged summary
 * with N = N1 + N2, except that the counts may sum to less than N.
 *
 * State for snapshots: capacity, total and the items (key, count, error)
 * in the order es_ss_items gives; es_ss_restore rebuilds from them a
 * summary that behaves exactly as the original.
 */
#ifndef ES_SPACESAVING_H
#define ES_SPACESAVING_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_ss es_ss;

typedef struct {
    uint64_t key;
    uint64_t count;   /* upper bound on the key's true count */
    uint64_t error;   /* count - error is a lower bound */
} es_ss_item;

#define ES_SS_MAX_CAPACITY (UINT32_C(1) << 30)

/* A summary with `capacity` counters, 1 <= capacity <= ES_SS_MAX_CAPACITY. */
es_ss   *es_ss_new(uint32_t capacity);
void     es_ss_free(es_ss *ss);

/* Add `count` (>= 1) occurrences of key. */
void     es_ss_update(es_ss *ss, uint64_t key, uint64_t count);
/* One occurrence of each of keys[0 .. n-1], in order: the same as n calls
 * of es_ss_update(ss, keys[i], 1), faster. */
void     es_ss_add_each(es_ss *ss, const uint64_t *keys, size_t n);
/* TRUE when key is monitored, with its count and error.  Otherwise FALSE,
 * and *count = *error = m, the bound on any unmonitored key's count. */
gboolean es_ss_query(const es_ss *ss, uint64_t key, uint64_t *count, uint64_t *error);

/* The min(k, size) items with the largest counts (count descending, then
 * key ascending) into out[]; guaranteed[i] (when not NULL) says whether
 * out[i] is a guaranteed top-k key (see above).  Returns how many.
 * Cost: O(k log k) plus the buckets visited. */
size_t   es_ss_top(const es_ss *ss, size_t k, es_ss_item *out, gboolean *guaranteed);
/* The largest count a key outside the top k can have: the (k+1)-th largest
 * count, or m when at most k keys are monitored.  A listed key is
 * guaranteed exactly when count - error >= this. */
uint64_t es_ss_top_threshold(const es_ss *ss, size_t k);

/* dst := merge(dst, src).  Both must have the same capacity; otherwise an
 * ES_ERROR_USAGE error and dst is unchanged. */
gboolean es_ss_merge(es_ss *dst, const es_ss *src, GError **error);

uint32_t es_ss_capacity(const es_ss *ss);
uint32_t es_ss_size(const es_ss *ss);          /* monitored keys, <= capacity */
uint64_t es_ss_total(const es_ss *ss);         /* N */
uint64_t es_ss_min_count(const es_ss *ss);     /* m: 0 until the summary is full */
/* N / capacity: no count in the summary overestimates by more. */
double   es_ss_error_bound(const es_ss *ss);
/* The monitored items, es_ss_size() of them, into out: count ascending,
 * and among equal counts in the order they would be taken over.  Returns
 * how many. */
size_t   es_ss_items(const es_ss *ss, es_ss_item *out);

/* A summary from saved state, items in es_ss_items order (an item list in
 * another order is accepted: equal counts then keep their relative order).
 * Checks n <= capacity, error <= count, exact counts when n < capacity,
 * distinct keys and sum of counts <= total; an ES_ERROR_DATA error when a
 * check fails. */
es_ss   *es_ss_restore(uint32_t capacity, uint64_t total, const es_ss_item *items, size_t n,
                       GError **error);

#endif
