/* ingest.c — the server's side of the write-ahead log: a client's pending
 * edges become one WAL record (a producer group whole, or a read's plain
 * edges), durability follows --fsync, and SYNC is answered once its
 * position is durable.
 *
 * Exactly-once: a group whose sequence number the producers' table
 * already holds is dropped, checked at its CLIENT line and again as the
 * record is written (another connection of the same producer may have
 * logged it meanwhile).  Group commit (--fsync batch): a sync thread
 * fsyncs whatever was appended since its last fsync, in a loop; appends
 * during an fsync share the next one.  Records go to the WAL from the
 * network thread only; the sync thread only fsyncs (wal.h allows it).
 * Cost: one write(2) per record; one fdatasync per append (always), per
 * round (batch) or none (never).
 */
#include "server/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "server/walsource.h"

void es_server_answer_syncs(es_server *s)
{
    uint64_t durable = __atomic_load_n(&s->durable, __ATOMIC_ACQUIRE);
    while (!g_queue_is_empty(&s->waiters)) {
        sync_waiter *w = g_queue_peek_head(&s->waiters);
        if (w->target > durable)
            break;
        g_queue_pop_head(&s->waiters);
        es_client_sendf(w->c, "OK %" PRIu64, w->target);
        es_client_unref(w->c);
        g_free(w);
    }
}

static gboolean answer_syncs_cb(gpointer data)
{
    es_server_answer_syncs(data);
    return G_SOURCE_REMOVE;
}

/* Make the WAL durable (always), or let the sync thread (batch); never: as written. */
void es_server_after_append(es_server *s)
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
        es_server_answer_syncs(s);
        break;
    }
    case ES_FSYNC_BATCH:
        g_mutex_lock(&s->sync_lock);
        g_cond_signal(&s->sync_cond);
        g_mutex_unlock(&s->sync_lock);
        break;
    case ES_FSYNC_NEVER:
        __atomic_store_n(&s->durable, es_wal_end(s->wal), __ATOMIC_RELEASE);
        es_server_answer_syncs(s);
        break;
    }
}

/* Group commit: fsync whatever was appended meanwhile, once per round;
 * appends during an fsync wait for the next, which covers them all. */
gpointer es_server_sync_thread(gpointer data)
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

/* Log the client's pending edges as one record. */
gboolean es_client_log(client *c)
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
        es_client_sendf(c, "ERR cannot log edges: %s", e->message);
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
        es_server_pause_reading(s);
    return TRUE;
}
