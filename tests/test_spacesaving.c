/* test_spacesaving.c — Space-Saving (sketches/spacesaving.c) against exact
 * counts and against a plain verifier.
 *
 * The verifier is Space-Saving written the obvious way: an array of
 * counters, each stamped with the time of its last change, scanned for the
 * smallest (count, stamp) on every new key.  The stream-summary must hold
 * exactly the same items, and list them in the same order, after every
 * stream.
 *
 * What is checked against exact counts, on Zipf-like streams: for every
 * monitored key, count - error <= true count <= count; every error is at
 * most N / counters; the counts sum to N; every unmonitored key's true
 * count is at most the smallest count (so every key above N / counters is
 * monitored); and every key that es_ss_top marks guaranteed has a true
 * count at least the k-th largest true count of the stream.  The same after
 * merging summaries of the stream's parts (with N the whole stream's
 * length, and the counts summing to at most N).  Randomised cases use fixed
 * seeds and print the seed when an assertion fails.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/hash.h"
#include "sketches/spacesaving.h"
#include "tests/testutil.h"

#define SEEDED_ASSERT(cond, seed)                                                          \
    do {                                                                                   \
        int ok_ = (cond);                                                                  \
        if (!ok_)                                                                          \
            fprintf(stderr, "\n  failed with seed %" PRIu64 ": %s\n", (uint64_t)(seed), #cond); \
        CU_ASSERT(ok_);                                                                    \
    } while (0)

static uint64_t id_of(uint32_t r)
{
    return es_hash_mix64((uint64_t)r * 2 + 1);
}

static int u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/* Every guarantee of the summary, for a stream with exact counts by rank
 * (ranks < universe, ids from id_of). */
static void check_guarantees(const es_ss *ss, const uint64_t *exact, uint32_t universe, uint64_t n,
                             gboolean sums_to_n, size_t k, gboolean expect_some, uint64_t seed)
{
    const uint32_t cap = es_ss_capacity(ss);
    es_ss_item *items = g_new(es_ss_item, cap);
    SEEDED_ASSERT(es_ss_items(ss, items) == es_ss_size(ss), seed);
    GHashTable *rank_of = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t *ids = g_new(uint64_t, universe);
    for (uint32_t r = 0; r < universe; r++) {
        ids[r] = id_of(r);
        g_hash_table_insert(rank_of, &ids[r], GUINT_TO_POINTER(r + 1));
    }
    SEEDED_ASSERT(es_ss_total(ss) == n, seed);
    uint64_t sum = 0;
    size_t bad_bounds = 0, big_error = 0;
    for (uint32_t i = 0; i < es_ss_size(ss); i++) {
        guint r1 = GPOINTER_TO_UINT(g_hash_table_lookup(rank_of, &items[i].key));
        uint64_t f = r1 ? exact[r1 - 1] : 0;
        sum += items[i].count;
        bad_bounds += !(items[i].count - items[i].error <= f && f <= items[i].count);
        big_error += (double)items[i].error > (double)n / cap;
    }
    SEEDED_ASSERT(bad_bounds == 0, seed);
    SEEDED_ASSERT(big_error == 0, seed);
    SEEDED_ASSERT(sums_to_n ? sum == n : sum <= n, seed);
    SEEDED_ASSERT((double)es_ss_min_count(ss) <= (double)n / cap, seed);
    /* Unmonitored keys: at most the smallest count, so at most N / cap. */
    size_t unmonitored_too_big = 0;
    for (uint32_t r = 0; r < universe; r++) {
        uint64_t c, e;
        if (!es_ss_query(ss, ids[r], &c, &e))
            unmonitored_too_big += exact[r] > es_ss_min_count(ss) || (double)exact[r] > (double)n / cap;
    }
    SEEDED_ASSERT(unmonitored_too_big == 0, seed);
    /* Guaranteed top-k keys are true top-k keys. */
    uint64_t *sorted = g_memdup2(exact, universe * sizeof(uint64_t));
    qsort(sorted, universe, sizeof(uint64_t), u64_desc);
    const uint64_t kth = sorted[k - 1];
    es_ss_item *top = g_new(es_ss_item, k);
    gboolean *sure = g_new(gboolean, k);
    size_t got = es_ss_top(ss, k, top, sure), guaranteed = 0, wrong = 0;
    const uint64_t threshold = es_ss_top_threshold(ss, k);
    for (size_t i = 0; i < got; i++) {
        if (i > 0)
            SEEDED_ASSERT(top[i - 1].count >= top[i].count, seed);
        SEEDED_ASSERT(sure[i] == (top[i].count - top[i].error >= threshold), seed);
        if (!sure[i])
            continue;
        guaranteed++;
        guint r1 = GPOINTER_TO_UINT(g_hash_table_lookup(rank_of, &top[i].key));
        wrong += !(r1 && exact[r1 - 1] >= kth);
    }
    SEEDED_ASSERT(got == MIN(k, es_ss_size(ss)), seed);
    SEEDED_ASSERT(wrong == 0, seed);
    /* On steep streams the head is clear: something is guaranteed. */
    if (expect_some)
        SEEDED_ASSERT(guaranteed >= 1, seed);
    g_free(sure);
    g_free(top);
    g_free(sorted);
    g_free(items);
    g_free(ids);
    g_hash_table_destroy(rank_of);
}

/* Space-Saving the obvious way: O(capacity) per new key; among the
 * smallest counts, the counter changed longest ago is taken over. */
typedef struct {
    es_ss_item *it;
    uint64_t   *stamp;
    uint32_t    n, cap;
    uint64_t    now;
} naive_ss;

static void naive_update(naive_ss *s, uint64_t key, uint64_t c)
{
    s->now++;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->it[i].key == key) {
            s->it[i].count += c;
            s->stamp[i] = s->now;
            return;
        }
    }
    if (s->n < s->cap) {
        s->stamp[s->n] = s->now;
        s->it[s->n++] = (es_ss_item){ key, c, 0 };
        return;
    }
    uint32_t m = 0;
    for (uint32_t i = 1; i < s->n; i++)
        if (s->it[i].count < s->it[m].count || (s->it[i].count == s->it[m].count && s->stamp[i] < s->stamp[m]))
            m = i;
    s->it[m] = (es_ss_item){ key, s->it[m].count + c, s->it[m].count };
    s->stamp[m] = s->now;
}

/* The verifier's items in es_ss_items order: count ascending, then stamp. */
static naive_ss *sort_ref;

static int by_count_then_stamp(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const es_ss_item *x = &sort_ref->it[i], *y = &sort_ref->it[j];
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return (sort_ref->stamp[i] > sort_ref->stamp[j]) - (sort_ref->stamp[i] < sort_ref->stamp[j]);
}

/* The summary's items equal the verifier's, in the same order. */
static gboolean same_items(const es_ss *ss, naive_ss *ref)
{
    if (es_ss_size(ss) != ref->n)
        return FALSE;
    es_ss_item *a = g_new(es_ss_item, ref->n + 1);
    uint32_t *order = g_new(uint32_t, ref->n + 1);
    es_ss_items(ss, a);
    for (uint32_t i = 0; i < ref->n; i++)
        order[i] = i;
    sort_ref = ref;
    qsort(order, ref->n, sizeof(uint32_t), by_count_then_stamp);
    gboolean same = TRUE;
    for (uint32_t i = 0; i < ref->n && same; i++) {
        const es_ss_item *r = &ref->it[order[i]];
        same = a[i].key == r->key && a[i].count == r->count && a[i].error == r->error;
    }
    g_free(order);
    g_free(a);
    return same;
}

static void test_fewer_keys_than_counters_gives_exact_counts_and_all_guaranteed(void)
{
    es_ss *ss = es_ss_new(10);
    const uint64_t keys[] = { 5, 0, UINT64_MAX, 5, 5, 0, 77 };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        es_ss_update(ss, keys[i], 1);
    es_ss_update(ss, 77, 10);
    CU_ASSERT_EQUAL(es_ss_size(ss), 4);
    CU_ASSERT_EQUAL(es_ss_total(ss), 17);
    CU_ASSERT_EQUAL(es_ss_min_count(ss), 0);
    es_ss_item top[10];
    gboolean sure[10];
    CU_ASSERT_EQUAL_FATAL(es_ss_top(ss, 10, top, sure), 4);
    const es_ss_item want[] = { { 77, 11, 0 }, { 5, 3, 0 }, { 0, 2, 0 }, { UINT64_MAX, 1, 0 } };
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(top[i].key, want[i].key);
        CU_ASSERT_EQUAL(top[i].count, want[i].count);
        CU_ASSERT_EQUAL(top[i].error, 0);
        CU_ASSERT_TRUE(sure[i]);
    }
    uint64_t c, e;
    CU_ASSERT_TRUE(es_ss_query(ss, 5, &c, &e));
    CU_ASSERT_EQUAL(c, 3);
    CU_ASSERT_FALSE(es_ss_query(ss, 6, &c, &e));
    CU_ASSERT_EQUAL(c, 0);
    es_ss_free(ss);
}

static void test_new_key_takes_over_the_smallest_count_reached_first(void)
{
    es_ss *ss = es_ss_new(2);
    es_ss_update(ss, 5, 1);
    es_ss_update(ss, 3, 1);
    es_ss_update(ss, 9, 1);    /* 5 and 3 tie at 1; 5 got there first: 9 gets 2, error 1 */
    uint64_t c, e;
    CU_ASSERT_FALSE(es_ss_query(ss, 5, &c, &e));
    CU_ASSERT_EQUAL(c, 1);     /* what an unmonitored key may have had at most */
    CU_ASSERT_TRUE(es_ss_query(ss, 9, &c, &e));
    CU_ASSERT_EQUAL(c, 2);
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_TRUE(es_ss_query(ss, 3, &c, &e));
    CU_ASSERT_EQUAL(c, 1);
    es_ss_update(ss, 4, 3);    /* 3 (count 1) goes: 4 gets 1 + 3, error 1 */
    CU_ASSERT_TRUE(es_ss_query(ss, 4, &c, &e));
    CU_ASSERT_EQUAL(c, 4);
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_EQUAL(es_ss_min_count(ss), 2);
    es_ss_item top[1];
    gboolean sure[1];
    CU_ASSERT_EQUAL(es_ss_top(ss, 1, top, sure), 1);
    CU_ASSERT_EQUAL(top[0].key, 4);
    CU_ASSERT_TRUE(sure[0]);   /* 4 - 1 >= 2, the count of the runner-up */
    CU_ASSERT_EQUAL(es_ss_top_threshold(ss, 1), 2);
    /* 7 takes over 9, the one counter at the smallest count. */
    es_ss_update(ss, 7, 2);
    CU_ASSERT_TRUE(es_ss_query(ss, 7, &c, &e));
    CU_ASSERT_EQUAL(c, 4);
    CU_ASSERT_EQUAL(e, 2);
    /* Ties in the top list are ordered by key. */
    CU_ASSERT_EQUAL(es_ss_top(ss, 1, top, sure), 1);
    CU_ASSERT_EQUAL(top[0].key, 4);
    CU_ASSERT_FALSE(sure[0]);  /* 4 - 1 < 4, the runner-up's count */
    es_ss_free(ss);
}

static void test_summary_equals_the_plain_verifier_on_random_streams(void)
{
    const uint32_t caps[] = { 1, 2, 7, 64, 300 };
    for (uint64_t seed = 1; seed <= 4; seed++) {
        for (size_t c = 0; c < G_N_ELEMENTS(caps); c++) {
            const size_t n = 30000;
            uint32_t *ranks = es_test_zipf_ranks(n, 2000, 0.6 + 0.3 * (double)seed, seed * 31 + c);
            GRand *rng = g_rand_new_with_seed((guint32)seed);
            es_ss *ss = es_ss_new(caps[c]);
            naive_ss ref = { g_new(es_ss_item, caps[c]), g_new(uint64_t, caps[c]), 0, caps[c], 0 };
            gboolean same = TRUE;
            for (size_t i = 0; i < n; i++) {
                uint64_t w = (i % 5 == 0) ? (uint64_t)g_rand_int_range(rng, 1, 4) : 1;
                es_ss_update(ss, id_of(ranks[i]), w);
                naive_update(&ref, id_of(ranks[i]), w);
                if (i % 997 == 0 || i == n - 1)
                    same = same && same_items(ss, &ref);
            }
            SEEDED_ASSERT(same, seed);
            /* Every monitored key is found through the index. */
            es_ss_item *items = g_new(es_ss_item, caps[c]);
            size_t lost = 0, n_items = es_ss_items(ss, items);
            for (size_t i = 0; i < n_items; i++) {
                uint64_t cnt, err;
                lost += !es_ss_query(ss, items[i].key, &cnt, &err) || cnt != items[i].count;
            }
            SEEDED_ASSERT(lost == 0, seed);
            g_free(items);
            g_free(ref.stamp);
            g_free(ref.it);
            es_ss_free(ss);
            g_rand_free(rng);
            g_free(ranks);
        }
    }
}

/* Unit updates in batches, through sparse (few counters) and half-full
 * (many) indexes, in pieces longer and shorter than a hashing chunk. */
static void test_batched_unit_updates_equal_the_plain_verifier(void)
{
    const uint32_t caps[] = { 1, 3, 100, 700, 5000 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (size_t c = 0; c < G_N_ELEMENTS(caps); c++) {
            const size_t n = 40000;
            uint32_t *ranks = es_test_zipf_ranks(n, 20000, 0.5 + 0.4 * (double)seed, seed * 17 + c);
            uint64_t *keys = g_new(uint64_t, n);
            for (size_t i = 0; i < n; i++)
                keys[i] = id_of(ranks[i]);
            GRand *rng = g_rand_new_with_seed((guint32)(seed + 100 * c));
            es_ss *ss = es_ss_new(caps[c]);
            naive_ss ref = { g_new(es_ss_item, caps[c]), g_new(uint64_t, caps[c]), 0, caps[c], 0 };
            gboolean same = TRUE;
            for (size_t i = 0; i < n;) {
                size_t len = (size_t)g_rand_int_range(rng, 0, 700);
                if (len > n - i)
                    len = n - i;
                es_ss_add_each(ss, keys + i, len);
                for (size_t j = i; j < i + len; j++)
                    naive_update(&ref, keys[j], 1);
                i += len;
                same = same && same_items(ss, &ref);
            }
            SEEDED_ASSERT(same, seed);
            CU_ASSERT_EQUAL(es_ss_total(ss), n);
            g_free(ref.stamp);
            g_free(ref.it);
            es_ss_free(ss);
            g_rand_free(rng);
            g_free(keys);
            g_free(ranks);
        }
    }
}

static void test_counts_bound_true_counts_and_guaranteed_keys_are_true_top_k_on_zipf_streams(void)
{
    const double skews[] = { 1.0, 1.2, 1.6 };
    const uint32_t universe = 20000;
    const size_t n = 300000, k = 10;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (size_t s = 0; s < G_N_ELEMENTS(skews); s++) {
            uint32_t *ranks = es_test_zipf_ranks(n, universe, skews[s], seed);
            uint64_t *exact = g_new0(uint64_t, universe);
            es_ss *ss = es_ss_new(200);
            for (size_t i = 0; i < n; i++) {
                exact[ranks[i]]++;
                es_ss_update(ss, id_of(ranks[i]), 1);
            }
            check_guarantees(ss, exact, universe, n, TRUE, k, TRUE, seed);
            es_ss_free(ss);
            g_free(exact);
            g_free(ranks);
        }
    }
}

/* Flat streams and few counters: most of the top is not guaranteed, and
 * what is must still be right. */
static void test_guarantees_hold_on_flat_streams_with_few_counters(void)
{
    const double skews[] = { 0.5, 0.8, 0.9 };
    const uint32_t universe = 5000;
    const size_t n = 100000;
    for (uint64_t seed = 31; seed <= 33; seed++) {
        for (size_t s = 0; s < G_N_ELEMENTS(skews); s++) {
            uint32_t *ranks = es_test_zipf_ranks(n, universe, skews[s], seed);
            uint64_t *exact = g_new0(uint64_t, universe);
            es_ss *ss = es_ss_new(30);
            for (size_t i = 0; i < n; i++) {
                exact[ranks[i]]++;
                es_ss_update(ss, id_of(ranks[i]), 1);
            }
            check_guarantees(ss, exact, universe, n, TRUE, 10, FALSE, seed);
            check_guarantees(ss, exact, universe, n, TRUE, 1, FALSE, seed);
            es_ss_free(ss);
            g_free(exact);
            g_free(ranks);
        }
    }
}

static void test_merge_keeps_the_guarantees_for_the_concatenated_stream(void)
{
    const uint32_t universe = 20000;
    const size_t n = 240000, k = 10, parts = 4;
    for (uint64_t seed = 21; seed <= 23; seed++) {
        /* Each part has its own skew, so the parts' heavy keys differ. */
        uint64_t *exact = g_new0(uint64_t, universe), *exact23 = g_new0(uint64_t, universe);
        es_ss *part[4];
        for (size_t p = 0; p < parts; p++) {
            uint32_t *ranks = es_test_zipf_ranks(n / parts, universe, 1.0 + 0.15 * (double)p, seed * 10 + p);
            part[p] = es_ss_new(150);
            for (size_t i = 0; i < n / parts; i++) {
                /* Rotate ranks per part: part p's heaviest key is rank 37 p. */
                uint32_t r = (ranks[i] + 37 * (uint32_t)p) % universe;
                exact[r]++;
                exact23[r] += p >= 2;
                es_ss_update(part[p], id_of(r), 1);
            }
            g_free(ranks);
        }
        GError *err = NULL;
        /* A tree of merges: (0 + 1) + (2 + 3). */
        CU_ASSERT_TRUE(es_ss_merge(part[0], part[1], &err));
        CU_ASSERT_TRUE(es_ss_merge(part[2], part[3], &err));
        check_guarantees(part[2], exact23, universe, n / 2, FALSE, k, TRUE, seed);
        CU_ASSERT_TRUE(es_ss_merge(part[0], part[2], &err));
        CU_ASSERT_PTR_NULL(err);
        CU_ASSERT_EQUAL(es_ss_size(part[0]), 150);
        check_guarantees(part[0], exact, universe, n, FALSE, k, TRUE, seed);
        g_free(exact23);
        for (size_t p = 0; p < parts; p++)
            es_ss_free(part[p]);
        g_free(exact);
    }
}

static void test_merge_of_summaries_that_fit_is_exact(void)
{
    es_ss *a = es_ss_new(8), *b = es_ss_new(8);
    for (uint64_t k = 0; k < 4; k++)
        es_ss_update(a, k, k + 1);        /* 0:1 1:2 2:3 3:4 */
    for (uint64_t k = 2; k < 6; k++)
        es_ss_update(b, k, 10);           /* 2..5: 10 each */
    GError *err = NULL;
    CU_ASSERT_TRUE(es_ss_merge(a, b, &err));
    CU_ASSERT_EQUAL(es_ss_size(a), 6);
    CU_ASSERT_EQUAL(es_ss_total(a), 50);
    const uint64_t want[] = { 1, 2, 13, 14, 10, 10 };
    for (uint64_t k = 0; k < 6; k++) {
        uint64_t c, e;
        CU_ASSERT_TRUE(es_ss_query(a, k, &c, &e));
        CU_ASSERT_EQUAL(c, want[k]);
        CU_ASSERT_EQUAL(e, 0);
    }
    es_ss_free(a);
    es_ss_free(b);
}

static void test_merge_gives_missing_keys_the_other_summary_s_smallest_count(void)
{
    es_ss *a = es_ss_new(2), *b = es_ss_new(2);
    es_ss_update(a, 1, 5);
    es_ss_update(a, 2, 3);                /* a full, m1 = 3 */
    es_ss_update(b, 1, 4);
    es_ss_update(b, 9, 1);                /* b full, m2 = 1 */
    GError *err = NULL;
    CU_ASSERT_TRUE(es_ss_merge(a, b, &err));
    /* 1: 5 + 4 = 9, exact; 2: 3 + m2 = 4, error 1; 9: m1 + 1 = 4, error 3.
     * Keep two: 1, then the (4, key 2) before (4, key 9). */
    uint64_t c, e;
    CU_ASSERT_TRUE(es_ss_query(a, 1, &c, &e));
    CU_ASSERT_EQUAL(c, 9);
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_TRUE(es_ss_query(a, 2, &c, &e));
    CU_ASSERT_EQUAL(c, 4);
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_FALSE(es_ss_query(a, 9, &c, &e));
    CU_ASSERT_EQUAL(es_ss_total(a), 13);
    es_ss_free(a);
    es_ss_free(b);
}

static void test_merge_of_different_capacities_is_refused(void)
{
    es_ss *a = es_ss_new(10), *b = es_ss_new(11);
    es_ss_update(a, 1, 1);
    es_ss_update(b, 2, 1);
    GError *err = NULL;
    CU_ASSERT_FALSE(es_ss_merge(a, b, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_USAGE));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(es_ss_size(a), 1);
    CU_ASSERT_EQUAL(es_ss_total(a), 1);
    es_ss_free(a);
    es_ss_free(b);
}

static void test_restore_rebuilds_a_summary_that_behaves_the_same_and_rejects_bad_state(void)
{
    const size_t n = 20000;
    uint32_t *ranks = es_test_zipf_ranks(n, 3000, 1.1, 8);
    es_ss *ss = es_ss_new(50);
    for (size_t i = 0; i < n / 2; i++)
        es_ss_update(ss, id_of(ranks[i]), 1);
    uint32_t m = es_ss_size(ss);
    es_ss_item *saved = g_new(es_ss_item, m);
    CU_ASSERT_EQUAL(es_ss_items(ss, saved), m);
    GError *err = NULL;
    es_ss *back = es_ss_restore(es_ss_capacity(ss), es_ss_total(ss), saved, m, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    for (size_t i = n / 2; i < n; i++) {
        es_ss_update(ss, id_of(ranks[i]), 1);
        es_ss_update(back, id_of(ranks[i]), 1);
    }
    es_ss_item t1[20], t2[20];
    gboolean s1[20], s2[20];
    size_t k1 = es_ss_top(ss, 20, t1, s1), k2 = es_ss_top(back, 20, t2, s2);
    CU_ASSERT_EQUAL(k1, k2);
    CU_ASSERT_EQUAL(memcmp(t1, t2, k1 * sizeof(es_ss_item)), 0);
    CU_ASSERT_EQUAL(memcmp(s1, s2, k1 * sizeof(gboolean)), 0);
    /* Not only the top: every counter, in the same order. */
    es_ss_item *all1 = g_new(es_ss_item, 50), *all2 = g_new(es_ss_item, 50);
    size_t n1 = es_ss_items(ss, all1), n2 = es_ss_items(back, all2);
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT_EQUAL(memcmp(all1, all2, n1 * sizeof(es_ss_item)), 0);
    g_free(all1);
    g_free(all2);

    es_ss_item bad[3] = { { 1, 5, 6 }, { 2, 3, 0 }, { 3, 1, 0 } };   /* error > count */
    CU_ASSERT_PTR_NULL(es_ss_restore(3, 100, bad, 3, &err));
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    bad[0].error = 0;
    bad[2].key = 1;                                                   /* a key twice */
    CU_ASSERT_PTR_NULL(es_ss_restore(3, 100, bad, 3, &err));
    CU_ASSERT(err && strstr(err->message, "twice"));
    g_clear_error(&err);
    bad[2].key = 3;
    CU_ASSERT_PTR_NULL(es_ss_restore(3, 8, bad, 3, &err));            /* counts 9 > total 8 */
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(es_ss_restore(2, 100, bad, 3, &err));          /* more items than counters */
    CU_ASSERT(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    es_ss *ok = es_ss_restore(3, 9, bad, 3, &err);
    CU_ASSERT_PTR_NOT_NULL(ok);
    es_ss_free(ok);
    g_free(saved);
    es_ss_free(back);
    es_ss_free(ss);
    g_free(ranks);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_fewer_keys_than_counters_gives_exact_counts_and_all_guaranteed),
        ES_TEST(test_new_key_takes_over_the_smallest_count_reached_first),
        ES_TEST(test_summary_equals_the_plain_verifier_on_random_streams),
        ES_TEST(test_batched_unit_updates_equal_the_plain_verifier),
        ES_TEST(test_counts_bound_true_counts_and_guaranteed_keys_are_true_top_k_on_zipf_streams),
        ES_TEST(test_guarantees_hold_on_flat_streams_with_few_counters),
        ES_TEST(test_merge_keeps_the_guarantees_for_the_concatenated_stream),
        ES_TEST(test_merge_of_summaries_that_fit_is_exact),
        ES_TEST(test_merge_gives_missing_keys_the_other_summary_s_smallest_count),
        ES_TEST(test_merge_of_different_capacities_is_refused),
        ES_TEST(test_restore_rebuilds_a_summary_that_behaves_the_same_and_rejects_bad_state),
        { NULL, NULL },
    };
    return es_test_main("spacesaving", tests);
}
