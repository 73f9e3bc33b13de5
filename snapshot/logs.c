/* logs.c — append-only arrays shared by successive snapshots (see logs.h). */
#include "snapshot/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "graph/common.h"
#include "snapshot/crc.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/fields.h"

/* Appends go in pieces that stay in the L2 cache between the CRC that
 * reads a piece and the write that copies it (one pass over memory, not
 * two: the writer shares the memory bus with the stream). */
#define IO_PIECE ((size_t)128 << 10)

/* A new file's room: what it holds plus the generation's base (so the
 * generation ends, by the rule in logs.h, before a steady log fills it),
 * at least FLOOR, in whole direct-I/O blocks. */
#define FLOOR ((uint64_t)4096)

/* Where a log's committed bytes are on disk: its file, the data's start,
 * the data bytes, the CRC-32 of the file's first start + bytes bytes. */
typedef struct {
    char    *file;
    uint64_t start, bytes;
    uint32_t crc;
} log_place;

typedef struct {
    char    *path;      /* dataset path in the snapshot, "/edges/keys" */
    char    *file;      /* file name in the snapshot directory */
    uint64_t bytes;     /* committed length of the array (data bytes) */
    uint32_t crc;       /* crc32 of the file's first start + bytes bytes */
    uint64_t start;     /* the data's offset in the file (after HDF5's header) */
    uint64_t cap;       /* the data's room in the file, bytes */
    gboolean used;      /* written by the snapshot in progress (or the last one) */
    int      fd;        /* appended to, not yet synced (es_snapshot_logs_end), or -1 */
    gboolean committed; /* listed by the last committed snapshot */
    const void *src;    /* the array, once written in this snapshot */
    gboolean recycles;  /* its memory forgets committed bytes (es_log_recycles) */
    /* Where the array's first bytes are besides: its file in the previous
     * generation's last snapshot (the fallback that retention keeps), and
     * the one before that (file NULL: none).  Its memory releases only
     * what `was` holds, so that a released byte is in two files. */
    log_place was, older;
    /* A recycled log's appends go to `was` too, past the bytes its
     * snapshot lists (mirror): mfd, not yet synced, or -1; was's length
     * and CRC once this snapshot commits, mirror_to 0 when none. */
    int      mfd;
    uint64_t mirror_to;
    uint32_t mirror_crc;
} log_entry;

struct es_snapshot_logs {
    GPtrArray *entries;
    GPtrArray *kept;       /* copies of the entries as the last committed snapshot left them */
    char      *dir;
    uint64_t   id;
    gboolean   direct;     /* appends with O_DIRECT (es_snapshot_logs_set_direct) */
    /* Generations (logs.h): */
    uint64_t   gen_base;   /* data bytes of the generation's first snapshot */
    uint64_t   prev_total; /* data bytes of the snapshot before the last one */
    gboolean   gen_start;  /* the snapshot being written starts a generation */
    gboolean   first_gen;  /* this generation's files are the run's first (no file before them) */
    gboolean   early;      /* the snapshot being written ends the first generation early */
    gboolean   last;       /* the run writes no snapshot after the next (es_snapshot_logs_last) */
    gboolean   overflow;   /* a log outgrew its file's room in this snapshot */
};

static void entry_free(gpointer p)
{
    log_entry *e = p;
    if (e->fd >= 0)
        close(e->fd);
    if (e->mfd >= 0)
        close(e->mfd);
    g_free(e->path);
    g_free(e->file);
    g_free(e->was.file);
    g_free(e->older.file);
    g_free(e);
}

es_snapshot_logs *es_snapshot_logs_new(void)
{
    es_snapshot_logs *logs = g_new0(es_snapshot_logs, 1);
    logs->direct = TRUE;
    logs->entries = g_ptr_array_new_with_free_func(entry_free);
    logs->kept = g_ptr_array_new_with_free_func(entry_free);
    return logs;
}

void es_snapshot_logs_free(es_snapshot_logs *logs)
{
    if (logs == NULL)
        return;
    g_ptr_array_free(logs->entries, TRUE);
    g_ptr_array_free(logs->kept, TRUE);
    g_free(logs->dir);
    g_free(logs);
}

/* A log file name we would have written: "log-" and then letters, digits,
 * '.', '-' and '_' only (no path, no space). */
static gboolean valid_file_name(const char *f)
{
    const size_t len = strlen(f);
    if (!g_str_has_prefix(f, "log-") || len <= 4 || len >= 256)
        return FALSE;
    for (const char *c = f; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
            return FALSE;
    return TRUE;
}

/* Only digits (no sign, no space), at most `max` of them, at least one. */
static gboolean all_of(const char *s, gboolean hex, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!(hex ? g_ascii_isxdigit(s[n]) && !g_ascii_isupper(s[n]) : g_ascii_isdigit(s[n])))
            return FALSE;
    return n > 0 && n <= max;
}

/* Parse one "log PATH FILE BYTES CRC START ROOM" line into an entry:
 * numbers decimal (below 2^63), CRC exactly 8 lower-case hex digits;
 * START a whole number of 4096-byte blocks, within BYTES.  NULL when
 * malformed. */
static log_entry *parse_line(const char *line)
{
    g_auto(GStrv) w = g_strsplit(line, " ", -1);
    if (g_strv_length(w) != 7 || strcmp(w[0], "log") != 0 || w[1][0] != '/' || !valid_file_name(w[2]) ||
        !all_of(w[3], FALSE, 18) || !all_of(w[4], TRUE, 8) || strlen(w[4]) != 8 || !all_of(w[5], FALSE, 18) ||
        !all_of(w[6], FALSE, 18))
        return NULL;
    const guint64 bytes = g_ascii_strtoull(w[3], NULL, 10);
    const guint64 crc = g_ascii_strtoull(w[4], NULL, 16);
    const guint64 start = g_ascii_strtoull(w[5], NULL, 10), cap = g_ascii_strtoull(w[6], NULL, 10);
    if (start == 0 || start % 4096 != 0 || start > bytes || bytes - start > cap)
        return NULL;
    log_entry *e = g_new(log_entry, 1);
    *e = (log_entry){ .path = g_strdup(w[1]), .file = g_strdup(w[2]), .bytes = bytes - start, .crc = (uint32_t)crc,
                      .start = start, .cap = cap, .used = TRUE, .fd = -1, .committed = TRUE, .mfd = -1 };
    return e;
}

/* The entries of text's "log " lines (a table's entries array), or NULL
 * at the first malformed one. */
static GPtrArray *parse_entries(const char *text, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    GPtrArray *all = g_ptr_array_new_with_free_func(entry_free);
    for (guint i = 0; lines[i]; i++) {
        log_entry *e = g_str_has_prefix(lines[i], "log ") ? parse_line(lines[i]) : NULL;
        if (e != NULL) {
            g_ptr_array_add(all, e);
        } else if (g_str_has_prefix(lines[i], "log ")) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "malformed log line \"%.80s\"", lines[i]);
            g_ptr_array_free(all, TRUE);
            return NULL;
        }
    }
    return all;
}

/* Copies of entries (their files closed, -1). */
static GPtrArray *copy_entries(const GPtrArray *from)
{
    GPtrArray *to = g_ptr_array_new_with_free_func(entry_free);
    for (guint i = 0; i < from->len; i++) {
        const log_entry *e = g_ptr_array_index(from, i);
        log_entry *c = g_new(log_entry, 1);
        *c = *e;
        c->path = g_strdup(e->path);
        c->file = g_strdup(e->file);
        c->was.file = g_strdup(e->was.file);
        c->older.file = g_strdup(e->older.file);
        c->fd = c->mfd = -1;
        g_ptr_array_add(to, c);
    }
    return to;
}

/* The entries are those of a committed snapshot: keep a copy. */
static void keep_committed(es_snapshot_logs *logs)
{
    g_ptr_array_free(logs->kept, TRUE);
    logs->kept = copy_entries(logs->entries);
}

/* The "logs GEN_BASE PREV_TOTAL" line of text, if any. */
static gboolean parse_generation(const char *text, uint64_t *base, uint64_t *prev)
{
    *base = *prev = 0;
    const char *at = text ? strstr(text, "\nlogs ") : NULL;
    const char *line = text && g_str_has_prefix(text, "logs ") ? text : at ? at + 1 : NULL;
    if (line == NULL)
        return TRUE;
    g_autofree char *copy = g_strndup(line, strcspn(line, "\n"));
    g_auto(GStrv) w = g_strsplit(copy, " ", -1);
    if (g_strv_length(w) != 3 || !all_of(w[1], FALSE, 18) || !all_of(w[2], FALSE, 18))
        return FALSE;
    *base = g_ascii_strtoull(w[1], NULL, 10);
    *prev = g_ascii_strtoull(w[2], NULL, 10);
    return TRUE;
}

gboolean es_snapshot_logs_parse(es_snapshot_logs *logs, const char *text, GError **error)
{
    uint64_t base, prev;
    if (!parse_generation(text, &base, &prev)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "malformed \"logs\" line");
        return FALSE;
    }
    GPtrArray *fresh = parse_entries(text, error);
    if (fresh == NULL)
        return FALSE;
    g_ptr_array_free(logs->entries, TRUE);
    logs->entries = fresh;
    logs->gen_base = base;
    logs->prev_total = prev;
    keep_committed(logs);
    return TRUE;
}

static uint64_t total_bytes(const es_snapshot_logs *logs);

char *es_snapshot_logs_format(const es_snapshot_logs *logs)
{
    GString *s = g_string_new(NULL);
    gboolean any = FALSE;
    for (guint i = 0; i < logs->entries->len; i++) {
        const log_entry *e = g_ptr_array_index(logs->entries, i);
        if (e->used) {
            g_string_append_printf(s, "log %s %s %" G_GUINT64_FORMAT " %08x %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                                   e->path, e->file, (guint64)(e->start + e->bytes), e->crc, (guint64)e->start,
                                   (guint64)e->cap);
            any = TRUE;
        }
    }
    if (any)   /* (a generation's base is its first snapshot's bytes: es_snapshot_logs_end) */
        g_string_append_printf(s, "logs %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                               (guint64)(logs->gen_start ? total_bytes(logs) : logs->gen_base),
                               (guint64)logs->prev_total);
    return g_string_free(s, FALSE);
}

/* Data bytes of the last snapshot's logs. */
static uint64_t total_bytes(const es_snapshot_logs *logs)
{
    uint64_t total = 0;
    for (guint i = 0; i < logs->entries->len; i++) {
        const log_entry *e = g_ptr_array_index(logs->entries, i);
        total += e->used && e->file != NULL ? e->bytes : 0;
    }
    return total;
}

/* Forget what this snapshot wrote past `was`'s bytes (not committed). */
static void drop_mirror(log_entry *e)
{
    if (e->mfd >= 0)
        close(e->mfd);
    e->mfd = -1;
    e->mirror_to = 0;
    e->mirror_crc = 0;
}

/* Forget every file: the next writes start new ones, a new generation.
 * With `same` (the arrays go on), each remembers its committed file and
 * the one before (what its memory released is read there); otherwise the
 * arrays were replaced, and their old files hold nothing of them. */
void es_snapshot_logs_restart(es_snapshot_logs *logs, gboolean same)
{
    for (guint i = 0; i < logs->entries->len; i++) {
        log_entry *e = g_ptr_array_index(logs->entries, i);
        if (e->fd >= 0)
            close(e->fd);
        e->fd = -1;
        drop_mirror(e);
        g_free(e->older.file);
        e->older = same ? e->was : (log_place){ NULL, 0, 0, 0 };
        if (!same)
            g_free(e->was.file);
        e->was = (log_place){ NULL, 0, 0, 0 };
        if (same && e->file != NULL && e->committed)
            e->was = (log_place){ g_strdup(e->file), e->start, e->bytes, e->crc };
        g_clear_pointer(&e->file, g_free);
        e->committed = FALSE;
        e->bytes = e->start = e->cap = 0;
        e->crc = 0;
        e->used = FALSE;
        e->src = NULL;
    }
    if (!same)   /* (the committed copies describe the arrays replaced) */
        g_ptr_array_set_size(logs->kept, 0);
    logs->gen_start = TRUE;
    logs->first_gen = FALSE;
}

void es_snapshot_logs_rollback(es_snapshot_logs *logs)
{
    g_ptr_array_free(logs->entries, TRUE);
    logs->entries = copy_entries(logs->kept);
    es_snapshot_logs_restart(logs, TRUE);
}

void es_snapshot_logs_begin(es_snapshot_logs *logs, const char *dir, uint64_t snapshot_id)
{
    g_free(logs->dir);
    logs->dir = g_strdup(dir);
    logs->id = snapshot_id;
    logs->overflow = FALSE;
    /* A new generation when the bytes appended since this one began, with
     * as many again as the last interval appended, would exceed its base. */
    const uint64_t total = total_bytes(logs);
    const uint64_t growth = total > logs->prev_total ? total - logs->prev_total : 0;
    logs->prev_total = total;
    /* The run's first generation ends at its second snapshot when a log
     * recycles its memory: its bytes are in no file but the first one, so
     * that memory could release nothing until the next generation began
     * (with the doubling rule, at the third snapshot, or later when
     * barriers are deferred): the log's high-water mark.  The second
     * generation copies one interval from memory, and mirrors into the
     * first files from then on. */
    gboolean recycling = FALSE;
    for (guint i = 0; i < logs->entries->len; i++)
        recycling |= ((const log_entry *)g_ptr_array_index(logs->entries, i))->recycles;
    logs->early = logs->first_gen && total > 0 && recycling && !logs->last;
    logs->first_gen = total == 0;
    logs->gen_start = total == 0;   /* the first files of a run (or of its logs) */
    /* (a run's last snapshot appends: a full copy then, read back from
     * disk where memory released it, would only make the run's end wait) */
    if (total > 0 && !logs->last && (logs->early || total + growth - MIN(logs->gen_base, total) > logs->gen_base))
        es_snapshot_logs_restart(logs, TRUE);
    for (guint i = 0; i < logs->entries->len; i++) {
        log_entry *e = g_ptr_array_index(logs->entries, i);
        e->used = FALSE;
        e->src = NULL;
        drop_mirror(e);
    }
}

void es_snapshot_logs_last(es_snapshot_logs *logs)
{
    logs->last = TRUE;
}

gboolean es_snapshot_logs_retry(es_snapshot_logs *logs)
{
    if (!logs->overflow)
        return FALSE;
    logs->overflow = FALSE;
    es_snapshot_logs_restart(logs, TRUE);
    return TRUE;
}

gboolean es_snapshot_logs_end(es_snapshot_logs *logs, int also, const char *also_path, GError **error)
{
    gboolean ok = TRUE;
    if (logs->gen_start) {
        logs->gen_base = total_bytes(logs);
        logs->gen_start = FALSE;
    }
    /* Synced together: one commit of the file system for all of them. */
    int *fds = g_new(int, 2 * logs->entries->len + 1);
    guint n = 0, mains;
    if (also >= 0)
        fds[n++] = also;
    for (guint i = 0; i < logs->entries->len; i++) {
        const log_entry *e = g_ptr_array_index(logs->entries, i);
        if (e->fd >= 0)
            fds[n++] = e->fd;
    }
    mains = n;   /* (the mirrors after them: a failure there is only no mirror) */
    for (guint i = 0; i < logs->entries->len; i++) {
        const log_entry *e = g_ptr_array_index(logs->entries, i);
        if (e->mfd >= 0)
            fds[n++] = e->mfd;
    }
    const int failed = es_fsync_all(fds, n), err = errno;
    if (also >= 0 && failed == 0) {
        errno = err;
        ok = es_io_error(error, "cannot fsync", also_path);
    }
    for (guint i = 0; i < logs->entries->len; i++) {
        log_entry *e = g_ptr_array_index(logs->entries, i);
        if (e->mfd >= 0) {
            if (failed >= 0 && (guint)failed >= mains)
                e->mirror_to = 0;
            es_drop_cached(e->mfd);
            close(e->mfd);
            e->mfd = -1;
        }
        if (e->fd < 0)
            continue;
        if (ok && failed >= 0 && e->fd == fds[failed]) {
            g_autofree char *path = g_build_filename(logs->dir, e->file, NULL);
            errno = err;
            ok = es_io_error(error, "cannot fsync", path);
        }
        es_drop_cached(e->fd);
        close(e->fd);
        e->fd = -1;
    }
    g_free(fds);
    return ok;
}

void es_snapshot_logs_release(es_snapshot_logs *logs)
{
    for (guint i = 0; i < logs->entries->len; i++) {
        log_entry *e = g_ptr_array_index(logs->entries, i);
        e->committed = e->used;
        if (e->used && e->mirror_to > e->was.bytes && e->was.file != NULL) {
            e->was.bytes = e->mirror_to;
            e->was.crc = e->mirror_crc;
        }
        e->mirror_to = 0;
        if (e->used && e->src != NULL && e->was.file != NULL)
            es_log_release(e->src, MIN(e->bytes, e->was.bytes));
    }
    keep_committed(logs);
}

void es_snapshot_logs_set_direct(es_snapshot_logs *logs, gboolean on)
{
    logs->direct = on;
}

/* Direct I/O works in blocks of the device's logical size: 4096 covers
 * every disk in use. */
#define DIRECT_BLOCK ((uint64_t)4096)

/* Write bytes [from, to) of a to fd at offsets base + from .. base + to
 * (base a whole number of blocks), with O_DIRECT: from the block that
 * holds `from` (its bytes before it are those the file has: the array is
 * the file's data) to the last whole block before `to`, straight from a;
 * the last partial block through an aligned buffer (es_write_full writes
 * through the cache where the file system refuses direct I/O).  FALSE
 * without error, nothing written, when a is not aligned or the file
 * cannot be set to O_DIRECT; *ok says whether the write succeeded. */
static gboolean append_direct(int fd, const unsigned char *a, uint64_t base, uint64_t from, uint64_t to,
                              gboolean *ok, const char *path, GError **error)
{
    *ok = TRUE;
    const int flags = fcntl(fd, F_GETFL);
    if (((uintptr_t)a & (DIRECT_BLOCK - 1)) != 0 || flags < 0 || fcntl(fd, F_SETFL, flags | O_DIRECT) != 0)
        return FALSE;
    const uint64_t lo = from & ~(DIRECT_BLOCK - 1), mid = to & ~(DIRECT_BLOCK - 1);
    *ok = es_write_full(fd, (const char *)a + lo, (size_t)(mid - lo), (int64_t)(base + lo));
    if (*ok && mid < to) {
        char *tail = NULL;
        if (posix_memalign((void **)&tail, DIRECT_BLOCK, DIRECT_BLOCK) != 0)
            es_out_of_memory(DIRECT_BLOCK, "a direct-I/O block");
        memset(tail, 0, DIRECT_BLOCK);
        memcpy(tail, a + mid, (size_t)(to - mid));
        *ok = es_write_full(fd, tail, DIRECT_BLOCK, (int64_t)(base + mid));
        free(tail);
    }
    fcntl(fd, F_SETFL, flags);
    if (!*ok)
        es_io_error(error, "cannot write", path);
    return TRUE;
}

/* Write bytes [from, to) of a to fd at offsets base + from ..; crc32 of
 * them, a piece at a time between the CRC that reads it and the write
 * that copies it. */
static gboolean append(int fd, const unsigned char *a, uint64_t base, uint64_t from, uint64_t to, uint32_t *crc,
                       const char *path, GError **error)
{
    uint32_t c = 0;
    for (uint64_t off = from; off < to; off += IO_PIECE) {
        const size_t want = (size_t)MIN((uint64_t)IO_PIECE, to - off);
        c = es_crc32(c, a + off, want);
        if (!es_write_full(fd, (const char *)a + off, want, (int64_t)(base + off)))
            return es_io_error(error, "cannot write", path);
    }
    *crc = c;
    return TRUE;
}

/* Write bytes [from, to) of a to fd at offsets base + from .. (direct
 * I/O where it can be, else through the cache: append), and start
 * writing them to disk (es_snapshot_logs_end waits for it: fsync); *crc
 * gets their CRC-32, computed here unless `known` says it is there. */
static gboolean put_bytes(es_snapshot_logs *logs, int fd, const unsigned char *a, uint64_t base, uint64_t from,
                          uint64_t to, uint32_t *crc, gboolean known, const char *path, GError **error)
{
    gboolean ok = TRUE;
    if (logs->direct && append_direct(fd, a, base, from, to, &ok, path, error)) {
        if (ok && !known)
            *crc = es_crc32(0, a + from, to - from);
    } else {
        ok = append(fd, a, base, from, to, crc, path, error);
    }
    if (ok && sync_file_range(fd, (off_t)(base + from), (off_t)(to - from), SYNC_FILE_RANGE_WRITE) != 0)
        errno = 0;   /* only a head start: the fsync at the end is what counts */
    return ok;
}

/* path opened for writing (never blocking on a FIFO), when it is a
 * regular file of at least `least` bytes; else -1. */
static int open_regular(const char *path, uint64_t least)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < least)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static log_entry *find_or_add(es_snapshot_logs *logs, const char *path)
{
    for (guint i = 0; i < logs->entries->len; i++) {
        log_entry *e = g_ptr_array_index(logs->entries, i);
        if (strcmp(e->path, path) == 0)
            return e;
    }
    log_entry *e = g_new0(log_entry, 1);
    e->fd = e->mfd = -1;
    e->path = g_strdup(path);
    g_ptr_array_add(logs->entries, e);
    return e;
}

gboolean es_snapshot_log_file_create(const char *path, hid_t ftype, size_t elsize, uint64_t room, uint64_t *start,
                                     uint32_t *crc, GError **error)
{
    unlink(path);   /* whatever is there: a new regular file */
    es_h5_quiet();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    H5Pset_alignment(fapl, 1, DIRECT_BLOCK);
    /* No times in object headers (the root group's, the dataset's): the
     * same log gives the same bytes, and header CRC, whenever it is made. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t f = H5Fcreate(path, H5F_ACC_EXCL, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    if (f < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create %s", path);
        return FALSE;
    }
    hsize_t dims[1] = { room / elsize };
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t ds = H5Dcreate2(f, "data", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    haddr_t at = ds >= 0 ? H5Dget_offset(ds) : HADDR_UNDEF;
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    gboolean ok = H5Fclose(f) >= 0 && ds >= 0 && at != HADDR_UNDEF;
    int fd = ok ? open(path, O_RDWR | O_CLOEXEC) : -1;
    struct stat st;
    if (!ok || fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create %s (disk full?)", path);
        return FALSE;
    }
    if (at % DIRECT_BLOCK != 0 || (uint64_t)st.st_size != at + room) {
        close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_INTERNAL, "%s: HDF5 laid the log out unexpectedly (data at %" G_GUINT64_FORMAT ")",
                    path, (guint64)at);
        return FALSE;
    }
    *crc = 0;
    ok = es_crc32_range(fd, 0, at, crc, path, error);
    close(fd);
    *start = at;
    return ok;
}

/* Create e's file for an array of `bytes` bytes (es_snapshot_log_file_create). */
static gboolean create_file(es_snapshot_logs *logs, log_entry *e, uint64_t bytes, GError **error)
{
    g_autofree char *flat = g_strdelimit(g_strdup(e->path), "/", '.');
    g_free(e->file);
    e->file = g_strdup_printf("log-%06" G_GUINT64_FORMAT "%s.u64.h5", (guint64)logs->id, flat);
    g_autofree char *path = g_build_filename(logs->dir, e->file, NULL);
    /* (a generation's base is known at its first snapshot's end: the
     * snapshot before stands in for it) */
    uint64_t base = logs->gen_start ? logs->prev_total : logs->gen_base;
    if (logs->early)   /* (prev_total is then a single interval: room for a few more, deferred ones too) */
        base = MAX(base, 2 * bytes);
    const uint64_t room = (bytes + MAX(base, FLOOR) + DIRECT_BLOCK - 1) & ~(DIRECT_BLOCK - 1);
    uint64_t start = 0;
    uint32_t crc = 0;
    if (!es_snapshot_log_file_create(path, H5T_STD_U64LE, 8, room, &start, &crc, error))
        return FALSE;
    e->start = start;
    e->cap = room;
    e->bytes = 0;
    e->crc = crc;
    return TRUE;
}

void es_snapshot_logs_put(es_snapshot_logs *logs, const char *path, const char *file, uint64_t start,
                          uint64_t bytes, uint32_t crc, uint64_t cap)
{
    log_entry *e = find_or_add(logs, path);
    if (e->fd >= 0)
        close(e->fd);
    drop_mirror(e);
    g_free(e->file);
    *e = (log_entry){ .path = e->path, .file = g_strdup(file), .bytes = bytes, .crc = crc, .start = start,
                      .cap = cap, .used = TRUE, .fd = -1, .committed = e->committed, .was = e->was,
                      .older = e->older, .mfd = -1 };
}

/* Pieces of a copy from one log file to another. */
#define COPY_PIECE ((size_t)1 << 20)
/* The first `rel` bytes of e's array, which its memory released
 * (snapshot/logmem.h), into e's new file (fd, at e->start), from `from`,
 * the file that held them, read whole up to its committed length and
 * checked against its CRC: a damaged file is never copied on.  Direct
 * I/O both ways where the file system allows it (rel and the data's
 * starts are whole blocks): through the page cache, the two copies took
 * about as much CPU as the fresh memory the release saves. */
static gboolean copy_from(es_snapshot_logs *logs, log_entry *e, int fd, const log_place *from, uint64_t rel,
                          GError **error)
{
    g_autofree char *src = g_build_filename(logs->dir, from->file, NULL);
    g_autofree char *dst = g_build_filename(logs->dir, e->file, NULL);
    int in = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECT);
    if (in < 0 && errno == EINVAL)
        in = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (in < 0)
        return es_io_error(error, "cannot open", src);
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && logs->direct)
        fcntl(fd, F_SETFL, flags | O_DIRECT);
    char *buf = NULL;
    if (posix_memalign((void **)&buf, DIRECT_BLOCK, COPY_PIECE) != 0)
        es_out_of_memory(COPY_PIECE, "a log copy's buffer");
    /* (a file's length is the data's start plus its room, whole blocks
     * past its committed end: every read is of whole blocks) */
    const uint64_t end = from->start + from->bytes, lo = from->start, hi = from->start + rel;
    uint32_t all = 0, data = 0;
    gboolean ok = TRUE;
    for (uint64_t at = 0; ok && at < end;) {
        const size_t want = (size_t)MIN((uint64_t)COPY_PIECE, (end - at + DIRECT_BLOCK - 1) & ~(DIRECT_BLOCK - 1));
        const ssize_t got = pread(in, buf, want, (off_t)at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || ((size_t)got < want && at + (uint64_t)got < end)) {
            if (got >= 0)
                errno = EIO;
            ok = es_io_error(error, "cannot read", src);
            break;
        }
        const size_t n = (size_t)MIN((uint64_t)got, end - at);
        all = es_crc32(all, buf, n);
        const uint64_t a = MAX(at, lo), b = MIN(at + n, hi);
        if (a < b) {
            data = es_crc32(data, buf + (a - at), (size_t)(b - a));
            if (!es_write_full(fd, buf + (a - at), (size_t)(b - a), (int64_t)(e->start + (a - lo))))
                ok = es_io_error(error, "cannot write", dst);
        }
        at += n;
    }
    free(buf);
    close(in);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags);
    if (ok && all != from->crc) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s fails its checksum (the file is corrupt): the log %s cannot "
                    "begin a new generation", src, e->path);
        ok = FALSE;
    }
    if (ok) {
        e->crc = (uint32_t)crc32_combine(e->crc, data, (z_off_t)rel);
        e->bytes = rel;
    }
    return ok;
}

/* The first `rel` bytes of e's array from the first of the n places that
 * holds them whole and verifies (snapshot/logs.h: a released byte is in
 * two files, so one damaged file is healed from the other); otherwise
 * the error of the first damaged one, and the snapshot fails. */
static gboolean copy_released(es_snapshot_logs *logs, log_entry *e, int fd, const log_place *from, size_t n,
                              uint64_t rel, GError **error)
{
    GError *first = NULL;
    for (size_t i = 0; i < n; i++) {
        GError *err = NULL;
        if (from[i].file == NULL || from[i].bytes < rel)
            continue;
        if (copy_from(logs, e, fd, &from[i], rel, &err)) {
            if (first)
                fprintf(stderr, "edgestream: %s; copied from %s instead\n", first->message, from[i].file);
            g_clear_error(&first);
            return TRUE;
        }
        if (first == NULL)
            first = err;
        else
            g_error_free(err);
    }
    if (first == NULL)
        g_set_error(&first, ES_ERROR, ES_ERROR_INTERNAL, "%s: the first %" G_GUINT64_FORMAT " bytes of the log are "
                    "neither in memory nor in a log file", e->path, (guint64)rel);
    g_propagate_error(error, first);
    return FALSE;
}

/* A recycled log's bytes [was.bytes, bytes) to its file of the previous
 * generation too, past what that file's snapshot lists (whose CRC covers
 * only its prefix, so a writer that dies here harms no snapshot): once
 * this snapshot commits, the memory may release every committed byte,
 * each in two files, rather than only what `was` held when the
 * generation began (about half the log, in fresh pages: bench/RESULTS.md).
 * crc is that of a[from, bytes), the main file's new part.  A mirror
 * that cannot be written is only not one: the memory then keeps its
 * bytes. */
static void mirror(es_snapshot_logs *logs, log_entry *e, const unsigned char *a, uint64_t from, uint64_t bytes,
                   uint32_t crc)
{
    const uint64_t at = e->was.bytes;
    if (logs->last || e->was.file == NULL || at >= bytes || at < es_log_released(a) || !es_log_recycles(a))
        return;
    g_autofree char *path = g_build_filename(logs->dir, e->was.file, NULL);
    int fd = open_regular(path, e->was.start + at);
    uint32_t c = crc;
    if (fd >= 0 && !put_bytes(logs, fd, a, e->was.start, at, bytes, &c, at == from, path, NULL)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return;
    if (e->mfd >= 0)
        close(e->mfd);
    e->mfd = fd;
    e->mirror_to = bytes;
    e->mirror_crc = (uint32_t)crc32_combine(e->was.crc, c, (z_off_t)(bytes - at));
}

/* Extend e's file to a[0 .. bytes-1]; a new file when there is none, it
 * is shorter than recorded, or the array shrank.  An array that outgrew
 * its file's room fails with logs->overflow set (es_snapshot_logs_retry). */
static gboolean extend(es_snapshot_logs *logs, log_entry *e, const void *a, uint64_t bytes, GError **error)
{
    g_autofree char *path = NULL;
    int fd = -1;
    /* Where the bytes its memory released are, should a new file need
     * them: its file, and its files of the generations before. */
    log_place from[3] = { { NULL, 0, 0, 0 } };
    if (e->file)
        from[0] = (log_place){ g_strdup(e->file), e->start, e->bytes, e->crc };
    from[1] = (log_place){ g_strdup(e->was.file), e->was.start, e->was.bytes, e->was.crc };
    from[2] = (log_place){ g_strdup(e->older.file), e->older.start, e->older.bytes, e->older.crc };
    g_autofree char *from0 = from[0].file, *from1 = from[1].file, *from2 = from[2].file;
    if (e->file != NULL && bytes >= e->bytes) {
        path = g_build_filename(logs->dir, e->file, NULL);
        if (bytes > e->cap) {
            logs->overflow = TRUE;
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "%s: the log outgrew its file", path);
            return FALSE;
        }
        fd = open_regular(path, e->start + e->cap);
    }
    if (fd < 0) {
        if (!create_file(logs, e, bytes, error))
            return FALSE;
        g_free(path);
        path = g_build_filename(logs->dir, e->file, NULL);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return es_io_error(error, "cannot open", path);
    }
    if (bytes == e->bytes) {   /* nothing new: written by an earlier snapshot of this table */
        close(fd);
        e->used = TRUE;
        return TRUE;
    }
    const uint64_t rel = MIN((uint64_t)es_log_released(a), bytes);
    if (e->bytes < rel && !copy_released(logs, e, fd, from, G_N_ELEMENTS(from), rel, error)) {
        close(fd);
        return FALSE;
    }
    uint32_t crc = 0;
    if (!put_bytes(logs, fd, a, e->start, e->bytes, bytes, &crc, FALSE, path, error)) {
        close(fd);
        return FALSE;
    }
    if (e->fd >= 0)
        close(e->fd);
    e->fd = fd;
    mirror(logs, e, a, e->bytes, bytes, crc);
    e->crc = (uint32_t)crc32_combine(e->crc, crc, (z_off_t)(bytes - e->bytes));
    e->bytes = bytes;
    e->used = TRUE;
    e->recycles = es_log_recycles(a);
    return TRUE;
}

gboolean es_snapshot_log_link(hid_t g, const char *name, hid_t ftype, const char *file, uint64_t n, uint64_t room)
{
    hsize_t dims[1] = { n }, rdims[1] = { room }, zero[1] = { 0 };
    hid_t space = H5Screate_simple(1, dims, NULL), src = -1, dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
    gboolean ok = space >= 0 && dcpl >= 0;
    if (ok && n > 0)
        ok = (src = H5Screate_simple(1, rdims, NULL)) >= 0 &&
             H5Sselect_hyperslab(src, H5S_SELECT_SET, zero, NULL, dims, NULL) >= 0 &&
             H5Pset_virtual(dcpl, space, file, "/data", src) >= 0;
    ok = ok && (ds = H5Dcreate2(g, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
    if (ds >= 0)
        H5Dclose(ds);
    if (src >= 0)
        H5Sclose(src);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ok;
}

/* Raw files hold the arrays as they are in memory, declared little-endian. */
#define RAW_OK (G_BYTE_ORDER == G_LITTLE_ENDIAN)

gboolean es_writer_log_u64(es_snapshot_writer *w, const char *name, const uint64_t *a, size_t n, GError **error)
{
    if (w->logs == NULL || n == 0 || !RAW_OK)
        return es_h5_write_u64(w->group, name, a, n, error);
    char gpath[1024];
    ssize_t len = H5Iget_name(w->group, gpath, sizeof gpath);
    if (len <= 0 || (size_t)len >= sizeof gpath) {
        g_set_error(error, ES_ERROR, ES_ERROR_INTERNAL, "HDF5: cannot name the group of \"%s\"", name);
        return FALSE;
    }
    g_autofree char *path = g_strdup_printf("%s/%s", strcmp(gpath, "/") == 0 ? "" : gpath, name);
    log_entry *e = find_or_add(w->logs, path);
    if (!extend(w->logs, e, a, (uint64_t)n * sizeof *a, error))
        return FALSE;
    e->src = a;
    if (!es_snapshot_log_link(w->group, name, H5T_STD_U64LE, e->file, n, e->cap / sizeof *a)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "HDF5: cannot write dataset \"%s\"", name);
        return FALSE;
    }
    return TRUE;
}

/* Is e's file in dir there, whole, with the recorded CRC of its prefix? */
static gboolean verify_one(const char *dir, const log_entry *e, const char *snapshot, GError **error)
{
    g_autofree char *path = g_build_filename(dir, e->file, NULL);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* never blocks on a FIFO */
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: its log %s cannot be read: %s", snapshot, path,
                    g_strerror(err));
        return FALSE;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: its log %s is not a regular file", snapshot, path);
        return FALSE;
    }
    /* HDF5 opens a log file only whole (to its end of allocation, the
     * data's room): a shorter one would read as zeros. */
    if ((uint64_t)st.st_size < e->start + e->cap) {
        close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "%s: its log %s is truncated (%" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " needed)",
                    snapshot, path, (guint64)st.st_size, (guint64)(e->start + e->cap));
        return FALSE;
    }
    uint32_t crc = 0;
    gboolean ok = es_crc32_range(fd, 0, e->start + e->bytes, &crc, path, error);
    close(fd);
    if (ok && crc != e->crc) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: its log %s fails its checksum (the file is corrupt)",
                    snapshot, path);
        ok = FALSE;
    }
    return ok;
}

gboolean es_snapshot_logs_verify(const char *dir, const char *text, const char *snapshot, GError **error)
{
    GPtrArray *all = parse_entries(text, error);
    if (all == NULL) {
        g_prefix_error(error, "%s: ", snapshot);
        return FALSE;
    }
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < all->len; i++)
        ok = verify_one(dir, g_ptr_array_index(all, i), snapshot, error);
    g_ptr_array_free(all, TRUE);
    return ok;
}

void es_snapshot_logs_collect(const char *text, GHashTable *set)
{
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        log_entry *e = g_str_has_prefix(lines[i], "log ") ? parse_line(lines[i]) : NULL;
        if (e != NULL) {
            g_hash_table_add(set, g_strdup(e->file));
            entry_free(e);
        }
    }
}
