/* logs.h — incremental snapshots: append-only arrays stored once, outside
 * the snapshot files, and shared by every snapshot that needs them.
 *
 * Much of a run's state only grows (the id map's external ids, edge logs,
 * cc's joins, the spanner's kept edges).  Written whole into every snapshot
 * such an array (a "log") would make snapshots quadratic over a run; it
 * lives instead in a raw file DIR/log-<id>.<dataset path>.<type> that each
 * snapshot extends by the elements appended since the previous one, and
 * the snapshot's dataset refers to the file's first n elements.  This is
 * the shared-file scheme of incremental checkpoints (Flink's RocksDB
 * backend, Carbone et al., VLDB 2017), with files that grow instead of
 * files that are merged.  Parts write logs through snapshot/writer.h.
 *
 * Integrity: each snapshot's header lists its logs (file, bytes, CRC-32 of
 * that prefix; CRCs of a prefix extend in O(1) with crc32_combine, so an
 * append costs only its new bytes).  Bytes past the newest committed length
 * are a failed writer's; the next writer overwrites them.  A log that
 * shrinks (restarted) starts a new file, so older snapshots keep theirs.
 * Equal logs of one snapshot share a file.  Retention (snapshot.c) deletes
 * the files no kept snapshot lists.
 */
#ifndef ES_SNAPSHOT_LOGS_H
#define ES_SNAPSHOT_LOGS_H

#include <glib.h>
#include <hdf5.h>
#include <stdint.h>

typedef struct es_snapshot_logs es_snapshot_logs;

es_snapshot_logs *es_snapshot_logs_new(void);
void              es_snapshot_logs_free(es_snapshot_logs *logs);

/* Replace the table with the "log ..." lines of text (a snapshot header,
 * or what a writer reported).  FALSE (and the table unchanged) on a
 * malformed line. */
gboolean es_snapshot_logs_parse(es_snapshot_logs *logs, const char *text, GError **error);
/* The "log ..." lines of the logs the last snapshot written used. */
char    *es_snapshot_logs_format(const es_snapshot_logs *logs);

/* Bracket one snapshot's writing: between begin and end the log writers
 * below append to DIR's files (new files are named after snapshot_id) and
 * start writing what they appended to disk; end waits until it is there
 * (fsync), and is FALSE (ES_ERROR_IO) when it cannot be. */
void     es_snapshot_logs_begin(es_snapshot_logs *logs, const char *dir, uint64_t snapshot_id);
/* Append with direct I/O (O_DIRECT) where the array allows it (4096-byte
 * aligned, as es_log_grow's blocks and es_big_alloc's of 2 MiB or more
 * are; smaller arrays from the heap are written through the cache): the
 * bytes go from the array to the disk, with no copy into the page cache
 * (6.0 ms of CPU per 8 MiB buffered, 0.4 ms direct, here). */
void     es_snapshot_logs_set_direct(es_snapshot_logs *logs, gboolean on);
gboolean es_snapshot_logs_end(es_snapshot_logs *logs, GError **error);

/* Check every "log ..." line of a snapshot header against the files in
 * dir: present, long enough, crc32 of the prefix as recorded.  Errors are
 * ES_ERROR_DATA naming `snapshot` and the file. */
gboolean es_snapshot_logs_verify(const char *dir, const char *text, const char *snapshot, GError **error);
/* Add the file names of text's "log ..." lines to set (a GHashTable of
 * char * owned by it). */
void     es_snapshot_logs_collect(const char *text, GHashTable *set);

#endif
