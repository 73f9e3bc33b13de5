/* test_edgeset.c — the sharded undirected edge set (graph/edgeset.c):
 * insert/contains semantics, (u,v) == (v,u), growth through many rehashes,
 * a million random edges against a GHashTable, and batch insertion against
 * one-by-one insertion for several thread counts.  The sorted walk against
 * a sort of es_edgeset_keys(), for any piece size and shard count, on
 * uniform keys and on keys piled into one narrow range (a hub vertex).
 * The insertion log of a logged set against a plain first-seen list, for
 * one-by-one and batch insertion with any thread count, across growth and
 * sort pieces. */
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph/edgeset.h"
#include "tests/testutil.h"

static void test_insert_says_new_the_first_time_only(void)
{
    es_edgeset *s = es_edgeset_new(0, 0);
    CU_ASSERT_EQUAL(es_edgeset_size(s), 0);
    CU_ASSERT_FALSE(es_edgeset_contains(s, 1, 2));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 1, 2));
    CU_ASSERT_FALSE(es_edgeset_insert(s, 1, 2));
    CU_ASSERT_TRUE(es_edgeset_contains(s, 1, 2));
    CU_ASSERT_FALSE(es_edgeset_contains(s, 1, 3));
    CU_ASSERT_EQUAL(es_edgeset_size(s), 1);
    es_edgeset_free(s);
    es_edgeset_free(NULL);
}

static void test_reversed_edge_is_the_same_edge(void)
{
    es_edgeset *s = es_edgeset_new(10, 4);
    CU_ASSERT_EQUAL(es_edge_key(7, 3), es_edge_key(3, 7));
    CU_ASSERT_EQUAL(es_edge_key(3, 7), ((uint64_t)3 << 32) | 7);
    CU_ASSERT_TRUE(es_edgeset_insert(s, 7, 3));
    CU_ASSERT_FALSE(es_edgeset_insert(s, 3, 7));
    CU_ASSERT_TRUE(es_edgeset_contains(s, 3, 7));
    CU_ASSERT_TRUE(es_edgeset_contains(s, 7, 3));
    CU_ASSERT_EQUAL(es_edgeset_size(s), 1);
    es_edgeset_free(s);
}

static void test_vertex_zero_and_self_loops_are_ordinary_members(void)
{
    /* (0,0) has key 0, the empty-slot marker: it must still be a member. */
    es_edgeset *s = es_edgeset_new(0, 1);
    CU_ASSERT_FALSE(es_edgeset_contains(s, 0, 0));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 0, 0));
    CU_ASSERT_FALSE(es_edgeset_insert(s, 0, 0));
    CU_ASSERT_TRUE(es_edgeset_contains(s, 0, 0));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 0, 1));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 5, 5));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 0xFFFFFFFEu, 0xFFFFFFFEu));
    CU_ASSERT_TRUE(es_edgeset_insert(s, 0xFFFFFFFEu, 0));
    CU_ASSERT_FALSE(es_edgeset_contains(s, 1, 1));
    CU_ASSERT_EQUAL(es_edgeset_size(s), 5);
    uint64_t keys[5];
    es_edgeset_keys(s, keys);
    CU_ASSERT_EQUAL(keys[0], 0); /* the flag comes first in its shard */
    es_edgeset_free(s);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Insert a grid of edges into a set that starts tiny, so every shard
 * doubles many times, and check every member, non-member and key. */
static void check_growth(uint32_t shards, uint32_t side, gboolean expect_growth)
{
    es_edgeset *s = es_edgeset_new(0, shards);
    size_t before = es_edgeset_memory(s);
    size_t fresh = 0;
    for (uint32_t u = 0; u < side; u++)
        for (uint32_t v = u; v < side; v++)
            fresh += es_edgeset_insert(s, v, u);
    size_t n = (size_t)side * (side + 1) / 2;
    CU_ASSERT_EQUAL(fresh, n);
    CU_ASSERT_EQUAL(es_edgeset_size(s), n);
    CU_ASSERT(3 * es_edgeset_memory(s) >= 4 * n * sizeof(uint64_t)); /* <= 75% load */
    if (expect_growth)
        CU_ASSERT(es_edgeset_memory(s) > before);
    size_t missing = 0, dup = 0, extra = 0;
    for (uint32_t u = 0; u < side; u++)
        for (uint32_t v = 0; v < side; v++) {
            missing += !es_edgeset_contains(s, u, v);
            if (v >= u)
                dup += es_edgeset_insert(s, u, v);
        }
    for (uint32_t u = side; u < side + 50; u++)
        extra += es_edgeset_contains(s, u, 0) + es_edgeset_contains(s, u, u);
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(dup, 0);
    CU_ASSERT_EQUAL(extra, 0);

    uint64_t *keys = g_new(uint64_t, n);
    es_edgeset_keys(s, keys);
    qsort(keys, n, sizeof *keys, u64_cmp);
    size_t k = 0, wrong = 0;
    for (uint32_t u = 0; u < side; u++)
        for (uint32_t v = u; v < side; v++)
            wrong += keys[k++] != es_edge_key(u, v);
    CU_ASSERT_EQUAL(wrong, 0);
    g_free(keys);
    es_edgeset_free(s);
}

static void test_growth_through_many_rehashes_keeps_every_edge(void)
{
    check_growth(1, 600, TRUE);       /* one shard: 16 slots to 512 Ki */
    check_growth(0, 600, TRUE);
    check_growth(65536, 300, FALSE);  /* fewer edges than shards */
}

/* A reserve in the middle of a stream (keys already in, a jump of many
 * doublings at once) keeps every key, answers as before, and makes room:
 * the memory no longer grows while the reserved number of keys goes in. */
static void test_reserve_keeps_every_edge_and_stops_regrowth(void)
{
    es_edgeset *s = es_edgeset_new(0, 0), *ref = es_edgeset_new(0, 0);
    for (uint32_t i = 0; i < 5000; i++) {
        CU_ASSERT_TRUE(es_edgeset_insert(s, i, i * 7 + 1));
        es_edgeset_insert(ref, i, i * 7 + 1);
    }
    es_edgeset_reserve(s, 200000);
    const size_t mem = es_edgeset_memory(s);
    es_edgeset_reserve(s, 1000);   /* never shrinks */
    CU_ASSERT_EQUAL(es_edgeset_memory(s), mem);
    CU_ASSERT_EQUAL(es_edgeset_size(s), 5000);
    size_t wrong = 0;
    for (uint32_t i = 0; i < 5000; i++)
        wrong += !es_edgeset_contains(s, i * 7 + 1, i) + es_edgeset_insert(s, i, i * 7 + 1);
    for (uint32_t i = 5000; i < 200000; i++)
        wrong += es_edgeset_insert(s, i, i * 7 + 1) != es_edgeset_insert(ref, i, i * 7 + 1);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(es_edgeset_size(s), 200000);
    CU_ASSERT_EQUAL(es_edgeset_memory(s), mem);
    es_edgeset_free(s);
    es_edgeset_free(ref);
}

/* g_int64_hash folds the two halves by xor, so keys u << 32 | v of small
 * ids collide by the thousand; spread them for the reference table. */
static guint key_hash(gconstpointer p)
{
    return (guint)((*(const uint64_t *)p * 0x9E3779B97F4A7C15ull) >> 32);
}

static void test_a_million_random_edges_agree_with_a_ghashtable(void)
{
    const uint64_t seed = 20240611;
    const size_t m = 1000000;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    uint64_t *keys = g_new(uint64_t, m);
    GHashTable *ref = g_hash_table_new(key_hash, g_int64_equal);
    es_edgeset *s = es_edgeset_new(1000, 0);
    size_t disagree = 0;
    for (size_t i = 0; i < m; i++) {
        /* Half the edges among 2000 vertices (many repeats, both
         * directions), half spread over the whole id range. */
        uint32_t u, v;
        if (i % 2) {
            u = g_rand_int_range(rng, 0, 2000);
            v = g_rand_int_range(rng, 0, 2000);
        } else {
            u = g_rand_int(rng) >> (g_rand_int(rng) % 32);
            v = g_rand_int(rng) >> (g_rand_int(rng) % 32);
            if (u == UINT32_MAX) u--;
            if (v == UINT32_MAX) v--;
        }
        keys[i] = es_edge_key(u, v);
        gboolean ref_new = !g_hash_table_contains(ref, &keys[i]);
        if (ref_new)
            g_hash_table_add(ref, &keys[i]);
        disagree += es_edgeset_insert(s, u, v) != ref_new;
    }
    size_t wrong_contains = 0;
    for (size_t i = 0; i < 200000; i++) {
        uint32_t u = g_rand_int_range(rng, 0, 2500), v = g_rand_int_range(rng, 0, 2500);
        uint64_t k = es_edge_key(u, v);
        wrong_contains += es_edgeset_contains(s, u, v) != g_hash_table_contains(ref, &k);
    }
    CU_ASSERT_EQUAL(disagree, 0);
    CU_ASSERT_EQUAL(wrong_contains, 0);
    CU_ASSERT_EQUAL(es_edgeset_size(s), g_hash_table_size(ref));
    if (disagree || wrong_contains)
        printf("\n  edge set differs from GHashTable: seed %" G_GUINT64_FORMAT "\n", (guint64)seed);
    es_edgeset_free(s);
    g_hash_table_destroy(ref);
    g_free(keys);
    g_rand_free(rng);
}

/* Batch insertion must answer exactly as one-by-one insertion in stream
 * order, for any thread count, including across growth and pieces. */
static int check_batch(uint64_t seed, uint32_t n, size_t m, size_t batch, gboolean skip_loops, uint32_t shards)
{
    size_t mm;
    uint32_t *p = es_test_random_edges(n, m, seed, 1, &mm);
    const es_edge *e = (const es_edge *)p;
    uint8_t *want = g_new(uint8_t, mm), *got = g_new(uint8_t, mm);
    es_edgeset *ref = es_edgeset_new(0, shards);
    size_t want_fresh = 0;
    for (size_t i = 0; i < mm; i++) {
        want[i] = (skip_loops && e[i].u == e[i].v) ? 0 : (uint8_t)es_edgeset_insert(ref, e[i].u, e[i].v);
        want_fresh += want[i];
    }
    /* The log of a logged set: the new keys in stream order. */
    uint64_t *want_log = g_new(uint64_t, want_fresh + 1);
    for (size_t i = 0, k = 0; i < mm; i++)
        if (want[i])
            want_log[k++] = es_edge_key(e[i].u, e[i].v);
    int bad = 0;
    const int saved = omp_get_max_threads();
    for (int threads = 1; threads <= 3; threads++) {
        omp_set_num_threads(threads);
        for (int logged = 0; logged <= 1; logged++) {
            es_edgeset *s = logged ? es_edgeset_new_logged(0, shards, NULL) : es_edgeset_new(0, shards);
            size_t fresh = 0;
            for (size_t at = 0; at < mm; at += batch) {
                size_t len = mm - at < batch ? mm - at : batch;
                fresh += es_edgeset_insert_batch(s, e + at, len, skip_loops, got + at);
            }
            bad |= fresh != want_fresh || memcmp(got, want, mm) != 0;
            bad |= es_edgeset_size(s) != es_edgeset_size(ref);
            size_t n_log;
            const uint64_t *log = es_edgeset_log(s, &n_log);
            if (logged)
                bad |= log == NULL || n_log != want_fresh || memcmp(log, want_log, n_log * sizeof *log) != 0;
            else
                bad |= log != NULL || n_log != 0;
            if (bad)
                printf("\n  batch insertion differs: seed %" G_GUINT64_FORMAT ", threads %d, batch %zu%s\n",
                       (guint64)seed, threads, batch, logged ? ", logged set" : "");
            es_edgeset_free(s);
        }
    }
    omp_set_num_threads(saved);
    g_free(want_log);
    es_edgeset_free(ref);
    g_free(want);
    g_free(got);
    g_free(p);
    return bad;
}

static void test_batch_insertion_answers_as_one_by_one_for_any_thread_count(void)
{
    CU_ASSERT_FALSE(check_batch(1, 3000, 200000, 200000, TRUE, 0));   /* many duplicates */
    CU_ASSERT_FALSE(check_batch(2, 1u << 20, 300000, 50000, TRUE, 0)); /* growth in every batch */
    CU_ASSERT_FALSE(check_batch(3, 500, 40000, 9000, FALSE, 0));      /* loops kept */
    CU_ASSERT_FALSE(check_batch(4, 100000, 100000, 100000, TRUE, 1)); /* one shard */
    CU_ASSERT_FALSE(check_batch(5, 100000, 60000, 20000, TRUE, 65536));
    CU_ASSERT_FALSE(check_batch(6, 1000, 5000, 7, TRUE, 0));          /* small batches */
}

static void test_batch_larger_than_a_sort_piece_is_inserted_whole(void)
{
    /* 4.5 Mi edges: more than one 4 Mi-edge piece of the batch sort. */
    const size_t m = (size_t)9 << 19;
    es_edge *e = g_new(es_edge, m);
    GRand *rng = g_rand_new_with_seed(77);
    for (size_t i = 0; i < m; i++) {
        e[i].u = g_rand_int_range(rng, 0, 1 << 22);
        e[i].v = g_rand_int_range(rng, 0, 1 << 22);
    }
    e[m - 1] = e[3];           /* a duplicate across pieces */
    e[m - 2].u = e[m - 2].v;   /* a self-loop */
    uint8_t *is_new = g_new(uint8_t, m);
    es_edgeset *s = es_edgeset_new_logged(0, 0, NULL);
    size_t fresh = es_edgeset_insert_batch(s, e, m, TRUE, is_new);
    CU_ASSERT_EQUAL(fresh, es_edgeset_size(s));
    CU_ASSERT_EQUAL(is_new[m - 1], 0);
    CU_ASSERT_EQUAL(is_new[m - 2], 0);
    CU_ASSERT_EQUAL(is_new[3], 1);
    size_t missing = 0, counted = 0;
    for (size_t i = 0; i < m; i++) {
        counted += is_new[i];
        if (e[i].u != e[i].v)
            missing += !es_edgeset_contains(s, e[i].v, e[i].u);
    }
    CU_ASSERT_EQUAL(counted, fresh);
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT(fresh > m - 100 && fresh < m - 1);  /* and a few chance repeats and loops */
    /* The log runs on from one piece to the next, in stream order. */
    size_t n_log, misplaced = 0;
    const uint64_t *log = es_edgeset_log(s, &n_log);
    CU_ASSERT_EQUAL_FATAL(n_log, fresh);
    for (size_t i = 0, k = 0; i < m; i++)
        if (is_new[i])
            misplaced += log[k++] != es_edge_key(e[i].u, e[i].v);
    CU_ASSERT_EQUAL(misplaced, 0);
    es_edgeset_free(s);
    g_free(is_new);
    g_free(e);
    g_rand_free(rng);
}

/* Collects the walk's keys and checks the pieces' bounds. */
typedef struct {
    uint64_t *keys;
    size_t n, cap, pieces, max_piece, too_big, stop_after;
} walk_log;

static gboolean log_piece(const uint64_t *keys, size_t n, void *user)
{
    walk_log *w = user;
    w->pieces++;
    w->too_big += n > w->max_piece || n == 0;
    for (size_t i = 0; i < n && w->n < w->cap; i++)
        w->keys[w->n++] = keys[i];
    return w->stop_after == 0 || w->pieces < w->stop_after;
}

/* Walk s in pieces of max_piece; 1 iff it lists every key once, sorted,
 * in pieces no bigger than asked. */
static int walk_is_sorted_keys(const es_edgeset *s, size_t max_piece)
{
    const size_t n = es_edgeset_size(s);
    uint64_t *want = g_new(uint64_t, n + 1);
    es_edgeset_keys(s, want);
    qsort(want, n, sizeof *want, u64_cmp);
    walk_log w = { .keys = g_new(uint64_t, n + 1), .cap = n + 1, .max_piece = max_piece };
    gboolean done = es_edgeset_foreach_sorted(s, max_piece, log_piece, &w);
    int ok = done && w.n == n && w.too_big == 0 && memcmp(w.keys, want, n * sizeof *want) == 0;
    ok &= n == 0 ? w.pieces == 0 : w.pieces >= (n + max_piece - 1) / max_piece;
    if (!ok)
        printf("\n  sorted walk wrong: %zu keys, pieces of %zu: got %zu keys in %zu pieces\n",
               n, max_piece, w.n, w.pieces);
    g_free(w.keys);
    g_free(want);
    return ok;
}

static void test_sorted_walk_lists_every_key_once_in_increasing_order(void)
{
    /* Each piece costs a scan of the table: tiny pieces on a small set. */
    static const uint32_t shards[] = { 1, 0, 65536 };
    static const size_t pieces[] = { 1000, 65536, (size_t)1 << 40 }, tiny_pieces[] = { 1, 2, 7 };
    GRand *rng = g_rand_new_with_seed(5);
    es_edge *e = g_new(es_edge, 60000);
    for (size_t i = 0; i < 60000; i++) {
        /* Small ids, ids across the whole range, and (0, 0): key 0. */
        e[i].u = i % 3 ? (uint32_t)g_rand_int_range(rng, 0, 5000) : g_rand_int(rng) >> (g_rand_int(rng) % 32);
        e[i].v = i % 3 ? (uint32_t)g_rand_int_range(rng, 0, 5000) : g_rand_int(rng) >> (g_rand_int(rng) % 32);
        if (e[i].u == UINT32_MAX) e[i].u--;
        if (e[i].v == UINT32_MAX) e[i].v--;
    }
    e[17].u = e[17].v = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(shards); k++) {
        es_edgeset *s = es_edgeset_new(0, shards[k]), *small = es_edgeset_new(0, shards[k]);
        for (size_t i = 0; i < 60000; i++)
            es_edgeset_insert(s, e[i].u, e[i].v);
        for (size_t i = 0; i < 300; i++)
            es_edgeset_insert(small, e[i].u, e[i].v);
        for (size_t j = 0; j < G_N_ELEMENTS(pieces); j++)
            CU_ASSERT_TRUE(walk_is_sorted_keys(s, pieces[j]));
        for (size_t j = 0; j < G_N_ELEMENTS(tiny_pieces); j++)
            CU_ASSERT_TRUE(walk_is_sorted_keys(small, tiny_pieces[j]));
        es_edgeset_free(s);
        es_edgeset_free(small);
    }
    g_free(e);
    g_rand_free(rng);
}

static void test_sorted_walk_of_keys_in_one_narrow_range_stays_in_small_pieces(void)
{
    /* A hub: 0 with 200000 neighbours, so nearly every key shares its top
     * 32 bits and the first histogram puts them in one sub-range. */
    es_edgeset *s = es_edgeset_new(0, 0);
    for (uint32_t v = 1; v <= 200000; v++)
        es_edgeset_insert(s, 0, v);
    es_edgeset_insert(s, 7, 9);
    es_edgeset_insert(s, 123456, 0xFFFFFFFEu);
    CU_ASSERT_TRUE(walk_is_sorted_keys(s, 1000));
    CU_ASSERT_TRUE(walk_is_sorted_keys(s, 150000));
    /* A small hub with pieces of 3 and of 1: keys 0 -> 1 .. 2000 differ
     * in their low 11 bits only. */
    es_edgeset *t = es_edgeset_new(0, 4);
    for (uint32_t v = 1; v <= 2000; v++)
        es_edgeset_insert(t, 0, v);
    CU_ASSERT_TRUE(walk_is_sorted_keys(t, 3));
    CU_ASSERT_TRUE(walk_is_sorted_keys(t, 1));
    CU_ASSERT_TRUE(walk_is_sorted_keys(t, 1999));
    es_edgeset_free(s);
    es_edgeset_free(t);
}

static void test_sorted_walk_is_the_same_whatever_the_shard_count(void)
{
    size_t m;
    uint32_t *p = es_test_random_edges(20000, 100000, 9, 1, &m);
    GBytes *first = NULL;
    for (uint32_t shards = 1; shards <= 4096; shards *= 8) {
        es_edgeset *s = es_edgeset_new(shards == 8 ? 200000 : 0, shards);
        uint8_t *is_new = g_new(uint8_t, m);
        es_edgeset_insert_batch(s, (const es_edge *)p, m, TRUE, is_new);
        walk_log w = { .keys = g_new(uint64_t, m), .cap = m, .max_piece = 5000 };
        CU_ASSERT_TRUE(es_edgeset_foreach_sorted(s, 5000, log_piece, &w));
        GBytes *b = g_bytes_new_take(w.keys, w.n * sizeof(uint64_t));
        if (first == NULL)
            first = g_bytes_ref(b);
        CU_ASSERT_TRUE(g_bytes_equal(first, b));
        g_bytes_unref(b);
        g_free(is_new);
        es_edgeset_free(s);
    }
    g_bytes_unref(first);
    g_free(p);
}

static void test_sorted_walk_stops_when_told_and_skips_an_empty_set(void)
{
    es_edgeset *s = es_edgeset_new(0, 0);
    walk_log w = { .keys = g_new(uint64_t, 1000), .cap = 1000, .max_piece = 10, .stop_after = 3 };
    CU_ASSERT_TRUE(es_edgeset_foreach_sorted(s, 10, log_piece, &w));
    CU_ASSERT_EQUAL(w.pieces, 0);
    for (uint32_t v = 1; v <= 100; v++)
        es_edgeset_insert(s, v, v + 1000);
    CU_ASSERT_FALSE(es_edgeset_foreach_sorted(s, 10, log_piece, &w));
    CU_ASSERT_EQUAL(w.pieces, 3);
    CU_ASSERT_EQUAL(w.n, 30);
    CU_ASSERT_EQUAL(w.keys[0], es_edge_key(1, 1001));
    CU_ASSERT_EQUAL(w.keys[29], es_edge_key(30, 1030));
    g_free(w.keys);
    es_edgeset_free(s);
}

/* ---- insertion log ------------------------------------------------------ */

static void test_a_logged_set_lists_its_keys_in_first_insertion_order(void)
{
    /* Repeats, reversed repeats, (0, 0) (key 0, a flag, not a slot) and
     * growth from 16 slots: the log keeps first insertions only.  The
     * verifier: a GHashTable of the keys seen, and a list of the new ones. */
    enum { M = 50000 };
    es_edgeset *s = es_edgeset_new_logged(0, 1, NULL);
    GHashTable *seen = g_hash_table_new(key_hash, g_int64_equal);
    uint64_t *want = g_new(uint64_t, M);
    size_t nwant = 0, disagree = 0;
    GRand *rng = g_rand_new_with_seed(31);
    for (size_t i = 0; i < M; i++) {
        uint32_t u = g_rand_int_range(rng, 0, 400), v = g_rand_int_range(rng, 0, 400);
        if (i == 99)
            u = v = 0;
        want[nwant] = es_edge_key(u, v);
        gboolean fresh = !g_hash_table_contains(seen, &want[nwant]);
        if (fresh)
            g_hash_table_add(seen, &want[nwant++]);
        disagree += es_edgeset_insert(s, v, u) != fresh;
    }
    size_t n;
    const uint64_t *log = es_edgeset_log(s, &n);
    CU_ASSERT_EQUAL(disagree, 0);
    CU_ASSERT_EQUAL(n, nwant);
    CU_ASSERT_EQUAL(n, es_edgeset_size(s));
    CU_ASSERT_TRUE(log != NULL && n == nwant && memcmp(log, want, n * sizeof *log) == 0);
    CU_ASSERT(3 * es_edgeset_memory(s) >= 7 * n * sizeof(uint64_t)); /* table <= 75% full, and the log */
    if (disagree || n != nwant)
        printf("\n  insertion log differs: seed 31\n");
    g_rand_free(rng);
    g_free(want);
    g_hash_table_destroy(seen);
    es_edgeset_free(s);
}

static void test_a_set_without_a_log_has_none_and_a_presized_log_fills_in_order(void)
{
    es_edgeset *plain = es_edgeset_new(0, 0), *sized = es_edgeset_new_logged(1000, 0, NULL);
    size_t n = 7;
    CU_ASSERT_TRUE(es_edgeset_insert(plain, 1, 2));
    CU_ASSERT_PTR_NULL(es_edgeset_log(plain, &n));
    CU_ASSERT_EQUAL(n, 0);
    es_edgeset_log(sized, &n);
    CU_ASSERT_EQUAL(n, 0);
    for (uint32_t v = 1; v <= 3000; v++)       /* past the room reserved */
        es_edgeset_insert(sized, 3000 - v + 1, 0);
    es_edgeset_insert(sized, 0, 5);            /* a repeat, reversed */
    const uint64_t *log = es_edgeset_log(sized, &n);
    CU_ASSERT_EQUAL_FATAL(n, 3000);
    CU_ASSERT_EQUAL(log[0], es_edge_key(0, 3000));
    CU_ASSERT_EQUAL(log[2999], es_edge_key(0, 1));
    es_edgeset_free(plain);
    es_edgeset_free(sized);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_insert_says_new_the_first_time_only),
        ES_TEST(test_reversed_edge_is_the_same_edge),
        ES_TEST(test_vertex_zero_and_self_loops_are_ordinary_members),
        ES_TEST(test_growth_through_many_rehashes_keeps_every_edge),
        ES_TEST(test_reserve_keeps_every_edge_and_stops_regrowth),
        ES_TEST(test_a_million_random_edges_agree_with_a_ghashtable),
        ES_TEST(test_batch_insertion_answers_as_one_by_one_for_any_thread_count),
        ES_TEST(test_batch_larger_than_a_sort_piece_is_inserted_whole),
        ES_TEST(test_sorted_walk_lists_every_key_once_in_increasing_order),
        ES_TEST(test_sorted_walk_of_keys_in_one_narrow_range_stays_in_small_pieces),
        ES_TEST(test_sorted_walk_is_the_same_whatever_the_shard_count),
        ES_TEST(test_sorted_walk_stops_when_told_and_skips_an_empty_set),
        ES_TEST(test_a_logged_set_lists_its_keys_in_first_insertion_order),
        ES_TEST(test_a_set_without_a_log_has_none_and_a_presized_log_fills_in_order),
        { NULL, NULL },
    };
    return es_test_main("edgeset", tests);
}
