/* protocol.c — what a line from a client means (docs/serve.md, "Line
 * protocol", is the specification): AUTH, edge lines, CLIENT groups, SYNC
 * and the queries.
 *
 * An edge line is parsed as in files (graph/parse.h) and appended to the
 * client's pending edges; a malformed one answers `ERR <line>: expected
 * ...` and counts against --max-bad-per-client.  CLIENT, SYNC and a query
 * first log the pending edges (ingest.c), so a group ends at them.  A query
 * joins the queue the operators' thread answers at its next barrier
 * (query.c); queries waiting and replies unread are held to
 * --max-client-buffer (PENDING_QUERY_BYTES each waiting query).  The token
 * is compared in constant time.
 * Network thread only.  Cost: one parse per line, O(line length).
 */
#include "server/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "graph/parse.h"
#include "server/walsource.h"

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
        es_client_sendf(c, "ERR %" PRIu64 ": more than %zu bytes of unanswered queries and unread replies: closing",
                     c->line_no, c->srv->cfg.max_buffer);
        es_client_close(c);
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
    es_query_enqueue(c->srv, q);
}

gboolean es_server_parse_u64(const char *s, uint64_t *x)
{
    char *end = NULL;
    if (s == NULL || !g_ascii_isdigit(*s))
        return FALSE;
    errno = 0;
    *x = g_ascii_strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

void es_client_bad_line(client *c, const char *why)
{
    es_server *s = c->srv;
    c->bad++;
    __atomic_add_fetch(&s->bad_lines, 1, __ATOMIC_RELAXED);
    es_client_sendf(c, "ERR %" PRIu64 ": %s", c->line_no, why);
    if (s->cfg.max_bad && c->bad >= s->cfg.max_bad) {
        es_client_sendf(c, "ERR %" PRIu64 " bad lines: closing", c->bad);
        es_client_close(c);
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
    if (c->srv->wal == NULL && (strcmp(cmd, "CLIENT") == 0 || strcmp(cmd, "SYNC") == 0)) {
        es_client_bad_line(c, "expected a query (this server reads its edges from its --source)");
        return TRUE;
    }
    if (strcmp(cmd, "CLIENT") == 0) {
        if (!es_client_log(c))
            return TRUE;
        if (n != 3 || strlen(words[1]) > ES_WAL_MAX_ID || !es_server_parse_u64(words[2], &u)) {
            es_client_bad_line(c, "expected CLIENT <id> <seq> (id of at most 255 bytes, seq a number)");
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
        if (!es_client_log(c))
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
        es_server_answer_syncs(c->srv);
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
        if (args < qs[i].args_min || args > qs[i].args_max || (args >= 1 && !es_server_parse_u64(words[1], &u)) ||
            (args >= 2 && !es_server_parse_u64(words[2], &v))) {
            es_client_bad_line(c, qs[i].args_max == 0 ? "expected no argument" : "expected vertex ids (unsigned integers)");
            return TRUE;
        }
        if (!es_client_log(c))
            return TRUE;
        submit_query(c, qs[i].kind, args >= 1, u, v);
        return TRUE;
    }
    return FALSE;
}

void es_client_handle_line(client *c, char *line, size_t len)
{
    es_server *s = c->srv;
    c->line_no++;
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (s->token && !c->authed) {
        if (len > 5 && strncmp(line, "AUTH ", 5) == 0 && same_token(line + 5, len - 5, s->token)) {
            c->authed = TRUE;
            es_client_send(c, "OK");
        } else {
            es_client_send(c, "ERR authentication required: the first line must be AUTH <token>");
            es_client_close(c);
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
        es_client_bad_line(c, msg);
        return;
    }
    if (kind != ES_LINE_EDGE)
        return;
    if (s->wal == NULL) {   /* queries only: producers write to the --source */
        es_client_bad_line(c, "expected a query (this server reads its edges from its --source)");
        return;
    }
    if (e.has_w) {   /* the WAL's records hold u v [t] [+|-] */
        es_client_bad_line(c, "expected an edge `u v [t] [+|-]` (serve takes no weights)");
        return;
    }
    if (e.del && s->cfg.no_deletions) {   /* logged, it would stop the stream at every resume */
        g_autofree char *why = g_strdup_printf("expected an insertion (%s)", s->cfg.no_deletions);
        es_client_bad_line(c, why);
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
            es_client_sendf(c, "ERR %" PRIu64 ": a group of more than %zu bytes: closing", c->line_no, s->cfg.max_buffer);
            es_client_close(c);
        } else {
            es_client_log(c);
        }
    }
}
