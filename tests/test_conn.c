/* test_conn.c — components under expiries and deletions, against a plain
 * recount of the graph after every step (labels by a search, and a
 * 2-colouring by the same search for bipartiteness).
 * - A sliding window by BIC (graph/bic.c): random streams of lines
 *   (self-loops and repeats among them) enter in batches of random sizes
 *   and leave oldest first in random numbers, so that the older chunk is
 *   exhausted at every possible place; in parity mode the line
 *   es_bic_insert names must be the first after which the recount finds
 *   an odd cycle the window did not hold before.
 * - Insertions and deletions of a simple graph (graph/lazyconn.c), the
 *   answers asked after every change (rebuilds soon cost too much: the
 *   structure turns into graph/dynconn.c), or now and then (rebuilds).
 * - The same in parity mode, with self-loop lines coming and going: the
 *   recount after every change gives whether the graph is bipartite, so
 *   the change that last made it not is known at every step; the
 *   structure, asked now and then (so that answers stay open over long
 *   runs of changes, and its log fills), must give both.  Graphs near
 *   bipartite (most pairs join two sides) so that the answer flips often,
 *   and dense ones (odd cycles stay: the untouched pairs settle it). */
#include <stdio.h>
#include <string.h>

#include "graph/bic.h"
#include "graph/common.h"
#include "graph/lazyconn.h"
#include "tests/testutil.h"

/* The window's lines w[0 .. n-1] over nv vertices: labels (component ids,
 * into label[nv]), the number of components, and whether a 2-colouring
 * fails. */
static uint32_t recount(const es_edge *w, size_t n, uint32_t nv, uint32_t *label, gboolean *odd)
{
    uint32_t *first = g_new(uint32_t, nv + 1), *adj = g_new(uint32_t, 2 * n + 1), *at = g_new0(uint32_t, nv + 1);
    int8_t *side = g_new(int8_t, nv);
    for (size_t i = 0; i < n; i++) {
        at[w[i].u]++;
        at[w[i].v]++;
    }
    first[0] = 0;
    for (uint32_t v = 0; v < nv; v++)
        first[v + 1] = first[v] + at[v];
    memset(at, 0, (nv + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++) {
        adj[first[w[i].u] + at[w[i].u]++] = w[i].v;
        adj[first[w[i].v] + at[w[i].v]++] = w[i].u;
    }
    uint32_t comps = 0, *queue = g_new(uint32_t, nv);
    *odd = FALSE;
    for (uint32_t v = 0; v < nv; v++)
        label[v] = UINT32_MAX;
    for (uint32_t s = 0; s < nv; s++) {
        if (label[s] != UINT32_MAX)
            continue;
        size_t h = 0, t = 0;
        label[s] = comps;
        side[s] = 0;
        queue[t++] = s;
        while (h < t) {
            const uint32_t x = queue[h++];
            for (uint32_t j = first[x]; j < first[x + 1]; j++) {
                const uint32_t y = adj[j];
                if (label[y] == UINT32_MAX) {
                    label[y] = comps;
                    side[y] = (int8_t)(side[x] ^ 1);
                    queue[t++] = y;
                } else if (side[y] == side[x]) {
                    *odd = TRUE;   /* (a self-loop too) */
                }
            }
        }
        comps++;
    }
    g_free(first);
    g_free(adj);
    g_free(at);
    g_free(side);
    g_free(queue);
    return comps;
}

static gboolean window_odd(const es_edge *w, size_t n, uint32_t nv)
{
    uint32_t *label = g_new(uint32_t, MAX(nv, 1));
    gboolean odd;
    recount(w, n, nv, label, &odd);
    g_free(label);
    return odd;
}

/* The window's components against the recount: the same partition. */
static gboolean same_components(es_bic *b, const es_edge *w, size_t n, uint32_t nv)
{
    uint32_t *label = g_new(uint32_t, MAX(nv, 1));
    gboolean odd;
    const uint32_t comps = recount(w, n, nv, label, &odd);
    es_uf *uf = es_bic_components(b);
    gboolean ok = es_uf_size(uf) == nv && es_uf_count(uf) == comps;
    uint32_t *root_label = g_new(uint32_t, MAX(nv, 1));
    for (uint32_t v = 0; v < nv; v++)
        root_label[v] = UINT32_MAX;
    for (uint32_t v = 0; ok && v < nv; v++) {
        const uint32_t r = es_uf_find(uf, v);
        if (root_label[r] == UINT32_MAX)
            root_label[r] = label[v];
        ok = root_label[r] == label[v];
    }
    g_free(label);
    g_free(root_label);
    return ok;
}

static void run_stream(uint32_t seed, gboolean parity)
{
    GRand *rng = g_rand_new_with_seed(seed);
    const uint32_t nv = 6 + (uint32_t)g_rand_int_range(rng, 0, 30);
    const size_t total = 1500;
    es_edge *lines = g_new(es_edge, total);
    for (size_t i = 0; i < total; i++) {
        lines[i].u = (uint32_t)g_rand_int_range(rng, 0, (gint32)nv);
        lines[i].v = g_rand_int_range(rng, 0, 60) == 0 ? lines[i].u : (uint32_t)g_rand_int_range(rng, 0, (gint32)nv);
    }
    es_bic *b = es_bic_new(parity);
    size_t lo = 0, hi = 0;   /* the window: lines[lo .. hi) */
    int failures = 0, closings = 0;
    const size_t most = 2 + (size_t)g_rand_int_range(rng, 0, (gint32)nv);
    while (hi < total && failures == 0) {
        const size_t r = (size_t)g_rand_int_range(rng, 1, 6), k = MIN(total - hi, r);
        size_t want = k;
        if (parity) {
            const gboolean before = window_odd(lines + lo, hi - lo, nv);
            for (size_t i = 0; i < k && want == k && !before; i++)
                if (window_odd(lines + lo, hi + i + 1 - lo, nv))
                    want = i;
        }
        const size_t got = es_bic_insert(b, lines + hi, k, nv);
        closings += want < k;
        hi += k;
        if (got != want) {
            failures++;
            fprintf(stderr, "\n    seed %u: insert of [%zu, %zu) named line %zu, not %zu\n", seed, hi - k, hi, got,
                    want);
        }
        if (hi - lo > most) {
            const size_t gone = (size_t)g_rand_int_range(rng, 1, (gint32)(hi - lo) + 1);
            es_bic_expire(b, gone, nv);
            lo += gone;
        }
        CU_ASSERT_EQUAL(es_bic_lines(b), hi - lo);
        if (parity && es_bic_odd(b) != window_odd(lines + lo, hi - lo, nv)) {
            failures++;
            fprintf(stderr, "\n    seed %u: window [%zu, %zu): odd %d\n", seed, lo, hi, es_bic_odd(b));
        }
        if (!parity && !same_components(b, lines + lo, hi - lo, nv)) {
            failures++;
            fprintf(stderr, "\n    seed %u: window [%zu, %zu): other components\n", seed, lo, hi);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
    if (parity)   /* (the streams close odd cycles again and again) */
        CU_ASSERT_TRUE(closings > 5);
    es_bic_free(b);
    g_free(lines);
    g_rand_free(rng);
}

static void test_window_components_match_a_recount_after_every_step(void)
{
    for (uint32_t seed = 1; seed <= 40; seed++)
        run_stream(seed, FALSE);
}

static void test_window_bipartiteness_and_the_closing_line_match_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 40; seed++)
        run_stream(seed, TRUE);
}

/* By hand: a triangle makes the window odd at its third line; once its
 * first line expires the window is bipartite again, and a self-loop line
 * is an odd cycle until it expires. */
static void test_an_expiring_odd_cycle_leaves_a_bipartite_window(void)
{
    const es_edge e[] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 3, 4 }, { 5, 5 }, { 6, 7 } };
    es_bic *b = es_bic_new(TRUE);
    CU_ASSERT_FALSE(es_bic_odd(b));
    CU_ASSERT_EQUAL(es_bic_insert(b, e, 4, 8), 2);
    CU_ASSERT_TRUE(es_bic_odd(b));
    es_bic_expire(b, 1, 8);
    CU_ASSERT_FALSE(es_bic_odd(b));
    CU_ASSERT_EQUAL(es_bic_insert(b, e + 4, 2, 8), 0);
    CU_ASSERT_TRUE(es_bic_odd(b));
    es_bic_expire(b, 3, 8);
    CU_ASSERT_TRUE(es_bic_odd(b));
    es_bic_expire(b, 1, 8);
    CU_ASSERT_FALSE(es_bic_odd(b));
    CU_ASSERT_EQUAL(es_bic_lines(b), 1);
    es_bic_free(b);
}

/* A present pair, drawn at random, disappears: from c, and from the
 * test's set `in` and list `present` of the present pairs. */
static void delete_random(es_lazyconn *c, GRand *rng, GArray *present, GHashTable *in)
{
    const guint i = (guint)g_rand_int_range(rng, 0, (gint32)present->len);
    const es_edge e = g_array_index(present, es_edge, i);
    es_lazyconn_delete(c, e.u, e.v);
    uint64_t k = es_edge_key(e.u, e.v);
    g_hash_table_remove(in, &k);
    g_array_remove_index_fast(present, i);
}

/* Random appearances and disappearances of pairs over nv vertices (many
 * deletions split components: the graph stays sparse), `steps` of them,
 * the answers asked with probability 1 / every after each change. */
static void run_changes(uint32_t seed, int every, int steps)
{
    GRand *rng = g_rand_new_with_seed(seed);
    const uint32_t nv = 20 + (uint32_t)g_rand_int_range(rng, 0, 40);
    es_lazyconn *c = es_lazyconn_new(FALSE);
    es_lazyconn_grow(c, nv / 2);
    GArray *present = g_array_new(FALSE, FALSE, sizeof(es_edge));
    GHashTable *in = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t *keys = g_new(uint64_t, steps);   /* (one per step: the set's keys point here) */
    int failures = 0, asked = 0;
    uint32_t grown = nv / 2;
    for (int step = 0; step < steps && failures == 0; step++) {
        if (grown < nv && g_rand_int_range(rng, 0, 50) == 0)
            es_lazyconn_grow(c, ++grown);
        const gboolean del = present->len > 0 && g_rand_int_range(rng, 0, 100) < 45 + (int)present->len / 4;
        if (del) {
            delete_random(c, rng, present, in);
        } else {
            const uint32_t u = (uint32_t)g_rand_int_range(rng, 0, (gint32)grown);
            const uint32_t v = (uint32_t)g_rand_int_range(rng, 0, (gint32)grown);
            uint64_t *k = &keys[step];
            *k = es_edge_key(u, v);
            if (u == v || g_hash_table_contains(in, k))
                continue;
            es_lazyconn_insert(c, u, v);
            g_hash_table_add(in, k);
            const es_edge e = { u, v };
            g_array_append_val(present, e);
        }
        if (g_rand_int_range(rng, 0, every) != 0)
            continue;
        asked++;
        uint32_t *label = g_new(uint32_t, grown), *seen = g_new(uint32_t, grown);
        gboolean odd;
        const uint32_t comps = recount((const es_edge *)present->data, present->len, grown, label, &odd);
        uint32_t largest = 0, *size = g_new0(uint32_t, grown);
        for (uint32_t v = 0; v < grown; v++) {
            size[label[v]]++;
            largest = MAX(largest, size[label[v]]);
        }
        gboolean ok = es_lazyconn_vertices(c) == grown && es_lazyconn_components(c) == comps &&
                      es_lazyconn_largest(c) == largest;
        for (uint32_t v = 0; v < grown; v++)
            seen[v] = UINT32_MAX;
        for (uint32_t v = 0; ok && v < grown; v++) {   /* (labels are below the vertex count: union-find roots, or ids) */
            const uint32_t l = es_lazyconn_label(c, v);
            ok = l < grown && (seen[l] == UINT32_MAX ? (seen[l] = label[v], TRUE) : seen[l] == label[v]);
        }
        if (!ok) {
            failures++;
            fprintf(stderr, "\n    seed %u, step %d: other components than the recount's (%u, largest %u; got %u, %u, %u vertices)\n",
                    seed, step, comps, largest, es_lazyconn_components(c), es_lazyconn_largest(c), es_lazyconn_vertices(c));
        }
        g_free(label);
        g_free(seen);
        g_free(size);
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_TRUE(asked > 10);
    es_lazyconn_free(c);
    g_array_free(present, TRUE);
    g_hash_table_destroy(in);
    g_free(keys);
    g_rand_free(rng);
}

static void test_components_under_deletions_asked_now_and_then_match_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 30; seed++)
        run_changes(seed, 40, 3000);
}

/* Long runs between answers: the log of changes is compacted many times
 * between two rebuilds (graph/lazyconn.c keeps it within about twice the
 * present pairs). */
static void test_components_after_long_runs_of_changes_match_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 4; seed++)
        run_changes(seed, 20000, 300000);
}

static void test_components_under_deletions_asked_at_every_change_match_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 30; seed++)
        run_changes(seed, 1, 3000);
}

/* Parity mode: nv vertices in two sides, a pair across them with
 * probability cross / 100 (else inside a side: an odd cycle soon);
 * self-loop lines with probability 1 / 200, leaving with 1 / 150; the
 * answer asked with probability 1 / every (every 0: only at the end and
 * at step multiples of 5000). */
static void run_parity(uint32_t seed, uint32_t nv, int cross, int every, int steps)
{
    GRand *rng = g_rand_new_with_seed(seed);
    es_lazyconn *c = es_lazyconn_new(TRUE);
    es_lazyconn_grow(c, nv);
    GArray *present = g_array_new(FALSE, FALSE, sizeof(es_edge));
    GHashTable *in = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t *keys = g_new(uint64_t, (size_t)steps);
    uint32_t *label = g_new(uint32_t, nv);
    int failures = 0, asked = 0, flips = 0;
    uint64_t loops = 0;
    gboolean bip = TRUE;   /* the recount's answer after the last change */
    uint64_t last = UINT64_MAX;   /* the step that last made it not bipartite */
    for (int step = 0; step < steps && failures == 0; step++) {
        const es_lazyconn_tag tag = { (uint64_t)step, (uint64_t)step * 7, (uint64_t)step * 11 };
        const int r = g_rand_int_range(rng, 0, 1000);
        if (r < 5) {
            es_lazyconn_loop(c, 1, &tag);
            loops++;
        } else if (r < 12 && loops > 0) {
            es_lazyconn_loop(c, -1, NULL);
            loops--;
        } else if (present->len > 0 && g_rand_int_range(rng, 0, 100) < 30 + (int)(present->len * 40 / (3 * nv))) {
            delete_random(c, rng, present, in);
        } else {
            const uint32_t u = (uint32_t)g_rand_int_range(rng, 0, (gint32)nv);
            uint32_t v = (uint32_t)g_rand_int_range(rng, 0, (gint32)nv);
            if (g_rand_int_range(rng, 0, 100) < cross)
                v = (v & ~1u) | (~u & 1u);   /* (the other side: parities differ) */
            else
                v = (v & ~1u) | (u & 1u);
            if (v >= nv)
                continue;
            uint64_t *k = &keys[step];
            *k = es_edge_key(u, v);
            if (u == v || g_hash_table_contains(in, k))
                continue;
            es_lazyconn_insert_tagged(c, u, v, &tag);
            g_hash_table_add(in, k);
            const es_edge e = { u, v };
            g_array_append_val(present, e);
        }
        gboolean odd;
        recount((const es_edge *)present->data, present->len, nv, label, &odd);
        const gboolean now = !odd && loops == 0;
        if (bip && !now) {
            last = (uint64_t)step;
            flips++;
        }
        bip = now;
        const gboolean ask = every > 0 ? g_rand_int_range(rng, 0, every) == 0 : (step + 1) % 5000 == 0 || step == steps - 1;
        if (!ask)
            continue;
        asked++;
        es_lazyconn_tag got = { 0, 0, 0 };
        const gboolean b = es_lazyconn_bipartite(c, &got);
        if (b != bip || (!b && (got.index != last || got.u != last * 7 || got.v != last * 11))) {
            failures++;
            fprintf(stderr, "\n    seed %u, step %d: bipartite %d, last made not at step %" G_GUINT64_FORMAT
                    "; got %d, %" G_GUINT64_FORMAT "\n", seed, step, bip, (guint64)last, b, (guint64)got.index);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_TRUE(asked > 0);
    CU_ASSERT_TRUE(flips > 0);
    es_lazyconn_free(c);
    g_array_free(present, TRUE);
    g_hash_table_destroy(in);
    g_free(keys);
    g_free(label);
    g_rand_free(rng);
}

static void test_bipartiteness_under_deletions_asked_now_and_then_matches_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 12; seed++) {
        run_parity(seed, 30, 97, 40, 3000);     /* near bipartite: flips often */
        run_parity(seed, 200, 60, 300, 4000);   /* odd cycles everywhere */
    }
}

static void test_bipartiteness_under_deletions_asked_at_every_change_matches_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 6; seed++)
        run_parity(seed, 30, 97, 1, 3000);
}

static void test_bipartiteness_asked_rarely_fills_the_log_and_matches_a_recount(void)
{
    for (uint32_t seed = 1; seed <= 4; seed++) {
        run_parity(seed, 40, 98, 0, 12000);
        run_parity(seed, 400, 70, 0, 12000);
    }
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_window_components_match_a_recount_after_every_step),
        ES_TEST(test_window_bipartiteness_and_the_closing_line_match_a_recount),
        ES_TEST(test_an_expiring_odd_cycle_leaves_a_bipartite_window),
        ES_TEST(test_components_under_deletions_asked_now_and_then_match_a_recount),
        ES_TEST(test_components_after_long_runs_of_changes_match_a_recount),
        ES_TEST(test_components_under_deletions_asked_at_every_change_match_a_recount),
        ES_TEST(test_bipartiteness_under_deletions_asked_now_and_then_matches_a_recount),
        ES_TEST(test_bipartiteness_under_deletions_asked_at_every_change_matches_a_recount),
        ES_TEST(test_bipartiteness_asked_rarely_fills_the_log_and_matches_a_recount),
        { NULL, NULL },
    };
    return es_test_main("conn", tests);
}
