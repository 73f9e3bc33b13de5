/* consumed.h — what a run has consumed of an input, as CRC-32s of equal
 * pieces, so that a resume can check that the input it continues is, byte
 * for byte, the one the snapshot was taken from, and name the first piece
 * that differs.
 *
 * The bytes are the data as parsed: for a gzip input, the decompressed
 * bytes (what the answers depend on; the compressed ones may differ for the
 * same data).  Pieces start at 1 MiB; when ES_CONSUMED_PIECES are full,
 * neighbours merge (zlib's crc32_combine) and the piece length doubles, so
 * the record stays a few hundred bytes however long the input, and a
 * changed byte is placed within 1/16 to 1/32 of the prefix (at most 1 MiB
 * for a prefix below 32 MiB).
 *
 * Cost: the CRC runs over each byte once as the reader consumes it (ISA-L,
 * 25 GB/s here, against parsing's 0.3 GB/s); a resume reads the prefix
 * again, from the page cache when it is still there.
 */
#ifndef ES_CONSUMED_H
#define ES_CONSUMED_H

#include <glib.h>
#include <stdint.h>

#define ES_CONSUMED_PIECES 32

typedef struct {
    uint64_t bytes;                        /* consumed so far */
    uint64_t piece;                        /* piece length */
    guint    full;                         /* complete pieces */
    uint32_t crc[ES_CONSUMED_PIECES];      /* CRC-32 of each complete piece */
    uint32_t part;                         /* CRC-32 of the partial piece after them */
} es_consumed;

void     es_consumed_init(es_consumed *c);
void     es_consumed_add(es_consumed *c, const void *p, size_t n);
/* "bytes piece crc,crc,... part" (hex CRCs; "-" for no complete piece). */
char    *es_consumed_format(const es_consumed *c);
gboolean es_consumed_parse(const char *text, es_consumed *c);

/* Checks bytes, fed in order, against a record: */
typedef struct {
    const es_consumed *want;
    es_consumed got;                       /* same piece length as want */
    uint64_t bad_from, bad_to;             /* first differing piece, once found */
    gboolean bad;
} es_consumed_check;

void     es_consumed_check_init(es_consumed_check *k, const es_consumed *want);
void     es_consumed_check_add(es_consumed_check *k, const void *p, size_t n);
/* After want->bytes bytes: TRUE when every piece matched; otherwise
 * [bad_from, bad_to) is the first piece that differs. */
gboolean es_consumed_check_end(es_consumed_check *k);

#endif
