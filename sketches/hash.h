/* hash.h — seeded 64-bit hashing shared by the sketches.
 *
 * Two families, for two different needs:
 *
 *  - es_hash64(key, seed): a bijective mixer of 64-bit keys (the splitmix64
 *    finalizer: xor-shift / multiply rounds, Steele, Lea & Flood, "Fast
 *    splittable pseudorandom number generators", OOPSLA 2014).  Full
 *    avalanche, distinct keys never collide, about 1 ns per key.  For
 *    HyperLogLog (which needs well-spread bits) and for hash-table indexing.
 *
 *  - es_hash_pairwise(f, key): multiply-add-shift, Dietzfelbinger,
 *    "Universal hashing and k-wise independent random variables via
 *    integer arithmetic without primes", STACS 1996:
 *    h(x) = ((a*x + b) mod 2^96) div 2^64 with a, b uniform 96-bit numbers,
 *    a 32-bit value.  Since 96 >= 64 + 32 - 1, the family is strongly
 *    universal (pairwise independent) over 64-bit keys.
 *    es_hash_pairwise_range maps it to [0, w) by (h * w) div 2^32, so two
 *    distinct keys collide with probability at most 1/w + 2^-32.  This is
 *    the family Count-Min's analysis (Cormode & Muthukrishnan 2005) asks
 *    for, at two multiplications per key (a third of the cost of the
 *    Carter-Wegman family modulo 2^61 - 1 measured here).
 *
 * Coefficients come from es_hash_next(&state), the splitmix64 generator, so
 * a sketch's hash functions are a pure function of its seed and need not
 * be stored in a snapshot.
 */
#ifndef ES_SKETCH_HASH_H
#define ES_SKETCH_HASH_H

#include <stdint.h>

#define ES_HASH_GOLDEN UINT64_C(0x9E3779B97F4A7C15)

static inline uint64_t es_hash_mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* Seeded bijection of the 64-bit keys. */
static inline uint64_t es_hash64(uint64_t key, uint64_t seed)
{
    return es_hash_mix64(key ^ es_hash_mix64(seed + ES_HASH_GOLDEN));
}

/* The splitmix64 generator: the next value of the stream `*state`. */
static inline uint64_t es_hash_next(uint64_t *state)
{
    *state += ES_HASH_GOLDEN;
    return es_hash_mix64(*state);
}

/* One function of the pairwise-independent family (only the low 96 bits
 * of a and b matter). */
typedef struct {
    unsigned __int128 a, b;
} es_hash_pairwise_coef;

/* Draw a function of the family from a splitmix64 stream. */
static inline es_hash_pairwise_coef es_hash_pairwise_draw(uint64_t *state)
{
    es_hash_pairwise_coef f;
    uint64_t a_hi = es_hash_next(state), a_lo = es_hash_next(state);
    uint64_t b_hi = es_hash_next(state), b_lo = es_hash_next(state);
    f.a = ((unsigned __int128)a_hi << 64) | a_lo;
    f.b = ((unsigned __int128)b_hi << 64) | b_lo;
    return f;
}

/* h(key), uniform on 32 bits. */
static inline uint32_t es_hash_pairwise(es_hash_pairwise_coef f, uint64_t key)
{
    return (uint32_t)((f.a * key + f.b) >> 64);
}

/* h(key) scaled to [0, w). */
static inline uint32_t es_hash_pairwise_range(es_hash_pairwise_coef f, uint64_t key, uint32_t w)
{
    return (uint32_t)(((uint64_t)es_hash_pairwise(f, key) * w) >> 32);
}

#endif
