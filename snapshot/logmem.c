/* logmem.c — logs in reserved address space, holds, shadow copies (see
 * logmem.h). */
#include "snapshot/logmem.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define LOG_RESERVE ((size_t)64 << 30)

/* A reservation: its length; with `recycle`, how much of its front is
 * released (es_log_release) and how much of that was moved to its end. */
typedef struct {
    size_t   len;
    gboolean recycle;
    size_t   released, gone;
} reservation_t;

static GMutex      lock;
static GHashTable *reserved;   /* start -> reservation_t, under lock */
static GArray     *held;       /* held_block: freed at the end of the hold, under lock */
static gint        hold_on;
static gint        logs_move;
static gint        moved;      /* logs moved out of a reservation so far */

typedef struct {
    void  *p;
    size_t n;
} held_block;

const es_log_memory es_log_memory_stable = { es_log_grow, es_log_free, 0 };
/* (grown a block at a time: the blocks it released are moved in as it
 * needs them, rather than fresh ones committed ahead) */
const es_log_memory es_log_memory_recycled = { es_log_grow_recycled, es_log_free, ES_HUGE_PAGE };

static size_t huge_round(size_t n)
{
    return (n + ES_HUGE_PAGE - 1) & ~(ES_HUGE_PAGE - 1);
}

static size_t huge_floor(size_t n)
{
    return n & ~(ES_HUGE_PAGE - 1);
}

/* A copy of the reservation p starts (len 0: none); with `take`, p is no
 * longer listed as one. */
static reservation_t reservation(const void *p, gboolean take)
{
    reservation_t r = { 0 };
    g_mutex_lock(&lock);
    const reservation_t *at = reserved ? g_hash_table_lookup(reserved, p) : NULL;
    if (at)
        r = *at;
    if (at && take)
        g_hash_table_remove(reserved, p);
    g_mutex_unlock(&lock);
    return r;
}

void es_log_free(void *p, size_t n)
{
    const size_t r = p ? reservation(p, TRUE).len : 0;
    if (r)
        munmap(p, r);
    else
        es_big_free(p, n);
}

/* A new reservation with its first n bytes writable; NULL when the address
 * space is refused or limited (under ulimit -v a reservation would take
 * what the run's memory needs). */
static void *reserve(size_t n, size_t *len, const reservation_t *like)
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
    reservation_t *r = g_new(reservation_t, 1);
    *r = (reservation_t){ *len, like->recycle, like->released, 0 };
    g_mutex_lock(&lock);
    if (reserved == NULL)
        reserved = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_hash_table_insert(reserved, a, r);
    g_mutex_unlock(&lock);
    return a;
}

/* Make [from, to) of reservation p writable (whole 2 MiB blocks), first
 * with the released blocks at its front, moved there (mremap moves the
 * pages, not their bytes): memory the run has touched already costs
 * nothing to reuse, where fresh pages cost about 1 s per GiB here.  Only
 * the thread that grows the log moves its blocks. */
static void commit_pages(char *p, size_t from, size_t to)
{
    while (from < to) {
        g_mutex_lock(&lock);
        reservation_t *r = g_hash_table_lookup(reserved, p);
        const size_t blk = r->recycle && r->gone + ES_HUGE_PAGE <= huge_floor(r->released) ? r->gone : SIZE_MAX;
        g_mutex_unlock(&lock);
        if (blk == SIZE_MAX ||
            mremap(p + blk, ES_HUGE_PAGE, ES_HUGE_PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + from) != p + from)
            break;
        /* The hole left behind stays reserved, unreadable. */
        if (mmap(p + blk, ES_HUGE_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) ==
            MAP_FAILED)
            es_out_of_memory(ES_HUGE_PAGE, "a log's reservation");
        g_mutex_lock(&lock);
        r->gone += ES_HUGE_PAGE;
        g_mutex_unlock(&lock);
        from += ES_HUGE_PAGE;
    }
    if (from < to && mprotect(p + from, to - from, PROT_READ | PROT_WRITE) != 0)
        es_out_of_memory(to, "a log");
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

static void *grow(void *p, size_t old_n, size_t n, gboolean recycle)
{
    reservation_t r = p ? reservation(p, FALSE) : (reservation_t){ .recycle = recycle };
    if (r.len != 0 && n <= r.len) {   /* in place: commit the pages up to n */
        if (huge_round(n) > huge_round(old_n))
            commit_pages(p, huge_round(old_n), huge_round(n));
        return p;
    }
    size_t len;
    void *q = reserve(n, &len, &r);
    if (q == NULL) {   /* no address space to reserve: a plain block, which may move */
        g_atomic_int_set(&logs_move, 1);
        if (r.len == 0 && !g_atomic_int_get(&hold_on))
            return es_big_realloc(p, old_n, n);
        q = es_big_alloc(n);   /* out of a reservation: copied, the reservation freed whole */
    }
    if (p != NULL) {   /* (the released front is not copied: it stays released) */
        g_atomic_int_inc(&moved);   /* (before the hold is read: es_log_pin) */
        const size_t keep = MIN(old_n, n), from = MIN(huge_floor(r.released), keep);
        memcpy((char *)q + from, (char *)p + from, keep - from);
        retire(p, old_n);
    }
    return q;
}

void *es_log_grow(void *p, size_t old_n, size_t n)
{
    return grow(p, old_n, n, FALSE);
}

void *es_log_grow_recycled(void *p, size_t old_n, size_t n)
{
    return grow(p, old_n, n, TRUE);
}

void es_log_release(const void *p, size_t bytes)
{
    g_mutex_lock(&lock);
    reservation_t *r = reserved && p ? g_hash_table_lookup(reserved, p) : NULL;
    if (r && r->recycle && bytes > r->released)
        r->released = bytes;
    g_mutex_unlock(&lock);
}

size_t es_log_released(const void *p)
{
    const reservation_t r = p ? reservation(p, FALSE) : (reservation_t){ 0 };
    return r.recycle ? huge_floor(r.released) : 0;
}

gboolean es_log_recycles(const void *p)
{
    return p != NULL && reservation(p, FALSE).recycle;
}

gboolean es_logs_may_move(void)
{
    return g_atomic_int_get(&logs_move) != 0;
}

guint es_log_moves(void)
{
    return (guint)g_atomic_int_get(&moved);
}

gboolean es_log_pin(guint since)
{
    /* The hold first: a move that this does not see comes after it (both
     * atomics are sequentially consistent), and keeps its old block. */
    es_log_hold(TRUE);
    return es_log_moves() == since && !es_logs_may_move();
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
