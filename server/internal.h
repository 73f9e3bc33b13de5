/* internal.h — what the server's files share, and only they: the
 * server's state, a client's, a query's, and the calls between conn.c
 * (sockets, lines, replies, back-pressure), protocol.c (what a line
 * means), ingest.c (WAL records, group commit, SYNC), query.c (answers at
 * barriers), http.c (libsoup, /metrics) and server.c (start, signals,
 * stop).
 * Threads: everything here runs in the network thread except
 * es_server_sync_thread (its own thread) and es_server_barrier (the
 * operators' thread), which reach the network thread's state only through
 * atomics, the query queue and g_main_context_invoke.
 */
#ifndef ES_SERVER_INTERNAL_H
#define ES_SERVER_INTERNAL_H

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "graph/common.h"
#include "server/server.h"

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

/* conn.c */
void     es_client_unref(client *c);
/* Queue a reply line; a client that does not read its replies is closed
 * once they exceed its buffer bound. */
void     es_client_send(client *c, const char *line);
void     es_client_sendf(client *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Close (once): plain edges of whole lines are logged, an open group is not. */
void     es_client_close(client *c);
void     es_server_pause_reading(es_server *s);
gboolean es_server_on_accept(GSocket *sock, GIOCondition cond, gpointer data);

/* protocol.c */
void     es_client_handle_line(client *c, char *line, size_t len);
void     es_client_bad_line(client *c, const char *why);
gboolean es_server_parse_u64(const char *s, uint64_t *x);

/* ingest.c */
gboolean es_client_log(client *c);
void     es_server_answer_syncs(es_server *s);
void     es_server_after_append(es_server *s);
gpointer es_server_sync_thread(gpointer data);

/* query.c: hand a query to the operators' thread (answered at a barrier). */
void     es_query_enqueue(es_server *s, query *q);

/* http.c */
gboolean es_server_http_start(es_server *s, GError **error);

/* server.c */
GInetSocketAddress *es_server_parse_address(const char *text, GError **error);
gboolean es_server_refuse_exposed(const es_server_config *cfg, GInetSocketAddress *sa, const char *text,
                                  GError **error);

#endif
