/* filesource.c — files, gzip files and stdin as an edge source
 * (edgesource.h) over the block reader (reader.h).  Position: input index,
 * bytes and lines of it consumed, and the CRC record of the consumed bytes
 * (consumed.h), so that a resume re-reads and checks what the snapshot
 * consumed.  Identity: each input's real path, size and the SHA-256 of
 * its first and last MiB (input_identity); stdin has none.
 */
#include "dataflow/edgesource.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/common.h"
#include "snapshot/crc.h"
#include "snapshot/snapshot.h"

typedef struct {
    es_edge_source base;
    es_reader *reader;
    char     **paths;
} file_source;

static gboolean fs_next(es_edge_source *s, es_raw_batch *b, size_t max, gboolean *end, GError **error)
{
    file_source *f = (file_source *)s;
    if (!es_reader_next(f->reader, b, max, error))
        return FALSE;
    *end = b->n == 0 || es_reader_stopped(f->reader);
    return TRUE;
}

static char *fs_position_text(es_edge_source *s, const es_raw_batch *b)
{
    return es_reader_consumed_text(((file_source *)s)->reader, b->input, &b->consumed);
}

static gboolean fs_seek(es_edge_source *s, const es_stream_pos *pos, GError **error)
{
    return es_reader_seek(((file_source *)s)->reader, pos->input, pos->offset, pos->line, pos->lines, pos->bad,
                          pos->consumed, error);
}

#define IDENT_BLOCK (1u << 20)

/* sha256 of bytes [from, to) of fd, as hex. */
static void digest_piece(const void *p, size_t n, void *ck)
{
    g_checksum_update(ck, p, (gssize)n);
}

static char *digest_range(int fd, uint64_t from, uint64_t to, GError **error, const char *path)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    char *hex = es_read_range(fd, from, to, digest_piece, ck, path, error) ? g_strdup(g_checksum_get_string(ck))
                                                                            : NULL;
    g_checksum_free(ck);
    return hex;
}

/* Identity of an input file: "path<TAB>size<TAB>sha256(first MiB)<TAB>sha256(last MiB)". */
static char *input_identity(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "%s: snapshots need inputs that are regular files (a pipe or stdin cannot be re-read on resume)", path);
        return NULL;
    }
    uint64_t size = (uint64_t)st.st_size;
    uint64_t first = size < IDENT_BLOCK ? size : IDENT_BLOCK;
    uint64_t last = size < IDENT_BLOCK ? 0 : size - IDENT_BLOCK;
    g_autofree char *h1 = digest_range(fd, 0, first, error, path);
    g_autofree char *h2 = h1 ? digest_range(fd, last, size, error, path) : NULL;
    close(fd);
    if (h2 == NULL)
        return NULL;
    return g_strdup_printf("%s\t%" G_GUINT64_FORMAT "\t%s\t%s", path, size, h1, h2);
}

static char *fs_identity(es_edge_source *s, GError **error)
{
    file_source *f = (file_source *)s;
    GString *id = g_string_new(NULL);
    for (guint i = 0; f->paths[i]; i++) {
        if (strcmp(f->paths[i], "-") == 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                        "snapshots need inputs that are regular files: standard input cannot be re-read on resume");
            g_string_free(id, TRUE);
            return NULL;
        }
        /* An input is named by its real path: "f", "./f" and "/dir/f" are one file. */
        g_autofree char *real = realpath(f->paths[i], NULL);
        char *line = input_identity(real ? real : f->paths[i], error);
        if (line == NULL) {
            g_string_free(id, TRUE);
            return NULL;
        }
        g_string_append_printf(id, "%s%s", i ? "\n" : "", line);
        g_free(line);
    }
    return g_string_free(id, FALSE);
}

/* Does the snapshot's input identity match this run's?  Names what differs. */
static gboolean fs_check_identity(es_edge_source *s, const char *snap, const char *then, const char *now,
                                  GError **error)
{
    (void)s;
    g_auto(GStrv) a = g_strsplit(then, "\n", -1), b = g_strsplit(now, "\n", -1);
    guint na = g_strv_length(a), nb = g_strv_length(b);
    if (na != nb) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from %u input(s), this run reads %u", snap, na, nb);
        return FALSE;
    }
    for (guint i = 0; i < na; i++) {
        g_auto(GStrv) x = g_strsplit(a[i], "\t", -1), y = g_strsplit(b[i], "\t", -1);
        if (g_strv_length(x) != 4 || g_strv_length(y) != 4) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: unreadable source identity", snap);
            return FALSE;
        }
        /* Paths are real paths, so "f", "./f" and "/dir/f" already agree; a
         * hard link (or a path through another mount) names the same input
         * when both paths are one file (device and inode) of the same
         * content.  A copy is another file. */
        gboolean same_content = strcmp(x[1], y[1]) == 0 && strcmp(x[2], y[2]) == 0 && strcmp(x[3], y[3]) == 0;
        struct stat then_st, now_st;
        gboolean same_file = strcmp(x[0], y[0]) == 0 ||
                             (stat(x[0], &then_st) == 0 && stat(y[0], &now_st) == 0 &&
                              then_st.st_dev == now_st.st_dev && then_st.st_ino == now_st.st_ino && same_content);
        if (!same_file) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken from input %u \"%s\", this run reads \"%s\" "
                        "(another file: give the snapshot's inputs in its order, or run afresh in another "
                        "--snapshot-dir)", snap, i + 1, x[0], y[0]);
            return FALSE;
        }
        if (strcmp(x[1], y[1]) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: input \"%s\" has changed: %s bytes then, %s now "
                        "(restore the input as it was, or run afresh in another --snapshot-dir)", snap, x[0], x[1], y[1]);
            return FALSE;
        }
        if (!same_content) {
            g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s: input \"%s\" has changed: same size, different content "
                        "(restore the input as it was, or run afresh in another --snapshot-dir)", snap, x[0]);
            return FALSE;
        }
    }
    return TRUE;
}

static void fs_counts(es_edge_source *s, uint64_t *lines, uint64_t *bad)
{
    file_source *f = (file_source *)s;
    *lines = es_reader_lines(f->reader);
    *bad = es_reader_bad_lines(f->reader);
}

static void fs_progress(es_edge_source *s, uint64_t *done, uint64_t *total)
{
    es_reader_progress(((file_source *)s)->reader, done, total);
}

/* A batch never needs to hold more edges than the inputs have lines (a
 * line takes at least 4 bytes, "1 2\n"), when every input is a plain
 * regular file: a small graph then asks for memory in proportion to
 * itself, not to a million edges (four slots of 32 bytes an edge: 128 MiB
 * of address space, which a ulimit -v counts). */
static size_t fs_batch_bound(es_edge_source *s, size_t batch)
{
    file_source *f = (file_source *)s;
    uint64_t lines = 0;
    for (guint i = 0; f->paths[i]; i++) {
        if (strcmp(f->paths[i], "-") == 0)
            return batch;
        /* Not a FIFO: opening one would pair with its writer and, closed
         * again, leave the writer a pipe without a reader (SIGPIPE). */
        struct stat st;
        if (stat(f->paths[i], &st) != 0 || !S_ISREG(st.st_mode))
            return batch;
        int fd = open(f->paths[i], O_RDONLY | O_CLOEXEC);
        unsigned char magic[2] = { 0, 0 };
        gboolean plain = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                         !(pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
        if (fd >= 0)
            close(fd);
        if (!plain)
            return batch;   /* gzip, a pipe, or an error the reader reports */
        lines += (uint64_t)st.st_size / 4 + 1;
    }
    return lines < batch ? (size_t)lines : batch;
}

void es_file_source_set_live(es_edge_source *s, gint64 linger_us, es_stop *stop)
{
    es_reader_set_live(((file_source *)s)->reader, linger_us, stop);
}

static void fs_free(es_edge_source *s)
{
    file_source *f = (file_source *)s;
    es_reader_free(f->reader);
    g_strfreev(f->paths);
    g_free(f);
}

static const es_edge_source_class file_class = {
    .kind = "files",
    .next = fs_next,
    .position_text = fs_position_text,
    .seek = fs_seek,
    .identity = fs_identity,
    .check_identity = fs_check_identity,
    .counts = fs_counts,
    .progress = fs_progress,
    .batch_bound = fs_batch_bound,
    .free = fs_free,
};

es_edge_source *es_file_source_new(const char *const *paths, uint64_t skip_bad, const es_parse_format *fmt)
{
    file_source *f = g_new0(file_source, 1);
    f->base.cls = &file_class;
    f->paths = g_strdupv((gchar **)paths);
    f->reader = es_reader_new(paths, skip_bad);
    es_reader_set_format(f->reader, fmt);
    return &f->base;
}
