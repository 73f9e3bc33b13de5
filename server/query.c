/* query.c — live queries answered at barriers (docs/serve.md: STATS,
 * COMPONENT, SAME, DEGREE, TRIANGLES, TOPK, SNAPSHOT), and WAL retention.
 *
 * es_server_barrier runs in the operators' thread between two batches:
 * every operator has folded the same WAL prefix, so answers are
 * consistent; a query waits until that prefix holds every edge logged
 * before it came (read-your-writes), and its answer starts with the
 * prefix's WAL position and edge count.  Answers go back to the network
 * thread through g_main_context_invoke.  SNAPSHOT asks the driver for a
 * snapshot at this barrier and is answered once its file is committed.
 * After each new snapshot, WAL segments no kept snapshot needs are
 * deleted.  Cost: O(1) per COMPONENT/SAME/DEGREE/TRIANGLES v (union-find
 * find, array reads); STATS and TOPK build a report.
 */
#include "server/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "operators/cc.h"
#include "operators/degree.h"
#include "operators/tri.h"
#include "server/walsource.h"
#include "snapshot/snapshot.h"

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
        es_client_send(q->c, q->answer);
        es_client_unref(q->c);
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

void es_query_enqueue(es_server *s, query *q)
{
    /* Read-your-writes: answered at a barrier past every edge logged so
     * far (a --source server logs none: the next barrier). */
    q->min_pos = s->wal ? es_wal_end(s->wal) : 0;
    g_async_queue_push(s->queries, q);
    if (s->wal)   /* close the batch being filled now, rather than wait for its linger */
        es_wal_source_flush(s->src);
}

/* Forget WAL segments no kept snapshot needs: those before the oldest
 * kept snapshot's position (when every kept snapshot's position is known). */
static void trim_wal(es_server *s)
{
    if (s->snap_dir == NULL || s->wal == NULL)
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
