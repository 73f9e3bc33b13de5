/* test_idmap.c — the vertex id map (graph/idmap.c) against a plain
 * verifier: a GLib hash table that numbers ids in order of first
 * appearance.  Covers a million random ids, ids that collide in their low
 * bits, 0 and UINT64_MAX, growth through many rehashes, es_idmap_map_ids
 * against es_idmap_get_or_add, absent ids, and the full-map error.
 *
 * The module is compiled into this test (#include of the .c) with its
 * vertex limit turned into a variable, so one case can reach the full-map
 * error with a thousand vertices instead of four billion, and the growth
 * case can watch the table's size and load.  Every other case runs with the
 * real limit.  Randomised cases use fixed seeds and print them on failure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/idmap.h"
#include "tests/testutil.h"

static uint32_t test_limit = ES_IDMAP_MAX_VERTICES;
#define ES_IDMAP_LIMIT test_limit
#include "graph/idmap.c"

static uint64_t rand_u64(GRand *rng)
{
    return ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
}

/* The verifier: dense ids by first appearance, in a GHashTable keyed by
 * the ids themselves (stored in `keys`, which must outlive the table). */
typedef struct {
    GHashTable *h;
    uint32_t    n;
} ref_map;

/* g_int64_hash folds the two halves with xor, which GHashTable's probing
 * handles badly for ids alike in their low bits (k << 48 | c); a
 * multiplicative hash keeps the verifier quick on those. */
static guint ref_hash(gconstpointer p)
{
    return (guint)((*(const uint64_t *)p * 0x9E3779B97F4A7C15ull) >> 32);
}

static void ref_init(ref_map *r)
{
    r->h = g_hash_table_new(ref_hash, g_int64_equal);
    r->n = 0;
}

static uint32_t ref_get_or_add(ref_map *r, const uint64_t *key)
{
    gpointer v;
    if (g_hash_table_lookup_extended(r->h, key, NULL, &v))
        return GPOINTER_TO_UINT(v);
    g_hash_table_insert(r->h, (gpointer)key, GUINT_TO_POINTER(r->n));
    return r->n++;
}

/* Map `ids` one at a time and check every answer, the size, the reverse
 * array and a lookup of each id against the verifier. */
static void check_against_verifier(es_idmap *m, const uint64_t *ids, size_t n, uint64_t seed)
{
    ref_map r;
    ref_init(&r);
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = UINT32_MAX;
        gboolean ok = es_idmap_get_or_add(m, ids[i], &d, NULL);
        if (!ok || d != ref_get_or_add(&r, &ids[i]))
            wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(es_idmap_size(m), r.n);
    const uint64_t *ext = es_idmap_externals(m);
    size_t bad_reverse = 0, bad_lookup = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = UINT32_MAX;
        if (!es_idmap_lookup(m, ids[i], &d) || d >= es_idmap_size(m)) {
            bad_lookup++;
            continue;
        }
        if (es_idmap_external(m, d) != ids[i] || ext[d] != ids[i])
            bad_reverse++;
    }
    CU_ASSERT_EQUAL(bad_lookup, 0);
    CU_ASSERT_EQUAL(bad_reverse, 0);
    if (wrong || bad_lookup || bad_reverse)
        fprintf(stderr, "\n  seed %" PRIu64 ": %zu wrong dense ids, %zu failed lookups, %zu wrong externals\n",
                seed, wrong, bad_lookup, bad_reverse);
    g_hash_table_destroy(r.h);
}

static void test_a_million_random_ids_round_trip(void)
{
    const uint64_t seed = 1;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    const size_t distinct = 1000000, n = 1500000;
    uint64_t *pool = g_new(uint64_t, distinct);
    for (size_t i = 0; i < distinct; i++)
        pool[i] = rand_u64(rng);
    /* every pool id once, then half a million repeats, shuffled together */
    uint64_t *ids = g_new(uint64_t, n);
    memcpy(ids, pool, distinct * sizeof *ids);
    for (size_t i = distinct; i < n; i++)
        ids[i] = pool[g_rand_int_range(rng, 0, (gint32)distinct)];
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)g_rand_int_range(rng, 0, (gint32)(i + 1));
        uint64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    es_idmap *m = es_idmap_new(1024, NULL);
    check_against_verifier(m, ids, n, seed);
    CU_ASSERT_EQUAL(es_idmap_size(m), distinct);   /* 64-bit random ids: no chance collision */
    /* first appearance: dense 0 is ids[0], and each new id takes the next number */
    CU_ASSERT_EQUAL(es_idmap_external(m, 0), ids[0]);
    uint32_t next = 0;
    size_t order_errors = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d;
        es_idmap_lookup(m, ids[i], &d);
        if (d == next)
            next++;
        else if (d > next)
            order_errors++;
    }
    CU_ASSERT_EQUAL(order_errors, 0);
    CU_ASSERT_EQUAL(next, distinct);
    es_idmap_free(m);
    g_free(ids);
    g_free(pool);
    g_rand_free(rng);
}

static void test_ids_colliding_in_low_bits_are_kept_apart(void)
{
    /* multiples of 2^32 (all zero in the low 32 bits), of 2^48, ids that
     * differ only in the top bit, and the extremes */
    GArray *a = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (uint64_t k = 0; k < 100000; k++) {
        uint64_t x = k << 32;
        g_array_append_val(a, x);
    }
    for (uint64_t k = 1; k < 65536; k++) {
        uint64_t x = k << 48 | 12345;
        g_array_append_val(a, x);
    }
    for (uint64_t k = 0; k < 1000; k++) {
        uint64_t x = k | (1ull << 63), y = UINT64_MAX - k;
        g_array_append_val(a, x);
        g_array_append_val(a, y);
    }
    uint64_t zero = 0, max = UINT64_MAX;
    g_array_append_val(a, zero);   /* a repeat: 0 << 32 came first */
    g_array_append_val(a, max);    /* a repeat too */
    size_t n = a->len;
    es_idmap *m = es_idmap_new(16, NULL);
    check_against_verifier(m, (const uint64_t *)a->data, n, 0);
    CU_ASSERT_EQUAL(es_idmap_size(m), n - 2);
    uint32_t d = 99;
    CU_ASSERT_TRUE(es_idmap_lookup(m, 0, &d));
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_TRUE(es_idmap_lookup(m, 1ull << 32, &d));
    CU_ASSERT_EQUAL(d, 1);
    CU_ASSERT_TRUE(es_idmap_lookup(m, UINT64_MAX, &d));
    CU_ASSERT_EQUAL(es_idmap_external(m, d), UINT64_MAX);
    es_idmap_free(m);
    g_array_free(a, TRUE);
}

static void test_zero_and_uint64_max_are_ordinary_ids(void)
{
    es_idmap *m = es_idmap_new(0, NULL);
    uint32_t d = 77;
    CU_ASSERT_FALSE(es_idmap_lookup(m, 0, &d));
    CU_ASSERT_FALSE(es_idmap_lookup(m, UINT64_MAX, &d));
    CU_ASSERT_EQUAL(d, 77);
    CU_ASSERT_TRUE(es_idmap_get_or_add(m, UINT64_MAX, &d, NULL));
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_FALSE(es_idmap_lookup(m, 0, &d));
    CU_ASSERT_TRUE(es_idmap_get_or_add(m, 0, &d, NULL));
    CU_ASSERT_EQUAL(d, 1);
    CU_ASSERT_TRUE(es_idmap_get_or_add(m, UINT64_MAX, &d, NULL));
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_TRUE(es_idmap_lookup(m, 0, &d));
    CU_ASSERT_EQUAL(d, 1);
    CU_ASSERT_EQUAL(es_idmap_size(m), 2);
    CU_ASSERT_EQUAL(es_idmap_external(m, 0), UINT64_MAX);
    CU_ASSERT_EQUAL(es_idmap_external(m, 1), 0);
    es_idmap_free(m);
}

static void test_growth_from_a_tiny_map_through_many_rehashes_keeps_every_id(void)
{
    es_idmap *m = es_idmap_new(1, NULL);
    size_t first_slots = m->mask + 1, rehashes = 0, last_slots = first_slots;
    const uint32_t n = 300000;
    size_t lost = 0, overfull = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t ext = (uint64_t)i * 7919 + 3;   /* clustered, like SNAP ids */
        uint32_t d;
        CU_ASSERT_TRUE_FATAL(es_idmap_get_or_add(m, ext, &d, NULL));
        if (d != i)
            lost++;
        if ((size_t)m->size * 2 > m->mask + 1)
            overfull++;
        if (m->mask + 1 != last_slots) {
            rehashes++;
            last_slots = m->mask + 1;
            /* right after a rehash every earlier id is still there */
            for (uint32_t j = 0; j <= i; j++)
                if (!es_idmap_lookup(m, (uint64_t)j * 7919 + 3, &d) || d != j)
                    lost++;
        }
    }
    CU_ASSERT_EQUAL(first_slots, MIN_SLOTS);
    CU_ASSERT(rehashes >= 15);
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(overfull, 0);
    CU_ASSERT_EQUAL(es_idmap_size(m), n);
    CU_ASSERT_EQUAL(m->mask + 1, 1u << 20);   /* smallest power of two >= 2n */
    es_idmap_free(m);
}

static void test_expected_size_given_up_front_avoids_rehashing(void)
{
    es_idmap *m = es_idmap_new(100000, NULL);
    size_t slots = m->mask + 1;
    for (uint64_t i = 0; i < 100000; i++) {
        uint32_t d;
        CU_ASSERT_TRUE_FATAL(es_idmap_get_or_add(m, i << 20, &d, NULL));
    }
    CU_ASSERT_EQUAL(m->mask + 1, slots);
    uint32_t d;
    CU_ASSERT_TRUE(es_idmap_get_or_add(m, 1, &d, NULL));
    CU_ASSERT_EQUAL(d, 100000);
    es_idmap_free(m);
}

static void test_map_ids_gives_the_same_result_as_get_or_add_one_by_one(void)
{
    const uint64_t seed = 42;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    /* stream lengths around the prefetch distance, then a long skewed one */
    const size_t lengths[] = { 0, 1, 2, PREFETCH_AHEAD - 1, PREFETCH_AHEAD, PREFETCH_AHEAD + 1,
                               2 * PREFETCH_AHEAD + 3, 1000, 400000 };
    for (size_t c = 0; c < G_N_ELEMENTS(lengths); c++) {
        size_t n = lengths[c];
        uint64_t *ids = g_new(uint64_t, n + 1);
        for (size_t i = 0; i < n; i++) {
            /* a few hot ids, many warm, a long cold tail */
            uint32_t r = g_rand_int(rng);
            ids[i] = (r % 4 == 0) ? r % 8 : (r % 4 == 1) ? 1000 + r % 5000 : rand_u64(rng);
        }
        es_idmap *a = es_idmap_new(0, NULL), *b = es_idmap_new(0, NULL);
        uint32_t *da = g_new(uint32_t, n + 1), *db = g_new(uint32_t, n + 1);
        /* in two calls, so a continuing map is covered too */
        size_t half = n / 3;
        CU_ASSERT_TRUE(es_idmap_map_ids(a, ids, da, half, NULL));
        CU_ASSERT_TRUE(es_idmap_map_ids(a, ids + half, da + half, n - half, NULL));
        for (size_t i = 0; i < n; i++)
            CU_ASSERT_TRUE_FATAL(es_idmap_get_or_add(b, ids[i], &db[i], NULL));
        CU_ASSERT_EQUAL(es_idmap_size(a), es_idmap_size(b));
        CU_ASSERT_TRUE(n == 0 || memcmp(da, db, n * sizeof *da) == 0);
        CU_ASSERT_TRUE(memcmp(es_idmap_externals(a), es_idmap_externals(b),
                              es_idmap_size(a) * sizeof(uint64_t)) == 0);
        if (n > 0 && memcmp(da, db, n * sizeof *da) != 0)
            fprintf(stderr, "\n  seed %" PRIu64 ", length %zu: map_ids differs\n", seed, n);
        es_idmap_free(a);
        es_idmap_free(b);
        g_free(da);
        g_free(db);
        g_free(ids);
    }
    g_rand_free(rng);
}

static void test_lookup_of_an_absent_id_returns_false(void)
{
    es_idmap *m = es_idmap_new(4, NULL);
    uint32_t d = 5;
    CU_ASSERT_FALSE(es_idmap_lookup(m, 12345, &d));
    for (uint64_t i = 0; i < 1000; i++)
        CU_ASSERT_TRUE_FATAL(es_idmap_get_or_add(m, 2 * i, &d, NULL));
    size_t found_absent = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        d = 5;
        if (es_idmap_lookup(m, 2 * i + 1, &d) || d != 5)
            found_absent++;
    }
    CU_ASSERT_EQUAL(found_absent, 0);
    CU_ASSERT_FALSE(es_idmap_lookup(m, UINT64_MAX, NULL));
    CU_ASSERT_TRUE(es_idmap_lookup(m, 1998, NULL));
    CU_ASSERT_EQUAL(es_idmap_size(m), 1000);   /* lookups never add */
    es_idmap_free(m);
}

/* A deletion or expiry line adds no vertex: its known pair, the self-loop
 * of its one known endpoint, or (0, 0) naming none while the map is empty;
 * insertions around it map as map_ids does. */
static void test_map_lines_adds_no_vertex_for_a_deletion(void)
{
    es_idmap *m = es_idmap_new(0, NULL);
    const uint64_t ext[] = { 9, 7, 10, 20, 20, 30, 30, 10, 20, 99, 98, 97, 10, 30, 40, 50 };
    const uint8_t del[] = { 1, 0, 0, 0, 1, 1, 1, 0 };
    uint32_t dense[16];
    CU_ASSERT_TRUE(es_idmap_map_lines(m, ext, del, dense, 8, NULL));
    const uint32_t want[] = { 0, 0, 0, 1, 1, 2, 2, 0, 1, 1, 0, 0, 0, 2, 3, 4 };
    CU_ASSERT_EQUAL(memcmp(dense, want, sizeof want), 0);
    CU_ASSERT_EQUAL(es_idmap_size(m), 5);
    CU_ASSERT_FALSE(es_idmap_lookup(m, 9, NULL));
    CU_ASSERT_FALSE(es_idmap_lookup(m, 99, NULL));
    es_idmap_free(m);
}

static void test_full_map_reports_too_many_distinct_vertices(void)
{
    test_limit = 1000;
    es_idmap *m = es_idmap_new(0, NULL);
    uint32_t d;
    for (uint64_t i = 0; i < 1000; i++)
        CU_ASSERT_TRUE_FATAL(es_idmap_get_or_add(m, i * 3, &d, NULL));
    GError *err = NULL;
    CU_ASSERT_FALSE(es_idmap_get_or_add(m, 1, &d, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    CU_ASSERT_STRING_EQUAL(err->message, "too many distinct vertices (limit 1000)");
    g_clear_error(&err);
    /* a full map still answers for the ids it has, and is unchanged */
    CU_ASSERT_TRUE(es_idmap_get_or_add(m, 999 * 3, &d, &err));
    CU_ASSERT_EQUAL(d, 999);
    CU_ASSERT_EQUAL(es_idmap_size(m), 1000);
    CU_ASSERT_FALSE(es_idmap_lookup(m, 1, &d));
    /* map_ids stops at the first new id, having mapped those before it */
    uint64_t ids[40];
    uint32_t dense[40];
    for (int i = 0; i < 40; i++)
        ids[i] = (uint64_t)i * 3;
    ids[25] = 7;
    memset(dense, 0xFF, sizeof dense);
    CU_ASSERT_FALSE(es_idmap_map_ids(m, ids, dense, 40, &err));
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(dense[24], 24);
    CU_ASSERT_EQUAL(dense[26], UINT32_MAX);
    CU_ASSERT_EQUAL(es_idmap_size(m), 1000);
    es_idmap_free(m);
    test_limit = ES_IDMAP_MAX_VERTICES;
    /* and the real limit's message */
    char *msg = g_strdup_printf("too many distinct vertices (limit %u)", (unsigned)ES_IDMAP_MAX_VERTICES);
    CU_ASSERT_STRING_EQUAL(msg, "too many distinct vertices (limit 4294967294)");
    g_free(msg);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_a_million_random_ids_round_trip),
        ES_TEST(test_ids_colliding_in_low_bits_are_kept_apart),
        ES_TEST(test_zero_and_uint64_max_are_ordinary_ids),
        ES_TEST(test_growth_from_a_tiny_map_through_many_rehashes_keeps_every_id),
        ES_TEST(test_expected_size_given_up_front_avoids_rehashing),
        ES_TEST(test_map_ids_gives_the_same_result_as_get_or_add_one_by_one),
        ES_TEST(test_lookup_of_an_absent_id_returns_false),
        ES_TEST(test_map_lines_adds_no_vertex_for_a_deletion),
        ES_TEST(test_full_map_reports_too_many_distinct_vertices),
        { NULL, NULL },
    };
    return es_test_main("idmap", tests);
}
