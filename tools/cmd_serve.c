/* cmd_serve.c — `edgestream serve`: a long-running server that logs edges
 * from TCP producers to a write-ahead log and streams them through the
 * operators, with snapshots, exactly-once resume and live queries
 * (server/server.h; protocol and guarantees in docs/serve.md); or, with
 * --source redis://..., follows a Redis stream instead of logging edges of
 * its own (the stream's entry ids are the position: dataflow/redissource.h)
 * and serves queries; and `edgestream wal-dump DIR`, the WAL's edges as an
 * edge list, in order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataflow/driver.h"
#include "dataflow/redissource.h"
#include "graph/parse.h"
#include "operators/operator.h"
#include "server/server.h"
#include "server/walsource.h"
#include "snapshot/snapshot.h"
#include "tools/cli.h"

typedef struct {
    es_server *server;
    es_format  fmt;
} serve_ctx;

static void print_report(const es_report *r, void *user)
{
    es_report_print(r, ((serve_ctx *)user)->fmt, stdout);
}

static void on_barrier(es_barrier *b, void *user)
{
    es_server_barrier(b, ((serve_ctx *)user)->server);
}

static void max_into(GHashTable *t, const char *id, size_t id_len, uint64_t seq)
{
    char *key = g_strndup(id, id_len);
    uint64_t *old = g_hash_table_lookup(t, key);
    if (old == NULL) {
        uint64_t *v = g_new(uint64_t, 1);
        *v = seq;
        g_hash_table_insert(t, key, v);
        return;
    }
    if (*old < seq)
        *old = seq;
    g_free(key);
}

/* The producers' table as of the WAL's end: every kept snapshot's table
 * (a sequence number only grows, so the largest wins) and every record
 * after the oldest segment; also each snapshot's WAL offset (by id), so
 * that segments no kept snapshot needs can go.  Before any thread runs:
 * HDF5 is used from one thread at a time. */
static gboolean load_producers(es_wal *wal, const char *snap_dir, GHashTable *producers, GHashTable *offsets,
                               GError **error)
{
    if (snap_dir && g_file_test(snap_dir, G_FILE_TEST_IS_DIR)) {
        GPtrArray *list = es_snapshot_list(snap_dir);
        for (guint i = 0; i < list->len; i++) {
            es_snapshot_meta m = { 0 };
            if (es_snapshot_read_meta(g_ptr_array_index(list, i), &m, NULL) && m.source_kind &&
                strcmp(m.source_kind, "wal") == 0 && g_strcmp0(m.source_identity, es_wal_identity(wal)) == 0) {
                GHashTable *t = es_wal_producers_parse(m.source_consumed);
                GHashTableIter it;
                gpointer k, v;
                g_hash_table_iter_init(&it, t ? t : producers);
                while (t && g_hash_table_iter_next(&it, &k, &v))
                    max_into(producers, k, strlen(k), *(uint64_t *)v);
                if (t)
                    g_hash_table_destroy(t);
                uint64_t *key = g_new(uint64_t, 1), *off = g_new(uint64_t, 1);
                *key = m.snapshot_id;
                *off = m.source_offset;
                g_hash_table_insert(offsets, key, off);
            }
            es_snapshot_meta_clear(&m);
        }
        g_ptr_array_free(list, TRUE);
    }
    es_wal_cursor *c = es_wal_cursor_new(es_wal_dir(wal), es_wal_start(wal), error);
    if (c == NULL)
        return FALSE;
    GByteArray *p = g_byte_array_new();
    uint64_t at;
    int got;
    while ((got = es_wal_cursor_next(c, es_wal_end(wal), p, &at, error)) > 0) {
        es_wal_record r;
        if (es_wal_decode(p->data, p->len, &r) && r.id_len > 0)
            max_into(producers, r.id, r.id_len, r.seq);
    }
    g_byte_array_free(p, TRUE);
    es_wal_cursor_free(c);
    return got == 0;
}

static gboolean read_token(const char *path, char **token, GError **error)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot read the token file %s", path);
        return FALSE;
    }
    g_strchomp(text);
    if (text[0] == '\0' || strchr(text, '\n')) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "the token file %s must hold one non-empty line", path);
        g_free(text);
        return FALSE;
    }
    *token = text;
    return TRUE;
}

int es_cmd_serve(int argc, char **argv)
{
    g_autofree char *ops_spec = NULL, *format = NULL, *snap_dir = NULL, *snap_every = NULL, *wal_dir = NULL;
    g_autofree char *listen = NULL, *http = NULL, *token_file = NULL, *fsync = NULL, *token = NULL;
    g_autofree char *source = NULL;
    gint64 report_every = 0, batch = 65536, threads = 0, keep = 3, max_clients = 1024, max_line = ES_MAX_LINE;
    gint64 max_buffer = 16 << 20, max_bad = 0, max_lag = 64 << 20, linger_ms = 100, segment = 64 << 20;
    gboolean quiet = FALSE, resume = FALSE, insecure = FALSE;
    g_autofree char *command_line = g_strjoinv(" ", argv);
    GOptionEntry entries[] = {
        { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address to serve (default 127.0.0.1:7000; port 0: any)", "ADDR:PORT" },
        { "http", 0, 0, G_OPTION_ARG_STRING, &http, "Also serve HTTP queries and /metrics here (default: off)", "ADDR:PORT" },
        { "ops", 0, 0, G_OPTION_ARG_STRING, &ops_spec, "Operators to run (default cc,degree)", "LIST" },
        { "wal", 0, 0, G_OPTION_ARG_FILENAME, &wal_dir, "Write-ahead log directory (required without --source)", "DIR" },
        { "source", 0, 0, G_OPTION_ARG_STRING, &source,
          "Follow a Redis stream's entries instead of taking edges from clients (queries only)", "redis://HOST[:PORT]/STREAM" },
        { "fsync", 0, 0, G_OPTION_ARG_STRING, &fsync, "always, batch (group commit, default) or never", "POLICY" },
        { "snapshot-dir", 0, 0, G_OPTION_ARG_FILENAME, &snap_dir, "Write HDF5 snapshots into DIR", "DIR" },
        { "snapshot-every", 0, 0, G_OPTION_ARG_STRING, &snap_every, "Snapshot every N edges or every T (30s, 5m)", "N|T" },
        { "keep", 0, 0, G_OPTION_ARG_INT64, &keep, "Snapshots to keep (default 3)", "K" },
        { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue: restore the newest snapshot, replay the WAL", NULL },
        { "token", 0, 0, G_OPTION_ARG_FILENAME, &token_file, "Clients must send AUTH <token in FILE> first", "FILE" },
        { "insecure", 0, 0, G_OPTION_ARG_NONE, &insecure, "Serve a non-loopback address without --token", NULL },
        { "max-clients", 0, 0, G_OPTION_ARG_INT64, &max_clients, "Connections at once (default 1024)", "N" },
        { "max-line", 0, 0, G_OPTION_ARG_INT64, &max_line, "Longest line in bytes (default 4096)", "BYTES" },
        { "max-client-buffer", 0, 0, G_OPTION_ARG_INT64, &max_buffer,
          "Bytes held per client: an open group, unread replies (default 16 MiB)", "BYTES" },
        { "max-bad-per-client", 0, 0, G_OPTION_ARG_INT64, &max_bad, "Close a client after N bad lines (default: never)", "N" },
        { "max-lag", 0, 0, G_OPTION_ARG_INT64, &max_lag,
          "WAL bytes the operators may lag before reading pauses (default 64 MiB)", "BYTES" },
        { "wal-segment", 0, 0, G_OPTION_ARG_INT64, &segment, "WAL segment size in bytes (default 64 MiB)", "BYTES" },
        { "linger", 0, 0, G_OPTION_ARG_INT64, &linger_ms, "Close a batch after MS idle (default 100)", "MS" },
        { "batch", 0, 0, G_OPTION_ARG_INT64, &batch, "Edges per batch at most (default 65536)", "N" },
        { "report-every", 0, 0, G_OPTION_ARG_INT64, &report_every, "Report after every N edges", "N" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Report format: text, tsv or json (default text)", "FMT" },
        { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "OpenMP threads for operators", "N" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Say less on stderr", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- serve edge producers and queries over TCP");
    g_option_context_set_description(ctx,
        "Protocol (one line each): edge lines `u v [t]` as in files; CLIENT <id> <seq> opens an idempotent\n"
        "group; SYNC -> OK <position> once every edge sent before is durable; STATS, COMPONENT v, SAME u v,\n"
        "DEGREE v, TRIANGLES [v], TOPK, SNAPSHOT -> one line of JSON; a bad line -> ERR <line>: expected ...\n"
        "Exit status: 0 stopped by SIGTERM/SIGINT after a final snapshot, 64 usage or refused address,\n"
        "65 damaged WAL or snapshot, 66 unreadable token file, 74 I/O error, 78 WAL or snapshot directory in\n"
        "use or holding another run (without --resume).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    gboolean parsed = es_cli_parse(ctx, "serve", &argc, &argv);
    if (!parsed)
        return ES_ERROR_USAGE;
    es_format fmt = ES_FORMAT_TEXT;
    es_fsync_policy policy = ES_FSYNC_BATCH;
    const char *why = NULL;
    if (format && !es_format_parse(format, &fmt))
        why = "--format must be text, tsv or json";
    else if (fsync && strcmp(fsync, "always") && strcmp(fsync, "batch") && strcmp(fsync, "never"))
        why = "--fsync must be always, batch or never";
    else if (wal_dir == NULL && source == NULL)
        why = "--wal DIR is required (or --source redis://HOST[:PORT]/STREAM)";
    else if (wal_dir && source)
        why = "--source follows a Redis stream, which is its own log: give no --wal with it";
    else if (argc > 1)
        why = "serve reads no input file (producers connect to --listen)";
    else if (batch < 1 || batch > (1 << 24))
        why = "--batch must be between 1 and 16777216";
    else if (report_every < 0 || max_bad < 0 || threads < 0 || threads > 1024)
        why = "--report-every, --max-bad-per-client and --threads must be non-negative";
    else if (keep < 1 || max_clients < 1 || max_clients > 1000000)
        why = "--keep and --max-clients must be positive";
    else if (max_line < 16 || max_line > (1 << 24))
        why = "--max-line must be between 16 and 16777216";
    else if (max_buffer < 4096 || max_lag < (1 << 16) || segment < (1 << 16) || linger_ms < 1 || linger_ms > 60000)
        why = "--max-client-buffer >= 4096, --max-lag and --wal-segment >= 65536, --linger in 1..60000";
    else if ((snap_every || keep != 3) && !snap_dir)
        why = "--snapshot-every and --keep need --snapshot-dir";
    if (why) {
        fprintf(stderr, "edgestream serve: %s\n(see 'edgestream serve --help')\n", why);
        return ES_ERROR_USAGE;
    }
    if (fsync)
        policy = strcmp(fsync, "always") == 0 ? ES_FSYNC_ALWAYS : strcmp(fsync, "never") == 0 ? ES_FSYNC_NEVER
                                                                                               : ES_FSYNC_BATCH;
    GError *err = NULL;
    GPtrArray *ops = NULL;
    es_wal *wal = NULL;
    es_edge_source *src = NULL;
    es_server *server = NULL;
    es_stop *stop = NULL;
    GHashTable *producers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GHashTable *offsets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    int status = 0;
    es_checkpoint_config ckcfg = {
        .dir = snap_dir, .keep = (guint)keep, .resume = resume, .config = command_line, .verbose = !quiet,
    };
    if (token_file && !read_token(token_file, &token, &err))
        goto fail;
    if ((ops = es_operator_new_list(ops_spec ? ops_spec : "cc,degree", &err)) == NULL)
        goto fail;
    if (snap_every && !es_checkpoint_parse_every(snap_every, &ckcfg.every_edges, &ckcfg.every_us, &err))
        goto fail;
    uint64_t cut = 0;
    if (source) {   /* the stream is the log: no WAL, no producers' table */
        stop = es_stop_new();
        if ((src = es_redis_source_new(source, TRUE, 0, NULL, linger_ms * 1000, stop, &err)) == NULL)
            goto fail;
        goto serve;
    }
    if ((wal = es_wal_open(wal_dir, (uint64_t)segment, &cut, &err)) == NULL)
        goto fail;
    if (cut)
        fprintf(stderr, "edgestream serve: cut a torn record (%" PRIu64 " bytes) off the end of the WAL at position %"
                PRIu64 "\n", cut, es_wal_end(wal));
    if (!resume && es_wal_end(wal) > es_wal_start(wal)) {
        g_set_error(&err, ES_ERROR, ES_ERROR_CONFIG, "the WAL in %s holds the edges of another run: continue it with "
                    "--resume, or give an empty or new --wal directory", wal_dir);
        goto fail;
    }
    if (resume && !load_producers(wal, snap_dir, producers, offsets, &err))
        goto fail;
    if ((src = es_wal_source_new(wal, linger_ms * 1000)) == NULL) {
        g_set_error(&err, ES_ERROR, ES_ERROR_IO, "cannot read the WAL in %s", wal_dir);
        goto fail;
    }
serve:;
    es_server_config scfg = {
        .listen = listen ? listen : "127.0.0.1:7000", .http = http, .token = token, .insecure = insecure,
        .fsync = policy, .max_clients = (guint)max_clients, .max_line = (size_t)max_line,
        .max_buffer = (size_t)max_buffer, .max_bad = (uint64_t)max_bad, .max_lag = (uint64_t)max_lag,
        .stop = stop,
    };
    /* The stream runs without --deletions (snapshots of a stream with
     * deletions are not supported yet), so a deletion line is refused
     * before the log: logged, it would stop the stream at every resume. */
    char no_deletions[160];   /* (the server interns it) */
    g_strlcpy(no_deletions, "serve takes no deletions yet", sizeof no_deletions);
    for (guint i = ops->len; i-- > 0;) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!op->klass->deletions)
            g_snprintf(no_deletions, sizeof no_deletions, "operator %s handles insertions only", op->name);
    }
    scfg.no_deletions = no_deletions;
    server = es_server_new(&scfg, wal, src, producers, &err);
    producers = NULL;
    if (server == NULL)
        goto fail;
    es_server_set_snapshot_dir(server, snap_dir, offsets);
    fprintf(stderr, "edgestream serve: listening on port %u", es_server_port(server));
    if (http)
        fprintf(stderr, ", HTTP on port %u", es_server_http_port(server));
    if (wal)
        fprintf(stderr, " (WAL position %" PRIu64 ")\n", es_wal_end(wal));
    else
        fprintf(stderr, " (following %s)\n", source);
    serve_ctx sc = { server, fmt };
    const char *no_inputs[] = { NULL };
    es_driver_config cfg = {
        .inputs = no_inputs,
        .source = src,
        .batch_size = (size_t)batch,
        .report_every = (uint64_t)report_every,
        .threads = (int)threads,
        .on_report = print_report,
        .reports_only = TRUE,
        .on_barrier = on_barrier,
        .user = &sc,
        .checkpoint = snap_dir ? &ckcfg : NULL,
        .stop = stop,
    };
    es_driver_stats stats;
    if (!es_driver_run(&cfg, ops, &stats, &err))
        goto fail;
    if (stats.snapshots_failed > 0) {
        fprintf(stderr, "edgestream serve: %u snapshot%s could not be written\n", stats.snapshots_failed,
                stats.snapshots_failed == 1 ? "" : "s");
        status = ES_ERROR_IO;
    }
    goto out;
fail:
    status = es_cli_fail("serve", err);
    g_clear_error(&err);
out:
    es_server_free(server);
    es_edge_source_free(src);
    es_wal_close(wal);
    es_stop_free(stop);
    if (producers)
        g_hash_table_destroy(producers);
    g_hash_table_destroy(offsets);
    if (ops)
        g_ptr_array_free(ops, TRUE);
    int out = es_cli_finish_stdout("serve");
    return status ? status : out;
}

int es_cmd_wal_dump(int argc, char **argv)
{
    GOptionEntry entries[] = { { NULL, 0, 0, 0, NULL, NULL, NULL } };
    GOptionContext *ctx = g_option_context_new("DIR - print a write-ahead log's edges, in order, as an edge list");
    g_option_context_add_main_entries(ctx, entries, NULL);
    gboolean parsed = es_cli_parse(ctx, "wal-dump", &argc, &argv);
    if (!parsed)
        return ES_ERROR_USAGE;
    if (argc != 2) {
        fprintf(stderr, "edgestream wal-dump: give one WAL directory\n");
        return ES_ERROR_USAGE;
    }
    GError *err = NULL;
    es_wal_cursor *c = es_wal_cursor_new(argv[1], es_wal_first(argv[1]), &err);
    if (c == NULL) {
        int status = es_cli_fail("wal-dump", err);
        g_error_free(err);
        return status;
    }
    GByteArray *p = g_byte_array_new();
    uint64_t at;
    int got;
    while ((got = es_wal_cursor_next(c, UINT64_MAX, p, &at, &err)) > 0) {
        es_wal_record r;
        if (!es_wal_decode(p->data, p->len, &r)) {
            g_set_error(&err, ES_ERROR, ES_ERROR_DATA, "%s: malformed record at position %" PRIu64, argv[1], at);
            got = -1;
            break;
        }
        for (uint32_t i = 0; i < r.n; i++) {
            uint64_t uv[2];
            memcpy(uv, (const char *)r.uv + (size_t)i * 16, 16);
            const char *sign = r.del && r.del[i] ? " -" : "";
            if (r.t) {
                int64_t t;
                memcpy(&t, (const char *)r.t + (size_t)i * 8, 8);
                printf("%" PRIu64 " %" PRIu64 " %" PRId64 "%s\n", uv[0], uv[1], t, sign);
            } else {
                printf("%" PRIu64 " %" PRIu64 "%s\n", uv[0], uv[1], sign);
            }
        }
    }
    g_byte_array_free(p, TRUE);
    es_wal_cursor_free(c);
    int status = 0;
    if (got < 0) {
        status = es_cli_fail("wal-dump", err);
        g_error_free(err);
    }
    int out = es_cli_finish_stdout("wal-dump");
    return status ? status : out;
}
