/* edge_reservoir.c — a uniform edge reservoir kept as a graph (see
 * edge_reservoir.h for the contract, the algorithms and their sources).
 *
 * Layout.  slots[i] is the edge in slot i.  head[v] (16 bytes) holds v's
 * sample degree, the kind of its neighbour set and either the one
 * neighbour inline or the pool offset of its block.  A block of class k
 * holds 2^k entries (neighbour, slot): a sorted array uses the first deg of
 * them, a hash set all of them with neighbour UINT32_MAX marking an empty
 * entry.  Freed blocks go on their class's free list and are reused before
 * the pool grows.
 *
 * Handles.  An entry names its edge by a handle, not by its slot: until
 * the first removal the two are equal (hid is NULL); a removal moves the
 * last slot's edge into the hole, and then only the two small arrays
 * hid (slot -> handle) and hslot (handle -> slot) change, not the moved
 * edge's entries in its ends' sets (finding those was two chains of cache
 * misses a removal: most of a sliding window's removals, bench/RESULTS.md).
 * Answers name slots: a handle is translated where it leaves (the common
 * neighbours found, es_edge_reservoir_slot).
 *
 * Sizes: an array of class k is grown to k+1 when full and shrunk to k-1
 * when a quarter full; past ES_RESERVOIR_ARRAY_MAX neighbours it becomes a
 * hash set of at least twice as many entries, which doubles when half full,
 * halves when an eighth full, and turns back into an array at half of
 * ES_RESERVOIR_ARRAY_MAX.  The hysteresis keeps an edge that comes and goes
 * from copying a block each time.
 *
 * Where the time goes (TRIEST-IMPR on R-MAT scale 20, m = 100 000, 10 M
 * queries, 80 K of them closing a triangle): most intersections find
 * nothing, so their cost is the walk itself.  Two sorted arrays are
 * compared four neighbours against four (SSE2) and binary searches are
 * branch-free; an eviction's edge, anywhere in the sample, is fetched
 * ahead from decisions drawn ahead (es_edge_reservoir_offer_batch).
 * Together 0.84x the CPU of the operator alone (bench/RESULTS.md).
 */
#include "operators/edge_reservoir.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct {
    uint32_t nbr, slot;
} entry;

enum { KIND_INLINE = 0, KIND_ARRAY = 1, KIND_HASH = 2 };

typedef struct {
    uint32_t deg;
    uint8_t  kind;
    uint8_t  cls;      /* block of 2^cls entries (KIND_ARRAY, KIND_HASH) */
    uint16_t pad;
    union {
        entry    one;  /* KIND_INLINE with deg == 1 */
        uint32_t off;  /* pool offset of the block, in entries */
    } x;
} vhead;

#define EMPTY_NBR UINT32_MAX
#define MAX_CLASS 31
#define HASH_MIN_CLASS 8   /* 2 * (ES_RESERVOIR_ARRAY_MAX + 1) entries, rounded up */
#define ARRAY_BACK (ES_RESERVOIR_ARRAY_MAX / 2)
/* A sorted array this much larger than the other side is searched, not merged. */
#define GALLOP_RATIO 8

typedef struct {
    uint32_t *off;
    size_t    n, cap;
} freelist;

struct es_edge_reservoir {
    es_sampler sampler;      /* m slots, t offers, the generator */
    uint32_t  size;
    es_edge  *slots;
    size_t    slots_cap;     /* entries allocated: <= m */
    uint32_t *hid, *hslot;   /* slot -> handle, handle -> slot; NULL: handle == slot */
    uint32_t *hfree;         /* handles not in use, a stack of nfree */
    uint32_t  nfree;

    vhead    *head;
    uint32_t  nv;
    size_t    head_cap;

    entry    *pool;
    size_t    pool_top, pool_cap;   /* in entries */
    freelist  free[MAX_CLASS + 1];

    es_common_nbr *out;             /* scratch of es_edge_reservoir_common */
    size_t         out_cap;
};

G_STATIC_ASSERT(sizeof(vhead) == 16);
G_STATIC_ASSERT(ES_RESERVOIR_ARRAY_MAX * 2 <= (1u << HASH_MIN_CLASS));

/* ---- pool ---------------------------------------------------------------- */

static uint32_t pool_alloc(es_edge_reservoir *r, unsigned cls)
{
    freelist *f = &r->free[cls];
    if (f->n > 0)
        return f->off[--f->n];
    size_t need = r->pool_top + ((size_t)1 << cls);
    if (need > r->pool_cap) {
        size_t cap = es_grow_cap(r->pool_cap, need);
        if (cap < 4096)
            cap = 4096;
        r->pool = es_big_realloc(r->pool, r->pool_cap * sizeof(entry), cap * sizeof(entry));
        r->pool_cap = cap;
    }
    g_assert(r->pool_top <= UINT32_MAX - ((size_t)1 << cls));
    uint32_t off = (uint32_t)r->pool_top;
    r->pool_top = need;
    return off;
}

static void pool_free(es_edge_reservoir *r, unsigned cls, uint32_t off)
{
    freelist *f = &r->free[cls];
    if (f->n == f->cap) {
        f->cap = es_grow_cap(f->cap, f->n + 1);
        f->off = g_renew(uint32_t, f->off, f->cap);
    }
    f->off[f->n++] = off;
}

/* ---- neighbour sets ------------------------------------------------------ */

static inline uint32_t hash_home(uint32_t nbr, unsigned cls)
{
    return (uint32_t)(nbr * UINT32_C(2654435769)) >> (32 - cls);
}

/* Index of the first entry of a[0..n) whose nbr is >= x.  Branch-free:
 * the outcome of each comparison is a coin toss the branch predictor
 * would lose. */
static inline size_t lower_bound(const entry *a, size_t n, uint32_t x)
{
    if (n == 0)
        return 0;
    const entry *base = a;
    while (n > 1) {
        size_t half = n / 2;
        /* (a product, not ?: -- GCC 12 made the latter a branch) */
        base += (size_t)(base[half - 1].nbr < x) * half;
        n -= half;
    }
    return (size_t)(base - a) + (base->nbr < x);
}

static inline const entry *hash_find(const entry *tab, unsigned cls, uint32_t x)
{
    const uint32_t mask = (UINT32_C(1) << cls) - 1;
    for (uint32_t i = hash_home(x, cls);; i = (i + 1) & mask) {
        if (tab[i].nbr == x)
            return &tab[i];
        if (tab[i].nbr == EMPTY_NBR)
            return NULL;
    }
}

static inline void hash_put(entry *tab, unsigned cls, entry e)
{
    const uint32_t mask = (UINT32_C(1) << cls) - 1;
    uint32_t i = hash_home(e.nbr, cls);
    while (tab[i].nbr != EMPTY_NBR)
        i = (i + 1) & mask;
    tab[i] = e;
}

/* Remove x (present) by backward shift: later entries of the cluster whose
 * home is not in (hole, j] move into the hole. */
static void hash_remove(entry *tab, unsigned cls, uint32_t x)
{
    const uint32_t mask = (UINT32_C(1) << cls) - 1;
    uint32_t i = hash_home(x, cls);
    while (tab[i].nbr != x)
        i = (i + 1) & mask;
    for (uint32_t j = (i + 1) & mask; tab[j].nbr != EMPTY_NBR; j = (j + 1) & mask) {
        uint32_t k = hash_home(tab[j].nbr, cls);
        if (((j - k) & mask) >= ((j - i) & mask)) {
            tab[i] = tab[j];
            i = j;
        }
    }
    tab[i].nbr = EMPTY_NBR;
}

/* Look x up in v's set: the entry, or NULL. */
static inline const entry *set_find(const es_edge_reservoir *r, const vhead *h, uint32_t x)
{
    switch (h->kind) {
    case KIND_INLINE:
        return h->deg == 1 && h->x.one.nbr == x ? &h->x.one : NULL;
    case KIND_ARRAY: {
        const entry *a = r->pool + h->x.off;
        size_t i = lower_bound(a, h->deg, x);
        return i < h->deg && a[i].nbr == x ? &a[i] : NULL;
    }
    default:
        return hash_find(r->pool + h->x.off, h->cls, x);
    }
}

/* Move v's set into a fresh hash table of class cls. */
static void to_hash(es_edge_reservoir *r, uint32_t v, unsigned cls)
{
    uint32_t off = pool_alloc(r, cls);
    vhead *h = &r->head[v];
    entry *tab = r->pool + off;
    memset(tab, 0xff, sizeof(entry) << cls);
    const entry *src = r->pool + h->x.off;
    if (h->kind == KIND_ARRAY) {
        for (uint32_t i = 0; i < h->deg; i++)
            hash_put(tab, cls, src[i]);
    } else {
        for (size_t i = 0; i < ((size_t)1 << h->cls); i++)
            if (src[i].nbr != EMPTY_NBR)
                hash_put(tab, cls, src[i]);
    }
    pool_free(r, h->cls, h->x.off);
    h->kind = KIND_HASH;
    h->cls = (uint8_t)cls;
    h->x.off = off;
}

static int entry_cmp(const void *a, const void *b)
{
    uint32_t x = ((const entry *)a)->nbr, y = ((const entry *)b)->nbr;
    return (x > y) - (x < y);
}

/* Move v's hash set (deg <= ARRAY_BACK) into a sorted array. */
static void hash_to_array(es_edge_reservoir *r, uint32_t v)
{
    vhead *h = &r->head[v];
    unsigned cls = 1;
    while (((size_t)1 << cls) < h->deg)
        cls++;
    uint32_t off = pool_alloc(r, cls);
    h = &r->head[v];
    entry *dst = r->pool + off;
    const entry *tab = r->pool + h->x.off;
    size_t n = 0;
    for (size_t i = 0; i < ((size_t)1 << h->cls); i++)
        if (tab[i].nbr != EMPTY_NBR)
            dst[n++] = tab[i];
    g_assert(n == h->deg);
    qsort(dst, n, sizeof(entry), entry_cmp);
    pool_free(r, h->cls, h->x.off);
    h->kind = KIND_ARRAY;
    h->cls = (uint8_t)cls;
    h->x.off = off;
}

/* Resize v's sorted array to class cls (>= deg entries). */
static void array_resize(es_edge_reservoir *r, uint32_t v, unsigned cls)
{
    uint32_t off = pool_alloc(r, cls);
    vhead *h = &r->head[v];
    memcpy(r->pool + off, r->pool + h->x.off, h->deg * sizeof(entry));
    pool_free(r, h->cls, h->x.off);
    h->cls = (uint8_t)cls;
    h->x.off = off;
}

static void set_insert(es_edge_reservoir *r, uint32_t v, uint32_t nbr, uint32_t slot)
{
    vhead *h = &r->head[v];
    entry e = { nbr, slot };
    switch (h->kind) {
    case KIND_INLINE:
        if (h->deg == 0) {
            h->x.one = e;
            h->deg = 1;
            return;
        } else {
            entry old = h->x.one;
            uint32_t off = pool_alloc(r, 1);
            h = &r->head[v];
            entry *a = r->pool + off;
            a[0] = old.nbr < nbr ? old : e;
            a[1] = old.nbr < nbr ? e : old;
            h->kind = KIND_ARRAY;
            h->cls = 1;
            h->x.off = off;
            h->deg = 2;
            return;
        }
    case KIND_ARRAY:
        if (h->deg == ES_RESERVOIR_ARRAY_MAX) {
            to_hash(r, v, HASH_MIN_CLASS + 1);
            h = &r->head[v];
            break;   /* insert into the table below */
        }
        if (h->deg == (UINT32_C(1) << h->cls)) {
            array_resize(r, v, h->cls + 1u);
            h = &r->head[v];
        }
        {
            entry *a = r->pool + h->x.off;
            size_t i = lower_bound(a, h->deg, nbr);
            memmove(a + i + 1, a + i, (h->deg - i) * sizeof(entry));
            a[i] = e;
            h->deg++;
        }
        return;
    default:
        break;
    }
    /* hash set: keep it at most half full */
    if ((size_t)(h->deg + 1) * 2 > ((size_t)1 << h->cls)) {
        g_assert(h->cls < MAX_CLASS);
        to_hash(r, v, h->cls + 1u);
        h = &r->head[v];
    }
    hash_put(r->pool + h->x.off, h->cls, e);
    h->deg++;
}

static void set_remove(es_edge_reservoir *r, uint32_t v, uint32_t nbr)
{
    vhead *h = &r->head[v];
    switch (h->kind) {
    case KIND_INLINE:
        g_assert(h->deg == 1 && h->x.one.nbr == nbr);
        h->deg = 0;
        return;
    case KIND_ARRAY: {
        entry *a = r->pool + h->x.off;
        size_t i = lower_bound(a, h->deg, nbr);
        g_assert(i < h->deg && a[i].nbr == nbr);
        memmove(a + i, a + i + 1, (h->deg - i - 1) * sizeof(entry));
        h->deg--;
        if (h->deg == 1) {
            entry last = a[0];
            pool_free(r, h->cls, h->x.off);
            h->kind = KIND_INLINE;
            h->cls = 0;
            h->x.one = last;
        } else if (h->cls > 1 && (size_t)h->deg * 4 <= ((size_t)1 << h->cls)) {
            array_resize(r, v, h->cls - 1u);
        }
        return;
    }
    default:
        hash_remove(r->pool + h->x.off, h->cls, nbr);
        h->deg--;
        if (h->deg <= ARRAY_BACK)
            hash_to_array(r, v);
        else if (h->cls > HASH_MIN_CLASS && (size_t)h->deg * 8 <= ((size_t)1 << h->cls))
            to_hash(r, v, h->cls - 1u);
        return;
    }
}

/* ---- the reservoir -------------------------------------------------------- */

es_edge_reservoir *es_edge_reservoir_new(uint32_t m, uint64_t seed)
{
    g_return_val_if_fail(m >= 2 && m <= ES_RESERVOIR_MAX_M, NULL);
    es_edge_reservoir *r = g_new0(es_edge_reservoir, 1);
    es_sampler_init(&r->sampler, m, seed);
    return r;
}

void es_edge_reservoir_free(es_edge_reservoir *r)
{
    if (r == NULL)
        return;
    es_big_free(r->slots, r->slots_cap * sizeof(es_edge));
    g_free(r->hid);
    g_free(r->hslot);
    g_free(r->hfree);
    es_big_free(r->head, r->head_cap * sizeof(vhead));
    es_big_free(r->pool, r->pool_cap * sizeof(entry));
    for (int k = 0; k <= MAX_CLASS; k++)
        g_free(r->free[k].off);
    g_free(r->out);
    g_free(r);
}

void es_edge_reservoir_grow_vertices(es_edge_reservoir *r, uint32_t n)
{
    if (n <= r->nv)
        return;
    if (n > r->head_cap) {
        size_t cap = es_grow_cap(r->head_cap, n);
        r->head = es_big_realloc(r->head, r->head_cap * sizeof(vhead), cap * sizeof(vhead));
        r->head_cap = cap;   /* new headers are zero: inline, degree 0 */
    }
    r->nv = n;
}

uint32_t es_edge_reservoir_vertices(const es_edge_reservoir *r) { return r->nv; }
uint32_t es_edge_reservoir_capacity(const es_edge_reservoir *r) { return r->sampler.m; }
uint32_t es_edge_reservoir_size(const es_edge_reservoir *r) { return r->size; }
uint64_t es_edge_reservoir_offered(const es_edge_reservoir *r) { return r->sampler.t; }

uint32_t es_edge_reservoir_degree(const es_edge_reservoir *r, uint32_t v)
{
    return v < r->nv ? r->head[v].deg : 0;
}

/* The heads of u and v: the side with fewer neighbours (u on a tie) in
 * *hs, the other in *hb.  FALSE when either end is past the vertices r
 * knows or has no neighbour in the sample (no pair at it is sampled). */
__attribute__((always_inline)) static inline gboolean both_ends(const es_edge_reservoir *r, uint32_t u, uint32_t v,
                                                                const vhead **hs, const vhead **hb,
                                                                gboolean *s_is_u)
{
    if (u >= r->nv || v >= r->nv)
        return FALSE;
    const vhead *hu = &r->head[u], *hv = &r->head[v];
    if (hu->deg == 0 || hv->deg == 0)
        return FALSE;
    *s_is_u = hu->deg <= hv->deg;
    *hs = *s_is_u ? hu : hv;
    *hb = *s_is_u ? hv : hu;
    return TRUE;
}

gboolean es_edge_reservoir_contains(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    const vhead *hs, *hb;
    gboolean s_is_u;
    return both_ends(r, u, v, &hs, &hb, &s_is_u) && set_find(r, hs, s_is_u ? v : u) != NULL;
}

size_t es_edge_reservoir_memory(const es_edge_reservoir *r)
{
    size_t bytes = sizeof(*r) + r->slots_cap * (sizeof(es_edge) + (r->hid ? 3 * sizeof(uint32_t) : 0)) +
                   r->head_cap * sizeof(vhead) +
                   r->pool_cap * sizeof(entry) + r->out_cap * sizeof(es_common_nbr);
    for (int k = 0; k <= MAX_CLASS; k++)
        bytes += r->free[k].cap * sizeof(uint32_t);
    return bytes;
}

/* The slot of the edge with handle h. */
static inline uint32_t slot_of_handle(const es_edge_reservoir *r, uint32_t h)
{
    return r->hid ? r->hslot[h] : h;
}

/* Store (u, v) in slot s and in the graph: a new slot (append) takes a
 * free handle, another keeps the handle of the edge it replaced. */
static void place(es_edge_reservoir *r, uint32_t s, uint32_t u, uint32_t v, gboolean append)
{
    uint32_t h = s;
    if (r->hid) {
        if (append) {
            h = r->nfree > 0 ? r->hfree[--r->nfree] : s;
            r->hid[s] = h;
            r->hslot[h] = s;
        } else {
            h = r->hid[s];
        }
    }
    r->slots[s] = (es_edge){ u, v };
    set_insert(r, u, v, h);
    set_insert(r, v, u, h);
}

static void slots_grow(es_edge_reservoir *r)
{
    size_t cap = es_grow_cap(r->slots_cap, (size_t)r->size + 1);
    if (cap > r->sampler.m)
        cap = r->sampler.m;
    r->slots = es_big_realloc(r->slots, r->slots_cap * sizeof(es_edge), cap * sizeof(es_edge));
    if (r->hid) {
        r->hid = g_renew(uint32_t, r->hid, cap);
        r->hslot = g_renew(uint32_t, r->hslot, cap);
        r->hfree = g_renew(uint32_t, r->hfree, cap);
    }
    r->slots_cap = cap;
}

/* Put (u, v) where the sampler's decision s puts it. */
static inline uint32_t take(es_edge_reservoir *r, uint32_t s, uint32_t u, uint32_t v, es_edge *evicted)
{
    if (s == ES_SAMPLER_SKIP)
        return ES_RESERVOIR_SKIPPED;
    if (s == r->size) {   /* the sample is still filling */
        if (G_UNLIKELY(r->size == r->slots_cap))
            slots_grow(r);
        r->size++;
        place(r, s, u, v, TRUE);
        return s;
    }
    es_edge old = r->slots[s];
    set_remove(r, old.u, old.v);
    set_remove(r, old.v, old.u);
    if (evicted)
        *evicted = old;
    place(r, s, u, v, FALSE);
    return s;
}

static inline uint32_t offer_impl(es_edge_reservoir *r, uint32_t u, uint32_t v, es_edge *evicted)
{
    return take(r, es_sampler_offer(&r->sampler), u, v, evicted);
}

uint32_t es_edge_reservoir_offer(es_edge_reservoir *r, uint32_t u, uint32_t v, es_edge *evicted)
{
    g_assert(u != v && u < r->nv && v < r->nv);
    if (evicted)
        *evicted = (es_edge){ UINT32_MAX, UINT32_MAX };
    return offer_impl(r, u, v, evicted);
}

void es_edge_reservoir_put(es_edge_reservoir *r, uint32_t s, uint32_t u, uint32_t v, es_edge *evicted)
{
    g_assert(u != v && u < r->nv && v < r->nv && s <= r->size && s < r->sampler.m);
    if (evicted)
        *evicted = (es_edge){ UINT32_MAX, UINT32_MAX };
    const gboolean append = s == r->size;
    if (append) {
        if (G_UNLIKELY(r->size == r->slots_cap))
            slots_grow(r);
        r->size++;
    } else {
        const es_edge old = r->slots[s];
        set_remove(r, old.u, old.v);
        set_remove(r, old.v, old.u);
        if (evicted)
            *evicted = old;
    }
    place(r, s, u, v, append);
}

/* The entry of sampled edge (u, v) in its smaller end's set, or NULL. */
static const entry *find_edge(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    const vhead *hs, *hb;
    gboolean s_is_u;
    if (u == v || !both_ends(r, u, v, &hs, &hb, &s_is_u))
        return NULL;
    return set_find(r, hs, s_is_u ? v : u);
}

uint32_t es_edge_reservoir_slot(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    const entry *e = find_edge(r, u, v);
    return e ? slot_of_handle(r, e->slot) : ES_RESERVOIR_SKIPPED;
}

/* Handles part from slots (the first removal). */
static void handles_start(es_edge_reservoir *r)
{
    r->hid = g_new(uint32_t, r->slots_cap);
    r->hslot = g_new(uint32_t, r->slots_cap);
    r->hfree = g_new(uint32_t, r->slots_cap);
    for (uint32_t i = 0; i < r->size; i++)
        r->hid[i] = r->hslot[i] = i;
    r->nfree = 0;
}

/* Take the edge old, in slot s with handle h, out (handles started). */
static uint32_t drop(es_edge_reservoir *r, uint32_t s, uint32_t h, es_edge old)
{
    set_remove(r, old.u, old.v);
    set_remove(r, old.v, old.u);
    const uint32_t last = r->size - 1;
    r->hfree[r->nfree++] = h;
    if (s != last) {
        /* The last slot's edge fills the hole, its handle with it: its
         * entries in its ends' sets stay as they are. */
        r->slots[s] = r->slots[last];
        r->hid[s] = r->hid[last];
        r->hslot[r->hid[s]] = s;
    }
    r->size = last;
    return last;
}

uint32_t es_edge_reservoir_remove(es_edge_reservoir *r, uint32_t s)
{
    g_assert(s < r->size);
    if (r->hid == NULL)
        handles_start(r);
    return drop(r, s, r->hid[s], r->slots[s]);
}

uint32_t es_edge_reservoir_handle(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    const entry *e = find_edge(r, u, v);
    if (e == NULL)
        return ES_RESERVOIR_SKIPPED;
    if (r->hid)   /* (for es_edge_reservoir_remove_handle: a random read) */
        __builtin_prefetch(&r->hslot[e->slot]);
    return e->slot;
}

uint32_t es_edge_reservoir_handle_slot(const es_edge_reservoir *r, uint32_t h)
{
    return slot_of_handle(r, h);
}

uint32_t es_edge_reservoir_remove_handle(es_edge_reservoir *r, uint32_t h, uint32_t u, uint32_t v, uint32_t *from)
{
    if (r->hid == NULL)
        handles_start(r);
    const uint32_t s = r->hslot[h];
    g_assert(s < r->size);   /* (slots[s] is (u, v): not read back, a cache miss) */
    *from = drop(r, s, h, (es_edge){ u, v });
    return s;
}

static void out_reserve(es_edge_reservoir *r, size_t n)
{
    if (n > r->out_cap) {
        r->out_cap = es_grow_cap(r->out_cap, n);
        r->out = g_renew(es_common_nbr, r->out, r->out_cap);
    }
}

#ifdef __SSE2__
/* The neighbours of e[0 .. 4), in one vector (the slots left out). */
static inline __m128i nbrs4(const entry *e)
{
    const __m128 lo = _mm_loadu_ps((const float *)e), hi = _mm_loadu_ps((const float *)(e + 2));
    return _mm_castps_si128(_mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
}
#endif

static int common_cmp(const void *a, const void *b)
{
    uint32_t x = ((const es_common_nbr *)a)->c, y = ((const es_common_nbr *)b)->c;
    return (x > y) - (x < y);
}

/* The common neighbours of u and v (both of sample degree > 0; hs, hb:
 * the heads of the side with fewer neighbours, u on a tie, and of the
 * other) into out, which has room for the smaller degree + 1 (the merge
 * writes one past); their number.  any: stop at the first (out needs room
 * for 2), for a query that only asks whether there is one.  Reads r only:
 * threads may ask at once. */
__attribute__((always_inline)) static inline size_t common_core(const es_edge_reservoir *r, const vhead *hs,
                                                                const vhead *hb, gboolean s_is_u,
                                                                es_common_nbr *out, gboolean any)
{
    size_t k = 0;
#define EMIT(c_, slot_s_, slot_b_)                                    \
    do {                                                              \
        out[k].c = (c_);                                              \
        out[k].slot_u = s_is_u ? (slot_s_) : (slot_b_);               \
        out[k].slot_v = s_is_u ? (slot_b_) : (slot_s_);               \
        k++;                                                          \
        if (any)                                                      \
            return k;                                                 \
    } while (0)

    if (hs->kind == KIND_HASH && hb->kind == KIND_HASH) {
        /* Probe the larger table with the smaller's entries, then sort:
         * table order depends on the set's history. */
        const entry *tab = r->pool + hs->x.off;
        const entry *big = r->pool + hb->x.off;
        for (size_t i = 0; i < ((size_t)1 << hs->cls); i++) {
            if (tab[i].nbr == EMPTY_NBR)
                continue;
            const entry *f = hash_find(big, hb->cls, tab[i].nbr);
            if (f)
                EMIT(tab[i].nbr, tab[i].slot, f->slot);
        }
        if (k > 1)
            qsort(out, k, sizeof(es_common_nbr), common_cmp);
    } else if (hs->kind == KIND_HASH || hb->kind == KIND_HASH) {
        /* A sorted side and a hash side (the sorted one may be the larger:
         * sets change kind with hysteresis, so a hash set can have fewer
         * entries than an array).  Walk the sorted side, probe the other. */
        gboolean walk_s = hb->kind == KIND_HASH;
        const vhead *hw = walk_s ? hs : hb, *hh = walk_s ? hb : hs;
        const entry *a = hw->kind == KIND_INLINE ? &hw->x.one : r->pool + hw->x.off;
        const entry *tab = r->pool + hh->x.off;
        for (size_t i = 0; i < hw->deg; i++) {
            const entry *f = hash_find(tab, hh->cls, a[i].nbr);
            if (f == NULL)
                continue;
            if (walk_s)
                EMIT(a[i].nbr, a[i].slot, f->slot);
            else
                EMIT(a[i].nbr, f->slot, a[i].slot);
        }
    } else {
        const entry *a = hs->kind == KIND_INLINE ? &hs->x.one : r->pool + hs->x.off;
        const entry *b = hb->kind == KIND_INLINE ? &hb->x.one : r->pool + hb->x.off;
        const size_t na = hs->deg, nb = hb->deg;
        if (nb > GALLOP_RATIO * na) {
            size_t lo = 0;
            for (size_t i = 0; i < na && lo < nb; i++) {
                lo += lower_bound(b + lo, nb - lo, a[i].nbr);
                if (lo < nb && b[lo].nbr == a[i].nbr)
                    EMIT(a[i].nbr, a[i].slot, b[lo].slot);
            }
        } else {
            size_t i = 0, j = 0;
#ifdef __SSE2__
            /* Blocks of four neighbours at a time (Schlegel, Willhalm &
             * Lehner, ADMS 2011): all 16 pairs of two blocks compared at
             * once, the block with the smaller last neighbour passed; the
             * rare pair of blocks with a match is merged one by one (its
             * matches come out in order: a later pair of blocks holds only
             * larger neighbours). */
            while (i + 4 <= na && j + 4 <= nb) {
                const __m128i va = nbrs4(a + i), vb = nbrs4(b + j);
                __m128i eq = _mm_cmpeq_epi32(va, vb);
                eq = _mm_or_si128(eq, _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(0, 3, 2, 1))));
                eq = _mm_or_si128(eq, _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(1, 0, 3, 2))));
                eq = _mm_or_si128(eq, _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(2, 1, 0, 3))));
                if (G_UNLIKELY(_mm_movemask_epi8(eq) != 0)) {
                    for (size_t x = i, y = j; x < i + 4 && y < j + 4;) {
                        if (a[x].nbr == b[y].nbr) {
                            EMIT(a[x].nbr, a[x].slot, b[y].slot);
                            x++;
                            y++;
                        } else if (a[x].nbr < b[y].nbr) {
                            x++;
                        } else {
                            y++;
                        }
                    }
                }
                const uint32_t la = a[i + 3].nbr, lb = b[j + 3].nbr;
                i += la <= lb ? 4 : 0;
                j += lb <= la ? 4 : 0;
            }
#endif
            /* Branch-free merge: the next output is always written and
             * kept only on a match (out has room for min(na, nb) + 1). */
            while (i < na && j < nb) {
                uint32_t x = a[i].nbr, y = b[j].nbr;
                uint32_t sa = a[i].slot, sb = b[j].slot;
                out[k].c = x;
                out[k].slot_u = s_is_u ? sa : sb;
                out[k].slot_v = s_is_u ? sb : sa;
                k += x == y;
                if (any && k)
                    return k;
                i += x <= y;
                j += y <= x;
            }
        }
    }
#undef EMIT
    return k;
}

/* check_uv FALSE: the caller knows (u, v) is not in the sample, and the
 * look-up of v among u's neighbours is spared (a merge of the two sets
 * never emits u or v, so the answer is the same either way). */
static inline const es_common_nbr *common_impl(es_edge_reservoir *r, uint32_t u, uint32_t v, size_t *count,
                                               gboolean *has_uv, gboolean check_uv)
{
    *count = 0;
    *has_uv = FALSE;
    const vhead *hs, *hb;
    gboolean s_is_u;
    if (!both_ends(r, u, v, &hs, &hb, &s_is_u))
        return r->out;
    if (check_uv && set_find(r, hs, s_is_u ? v : u) != NULL) {
        *has_uv = TRUE;
        return r->out;
    }
    out_reserve(r, (size_t)hs->deg + 1);
    es_common_nbr *out = r->out;
    const size_t k = common_core(r, hs, hb, s_is_u, out, FALSE);
    if (r->hid)   /* (the entries held handles) */
        for (size_t i = 0; i < k; i++) {
            out[i].slot_u = r->hslot[out[i].slot_u];
            out[i].slot_v = r->hslot[out[i].slot_v];
        }
    *count = k;
    return out;
}

const es_common_nbr *es_edge_reservoir_common(es_edge_reservoir *r, uint32_t u, uint32_t v,
                                              size_t *count, gboolean *has_uv)
{
    g_assert(u != v && u < r->nv && v < r->nv);
    return common_impl(r, u, v, count, has_uv, TRUE);
}

const es_common_nbr *es_edge_reservoir_common_absent(es_edge_reservoir *r, uint32_t u, uint32_t v, size_t *count)
{
    g_assert(u != v && u < r->nv && v < r->nv);
    gboolean has_uv;
    return common_impl(r, u, v, count, &has_uv, FALSE);
}

gboolean es_edge_reservoir_has_common(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    const vhead *hs, *hb;
    gboolean s_is_u;
    es_common_nbr one[2];
    return both_ends(r, u, v, &hs, &hb, &s_is_u) && common_core(r, hs, hb, s_is_u, one, TRUE) > 0;
}

/* always_inline: GCC finds a function that only prefetches free of side
 * effects, marks it const and drops the calls, prefetches and all. */
__attribute__((always_inline)) static inline void prefetch_heads_impl(const es_edge_reservoir *r, uint32_t u,
                                                                      uint32_t v)
{
    if (u < r->nv && v < r->nv) {
        __builtin_prefetch(&r->head[u]);
        __builtin_prefetch(&r->head[v]);
    }
}

/* A merge walks both sorted arrays from their start: the hardware
 * fetches lines on demand one after the other, so the first lines of each
 * (up to MERGE_LINES, 64 neighbours) are asked for at once.  This halved
 * the cycles of a sliding window's merges, most of its intersections. */
#define MERGE_LINES 8

__attribute__((always_inline)) static inline void prefetch_walk(const entry *a, size_t n)
{
    const char *p = (const char *)a;
    const size_t bytes = MIN(n * sizeof(entry), (size_t)MERGE_LINES * 64);
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(p + o);
}

/* What common_impl will read first of the larger side b, whose smaller
 * side is hs: the lines of a binary search's first three levels when it
 * searches b (the block's head is none of them), a probe's home when hs
 * holds its one neighbour inline, the lines a merge walks first, else b's
 * first line. */
__attribute__((always_inline)) static inline void prefetch_big(const es_edge_reservoir *r, const vhead *hs,
                                                               const vhead *hb)
{
    const entry *b = r->pool + hb->x.off;
    if (hb->kind == KIND_ARRAY && hs->kind != KIND_HASH && hb->deg > GALLOP_RATIO * hs->deg) {
        const size_t n = hb->deg;
        __builtin_prefetch(b + n / 2 - 1);
        __builtin_prefetch(b + n / 4);
        __builtin_prefetch(b + 3 * n / 4);
    } else if (hb->kind == KIND_ARRAY && hs->kind != KIND_HASH) {
        prefetch_walk(b, hb->deg);
    } else if (hb->kind == KIND_HASH && hs->kind == KIND_INLINE) {
        __builtin_prefetch(b + hash_home(hs->x.one.nbr, hb->cls));
    } else {
        __builtin_prefetch(b);
    }
}

__attribute__((always_inline)) static inline void prefetch_blocks_impl(const es_edge_reservoir *r, uint32_t u,
                                                                       uint32_t v)
{
    const vhead *hs, *hb;
    gboolean s_is_u;
    if (!both_ends(r, u, v, &hs, &hb, &s_is_u))
        return;
    if (hs->kind == KIND_ARRAY)
        prefetch_walk(r->pool + hs->x.off, hs->deg);
    else if (hs->kind == KIND_HASH)
        __builtin_prefetch(r->pool + hs->x.off);
    if (hb->kind != KIND_INLINE)
        prefetch_big(r, hs, hb);
}

void es_edge_reservoir_prefetch_heads(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    prefetch_heads_impl(r, u, v);
}

void es_edge_reservoir_prefetch_blocks(const es_edge_reservoir *r, uint32_t u, uint32_t v)
{
    prefetch_blocks_impl(r, u, v);
}

/* How many edges ahead es_edge_reservoir_offer_batch prefetches headers,
 * and neighbour blocks (whose headers have arrived by then). */
#define PREFETCH_HEADS  16
#define PREFETCH_BLOCKS 6

/* Algorithm R's decisions, drawn ahead of the edges that take them by a
 * copy of the sampler: the edge a decision evicts is known that early, and
 * its slot, then its ends' headers, then their neighbour blocks are
 * fetched before the eviction needs them (an evicted edge is anywhere in
 * the sample: unfetched, its removal was a chain of cache misses).  Each
 * decision keeps the generator's state after it, which the reservoir
 * takes when the decision is used: its sampler is always exactly that of
 * the decisions used, whatever was drawn ahead. */
#define AHEAD        32   /* decisions drawn ahead (a power of two) */
#define AHEAD_HEADS  16   /* decisions ahead whose evicted edge's headers are fetched */
#define AHEAD_BLOCKS 6    /* ... and its ends' neighbour blocks */

typedef struct {
    es_sampler next;         /* past the decisions drawn */
    uint64_t   drawn, used;
    uint32_t   slot[AHEAD];
    es_rng     after[AHEAD]; /* the generator past each decision */
} lookahead;

static inline void ahead_draw(const es_edge_reservoir *r, lookahead *la, uint64_t upto)
{
    for (; la->drawn < upto; la->drawn++) {
        const uint32_t s = es_sampler_offer(&la->next);
        la->slot[la->drawn % AHEAD] = s;
        la->after[la->drawn % AHEAD] = la->next.rng;
        if (s < r->size)
            __builtin_prefetch(&r->slots[s]);
    }
}

__attribute__((always_inline)) static inline void prefetch_block_of(const es_edge_reservoir *r, uint32_t x)
{
    const vhead *h = &r->head[x];
    if (h->kind != KIND_INLINE)
        __builtin_prefetch(r->pool + h->x.off);
}

/* Fetch ahead for the decisions AHEAD_HEADS and AHEAD_BLOCKS past the next. */
static inline void ahead_prefetch(const es_edge_reservoir *r, const lookahead *la)
{
    if (la->used + AHEAD_HEADS < la->drawn) {
        const uint32_t s = la->slot[(la->used + AHEAD_HEADS) % AHEAD];
        if (s < r->size) {
            __builtin_prefetch(&r->head[r->slots[s].u]);
            __builtin_prefetch(&r->head[r->slots[s].v]);
        }
    }
    if (la->used + AHEAD_BLOCKS < la->drawn) {
        const uint32_t s = la->slot[(la->used + AHEAD_BLOCKS) % AHEAD];
        if (s < r->size) {
            prefetch_block_of(r, r->slots[s].u);
            prefetch_block_of(r, r->slots[s].v);
        }
    }
}

size_t es_edge_reservoir_offer_batch(es_edge_reservoir *r, const es_edge *edges, size_t n, const uint8_t *keep,
                                     uint64_t t_limit, gboolean stop_at_repeat, const es_edge_reservoir_hooks *hooks,
                                     void *user, es_offer_counts *counts)
{
    if (r->sampler.t >= t_limit)
        return 0;
    lookahead la = { .next = r->sampler };
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_HEADS < n)
            prefetch_heads_impl(r, edges[i + PREFETCH_HEADS].u, edges[i + PREFETCH_HEADS].v);
        if (i + PREFETCH_BLOCKS < n)
            prefetch_blocks_impl(r, edges[i + PREFETCH_BLOCKS].u, edges[i + PREFETCH_BLOCKS].v);
        const uint32_t u = edges[i].u, v = edges[i].v;
        if (u == v) {
            counts->loops++;
            continue;
        }
        if (keep && !keep[i]) {
            counts->skipped++;
            continue;
        }
        size_t k;
        gboolean has_uv;
        const es_common_nbr *cn = common_impl(r, u, v, &k, &has_uv, TRUE);
        if (has_uv) {
            counts->in_sample++;
            if (stop_at_repeat)
                return i + 1;
            continue;
        }
        if (k > 0)
            hooks->closed(user, u, v, cn, k, r->sampler.t + 1);
        if (hooks->insert) {
            r->sampler.t++;
            hooks->insert(user, u, v, k, r->sampler.t);
        } else {
            /* (every edge left may take a decision, none more) */
            const size_t left = n - i;
            ahead_draw(r, &la, la.used + (left < AHEAD ? left : AHEAD));
            ahead_prefetch(r, &la);
            const uint32_t s = la.slot[la.used % AHEAD];
            r->sampler.t++;
            r->sampler.rng = la.after[la.used % AHEAD];
            la.used++;
            uint32_t slot = take(r, s, u, v, NULL);
            if (slot != ES_RESERVOIR_SKIPPED)
                hooks->stored(user, slot);
        }
        if (G_UNLIKELY(r->sampler.t >= t_limit))
            return i + 1;
    }
    return n;
}

void es_edge_reservoir_get_state(const es_edge_reservoir *r, es_edge_reservoir_state *out)
{
    out->m = r->sampler.m;
    out->t = r->sampler.t;
    memcpy(out->rng, r->sampler.rng.s, sizeof(out->rng));
    out->size = r->size;
    out->slots = r->slots;
    out->managed = FALSE;
}

es_edge_reservoir *es_edge_reservoir_restore(const es_edge_reservoir_state *st, uint32_t num_vertices,
                                             GError **error)
{
    if (st->m < 2 || st->m > ES_RESERVOIR_MAX_M) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "reservoir: capacity %u out of range", st->m);
        return NULL;
    }
    uint64_t want = st->managed ? st->size : st->t < st->m ? st->t : st->m;
    if (st->size != want || st->size > st->m || (st->size > 0 && st->slots == NULL)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "reservoir: %u edges in the sample after %" G_GUINT64_FORMAT " offers into %u slots",
                    st->size, (guint64)st->t, st->m);
        return NULL;
    }
    if ((st->rng[0] | st->rng[1] | st->rng[2] | st->rng[3]) == 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "reservoir: generator state is all zero");
        return NULL;
    }
    es_edge_reservoir *r = es_edge_reservoir_new(st->m, 0);
    memcpy(r->sampler.rng.s, st->rng, sizeof(r->sampler.rng.s));
    es_edge_reservoir_grow_vertices(r, num_vertices);
    if (st->size > 0) {
        r->slots_cap = st->size;
        r->slots = es_big_alloc(r->slots_cap * sizeof(es_edge));
    }
    for (uint32_t s = 0; s < st->size; s++) {
        uint32_t u = st->slots[s].u, v = st->slots[s].v;
        const char *why = u >= num_vertices || v >= num_vertices ? "names a vertex out of range"
                          : u == v                               ? "is a self-loop"
                          : es_edge_reservoir_contains(r, u, v)  ? "is repeated"
                                                                 : NULL;
        if (why) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "reservoir: slot %u (%u, %u) %s", s, u, v, why);
            es_edge_reservoir_free(r);
            return NULL;
        }
        place(r, s, u, v, TRUE);
        r->size = s + 1;
    }
    r->sampler.t = st->t;
    return r;
}
