/* snapshot_mpi.c — partitioned state written collectively (see
 * snapshot_mpi.h). */
#include "mpi/snapshot_mpi.h"

#include <hdf5.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "graph/common.h"
#include "graph/edgetable.h"
#include "snapshot/crc.h"
#include "snapshot/h5util.h"
#include "snapshot/logs.h"
#include "snapshot/snapshot.h"

/* This rank's keys from the from-th on (g_free), *n of them; tri's in
 * bucket order (stable), with each bucket's count in cnt (else NULL). */
static uint64_t *rank_keys(const es_mpi_snap *s, size_t from, size_t *n, uint64_t cnt[ES_MPI_TRI_BUCKETS])
{
    if (!s->tri)
        return es_mpi_degree_keys(s->degree, from, n);
    uint8_t *bucket = NULL;
    uint64_t *keys = es_mpi_tri_keys(s->tri, from, n, &bucket), *sorted = g_new(uint64_t, *n + 1);
    uint64_t at[ES_MPI_TRI_BUCKETS];
    memset(cnt, 0, ES_MPI_TRI_BUCKETS * sizeof *cnt);
    for (size_t i = 0; i < *n; i++)
        cnt[bucket[i]]++;
    for (uint64_t b = 0, sum = 0; b < ES_MPI_TRI_BUCKETS; sum += cnt[b++])
        at[b] = sum;
    for (size_t i = 0; i < *n; i++)
        sorted[at[bucket[i]]++] = keys[i];
    g_free(keys);
    g_free(bucket);
    return sorted;
}

static size_t rank_key_count(const es_mpi_snap *s)
{
    return s->tri ? es_mpi_tri_key_count(s->tri) : es_mpi_degree_key_count(s->degree);
}

/* The test knob of a failed write (tests/test_mpi.sh):
 * ES_MPI_FAIL_KEYS="RANK SNAPSHOT" makes rank RANK's part of snapshot
 * SNAPSHOT's key write fail as a failed MPI_File_write_at_all would (the
 * rank still takes part in the collective call, with no bytes). */
static gboolean fail_here(int rank, uint64_t id)
{
    const char *knob = g_getenv("ES_MPI_FAIL_KEYS");
    int r = -1;
    guint64 at = 0;
    return knob && sscanf(knob, "%d %" G_GUINT64_FORMAT, &r, &at) == 2 && r == rank && at == id;
}

/* Rank 0: the /edges/keys of tmp, a virtual dataset over the first n
 * keys of the log file (the single process's layout, snapshot/logs.h), or
 * an empty dataset when there are none. */
static gboolean link_keys(const char *tmp, const es_mpi_keylog *p, const GArray *runs, const char *runs_name,
                          GError **error)
{
    const uint64_t n = p->bytes / 8;
    hid_t f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT), g = -1, rg = -1;
    gboolean ok = f >= 0 && (g = H5Gcreate2(f, "edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
                  es_snapshot_log_link(g, "keys", H5T_STD_U64LE, p->file, n, p->cap / 8);
    if (ok && runs && runs->len > 0)
        ok = (rg = H5Gcreate2(f, "ranks", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             es_h5_write_u64(rg, runs_name, (const uint64_t *)(void *)runs->data, runs->len, NULL);
    if (rg >= 0)
        H5Gclose(rg);
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0 && H5Fclose(f) < 0)
        ok = FALSE;
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "cannot write %s into %s", ES_EDGES_DATASET, tmp);
    return ok;
}

/* Close the key log's file on every rank (collective). */
static void close_log(es_mpi_snap *s)
{
    if (s->opened) {
        if (s->data >= 0)
            H5Dclose(s->data);
        if (s->file >= 0)
            H5Fclose(s->file);
    }
    g_clear_pointer(&s->opened, g_free);
}

/* Open the key log's file on every rank through parallel HDF5 (the
 * MPI-IO driver: collective).  TRUE on every rank when it opened on all;
 * otherwise it is closed where it opened. */
static gboolean open_log(es_mpi_snap *s, const char *path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, s->comm, MPI_INFO_NULL);
    s->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    s->data = s->file >= 0 ? H5Dopen2(s->file, "data", H5P_DEFAULT) : H5I_INVALID_HID;
    int mine = s->file >= 0 && s->data >= 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, s->comm);
    if (s->file >= 0)
        s->opened = g_strdup(path);
    if (!all)
        close_log(s);
    return all;
}

/* This rank's n keys into the log's /data at key `first`, one collective
 * H5Dwrite (every rank takes part, with none when n is 0), then flushed
 * to disk (H5Fflush: MPI_File_sync) before any header lists them.  FALSE
 * with *step the one that failed. */
static gboolean write_log(es_mpi_snap *s, uint64_t first, const uint64_t *keys, size_t n, const char **step)
{
    hsize_t at = first, cnt = n, one = MAX(n, 1);
    hid_t fs = H5Dget_space(s->data), ms = H5Screate_simple(1, &one, NULL);
    hid_t dx = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
    herr_t rc = n > 0 ? H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &cnt, NULL)
                      : (H5Sselect_none(fs) < 0 ? -1 : H5Sselect_none(ms));
    /* (a failed selection still joins the collective write, with none) */
    if (rc < 0) {
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    *step = "write its keys to";
    if (H5Dwrite(s->data, H5T_NATIVE_UINT64, ms, fs, dx, keys) < 0)
        rc = -1;
    H5Pclose(dx);
    H5Sclose(ms);
    H5Sclose(fs);
    if (H5Fflush(s->file, H5F_SCOPE_LOCAL) < 0 && rc >= 0) {
        *step = "sync";
        rc = -1;
    }
    return rc >= 0;
}

/* What rank 0 tells every rank before the ranks write. */
typedef struct {
    uint64_t ok;        /* rank 0 could make or keep the file */
    uint64_t fresh;     /* a new file: every rank writes all its keys */
    uint64_t at;        /* the increment's first key in the file's /data */
    uint64_t len;       /* the file's path, with its NUL */
} plan;

/* One barrier's keys (mpi/snapshot_mpi.h): every rank appends those it
 * gained since the last committed snapshot to the log file, at its place
 * in the increment (ranks in order), collectively; rank 0 then links the
 * file's first keys as tmp's /edges/keys and lists the file in the
 * snapshot's header.  TRUE on every rank when every rank wrote its part. */
static gboolean append_keys(es_mpi_snap *s, const char *tmp, GError **error)
{
    int rank, size;
    MPI_Comm_rank(s->comm, &rank);
    MPI_Comm_size(s->comm, &size);
    es_h5_quiet();
    g_autofree char *base = g_path_get_basename(tmp), *dir = g_path_get_dirname(tmp);
    guint64 id = 0;
    sscanf(base, "snap-%" G_GUINT64_FORMAT, &id);
    /* Did the last try commit (its snapshot is there)?  Then its keys are
     * in the file; otherwise they go again. */
    int last_ok = rank == 0 && s->tried && g_file_test(s->tried, G_FILE_TEST_EXISTS);
    MPI_Bcast(&last_ok, 1, MPI_INT, 0, s->comm);
    if (last_ok) {
        s->file_n = s->last_n;
        if (rank == 0) {
            g_free(s->done.file);
            s->done = s->tries;
            s->tries.file = g_strdup(s->done.file);
            if (s->runs_tries) {
                g_array_set_size(s->runs_done, 0);
                g_array_append_vals(s->runs_done, s->runs_tries->data, s->runs_tries->len);
            }
        }
    }
    g_clear_pointer(&s->tried, g_free);
    const size_t now = rank_key_count(s);
    uint64_t mine[2] = { now - s->file_n, now }, all[2] = { 0, 0 };
    MPI_Reduce(mine, all, 2, MPI_UINT64_T, MPI_SUM, 0, s->comm);
    plan pl = { 1, 0, 0, 0 };
    g_autofree char *path = NULL;
    GError *err = NULL;
    if (rank == 0) {
        g_free(s->tries.file);
        s->tries = s->done;
        s->tries.file = g_strdup(s->done.file);
        if (!s->runs_done) {
            s->runs_done = g_array_new(FALSE, FALSE, sizeof(uint64_t));
            s->runs_tries = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        }
        if (s->runs_tries) {
            g_array_set_size(s->runs_tries, 0);
            g_array_append_vals(s->runs_tries, s->runs_done->data, s->runs_done->len);
        }
        if (s->tries.file == NULL || s->tries.bytes + 8 * all[0] > s->tries.cap) {
            /* A new file with room for three times as many keys again
             * and 64 MiB (a hole until written, as snapshot/logs.h's):
             * a new file, which every key is written into again, comes
             * seldom, so a key is written O(1) times over the run. */
            g_free(s->tries.file);
            s->tries.file = g_strdup_printf("log-%06" G_GUINT64_FORMAT ".edges.keys.ranks.u64.h5", id);
            s->tries.cap = (32 * all[1] + ((uint64_t)64 << 20) + 4095) & ~(uint64_t)4095;
            s->tries.bytes = 0;
            path = g_build_filename(dir, s->tries.file, NULL);
            pl.ok = es_snapshot_log_file_create(path, H5T_STD_U64LE, 8, s->tries.cap, &s->tries.start,
                                                &s->tries.crc, &err);
            pl.fresh = 1;
            if (s->runs_tries)
                g_array_set_size(s->runs_tries, 0);
        } else {
            path = g_build_filename(dir, s->tries.file, NULL);
        }
        pl.at = s->tries.bytes / 8;
        pl.len = strlen(path) + 1;
    }
    MPI_Bcast(&pl, 4, MPI_UINT64_T, 0, s->comm);
    *s->sent += rank ? 0 : (32 + pl.len) * (uint64_t)(size - 1);
    if (!pl.ok) {
        if (rank == 0)
            g_propagate_error(error, err);
        else
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "rank 0 could not create the key log");
        return FALSE;
    }
    if (rank != 0)
        path = g_malloc(pl.len);
    MPI_Bcast(path, (int)pl.len, MPI_CHAR, 0, s->comm);

    size_t n = 0;
    uint64_t bcnt[ES_MPI_TRI_BUCKETS], *ball = NULL;
    uint64_t *keys = rank_keys(s, pl.fresh ? 0 : s->file_n, &n, bcnt);
    if (s->tri) {   /* tri's buckets per rank to rank 0, for its runs */
        if (rank == 0)
            ball = g_new(uint64_t, (size_t)ES_MPI_TRI_BUCKETS * size);
        MPI_Gather(bcnt, ES_MPI_TRI_BUCKETS, MPI_UINT64_T, ball, ES_MPI_TRI_BUCKETS, MPI_UINT64_T, 0, s->comm);
        *s->sent += rank ? sizeof bcnt : 0;
    }
    uint64_t cnt = n, below = 0;
    MPI_Exscan(&cnt, &below, 1, MPI_UINT64_T, MPI_SUM, s->comm);
    if (rank == 0)
        below = 0;   /* (MPI_Exscan leaves rank 0's undefined) */
    const gboolean fail = fail_here(rank, id);
    const char *step = "open";
    gboolean wrote = TRUE;
    /* The file stays open from one snapshot to the next (an open and a
     * close cost more than the write): opened again for a new file, or
     * after a failure. */
    if (s->opened && (pl.fresh || strcmp(s->opened, path) != 0))
        close_log(s);
    if (!s->opened)
        wrote = open_log(s, path);
    if (wrote)
        wrote = write_log(s, pl.at + below, keys, fail ? 0 : n, &step) && !fail;
    const uint32_t crc = es_crc32(0, keys, 8 * n);
    g_free(keys);
    /* Each rank's count and CRC to rank 0, which chains the CRCs. */
    uint64_t mc[2] = { n, crc }, *every = rank == 0 ? g_new(uint64_t, 2 * (size_t)size) : NULL;
    MPI_Gather(mc, 2, MPI_UINT64_T, every, 2, MPI_UINT64_T, 0, s->comm);
    /* The first rank that failed, or size: the snapshot fails on all. */
    int me = wrote ? size : rank, first = size;
    MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, s->comm);
    *s->sent += rank ? 16 + 4 : 0;
    s->last_n = now;
    gboolean ok = first == size;
    if (!ok)
        close_log(s);
    if (me != size)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "rank %d cannot %s %s (parallel HDF5)", rank, step, path);
    else if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "rank %d could not write its keys to %s", first, path);
    if (rank == 0 && ok) {
        for (int r = 0; r < size; r++) {
            if (s->degree && every[2 * r] > 0) {
                uint64_t run[4] = { s->tries.bytes / 8, every[2 * r], 0, 0 };
                es_mpi_degree_groups(s->degree, r, size, &run[2], &run[3]);
                g_array_append_vals(s->runs_tries, run, 4);
            }
            for (uint64_t b = 0, first = s->tries.bytes / 8; s->tri && b < ES_MPI_TRI_BUCKETS; b++) {
                const uint64_t c = ball[(size_t)r * ES_MPI_TRI_BUCKETS + b];
                if (c == 0)
                    continue;
                uint64_t run[4] = { first, c, b / ES_MPI_TRI_CELLS, b % ES_MPI_TRI_CELLS };
                g_array_append_vals(s->runs_tries, run, 4);
                first += c;
            }
            s->tries.crc = (uint32_t)crc32_combine(s->tries.crc, (uLong)every[2 * r + 1], (z_off_t)(8 * every[2 * r]));
            s->tries.bytes += 8 * every[2 * r];
        }
        ok = link_keys(tmp, &s->tries, s->runs_tries, s->tri ? "tri_runs" : "key_runs", error);
        if (ok && s->tries.bytes > 0)
            es_snapshot_logs_put(es_checkpoint_logs(s->ck), "/edges/keys", s->tries.file, s->tries.start,
                                 s->tries.bytes, s->tries.crc, s->tries.cap);
        s->tried = g_strndup(tmp, strlen(tmp) - strlen(".tmp"));
    }
    g_free(every);
    g_free(ball);
    return ok;
}

void es_mpi_snap_clear(es_mpi_snap *s)
{
    close_log(s);
    g_clear_pointer(&s->done.file, g_free);
    g_clear_pointer(&s->tries.file, g_free);
    g_clear_pointer(&s->tried, g_free);
    if (s->runs_done) {
        g_array_unref(s->runs_done);
        g_array_unref(s->runs_tries);
        s->runs_done = s->runs_tries = NULL;
    }
}

gboolean es_mpi_snap_extra(const char *tmp, void *user, GError **error)
{
    es_mpi_snap *s = user;
    int len = (int)strlen(tmp) + 1, size;
    MPI_Comm_size(s->comm, &size);
    MPI_Bcast(&len, 1, MPI_INT, 0, s->comm);
    MPI_Bcast((char *)tmp, len, MPI_CHAR, 0, s->comm);
    *s->sent += (uint64_t)(4 + len) * (uint64_t)(size - 1);
    return append_keys(s, tmp, error);
}

void es_mpi_snap_serve(es_mpi_snap *s)
{
    int rank, size, len = 0;
    MPI_Comm_rank(s->comm, &rank);
    MPI_Comm_size(s->comm, &size);
    if (rank == 0) {
        MPI_Bcast(&len, 1, MPI_INT, 0, s->comm);
        *s->sent += 4 * (uint64_t)(size - 1);
        return;
    }
    for (;;) {
        MPI_Bcast(&len, 1, MPI_INT, 0, s->comm);
        if (len == 0)
            return;
        char *tmp = g_malloc((size_t)len);
        MPI_Bcast(tmp, len, MPI_CHAR, 0, s->comm);
        GError *e = NULL;
        append_keys(s, tmp, &e);   /* rank 0 says why the snapshot failed */
        g_clear_error(&e);
        g_free(tmp);
    }
}

typedef struct {
    es_mpi_snap *s;
    const uint64_t *ext;
    uint32_t n;
} restore_ctx;

/* One piece of /edges/keys to the partitioned operator: every rank gets
 * the same pieces, so degree's collective restore runs in step. */
static gboolean restore_keys(void *ctx, const uint64_t *keys, size_t nk, GError **error)
{
    restore_ctx *c = ctx;
    return c->s->tri ? es_mpi_tri_restore(c->s->tri, c->ext, c->n, keys, nk, error)
                     : es_mpi_degree_restore(c->s->degree, c->s->comm, c->ext, c->n, keys, nk, error);
}

/* Resume: the keys of /edges/keys this rank may own to restore_keys:
 * degree's runs whose key groups meet the range it owns now, when the
 * snapshot lists them (/ranks/key_runs); tri's runs of the buckets it
 * keeps edges of (/ranks/tri_runs); otherwise every key. */
static gboolean read_owned(es_mpi_snap *s, hid_t f, restore_ctx *c, GError **error)
{
    size_t total = 0, nr = 0;
    uint64_t *runs = NULL;
    const char *name = s->tri ? "tri_runs" : "key_runs";
    g_autofree char *where = g_strdup_printf("/ranks/%s", name);
    if (H5Lexists(f, "/ranks", H5P_DEFAULT) <= 0 || H5Lexists(f, where, H5P_DEFAULT) <= 0) {
        gboolean ok = es_snapshot_read_key_range(f, 0, UINT64_MAX, restore_keys, c, &total, error);
        s->keys_read += total;
        return ok;
    }
    hid_t g = H5Gopen2(f, "ranks", H5P_DEFAULT);
    gboolean ok = g >= 0 && es_h5_read_u64(g, name, &runs, &nr, error);
    if (g >= 0)
        H5Gclose(g);
    if (ok && nr % 4 != 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s has %zu entries, not runs of 4", where, nr);
        ok = FALSE;
    }
    int rank, size;
    MPI_Comm_rank(s->comm, &rank);
    MPI_Comm_size(s->comm, &size);
    uint64_t lo = 0, hi = 0, covered = 0;
    if (s->degree)
        es_mpi_degree_groups(s->degree, rank, size, &lo, &hi);
    for (size_t i = 0; ok && i < nr; i += 4) {
        if (runs[i] != covered || runs[i + 2] > runs[i + 3] || (s->tri && runs[i + 3] >= ES_MPI_TRI_CELLS)) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: run %zu is out of place", where, i / 4);
            ok = FALSE;
            break;
        }
        covered += runs[i + 1];
        if (s->tri ? es_mpi_tri_wants(s->tri, (guint)(runs[i + 2] * ES_MPI_TRI_CELLS + runs[i + 3]))
                   : runs[i + 2] < hi && lo < runs[i + 3]) {
            ok = es_snapshot_read_key_range(f, runs[i], runs[i + 1], restore_keys, c, &total, error);
            s->keys_read += runs[i + 1];
        }
    }
    if (ok && total == 0)   /* (no run met this rank's range: the length still to check) */
        ok = es_snapshot_read_key_range(f, 0, 0, restore_keys, c, &total, error);
    if (ok && covered != total) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s covers %" G_GUINT64_FORMAT " of the %zu keys", where,
                    (guint64)covered, total);
        ok = FALSE;
    }
    if (runs)
        es_h5_free(runs, nr * sizeof *runs);
    return ok;
}

gboolean es_mpi_snap_resume(es_mpi_snap *s, const char *path, GError **error)
{
    int rank, len = 0;
    MPI_Comm_rank(s->comm, &rank);
    if (rank == 0)
        len = path ? (int)strlen(path) + 1 : 0;
    MPI_Bcast(&len, 1, MPI_INT, 0, s->comm);
    if (len == 0)
        return TRUE;
    char *p = g_malloc((size_t)len);
    if (rank == 0)
        memcpy(p, path, (size_t)len);
    MPI_Bcast(p, len, MPI_CHAR, 0, s->comm);
    es_h5_quiet();
    uint64_t *ext = NULL;
    size_t n = 0;
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT), g = -1;
    gboolean ok = FALSE;
    if (f < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: HDF5 cannot open it", p);
        goto out;
    }
    if ((g = H5Gopen2(f, "idmap", H5P_DEFAULT)) < 0 || !es_h5_read_u64(g, "external_ids", &ext, &n, error))
        goto out;
    if (n > UINT32_MAX) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: /idmap/external_ids has %zu entries", p, n);
        goto out;
    }
    restore_ctx c = { s, ext, (uint32_t)n };
    ok = read_owned(s, f, &c, error);
    if (!ok)
        g_prefix_error(error, "%s: ", p);
out:
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0)
        H5Fclose(f);
    if (ext)
        es_h5_free(ext, n * sizeof *ext);
    g_free(p);
    return ok;
}
