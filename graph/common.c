/* common.c — the ES_ERROR domain and huge-page friendly allocation of large
 * arrays (see common.h for why). */
#include "graph/common.h"

#include <string.h>
#include <sys/mman.h>

G_DEFINE_QUARK(es-error-quark, es_error)

/* Below this size malloc is as good and mmap's page granularity wastes memory. */
#define ES_BIG_MIN (4u << 20)

void *es_big_alloc(size_t n)
{
    if (n < ES_BIG_MIN)
        return g_malloc0(n ? n : 1);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        g_error("edgestream: out of memory allocating %zu bytes", n);
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}

void *es_big_realloc(void *p, size_t old_n, size_t n)
{
    if (p == NULL)
        return es_big_alloc(n);
    if (old_n < ES_BIG_MIN && n < ES_BIG_MIN) {
        p = g_realloc(p, n ? n : 1);
        if (n > old_n)
            memset((char *)p + old_n, 0, n - old_n);
        return p;
    }
    if (old_n >= ES_BIG_MIN && n >= ES_BIG_MIN) {
        void *q = mremap(p, old_n, n, MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            g_error("edgestream: out of memory growing to %zu bytes", n);
#ifdef MADV_HUGEPAGE
        madvise(q, n, MADV_HUGEPAGE);
#endif
        return q; /* mremap'd tail pages are fresh anonymous memory: zero */
    }
    void *q = es_big_alloc(n);
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
        munmap(p, n);
}
