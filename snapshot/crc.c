/* crc.c — CRC-32 with ISA-L, and whole file reads and writes (see crc.h). */
#include "snapshot/crc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <isa-l/crc.h>

#include "graph/common.h"

void es_drop_cached(int fd)
{
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

gboolean es_write_full(int fd, const void *p, size_t n, int64_t off)
{
    const char *c = p;
    while (n > 0) {
        const ssize_t put = off < 0 ? write(fd, c, n) : pwrite(fd, c, n, (off_t)off);
        if (put < 0 && errno == EINVAL && (fcntl(fd, F_GETFL) & O_DIRECT)) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT);
            continue;
        }
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0) {
            if (put == 0)
                errno = EIO;
            return FALSE;
        }
        c += put;
        n -= (size_t)put;
        off += off < 0 ? 0 : put;
    }
    return TRUE;
}

typedef struct {
    int fd, err;   /* err: fsync's errno, 0 when it succeeded */
} sync_job;

static gpointer sync_one(gpointer data)
{
    sync_job *j = data;
    j->err = fsync(j->fd) == 0 ? 0 : errno ? errno : EIO;
    return NULL;
}

int es_fsync_all(const int *fds, guint n)
{
    sync_job *jobs = g_new0(sync_job, MAX(n, 1));
    GThread **threads = g_new0(GThread *, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
        jobs[i].fd = fds[i];
        /* (no thread to be had: synced in this one, after the others) */
        if (i > 0)
            threads[i] = g_thread_try_new("es-fsync", sync_one, &jobs[i], NULL);
    }
    for (guint i = 0; i < n; i++) {
        if (i == 0 || threads[i] == NULL)
            sync_one(&jobs[i]);
        else
            g_thread_join(threads[i]);
    }
    int failed = -1;
    for (guint i = 0; failed < 0 && i < n; i++)
        if (jobs[i].err != 0) {
            failed = (int)i;
            errno = jobs[i].err;
        }
    g_free(threads);
    g_free(jobs);
    return failed;
}

gboolean es_read_full(int fd, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n > 0) {
        const ssize_t got = pread(fd, c, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = EIO;
            return FALSE;
        }
        c += got;
        n -= (size_t)got;
        off += (uint64_t)got;
    }
    return TRUE;
}

gboolean es_io_error(GError **error, const char *what, const char *path)
{
    const int e = errno;
    g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s %s: %s", what, path, g_strerror(e));
    return FALSE;
}

uint32_t es_crc32(uint32_t crc, const void *p, size_t n)
{
    return crc32_gzip_refl(crc, (const unsigned char *)p, (uint64_t)n);
}

gboolean es_read_range(int fd, uint64_t from, uint64_t to, es_read_fn fn, void *user, const char *path,
                       GError **error)
{
    /* A small buffer on the stack: a fresh 1 MiB one cost 256 page faults
     * per call. */
    unsigned char buf[64 * 1024];
    for (uint64_t off = from; off < to; off += sizeof buf) {
        const size_t want = (size_t)MIN((uint64_t)sizeof buf, to - off);
        if (!es_read_full(fd, buf, want, off))
            return es_io_error(error, "cannot read", path);
        fn(buf, want, user);
    }
    return TRUE;
}

static void crc_piece(const void *p, size_t n, void *crc)
{
    *(uint32_t *)crc = es_crc32(*(uint32_t *)crc, p, n);
}

gboolean es_crc32_range(int fd, uint64_t from, uint64_t to, uint32_t *crc, const char *path, GError **error)
{
    uint32_t c = *crc;
    if (!es_read_range(fd, from, to, crc_piece, &c, path, error))
        return FALSE;
    *crc = c;
    return TRUE;
}
