/* h5util.h — the few HDF5 calls operators need to write and read their
 * state: typed 1-D arrays and scalar attributes in a group, with GError
 * reporting.  Arrays are contiguous and carry no filter: the snapshot's
 * whole-file checksum (snapshot.h) already covers every byte, HDF5's
 * Fletcher32 on top of it cost the writer a pass over the data, and
 * deflate ran at about 60 MB/s here and made the writer, not the disk,
 * the bottleneck (gzip the file offline if space matters more than time).
 * Append-only arrays go to shared log files instead (snapshot/logs.h);
 * the readers here read both kinds.
 *
 * Readers check type and length: a dataset of the wrong type or size is an
 * ES_ERROR_DATA error naming the dataset, never a silent misread.
 * Call only from one thread (HDF5 is not thread-safe).
 */
#ifndef ES_H5UTIL_H
#define ES_H5UTIL_H

#include <glib.h>
#include <hdf5.h>
#include <stdint.h>

/* Arrays: write n elements; read allocates *out (g_malloc; es_big_alloc
 * when large — free with es_h5_free(*out, n * size)) and sets *n. */
gboolean es_h5_write_u32(hid_t g, const char *name, const uint32_t *a, size_t n, GError **error);
gboolean es_h5_write_u64(hid_t g, const char *name, const uint64_t *a, size_t n, GError **error);
gboolean es_h5_write_f64(hid_t g, const char *name, const double *a, size_t n, GError **error);
gboolean es_h5_write_u8(hid_t g, const char *name, const uint8_t *a, size_t n, GError **error);
gboolean es_h5_read_u32(hid_t g, const char *name, uint32_t **out, size_t *n, GError **error);
gboolean es_h5_read_u64(hid_t g, const char *name, uint64_t **out, size_t *n, GError **error);
gboolean es_h5_read_f64(hid_t g, const char *name, double **out, size_t *n, GError **error);
gboolean es_h5_read_u8(hid_t g, const char *name, uint8_t **out, size_t *n, GError **error);
void     es_h5_free(void *p, size_t bytes);
/* Open dataset `name` for reading in pieces, after checking it is a 1-D
 * array of class cls (H5T_INTEGER, H5T_FLOAT), element size and sign;
 * *n gets its length.  Close with H5Dclose.  -1 and an error otherwise. */
hid_t    es_h5_open_array(hid_t g, const char *name, H5T_class_t cls, size_t size, int is_signed,
                          size_t *n, GError **error);

/* Scalar attributes on a group (or file root). */
gboolean es_h5_set_u64(hid_t obj, const char *name, uint64_t v, GError **error);
gboolean es_h5_set_i64(hid_t obj, const char *name, int64_t v, GError **error);
gboolean es_h5_set_f64(hid_t obj, const char *name, double v, GError **error);
gboolean es_h5_set_str(hid_t obj, const char *name, const char *v, GError **error);
gboolean es_h5_get_u64(hid_t obj, const char *name, uint64_t *v, GError **error);
gboolean es_h5_get_i64(hid_t obj, const char *name, int64_t *v, GError **error);
gboolean es_h5_get_f64(hid_t obj, const char *name, double *v, GError **error);
/* Caller frees *v with g_free. */
gboolean es_h5_get_str(hid_t obj, const char *name, char **v, GError **error);
/* Silence HDF5's own error printing (errors come back as GErrors); the
 * first call also puts the library's shutdown at exit in our hands. */
void es_h5_quiet(void);
/* A file could not be closed (its flush failed): HDF5 keeps it half open,
 * and closing it again, even at exit, crashes; so the library is left
 * as it is when the process exits. */
void es_h5_abandon(void);

#endif
