/* test_unionfind.c — the union-find (graph/unionfind.c): hand-made cases,
 * then random unions checked against a naive labelling (every vertex holds
 * its set's label; a union relabels one whole set), which is obviously
 * correct and O(n) per union.  The batch union must build the very forest
 * that edge-by-edge unions build, whether or not it lists its joins; the
 * joins it lists are the edges whose union joined two sets; the read-only
 * queries must not change any answer; a forest rebuilt from its joins must
 * have the original's sets, roots and sizes and go on as the original, and
 * keys that are no list of joins (not u < v < n, or closing a cycle) must
 * be refused naming the first bad key. */
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/unionfind.h"
#include "tests/testutil.h"

static void test_new_forest_has_every_vertex_as_a_singleton(void)
{
    es_uf *uf = es_uf_new(5);
    CU_ASSERT_EQUAL(es_uf_size(uf), 5);
    CU_ASSERT_EQUAL(es_uf_count(uf), 5);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 1);
    for (uint32_t v = 0; v < 5; v++) {
        CU_ASSERT_EQUAL(es_uf_find(uf, v), v);
        CU_ASSERT_EQUAL(es_uf_set_size(uf, v), 1);
    }
    es_uf_free(uf);
}

static void test_empty_forest_has_no_sets(void)
{
    es_uf *uf = es_uf_new(0);
    CU_ASSERT_EQUAL(es_uf_size(uf), 0);
    CU_ASSERT_EQUAL(es_uf_count(uf), 0);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 0);
    es_uf_grow(uf, 0);
    CU_ASSERT_EQUAL(es_uf_size(uf), 0);
    es_uf_free(uf);
    es_uf_free(NULL);
}

static void test_union_joins_two_sets_and_find_agrees(void)
{
    es_uf *uf = es_uf_new(6);
    CU_ASSERT_TRUE(es_uf_union(uf, 0, 1));
    CU_ASSERT_TRUE(es_uf_union(uf, 2, 3));
    CU_ASSERT_EQUAL(es_uf_find(uf, 0), es_uf_find(uf, 1));
    CU_ASSERT_EQUAL(es_uf_find(uf, 2), es_uf_find(uf, 3));
    CU_ASSERT_NOT_EQUAL(es_uf_find(uf, 0), es_uf_find(uf, 2));
    CU_ASSERT_TRUE(es_uf_union(uf, 1, 3));
    for (uint32_t v = 1; v < 4; v++)
        CU_ASSERT_EQUAL(es_uf_find(uf, v), es_uf_find(uf, 0));
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 2), 4);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 4), 1);
    CU_ASSERT_EQUAL(es_uf_count(uf), 3);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 4);
    es_uf_free(uf);
}

static void test_union_of_the_same_set_returns_false_and_changes_nothing(void)
{
    es_uf *uf = es_uf_new(4);
    CU_ASSERT_TRUE(es_uf_union(uf, 0, 1));
    CU_ASSERT_TRUE(es_uf_union(uf, 1, 2));
    CU_ASSERT_FALSE(es_uf_union(uf, 0, 2));
    CU_ASSERT_FALSE(es_uf_union(uf, 2, 0));
    CU_ASSERT_FALSE(es_uf_union(uf, 3, 3));
    CU_ASSERT_EQUAL(es_uf_count(uf), 2);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 0), 3);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 3);
    es_uf_free(uf);
}

static void test_union_of_two_trees_keeps_smaller_under_larger(void)
{
    /* {5,6,7} (root chosen by the forest) against singleton {1}: whichever
     * argument order, the larger set's root stays root. */
    for (int order = 0; order < 2; order++) {
        es_uf *uf = es_uf_new(8);
        es_uf_union(uf, 5, 6);
        es_uf_union(uf, 6, 7);
        uint32_t big = es_uf_find(uf, 7);
        CU_ASSERT_TRUE(order ? es_uf_union(uf, 1, 7) : es_uf_union(uf, 7, 1));
        CU_ASSERT_EQUAL(es_uf_find(uf, 1), big);
        CU_ASSERT_EQUAL(es_uf_find(uf, 5), big);
        CU_ASSERT_EQUAL(es_uf_set_size(uf, 1), 4);
        es_uf_free(uf);
    }
}

static void test_union_of_equal_sizes_keeps_the_smaller_id_as_root(void)
{
    es_uf *uf = es_uf_new(10);
    CU_ASSERT_TRUE(es_uf_union(uf, 9, 4));
    CU_ASSERT_EQUAL(es_uf_find(uf, 9), 4);
    CU_ASSERT_TRUE(es_uf_union(uf, 2, 8));
    CU_ASSERT_EQUAL(es_uf_find(uf, 8), 2);
    CU_ASSERT_TRUE(es_uf_union(uf, 9, 8)); /* sizes 2 and 2: roots 4 and 2 */
    CU_ASSERT_EQUAL(es_uf_find(uf, 4), 2);
    CU_ASSERT_EQUAL(es_uf_find(uf, 9), 2);
    es_uf_free(uf);
}

/* Vertices 0 .. n-1 (n a power of 2) joined pairwise, round after round:
 * v with v + step for step 1, 2, 4, ...  Returns the unions that joined
 * two sets. */
static uint32_t join_equal_trees(es_uf *uf, uint32_t n)
{
    uint32_t joined = 0;
    for (uint32_t step = 1; step < n; step *= 2)
        for (uint32_t v = 0; v + step < n; v += 2 * step)
            joined += es_uf_union(uf, v, v + step) ? 1 : 0;
    return joined;
}

static void test_pairwise_unions_of_equal_trees_end_rooted_at_vertex_zero(void)
{
    /* Equal trees joined pairwise, round after round (the binomial-tree
     * worst case for depth): the smaller root wins every tie, so 0 ends as
     * the root of everything. */
    const uint32_t n = 1u << 12;
    es_uf *uf = es_uf_new(n);
    CU_ASSERT_EQUAL(join_equal_trees(uf, n), n - 1);   /* every union joined two sets */
    CU_ASSERT_EQUAL(es_uf_count(uf), 1);
    CU_ASSERT_EQUAL(es_uf_largest(uf), n);
    CU_ASSERT_EQUAL(es_uf_find(uf, n - 1), 0);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, n / 2), n);
    es_uf_free(uf);
}

static void test_grow_adds_singletons_and_keeps_existing_sets(void)
{
    es_uf *uf = es_uf_new(3);
    es_uf_union(uf, 0, 2);
    es_uf_grow(uf, 2); /* never shrinks */
    CU_ASSERT_EQUAL(es_uf_size(uf), 3);
    es_uf_grow(uf, 100000);
    CU_ASSERT_EQUAL(es_uf_size(uf), 100000);
    CU_ASSERT_EQUAL(es_uf_count(uf), 99999);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 2);
    CU_ASSERT_EQUAL(es_uf_find(uf, 2), es_uf_find(uf, 0));
    CU_ASSERT_EQUAL(es_uf_find(uf, 99999), 99999);
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 50000), 1);
    CU_ASSERT_TRUE(es_uf_union(uf, 99999, 1));
    CU_ASSERT_EQUAL(es_uf_set_size(uf, 1), 2);
    es_uf_free(uf);

    es_uf *empty = es_uf_new(0);
    es_uf_grow(empty, 1);
    CU_ASSERT_EQUAL(es_uf_count(empty), 1);
    CU_ASSERT_EQUAL(es_uf_largest(empty), 1);
    es_uf_free(empty);
}

/* Random unions and grows against the naive labelling. */
static int compare_with_labels(uint64_t seed, uint32_t n_final, size_t ops)
{
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    uint32_t *label = g_new(uint32_t, n_final);
    uint32_t n = n_final / 4;
    for (uint32_t v = 0; v < n_final; v++)
        label[v] = v;
    es_uf *uf = es_uf_new(n);
    int bad = 0;
    for (size_t i = 0; i < ops && !bad; i++) {
        if (n < n_final && g_rand_int_range(rng, 0, 100) == 0) {
            n += (uint32_t)g_rand_int_range(rng, 1, (gint32)(n_final - n) + 1);
            es_uf_grow(uf, n);
            continue;
        }
        uint32_t a = g_rand_int_range(rng, 0, (gint32)n), b = g_rand_int_range(rng, 0, (gint32)n);
        gboolean differ = label[a] != label[b];
        if (es_uf_union(uf, a, b) != differ)
            bad = 1;
        if (differ) {
            uint32_t from = label[b], to = label[a];
            for (uint32_t v = 0; v < n_final; v++)
                if (label[v] == from)
                    label[v] = to;
        }
        if (i % 97 == 0 || i + 1 == ops) {
            /* Full check: sets, sizes, count, largest. */
            uint32_t *size = g_new0(uint32_t, n_final);
            for (uint32_t v = 0; v < n; v++)
                size[label[v]]++;
            uint32_t count = 0, largest = 0;
            for (uint32_t v = 0; v < n_final; v++) {
                count += size[v] > 0;
                largest = size[v] > largest ? size[v] : largest;
            }
            bad |= es_uf_count(uf) != count || es_uf_largest(uf) != largest || es_uf_size(uf) != n;
            for (uint32_t v = 0; v < n && !bad; v++) {
                uint32_t r = es_uf_find(uf, v);
                bad |= es_uf_set_size(uf, v) != size[label[v]];
                bad |= label[r] != label[v];                    /* root in v's set */
                bad |= es_uf_find(uf, r) != r;                  /* and a root */
                uint32_t w = g_rand_int_range(rng, 0, (gint32)n);
                bad |= (es_uf_find(uf, w) == r) != (label[w] == label[v]);
            }
            g_free(size);
        }
    }
    if (bad)
        printf("\n  union-find differs from the naive labelling: seed %" G_GUINT64_FORMAT ", n %u\n",
               (guint64)seed, n_final);
    es_uf_free(uf);
    g_free(label);
    g_rand_free(rng);
    return bad;
}

static void test_random_unions_match_a_naive_labelling(void)
{
    for (uint64_t seed = 1; seed <= 8; seed++)
        CU_ASSERT_FALSE(compare_with_labels(seed, 200 + 300 * (uint32_t)seed, 3000));
}

/* Same vertices, count, largest, roots (read-only first: es_uf_root_size
 * at every vertex), then for every vertex the same root and set size.
 * The parents below the roots are not compared: nothing depends on them
 * and the API does not show them. */
static int same_forest(es_uf *a, es_uf *b)
{
    uint32_t n = es_uf_size(a);
    if (n != es_uf_size(b) || es_uf_count(a) != es_uf_count(b) || es_uf_largest(a) != es_uf_largest(b))
        return 0;
    int same = 1;
    for (uint32_t v = 0; v < n && same; v++)
        same = es_uf_root_size(a, v) == es_uf_root_size(b, v);
    for (uint32_t v = 0; v < n && same; v++)
        same = es_uf_find(a, v) == es_uf_find(b, v) && es_uf_set_size(a, v) == es_uf_set_size(b, v);
    return same;
}

static es_edge *random_edges(GRand *rng, uint32_t n, size_t m)
{
    es_edge *e = g_new(es_edge, m ? m : 1);
    for (size_t i = 0; i < m; i++) {
        e[i].u = g_rand_int_range(rng, 0, (gint32)n);
        e[i].v = g_rand_int_range(rng, 0, (gint32)n);
    }
    return e;
}

static void test_batch_union_builds_the_forest_of_edge_by_edge_unions(void)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)seed);
        const uint32_t n = 50 + 4000 * (uint32_t)seed;
        const size_t m = (size_t)n * (seed % 3 + 1) / 2;
        es_edge *e = random_edges(rng, n, m);
        es_uf *one = es_uf_new(n), *batch = es_uf_new(n), *listed = es_uf_new(n);
        uint64_t *keys = g_new(uint64_t, m);
        size_t joins = 0;
        for (size_t i = 0; i < m; i++)
            joins += es_uf_union(one, e[i].u, e[i].v);
        /* In uneven pieces, as batches come; with and without a list of
         * the joins. */
        size_t batch_joins = 0, listed_joins = 0;
        for (size_t at = 0, len = 1; at < m; at += len, len = len * 3 + 1) {
            batch_joins += es_uf_union_edges(batch, e + at, MIN(len, m - at), NULL);
            listed_joins += es_uf_union_edges(listed, e + at, MIN(len, m - at), keys + listed_joins);
        }
        CU_ASSERT_EQUAL(batch_joins, joins);
        CU_ASSERT_EQUAL(listed_joins, joins);
        CU_ASSERT_EQUAL(joins, n - es_uf_count(one));
        int same = same_forest(one, batch) && same_forest(one, listed);
        CU_ASSERT_TRUE(same);
        if (!same)
            printf("\n  batch union differs: seed %" G_GUINT64_FORMAT "\n", (guint64)seed);
        CU_ASSERT_EQUAL(es_uf_union_edges(batch, e, 0, NULL), 0);
        CU_ASSERT_EQUAL(es_uf_union_edges(listed, e, 0, keys), 0);
        es_uf_free(one);
        es_uf_free(batch);
        es_uf_free(listed);
        g_free(keys);
        g_free(e);
        g_rand_free(rng);
    }
}

static void test_root_size_is_the_set_size_at_roots_and_zero_elsewhere(void)
{
    es_uf *uf = es_uf_new(7);
    es_uf_union(uf, 1, 2);
    es_uf_union(uf, 2, 3);
    es_uf_union(uf, 5, 6);
    uint32_t r = es_uf_find(uf, 3), s = es_uf_find(uf, 6);
    for (uint32_t v = 0; v < 7; v++) {
        uint32_t want = v == r ? 3 : v == s ? 2 : (v == 0 || v == 4) ? 1 : 0;
        CU_ASSERT_EQUAL(es_uf_root_size(uf, v), want);
    }
    for (uint32_t v = 0; v < 7; v++)
        CU_ASSERT_EQUAL(es_uf_find(uf, v) == v, es_uf_root_size(uf, v) != 0);
    es_uf_free(uf);
}

static void test_read_only_queries_change_no_answer(void)
{
    /* Pairwise unions of equal trees give paths of log2 n links, rooted at
     * 0.  Scans of es_uf_root_size (on a const forest: it cannot compress
     * a path) find the one root with the whole set, again and again, and
     * leave every other answer as it was. */
    const uint32_t n = 1u << 10;
    es_uf *uf = es_uf_new(n);
    join_equal_trees(uf, n);
    const es_uf *ro = uf;
    for (int scan = 0; scan < 3; scan++) {
        uint64_t total = 0;
        uint32_t roots = 0;
        for (uint32_t v = 0; v < n; v++) {
            total += es_uf_root_size(ro, v);
            roots += es_uf_root_size(ro, v) != 0;
        }
        CU_ASSERT_EQUAL(total, n);
        CU_ASSERT_EQUAL(roots, 1);
        CU_ASSERT_EQUAL(es_uf_root_size(ro, 0), n);
        CU_ASSERT_EQUAL(es_uf_count(ro), 1);
        CU_ASSERT_EQUAL(es_uf_largest(ro), n);
        CU_ASSERT_EQUAL(es_uf_size(ro), n);
    }
    int bad = 0;
    for (uint32_t v = n; v-- > 0;)
        bad += es_uf_find(uf, v) != 0 || es_uf_set_size(uf, v) != n;
    CU_ASSERT_EQUAL(bad, 0);
    es_uf_free(uf);
}

/* The joins es_uf_union_edges lists are, in order, the edges on which
 * es_uf_union answers TRUE, as keys u << 32 | v with u < v. */
static void test_joins_are_the_edges_whose_union_joined_two_sets(void)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        GRand *rng = g_rand_new_with_seed((guint32)(seed + 50));
        const uint32_t n = 20 + 700 * (uint32_t)seed;
        const size_t m = 2 * (size_t)n;
        es_edge *e = random_edges(rng, n, m);
        es_uf *one = es_uf_new(n), *batch = es_uf_new(n);
        uint64_t *want = g_new(uint64_t, m), *got = g_new(uint64_t, m);
        size_t nwant = 0;
        for (size_t i = 0; i < m; i++)
            if (es_uf_union(one, e[i].u, e[i].v))
                want[nwant++] = e[i].u < e[i].v ? KEY(e[i].u, e[i].v) : KEY(e[i].v, e[i].u);
        size_t ngot = 0;
        for (size_t at = 0, len = 2; at < m; at += len, len = len * 2 + 3)
            ngot += es_uf_union_edges(batch, e + at, MIN(len, m - at), got + ngot);
        CU_ASSERT_EQUAL(ngot, nwant);
        CU_ASSERT_EQUAL(ngot, n - es_uf_count(batch));
        CU_ASSERT_TRUE(ngot == nwant && memcmp(got, want, ngot * sizeof(uint64_t)) == 0);
        int bad = 0;
        for (size_t i = 0; i < ngot; i++)
            bad += !((got[i] >> 32) < (got[i] & 0xffffffffu) && (got[i] & 0xffffffffu) < n);
        CU_ASSERT_EQUAL(bad, 0);
        es_uf_free(one);
        es_uf_free(batch);
        g_free(want);
        g_free(got);
        g_free(e);
        g_rand_free(rng);
    }
}

/* Feed e[0 .. m-1] in uneven pieces, listing the joins into keys (room for
 * m); returns their number. */
static size_t union_listing(es_uf *uf, const es_edge *e, size_t m, uint64_t *keys)
{
    size_t k = 0;
    for (size_t at = 0, len = 1; at < m; at += len, len = len * 2 + 1)
        k += es_uf_union_edges(uf, e + at, MIN(len, m - at), keys + k);
    return k;
}

static void test_forest_rebuilt_from_its_joins_goes_on_as_the_original(void)
{
    static const uint32_t sizes[] = { 1, 2, 10, 300, 4000, 20000 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
            const uint32_t n = sizes[s];
            GRand *rng = g_rand_new_with_seed((guint32)(seed * 100 + s));
            const size_t m = (size_t)n + 20, cut = MIN(m, n / 2 + seed);
            es_edge *e = random_edges(rng, n, m);
            es_uf *a = es_uf_new(n);
            uint64_t *keys = g_new(uint64_t, m);
            const size_t k = union_listing(a, e, cut, keys);
            CU_ASSERT_EQUAL(k, n - es_uf_count(a));
            for (uint32_t v = 0; v < n; v += 7)   /* some compressed paths */
                es_uf_find(a, v);
            GError *err = NULL;
            es_uf *b = es_uf_new_from_joins(keys, k, n, &err);
            CU_ASSERT_PTR_NULL(err);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            CU_ASSERT_EQUAL(es_uf_size(b), n);
            CU_ASSERT_EQUAL(es_uf_count(b), es_uf_count(a));
            CU_ASSERT_EQUAL(es_uf_largest(b), es_uf_largest(a));
            int same = same_forest(a, b);
            CU_ASSERT_TRUE(same);
            /* The rest of the stream, on a grown forest: the same joins. */
            es_uf_grow(a, n + 10);
            es_uf_grow(b, n + 10);
            uint64_t *ka = g_new(uint64_t, m), *kb = g_new(uint64_t, m);
            const size_t ja = union_listing(a, e + cut, m - cut, ka), jb = union_listing(b, e + cut, m - cut, kb);
            CU_ASSERT_EQUAL(ja, jb);
            CU_ASSERT_TRUE(ja == jb && memcmp(ka, kb, ja * sizeof(uint64_t)) == 0);
            CU_ASSERT_TRUE(es_uf_union(a, 0, n + 3) == es_uf_union(b, 0, n + 3));
            CU_ASSERT_TRUE(es_uf_union(a, n + 3, n + 9) == es_uf_union(b, n + 3, n + 9));
            int same_after = same_forest(a, b);
            CU_ASSERT_TRUE(same_after);
            if (!same || !same_after)
                printf("\n  forest rebuilt from its joins differs: seed %" G_GUINT64_FORMAT ", n %u\n",
                       (guint64)seed, n);
            g_free(ka);
            g_free(kb);
            g_free(keys);
            es_uf_free(a);
            es_uf_free(b);
            g_free(e);
            g_rand_free(rng);
        }
    }
    GError *err = NULL;
    es_uf *empty = es_uf_new_from_joins(NULL, 0, 0, &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(empty);
    if (empty != NULL) {
        CU_ASSERT_EQUAL(es_uf_size(empty), 0);
        CU_ASSERT_EQUAL(es_uf_count(empty), 0);
        CU_ASSERT_EQUAL(es_uf_largest(empty), 0);
        uint64_t none[1];
        CU_ASSERT_EQUAL(es_uf_union_edges(empty, NULL, 0, none), 0);
        es_uf_grow(empty, 3);
        CU_ASSERT_EQUAL(es_uf_count(empty), 3);
        CU_ASSERT_EQUAL(es_uf_largest(empty), 1);
    }
    es_uf_free(empty);
    /* No joins over n vertices: n singletons. */
    es_uf *singles = es_uf_new_from_joins(NULL, 0, 5, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(singles);
    CU_ASSERT_EQUAL(es_uf_count(singles), 5);
    CU_ASSERT_EQUAL(es_uf_largest(singles), 1);
    es_uf_free(singles);
}

/* Refused, with an ES_ERROR_DATA error naming key `bad` ("key <bad>,"). */
static void expect_bad_joins(const uint64_t *keys, size_t k, uint32_t n, size_t bad, const char *what)
{
    GError *err = NULL;
    es_uf *uf = es_uf_new_from_joins(keys, k, n, &err);
    char *words = g_strdup_printf("key %zu,", bad);
    const gboolean ok = uf == NULL && g_error_matches(err, ES_ERROR, ES_ERROR_DATA) &&
                        strstr(err->message, words) != NULL;
    CU_ASSERT_PTR_NULL(uf);
    CU_ASSERT_TRUE(g_error_matches(err, ES_ERROR, ES_ERROR_DATA));
    CU_ASSERT_TRUE(ok);
    if (!ok)
        printf("\n  %s: expected an error naming \"%s\", got: %s\n", what, words,
               err ? err->message : uf ? "a forest" : "no error");
    g_free(words);
    g_clear_error(&err);
    es_uf_free(uf);
    /* The keys before the bad one are a valid list. */
    uf = es_uf_new_from_joins(keys, bad, n, &err);
    CU_ASSERT_PTR_NOT_NULL(uf);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(uf ? es_uf_count(uf) : 0, n - bad);
    g_clear_error(&err);
    es_uf_free(uf);
}

static void test_joins_that_are_no_list_of_joins_are_refused_naming_the_key(void)
{
    const uint64_t loop[] = { KEY(0, 1), KEY(2, 2) };
    const uint64_t reversed[] = { KEY(0, 1), KEY(1, 2), KEY(3, 2) };
    const uint64_t far_reversed[] = { KEY(UINT32_MAX, 0) };
    const uint64_t beyond[] = { KEY(0, 1), KEY(2, 4) };
    const uint64_t far_beyond[] = { KEY(1, UINT32_MAX) };
    const uint64_t both_beyond[] = { KEY(0, 3), KEY(4, 5) };
    const uint64_t cycle[] = { KEY(0, 1), KEY(1, 2), KEY(0, 2) };
    const uint64_t long_cycle[] = { KEY(0, 1), KEY(2, 3), KEY(1, 2), KEY(0, 3) };
    const uint64_t repeated[] = { KEY(0, 1), KEY(2, 3), KEY(0, 1) };
    const uint64_t repeated_at_once[] = { KEY(1, 3), KEY(1, 3) };
    expect_bad_joins(loop, 2, 4, 1, "u = v");
    expect_bad_joins(reversed, 3, 4, 2, "u > v");
    expect_bad_joins(far_reversed, 1, 4, 0, "u far above v");
    expect_bad_joins(beyond, 2, 4, 1, "v = n");
    expect_bad_joins(far_beyond, 1, 4, 0, "v far beyond n");
    expect_bad_joins(both_beyond, 2, 4, 1, "u and v beyond n");
    expect_bad_joins(cycle, 3, 4, 2, "a three-cycle");
    expect_bad_joins(long_cycle, 4, 4, 3, "a four-cycle");
    expect_bad_joins(repeated, 3, 4, 2, "a repeated key");
    expect_bad_joins(repeated_at_once, 2, 4, 1, "a key repeated at once");
    expect_bad_joins(far_beyond, 1, 0, 0, "any key over no vertices");
    /* Their valid neighbours pass: a tree, in any order. */
    const uint64_t tree[] = { KEY(2, 3), KEY(0, 1), KEY(1, 3) };
    GError *err = NULL;
    es_uf *uf = es_uf_new_from_joins(tree, 3, 4, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(uf);
    CU_ASSERT_EQUAL(es_uf_count(uf), 1);
    CU_ASSERT_EQUAL(es_uf_largest(uf), 4);
    CU_ASSERT_EQUAL(es_uf_find(uf, 0), es_uf_find(uf, 2));
    es_uf_free(uf);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_new_forest_has_every_vertex_as_a_singleton),
        ES_TEST(test_empty_forest_has_no_sets),
        ES_TEST(test_union_joins_two_sets_and_find_agrees),
        ES_TEST(test_union_of_the_same_set_returns_false_and_changes_nothing),
        ES_TEST(test_union_of_two_trees_keeps_smaller_under_larger),
        ES_TEST(test_union_of_equal_sizes_keeps_the_smaller_id_as_root),
        ES_TEST(test_pairwise_unions_of_equal_trees_end_rooted_at_vertex_zero),
        ES_TEST(test_grow_adds_singletons_and_keeps_existing_sets),
        ES_TEST(test_random_unions_match_a_naive_labelling),
        ES_TEST(test_batch_union_builds_the_forest_of_edge_by_edge_unions),
        ES_TEST(test_root_size_is_the_set_size_at_roots_and_zero_elsewhere),
        ES_TEST(test_read_only_queries_change_no_answer),
        ES_TEST(test_joins_are_the_edges_whose_union_joined_two_sets),
        ES_TEST(test_forest_rebuilt_from_its_joins_goes_on_as_the_original),
        ES_TEST(test_joins_that_are_no_list_of_joins_are_refused_naming_the_key),
        { NULL, NULL },
    };
    return es_test_main("unionfind", tests);
}
