/* source.h — a byte source: a file, standard input ("-"), or a gzip file
 * (detected by its magic bytes, so `a.txt.gz`, a renamed gzip file and gzip
 * on stdin all work).  Large reads; knows the on-disk size when it is a
 * regular file, and how many on-disk bytes have been consumed, for progress.
 * A stream (pipe, terminal, socket) hands over each read as it arrives, so
 * that a slow producer's edges are not held back.
 */
#ifndef ES_SOURCE_H
#define ES_SOURCE_H

#include <glib.h>
#include <stdint.h>

typedef struct es_source es_source;

/* Open `path` ("-" = stdin).  Failure: ES_ERROR_NOINPUT with the OS error. */
es_source *es_source_open(const char *path, GError **error);
/* Read up to n bytes; 0 at end of input, -1 on error (ES_ERROR_IO, or
 * ES_ERROR_DATA for corrupt gzip data), ES_SOURCE_AGAIN when a stream's
 * read brought no data yet (gzip bytes that inflate to nothing so far). */
#define ES_SOURCE_AGAIN (-2)
gssize      es_source_read(es_source *s, char *buf, size_t n, GError **error);
/* Skip the first `offset` bytes of the (uncompressed) data: a seek for a
 * plain file, decompression for gzip.  ES_ERROR_DATA when the data is
 * shorter (the input changed). */
gboolean    es_source_skip(es_source *s, uint64_t offset, GError **error);
/* A stream (pipe, terminal, socket): wait until data can be read (1),
 * timeout_ms passes (0; -1 waits without end) or stop_fd (-1: none)
 * becomes readable (-1).  A regular file is always ready. */
int         es_source_wait(es_source *s, int timeout_ms, int stop_fd);
gboolean    es_source_is_stream(const es_source *s);
/* Size on disk in bytes, 0 when unknown (pipe, terminal). */
uint64_t    es_source_size(const es_source *s);
/* On-disk bytes consumed so far (compressed bytes for gzip). */
uint64_t    es_source_consumed(const es_source *s);
gboolean    es_source_is_gzip(const es_source *s);
const char *es_source_name(const es_source *s);
void        es_source_close(es_source *s);

#endif
