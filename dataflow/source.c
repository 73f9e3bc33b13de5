/* source.c — files, stdin and gzip as one byte source (see source.h).
 *
 * A regular file is sniffed with pread for the gzip magic (1f 8b): plain
 * files are read with read(2) straight into the caller's buffer, gzip files
 * through zlib's gzread.  A stream (pipe, terminal, socket) is read one
 * read(2) at a time, returning what has arrived: gzread would wait until
 * its buffer is full, which holds a slow producer's edges back until the
 * end.  Its first bytes are sniffed as they come; gzip data on a stream is
 * inflated with zlib's inflate over those reads (concatenated members as
 * gzread reads them, trailing non-gzip bytes ignored as gzread does).
 * es_source_wait lets the reader wait for a stream with a timeout (the
 * batch's linger) and a stop request.  A FIFO is opened without blocking
 * (a blocking open waits for a writer, deaf to a stop request: SIGTERM
 * on a run whose FIFO has no writer yet would be ignored); waiting for
 * its writer is then es_source_wait's poll, which Linux does not end with
 * POLLHUP until a writer has come (fs/pipe.c), and a read that finds no
 * data yet waits in poll as a blocking read would.
 */
#include "dataflow/source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
    /* A stream: */
    gboolean stream;     /* not a regular file: read(2) as data arrives */
    gboolean sniffed;    /* its first bytes have decided gzip or not */
    z_stream *zs;        /* gzip on a stream: the inflater, */
    unsigned char *zin;  /* its input buffer, */
    gboolean zeof;       /* the stream's end read, */
    gboolean zdone;      /* and the data's end reached; */
    guint    zmembers;   /* gzip members inflated whole, */
    uint64_t zmember_out;/* bytes out of the current one */
};

#define ZIN_SIZE (1u << 16)

es_source *es_source_open(const char *path, GError **error)
{
    gboolean is_stdin = strcmp(path, "-") == 0;
    struct stat pre;
    gboolean fifo = !is_stdin && stat(path, &pre) == 0 && S_ISFIFO(pre.st_mode);
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
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
    } else {
        s->stream = TRUE;
        through_zlib = FALSE;
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

/* One read(2), retried on EINTR; on a FIFO opened without blocking, data
 * not there yet is waited for as a blocking read would. */
static gssize read_once(es_source *s, void *buf, size_t n, GError **error)
{
    for (;;) {
        ssize_t got = read(s->fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = s->fd, .events = POLLIN };
            poll(&p, 1, -1);
            continue;
        }
        if (got < 0) {
            int e = errno;
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: read error: %s", s->name, g_strerror(e));
            return -1;
        }
        s->consumed += (uint64_t)got;
        return got;
    }
}

/* Inflate what the stream has sent into buf; 0 at the data's end. */
static gssize inflate_read(es_source *s, char *buf, size_t n, GError **error)
{
    z_stream *zs = s->zs;
    gboolean have_read = FALSE;
    for (;;) {
        if (s->zdone)
            return 0;
        if (zs->avail_in == 0 && !s->zeof) {
            /* One read per call: a second could block past the linger. */
            if (have_read)
                return ES_SOURCE_AGAIN;
            have_read = TRUE;
            gssize got = read_once(s, s->zin, ZIN_SIZE, error);
            if (got < 0)
                return -1;
            s->zeof = got == 0;
            zs->next_in = s->zin;
            zs->avail_in = (uInt)got;
        }
        zs->next_out = (Bytef *)buf;
        zs->avail_out = n > (1u << 30) ? (1u << 30) : (uInt)n;
        const uInt before_out = zs->avail_out;
        int ret = inflate(zs, Z_NO_FLUSH);
        const size_t produced = before_out - zs->avail_out;
        s->zmember_out += produced;
        if (ret == Z_STREAM_END) {
            /* Another member may follow; what is not gzip ends the data. */
            s->zmembers++;
            s->zmember_out = 0;
            if (zs->avail_in == 0 && s->zeof)
                s->zdone = TRUE;
            else
                inflateReset(zs);
        } else if (ret == Z_DATA_ERROR && s->zmembers > 0 && s->zmember_out == 0) {
            s->zdone = TRUE;    /* trailing bytes after a member: not gzip */
        } else if (ret == Z_BUF_ERROR && zs->avail_in == 0 && s->zeof && s->zmembers > 0 && zs->total_in == 0) {
            s->zdone = TRUE;    /* the end, right after a member */
        } else if (ret == Z_BUF_ERROR && zs->avail_in == 0 && s->zeof) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: corrupt gzip data: unexpected end of file", s->name);
            return -1;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: corrupt gzip data: %s", s->name,
                        zs->msg ? zs->msg : "inflate failed");
            return -1;
        }
        if (produced > 0)
            return (gssize)produced;
    }
}

/* A stream: what has arrived, sniffing its first bytes for gzip. */
static gssize stream_read(es_source *s, char *buf, size_t n, GError **error)
{
    if (s->zs)
        return inflate_read(s, buf, n, error);
    gssize got = read_once(s, buf, n, error);
    if (s->sniffed || got <= 0) {
        s->sniffed = TRUE;
        return got;
    }
    while (got == 1 && (unsigned char)buf[0] == 0x1f && n > 1) {   /* need the second byte */
        gssize more = read_once(s, buf + 1, n - 1, error);
        if (more < 0)
            return -1;
        if (more == 0)
            break;
        got += more;
    }
    s->sniffed = TRUE;
    if (!(got >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b))
        return got;
    s->gzip = TRUE;
    s->zs = g_new0(z_stream, 1);
    s->zin = g_malloc(MAX(ZIN_SIZE, (size_t)got));
    memcpy(s->zin, buf, (size_t)got);
    s->zs->next_in = s->zin;
    s->zs->avail_in = (uInt)got;
    if (inflateInit2(s->zs, 15 + 16) != Z_OK) {
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "%s: zlib could not start", s->name);
        return -1;
    }
    return inflate_read(s, buf, n, error);
}

int es_source_wait(es_source *s, int timeout_ms, int stop_fd)
{
    if (!s->stream || (s->zs && (s->zs->avail_in > 0 || s->zdone)))
        return 1;
    struct pollfd p[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = stop_fd, .events = POLLIN } };
    gint64 deadline = timeout_ms >= 0 ? g_get_monotonic_time() + (gint64)timeout_ms * 1000 : 0;
    for (;;) {
        int r = poll(p, stop_fd >= 0 ? 2 : 1, timeout_ms);
        if (r < 0 && errno == EINTR) {
            if (stop_fd >= 0)   /* a signal may have raised the stop */
                continue;
            return -1;
        }
        if (r < 0)
            return 1;           /* let the read report the error */
        if (stop_fd >= 0 && (p[1].revents & POLLIN))
            return -1;
        if (r > 0)
            return 1;
        if (timeout_ms >= 0) {
            gint64 left = deadline - g_get_monotonic_time();
            if (left <= 0)
                return 0;
            timeout_ms = (int)((left + 999) / 1000);
        }
    }
}

gboolean es_source_is_stream(const es_source *s)
{
    return s->stream;
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
    if (s->stream)
        return stream_read(s, buf, n, error);
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
    return read_once(s, buf, n, error);
}

gboolean es_source_skip(es_source *s, uint64_t offset, GError **error)
{
    if (offset == 0)
        return TRUE;
    if (s->gz == NULL && !s->stream) {
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
    if (s->zs) {
        inflateEnd(s->zs);
        g_free(s->zs);
        g_free(s->zin);
    }
    g_free(s->name);
    g_free(s);
}
