/* chunks.c — the input as key groups of lines (see chunks.h).
 *
 * Each chunk being read keeps its source open (dataflow/source.h: a plain
 * file seeked to the chunk's start, or a gzip file decompressed from its
 * beginning) and a carry buffer holding the bytes read past its last whole
 * line; reads of a plain chunk stop at the chunk's end.  A chunk's source
 * is opened on its first read and closed at its end, so a rank holds open
 * only the chunks it reads.
 */
#include "mpi/chunks.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataflow/source.h"
#include "graph/common.h"
#include "graph/parse.h"

#define READ_MAX (1u << 20)
#define NO_END UINT64_MAX

typedef struct {
    guint       input;
    uint64_t    start, end;    /* bytes [start, end) of the input; end NO_END: to its end */
    es_source  *src;           /* open while being read */
    char       *buf;           /* input bytes [base, base + len) */
    size_t      len, cap;
    uint64_t    base;          /* input offset of buf[0]: bytes consumed */
    uint64_t    lines, bad;
    gboolean    eof, done, discarding;
} chunk;

struct es_chunks {
    char  **paths;
    es_parse_format fmt;       /* the lines' layout */
    guint   nchunks;
    chunk  *ch;
    uint64_t bad;              /* bad lines skipped over the chunks read here */
};

/* The first line start at or after `at` in fd (size bytes): after the first
 * '\n' at or after at - 1. */
static gboolean line_start(int fd, uint64_t size, uint64_t at, uint64_t *out, const char *path, GError **error)
{
    char buf[65536];
    uint64_t p = at - 1;
    while (p < size) {
        ssize_t got = pread(fd, buf, sizeof buf, (off_t)p);
        if (got <= 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot read %s: %s", path, g_strerror(got < 0 ? errno : EIO));
            return FALSE;
        }
        char *nl = memchr(buf, '\n', (size_t)got);
        if (nl) {
            *out = p + (uint64_t)(nl - buf) + 1;
            return TRUE;
        }
        p += (uint64_t)got;
    }
    *out = size;
    return TRUE;
}

es_chunks *es_chunks_new(const char *const *inputs, guint groups, const es_parse_format *fmt, GError **error)
{
    es_chunks *c = g_new0(es_chunks, 1);
    if (fmt)
        c->fmt = *fmt;
    c->paths = g_strdupv((gchar **)inputs);
    guint ninputs = g_strv_length(c->paths);
    int fd = -1;
    gboolean ok = FALSE;
    for (guint i = 0; i < ninputs; i++)
        if (strcmp(c->paths[i], "-") == 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                        "standard input cannot be shared by ranks: give files (every rank reads its share)");
            goto out;
        }
    struct stat st;
    unsigned char magic[2] = { 0, 0 };
    if (ninputs == 1) {
        if ((fd = open(c->paths[0], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot open %s: %s", c->paths[0], g_strerror(errno));
            goto out;
        }
    }
    if (ninputs == 1 && S_ISREG(st.st_mode) &&
        !(pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
        uint64_t size = (uint64_t)st.st_size;
        c->nchunks = groups;
        c->ch = g_new0(chunk, groups);
        uint64_t prev = 0;
        for (guint k = 1; k <= groups; k++) {
            uint64_t at = size / groups * k + size % groups * k / groups, b = size;
            if (k < groups && at > 0 && !line_start(fd, size, at, &b, c->paths[0], error))
                goto out;
            if (b < prev)
                b = prev;
            c->ch[k - 1] = (chunk){ .input = 0, .start = prev, .end = b, .base = prev };
            prev = b;
        }
    } else {
        c->nchunks = ninputs;
        c->ch = g_new0(chunk, ninputs);
        for (guint k = 0; k < ninputs; k++)
            c->ch[k] = (chunk){ .input = k, .start = 0, .end = NO_END };
    }
    ok = TRUE;
out:
    if (fd >= 0)
        close(fd);
    if (!ok)
        g_clear_pointer(&c, es_chunks_free);
    return c;
}

static void chunk_close(chunk *h)
{
    g_clear_pointer(&h->src, es_source_close);
    g_clear_pointer(&h->buf, g_free);
    h->len = h->cap = 0;
}

void es_chunks_free(es_chunks *c)
{
    if (c == NULL)
        return;
    for (guint k = 0; k < c->nchunks; k++)
        chunk_close(&c->ch[k]);
    g_free(c->ch);
    g_strfreev(c->paths);
    g_free(c);
}

guint es_chunks_count(const es_chunks *c) { return c->nchunks; }

guint es_chunks_first(const es_chunks *c, int rank, int nranks)
{
    return (guint)((uint64_t)c->nchunks * (uint64_t)rank / (uint64_t)nranks);
}

gboolean es_chunks_done(const es_chunks *c, guint k) { return c->ch[k].done; }

/* Open chunk h at its position (base). */
static gboolean chunk_open(es_chunks *c, chunk *h, GError **error)
{
    if (h->src)
        return TRUE;
    if ((h->src = es_source_open(c->paths[h->input], error)) == NULL)
        return FALSE;
    if (h->base > 0 && !es_source_skip(h->src, h->base, error)) {
        g_clear_pointer(&h->src, es_source_close);
        return FALSE;
    }
    return TRUE;
}

/* Read more bytes into h's carry buffer (at most to the chunk's end). */
static gboolean chunk_fill(es_chunks *c, chunk *h, size_t want, GError **error)
{
    if (!chunk_open(c, h, error))
        return FALSE;
    if (h->end != NO_END) {
        uint64_t left = h->end - h->base - h->len;
        if (left < want)
            want = (size_t)left;
    }
    if (want == 0) {
        h->eof = TRUE;
        return TRUE;
    }
    if (h->len + want > h->cap) {
        h->cap = MAX(h->len + want, h->cap * 2);
        h->buf = g_realloc(h->buf, h->cap);
    }
    gssize got = es_source_read(h->src, h->buf + h->len, want, error);
    if (got < 0)
        return FALSE;
    if (got == 0)
        h->eof = TRUE;
    h->len += (size_t)got;
    return TRUE;
}

/* The input's line number of h's last line read: the newlines before the
 * chunk's start (counted only here, on the error path) plus the chunk's
 * lines. */
static uint64_t line_number(es_chunks *c, const chunk *h)
{
    uint64_t n = h->lines;
    if (h->start == 0)
        return n;
    int fd = open(c->paths[h->input], O_RDONLY | O_CLOEXEC);
    char buf[65536];
    for (uint64_t p = 0; fd >= 0 && p < h->start;) {
        size_t want = h->start - p < sizeof buf ? (size_t)(h->start - p) : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)p);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++)
            n += buf[i] == '\n';
        p += (uint64_t)got;
    }
    if (fd >= 0)
        close(fd);
    return n;
}

static gboolean bad_line(es_chunks *c, chunk *h, const es_parse_fault *f, uint64_t skip_bad, GError **error)
{
    if (f == NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": a deletion (`u v -`): deletions are not "
                    "read across MPI ranks; run without mpirun", c->paths[h->input], line_number(c, h));
        return FALSE;
    }
    if (c->bad < skip_bad) {
        c->bad++;
        h->bad++;
        return TRUE;
    }
    g_autofree char *msg = es_parse_fault_message(f);
    uint64_t line = line_number(c, h);
    if (skip_bad > 0)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": %s (more than %" G_GUINT64_FORMAT " bad lines)",
                    c->paths[h->input], line, msg, skip_bad);
    else
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": %s", c->paths[h->input], line, msg);
    return FALSE;
}

gboolean es_chunks_read(es_chunks *c, guint k, size_t quota, uint64_t skip_bad, uint64_t *ids, int64_t *time,
                        gboolean *has_time, size_t *n, GError **error)
{
    chunk *h = &c->ch[k];
    size_t got = 0, pos = 0;
    gboolean ok = FALSE;
    while (got < quota && !h->done) {
        char *p = h->buf + pos;
        size_t avail = h->len - pos;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;
        size_t len;
        if (nl == NULL) {
            if (h->eof && (avail == 0 || h->discarding)) {
                pos = h->len;
                h->done = TRUE;
                break;
            }
            if (h->discarding) {        /* drop the rest of an overlong line */
                pos = h->len;
            } else if (avail > ES_MAX_LINE) {
                h->lines++;
                es_parse_fault f = { "a line of at most 4096 bytes", p, avail };
                if (!bad_line(c, h, &f, skip_bad, error))
                    goto out;
                pos = h->len;
                h->discarding = TRUE;
            } else if (h->eof) {
                len = avail;            /* a last line without '\n' */
                goto parse;
            }
            /* Keep the partial line, read more behind it. */
            if (h->len > pos)
                memmove(h->buf, h->buf + pos, h->len - pos);
            h->base += pos;
            h->len -= pos;
            pos = 0;
            if (!chunk_fill(c, h, MIN(READ_MAX, MAX(65536, quota * 24)), error))
                goto out;
            continue;
        }
        len = (size_t)(nl - p);
        if (h->discarding) {
            h->discarding = FALSE;
            pos += len + 1;
            continue;
        }
    parse:
        pos += nl ? len + 1 : len;
        h->lines++;
        es_parsed_edge e;
        es_parse_fault f;
        switch (es_parse_line_as(&c->fmt, p, len, &e, &f)) {
        case ES_LINE_EDGE:
            if (e.del && !bad_line(c, h, NULL, 0, error))
                goto out;
            ids[2 * (*n + got)] = e.u;
            ids[2 * (*n + got) + 1] = e.v;
            time[*n + got] = e.has_t ? e.t : 0;
            *has_time = *has_time || e.has_t;
            got++;
            break;
        case ES_LINE_SKIP:
            break;
        case ES_LINE_BAD:
            if (!bad_line(c, h, &f, skip_bad, error))
                goto out;
            break;
        case ES_LINE_FATAL:     /* a MatrixMarket header: not read in key groups */
            if (!bad_line(c, h, &f, 0, error))
                goto out;
            break;
        }
    }
    ok = TRUE;
out:
    /* What was parsed is consumed: the carry keeps only the rest. */
    if (h->len > pos)
        memmove(h->buf, h->buf + pos, h->len - pos);
    h->base += pos;
    h->len -= pos;
    *n += got;
    if (h->done)
        chunk_close(h);
    return ok;
}

void es_chunks_get(const es_chunks *c, guint k, uint64_t out[4])
{
    const chunk *h = &c->ch[k];
    out[0] = h->base;
    out[1] = h->lines;
    out[2] = h->bad;
    out[3] = (uint64_t)h->done;
}

gboolean es_chunks_seek(es_chunks *c, guint k, const uint64_t in[4], GError **error)
{
    chunk *h = &c->ch[k];
    chunk_close(h);
    if (in[0] < h->start || (h->end != NO_END && in[0] > h->end) || in[3] > 1) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "the snapshot's position of chunk %u (byte %" G_GUINT64_FORMAT
                    ") lies outside it", k, in[0]);
        return FALSE;
    }
    h->base = in[0];
    h->lines = in[1];
    h->bad = in[2];
    h->done = in[3] != 0;
    h->eof = h->discarding = FALSE;
    c->bad += in[2];
    return h->done || chunk_open(c, h, error);
}

char *es_chunks_format(const es_chunks *c, guint groups, size_t quota, const uint64_t *pos)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "mpi-chunks %u %u %zu\n", c->nchunks, groups, quota);
    for (guint k = 0; k < c->nchunks; k++)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                               pos[4 * k], pos[4 * k + 1], pos[4 * k + 2], pos[4 * k + 3]);
    return g_string_free(s, FALSE);
}

gboolean es_chunks_parse(const es_chunks *c, guint groups, const char *text, uint64_t *pos, GError **error)
{
    guint nchunks = 0, g = 0;
    /* The header may go on with the run's quota (es_chunks_replay's). */
    const char *nl = text ? strchr(text, '\n') : NULL;
    if (text == NULL || nl == NULL || sscanf(text, "mpi-chunks %u %u", &nchunks, &g) != 2) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                    "the snapshot was taken by a run without MPI: resume it with the build without MPI");
        return FALSE;
    }
    if (nchunks != c->nchunks || (c->nchunks == groups && g != groups)) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                    "the snapshot cut the input into %u key groups (--max-parallelism %u), this run into %u", nchunks, g,
                    c->nchunks);
        return FALSE;
    }
    const char *p = nl + 1;
    for (guint k = 0; k < nchunks; k++) {
        int used = 0;
        if (sscanf(p, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n%n",
                   &pos[4 * k], &pos[4 * k + 1], &pos[4 * k + 2], &pos[4 * k + 3], &used) != 4) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's position of chunk %u is unreadable", k);
            return FALSE;
        }
        p += used;
    }
    return TRUE;
}

gboolean es_chunks_replay(const char *const *inputs, const es_parse_format *fmt, uint64_t skip_bad, const char *text,
                          GArray *ids, GError **error)
{
    guint nchunks = 0, groups = 0;
    size_t quota = 0;
    if (text == NULL || sscanf(text, "mpi-chunks %u %u %zu", &nchunks, &groups, &quota) != 3 || quota == 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's key-group position does not record its batch "
                    "quota (written by an older edgestream): its stream order is unknown");
        return FALSE;
    }
    es_chunks *c = es_chunks_new(inputs, groups, fmt, error);
    if (c == NULL)
        return FALSE;
    uint64_t *want = g_new0(uint64_t, 4 * (size_t)c->nchunks + 1);
    uint64_t pair[2];
    int64_t t;
    gboolean ok = es_chunks_parse(c, groups, text, want, error), moved = TRUE;
    /* Rounds as the run's batches: every group in turn gives up to quota
     * edges, one at a time so that none passes its recorded offset. */
    while (ok && moved) {
        moved = FALSE;
        for (guint k = 0; ok && k < c->nchunks; k++) {
            chunk *h = &c->ch[k];
            for (size_t j = 0; ok && j < quota && !h->done && h->base < want[4 * k]; j++) {
                size_t n = 0;
                gboolean has_time = FALSE;
                ok = es_chunks_read(c, k, 1, skip_bad, pair, &t, &has_time, &n, error);
                if (n)
                    g_array_append_vals(ids, pair, 2);
                moved = TRUE;
            }
        }
    }
    for (guint k = 0; ok && k < c->nchunks; k++) {
        chunk *h = &c->ch[k];
        if (want[4 * k + 3] && !h->done) {   /* only lines without an edge may be left */
            size_t n = 0;
            gboolean has_time = FALSE;
            ok = es_chunks_read(c, k, 1, skip_bad, pair, &t, &has_time, &n, error);
            if (ok && n) {
                g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "key group %u of the input has edges past the end the "
                            "snapshot recorded: not the snapshot's input", k);
                ok = FALSE;
            }
        }
        if (ok && (h->base != want[4 * k] || h->done != (want[4 * k + 3] != 0))) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "key group %u of the input ends at byte %" G_GUINT64_FORMAT
                        ", the snapshot's position is byte %" G_GUINT64_FORMAT ": not the snapshot's input", k,
                        h->base, want[4 * k]);
            ok = FALSE;
        }
    }
    g_free(want);
    es_chunks_free(c);
    return ok;
}
