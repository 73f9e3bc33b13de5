/* sampler.h — which slot of a fixed-size uniform sample the next item of a
 * stream takes, and the deterministic generator that decides it.
 *
 * Sampling: Algorithm R (Vitter, "Random sampling with a reservoir", ACM
 * TOMS 1985).  The first m items fill slots 0 .. m-1; the t-th (t > m)
 * draws x uniform in [0, t) and, when x < m, replaces the item in slot x.
 * After t items the sample is a uniform m-subset of them, and an item
 * leaves it only by being replaced.  O(1) per item, 48 bytes in all.
 *
 * Randomness: xoshiro256** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021) seeded through
 * splitmix64 (Steele, Lea & Flood, OOPSLA 2014); x is drawn with Lemire's
 * multiply-and-reject ("Fast random integer generation in an interval",
 * ACM TOMACS 2019), so it is exactly uniform.  The same seed gives the same
 * draws on every platform and build; the state is four u64.
 *
 * What the items are is the caller's business (operators/edge_reservoir.c
 * samples edges and keeps them as a graph).
 */
#ifndef ES_SAMPLER_H
#define ES_SAMPLER_H

#include <glib.h>
#include <stdint.h>

/* ---- the generator ---------------------------------------------------- */

typedef struct {
    uint64_t s[4];
} es_rng;

/* State from a 64-bit seed through splitmix64 (never all zero). */
void es_rng_seed(es_rng *r, uint64_t seed);

static inline uint64_t es_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: the next 64 random bits. */
static inline uint64_t es_rng_next(es_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = es_rng_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = es_rng_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n), n >= 1, exactly (multiply, reject the biased low part). */
static inline uint64_t es_rng_below(es_rng *r, uint64_t n)
{
    unsigned __int128 p = (unsigned __int128)es_rng_next(r) * n;
    uint64_t low = (uint64_t)p;
    if (G_UNLIKELY(low < n)) {
        const uint64_t floor = -n % n;
        while (low < floor) {
            p = (unsigned __int128)es_rng_next(r) * n;
            low = (uint64_t)p;
        }
    }
    return (uint64_t)(p >> 64);
}

/* ---- Algorithm R ------------------------------------------------------ */

/* es_sampler_offer's answer when the item is not taken. */
#define ES_SAMPLER_SKIP UINT32_MAX

typedef struct {
    uint32_t m;    /* slots */
    uint64_t t;    /* items offered so far */
    es_rng   rng;
} es_sampler;

static inline void es_sampler_init(es_sampler *s, uint32_t m, uint64_t seed)
{
    s->m = m;
    s->t = 0;
    es_rng_seed(&s->rng, seed);
}

/* Count one more item: the slot it takes (slot t-1 while the sample fills,
 * a uniform replacement after), or ES_SAMPLER_SKIP. */
static inline uint32_t es_sampler_offer(es_sampler *s)
{
    s->t++;
    if (s->t <= s->m)
        return (uint32_t)(s->t - 1);
    uint64_t x = es_rng_below(&s->rng, s->t);
    return x < s->m ? (uint32_t)x : ES_SAMPLER_SKIP;
}

#endif
