/* histogram.c — value -> count multiset with a dense head and an
 * open-addressing tail (see histogram.h). */
#include "graph/histogram.h"

#include <stdlib.h>
#include <string.h>

es_hist *es_hist_new(void)
{
    es_hist *h = g_new0(es_hist, 1);
    h->cap = 16;
    h->large = g_new0(es_hist_bin, h->cap);
    return h;
}

void es_hist_free(es_hist *h)
{
    if (h == NULL)
        return;
    g_free(h->large);
    g_free(h);
}

void es_hist_clear(es_hist *h)
{
    memset(h->dense, 0, sizeof h->dense);
    memset(h->large, 0, h->cap * sizeof *h->large);
    h->used = 0;
    h->total = 0;
}

void es_hist_copy(es_hist *dst, const es_hist *src)
{
    memcpy(dst->dense, src->dense, sizeof dst->dense);
    if (dst->cap != src->cap) {
        dst->large = g_renew(es_hist_bin, dst->large, src->cap);
        dst->cap = src->cap;
    }
    memcpy(dst->large, src->large, src->cap * sizeof *src->large);
    dst->used = src->used;
    dst->total = src->total;
}

static inline size_t slot_of(uint64_t x, size_t cap)
{
    return (size_t)((x * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static void grow(es_hist *h)
{
    es_hist_bin *old = h->large;
    size_t old_cap = h->cap;
    h->cap *= 2;
    h->large = g_new0(es_hist_bin, h->cap);
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key == 0)
            continue;
        size_t j = slot_of(old[i].key, h->cap);
        while (h->large[j].key != 0)
            j = (j + 1) & (h->cap - 1);
        h->large[j] = old[i];
    }
    g_free(old);
}

/* Empty slot i and move later entries of its probe run back into the hole,
 * so that lookups never need tombstones. */
static void remove_at(es_hist *h, size_t i)
{
    const size_t mask = h->cap - 1;
    size_t j = i;
    for (;;) {
        h->large[i].key = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (h->large[j].key == 0)
                goto out;
            size_t home = slot_of(h->large[j].key, h->cap);
            /* j's entry may move to i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        h->large[i] = h->large[j];
        i = j;
    }
out:
    h->used--;
}

void es_hist_add_slow(es_hist *h, uint64_t x, int64_t delta)
{
    const size_t mask = h->cap - 1;
    size_t i = slot_of(x, h->cap);
    while (h->large[i].key != 0 && h->large[i].key != x)
        i = (i + 1) & mask;
    if (h->large[i].key == 0) {
        g_return_if_fail(delta > 0);
        if (2 * (h->used + 1) > h->cap) {
            grow(h);
            es_hist_add_slow(h, x, delta);
            return;
        }
        h->large[i] = (es_hist_bin){ x, 0 };
        h->used++;
    }
    g_return_if_fail(delta >= 0 || h->large[i].count >= (uint64_t)-delta);
    h->large[i].count += (uint64_t)delta;
    h->total += (uint64_t)delta;
    if (h->large[i].count == 0)
        remove_at(h, i);
}

uint64_t es_hist_max(const es_hist *h)
{
    uint64_t max = 0;
    for (size_t i = 0; i < h->cap; i++)
        if (h->large[i].key > max)
            max = h->large[i].key;
    if (max > 0)
        return max;
    for (uint64_t x = ES_HIST_DENSE; x-- > 0;)
        if (h->dense[x])
            return x;
    return 0;
}

static int bin_cmp(const void *a, const void *b)
{
    const es_hist_bin *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

GArray *es_hist_bins(const es_hist *h)
{
    GArray *bins = g_array_new(FALSE, FALSE, sizeof(es_hist_bin));
    for (uint64_t x = 0; x < ES_HIST_DENSE; x++) {
        if (h->dense[x]) {
            es_hist_bin b = { x, h->dense[x] };
            g_array_append_val(bins, b);
        }
    }
    const guint head = bins->len;
    for (size_t i = 0; i < h->cap; i++)
        if (h->large[i].key != 0)
            g_array_append_val(bins, h->large[i]);
    if (bins->len - head > 1)
        qsort(&g_array_index(bins, es_hist_bin, head), bins->len - head, sizeof(es_hist_bin), bin_cmp);
    return bins;
}

void es_hist_bins_take(GArray *bins, uint64_t key, uint64_t n)
{
    for (guint i = 0; n > 0 && i < bins->len; i++) {
        es_hist_bin *b = &g_array_index(bins, es_hist_bin, i);
        if (b->key != key)
            continue;
        b->count -= MIN(b->count, n);
        if (b->count == 0)
            g_array_remove_index(bins, i);
        return;
    }
}
