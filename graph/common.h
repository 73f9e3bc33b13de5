/* common.h — what every edgestream module shares: the error domain, the
 * version, and allocation of large arrays.
 *
 * Errors: one GError domain, ES_ERROR, whose codes are the sysexits(3)
 * statuses the CLI exits with (64 usage, 65 bad data, 66 cannot open input,
 * 74 I/O error, 70 internal).  One domain keeps the CLI's mapping from an
 * error to an exit status trivial and lets every layer say precisely what
 * kind of failure it saw.
 *
 * Large arrays: first touch of fresh memory is expensive on these machines
 * (about 3 s per GiB with 4 KiB pages, 0.12 s with transparent huge pages),
 * so arrays of more than a few MiB are allocated with es_big_alloc(), which
 * advises huge pages, and grown geometrically with es_big_realloc().
 */
#ifndef ES_COMMON_H
#define ES_COMMON_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define ES_VERSION "0.1.0"

#define ES_ERROR (es_error_quark())
GQuark es_error_quark(void);

typedef enum {
    ES_ERROR_USAGE    = 64, /* bad command line or operator option */
    ES_ERROR_DATA     = 65, /* malformed input line, limit hit by the data */
    ES_ERROR_NOINPUT  = 66, /* input missing or unreadable */
    ES_ERROR_INTERNAL = 70, /* a bug or an impossible state */
    ES_ERROR_IO       = 74, /* read or write failed after opening */
    ES_ERROR_CONFIG   = 78, /* a snapshot does not match this run (inputs, operators) */
} es_error_code;

/* Zeroed memory of n bytes; huge pages advised when n is large.  Aborts on
 * out-of-memory like g_malloc. */
void *es_big_alloc(size_t n);
/* Grow (or shrink) a block from es_big_alloc to n bytes; new bytes are zero. */
void *es_big_realloc(void *p, size_t old_n, size_t n);
void  es_big_free(void *p, size_t n);
/* A 2 MiB-aligned anonymous mapping of len bytes (a multiple of
 * ES_HUGE_PAGE), mmap's prot and flags, huge pages advised; NULL when
 * mmap refuses.  Free with munmap. */
#define ES_HUGE_PAGE ((size_t)2 << 20)
void *es_big_map(size_t len, int prot, int flags);

/* The memory of an append-only array (a log) that a structure keeps:
 * grown as es_big_realloc grows (new bytes zero) and freed with `free`.
 * NULL means es_big_realloc and es_big_free.  A snapshot writer that reads
 * logs beside the stream needs blocks that never move (snapshot/logmem.h);
 * the layers above graph/ pass those in. */
typedef struct {
    void *(*grow)(void *p, size_t old_n, size_t n);
    void  (*free)(void *p, size_t n);
} es_log_memory;

/* Next capacity for geometric growth: at least need, at least 1.5 x old. */
static inline size_t es_grow_cap(size_t old, size_t need)
{
    size_t cap = old + old / 2;
    if (cap < 16) cap = 16;
    return cap < need ? need : cap;
}

#endif
