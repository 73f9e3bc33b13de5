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
#define ES_HUGE ES_HUGE_PAGE

static size_t huge_round(size_t n)
{
    return (n + ES_HUGE - 1) & ~(size_t)(ES_HUGE - 1);
}

void *es_big_map(size_t len, int prot, int flags)
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
    void *a = es_big_map(huge_round(n), PROT_READ | PROT_WRITE, 0);
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

void es_big_free(void *p, size_t n)
{
    if (p == NULL)
        return;
    if (n < ES_BIG_MIN)
        g_free(p);
    else
        munmap(p, huge_round(n));
}

static void *plain_grow(void *p, size_t old_n, size_t n)
{
    return es_big_realloc_for(p, old_n, n, "a log");
}

const es_log_memory es_log_memory_plain = { plain_grow, es_big_free, 0 };
