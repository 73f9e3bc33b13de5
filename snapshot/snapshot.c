/* snapshot.c — writing, verifying, listing and restoring snapshot files
 * (see snapshot.h for the format and the commit protocol). */
#include "snapshot/snapshot.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "graph/common.h"
#include "graph/edgetable.h"
#include "graph/idmap.h"
#include "operators/operator.h"
#include "snapshot/crc.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/logs.h"

#define MAGIC "edgestream snapshot\n"
/* Restored edge keys are read in pieces of this many (bounds the scratch). */
#define KEYS_PIECE ((size_t)1 << 20)

static char *snap_path(const char *dir, uint64_t id, const char *suffix)
{
    return g_strdup_printf("%s/snap-%06" G_GUINT64_FORMAT ".h5%s", dir, id, suffix);
}

char *es_snapshot_path(const char *dir, uint64_t id)
{
    return snap_path(dir, id, "");
}

/* The group /window (snapshot.h: es_snapshot_window); the held_* fields
 * only with --lateness, the cancelled_* ones only in a sliding window
 * with --deletions. */
#define WINDOW_HELD 1u
#define WINDOW_CANCELLED 2u
static const es_field window_fields[] = {
    ES_ATTR_OF(ES_FIELD_I64, es_snapshot_window, open, "open_pane"),
    ES_ATTR(es_snapshot_window, late, "late_edges"),
    ES_ATTR(es_snapshot_window, late_tail, "late_tail"),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, pane, panes, "pane"),   /* (two's complement) */
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, first, panes, "first_index"),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, len, panes, "lines"),
    ES_ARRAY(ES_FIELD_U32S, es_snapshot_window, edges, lines, "edges", .mul = 2),
    ES_ATTR_OF(ES_FIELD_I64, es_snapshot_window, max_time, "held_max_time", .when = WINDOW_HELD),
    ES_ATTR(es_snapshot_window, late_read, "held_late_read", .when = WINDOW_HELD),
    ES_ATTR(es_snapshot_window, sent_any, "held_sent_any", .max = 1, .when = WINDOW_HELD),
    ES_ATTR_OF(ES_FIELD_I64, es_snapshot_window, sent_pane, "held_sent_pane", .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, held_time, held, "held_time", .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, held_ids, held, "held_ids", .mul = 2, .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_U8S, es_snapshot_window, held_del, held, "held_del", .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_F64S, es_snapshot_window, held_weight, held, "held_weight", .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, held_late, held, "held_late", .when = WINDOW_HELD),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, cancelled_keys, cancelled, "cancelled_keys", .when = WINDOW_CANCELLED),
    ES_ARRAY(ES_FIELD_U64S, es_snapshot_window, cancelled_counts, cancelled, "cancelled_counts",
             .when = WINDOW_CANCELLED),
};

/* Which optional fields of window_fields w has. */
static unsigned window_mask(const es_snapshot_window *w)
{
    return (w->held_present ? WINDOW_HELD : 0) | (w->cancelled_present ? WINDOW_CANCELLED : 0);
}

/* A part's group, created under parent, and its writer: the fields of s,
 * or with op, its spec and what it wrote (es_operator_snapshot_write). */
static gboolean write_part(hid_t parent, const char *name, es_operator *op, const es_field *f, size_t nf,
                           unsigned mask, const void *s, es_snapshot_logs *logs, GError **error)
{
    es_snapshot_writer w = { H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), logs };
    gboolean ok = FALSE;
    if (w.group < 0)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create group \"%s\"", name);
    else if (op == NULL)
        ok = es_fields_write(&w, f, nf, mask, s, error);
    else
        ok = es_h5_set_str(w.group, "spec", op->spec, error) && es_operator_snapshot_write(op, &w, error);
    if (w.group >= 0)
        H5Gclose(w.group);
    return ok;
}

void es_snapshot_window_clear(es_snapshot_window *w)
{
    ES_FIELDS_CLEAR(window_fields, WINDOW_HELD | WINDOW_CANCELLED, w);
    *w = (es_snapshot_window){ .open = INT64_MIN };
}

static hid_t open_h5(const char *path, GError **error);

gboolean es_snapshot_read_window(const char *path, uint32_t n, es_snapshot_window *w, GError **error)
{
    *w = (es_snapshot_window){ .open = INT64_MIN };
    hid_t f = open_h5(path, error), g = -1;
    if (f < 0)
        return FALSE;
    gboolean ok = TRUE;
    if (H5Lexists(f, "window", H5P_DEFAULT) > 0) {
        w->present = TRUE;
        ok = (g = H5Gopen2(f, "window", H5P_DEFAULT)) >= 0;
        w->held_present = ok && H5Aexists(g, "held_max_time") > 0;
        w->cancelled_present = ok && H5Lexists(g, "cancelled_keys", H5P_DEFAULT) > 0;
        ok = ok && ES_FIELDS_READ(g, window_fields, window_mask(w), w, error);
        uint64_t sum = 0;
        for (size_t i = 0; ok && i < w->panes; i++) {
            if ((i > 0 && w->pane[i] <= w->pane[i - 1]) || w->pane[i] > w->open || w->len[i] == 0) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot group \"/window\": pane %zu (%" G_GINT64_FORMAT
                            ", %" G_GUINT64_FORMAT " lines) is not after the one before, or after the open pane,"
                            " or empty", i, (gint64)w->pane[i], (guint64)w->len[i]);
                ok = FALSE;
            }
            sum += ok ? w->len[i] : 0;
        }
        if (ok && sum != w->lines) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot group \"/window\": %zu panes of %" G_GUINT64_FORMAT
                        " lines, %zu lines in \"edges\"", w->panes, (guint64)sum, w->lines);
            ok = FALSE;
        }
        for (size_t i = 0; ok && i < 2 * w->lines; i++) {
            if (w->edges[i] >= n) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"/window/edges\": id %zu (%u) is"
                            " beyond the %u vertices", i, w->edges[i], n);
                ok = FALSE;
            }
        }
        for (size_t i = 0; ok && i < w->cancelled; i++) {
            const uint64_t k = w->cancelled_keys[i];
            if ((i > 0 && k <= w->cancelled_keys[i - 1]) || (uint32_t)(k >> 32) >= (uint32_t)k || (uint32_t)k >= n ||
                w->cancelled_counts[i] == 0) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"/window/cancelled_keys\": key %zu"
                            " (%" G_GUINT64_FORMAT ", count %" G_GUINT64_FORMAT ") is not after the one before,"
                            " not a pair u < v of the %u vertices, or counts none", i, (guint64)k,
                            (guint64)w->cancelled_counts[i], n);
                ok = FALSE;
            }
        }
        if (g >= 0)
            H5Gclose(g);
        if (!ok)
            es_snapshot_window_clear(w);
    }
    H5Fclose(f);
    if (!ok)
        g_prefix_error(error, "%s: ", path);
    return ok;
}

/* The root attributes of a snapshot beside format_version and
 * edgestream_version: es_snapshot_meta's fields, of the same names. */
#define META_U64(m) ES_ATTR(es_snapshot_meta, m, #m)
#define META_STR(m) ES_ATTR_OF(ES_FIELD_STR, es_snapshot_meta, m, #m)
static const es_field meta_fields[] = {
    META_U64(snapshot_id), META_U64(parent_id), ES_ATTR_OF(ES_FIELD_I64, es_snapshot_meta, created_unix_ns,
    "created_unix_ns"), META_U64(edges_consumed), META_U64(lines_consumed), META_U64(bad_lines),
    META_STR(source_kind), META_U64(source_input), META_U64(source_offset), META_U64(source_line),
    META_STR(source_identity), META_STR(source_consumed), META_STR(config), META_STR(operators), META_STR(stream),
};

void es_snapshot_meta_clear(es_snapshot_meta *m)
{
    ES_FIELDS_CLEAR(meta_fields, 0, m);
    memset(m, 0, sizeof *m);
}

/* The id map's part, /idmap. */
typedef struct {
    const uint64_t *ext;
    uint64_t        n;
} idmap_snap;
static const es_field idmap_fields[] = { ES_ARRAY(ES_FIELD_LOG_U64, idmap_snap, ext, n, "external_ids") };

/* The edge table's part, /edges: its keys (a log), and with deletions
 * its multiplicities other than 1 and its counters. */
typedef struct {
    const uint64_t     *keys;
    uint64_t            n;
    es_edgetable_counts c;
} edges_snap;
static const es_field edges_fields[] = {
    ES_ARRAY(ES_FIELD_LOG_U64, edges_snap, keys, n, "keys"),
};
static const es_field counts_fields[] = {
    ES_ATTR(edges_snap, c.deletions, "deletions"),
    ES_ATTR(edges_snap, c.ignored, "deletions_ignored"),
    ES_ARRAY(ES_FIELD_U64S, edges_snap, c.keys, c.n, "multiple_keys"),
    ES_ARRAY(ES_FIELD_U32S, edges_snap, c.counts, c.n, "multiple_counts"),
};

gboolean es_snapshot_write_edges(hid_t file, GPtrArray *ops, es_snapshot_logs *logs, GError **error)
{
    const es_operator *op = NULL;
    for (guint i = 0; op == NULL && i < ops->len; i++)
        if (((const es_operator *)g_ptr_array_index(ops, i))->frozen_table)
            op = g_ptr_array_index(ops, i);
    if (op == NULL)
        return TRUE;   /* no operator reads a table */
    edges_snap s = { op->frozen_keys, op->frozen_edges, { 0 } };
    es_snapshot_writer w = { H5Gcreate2(file, "edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), logs };
    gboolean ok = w.group >= 0 && ES_FIELDS_WRITE(&w, edges_fields, 0, &s, error);
    if (ok && op->edges != NULL && es_edgetable_frozen(op->edges, &s.c))
        ok = ES_FIELDS_WRITE(&w, counts_fields, 0, &s, error);
    if (w.group >= 0)
        H5Gclose(w.group);
    else
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create group \"edges\"");
    return ok;
}

/* The multiplicities of a table with deletions, when the snapshot has them. */
static gboolean read_counts(hid_t file, es_edgetable *table, GError **error)
{
    if (H5Lexists(file, "/edges/multiple_keys", H5P_DEFAULT) <= 0)
        return TRUE;
    hid_t g = H5Gopen2(file, "edges", H5P_DEFAULT);
    edges_snap s = { 0 };
    gboolean ok = g >= 0 && ES_FIELDS_READ(g, counts_fields, 0, &s, error) &&
                  es_edgetable_set_counts(table, &s.c, "snapshot dataset \"/edges/multiple_keys\"", error);
    ES_FIELDS_CLEAR(counts_fields, 0, &s);
    if (g >= 0)
        H5Gclose(g);
    return ok;
}

gboolean es_snapshot_read_key_range(hid_t file, uint64_t first, uint64_t want, es_snapshot_keys_fn fn, void *ctx,
                                    size_t *total, GError **error)
{
    size_t n = 0;
    hid_t ds = es_h5_open_array(file, "/edges/keys", H5T_INTEGER, 8, 0, &n, error);
    if (ds < 0)
        return FALSE;
    if (total)
        *total = n;
    if (want != UINT64_MAX && (first > n || want > n - first)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s holds %zu keys, not %" G_GUINT64_FORMAT " from %"
                    G_GUINT64_FORMAT, ES_EDGES_DATASET, n, (guint64)want, (guint64)first);
        H5Dclose(ds);
        return FALSE;
    }
    const size_t end = want == UINT64_MAX ? n : (size_t)(first + want);
    uint64_t *keys = g_new(uint64_t, MAX(MIN(end - first, KEYS_PIECE), 1));
    gboolean ok = TRUE;
    for (size_t at = first; ok && at < end; at += KEYS_PIECE) {
        hsize_t start[1] = { at }, count[1] = { MIN(KEYS_PIECE, end - at) };
        hid_t fspace = H5Dget_space(ds), mspace = H5Screate_simple(1, count, NULL);
        ok = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dread(ds, H5T_NATIVE_UINT64, mspace, fspace, H5P_DEFAULT, keys) >= 0;
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (!ok)
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "HDF5: cannot read %s", ES_EDGES_DATASET);
        else
            ok = fn(ctx, keys, count[0], error);
    }
    g_free(keys);
    H5Dclose(ds);
    return ok;
}

typedef struct {
    es_edgetable *table;
    uint32_t num_vertices;
} add_keys_ctx;

static gboolean add_keys(void *ctx, const uint64_t *keys, size_t n, GError **error)
{
    add_keys_ctx *c = ctx;
    return es_edgetable_add_keys(c->table, keys, n, c->num_vertices, ES_EDGES_DATASET, error);
}

gboolean es_snapshot_read_edges(hid_t file, uint32_t num_vertices, es_edgetable **table, GError **error)
{
    *table = NULL;
    if (H5Lexists(file, "edges", H5P_DEFAULT) <= 0)
        return TRUE;
    add_keys_ctx c = { es_edgetable_new(TRUE, &es_log_memory_recycled), num_vertices };
    *table = c.table;
    gboolean ok = es_snapshot_read_key_range(file, 0, UINT64_MAX, add_keys, &c, NULL, error) &&
                  read_counts(file, *table, error);
    if (!ok)
        g_clear_pointer(table, es_edgetable_free);
    return ok;
}

static gboolean write_hdf5(const char *tmp, const es_snapshot_meta *meta, const uint64_t *externals,
                           uint32_t n, GPtrArray *ops, es_snapshot_logs *logs, GError **error)
{
    es_h5_quiet();
    gboolean ok = FALSE;
    hid_t opsg = -1, fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_userblock(fcpl, ES_SNAPSHOT_HEADER);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (f < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create snapshot %s", tmp);
        return FALSE;
    }
    const idmap_snap ids = { externals, n };
    es_snapshot_writer root = { f, logs };
    if (!es_h5_set_u64(f, "format_version", ES_SNAPSHOT_FORMAT, error) ||
        !es_h5_set_str(f, "edgestream_version", ES_VERSION, error) ||
        !ES_FIELDS_WRITE(&root, meta_fields, 0, meta, error) ||
        (meta->window && !write_part(f, "window", NULL, window_fields, G_N_ELEMENTS(window_fields),
                                     window_mask(meta->window), meta->window, logs, error)) ||
        !write_part(f, "idmap", NULL, idmap_fields, G_N_ELEMENTS(idmap_fields), 0, &ids, logs, error) ||
        !es_snapshot_write_edges(f, ops, logs, error))
        goto out;
    opsg = H5Gcreate2(f, "operators", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (opsg < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot create group \"operators\"");
        goto out;
    }
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!write_part(opsg, op->name, op, NULL, 0, 0, NULL, logs, error)) {
            g_prefix_error(error, "/operators/%s: ", op->name);
            goto out;
        }
    }
    ok = TRUE;
out:
    if (opsg >= 0)
        H5Gclose(opsg);
    /* An abandoned file gives its disk space back before its close, whose
     * flush then may fit; a close that fails all the same leaves the file
     * open inside HDF5, never to be touched again (es_h5_abandon). */
    if (!ok && truncate(tmp, 0) != 0)
        errno = 0;
    if (H5Fclose(f) < 0) {
        es_h5_abandon();
        if (ok)
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot finish snapshot %s (disk full?)", tmp);
        ok = FALSE;
    }
    if (!ok && error && *error == NULL)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot write snapshot %s", tmp);
    return ok;
}

/* The header of a snapshot: text, NUL padded to ES_SNAPSHOT_HEADER bytes.
 * The crc32 covers the whole file, the header with its crc digits as
 * zeros included (so a flipped byte in the log lines or the padding is
 * caught too). */
#define CRC_FIELD "\ncrc32 "

static char *crc_digits(char *header)
{
    char *at = strstr(header, CRC_FIELD);
    return at ? at + strlen(CRC_FIELD) : NULL;
}

/* crc32 of the file of `length` bytes whose header is `header` (its crc
 * digits set to zeros here). */
static gboolean file_crc(int fd, char *header, uint64_t length, uint32_t *crc, const char *path, GError **error)
{
    char *digits = crc_digits(header);
    memcpy(digits, "00000000", 8);
    uint32_t body = 0;
    if (!es_crc32_range(fd, ES_SNAPSHOT_HEADER, length, &body, path, error))
        return FALSE;
    uLong head = es_crc32(0, header, ES_SNAPSHOT_HEADER);
    *crc = (uint32_t)crc32_combine(head, body, (z_off_t)(length - ES_SNAPSHOT_HEADER));
    return TRUE;
}

/* Fill the header of the written file tmp (open as fd): its length, the
 * logs' lines, its crc32. */
static gboolean seal(int fd, const char *tmp, const es_snapshot_logs *logs, GError **error)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return es_io_error(error, "cannot stat", tmp);
    g_autofree char *lines = logs ? es_snapshot_logs_format(logs) : g_strdup("");
    char header[ES_SNAPSHOT_HEADER] = { 0 };
    if (g_snprintf(header, sizeof header, MAGIC "format %d\nlength %" G_GUINT64_FORMAT CRC_FIELD "00000000\n%s",
                   ES_SNAPSHOT_FORMAT, (guint64)st.st_size, lines) >= (int)sizeof header) {
        g_set_error(error, ES_ERROR, ES_ERROR_INTERNAL, "%s: the log list does not fit the %d-byte header", tmp,
                    ES_SNAPSHOT_HEADER);
        return FALSE;
    }
    uint32_t crc = 0;
    if (!file_crc(fd, header, (uint64_t)st.st_size, &crc, tmp, error))
        return FALSE;
    char hex[9];
    g_snprintf(hex, sizeof hex, "%08x", crc);
    memcpy(crc_digits(header), hex, 8);
    if (!es_write_full(fd, header, sizeof header, 0))
        return es_io_error(error, "cannot write", tmp);
    return TRUE;
}

gboolean es_snapshot_write(const char *dir, const es_snapshot_meta *meta, const uint64_t *externals,
                           uint32_t n, GPtrArray *ops, es_snapshot_logs *logs, GError **error)
{
    g_autofree char *tmp = snap_path(dir, meta->snapshot_id, ".tmp");
    g_autofree char *final = snap_path(dir, meta->snapshot_id, "");
    gboolean ok = FALSE;
    int fd = -1, dfd = -1;
    if (logs)
        es_snapshot_logs_begin(logs, dir, meta->snapshot_id);
    gboolean written = write_hdf5(tmp, meta, externals, n, ops, logs, error);
    if (!written && logs && es_snapshot_logs_retry(logs)) {   /* a log outgrew its file: a new generation */
        unlink(tmp);
        g_clear_error(error);
        written = write_hdf5(tmp, meta, externals, n, ops, logs, error);
    }
    if (written && meta->extra && !meta->extra(tmp, meta->extra_user, error))
        written = FALSE;
    /* Its data goes to disk while its crc is read. */
    if (written && (fd = open(tmp, O_RDWR | O_CLOEXEC)) >= 0 && sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) != 0)
        errno = 0;   /* a head start only: fsync below */
    if (written && fd < 0)
        es_io_error(error, "cannot reopen", tmp);
    /* The file, its header filled, and the logs' new parts are synced
     * together (one commit of the file system) before the rename that
     * makes the snapshot exist; the logs are ended even after a failure,
     * which closes their files. */
    const gboolean sealed = written && fd >= 0 && seal(fd, tmp, logs, error);
    if (logs && !es_snapshot_logs_end(logs, sealed ? fd : -1, tmp, sealed ? error : NULL))
        goto out;
    if (!sealed)
        goto out;
    if (!logs && fsync(fd) != 0) {
        es_io_error(error, "cannot fsync", tmp);
        goto out;
    }
    es_drop_cached(fd);
    if (rename(tmp, final) != 0) {
        es_io_error(error, "cannot rename to", final);
        goto out;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0) {
        es_io_error(error, "cannot fsync directory", dir);
        goto out;
    }
    if (logs)
        es_snapshot_logs_release(logs);
    ok = TRUE;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (!ok)
        unlink(tmp);
    return ok;
}

/* Read and check the header and the whole-file checksum of the open
 * snapshot `path`, without HDF5; the header text goes to header[]. */
static gboolean check_file(int fd, const char *path, char header[ES_SNAPSHOT_HEADER + 1], GError **error)
{
    memset(header, 0, ES_SNAPSHOT_HEADER + 1);
    struct stat st;
    ssize_t got = fstat(fd, &st) == 0 ? pread(fd, header, ES_SNAPSHOT_HEADER, 0) : -1;
    int format = 0;
    guint64 length = 0;
    char hex[9] = "";
    const size_t m = strlen(MAGIC);
    if (got <= 0 || strncmp(header, MAGIC, MIN((size_t)got, m)) != 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: not an edgestream snapshot (it does not begin with "
                    "\"edgestream snapshot\"; snapshots are the snap-NNNNNN.h5 files a run's --snapshot-dir holds)", path);
        return FALSE;
    }
    const int fields = (size_t)got < m ? 0 : sscanf(header + m, "format %d\nlength %" G_GUINT64_FORMAT CRC_FIELD
                                                      "%8[0-9a-f]\n", &format, &length, hex);
    if (fields >= 1 && format != ES_SNAPSHOT_FORMAT) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: snapshot format %d, this edgestream reads format %d",
                    path, format, ES_SNAPSHOT_FORMAT);
        return FALSE;
    }
    if (got != ES_SNAPSHOT_HEADER) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: truncated (shorter than its header)", path);
        return FALSE;
    }
    if (fields != 3 || strlen(hex) != 8) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: not a committed edgestream snapshot (no valid header)", path);
        return FALSE;
    }
    if ((guint64)st.st_size != length) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: %s (%" G_GUINT64_FORMAT " bytes, header says %" G_GUINT64_FORMAT ")",
                    path, (guint64)st.st_size < length ? "truncated" : "has trailing bytes",
                    (guint64)st.st_size, length);
        return FALSE;
    }
    char copy[ES_SNAPSHOT_HEADER + 1];
    memcpy(copy, header, sizeof copy);
    uint32_t crc = 0;
    if (!file_crc(fd, copy, length, &crc, path, error))
        return FALSE;
    if (crc != (uint32_t)g_ascii_strtoull(hex, NULL, 16)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: checksum mismatch (the file is corrupt)", path);
        return FALSE;
    }
    return TRUE;
}

gboolean es_snapshot_verify(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "cannot open snapshot %s: %s", path, g_strerror(e));
        return FALSE;
    }
    char header[ES_SNAPSHOT_HEADER + 1];
    const gboolean ok = check_file(fd, path, header, error);
    close(fd);
    if (!ok)
        return FALSE;
    g_autofree char *dir = g_path_get_dirname(path);
    return es_snapshot_logs_verify(dir, header, path, error);
}

/* The header text of a snapshot (not verified), or NULL. */
static char *read_header(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *header = g_malloc0(ES_SNAPSHOT_HEADER + 1);
    if (pread(fd, header, ES_SNAPSHOT_HEADER, 0) != ES_SNAPSHOT_HEADER || !g_str_has_prefix(header, MAGIC))
        g_clear_pointer(&header, g_free);
    close(fd);
    return header;
}

gboolean es_snapshot_load_logs(const char *path, es_snapshot_logs *logs, GError **error)
{
    g_autofree char *header = read_header(path);
    if (header == NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: cannot read its header", path);
        return FALSE;
    }
    if (!es_snapshot_logs_parse(logs, header, error)) {
        g_prefix_error(error, "%s: ", path);
        return FALSE;
    }
    return TRUE;
}

static hid_t open_h5(const char *path, GError **error)
{
    es_h5_quiet();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: HDF5 cannot open it", path);
    return f;
}

gboolean es_snapshot_read_meta(const char *path, es_snapshot_meta *meta, GError **error)
{
    memset(meta, 0, sizeof *meta);
    hid_t f = open_h5(path, error);
    if (f < 0)
        return FALSE;
    gboolean ok = ES_FIELDS_READ(f, meta_fields, 0, meta, error);
    H5Fclose(f);
    if (!ok) {
        es_snapshot_meta_clear(meta);
        g_prefix_error(error, "%s: ", path);
    }
    return ok;
}

gboolean es_snapshot_restore(const char *path, uint64_t **externals, uint32_t *n, GPtrArray *ops, GError **error)
{
    size_t len = 0;
    gboolean ok = FALSE;
    hid_t g = -1, opsg = -1, f = open_h5(path, error);
    es_edgetable *table = NULL;
    *externals = NULL;
    if (f < 0)
        return FALSE;
    if ((g = H5Gopen2(f, "idmap", H5P_DEFAULT)) < 0 || !es_h5_read_u64(g, "external_ids", externals, &len, error))
        goto out;
    if (len > ES_IDMAP_MAX_VERTICES) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "/idmap/external_ids has %zu entries, beyond the limit", len);
        goto out;
    }
    *n = (uint32_t)len;
    if (!es_snapshot_read_edges(f, *n, &table, error))
        goto out;
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        op->edges = table;
        op->externals = *externals;
        op->num_externals = *n;
    }
    if ((opsg = H5Gopen2(f, "operators", H5P_DEFAULT)) < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "no /operators group");
        goto out;
    }
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (H5Lexists(opsg, op->name, H5P_DEFAULT) <= 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "no state for operator \"%s\"", op->name);
            goto out;
        }
        hid_t og = H5Gopen2(opsg, op->name, H5P_DEFAULT);
        const gboolean read = og >= 0 && es_operator_snapshot_read(op, og, error);
        if (og >= 0)
            H5Gclose(og);
        if (!read) {
            if (error && *error)
                g_prefix_error(error, "/operators/%s: ", op->name);
            goto out;
        }
    }
    ok = TRUE;
out:
    if (g >= 0)
        H5Gclose(g);
    if (opsg >= 0)
        H5Gclose(opsg);
    H5Fclose(f);
    if (ok && table != NULL && ops->len > 0) {   /* the first operator's own, which a driver adopts (operator.h) */
        es_operator *first = g_ptr_array_index(ops, 0);
        es_edgetable_free(first->own_edges);
        first->own_edges = g_steal_pointer(&table);
    }
    es_edgetable_free(table);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        op->externals = NULL;
        op->edges = ok ? op->edges : NULL;
    }
    if (!ok) {
        if (error && *error == NULL)
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "cannot read the snapshot");
        g_prefix_error(error, "%s: ", path);
        if (*externals)
            es_h5_free(*externals, len * sizeof(uint64_t));
        *externals = NULL;
    }
    return ok;
}

/* Snapshot id of a committed file name "snap-NNNNNN.h5", or 0. */
static uint64_t id_of(const char *name)
{
    if (!g_str_has_prefix(name, "snap-") || !g_str_has_suffix(name, ".h5"))
        return 0;
    char *end = NULL;
    guint64 id = g_ascii_strtoull(name + 5, &end, 10);
    return end && strcmp(end, ".h5") == 0 ? id : 0;
}

static gint by_id_desc(gconstpointer a, gconstpointer b)
{
    uint64_t x = id_of(strrchr(*(char *const *)a, '/') + 1), y = id_of(strrchr(*(char *const *)b, '/') + 1);
    return (x < y) - (x > y);
}

GPtrArray *es_snapshot_list(const char *dir)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return out;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        if (id_of(name) > 0)
            g_ptr_array_add(out, g_build_filename(dir, name, NULL));
    g_dir_close(d);
    g_ptr_array_sort(out, by_id_desc);
    return out;
}

uint64_t es_snapshot_last_id(const char *dir)
{
    GPtrArray *all = es_snapshot_list(dir);
    uint64_t id = all->len ? id_of(strrchr(g_ptr_array_index(all, 0), '/') + 1) : 0;
    g_ptr_array_free(all, TRUE);
    return id;
}

/* Add the log files the snapshot at path lists to set. */
static void collect(const char *path, GHashTable *set)
{
    g_autofree char *header = read_header(path);
    es_snapshot_logs_collect(header, set);
}

static gboolean in_set(gpointer name, gpointer value, gpointer set)
{
    (void)value;
    return g_hash_table_contains(set, name);
}

/* Does the snapshot at path list none of the files in set? */
static gboolean shares_no_file(const char *path, GHashTable *set)
{
    GHashTable *mine = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    collect(path, mine);
    const gboolean none = g_hash_table_find(mine, in_set, set) == NULL;
    g_hash_table_destroy(mine);
    return none;
}

void es_snapshot_retain(const char *dir, guint keep)
{
    GPtrArray *all = es_snapshot_list(dir);
    /* Beside the newest `keep`, the newest snapshot that shares no log file
     * with the newest (the previous generation's last, snapshot/logs.h):
     * whatever single file is damaged, one of the two verifies. */
    GHashTable *newest = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (all->len > 0)
        collect(g_ptr_array_index(all, 0), newest);
    guint fallback = 0;
    for (guint i = 1; fallback == 0 && i < all->len; i++)
        if (shares_no_file(g_ptr_array_index(all, i), newest))
            fallback = i;
    g_hash_table_destroy(newest);
    for (guint i = keep; i < all->len; i++)
        if (i != fallback)
            unlink(g_ptr_array_index(all, i));
    /* Log files no kept snapshot lists are of no use any more. */
    GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < all->len; i++)
        if (i < keep || i == fallback)
            collect(g_ptr_array_index(all, i), used);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_prefix(name, "log-") && !g_hash_table_contains(used, name)) {
            g_autofree char *p = g_build_filename(dir, name, NULL);
            unlink(p);
        }
    }
    if (d)
        g_dir_close(d);
    g_hash_table_destroy(used);
    g_ptr_array_free(all, TRUE);
}

guint es_snapshot_remove_partial(const char *dir, gboolean verbose)
{
    guint removed = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return 0;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_prefix(name, "snap-") && g_str_has_suffix(name, ".h5.tmp")) {
            g_autofree char *p = g_build_filename(dir, name, NULL);
            if (unlink(p) == 0) {
                removed++;
                if (verbose)
                    fprintf(stderr, "edgestream: removed %s, left by an interrupted snapshot\n", p);
            }
        }
    }
    g_dir_close(d);
    return removed;
}

/* A directory of its own, so that es_snapshot_write's commit (temporary
 * file, rename) stays inside it and only the final rename touches out. */
gboolean es_snapshot_write_file(const char *out, const es_snapshot_meta *meta, const uint64_t *ext, uint32_t n,
                                GPtrArray *ops, GError **error)
{
    g_autofree char *outdir = g_path_get_dirname(out);
    g_autofree char *pattern = g_build_filename(outdir, ".edgestream-export-XXXXXX", NULL);
    if (g_mkdtemp(pattern) == NULL) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot write %s: cannot create a directory in %s: %s", out,
                    outdir, g_strerror(e));
        return FALSE;
    }
    for (guint i = 0; i < ops->len; i++)
        es_operator_snapshot_prepare(g_ptr_array_index(ops, i));
    g_autofree char *written = es_snapshot_path(pattern, meta->snapshot_id);
    gboolean ok = es_snapshot_write(pattern, meta, ext, n, ops, NULL, error);
    if (ok && rename(written, out) != 0) {
        int e = errno;
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot write %s: %s", out, g_strerror(e));
        ok = FALSE;
    }
    if (!ok)
        unlink(written);
    rmdir(pattern);
    return ok;
}
