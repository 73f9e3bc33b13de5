/* cc_mpi.c — cc's union-find partitioned by key group (see cc_mpi.h). */
#include "mpi/cc_mpi.h"

#include <string.h>

#include "graph/histogram.h"
#include "graph/idmap.h"

/* Edges hooked at once: bounds rank 0's scratch (about 30 bytes per
 * vertex of a piece) whatever the batch. */
enum { PIECE = 1 << 16 };

struct es_mpi_cc {
    MPI_Comm  comm;
    int       rank, size;
    guint     groups, glo, k;   /* this rank's groups [glo, glo + k) */
    int      *owner;            /* group -> rank */
    uint32_t *parent, *csize;   /* per local vertex (local_of); csize meaningful at a root */
    size_t    len, cap;         /* entries held, allocated */
    /* rank 0: */
    es_hist      *hist;
    es_cc_outside fig;
    uint64_t      sent;   /* bytes this rank sent for cc */
};

es_mpi_cc *es_mpi_cc_new(MPI_Comm comm, guint groups)
{
    es_mpi_cc *c = g_new0(es_mpi_cc, 1);
    c->comm = comm;
    MPI_Comm_rank(comm, &c->rank);
    MPI_Comm_size(comm, &c->size);
    c->groups = groups;
    c->glo = (guint)((uint64_t)groups * (uint64_t)c->rank / (uint64_t)c->size);
    c->k = (guint)((uint64_t)groups * (uint64_t)(c->rank + 1) / (uint64_t)c->size) - c->glo;
    c->owner = g_new(int, groups);
    for (int r = 0; r < c->size; r++)
        for (guint g = (guint)((uint64_t)groups * (uint64_t)r / (uint64_t)c->size);
             g < (guint)((uint64_t)groups * (uint64_t)(r + 1) / (uint64_t)c->size); g++)
            c->owner[g] = r;
    if (c->rank == 0) {
        c->hist = es_hist_new();
        c->fig.sizes = c->hist;
    }
    return c;
}

void es_mpi_cc_free(es_mpi_cc *c)
{
    if (c == NULL)
        return;
    g_free(c->owner);
    g_free(c->parent);
    g_free(c->csize);
    if (c->hist)
        es_hist_free(c->hist);
    g_free(c);
}

const es_cc_outside *es_mpi_cc_figures(const es_mpi_cc *c)
{
    return &c->fig;
}

uint64_t es_mpi_cc_held(const es_mpi_cc *c)
{
    return c ? c->len : 0;
}

uint64_t es_mpi_cc_sent(const es_mpi_cc *c)
{
    return c ? c->sent : 0;
}

static inline int owner_of(const es_mpi_cc *c, uint32_t d)
{
    return c->owner[d % c->groups];
}

/* The owner's index of vertex d (of its groups), and back. */
static inline size_t local_of(const es_mpi_cc *c, uint32_t d)
{
    return (size_t)(d / c->groups) * c->k + (d % c->groups - c->glo);
}

static inline uint32_t dense_of(const es_mpi_cc *c, size_t l)
{
    return (uint32_t)((l / c->k) * c->groups + c->glo + l % c->k);
}

/* Entries up to local l exist (new ones: singleton roots). */
static void reach(es_mpi_cc *c, size_t l)
{
    if (l < c->len)
        return;
    if (l >= c->cap) {
        c->cap = MAX(l + 1, 2 * c->cap);
        c->parent = g_renew(uint32_t, c->parent, c->cap);
        c->csize = g_renew(uint32_t, c->csize, c->cap);
    }
    for (size_t j = c->len; j <= l; j++) {
        c->parent[j] = dense_of(c, j);
        c->csize[j] = 1;
    }
    c->len = l + 1;
}

/* Rank 0: items[0 .. n) (of `width` uint32 each, the first a vertex)
 * bucketed by the vertex's owner into out, per rank counts and
 * displacements in items (cs, ds); at[i]: item i's place in out. */
static void bucket(const es_mpi_cc *c, const uint32_t *items, size_t n, int width, uint32_t *out, uint32_t *at,
                   int *cs, int *ds)
{
    memset(cs, 0, sizeof(int) * (size_t)c->size);
    int *own = g_new(int, n + 1), *fill = g_new(int, c->size);
    for (size_t i = 0; i < n; i++)
        cs[own[i] = owner_of(c, items[(size_t)width * i])]++;
    for (int r = 0, s = 0; r < c->size; s += cs[r++])
        ds[r] = fill[r] = s;
    for (size_t i = 0; i < n; i++) {
        size_t p = (size_t)fill[own[i]]++;
        if (at)
            at[i] = (uint32_t)p;
        if (width == 1) {
            out[p] = items[i];
        } else {
            for (int w = 0; w < width; w++)
                out[(size_t)width * p + (size_t)w] = items[(size_t)width * i + (size_t)w];
        }
    }
    g_free(own);
    g_free(fill);
}

/* One round of finds (collective): rank 0 asks for the parent and size of
 * q[0 .. n) and gets them at ans[2i], ans[2i + 1]. */
static void ask(es_mpi_cc *c, const uint32_t *q, size_t n, uint32_t *ans, uint64_t *sent)
{
    int *cs = g_new0(int, c->size), *ds = g_new0(int, c->size), cnt = 0;
    uint32_t *out = NULL, *at = NULL, *back = NULL;
    if (c->rank == 0) {
        out = g_new(uint32_t, n + 1);
        at = g_new(uint32_t, n + 1);
        back = g_new(uint32_t, 2 * n + 1);
        bucket(c, q, n, 1, out, at, cs, ds);
    }
    MPI_Scatter(cs, 1, MPI_INT, &cnt, 1, MPI_INT, 0, c->comm);
    uint32_t *got = g_new(uint32_t, (size_t)cnt + 1), *reply = g_new(uint32_t, 2 * (size_t)cnt + 1);
    MPI_Scatterv(out, cs, ds, MPI_UINT32_T, got, cnt, MPI_UINT32_T, 0, c->comm);
    for (int j = 0; j < cnt; j++) {
        size_t l = local_of(c, got[j]);
        reply[2 * j] = l < c->len ? c->parent[l] : got[j];
        reply[2 * j + 1] = l < c->len ? c->csize[l] : 1;
    }
    if (c->rank == 0)
        for (int r = 0; r < c->size; r++) {
            cs[r] *= 2;
            ds[r] *= 2;
        }
    MPI_Gatherv(reply, 2 * cnt, MPI_UINT32_T, back, cs, ds, MPI_UINT32_T, 0, c->comm);
    *sent += c->rank ? 8 * (uint64_t)cnt : 4 * (uint64_t)(n - (size_t)cs[0] / 2);
    for (size_t i = 0; c->rank == 0 && i < n; i++) {
        ans[2 * i] = back[2 * (size_t)at[i]];
        ans[2 * i + 1] = back[2 * (size_t)at[i] + 1];
    }
    g_free(got);
    g_free(reply);
    g_free(out);
    g_free(at);
    g_free(back);
    g_free(cs);
    g_free(ds);
}

/* Collective: rank 0's updates upd[0 .. n) (vertex, parent, size or 0
 * for unchanged) to their owners, who apply them. */
static void apply(es_mpi_cc *c, const uint32_t *upd, size_t n, uint64_t *sent)
{
    int *cs = g_new0(int, c->size), *ds = g_new0(int, c->size), cnt = 0;
    uint32_t *out = NULL;
    if (c->rank == 0) {
        out = g_new(uint32_t, 3 * n + 1);
        bucket(c, upd, n, 3, out, NULL, cs, ds);
        *sent += 12 * (uint64_t)(n - (size_t)cs[0]);
        for (int r = 0; r < c->size; r++) {
            cs[r] *= 3;
            ds[r] *= 3;
        }
    }
    MPI_Scatter(cs, 1, MPI_INT, &cnt, 1, MPI_INT, 0, c->comm);
    uint32_t *got = g_new(uint32_t, (size_t)cnt + 1);
    MPI_Scatterv(out, cs, ds, MPI_UINT32_T, got, cnt, MPI_UINT32_T, 0, c->comm);
    for (int j = 0; j < cnt; j += 3) {
        size_t l = local_of(c, got[j]);
        reach(c, l);
        c->parent[l] = got[j + 1];
        if (got[j + 2])
            c->csize[l] = got[j + 2];
    }
    g_free(got);
    g_free(out);
    g_free(cs);
    g_free(ds);
}

/* Rank 0's scratch for one piece: its vertices and the vertices their
 * parents lead to, numbered by a scratch map (local ids, each asked about
 * once), in a union-find by the components' sizes (the larger root wins,
 * the smaller dense id on a tie: any rule would do, the answers are the
 * partition's). */
typedef struct {
    es_idmap *m;       /* dense id -> local (a new one per piece) */
    uint32_t *up;      /* local parent: the parent's local, a hooked root's new root */
    uint32_t *was;     /* the parent's local as found (a root: itself) */
    uint64_t *size;    /* at a root */
    uint8_t  *grew;
    size_t    cap;
} piece;

static uint32_t piece_find(piece *P, uint32_t i)
{
    while (P->up[i] != i) {
        P->up[i] = P->up[P->up[i]];
        i = P->up[i];
    }
    return i;
}

static void piece_room(piece *P, size_t n)
{
    if (n <= P->cap)
        return;
    P->cap = MAX(n, P->cap + P->cap / 2);
    P->up = g_renew(uint32_t, P->up, P->cap);
    P->was = g_renew(uint32_t, P->was, P->cap);
    P->size = g_renew(uint64_t, P->size, P->cap);
    P->grew = g_renew(uint8_t, P->grew, P->cap);
}

/* One piece of a batch, e[0 .. n) at rank 0 (n = 0 elsewhere): see
 * cc_mpi.h, (2) to (4). */
static void hook_piece(es_mpi_cc *c, piece *P, const es_edge *e, size_t n, uint64_t *sent)
{
    uint32_t *local = NULL, *pend = NULL, *ans = NULL, *upd = NULL, *ids = NULL;
    size_t np = 0, nu = 0;
    if (c->rank == 0) {
        P->m = es_idmap_new(n + 16, NULL);
        local = g_new(uint32_t, 2 * n + 1);
        uint64_t *x = g_new(uint64_t, 2 * n + 1);
        for (size_t i = 0; i < n; i++) {
            x[2 * i] = e[i].u;
            x[2 * i + 1] = e[i].v;
        }
        gboolean mapped = es_idmap_map_ids(P->m, x, local, 2 * n, NULL);
        g_assert(mapped);   /* a piece's at most 4 PIECE ids never fill the map */
        g_free(x);
        np = es_idmap_size(P->m);
        pend = g_new(uint32_t, np + 1);
        for (size_t l = 0; l < np; l++)
            pend[l] = (uint32_t)l;
    }
    /* (2) Find: ask each local once; a parent not yet local becomes one,
     * asked in the next round. */
    for (;;) {
        uint64_t more = np;
        MPI_Bcast(&more, 1, MPI_UINT64_T, 0, c->comm);
        if (more == 0)
            break;
        if (c->rank == 0) {
            const uint64_t *dn = es_idmap_externals(P->m);
            ids = g_renew(uint32_t, ids, np + 1);
            ans = g_renew(uint32_t, ans, 2 * np + 1);
            for (size_t i = 0; i < np; i++)
                ids[i] = (uint32_t)dn[pend[i]];
        }
        ask(c, ids, np, ans, sent);
        size_t next = 0;
        if (c->rank == 0) {
            uint32_t known = es_idmap_size(P->m);
            piece_room(P, (size_t)known + np + 1);
            for (size_t i = 0; i < np; i++) {
                uint32_t l = pend[i], p;
                if (ans[2 * i] == ids[i]) {   /* a root */
                    P->up[l] = P->was[l] = l;
                    P->size[l] = ans[2 * i + 1];
                    P->grew[l] = 0;
                    continue;
                }
                gboolean added = es_idmap_get_or_add(P->m, ans[2 * i], &p, NULL);
                g_assert(added);   /* (as above) */
                P->up[l] = P->was[l] = p;
                if (p >= known) {   /* new: asked next (pend's front is free again) */
                    pend[next++] = p;
                    known = p + 1;
                }
            }
        }
        np = next;
    }
    /* (3) Hook the roots along the edges, in order. */
    const uint64_t *dn = c->rank == 0 ? es_idmap_externals(P->m) : NULL;
    for (size_t i = 0; c->rank == 0 && i < n; i++) {
        uint32_t a = piece_find(P, local[2 * i]), b = piece_find(P, local[2 * i + 1]);
        if (a == b)
            continue;
        if (P->size[a] < P->size[b] || (P->size[a] == P->size[b] && dn[a] > dn[b])) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        es_hist_add(c->hist, P->size[a], -1);
        es_hist_add(c->hist, P->size[b], -1);
        P->up[b] = a;
        P->size[a] += P->size[b];
        P->grew[a] = 1;
        es_hist_add(c->hist, P->size[a], 1);
        c->fig.components--;
        c->fig.largest = MAX(c->fig.largest, (uint32_t)P->size[a]);
    }
    /* (4) To the owners (vertex, parent, size or 0): every root hooked or
     * grown, every other vertex whose parent is not its root now. */
    if (c->rank == 0) {
        size_t nl = es_idmap_size(P->m);
        upd = g_new(uint32_t, 3 * nl + 1);
        for (size_t l = 0; l < nl; l++) {
            uint32_t f = piece_find(P, (uint32_t)l);
            gboolean root = P->was[l] == l;
            if (root ? f == l && !P->grew[l] : P->was[l] == f)
                continue;   /* unchanged */
            upd[3 * nu] = (uint32_t)dn[l];
            upd[3 * nu + 1] = (uint32_t)dn[f];
            upd[3 * nu + 2] = f == l ? (uint32_t)P->size[l] : 0;
            nu++;
        }
    }
    apply(c, upd, nu, sent);
    if (P->m)
        es_idmap_free(P->m);
    P->m = NULL;
    g_free(local);
    g_free(pend);
    g_free(ids);
    g_free(ans);
    g_free(upd);
}

void es_mpi_cc_batch(es_mpi_cc *c, const es_edge *e, size_t n, uint32_t nv, uint64_t *sent)
{
    piece P = { 0 };
    uint64_t was = *sent;
    if (c->rank == 0) {
        /* New vertices: singletons. */
        if (nv > c->fig.vertices) {
            es_hist_add(c->hist, 1, (int64_t)(nv - c->fig.vertices));
            c->fig.components += nv - c->fig.vertices;
            c->fig.vertices = nv;
            c->fig.largest = MAX(c->fig.largest, 1);
        }
        piece_room(&P, MIN(2 * n, (size_t)2 * PIECE) + 16);
    }
    for (size_t at = 0;;) {
        uint64_t go = at < n;
        MPI_Bcast(&go, 1, MPI_UINT64_T, 0, c->comm);
        if (!go)
            break;
        size_t m = c->rank == 0 ? MIN(n - at, (size_t)PIECE) : 0;
        hook_piece(c, &P, c->rank == 0 ? e + at : NULL, m, sent);
        at += m;
    }
    c->sent += *sent - was;
    g_free(P.up);
    g_free(P.was);
    g_free(P.size);
    g_free(P.grew);
}
