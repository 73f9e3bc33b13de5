/* dynconn.c — connected components and bipartiteness under insertions and
 * deletions (see dynconn.h): adjacency lists with forest flags, labels,
 * and for a deleted forest edge a walk of both parts of its tree, one
 * vertex of each in turn, then a replacement edge from the smaller. */
#include "graph/dynconn.h"

#include <string.h>

#include "graph/common.h"
#include "graph/edgetable.h"
#include "graph/histogram.h"

/* A neighbour entry: the neighbour's id, with TREE set when the edge is in
 * the spanning forest.  One array per vertex (not a second one of flags):
 * an append touches one cache line and grows one allocation, which on
 * R-MAT scale 20 is most of what a stream with deletions costs cc
 * (bench/RESULTS.md).  Ids therefore stay below 2^31. */
#define TREE 0x80000000u
#define ID(e) ((e) & ~TREE)

typedef struct {
    uint32_t *nb;
    uint32_t  len, cap;
} list;

struct es_dynconn {
    gboolean  parity;
    uint32_t  n, cap;
    list     *adj;
    uint32_t *label;       /* component id of each vertex */
    uint8_t  *color;       /* parity mode: side within the component */
    uint32_t *mark;        /* search stamps: 2 * epoch + side */
    uint32_t  epoch;
    /* Components by id: size (0 = free id), odd (an odd cycle). */
    uint32_t *size;
    uint8_t  *odd;
    uint32_t  ids, ids_cap;
    GArray   *free_ids;
    uint32_t  components, odd_components;
    es_hist  *sizes;       /* component size -> components, kept at every change */
    GArray   *queue[2];
};

es_dynconn *es_dynconn_new(gboolean parity)
{
    es_dynconn *d = g_new0(es_dynconn, 1);
    d->parity = parity;
    d->sizes = es_hist_new();
    d->free_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    d->queue[0] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    d->queue[1] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return d;
}

void es_dynconn_free(es_dynconn *d)
{
    if (d == NULL)
        return;
    for (uint32_t v = 0; v < d->n; v++) {
        g_free(d->adj[v].nb);
    }
    g_free(d->adj);
    g_free(d->label);
    g_free(d->color);
    g_free(d->mark);
    g_free(d->size);
    g_free(d->odd);
    es_hist_free(d->sizes);
    g_array_free(d->free_ids, TRUE);
    g_array_free(d->queue[0], TRUE);
    g_array_free(d->queue[1], TRUE);
    g_free(d);
}

static uint32_t new_id(es_dynconn *d, uint32_t size)
{
    uint32_t id;
    if (d->free_ids->len > 0) {
        id = g_array_index(d->free_ids, uint32_t, d->free_ids->len - 1);
        g_array_set_size(d->free_ids, d->free_ids->len - 1);
    } else {
        if (d->ids == d->ids_cap) {
            d->ids_cap = (uint32_t)es_grow_cap(d->ids_cap, d->ids + 1);
            d->size = g_renew(uint32_t, d->size, d->ids_cap);
            d->odd = g_renew(uint8_t, d->odd, d->ids_cap);
        }
        id = d->ids++;
    }
    d->size[id] = size;
    d->odd[id] = 0;
    d->components++;
    es_hist_add(d->sizes, size, 1);
    return id;
}

static void free_id(es_dynconn *d, uint32_t id)
{
    d->odd_components -= d->odd[id];
    es_hist_add(d->sizes, d->size[id], -1);
    d->size[id] = 0;
    d->odd[id] = 0;
    d->components--;
    g_array_append_val(d->free_ids, id);
}

void es_dynconn_grow(es_dynconn *d, uint32_t n)
{
    if (n <= d->n)
        return;
    if (n > TREE)   /* 2^31 vertices: 32 GiB of lists before the first edge */
        g_error("dynconn: %u vertices, more than the 2^31 a stream with deletions can hold", n);
    if (n > d->cap) {
        uint32_t cap = (uint32_t)MIN(es_grow_cap(d->cap, n), (size_t)TREE);
        d->adj = g_renew(list, d->adj, cap);
        d->label = g_renew(uint32_t, d->label, cap);
        d->color = g_renew(uint8_t, d->color, cap);
        d->mark = g_renew(uint32_t, d->mark, cap);
        d->cap = cap;
    }
    for (uint32_t v = d->n; v < n; v++) {
        d->adj[v] = (list){ 0 };
        d->label[v] = new_id(d, 1);
        d->color[v] = 0;
        d->mark[v] = 0;
    }
    d->n = n;
}

uint32_t es_dynconn_vertices(const es_dynconn *d) { return d->n; }
uint32_t es_dynconn_components(const es_dynconn *d) { return d->components; }
uint32_t es_dynconn_odd_components(const es_dynconn *d) { return d->odd_components; }
uint32_t es_dynconn_label(const es_dynconn *d, uint32_t v) { return d->label[v]; }

uint32_t es_dynconn_largest(const es_dynconn *d)
{
    return (uint32_t)es_hist_max(d->sizes);
}

const es_hist *es_dynconn_sizes(const es_dynconn *d)
{
    return d->sizes;
}

/* Component id's size becomes s. */
static void resize(es_dynconn *d, uint32_t id, uint32_t s)
{
    es_hist_add(d->sizes, d->size[id], -1);
    es_hist_add(d->sizes, s, 1);
    d->size[id] = s;
}

static void push(list *l, uint32_t x, gboolean tree)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->nb = g_renew(uint32_t, l->nb, l->cap);
    }
    l->nb[l->len++] = x | (tree ? TREE : 0);
}

static uint32_t find(const list *l, uint32_t x)
{
    for (uint32_t i = 0; i < l->len; i++)
        if (ID(l->nb[i]) == x)
            return i;
    g_error("dynconn: edge to %u is not in the list", x);
}

/* Remove x from the list; returns whether that edge was a forest edge. */
static gboolean unlink_one(list *l, uint32_t x)
{
    const uint32_t i = find(l, x);
    const gboolean tree = (l->nb[i] & TREE) != 0;
    l->nb[i] = l->nb[--l->len];
    return tree;
}

/* A fresh search stamp for both sides (wraps after 2^31 searches: marks
 * are cleared then). */
static uint32_t next_epoch(es_dynconn *d)
{
    if (d->epoch >= UINT32_MAX / 2 - 1) {
        memset(d->mark, 0, (size_t)d->n * sizeof *d->mark);
        d->epoch = 0;
    }
    return ++d->epoch;
}

/* Relabel the component of `from` (walking its edges) as id, flipping
 * colours when flip; returns the vertices visited. */
static uint32_t relabel(es_dynconn *d, uint32_t from, uint32_t id, gboolean flip)
{
    GArray *q = d->queue[0];
    g_array_set_size(q, 0);
    const uint32_t old = d->label[from];
    d->label[from] = id;
    d->color[from] ^= (uint8_t)flip;
    g_array_append_val(q, from);
    for (guint h = 0; h < q->len; h++) {
        const uint32_t x = g_array_index(q, uint32_t, h);
        const list *l = &d->adj[x];
        for (uint32_t i = 0; i < l->len; i++) {
            const uint32_t y = ID(l->nb[i]);
            if (d->label[y] == old && y != from) {
                d->label[y] = id;
                d->color[y] ^= (uint8_t)flip;
                g_array_append_val(q, y);
            }
        }
    }
    return q->len;
}

gboolean es_dynconn_insert(es_dynconn *d, uint32_t u, uint32_t v)
{
    g_return_val_if_fail(u != v && u < d->n && v < d->n, FALSE);
    uint32_t a = d->label[u], b = d->label[v];
    push(&d->adj[u], v, a != b);
    push(&d->adj[v], u, a != b);
    if (a == b) {
        if (d->parity && d->color[u] == d->color[v] && !d->odd[a]) {
            d->odd[a] = 1;
            d->odd_components++;
        }
        return FALSE;
    }
    if (d->size[a] < d->size[b]) {   /* relabel the smaller side, v's */
        uint32_t t = u;
        u = v;
        v = t;
        a = d->label[u];
        b = d->label[v];
    }
    /* The edge just added links them: relabel walks it, so b's vertices are
     * told apart from a's by their label (b) until they are relabelled. */
    const gboolean flip = d->parity && d->color[u] == d->color[v];
    const uint8_t odd_b = d->odd[b];
    resize(d, a, d->size[a] + d->size[b]);
    relabel(d, v, a, flip);
    free_id(d, b);
    if (odd_b && !d->odd[a]) {
        d->odd[a] = 1;
        d->odd_components++;
    }
    return TRUE;
}

/* Colour the component of `from` again by one search; TRUE when it has an
 * odd cycle. */
static gboolean recolor(es_dynconn *d, uint32_t from)
{
    GArray *q = d->queue[0];
    g_array_set_size(q, 0);
    const uint32_t stamp = 2 * next_epoch(d);
    gboolean odd = FALSE;
    d->mark[from] = stamp;
    d->color[from] = 0;
    g_array_append_val(q, from);
    for (guint h = 0; h < q->len; h++) {
        const uint32_t x = g_array_index(q, uint32_t, h);
        const list *l = &d->adj[x];
        for (uint32_t i = 0; i < l->len; i++) {
            const uint32_t y = ID(l->nb[i]);
            if (d->mark[y] != stamp) {
                d->mark[y] = stamp;
                d->color[y] = d->color[x] ^ 1;
                g_array_append_val(q, y);
            } else if (d->color[y] == d->color[x]) {
                odd = TRUE;
            }
        }
    }
    return odd;
}

gboolean es_dynconn_delete(es_dynconn *d, uint32_t u, uint32_t v)
{
    g_return_val_if_fail(u != v && u < d->n && v < d->n, FALSE);
    const gboolean tree = unlink_one(&d->adj[u], v);
    unlink_one(&d->adj[v], u);
    const uint32_t id = d->label[u];
    gboolean split = FALSE;
    if (tree) {
        /* The forest minus the edge has two parts, u's and v's: walk both
         * along forest edges, one vertex of each in turn, until one is
         * exhausted: that one, P, is the smaller (within a factor of
         * two), found in O(|P|).  A non-forest edge from P to a vertex
         * outside P reconnects the component and becomes a forest edge;
         * without one, P is a component of its own. */
        const uint32_t base = 2 * next_epoch(d);
        const uint32_t ends[2] = { u, v };
        guint head[2] = { 0, 0 };
        for (int s = 0; s < 2; s++) {
            g_array_set_size(d->queue[s], 0);
            g_array_append_val(d->queue[s], ends[s]);
            d->mark[ends[s]] = base + (uint32_t)s;
        }
        int out = -1;
        while (out < 0) {
            for (int s = 0; s < 2 && out < 0; s++) {
                GArray *q = d->queue[s];
                if (head[s] == q->len) {
                    out = s;
                    break;
                }
                const uint32_t x = g_array_index(q, uint32_t, head[s]++);
                const list *l = &d->adj[x];
                for (uint32_t i = 0; i < l->len; i++) {
                    const uint32_t y = ID(l->nb[i]);
                    if ((l->nb[i] & TREE) && d->mark[y] != base + (uint32_t)s) {
                        d->mark[y] = base + (uint32_t)s;
                        g_array_append_val(q, y);
                    }
                }
            }
        }
        GArray *part = d->queue[out];
        const uint32_t in = base + (uint32_t)out;
        gboolean replaced = FALSE;
        for (guint h = 0; h < part->len && !replaced; h++) {
            const uint32_t x = g_array_index(part, uint32_t, h);
            list *l = &d->adj[x];
            for (uint32_t i = 0; i < l->len; i++) {
                const uint32_t y = l->nb[i];   /* (not TREE: its own id) */
                if (!(y & TREE) && d->mark[y] != in) {
                    l->nb[i] |= TREE;
                    list *m = &d->adj[y];
                    m->nb[find(m, x)] |= TREE;
                    replaced = TRUE;
                    break;
                }
            }
        }
        if (!replaced) {
            split = TRUE;
            const uint32_t other = new_id(d, part->len);
            for (guint i = 0; i < part->len; i++)
                d->label[g_array_index(part, uint32_t, i)] = other;
            resize(d, id, d->size[id] - part->len);
        }
    }
    if (d->parity && d->odd[id]) {
        /* Only a component that had an odd cycle can lose it. */
        d->odd[id] = 0;
        d->odd_components--;
        const uint32_t parts[2] = { u, v };
        for (int s = 0; s < (split ? 2 : 1); s++) {
            const uint32_t c = d->label[parts[s]];
            if (recolor(d, parts[s]) && !d->odd[c]) {
                d->odd[c] = 1;
                d->odd_components++;
            }
        }
    }
    return split;
}

static void insert_pair(uint32_t u, uint32_t v, void *d)
{
    es_dynconn_insert(d, u, v);
}

es_dynconn *es_dynconn_of_table(const es_edgetable *t, uint32_t n, gboolean parity, GError **error)
{
    es_dynconn *d = es_dynconn_new(parity);
    es_dynconn_grow(d, n);
    if (!es_edgetable_foreach_logged(t, n, insert_pair, d, error)) {
        es_dynconn_free(d);
        return NULL;
    }
    return d;
}
