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

/* Element types, stored little-endian; in memory uint8_t .. double. */
typedef enum { ES_H5_U8, ES_H5_U32, ES_H5_U64, ES_H5_I64, ES_H5_F64 } es_h5_type;
size_t   es_h5_size(es_h5_type t);

/* Arrays: write n elements; read allocates *out (es_big_alloc: free with
 * es_h5_free(*out, n * size)) and sets *n. */
gboolean es_h5_write(hid_t g, const char *name, es_h5_type t, const void *a, size_t n, GError **error);
gboolean es_h5_read(hid_t g, const char *name, es_h5_type t, void **out, size_t *n, GError **error);
void     es_h5_free(void *p, size_t bytes);
/* Open dataset `name` for reading in pieces, after checking it is a 1-D
 * array of class cls (H5T_INTEGER, H5T_FLOAT), element size and sign;
 * *n gets its length.  Close with H5Dclose.  -1 and an error otherwise.
 * es_h5_read_open: read such a dataset's n elements whole, as es_h5_read. */
hid_t    es_h5_open_array(hid_t g, const char *name, H5T_class_t cls, size_t size, int is_signed,
                          size_t *n, GError **error);
gboolean es_h5_read_open(hid_t ds, const char *name, es_h5_type t, size_t n, void **out, GError **error);
/* Scalar attributes on a group (or file root); *v of the type's C type.
 * Strings: variable-length UTF-8; get_str's *v freed with g_free. */
gboolean es_h5_set(hid_t obj, const char *name, es_h5_type t, const void *v, GError **error);
gboolean es_h5_get(hid_t obj, const char *name, es_h5_type t, void *v, GError **error);
gboolean es_h5_set_str(hid_t obj, const char *name, const char *v, GError **error);
gboolean es_h5_get_str(hid_t obj, const char *name, char **v, GError **error);

/* The typed forms the rest of the house calls. */
#define es_h5_write_u8(g, name, a, n, e)  es_h5_write(g, name, ES_H5_U8, (const uint8_t *){ a }, n, e)
#define es_h5_write_u32(g, name, a, n, e) es_h5_write(g, name, ES_H5_U32, (const uint32_t *){ a }, n, e)
#define es_h5_write_u64(g, name, a, n, e) es_h5_write(g, name, ES_H5_U64, (const uint64_t *){ a }, n, e)
#define es_h5_write_f64(g, name, a, n, e) es_h5_write(g, name, ES_H5_F64, (const double *){ a }, n, e)
#define es_h5_read_u8(g, name, out, n, e)  es_h5_read(g, name, ES_H5_U8, (void **)(uint8_t **){ out }, n, e)
#define es_h5_read_u32(g, name, out, n, e) es_h5_read(g, name, ES_H5_U32, (void **)(uint32_t **){ out }, n, e)
#define es_h5_read_u64(g, name, out, n, e) es_h5_read(g, name, ES_H5_U64, (void **)(uint64_t **){ out }, n, e)
#define es_h5_read_f64(g, name, out, n, e) es_h5_read(g, name, ES_H5_F64, (void **)(double **){ out }, n, e)
#define es_h5_set_u64(obj, name, v, e) es_h5_set(obj, name, ES_H5_U64, &(uint64_t){ v }, e)
#define es_h5_set_f64(obj, name, v, e) es_h5_set(obj, name, ES_H5_F64, &(double){ v }, e)
#define es_h5_get_u64(obj, name, v, e) es_h5_get(obj, name, ES_H5_U64, (uint64_t *){ v }, e)

/* Silence HDF5's own error printing (errors come back as GErrors); the
 * first call also puts the library's shutdown at exit in our hands. */
void es_h5_quiet(void);
/* A file could not be closed (its flush failed): HDF5 keeps it half open,
 * and closing it again, even at exit, crashes; so the library is left
 * as it is when the process exits. */
void es_h5_abandon(void);

#endif
