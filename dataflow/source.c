/* source.c — files, stdin and gzip as one byte source (see source.h).
 *
 * A regular file is sniffed with pread for the gzip magic (1f 8b): plain
 * files are read with read(2) straight into the caller's buffer, gzip files
 * through zlib's gzread.  A pipe cannot be sniffed without consuming bytes,
 * so it always goes through gzread, whose transparent mode passes non-gzip
 * data through unchanged (one extra copy, only for pipes).
 */
#include "dataflow/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "graph/common.h"

struct es_source {
    char    *name;
    int      fd;
    gzFile   gz;         /* non-NULL when reading through zlib */
    gboolean gzip;       /* the data is gzip-compressed (known for files) */
    uint64_t size;       /* 0 when unknown */
    uint64_t consumed;   /* plain input: bytes read */
};

es_source *es_source_open(const char *path, GError **error)
{
    gboolean is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot open %s: %s", path, g_strerror(e));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot read %s: %s", path,
                    S_ISDIR(st.st_mode) ? "Is a directory" : g_strerror(errno));
        close(fd);
        return NULL;
    }
    es_source *s = g_new0(es_source, 1);
    s->name = g_strdup(is_stdin ? "<stdin>" : path);
    s->fd = fd;
    gboolean through_zlib = TRUE;
    if (S_ISREG(st.st_mode)) {
        s->size = (uint64_t)st.st_size;
        unsigned char magic[2] = { 0, 0 };
        s->gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        through_zlib = s->gzip;
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    if (through_zlib) {
        s->gz = gzdopen(fd, "rb");
        if (s->gz == NULL) {
            g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot open %s: zlib could not start", s->name);
            close(fd);
            g_free(s->name);
            g_free(s);
            return NULL;
        }
        gzbuffer(s->gz, 1u << 20);
    }
    return s;
}

/* zlib's message without the "<fd:3>: " it prefixes (the file is named by us). */
static const char *zlib_reason(const char *msg)
{
    if (g_str_has_prefix(msg, "<fd:")) {
        const char *sep = strstr(msg, ">: ");
        if (sep)
            return sep + 3;
    }
    return msg;
}

gssize es_source_read(es_source *s, char *buf, size_t n, GError **error)
{
    if (s->gz) {
        unsigned want = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(s->gz, buf, want);
        if (got < 0) {
            int zerr = 0;
            const char *msg = gzerror(s->gz, &zerr);
            if (zerr == Z_ERRNO)
                g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: read error: %s", s->name, g_strerror(errno));
            else
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: corrupt gzip data: %s", s->name, zlib_reason(msg));
            return -1;
        }
        /* A truncated gzip file reads as a short stream: zlib says so. */
        if (got == 0) {
            int zerr = 0;
            const char *msg = gzerror(s->gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: corrupt gzip data: %s", s->name, zlib_reason(msg));
                return -1;
            }
        }
        return got;
    }
    for (;;) {
        ssize_t got = read(s->fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: read error: %s", s->name, g_strerror(e));
            return -1;
        }
        s->consumed += (uint64_t)got;
        return got;
    }
}

gboolean es_source_skip(es_source *s, uint64_t offset, GError **error)
{
    if (offset == 0)
        return TRUE;
    if (s->gz == NULL) {
        if (offset > s->size || lseek(s->fd, (off_t)offset, SEEK_SET) < 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: cannot seek to byte %" G_GUINT64_FORMAT
                        " (the file is shorter)", s->name, offset);
            return FALSE;
        }
        s->consumed = offset;
        return TRUE;
    }
    char *buf = g_malloc(1u << 20);
    uint64_t left = offset;
    gboolean ok = TRUE;
    while (ok && left > 0) {
        gssize got = es_source_read(s, buf, left < (1u << 20) ? (size_t)left : (1u << 20), error);
        if (got <= 0) {
            if (got == 0)
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: ends before byte %" G_GUINT64_FORMAT,
                            s->name, offset);
            ok = FALSE;
        }
        left -= got > 0 ? (uint64_t)got : 0;
    }
    g_free(buf);
    return ok;
}

uint64_t es_source_size(const es_source *s)
{
    return s->size;
}

uint64_t es_source_consumed(const es_source *s)
{
    if (s->gz) {
        z_off_t off = gzoffset(s->gz);
        return off > 0 ? (uint64_t)off : 0;
    }
    return s->consumed;
}

gboolean es_source_is_gzip(const es_source *s)
{
    return s->gzip;
}

const char *es_source_name(const es_source *s)
{
    return s->name;
}

void es_source_close(es_source *s)
{
    if (s == NULL)
        return;
    if (s->gz)
        gzclose_r(s->gz); /* closes fd too */
    else
        close(s->fd);
    g_free(s->name);
    g_free(s);
}
