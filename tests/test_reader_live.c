/* test_reader_live.c — the reader on live streams (dataflow/reader.c,
 * dataflow/source.c): a batch of a pipe closes once its first edge has
 * waited the linger and no more input is ready, also under a steady
 * trickle that never leaves the input idle; a stop request wakes a reader
 * blocked on an idle pipe; gzip on a pipe is inflated as it arrives (a
 * flushed block is read before the member ends), concatenated members are
 * read, trailing non-gzip bytes ignored and a truncated member is bad
 * data.  Timing bounds are generous (the machine is shared): they tell a
 * batch that waited for its linger from one that waited for the end. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dataflow/reader.h"
#include "dataflow/stop.h"
#include "graph/common.h"
#include "tests/testutil.h"

typedef struct {
    int fd;
    int lines, every_ms;      /* write `lines` lines, one per every_ms */
    es_stop *stop;            /* or raise this after every_ms */
} writer_job;

static gpointer writer(gpointer data)
{
    writer_job *j = data;
    if (j->stop) {
        g_usleep((gulong)j->every_ms * 1000);
        es_stop_raise(j->stop, 15);
        return NULL;
    }
    for (int i = 0; i < j->lines; i++) {
        char line[32];
        int len = g_snprintf(line, sizeof line, "%d %d\n", i, i + 1);
        if (write(j->fd, line, (size_t)len) != len)
            break;
        g_usleep((gulong)j->every_ms * 1000);
    }
    close(j->fd);   /* the end of the stream */
    return NULL;
}

/* A reader of the pipe's read end, by its /dev/fd path (as a shell's
 * process substitution hands one over). */
static es_reader *pipe_reader(int rfd, gint64 linger_us, es_stop *stop)
{
    char path[32];
    g_snprintf(path, sizeof path, "/dev/fd/%d", rfd);
    const char *paths[] = { path, NULL };
    es_reader *r = es_reader_new(paths, 0);
    es_reader_set_live(r, linger_us, stop);
    return r;
}

static void test_a_pipe_batch_closes_after_the_linger_without_the_end(void)
{
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_FATAL(write(p[1], "1 2\n2 3\n3 4\n", 12) == 12);
    es_reader *r = pipe_reader(p[0], 50000, NULL);
    es_raw_batch *b = es_raw_batch_new(1000);
    GError *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    CU_ASSERT_TRUE(es_reader_next(r, b, 1000, &err));
    gint64 waited = g_get_monotonic_time() - t0;
    CU_ASSERT_EQUAL(b->n, 3);
    CU_ASSERT_TRUE(waited >= 40000 && waited < 2000000);
    CU_ASSERT_FALSE(es_reader_stopped(r));
    /* The end of the pipe ends the stream. */
    close(p[1]);
    CU_ASSERT_TRUE(es_reader_next(r, b, 1000, &err));
    CU_ASSERT_EQUAL(b->n, 0);
    es_raw_batch_free(b);
    es_reader_free(r);
    close(p[0]);
}

static void test_linger_zero_closes_a_batch_as_soon_as_the_pipe_is_empty(void)
{
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_FATAL(write(p[1], "1 2\n", 4) == 4);
    es_reader *r = pipe_reader(p[0], 0, NULL);
    es_raw_batch *b = es_raw_batch_new(10);
    gint64 t0 = g_get_monotonic_time();
    CU_ASSERT_TRUE(es_reader_next(r, b, 10, NULL));
    CU_ASSERT_EQUAL(b->n, 1);
    CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 1000000);
    es_raw_batch_free(b);
    es_reader_free(r);
    close(p[1]);
    close(p[0]);
}

/* An edge every 5 ms never leaves the pipe idle for the 100 ms linger; the
 * batch still closes about 100 ms after its first edge, not at the end. */
static void test_a_steady_trickle_closes_batches_by_their_age(void)
{
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    writer_job job = { .fd = p[1], .lines = 300, .every_ms = 5 };
    GThread *th = g_thread_new("writer", writer, &job);
    es_reader *r = pipe_reader(p[0], 100000, NULL);
    es_raw_batch *b = es_raw_batch_new(100000);
    CU_ASSERT_TRUE(es_reader_next(r, b, 100000, NULL));
    CU_ASSERT_TRUE(b->n >= 2 && b->n < 200);   /* the writer takes 1.5 s for 300 */
    uint64_t total = b->n;
    while (es_reader_next(r, b, 100000, NULL) && b->n > 0)
        total += b->n;
    g_thread_join(th);
    es_reader_free(r);
    es_raw_batch_free(b);
    close(p[0]);
    CU_ASSERT_EQUAL(total, 300);
}

static void test_stop_wakes_a_reader_blocked_on_an_idle_pipe(void)
{
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_FATAL(write(p[1], "1 2\n2 3\n", 8) == 8);
    es_stop *stop = es_stop_new();
    writer_job job = { .fd = p[1], .every_ms = 50, .stop = stop };
    GThread *th = g_thread_new("stopper", writer, &job);
    es_reader *r = pipe_reader(p[0], (gint64)3600 * G_USEC_PER_SEC, stop);   /* a linger that never ends */
    es_raw_batch *b = es_raw_batch_new(1000);
    gint64 t0 = g_get_monotonic_time();
    CU_ASSERT_TRUE(es_reader_next(r, b, 1000, NULL));
    CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 5000000);
    CU_ASSERT_EQUAL(b->n, 2);                 /* what was read is kept */
    CU_ASSERT_TRUE(es_reader_stopped(r));
    CU_ASSERT_EQUAL(es_stop_reason(stop), 15);
    CU_ASSERT_TRUE(es_reader_next(r, b, 1000, NULL));
    CU_ASSERT_EQUAL(b->n, 0);
    g_thread_join(th);
    es_reader_free(r);
    es_raw_batch_free(b);
    es_stop_free(stop);
    close(p[1]);
    close(p[0]);
}

/* gzip of `text`, flushed (Z_SYNC_FLUSH) after its first `flush_at` bytes. */
static GByteArray *gzip_of(const char *text, size_t flush_at)
{
    z_stream zs = { 0 };
    CU_ASSERT_FATAL(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    GByteArray *out = g_byte_array_new();
    unsigned char buf[4096];
    size_t len = strlen(text);
    size_t parts[2] = { flush_at, len - flush_at };
    const char *at = text;
    for (int k = 0; k < 2; k++) {
        zs.next_in = (Bytef *)at;
        zs.avail_in = (uInt)parts[k];
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof buf;
            deflate(&zs, k == 0 ? Z_SYNC_FLUSH : Z_FINISH);
            g_byte_array_append(out, buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0);
        at += parts[k];
    }
    deflateEnd(&zs);
    return out;
}

static void test_gzip_on_a_pipe_is_inflated_as_it_arrives(void)
{
    const char *first = "1 2\n2 3\n3 4\n";
    GByteArray *one = gzip_of("1 2\n2 3\n3 4\n4 5\n5 6\n", strlen(first));
    GByteArray *two = gzip_of("6 7\n7 8\n", 4);
    /* The bytes of the flushed block: up to the sync marker 00 00 ff ff. */
    size_t cut = 0;
    for (size_t i = 3; i < one->len; i++)
        if (one->data[i - 3] == 0 && one->data[i - 2] == 0 && one->data[i - 1] == 0xff && one->data[i] == 0xff) {
            cut = i + 1;
            break;
        }
    CU_ASSERT_FATAL(cut > 0);
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_FATAL(write(p[1], one->data, cut) == (ssize_t)cut);
    es_reader *r = pipe_reader(p[0], 30000, NULL);
    es_raw_batch *b = es_raw_batch_new(1000);
    GError *err = NULL;
    CU_ASSERT_TRUE(es_reader_next(r, b, 1000, &err));
    CU_ASSERT_EQUAL(b->n, 3);                 /* before the member's end was written */
    CU_ASSERT_FATAL(write(p[1], one->data + cut, one->len - cut) == (ssize_t)(one->len - cut));
    CU_ASSERT_FATAL(write(p[1], two->data, two->len) == (ssize_t)two->len);
    CU_ASSERT_FATAL(write(p[1], "not gzip", 8) == 8);   /* ignored, as gzread does */
    close(p[1]);
    uint64_t total = 3, last = 0;
    while (es_reader_next(r, b, 1000, &err) && b->n > 0) {
        total += b->n;
        last = b->ids[2 * b->n - 1];
    }
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(total, 7);
    CU_ASSERT_EQUAL(last, 8);
    es_reader_free(r);
    close(p[0]);

    /* A member cut short is bad data, not a short stream. */
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_FATAL(write(p[1], one->data, one->len - 5) == (ssize_t)(one->len - 5));
    close(p[1]);
    r = pipe_reader(p[0], 0, NULL);
    gboolean ok = TRUE;
    while ((ok = es_reader_next(r, b, 1000, &err)) && b->n > 0)
        ;
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_TRUE(err && err->code == ES_ERROR_DATA && strstr(err->message, "corrupt gzip data"));
    g_clear_error(&err);
    es_reader_free(r);
    close(p[0]);
    es_raw_batch_free(b);
    g_byte_array_free(one, TRUE);
    g_byte_array_free(two, TRUE);
}

int main(void)
{
    alarm(120);   /* a reader that waits for the end instead of its linger hangs: fail, do not stall */
    static const es_test tests[] = {
        ES_TEST(test_a_pipe_batch_closes_after_the_linger_without_the_end),
        ES_TEST(test_linger_zero_closes_a_batch_as_soon_as_the_pipe_is_empty),
        ES_TEST(test_a_steady_trickle_closes_batches_by_their_age),
        ES_TEST(test_stop_wakes_a_reader_blocked_on_an_idle_pipe),
        ES_TEST(test_gzip_on_a_pipe_is_inflated_as_it_arrives),
        { NULL, NULL },
    };
    return es_test_main("reader_live", tests);
}
