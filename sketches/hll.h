/* hll.h — HyperLogLog: the number of distinct 64-bit keys in a stream.
 *
 * Algorithm: Flajolet, Fusy, Gandouet & Meunier, "HyperLogLog: the
 * analysis of a near-optimal cardinality estimation algorithm", AofA 2007,
 * with the practical changes of Heule, Nunkesser & Hall, "HyperLogLog in
 * practice" (HLL++), EDBT 2013, that need no empirical tables:
 *   - a 64-bit hash (sketches/hash.h, a seeded bijection, so distinct
 *     keys never collide): no large-range correction is needed;
 *   - small cardinalities: instead of HLL++'s switch to linear counting and
 *     its empirically measured bias tables, the estimator of Ertl, "New
 *     cardinality estimation algorithms for HyperLogLog sketches", 2017
 *     (arXiv:1702.01284, the "improved raw estimator"), which corrects the
 *     register histogram's ends in closed form and is unbiased across the
 *     whole range: it behaves as linear counting while many registers are
 *     empty and as the raw HyperLogLog estimate above a few times m.
 *
 * m = 2^p registers of one byte, p in 4..18, dense from the start (no
 * HLL++ sparse mode: 16 KiB at p = 14).  Cost: one hash and one register
 * update per key; an estimate is O(m).
 * Guarantee: relative standard error about 1.04 / sqrt(m) (0.81% at p=14);
 * es_hll_stderr reports that figure.  Adding a key twice changes nothing.
 *
 * Merge: register-wise maximum, exactly the sketch of the union; requires
 * the same p and seed.  State for snapshots: p, seed and the m registers
 * (each 0 .. 65 - p); es_hll_restore rebuilds a sketch from them.
 */
#ifndef ES_HLL_H
#define ES_HLL_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_hll es_hll;

#define ES_HLL_MIN_P 4
#define ES_HLL_MAX_P 18

es_hll  *es_hll_new(unsigned p, uint64_t seed);    /* ES_HLL_MIN_P <= p <= ES_HLL_MAX_P */
void     es_hll_free(es_hll *h);
es_hll  *es_hll_copy(const es_hll *h);

void     es_hll_add(es_hll *h, uint64_t key);
/* es_hll_add of keys[0..n-1], in parallel (OpenMP) for large n; the
 * registers are the same whatever the thread count. */
void     es_hll_add_many(es_hll *h, const uint64_t *keys, size_t n);

/* Estimated number of distinct keys added. */
double   es_hll_estimate(const es_hll *h);
/* Relative standard error of the estimate: 1.04 / sqrt(m). */
double   es_hll_stderr(const es_hll *h);

/* dst := union(dst, src); same p and seed required, otherwise an
 * ES_ERROR_USAGE error and dst is unchanged. */
gboolean es_hll_merge(es_hll *dst, const es_hll *src, GError **error);

unsigned es_hll_p(const es_hll *h);
uint64_t es_hll_seed(const es_hll *h);
size_t   es_hll_registers_count(const es_hll *h);  /* m = 2^p */
const uint8_t *es_hll_registers(const es_hll *h);

/* A sketch from saved state (registers: 2^p bytes, copied); an
 * ES_ERROR_DATA error when p or a register is out of range. */
es_hll  *es_hll_restore(unsigned p, uint64_t seed, const uint8_t *registers, GError **error);

#endif
