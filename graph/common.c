/* common.c — the ES_ERROR domain and huge-page friendly allocation of large
 * arrays (see common.h for why). */
#include "graph/common.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

G_DEFINE_QUARK(es-error-quark, es_error)

/* Below this size malloc is as good and mmap's page granularity wastes memory. */
#define ES_BIG_MIN (2u << 20)
/* Huge pages are 2 MiB: big blocks are sized and aligned to them so that THP
 * can back every byte. */
#define ES_HUGE (2u << 20)

/* Reservations of address space that logs grow in (es_big_grow_log):
 * start -> bytes, so that es_big_free unmaps all of one. */
static GMutex      big_lock;
static GHashTable *reserved;   /* under big_lock */

static size_t huge_round(size_t n)
{
    return (n + ES_HUGE - 1) & ~(size_t)(ES_HUGE - 1);
}

/* A 2 MiB-aligned anonymous mapping of len bytes (a multiple of 2 MiB),
 * huge pages advised; NULL when mmap refuses. */
static void *map_aligned(size_t len, int prot, int flags)
{
    char *p = mmap(NULL, len + ES_HUGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Trim to a 2 MiB-aligned block of len bytes. */
    char *a = (char *)(((uintptr_t)p + ES_HUGE - 1) & ~(uintptr_t)(ES_HUGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (a + len < p + len + ES_HUGE)
        munmap(a + len, (size_t)((p + len + ES_HUGE) - (a + len)));
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE);
#endif
    return a;
}

void es_out_of_memory(size_t n, const char *what)
{
    /* One write, no allocation, and _exit: other threads may hold locks
     * (malloc's, HDF5's) that exit handlers would need. */
    struct rlimit as;
    char limit[96] = "";
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, "; address space is limited to %llu KiB (ulimit -v)",
                 (unsigned long long)(as.rlim_cur / 1024));
    char msg[384];
    char size[48] = "";
    if (n > 0)
        snprintf(size, sizeof size, "%zu bytes for ", n);
    int len = snprintf(msg, sizeof msg, "edgestream: out of memory: cannot allocate %s%s%s\n", size,
                       what ? what : "an array", limit);
    if (len > 0 && write(STDERR_FILENO, msg, MIN((size_t)len, sizeof msg - 1)) < 0)
        len = 0;
    _exit(ES_EXIT_NOMEM);
}

void *es_big_alloc_for(size_t n, const char *what)
{
    if (n < ES_BIG_MIN) {
        void *p = g_try_malloc0(n ? n : 1);
        if (p == NULL)
            es_out_of_memory(n, what);
        return p;
    }
    void *a = map_aligned(huge_round(n), PROT_READ | PROT_WRITE, 0);
    if (a == NULL)
        es_out_of_memory(n, what);
    return a;
}

void *es_big_realloc_for(void *p, size_t old_n, size_t n, const char *what)
{
    if (p == NULL)
        return es_big_alloc_for(n, what);
    if (old_n < ES_BIG_MIN && n < ES_BIG_MIN) {
        p = g_try_realloc(p, n ? n : 1);
        if (p == NULL)
            es_out_of_memory(n, what);
        if (n > old_n)
            memset((char *)p + old_n, 0, n - old_n);
        return p;
    }
    if (old_n >= ES_BIG_MIN && n >= ES_BIG_MIN) {
#ifdef MADV_DOFORK
        /* mremap moves one mapping only: undo a split by es_big_fork_prefix
         * (the caller re-applies es_big_dontfork or the prefix). */
        madvise(p, huge_round(old_n), MADV_DOFORK);
#endif
        void *q = mremap(p, huge_round(old_n), huge_round(n), MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            es_out_of_memory(n, what);
#ifdef MADV_HUGEPAGE
        madvise(q, huge_round(n), MADV_HUGEPAGE);
#endif
        return q; /* mremap'd tail pages are fresh anonymous memory: zero */
    }
    void *q = es_big_alloc_for(n, what);
    memcpy(q, p, old_n < n ? old_n : n);
    es_big_free(p, old_n);
    return q;
}

void es_big_dontfork(void *p, size_t n)
{
#ifdef MADV_DONTFORK
    if (p != NULL && n >= ES_BIG_MIN)
        madvise(p, huge_round(n), MADV_DONTFORK);
#else
    (void)p;
    (void)n;
#endif
}

void es_big_keep_private(void **p, size_t *cap, size_t elsize)
{
    if (*cap * elsize < ES_BIG_PRIVATE) {
        const size_t want = (ES_BIG_PRIVATE + elsize - 1) / elsize;
        *p = es_big_realloc(*p, *cap * elsize, want * elsize);
        *cap = want;
    }
    es_big_dontfork(*p, *cap * elsize);
}

static gint no_fork;

void es_big_set_forking(gboolean on)
{
    g_atomic_int_set(&no_fork, !on);
}

void es_big_fork_prefix(void *p, size_t cap, size_t len)
{
#if defined(MADV_DONTFORK) && defined(MADV_DOFORK)
    if (p == NULL || cap < ES_BIG_MIN || g_atomic_int_get(&no_fork))
        return;
    const size_t total = huge_round(cap), page = 4096;
    size_t shown = (len + page - 1) / page * page;
    if (shown > total)
        shown = total;
    if (shown > 0)
        madvise(p, shown, MADV_DOFORK);
    if (shown < total)
        madvise((char *)p + shown, total - shown, MADV_DONTFORK);
#else
    (void)p;
    (void)cap;
    (void)len;
#endif
}

void es_big_reserve(void **buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap)
        return;
    /* at least 2 MiB: a mapping of its own, in huge pages, so that writing
     * it after a fork costs one fault per 2 MiB, not per 4 KiB; grown by
     * mremap, so the pages it had stay mapped and only the tail is fresh */
    size_t want = MAX(es_grow_cap(*cap, bytes), ES_BIG_PRIVATE);
    *buf = es_big_realloc(*buf, *cap, want);
    *cap = want;
}

void es_big_copy(void **buf, size_t *cap, const void *src, size_t bytes)
{
    es_big_reserve(buf, cap, bytes);
    if (bytes > 0)
        memcpy(*buf, src, bytes);
}

gint es_big_logs_move;

/* The size of the reservation p starts, or 0; with `take`, p is no longer
 * listed as one. */
static size_t reservation(void *p, gboolean take)
{
    g_mutex_lock(&big_lock);
    size_t r = reserved ? GPOINTER_TO_SIZE(g_hash_table_lookup(reserved, p)) : 0;
    if (r && take)
        g_hash_table_remove(reserved, p);
    g_mutex_unlock(&big_lock);
    return r;
}

void es_big_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    const size_t r = reservation(p, TRUE);
    if (r)
        munmap(p, r);
    else if (n < ES_BIG_MIN)
        g_free(p);
    else
        munmap(p, huge_round(n));
}

/* Logs grow in place inside a reservation of address space: PROT_NONE,
 * no memory and no commit charge until a part is made writable, so a
 * pointer to a log stays valid however long it grows (a writer thread may
 * be reading its first entries meanwhile).  The reservations are listed
 * (start -> bytes) so that es_big_free unmaps all of one. */
#define LOG_RESERVE ((size_t)64 << 30)

static GArray     *held;       /* held_block, under big_lock */
static gint        hold_on;

typedef struct {
    void  *p;
    size_t n;
} held_block;


/* A new reservation, 2 MiB aligned, with its first n bytes writable;
 * NULL when the address space is refused (a ulimit -v, say). */
static void *reserve(size_t n, size_t *len)
{
    /* Under a limit on address space (ulimit -v) a reservation would take
     * what the run's memory needs: none; logs are then plain blocks. */
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        return NULL;
    /* 64 GiB, or less where the address space is limited (valgrind), but
     * room to double at least twice: a log that outgrows its reservation
     * is copied to a larger one. */
    const size_t least = huge_round(n) * 4;
    char *a;
    *len = MAX(LOG_RESERVE, least);
    while ((a = map_aligned(*len, PROT_NONE, MAP_NORESERVE)) == NULL) {
        *len /= 4;
        if (*len < least)
            return NULL;
    }
    if (mprotect(a, huge_round(n), PROT_READ | PROT_WRITE) != 0) {
        munmap(a, *len);
        return NULL;
    }
    g_mutex_lock(&big_lock);
    if (reserved == NULL)
        reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(reserved, a, GSIZE_TO_POINTER(*len));
    g_mutex_unlock(&big_lock);
    return a;
}

/* Free p (old_n bytes) now, or at the end of the hold. */
static void retire(void *p, size_t old_n)
{
    g_mutex_lock(&big_lock);
    if (g_atomic_int_get(&hold_on)) {
        if (held == NULL)
            held = g_array_new(FALSE, FALSE, sizeof(held_block));
        held_block b = { p, old_n };
        g_array_append_val(held, b);
        p = NULL;
    }
    g_mutex_unlock(&big_lock);
    es_big_free(p, old_n);
}

void *es_big_grow_log(void *p, size_t old_n, size_t n)
{
    const size_t r = p ? reservation(p, FALSE) : 0;
    if (r != 0 && n <= r) {   /* in place: commit the pages up to n */
        if (huge_round(n) > huge_round(old_n) &&
            mprotect((char *)p + huge_round(old_n), huge_round(n) - huge_round(old_n), PROT_READ | PROT_WRITE) != 0)
            es_out_of_memory(n, "a log");
        return p;
    }
    size_t len;
    void *q = reserve(n, &len);
    if (q == NULL) {   /* no address space to reserve: a plain block, which may move */
        g_atomic_int_set(&es_big_logs_move, 1);
        if (r == 0 && !g_atomic_int_get(&hold_on))
            return es_big_realloc(p, old_n, n);
        q = es_big_alloc(n);   /* out of a reservation: copied, the reservation freed whole */
    }
    if (p != NULL) {
        memcpy(q, p, MIN(old_n, n));
        retire(p, old_n);
    }
    return q;
}

void es_big_hold(gboolean on)
{
    g_atomic_int_set(&hold_on, on ? 1 : 0);
    if (on)
        return;
    /* A grow that saw the hold just before it ended may add a block after
     * this: it is freed at the end of the next hold, and the writer that
     * could read it is gone already. */
    g_mutex_lock(&big_lock);
    GArray *blocks = held;
    held = NULL;
    g_mutex_unlock(&big_lock);
    for (guint i = 0; blocks && i < blocks->len; i++) {
        held_block *b = &g_array_index(blocks, held_block, i);
        es_big_free(b->p, b->n);
    }
    if (blocks)
        g_array_free(blocks, TRUE);
}
