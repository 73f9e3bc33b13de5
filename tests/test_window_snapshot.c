/* test_window_snapshot.c — a sliding window's group /window with the copies
 * deletions took back (snapshot/snapshot.h, dataflow/window.h): written and
 * read back whole; refused, naming the dataset, when a key is out of order,
 * not a pair u < v of the vertices, or counts none; and on restore, when a
 * pair has more copies taken back than lines in the window (ES_ERROR_DATA),
 * or when the snapshot was taken with deletions and the run has none, or
 * the reverse (ES_ERROR_CONFIG).  The end-to-end resume is
 * tests/test_dynamic_snapshot.sh's. */
#include <glib/gstdio.h>
#include <string.h>

#include "dataflow/window.h"
#include "snapshot/snapshot.h"
#include "tests/testutil.h"

/* Four vertices; panes 3 and 4 of lines (0,1) (1,2) (0,1) | (2,3) (0,1). */
static const uint64_t ext[] = { 10, 11, 12, 13 };
static int64_t pane_no[] = { 3, 4 };
static uint64_t first[] = { 30, 40 }, len[] = { 3, 2 };
static uint32_t lines[] = { 0, 1, 1, 2, 0, 1, 2, 3, 0, 1 };

static uint64_t key(uint32_t u, uint32_t v)
{
    return (uint64_t)u << 32 | v;
}

static es_snapshot_window window_with(uint64_t *keys, uint64_t *counts, size_t n)
{
    return (es_snapshot_window){ .present = TRUE, .open = 4, .panes = 2, .pane = pane_no, .first = first,
                                 .len = len, .lines = 5, .edges = lines, .cancelled_present = TRUE,
                                 .cancelled = n, .cancelled_keys = keys, .cancelled_counts = counts };
}

/* Write a snapshot holding w into a fresh directory; its path. */
static char *write_window(const es_snapshot_window *w, char **dir)
{
    GError *err = NULL;
    *dir = g_dir_make_tmp("es-window-XXXXXX", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*dir);
    es_snapshot_meta m = { .snapshot_id = 1, .edges_consumed = 50, .source_kind = (char *)"files", .window = w };
    GPtrArray *ops = g_ptr_array_new();
    gboolean ok = es_snapshot_write(*dir, &m, ext, 4, ops, NULL, &err);
    if (!ok)
        fprintf(stderr, "\n%s\n", err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    g_ptr_array_free(ops, TRUE);
    return es_snapshot_path(*dir, 1);
}

static void remove_dir(char *dir, char *path)
{
    g_unlink(path);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
    g_free(path);
}

/* Read w back from a snapshot; FALSE with *err when refused. */
static gboolean round_trip(const es_snapshot_window *w, es_snapshot_window *got, GError **err)
{
    char *dir = NULL, *path = write_window(w, &dir);
    gboolean ok = es_snapshot_read_window(path, 4, got, err);
    remove_dir(dir, path);
    return ok;
}

static void test_cancelled_copies_are_read_back_whole(void)
{
    uint64_t keys[] = { key(0, 1), key(2, 3) }, counts[] = { 2, 1 };
    es_snapshot_window w = window_with(keys, counts, 2), got;
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(round_trip(&w, &got, &err));
    CU_ASSERT_TRUE(got.cancelled_present);
    CU_ASSERT_EQUAL(got.cancelled, 2);
    CU_ASSERT_EQUAL(got.cancelled_keys[0], key(0, 1));
    CU_ASSERT_EQUAL(got.cancelled_keys[1], key(2, 3));
    CU_ASSERT_EQUAL(got.cancelled_counts[0], 2);
    CU_ASSERT_EQUAL(got.cancelled_counts[1], 1);
    CU_ASSERT_EQUAL(got.lines, 5);
    es_snapshot_window_clear(&got);
    /* none taken back: still said (a window with deletions) */
    w = window_with(NULL, NULL, 0);
    CU_ASSERT_TRUE_FATAL(round_trip(&w, &got, &err));
    CU_ASSERT_TRUE(got.cancelled_present);
    CU_ASSERT_EQUAL(got.cancelled, 0);
    es_snapshot_window_clear(&got);
    /* a window without deletions has no such datasets */
    w.cancelled_present = FALSE;
    CU_ASSERT_TRUE_FATAL(round_trip(&w, &got, &err));
    CU_ASSERT_FALSE(got.cancelled_present);
    es_snapshot_window_clear(&got);
}

static void test_bad_cancelled_keys_are_refused_naming_the_dataset(void)
{
    const uint64_t bad[][2] = {
        { key(2, 3), key(0, 1) },   /* out of order */
        { key(1, 1), key(2, 3) },   /* a self-loop: u = v */
        { key(1, 0), key(2, 3) },   /* u > v */
        { key(0, 1), key(2, 4) },   /* v beyond the 4 vertices */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t keys[2] = { bad[i][0], bad[i][1] }, counts[] = { 1, 1 };
        es_snapshot_window w = window_with(keys, counts, 2), got;
        GError *err = NULL;
        CU_ASSERT_FALSE(round_trip(&w, &got, &err));
        CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA && strstr(err->message, "/window/cancelled_keys"));
        g_clear_error(&err);
    }
    uint64_t keys[] = { key(0, 1) }, zero[] = { 0 };
    es_snapshot_window w = window_with(keys, zero, 1), got;
    GError *err = NULL;
    CU_ASSERT_FALSE(round_trip(&w, &got, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA && strstr(err->message, "counts none"));
    g_clear_error(&err);
}

/* Restore w into a slider of a run with or without deletions. */
static gboolean restore(const es_snapshot_window *w, gboolean deletions, GError **err)
{
    es_slider *s = es_slider_new(deletions);
    GPtrArray *ops = g_ptr_array_new();
    es_slider_watch(s, ops);
    es_flow f = { .ops = ops };   /* (with deletions nothing is folded) */
    gboolean ok = es_slider_restore(s, &f, w, ext, 4, err);
    if (ok) {   /* the window's lines are kept, cancelled or not */
        CU_ASSERT_EQUAL(es_slider_lines(s), 5);
        CU_ASSERT_EQUAL(es_slider_absent(s, 4), 0);
    }
    es_slider_free(s);
    g_ptr_array_free(ops, TRUE);
    return ok;
}

static void test_restore_checks_the_copies_against_the_window_lines(void)
{
    uint64_t keys[] = { key(0, 1), key(2, 3) }, counts[] = { 3, 1 };   /* (0,1): 3 lines, all taken back */
    es_snapshot_window w = window_with(keys, counts, 2);
    GError *err = NULL;
    CU_ASSERT_TRUE(restore(&w, TRUE, &err));
    counts[1] = 2;   /* (2,3) has one line */
    CU_ASSERT_FALSE(restore(&w, TRUE, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA && strstr(err->message, "(2, 3) has 1 more copies"));
    g_clear_error(&err);
    uint64_t absent[] = { key(0, 2) }, one[] = { 1 };   /* no line of (0,2) */
    w = window_with(absent, one, 1);
    CU_ASSERT_FALSE(restore(&w, TRUE, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA);
    g_clear_error(&err);
}

static void test_a_window_with_deletions_resumes_only_with_deletions(void)
{
    es_snapshot_window w = window_with(NULL, NULL, 0);
    GError *err = NULL;
    CU_ASSERT_FALSE(restore(&w, FALSE, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_CONFIG && strstr(err->message, "taken with --deletions"));
    g_clear_error(&err);
    w.cancelled_present = FALSE;
    CU_ASSERT_FALSE(restore(&w, TRUE, &err));
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_CONFIG && strstr(err->message, "taken without --deletions"));
    g_clear_error(&err);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_cancelled_copies_are_read_back_whole),
        ES_TEST(test_bad_cancelled_keys_are_refused_naming_the_dataset),
        ES_TEST(test_restore_checks_the_copies_against_the_window_lines),
        ES_TEST(test_a_window_with_deletions_resumes_only_with_deletions),
        { NULL, NULL },
    };
    return es_test_main("window_snapshot", tests);
}
