/* common.h — what every edgestream module shares: the error domain, the
 * version, and allocation of large arrays.
 *
 * Errors: one GError domain, ES_ERROR, whose codes are the sysexits(3)
 * statuses the CLI exits with (64 usage, 65 bad data, 66 cannot open input,
 * 74 I/O error, 70 internal; 71 out of memory, ES_EXIT_NOMEM).  One domain keeps the CLI's mapping from an
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

/* Out of memory: the process ends at once with this status (sysexits'
 * EX_OSERR), after one line on stderr that says how many bytes were asked
 * for (n, 0 when unknown) and for what, and whether a limit on address space
 * (ulimit -v) is set.  No caller has to handle it, and no answer is
 * printed: every answer depends on the state that could not grow. */
#define ES_EXIT_NOMEM 71
G_NORETURN void es_out_of_memory(size_t n, const char *what);

/* Zeroed memory of n bytes; huge pages advised when n is large.  Out of
 * memory: es_out_of_memory, naming the calling function. */
void *es_big_alloc_for(size_t n, const char *what);
#define es_big_alloc(n) es_big_alloc_for((n), G_STRFUNC)
/* Grow (or shrink) a block from es_big_alloc to n bytes; new bytes are zero. */
void *es_big_realloc_for(void *p, size_t old_n, size_t n, const char *what);
#define es_big_realloc(p, old_n, n) es_big_realloc_for((p), (old_n), (n), G_STRFUNC)
void  es_big_free(void *p, size_t n);
/* A 2 MiB-aligned anonymous mapping of len bytes (a multiple of
 * ES_HUGE_PAGE), mmap's prot and flags, huge pages advised; NULL when
 * mmap refuses.  Free with munmap. */
#define ES_HUGE_PAGE ((size_t)2 << 20)
void *es_big_map(size_t len, int prot, int flags);

/* The memory of an append-only array (a log) that a structure keeps:
 * grown as es_big_realloc grows (new bytes zero) and freed with `free`.
 * es_log_memory_plain is es_big_realloc and es_big_free (what NULL means).
 * A snapshot writer that reads logs beside the stream needs blocks that
 * never move (snapshot/logmem.h); the layers above graph/ pass those in. */
typedef struct {
    void *(*grow)(void *p, size_t old_n, size_t n);
    void  (*free)(void *p, size_t n);
    size_t step;   /* 0: grow geometrically; else memory that grows in place,
                      with no copy: grow it by multiples of step bytes */
} es_log_memory;
extern const es_log_memory es_log_memory_plain;

/* Fetch the cache line at p ahead of its use: a hint, so any address will
 * do (past an array's end, NULL).  GCC 12 at -O2 drops some
 * __builtin_prefetch calls as dead code, those whose address or guard is
 * loaded only for them (tri's prefetch of the lists ahead and the plain
 * adjacency's of where an entry goes were missing from the object code),
 * so on x86-64 the instruction is written out. */
static inline void es_prefetch(const void *p)
{
#if defined(__x86_64__)
    __asm__ volatile("prefetcht0 (%0)" : : "r"(p));
#else
    __builtin_prefetch(p);
#endif
}

/* Next capacity for geometric growth: at least need, at least 1.5 x old. */
static inline size_t es_grow_cap(size_t old, size_t need)
{
    size_t cap = old + old / 2;
    if (cap < 16) cap = 16;
    return cap < need ? need : cap;
}

#endif
