/* test_rmat.c — CUnit suite for graph/rmat: the streamed R-MAT generator.
 *
 * Checks determinism (same seed, same stream; seek agrees with sequential
 * generation; a golden hash pins the stream across builds), ranges, the
 * exact edge count, the quadrant frequencies against a, b, c, d, and that
 * the vertex relabelling is a bijection.  Every case uses fixed seeds and
 * prints the seed when an assertion fails.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/rmat.h"
#include "tests/testutil.h"

static es_rmat make(unsigned scale, uint64_t ef, uint64_t seed, gboolean permute)
{
    es_rmat_params p = ES_RMAT_GRAPH500(scale);
    p.edge_factor = ef;
    p.seed = seed;
    p.permute = permute;
    es_rmat r;
    GError *err = NULL;
    gboolean ok = es_rmat_init(&r, &p, &err);
    if (!ok)
        fprintf(stderr, "\n  es_rmat_init: %s\n", err->message);
    CU_ASSERT_FATAL(ok);
    return r;
}

static void test_same_seed_gives_the_same_stream(void)
{
    const uint64_t seed = 12345;
    es_rmat r1 = make(18, 4, seed, TRUE), r2 = make(18, 4, seed, TRUE);
    uint64_t u1, v1, u2, v2;
    size_t diff = 0, n = 0;
    while (es_rmat_next(&r1, &u1, &v1)) {
        CU_ASSERT_FATAL(es_rmat_next(&r2, &u2, &v2));
        diff += u1 != u2 || v1 != v2;
        n++;
    }
    ES_CHECK_SEED(diff == 0, seed);
    ES_CHECK_SEED(n == (UINT64_C(4) << 18), seed);
    CU_ASSERT_FALSE(es_rmat_next(&r2, &u2, &v2));
}

static void test_seek_gives_the_same_edges_as_generating_up_to_them(void)
{
    const uint64_t seed = 99;
    for (unsigned scale = 1; scale <= 9; scale += 4) {   /* odd scales: a half-used last draw */
        es_rmat seq = make(scale, 64, seed, TRUE), jump = make(scale, 64, seed, TRUE);
        uint64_t total = UINT64_C(64) << scale;
        uint64_t *us = g_new(uint64_t, total), *vs = g_new(uint64_t, total);
        for (uint64_t i = 0; i < total; i++)
            CU_ASSERT_FATAL(es_rmat_next(&seq, &us[i], &vs[i]));
        size_t bad = 0;
        for (uint64_t k = 0; k < total; k++) {   /* every edge, backwards */
            uint64_t i = total - 1 - k, u, v;
            es_rmat_seek(&jump, i);
            CU_ASSERT_FATAL(es_rmat_next(&jump, &u, &v));
            bad += u != us[i] || v != vs[i];
        }
        ES_CHECK_SEED(bad == 0, seed);
        es_rmat_seek(&jump, total + 5);
        uint64_t u, v;
        CU_ASSERT_FALSE(es_rmat_next(&jump, &u, &v));
        g_free(us);
        g_free(vs);
    }
}

static void test_different_seeds_give_different_streams(void)
{
    es_rmat r1 = make(20, 1, 1, TRUE), r2 = make(20, 1, 2, TRUE);
    size_t same = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t u1, v1, u2, v2;
        es_rmat_next(&r1, &u1, &v1);
        es_rmat_next(&r2, &u2, &v2);
        same += u1 == u2 && v1 == v2;
    }
    /* High-degree pairs can coincide by chance, but not most of them. */
    CU_ASSERT(same < 50);
}

/* FNV-1a over the first 1000 edges of scale 20, seed 42, Graph500
 * parameters, permuted.  A change of this value changes every stream users
 * have generated: do it only on purpose, and say so. */
static void test_stream_is_the_same_on_every_build(void)
{
    es_rmat r = make(20, 16, 42, TRUE);
    uint64_t h = UINT64_C(0xcbf29ce484222325), u, v;
    for (int i = 0; i < 1000; i++) {
        CU_ASSERT_FATAL(es_rmat_next(&r, &u, &v));
        h = (h ^ u) * UINT64_C(0x100000001b3);
        h = (h ^ v) * UINT64_C(0x100000001b3);
    }
    if (h != UINT64_C(0xc3184ef1fd720d7a))
        fprintf(stderr, "\n  golden hash is 0x%016" G_GINT64_MODIFIER "x\n", (guint64)h);
    CU_ASSERT_EQUAL(h, UINT64_C(0xc3184ef1fd720d7a));
}

static void test_ids_stay_below_two_to_the_scale(void)
{
    const unsigned scales[] = { 1, 2, 3, 7, 20, 33, 39, 40 };
    const uint64_t seed = 7;
    for (size_t k = 0; k < G_N_ELEMENTS(scales); k++) {
        for (int permute = 0; permute <= 1; permute++) {
            unsigned s = scales[k];
            es_rmat r = make(s, s < 15 ? UINT64_C(20000) >> s | 1 : 1, seed, permute);
            uint64_t limit = UINT64_C(1) << s, u, v, over = 0, top = 0;
            for (int i = 0; i < 20000 && es_rmat_next(&r, &u, &v); i++) {
                over += u >= limit || v >= limit;
                top |= u | v;
            }
            ES_CHECK_SEED(over == 0, seed);
            /* The highest id bit is used too (not stuck at zero). */
            ES_CHECK_SEED((top >> (s - 1)) == 1, seed);
        }
    }
}

static void test_stream_has_edge_factor_times_two_to_the_scale_edges(void)
{
    const struct { unsigned scale; uint64_t ef; } cases[] = { { 1, 1 }, { 1, 3 }, { 10, 10 }, { 12, 16 } };
    for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
        es_rmat r = make(cases[k].scale, cases[k].ef, 1, TRUE);
        uint64_t n = 0, u = 0, v = 0;
        while (es_rmat_next(&r, &u, &v))
            n++;
        CU_ASSERT_EQUAL(n, cases[k].ef << cases[k].scale);
        /* After the end: FALSE again, outputs untouched. */
        uint64_t u2 = 777, v2 = 888;
        CU_ASSERT_FALSE(es_rmat_next(&r, &u2, &v2));
        CU_ASSERT(u2 == 777 && v2 == 888);
    }
}

/* Frequencies of the quadrant choice at every level over 2^20 (> 1e6)
 * unpermuted edges.  Tolerance: |observed - expected| <= 0.003 per quadrant
 * and level, which is at least 6 standard deviations (sqrt(p(1-p)/N) <= 4.9e-4
 * for N = 2^20), so a correct generator fails with negligible probability. */
static void check_quadrants(double a, double b, double c, uint64_t seed)
{
    enum { SCALE = 20 };
    es_rmat_params p = { .scale = SCALE, .edge_factor = 1, .a = a, .b = b, .c = c, .seed = seed, .permute = FALSE };
    es_rmat r;
    CU_ASSERT_FATAL(es_rmat_init(&r, &p, NULL));
    uint64_t counts[SCALE][4] = { { 0 } }, u, v, n = 0;
    while (es_rmat_next(&r, &u, &v)) {
        for (int level = 0; level < SCALE; level++) {
            int bit = SCALE - 1 - level; /* level 0 is the top bit */
            counts[level][((u >> bit) & 1) * 2 + ((v >> bit) & 1)]++;
        }
        n++;
    }
    CU_ASSERT_FATAL(n >= 1000000);
    const double expect[4] = { a, b, c, 1.0 - a - b - c };
    double worst = 0;
    for (int level = 0; level < SCALE; level++)
        for (int q = 0; q < 4; q++) {
            double err = (double)counts[level][q] / (double)n - expect[q];
            if (err < 0)
                err = -err;
            if (err > worst)
                worst = err;
        }
    if (worst > 0.003)
        fprintf(stderr, "\n  a=%g b=%g c=%g: worst quadrant frequency error %.5f\n", a, b, c, worst);
    ES_CHECK_SEED(worst <= 0.003, seed);
}

static void test_quadrant_frequencies_match_graph500_a_b_c_d(void)
{
    check_quadrants(0.57, 0.19, 0.19, 1);
}

static void test_quadrant_frequencies_follow_custom_parameters(void)
{
    check_quadrants(0.25, 0.25, 0.25, 3);
    check_quadrants(0.45, 0.15, 0.35, 4);
}

static void test_d_zero_never_sets_both_bits_and_a_one_gives_vertex_zero(void)
{
    es_rmat_params p = { .scale = 16, .edge_factor = 2, .a = 0.5, .b = 0.25, .c = 0.25, .seed = 5, .permute = FALSE };
    es_rmat r;
    uint64_t u, v, both = 0, nonzero = 0;
    CU_ASSERT_FATAL(es_rmat_init(&r, &p, NULL));
    while (es_rmat_next(&r, &u, &v))
        both |= u & v;
    CU_ASSERT_EQUAL(both, 0);

    p.a = 1.0;
    p.b = p.c = 0.0;
    CU_ASSERT_FATAL(es_rmat_init(&r, &p, NULL));
    while (es_rmat_next(&r, &u, &v))
        nonzero += u != 0 || v != 0;
    CU_ASSERT_EQUAL(nonzero, 0);
}

static void test_permutation_is_a_bijection_for_small_scales(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (unsigned s = 1; s <= 16; s++) {
            es_rmat r = make(s, 1, seed, TRUE);
            uint64_t n = UINT64_C(1) << s, fixed = 0;
            guint8 *seen = g_new0(guint8, n);
            gboolean ok = TRUE;
            for (uint64_t x = 0; x < n; x++) {
                uint64_t y = es_rmat_permute(&r, x);
                if (y >= n || seen[y]) {
                    ok = FALSE;
                    break;
                }
                seen[y] = 1;
                fixed += y == x;
            }
            ES_CHECK_SEED(ok, seed);
            /* It does relabel: few fixed points once there is room. */
            if (s >= 8)
                ES_CHECK_SEED(fixed < n / 8, seed);
            g_free(seen);
        }
    }
}

static void test_permuted_stream_is_the_raw_stream_relabelled(void)
{
    const uint64_t seed = 31;
    es_rmat raw = make(15, 4, seed, FALSE), perm = make(15, 4, seed, TRUE);
    uint64_t u, v, pu, pv, bad = 0;
    while (es_rmat_next(&raw, &u, &v)) {
        CU_ASSERT_FATAL(es_rmat_next(&perm, &pu, &pv));
        bad += pu != es_rmat_permute(&perm, u) || pv != es_rmat_permute(&perm, v);
    }
    ES_CHECK_SEED(bad == 0, seed);
}

static void test_bad_parameters_are_rejected_with_a_usage_error(void)
{
    const es_rmat_params good = ES_RMAT_GRAPH500(10);
    es_rmat_params bad[8];
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        bad[i] = good;
    bad[0].scale = 0;
    bad[1].scale = ES_RMAT_MAX_SCALE + 1;
    bad[2].edge_factor = 0;
    bad[3].scale = 40;
    bad[3].edge_factor = UINT64_C(1) << 20; /* 2^60 edges */
    bad[4].a = 0.6;
    bad[4].b = 0.3;
    bad[4].c = 0.2; /* a + b + c > 1 */
    bad[5].b = -0.1;
    bad[6].c = 1.5;
    bad[7].a = NAN;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        es_rmat r;
        GError *err = NULL;
        CU_ASSERT_FALSE(es_rmat_init(&r, &bad[i], &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        if (err) {
            CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
            CU_ASSERT(g_str_has_prefix(err->message, "rmat: "));
            g_error_free(err);
        }
    }
    es_rmat r;
    CU_ASSERT_TRUE(es_rmat_init(&r, &good, NULL));
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_same_seed_gives_the_same_stream),
        ES_TEST(test_seek_gives_the_same_edges_as_generating_up_to_them),
        ES_TEST(test_different_seeds_give_different_streams),
        ES_TEST(test_stream_is_the_same_on_every_build),
        ES_TEST(test_ids_stay_below_two_to_the_scale),
        ES_TEST(test_stream_has_edge_factor_times_two_to_the_scale_edges),
        ES_TEST(test_quadrant_frequencies_match_graph500_a_b_c_d),
        ES_TEST(test_quadrant_frequencies_follow_custom_parameters),
        ES_TEST(test_d_zero_never_sets_both_bits_and_a_one_gives_vertex_zero),
        ES_TEST(test_permutation_is_a_bijection_for_small_scales),
        ES_TEST(test_permuted_stream_is_the_raw_stream_relabelled),
        ES_TEST(test_bad_parameters_are_rejected_with_a_usage_error),
        { NULL, NULL },
    };
    return es_test_main("rmat", tests);
}
