/* test_hll.c — HyperLogLog (sketches/hll.c) against exact distinct counts.
 *
 * What is checked: estimates within 3 standard errors (3 * 1.04 / sqrt(m)
 * relative) at 100, 10^4 and 10^6 distinct keys for several p and seeds,
 * with keys both consecutive (like dense ids) and scattered; the estimator
 * is unbiased across the range where plain HyperLogLog needs corrections
 * (mean relative error over 200 seeds, from 1 key to 400 m); repeated keys
 * change nothing; merging is exactly the sketch of the union; the parallel
 * batch update equals single updates for any thread count; saved state
 * round-trips.  Randomised cases use fixed seeds and print them when an
 * assertion fails.
 */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/hash.h"
#include "sketches/hll.h"
#include "tests/testutil.h"

static void test_empty_sketch_estimates_zero_and_one_key_estimates_one(void)
{
    es_hll *h = es_hll_new(14, 1);
    CU_ASSERT_EQUAL(es_hll_estimate(h), 0.0);
    es_hll_add(h, 123);
    CU_ASSERT(fabs(es_hll_estimate(h) - 1.0) < 0.01);
    CU_ASSERT_EQUAL(es_hll_registers_count(h), 16384);
    CU_ASSERT_EQUAL(es_hll_p(h), 14);
    CU_ASSERT_EQUAL(es_hll_seed(h), 1);
    CU_ASSERT(fabs(es_hll_stderr(h) - 1.04 / 128) < 1e-15);
    es_hll_free(h);
}

static void test_estimate_is_within_three_standard_errors_at_100_10k_and_1m(void)
{
    const size_t ns[] = { 100, 10000, 1000000 };
    const unsigned ps[] = { 10, 14, 16 };
    for (size_t a = 0; a < G_N_ELEMENTS(ns); a++) {
        for (size_t b = 0; b < G_N_ELEMENTS(ps); b++) {
            for (uint64_t seed = 1; seed <= 3; seed++) {
                es_hll *h = es_hll_new(ps[b], seed);
                /* Seeds 1 and 3 see consecutive ids, seed 2 scattered ones. */
                for (size_t i = 0; i < ns[a]; i++)
                    es_hll_add(h, seed == 2 ? es_hash_mix64(i ^ 0xDEADBEEF) : (uint64_t)i);
                double est = es_hll_estimate(h);
                double bound = 3 * es_hll_stderr(h) * (double)ns[a];
                int ok = fabs(est - (double)ns[a]) <= bound;
                if (!ok)
                    fprintf(stderr, "\n  n=%zu p=%u seed %" PRIu64 ": estimate %.1f, allowed +-%.1f\n",
                            ns[a], ps[b], seed, est, bound);
                CU_ASSERT(ok);
                es_hll_free(h);
            }
        }
    }
}

static void test_estimator_is_unbiased_from_one_key_to_hundreds_of_times_m(void)
{
    /* p = 8 (m = 256): mean relative error over R seeds must be within 3
     * standard errors of the mean, 3 * 1.04 / 16 / sqrt(R); its spread at
     * most 1.15 * 1.04 / 16. */
    const unsigned p = 8;
    const int R = 200;
    const size_t ns[] = { 1, 10, 100, 300, 640, 1000, 1500, 2500, 5000, 100000 };
    const double se = 1.04 / 16;
    for (size_t a = 0; a < G_N_ELEMENTS(ns); a++) {
        double sum = 0, sum2 = 0;
        for (int r = 0; r < R; r++) {
            es_hll *h = es_hll_new(p, (uint64_t)r + 100);
            for (size_t i = 0; i < ns[a]; i++)
                es_hll_add(h, i);
            double e = es_hll_estimate(h) / (double)ns[a] - 1;
            sum += e;
            sum2 += e * e;
            es_hll_free(h);
        }
        double mean = sum / R, sd = sqrt(sum2 / R - mean * mean);
        int ok = fabs(mean) <= 3 * se / sqrt(R) && sd <= 1.15 * se;
        if (!ok)
            fprintf(stderr, "\n  n=%zu seeds 100..%d: mean relative error %.4f, spread %.4f\n",
                    ns[a], 100 + R - 1, mean, sd);
        CU_ASSERT(ok);
    }
}

static void test_repeated_keys_do_not_change_the_sketch(void)
{
    es_hll *a = es_hll_new(12, 5), *b = es_hll_new(12, 5);
    for (uint64_t i = 0; i < 20000; i++)
        es_hll_add(a, i);
    for (int rep = 0; rep < 3; rep++)
        for (uint64_t i = 20000; i-- > 0;)
            es_hll_add(b, i);
    CU_ASSERT_EQUAL(memcmp(es_hll_registers(a), es_hll_registers(b), 4096), 0);
    CU_ASSERT_EQUAL(es_hll_estimate(a), es_hll_estimate(b));
    es_hll_free(a);
    es_hll_free(b);
}

static void test_merge_equals_the_sketch_of_the_union(void)
{
    es_hll *a = es_hll_new(14, 9), *b = es_hll_new(14, 9), *u = es_hll_new(14, 9);
    for (uint64_t i = 0; i < 60000; i++)
        es_hll_add(a, i);
    for (uint64_t i = 40000; i < 100000; i++)
        es_hll_add(b, i);
    for (uint64_t i = 0; i < 100000; i++)
        es_hll_add(u, i);
    GError *err = NULL;
    CU_ASSERT_TRUE(es_hll_merge(a, b, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(memcmp(es_hll_registers(a), es_hll_registers(u), 16384), 0);
    CU_ASSERT(fabs(es_hll_estimate(a) - 100000) <= 3 * es_hll_stderr(a) * 100000);
    es_hll_free(a);
    es_hll_free(b);
    es_hll_free(u);
}

static void test_merge_of_different_p_or_seed_is_refused(void)
{
    es_hll *a = es_hll_new(12, 1), *b = es_hll_new(13, 1), *c = es_hll_new(12, 2);
    es_hll_add(a, 1);
    es_hll_add(b, 2);
    es_hll_add(c, 3);
    uint8_t *before = g_memdup2(es_hll_registers(a), 4096);
    GError *err = NULL;
    CU_ASSERT_FALSE(es_hll_merge(a, b, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    g_clear_error(&err);
    CU_ASSERT_FALSE(es_hll_merge(a, c, &err));
    CU_ASSERT(err && strstr(err->message, "hyperloglog: cannot merge"));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(memcmp(es_hll_registers(a), before, 4096), 0);
    g_free(before);
    es_hll_free(a);
    es_hll_free(b);
    es_hll_free(c);
}

static void test_add_many_equals_single_adds_for_any_thread_count(void)
{
    const size_t n = 300000;
    uint64_t *keys = g_new(uint64_t, n);
    for (size_t i = 0; i < n; i++)
        keys[i] = es_hash_mix64(i % 150000);
    es_hll *ref = es_hll_new(16, 4);
    for (size_t i = 0; i < n; i++)
        es_hll_add(ref, keys[i]);
    const int threads[] = { 1, 2, 4, 7 };
    const int saved = omp_get_max_threads();
    for (size_t t = 0; t < G_N_ELEMENTS(threads); t++) {
        omp_set_num_threads(threads[t]);
        es_hll *h = es_hll_new(16, 4);
        es_hll_add_many(h, keys, n);
        CU_ASSERT_EQUAL(memcmp(es_hll_registers(h), es_hll_registers(ref), 65536), 0);
        es_hll_free(h);
    }
    omp_set_num_threads(saved);
    es_hll_free(ref);
    g_free(keys);
}

static void test_restore_round_trips_and_rejects_out_of_range_registers(void)
{
    es_hll *h = es_hll_new(10, 77);
    for (uint64_t i = 0; i < 5000; i++)
        es_hll_add(h, i * 3);
    GError *err = NULL;
    es_hll *back = es_hll_restore(es_hll_p(h), es_hll_seed(h), es_hll_registers(h), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(es_hll_estimate(back), es_hll_estimate(h));
    es_hll_add(back, 999999);
    es_hll_add(h, 999999);
    CU_ASSERT_EQUAL(memcmp(es_hll_registers(back), es_hll_registers(h), 1024), 0);
    uint8_t *bad = g_memdup2(es_hll_registers(h), 1024);
    bad[17] = 56;   /* at p = 10 a register is at most 65 - 10 = 55 */
    CU_ASSERT_PTR_NULL(es_hll_restore(10, 77, bad, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(es_hll_restore(19, 77, bad, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    g_free(bad);
    es_hll_free(back);
    es_hll_free(h);
}

static void test_registers_reach_their_largest_value_without_breaking_the_estimate(void)
{
    /* A register at q + 1 = 65 - p means the hash's low q bits were all 0;
     * set them by hand (as a restore could) and the estimate stays finite. */
    uint8_t reg[16];
    for (int i = 0; i < 16; i++)
        reg[i] = (uint8_t)(i == 0 ? 61 : 3);
    GError *err = NULL;
    es_hll *h = es_hll_restore(4, 1, reg, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    double e = es_hll_estimate(h);
    CU_ASSERT(isfinite(e) && e > 0);
    es_hll_free(h);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_empty_sketch_estimates_zero_and_one_key_estimates_one),
        ES_TEST(test_estimate_is_within_three_standard_errors_at_100_10k_and_1m),
        ES_TEST(test_estimator_is_unbiased_from_one_key_to_hundreds_of_times_m),
        ES_TEST(test_repeated_keys_do_not_change_the_sketch),
        ES_TEST(test_merge_equals_the_sketch_of_the_union),
        ES_TEST(test_merge_of_different_p_or_seed_is_refused),
        ES_TEST(test_add_many_equals_single_adds_for_any_thread_count),
        ES_TEST(test_restore_round_trips_and_rejects_out_of_range_registers),
        ES_TEST(test_registers_reach_their_largest_value_without_breaking_the_estimate),
        { NULL, NULL },
    };
    return es_test_main("hll", tests);
}
