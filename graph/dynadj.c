/* dynadj.c — sorted neighbour arrays under insertions and deletions (see
 * dynadj.h). */
#include "graph/dynadj.h"

#include <string.h>

#include "graph/common.h"

typedef struct {
    uint32_t *nb;
    uint32_t  len, cap;
} list;

struct es_dynadj {
    list    *v;
    uint32_t n, cap;
};

es_dynadj *es_dynadj_new(void)
{
    return g_new0(es_dynadj, 1);
}

void es_dynadj_free(es_dynadj *a)
{
    if (a == NULL)
        return;
    for (uint32_t i = 0; i < a->n; i++)
        g_free(a->v[i].nb);
    g_free(a->v);
    g_free(a);
}

void es_dynadj_grow(es_dynadj *a, uint32_t n)
{
    if (n <= a->n)
        return;
    if (n > a->cap) {
        a->cap = (uint32_t)MIN(es_grow_cap(a->cap, n), (size_t)UINT32_MAX);
        a->v = g_renew(list, a->v, a->cap);
    }
    memset(a->v + a->n, 0, (size_t)(n - a->n) * sizeof *a->v);
    a->n = n;
}

uint32_t es_dynadj_vertices(const es_dynadj *a) { return a->n; }
uint32_t es_dynadj_degree(const es_dynadj *a, uint32_t v) { return v < a->n ? a->v[v].len : 0; }

/* First index of l whose entry is >= x. */
static uint32_t lower_bound(const uint32_t *nb, uint32_t len, uint32_t x)
{
    uint32_t lo = 0, hi = len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (nb[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void add(list *l, uint32_t x)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->nb = g_renew(uint32_t, l->nb, l->cap);
    }
    uint32_t at = lower_bound(l->nb, l->len, x);
    g_assert(at == l->len || l->nb[at] != x);
    memmove(l->nb + at + 1, l->nb + at, (size_t)(l->len - at) * sizeof *l->nb);
    l->nb[at] = x;
    l->len++;
}

static void drop(list *l, uint32_t x)
{
    uint32_t at = lower_bound(l->nb, l->len, x);
    g_assert(at < l->len && l->nb[at] == x);
    memmove(l->nb + at, l->nb + at + 1, (size_t)(l->len - at - 1) * sizeof *l->nb);
    l->len--;
}

void es_dynadj_insert(es_dynadj *a, uint32_t u, uint32_t v)
{
    g_return_if_fail(u != v && u < a->n && v < a->n);
    add(&a->v[u], v);
    add(&a->v[v], u);
}

void es_dynadj_remove(es_dynadj *a, uint32_t u, uint32_t v)
{
    g_return_if_fail(u != v && u < a->n && v < a->n);
    drop(&a->v[u], v);
    drop(&a->v[v], u);
}

size_t es_dynadj_common(const es_dynadj *a, uint32_t u, uint32_t v, uint32_t *out)
{
    const list *x = &a->v[u], *y = &a->v[v];
    if (x->len > y->len) {
        const list *t = x;
        x = y;
        y = t;
    }
    size_t c = 0;
    if ((uint64_t)x->len * 16 < y->len) {
        for (uint32_t i = 0; i < x->len; i++) {
            uint32_t at = lower_bound(y->nb, y->len, x->nb[i]);
            if (at < y->len && y->nb[at] == x->nb[i])
                out[c++] = x->nb[i];
        }
        return c;
    }
    for (uint32_t i = 0, j = 0; i < x->len && j < y->len;) {
        if (x->nb[i] < y->nb[j])
            i++;
        else if (x->nb[i] > y->nb[j])
            j++;
        else {
            out[c++] = x->nb[i];
            i++;
            j++;
        }
    }
    return c;
}
