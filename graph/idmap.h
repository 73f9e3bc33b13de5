/* idmap.h — the vertex id map: external unsigned 64-bit ids -> dense 32-bit
 * ids 0, 1, 2, ... in order of first appearance, and back.
 *
 * Open addressing with linear probing over a power-of-two table of
 * packed 12-byte (key, value) slots, kept at most half full; a 64-bit mixing
 * hash so that clustered ids (SNAP, R-MAT) spread.  Expected O(1) per
 * lookup; 32 to 56 bytes per vertex (slots at 25-50% load + the 8-byte
 * reverse array).
 * es_idmap_map_ids() maps a whole array and prefetches slots a few ids
 * ahead, which hides most of the cache misses of a table larger than cache.
 * Capacity: up to ES_IDMAP_MAX_VERTICES vertices; beyond that, an
 * ES_ERROR_DATA error.
 */
#ifndef ES_IDMAP_H
#define ES_IDMAP_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

#define ES_IDMAP_MAX_VERTICES ((uint32_t)0xFFFFFFFEu)

typedef struct es_idmap es_idmap;

/* mem: how the dense -> external array grows (NULL: es_big_realloc). */
es_idmap *es_idmap_new(size_t expected_vertices, const es_log_memory *mem);
void      es_idmap_free(es_idmap *m);

/* Dense id of ext, adding it if new.  FALSE (and ES_ERROR_DATA) only when the
 * map is full. */
gboolean  es_idmap_get_or_add(es_idmap *m, uint64_t ext, uint32_t *dense, GError **error);
/* Map n ids in order (first appearance order is that of the array).  ext
 * and dense must not overlap.  On failure the ids before the failing one
 * are mapped and the rest of dense is untouched. */
gboolean  es_idmap_map_ids(es_idmap *m, const uint64_t *ext, uint32_t *dense, size_t n, GError **error);
/* Map n lines' endpoint pairs (ext and dense: 2n ids).  Lines with del[i]
 * == 0 (or del NULL) map as es_idmap_map_ids; a line with del[i] != 0 (a
 * deletion or an expiry) adds no vertex: its known pair, else the
 * self-loop of its one known endpoint, else (0, 0), which names no vertex
 * when the map is empty.  Either way such a line deletes nothing (a
 * self-loop is never in the graph's edge set: graph/edgetable.h). */
gboolean  es_idmap_map_lines(es_idmap *m, const uint64_t *ext, const uint8_t *del, uint32_t *dense, size_t n,
                             GError **error);
/* Add ext[0 .. n) to an empty map as dense ids 0 .. n-1 (a snapshot's id
 * map); ES_ERROR_DATA when an id repeats. */
gboolean  es_idmap_add_all(es_idmap *m, const uint64_t *ext, uint32_t n, GError **error);
/* Look up without adding; FALSE when absent. */
gboolean  es_idmap_lookup(const es_idmap *m, uint64_t ext, uint32_t *dense);
/* External id of a dense id (< size). */
uint64_t  es_idmap_external(const es_idmap *m, uint32_t dense);
/* The dense -> external array (size entries), for snapshots. */
const uint64_t *es_idmap_externals(const es_idmap *m);
uint32_t  es_idmap_size(const es_idmap *m);

#endif
