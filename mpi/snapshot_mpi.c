/* snapshot_mpi.c — partitioned state written collectively (see
 * snapshot_mpi.h). */
#include "mpi/snapshot_mpi.h"

#include <hdf5.h>
#include <string.h>

#include "graph/common.h"
#include "graph/edgetable.h"
#include "snapshot/h5util.h"
#include "snapshot/snapshot.h"

/* Every rank's slice of /edges/keys into the closed file tmp, opened by
 * all with MPI-IO; TRUE on every rank when every rank wrote its own. */
static gboolean write_keys(es_mpi_snap *s, const char *tmp, GError **error)
{
    int rank;
    MPI_Comm_rank(s->comm, &rank);
    es_h5_quiet();
    size_t n = 0;
    uint64_t *keys = s->tri ? es_mpi_tri_keys(s->tri, &n) : es_mpi_degree_keys(s->degree, &n);
    uint64_t mine = n, below = 0, total = 0;
    MPI_Exscan(&mine, &below, 1, MPI_UINT64_T, MPI_SUM, s->comm);
    MPI_Allreduce(&mine, &total, 1, MPI_UINT64_T, MPI_SUM, s->comm);
    if (rank == 0)
        below = 0;   /* (MPI_Exscan leaves rank 0's undefined) */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), dxpl = H5Pcreate(H5P_DATASET_XFER), f = -1, g = -1, ds = -1,
          fspace = -1, mspace = -1;
    H5Pset_fapl_mpio(fapl, s->comm, MPI_INFO_NULL);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    hsize_t dim[1] = { total }, start[1] = { below }, count[1] = { n };
    const char *step = "open";
    gboolean ok = FALSE;
    if ((f = H5Fopen(tmp, H5F_ACC_RDWR, fapl)) < 0)
        goto out;
    step = "create /edges/keys in";
    if ((g = H5Gcreate2(f, "edges", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        (fspace = H5Screate_simple(1, dim, NULL)) < 0 ||
        (ds = H5Dcreate2(g, "keys", H5T_STD_U64LE, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        (mspace = H5Screate_simple(1, count, NULL)) < 0)
        goto out;
    step = "write this rank's keys to";
    if ((n ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL)
           : H5Sselect_none(fspace)) < 0 || (n == 0 && H5Sselect_none(mspace) < 0) ||
        H5Dwrite(ds, H5T_NATIVE_UINT64, mspace, fspace, dxpl, keys) < 0)
        goto out;
    ok = TRUE;
out:
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (ds >= 0)
        H5Dclose(ds);
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0 && H5Fclose(f) < 0 && ok) {
        step = "close";
        ok = FALSE;
    }
    H5Pclose(fapl);
    H5Pclose(dxpl);
    g_free(keys);
    int mine_ok = ok, all_ok = 0;
    MPI_Allreduce(&mine_ok, &all_ok, 1, MPI_INT, MPI_MIN, s->comm);
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "rank %d cannot %s %s (parallel HDF5)", rank, step, tmp);
    else if (!all_ok)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "another rank could not write its keys to %s", tmp);
    return all_ok;
}

gboolean es_mpi_snap_extra(const char *tmp, void *user, GError **error)
{
    es_mpi_snap *s = user;
    int len = (int)strlen(tmp) + 1, size;
    MPI_Comm_size(s->comm, &size);
    MPI_Bcast(&len, 1, MPI_INT, 0, s->comm);
    MPI_Bcast((char *)tmp, len, MPI_CHAR, 0, s->comm);
    *s->sent += (uint64_t)(4 + len) * (uint64_t)(size - 1);
    return write_keys(s, tmp, error);
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
        write_keys(s, tmp, &e);   /* rank 0 says why the snapshot failed */
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
    ok = es_snapshot_read_keys(f, restore_keys, &c, error);
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
