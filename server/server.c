/* server.c — `edgestream serve`'s lifetime (see server.h): parsing and
 * refusing addresses, the network thread and its start-up handshake,
 * SIGTERM/SIGINT, and the orderly stop.
 *
 * The network thread binds the listener (loopback unless told otherwise;
 * a non-loopback address needs --token or --insecure), starts HTTP
 * (http.c) and runs its GMainContext until es_server_free; a signal stops
 * accepting, closes every client (conn.c) and ends the WAL source after
 * its last record, so the driver folds it and takes the final snapshot.
 * The files of the server: conn.c (sockets, lines, replies,
 * back-pressure), protocol.c (what a line means), ingest.c (WAL records,
 * group commit, SYNC), query.c (answers at barriers, WAL retention),
 * http.c (libsoup, /metrics); internal.h is what they share.
 */
#include "server/internal.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "server/walsource.h"

/* "HOST:PORT" or "[V6]:PORT" into an address; "localhost" is 127.0.0.1. */
GInetSocketAddress *es_server_parse_address(const char *text, GError **error)
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
    if (!es_server_parse_u64(colon + 1, &port) || port > 65535)
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

gboolean es_server_refuse_exposed(const es_server_config *cfg, GInetSocketAddress *sa, const char *text, GError **error)
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
        es_client_close(s->clients->data);
    g_atomic_int_set(&s->stopped, 1);
    if (s->wal)
        es_wal_source_stop(s->src);
    else
        es_stop_raise(s->cfg.stop, SIGTERM);
    return G_SOURCE_CONTINUE;
}

static gboolean start_in_thread(es_server *s, GError **error)
{
    g_autoptr(GInetSocketAddress) sa = es_server_parse_address(s->cfg.listen, error);
    if (sa == NULL || es_server_refuse_exposed(&s->cfg, sa, s->cfg.listen, error))
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
    g_source_set_callback(s->accept_src, (GSourceFunc)(void (*)(void))es_server_on_accept, s, NULL);
    g_source_attach(s->accept_src, s->ctx);
    if (!es_server_http_start(s, error))
        return FALSE;
    GSource *sig = g_unix_signal_source_new(SIGTERM);
    g_source_set_callback(sig, on_signal, s, NULL);
    g_source_attach(sig, s->ctx);
    g_source_unref(sig);
    sig = g_unix_signal_source_new(SIGINT);
    g_source_set_callback(sig, on_signal, s, NULL);
    g_source_attach(sig, s->ctx);
    g_source_unref(sig);
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
        es_client_close(s->clients->data);
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
    s->cfg.no_deletions = cfg->no_deletions ? g_intern_string(cfg->no_deletions) : NULL;
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
    s->durable = wal ? es_wal_end(wal) : 0;
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
    if (cfg->fsync == ES_FSYNC_BATCH && wal)
        s->sync_thread = g_thread_new("es-wal-sync", es_server_sync_thread, s);
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
            es_client_unref(q->c);
        if (q->msg)
            g_object_unref(q->msg);
        g_free(q);
    }
    for (guint i = 0; i < s->snapshot_queries->len + s->waiting->len; i++) {
        q = i < s->snapshot_queries->len ? g_ptr_array_index(s->snapshot_queries, i)
                                         : g_ptr_array_index(s->waiting, i - s->snapshot_queries->len);
        if (q->c)
            es_client_unref(q->c);
        if (q->msg)
            g_object_unref(q->msg);
        g_free(q);
    }
    g_ptr_array_free(s->waiting, TRUE);
    sync_waiter *w;
    while ((w = g_queue_pop_head(&s->waiters)) != NULL) {
        es_client_unref(w->c);
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
