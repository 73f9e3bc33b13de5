/* rmat.c — streamed R-MAT edges (Chakrabarti, Zhan & Faloutsos, SDM 2004)
 * with counter-based splitmix64 draws (Steele, Lea & Flood, OOPSLA 2014) and
 * a keyed bijective relabelling of [0, 2^S).  O(S) per edge, O(1) memory;
 * the stream depends only on the parameters and the seed.  See rmat.h.
 */
#include "graph/rmat.h"

#include <math.h>

#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* Limit on edge_factor * 2^scale: keeps every draw counter (edge index times
 * at most 20 draws per edge) below 2^64, so no two edges share a draw. */
#define MAX_EDGES_LOG2 58

/* splitmix64's output function: a bijective 64-bit finaliser. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Draws per edge: one 64-bit draw serves two levels (32 bits each). */
static inline uint64_t draws_per_edge(unsigned scale)
{
    return (scale + 1) / 2;
}

static uint64_t threshold(double p)
{
    double t = nearbyint(p * 4294967296.0);
    if (t <= 0)
        return 0;
    if (t >= 4294967296.0)
        return UINT64_C(1) << 32;
    return (uint64_t)t;
}

static gboolean probability_ok(const char *name, double p, GError **error)
{
    if (!isfinite(p) || p < 0.0 || p > 1.0) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "rmat: %s must be a probability in [0, 1], got %g", name, p);
        return FALSE;
    }
    return TRUE;
}

gboolean es_rmat_init(es_rmat *r, const es_rmat_params *p, GError **error)
{
    g_return_val_if_fail(r != NULL && p != NULL, FALSE);
    if (p->scale < 1 || p->scale > ES_RMAT_MAX_SCALE) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "rmat: scale must be in 1..%d, got %u", ES_RMAT_MAX_SCALE,
                    p->scale);
        return FALSE;
    }
    if (p->edge_factor < 1 || p->edge_factor > (UINT64_C(1) << (MAX_EDGES_LOG2 - p->scale))) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "rmat: edge factor must be in 1..2^%u at scale %u (at most 2^%d edges), got %" G_GUINT64_FORMAT,
                    MAX_EDGES_LOG2 - p->scale, p->scale, MAX_EDGES_LOG2, p->edge_factor);
        return FALSE;
    }
    if (!probability_ok("a", p->a, error) || !probability_ok("b", p->b, error) || !probability_ok("c", p->c, error))
        return FALSE;
    if (p->a + p->b + p->c > 1.0 + 1e-9) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "rmat: a + b + c must be at most 1 (d = 1 - a - b - c), got %g",
                    p->a + p->b + p->c);
        return FALSE;
    }

    *r = (es_rmat){ 0 };
    r->scale = p->scale;
    r->mask = (UINT64_C(1) << p->scale) - 1;
    r->num_edges = p->edge_factor << p->scale;
    r->next_edge = 0;
    r->key = mix64(p->seed * GOLDEN_GAMMA + UINT64_C(0x2545f4914f6cdd1d));
    r->t1 = threshold(p->a);
    r->t2 = threshold(p->a + p->b);
    r->t3 = threshold(p->a + p->b + p->c);
    r->permute = p->permute;
    /* Keys of the relabelling come from their own stream, not the draws'. */
    uint64_t k = mix64(r->key ^ UINT64_C(0xd1b54a32d192ed03));
    r->pkey[0] = mix64(k + 1 * GOLDEN_GAMMA) & r->mask;
    r->pkey[1] = mix64(k + 2 * GOLDEN_GAMMA) | 1;
    r->pkey[2] = mix64(k + 3 * GOLDEN_GAMMA) | 1;
    r->pshift = (p->scale + 1) / 2;
    return TRUE;
}

/* Every step is a bijection of [0, 2^S): xor with a constant; multiplication
 * by an odd number mod 2^S (odd numbers are units mod 2^S, and the low S bits
 * of a product depend only on the low S bits of its factors); and
 * x ^ (x >> k), k >= 1, whose top k bits are x's and determine the rest. */
uint64_t es_rmat_permute(const es_rmat *r, uint64_t x)
{
    x = (x ^ r->pkey[0]) & r->mask;
    x = (x * r->pkey[1]) & r->mask;
    x ^= x >> r->pshift;
    x = (x * r->pkey[2]) & r->mask;
    x ^= x >> r->pshift;
    return x;
}

void es_rmat_seek(es_rmat *r, uint64_t index)
{
    r->next_edge = index < r->num_edges ? index : r->num_edges;
}

gboolean es_rmat_next(es_rmat *r, uint64_t *u, uint64_t *v)
{
    if (r->next_edge >= r->num_edges)
        return FALSE;
    const uint64_t t1 = r->t1, t2 = r->t2, t3 = r->t3;
    /* Counter of this edge's first draw; splitmix64 draw c is mix64(key + (c+1) * gamma). */
    uint64_t z = r->key + (r->next_edge * draws_per_edge(r->scale) + 1) * GOLDEN_GAMMA;
    uint64_t uu = 0, vv = 0;
    unsigned left = r->scale;
    /* Quadrant q = 0 (a), 1 (b), 2 (c), 3 (d): u takes q's high bit, v its low bit. */
#define ES_RMAT_LEVEL(x)                                      \
    do {                                                      \
        uint64_t x_ = (x);                                    \
        unsigned q_ = (x_ >= t1) + (x_ >= t2) + (x_ >= t3);   \
        uu = (uu << 1) | (q_ >> 1);                           \
        vv = (vv << 1) | (q_ & 1);                            \
    } while (0)
    for (; left >= 2; left -= 2, z += GOLDEN_GAMMA) {
        uint64_t d = mix64(z);
        ES_RMAT_LEVEL(d >> 32);
        ES_RMAT_LEVEL(d & UINT32_MAX);
    }
    if (left)
        ES_RMAT_LEVEL(mix64(z) >> 32);
#undef ES_RMAT_LEVEL
    r->next_edge++;
    if (r->permute) {
        uu = es_rmat_permute(r, uu);
        vv = es_rmat_permute(r, vv);
    }
    *u = uu;
    *v = vv;
    return TRUE;
}
