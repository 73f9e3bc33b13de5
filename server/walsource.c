/* walsource.c — WAL records as batches of raw edges (see walsource.h).
 *
 * The driver folds batch k while this thread reads k+2, so position_text
 * for a folded batch is looked up in a short history of the texts of the
 * batches handed out (the driver holds at most four).
 */
#include "server/walsource.h"

#include <inttypes.h>
#include <string.h>

#include "graph/common.h"

#define HISTORY 16

typedef struct {
    uint64_t offset, line;
    char    *text;
} hist_entry;

typedef struct {
    es_edge_source base;
    es_wal        *wal;
    es_wal_cursor *cursor;
    gint64         linger_us;
    GByteArray    *payload;
    es_wal_record  rec;          /* the record being handed out */
    uint64_t       rec_at;       /* its position */
    uint32_t       rec_done;     /* edges of it handed out */
    gboolean       in_rec;
    GHashTable    *producers;    /* id -> uint64_t* last seq, as read */
    gboolean       producers_changed;
    char          *text;         /* the table as text, as of the last change */
    uint64_t       lines;        /* edges read (all time) */
    uint64_t       read_pos;     /* atomic */
    GMutex         lock;
    GCond          cond;
    gboolean       stopping, notified, flush;
    hist_entry     hist[HISTORY];
    guint          hist_next;
} wal_source;

static gint by_text(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *table_text(GHashTable *t)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, by_text);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < keys->len; i++) {
        const char *key = g_ptr_array_index(keys, i);
        g_string_append_printf(s, "%s\t%" PRIu64 "\n", key, *(uint64_t *)g_hash_table_lookup(t, key));
    }
    g_ptr_array_free(keys, TRUE);
    return g_string_free(s, FALSE);
}

GHashTable *es_wal_producers_parse(const char *text)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (lines[i][0] == '\0')
            continue;
        char *tab = strrchr(lines[i], '\t');
        char *end = NULL;
        uint64_t seq = tab ? g_ascii_strtoull(tab + 1, &end, 10) : 0;
        if (tab == NULL || tab == lines[i] || end == tab + 1 || *end != '\0') {
            g_hash_table_destroy(t);
            return NULL;
        }
        uint64_t *v = g_new(uint64_t, 1);
        *v = seq;
        g_hash_table_insert(t, g_strndup(lines[i], (gsize)(tab - lines[i])), v);
    }
    return t;
}

/* The next record into w->rec; FALSE when none is complete yet. */
static gboolean next_record(wal_source *w, GError **error, gboolean *failed)
{
    *failed = FALSE;
    int got = es_wal_cursor_next(w->cursor, es_wal_end(w->wal), w->payload, &w->rec_at, error);
    if (got < 0) {
        *failed = TRUE;
        return FALSE;
    }
    if (got == 0)
        return FALSE;
    if (!es_wal_decode(w->payload->data, w->payload->len, &w->rec)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the WAL in %s holds a malformed record at position %" PRIu64,
                    es_wal_dir(w->wal), w->rec_at);
        *failed = TRUE;
        return FALSE;
    }
    if (w->rec.id_len > 0) {
        char *id = g_strndup(w->rec.id, w->rec.id_len);
        uint64_t *old = g_hash_table_lookup(w->producers, id);
        if (old == NULL || *old < w->rec.seq) {
            uint64_t *v = g_new(uint64_t, 1);
            *v = w->rec.seq;
            g_hash_table_insert(w->producers, id, v);   /* takes id */
            w->producers_changed = TRUE;
        } else {
            g_free(id);
        }
    }
    w->rec_done = 0;
    w->in_rec = TRUE;
    return TRUE;
}

static void remember(wal_source *w, uint64_t offset, uint64_t line)
{
    if (w->producers_changed || w->text == NULL) {
        g_free(w->text);
        w->text = table_text(w->producers);
        w->producers_changed = FALSE;
    }
    g_mutex_lock(&w->lock);
    hist_entry *h = &w->hist[w->hist_next++ % HISTORY];
    g_free(h->text);
    *h = (hist_entry){ offset, line, g_strdup(w->text) };
    g_mutex_unlock(&w->lock);
}

static gboolean ws_next(es_edge_source *s, es_raw_batch *b, size_t max, gboolean *end, GError **error)
{
    wal_source *w = (wal_source *)s;
    b->n = 0;
    b->has_time = FALSE;
    b->has_del = FALSE;
    b->has_weight = FALSE;   /* the WAL holds no weights (docs/serve.md) */
    b->input = 0;
    *end = FALSE;
    /* The linger counts from the batch's first edge, as for files (README,
     * --linger): an idle timer would hold a steady trickle back until the
     * batch filled.  An empty batch waits one linger (an idle tick). */
    gint64 started = g_get_monotonic_time(), first_at = 0;
    while (b->n < max) {
        if (!w->in_rec) {
            if (b->n > 0 && g_get_monotonic_time() - first_at >= w->linger_us)
                break;
            gboolean failed;
            if (!next_record(w, error, &failed)) {
                if (failed)
                    return FALSE;
                /* Nothing complete: wait for the network thread, up to the linger. */
                g_mutex_lock(&w->lock);
                gboolean stop = w->stopping && es_wal_end(w->wal) == es_wal_cursor_pos(w->cursor);
                gint64 deadline = (b->n > 0 ? first_at : started) + w->linger_us;
                while (!w->notified && !w->flush && !stop && g_get_monotonic_time() < deadline)
                    g_cond_wait_until(&w->cond, &w->lock, deadline);
                gboolean woke = w->notified && !w->flush;
                w->notified = w->flush = FALSE;
                g_mutex_unlock(&w->lock);
                if (stop) {
                    *end = TRUE;
                    break;
                }
                if (!woke)
                    break;   /* idle for the linger: close the batch (maybe empty) */
                continue;
            }
        }
        if (b->n == 0)
            first_at = g_get_monotonic_time();
        uint32_t take = (uint32_t)MIN((size_t)(w->rec.n - w->rec_done), max - b->n);
        memcpy(b->ids + 2 * b->n, w->rec.uv + 2 * (size_t)w->rec_done, (size_t)take * 16);
        if (w->rec.t || b->has_time) {
            if (!b->has_time) {
                memset(b->time, 0, b->n * sizeof *b->time);
                b->has_time = TRUE;
            }
            if (w->rec.t)
                memcpy(b->time + b->n, w->rec.t + w->rec_done, (size_t)take * 8);
            else
                memset(b->time + b->n, 0, (size_t)take * 8);
        }
        if (w->rec.del || b->has_del) {
            if (!b->has_del) {
                if (b->del == NULL)
                    b->del = es_big_alloc(b->cap);
                memset(b->del, 0, b->n);
                b->has_del = TRUE;
            }
            if (w->rec.del)
                memcpy(b->del + b->n, w->rec.del + w->rec_done, take);
            else
                memset(b->del + b->n, 0, take);
        }
        b->n += take;
        w->rec_done += take;
        w->lines += take;
        if (w->rec_done == w->rec.n)
            w->in_rec = FALSE;
    }
    /* Position: inside the record at rec_at, or at the next one. */
    b->offset = w->in_rec ? w->rec_at : es_wal_cursor_pos(w->cursor);
    b->line = w->in_rec ? w->rec_done : 0;
    __atomic_store_n(&w->read_pos, es_wal_cursor_pos(w->cursor), __ATOMIC_RELEASE);
    remember(w, b->offset, b->line);
    return TRUE;
}

static char *ws_position_text(es_edge_source *s, const es_raw_batch *b)
{
    wal_source *w = (wal_source *)s;
    char *text = NULL;
    g_mutex_lock(&w->lock);
    /* Newest first: the same position may recur (ticks). */
    for (guint i = 0; i < HISTORY && text == NULL; i++) {
        hist_entry *h = &w->hist[(w->hist_next + HISTORY - 1 - i) % HISTORY];
        if (h->text && h->offset == b->offset && h->line == b->line)
            text = g_strdup(h->text);
    }
    g_mutex_unlock(&w->lock);
    g_assert(text != NULL);   /* the driver holds at most four batches */
    return text;
}

static gboolean ws_seek(es_edge_source *s, const es_stream_pos *pos, GError **error)
{
    wal_source *w = (wal_source *)s;
    GHashTable *t = es_wal_producers_parse(pos->consumed);
    if (t == NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's table of producers is unreadable");
        return FALSE;
    }
    g_hash_table_destroy(w->producers);
    w->producers = t;
    w->producers_changed = TRUE;
    es_wal_cursor *c = es_wal_cursor_new(es_wal_dir(w->wal), pos->offset, error);
    if (c == NULL)
        return FALSE;
    es_wal_cursor_free(w->cursor);
    w->cursor = c;
    w->lines = pos->lines;
    w->in_rec = FALSE;
    if (pos->line > 0) {   /* the snapshot was taken inside a record */
        gboolean failed;
        if (!next_record(w, error, &failed)) {
            if (!failed)
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the WAL in %s ends before the snapshot's position %"
                            PRIu64, es_wal_dir(w->wal), pos->offset);
            return FALSE;
        }
        if (w->rec_at != pos->offset || pos->line > w->rec.n) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the snapshot's position %" PRIu64 ":%" PRIu64
                        " is not in the WAL", pos->offset, pos->line);
            return FALSE;
        }
        w->rec_done = (uint32_t)pos->line;
        w->in_rec = w->rec_done < w->rec.n;
    }
    __atomic_store_n(&w->read_pos, pos->offset, __ATOMIC_RELEASE);
    return TRUE;
}

static char *ws_identity(es_edge_source *s, GError **error)
{
    (void)error;
    return g_strdup(es_wal_identity(((wal_source *)s)->wal));
}

static void ws_counts(es_edge_source *s, uint64_t *lines, uint64_t *bad)
{
    *lines = ((wal_source *)s)->lines;
    *bad = 0;   /* bad lines are refused by the server, never logged */
}

static void ws_free(es_edge_source *s)
{
    wal_source *w = (wal_source *)s;
    es_wal_cursor_free(w->cursor);
    g_byte_array_free(w->payload, TRUE);
    g_hash_table_destroy(w->producers);
    g_free(w->text);
    for (guint i = 0; i < HISTORY; i++)
        g_free(w->hist[i].text);
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_free(w);
}

static const es_edge_source_class wal_class = {
    .kind = "wal",
    .next = ws_next,
    .position_text = ws_position_text,
    .seek = ws_seek,
    .identity = ws_identity,
    .counts = ws_counts,
    .free = ws_free,
};

es_edge_source *es_wal_source_new(es_wal *wal, gint64 linger_us)
{
    GError *e = NULL;
    es_wal_cursor *c = es_wal_cursor_new(es_wal_dir(wal), es_wal_start(wal), &e);
    if (c == NULL) {
        g_error_free(e);
        return NULL;
    }
    wal_source *w = g_new0(wal_source, 1);
    w->base.cls = &wal_class;
    w->wal = wal;
    w->cursor = c;
    w->linger_us = linger_us > 0 ? linger_us : 1;
    w->payload = g_byte_array_new();
    w->producers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    w->read_pos = es_wal_start(wal);
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    return &w->base;
}

void es_wal_source_notify(es_edge_source *s)
{
    wal_source *w = (wal_source *)s;
    g_mutex_lock(&w->lock);
    w->notified = TRUE;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
}

void es_wal_source_flush(es_edge_source *s)
{
    wal_source *w = (wal_source *)s;
    g_mutex_lock(&w->lock);
    w->flush = TRUE;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
}

void es_wal_source_stop(es_edge_source *s)
{
    wal_source *w = (wal_source *)s;
    g_mutex_lock(&w->lock);
    w->stopping = TRUE;
    w->notified = TRUE;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
}

uint64_t es_wal_source_read_pos(es_edge_source *s)
{
    return __atomic_load_n(&((wal_source *)s)->read_pos, __ATOMIC_ACQUIRE);
}
