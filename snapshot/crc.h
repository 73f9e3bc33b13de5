/* crc.h — checksums, and whole reads and writes of the files snapshots
 * (and the server's write-ahead log) consist of.
 *
 * es_crc32 is the CRC-32 of zlib and gzip (crc32_z's values, so zlib's
 * crc32_combine extends them; 0 to start), computed with ISA-L: 25 GB/s
 * here against zlib's 5.3, and a snapshot checksums every byte it writes.
 * Not a cryptographic hash: the threat is torn writes and bad sectors.
 * Reads go through a 64 KiB buffer on the stack, in pieces.
 */
#ifndef ES_SNAPSHOT_CRC_H
#define ES_SNAPSHOT_CRC_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

uint32_t es_crc32(uint32_t crc, const void *p, size_t n);
/* Read bytes [from, to) of fd in pieces, handing each to fn; FALSE
 * (ES_ERROR_IO naming path) when they cannot all be read. */
typedef void (*es_read_fn)(const void *piece, size_t n, void *user);
gboolean es_read_range(int fd, uint64_t from, uint64_t to, es_read_fn fn, void *user, const char *path,
                       GError **error);
/* es_crc32 of bytes [from, to) of fd, continuing from crc (unchanged on
 * failure). */
gboolean es_crc32_range(int fd, uint64_t from, uint64_t to, uint32_t *crc, const char *path, GError **error);
/* Write n bytes of p to fd whole, at offset off (off < 0: at the file's
 * position), through EINTR and short writes.  A file set to O_DIRECT that
 * refuses it (EINVAL: a file system without direct I/O) is written
 * through the cache.  FALSE with errno set when it cannot be. */
gboolean es_write_full(int fd, const void *p, size_t n, int64_t off);
/* Read n bytes at off whole; FALSE (errno set, EIO at the file's end)
 * otherwise. */
gboolean es_read_full(int fd, void *p, size_t n, uint64_t off);
/* fsync fds[0 .. n) at once, each but the first in a thread of its
 * own: the file system then commits their metadata together, not once a
 * file (a snapshot's four log files: 5 to 17 ms each one after another
 * here, about 2 ms for all at once).  Returns the index of the first
 * that failed, with errno set, or -1. */
int      es_fsync_all(const int *fds, guint n);
/* An ES_ERROR_IO error "WHAT PATH: <errno's text>"; FALSE. */
gboolean es_io_error(GError **error, const char *what, const char *path);
/* Drop the cached pages of a file just synced: the run never reads what
 * it wrote, and a page cache grown by every snapshot's bytes takes memory
 * new to the guest each time (bench/RESULTS.md).  Advice only. */
void     es_drop_cached(int fd);

#endif
