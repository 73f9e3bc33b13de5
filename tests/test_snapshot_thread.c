/* test_snapshot_thread.c — snapshots written by a thread beside the stream
 * (dataflow/checkpoint.c): what every operator promises (its write reads
 * only what its prepare froze, operators/operator.h) and the log blocks
 * that stay put while a writer reads them (es_log_grow).
 *
 * For every operator class, on random messy
 * streams (tests/testutil.c) cut at several points:
 *   - frozen: prepare at the cut, feed the rest of the stream, and only
 *     then write: the snapshot must restore to the report of an operator
 *     fed only up to the cut (and go on as it does).  A write that read
 *     any state the later batches changed fails this, deterministically;
 *   - beside: the same with the write in a thread while the main thread
 *     feeds the rest, as a run does, logs held as the checkpoint holds
 *     them (under AddressSanitizer a read of a freed or moved block fails).
 * Logs: a block es_log_grow returned keeps its address however far it
 * grows and keeps its contents; a block moved into a reservation during a
 * hold stays readable until the hold ends; a barrier's pin says whether
 * a log moved since a count was read. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "tests/testutil.h"

typedef struct {
    es_operator *op;
    const char  *path;
    gboolean     ok;
} job;

static gpointer writer(gpointer data)
{
    job *j = data;
    j->ok = es_test_write_prepared_snapshot_file(j->op, j->path, NULL);
    return NULL;
}

/* Prepare `spec` at `cut`, write it after (beside = in a thread while) the
 * rest of the stream is fed, and check the file against an operator fed
 * only up to the cut, then both fed the rest. */
static gboolean check_cut(const char *spec, const es_test_case *c, size_t cut, size_t batch, gboolean beside)
{
    es_operator *op = es_operator_new(spec, NULL), *ref = es_operator_new(spec, NULL),
                *back = es_operator_new(spec, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    uint32_t nv = 0, nv_ref = 0, nv_back;
    es_test_feed_range(op, c->pairs, NULL, 0, cut, batch, &nv);
    es_test_feed_range(ref, c->pairs, NULL, 0, cut, batch, &nv_ref);
    nv_back = nv_ref;
    char *path = g_strdup_printf("%s/es-thread-%d.h5", g_get_tmp_dir(), (int)getpid());
    es_operator_snapshot_prepare(op);
    job j = { op, path, FALSE };
    if (beside) {
        es_log_hold(TRUE);
        GThread *t = g_thread_new("writer", writer, &j);
        es_test_feed_range(op, c->pairs, NULL, cut, c->m, batch, &nv);
        g_thread_join(t);
        es_log_hold(FALSE);
    } else {
        es_test_feed_range(op, c->pairs, NULL, cut, c->m, batch, &nv);
        writer(&j);
    }
    gboolean ok = j.ok && es_test_read_snapshot_file(back, path, NULL) && es_test_same_reports(ref, back);
    if (ok) {   /* the restored operator goes on as the original */
        es_test_feed_range(ref, c->pairs, NULL, cut, c->m, batch, &nv_ref);
        es_test_feed_range(back, c->pairs, NULL, cut, c->m, batch, &nv_back);
        ok = es_test_same_reports(ref, back) && es_test_same_reports(ref, op);
    }
    if (!ok)
        printf("\n  %s: %s, cut %zu of %zu, batches of %zu, %s: the snapshot is not the barrier's state\n", spec,
               c->name, cut, c->m, batch, beside ? "thread beside the stream" : "written after the rest");
    g_unlink(path);
    g_free(path);
    es_operator_free(op);
    es_operator_free(ref);
    es_operator_free(back);
    return ok;
}

/* Specs of every class, with option variants that change what is frozen. */
static GPtrArray *frozen_specs(void)
{
    GPtrArray *specs = g_ptr_array_new_with_free_func(g_free);
    for (const es_operator_class *const *k = es_operator_classes(); *k; k++) {
        if (strcmp((*k)->name, "tri-est") == 0) {
            g_ptr_array_add(specs, g_strdup("tri-est:m=50,top=3"));
            g_ptr_array_add(specs, g_strdup("tri-est:m=50,dedup=1"));
            g_ptr_array_add(specs, g_strdup("tri-est:m=2000"));
        } else if (strcmp((*k)->name, "spanner") == 0) {
            g_ptr_array_add(specs, g_strdup("spanner"));
            g_ptr_array_add(specs, g_strdup("spanner:k=1"));
        } else {
            g_ptr_array_add(specs, g_strdup((*k)->name));
        }
    }
    return specs;
}

static void run_all(gboolean beside)
{
    es_h5_quiet();
    GPtrArray *specs = frozen_specs();
    CU_ASSERT(specs->len >= 9);
    static const size_t batches[] = { 1, 64, 5000 };
    int runs = 0, failed = 0;
    for (guint s = 0; s < specs->len; s++) {
        for (int kind = 0; kind < ES_TEST_CASE_KINDS; kind++) {
            es_test_case c;
            es_test_make_case(&c, kind, 7);
            const size_t cuts[] = { 0, 1, c.m / 3, c.m - 1 };
            for (size_t b = 0; b < G_N_ELEMENTS(batches); b++) {
                for (size_t k = 0; k < G_N_ELEMENTS(cuts); k++) {
                    if (batches[b] == 1 && cuts[k] != c.m / 3)
                        continue;   /* edge by edge is slow: one cut */
                    failed += !check_cut(g_ptr_array_index(specs, s), &c, cuts[k], batches[b], beside);
                    runs++;
                }
            }
            g_free(c.pairs);
        }
    }
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT(runs >= 100);
    g_ptr_array_free(specs, TRUE);
}

static void test_frozen_operators_write_the_barrier_state_after_more_batches(void)
{
    run_all(FALSE);
}

static void test_frozen_operators_write_the_barrier_state_from_a_thread_beside_the_stream(void)
{
    run_all(TRUE);
}

/* ---- logs that stay put ------------------------------------------------------ */

static void test_a_log_grows_in_place_and_keeps_its_contents(void)
{
    size_t cap = 1000;   /* small: from the heap first */
    uint64_t *log = es_big_alloc(cap * sizeof(uint64_t));
    for (size_t i = 0; i < cap; i++)
        log[i] = i * 0x9E3779B97F4A7C15ull;
    log = es_log_grow(log, cap * sizeof(uint64_t), 2 * cap * sizeof(uint64_t));
    cap *= 2;
    uint64_t *const at = log;
    CU_ASSERT_EQUAL((uintptr_t)at % 4096, 0);   /* aligned for direct I/O */
    size_t n = 1000;
    /* then far beyond 2 MiB, in steps, as a log grows */
    for (size_t want = 4096; want <= ((size_t)48 << 20) / sizeof(uint64_t); want *= 3) {
        log = es_log_grow(log, cap * sizeof(uint64_t), want * sizeof(uint64_t));
        CU_ASSERT_PTR_EQUAL(log, at);
        for (size_t i = cap; i < want; i++)
            CU_ASSERT_EQUAL_FATAL(log[i], 0);   /* new bytes are zero */
        cap = want;
        for (; n < cap; n++)
            log[n] = n * 0x9E3779B97F4A7C15ull;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += log[i] != i * 0x9E3779B97F4A7C15ull;
    CU_ASSERT_EQUAL(bad, 0);
    es_big_free(log, cap * sizeof(uint64_t));
}

static void test_a_log_moved_during_a_hold_stays_readable_until_it_ends(void)
{
    const size_t cap = (size_t)3 << 20;   /* a plain block from es_big_alloc */
    unsigned char *old = es_big_alloc(cap);
    memset(old, 0xAB, cap);
    es_log_hold(TRUE);
    unsigned char *moved = es_log_grow(old, cap, 2 * cap);
    CU_ASSERT_PTR_NOT_EQUAL(moved, old);   /* into a reservation: a copy */
    size_t bad = 0;
    for (size_t i = 0; i < cap; i++)
        bad += old[i] != 0xAB || moved[i] != 0xAB;   /* the old one is still there */
    CU_ASSERT_EQUAL(bad, 0);
    es_log_hold(FALSE);   /* now it is gone; the new one stays */
    for (size_t i = 0; i < cap; i++)
        bad += moved[i] != 0xAB;
    CU_ASSERT_EQUAL(bad, 0);
    /* grown again, in place */
    unsigned char *again = es_log_grow(moved, 2 * cap, 5 * cap);
    CU_ASSERT_PTR_EQUAL(again, moved);
    es_big_free(again, 5 * cap);
}

/* A barrier's pin (es_log_pin): TRUE while no log has moved since the
 * count was read, so that it need not stop the mapper appending to the
 * edge table's log; FALSE once one has; and the hold starts either way. */
static void test_a_barrier_pins_logs_only_while_none_moved(void)
{
    const size_t cap = (size_t)3 << 20;
    unsigned char *log = es_log_grow(NULL, 0, cap);
    const guint before = es_log_moves();
    unsigned char *grown = es_log_grow(log, cap, 4 * cap);   /* in place */
    CU_ASSERT_PTR_EQUAL(grown, log);
    CU_ASSERT_EQUAL(es_log_moves(), before);
    CU_ASSERT_TRUE(es_log_pin(before));
    es_log_hold(FALSE);
    unsigned char *plain = es_big_alloc(cap);
    unsigned char *moved = es_log_grow(plain, cap, 2 * cap);   /* into a reservation: a move */
    CU_ASSERT_PTR_NOT_EQUAL(moved, plain);
    CU_ASSERT_EQUAL(es_log_moves(), before + 1);
    CU_ASSERT_FALSE(es_log_pin(before));
    CU_ASSERT_TRUE(es_log_pin(es_log_moves()));
    /* held: a block moved now stays readable until the hold ends */
    unsigned char *old = es_big_alloc(cap);
    memset(old, 0xCD, cap);
    unsigned char *copy = es_log_grow(old, cap, 2 * cap);
    size_t bad = 0;
    for (size_t i = 0; i < cap; i++)
        bad += old[i] != 0xCD || copy[i] != 0xCD;
    CU_ASSERT_EQUAL(bad, 0);
    es_log_hold(FALSE);
    es_log_free(grown, 4 * cap);
    es_log_free(moved, 2 * cap);
    es_log_free(copy, 2 * cap);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_frozen_operators_write_the_barrier_state_after_more_batches),
        ES_TEST(test_frozen_operators_write_the_barrier_state_from_a_thread_beside_the_stream),
        ES_TEST(test_a_log_grows_in_place_and_keeps_its_contents),
        ES_TEST(test_a_log_moved_during_a_hold_stays_readable_until_it_ends),
        ES_TEST(test_a_barrier_pins_logs_only_while_none_moved),
        { NULL, NULL },
    };
    return es_test_main("snapshot_thread", tests);
}
