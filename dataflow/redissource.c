/* redissource.c — a Redis stream as an edge source (edgesource.h), read
 * with hiredis.  Redis Streams keep entries under monotonic ids
 * (`<ms>-<seq>`) and replay from any id, as a Kafka partition does, so the
 * id of the last entry consumed is a position a snapshot can store and a
 * resume can read on from: exactly-once without a log of our own.
 *
 * Entry format: every field value of an entry is one edge line, in the
 * format of files (`u v [t]`, or the run's --columns/--delimiter); field
 * names are free (`XADD edges * e "1 2"`), an entry's fields are read in
 * order, a comment or blank value is skipped.
 *
 * Reading: XRANGE from the position, COUNT entries at a time.  Without
 * follow the stream's last entry at start (XREVRANGE + - COUNT 1) is the
 * end; with follow, XREAD BLOCK waits for new entries, at most the
 * batch's linger when the batch holds edges (then it closes) and at most
 * IDLE_MS otherwise (then an idle tick: an empty batch, not the end), so
 * that a stop request is seen within IDLE_MS.
 *
 * Position: the batch's offset counts the entries consumed whole, its line
 * the fields consumed of the next entry (a batch may end inside an entry
 * with more fields than it has room for); position_text is "<id> <k>":
 * the last entry consumed whole ("0-0" for none) and those k fields.  A
 * resume checks that entry <id> is still in the stream (not trimmed away
 * by XTRIM or MAXLEN: then what followed it may be lost too, and the run
 * is refused with ES_ERROR_CONFIG) and reads on after it.
 * Identity: the URL redis://host:port/key.
 * Cost: one round trip per COUNT entries; one parse per field value.
 */
#include "dataflow/redissource.h"

#include <hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "graph/parse.h"

#define FETCH 4096          /* entries per round trip */
#define IDLE_MS 100         /* longest wait without news (stop, idle ticks) */
#define RING 16             /* positions of batches handed out, by offset */

typedef struct {
    uint64_t offset, line;
    char     id[48];
} pos_rec;

typedef struct {
    es_edge_source base;
    char        *url, *host, *key;
    int          port;
    gboolean     follow;
    gint64       linger_us;
    es_stop     *stop;
    uint64_t     skip_bad, bad, lines;
    es_parse_format fmt;
    redisContext *c;
    char         last[48];      /* last entry consumed whole */
    char         end[48];       /* without follow: the last entry at start, "" before asked */
    gboolean     have_end, empty_at_start;
    uint64_t     entries;       /* consumed whole */
    redisReply  *page;          /* entries fetched, not all consumed */
    size_t       page_i, field_i;   /* next entry of page, next field of it */
    size_t       skip_fields;   /* after a seek: fields of the next entry consumed before */
    pos_rec      ring[RING];
    guint        ring_next;
    GMutex       lock;          /* ring: written by next(), read by position_text() */
} redis_source;

gboolean es_redis_url_parse(const char *url, char **host, int *port, char **key, GError **error)
{
    const char *p = url + strlen("redis://");
    const char *slash = strchr(p, '/');
    const char *colon = slash ? memchr(p, ':', (size_t)(slash - p)) : NULL;
    char *end = NULL;
    long n = colon ? strtol(colon + 1, &end, 10) : 6379;
    if (!g_str_has_prefix(url, "redis://") || slash == NULL || slash[1] == 0 || slash == p || colon == p ||
        (colon && (end != slash || n < 1 || n > 65535))) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "--source must be redis://HOST[:PORT]/STREAM, got \"%s\"", url);
        return FALSE;
    }
    *host = g_strndup(p, (size_t)((colon ? colon : slash) - p));
    *port = (int)n;
    *key = g_strdup(slash + 1);
    return TRUE;
}

/* "ms-seq" as two numbers; FALSE when it is not an entry id. */
static gboolean id_parse(const char *s, uint64_t *ms, uint64_t *seq)
{
    char *end = NULL;
    *ms = g_ascii_strtoull(s, &end, 10);
    if (end == s || *end != '-')
        return FALSE;
    const char *q = end + 1;
    *seq = g_ascii_strtoull(q, &end, 10);
    return end != q && *end == 0;
}

static int id_cmp(const char *a, const char *b)
{
    uint64_t am = 0, as = 0, bm = 0, bs = 0;
    id_parse(a, &am, &as);
    id_parse(b, &bm, &bs);
    return am != bm ? (am > bm) - (am < bm) : (as > bs) - (as < bs);
}

static gboolean fail_reply(redis_source *r, redisReply *reply, const char *what, GError **error)
{
    if (reply == NULL)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: %s: %s", r->url, what,
                    r->c->errstr[0] ? r->c->errstr : "no reply");
    else
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: %s: %s", r->url, what,
                    reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply");
    if (reply)
        freeReplyObject(reply);
    return FALSE;
}

static gboolean connect_once(redis_source *r, GError **error)
{
    if (r->c != NULL)
        return TRUE;
    struct timeval tv = { 5, 0 };
    r->c = redisConnectWithTimeout(r->host, r->port, tv);
    if (r->c == NULL || r->c->err) {
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "%s: cannot connect: %s", r->url,
                    r->c ? r->c->errstr : "out of memory");
        return FALSE;
    }
    return TRUE;
}

/* An entry of an XRANGE/XREAD reply: [id, [field, value, ...]]. */
static gboolean entry_ok(const redisReply *e)
{
    return e->type == REDIS_REPLY_ARRAY && e->elements == 2 && e->element[0]->type == REDIS_REPLY_STRING &&
           e->element[1]->type == REDIS_REPLY_ARRAY && e->element[1]->elements % 2 == 0;
}

/* Fetch the next page of entries after r->last; *page NULL when there is
 * none now.  wait_ms: with follow, how long XREAD may block (0: not). */
static gboolean fetch(redis_source *r, int wait_ms, GError **error)
{
    redisReply *reply;
    if (!r->follow) {
        reply = redisCommand(r->c, "XRANGE %s (%s %s COUNT %d", r->key, r->last, r->end, FETCH);
        if (reply == NULL || reply->type != REDIS_REPLY_ARRAY)
            return fail_reply(r, reply, "XRANGE", error);
        r->page = reply;
    } else {
        if (wait_ms > 0)
            reply = redisCommand(r->c, "XREAD COUNT %d BLOCK %d STREAMS %s %s", FETCH, wait_ms, r->key, r->last);
        else
            reply = redisCommand(r->c, "XREAD COUNT %d STREAMS %s %s", FETCH, r->key, r->last);
        if (reply == NULL || (reply->type != REDIS_REPLY_NIL && reply->type != REDIS_REPLY_ARRAY))
            return fail_reply(r, reply, "XREAD", error);
        if (reply->type == REDIS_REPLY_NIL || reply->elements == 0) {
            freeReplyObject(reply);
            return TRUE;
        }
        /* [[key, [entries]]]: keep the entries, drop the wrapping. */
        redisReply *stream = reply->element[0];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 || stream->element[1]->type != REDIS_REPLY_ARRAY)
            return fail_reply(r, reply, "XREAD", error);
        r->page = stream->element[1];
        stream->element[1] = NULL;
        stream->elements = 1;
        freeReplyObject(reply);
    }
    for (size_t i = 0; i < r->page->elements; i++) {
        if (!entry_ok(r->page->element[i])) {
            redisReply *bad = r->page;
            r->page = NULL;
            return fail_reply(r, bad, "reading entries", error);
        }
    }
    r->page_i = 0;
    r->field_i = r->skip_fields;
    r->skip_fields = 0;
    if (r->page->elements == 0) {
        freeReplyObject(r->page);
        r->page = NULL;
    }
    return TRUE;
}

static gboolean bad_value(redis_source *r, const char *id, const es_parse_fault *f, GError **error)
{
    if (r->bad < r->skip_bad) {
        r->bad++;
        return TRUE;
    }
    g_autofree char *msg = es_parse_fault_message(f);
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s entry %s: %s", r->url, id, msg);
    return FALSE;
}

/* Append entry e's fields from r->field_i on, while the batch has room. */
static gboolean take_fields(redis_source *r, const redisReply *e, es_raw_batch *b, size_t max, GError **error)
{
    const char *id = e->element[0]->str;
    const redisReply *kv = e->element[1];
    const size_t nfields = kv->elements / 2;
    while (r->field_i < nfields && b->n < max) {
        const redisReply *v = kv->element[2 * r->field_i + 1];
        r->field_i++;
        r->lines++;
        if (v->type != REDIS_REPLY_STRING) {
            es_parse_fault f = { "an edge line as the field's value", "", 0 };
            if (!bad_value(r, id, &f, error))
                return FALSE;
            continue;
        }
        es_parsed_edge pe;
        es_parse_fault f;
        es_line_kind kind = es_parse_line_as(&r->fmt, v->str, v->len, &pe, &f);
        if (kind == ES_LINE_EDGE) {
            const size_t i = b->n++;
            b->ids[2 * i] = pe.u;
            b->ids[2 * i + 1] = pe.v;
            if (pe.has_t || b->has_time) {
                if (!b->has_time) {
                    memset(b->time, 0, i * sizeof *b->time);
                    b->has_time = TRUE;
                }
                b->time[i] = pe.has_t ? pe.t : 0;
            }
            if (pe.del || b->has_del) {
                if (!b->has_del) {
                    if (b->del == NULL)
                        b->del = es_big_alloc(b->cap);
                    memset(b->del, 0, i * sizeof *b->del);
                    b->has_del = TRUE;
                }
                b->del[i] = (uint8_t)pe.del;
            }
            if (pe.has_w || b->has_weight) {
                if (!b->has_weight) {
                    if (b->weight == NULL)
                        b->weight = es_big_alloc(b->cap * sizeof *b->weight);
                    memset(b->weight, 0, i * sizeof *b->weight);
                    b->has_weight = TRUE;
                }
                b->weight[i] = pe.has_w ? pe.w : 0;
            }
        } else if ((kind == ES_LINE_BAD || kind == ES_LINE_FATAL) && !bad_value(r, id, &f, error)) {
            return FALSE;
        }
    }
    if (r->field_i == nfields) {
        g_strlcpy(r->last, id, sizeof r->last);
        r->entries++;
        r->field_i = 0;
        r->page_i++;
    }
    return TRUE;
}

static void note_position(redis_source *r, es_raw_batch *b)
{
    b->input = 0;
    b->offset = r->entries;
    b->line = r->field_i;
    g_mutex_lock(&r->lock);
    pos_rec *p = &r->ring[r->ring_next++ % RING];
    p->offset = b->offset;
    p->line = b->line;
    g_strlcpy(p->id, r->last, sizeof p->id);
    g_mutex_unlock(&r->lock);
}

static gboolean rs_next(es_edge_source *s, es_raw_batch *b, size_t max, gboolean *end, GError **error)
{
    redis_source *r = (redis_source *)s;
    b->n = 0;
    b->has_time = b->has_del = b->has_weight = FALSE;
    *end = FALSE;
    if (!connect_once(r, error))
        return FALSE;
    if (!r->follow && !r->have_end) {
        redisReply *reply = redisCommand(r->c, "XREVRANGE %s + - COUNT 1", r->key);
        if (reply == NULL || reply->type != REDIS_REPLY_ARRAY)
            return fail_reply(r, reply, "XREVRANGE", error);
        r->have_end = TRUE;
        r->empty_at_start = reply->elements == 0 || !entry_ok(reply->element[0]);
        if (!r->empty_at_start)
            g_strlcpy(r->end, reply->element[0]->element[0]->str, sizeof r->end);
        freeReplyObject(reply);
    }
    gint64 first_at = 0;
    while (b->n < max) {
        if (es_stop_reason(r->stop)) {
            *end = TRUE;
            break;
        }
        if (r->page == NULL) {
            if (!r->follow && (r->empty_at_start || id_cmp(r->last, r->end) >= 0)) {
                *end = TRUE;
                break;
            }
            int wait_ms = 0;
            if (r->follow) {
                wait_ms = IDLE_MS;
                if (b->n > 0) {
                    gint64 left = r->linger_us - (g_get_monotonic_time() - first_at);
                    wait_ms = left > 0 ? (int)MIN((left + 999) / 1000, IDLE_MS) : 0;
                    if (wait_ms == 0)
                        break;  /* the batch has lingered long enough */
                }
            }
            if (!fetch(r, wait_ms, error))
                return FALSE;
            if (r->page == NULL) {
                if (!r->follow) {
                    *end = TRUE;    /* the entries up to the end were deleted */
                    break;
                }
                if (b->n == 0)
                    break;          /* an idle tick */
                continue;
            }
        }
        const size_t before = b->n;
        if (!take_fields(r, r->page->element[r->page_i], b, max, error))
            return FALSE;
        if (before == 0 && b->n > 0)
            first_at = g_get_monotonic_time();
        if (r->page_i == r->page->elements) {
            freeReplyObject(r->page);
            r->page = NULL;
        }
    }
    note_position(r, b);
    return TRUE;
}

static char *rs_position_text(es_edge_source *s, const es_raw_batch *b)
{
    redis_source *r = (redis_source *)s;
    char *text = NULL;
    g_mutex_lock(&r->lock);
    for (guint i = 0; i < RING && text == NULL; i++) {
        const pos_rec *p = &r->ring[(r->ring_next - 1 - i) % RING];
        if (p->offset == b->offset && p->line == b->line && p->id[0])
            text = g_strdup_printf("%s %" G_GUINT64_FORMAT, p->id, p->line);
    }
    g_mutex_unlock(&r->lock);
    return text ? text : g_strdup_printf("%s %" G_GUINT64_FORMAT, r->last, b->line);
}

static gboolean rs_seek(es_edge_source *s, const es_stream_pos *pos, GError **error)
{
    redis_source *r = (redis_source *)s;
    char id[48];
    guint64 k = 0;
    uint64_t ms, seq;
    if ((pos->consumed == NULL || pos->consumed[0] == 0) && pos->offset == 0 && pos->line == 0)
        return TRUE;   /* no snapshot: from the stream's start */
    if (pos->consumed == NULL || sscanf(pos->consumed, "%47s %" G_GUINT64_FORMAT, id, &k) != 2 ||
        !id_parse(id, &ms, &seq)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's stream position \"%s\" is no Redis entry id",
                    pos->consumed ? pos->consumed : "");
        return FALSE;
    }
    if (!connect_once(r, error))
        return FALSE;
    if (strcmp(id, "0-0") != 0) {
        redisReply *reply = redisCommand(r->c, "XRANGE %s %s %s", r->key, id, id);
        if (reply == NULL || reply->type != REDIS_REPLY_ARRAY)
            return fail_reply(r, reply, "XRANGE", error);
        gboolean there = reply->elements == 1;
        freeReplyObject(reply);
        if (!there) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG,
                        "%s: entry %s, the last one the snapshot consumed, is no longer in the stream (trimmed?): "
                        "the entries after it may be lost, so the run cannot go on exactly once", r->url, id);
            return FALSE;
        }
    }
    g_strlcpy(r->last, id, sizeof r->last);
    r->entries = pos->offset;
    r->skip_fields = k;
    r->field_i = k;
    r->lines = pos->lines;
    r->bad = pos->bad;
    return TRUE;
}

static char *rs_identity(es_edge_source *s, GError **error)
{
    (void)error;
    return g_strdup(((redis_source *)s)->url);
}

static void rs_counts(es_edge_source *s, uint64_t *lines, uint64_t *bad)
{
    redis_source *r = (redis_source *)s;
    *lines = r->lines;
    *bad = r->bad;
}

static void rs_free(es_edge_source *s)
{
    redis_source *r = (redis_source *)s;
    if (r->page)
        freeReplyObject(r->page);
    if (r->c)
        redisFree(r->c);
    g_mutex_clear(&r->lock);
    g_free(r->url);
    g_free(r->host);
    g_free(r->key);
    g_free(r);
}

static const es_edge_source_class redis_class = {
    .kind = "redis",
    .next = rs_next,
    .position_text = rs_position_text,
    .seek = rs_seek,
    .identity = rs_identity,
    .counts = rs_counts,
    .free = rs_free,
};

es_edge_source *es_redis_source_new(const char *url, gboolean follow, uint64_t skip_bad, const es_parse_format *fmt,
                                    gint64 linger_us, es_stop *stop, GError **error)
{
    char *host = NULL, *key = NULL;
    int port = 0;
    if (!es_redis_url_parse(url, &host, &port, &key, error))
        return NULL;
    redis_source *r = g_new0(redis_source, 1);
    r->base.cls = &redis_class;
    r->url = g_strdup(url);
    r->host = host;
    r->port = port;
    r->key = key;
    r->follow = follow;
    r->skip_bad = skip_bad;
    if (fmt)
        r->fmt = *fmt;
    r->linger_us = linger_us;
    r->stop = stop;
    g_strlcpy(r->last, "0-0", sizeof r->last);
    g_mutex_init(&r->lock);
    return &r->base;
}
