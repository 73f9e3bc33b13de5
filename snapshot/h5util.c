/* h5util.c — typed arrays and attributes in HDF5 groups (see h5util.h). */
#include "snapshot/h5util.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"

/* Set once a file could not be closed (es_h5_abandon). */
static gint abandoned;

/* HDF5's own exit handler closes every file still open, and crashes on a
 * file whose close failed (a flush on a full disk leaves it half torn
 * down).  So the library is shut down here, and not at all after such a
 * failure: the process is ending anyway. */
static void shut_down(void)
{
    if (!g_atomic_int_get(&abandoned))
        H5close();
}

void es_h5_quiet(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        H5dont_atexit();   /* effective only before the library's first use */
        atexit(shut_down);
        g_once_init_leave(&once, 1);
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void es_h5_abandon(void)
{
    g_atomic_int_set(&abandoned, 1);
}

static gboolean fail(GError **error, const char *what, const char *name)
{
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "HDF5: cannot %s \"%s\"", what, name);
    return FALSE;
}

/* HDF5's types for t: in the file (little-endian, whatever the host), in memory. */
static hid_t file_type(es_h5_type t)
{
    return (hid_t[]){ H5T_STD_U8LE, H5T_STD_U32LE, H5T_STD_U64LE, H5T_STD_I64LE, H5T_IEEE_F64LE }[t];
}

static hid_t mem_type(es_h5_type t)
{
    return (hid_t[]){ H5T_NATIVE_UINT8, H5T_NATIVE_UINT32, H5T_NATIVE_UINT64, H5T_NATIVE_INT64, H5T_NATIVE_DOUBLE }[t];
}

size_t es_h5_size(es_h5_type t)
{
    return t == ES_H5_U8 ? 1 : t == ES_H5_U32 ? 4 : 8;
}

static H5T_class_t class_of(es_h5_type t)
{
    return t == ES_H5_F64 ? H5T_FLOAT : H5T_INTEGER;
}

gboolean es_h5_write(hid_t g, const char *name, es_h5_type t, const void *a, size_t n, GError **error)
{
    hsize_t dims[1] = { n };
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, file_type(t), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    gboolean ok = ds >= 0 && (n == 0 || H5Dwrite(ds, mem_type(t), H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0);
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(space);
    return ok ? TRUE : fail(error, "write dataset", name);
}

/* A dataset that is not stored in the file itself must be a virtual one
 * over the first elements of one log file of ours (snapshot/logs.h) beside
 * the snapshot: never a path elsewhere, never external storage. */
static gboolean storage_ok(hid_t ds, const char *name, GError **error)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    gboolean ok = dcpl >= 0 && H5Pget_external_count(dcpl) == 0;
    if (ok && H5Pget_layout(dcpl) == H5D_VIRTUAL) {
        size_t count = 0;
        char file[256] = "", dset[16] = "";
        ok = H5Pget_virtual_count(dcpl, &count) >= 0 && count == 1 &&
             H5Pget_virtual_filename(dcpl, 0, file, sizeof file) > 0 &&
             H5Pget_virtual_dsetname(dcpl, 0, dset, sizeof dset) > 0 && g_str_has_prefix(file, "log-") &&
             strchr(file, '/') == NULL && strcmp(dset, "/data") == 0;
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (!ok)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"%s\" refers to data outside its logs", name);
    return ok;
}

/* Open dataset `name`, check it is 1-D of the expected class, size and sign. */
hid_t es_h5_open_array(hid_t g, const char *name, H5T_class_t cls, size_t size, int is_signed,
                       size_t *n, GError **error)
{
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot has no dataset \"%s\"", name);
        return -1;
    }
    /* Log files (snapshot/logs.h) are found next to the snapshot. */
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_virtual_prefix(dapl, "${ORIGIN}");
    hid_t ds = H5Dopen2(g, name, dapl);
    H5Pclose(dapl);
    if (ds < 0) {
        fail(error, "open dataset", name);
        return -1;
    }
    if (!storage_ok(ds, name, error)) {
        H5Dclose(ds);
        return -1;
    }
    hid_t t = H5Dget_type(ds), space = H5Dget_space(ds);
    hsize_t dims[1] = { 0 };
    gboolean ok = t >= 0 && space >= 0 && H5Tget_class(t) == cls && H5Tget_size(t) == size &&
                  (cls != H5T_INTEGER || (H5Tget_sign(t) == H5T_SGN_2) == !!is_signed) &&
                  H5Sget_simple_extent_ndims(space) == 1 && H5Sget_simple_extent_dims(space, dims, NULL) == 1;
    if (t >= 0) H5Tclose(t);
    if (space >= 0) H5Sclose(space);
    if (!ok) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"%s\" has the wrong type or shape", name);
        H5Dclose(ds);
        return -1;
    }
    *n = (size_t)dims[0];
    return ds;
}

gboolean es_h5_read_open(hid_t ds, const char *name, es_h5_type t, size_t n, void **out, GError **error)
{
    const size_t size = es_h5_size(t);
    /* A forged length must not overflow or ask for absurd memory. */
    if (n > ((size_t)1 << 36) / size) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"%s\" claims %zu elements", name, n);
        return FALSE;
    }
    void *buf = es_big_alloc(n * size);
    if (n > 0 && H5Dread(ds, mem_type(t), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        es_big_free(buf, n * size);
        return fail(error, "read dataset", name);
    }
    *out = buf;
    return TRUE;
}

gboolean es_h5_read(hid_t g, const char *name, es_h5_type t, void **out, size_t *n, GError **error)
{
    size_t len;
    hid_t ds = es_h5_open_array(g, name, class_of(t), es_h5_size(t), t == ES_H5_I64, &len, error);
    const gboolean ok = ds >= 0 && es_h5_read_open(ds, name, t, len, out, error);
    if (ds >= 0)
        H5Dclose(ds);
    if (ok)
        *n = len;
    return ok;
}

void es_h5_free(void *p, size_t bytes)
{
    es_big_free(p, bytes);
}

static gboolean set_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, const void *v, GError **error)
{
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    gboolean ok = a >= 0 && H5Awrite(a, mtype, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return ok ? TRUE : fail(error, "write attribute", name);
}

gboolean es_h5_set(hid_t obj, const char *name, es_h5_type t, const void *v, GError **error)
{
    return set_attr(obj, name, file_type(t), mem_type(t), v, error);
}

/* Strings are variable-length UTF-8: h5py reads those as str (a fixed-length
 * string comes back as bytes). */
gboolean es_h5_set_str(hid_t obj, const char *name, const char *v, GError **error)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    gboolean ok = set_attr(obj, name, t, t, &v, error);
    H5Tclose(t);
    return ok;
}

static gboolean missing(hid_t obj, const char *name, GError **error)
{
    if (H5Aexists(obj, name) > 0)
        return FALSE;
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot has no attribute \"%s\"", name);
    return TRUE;
}

gboolean es_h5_get(hid_t obj, const char *name, es_h5_type type, void *v, GError **error)
{
    if (missing(obj, name, error))
        return FALSE;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    gboolean ok = t >= 0 && H5Tget_class(t) == class_of(type) && H5Aread(a, mem_type(type), v) >= 0;
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    if (!ok) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is unreadable or of the wrong type", name);
        return FALSE;
    }
    return TRUE;
}

gboolean es_h5_get_str(hid_t obj, const char *name, char **v, GError **error)
{
    if (missing(obj, name, error))
        return FALSE;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5T_CSET_UTF8);
    char *s = NULL;
    gboolean ok = t >= 0 && space >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 &&
                  H5Tget_cset(t) == H5T_CSET_UTF8 && H5Sget_simple_extent_type(space) == H5S_SCALAR &&
                  H5Aread(a, mem, &s) >= 0 && s != NULL;
    if (ok)
        *v = g_strdup(s);
    if (s)
        H5free_memory(s);
    H5Tclose(mem);
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    if (!ok) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is unreadable or not a string", name);
        return FALSE;
    }
    return TRUE;
}
