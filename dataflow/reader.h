/* reader.h — turns one or more inputs into batches of raw (external id)
 * edges: reads large blocks, splits them into lines, parses each line
 * (graph/parse.h, in the run's layout: --columns, --delimiter), counts
 * lines, and reports a malformed line as `FILE:LINE: expected ..., got
 * "..."` (ES_ERROR_DATA), or skips it while fewer than `skip_bad` lines
 * have been skipped.  An input that opens with a MatrixMarket banner is
 * read as one, whatever the layout (graph/matrixmarket.h); its banner and
 * size line are never edges.  With a delimiter, a first line that starts
 * with a letter or a quote is a CSV header and is skipped.
 *
 * Live inputs: on a stream (pipe, stdin, socket) a batch closes when it is
 * full, or once its first edge has waited `linger` and no more input is
 * ready, so a trickle reaches the operators within about the linger
 * (es_reader_set_live).  This is Kafka's linger.ms rather than an idle
 * timeout: a steady trickle (an edge every millisecond) never leaves the
 * input idle for 100 ms, and would hold its edges until the batch filled.
 * A stop request (dataflow/stop.h) ends the stream after the lines read.
 *
 * Cost: one memchr and one parse per line; a 4 MiB buffer reused for the
 * whole run, no allocation per line.
 */
#ifndef ES_READER_H
#define ES_READER_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/consumed.h"
#include "dataflow/stop.h"
#include "graph/matrixmarket.h"
#include "graph/parse.h"

typedef struct es_reader es_reader;

typedef struct {
    uint64_t *ids;        /* 2n external ids: ids[2i], ids[2i+1] */
    int64_t  *time;       /* n timestamps (0 where a line had none) */
    gboolean  has_time;   /* some line of this batch had a timestamp */
    uint8_t  *del;        /* n flags, 1 for a deletion line (`u v -`) ... */
    gboolean  has_del;    /* ... valid when some line of this batch was one */
    double   *weight;     /* n weights (0 where a line had none) ... */
    gboolean  has_weight; /* ... valid when some line of this batch had one */
    size_t    n, cap;
    /* Where the batch ends: input index and bytes of it consumed (the
     * uncompressed offset just after the batch's last line). */
    guint     input;
    uint64_t  offset;
    uint64_t  line;       /* lines of that input consumed */
    es_consumed consumed; /* that input's bytes [0, offset): CRC-32s (consumed.h) */
} es_raw_batch;

es_raw_batch *es_raw_batch_new(size_t cap);
void          es_raw_batch_free(es_raw_batch *b);

/* paths: NULL-terminated list ("-" is stdin); opened one after the other. */
es_reader *es_reader_new(const char *const *paths, uint64_t skip_bad);
void       es_reader_free(es_reader *r);
/* The layout of the lines (default: `u v [t] [+|-]`); before the first
 * es_reader_next or es_reader_seek. */
void       es_reader_set_format(es_reader *r, const es_parse_format *fmt);

/* Batches of streams close `linger_us` after their first edge when no more
 * input is ready (0: as soon as none is); stop (or NULL) ends the stream
 * early: es_reader_next then returns what it has, and es_reader_stopped
 * says so.  Call before the first es_reader_next. */
void     es_reader_set_live(es_reader *r, gint64 linger_us, es_stop *stop);
gboolean es_reader_stopped(const es_reader *r);

/* Fill b with up to `max` edges (max <= b->cap).  TRUE with b->n == 0 at the
 * end of all inputs. */
gboolean es_reader_next(es_reader *r, es_raw_batch *b, size_t max, GError **error);

/* Continue a stream from a snapshot's position: input index, bytes and
 * lines of it consumed, and the totals so far.  Call before the first
 * es_reader_next.  With `consumed` (es_reader_consumed_text's lines, one
 * per input up to `input`), every byte the snapshot consumed is read again
 * (gzip decompressed) and checked against it: ES_ERROR_CONFIG naming the
 * input and the first piece that differs.  Without, plain files seek and
 * gzip input is decompressed up to the offset. */
gboolean es_reader_seek(es_reader *r, guint input, uint64_t offset, uint64_t line,
                        uint64_t lines_total, uint64_t bad, const char *consumed, GError **error);
/* The record of what a batch's position consumed: one line per input up
 * to its input (es_consumed_format), those before it whole, `current`
 * (its es_raw_batch's consumed) for that input.  Call from the thread that
 * received the batch from the reader's thread. */
char    *es_reader_consumed_text(const es_reader *r, guint input, const es_consumed *current);

uint64_t es_reader_bad_lines(const es_reader *r);   /* lines skipped as bad */
uint64_t es_reader_lines(const es_reader *r);       /* lines read, all inputs */
/* Progress: on-disk bytes consumed over all inputs and their known total
 * (0 when some input's size is unknown).  Safe to call from another thread
 * (values may be slightly stale). */
void     es_reader_progress(const es_reader *r, uint64_t *done, uint64_t *total);

#endif
