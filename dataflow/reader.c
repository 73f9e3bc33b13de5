/* reader.c — block reading, line splitting and parsing of edge inputs (see
 * reader.h).
 *
 * The buffer holds [start, end) unread bytes.  A line is complete when a
 * '\n' is found; the last line of an input may lack it.  A line longer than
 * ES_MAX_LINE is malformed: with --skip-bad it is discarded up to its
 * newline without ever being held whole.
 */
#include "dataflow/reader.h"

#include <string.h>

#include "dataflow/source.h"
#include "graph/common.h"
#include "graph/parse.h"

#define READ_BLOCK (4u << 20)

struct es_reader {
    char     **paths;
    guint      npaths, cur;      /* cur: index of the open (or next) input */
    es_source *src;
    char      *buf;
    size_t     start, end;
    gboolean   src_eof;
    gboolean   discarding;       /* inside an overlong line being skipped */
    uint64_t   line_no;          /* lines started in the current input */
    uint64_t   offset;           /* bytes consumed in the current input */
    uint64_t   lines_total;
    uint64_t   skip_bad, bad;
    uint64_t   done_before;      /* on-disk bytes of finished inputs */
    es_consumed consumed;        /* of the current input: bytes [0, offset) ... */
    size_t     crc_from;         /* ... but buf[crc_from, start), not yet added */
    es_consumed *finished;       /* of each input read to its end */
    uint64_t   total_size;       /* sum of sizes, 0 if any unknown */
    gboolean   size_unknown;
    es_parse_format fmt;         /* the lines' layout */
    gboolean   plain;            /* fmt is the default: the fast parser */
    es_mm      mm;               /* the current input as MatrixMarket (mm.on) */
    gint64     linger_us;        /* a stream's batch closes this long after its first edge */
    es_stop   *stop;             /* or NULL */
    gboolean   stopped;          /* the stop request ended the stream */
};

es_raw_batch *es_raw_batch_new(size_t cap)
{
    es_raw_batch *b = g_new0(es_raw_batch, 1);
    b->cap = cap;
    b->ids = es_big_alloc(2 * cap * sizeof *b->ids);
    b->time = es_big_alloc(cap * sizeof *b->time);
    return b;
}

void es_raw_batch_free(es_raw_batch *b)
{
    if (b == NULL)
        return;
    es_big_free(b->ids, 2 * b->cap * sizeof *b->ids);
    es_big_free(b->time, b->cap * sizeof *b->time);
    es_big_free(b->del, b->del ? b->cap : 0);
    es_big_free(b->weight, b->weight ? b->cap * sizeof *b->weight : 0);
    g_free(b);
}

es_reader *es_reader_new(const char *const *paths, uint64_t skip_bad)
{
    es_reader *r = g_new0(es_reader, 1);
    r->paths = g_strdupv((gchar **)paths);
    r->npaths = g_strv_length(r->paths);
    r->finished = g_new0(es_consumed, r->npaths + 1);
    r->buf = es_big_alloc(READ_BLOCK + ES_MAX_LINE + 2);
    r->skip_bad = skip_bad;
    r->plain = TRUE;
    return r;
}

void es_reader_set_format(es_reader *r, const es_parse_format *fmt)
{
    r->fmt = fmt ? *fmt : (es_parse_format){ 0 };
    r->plain = es_parse_format_is_default(&r->fmt);
}

void es_reader_free(es_reader *r)
{
    if (r == NULL)
        return;
    es_source_close(r->src);
    g_strfreev(r->paths);
    g_free(r->finished);
    es_big_free(r->buf, READ_BLOCK + ES_MAX_LINE + 2);
    g_free(r);
}

void es_reader_set_live(es_reader *r, gint64 linger_us, es_stop *stop)
{
    r->linger_us = linger_us;
    r->stop = stop;
}

gboolean es_reader_stopped(const es_reader *r) { return r->stopped; }
uint64_t es_reader_bad_lines(const es_reader *r) { return r->bad; }
uint64_t es_reader_lines(const es_reader *r) { return r->lines_total; }

void es_reader_progress(const es_reader *r, uint64_t *done, uint64_t *total)
{
    es_source *s = r->src;
    *done = r->done_before + (s ? es_source_consumed(s) : 0);
    *total = r->size_unknown ? 0 : r->total_size;
}

/* Open the next input when none is open; FALSE at the end or on error. */
static gboolean open_next(es_reader *r, gboolean *have, GError **error)
{
    *have = FALSE;
    if (r->src != NULL) {
        *have = TRUE;
        return TRUE;
    }
    if (r->cur >= r->npaths)
        return TRUE;
    r->src = es_source_open(r->paths[r->cur], error);
    if (r->src == NULL)
        return FALSE;
    uint64_t size = es_source_size(r->src);
    if (size == 0 && strcmp(r->paths[r->cur], "-") == 0)
        r->size_unknown = TRUE;
    /* Every input's size is known up front only if each is a regular file;
     * sizes are added as inputs open, so the percentage is of what is
     * known so far until the last input opens. */
    r->total_size += size;
    r->start = r->end = 0;
    r->crc_from = 0;
    es_consumed_init(&r->consumed);
    r->src_eof = FALSE;
    r->discarding = FALSE;
    r->line_no = 0;
    r->offset = 0;
    r->mm.on = FALSE;
    *have = TRUE;
    return TRUE;
}

static void close_current(es_reader *r)
{
    r->done_before += es_source_size(r->src) ? es_source_size(r->src) : es_source_consumed(r->src);
    es_source_close(r->src);
    r->src = NULL;
    r->cur++;
    r->offset = 0;
    r->line_no = 0;
}

/* The consumed bytes still in the buffer go into the input's CRCs. */
static void add_consumed(es_reader *r)
{
    es_consumed_add(&r->consumed, r->buf + r->crc_from, r->start - r->crc_from);
    r->crc_from = r->start;
}

/* Read more bytes after the unread tail; FALSE on error. */
static gboolean fill(es_reader *r, GError **error)
{
    add_consumed(r);
    r->crc_from = 0;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    size_t room = READ_BLOCK + ES_MAX_LINE + 1 - r->end;
    gssize got = es_source_read(r->src, r->buf + r->end, room, error);
    if (got == ES_SOURCE_AGAIN)
        return TRUE;
    if (got < 0)
        return FALSE;
    if (got == 0)
        r->src_eof = TRUE;
    r->end += (size_t)got;
    return TRUE;
}

/* A fault that no --skip-bad may pass over (a MatrixMarket banner or size
 * line: skipping it would read the file as something else). */
static gboolean fatal_line(es_reader *r, const es_parse_fault *fault, GError **error)
{
    g_autofree char *msg = es_parse_fault_message(fault);
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": %s", es_source_name(r->src), r->line_no, msg);
    return FALSE;
}

static gboolean bad_line(es_reader *r, const es_parse_fault *fault, GError **error)
{
    if (r->bad < r->skip_bad) {
        r->bad++;
        return TRUE;
    }
    g_autofree char *msg = es_parse_fault_message(fault);
    if (r->skip_bad > 0)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": %s (more than %" G_GUINT64_FORMAT " bad lines)",
                    es_source_name(r->src), r->line_no, msg, r->skip_bad);
    else
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s:%" G_GUINT64_FORMAT ": %s",
                    es_source_name(r->src), r->line_no, msg);
    return FALSE;
}

/* An input's first line, when not an edge: a MatrixMarket banner turns
 * the input into one (a bad banner is fatal), and with a delimiter a line
 * that starts with a letter or a quote is a CSV header. */
static es_line_kind first_line(es_reader *r, const char *p, size_t len, es_line_kind kind, es_parse_fault *f)
{
    if (es_mm_is_banner(p, len))
        return es_mm_banner(&r->mm, p, len, f);
    if (kind == ES_LINE_BAD && r->fmt.delim != 0) {
        const char *q = p, *end = p + len;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < end && (g_ascii_isalpha(*q) || *q == '"'))
            return ES_LINE_SKIP;
    }
    return kind;
}

gboolean es_reader_next(es_reader *r, es_raw_batch *b, size_t max, GError **error)
{
    g_return_val_if_fail(max <= b->cap && max > 0, FALSE);
    b->n = 0;
    b->has_time = FALSE;
    b->has_del = FALSE;
    b->has_weight = FALSE;
    b->input = r->cur;
    b->offset = r->offset;
    b->line = r->line_no;
    gint64 first_at = 0;   /* when the batch's first edge was read */
    while (b->n < max && !r->stopped) {
        gboolean have;
        if (!open_next(r, &have, error))
            return FALSE;
        if (!have)
            break;
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;
        size_t len;
        if (nl == NULL) {
            if (r->discarding) {        /* drop the rest of an overlong line */
                r->offset += avail;
                r->start = r->end;
            } else if (avail > ES_MAX_LINE) {
                r->line_no++;
                r->lines_total++;
                es_parse_fault f = { "a line of at most 4096 bytes", p, avail };
                if (!bad_line(r, &f, error))
                    return FALSE;
                r->discarding = TRUE;
                continue;
            }
            if (!r->src_eof) {
                /* More input is needed: stop here when asked to; on a
                 * stream, wait for it at most until the batch's linger
                 * is up. */
                if (es_stop_reason(r->stop)) {
                    r->stopped = TRUE;
                    break;
                }
                if (es_source_is_stream(r->src)) {
                    int timeout = -1;
                    if (b->n > 0) {
                        gint64 left = r->linger_us - (g_get_monotonic_time() - first_at);
                        timeout = left > 0 ? (int)((left + 999) / 1000) : 0;
                    }
                    int ready = es_source_wait(r->src, timeout, es_stop_fd(r->stop));
                    if (ready < 0)
                        r->stopped = TRUE;
                    if (ready <= 0)
                        break;
                }
                if (!fill(r, error))
                    return FALSE;
                continue;
            }
            if (r->start == r->end) {   /* input finished */
                if (!es_mm_finish(&r->mm, es_source_name(r->src), r->line_no, error))
                    return FALSE;
                add_consumed(r);
                r->finished[r->cur] = r->consumed;
                b->input = r->cur;
                b->offset = r->offset;
                b->line = r->line_no;
                close_current(r);
                continue;
            }
            len = avail;                /* last line without newline */
        } else {
            len = (size_t)(nl - p);
            if (r->discarding) {
                r->discarding = FALSE;
                r->start += len + 1;
                r->offset += len + 1;
                continue;
            }
        }
        size_t consumed = nl ? len + 1 : len;
        r->line_no++;
        r->lines_total++;
        es_parsed_edge e;
        es_parse_fault f;
        es_line_kind kind;
        if (G_LIKELY(r->plain && !r->mm.on))
            kind = es_parse_line(p, len, &e, &f);
        else if (r->mm.on)
            kind = es_mm_line(&r->mm, r->line_no, p, len, &e, &f);
        else
            kind = es_parse_line_as(&r->fmt, p, len, &e, &f);
        if (G_UNLIKELY(r->line_no == 1) && kind != ES_LINE_EDGE && !r->mm.on)
            kind = first_line(r, p, len, kind, &f);
        if (kind == ES_LINE_EDGE) {
            b->ids[2 * b->n] = e.u;
            b->ids[2 * b->n + 1] = e.v;
            /* time[], del[] and weight[] are written only once a line has
             * one, so files without them never touch (nor fault in, nor
             * allocate) those arrays. */
            if (e.has_t || b->has_time) {
                if (!b->has_time) {
                    memset(b->time, 0, b->n * sizeof *b->time);
                    b->has_time = TRUE;
                }
                b->time[b->n] = e.has_t ? e.t : 0;
            }
            if (G_UNLIKELY(e.del || b->has_del)) {
                if (!b->has_del) {
                    if (b->del == NULL)
                        b->del = es_big_alloc(b->cap);
                    memset(b->del, 0, b->n);
                    b->has_del = TRUE;
                }
                b->del[b->n] = (uint8_t)e.del;
            }
            if (G_UNLIKELY(e.has_w || b->has_weight)) {
                if (!b->has_weight) {
                    if (b->weight == NULL)
                        b->weight = es_big_alloc(b->cap * sizeof *b->weight);
                    memset(b->weight, 0, b->n * sizeof *b->weight);
                    b->has_weight = TRUE;
                }
                b->weight[b->n] = e.has_w ? e.w : 0;
            }
            if (b->n++ == 0 && r->src != NULL && es_source_is_stream(r->src))
                first_at = g_get_monotonic_time();
        } else if (kind == ES_LINE_FATAL) {
            return fatal_line(r, &f, error);
        } else if (kind == ES_LINE_BAD && !bad_line(r, &f, error)) {
            return FALSE;
        }
        r->start += consumed;
        r->offset += consumed;
        b->input = r->cur;
        b->offset = r->offset;
        b->line = r->line_no;
    }
    if (r->src != NULL && b->input == r->cur) {
        add_consumed(r);
        b->consumed = r->consumed;
    } else {
        b->consumed = r->finished[b->input];
    }
    return TRUE;
}

char *es_reader_consumed_text(const es_reader *r, guint input, const es_consumed *current)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i <= input && i < r->npaths; i++) {
        g_autofree char *line = es_consumed_format(i < input ? &r->finished[i] : current);
        g_string_append_printf(s, "%s%s", i ? "\n" : "", line);
    }
    return g_string_free(s, FALSE);
}

/* Read input i's first want->bytes bytes (decompressed) again and check
 * them against the record; the source is left just after them. */
static gboolean check_consumed(es_reader *r, es_source *src, guint i, const es_consumed *want, GError **error)
{
    es_consumed_check k;
    es_consumed_check_init(&k, want);
    uint64_t left = want->bytes;
    while (left > 0) {
        size_t n = left < READ_BLOCK ? (size_t)left : READ_BLOCK;
        gssize got = es_source_read(src, r->buf, n, error);
        if (got < 0)
            return FALSE;
        if (got == 0)
            break;
        es_consumed_check_add(&k, r->buf, (size_t)got);
        left -= (uint64_t)got;
    }
    if (!es_consumed_check_end(&k)) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                    "input \"%s\" has changed since the snapshot: its bytes %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                    " differ from those the snapshot consumed%s", r->paths[i], k.bad_from, k.bad_to,
                    left > 0 ? " (it is shorter)" : "");
        return FALSE;
    }
    return TRUE;
}

/* A resume inside a MatrixMarket input: its banner, size line and entries
 * so far are read again from [0, offset) (the bytes a resume has already
 * checked), so that the count goes on exactly. */
static gboolean mm_rescan(es_reader *r, guint i, uint64_t offset, GError **error)
{
    es_source *src = es_source_open(r->paths[i], error);
    if (src == NULL)
        return FALSE;
    size_t start = 0, have = 0;   /* unread bytes: buf[start, have) */
    uint64_t done = 0, line_no = 0;
    gboolean ok = TRUE, eof = FALSE;
    while (ok && done < offset) {
        char *p = r->buf + start;
        char *nl = memchr(p, '\n', have - start);
        if (nl == NULL && !eof && have - start < READ_BLOCK) {
            memmove(r->buf, p, have - start);
            have -= start;
            start = 0;
            gssize got = es_source_read(src, r->buf + have, READ_BLOCK - have, error);
            ok = got >= 0;
            eof = got == 0;
            have += got > 0 ? (size_t)got : 0;
            continue;
        }
        size_t len = nl ? (size_t)(nl - p) : have - start;
        es_parsed_edge e;
        es_parse_fault f;
        line_no++;
        if (line_no == 1 && !es_mm_is_banner(p, len))
            break;   /* not MatrixMarket */
        if (line_no == 1)
            es_mm_banner(&r->mm, p, len, &f);
        else
            es_mm_line(&r->mm, line_no, p, len, &e, &f);
        size_t used = nl ? len + 1 : len;
        done += used;
        start += used;
        if (used == 0)
            break;
    }
    es_source_close(src);
    return ok;
}

gboolean es_reader_seek(es_reader *r, guint input, uint64_t offset, uint64_t line,
                        uint64_t lines_total, uint64_t bad, const char *consumed, GError **error)
{
    /* mpi/chunks.h's position: per key group, in an order only that driver follows. */
    if (consumed && g_str_has_prefix(consumed, "mpi-chunks ")) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "the snapshot was taken by a run across MPI ranks, whose stream "
                    "order is by key group of the input: resume it with the MPI build (mpirun -np N "
                    "build-mpi/edgestream run --resume ..., any N)");
        return FALSE;
    }
    g_auto(GStrv) records = consumed ? g_strsplit(consumed, "\n", -1) : NULL;
    guint want_records = input < r->npaths ? input + 1 : r->npaths;
    g_autofree es_consumed *want = g_new0(es_consumed, want_records + 1);
    for (guint i = 0; records && i < want_records; i++) {
        if (i >= g_strv_length(records) || !es_consumed_parse(records[i], &want[i]) ||
            (i == input && want[i].bytes != offset)) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's record of input %u's consumed bytes is unreadable", i + 1);
            return FALSE;
        }
    }
    g_return_val_if_fail(r->src == NULL && r->cur == 0, FALSE);
    if (input >= r->npaths && !(input == r->npaths && offset == 0)) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "the stream position names input %u of %u", input, r->npaths);
        return FALSE;
    }
    /* Inputs before `input` are done: count their sizes for progress. */
    for (guint i = 0; i < input && i < r->npaths; i++) {
        es_source *s = es_source_open(r->paths[i], error);
        if (s == NULL)
            return FALSE;
        r->done_before += es_source_size(s);
        r->total_size += es_source_size(s);
        gboolean ok = !records || check_consumed(r, s, i, &want[i], error);
        es_source_close(s);
        if (!ok)
            return FALSE;
        if (records)
            r->finished[i] = want[i];
    }
    r->cur = input;
    gboolean have;
    if (!open_next(r, &have, error))
        return FALSE;
    if (have && records) {
        if (!check_consumed(r, r->src, input, &want[input], error))
            return FALSE;
        r->consumed = want[input];
    } else if (have && !es_source_skip(r->src, offset, error)) {
        return FALSE;
    }
    if (have && offset > 0 && !mm_rescan(r, input, offset, error))
        return FALSE;
    r->offset = offset;
    r->line_no = line;
    r->lines_total = lines_total;
    r->bad = bad;
    return TRUE;
}
