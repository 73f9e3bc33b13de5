/* spacesaving.c — Space-Saving heavy hitters (Metwally, Agrawal & El Abbadi,
 * ICDT 2005) on the paper's stream-summary, with merge after Agarwal et al.
 * (PODS 2012).  O(1) per unit update, 68 to 76 bytes per counter; counts
 * overestimate by at most N / k.  See spacesaving.h for the contract and
 * the guarantees.
 *
 * Layout: counters are slots 0 .. size-1 that never move; a slot belongs to
 * one bucket (all slots of a bucket share its count) and sits in that
 * bucket's list in the order it arrived there.  Buckets form a list by
 * increasing count and come from a pool of capacity + 1: there are never
 * more non-empty buckets than counters, and a raise makes the new bucket
 * before it frees the old one.  The index maps a key to its slot by linear
 * probing with backward-shift deletion, at most half full, and at most a
 * sixteenth full up to SPARSE_INDEX entries (32 KiB); each counter keeps
 * its key's home there, so a deletion's shift hashes nothing.  Batches of
 * unit updates (es_ss_add_each) hash their keys ahead.
 */
#include "sketches/spacesaving.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "sketches/hash.h"

#define NIL UINT32_MAX
/* Entries up to which the index is kept at most a sixteenth full: a
 * summary that small is mostly taking over counters, and a sparse index
 * makes each probe and each deletion's backward shift short and easy to
 * predict (bench/RESULTS.md, "All nine operators: topk's sparse index"). */
#define SPARSE_INDEX 8192u

struct es_ss {
    uint32_t  capacity, size;
    uint64_t  total;
    /* counters (slots) */
    uint64_t *key, *err;
    uint32_t *bucket, *prev, *next;   /* owning bucket; neighbours in its list */
    uint32_t *tpos;                   /* the slot's position in the index */
    uint32_t *thome;                  /* the slot's key's home in the index */
    /* buckets */
    uint64_t *bcount;
    uint32_t *head, *tail, *bprev, *bnext;
    uint32_t  bmin, bmax, bfree;      /* first, last, free list (through bnext) */
    /* index: slot + 1, or 0 for empty; mask + 1 entries */
    uint32_t *table;
    uint32_t  mask;
};

/* The index's hash: fixed, the summary needs no randomness. */
#define INDEX_SEED UINT64_C(0x5EED5A7E)

static inline uint32_t home(const es_ss *ss, uint64_t key)
{
    return (uint32_t)es_hash64(key, INDEX_SEED) & ss->mask;
}

/* Position of key (whose home is h) in the index, or of the empty entry
 * where it would go. */
static inline uint32_t table_find_from(const es_ss *ss, uint64_t key, uint32_t h, gboolean *found)
{
    uint32_t i = h;
    for (;;) {
        uint32_t s = ss->table[i];
        if (s == 0 || ss->key[s - 1] == key) {
            *found = s != 0;
            return i;
        }
        i = (i + 1) & ss->mask;
    }
}

static uint32_t table_find(const es_ss *ss, uint64_t key, gboolean *found)
{
    return table_find_from(ss, key, home(ss, key), found);
}

/* Slot's key, of home h, goes to index entry pos. */
static inline void table_set(es_ss *ss, uint32_t pos, uint32_t slot, uint32_t h)
{
    ss->table[pos] = slot + 1;
    ss->tpos[slot] = pos;
    ss->thome[slot] = h;
}

/* Remove index entry i by shifting the following run back (no tombstones). */
static void table_delete(es_ss *ss, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & ss->mask;
        uint32_t s = ss->table[j];
        if (s == 0)
            break;
        uint32_t k = ss->thome[s - 1];
        /* The entry at j may stay when its home lies cyclically in (i, j]. */
        gboolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        ss->table[i] = s;
        ss->tpos[s - 1] = i;
        i = j;
    }
    ss->table[i] = 0;
}

/* A new, empty bucket of count c, linked after bucket `after` (NIL: first). */
static uint32_t bucket_new(es_ss *ss, uint64_t c, uint32_t after)
{
    uint32_t b = ss->bfree;
    g_assert(b != NIL);
    ss->bfree = ss->bnext[b];
    ss->bcount[b] = c;
    ss->head[b] = ss->tail[b] = NIL;
    uint32_t nb = after == NIL ? ss->bmin : ss->bnext[after];
    ss->bprev[b] = after;
    ss->bnext[b] = nb;
    if (after == NIL)
        ss->bmin = b;
    else
        ss->bnext[after] = b;
    if (nb == NIL)
        ss->bmax = b;
    else
        ss->bprev[nb] = b;
    return b;
}

static void bucket_free(es_ss *ss, uint32_t b)
{
    uint32_t p = ss->bprev[b], n = ss->bnext[b];
    if (p == NIL)
        ss->bmin = n;
    else
        ss->bnext[p] = n;
    if (n == NIL)
        ss->bmax = p;
    else
        ss->bprev[n] = p;
    ss->bnext[b] = ss->bfree;
    ss->bfree = b;
}

static void slot_unlink(es_ss *ss, uint32_t i)
{
    uint32_t b = ss->bucket[i], p = ss->prev[i], n = ss->next[i];
    if (p == NIL)
        ss->head[b] = n;
    else
        ss->next[p] = n;
    if (n == NIL)
        ss->tail[b] = p;
    else
        ss->prev[n] = p;
}

/* Append slot i to the bucket of count c, creating it when missing; the
 * search starts at bucket `from` (count <= c), or at the first bucket. */
static void slot_place(es_ss *ss, uint32_t i, uint64_t c, uint32_t from)
{
    uint32_t after = NIL, b = from == NIL ? ss->bmin : from;
    while (b != NIL && ss->bcount[b] < c) {
        after = b;
        b = ss->bnext[b];
    }
    if (b == NIL || ss->bcount[b] != c)
        b = bucket_new(ss, c, after);
    ss->bucket[i] = b;
    ss->prev[i] = ss->tail[b];
    ss->next[i] = NIL;
    if (ss->tail[b] == NIL)
        ss->head[b] = i;
    else
        ss->next[ss->tail[b]] = i;
    ss->tail[b] = i;
}

/* Raise slot i's count by w: to the end of the bucket of the new count. */
static void slot_raise(es_ss *ss, uint32_t i, uint64_t w)
{
    uint32_t b = ss->bucket[i];
    slot_unlink(ss, i);
    slot_place(ss, i, ss->bcount[b] + w, b);
    if (ss->head[b] == NIL)
        bucket_free(ss, b);
}

static void reset(es_ss *ss);

es_ss *es_ss_new(uint32_t capacity)
{
    g_return_val_if_fail(capacity >= 1 && capacity <= ES_SS_MAX_CAPACITY, NULL);
    es_ss *ss = g_new0(es_ss, 1);
    const size_t k = capacity, nb = k + 1;
    ss->capacity = capacity;
    uint64_t tsize = 16;
    while (tsize < 2 * (uint64_t)capacity || (tsize < 16 * (uint64_t)capacity && tsize < SPARSE_INDEX))
        tsize *= 2;
    ss->mask = (uint32_t)(tsize - 1);
    ss->key = es_big_alloc(k * sizeof(uint64_t));
    ss->err = es_big_alloc(k * sizeof(uint64_t));
    ss->bucket = es_big_alloc(k * sizeof(uint32_t));
    ss->prev = es_big_alloc(k * sizeof(uint32_t));
    ss->next = es_big_alloc(k * sizeof(uint32_t));
    ss->tpos = es_big_alloc(k * sizeof(uint32_t));
    ss->thome = es_big_alloc(k * sizeof(uint32_t));
    ss->bcount = es_big_alloc(nb * sizeof(uint64_t));
    ss->head = es_big_alloc(nb * sizeof(uint32_t));
    ss->tail = es_big_alloc(nb * sizeof(uint32_t));
    ss->bprev = es_big_alloc(nb * sizeof(uint32_t));
    ss->bnext = es_big_alloc(nb * sizeof(uint32_t));
    ss->table = es_big_alloc((size_t)tsize * sizeof(uint32_t));
    reset(ss);
    return ss;
}

void es_ss_free(es_ss *ss)
{
    if (ss == NULL)
        return;
    const size_t k = ss->capacity, nb = k + 1;
    es_big_free(ss->key, k * sizeof(uint64_t));
    es_big_free(ss->err, k * sizeof(uint64_t));
    es_big_free(ss->bucket, k * sizeof(uint32_t));
    es_big_free(ss->prev, k * sizeof(uint32_t));
    es_big_free(ss->next, k * sizeof(uint32_t));
    es_big_free(ss->tpos, k * sizeof(uint32_t));
    es_big_free(ss->thome, k * sizeof(uint32_t));
    es_big_free(ss->bcount, nb * sizeof(uint64_t));
    es_big_free(ss->head, nb * sizeof(uint32_t));
    es_big_free(ss->tail, nb * sizeof(uint32_t));
    es_big_free(ss->bprev, nb * sizeof(uint32_t));
    es_big_free(ss->bnext, nb * sizeof(uint32_t));
    es_big_free(ss->table, ((size_t)ss->mask + 1) * sizeof(uint32_t));
    g_free(ss);
}

/* es_ss_update with the key's home h in the index already known. */
static inline void update(es_ss *ss, uint64_t key, uint32_t h, uint64_t count)
{
    ss->total += count;
    gboolean found;
    uint32_t pos = table_find_from(ss, key, h, &found);
    if (found) {
        slot_raise(ss, ss->table[pos] - 1, count);
        return;
    }
    if (ss->size < ss->capacity) {
        uint32_t i = ss->size++;
        ss->key[i] = key;
        ss->err[i] = 0;
        table_set(ss, pos, i, h);
        slot_place(ss, i, count, NIL);
        return;
    }
    /* Take over the counter that reached the smallest count first. */
    uint32_t i = ss->head[ss->bmin];
    table_delete(ss, ss->tpos[i]);
    /* The deletion may have moved entries; the key is absent, so its
     * place is the first empty entry from its home. */
    pos = h;
    while (ss->table[pos] != 0)
        pos = (pos + 1) & ss->mask;
    ss->key[i] = key;
    ss->err[i] = ss->bcount[ss->bmin];
    table_set(ss, pos, i, h);
    slot_raise(ss, i, count);
}

void es_ss_update(es_ss *ss, uint64_t key, uint64_t count)
{
    g_return_if_fail(count >= 1);
    update(ss, key, home(ss, key), count);
}

/* Keys whose homes are computed ahead at a time: the hashes are then
 * independent of the updates' chain of dependent loads and overlap. */
#define ADD_CHUNK 256

void es_ss_add_each(es_ss *ss, const uint64_t *keys, size_t n)
{
    uint32_t h[ADD_CHUNK];
    for (size_t s = 0; s < n; s += ADD_CHUNK) {
        const size_t m = n - s < ADD_CHUNK ? n - s : ADD_CHUNK;
        for (size_t j = 0; j < m; j++)
            h[j] = home(ss, keys[s + j]);
        for (size_t j = 0; j < m; j++)
            update(ss, keys[s + j], h[j], 1);
    }
}

uint64_t es_ss_min_count(const es_ss *ss)
{
    return ss->size < ss->capacity ? 0 : ss->bcount[ss->bmin];
}

gboolean es_ss_query(const es_ss *ss, uint64_t key, uint64_t *count, uint64_t *error)
{
    gboolean found;
    uint32_t pos = table_find(ss, key, &found);
    if (found) {
        uint32_t i = ss->table[pos] - 1;
        *count = ss->bcount[ss->bucket[i]];
        *error = ss->err[i];
    } else {
        *count = *error = es_ss_min_count(ss);
    }
    return found;
}

static inline es_ss_item item_of(const es_ss *ss, uint32_t i)
{
    return (es_ss_item){ ss->key[i], ss->bcount[ss->bucket[i]], ss->err[i] };
}

/* Heaviest first: count descending, then key ascending. */
static int item_cmp_heavy(const void *a, const void *b)
{
    const es_ss_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* At least min(k + 1, size) of the heaviest items, whole buckets from the
 * top (so ties at the boundary are all there), sorted heaviest first. */
static es_ss_item *heaviest(const es_ss *ss, size_t k, size_t *n)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(es_ss_item));
    for (uint32_t b = ss->bmax; b != NIL && a->len <= k; b = ss->bprev[b]) {
        for (uint32_t i = ss->head[b]; i != NIL; i = ss->next[i]) {
            es_ss_item it = item_of(ss, i);
            g_array_append_val(a, it);
        }
    }
    if (a->len > 1)   /* an empty summary has no data array at all */
        qsort(a->data, a->len, sizeof(es_ss_item), item_cmp_heavy);
    *n = a->len;
    return (es_ss_item *)g_array_free(a, FALSE);
}

size_t es_ss_top(const es_ss *ss, size_t k, es_ss_item *out, gboolean *guaranteed)
{
    size_t n;
    es_ss_item *all = heaviest(ss, k, &n);
    size_t r = k < n ? k : n;
    /* The largest count any key outside the list can have. */
    uint64_t outside = n > k ? all[k].count : es_ss_min_count(ss);
    for (size_t i = 0; i < r; i++) {
        out[i] = all[i];
        if (guaranteed)
            guaranteed[i] = all[i].count - all[i].error >= outside;
    }
    g_free(all);
    return r;
}

uint64_t es_ss_top_threshold(const es_ss *ss, size_t k)
{
    if (ss->size <= k)
        return es_ss_min_count(ss);
    size_t n;
    es_ss_item *all = heaviest(ss, k, &n);
    uint64_t t = all[k].count;
    g_free(all);
    return t;
}

size_t es_ss_items(const es_ss *ss, es_ss_item *out)
{
    size_t n = 0;
    for (uint32_t b = ss->bmin; b != NIL; b = ss->bnext[b])
        for (uint32_t i = ss->head[b]; i != NIL; i = ss->next[i])
            out[n++] = item_of(ss, i);
    return n;
}

/* Empty the summary (capacity kept). */
static void reset(es_ss *ss)
{
    memset(ss->table, 0, ((size_t)ss->mask + 1) * sizeof(uint32_t));
    ss->size = 0;
    ss->total = 0;
    ss->bmin = ss->bmax = NIL;
    for (uint32_t b = 0; b <= ss->capacity; b++)
        ss->bnext[b] = b < ss->capacity ? b + 1 : NIL;
    ss->bfree = 0;
}

/* Fill an empty summary from items sorted by count ascending (n <= capacity,
 * distinct keys): each goes to the end of its count's bucket. */
static void load(es_ss *ss, const es_ss_item *items, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t i = ss->size++;
        gboolean found;
        const uint32_t h = home(ss, items[j].key);
        uint32_t pos = table_find_from(ss, items[j].key, h, &found);
        ss->key[i] = items[j].key;
        ss->err[i] = items[j].error;
        table_set(ss, pos, i, h);
        slot_place(ss, i, items[j].count, ss->bmax != NIL && ss->bcount[ss->bmax] <= items[j].count ? ss->bmax : NIL);
    }
}

/* Lightest first: count ascending, then key ascending. */
static int item_cmp_light(const void *a, const void *b)
{
    return item_cmp_heavy(b, a);
}

gboolean es_ss_merge(es_ss *dst, const es_ss *src, GError **error)
{
    if (dst->capacity != src->capacity) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "space-saving: cannot merge a summary of %u counters into one of %u",
                    src->capacity, dst->capacity);
        return FALSE;
    }
    /* A key missing from a summary gets that summary's m as count and
     * error: es_ss_query gives it for src, m1 for dst. */
    const uint64_t m1 = es_ss_min_count(dst);
    es_ss_item *all = g_new(es_ss_item, (size_t)dst->size + src->size + 1);
    size_t n = 0;
    for (uint32_t i = 0; i < dst->size; i++) {
        es_ss_item it = item_of(dst, i);
        uint64_t c2, e2;
        es_ss_query(src, it.key, &c2, &e2);
        it.count += c2;
        it.error += e2;
        all[n++] = it;
    }
    for (uint32_t i = 0; i < src->size; i++) {
        es_ss_item it = item_of(src, i);
        gboolean in_dst;
        table_find(dst, it.key, &in_dst);
        if (in_dst)
            continue;
        it.count += m1;
        it.error += m1;
        all[n++] = it;
    }
    qsort(all, n, sizeof(es_ss_item), item_cmp_heavy);
    if (n > dst->capacity)
        n = dst->capacity;
    qsort(all, n, sizeof(es_ss_item), item_cmp_light);
    const uint64_t total = dst->total + src->total;
    reset(dst);
    load(dst, all, n);
    dst->total = total;
    g_free(all);
    return TRUE;
}

uint32_t es_ss_capacity(const es_ss *ss) { return ss->capacity; }
uint32_t es_ss_size(const es_ss *ss)     { return ss->size; }
uint64_t es_ss_total(const es_ss *ss)    { return ss->total; }
double   es_ss_error_bound(const es_ss *ss) { return (double)ss->total / ss->capacity; }

typedef struct {
    es_ss_item it;
    size_t     at;   /* position in the input: keeps the sort stable */
} ranked_item;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked_item *x = a, *y = b;
    if (x->it.count != y->it.count)
        return x->it.count < y->it.count ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

es_ss *es_ss_restore(uint32_t capacity, uint64_t total, const es_ss_item *items, size_t n,
                     GError **error)
{
    if (capacity < 1 || capacity > ES_SS_MAX_CAPACITY) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "space-saving: saved capacity %u is out of range (1..%u)", capacity, ES_SS_MAX_CAPACITY);
        return NULL;
    }
    if (n > capacity) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "space-saving: %zu saved items exceed the capacity %u", n, capacity);
        return NULL;
    }
    const char *why = NULL;
    uint64_t sum = 0;
    gboolean overflow = FALSE;
    ranked_item *r = g_new(ranked_item, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        if (items[i].count == 0)
            why = "an item has count 0";
        else if (items[i].error > items[i].count)
            why = "an item's error exceeds its count";
        else if (n < capacity && items[i].error != 0)
            why = "a summary that is not full has an inexact count";
        overflow |= __builtin_add_overflow(sum, items[i].count, &sum);
        r[i] = (ranked_item){ items[i], i };
    }
    if (!why && (overflow || sum > total))
        why = "the counts sum to more than the total";
    es_ss *ss = es_ss_new(capacity);
    for (size_t i = 0; i < n && !why; i++) {
        gboolean found;
        const uint32_t h = home(ss, items[i].key);
        uint32_t pos = table_find_from(ss, items[i].key, h, &found);
        if (found) {
            why = "a key appears twice";
        } else {
            ss->key[i] = items[i].key;   /* provisional, for the duplicate check */
            table_set(ss, pos, (uint32_t)i, h);
        }
    }
    if (why) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "space-saving: saved state is inconsistent: %s", why);
        es_ss_free(ss);
        g_free(r);
        return NULL;
    }
    qsort(r, n, sizeof(ranked_item), ranked_cmp);
    es_ss_item *sorted = g_new(es_ss_item, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        sorted[i] = r[i].it;
    reset(ss);
    load(ss, sorted, n);
    ss->total = total;
    g_free(sorted);
    g_free(r);
    return ss;
}
