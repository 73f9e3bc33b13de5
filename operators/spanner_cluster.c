/* spanner_cluster.c — a (2k-1)-spanner in one pass with O(1) expected work
 * per edge, by clustering: the default method of the "spanner" operator.
 *
 * Algorithm: Baswana, "Streaming algorithm for graph spanners — single
 * pass and constant processing time per edge" (IPL 2008), the streaming
 * form of Baswana & Sen's clustering (RSA 2007).  Every vertex c draws,
 * from a hash of (seed, c), a sampled level L(c) in 0..k-1 with
 * P(L >= i) = p^i, p = N^(-1/k) (N: the expected_vertices option).  A
 * level-i cluster is a tree of spanner edges of radius <= i around a
 * centre c with L(c) >= i; it is "sampled" when L(c) > i.  Vertex v starts
 * in its own cluster at levels 0 .. L(v) and stays in each cluster it ever
 * joins; its level is the highest it reached.  An edge (u, v), j the lower
 * of their levels:
 *   - dropped when, at some level x <= j, u and v share a cluster (a path
 *     of <= 2x hops) or one endpoint already has a spanner edge into the
 *     other's level-x cluster (a "record": a path of <= 2x+1 hops);
 *   - else, when the other endpoint's level-j cluster is sampled, the
 *     endpoint at level j joins it, up to that centre's level (kept);
 *   - else it is kept as a record of the endpoint at level j for the
 *     other's level-j cluster.
 * Records and memberships never change once made, so a drop stays
 * justified for ever, and a repeated edge is always dropped and changes
 * nothing: unlike the greedy method, this one needs no distinct-edge stage.
 * Stretch: <= 2k-1 for every input edge (x <= k-1).  Size: expected at
 * most n((k-1)(1/p + 1) + n p^(k-1)) edges for n vertices (each vertex
 * records a geometric number of clusters, mean 1/p, at each level below
 * k-1, one per level-(k-1) cluster at the top, and joins at most k-1
 * times): O(k n^(1+1/k)) when N = n.  The proof: docs/spanner.md.
 * Cost per edge: at most 2k-1 probes of one open-addressing set of
 * records (linear probing, at most 3/4 full, prefetched a few edges ahead)
 * and O(k) reads of per-vertex arrays; one probe for most edges at k = 2.
 * Memory: 2 + 4(k-1) bytes per vertex, 19 to 29 bytes per kept edge (the
 * set, the kept log; 8 more for a record of level >= 1).  Sequential by nature; the result depends only on the
 * edge sequence and the seed.
 * With the run's edge table (another operator asked for it): a repeat is
 * dropped on the table's answer (es_batch.change) before any probe, as
 * the clustering would drop it, so level 0 needs no record: the set holds
 * only the records of level >= 1 (on R-MAT scale 20 at k = 2 most kept
 * edges are of level 0), and a kept edge costs its 8 bytes of log.  Should
 * the answers stop, or after a restore, the level-0 records are made
 * from the kept log and the set tells repeats again.
 */
#include "operators/spanner_cluster.h"

#include <math.h>
#include <string.h>

#include "graph/common.h"
#include "graph/edgetable.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

#define NONE      UINT32_MAX
/* A slot holds its key's complement, so that 0, the complement of
 * (UINT32_MAX, UINT32_MAX), which is never a record, marks a free one:
 * fresh pages (zero) need no fill, and are written once, not twice. */
#define EMPTY     0
#define PREFETCH  16              /* edges ahead */

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The options, the counts, copies of level and clu, the logs' first
 * entries (cluster_fields, below; the spanner's own, k and method,
 * beside them). */
typedef struct {
    uint64_t  seed, expected, nv, nkept, seen, loops, nrec, nclu;
    uint8_t  *level;
    uint32_t *clu;
    uint64_t *kept, *rec;
} cluster_snap;

/* ---- the clustering ------------------------------------------------------ */

struct es_spanner_cluster {
    unsigned  k;
    uint64_t  seed, expected;
    double    p;
    uint64_t  thr[64];        /* h < thr[i]: L >= i (i = 1 .. k-1) */
    uint32_t  nv;
    size_t    vcap;
    uint8_t  *sampled;        /* L(v) */
    uint8_t  *level;          /* current level of v */
    uint32_t *clu;            /* centre of v's cluster at level x >= 1: clu[v*(k-1) + x-1], NONE above its level */
    /* records: set of keys a << 32 | c, and the same keys in insertion order */
    uint64_t *set;
    size_t    set_cap, set_n;
    unsigned  set_shift;
    uint64_t *rec;            /* records of level >= 1, in the order made (a log) */
    size_t    rec_cap, nrec;
    uint64_t *kept;
    size_t    kept_cap, nkept;
    uint64_t  offered, loops;
    gboolean  unfiltered;     /* level-0 records are kept (see es_spanner_cluster_add) */
    gboolean  level0_missing; /* edges were kept at level 0 without their record */
    cluster_snap f;           /* frozen at the last barrier */
    size_t    f_level_cap, f_clu_cap;
};

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static unsigned sampled_level(const es_spanner_cluster *c, uint32_t v)
{
    const uint64_t h = mix64(c->seed * 0x9e3779b97f4a7c15ULL + v + 1);
    unsigned L = 0;
    while (L + 1 < c->k && h < c->thr[L + 1])
        L++;
    return L;
}

es_spanner_cluster *es_spanner_cluster_new(unsigned k, uint64_t seed, uint64_t expected_vertices)
{
    g_assert(k >= 1 && k <= 64 && expected_vertices >= 1);
    es_spanner_cluster *c = g_new0(es_spanner_cluster, 1);
    c->k = k;
    c->seed = seed;
    c->expected = expected_vertices;
    c->p = pow((double)expected_vertices, -1.0 / k);
    for (unsigned i = 1; i < k; i++) {
        const double t = pow(c->p, i) * 18446744073709551616.0;
        c->thr[i] = t >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)t;
    }
    c->set_cap = 1u << 16;
    c->set_shift = 64 - 16;
    c->set = es_big_alloc(c->set_cap * sizeof(uint64_t));   /* zeroed: all free */
    return c;
}

void es_spanner_cluster_free(es_spanner_cluster *c)
{
    if (!c)
        return;
    es_big_free(c->sampled, c->vcap);
    es_big_free(c->level, c->vcap);
    es_big_free(c->clu, c->vcap * (c->k - 1) * sizeof(uint32_t));
    es_big_free(c->set, c->set_cap * sizeof(uint64_t));
    es_log_free(c->rec, c->rec_cap * sizeof(uint64_t));
    es_log_free(c->kept, c->kept_cap * sizeof(uint64_t));
    es_big_free(c->f.level, c->f_level_cap);
    es_big_free(c->f.clu, c->f_clu_cap);
    g_free(c);
}

static void grow_vertices(es_spanner_cluster *c, uint32_t nv)
{
    if (nv <= c->nv)
        return;
    const size_t w = c->k - 1;
    if (nv > c->vcap) {
        const size_t cap = es_grow_cap(c->vcap, nv);
        c->sampled = es_big_realloc(c->sampled, c->vcap, cap);
        c->level = es_big_realloc(c->level, c->vcap, cap);
        if (w)
            c->clu = es_big_realloc(c->clu, c->vcap * w * sizeof(uint32_t), cap * w * sizeof(uint32_t));
        c->vcap = cap;
    }
    for (uint32_t v = c->nv; v < nv; v++) {
        const unsigned L = sampled_level(c, v);
        c->sampled[v] = (uint8_t)L;
        c->level[v] = (uint8_t)L;
        for (size_t x = 1; x <= w; x++)
            c->clu[v * w + x - 1] = x <= L ? v : NONE;
    }
    c->nv = nv;
}

/* ---- the set of records ---------------------------------------------- */

static inline size_t slot_of(const es_spanner_cluster *c, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> c->set_shift);
}

static void set_put(uint64_t *set, size_t mask, unsigned shift, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> shift);
    while (set[i] != EMPTY)
        i = (i + 1) & mask;
    set[i] = ~key;
}

static void set_grow(es_spanner_cluster *c)
{
    const size_t cap = c->set_cap * 2;
    uint64_t *t = es_big_alloc(cap * sizeof(uint64_t));   /* zeroed: all free */
    for (size_t i = 0; i < c->set_cap; i++)
        if (c->set[i] != EMPTY)
            set_put(t, cap - 1, c->set_shift - 1, ~c->set[i]);
    es_big_free(c->set, c->set_cap * sizeof(uint64_t));
    c->set = t;
    c->set_cap = cap;
    c->set_shift--;
}

static inline gboolean set_has(const es_spanner_cluster *c, uint64_t key)
{
    const size_t mask = c->set_cap - 1;
    for (size_t i = slot_of(c, key);; i = (i + 1) & mask) {
        if (c->set[i] == ~key)
            return TRUE;
        if (c->set[i] == EMPTY)
            return FALSE;
    }
}

/* Add a record; FALSE when it was there already.  Records of level >= 1
 * also go to the log (level 0's are the kept edges between unsampled
 * vertices, which the kept log lists). */
static inline gboolean set_add(es_spanner_cluster *c, uint64_t key, gboolean logged)
{
    const size_t mask = c->set_cap - 1;
    size_t i = slot_of(c, key);
    for (;; i = (i + 1) & mask) {
        if (c->set[i] == ~key)
            return FALSE;
        if (c->set[i] == EMPTY)
            break;
    }
    c->set[i] = ~key;
    if (++c->set_n > c->set_cap / 4 * 3)
        set_grow(c);
    if (logged) {
        if (c->nrec >= c->rec_cap) {
            const size_t cap = es_grow_cap(c->rec_cap, c->nrec + 1);
            c->rec = es_log_grow(c->rec, c->rec_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
            c->rec_cap = cap;
        }
        c->rec[c->nrec++] = key;
    }
    return TRUE;
}

static inline void keep(es_spanner_cluster *c, uint32_t u, uint32_t v)
{
    if (c->nkept == c->kept_cap) {
        const size_t cap = es_grow_cap(c->kept_cap, c->nkept + 1);
        c->kept = es_log_grow(c->kept, c->kept_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        c->kept_cap = cap;
    }
    c->kept[c->nkept++] = es_edge_key(u, v);
}

/* ---- one edge ---------------------------------------------------------- */

static inline uint32_t centre(const es_spanner_cluster *c, uint32_t v, unsigned x)
{
    return x == 0 ? v : c->clu[(size_t)v * (c->k - 1) + x - 1];
}

/* a joins cluster ctr (sampled at level x - 1) at levels x .. L(ctr). */
static void join(es_spanner_cluster *c, uint32_t a, uint32_t ctr, unsigned x)
{
    const unsigned L = c->sampled[ctr];
    for (unsigned y = x; y <= L; y++)
        c->clu[(size_t)a * (c->k - 1) + y - 1] = ctr;
    c->level[a] = (uint8_t)L;
}

static inline uint64_t rkey(uint32_t a, uint32_t ctr)
{
    return (uint64_t)a << 32 | ctr;
}

/* Edge (u, v); `first`: the edge table says it is the pair's first
 * occurrence (and every repeat is dropped before), so no level-0 record
 * is looked up or made. */
static void add_edge(es_spanner_cluster *c, uint32_t u, uint32_t v, gboolean first)
{
    if (u == v) {
        c->loops++;
        return;
    }
    c->offered++;
    const uint8_t *S = c->sampled;
    if (c->k == 1) {
        /* Every cluster a single vertex at the top level: keep each distinct edge. */
        if (first || set_add(c, es_edge_key(u, v), FALSE))
            keep(c, u, v);
        return;
    }
    const unsigned lu = c->level[u], lv = c->level[v], j = lu < lv ? lu : lv;
    /* Level 0: singletons.  A record of level 0 (the edge itself, as its
     * key min << 32 | max) exists only between unsampled vertices. */
    if (S[u] == 0 && S[v] == 0) {
        if (j == 0) {
            if (first || set_add(c, es_edge_key(u, v), FALSE))
                keep(c, u, v);
            return;
        }
        if (!first && set_has(c, es_edge_key(u, v)))
            return;
    } else if (j == 0) {
        /* The one at level 0 joins the other's sampled singleton. */
        if (lu == 0)
            join(c, u, v, 1);
        else
            join(c, v, u, 1);
        keep(c, u, v);
        return;
    }
    /* Levels 1 .. j-1: the witnesses an earlier edge may have left. */
    for (unsigned x = 1; x < j; x++) {
        const uint32_t cu = centre(c, u, x), cv = centre(c, v, x);
        if (cu == cv || (S[cv] == x && set_has(c, rkey(u, cv))) || (S[cu] == x && set_has(c, rkey(v, cu))))
            return;
    }
    const uint32_t cu = centre(c, u, j), cv = centre(c, v, j);
    if (cu == cv)
        return;
    if (j + 1 < c->k) {
        if (S[cv] > j) {          /* then lu == j < lv */
            join(c, u, cv, j + 1);
            keep(c, u, v);
            return;
        }
        if (S[cu] > j) {
            join(c, v, cu, j + 1);
            keep(c, u, v);
            return;
        }
    }
    /* a: an endpoint at level j; b: the other. */
    const uint32_t a = lu == j ? u : v, b = lu == j ? v : u, ca = lu == j ? cu : cv, cb = lu == j ? cv : cu;
    if (set_has(c, rkey(b, ca)))
        return;
    if (set_add(c, rkey(a, cb), TRUE))
        keep(c, u, v);
}

/* The level-0 record of every kept edge between unsampled vertices (for
 * k = 1, of every kept edge).  An edge kept at a higher level gets one it
 * did not have, which drops nothing but its own repeats, as the run does. */
static void add_level0_records(es_spanner_cluster *c)
{
    for (size_t i = 0; i < c->nkept; i++) {
        const uint32_t u = (uint32_t)(c->kept[i] >> 32), v = (uint32_t)c->kept[i];
        if (c->k == 1 || (c->sampled[u] == 0 && c->sampled[v] == 0))
            set_add(c, c->kept[i], FALSE);
    }
}

void es_spanner_cluster_add(es_spanner_cluster *c, const es_edge *e, const uint8_t *change, size_t n, uint32_t nv)
{
    grow_vertices(c, nv);
    if (n > 0 && change == NULL && !c->unfiltered) {
        /* Answers no more: the set must tell repeats from now on. */
        c->unfiltered = TRUE;
        if (c->level0_missing)
            add_level0_records(c);
        c->level0_missing = FALSE;
    }
    if (!c->unfiltered) {
        c->level0_missing = TRUE;
        /* The table's answers from the first edge on: a repeat (or an
         * inserted self-loop) is dropped here, as the clustering would drop
         * it, and the level-0 records are never made. */
        for (size_t i = 0; i < n; i++) {
            if (i + PREFETCH < n) {
                const es_edge f = e[i + PREFETCH];
                __builtin_prefetch(&c->level[f.u]);
                __builtin_prefetch(&c->level[f.v]);
                __builtin_prefetch(&c->sampled[f.u]);
                __builtin_prefetch(&c->sampled[f.v]);
            }
            if (change[i] == ES_EDGE_APPEARS) {
                add_edge(c, e[i].u, e[i].v, TRUE);
            } else if (e[i].u == e[i].v) {
                c->loops++;
            } else {
                g_assert(change[i] == ES_EDGE_SEEN);
                c->offered++;
            }
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH < n) {
            /* The slot most edges probe: their level-0 record. */
            const es_edge f = e[i + PREFETCH];
            __builtin_prefetch(&c->set[slot_of(c, es_edge_key(f.u, f.v))]);
            __builtin_prefetch(&c->level[f.u]);
            __builtin_prefetch(&c->level[f.v]);
            __builtin_prefetch(&c->sampled[f.u]);
            __builtin_prefetch(&c->sampled[f.v]);
        }
        add_edge(c, e[i].u, e[i].v, FALSE);
    }
}

/* ---- answers ----------------------------------------------------------- */

const uint64_t *es_spanner_cluster_kept(const es_spanner_cluster *c, size_t *n)
{
    *n = c->nkept;
    return c->kept;
}

uint64_t es_spanner_cluster_offered(const es_spanner_cluster *c)
{
    return c->offered;
}

uint64_t es_spanner_cluster_loops(const es_spanner_cluster *c)
{
    return c->loops;
}

uint32_t es_spanner_cluster_vertices(const es_spanner_cluster *c)
{
    return c->nv;
}

double es_spanner_cluster_size_bound(const es_spanner_cluster *c)
{
    const double n = c->nv, k = c->k;
    return n * ((k - 1) * (1 / c->p + 1) + n * pow(c->p, k - 1));
}

void es_spanner_cluster_levels(const es_spanner_cluster *c, uint64_t *out)
{
    memset(out, 0, c->k * sizeof(uint64_t));
    for (uint32_t v = 0; v < c->nv; v++)
        out[c->level[v]]++;
}

/* ---- snapshot ------------------------------------------------------------
 * Layout: README.md ("Snapshots", spanner with method=baswana). */

void es_spanner_cluster_prepare(es_spanner_cluster *c)
{
    const size_t nclu = (size_t)c->nv * (c->k - 1);
    es_shadow_copy((void **)&c->f.level, &c->f_level_cap, c->level, c->nv);
    es_shadow_copy((void **)&c->f.clu, &c->f_clu_cap, c->clu, nclu * sizeof(uint32_t));
    c->f = (cluster_snap){ c->seed, c->expected, c->nv, c->nkept, c->offered, c->loops, c->nrec, nclu, c->f.level,
                           c->f.clu, c->kept, c->rec };
}

static const es_field cluster_fields[] = {
    ES_ATTR(cluster_snap, seed, "seed", .flags = ES_FIELD_PARAM),
    ES_ATTR(cluster_snap, expected, "expected_vertices", .flags = ES_FIELD_PARAM),
    ES_ATTR(cluster_snap, nv, "vertices", .max = UINT32_MAX - 1),
    ES_ATTR(cluster_snap, nkept, "edges"),
    ES_ATTR(cluster_snap, seen, "edges_seen"),
    ES_ATTR(cluster_snap, loops, "self_loops"),
    ES_ATTR(cluster_snap, nrec, "records"),
    ES_ARRAY(ES_FIELD_U8S, cluster_snap, level, nv, "level"),
    ES_ARRAY(ES_FIELD_U32S, cluster_snap, clu, nclu, "clusters"),
    ES_ARRAY(ES_FIELD_LOG_U64, cluster_snap, kept, nkept, "kept_keys"),
    ES_ARRAY(ES_FIELD_LOG_U64, cluster_snap, rec, nrec, "record_keys"),
};

gboolean es_spanner_cluster_write(es_spanner_cluster *c, es_snapshot_writer *w, GError **error)
{
    return ES_FIELDS_WRITE(w, cluster_fields, 0, &c->f, error);
}

static gboolean bad(GError **error, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean bad(GError **error, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: snapshot %s", name, msg);
    return FALSE;
}

/* Whether the memberships in level/clu are ones this algorithm can reach
 * from the sampled levels: v at a level in L(v) .. k-1, in its own cluster
 * up to L(v), in a centre's cluster (L(centre) >= x) at each level x up
 * to its level, in none above. */
static gboolean check_clusters(const es_spanner_cluster *c, const uint8_t *level, const uint32_t *clu,
                               const char *name, GError **error)
{
    const unsigned w = c->k - 1;
    for (uint32_t v = 0; v < c->nv; v++) {
        if (level[v] < c->sampled[v] || level[v] >= c->k)
            return bad(error, name, "dataset \"level\": vertex %u has level %u, outside %u .. %u", v, level[v],
                       c->sampled[v], c->k - 1);
        for (unsigned x = 1; x <= w; x++) {
            const uint32_t ctr = clu[(size_t)v * w + x - 1];
            const gboolean ok = x > level[v] ? ctr == NONE
                              : x <= c->sampled[v] ? ctr == v
                              : ctr < c->nv && c->sampled[ctr] >= x && level[ctr] >= x;
            if (!ok)
                return bad(error, name, "dataset \"clusters\": vertex %u at level %u has centre %u at level %u",
                           v, level[v], ctr, x);
        }
    }
    return TRUE;
}

gboolean es_spanner_cluster_read(es_spanner_cluster *c, hid_t g, const char *name, GError **error)
{
    cluster_snap s = { .seed = c->seed, .expected = c->expected };
    es_spanner_cluster *t = NULL, *dup = NULL;
    gboolean ok = FALSE;
    if (!ES_FIELDS_READ(g, cluster_fields, 0, &s, error)) {
        g_prefix_error(error, "%s: ", name);
        goto out;
    }
    const uint64_t nv = s.nv;
    if (s.nkept > s.seen || s.nrec > s.seen) {
        bad(error, name, "attributes \"edges\" (%" G_GUINT64_FORMAT ") or \"records\" (%" G_GUINT64_FORMAT
            ") exceed \"edges_seen\" (%" G_GUINT64_FORMAT ")", (guint64)s.nkept, (guint64)s.nrec, (guint64)s.seen);
        goto out;
    }
    if (s.nclu != nv * (c->k - 1)) {
        bad(error, name, "dataset \"clusters\" has %" G_GUINT64_FORMAT " elements, expected %" G_GUINT64_FORMAT
            " (attribute \"vertices\" times k-1)", (guint64)s.nclu, (guint64)(nv * (c->k - 1)));
        goto out;
    }
    t = es_spanner_cluster_new(c->k, c->seed, c->expected);
    grow_vertices(t, (uint32_t)nv);
    if (!check_clusters(t, s.level, s.clu, name, error))
        goto out;
    if (nv)
        memcpy(t->level, s.level, nv);
    if (s.nclu)
        memcpy(t->clu, s.clu, s.nclu * sizeof(uint32_t));
    for (size_t i = 0; i < s.nrec; i++) {
        const uint32_t a = (uint32_t)(s.rec[i] >> 32), ctr = (uint32_t)s.rec[i];
        const char *why = a >= nv || ctr >= nv || a == ctr || t->sampled[ctr] == 0 ? "is not a vertex and a centre"
                        : !set_add(t, s.rec[i], TRUE) ? "repeats an earlier key" : NULL;
        if (why) {
            bad(error, name, "dataset \"record_keys\": key %zu (%u, %u) %s", i, a, ctr, why);
            goto out;
        }
    }
    /* Kept keys: distinct edges u < v (checked with a set of their own). */
    dup = es_spanner_cluster_new(1, 0, 1);
    for (size_t i = 0; i < s.nkept; i++) {
        const uint32_t u = (uint32_t)(s.kept[i] >> 32), v = (uint32_t)s.kept[i];
        const char *why = u >= v ? "does not have u < v" : v >= nv ? "is not an edge between vertices"
                        : !set_add(dup, s.kept[i], FALSE) ? "repeats an earlier key" : NULL;
        if (why) {
            bad(error, name, "dataset \"kept_keys\": key %zu (u %u, v %u) %s", i, u, v, why);
            goto out;
        }
        keep(t, u, v);
    }
    add_level0_records(t);
    t->offered = s.seen;
    t->loops = s.loops;
    /* The level-0 records are back; the table restored beside may hold
     * fewer pairs than the run saw (one started mid-run), so keep them. */
    t->unfiltered = TRUE;
    /* Swap t's state into c (c keeps its frozen copies). */
    es_spanner_cluster tmp = *c;
    *c = *t;
    c->f = tmp.f;
    c->f_level_cap = tmp.f_level_cap;
    c->f_clu_cap = tmp.f_clu_cap;
    *t = tmp;
    t->f = (cluster_snap){ 0 };
    t->f_level_cap = t->f_clu_cap = 0;
    ok = TRUE;
out:
    es_spanner_cluster_free(t);
    es_spanner_cluster_free(dup);
    ES_FIELDS_CLEAR(cluster_fields, 0, &s);
    return ok;
}
