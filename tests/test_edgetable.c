/* test_edgetable.c — the edge table, the dataflow's one distinct-edge stage
 * (graph/edgetable.c), and how the driver runs it: answers and log against
 * a plain first-appearance list for any thread count and batch size, also
 * after a table stops logging; the checks of restored keys, each naming
 * the key at fault; a run of bounded-memory operators keeps no table, one
 * with degree or tri keeps one, tri-est's dedup=auto hands the table it
 * starts to the run (which, taking no snapshot, drops its keys); a run's
 * answers equal those of operators fed on their own; and a sliding
 * window's table of present pairs answers as the full one. */
#include <glib/gstdio.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "dataflow/driver.h"
#include "graph/common.h"
#include "graph/edgetable.h"
#include "operators/operator.h"
#include "snapshot/logmem.h"
#include "tests/testutil.h"

/* The answers and log of a plain sequential insertion. */
static void reference(const uint32_t *p, size_t m, uint8_t *change, GArray *log)
{
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t *keys = g_new(uint64_t, m);
    for (size_t i = 0; i < m; i++) {
        keys[i] = es_edge_key(p[2 * i], p[2 * i + 1]);
        change[i] = p[2 * i] != p[2 * i + 1] && !g_hash_table_contains(seen, &keys[i]);
        if (change[i]) {
            g_hash_table_add(seen, &keys[i]);
            g_array_append_val(log, keys[i]);
        }
    }
    g_hash_table_destroy(seen);
    g_free(keys);
}

static void test_answers_and_log_are_a_sequential_insertion_s_for_any_threads_and_batch(void)
{
    const uint64_t seed = 11;
    size_t m;
    uint32_t *p = es_test_random_edges(3000, 60000, seed, 1, &m);
    uint8_t *want = g_new(uint8_t, m), *got = g_new(uint8_t, m);
    GArray *log = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    reference(p, m, want, log);
    const size_t batches[] = { 1, 977, 20000, m };
    const int threads[] = { 1, 2, 3 };
    for (size_t b = 0; b < G_N_ELEMENTS(batches); b++) {
        for (size_t t = 0; t < G_N_ELEMENTS(threads); t++) {
            omp_set_num_threads(threads[t]);
            es_edgetable *table = es_edgetable_new(TRUE, NULL);
            size_t fresh = 0;
            for (size_t at = 0; at < m; at += batches[b]) {
                const size_t len = MIN(batches[b], m - at);
                fresh += es_edgetable_apply(table, (const es_edge *)(p + 2 * at), len, got + at);
            }
            size_t n;
            const uint64_t *keys = es_edgetable_keys(table, &n);
            ES_CHECK_SEED(memcmp(got, want, m) == 0, seed);
            ES_CHECK_SEED(fresh == log->len && n == log->len && es_edgetable_edges(table) == n, seed);
            ES_CHECK_SEED(memcmp(keys, log->data, n * sizeof(uint64_t)) == 0, seed);
            ES_CHECK_SEED(es_edgetable_contains(table, p[1], p[0]), seed);
            es_edgetable_free(table);
        }
    }
    omp_set_num_threads(2);
    es_edgetable *plain = es_edgetable_new(FALSE, NULL);
    es_edgetable_apply(plain, (const es_edge *)p, m, got);
    size_t n = 1;
    CU_ASSERT_PTR_NULL(es_edgetable_keys(plain, &n));
    CU_ASSERT_FALSE(es_edgetable_logged(plain));
    CU_ASSERT_EQUAL(memcmp(got, want, m), 0);
    es_edgetable_free(plain);
    /* A logged table that stops logging halfway answers on as before,
     * listing no keys. */
    es_edgetable *half = es_edgetable_new(TRUE, &es_log_memory_stable);
    es_edgetable_apply(half, (const es_edge *)p, m / 2, got);
    es_edgetable_unlog(half);
    CU_ASSERT_FALSE(es_edgetable_logged(half));
    n = 1;
    CU_ASSERT_PTR_NULL(es_edgetable_keys(half, &n));
    CU_ASSERT_EQUAL(n, es_edgetable_edges(half));
    const size_t rest = es_edgetable_apply(half, (const es_edge *)p + m / 2, m - m / 2, got + m / 2);
    CU_ASSERT_EQUAL(memcmp(got, want, m), 0);
    CU_ASSERT_TRUE(es_edgetable_edges(half) == log->len && rest + n == log->len);
    es_edgetable_free(half);
    g_array_free(log, TRUE);
    g_free(want);
    g_free(got);
    g_free(p);
}

/* add_keys of `keys` (after two good ones) fails naming `says`. */
static void expect_refused(const uint64_t *keys, size_t n, const char *says)
{
    const uint64_t first[2] = { KEY(0, 1), KEY(1, 2) };
    es_edgetable *t = es_edgetable_new(TRUE, NULL);
    GError *err = NULL;
    CU_ASSERT_TRUE(es_edgetable_add_keys(t, first, 2, 5, "keys", NULL));
    CU_ASSERT_FALSE(es_edgetable_add_keys(t, keys, n, 5, "keys", &err));
    CU_ASSERT(err != NULL && err->code == ES_ERROR_DATA && strstr(err->message, says) != NULL);
    if (err == NULL || strstr(err->message, says) == NULL)
        fprintf(stderr, "\n  expected \"%s\", got: %s\n", says, err ? err->message : "no error");
    g_clear_error(&err);
    es_edgetable_free(t);
}

static void test_restored_keys_are_checked_naming_the_first_at_fault(void)
{
    const uint64_t not_ordered[] = { KEY(2, 3), KEY(3, 2) };
    const uint64_t loop[] = { KEY(4, 4) };
    const uint64_t beyond[] = { KEY(2, 3), KEY(3, 4), KEY(2, 5) };
    const uint64_t repeat_old[] = { KEY(2, 4), KEY(0, 1) };
    const uint64_t repeat_here[] = { KEY(2, 4), KEY(3, 4), KEY(2, 4) };
    expect_refused(not_ordered, 2, "key 3 (0x0000000300000002: u 3, v 2) does not have u < v");
    expect_refused(loop, 1, "key 2 (0x0000000400000004: u 4, v 4) does not have u < v");
    expect_refused(beyond, 3, "key 4 (0x0000000200000005: u 2, v 5) names a vertex beyond the 5 vertices");
    expect_refused(repeat_old, 2, "key 3 (0x0000000000000001: u 0, v 1) repeats an earlier key");
    expect_refused(repeat_here, 3, "key 4 (0x0000000200000004: u 2, v 4) repeats an earlier key");
    /* and good keys are appearances, in order */
    es_edgetable *t = es_edgetable_new(TRUE, NULL);
    const uint64_t good[] = { KEY(3, 4), KEY(0, 4) };
    CU_ASSERT_TRUE(es_edgetable_add_keys(t, good, 2, 5, "keys", NULL));
    const es_edge again[] = { { 4, 0 }, { 1, 2 }, { 2, 2 }, { 2, 1 } };
    uint8_t change[4];
    CU_ASSERT_EQUAL(es_edgetable_apply(t, again, 4, change), 1);
    CU_ASSERT(change[0] == ES_EDGE_SEEN && change[1] == ES_EDGE_APPEARS && change[2] == ES_EDGE_SEEN &&
              change[3] == ES_EDGE_SEEN);
    size_t n;
    const uint64_t *keys = es_edgetable_keys(t, &n);
    CU_ASSERT(n == 3 && keys[0] == KEY(3, 4) && keys[1] == KEY(0, 4) && keys[2] == KEY(1, 2));
    es_edgetable_free(t);
}

/* ---- in a run ----------------------------------------------------------- */

typedef struct {
    GPtrArray *ops;
    int        reports;
    int        with_table;   /* interim reports at which operators had a table */
    int        logged;       /* of those, reports at which it kept its keys */
} watch;

static void on_report(const es_report *r, void *user)
{
    watch *w = user;
    if (r->final)
        return;
    w->reports++;
    const es_operator *op = g_ptr_array_index(w->ops, 0);
    w->with_table += op->edges != NULL || op->own_edges != NULL;
    w->logged += op->edges != NULL && es_edgetable_logged(op->edges);
}

/* Run `ops` over file in batches of 5 with a report every 10 edges. */
static GPtrArray *run(const char *ops, const char *file, watch *w)
{
    const char *inputs[] = { file, NULL };
    GError *err = NULL;
    GPtrArray *list = es_operator_new_list(ops, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    *w = (watch){ .ops = list };
    es_driver_config cfg = {
        .inputs = inputs, .batch_size = 5, .report_every = 10, .threads = 2, .on_report = on_report, .user = w,
    };
    es_driver_stats stats;
    CU_ASSERT_TRUE(es_driver_run(&cfg, list, &stats, &err));
    g_clear_error(&err);
    return list;
}

/* A stream with a repeat within its first 6 distinct edges, then more. */
static char *write_stream(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("es-edgetable-XXXXXX.txt", &path, NULL);
    GString *s = g_string_new("1 2\n2 3\n3 1\n2 1\n3 4\n4 1\n1 5\n5 2\n");
    for (int i = 0; i < 60; i++)
        g_string_append_printf(s, "%d %d\n", i % 9 + 1, (i * 7) % 11 + 1);
    g_file_set_contents(path, s->str, -1, NULL);
    g_string_free(s, TRUE);
    close(fd);
    return path;
}

static void test_only_operators_that_need_distinct_edges_make_a_run_keep_a_table(void)
{
    char *path = write_stream();
    watch w;
    GPtrArray *ops = run("tri-est:m=1000,dedup=0,cm,topk,hll", path, &w);
    CU_ASSERT(w.reports > 3 && w.with_table == 0);
    g_ptr_array_free(ops, TRUE);
    /* tri takes which edges are new from the table */
    ops = run("tri,cm", path, &w);
    CU_ASSERT(w.reports > 3 && w.with_table == w.reports);
    g_ptr_array_free(ops, TRUE);
    ops = run("degree,cm", path, &w);
    CU_ASSERT(w.reports > 3 && w.with_table == w.reports);
    g_ptr_array_free(ops, TRUE);
    /* dedup=auto: its probation set, from the first batch, is adopted by
     * the run after the repeat at line 4; the run takes no snapshot, so
     * the table drops its keys as the mapper takes it over */
    ops = run("tri-est:m=9,cm", path, &w);
    CU_ASSERT(w.reports > 3 && w.with_table == w.reports && w.logged == 0);
    g_ptr_array_free(ops, TRUE);
    g_unlink(path);
    g_free(path);
}

static void test_a_run_answers_as_operators_fed_on_their_own(void)
{
    char *path = write_stream();
    const char *specs[] = { "degree", "tri", "spanner", "tri-est:m=6", "tri-est:m=6,dedup=1", "tri-est:m=4,dedup=0" };
    uint32_t pairs[2 * 68];
    uint64_t ext[2 * 68];
    /* the same stream in dense ids (first-appearance order) */
    gchar *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    size_t m = 0;
    for (gchar *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), m++)
        sscanf(line, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, (guint64 *)&ext[2 * m], (guint64 *)&ext[2 * m + 1]);
    for (size_t i = 0; i < 2 * m; i++)
        pairs[i] = (uint32_t)ext[i];
    es_test_relabel_first_appearance(pairs, m, 64);
    g_free(text);
    for (size_t c = 0; c < G_N_ELEMENTS(specs); c++) {
        char spec[128];
        snprintf(spec, sizeof spec, "%s,cm", specs[c]);
        watch w;
        GPtrArray *ops = run(spec, path, &w);
        es_operator *alone = es_operator_new(specs[c], NULL);
        uint32_t maxv = 0;
        es_test_feed_range(alone, pairs, ext, 0, m, 3, &maxv);
        CU_ASSERT_TRUE(es_test_same_reports(g_ptr_array_index(ops, 0), alone));
        es_operator_free(alone);
        g_ptr_array_free(ops, TRUE);
    }
    g_unlink(path);
    g_free(path);
}

/* One batch into both tables: the same answers and appearances. */
static void apply_both(es_edgetable *full, es_edgetable *win, const es_edge *e, const uint8_t *del, size_t n,
                       uint64_t seed)
{
    uint8_t *a = g_new(uint8_t, n ? n : 1), *b = g_new(uint8_t, n ? n : 1);
    const size_t fa = es_edgetable_apply_signed(full, e, del, n, a);
    const size_t fb = es_edgetable_apply_signed(win, e, del, n, b);
    ES_CHECK_SEED(fa == fb && memcmp(a, b, n) == 0, seed);
    g_free(a);
    g_free(b);
}

static void count_key(uint64_t key, void *user)
{
    (void)key;
    (*(size_t *)user)++;
}

/* A window's table (es_edgetable_window) answers as the table with its set
 * of every pair: random insertions, deletions (of absent pairs too) and
 * expiries of earlier lines over few vertices, so that pairs come and go
 * and probe runs cross the places of removed ones; and over many vertices
 * its memory stays that of the window's pairs, not of every pair seen.
 * Its packed slots: over 3 vertices, multiplicities rise past the 254 an
 * entry holds and fall back; over ids just below 2^28, then across it
 * (from step 150 on), the table goes on in 16-byte slots. */
static void test_a_window_s_table_answers_as_the_full_one_holding_only_present_pairs(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        const uint32_t nv[] = { 40, 100000, 3, 40 };
        const uint32_t base[] = { 0, 0, 0, (1u << 28) - 20 };
        for (size_t q = 0; q < G_N_ELEMENTS(nv); q++) {
            const size_t W = 2000, steps = 300;
            GRand *rng = g_rand_new_with_seed((guint32)(seed * 7 + q));
            es_edgetable *full = es_edgetable_new(FALSE, NULL), *win = es_edgetable_new(FALSE, NULL);
            es_edgetable_window(win, 0);
            const size_t empty = es_edgetable_memory(win);
            GArray *kept = g_array_new(FALSE, FALSE, sizeof(es_edge));   /* inserted lines, oldest first */
            size_t first = 0;   /* kept[first ..]: the window */
            size_t most = 0;
            for (size_t step = 0; step < steps; step++) {
                const size_t n = (size_t)g_rand_int_range(rng, 1, 200);
                es_edge *e = g_new(es_edge, n);
                uint8_t *del = g_new0(uint8_t, n);
                const gint32 span = q == 3 && step < 150 ? 20 : (gint32)nv[q];
                for (size_t i = 0; i < n; i++) {
                    e[i].u = base[q] + (uint32_t)g_rand_int_range(rng, 0, span);
                    e[i].v = g_rand_int_range(rng, 0, 100) == 0 ? e[i].u
                                                                 : base[q] + (uint32_t)g_rand_int_range(rng, 0, span);
                    if (q != 1 && q != 2 && g_rand_int_range(rng, 0, 5) == 0)
                        del[i] = ES_LINE_DELETE;
                    else
                        g_array_append_val(kept, e[i]);
                }
                apply_both(full, win, e, del, n, seed);
                /* the lines past the window leave, in one batch of expiries */
                const size_t w = q == 2 && step >= 200 ? W / 10 : W;   /* (q = 2: back below 255) */
                const size_t out = kept->len - first > w ? kept->len - first - w : 0;
                uint8_t *exp = g_new(uint8_t, out ? out : 1);
                memset(exp, ES_LINE_EXPIRE, out);
                apply_both(full, win, &g_array_index(kept, es_edge, first), exp, out, seed);
                first += out;
                if (q == 2 && step == 199)   /* (each pair past what a packed slot holds) */
                    ES_CHECK_SEED(es_edgetable_count(full, 0, 1) > 255 && es_edgetable_count(full, 0, 2) > 255 &&
                                  es_edgetable_count(full, 1, 2) > 255, seed);
                most = MAX(most, es_edgetable_memory(win));
                g_free(exp);
                g_free(e);
                g_free(del);
            }
            ES_CHECK_SEED(es_edgetable_edges(win) == es_edgetable_edges(full), seed);
            ES_CHECK_SEED(es_edgetable_ignored(win) == es_edgetable_ignored(full), seed);
            ES_CHECK_SEED(es_edgetable_deletions(win) == es_edgetable_deletions(full), seed);
            size_t listed = 0;
            es_edgetable_foreach(win, count_key, &listed);
            ES_CHECK_SEED(listed == es_edgetable_edges(full), seed);
            for (uint32_t u = base[q]; q != 1 && u < base[q] + nv[q]; u++)
                for (uint32_t v = base[q]; v < base[q] + nv[q]; v++)
                    ES_CHECK_SEED(es_edgetable_count(win, u, v) == es_edgetable_count(full, u, v), seed);
            for (size_t i = 0; i < kept->len; i++) {
                const es_edge x = g_array_index(kept, es_edge, i);
                ES_CHECK_SEED(es_edgetable_count(win, x.u, x.v) == es_edgetable_count(full, x.u, x.v), seed);
            }
            if (q == 1) {
                /* about 30 000 pairs seen, at most W present: 8-byte
                 * slots at a load of 3/4 at most, a power of two */
                ES_CHECK_SEED(kept->len > 10 * W, seed);
                ES_CHECK_SEED(most - empty <= 8 * 4 * W, seed);
            }
            es_edgetable_free(full);
            es_edgetable_free(win);
            g_array_free(kept, TRUE);
            g_rand_free(rng);
        }
    }
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_answers_and_log_are_a_sequential_insertion_s_for_any_threads_and_batch),
        ES_TEST(test_restored_keys_are_checked_naming_the_first_at_fault),
        ES_TEST(test_only_operators_that_need_distinct_edges_make_a_run_keep_a_table),
        ES_TEST(test_a_run_answers_as_operators_fed_on_their_own),
        ES_TEST(test_a_window_s_table_answers_as_the_full_one_holding_only_present_pairs),
        { NULL, NULL },
    };
    return es_test_main("edgetable", tests);
}
