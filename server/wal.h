/* wal.h — the server's write-ahead log: every accepted edge is appended
 * here before any operator sees it; its byte position is the stream
 * position snapshots store.  The format and the recovery rules are
 * specified in docs/serve.md (the one home); in short:
 *
 * - DIR/seg-<20-digit start position>.wal segments; a record never spans
 *   two; a new segment starts once the current one reaches segment_bytes.
 *   Positions are global: segment start + offset in it.
 * - Record: u32 payload length, u32 CRC-32C of the payload (ISA-L
 *   crc32_iscsi), payload: u8 type (1 = edges), u8 flags (1 = times),
 *   u16 id length, u32 n, u64 seq, the producer id, n (u, v) pairs of u64,
 *   then n i64 times when flagged, then n deletion bytes when flagged
 *   (flags bit 1).  Little-endian.
 * - Open: DIR/LOCK is flock'ed (a second server on the same DIR is
 *   refused); the last segment is scanned and a torn tail (short or
 *   mismatching record) is cut off and reported; DIR/ID holds the log's
 *   random identity, which snapshots store.
 * - Append: one write(2) per record from one thread; durability by
 *   es_wal_sync (fdatasync of the open segment; a full segment is synced
 *   as it is closed), callable from another thread (group commit).
 *
 * Cost: a record costs 8 + 24 + id bytes of header and 16 (24 with times)
 * bytes an edge; CRC-32C runs at memory speed.
 */
#ifndef ES_SERVER_WAL_H
#define ES_SERVER_WAL_H

#include <glib.h>
#include <stdint.h>

#define ES_WAL_MAX_RECORD (64u << 20)   /* payload bytes; longer lengths are damage */
#define ES_WAL_MAX_ID     255           /* producer id bytes */

typedef struct es_wal es_wal;

/* A decoded record (pointers into the payload). */
typedef struct {
    const char     *id;     /* producer id, id_len bytes, not NUL-terminated; "" when none */
    guint           id_len;
    uint64_t        seq;
    uint32_t        n;
    const uint64_t *uv;     /* 2n ids */
    const int64_t  *t;      /* n times, or NULL */
    const uint8_t  *del;    /* n flags, 1 for a deletion, or NULL */
} es_wal_record;

/* Open (creating) DIR.  *cut: bytes of a torn tail removed (0 when none).
 * Errors: ES_ERROR_CONFIG when another process holds DIR's lock,
 * ES_ERROR_IO otherwise. */
es_wal  *es_wal_open(const char *dir, uint64_t segment_bytes, uint64_t *cut, GError **error);
/* Encode a record into out (cleared first). */
void     es_wal_encode(GByteArray *out, const char *id, guint id_len, uint64_t seq, uint32_t n, const uint64_t *uv,
                       const int64_t *t, const uint8_t *del);
/* Decode a payload; FALSE when it is malformed. */
gboolean es_wal_decode(const uint8_t *p, size_t len, es_wal_record *r);
/* Append one encoded payload; *end: the position after it. */
gboolean es_wal_append(es_wal *w, const uint8_t *payload, size_t len, uint64_t *end, GError **error);
/* Make every record appended so far durable; *durable: the position they
 * reach.  Any thread. */
gboolean es_wal_sync(es_wal *w, uint64_t *durable, GError **error);
uint64_t es_wal_end(es_wal *w);          /* appended so far (any thread) */
uint64_t es_wal_start(es_wal *w);        /* position of the oldest segment kept */
uint64_t es_wal_bytes(es_wal *w);        /* bytes in segments on disk */
const char *es_wal_identity(const es_wal *w);
const char *es_wal_dir(const es_wal *w);
/* Delete the segments that end at or before pos (the oldest kept snapshot's). */
void     es_wal_remove_before(es_wal *w, uint64_t pos);
void     es_wal_close(es_wal *w);

/* Reading from any position up to a limit (another thread may append). */
typedef struct es_wal_cursor es_wal_cursor;
es_wal_cursor *es_wal_cursor_new(const char *dir, uint64_t pos, GError **error);
/* Position of the oldest segment in dir (0 when none), without locking:
 * for readers such as wal-dump. */
uint64_t es_wal_first(const char *dir);
/* The next whole record before `limit` into payload: 1, with *at its
 * position; 0 when none is complete before limit or the last segment
 * ends (a torn tail reads as the end); -1 on damage
 * (ES_ERROR_DATA naming the position) or I/O error. */
int      es_wal_cursor_next(es_wal_cursor *c, uint64_t limit, GByteArray *payload, uint64_t *at, GError **error);
uint64_t es_wal_cursor_pos(const es_wal_cursor *c);
void     es_wal_cursor_free(es_wal_cursor *c);

#endif
