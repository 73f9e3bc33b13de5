/* logs.h — incremental snapshots: append-only arrays stored once, outside
 * the snapshot files, and shared by every snapshot that needs them.
 *
 * Most of a run's state only grows: the id map's external ids, the edge
 * sets' insertion logs, the exact triangle operator's edge list.  Written
 * in full into every snapshot they made each snapshot cost as much as the
 * whole state so far (quadratic over a run).  Instead, such an array (a
 * "log": elements are only ever appended, never changed) lives in a raw
 * file DIR/log-<id>.<dataset path>.<type> that each snapshot extends with
 * the elements appended since the previous one, and the snapshot's HDF5
 * dataset is an HDF5 *external* dataset over the file's first n elements
 * (H5Pset_external), so h5py and h5dump read it like any other dataset.
 * This is the shared-file scheme of incremental checkpoints (Flink's
 * RocksDB backend, Carbone et al., VLDB 2017), with files that grow
 * instead of files that are merged.
 *
 * Integrity: each snapshot's header lists its logs as
 *     log <dataset path> <file> <bytes> <crc32 of the file's first bytes>
 * and verification checks them before HDF5 opens anything (crc32s of a
 * prefix extend in O(1) with crc32_combine, so an append costs only the
 * new bytes).  Bytes past the newest committed length are left by a
 * writer that died; the next writer overwrites them.  A log that shrinks
 * (an operator dropped and restarted it) starts a new file, so older
 * snapshots keep theirs.  Files no kept snapshot lists are deleted by
 * retention (snapshot.c).
 *
 * Operators call es_h5_write_log_u64/_u32 instead of es_h5_write_u64/_u32
 * for arrays that are append-only between snapshots; outside a snapshot
 * writer (say, in tests) these write ordinary datasets.  Readers need no
 * change: h5util opens every dataset with its external files resolved
 * next to the snapshot file.
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
 * aligned, as es_big_grow_log's blocks and es_big_alloc's of 2 MiB or more
 * are; smaller arrays from the heap are written through the cache): the
 * bytes go from the array to the disk, with no copy into the page cache
 * (6.0 ms of CPU per 8 MiB buffered, 0.4 ms direct, here).  Not in a
 * forked child: pinning pages it shares with its parent for the disk's
 * DMA makes the kernel copy them first. */
void     es_snapshot_logs_set_direct(es_snapshot_logs *logs, gboolean on);
gboolean es_snapshot_logs_end(es_snapshot_logs *logs, GError **error);

/* An append-only array as dataset `name` of group g: the elements since
 * the last snapshot go to the log file, the dataset refers to it. */
gboolean es_h5_write_log_u64(hid_t g, const char *name, const uint64_t *a, size_t n, GError **error);
gboolean es_h5_write_log_u32(hid_t g, const char *name, const uint32_t *a, size_t n, GError **error);

/* Check every "log ..." line of a snapshot header against the files in
 * dir: present, long enough, crc32 of the prefix as recorded.  Errors are
 * ES_ERROR_DATA naming `snapshot` and the file. */
gboolean es_snapshot_logs_verify(const char *dir, const char *text, const char *snapshot, GError **error);
/* Add the file names of text's "log ..." lines to set (a GHashTable of
 * char * owned by it). */
void     es_snapshot_logs_collect(const char *text, GHashTable *set);

/* Drop the cached pages of a file just synced: the run never reads what
 * it wrote, and a page cache that grows by every snapshot's bytes takes
 * memory new to the guest each time, which costs about 1 s per GiB on
 * these VMs; dropped, its pages serve the next snapshot's writes.  (Paired
 * runs, R-MAT scale 20, cc,degree,tri-est, a snapshot every 1 M edges:
 * 4% less wall and CPU time than with the pages kept.)  Advice only:
 * errors are ignored. */
void     es_drop_cached(int fd);
/* The CRC-32 of zlib and gzip (crc32_z's values, so zlib's crc32_combine
 * extends them; 0 to start), computed with ISA-L: 25 GB/s here against
 * zlib's 5.3, and a snapshot checksums every byte it writes. */
uint32_t es_crc32(uint32_t crc, const void *p, size_t n);
/* Read bytes [from, to) of fd in pieces, handing each to fn; FALSE
 * (ES_ERROR_IO naming path) when they cannot all be read. */
typedef void (*es_read_fn)(const void *piece, size_t n, void *user);
gboolean es_read_range(int fd, uint64_t from, uint64_t to, es_read_fn fn, void *user, const char *path,
                       GError **error);
/* es_crc32 of bytes [from, to) of fd, continuing from crc (unchanged on
 * failure). */
gboolean es_crc32_range(int fd, uint64_t from, uint64_t to, uint32_t *crc, const char *path, GError **error);

#endif
