/* fields.c — a part's snapshot as a table of fields (see fields.h). */
#include "snapshot/fields.h"

#include <string.h>

#include "graph/common.h"
#include "snapshot/h5util.h"

G_STATIC_ASSERT(sizeof(size_t) == sizeof(uint64_t));   /* counts of either type */

#define VALUE(s, f, T) ((T *)((char *)(s) + (f)->at))

/* Integers held narrower than stored (ES_FIELD_U32 and BOOL, counts with
 * ES_FIELD_N32): widened to uint64_t and back. */
static uint64_t get_u(const void *p, gboolean narrow)
{
    return narrow ? *(const uint32_t *)p : *(const uint64_t *)p;
}

static void set_u(void *p, gboolean narrow, uint64_t v)
{
    if (narrow)
        *(uint32_t *)p = (uint32_t)v;
    else
        *(uint64_t *)p = v;
}

G_STATIC_ASSERT(sizeof(gboolean) == sizeof(uint32_t));
#define NARROW(f) ((f)->type == ES_FIELD_U32 || (f)->type == ES_FIELD_BOOL)
#define COUNT(s, f) get_u((char *)(s) + (f)->count, ((f)->flags & ES_FIELD_N32) != 0)

static gboolean present(const es_field *f, unsigned mask)
{
    return f->when == 0 || (f->when & mask) != 0;
}

static gboolean is_array(const es_field *f)
{
    return f->type >= ES_FIELD_U8S;
}

/* How each field type is stored (ES_FIELD_STR: es_h5_set_str). */
static es_h5_type h5_type(es_field_type t)
{
    return (es_h5_type[]){ ES_H5_U64, ES_H5_U64, ES_H5_U64, ES_H5_I64, ES_H5_F64, ES_H5_U8, ES_H5_U8, ES_H5_U32,
                           ES_H5_U64, ES_H5_F64, ES_H5_U64 }[t];
}

static uint64_t mul(const es_field *f)
{
    return f->mul ? f->mul : 1;
}

gboolean es_fields_write(es_snapshot_writer *w, const es_field *fs, size_t nf, unsigned mask, const void *s,
                         GError **error)
{
    const hid_t g = es_writer_group(w);
    gboolean ok = TRUE;
    for (size_t i = 0; ok && i < nf; i++) {
        const es_field *f = &fs[i];
        if (!present(f, mask))
            continue;
        const void *a = is_array(f) ? *VALUE(s, f, void *const) : NULL;
        const char *str = f->type == ES_FIELD_STR ? *VALUE(s, f, const char *const) : NULL;
        const size_t n = is_array(f) ? (size_t)(COUNT(s, f) * mul(f)) : 0;
        const uint64_t u = f->type <= ES_FIELD_BOOL ? get_u(VALUE(s, f, const void), NARROW(f)) : 0;
        ok = f->type == ES_FIELD_STR       ? es_h5_set_str(g, f->name, str ? str : "", error)
           : f->type == ES_FIELD_LOG_U64   ? es_writer_log_u64(w, f->name, a, n, error)
           : is_array(f)                   ? es_h5_write(g, f->name, h5_type(f->type), a, n, error)
           : es_h5_set(g, f->name, h5_type(f->type), f->type <= ES_FIELD_BOOL ? &u : VALUE(s, f, const void), error);
    }
    return ok;
}

/* The field among fs[0 .. i-1] that sets an array's count (an attribute,
 * or an array of the same count), if any. */
static const es_field *counted_by(const es_field *fs, size_t i, unsigned mask)
{
    for (size_t j = 0; j < i; j++)
        if (present(&fs[j], mask) && (is_array(&fs[j]) ? fs[j].count == fs[i].count
                                                       : (fs[j].type == ES_FIELD_U64 || fs[j].type == ES_FIELD_U32)
                                                         && fs[j].at == fs[i].count))
            return &fs[j];
    return NULL;
}

static gboolean read_attr(hid_t g, const es_field *f, void *s, GError **error)
{
    const gboolean param = (f->flags & ES_FIELD_PARAM) != 0;
    if (f->type == ES_FIELD_STR) {
        char *v = NULL;
        if (!es_h5_get_str(g, f->name, &v, error))
            return FALSE;
        const char *want = *VALUE(s, f, char *);
        if (param && strcmp(v, want) != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is \"%s\", but this operator has"
                        " %s=%s", f->name, v, f->name, want);
            g_free(v);
            return FALSE;
        }
        if (param)
            g_free(v);
        else
            *VALUE(s, f, char *) = v;
        return TRUE;
    }
    if (f->type == ES_FIELD_I64)
        return es_h5_get(g, f->name, ES_H5_I64, VALUE(s, f, int64_t), error);
    if (f->type == ES_FIELD_F64) {
        double v;
        if (!es_h5_get(g, f->name, ES_H5_F64, &v, error))
            return FALSE;
        if (param && v != *VALUE(s, f, double)) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is %.17g, but this operator has"
                        " %s=%.17g", f->name, v, f->name, *VALUE(s, f, double));
            return FALSE;
        }
        *VALUE(s, f, double) = v;
        return TRUE;
    }
    uint64_t v;
    if (!es_h5_get(g, f->name, ES_H5_U64, &v, error))
        return FALSE;
    const uint64_t was = get_u(VALUE(s, f, void), NARROW(f));
    if (param && v != was) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is %" G_GUINT64_FORMAT ", but this"
                    " operator has %s=%" G_GUINT64_FORMAT, f->name, (guint64)v, f->name, (guint64)was);
        return FALSE;
    }
    const uint64_t max = f->max ? f->max : f->type == ES_FIELD_U32 ? UINT32_MAX : f->type == ES_FIELD_BOOL ? 1 : 0;
    if (max && v > max) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is %" G_GUINT64_FORMAT ", more than %"
                    G_GUINT64_FORMAT, f->name, (guint64)v, (guint64)max);
        return FALSE;
    }
    set_u(VALUE(s, f, void), NARROW(f), v);
    return TRUE;
}

/* An array: its length checked against its count attribute (when it has
 * one) before it is read. */
static gboolean read_array(hid_t g, const es_field *f, const es_field *counted, void *s, GError **error)
{
    g_assert(counted || !(f->flags & ES_FIELD_N32));   /* (a narrow count is read before) */
    size_t n = 0;
    hid_t ds = es_h5_open_array(g, f->name, f->type == ES_FIELD_F64S ? H5T_FLOAT : H5T_INTEGER,
                                es_h5_size(h5_type(f->type)), 0, &n, error);
    if (ds < 0)
        return FALSE;
    gboolean ok = FALSE;
    if ((counted || (f->flags & ES_FIELD_SIZED)) && n != COUNT(s, f) * mul(f))
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"%s\" has %zu elements, expected %"
                    G_GUINT64_FORMAT "%s%s%s", f->name, n, (guint64)(COUNT(s, f) * mul(f)),
                    counted ? " (from \"" : "", counted ? counted->name : "", counted ? "\")" : "");
    else if (n % mul(f) != 0)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"%s\" has %zu elements, not a multiple of %u",
                    f->name, n, f->mul);
    else
        ok = es_h5_read_open(ds, f->name, h5_type(f->type), n, VALUE(s, f, void *), error);
    H5Dclose(ds);
    if (ok)
        set_u((char *)s + f->count, (f->flags & ES_FIELD_N32) != 0, n / mul(f));
    return ok;
}

gboolean es_fields_read(hid_t g, const es_field *fs, size_t nf, unsigned mask, void *s, GError **error)
{
    for (size_t i = 0; i < nf; i++) {
        const es_field *f = &fs[i];
        if (present(f, mask) && !(is_array(f) ? read_array(g, f, counted_by(fs, i, mask), s, error)
                                             : read_attr(g, f, s, error)))
            return FALSE;
    }
    return TRUE;
}

void es_fields_clear(const es_field *fs, size_t nf, unsigned mask, void *s)
{
    for (size_t i = 0; i < nf; i++) {
        const es_field *f = &fs[i];
        if (!present(f, mask))
            continue;
        if (f->type == ES_FIELD_STR && !(f->flags & ES_FIELD_PARAM))
            g_clear_pointer(VALUE(s, f, char *), g_free);
        if (is_array(f) && *VALUE(s, f, void *) != NULL) {
            es_h5_free(*VALUE(s, f, void *), (size_t)(COUNT(s, f) * mul(f)) * es_h5_size(h5_type(f->type)));
            *VALUE(s, f, void *) = NULL;
        }
    }
}
