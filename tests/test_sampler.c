/* test_sampler.c — sketches/sampler: the generator's draws are in range,
 * uniform and reproducible; Algorithm R fills slots 0 .. m-1 in order and
 * then keeps each item with probability m/t. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sketches/sampler.h"
#include "tests/testutil.h"

static void test_generator_below_is_in_range_and_uniform(void)
{
    es_rng r;
    es_rng_seed(&r, 7);
    uint32_t hist[7] = { 0 };
    for (int i = 0; i < 70000; i++) {
        uint64_t x = es_rng_below(&r, 7);
        CU_ASSERT_FATAL(x < 7);
        hist[x]++;
    }
    for (int i = 0; i < 7; i++)
        CU_ASSERT(fabs(hist[i] - 10000.0) < 5 * sqrt(10000.0 * 6 / 7));
    /* same seed, same sequence; different seed, different one */
    es_rng a, b, c;
    es_rng_seed(&a, 99);
    es_rng_seed(&b, 99);
    es_rng_seed(&c, 100);
    int same = 0, diff = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = es_rng_next(&a), y = es_rng_next(&b), z = es_rng_next(&c);
        same += x == y;
        diff += x != z;
    }
    CU_ASSERT_EQUAL(same, 100);
    CU_ASSERT(diff >= 99);
    CU_ASSERT_EQUAL(es_rng_below(&a, 1), 0);
}

static void test_algorithm_r_fills_in_order_then_keeps_each_item_with_probability_m_over_t(void)
{
    es_sampler s;
    es_sampler_init(&s, 4, 1);
    for (uint32_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(es_sampler_offer(&s), i);
    CU_ASSERT_EQUAL(s.t, 4);
    /* 40 items into 10 slots, 4000 seeds: item i survives with probability
     * 1/4; its count is Binomial(4000, 1/4), sd ~27.4. */
    const uint32_t M = 10, T = 40, R = 4000;
    uint32_t count[40] = { 0 };
    for (uint32_t seed = 1; seed <= R; seed++) {
        uint32_t slot[10];
        es_sampler_init(&s, M, seed);
        for (uint32_t i = 0; i < T; i++) {
            uint32_t at = es_sampler_offer(&s);
            CU_ASSERT_FATAL(at == ES_SAMPLER_SKIP || at < M);
            if (at != ES_SAMPLER_SKIP)
                slot[at] = i;
        }
        for (uint32_t j = 0; j < M; j++)
            count[slot[j]]++;
    }
    double expect = (double)R * M / T, sd = sqrt(R * (double)M / T * (1 - (double)M / T));
    for (uint32_t i = 0; i < T; i++) {
        if (fabs(count[i] - expect) > 4.5 * sd)
            fprintf(stderr, "\n  item %u kept %u times of %u, expected %.0f\n", i, count[i], R, expect);
        CU_ASSERT(fabs(count[i] - expect) <= 4.5 * sd);
    }
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_generator_below_is_in_range_and_uniform),
        ES_TEST(test_algorithm_r_fills_in_order_then_keeps_each_item_with_probability_m_over_t),
        { NULL, NULL },
    };
    return es_test_main("sampler", tests);
}
