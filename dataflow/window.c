/* window.c — the panes of a sliding window (see window.h). */
#include "dataflow/window.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/logmem.h"
#include "snapshot/snapshot.h"

typedef struct {
    int64_t   index;        /* pane number */
    uint64_t  first_index;  /* stream index of its first line */
    es_edge  *edges;
    uint64_t *ext;          /* 2 per line, or NULL when the batches had none */
    size_t    n, cap;
} pane;

/* The per-pane operators' instances of a closed pane (NULL for the others). */
typedef struct {
    int64_t      index;
    es_operator **inst;
} kept_ops;

struct es_slider {
    GQueue    panes;        /* pane *, oldest first */
    GPtrArray *ops;         /* the run's (es_slider_watch), or NULL */
    gboolean  any_per_pane;
    int64_t   open;         /* the pane opened last (INT64_MIN: none) */
    GQueue    kept_ops;     /* kept_ops *, oldest first */
    es_operator **faces;    /* between merge_begin and merge_end: the current instances */
    GPtrArray *spare;       /* expired panes, their arrays kept for reuse */
    uint32_t *lines;        /* per vertex: kept lines naming it */
    size_t    lines_cap;    /* entries */
    uint32_t  live;         /* vertices with lines[v] > 0 */
    uint64_t  kept;         /* lines kept */
    uint8_t  *del, *change; /* scratch for an expiry batch: ES_LINE_EXPIRE flags, answers */
    size_t    scratch_cap;
    gboolean  deletions;    /* the stream has deletion lines (--deletions) */
    GHashTable *cancelled;  /* with deletion lines: key -> kept lines of it a deletion took back */
    es_edge  *c_edges;      /* scratch for an expiry batch without those */
    uint64_t *c_ext;
    size_t    c_cap;
    /* At the last barrier (es_slider_freeze); caps in bytes. */
    int64_t  *f_pane;
    uint64_t *f_first, *f_len;
    uint32_t *f_edges;
    uint64_t *f_ckeys, *f_ccounts;   /* the cancelled lines' pairs, increasing, and their counts */
    size_t    f_pane_cap, f_first_cap, f_len_cap, f_edges_cap, f_ckeys_cap, f_ccounts_cap;
};

static void pane_free(gpointer p)
{
    pane *x = p;
    g_free(x->edges);
    g_free(x->ext);
    g_free(x);
}

es_slider *es_slider_new(gboolean deletions)
{
    es_slider *s = g_new0(es_slider, 1);
    s->deletions = deletions;
    g_queue_init(&s->panes);
    s->spare = g_ptr_array_new_with_free_func(pane_free);
    s->open = INT64_MIN;
    g_queue_init(&s->kept_ops);
    s->cancelled = g_hash_table_new(g_direct_hash, g_direct_equal);
    return s;
}

static void kept_free(es_slider *s, kept_ops *k)
{
    for (guint i = 0; i < s->ops->len; i++)
        if (k->inst[i])
            es_operator_free(k->inst[i]);
    g_free(k->inst);
    g_free(k);
}

void es_slider_watch(es_slider *s, GPtrArray *ops)
{
    s->ops = ops;
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        op->per_pane = op->klass->merge != NULL && !op->klass->deletions;
        s->any_per_pane = s->any_per_pane || op->per_pane;
    }
}

/* A fresh instance of op, fed as op is. */
static es_operator *fresh(const es_operator *op)
{
    GError *err = NULL;
    es_operator *x = es_operator_new(op->spec, &err);
    if (x == NULL)   /* its canonical spec was accepted at start */
        g_error("a sliding window cannot start operator %s afresh: %s", op->spec, err->message);
    x->dynamic = op->dynamic;
    x->sliding = op->sliding;
    x->per_pane = op->per_pane;
    x->edges = op->edges;
    x->driven = op->driven;
    return x;
}

void es_slider_open(es_slider *s, int64_t index)
{
    const int64_t last = s->open;
    s->open = index;
    if (!s->any_per_pane || last == INT64_MIN)
        return;
    kept_ops *k = g_new0(kept_ops, 1);
    k->index = last;
    k->inst = g_new0(es_operator *, s->ops->len);
    for (guint i = 0; i < s->ops->len; i++) {
        es_operator *op = g_ptr_array_index(s->ops, i);
        if (!op->per_pane)
            continue;
        k->inst[i] = op;
        s->ops->pdata[i] = fresh(op);
    }
    g_queue_push_tail(&s->kept_ops, k);
}

gboolean es_slider_per_pane(const es_slider *s)
{
    return s->any_per_pane;
}

void es_slider_merge_begin(es_slider *s)
{
    if (!s->any_per_pane)
        return;
    g_assert(s->faces == NULL);
    s->faces = g_new0(es_operator *, s->ops->len);
    for (guint i = 0; i < s->ops->len; i++) {
        es_operator *op = g_ptr_array_index(s->ops, i);
        if (!op->per_pane)
            continue;
        es_operator *m = fresh(op);
        GError *err = NULL;
        for (GList *l = s->kept_ops.head; l; l = l->next)
            if (!m->klass->merge(m, ((kept_ops *)l->data)->inst[i], &err))
                g_error("%s: panes of one spec do not merge: %s", op->spec, err->message);
        if (!m->klass->merge(m, op, &err))
            g_error("%s: panes of one spec do not merge: %s", op->spec, err->message);
        s->faces[i] = op;
        s->ops->pdata[i] = m;
    }
}

void es_slider_merge_end(es_slider *s)
{
    if (!s->any_per_pane)
        return;
    for (guint i = 0; i < s->ops->len; i++) {
        if (s->faces[i] == NULL)
            continue;
        es_operator_free(g_ptr_array_index(s->ops, i));
        s->ops->pdata[i] = s->faces[i];
    }
    g_clear_pointer(&s->faces, g_free);
}

void es_slider_free(es_slider *s)
{
    if (s == NULL)
        return;
    g_queue_clear_full(&s->panes, pane_free);
    kept_ops *k;
    while ((k = g_queue_pop_head(&s->kept_ops)) != NULL)
        kept_free(s, k);
    g_ptr_array_free(s->spare, TRUE);
    g_free(s->lines);
    g_free(s->del);
    g_free(s->change);
    g_hash_table_destroy(s->cancelled);
    g_free(s->c_edges);
    g_free(s->c_ext);
    es_big_free(s->f_pane, s->f_pane_cap);
    es_big_free(s->f_first, s->f_first_cap);
    es_big_free(s->f_len, s->f_len_cap);
    es_big_free(s->f_edges, s->f_edges_cap);
    es_big_free(s->f_ckeys, s->f_ckeys_cap);
    es_big_free(s->f_ccounts, s->f_ccounts_cap);
    g_free(s);
}

/* Room in s->lines for vertices below n. */
static void lines_reserve(es_slider *s, size_t n)
{
    if (n <= s->lines_cap)
        return;
    const size_t cap = es_grow_cap(s->lines_cap, n);
    s->lines = g_renew(uint32_t, s->lines, cap);
    memset(s->lines + s->lines_cap, 0, (cap - s->lines_cap) * sizeof *s->lines);
    s->lines_cap = cap;
}

/* How many lines ahead count_lines fetches the counters it will touch. */
#define COUNT_AHEAD 16

/* The lines e[0 .. n-1] enter (delta 1) or leave (-1) the window: each
 * counts once for each of its ends (a self-loop once).  The counters are
 * random accesses, fetched ahead (they were 4% of a sliding window's
 * run, in the operators' thread, bench/RESULTS.md). */
static void count_lines(es_slider *s, const es_edge *e, const uint8_t *del, size_t n, int delta)
{
    uint32_t top = 0;
    for (size_t i = 0; i < n; i++)
        top = MAX(top, MAX(e[i].u, e[i].v));
    if (n > 0)
        lines_reserve(s, (size_t)top + 1);
    uint32_t *lines = s->lines;
    for (size_t i = 0; i < n; i++) {
        if (i + COUNT_AHEAD < n) {
            __builtin_prefetch(&lines[e[i + COUNT_AHEAD].u], 1);
            __builtin_prefetch(&lines[e[i + COUNT_AHEAD].v], 1);
        }
        if (del && del[i])
            continue;
        const uint32_t u = e[i].u, v = e[i].v;
        s->kept += delta > 0;
        if (delta > 0)
            s->live += lines[u]++ == 0;
        else
            s->live -= --lines[u] == 0;
        if (v == u)
            continue;
        if (delta > 0)
            s->live += lines[v]++ == 0;
        else
            s->live -= --lines[v] == 0;
    }
}

/* Append n lines (ext: 2 per line, or NULL: the dense ids stand in) to
 * pane `index` at the tail of panes, opening it when new (from spare). */
static pane *pane_append(GQueue *panes, GPtrArray *spare, int64_t index, uint64_t first_index, const es_edge *e,
                         const uint64_t *ext, size_t n, gboolean keep_ext)
{
    pane *p = g_queue_peek_tail(panes);
    g_assert(p == NULL || p->index <= index);
    if (p == NULL || p->index != index) {
        p = spare->len ? g_ptr_array_steal_index_fast(spare, spare->len - 1) : g_new0(pane, 1);
        p->index = index;
        p->first_index = first_index;
        p->n = 0;
        g_queue_push_tail(panes, p);
    }
    if (p->n + n > p->cap) {
        p->cap = es_grow_cap(p->cap, p->n + n);
        p->edges = g_renew(es_edge, p->edges, p->cap);
        if (keep_ext)
            p->ext = g_renew(uint64_t, p->ext, 2 * p->cap);
    }
    memcpy(p->edges + p->n, e, n * sizeof *e);
    if (keep_ext && ext)
        memcpy(p->ext + 2 * p->n, ext, 2 * n * sizeof *ext);
    else if (keep_ext)
        for (size_t i = 0; i < n; i++) {
            p->ext[2 * (p->n + i)] = e[i].u;
            p->ext[2 * (p->n + i) + 1] = e[i].v;
        }
    p->n += n;
    return p;
}

/* An expired pane's arrays go to spare (two are enough to reuse). */
static void pane_retire(GPtrArray *spare, pane *p)
{
    g_ptr_array_add(spare, p);
    if (spare->len > 2)
        g_ptr_array_remove_index_fast(spare, 0);
}

/* Deletion lines in a window (window.h): each that took a copy of its
 * pair away (change not ES_EDGE_IGNORED) cancels the oldest kept line of
 * that pair, whose expiry is then dropped.  Which kept line it is does
 * not matter until it expires, so a count per pair says it: the first
 * lines of the pair to expire are the cancelled ones. */
static void note_deletions(GHashTable *cancelled, const es_edge *e, const uint8_t *del, const uint8_t *change,
                           size_t n)
{
    for (size_t i = 0; del != NULL && i < n; i++) {
        if (del[i] != ES_LINE_DELETE || change[i] == ES_EDGE_IGNORED)
            continue;
        const gpointer k = GSIZE_TO_POINTER((gsize)es_edge_key(e[i].u, e[i].v));
        g_hash_table_insert(cancelled, k, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(cancelled, k)) + 1));
    }
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Whether the expiring line e is a cancelled one (counted off). */
static gboolean take_cancelled(GHashTable *cancelled, es_edge e)
{
    const gpointer k = GSIZE_TO_POINTER((gsize)es_edge_key(e.u, e.v));
    const gsize c = GPOINTER_TO_SIZE(g_hash_table_lookup(cancelled, k));
    if (c == 0)
        return FALSE;
    if (c == 1)
        g_hash_table_remove(cancelled, k);
    else
        g_hash_table_insert(cancelled, k, GSIZE_TO_POINTER(c - 1));
    return TRUE;
}

/* Append the insertion lines of e[0 .. n-1] (del NULL: all) to pane
 * `index`, in runs. */
static void append_insertions(GQueue *panes, GPtrArray *spare, int64_t index, uint64_t first_index, const es_edge *e,
                              const uint64_t *ext, const uint8_t *del, size_t n, gboolean keep_ext)
{
    if (del == NULL) {
        pane_append(panes, spare, index, first_index, e, ext, n, keep_ext);
        return;
    }
    for (size_t i = 0; i < n;) {
        if (del[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !del[j])
            j++;
        pane_append(panes, spare, index, first_index + i, e + i, ext ? ext + 2 * i : NULL, j - i, keep_ext);
        i = j;
    }
}

void es_slider_keep(es_slider *s, int64_t index, const es_batch *b)
{
    if (b->n == 0)
        return;
    note_deletions(s->cancelled, b->edges, b->del, b->change, b->n);
    append_insertions(&s->panes, s->spare, index, b->first_index, b->edges, b->ext, b->del, b->n, TRUE);
    count_lines(s, b->edges, b->del, b->n, 1);
}

/* Pane p's lines but the cancelled ones into the scratch arrays; their
 * number. */
static size_t uncancelled(es_slider *s, const pane *p)
{
    if (p->n > s->c_cap) {
        s->c_cap = es_grow_cap(s->c_cap, p->n);
        s->c_edges = g_renew(es_edge, s->c_edges, s->c_cap);
        s->c_ext = g_renew(uint64_t, s->c_ext, 2 * s->c_cap);
    }
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (take_cancelled(s->cancelled, p->edges[i]))
            continue;
        s->c_edges[m] = p->edges[i];
        s->c_ext[2 * m] = p->ext[2 * i];
        s->c_ext[2 * m + 1] = p->ext[2 * i + 1];
        m++;
    }
    return m;
}

typedef struct {
    es_slider   *s;
    const pane  *p;
} leaving;

/* A pane's lines leave the line counts: the side job of its expiry's
 * fold (they touch nothing the operators read). */
static void count_leaving(void *user)
{
    const leaving *l = user;
    count_lines(l->s, l->p->edges, NULL, l->p->n, -1);
}

gboolean es_slider_expire(es_slider *s, es_flow *f, int64_t last, uint32_t num_vertices, es_expiry_answers *ahead,
                          const es_fanout_beside *first, gboolean *first_ran, GError **error)
{
    gboolean ran = FALSE;
    if (first_ran)
        *first_ran = FALSE;
    kept_ops *k;
    while ((k = g_queue_peek_head(&s->kept_ops)) != NULL && k->index <= last)
        kept_free(s, g_queue_pop_head(&s->kept_ops));
    pane *p;
    while ((p = g_queue_peek_head(&s->panes)) != NULL && p->index <= last) {
        if (p->n > s->scratch_cap) {
            s->scratch_cap = es_grow_cap(s->scratch_cap, p->n);
            s->del = g_renew(uint8_t, s->del, s->scratch_cap);
            s->change = g_renew(uint8_t, s->change, s->scratch_cap);
            memset(s->del, ES_LINE_EXPIRE, s->scratch_cap);
        }
        es_batch b = {
            .edges = p->edges,
            .ext = p->ext,
            .del = s->del,
            .n = p->n,
            .first_index = p->first_index,
            .num_vertices = num_vertices,
        };
        if (g_hash_table_size(s->cancelled) > 0) {   /* (their deletion took them back already) */
            b.n = uncancelled(s, p);
            b.edges = s->c_edges;
            b.ext = s->c_ext;
        }
        uint8_t *change = s->change;
        if (ahead) {   /* (the same panes, in the same order, as the stage ahead kept) */
            g_assert(ahead->at < ahead->n && ahead->pane[ahead->at] == p->index && ahead->len[ahead->at] == b.n);
            es_flow_catch_up(f, &ahead->mark[ahead->at]);
            change = ahead->change + ahead->off;
            ahead->off += b.n;
            ahead->at++;
        }
        leaving l = { s, p };
        es_fanout_beside x = { .side = count_leaving, .side_user = &l };
        if (first && !ran) {
            x.before = first->before;
            x.before_user = first->before_user;
            ran = TRUE;
        }
        const gboolean ok = es_flow_fold_beside(f, &b, change, ahead != NULL, &x, error);
        if (first_ran)
            *first_ran = ran;
        if (!ok)
            return FALSE;
        s->kept -= p->n;
        pane_retire(s->spare, g_queue_pop_head(&s->panes));
    }
    return TRUE;
}

void es_expiry_answers_clear(es_expiry_answers *a)
{
    g_free(a->pane);
    g_free(a->len);
    g_free(a->mark);
    g_free(a->change);
    *a = (es_expiry_answers){ 0 };
}

struct es_slider_ahead {
    uint64_t   k;        /* panes per window */
    GQueue     panes;    /* pane * (no ext), oldest first */
    GPtrArray *spare;
    uint8_t   *del;      /* ES_LINE_EXPIRE flags */
    size_t     del_cap;
    GHashTable *cancelled;   /* as es_slider's */
    es_edge   *c_edges;
    size_t     c_cap;
};

es_slider_ahead *es_slider_ahead_new(uint64_t panes_per_window)
{
    es_slider_ahead *x = g_new0(es_slider_ahead, 1);
    x->k = panes_per_window;
    g_queue_init(&x->panes);
    x->spare = g_ptr_array_new_with_free_func(pane_free);
    x->cancelled = g_hash_table_new(g_direct_hash, g_direct_equal);
    return x;
}

void es_slider_ahead_free(es_slider_ahead *x)
{
    if (x == NULL)
        return;
    g_queue_clear_full(&x->panes, pane_free);
    g_ptr_array_free(x->spare, TRUE);
    g_free(x->del);
    g_hash_table_destroy(x->cancelled);
    g_free(x->c_edges);
    g_free(x);
}

void es_slider_ahead_expire(es_slider_ahead *x, es_edgetable *t, int64_t q, es_expiry_answers *a)
{
    a->n = a->at = a->off = 0;
    const __int128 gone = (__int128)q - (__int128)x->k;
    size_t off = 0;
    pane *p;
    while ((p = g_queue_peek_head(&x->panes)) != NULL && (__int128)p->index <= gone) {
        if (a->n == a->cap) {
            a->cap = es_grow_cap(a->cap, a->n + 1);
            a->pane = g_renew(int64_t, a->pane, a->cap);
            a->len = g_renew(size_t, a->len, a->cap);
            a->mark = g_renew(es_edgetable_mark, a->mark, a->cap);
        }
        if (off + p->n > a->change_cap) {
            a->change_cap = es_grow_cap(a->change_cap, off + p->n);
            a->change = g_renew(uint8_t, a->change, a->change_cap);
        }
        if (p->n > x->del_cap) {
            x->del_cap = es_grow_cap(x->del_cap, p->n);
            x->del = g_renew(uint8_t, x->del, x->del_cap);
            memset(x->del, ES_LINE_EXPIRE, x->del_cap);
        }
        const es_edge *e = p->edges;
        size_t n = p->n;
        if (g_hash_table_size(x->cancelled) > 0) {   /* (as es_slider_expire drops them) */
            if (p->n > x->c_cap) {
                x->c_cap = es_grow_cap(x->c_cap, p->n);
                x->c_edges = g_renew(es_edge, x->c_edges, x->c_cap);
            }
            n = 0;
            for (size_t i = 0; i < p->n; i++)
                if (!take_cancelled(x->cancelled, p->edges[i]))
                    x->c_edges[n++] = p->edges[i];
            e = x->c_edges;
        }
        es_edgetable_apply_ahead_signed(t, e, x->del, n, a->change + off, &a->mark[a->n]);
        a->pane[a->n] = p->index;
        a->len[a->n++] = n;
        off += n;
        pane_retire(x->spare, g_queue_pop_head(&x->panes));
    }
}

void es_slider_ahead_keep(es_slider_ahead *x, int64_t q, const es_edge *e, const uint8_t *del, const uint8_t *change,
                          size_t n)
{
    if (n == 0)
        return;
    note_deletions(x->cancelled, e, del, change, n);
    append_insertions(&x->panes, x->spare, q, 0, e, NULL, del, n, FALSE);
}

gboolean es_slider_empty(const es_slider *s)
{
    return s->kept == 0;
}

uint32_t es_slider_absent(const es_slider *s, uint32_t nv)
{
    return nv > s->live ? nv - s->live : 0;
}

uint64_t es_slider_lines(const es_slider *s)
{
    return s->kept;
}

void es_slider_freeze(es_slider *s, es_snapshot_window *w)
{
    const size_t np = g_queue_get_length(&s->panes);
    es_shadow_reserve((void **)&s->f_pane, &s->f_pane_cap, MAX(np, 1) * sizeof *s->f_pane);
    es_shadow_reserve((void **)&s->f_first, &s->f_first_cap, MAX(np, 1) * sizeof *s->f_first);
    es_shadow_reserve((void **)&s->f_len, &s->f_len_cap, MAX(np, 1) * sizeof *s->f_len);
    es_shadow_reserve((void **)&s->f_edges, &s->f_edges_cap, MAX(s->kept, 1) * sizeof(es_edge));
    size_t i = 0, at = 0;
    for (GList *l = s->panes.head; l; l = l->next, i++) {
        const pane *p = l->data;
        s->f_pane[i] = p->index;
        s->f_first[i] = p->first_index;
        s->f_len[i] = p->n;
        memcpy(s->f_edges + 2 * at, p->edges, p->n * sizeof(es_edge));   /* (two u32 each) */
        at += p->n;
    }
    *w = (es_snapshot_window){ .present = TRUE, .open = s->open, .panes = np, .pane = s->f_pane, .first = s->f_first,
                               .len = s->f_len, .lines = at, .edges = s->f_edges };
    if (!s->deletions)
        return;
    /* The cancelled lines, by pair in increasing order (no snapshot
     * depends on the hash table's order). */
    const size_t nc = g_hash_table_size(s->cancelled);
    es_shadow_reserve((void **)&s->f_ckeys, &s->f_ckeys_cap, MAX(nc, 1) * sizeof *s->f_ckeys);
    es_shadow_reserve((void **)&s->f_ccounts, &s->f_ccounts_cap, MAX(nc, 1) * sizeof *s->f_ccounts);
    GHashTableIter it;
    gpointer k, v;
    i = 0;
    g_hash_table_iter_init(&it, s->cancelled);
    while (g_hash_table_iter_next(&it, &k, NULL))
        s->f_ckeys[i++] = GPOINTER_TO_SIZE(k);
    qsort(s->f_ckeys, nc, sizeof *s->f_ckeys, cmp_u64);
    for (i = 0; i < nc; i++) {
        v = g_hash_table_lookup(s->cancelled, GSIZE_TO_POINTER((gsize)s->f_ckeys[i]));
        s->f_ccounts[i] = GPOINTER_TO_SIZE(v);
    }
    w->cancelled_present = TRUE;
    w->cancelled = nc;
    w->cancelled_keys = s->f_ckeys;
    w->cancelled_counts = s->f_ccounts;
}

/* With deletions, on resume: the restored operators and edge table are
 * those of the snapshot already; keep the window's lines (counting them
 * per vertex) without folding them, and cancel the copies the snapshot
 * says deletions took, each at most the pair's lines kept. */
static gboolean restore_kept(es_slider *s, const es_snapshot_window *w, const uint64_t *externals, uint32_t nv,
                             GError **error)
{
    size_t most = 0;
    for (size_t i = 0; i < w->panes; i++)
        most = MAX(most, (size_t)w->len[i]);
    uint64_t *ext = g_new(uint64_t, 2 * MAX(most, 1));
    const es_edge *lines = (const es_edge *)w->edges;
    for (size_t i = 0, at = 0; i < w->panes; at += w->len[i], i++) {
        es_slider_open(s, w->pane[i]);
        for (size_t j = 0; j < 2 * w->len[i]; j++)
            ext[j] = externals[w->edges[2 * at + j]];
        es_batch b = { .edges = lines + at, .ext = ext, .n = w->len[i], .first_index = w->first[i],
                       .num_vertices = nv };
        es_slider_keep(s, w->pane[i], &b);
    }
    g_free(ext);
    if (w->open != s->open)
        es_slider_open(s, w->open);
    /* (left: the copies not yet matched with a kept line) */
    GHashTable *left = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (size_t i = 0; i < w->cancelled; i++) {
        const gpointer k = GSIZE_TO_POINTER((gsize)w->cancelled_keys[i]);
        g_hash_table_insert(s->cancelled, k, GSIZE_TO_POINTER((gsize)w->cancelled_counts[i]));
        g_hash_table_insert(left, k, GSIZE_TO_POINTER((gsize)w->cancelled_counts[i]));
    }
    for (size_t i = 0; g_hash_table_size(left) > 0 && i < w->lines; i++)
        take_cancelled(left, lines[i]);
    gboolean ok = g_hash_table_size(left) == 0;
    if (!ok) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, left);
        g_hash_table_iter_next(&it, &k, &v);
        const uint64_t key = GPOINTER_TO_SIZE(k);
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"/window/cancelled_keys\": pair (%u, %u)"
                    " has %zu more copies taken back than lines in the window", (uint32_t)(key >> 32),
                    (uint32_t)key, (size_t)GPOINTER_TO_SIZE(v));
    }
    g_hash_table_destroy(left);
    return ok;
}

gboolean es_slider_restore(es_slider *s, es_flow *f, const es_snapshot_window *w, const uint64_t *externals,
                           uint32_t nv, GError **error)
{
    if (w->cancelled_present != s->deletions) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "the snapshot's sliding window was taken %s --deletions: resume"
                    " it %s --deletions", s->deletions ? "without" : "with", s->deletions ? "without" : "with");
        return FALSE;
    }
    if (s->deletions)
        return restore_kept(s, w, externals, nv, error);
    size_t most = 0;
    for (size_t i = 0; i < w->panes; i++)
        most = MAX(most, (size_t)w->len[i]);
    uint64_t *ext = g_new(uint64_t, 2 * MAX(most, 1));
    uint8_t *change = g_new(uint8_t, MAX(most, 1));
    for (guint i = 0; i < s->ops->len; i++)
        ((es_operator *)g_ptr_array_index(s->ops, i))->replaying = TRUE;
    gboolean ok = TRUE;
    const es_edge *lines = (const es_edge *)w->edges;
    for (size_t i = 0, at = 0; ok && i < w->panes; at += w->len[i], i++) {
        es_slider_open(s, w->pane[i]);
        for (size_t j = 0; j < 2 * w->len[i]; j++)
            ext[j] = externals[w->edges[2 * at + j]];
        es_batch b = { .edges = lines + at, .ext = ext, .n = w->len[i], .first_index = w->first[i],
                       .num_vertices = nv };
        ok = es_flow_fold(f, &b, change, FALSE, error);
        if (ok)
            es_slider_keep(s, w->pane[i], &b);
    }
    if (ok && w->open != s->open)   /* (the open pane holds a line: never so) */
        es_slider_open(s, w->open);
    /* (replaced instances are fresh copies: clear every current one) */
    for (guint i = 0; i < s->ops->len; i++)
        ((es_operator *)g_ptr_array_index(s->ops, i))->replaying = FALSE;
    g_free(ext);
    g_free(change);
    return ok;
}
