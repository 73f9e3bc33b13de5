/* server.h — `edgestream serve`'s network side: producers and queries
 * over TCP (the line protocol of docs/serve.md, the one home of its
 * specification), an optional HTTP endpoint (libsoup-3.0), and the hand-
 * over to the pipeline through the write-ahead log (wal.h, walsource.h).
 *
 * Threads: one network thread runs a GMainContext with a GSocket source
 * per listener and per client (GIO; the choice against epoll is measured
 * in docs/serve.md and bench/RESULTS.md), the libsoup server and the
 * signal handlers; a sync thread does group commit for --fsync batch; the
 * driver's threads read the WAL and call es_server_barrier between
 * batches, where queries are answered from the operators.
 * Guarantees: an edge is in the WAL before any operator sees it; `OK <pos>`
 * answers SYNC once every edge the client sent before it is durable under
 * the policy; a producer group (CLIENT id seq) is one WAL record, logged
 * at most once.  Bounds: line length, clients, bytes buffered per client,
 * bad lines per client, and the WAL's lead over the operators (past it the
 * server stops reading sockets: TCP flow control pushes back).
 */
#ifndef ES_SERVER_SERVER_H
#define ES_SERVER_SERVER_H

#include <glib.h>

#include "dataflow/driver.h"
#include "dataflow/stop.h"
#include "server/wal.h"

typedef enum { ES_FSYNC_ALWAYS, ES_FSYNC_BATCH, ES_FSYNC_NEVER } es_fsync_policy;

typedef struct {
    const char *listen;         /* "127.0.0.1:7000", "[::1]:7000" */
    const char *http;           /* or NULL */
    const char *token;          /* or NULL: no AUTH */
    gboolean    insecure;       /* allow non-loopback without a token */
    es_fsync_policy fsync;
    guint       max_clients;
    size_t      max_line;       /* bytes, without the newline */
    size_t      max_buffer;     /* bytes held per client (a group, replies) */
    uint64_t    max_bad;        /* bad lines before a client is closed, 0 = never */
    uint64_t    max_lag;        /* WAL bytes ahead of the operators before reading pauses */
    const char *no_deletions;   /* why deletion lines are refused (they are then bad lines:
                                   logged, one would stop the stream), or NULL to take them */
    es_stop    *stop;           /* without a WAL: raised by SIGTERM/SIGINT to end the source */
} es_server_config;

typedef struct es_server es_server;

/* Bind and start serving (edges go to wal, the source is told of them);
 * producers: the table of last sequence numbers (taken).  wal NULL: the
 * edges come from another source (a Redis stream, ended by cfg->stop);
 * clients then send queries only, an edge line is a bad line.  Errors:
 * ES_ERROR_USAGE for a refused address, ES_ERROR_IO when binding fails. */
es_server *es_server_new(const es_server_config *cfg, es_wal *wal, es_edge_source *src, GHashTable *producers,
                         GError **error);
guint16    es_server_port(const es_server *s);
guint16    es_server_http_port(const es_server *s);
/* The driver's barrier hook (user = the server). */
void       es_server_barrier(es_barrier *b, void *user);
/* Has a signal asked the server to stop? (then the source ends) */
gboolean   es_server_stopped(es_server *s);
/* Stop serving (if not yet), join the threads, free. */
void       es_server_free(es_server *s);
/* The snapshot directory whose snapshots bound WAL deletion (or NULL). */
void       es_server_set_snapshot_dir(es_server *s, const char *dir, GHashTable *offsets);

#endif
