/* logmem.h — the memory snapshots need: logs that stay put while a writer
 * thread reads them, and shadow copies taken at a barrier.
 *
 * Logs (append-only arrays: the id map's external ids, edge sets' logs,
 * cc's joins, ...) grow in place inside a reservation of address space:
 * PROT_NONE and MAP_NORESERVE, so no memory and no commit charge until a
 * part is made writable; 64 GiB each, less where the address space is
 * limited (valgrind), but room to double at least twice.  A pointer to a
 * log therefore stays valid however long the log grows, and the writer
 * thread (dataflow/checkpoint.c) reads its first entries while the stream
 * appends.  A log that outgrows its reservation is copied into a new one;
 * between es_log_hold(TRUE) and es_log_hold(FALSE) (a writer's lifetime)
 * the old block stays mapped until the hold ends.
 * Where no address space can be reserved (ulimit -v) logs are plain blocks
 * that may move, and es_logs_may_move() turns TRUE: then no writer may run
 * beside the stream.  Thread-safe (the id map's log grows in a thread of
 * its own).  Cost: a hash lookup and, past a 2 MiB boundary, an mprotect
 * per growth.
 */
#ifndef ES_SNAPSHOT_LOGMEM_H
#define ES_SNAPSHOT_LOGMEM_H

#include <glib.h>
#include <stddef.h>

#include "graph/common.h"

/* Grow a log (from es_big_alloc, from es_log_grow, or NULL) from old_n to
 * n bytes, new bytes zero; free it with es_log_free. */
void    *es_log_grow(void *p, size_t old_n, size_t n);
void     es_log_free(void *p, size_t n);
void     es_log_hold(gboolean on);
gboolean es_logs_may_move(void);
/* How many times a log has moved to a new block so far: read before
 * taking a pointer into a log that another thread appends to. */
guint    es_log_moves(void);
/* A barrier's first step: start the hold, and say whether no log has
 * moved since es_log_moves() gave `since`, and none may (es_logs_may_move).
 * Then a pointer taken after that read into a log that another thread
 * appends to (an edge table's mark) is still valid, and stays valid
 * until the hold ends: the barrier need not stop that thread.  FALSE:
 * stop it, and take the pointer again. */
gboolean es_log_pin(guint since);
/* es_log_grow and es_log_free, for the structures of graph/. */
extern const es_log_memory es_log_memory_stable;

/* Recycled logs (the edge table's, the largest): a log grown by
 * es_log_grow_recycled forgets its first bytes once a snapshot that holds
 * them has been committed (es_log_release, by the snapshot's writer);
 * their whole 2 MiB blocks are then moved to its end as it grows (mremap:
 * pages the run has touched, not fresh ones, and no copy), so that it
 * holds about one interval between snapshots in memory, not the whole
 * log.  Bytes [0, es_log_released(p)) must never be read again (they
 * fault); a snapshot that needs them reads them from the log file that
 * holds them (snapshot/logs.c).  Bytes past the log's end are not zero. */
void    *es_log_grow_recycled(void *p, size_t old_n, size_t n);
extern const es_log_memory es_log_memory_recycled;
void     es_log_release(const void *p, size_t bytes);
/* How many bytes at the front of log p are gone (0 for other logs). */
size_t   es_log_released(const void *p);
/* Is p a recycled log (grown by es_log_grow_recycled)? */
gboolean es_log_recycles(const void *p);

/* Shadow copies (operators' snapshot_prepare): make *buf, a block from
 * es_big_alloc of *cap bytes (or NULL and 0), hold at least `bytes`, grown
 * geometrically, to 2 MiB at least, in place where it can be, so that the
 * pages it has stay mapped (fresh pages are what costs: about 1 s per GiB
 * touched here); es_shadow_copy then copies `bytes` of src into it. */
void     es_shadow_reserve(void **buf, size_t *cap, size_t bytes);
void     es_shadow_copy(void **buf, size_t *cap, const void *src, size_t bytes);

#endif
