/* push.h — a stream its caller feeds: the dataflow's push entry point, for
 * the library (include/edgestream.h) and anything else that has edges in
 * hand rather than in files.
 *
 * The caller hands over arrays of external ids or text lines (parsed as
 * the reader parses files, graph/parse.h) or names a file (read by the
 * reader, dataflow/reader.h); the push maps the ids (graph/idmap.h), cuts
 * batches of at most `batch` edges and folds each through the one step
 * every stream shares (dataflow/flow.h), in the caller's thread.  So the
 * answers are those of `edgestream run` on the same edges in the same
 * order, however the caller cuts them up.
 *
 * Snapshots: es_push_snapshot writes one self-contained snapshot file
 * (snapshot/snapshot.h, source kind "api": the position is the edge
 * count); es_push_restore continues from any snapshot, a run's included
 * (but one in windows).
 * Failure: a bad line (beyond skip_bad) fails its call after folding the
 * edges before it, and the stream stays usable; an operator's or the id
 * map's limit breaks the stream, and every later call fails with it.
 * Cost: that of a run without the reader's and mapper's threads; memory:
 * the operators' state plus 8 + 2 * 8 bytes per edge of batch buffers.
 */
#ifndef ES_PUSH_H
#define ES_PUSH_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/driver.h"
#include "graph/idmap.h"

typedef struct es_push es_push;

/* Take ops (a GPtrArray of es_operator * that frees them; it is the push's
 * now, freed on failure too).  batch 0: ES_DEFAULT_BATCH.  threads 0:
 * OpenMP's default.  deletions: lines may delete edges (`u v -`), as in
 * `run --deletions` (ES_ERROR_USAGE naming an operator that folds none);
 * without it a deletion line fails its call (ES_ERROR_DATA) after the
 * edges before it are folded. */
es_push *es_push_new(GPtrArray *ops, size_t batch, uint64_t skip_bad, int threads, gboolean deletions,
                     GError **error);
/* A push that continues from snapshot `path` (verified first; its
 * operators, id map, position and deletions setting); a snapshot of a
 * stream in windows is refused (ES_ERROR_CONFIG). */
es_push *es_push_restore(const char *path, size_t batch, uint64_t skip_bad, int threads, GError **error);
void     es_push_free(es_push *p);

/* n edges: ids[2i], ids[2i+1]; time NULL or n timestamps. */
gboolean es_push_edges(es_push *p, const uint64_t *ids, const int64_t *time, size_t n, GError **error);
/* Whole lines of text in the default layout (the last may lack its '\n');
 * deletion lines (`u v -`) reach the operators as in a run.  Errors name
 * them `lines:N` with N counted over every line pushed as text. */
gboolean es_push_lines(es_push *p, const char *text, size_t len, GError **error);
/* An edge-list file (plain or gzip, "-" for stdin), read to its end. */
gboolean es_push_file(es_push *p, const char *path, GError **error);

/* The stream section and every operator's answers now. */
void     es_push_collect(es_push *p, gboolean final, es_report *r);
gboolean es_push_snapshot(es_push *p, const char *path, GError **error);

GPtrArray             *es_push_ops(es_push *p);
const es_idmap        *es_push_idmap(es_push *p);
const es_driver_stats *es_push_stats(es_push *p);

#endif
