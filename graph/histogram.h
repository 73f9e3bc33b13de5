/* histogram.h — a multiset of small unsigned values kept as value -> count,
 * updated one value at a time, so that a distribution (component sizes,
 * degrees) is ready at any moment instead of being recounted from every
 * vertex at each report.
 *
 * Values below ES_HIST_DENSE are counted in a dense array (32 KiB, in the
 * cache beside the operator's own arrays); larger ones (fewer than
 * n / ES_HIST_DENSE values are held there) in a small open-addressing
 * table (linear probing, deletion by backward shift; Knuth, TAOCP 3,
 * 6.4 Algorithm R), not GHashTable: a hub's degree moves from one large
 * value to the next at every new neighbour, and GHashTable's allocation
 * per insert and free per removal made R-MAT scale 20's degree operator
 * 1.27x slower (bench/RESULTS.md).
 * Cost: O(1) per update; reading the bins is O(ES_HIST_DENSE + large
 * values · log), independent of the number of vertices.  Exact: the
 * counts are those a recount gives.
 */
#ifndef ES_HISTOGRAM_H
#define ES_HISTOGRAM_H

#include <glib.h>
#include <stdint.h>

#define ES_HIST_DENSE 4096u

/* One bin: `count` values equal `key` (also the report's histogram bin). */
typedef struct {
    uint64_t key, count;
} es_hist_bin;

typedef struct {
    uint64_t    dense[ES_HIST_DENSE];
    es_hist_bin *large;  /* open addressing; key 0 marks a free slot */
    size_t      cap;     /* slots, a power of two */
    size_t      used;    /* occupied slots */
    uint64_t    total;   /* values held */
} es_hist;

es_hist *es_hist_new(void);
void     es_hist_free(es_hist *h);
void     es_hist_clear(es_hist *h);
/* dst := src. */
void     es_hist_copy(es_hist *dst, const es_hist *src);

/* Add one value x, or take one away (which must be there). */
void     es_hist_add_slow(es_hist *h, uint64_t x, int64_t delta);
static inline void es_hist_add(es_hist *h, uint64_t x, int64_t delta)
{
    if (G_LIKELY(x < ES_HIST_DENSE)) {
        h->dense[x] += (uint64_t)delta;
        h->total += (uint64_t)delta;
    } else {
        es_hist_add_slow(h, x, delta);
    }
}

/* The largest value held, 0 when empty. */
uint64_t es_hist_max(const es_hist *h);
/* The bins with a non-zero count, sorted by value, into a GArray of
 * es_hist_bin. */
GArray  *es_hist_bins(const es_hist *h);
/* Take n values equal to key out of such bins (at most as many as there
 * are; the bin goes when it empties): a report leaving out vertices it
 * knows to be absent (es_operator.absent). */
void     es_hist_bins_take(GArray *bins, uint64_t key, uint64_t n);

#endif
