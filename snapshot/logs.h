/* logs.h — incremental snapshots: append-only arrays stored once, outside
 * the snapshot files, and shared by the snapshots of one generation.
 *
 * Most of a run's state only grows: the id map's external ids, the edge
 * sets' insertion logs, the exact triangle operator's edge list.  Written
 * in full into every snapshot they made each snapshot cost as much as the
 * whole state so far (quadratic over a run).  Instead, such an array (a
 * "log": elements are only ever appended, never changed) lives in a file
 * DIR/log-<id>.<dataset path>.<type>.h5 that each snapshot extends with
 * the elements appended since the previous one: the shared-file scheme of
 * incremental checkpoints (Flink's RocksDB backend, Carbone et al., VLDB
 * 2017), with files that grow instead of files that are merged.
 *
 * Outside readers.  A log file is an HDF5 file whose dataset /data is the
 * array (its metadata written once by HDF5 at creation, its data appended
 * by us, with direct I/O, at a block boundary); the snapshot's dataset is
 * an HDF5 *virtual* dataset over the first n elements of that /data.  HDF5
 * looks for a virtual dataset's source file in the directory of the file
 * that names it, so h5dump and h5py read every dataset from any working
 * directory, and with the directory copied or moved.  (External datasets,
 * format 4, were resolved against the working directory.)  The room not
 * yet written is a hole in the file (cp keeps it one).
 *
 * Generations.  A new generation of files begins, with a full copy of
 * every log, when the bytes appended since the current one began
 * (counting the next interval as large as the last) would exceed the
 * bytes it began with (and the run's first generation, which has no
 * file before it to mirror into, ends at its second snapshot when a log
 * recycles its memory); retention keeps, beside the newest K snapshots,
 * the newest one of the previous generation (snapshot.c), which shares no
 * file with the newest: one damaged file leaves a snapshot that verifies.
 * A recycled log's memory (snapshot/logmem.h) releases only bytes that
 * two kept files hold, its file in this generation and in the one
 * before: each snapshot appends its new bytes to both, to the one before
 * past the length its snapshot lists (a "mirror": that snapshot's CRC
 * covers only its prefix, so a writer dying there harms no snapshot), so
 * that every committed byte may go, and the log holds about one interval
 * between snapshots in memory, not all since the generation began (about
 * half the log: fresh pages, bench/RESULTS.md).  A new generation copies
 * them from the first of those files that verifies against its CRC, so
 * one damaged file is healed, not copied on and not fatal to every later
 * snapshot.  The bytes written stay within about three times the state's.  A file's room is its
 * first contents plus the generation's base (at least 4 KiB); a log that
 * outgrows it (a burst) fails the snapshot's first try, and the snapshot
 * is written again as a new generation.
 *
 * Integrity: each snapshot's header lists its logs as
 *     log <dataset path> <file> <bytes> <crc32 of the file's first bytes> <data start> <room>
 *     logs <bytes the generation began with> <bytes of the snapshot before>
 * and verification checks them before HDF5 opens anything (crc32s of a
 * prefix extend in O(1) with crc32_combine, so an append costs only the
 * new bytes).  Bytes past the newest committed length are left by a
 * writer that died; the next writer overwrites them.  A log that shrinks
 * (an operator dropped and restarted it) starts a new file, so older
 * snapshots keep theirs.  Files no kept snapshot lists are deleted by
 * retention (snapshot.c).
 *
 * Parts of the state write such arrays (of uint64_t) with
 * es_writer_log_u64 (snapshot/fields.h), which comes here when the writer
 * has a log table.
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
 * (fsync, together with the file `also` when it is not -1: the snapshot's
 * own), and is FALSE (ES_ERROR_IO) when it cannot be. */
void     es_snapshot_logs_begin(es_snapshot_logs *logs, const char *dir, uint64_t snapshot_id);
/* Append with direct I/O (O_DIRECT; on by default) where the array allows it (4096-byte
 * aligned, as es_log_grow's blocks and es_big_alloc's of 2 MiB or more
 * are; smaller arrays from the heap are written through the cache): the
 * bytes go from the array to the disk, with no copy into the page cache
 * (6.0 ms of CPU per 8 MiB buffered, 0.4 ms direct, here). */
void     es_snapshot_logs_set_direct(es_snapshot_logs *logs, gboolean on);
gboolean es_snapshot_logs_end(es_snapshot_logs *logs, int also, const char *also_path, GError **error);
/* The snapshot just written is committed: the memory of its logs may
 * forget what it holds of them (es_log_release, snapshot/logmem.h); a
 * new generation then reads those bytes from the files they are in,
 * checked against their CRC. */
void     es_snapshot_logs_release(es_snapshot_logs *logs);
/* Start a new generation at the next snapshot, no write under way.  With
 * `same`, the arrays go on (after a failed snapshot: the table was just
 * rolled back to the last commit's entries, es_snapshot_logs_rollback) and their released
 * bytes are copied from their files; otherwise every log was replaced by a new one
 * (a window closed: its operators, id map and table start afresh), which
 * may grow past the old one's length without extending it. */
void     es_snapshot_logs_restart(es_snapshot_logs *logs, gboolean same);
/* After a failed snapshot: back to the entries of the last committed one
 * (or of the table just parsed; none after a restart without `same`),
 * and a new generation from them (es_snapshot_logs_restart, `same`):
 * what the failed one wrote is never listed, and what the logs' memory
 * released is read from the files committed snapshots list, checked
 * against their CRCs. */
void     es_snapshot_logs_rollback(es_snapshot_logs *logs);
/* The next snapshot is the run's last (the stream has ended): it starts
 * no generation by the rule above, only when a log outgrew its file, and
 * mirrors nothing, since no memory is released after it. */
void     es_snapshot_logs_last(es_snapshot_logs *logs);
/* After a failed write: TRUE when it failed because a log outgrew its
 * file, and the table now starts a new generation (write it again). */
gboolean es_snapshot_logs_retry(es_snapshot_logs *logs);

/* A new log file at path: an HDF5 file whose contiguous dataset /data,
 * of room / elsize elements of ftype, starts at *start (a 4096-byte
 * block boundary) and holds nothing yet (a hole); *crc is the CRC-32 of
 * its first *start bytes.  ES_ERROR_IO when it cannot be made. */
gboolean es_snapshot_log_file_create(const char *path, hid_t ftype, size_t elsize, uint64_t room, uint64_t *start,
                                     uint32_t *crc, GError **error);
/* Dataset `name` of group g: elements [0, n) of log file `file`'s /data
 * (room elements), virtual, so HDF5 finds them in the file beside the
 * snapshot; an empty dataset when n is 0.  FALSE when HDF5 refuses. */
gboolean es_snapshot_log_link(hid_t g, const char *name, hid_t ftype, const char *file, uint64_t n, uint64_t room);
/* A log whose bytes others appended (the ranks of an MPI run,
 * mpi/snapshot_mpi.h): the snapshot being written (between begin and end)
 * lists it as path's, in place of any log of that path: file (in the
 * snapshot's directory), its data at start, bytes of them, crc the CRC-32
 * of the file's first start + bytes bytes, room cap.  The caller has
 * synced it; the table only lists it. */
void     es_snapshot_logs_put(es_snapshot_logs *logs, const char *path, const char *file, uint64_t start,
                              uint64_t bytes, uint32_t crc, uint64_t cap);

/* Check every "log ..." line of a snapshot header against the files in
 * dir: present, long enough, crc32 of the prefix as recorded.  Errors are
 * ES_ERROR_DATA naming `snapshot` and the file. */
gboolean es_snapshot_logs_verify(const char *dir, const char *text, const char *snapshot, GError **error);
/* Add the file names of text's well-formed "log ..." lines to set (a
 * GHashTable of char * owned by it): a damaged header still keeps the
 * files its other lines name. */
void     es_snapshot_logs_collect(const char *text, GHashTable *set);

#endif
