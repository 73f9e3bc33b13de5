/* test_countmin.c — the Count-Min sketch (sketches/countmin.c) against
 * exact counts.
 *
 * Streams are Zipf-like (P(rank r) proportional to 1 / r^s) over scattered
 * 64-bit ids, with exact counts kept by rank.  What is checked: no query
 * ever underestimates; the fraction of queried keys (every key seen, plus
 * keys never seen) whose overestimate exceeds eps * N is at most delta;
 * conservative update never underestimates and never exceeds plain update;
 * merging equals sketching the concatenated stream, counter for counter;
 * the parallel batch update equals single updates for any thread count;
 * saved state round-trips.  Randomised cases use fixed seeds and print the
 * seed and skew when an assertion fails.
 */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/countmin.h"
#include "sketches/hash.h"
#include "tests/testutil.h"

#define SEEDED_ASSERT(cond, seed, skew)                                                    \
    do {                                                                                   \
        int ok_ = (cond);                                                                  \
        if (!ok_)                                                                          \
            fprintf(stderr, "\n  failed with seed %" PRIu64 ", skew %.2f: %s\n",           \
                    (uint64_t)(seed), (double)(skew), #cond);                              \
        CU_ASSERT(ok_);                                                                    \
    } while (0)

/* The 64-bit id of rank r: scattered, so the sketch sees arbitrary keys. */
static uint64_t id_of(uint32_t r)
{
    return es_hash_mix64((uint64_t)r * 2 + 1);
}

static void test_dimensions_follow_eps_and_delta(void)
{
    CU_ASSERT_EQUAL(es_cm_width_for(0.001), 2719);
    CU_ASSERT_EQUAL(es_cm_depth_for(0.01), 5);
    CU_ASSERT_EQUAL(es_cm_width_for(0.1), 28);
    CU_ASSERT_EQUAL(es_cm_depth_for(0.5), 1);
    CU_ASSERT_EQUAL(es_cm_depth_for(1.0), 1);
    es_cm *cm = es_cm_new(0.001, 0.01, 1, FALSE);
    CU_ASSERT_EQUAL(es_cm_width(cm), 2719);
    CU_ASSERT_EQUAL(es_cm_depth(cm), 5);
    CU_ASSERT(es_cm_eps(cm) <= 0.001);
    CU_ASSERT(es_cm_delta(cm) <= 0.01);
    CU_ASSERT_EQUAL(es_cm_total(cm), 0);
    CU_ASSERT_EQUAL(es_cm_query(cm, 42), 0);
    es_cm_free(cm);
}

static void test_weighted_updates_add_their_count(void)
{
    es_cm *cm = es_cm_new_dims(1000, 4, 9, FALSE);
    es_cm_update(cm, 7, 5);
    es_cm_update(cm, 7, 3);
    es_cm_update(cm, UINT64_MAX, 2);
    CU_ASSERT_EQUAL(es_cm_total(cm), 10);
    CU_ASSERT(es_cm_query(cm, 7) >= 8);
    CU_ASSERT(es_cm_query(cm, UINT64_MAX) >= 2);
    /* One row of width 1 counts everything in one counter. */
    es_cm *one = es_cm_new_dims(1, 1, 9, FALSE);
    es_cm_update(one, 1, 4);
    es_cm_update(one, 2, 6);
    CU_ASSERT_EQUAL(es_cm_query(one, 3), 10);
    es_cm_free(one);
    es_cm_free(cm);
}

/* Check the guarantees on one stream; conservative or not. */
static void check_zipf_stream(uint64_t seed, double skew, gboolean conservative)
{
    const size_t n = 200000;
    const uint32_t universe = 50000;
    const double eps = 0.001, delta = 0.01;
    uint32_t *ranks = es_test_zipf_ranks(n, universe, skew, seed);
    uint64_t *exact = g_new0(uint64_t, universe);
    es_cm *cm = es_cm_new(eps, delta, seed, conservative);
    es_cm *plain = es_cm_new(eps, delta, seed, FALSE);
    for (size_t i = 0; i < n; i++) {
        exact[ranks[i]]++;
        es_cm_update(cm, id_of(ranks[i]), 1);
        es_cm_update(plain, id_of(ranks[i]), 1);
    }
    const double bound = eps * (double)n;
    SEEDED_ASSERT(es_cm_error_bound(cm) <= bound, seed, skew);
    size_t queried = 0, beyond = 0, under = 0, above_plain = 0;
    for (uint32_t r = 0; r < universe; r++) {
        if (exact[r] == 0 && r % 10 != 0)   /* every seen key, and a tenth of the unseen */
            continue;
        uint64_t est = es_cm_query(cm, id_of(r));
        queried++;
        under += est < exact[r];
        beyond += (double)(est - exact[r]) > bound;
        above_plain += est > es_cm_query(plain, id_of(r));
    }
    /* Keys outside the universe were never seen. */
    for (uint32_t r = universe; r < universe + 2000; r++, queried++)
        beyond += (double)es_cm_query(cm, id_of(r)) > bound;
    SEEDED_ASSERT(under == 0, seed, skew);
    SEEDED_ASSERT((double)beyond <= delta * (double)queried, seed, skew);
    SEEDED_ASSERT(above_plain == 0, seed, skew);
    SEEDED_ASSERT(es_cm_total(cm) == n, seed, skew);
    es_cm_free(plain);
    es_cm_free(cm);
    g_free(exact);
    g_free(ranks);
}

static void test_query_never_underestimates_and_stays_within_eps_n_on_zipf_streams(void)
{
    const double skews[] = { 0.8, 1.1, 1.5 };
    for (uint64_t seed = 1; seed <= 3; seed++)
        for (size_t s = 0; s < G_N_ELEMENTS(skews); s++)
            check_zipf_stream(seed, skews[s], FALSE);
}

static void test_conservative_update_never_underestimates_and_never_exceeds_plain_update(void)
{
    const double skews[] = { 0.8, 1.5 };
    for (uint64_t seed = 11; seed <= 12; seed++)
        for (size_t s = 0; s < G_N_ELEMENTS(skews); s++)
            check_zipf_stream(seed, skews[s], TRUE);
}

static void test_merge_equals_the_sketch_of_the_concatenated_stream(void)
{
    const uint64_t seed = 5;
    const size_t n = 90000;
    uint32_t *ranks = es_test_zipf_ranks(n, 20000, 1.1, seed);
    es_cm *whole = es_cm_new(0.005, 0.001, seed, FALSE);
    es_cm *part[3];
    for (int p = 0; p < 3; p++)
        part[p] = es_cm_new(0.005, 0.001, seed, FALSE);
    for (size_t i = 0; i < n; i++) {
        es_cm_update(whole, id_of(ranks[i]), 1);
        es_cm_update(part[i * 3 / n], id_of(ranks[i]), 1);
    }
    GError *err = NULL;
    CU_ASSERT_TRUE(es_cm_merge(part[0], part[1], &err));
    CU_ASSERT_TRUE(es_cm_merge(part[0], part[2], &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(es_cm_total(part[0]), n);
    size_t cells = (size_t)es_cm_width(whole) * es_cm_depth(whole);
    CU_ASSERT_EQUAL(memcmp(es_cm_counters(part[0]), es_cm_counters(whole), cells * sizeof(uint64_t)), 0);
    for (int p = 0; p < 3; p++)
        es_cm_free(part[p]);
    es_cm_free(whole);
    g_free(ranks);
}

static void test_merge_of_different_shapes_or_seeds_is_refused(void)
{
    es_cm *a = es_cm_new_dims(100, 3, 1, FALSE);
    es_cm *other[] = {
        es_cm_new_dims(101, 3, 1, FALSE),
        es_cm_new_dims(100, 4, 1, FALSE),
        es_cm_new_dims(100, 3, 2, FALSE),
        es_cm_new_dims(100, 3, 1, TRUE),
    };
    es_cm_update(a, 1, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(other); i++) {
        es_cm_update(other[i], 1, 1);
        GError *err = NULL;
        CU_ASSERT_FALSE(es_cm_merge(a, other[i], &err));
        CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
        CU_ASSERT(err && strstr(err->message, "count-min: cannot merge"));
        g_clear_error(&err);
        CU_ASSERT_EQUAL(es_cm_total(a), 1);
        CU_ASSERT_EQUAL(es_cm_query(a, 1), 1);
        es_cm_free(other[i]);
    }
    es_cm_free(a);
}

static void test_add_many_equals_single_updates_for_any_thread_count(void)
{
    const size_t n = 100000;
    uint32_t *ranks = es_test_zipf_ranks(n, 30000, 1.0, 3);
    uint64_t *keys = g_new(uint64_t, n);
    for (size_t i = 0; i < n; i++)
        keys[i] = id_of(ranks[i]);
    es_cm *ref = es_cm_new(0.001, 0.0001, 3, FALSE);
    for (size_t i = 0; i < n; i++)
        es_cm_update(ref, keys[i], 1);
    const size_t cells = (size_t)es_cm_width(ref) * es_cm_depth(ref);
    const int threads[] = { 1, 2, 4, 7 };
    const int saved = omp_get_max_threads();
    for (size_t t = 0; t < G_N_ELEMENTS(threads); t++) {
        omp_set_num_threads(threads[t]);
        es_cm *cm = es_cm_new(0.001, 0.0001, 3, FALSE);
        es_cm_add_many(cm, keys, n / 2);
        es_cm_add_many(cm, keys + n / 2, n - n / 2);
        CU_ASSERT_EQUAL(es_cm_total(cm), n);
        CU_ASSERT_EQUAL(memcmp(es_cm_counters(cm), es_cm_counters(ref), cells * sizeof(uint64_t)), 0);
        es_cm_free(cm);
    }
    omp_set_num_threads(saved);
    /* The conservative sketch's batch update is its sequence of updates. */
    es_cm *c1 = es_cm_new(0.01, 0.01, 4, TRUE), *c2 = es_cm_new(0.01, 0.01, 4, TRUE);
    es_cm_add_many(c1, keys, n);
    for (size_t i = 0; i < n; i++)
        es_cm_update(c2, keys[i], 1);
    CU_ASSERT_EQUAL(memcmp(es_cm_counters(c1), es_cm_counters(c2),
                           (size_t)es_cm_width(c1) * es_cm_depth(c1) * sizeof(uint64_t)), 0);
    es_cm_free(c1);
    es_cm_free(c2);
    es_cm_free(ref);
    g_free(keys);
    g_free(ranks);
}

static void test_same_seed_gives_the_same_sketch_and_another_seed_another(void)
{
    es_cm *a = es_cm_new(0.01, 0.01, 77, FALSE), *b = es_cm_new(0.01, 0.01, 77, FALSE);
    es_cm *c = es_cm_new(0.01, 0.01, 78, FALSE);
    for (uint64_t k = 0; k < 5000; k++) {
        es_cm_update(a, k * k, 1);
        es_cm_update(b, k * k, 1);
        es_cm_update(c, k * k, 1);
    }
    size_t cells = (size_t)es_cm_width(a) * es_cm_depth(a);
    CU_ASSERT_EQUAL(memcmp(es_cm_counters(a), es_cm_counters(b), cells * sizeof(uint64_t)), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(es_cm_counters(a), es_cm_counters(c), cells * sizeof(uint64_t)), 0);
    es_cm_free(a);
    es_cm_free(b);
    es_cm_free(c);
}

static void test_restore_rebuilds_the_same_sketch_and_rejects_inconsistent_counters(void)
{
    es_cm *cm = es_cm_new(0.01, 0.05, 12, FALSE);
    for (uint64_t k = 0; k < 3000; k++)
        es_cm_update(cm, k % 250, 1 + k % 3);
    const uint32_t w = es_cm_width(cm), d = es_cm_depth(cm);
    GError *err = NULL;
    es_cm *back = es_cm_restore(w, d, es_cm_seed(cm), FALSE, es_cm_total(cm), es_cm_counters(cm), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    for (uint64_t k = 0; k < 300; k++)
        CU_ASSERT_EQUAL(es_cm_query(back, k), es_cm_query(cm, k));
    /* The restored sketch goes on exactly as the original. */
    es_cm_update(back, 5, 1);
    es_cm_update(cm, 5, 1);
    CU_ASSERT_EQUAL(memcmp(es_cm_counters(back), es_cm_counters(cm), (size_t)w * d * sizeof(uint64_t)), 0);

    uint64_t *bad = g_memdup2(es_cm_counters(cm), (size_t)w * d * sizeof(uint64_t));
    bad[w + 3]++;   /* row 1 no longer sums to the total */
    es_cm *no = es_cm_restore(w, d, 12, FALSE, es_cm_total(cm), bad, &err);
    CU_ASSERT_PTR_NULL(no);
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(es_cm_restore(0, d, 12, FALSE, 0, bad, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    g_free(bad);
    es_cm_free(back);
    es_cm_free(cm);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_dimensions_follow_eps_and_delta),
        ES_TEST(test_weighted_updates_add_their_count),
        ES_TEST(test_query_never_underestimates_and_stays_within_eps_n_on_zipf_streams),
        ES_TEST(test_conservative_update_never_underestimates_and_never_exceeds_plain_update),
        ES_TEST(test_merge_equals_the_sketch_of_the_concatenated_stream),
        ES_TEST(test_merge_of_different_shapes_or_seeds_is_refused),
        ES_TEST(test_add_many_equals_single_updates_for_any_thread_count),
        ES_TEST(test_same_seed_gives_the_same_sketch_and_another_seed_another),
        ES_TEST(test_restore_rebuilds_the_same_sketch_and_rejects_inconsistent_counters),
        { NULL, NULL },
    };
    return es_test_main("countmin", tests);
}
