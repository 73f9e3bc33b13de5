/* wal.c — segmented write-ahead log with CRC-32C records (see wal.h and
 * docs/serve.md).  Segment discovery is a directory scan at open; the
 * writer keeps the open segment's fd, the cursor opens segments by name
 * (a segment is named by its start, which is the previous one's end).
 */
#include "server/wal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "graph/common.h"
#include "snapshot/crc.h"

#define HDR 8
#define REC_HDR 16   /* type, flags, id_len, n, seq */

struct es_wal {
    char    *dir;
    char    *identity;
    int      lock_fd;
    int      fd;               /* open segment, appended to */
    uint64_t seg_start, seg_bytes;
    uint64_t segment_bytes;
    GMutex   lock;             /* fd swaps against es_wal_sync */
    uint64_t end;              /* atomic: appended so far */
    uint64_t synced;           /* durable so far (under lock) */
    GArray  *segments;         /* uint64_t starts, oldest first */
};

static uint32_t crc32c(const void *p, size_t n)
{
    return crc32_iscsi((unsigned char *)p, (int)n, 0xFFFFFFFFu);
}

static char *seg_path(const char *dir, uint64_t start)
{
    return g_strdup_printf("%s/seg-%020" PRIu64 ".wal", dir, start);
}

void es_wal_encode(GByteArray *out, const char *id, guint id_len, uint64_t seq, uint32_t n, const uint64_t *uv,
                   const int64_t *t, const uint8_t *del)
{
    g_byte_array_set_size(out, 0);
    uint8_t h[REC_HDR];
    uint16_t il = (uint16_t)MIN(id_len, ES_WAL_MAX_ID);
    h[0] = 1;
    h[1] = (t ? 1 : 0) | (del ? 2 : 0);
    memcpy(h + 2, &il, 2);
    memcpy(h + 4, &n, 4);
    memcpy(h + 8, &seq, 8);
    g_byte_array_append(out, h, REC_HDR);
    if (il)
        g_byte_array_append(out, (const guint8 *)id, il);
    g_byte_array_append(out, (const guint8 *)uv, n * 16u);
    if (t)
        g_byte_array_append(out, (const guint8 *)t, n * 8u);
    if (del)
        g_byte_array_append(out, del, n);
}

gboolean es_wal_decode(const uint8_t *p, size_t len, es_wal_record *r)
{
    if (len < REC_HDR || p[0] != 1 || p[1] > 3)
        return FALSE;
    uint16_t il;
    memcpy(&il, p + 2, 2);
    memcpy(&r->n, p + 4, 4);
    memcpy(&r->seq, p + 8, 8);
    size_t per = 16 + (p[1] & 1 ? 8 : 0) + (p[1] & 2 ? 1 : 0);
    if (il > ES_WAL_MAX_ID || len != REC_HDR + il + (size_t)r->n * per)
        return FALSE;
    r->id = (const char *)p + REC_HDR;
    r->id_len = il;
    r->uv = (const uint64_t *)(p + REC_HDR + il);   /* unaligned when il % 8: x86 only reads */
    r->t = p[1] & 1 ? (const int64_t *)(p + REC_HDR + il + (size_t)r->n * 16) : NULL;
    r->del = p[1] & 2 ? p + REC_HDR + il + (size_t)r->n * (p[1] & 1 ? 24 : 16) : NULL;
    return TRUE;
}

/* Scan segment fd (of length len) from 0: the end of its last whole record. */
static uint64_t valid_prefix(int fd, uint64_t len)
{
    uint64_t off = 0;
    GByteArray *buf = g_byte_array_new();
    for (;;) {
        uint32_t h[2];
        if (off + HDR > len || !es_read_full(fd, h, HDR, off) || h[0] > ES_WAL_MAX_RECORD || off + HDR + h[0] > len)
            break;
        g_byte_array_set_size(buf, h[0]);
        if (!es_read_full(fd, buf->data, h[0], off + HDR) || crc32c(buf->data, h[0]) != h[1])
            break;
        off += HDR + h[0];
    }
    g_byte_array_free(buf, TRUE);
    return off;
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static gboolean fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    gboolean ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Start a new segment at the current end. */
static gboolean new_segment(es_wal *w, GError **error)
{
    g_autofree char *path = seg_path(w->dir, w->end);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || !fsync_dir(w->dir)) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create WAL segment %s: %s", path, g_strerror(e));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    g_mutex_lock(&w->lock);
    if (w->fd >= 0) {
        fdatasync(w->fd);   /* a closed segment is durable */
        close(w->fd);
    }
    w->fd = fd;
    w->synced = w->end;
    g_mutex_unlock(&w->lock);
    w->seg_start = w->end;
    w->seg_bytes = 0;
    g_mutex_lock(&w->lock);
    g_array_append_val(w->segments, w->seg_start);
    g_mutex_unlock(&w->lock);
    return TRUE;
}

static char *read_or_make_identity(const char *dir, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "ID", NULL);
    char *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_strstrip(text);
        return text;
    }
    char *id = g_uuid_string_random();
    g_autofree char *line = g_strdup_printf("%s\n", id);
    if (!g_file_set_contents(path, line, -1, error)) {
        g_free(id);
        return NULL;
    }
    return id;
}

es_wal *es_wal_open(const char *dir, uint64_t segment_bytes, uint64_t *cut, GError **error)
{
    es_wal *w = g_new0(es_wal, 1);
    w->dir = g_strdup(dir);
    w->fd = -1;
    w->lock_fd = -1;
    w->segment_bytes = segment_bytes;
    w->segments = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_mutex_init(&w->lock);
    *cut = 0;
    g_autofree char *lock = g_build_filename(dir, "LOCK", NULL);
    GDir *d = NULL;
    GError *e = NULL;
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int en = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create WAL directory %s: %s", dir, g_strerror(en));
        goto fail;
    }
    w->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0) {
        int en = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open %s: %s", lock, g_strerror(en));
        goto fail;
    }
    if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "the WAL directory %s is in use by another server (%s is locked)",
                    dir, lock);
        goto fail;
    }
    if ((w->identity = read_or_make_identity(dir, &e)) == NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot write the WAL's identity in %s: %s", dir, e->message);
        g_error_free(e);
        goto fail;
    }
    if ((d = g_dir_open(dir, 0, &e)) == NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot list %s: %s", dir, e->message);
        g_error_free(e);
        goto fail;
    }
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        uint64_t start;
        char tail[8];
        if (sscanf(name, "seg-%20" SCNu64 ".%3s", &start, tail) == 2 && strcmp(tail, "wal") == 0 &&
            strlen(name) == 28)
            g_array_append_val(w->segments, start);
    }
    g_array_sort(w->segments, cmp_u64);
    if (w->segments->len > 0) {
        uint64_t last = g_array_index(w->segments, uint64_t, w->segments->len - 1);
        g_autofree char *path = seg_path(dir, last);
        int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            int en = errno;
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open WAL segment %s: %s", path, g_strerror(en));
            if (fd >= 0)
                close(fd);
            goto fail;
        }
        uint64_t good = valid_prefix(fd, (uint64_t)st.st_size);
        if (good < (uint64_t)st.st_size) {
            *cut = (uint64_t)st.st_size - good;
            if (ftruncate(fd, (off_t)good) != 0 || fdatasync(fd) != 0) {
                int en = errno;
                g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot cut the torn tail of %s: %s", path, g_strerror(en));
                close(fd);
                goto fail;
            }
        }
        w->fd = fd;
        w->seg_start = last;
        w->seg_bytes = good;
        w->end = last + good;
        w->synced = w->end;
    } else if (!new_segment(w, error)) {
        goto fail;
    }
    g_dir_close(d);
    return w;
fail:
    if (d)
        g_dir_close(d);
    es_wal_close(w);
    return NULL;
}

gboolean es_wal_append(es_wal *w, const uint8_t *payload, size_t len, uint64_t *end, GError **error)
{
    g_return_val_if_fail(len <= ES_WAL_MAX_RECORD, FALSE);
    if (w->seg_bytes > 0 && w->seg_bytes + HDR + len > w->segment_bytes && !new_segment(w, error))
        return FALSE;
    uint32_t h[2] = { (uint32_t)len, crc32c(payload, len) };
    /* One writev for header and payload (a short one is finished by
     * es_write_full): a crash tears at most this record, which open() cuts. */
    struct iovec iov[2] = { { h, HDR }, { (void *)payload, len } };
    ssize_t k;
    while ((k = writev(w->fd, iov, 2)) < 0 && errno == EINTR)
        ;
    gboolean ok = k >= 0;
    if (ok && (size_t)k < HDR + len) {
        size_t done = (size_t)k;
        ok = done >= HDR ? es_write_full(w->fd, payload + (done - HDR), len - (done - HDR), -1)
                         : es_write_full(w->fd, (uint8_t *)h + done, HDR - done, -1) &&
                                       es_write_full(w->fd, payload, len, -1);
    }
    if (!ok) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot append to the WAL in %s: %s", w->dir, g_strerror(e));
        return FALSE;
    }
    w->seg_bytes += HDR + len;
    __atomic_store_n(&w->end, w->end + HDR + len, __ATOMIC_RELEASE);
    *end = w->end;
    return TRUE;
}

gboolean es_wal_sync(es_wal *w, uint64_t *durable, GError **error)
{
    g_mutex_lock(&w->lock);
    uint64_t end = __atomic_load_n(&w->end, __ATOMIC_ACQUIRE);
    int fd = end > w->synced ? dup(w->fd) : -2;
    g_mutex_unlock(&w->lock);
    if (fd == -2) {
        *durable = end;
        return TRUE;
    }
    if (fd < 0 || fdatasync(fd) != 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot sync the WAL in %s: %s", w->dir, g_strerror(e));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    close(fd);
    g_mutex_lock(&w->lock);
    if (end > w->synced)
        w->synced = end;
    *durable = w->synced;
    g_mutex_unlock(&w->lock);
    return TRUE;
}

uint64_t es_wal_end(es_wal *w)
{
    return __atomic_load_n(&w->end, __ATOMIC_ACQUIRE);
}

uint64_t es_wal_start(es_wal *w)
{
    g_mutex_lock(&w->lock);
    uint64_t start = w->segments->len ? g_array_index(w->segments, uint64_t, 0) : 0;
    g_mutex_unlock(&w->lock);
    return start;
}

uint64_t es_wal_bytes(es_wal *w)
{
    return es_wal_end(w) - es_wal_start(w);
}

const char *es_wal_identity(const es_wal *w)
{
    return w->identity;
}

const char *es_wal_dir(const es_wal *w)
{
    return w->dir;
}

void es_wal_remove_before(es_wal *w, uint64_t pos)
{
    /* Segment i ends where segment i+1 starts; the open one is kept. */
    g_mutex_lock(&w->lock);
    guint drop = 0;
    while (drop + 1 < w->segments->len && g_array_index(w->segments, uint64_t, drop + 1) <= pos) {
        g_autofree char *path = seg_path(w->dir, g_array_index(w->segments, uint64_t, drop));
        unlink(path);
        drop++;
    }
    if (drop)
        g_array_remove_range(w->segments, 0, drop);
    g_mutex_unlock(&w->lock);
}

void es_wal_close(es_wal *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0) {
        fdatasync(w->fd);
        close(w->fd);
    }
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    g_mutex_clear(&w->lock);
    g_array_free(w->segments, TRUE);
    g_free(w->identity);
    g_free(w->dir);
    g_free(w);
}

struct es_wal_cursor {
    char    *dir;
    int      fd;
    uint64_t seg_start;
    uint64_t pos;
};

/* Open the segment holding pos: the newest whose start is <= pos. */
static gboolean cursor_open(es_wal_cursor *c, GError **error)
{
    GDir *d = g_dir_open(c->dir, 0, NULL);
    uint64_t best = UINT64_MAX;
    for (const char *name; d && (name = g_dir_read_name(d)) != NULL;) {
        uint64_t start;
        if (strlen(name) == 28 && sscanf(name, "seg-%20" SCNu64 ".wal", &start) == 1 && start <= c->pos &&
            (best == UINT64_MAX || start > best))
            best = start;
    }
    if (d)
        g_dir_close(d);
    if (best == UINT64_MAX) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the WAL in %s has no segment holding position %" PRIu64
                    " (deleted?)", c->dir, c->pos);
        return FALSE;
    }
    g_autofree char *path = seg_path(c->dir, best);
    c->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot open %s: %s", path, g_strerror(e));
        return FALSE;
    }
    c->seg_start = best;
    return TRUE;
}

es_wal_cursor *es_wal_cursor_new(const char *dir, uint64_t pos, GError **error)
{
    es_wal_cursor *c = g_new0(es_wal_cursor, 1);
    c->dir = g_strdup(dir);
    c->pos = pos;
    c->fd = -1;
    if (!cursor_open(c, error)) {
        es_wal_cursor_free(c);
        return NULL;
    }
    return c;
}

/* Is no segment after the cursor's? */
static gboolean last_segment(const es_wal_cursor *c)
{
    GDir *d = g_dir_open(c->dir, 0, NULL);
    gboolean last = TRUE;
    for (const char *name; d && last && (name = g_dir_read_name(d)) != NULL;) {
        uint64_t start;
        if (strlen(name) == 28 && sscanf(name, "seg-%20" SCNu64 ".wal", &start) == 1 && start > c->seg_start)
            last = FALSE;
    }
    if (d)
        g_dir_close(d);
    return last;
}

static void goto_damaged(const es_wal_cursor *c, GError **error)
{
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "the WAL in %s is damaged at position %" PRIu64, c->dir, c->pos);
}

uint64_t es_wal_first(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    uint64_t best = UINT64_MAX;
    for (const char *name; d && (name = g_dir_read_name(d)) != NULL;) {
        uint64_t start;
        if (strlen(name) == 28 && sscanf(name, "seg-%20" SCNu64 ".wal", &start) == 1 && start < best)
            best = start;
    }
    if (d)
        g_dir_close(d);
    return best == UINT64_MAX ? 0 : best;
}

int es_wal_cursor_next(es_wal_cursor *c, uint64_t limit, GByteArray *payload, uint64_t *at, GError **error)
{
    for (;;) {
        if (c->pos + HDR > limit)
            return 0;
        uint32_t h[2];
        struct stat st;
        if (fstat(c->fd, &st) != 0)
            goto io;
        if (c->pos - c->seg_start >= (uint64_t)st.st_size) {
            if (c->seg_start == c->pos)
                return 0;   /* an empty segment: nothing after it yet */
            /* This segment is done: the next one starts here. */
            g_autofree char *next = seg_path(c->dir, c->pos);
            int fd = open(next, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return 0;   /* not created yet */
            close(c->fd);
            c->fd = fd;
            c->seg_start = c->pos;
            continue;
        }
        uint64_t off = c->pos - c->seg_start, size = (uint64_t)st.st_size;
        /* A record cut short at the end of the last segment is a torn
         * tail (es_wal_open cuts it): the end, for a reader. */
        if (off + HDR > size)
            return last_segment(c) ? 0 : (goto_damaged(c, error), -1);
        if (!es_read_full(c->fd, h, HDR, off) || h[0] > ES_WAL_MAX_RECORD)
            goto damaged;
        if (c->pos + HDR + h[0] > limit)
            return 0;
        if (off + HDR + h[0] > size)
            return last_segment(c) ? 0 : (goto_damaged(c, error), -1);
        g_byte_array_set_size(payload, h[0]);
        if (!es_read_full(c->fd, payload->data, h[0], off + HDR) || crc32c(payload->data, h[0]) != h[1])
            goto damaged;
        *at = c->pos;
        c->pos += HDR + h[0];
        return 1;
    }
io:
    g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot read the WAL in %s: %s", c->dir, g_strerror(errno));
    return -1;
damaged:
    goto_damaged(c, error);
    return -1;
}

uint64_t es_wal_cursor_pos(const es_wal_cursor *c)
{
    return c->pos;
}

void es_wal_cursor_free(es_wal_cursor *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    g_free(c->dir);
    g_free(c);
}
