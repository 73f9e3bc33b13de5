/* edgesource.h — where a run's edges come from: the one interface the
 * driver reads, whatever the stream is.  Files (a list of plain or gzip
 * files, or stdin: dataflow/filesource.c over reader.c) are one source; the
 * server's write-ahead log (server/walsource.c) is another; a log-based
 * broker whose position is an entry id can be a third.
 *
 * Contract of a source, for the driver and for checkpoint.c:
 * - next() fills a raw batch with up to `max` edges and returns TRUE; it
 *   closes the batch when it is full OR when the input has been idle for
 *   the source's linger (so a trickle reaches the operators).  A batch with
 *   n == 0 and *end == FALSE is an idle tick: the driver runs its barrier
 *   duties (queries, timed snapshots) and asks again.  *end == TRUE: no
 *   more batches (the batch may still hold edges).  FALSE + error: the run
 *   fails.  Called from the driver's reader thread only.
 * - The position after a batch is the batch's (input, offset, line) plus a
 *   text, position_text(b), that the snapshot stores (source_consumed) and
 *   seek() gets back: for files, the CRC record of the consumed bytes; for
 *   the WAL, its producers' last sequence numbers; for a broker, the last
 *   entry id.  position_text is called from the driver's thread for the
 *   last batch the operators folded.
 * - seek() continues the stream after a snapshot's position, before the
 *   first next(); it may refuse (ES_ERROR_CONFIG) when the data changed.
 * - kind ("files", "wal", ...) and identity() are stored in each snapshot;
 *   a resume accepts a snapshot of the same kind whose identity
 *   check_identity() accepts (files: same paths, sizes, digests).
 * Cost: one indirect call per batch.
 */
#ifndef ES_EDGESOURCE_H
#define ES_EDGESOURCE_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/checkpoint.h"
#include "dataflow/reader.h"
#include "dataflow/stop.h"

typedef struct es_edge_source es_edge_source;

typedef struct {
    const char *kind;
    gboolean (*next)(es_edge_source *s, es_raw_batch *b, size_t max, gboolean *end, GError **error);
    char    *(*position_text)(es_edge_source *s, const es_raw_batch *b);
    gboolean (*seek)(es_edge_source *s, const es_stream_pos *pos, GError **error);
    /* Text naming the data (one line per part); NULL + error when the
     * source cannot be snapshotted (stdin). */
    char    *(*identity)(es_edge_source *s, GError **error);
    /* May a snapshot of identity `then` continue with this source?  NULL:
     * exact string equality.  `snap` names the snapshot in messages. */
    gboolean (*check_identity)(es_edge_source *s, const char *snap, const char *then, const char *now,
                               GError **error);
    /* Lines read and lines skipped as bad so far (reader thread's view). */
    void     (*counts)(es_edge_source *s, uint64_t *lines, uint64_t *bad);
    /* Progress in bytes (total 0 when unknown); any thread.  May be NULL. */
    void     (*progress)(es_edge_source *s, uint64_t *done, uint64_t *total);
    /* The batch capacity to use for a requested one (a small file needs
     * small batches); NULL: as requested. */
    size_t   (*batch_bound)(es_edge_source *s, size_t batch);
    void     (*free)(es_edge_source *s);
} es_edge_source_class;

struct es_edge_source {
    const es_edge_source_class *cls;
};

/* Files: paths NULL-terminated ("-" is stdin), as `run` reads them;
 * fmt: the lines' layout (graph/parse.h), NULL for `u v [t]`. */
es_edge_source *es_file_source_new(const char *const *paths, uint64_t skip_bad, const es_parse_format *fmt);

/* Linger and stop request of its streams (reader.h: es_reader_set_live). */
void es_file_source_set_live(es_edge_source *s, gint64 linger_us, es_stop *stop);

static inline void es_edge_source_free(es_edge_source *s)
{
    if (s)
        s->cls->free(s);
}

#endif
