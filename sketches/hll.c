/* hll.c — HyperLogLog (Flajolet et al., AofA 2007) with a 64-bit hash and
 * Ertl's improved estimator (arXiv:1702.01284, 2017) for the small and
 * large ends of the register histogram.  One byte per register, O(1) per
 * key, O(m) per estimate; relative standard error about 1.04 / sqrt(m).
 * See hll.h for the contract.
 */
#include "sketches/hll.h"

#include <math.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/hash.h"

struct es_hll {
    unsigned p;
    uint64_t seed;
    uint8_t *reg;     /* 2^p registers, each 0 .. q + 1 with q = 64 - p */
};

static inline size_t nreg(const es_hll *h)
{
    return (size_t)1 << h->p;
}

es_hll *es_hll_new(unsigned p, uint64_t seed)
{
    g_return_val_if_fail(p >= ES_HLL_MIN_P && p <= ES_HLL_MAX_P, NULL);
    es_hll *h = g_new0(es_hll, 1);
    h->p = p;
    h->seed = seed;
    h->reg = g_malloc0(nreg(h));
    return h;
}

void es_hll_free(es_hll *h)
{
    if (h == NULL)
        return;
    g_free(h->reg);
    g_free(h);
}

es_hll *es_hll_copy(const es_hll *h)
{
    es_hll *c = es_hll_new(h->p, h->seed);
    memcpy(c->reg, h->reg, nreg(h));
    return c;
}

/* The register index is the hash's top p bits; its value is the position
 * of the first 1 among the remaining q = 64 - p bits (1-based), or q + 1
 * when they are all 0. */
static inline void slot_of(const es_hll *h, uint64_t key, size_t *idx, uint8_t *rank)
{
    uint64_t x = es_hash64(key, h->seed);
    uint64_t w = x << h->p;
    *idx = (size_t)(x >> (64 - h->p));
    *rank = (uint8_t)(w ? (unsigned)__builtin_clzll(w) + 1 : 64 - h->p + 1);
}

void es_hll_add(es_hll *h, uint64_t key)
{
    size_t i;
    uint8_t r;
    slot_of(h, key, &i, &r);
    if (r > h->reg[i])
        h->reg[i] = r;
}

void es_hll_add_many(es_hll *h, const uint64_t *keys, size_t n)
{
    uint8_t *reg = h->reg;
    /* A register only ever grows to a maximum, so concurrent updates with
     * compare-and-swap give the same registers in any order.  Most updates
     * do not raise their register and stop at the first load. */
    #pragma omp parallel for schedule(static) if (n >= 65536)
    for (size_t k = 0; k < n; k++) {
        size_t i;
        uint8_t r;
        slot_of(h, keys[k], &i, &r);
        uint8_t cur = __atomic_load_n(&reg[i], __ATOMIC_RELAXED);
        while (r > cur
               && !__atomic_compare_exchange_n(&reg[i], &cur, r, TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
}

/* sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1): the correction for the
 * registers still at 0 (Ertl 2017, section 3.2). */
static double sigma(double x)
{
    if (x >= 1.0)
        return INFINITY;
    double y = 1.0, z = x, prev;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (z != prev);
    return z;
}

/* tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3: the correction
 * for the registers at the maximum q + 1. */
static double tau(double x)
{
    if (x <= 0.0 || x >= 1.0)
        return 0.0;
    double y = 1.0, z = 1.0 - x, prev;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != prev);
    return z / 3.0;
}

double es_hll_estimate(const es_hll *h)
{
    const unsigned q = 64 - h->p;
    const size_t m = nreg(h);
    uint64_t hist[66] = { 0 };
    for (size_t i = 0; i < m; i++)
        hist[h->reg[i]]++;
    if (hist[0] == m)
        return 0.0;
    /* z = m tau(1 - C[q+1]/m) 2^-q + sum_{k=1..q} C[k] 2^-k + m sigma(C[0]/m),
     * evaluated by Horner's rule from the top. */
    const double md = (double)m;
    double z = md * tau(1.0 - (double)hist[q + 1] / md);
    for (unsigned k = q; k >= 1; k--)
        z = 0.5 * (z + (double)hist[k]);
    z += md * sigma((double)hist[0] / md);
    const double alpha_inf = 0.5 / M_LN2;
    return alpha_inf * md * md / z;
}

double es_hll_stderr(const es_hll *h)
{
    return 1.04 / sqrt((double)nreg(h));
}

gboolean es_hll_merge(es_hll *dst, const es_hll *src, GError **error)
{
    if (dst->p != src->p || dst->seed != src->seed) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "hyperloglog: cannot merge a sketch with p=%u, seed %" G_GUINT64_FORMAT
                    " into one with p=%u, seed %" G_GUINT64_FORMAT,
                    src->p, (guint64)src->seed, dst->p, (guint64)dst->seed);
        return FALSE;
    }
    const size_t m = nreg(dst);
    for (size_t i = 0; i < m; i++)
        if (src->reg[i] > dst->reg[i])
            dst->reg[i] = src->reg[i];
    return TRUE;
}

unsigned es_hll_p(const es_hll *h)                 { return h->p; }
uint64_t es_hll_seed(const es_hll *h)              { return h->seed; }
size_t   es_hll_registers_count(const es_hll *h)   { return nreg(h); }
const uint8_t *es_hll_registers(const es_hll *h)   { return h->reg; }

es_hll *es_hll_restore(unsigned p, uint64_t seed, const uint8_t *registers, GError **error)
{
    if (p < ES_HLL_MIN_P || p > ES_HLL_MAX_P) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "hyperloglog: saved p=%u is out of range (%d..%d)", p, ES_HLL_MIN_P, ES_HLL_MAX_P);
        return NULL;
    }
    const size_t m = (size_t)1 << p;
    for (size_t i = 0; i < m; i++) {
        if (registers[i] > 65 - p) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "hyperloglog: saved register %zu is %u, above the largest possible %u",
                        i, registers[i], 65 - p);
            return NULL;
        }
    }
    es_hll *h = es_hll_new(p, seed);
    memcpy(h->reg, registers, m);
    return h;
}
