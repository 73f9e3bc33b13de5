/* conn.c — the server's connections (see server.h; protocol in
 * docs/serve.md): accepting them, reading their bytes into lines, queueing
 * reply lines, closing, and back-pressure.
 *
 * Reading: a client's bytes go into its own buffer of max_line + one
 * 64 KiB read; each whole line goes to protocol.c; a line longer than
 * max_line is a bad line and is dropped up to its newline, never held;
 * after a read, plain edges are logged as one record (ingest.c).
 * Replies: appended to the client's output and sent as the socket takes
 * them; past --max-client-buffer of unread replies the client is closed.
 * Back-pressure: when the WAL leads the operators by more than --max-lag,
 * no client socket is watched until the lead is half that (TCP flow
 * control then stops the senders); a 2 ms timer looks again.
 * Runs in the network thread only.  Cost: one recv of up to 64 KiB and one
 * memchr pass per wake-up.
 */
#include "server/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "server/walsource.h"

#define READ_CHUNK 65536

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer data);

void es_client_unref(client *c)
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
        es_client_close(c);
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
void es_client_send(client *c, const char *line)
{
    if (c->closed)
        return;
    g_string_append(c->out, line);
    g_string_append_c(c->out, '\n');
    if (c->out->len > c->srv->cfg.max_buffer) {
        es_client_close(c);
        return;
    }
    if (c->out_src != NULL)
        return;
    if (!flush_out(c)) {
        es_client_close(c);
        return;
    }
    if (c->out->len > 0) {
        c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
        g_source_set_callback(c->out_src, (GSourceFunc)(void (*)(void))on_writable, c, NULL);
        g_source_attach(c->out_src, c->srv->ctx);
    }
}

void es_client_sendf(client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    es_client_send(c, s);
}

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
void es_server_pause_reading(es_server *s)
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

void es_client_close(client *c)
{
    if (c->closed)
        return;
    es_server *s = c->srv;
    c->closed = TRUE;
    /* Plain edges of whole lines are kept; an unfinished group is not
     * (its producer was never told it is logged, and will resend it). */
    if (c->id == NULL)
        es_client_log(c);
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
    es_client_unref(c);
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
        es_client_close(c);
        es_client_unref(c);
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
            es_client_bad_line(c, why);
        } else
            es_client_handle_line(c, c->buf + start, len);
        start += len + 1;
    }
    if (!c->closed) {
        memmove(c->buf, c->buf + start, c->len - start);
        c->len -= start;
        if (c->len > s->cfg.max_line) {   /* an overlong line: drop it up to its newline */
            if (!c->discarding) {
                c->line_no++;
                g_autofree char *why = g_strdup_printf("expected a line of at most %zu bytes", s->cfg.max_line);
                es_client_bad_line(c, why);
            }
            c->discarding = TRUE;
            c->len = 0;
        }
        if (!c->closed && c->id == NULL)
            es_client_log(c);
    }
    if (s->wal && __atomic_load_n(&s->durable, __ATOMIC_RELAXED) < es_wal_end(s->wal))
        es_server_after_append(s);
    gboolean keep = !c->closed && c->in_src != NULL;
    es_client_unref(c);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

gboolean es_server_on_accept(GSocket *sock, GIOCondition cond, gpointer data)
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
