/* writer.h — what a part of the state (an operator, the id map, a stage of
 * the dataflow) writes its snapshot through.
 *
 * A snapshot is one HDF5 file plus shared log files (snapshot/logs.h).
 * Each part gets a writer whose group is the part's own (/operators/cc,
 * /idmap, ...), and writes into it:
 *   - attributes and ordinary datasets, with snapshot/h5util.h on
 *     es_writer_group(w): state that changes anywhere between snapshots,
 *     written whole each time;
 *   - logs, with es_writer_log_u64/_u32: arrays that only ever grow at
 *     their end between snapshots (elements appended, never changed).
 *     Only the elements appended since the previous snapshot are written;
 *     the dataset reads back like any other with h5util's readers.
 * A writer without a log table (tests, one-off files) writes logs as
 * ordinary datasets.
 *
 * Contract for the part: write only what it froze at the barrier (shadow
 * copies, scalars, and the pointer and length of each log, whose first
 * elements the stream never writes again), since the writer may run in a
 * thread beside the stream (dataflow/checkpoint.h).  Single-threaded: no
 * OpenMP, HDF5 is not thread-safe.
 */
#ifndef ES_SNAPSHOT_WRITER_H
#define ES_SNAPSHOT_WRITER_H

#include <glib.h>
#include <hdf5.h>
#include <stdint.h>

typedef struct es_snapshot_logs es_snapshot_logs;

typedef struct {
    hid_t             group;   /* the part's group */
    es_snapshot_logs *logs;    /* the run's log table, or NULL */
} es_snapshot_writer;

static inline hid_t es_writer_group(const es_snapshot_writer *w)
{
    return w->group;
}

/* a[0 .. n-1], an append-only array, as dataset `name` of the group. */
gboolean es_writer_log_u64(es_snapshot_writer *w, const char *name, const uint64_t *a, size_t n, GError **error);
gboolean es_writer_log_u32(es_snapshot_writer *w, const char *name, const uint32_t *a, size_t n, GError **error);

#endif
