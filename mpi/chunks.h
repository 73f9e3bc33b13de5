/* chunks.h — the input cut into key groups of lines, so that ranks read it
 * in parallel and the stream order does not depend on how many there are.
 *
 * Layout: one plain file is cut into `groups` byte ranges [k*S/G, (k+1)*S/G)
 * moved forward to the next line start (a line belongs to the chunk its
 * first byte falls in); several inputs, or a gzip file (which cannot be
 * entered in the middle), give one chunk per input, read whole.  Rank r of
 * N reads chunks [r*C/N, (r+1)*C/N) (Flink's key-group ranges).
 *
 * Order: batch k is, for every chunk in chunk order, its next `quota` edge
 * lines; so the stream is (batch, chunk, position), the same for any rank
 * count, and a resume with another count continues the same stream.
 * Position: per chunk the bytes, lines and bad lines consumed, a text line
 * each (es_chunks_format); a snapshot stores it and a resume seeks to it.
 *
 * Cost: one memchr and one parse per line (graph/parse.h); a carry buffer
 * of up to 1 MiB per chunk being read; plain files read with pread, so
 * chunks of one file share its descriptor.
 */
#ifndef ES_MPI_CHUNKS_H
#define ES_MPI_CHUNKS_H

#include <glib.h>
#include <stdint.h>

#include "graph/parse.h"

typedef struct es_chunks es_chunks;

/* The layout of inputs (regular files; "-" is refused, ES_ERROR_USAGE),
 * whose lines are read as fmt says (NULL: the default layout).  Deletions
 * and MatrixMarket files are refused (ES_ERROR_DATA) when read. */
es_chunks *es_chunks_new(const char *const *inputs, guint groups, const es_parse_format *fmt, GError **error);
void       es_chunks_free(es_chunks *c);
guint      es_chunks_count(const es_chunks *c);
/* First chunk of rank r of n (the rank's chunks are [first(r), first(r+1))). */
guint      es_chunks_first(const es_chunks *c, int rank, int nranks);

/* State partitioned by key group (the id map, degree's pairs, cc's
 * union-find): group g of G lives at rank floor(g N / G) of N, so rank r
 * holds groups [es_group_first(r), es_group_first(r + 1)), the first being
 * ceil(r G / N).  (Reading the input, ranks take chunk ranges instead:
 * es_chunks_first.) */
static inline int es_group_owner(guint g, guint groups, int nranks)
{
    return (int)((uint64_t)g * (uint64_t)nranks / groups);
}

static inline guint es_group_first(int rank, guint groups, int nranks)
{
    return (guint)(((uint64_t)rank * groups + (uint64_t)nranks - 1) / (uint64_t)nranks);
}

/* Append chunk k's next edges, up to quota of them, to ids (2 per edge) and
 * time (0 where a line has none); *has_time is set when a line had one.
 * A malformed line beyond skip_bad (counted over the chunks this process
 * reads) is an ES_ERROR_DATA error `FILE:LINE: expected ..., got "..."`. */
gboolean   es_chunks_read(es_chunks *c, guint k, size_t quota, uint64_t skip_bad, uint64_t *ids, int64_t *time,
                          gboolean *has_time, size_t *n, GError **error);
gboolean   es_chunks_done(const es_chunks *c, guint k);

/* Chunk k's position as 4 numbers (offset, lines, bad lines, done), and back. */
void       es_chunks_get(const es_chunks *c, guint k, uint64_t out[4]);
/* Seek chunk k to a position es_chunks_get gave (gzip: decompress up to it). */
gboolean   es_chunks_seek(es_chunks *c, guint k, const uint64_t in[4], GError **error);

/* All chunks' positions (pos: 4 per chunk) as text for a snapshot, with
 * the run's quota (edges per chunk per batch), and parsed back
 * (ES_ERROR_CONFIG when it is not this layout's). */
char      *es_chunks_format(const es_chunks *c, guint groups, size_t quota, const uint64_t *pos);
gboolean   es_chunks_parse(const es_chunks *c, guint groups, const char *text, uint64_t *pos, GError **error);

/* The edges a snapshot's position (text, from es_chunks_format) says were
 * consumed, appended to ids (uint64 external ids, 2 per edge) in the
 * run's stream order: rounds in which every chunk in turn gives up to
 * quota edges, each chunk stopped at its recorded offset.  (`compare
 * --snapshot`, which has no MPI: this file is in every build.)  A
 * position without a quota (older snapshots) is ES_ERROR_DATA; an input
 * whose groups do not end where the position says, ES_ERROR_CONFIG. */
gboolean   es_chunks_replay(const char *const *inputs, const es_parse_format *fmt, uint64_t skip_bad, const char *text,
                            GArray *ids, GError **error);

#endif
