/* fields.h — what a part of the state (an operator, the id map, the
 * edge table, the root, a window) writes its snapshot through: a writer,
 * and one table of fields that the writer and the reader both walk.
 *
 * A snapshot is one HDF5 file plus shared log files (snapshot/logs.h).
 * Each part gets a writer whose group is its own (/operators/cc, /idmap),
 * and declares its snapshot once: a struct of plain values (integers,
 * doubles, strings; arrays with a count) and a table naming each member,
 * its HDF5 type and its rule; it freezes into that struct at the barrier
 * (an operator's table is then its write: operator.h's ES_FROZEN).  Arrays that only grow at their end
 * between snapshots (ES_FIELD_LOG_U64: elements appended, never changed)
 * go to the log files, which take only what was appended since the last
 * snapshot; they read back like any other dataset.  es_fields_write
 * writes the struct as frozen at the barrier (shadow copies, scalars, each
 * log's pointer and length: it may run in a thread beside the stream);
 * es_fields_read fills a fresh struct, checking, as ES_ERROR_DATA errors
 * naming the field: that each is there and of its type; an attribute with
 * `max` at most max; an ES_FIELD_PARAM one (an option: k, a seed) equal
 * to the struct's value before the read; an array whose count an earlier
 * field gives (or, with ES_FIELD_SIZED, the caller) of count * mul
 * elements, checked before it is read (else its count is set from it).
 * The part then checks only what relates its fields to each other and
 * swaps its new state in (a refused snapshot leaves it as it was).  Fields
 * with `when` are there only when the caller's mask has one of its bits.
 * Single-threaded: no OpenMP, HDF5 is not thread-safe.
 */
#ifndef ES_SNAPSHOT_FIELDS_H
#define ES_SNAPSHOT_FIELDS_H

#include <glib.h>
#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_snapshot_logs es_snapshot_logs;

typedef struct {
    hid_t             group;   /* the part's group */
    es_snapshot_logs *logs;    /* the run's log table, or NULL: logs written as ordinary datasets */
} es_snapshot_writer;

static inline hid_t es_writer_group(const es_snapshot_writer *w)
{
    return w->group;
}

/* a[0 .. n-1], an append-only array, as dataset `name` of the group. */
gboolean es_writer_log_u64(es_snapshot_writer *w, const char *name, const uint64_t *a, size_t n, GError **error);

typedef enum {
    ES_FIELD_U64,       /* attribute, uint64_t */
    ES_FIELD_U32,       /* attribute, uint32_t (stored as uint64, read back at most UINT32_MAX) */
    ES_FIELD_BOOL,      /* attribute, gboolean (stored as uint64 0 or 1, read back at most 1) */
    ES_FIELD_I64,       /* attribute, int64_t */
    ES_FIELD_F64,       /* attribute, double */
    ES_FIELD_STR,       /* attribute, char * (NULL written as ""; read: g_strdup, freed by
                           es_fields_clear) */
    ES_FIELD_U8S,       /* datasets: a pointer to the elements, and a count */
    ES_FIELD_U32S,
    ES_FIELD_U64S,
    ES_FIELD_F64S,
    ES_FIELD_LOG_U64,   /* an append-only array (es_writer_log_u64) */
} es_field_type;

#define ES_FIELD_PARAM 1u   /* on read, must equal the struct's value (not stored) */
#define ES_FIELD_SIZED 2u   /* an array whose count the struct holds before the read */
#define ES_FIELD_N32   4u   /* an array whose count is a uint32_t: an ES_FIELD_U32 field read before it */

typedef struct {
    const char   *name;   /* attribute or dataset of the part's group */
    es_field_type type;
    size_t        at;     /* offsetof the value, or of an array's pointer */
    size_t        count;  /* arrays: offsetof their uint64_t (or size_t; ES_FIELD_N32: uint32_t) count */
    unsigned      mul;    /* arrays: elements per count (0: 1) */
    uint64_t      max;    /* ES_FIELD_U64, U32: largest valid value (0: any the type holds) */
    unsigned      flags;
    unsigned      when;   /* 0: always; else present when (when & mask) != 0 */
} es_field;

/* Table entries for a struct T; the rest (.max, .flags, .when, .mul) as
 * designated initializers. */
#define ES_ATTR(T, m, nm, ...) { .name = nm, .type = ES_FIELD_U64, .at = offsetof(T, m), __VA_ARGS__ }
#define ES_ATTR_OF(ty, T, m, nm, ...) { .name = nm, .type = ty, .at = offsetof(T, m), __VA_ARGS__ }
#define ES_ARRAY(ty, T, m, n, nm, ...) \
    { .name = nm, .type = ty, .at = offsetof(T, m), .count = offsetof(T, n), __VA_ARGS__ }

gboolean es_fields_write(es_snapshot_writer *w, const es_field *f, size_t nf, unsigned mask, const void *s,
                         GError **error);
gboolean es_fields_read(hid_t g, const es_field *f, size_t nf, unsigned mask, void *s, GError **error);
/* Free the arrays and strings es_fields_read put into s (NULL ones are skipped). */
void     es_fields_clear(const es_field *f, size_t nf, unsigned mask, void *s);

#define ES_FIELDS_WRITE(w, table, mask, s, e) es_fields_write(w, table, G_N_ELEMENTS(table), mask, s, e)
#define ES_FIELDS_READ(g, table, mask, s, e) es_fields_read(g, table, G_N_ELEMENTS(table), mask, s, e)
#define ES_FIELDS_CLEAR(table, mask, s) es_fields_clear(table, G_N_ELEMENTS(table), mask, s)

#endif
