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
/* Keep a block from es_big_alloc out of forked children (MADV_DONTFORK).
 * For memory a snapshot writer (a forked child) never reads: while the
 * child lives, every page of it that the parent writes would otherwise be
 * copied first.  Blocks below 2 MiB come from the heap and are left as
 * they are.  The child must not touch such a block: it is not mapped there. */
void  es_big_dontfork(void *p, size_t n);
/* The least size es_big_dontfork acts on: scratch arrays meant to stay out
 * of children are allocated at least this large. */
#define ES_BIG_PRIVATE ((size_t)2 << 20)
/* Keep the growable array *p (*cap elements of elsize bytes, from
 * es_big_alloc) out of forked children: moved first to a block of
 * ES_BIG_PRIVATE bytes when smaller (*cap grows to fill it), since
 * es_big_dontfork acts on blocks of their own only.  Call again after
 * every reallocation. */
void  es_big_keep_private(void **p, size_t *cap, size_t elsize);
/* For an append-only array in a block from es_big_alloc of cap bytes, of
 * which the first len are used: let forked children see only those (the
 * pages up to len), and keep the rest from them, so that the parent's
 * appends while a child lives land on pages it does not share (no
 * copy-on-write).  Call again before each fork: a child must not read
 * past len. */
void  es_big_fork_prefix(void *p, size_t cap, size_t len);
/* Whether a fork follows the next barriers (the default): when not (a
 * writer thread instead), es_big_fork_prefix does nothing, which spares
 * its madvise calls and the splits of huge-page mappings they cause. */
void  es_big_set_forking(gboolean on);
/* Make *buf, a block from es_big_alloc of *cap bytes (or NULL and 0), hold
 * at least `bytes`: grown geometrically, to 2 MiB at least, and in place
 * where it can be, so that the pages it already has stay mapped (fresh
 * pages are what costs on these machines: about 1 s per GiB touched).
 * For the shadow copies operators take at a snapshot barrier
 * (operators/operator.h). */
void  es_big_reserve(void **buf, size_t *cap, size_t bytes);
/* es_big_reserve, then copy `bytes` of src into *buf. */
void  es_big_copy(void **buf, size_t *cap, const void *src, size_t bytes);

/* Append-only arrays (logs) that a snapshot writer thread reads while the
 * stream goes on appending to them (dataflow/checkpoint.c).
 * es_big_grow_log grows such a block (from es_big_alloc, or one it
 * returned, or NULL) to n bytes, new bytes zero, and it never moves one it
 * returned while it fits its reservation of address space (64 GiB, less
 * where the address space is limited; no memory and no commit charge
 * until used), where it grows in place.  A block that is not yet in one,
 * or outgrows it, is copied into a new one; between es_big_hold(TRUE)
 * and es_big_hold(FALSE) the old block stays mapped, with its contents,
 * until the hold ends, so that a pointer taken at a barrier stays valid.
 * Where no address space can be reserved (a ulimit -v, say) logs are
 * plain blocks that may move, and es_big_logs_move is set: then a writer
 * must not run beside the stream.  es_big_free frees them as any block.
 * Thread-safe (the id map's log grows in a thread of its own). */
void *es_big_grow_log(void *p, size_t old_n, size_t n);
void  es_big_hold(gboolean on);
extern gint es_big_logs_move;

/* Next capacity for geometric growth: at least need, at least 1.5 x old. */
static inline size_t es_grow_cap(size_t old, size_t need)
{
    size_t cap = old + old / 2;
    if (cap < 16) cap = 16;
    return cap < need ? need : cap;
}

#endif
