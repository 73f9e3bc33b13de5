/* adjacency.c (snapshot) — an adjacency graph in CSR form in a snapshot
 * group (see adjacency.h). */
#include "snapshot/adjacency.h"

#include "graph/common.h"
#include "snapshot/h5util.h"

/* adj_neighbors is written in pieces of this many (the lists lie scattered
 * over arena blocks; no copy of the whole graph in the forked writer). */
#define NEIGHBORS_PIECE ((size_t)1 << 20)
#define H5_CHUNK ((hsize_t)65536)

/* The graph's CSR form as datasets adj_offsets and adj_neighbors.  The
 * lists lie scattered over arena blocks, and h5util writes whole arrays
 * only, so adj_neighbors is written here in pieces (with h5util's dataset
 * properties: little-endian, chunked, Fletcher32) rather than from a
 * copy of the whole graph in the forked writer. */
gboolean es_snapshot_write_adjacency(hid_t g, const es_adjacency *a, GError **error)
{
    const uint32_t n = es_adjacency_vertices(a);
    const uint64_t total = 2 * es_adjacency_edges(a);
    const size_t off_bytes = ((size_t)n + 1) * sizeof(uint64_t);
    uint64_t *off = es_big_alloc(off_bytes);
    es_adjacency_csr_offsets(a, off);
    gboolean ok = es_h5_write_u64(g, "adj_offsets", off, (size_t)n + 1, error);
    es_big_free(off, off_bytes);
    if (!ok)
        return FALSE;

    hsize_t dims[1] = { total }, maxdims[1] = { H5S_UNLIMITED };
    hsize_t chunk[1] = { total == 0 ? 1 : MIN(total, H5_CHUNK) };
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    H5Pset_fletcher32(dcpl);
    hid_t ds = H5Dcreate2(g, "adj_neighbors", H5T_STD_U32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    ok = ds >= 0;
    const size_t piece = (size_t)MIN(total, (uint64_t)NEIGHBORS_PIECE);
    uint32_t *buf = g_new(uint32_t, piece ? piece : 1);
    es_adjacency_cursor at = { 0, 0 };
    for (uint64_t done = 0; ok && done < total;) {
        const size_t k = es_adjacency_csr_next(a, &at, buf, (size_t)MIN((uint64_t)piece, total - done));
        hsize_t start[1] = { done }, count[1] = { k };
        hid_t mem = H5Screate_simple(1, count, NULL);
        ok = k > 0 && H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(ds, H5T_NATIVE_UINT32, mem, space, H5P_DEFAULT, buf) >= 0;
        H5Sclose(mem);
        done += k;
    }
    g_free(buf);
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "HDF5: cannot write dataset \"adj_neighbors\"");
    return ok;
}

/* The graph of datasets adj_offsets and adj_neighbors, which must hold n
 * vertices and E edges (the group's attributes). */
es_adjacency *es_snapshot_read_adjacency(hid_t g, uint32_t n, uint64_t E, GError **error)
{
    uint64_t *off = NULL;
    uint32_t *nb = NULL;
    size_t noff = 0, nnb = 0;
    es_adjacency *a = NULL;
    if (!es_h5_read_u64(g, "adj_offsets", &off, &noff, error))
        goto out;
    if (noff != (size_t)n + 1) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"adj_offsets\" has %zu elements, expected %"
                    G_GUINT64_FORMAT " (attribute \"vertices\" + 1)", noff, (guint64)n + 1);
        goto out;
    }
    if (!es_h5_read_u32(g, "adj_neighbors", &nb, &nnb, error))
        goto out;
    if (nnb % 2 != 0 || nnb / 2 != E) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"adj_neighbors\" has %zu elements, expected %"
                    G_GUINT64_FORMAT " (2 x attribute \"edges\")", nnb, (guint64)(2 * E));
        goto out;
    }
    a = es_adjacency_new_from_csr(n, off, nb, nnb, "snapshot dataset \"adj_offsets\"",
                                  "snapshot dataset \"adj_neighbors\"", error);
out:
    if (off)
        es_h5_free(off, noff * sizeof(uint64_t));
    if (nb)
        es_h5_free(nb, nnb * sizeof(uint32_t));
    return a;
}

