/* logmem.c — logs in reserved address space, holds, shadow copies (see
 * logmem.h). */
#include "snapshot/logmem.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define LOG_RESERVE ((size_t)64 << 30)

static GMutex      lock;
static GHashTable *reserved;   /* start -> bytes of each reservation, under lock */
static GArray     *held;       /* held_block: freed at the end of the hold, under lock */
static gint        hold_on;
static gint        logs_move;

typedef struct {
    void  *p;
    size_t n;
} held_block;

const es_log_memory es_log_memory_stable = { es_log_grow, es_log_free };

static size_t huge_round(size_t n)
{
    return (n + ES_HUGE_PAGE - 1) & ~(ES_HUGE_PAGE - 1);
}

/* The size of the reservation p starts, or 0; with `take`, p is no longer
 * listed as one. */
static size_t reservation(void *p, gboolean take)
{
    g_mutex_lock(&lock);
    size_t r = reserved ? GPOINTER_TO_SIZE(g_hash_table_lookup(reserved, p)) : 0;
    if (r && take)
        g_hash_table_remove(reserved, p);
    g_mutex_unlock(&lock);
    return r;
}

void es_log_free(void *p, size_t n)
{
    const size_t r = p ? reservation(p, TRUE) : 0;
    if (r)
        munmap(p, r);
    else
        es_big_free(p, n);
}

/* A new reservation with its first n bytes writable; NULL when the address
 * space is refused or limited (under ulimit -v a reservation would take
 * what the run's memory needs). */
static void *reserve(size_t n, size_t *len)
{
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        return NULL;
    const size_t least = huge_round(n) * 4;
    char *a;
    *len = MAX(LOG_RESERVE, least);
    while ((a = es_big_map(*len, PROT_NONE, MAP_NORESERVE)) == NULL) {
        *len /= 4;
        if (*len < least)
            return NULL;
    }
    if (mprotect(a, huge_round(n), PROT_READ | PROT_WRITE) != 0) {
        munmap(a, *len);
        return NULL;
    }
    g_mutex_lock(&lock);
    if (reserved == NULL)
        reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(reserved, a, GSIZE_TO_POINTER(*len));
    g_mutex_unlock(&lock);
    return a;
}

/* Free p (old_n bytes) now, or at the end of the hold. */
static void retire(void *p, size_t old_n)
{
    g_mutex_lock(&lock);
    if (g_atomic_int_get(&hold_on)) {
        if (held == NULL)
            held = g_array_new(FALSE, FALSE, sizeof(held_block));
        held_block b = { p, old_n };
        g_array_append_val(held, b);
        p = NULL;
    }
    g_mutex_unlock(&lock);
    es_log_free(p, old_n);
}

void *es_log_grow(void *p, size_t old_n, size_t n)
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
        g_atomic_int_set(&logs_move, 1);
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

gboolean es_logs_may_move(void)
{
    return g_atomic_int_get(&logs_move) != 0;
}

void es_log_hold(gboolean on)
{
    g_atomic_int_set(&hold_on, on ? 1 : 0);
    if (on)
        return;
    /* A grow that saw the hold just before it ended may add a block after
     * this: it is freed at the end of the next hold, and the writer that
     * could read it is gone already. */
    g_mutex_lock(&lock);
    GArray *blocks = held;
    held = NULL;
    g_mutex_unlock(&lock);
    for (guint i = 0; blocks && i < blocks->len; i++) {
        held_block *b = &g_array_index(blocks, held_block, i);
        es_log_free(b->p, b->n);
    }
    if (blocks)
        g_array_free(blocks, TRUE);
}

void es_shadow_reserve(void **buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap)
        return;
    size_t want = MAX(es_grow_cap(*cap, bytes), ES_HUGE_PAGE);
    *buf = es_big_realloc(*buf, *cap, want);
    *cap = want;
}

void es_shadow_copy(void **buf, size_t *cap, const void *src, size_t bytes)
{
    es_shadow_reserve(buf, cap, bytes);
    if (bytes > 0)
        memcpy(*buf, src, bytes);
}
