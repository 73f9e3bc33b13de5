/* server.c — the network thread, group commit and live queries (see
 * server.h; protocol in docs/serve.md).
 *
 * A client's bytes are split into lines in its own buffer (at most
 * max_line + one read); edges of plain clients go to the WAL as one record
 * per read, a producer group (CLIENT id seq ... up to the next CLIENT,
 * SYNC or query line) as one record when it ends, so a group is logged
 * whole or not at all, and a group whose sequence number the table
 * already holds is dropped.  Queries wait in a queue for the next barrier
 * (es_server_barrier, the operators' thread), whose answers come back to
 * the network thread through g_main_context_invoke.
 */
#include "server/server.h"

#include <errno.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/parse.h"
#include "operators/cc.h"
#include "operators/degree.h"
#include "operators/tri.h"
#include "server/walsource.h"
#include "snapshot/snapshot.h"

#define READ_CHUNK 65536

typedef struct client client;

typedef enum { Q_STATS, Q_COMPONENT, Q_SAME, Q_DEGREE, Q_TRIANGLES, Q_TOPK, Q_SNAPSHOT } query_kind;

typedef struct {
    es_server  *srv;
    client     *c;              /* or NULL (HTTP) */
    SoupServerMessage *msg;     /* or NULL (TCP) */
    query_kind  kind;
    gboolean    has_u;
    uint64_t    u, v;
    char       *answer;
    uint64_t    min_pos;        /* the WAL's end when it came: answered at a barrier at or past it */
} query;

struct client {
    es_server *srv;
    GSocket   *sock;
    GSource   *in_src, *out_src;
    int        refs;
    gboolean   closed;
    char      *buf;
    size_t     len, cap;
    gboolean   discarding;      /* inside an overlong line */
    uint64_t   line_no, bad;
    gboolean   authed;
    char      *id;              /* producer id of the open group, or NULL */
    uint64_t   seq;
    gboolean   dropping;        /* the open group is already logged */
    GArray    *uv, *t, *del;    /* edges not yet logged */
    gboolean   has_t, has_del;
    GString   *out;
    uint64_t   unanswered;      /* queries submitted, not yet delivered */
};

typedef struct {
    client  *c;
    uint64_t target;
} sync_waiter;

struct es_server {
    es_server_config cfg;
    char         *token;
    es_wal       *wal;
    es_edge_source *src;
    GHashTable   *producers;       /* id -> uint64_t* last logged seq (network thread) */
    GMainContext *ctx;
    GMainLoop    *loop;
    GThread      *thread;
    GSocket      *listener;
    GSource      *accept_src;
    guint16       port, http_port;
    SoupServer   *http;
    GList        *clients;
    guint         nclients;
    GByteArray   *enc;
    gboolean      paused;          /* reading stopped: the WAL leads the operators by max_lag */
    GSource      *resume_timer;
    gboolean      stopping;
    gint          stopped;         /* atomic */
    /* group commit */
    GThread      *sync_thread;
    GMutex        sync_lock;
    GCond         sync_cond;
    gboolean      sync_quit;
    uint64_t      durable;         /* atomic */
    GQueue        waiters;         /* sync_waiter*, network thread */
    /* queries */
    GAsyncQueue  *queries;
    GPtrArray    *snapshot_queries;  /* waiting for their snapshot (operators' thread) */
    GPtrArray    *waiting;         /* queries whose edges the operators have not folded yet (same) */
    char         *snap_dir;
    GHashTable   *snap_offsets;    /* snapshot id -> WAL offset (operators' thread) */
    uint64_t      last_snap_id;
    gint64        last_snap_time;  /* atomic */
    /* metrics (atomic) */
    uint64_t      accepted, bad_lines, fsyncs, fsync_us_sum, fsync_us_last, processed;
    uint64_t      rate_prev, rate_x1000;
    gint64        rate_time;
    /* start-up handshake */
    GMutex        start_lock;
    GCond         start_cond;
    gboolean      started;
    GError       *start_error;
};

/* ---- replies -------------------------------------------------------------------------- */

static void client_close(client *c);

static void client_unref(client *c)
{
    if (--c->refs > 0)
        return;
    g_free(c->buf);
    g_free(c->id);
    g_array_free(c->uv, TRUE);
    g_array_free(c->t, TRUE);
    g_array_free(c->del, TRUE);
    g_string_free(c->out, TRUE);
    g_free(c);
}

static gboolean flush_out(client *c)
{
    while (c->out->len > 0) {
        GError *e = NULL;
        gssize k = g_socket_send(c->sock, c->out->str, c->out->len, NULL, &e);
        if (k < 0) {
            gboolean again = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            g_error_free(e);
            return again;
        }
        g_string_erase(c->out, 0, k);
    }
    return TRUE;
}

static gboolean on_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
    (void)sock;
    (void)cond;
    client *c = data;
    if (!flush_out(c)) {
        client_close(c);
        return G_SOURCE_REMOVE;
    }
    if (c->out->len > 0)
        return G_SOURCE_CONTINUE;
    g_source_unref(c->out_src);
    c->out_src = NULL;
    return G_SOURCE_REMOVE;
}

/* Queue a reply line; a client that does not read its replies is closed
 * once they exceed its buffer bound. */
static void client_send(client *c, const char *line)
{
    if (c->closed)
        return;
    g_string_append(c->out, line);
    g_string_append_c(c->out, '\n');
    if (c->out->len > c->srv->cfg.max_buffer) {
        client_close(c);
        return;
    }
    if (c->out_src != NULL)
        return;
    if (!flush_out(c)) {
        client_close(c);
        return;
    }
    if (c->out->len > 0) {
        c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
        g_source_set_callback(c->out_src, (GSourceFunc)(void (*)(void))on_writable, c, NULL);
        g_source_attach(c->out_src, c->srv->ctx);
    }
}

static void client_sendf(client *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void client_sendf(client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    client_send(c, s);
}

/* ---- the WAL side --------------------------------------------------------------------- */

static void answer_syncs(es_server *s)
{
    uint64_t durable = __atomic_load_n(&s->durable, __ATOMIC_ACQUIRE);
    while (!g_queue_is_empty(&s->waiters)) {
        sync_waiter *w = g_queue_peek_head(&s->waiters);
        if (w->target > durable)
            break;
        g_queue_pop_head(&s->waiters);
        client_sendf(w->c, "OK %" PRIu64, w->target);
        client_unref(w->c);
        g_free(w);
    }
}

static gboolean answer_syncs_cb(gpointer data)
{
    answer_syncs(data);
    return G_SOURCE_REMOVE;
}

/* Make the WAL durable (always), or let the sync thread (batch); never: as written. */
static void after_append(es_server *s)
{
    es_wal_source_notify(s->src);
    GError *e = NULL;
    uint64_t d;
    switch (s->cfg.fsync) {
    case ES_FSYNC_ALWAYS: {
        gint64 t0 = g_get_monotonic_time();
        if (!es_wal_sync(s->wal, &d, &e)) {
            fprintf(stderr, "edgestream serve: %s\n", e->message);
            g_error_free(e);
            return;
        }
        uint64_t us = (uint64_t)(g_get_monotonic_time() - t0);
        __atomic_add_fetch(&s->fsyncs, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&s->fsync_us_sum, us, __ATOMIC_RELAXED);
        __atomic_store_n(&s->fsync_us_last, us, __ATOMIC_RELAXED);
        __atomic_store_n(&s->durable, d, __ATOMIC_RELEASE);
        answer_syncs(s);
        break;
    }
    case ES_FSYNC_BATCH:
        g_mutex_lock(&s->sync_lock);
        g_cond_signal(&s->sync_cond);
        g_mutex_unlock(&s->sync_lock);
        break;
    case ES_FSYNC_NEVER:
        __atomic_store_n(&s->durable, es_wal_end(s->wal), __ATOMIC_RELEASE);
        answer_syncs(s);
        break;
    }
}

/* Group commit: fsync whatever was appended meanwhile, once per round;
 * appends during an fsync wait for the next, which covers them all. */
static gpointer sync_thread(gpointer data)
{
    es_server *s = data;
    g_mutex_lock(&s->sync_lock);
    while (!s->sync_quit) {
        if (es_wal_end(s->wal) <= __atomic_load_n(&s->durable, __ATOMIC_ACQUIRE)) {
            g_cond_wait_until(&s->sync_cond, &s->sync_lock, g_get_monotonic_time() + 100000);
            continue;
        }
        g_mutex_unlock(&s->sync_lock);
        GError *e = NULL;
        uint64_t d;
        gint64 t0 = g_get_monotonic_time();
        if (es_wal_sync(s->wal, &d, &e)) {
            uint64_t us = (uint64_t)(g_get_monotonic_time() - t0);
            __atomic_add_fetch(&s->fsyncs, 1, __ATOMIC_RELAXED);
            __atomic_add_fetch(&s->fsync_us_sum, us, __ATOMIC_RELAXED);
            __atomic_store_n(&s->fsync_us_last, us, __ATOMIC_RELAXED);
            __atomic_store_n(&s->durable, d, __ATOMIC_RELEASE);
            g_main_context_invoke(s->ctx, answer_syncs_cb, s);
        } else {
            fprintf(stderr, "edgestream serve: %s\n", e->message);
            g_error_free(e);
            g_usleep(10000);
        }
        g_mutex_lock(&s->sync_lock);
    }
    g_mutex_unlock(&s->sync_lock);
    return NULL;
}

static void pause_reading(es_server *s);

/* Log the client's pending edges as one record. */
static gboolean client_log(client *c)
{
    es_server *s = c->srv;
    /* Checked again here, as the record is written: another connection of
     * the same producer (a reconnect beside a half-open one) may have
     * logged this seq since the CLIENT line. */
    uint64_t *logged = c->id ? g_hash_table_lookup(s->producers, c->id) : NULL;
    if (logged && c->seq <= *logged)
        c->dropping = TRUE;
    if (c->uv->len == 0 || c->dropping) {
        g_array_set_size(c->uv, 0);
        g_array_set_size(c->t, 0);
        g_array_set_size(c->del, 0);
        c->has_t = c->has_del = FALSE;
        return TRUE;
    }
    uint32_t n = c->uv->len / 2;
    es_wal_encode(s->enc, c->id ? c->id : "", c->id ? (guint)strlen(c->id) : 0, c->seq, n,
                  (const uint64_t *)c->uv->data, c->has_t ? (const int64_t *)c->t->data : NULL,
                  c->has_del ? (const uint8_t *)c->del->data : NULL);
    uint64_t end;
    GError *e = NULL;
    if (!es_wal_append(s->wal, s->enc->data, s->enc->len, &end, &e)) {
        fprintf(stderr, "edgestream serve: %s\n", e->message);
        client_sendf(c, "ERR cannot log edges: %s", e->message);
        g_error_free(e);
        return FALSE;
    }
    if (c->id) {
        uint64_t *last = g_hash_table_lookup(s->producers, c->id);
        if (last == NULL) {
            last = g_new(uint64_t, 1);
            g_hash_table_insert(s->producers, g_strdup(c->id), last);
        }
        *last = c->seq;
    }
    __atomic_add_fetch(&s->accepted, n, __ATOMIC_RELAXED);
    g_array_set_size(c->uv, 0);
    g_array_set_size(c->t, 0);
    g_array_set_size(c->del, 0);
    c->has_t = c->has_del = FALSE;
    if (es_wal_end(s->wal) - es_wal_source_read_pos(s->src) > s->cfg.max_lag)
        pause_reading(s);
    return TRUE;
}

/* ---- back-pressure -------------------------------------------------------------------- */

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer data);

static void watch_client(client *c)
{
    c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(c->in_src, (GSourceFunc)(void (*)(void))on_readable, c, NULL);
    g_source_attach(c->in_src, c->srv->ctx);
}

static gboolean maybe_resume(gpointer data)
{
    es_server *s = data;
    if (es_wal_end(s->wal) - es_wal_source_read_pos(s->src) > s->cfg.max_lag / 2 && !s->stopping)
        return G_SOURCE_CONTINUE;
    s->paused = FALSE;
    g_source_unref(s->resume_timer);
    s->resume_timer = NULL;
    for (GList *l = s->clients; l; l = l->next) {
        client *c = l->data;
        if (c->in_src == NULL && !c->closed)
            watch_client(c);
    }
    return G_SOURCE_REMOVE;
}

/* Stop reading every socket until the operators have caught up to half
 * the lag: the kernel's buffers fill and TCP flow control stops senders. */
static void pause_reading(es_server *s)
{
    if (s->paused)
        return;
    s->paused = TRUE;
    for (GList *l = s->clients; l; l = l->next) {
        client *c = l->data;
        if (c->in_src) {
            g_source_destroy(c->in_src);
            g_source_unref(c->in_src);
            c->in_src = NULL;
        }
    }
    s->resume_timer = g_timeout_source_new(2);
    g_source_set_callback(s->resume_timer, maybe_resume, s, NULL);
    g_source_attach(s->resume_timer, s->ctx);
}

/* ---- lines ---------------------------------------------------------------------------- */

/* Constant-time comparison: the time taken does not depend on where the
 * first difference is, nor on the length of the secret beyond its own. */
static gboolean same_token(const char *given, size_t n, const char *token)
{
    size_t m = strlen(token);
    unsigned char diff = n != m;
    for (size_t i = 0; i < m; i++)
        diff |= (unsigned char)token[i] ^ (unsigned char)(i < n ? given[i] : 0);
    return diff == 0;
}

/* Answer size counted per query still waiting: pending queries are replies
 * in the making, held to the same bound as unread ones. */
#define PENDING_QUERY_BYTES 64

static void submit_query(client *c, query_kind kind, gboolean has_u, uint64_t u, uint64_t v)
{
    if ((c->unanswered + 1) * PENDING_QUERY_BYTES + c->out->len > c->srv->cfg.max_buffer) {
        client_sendf(c, "ERR %" PRIu64 ": more than %zu bytes of unanswered queries and unread replies: closing",
                     c->line_no, c->srv->cfg.max_buffer);
        client_close(c);
        return;
    }
    c->unanswered++;
    query *q = g_new0(query, 1);
    q->srv = c->srv;
    q->c = c;
    c->refs++;
    q->kind = kind;
    q->has_u = has_u;
    q->u = u;
    q->v = v;
    q->min_pos = es_wal_end(c->srv->wal);
    g_async_queue_push(c->srv->queries, q);
    es_wal_source_flush(c->srv->src);
}

static gboolean parse_u64(const char *s, uint64_t *x)
{
    char *end = NULL;
    if (s == NULL || !g_ascii_isdigit(*s))
        return FALSE;
    errno = 0;
    *x = g_ascii_strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static void bad_line(client *c, const char *why)
{
    es_server *s = c->srv;
    c->bad++;
    __atomic_add_fetch(&s->bad_lines, 1, __ATOMIC_RELAXED);
    client_sendf(c, "ERR %" PRIu64 ": %s", c->line_no, why);
    if (s->cfg.max_bad && c->bad >= s->cfg.max_bad) {
        client_sendf(c, "ERR %" PRIu64 " bad lines: closing", c->bad);
        client_close(c);
    }
}

/* A command line (it starts with a letter); FALSE when it is not one. */
static gboolean command(client *c, char *line)
{
    g_auto(GStrv) w = g_strsplit_set(line, " \t", -1);
    guint n = 0;
    char *words[4] = { 0 };
    for (guint i = 0; w[i]; i++)
        if (w[i][0] != '\0' && n < 4)
            words[n++] = w[i];
    if (n > 3)
        n = 4;
    const char *cmd = words[0];
    uint64_t u = 0, v = 0;
    if (strcmp(cmd, "CLIENT") == 0) {
        if (!client_log(c))
            return TRUE;
        if (n != 3 || strlen(words[1]) > ES_WAL_MAX_ID || !parse_u64(words[2], &u)) {
            bad_line(c, "expected CLIENT <id> <seq> (id of at most 255 bytes, seq a number)");
            return TRUE;
        }
        g_free(c->id);
        c->id = g_strdup(words[1]);
        c->seq = u;
        uint64_t *last = g_hash_table_lookup(c->srv->producers, c->id);
        c->dropping = last != NULL && u <= *last;
        return TRUE;
    }
    if (strcmp(cmd, "SYNC") == 0 && n == 1) {
        if (!client_log(c))
            return TRUE;
        g_clear_pointer(&c->id, g_free);
        c->dropping = FALSE;
        sync_waiter *wt = g_new(sync_waiter, 1);
        wt->c = c;
        c->refs++;
        wt->target = es_wal_end(c->srv->wal);
        g_queue_push_tail(&c->srv->waiters, wt);
        if (c->srv->cfg.fsync == ES_FSYNC_NEVER)
            __atomic_store_n(&c->srv->durable, wt->target, __ATOMIC_RELEASE);
        answer_syncs(c->srv);
        return TRUE;
    }
    static const struct { const char *name; query_kind kind; guint args_min, args_max; } qs[] = {
        { "STATS", Q_STATS, 0, 0 }, { "COMPONENT", Q_COMPONENT, 1, 1 }, { "SAME", Q_SAME, 2, 2 },
        { "DEGREE", Q_DEGREE, 1, 1 }, { "TRIANGLES", Q_TRIANGLES, 0, 1 }, { "TOPK", Q_TOPK, 0, 0 },
        { "SNAPSHOT", Q_SNAPSHOT, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
        if (strcmp(cmd, qs[i].name) != 0)
            continue;
        guint args = n - 1;
        if (args < qs[i].args_min || args > qs[i].args_max || (args >= 1 && !parse_u64(words[1], &u)) ||
            (args >= 2 && !parse_u64(words[2], &v))) {
            bad_line(c, qs[i].args_max == 0 ? "expected no argument" : "expected vertex ids (unsigned integers)");
            return TRUE;
        }
        if (!client_log(c))
            return TRUE;
        submit_query(c, qs[i].kind, args >= 1, u, v);
        return TRUE;
    }
    return FALSE;
}

static void handle_line(client *c, char *line, size_t len)
{
    es_server *s = c->srv;
    c->line_no++;
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (s->token && !c->authed) {
        if (len > 5 && strncmp(line, "AUTH ", 5) == 0 && same_token(line + 5, len - 5, s->token)) {
            c->authed = TRUE;
            client_send(c, "OK");
        } else {
            client_send(c, "ERR authentication required: the first line must be AUTH <token>");
            client_close(c);
        }
        return;
    }
    if (len > 0 && g_ascii_isalpha(line[0])) {
        if (command(c, line))
            return;
    }
    es_parsed_edge e;
    es_parse_fault f;
    es_line_kind kind = es_parse_line(line, len, &e, &f);
    if (kind == ES_LINE_BAD) {
        g_autofree char *msg = es_parse_fault_message(&f);
        bad_line(c, msg);
        return;
    }
    if (kind != ES_LINE_EDGE)
        return;
    if (e.has_w) {   /* the WAL's records hold u v [t] [+|-] */
        bad_line(c, "expected an edge `u v [t] [+|-]` (serve takes no weights)");
        return;
    }
    if (e.del && s->cfg.insertions_only) {   /* logged, it would stop the stream at every resume */
        g_autofree char *why = g_strdup_printf("expected an insertion (operator %s handles insertions only)",
                                               s->cfg.insertions_only);
        bad_line(c, why);
        return;
    }
    if (c->dropping)
        return;
    uint64_t uv[2] = { e.u, e.v };
    g_array_append_vals(c->uv, uv, 2);
    if (e.has_t || c->has_t) {
        if (!c->has_t) {
            g_array_set_size(c->t, c->uv->len / 2 - 1);
            memset(c->t->data, 0, c->t->len * sizeof(int64_t));
            c->has_t = TRUE;
        }
        int64_t t = e.has_t ? e.t : 0;
        g_array_append_val(c->t, t);
    }
    if (e.del || c->has_del) {
        if (!c->has_del) {
            g_array_set_size(c->del, c->uv->len / 2 - 1);
            memset(c->del->data, 0, c->del->len);
            c->has_del = TRUE;
        }
        uint8_t d = (uint8_t)e.del;
        g_array_append_val(c->del, d);
    }
    if (c->uv->len * sizeof(uint64_t) > s->cfg.max_buffer) {
        if (c->id) {
            client_sendf(c, "ERR %" PRIu64 ": a group of more than %zu bytes: closing", c->line_no, s->cfg.max_buffer);
            client_close(c);
        } else {
            client_log(c);
        }
    }
}

static void client_close(client *c)
{
    if (c->closed)
        return;
    es_server *s = c->srv;
    c->closed = TRUE;
    /* Plain edges of whole lines are kept; an unfinished group is not
     * (its producer was never told it is logged, and will resend it). */
    if (c->id == NULL)
        client_log(c);
    if (c->in_src) {
        g_source_destroy(c->in_src);
        g_source_unref(c->in_src);
        c->in_src = NULL;
    }
    if (c->out_src) {
        g_source_destroy(c->out_src);
        g_source_unref(c->out_src);
        c->out_src = NULL;
    }
    if (c->out->len > 0)
        flush_out(c);
    g_socket_close(c->sock, NULL);
    g_object_unref(c->sock);
    s->clients = g_list_remove(s->clients, c);
    s->nclients--;
    client_unref(c);
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    (void)cond;
    client *c = data;
    es_server *s = c->srv;
    GError *e = NULL;
    gssize got = g_socket_receive(sock, c->buf + c->len, c->cap - c->len, NULL, &e);
    if (got < 0 && g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_error_free(e);
        return G_SOURCE_CONTINUE;
    }
    g_clear_error(&e);
    if (got <= 0) {   /* closed (a partial last line is lost) or failed */
        c->refs++;
        client_close(c);
        client_unref(c);
        return G_SOURCE_REMOVE;
    }
    c->len += (size_t)got;
    c->refs++;   /* a line may close it */
    size_t start = 0;
    while (!c->closed) {
        char *nl = memchr(c->buf + start, '\n', c->len - start);
        if (nl == NULL)
            break;
        size_t len = (size_t)(nl - (c->buf + start));
        *nl = '\0';
        if (c->discarding)
            c->discarding = FALSE;
        else if (len > s->cfg.max_line) {
            c->line_no++;
            g_autofree char *why = g_strdup_printf("expected a line of at most %zu bytes", s->cfg.max_line);
            bad_line(c, why);
        } else
            handle_line(c, c->buf + start, len);
        start += len + 1;
    }
    if (!c->closed) {
        memmove(c->buf, c->buf + start, c->len - start);
        c->len -= start;
        if (c->len > s->cfg.max_line) {   /* an overlong line: drop it up to its newline */
            if (!c->discarding) {
                c->line_no++;
                g_autofree char *why = g_strdup_printf("expected a line of at most %zu bytes", s->cfg.max_line);
                bad_line(c, why);
            }
            c->discarding = TRUE;
            c->len = 0;
        }
        if (!c->closed && c->id == NULL)
            client_log(c);
    }
    if (__atomic_load_n(&s->durable, __ATOMIC_RELAXED) < es_wal_end(s->wal))
        after_append(s);
    gboolean keep = !c->closed && c->in_src != NULL;
    client_unref(c);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean on_accept(GSocket *sock, GIOCondition cond, gpointer data)
{
    (void)cond;
    es_server *s = data;
    for (;;) {
        GError *e = NULL;
        GSocket *cs = g_socket_accept(sock, NULL, &e);
        if (cs == NULL) {
            g_error_free(e);
            break;
        }
        g_socket_set_blocking(cs, FALSE);
        if (s->stopping || s->nclients >= s->cfg.max_clients) {
            char msg[96];
            int n = snprintf(msg, sizeof msg, "ERR too many clients (at most %u)\n", s->cfg.max_clients);
            g_socket_send(cs, msg, (gsize)n, NULL, NULL);
            g_socket_close(cs, NULL);
            g_object_unref(cs);
            continue;
        }
        client *c = g_new0(client, 1);
        c->srv = s;
        c->sock = cs;
        c->refs = 1;
        c->cap = s->cfg.max_line + 2 + READ_CHUNK;
        c->buf = g_malloc(c->cap);
        c->uv = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        c->t = g_array_new(FALSE, FALSE, sizeof(int64_t));
        c->del = g_array_new(FALSE, FALSE, sizeof(uint8_t));
        c->out = g_string_new(NULL);
        s->clients = g_list_prepend(s->clients, c);
        s->nclients++;
        if (!s->paused)
            watch_client(c);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- queries -------------------------------------------------------------------------- */

static es_operator *find_op(GPtrArray *ops, const char *name)
{
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (strcmp(op->name, name) == 0)
            return op;
    }
    return NULL;
}

/* The dense id of external v, if the folded batches named it. */
static gboolean dense_of(const es_barrier *b, uint64_t v, uint32_t *d)
{
    return es_idmap_lookup(b->idmap, v, d) && *d < b->stats->vertices;
}

static char *report_json(es_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    es_report_print(r, ES_FORMAT_JSON, f);
    fclose(f);
    g_strchomp(buf);
    return buf;
}

static char *answer(const es_barrier *b, query *q)
{
    uint64_t pos = b->pos->offset, edges = b->stats->edges;
    GString *s = g_string_new(NULL);
    g_string_printf(s, "{\"position\":%" PRIu64 ",\"edges\":%" PRIu64 ",", pos, edges);
    uint32_t du = 0, dv = 0;
    es_operator *op = NULL;
    switch (q->kind) {
    case Q_STATS: {
        es_report *r = es_report_new();
        es_driver_collect(b->ops, b->stats, FALSE, r);
        char *j = report_json(r);
        es_report_free(r);
        /* the report's own object, beside the server's counts */
        g_string_append_printf(s, "\"bad_lines\":%" PRIu64 ",\"accepted\":%" PRIu64 ",\"stats\":",
                               __atomic_load_n(&q->srv->bad_lines, __ATOMIC_RELAXED),
                               __atomic_load_n(&q->srv->accepted, __ATOMIC_RELAXED));
        g_string_append(s, j);
        free(j);
        break;
    }
    case Q_COMPONENT:
    case Q_SAME:
        if ((op = find_op(b->ops, "cc")) == NULL) {
            g_string_append(s, "\"error\":\"this server runs no cc operator\"");
            break;
        }
        if (q->kind == Q_COMPONENT) {
            if (dense_of(b, q->u, &du))
                g_string_append_printf(s, "\"vertex\":%" PRIu64 ",\"component\":%" PRIu64, q->u,
                                       es_idmap_external(b->idmap, es_cc_component_of(op, du)));
            else
                g_string_append_printf(s, "\"vertex\":%" PRIu64 ",\"component\":null", q->u);
        } else {
            gboolean same = q->u == q->v ||
                            (dense_of(b, q->u, &du) && dense_of(b, q->v, &dv) &&
                             es_cc_component_of(op, du) == es_cc_component_of(op, dv));
            g_string_append_printf(s, "\"u\":%" PRIu64 ",\"v\":%" PRIu64 ",\"same\":%s", q->u, q->v,
                                   same ? "true" : "false");
        }
        break;
    case Q_DEGREE:
        if ((op = find_op(b->ops, "degree")) == NULL) {
            g_string_append(s, "\"error\":\"this server runs no degree operator\"");
            break;
        }
        g_string_append_printf(s, "\"vertex\":%" PRIu64 ",\"degree\":%u", q->u,
                               dense_of(b, q->u, &du) ? es_degree_of(op, du) : 0);
        break;
    case Q_TRIANGLES:
        if ((op = find_op(b->ops, "tri")) == NULL) {
            g_string_append(s, "\"error\":\"this server runs no tri operator\"");
            break;
        }
        if (q->has_u)
            g_string_append_printf(s, "\"vertex\":%" PRIu64 ",\"triangles\":%" PRIu64, q->u,
                                   dense_of(b, q->u, &du) ? es_tri_local(op, du) : 0);
        else
            g_string_append_printf(s, "\"triangles\":%" PRIu64, es_tri_triangles(op));
        break;
    case Q_TOPK: {
        if ((op = find_op(b->ops, "topk")) == NULL) {
            g_string_append(s, "\"error\":\"this server runs no topk operator\"");
            break;
        }
        /* The operator's own answers (top, guaranteed, ...), beside the
         * position, named as in its section of --format json. */
        es_report *r = es_report_new();
        es_operator_report(op, r);
        for (guint i = 0; i < r->entries->len; i++) {
            const es_report_entry *e = &g_array_index(r->entries, es_report_entry, i);
            g_string_append_printf(s, "%s\"%s\":", i ? "," : "", e->metric);
            es_report_value_append(s, e, ES_FORMAT_JSON);
        }
        es_report_free(r);
        break;
    }
    case Q_SNAPSHOT:
        if (b->snapshot_id == 0 || b->snapshot_offset != b->pos->offset) {
            g_string_append(s, "\"error\":\"no snapshot could be taken (is --snapshot-dir given?)\"");
        } else {
            g_autofree char *path = es_snapshot_path(q->srv->snap_dir, b->snapshot_id);
            g_autofree char *quoted = g_strescape(path, NULL);
            if (g_file_test(path, G_FILE_TEST_EXISTS))
                g_string_append_printf(s, "\"snapshot\":\"%s\"", quoted);
            else   /* it failed (said on stderr) */
                g_string_append_printf(s, "\"error\":\"the snapshot %s could not be written\"", quoted);
        }
        break;
    }
    g_string_append_c(s, '}');
    return g_string_free(s, FALSE);
}

static gboolean deliver(gpointer data)
{
    query *q = data;
    if (q->c) {
        q->c->unanswered--;
        client_send(q->c, q->answer);
        client_unref(q->c);
    } else {
        soup_server_message_set_status(q->msg, 200, NULL);
        soup_server_message_set_response(q->msg, "application/json", SOUP_MEMORY_COPY, q->answer, strlen(q->answer));
        soup_server_message_unpause(q->msg);
        g_object_unref(q->msg);
    }
    g_free(q->answer);
    g_free(q);
    return G_SOURCE_REMOVE;
}

/* Forget WAL segments no kept snapshot needs: those before the oldest
 * kept snapshot's position (when every kept snapshot's position is known). */
static void trim_wal(es_server *s)
{
    if (s->snap_dir == NULL)
        return;
    GPtrArray *list = es_snapshot_list(s->snap_dir);
    uint64_t low = UINT64_MAX;
    gboolean known = list->len > 0;
    for (guint i = 0; i < list->len && known; i++) {
        const char *base = strrchr(g_ptr_array_index(list, i), '/');
        uint64_t id = 0;
        if (base == NULL || sscanf(base, "/snap-%" SCNu64 ".h5", &id) != 1)
            continue;
        uint64_t *off = g_hash_table_lookup(s->snap_offsets, &id);
        if (off == NULL)
            known = FALSE;
        else
            low = MIN(low, *off);
    }
    g_ptr_array_free(list, TRUE);
    if (known && low != UINT64_MAX)
        es_wal_remove_before(s->wal, low);
}

void es_server_barrier(es_barrier *b, void *user)
{
    es_server *s = user;
    __atomic_store_n(&s->processed, b->stats->edges, __ATOMIC_RELAXED);
    if (b->snapshot_id != s->last_snap_id) {
        s->last_snap_id = b->snapshot_id;
        uint64_t *k = g_new(uint64_t, 1), *v = g_new(uint64_t, 1);
        *k = b->snapshot_id;
        *v = b->snapshot_offset;
        g_hash_table_insert(s->snap_offsets, k, v);
        __atomic_store_n(&s->last_snap_time, g_get_real_time(), __ATOMIC_RELAXED);
        trim_wal(s);
    }
    if (b->snapshot_answer) {
        for (guint i = 0; i < s->snapshot_queries->len; i++) {
            query *q = g_ptr_array_index(s->snapshot_queries, i);
            q->answer = answer(b, q);
            g_main_context_invoke(s->ctx, deliver, q);
        }
        g_ptr_array_set_size(s->snapshot_queries, 0);
        return;
    }
    query *q;
    while ((q = g_async_queue_try_pop(s->queries)) != NULL)
        g_ptr_array_add(s->waiting, q);
    /* Read-your-writes: a query waits until the operators have folded
     * every edge logged before it came (a batch may end inside a record:
     * its position then is that record's start, still before). */
    guint kept = 0;
    for (guint i = 0; i < s->waiting->len; i++) {
        q = g_ptr_array_index(s->waiting, i);
        if (b->pos->offset < q->min_pos || (b->pos->offset == q->min_pos && b->pos->line > 0)) {
            g_ptr_array_index(s->waiting, kept++) = q;
            continue;
        }
        if (q->kind == Q_SNAPSHOT && s->snap_dir) {
            b->snapshot_now = TRUE;
            g_ptr_array_add(s->snapshot_queries, q);
            continue;
        }
        q->answer = answer(b, q);
        g_main_context_invoke(s->ctx, deliver, q);
    }
    g_ptr_array_set_size(s->waiting, kept);
}

/* ---- HTTP ----------------------------------------------------------------------------- */

static void metrics(es_server *s, GString *m)
{
#define METRIC(name, type, help, fmt, value) \
    g_string_append_printf(m, "# HELP " name " " help "\n# TYPE " name " " type "\n" name " " fmt "\n", value)
    METRIC("edgestream_edges_accepted_total", "counter", "Edges appended to the WAL.", "%" PRIu64,
           __atomic_load_n(&s->accepted, __ATOMIC_RELAXED));
    METRIC("edgestream_edges_processed_total", "counter", "Edges every operator has folded (stream index).", "%" PRIu64,
           __atomic_load_n(&s->processed, __ATOMIC_RELAXED));
    METRIC("edgestream_edges_per_second", "gauge", "Edges accepted per second over the last second.", "%.1f",
           (double)__atomic_load_n(&s->rate_x1000, __ATOMIC_RELAXED) / 1000.0);
    METRIC("edgestream_clients", "gauge", "Connected TCP clients.", "%u", s->nclients);
    METRIC("edgestream_wal_bytes", "gauge", "Bytes in the WAL's segments on disk.", "%" PRIu64, es_wal_bytes(s->wal));
    METRIC("edgestream_wal_lag_bytes", "gauge", "WAL bytes not yet read by the operators.", "%" PRIu64,
           es_wal_end(s->wal) - es_wal_source_read_pos(s->src));
    uint64_t n = __atomic_load_n(&s->fsyncs, __ATOMIC_RELAXED);
    METRIC("edgestream_fsync_total", "counter", "WAL fsyncs.", "%" PRIu64, n);
    METRIC("edgestream_fsync_seconds_sum", "counter", "Time spent in WAL fsyncs.", "%.6f",
           (double)__atomic_load_n(&s->fsync_us_sum, __ATOMIC_RELAXED) / 1e6);
    METRIC("edgestream_fsync_seconds_last", "gauge", "Duration of the last WAL fsync.", "%.6f",
           (double)__atomic_load_n(&s->fsync_us_last, __ATOMIC_RELAXED) / 1e6);
    gint64 t = __atomic_load_n(&s->last_snap_time, __ATOMIC_RELAXED);
    METRIC("edgestream_snapshot_age_seconds", "gauge", "Seconds since the last snapshot (-1: none).", "%.3f",
           t ? (double)(g_get_real_time() - t) / 1e6 : -1.0);
    METRIC("edgestream_bad_lines_total", "counter", "Malformed lines refused.", "%" PRIu64,
           __atomic_load_n(&s->bad_lines, __ATOMIC_RELAXED));
#undef METRIC
}

static gboolean sample_rate(gpointer data)
{
    es_server *s = data;
    gint64 now = g_get_monotonic_time();
    uint64_t a = __atomic_load_n(&s->accepted, __ATOMIC_RELAXED);
    if (s->rate_time)
        __atomic_store_n(&s->rate_x1000, (a - s->rate_prev) * 1000000000ull / (uint64_t)MAX(now - s->rate_time, 1),
                         __ATOMIC_RELAXED);
    s->rate_prev = a;
    s->rate_time = now;
    return G_SOURCE_CONTINUE;
}

static void on_http(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *qry, gpointer data)
{
    (void)server;
    (void)qry;
    es_server *s = data;
    if (strcmp(soup_server_message_get_method(msg), "GET") != 0) {
        soup_server_message_set_status(msg, 405, NULL);
        return;
    }
    if (strcmp(path, "/metrics") == 0) {
        GString *m = g_string_new(NULL);
        metrics(s, m);
        soup_server_message_set_status(msg, 200, NULL);
        soup_server_message_set_response(msg, "text/plain; version=0.0.4", SOUP_MEMORY_TAKE, m->str, m->len);
        g_string_free(m, FALSE);
        return;
    }
    g_auto(GStrv) parts = g_strsplit(path + 1, "/", -1);
    guint n = g_strv_length(parts);
    static const struct { const char *name; query_kind kind; guint args_min, args_max; } routes[] = {
        { "stats", Q_STATS, 0, 0 }, { "component", Q_COMPONENT, 1, 1 }, { "same", Q_SAME, 2, 2 },
        { "degree", Q_DEGREE, 1, 1 }, { "triangles", Q_TRIANGLES, 0, 1 }, { "topk", Q_TOPK, 0, 0 },
    };
    for (size_t i = 0; n > 0 && i < G_N_ELEMENTS(routes); i++) {
        if (strcmp(parts[0], routes[i].name) != 0)
            continue;
        uint64_t u = 0, v = 0;
        guint args = n - 1;
        if (args < routes[i].args_min || args > routes[i].args_max || (args >= 1 && !parse_u64(parts[1], &u)) ||
            (args >= 2 && !parse_u64(parts[2], &v))) {
            soup_server_message_set_status(msg, 400, NULL);
            const char *body = "{\"error\":\"expected vertex ids (unsigned integers) in the path\"}";
            soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_STATIC, body, strlen(body));
            return;
        }
        query *q = g_new0(query, 1);
        q->srv = s;
        q->msg = g_object_ref(msg);
        q->kind = routes[i].kind;
        q->has_u = args >= 1;
        q->u = u;
        q->v = v;
        q->min_pos = es_wal_end(s->wal);
        soup_server_message_pause(msg);
        g_async_queue_push(s->queries, q);
        es_wal_source_flush(s->src);
        return;
    }
    soup_server_message_set_status(msg, 404, NULL);
}

/* ---- start and stop ------------------------------------------------------------------- */

/* "HOST:PORT" or "[V6]:PORT" into an address; "localhost" is 127.0.0.1. */
static GInetSocketAddress *parse_address(const char *text, GError **error)
{
    g_autofree char *host = NULL;
    const char *colon;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            goto bad;
        host = g_strndup(text + 1, (gsize)(close - text - 1));
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL)
            goto bad;
        host = g_strndup(text, (gsize)(colon - text));
    }
    uint64_t port;
    if (!parse_u64(colon + 1, &port) || port > 65535)
        goto bad;
    GInetAddress *a = strcmp(host, "localhost") == 0 ? g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4)
                                                     : g_inet_address_new_from_string(host);
    if (a == NULL)
        goto bad;
    GInetSocketAddress *sa = G_INET_SOCKET_ADDRESS(g_inet_socket_address_new(a, (guint16)port));
    g_object_unref(a);
    return sa;
bad:
    g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "expected an address such as 127.0.0.1:7000 or [::1]:7000, got \"%s\"",
                text);
    return NULL;
}

static gboolean refuse_exposed(const es_server_config *cfg, GInetSocketAddress *sa, const char *text, GError **error)
{
    if (g_inet_address_get_is_loopback(g_inet_socket_address_get_address(sa)) || cfg->token || cfg->insecure)
        return FALSE;
    g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                "%s is not a loopback address: give --token FILE (clients must AUTH), or --insecure to serve it "
                "without authentication", text);
    return TRUE;
}

static gboolean on_signal(gpointer data)
{
    es_server *s = data;
    if (s->stopping)
        return G_SOURCE_CONTINUE;
    s->stopping = TRUE;
    fprintf(stderr, "edgestream serve: stopping: no new clients; finishing the stream and taking a final snapshot\n");
    if (s->accept_src) {
        g_source_destroy(s->accept_src);
        g_clear_pointer(&s->accept_src, g_source_unref);
    }
    g_socket_close(s->listener, NULL);
    while (s->clients)
        client_close(s->clients->data);
    g_atomic_int_set(&s->stopped, 1);
    es_wal_source_stop(s->src);
    return G_SOURCE_CONTINUE;
}

static gboolean start_in_thread(es_server *s, GError **error)
{
    g_autoptr(GInetSocketAddress) sa = parse_address(s->cfg.listen, error);
    if (sa == NULL || refuse_exposed(&s->cfg, sa, s->cfg.listen, error))
        return FALSE;
    GSocketFamily fam = g_socket_address_get_family(G_SOCKET_ADDRESS(sa));
    s->listener = g_socket_new(fam, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
    if (s->listener == NULL)
        return FALSE;
    g_socket_set_blocking(s->listener, FALSE);
    g_socket_set_listen_backlog(s->listener, 1024);
    if (!g_socket_bind(s->listener, G_SOCKET_ADDRESS(sa), TRUE, error) || !g_socket_listen(s->listener, error)) {
        g_prefix_error(error, "cannot listen on %s: ", s->cfg.listen);
        return FALSE;
    }
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s->listener, error);
    if (bound == NULL)
        return FALSE;
    s->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    s->accept_src = g_socket_create_source(s->listener, G_IO_IN, NULL);
    g_source_set_callback(s->accept_src, (GSourceFunc)(void (*)(void))on_accept, s, NULL);
    g_source_attach(s->accept_src, s->ctx);
    if (s->cfg.http) {
        g_autoptr(GInetSocketAddress) ha = parse_address(s->cfg.http, error);
        if (ha == NULL || refuse_exposed(&s->cfg, ha, s->cfg.http, error))
            return FALSE;
        /* Our own listening socket: its port is known without asking
         * libsoup for URIs (which leaks an address in libsoup 3.2). */
        g_autoptr(GSocket) hs = g_socket_new(g_socket_address_get_family(G_SOCKET_ADDRESS(ha)), G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, error);
        if (hs == NULL || !g_socket_bind(hs, G_SOCKET_ADDRESS(ha), TRUE, error) || !g_socket_listen(hs, error)) {
            g_prefix_error(error, "cannot serve HTTP on %s: ", s->cfg.http);
            return FALSE;
        }
        g_autoptr(GSocketAddress) hb = g_socket_get_local_address(hs, error);
        if (hb == NULL)
            return FALSE;
        s->http_port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(hb));
        s->http = soup_server_new("server-header", "edgestream", NULL);
        soup_server_add_handler(s->http, NULL, on_http, s, NULL);
        if (!soup_server_listen_socket(s->http, hs, 0, error)) {
            g_prefix_error(error, "cannot serve HTTP on %s: ", s->cfg.http);
            return FALSE;
        }
    }
    GSource *sig = g_unix_signal_source_new(SIGTERM);
    g_source_set_callback(sig, on_signal, s, NULL);
    g_source_attach(sig, s->ctx);
    g_source_unref(sig);
    sig = g_unix_signal_source_new(SIGINT);
    g_source_set_callback(sig, on_signal, s, NULL);
    g_source_attach(sig, s->ctx);
    g_source_unref(sig);
    GSource *rate = g_timeout_source_new(1000);
    g_source_set_callback(rate, sample_rate, s, NULL);
    g_source_attach(rate, s->ctx);
    g_source_unref(rate);
    return TRUE;
}

static gpointer network_thread(gpointer data)
{
    es_server *s = data;
    g_main_context_push_thread_default(s->ctx);
    GError *e = NULL;
    gboolean ok = start_in_thread(s, &e);
    g_mutex_lock(&s->start_lock);
    s->start_error = e;
    s->started = TRUE;
    g_cond_signal(&s->start_cond);
    g_mutex_unlock(&s->start_lock);
    if (ok)
        g_main_loop_run(s->loop);
    /* Stopped: close what is left, in this thread (libsoup's and the sources'). */
    while (s->clients)
        client_close(s->clients->data);
    if (s->http) {
        soup_server_disconnect(s->http);
        while (g_main_context_iteration(s->ctx, FALSE))
            ;
        g_clear_object(&s->http);
    }
    if (s->accept_src) {
        g_source_destroy(s->accept_src);
        g_clear_pointer(&s->accept_src, g_source_unref);
    }
    if (s->resume_timer) {
        g_source_destroy(s->resume_timer);
        g_clear_pointer(&s->resume_timer, g_source_unref);
    }
    g_clear_object(&s->listener);
    /* Answers still queued for this context run now, then are dropped. */
    while (g_main_context_iteration(s->ctx, FALSE))
        ;
    g_main_context_pop_thread_default(s->ctx);
    return NULL;
}

es_server *es_server_new(const es_server_config *cfg, es_wal *wal, es_edge_source *src, GHashTable *producers,
                         GError **error)
{
    es_server *s = g_new0(es_server, 1);
    s->cfg = *cfg;
    s->token = cfg->token ? g_strdup(cfg->token) : NULL;
    s->cfg.token = s->token;
    s->cfg.insertions_only = cfg->insertions_only ? g_intern_string(cfg->insertions_only) : NULL;
    s->wal = wal;
    s->src = src;
    s->producers = producers;
    s->ctx = g_main_context_new();
    s->loop = g_main_loop_new(s->ctx, FALSE);
    s->enc = g_byte_array_new();
    s->queries = g_async_queue_new();
    s->snapshot_queries = g_ptr_array_new();
    s->waiting = g_ptr_array_new();
    s->snap_offsets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    s->durable = es_wal_end(wal);
    g_queue_init(&s->waiters);
    g_mutex_init(&s->sync_lock);
    g_cond_init(&s->sync_cond);
    g_mutex_init(&s->start_lock);
    g_cond_init(&s->start_cond);
    s->thread = g_thread_new("es-network", network_thread, s);
    g_mutex_lock(&s->start_lock);
    while (!s->started)
        g_cond_wait(&s->start_cond, &s->start_lock);
    g_mutex_unlock(&s->start_lock);
    if (s->start_error) {
        g_propagate_error(error, s->start_error);
        s->start_error = NULL;
        g_thread_join(s->thread);
        s->thread = NULL;
        es_server_free(s);
        return NULL;
    }
    if (cfg->fsync == ES_FSYNC_BATCH)
        s->sync_thread = g_thread_new("es-wal-sync", sync_thread, s);
    return s;
}

guint16 es_server_port(const es_server *s)
{
    return s->port;
}

guint16 es_server_http_port(const es_server *s)
{
    return s->http_port;
}

gboolean es_server_stopped(es_server *s)
{
    return g_atomic_int_get(&s->stopped);
}

void es_server_set_snapshot_dir(es_server *s, const char *dir, GHashTable *offsets)
{
    g_free(s->snap_dir);
    s->snap_dir = g_strdup(dir);
    if (offsets) {
        g_hash_table_destroy(s->snap_offsets);
        s->snap_offsets = g_hash_table_ref(offsets);
    }
}

static gboolean quit_loop(gpointer data)
{
    g_main_loop_quit(((es_server *)data)->loop);
    return G_SOURCE_REMOVE;
}

void es_server_free(es_server *s)
{
    if (s == NULL)
        return;
    if (s->sync_thread) {
        g_mutex_lock(&s->sync_lock);
        s->sync_quit = TRUE;
        g_cond_signal(&s->sync_cond);
        g_mutex_unlock(&s->sync_lock);
        g_thread_join(s->sync_thread);
    }
    if (s->thread) {
        g_main_context_invoke(s->ctx, quit_loop, s);
        g_thread_join(s->thread);
    }
    query *q;
    while ((q = g_async_queue_try_pop(s->queries)) != NULL) {
        if (q->c)
            client_unref(q->c);
        if (q->msg)
            g_object_unref(q->msg);
        g_free(q);
    }
    for (guint i = 0; i < s->snapshot_queries->len + s->waiting->len; i++) {
        q = i < s->snapshot_queries->len ? g_ptr_array_index(s->snapshot_queries, i)
                                         : g_ptr_array_index(s->waiting, i - s->snapshot_queries->len);
        if (q->c)
            client_unref(q->c);
        if (q->msg)
            g_object_unref(q->msg);
        g_free(q);
    }
    g_ptr_array_free(s->waiting, TRUE);
    sync_waiter *w;
    while ((w = g_queue_pop_head(&s->waiters)) != NULL) {
        client_unref(w->c);
        g_free(w);
    }
    g_ptr_array_free(s->snapshot_queries, TRUE);
    g_async_queue_unref(s->queries);
    g_hash_table_destroy(s->snap_offsets);
    g_hash_table_destroy(s->producers);
    g_byte_array_free(s->enc, TRUE);
    g_main_loop_unref(s->loop);
    g_main_context_unref(s->ctx);
    g_mutex_clear(&s->sync_lock);
    g_cond_clear(&s->sync_cond);
    g_mutex_clear(&s->start_lock);
    g_cond_clear(&s->start_cond);
    g_free(s->snap_dir);
    g_free(s->token);
    g_free(s);
}
