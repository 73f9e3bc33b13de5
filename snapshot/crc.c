/* crc.c — CRC-32 with ISA-L and piecewise file reads (see crc.h). */
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
    for (uint64_t off = from; off < to;) {
        size_t want = to - off < sizeof buf ? (size_t)(to - off) : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot read %s: %s", path, g_strerror(got == 0 ? EIO : errno));
            return FALSE;
        }
        fn(buf, (size_t)got, user);
        off += (uint64_t)got;
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
