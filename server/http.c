/* http.c — the server's HTTP endpoint (--http), with libsoup-3.0: GET
 * /stats, /component/V, /same/U/V, /degree/V, /triangles[/V], /topk answer
 * the TCP queries' JSON (query.c), and /metrics the server's counters in
 * the Prometheus text format (version 0.0.4).  The edge rate behind
 * edgestream_edges_per_second is sampled once a second.
 * The libsoup server runs in the network thread's main context; a query's
 * message is paused until its barrier answers it.
 * Cost: a query as over TCP; /metrics reads a dozen atomic counters.
 */
#include "server/internal.h"

#include <inttypes.h>
#include <string.h>

#include "server/walsource.h"

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
    METRIC("edgestream_wal_bytes", "gauge", "Bytes in the WAL's segments on disk.", "%" PRIu64, s->wal ? es_wal_bytes(s->wal) : 0);
    METRIC("edgestream_wal_lag_bytes", "gauge", "WAL bytes not yet read by the operators.", "%" PRIu64,
           s->wal ? es_wal_end(s->wal) - es_wal_source_read_pos(s->src) : 0);
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
        if (args < routes[i].args_min || args > routes[i].args_max || (args >= 1 && !es_server_parse_u64(parts[1], &u)) ||
            (args >= 2 && !es_server_parse_u64(parts[2], &v))) {
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
        soup_server_message_pause(msg);
        es_query_enqueue(s, q);
        return;
    }
    soup_server_message_set_status(msg, 404, NULL);
}

/* The rate sampler behind /metrics, and the HTTP listener when --http
 * names one (network thread, at start). */
gboolean es_server_http_start(es_server *s, GError **error)
{
    GSource *rate = g_timeout_source_new(1000);
    g_source_set_callback(rate, sample_rate, s, NULL);
    g_source_attach(rate, s->ctx);
    g_source_unref(rate);
    if (s->cfg.http) {
        g_autoptr(GInetSocketAddress) ha = es_server_parse_address(s->cfg.http, error);
        if (ha == NULL || es_server_refuse_exposed(&s->cfg, ha, s->cfg.http, error))
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
    return TRUE;
}
