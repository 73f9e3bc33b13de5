/* test_edge_reservoir.c — operators/edge_reservoir: the sample graph
 * agrees with a naive model (the slots, scanned) after every step while
 * hubs rise and fall through every kind of neighbour set; each edge is
 * kept with probability m/t; inconsistent states are refused on restore.
 * Randomised cases use fixed seeds and print them when they fail. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "operators/edge_reservoir.h"
#include "tests/testutil.h"

/* A naive model of the sample: the slots, scanned. */
static gboolean model_has(const es_edge *slots, uint32_t size, uint32_t a, uint32_t b)
{
    for (uint32_t j = 0; j < size; j++)
        if ((slots[j].u == a && slots[j].v == b) || (slots[j].u == b && slots[j].v == a))
            return TRUE;
    return FALSE;
}

/* The kind of a vertex's set, as reservoir.c changes it: inline up to one
 * neighbour, a sorted array from two, a hash set once an insertion passes
 * ES_RESERVOIR_ARRAY_MAX, back to an array at half of that. */
enum { MODEL_INLINE, MODEL_ARRAY, MODEL_HASH };

static void model_kind_after(uint8_t *kind, uint32_t deg_now, gboolean inserted)
{
    if (deg_now <= 1)
        *kind = MODEL_INLINE;
    else if (*kind == MODEL_INLINE)
        *kind = MODEL_ARRAY;
    else if (inserted && *kind == MODEL_ARRAY && deg_now > ES_RESERVOIR_ARRAY_MAX)
        *kind = MODEL_HASH;
    else if (!inserted && *kind == MODEL_HASH && deg_now <= ES_RESERVOIR_ARRAY_MAX / 2)
        *kind = MODEL_ARRAY;
}

static void test_reservoir_graph_agrees_with_a_plain_edge_list_through_hubs_coming_and_going(void)
{
    /* Edges around hubs that rise and fall in turn, so that sets pass from
     * inline to arrays to hash tables and back, and a hash set meets an
     * array of more entries (the kinds change with hysteresis). */
    const uint64_t seed = 4242;
    const uint32_t nv = 600, M = 700;
    GRand *g = g_rand_new_with_seed((guint32)seed);
    es_edge_reservoir *r = es_edge_reservoir_new(M, seed);
    es_edge_reservoir_grow_vertices(r, nv);
    uint8_t *kind = g_new0(uint8_t, nv);
    size_t mismatches = 0, commons = 0, mixed = 0, both_hash = 0;
    uint64_t offers = 0;
    for (int step = 0; step < 30000; step++) {
        uint32_t u, v;
        int phase = (step / 2500) % 3;
        do {
            double x = g_rand_double(g);
            if (phase == 0)        /* hubs 0..3 rise past the array limit */
                u = (uint32_t)g_rand_int_range(g, 0, 4);
            else if (phase == 1)   /* hubs 4, 5 rise to about 100 while 0..3 fall */
                u = x < 0.25 ? (uint32_t)g_rand_int_range(g, 4, 6) : (uint32_t)g_rand_int_range(g, 0, nv);
            else                   /* spread out */
                u = (uint32_t)g_rand_int_range(g, 0, nv);
            v = g_rand_double(g) < 0.3 ? (uint32_t)g_rand_int_range(g, 0, 6) : (uint32_t)g_rand_int_range(g, 0, nv);
        } while (u == v);
        uint32_t du = es_edge_reservoir_degree(r, u), dv = es_edge_reservoir_degree(r, v);
        if (du && dv && kind[u] != kind[v] && (kind[u] == MODEL_HASH || kind[v] == MODEL_HASH) &&
            (kind[u] == MODEL_HASH ? du < dv : dv < du))
            mixed++;   /* a hash set with fewer entries than the array it meets */
        both_hash += kind[u] == MODEL_HASH && kind[v] == MODEL_HASH;
        size_t k;
        gboolean has_uv;
        const es_common_nbr *cn = es_edge_reservoir_common(r, u, v, &k, &has_uv);
        es_edge_reservoir_state st;
        es_edge_reservoir_get_state(r, &st);
        gboolean want_has = model_has(st.slots, st.size, u, v);
        mismatches += has_uv != want_has;
        if (!has_uv) {
            /* common neighbours: every c with (u,c) and (v,c) in the slots, increasing */
            size_t want_k = 0;
            for (uint32_t c = 0; c < nv; c++) {
                if (c == u || c == v || !model_has(st.slots, st.size, u, c) || !model_has(st.slots, st.size, v, c))
                    continue;
                if (want_k >= k || cn[want_k].c != c) {
                    mismatches++;
                } else {
                    es_edge su = st.slots[cn[want_k].slot_u], sv = st.slots[cn[want_k].slot_v];
                    mismatches += !((su.u == u && su.v == c) || (su.u == c && su.v == u));
                    mismatches += !((sv.u == v && sv.v == c) || (sv.u == c && sv.v == v));
                }
                want_k++;
            }
            mismatches += want_k != k;
            /* the same answer without the look-up of (u, v) itself */
            es_common_nbr *copy = g_memdup2(cn, k * sizeof *cn);
            size_t k2;
            const es_common_nbr *cn2 = es_edge_reservoir_common_absent(r, u, v, &k2);
            mismatches += k2 != k || (k > 0 && memcmp(cn2, copy, k * sizeof *cn) != 0);
            g_free(copy);
            commons += k;
            es_edge ev;
            offers++;
            uint32_t slot = es_edge_reservoir_offer(r, u, v, &ev);
            if (ev.u != UINT32_MAX) {
                mismatches += es_edge_reservoir_contains(r, ev.u, ev.v);
                model_kind_after(&kind[ev.u], es_edge_reservoir_degree(r, ev.u) - (ev.u == u || ev.u == v), FALSE);
                model_kind_after(&kind[ev.v], es_edge_reservoir_degree(r, ev.v) - (ev.v == u || ev.v == v), FALSE);
            }
            if (slot != ES_RESERVOIR_SKIPPED) {
                mismatches += !es_edge_reservoir_contains(r, u, v);
                model_kind_after(&kind[u], es_edge_reservoir_degree(r, u), TRUE);
                model_kind_after(&kind[v], es_edge_reservoir_degree(r, v), TRUE);
            }
        }
        /* degrees agree with the slots */
        if (step % 500 == 0) {
            es_edge_reservoir_get_state(r, &st);
            uint32_t *deg = g_new0(uint32_t, nv);
            for (uint32_t j = 0; j < st.size; j++) {
                deg[st.slots[j].u]++;
                deg[st.slots[j].v]++;
            }
            for (uint32_t x = 0; x < nv; x++)
                mismatches += deg[x] != es_edge_reservoir_degree(r, x);
            g_free(deg);
        }
    }
    printf("\n    %zu common neighbours, %zu hash-hash and %zu hash-below-array intersections ", commons,
           both_hash, mixed);
    ES_CHECK_SEED(mismatches == 0, seed);
    ES_CHECK_SEED(commons > 1000, seed);
    ES_CHECK_SEED(both_hash > 100, seed);   /* every path was exercised */
    ES_CHECK_SEED(mixed > 20, seed);
    CU_ASSERT_EQUAL(es_edge_reservoir_size(r), M);
    CU_ASSERT_EQUAL(es_edge_reservoir_offered(r), offers);
    g_free(kind);
    g_rand_free(g);
    es_edge_reservoir_free(r);
}

static void test_reservoir_keeps_every_edge_with_probability_m_over_t(void)
{
    /* 40 distinct edges into 10 slots, 4000 seeds: each edge is kept with
     * probability 1/4; its count is Binomial(4000, 1/4), sd ~27.4. */
    const uint32_t M = 10, T = 40, R = 4000;
    uint32_t count[40] = { 0 };
    for (uint32_t seed = 1; seed <= R; seed++) {
        es_edge_reservoir *r = es_edge_reservoir_new(M, seed);
        es_edge_reservoir_grow_vertices(r, T + 1);
        for (uint32_t i = 0; i < T; i++)
            es_edge_reservoir_offer(r, i, i + 1, NULL);
        for (uint32_t i = 0; i < T; i++)
            count[i] += es_edge_reservoir_contains(r, i, i + 1);
        CU_ASSERT_EQUAL(es_edge_reservoir_size(r), M);
        es_edge_reservoir_free(r);
    }
    double expect = (double)R * M / T, sd = sqrt(R * (double)M / T * (1 - (double)M / T));
    for (uint32_t i = 0; i < T; i++) {
        if (fabs(count[i] - expect) > 4.5 * sd)
            fprintf(stderr, "\n  edge %u kept %u times of %u, expected %.0f\n", i, count[i], R, expect);
        CU_ASSERT(fabs(count[i] - expect) <= 4.5 * sd);
    }
}

static void test_reservoir_restore_rejects_inconsistent_states(void)
{
    es_edge slots[3] = { { 0, 1 }, { 1, 2 }, { 2, 0 } };
    es_edge_reservoir_state st = { .m = 3, .t = 5, .rng = { 1, 2, 3, 4 }, .size = 3, .slots = slots };
    GError *err = NULL;
    es_edge_reservoir *r = es_edge_reservoir_restore(&st, 3, &err);
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT_EQUAL(es_edge_reservoir_offered(r), 5);
    CU_ASSERT(es_edge_reservoir_contains(r, 2, 0));
    es_edge_reservoir_free(r);

    es_edge bad_loop[3] = { { 0, 1 }, { 1, 1 }, { 2, 0 } };
    es_edge bad_rep[3] = { { 0, 1 }, { 1, 0 }, { 2, 0 } };
    es_edge_reservoir_state cases[4] = { st, st, st, st };
    cases[0].slots = bad_loop;
    cases[1].slots = bad_rep;
    cases[2].size = 2;                               /* size != min(t, m) */
    memset(cases[3].rng, 0, sizeof(cases[3].rng));   /* dead generator */
    for (int i = 0; i < 4; i++) {
        err = NULL;
        r = es_edge_reservoir_restore(&cases[i], 3, &err);
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT(err != NULL && err->code == ES_ERROR_DATA);
        g_clear_error(&err);
    }
    r = es_edge_reservoir_restore(&st, 2, &err);   /* vertex 2 out of range */
    CU_ASSERT_PTR_NULL(r);
    g_clear_error(&err);
}

/* Caller-managed slots: appends, replacements that report the evicted
 * edge, and a graph whose common neighbours follow the slots, checked
 * against the slot array itself on random puts through a hub. */
static void test_put_and_remove_change_slots_and_the_graph_follows(void)
{
    const uint32_t m = 64, nv = 200;
    es_edge_reservoir *r = es_edge_reservoir_new(m, 1);
    es_edge_reservoir_grow_vertices(r, nv);
    es_edge ev;
    es_edge_reservoir_put(r, 0, 1, 2, &ev);
    CU_ASSERT_EQUAL(ev.u, UINT32_MAX);
    es_edge_reservoir_put(r, 1, 2, 3, NULL);
    es_edge_reservoir_put(r, 0, 1, 3, &ev);
    CU_ASSERT_TRUE(ev.u == 1 && ev.v == 2);
    CU_ASSERT_FALSE(es_edge_reservoir_contains(r, 1, 2));
    CU_ASSERT_TRUE(es_edge_reservoir_contains(r, 3, 1));
    CU_ASSERT_EQUAL(es_edge_reservoir_size(r), 2);
    CU_ASSERT_EQUAL(es_edge_reservoir_offered(r), 0);
    GRand *rng = g_rand_new_with_seed(7);
    es_edge slots[64];
    uint32_t size = 2;
    slots[0] = (es_edge){ 1, 3 };
    slots[1] = (es_edge){ 2, 3 };
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        /* a hub (vertex 0) in half of the edges, so its set becomes a hash */
        uint32_t u = g_rand_int_range(rng, 0, 2) ? 0 : (uint32_t)g_rand_int_range(rng, 1, nv);
        uint32_t v = (uint32_t)g_rand_int_range(rng, 1, nv);
        if (size > 0 && g_rand_int_range(rng, 0, 4) == 0) {
            /* remove: the last slot's edge moves into the hole, its
             * handle unchanged; by slot or (every other time) by handle */
            uint32_t h = (uint32_t)g_rand_int_range(rng, 0, (gint32)size);
            const uint32_t moved = es_edge_reservoir_handle(r, slots[size - 1].v, slots[size - 1].u);
            bad += moved == ES_RESERVOIR_SKIPPED;
            bad += es_edge_reservoir_slot(r, slots[h].v, slots[h].u) != h;
            if (i % 2) {
                bad += es_edge_reservoir_remove(r, h) != size - 1;
            } else {
                uint32_t from = 0;
                const uint32_t hd = es_edge_reservoir_handle(r, slots[h].u, slots[h].v);
                bad += es_edge_reservoir_remove_handle(r, hd, slots[h].u, slots[h].v, &from) != h;
                bad += from != size - 1;
            }
            bad += es_edge_reservoir_slot(r, slots[h].u, slots[h].v) != ES_RESERVOIR_SKIPPED;
            bad += es_edge_reservoir_handle(r, slots[h].u, slots[h].v) != ES_RESERVOIR_SKIPPED;
            slots[h] = slots[--size];
            if (h < size) {
                bad += es_edge_reservoir_slot(r, slots[h].u, slots[h].v) != h;
                bad += es_edge_reservoir_handle(r, slots[h].u, slots[h].v) != moved;
            }
            continue;
        }
        if (u == v || es_edge_reservoir_contains(r, u, v))
            continue;
        uint32_t s = size < m && (size == 0 || g_rand_boolean(rng)) ? size
                                                                   : (uint32_t)g_rand_int_range(rng, 0, (gint32)size);
        es_edge_reservoir_put(r, s, u, v, &ev);
        if (s < size)
            bad += ev.u != slots[s].u || ev.v != slots[s].v;
        else
            size++;
        slots[s] = (es_edge){ u, v };
        /* common neighbours of (0, w) as the slots say */
        uint32_t w = (uint32_t)g_rand_int_range(rng, 1, nv);
        size_t k;
        gboolean has;
        const es_common_nbr *cn = es_edge_reservoir_common(r, 0, w, &k, &has);
        size_t want = 0;
        gboolean want_has = FALSE;
        for (uint32_t a = 0; a < size; a++) {
            const es_edge x = slots[a];
            want_has |= (x.u == 0 && x.v == w) || (x.u == w && x.v == 0);
            for (uint32_t b = 0; b < size; b++) {
                const es_edge y = slots[b];
                const uint32_t c = x.u == 0 ? x.v : x.v == 0 ? x.u : UINT32_MAX;
                if (c != UINT32_MAX && c != w && ((y.u == w && y.v == c) || (y.v == w && y.u == c)))
                    want++;
            }
        }
        bad += has != want_has;
        if (!has) {
            bad += k != want;
            for (size_t j = 0; j < k; j++)
                bad += slots[cn[j].slot_u].u + slots[cn[j].slot_u].v != cn[j].c + 0 ||
                       slots[cn[j].slot_v].u + slots[cn[j].slot_v].v != cn[j].c + w;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(es_edge_reservoir_size(r), size);
    g_rand_free(rng);
    es_edge_reservoir_free(r);
}

/* What es_edge_reservoir_offer_batch tells its hooks, summed. */
typedef struct {
    uint64_t closed, closed_t, stored, stored_slots;
} batch_log;

static void log_closed(void *user, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k, uint64_t t)
{
    batch_log *l = user;
    (void)u, (void)v, (void)cn;
    l->closed += k;
    l->closed_t += k * t;
}

static void log_stored(void *user, uint32_t slot)
{
    batch_log *l = user;
    l->stored++;
    l->stored_slots += slot;
}

/* The batch loop draws the sampler's decisions ahead of the edges that
 * take them: the sample, the offer count and the generator after every
 * batch must be those of the same edges offered one at a time, however
 * the stream is cut and wherever t_limit stops a batch. */
static void test_offer_batch_takes_the_decisions_of_one_offer_at_a_time(void)
{
    const uint64_t seed = 77;
    const uint32_t nv = 400, M = 500;
    GRand *g = g_rand_new_with_seed((guint32)seed);
    es_edge_reservoir *one = es_edge_reservoir_new(M, seed), *bat = es_edge_reservoir_new(M, seed);
    es_edge_reservoir_grow_vertices(one, nv);
    es_edge_reservoir_grow_vertices(bat, nv);
    const es_edge_reservoir_hooks hooks = { log_closed, log_stored, NULL };
    batch_log want = { 0, 0, 0, 0 }, got = { 0, 0, 0, 0 };
    es_offer_counts counts = { 0, 0, 0 };
    size_t bad = 0, limited = 0;
    es_edge *e = g_new(es_edge, 4000);
    for (int round = 0; round < 60; round++) {
        /* batches of 1 to 4000 edges, a quarter of them around hubs */
        const size_t n = 1 + (size_t)g_rand_int_range(g, 0, round % 3 == 0 ? 8 : 4000);
        for (size_t i = 0; i < n; i++) {
            e[i].u = g_rand_double(g) < 0.25 ? (uint32_t)g_rand_int_range(g, 0, 20) : (uint32_t)g_rand_int_range(g, 0, 400);
            e[i].v = (uint32_t)g_rand_int_range(g, 0, 400);
        }
        /* now and then a limit that stops the batch partway */
        const uint64_t t_limit = round % 5 == 4 ? es_edge_reservoir_offered(bat) + n / 3 : UINT64_MAX;
        const size_t used = es_edge_reservoir_offer_batch(bat, e, n, NULL, t_limit, FALSE, &hooks, &got, &counts);
        limited += used < n;
        for (size_t i = 0; i < used; i++) {
            size_t k;
            gboolean has_uv;
            if (e[i].u == e[i].v)
                continue;
            const es_common_nbr *cn = es_edge_reservoir_common(one, e[i].u, e[i].v, &k, &has_uv);
            if (has_uv)
                continue;
            if (k > 0)
                log_closed(&want, e[i].u, e[i].v, cn, k, es_edge_reservoir_offered(one) + 1);
            const uint32_t slot = es_edge_reservoir_offer(one, e[i].u, e[i].v, NULL);
            if (slot != ES_RESERVOIR_SKIPPED)
                log_stored(&want, slot);
        }
        es_edge_reservoir_state a, b;
        es_edge_reservoir_get_state(one, &a);
        es_edge_reservoir_get_state(bat, &b);
        bad += a.t != b.t || a.size != b.size || memcmp(a.rng, b.rng, sizeof a.rng) != 0 ||
               memcmp(a.slots, b.slots, a.size * sizeof(es_edge)) != 0;
    }
    ES_CHECK_SEED(bad == 0, seed);
    ES_CHECK_SEED(memcmp(&want, &got, sizeof want) == 0, seed);
    printf("\n    %" G_GUINT64_FORMAT " triangles closed, %" G_GUINT64_FORMAT " offers, %zu batches cut short ", want.closed,
           es_edge_reservoir_offered(one), limited);
    ES_CHECK_SEED(want.closed > 100 && es_edge_reservoir_offered(one) > 20 * M && limited >= 10, seed);
    g_free(e);
    g_rand_free(g);
    es_edge_reservoir_free(one);
    es_edge_reservoir_free(bat);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_reservoir_graph_agrees_with_a_plain_edge_list_through_hubs_coming_and_going),
        ES_TEST(test_reservoir_keeps_every_edge_with_probability_m_over_t),
        ES_TEST(test_reservoir_restore_rejects_inconsistent_states),
        ES_TEST(test_put_and_remove_change_slots_and_the_graph_follows),
        ES_TEST(test_offer_batch_takes_the_decisions_of_one_offer_at_a_time),
        { NULL, NULL },
    };
    return es_test_main("edge_reservoir", tests);
}
