/* tri_est.c — the "tri-est" operator: estimates of the global and
 * per-vertex triangle counts of the graph seen so far, from a sample of m
 * of its edges, by one of three estimators (option method=):
 *
 *   impr  TRIÈST-IMPR (De Stefani, Epasto, Riondato & Upfal, KDD 2016) on
 *         the edge reservoir of operators/edge_reservoir.c: the t-th
 *         accepted edge (u, v), before it is offered to the sample, adds
 *         eta(t) = max(1, (t-1)(t-2) / (m(m-1))) per common neighbour c in
 *         the sample to the global count and to u, v and c.
 *   wrs   waiting-room sampling (Shin, ICDM 2017): the newest room*m edges
 *         in a FIFO, kept for certain; a reservoir over the older ones;
 *         each closed triangle adds 1 / P(its wedge sampled).
 *   gps   graph priority sampling, in-stream estimation (Ahmed, Duffield,
 *         Willke & Rossi, PVLDB 2017): weight 9 (triangles closed) + 1,
 *         priority weight / U, the m highest kept; each closed triangle
 *         adds 1 / (q_a q_b), q = min(1, weight / threshold).
 *   thinkd ThinkD-ACC (Shin, Kim, Hooi & Faloutsos, PKDD 2018), the
 *         default under deletions: a random-pairing sample (Gemulla et
 *         al., VLDB 2006) of at most m present edges; before the sample
 *         changes, each triangle an appearance makes (a disappearance
 *         breaks) with two sampled edges adds +1/p (-1/p), p = P(both
 *         sampled) = y(y-1) / (N(N-1)), N = edges + pending deletions,
 *         y = min(m, N).
 *   triest-fd TRIEST-FD (De Stefani et al., KDD 2016), the baseline: the
 *         same sample's triangles, scaled when reported.
 *
 * Self-loops and repeats of sampled edges are dropped; dedup=1|0|auto
 * decides about other repeats (auto: the run's edge table if it keeps one,
 * else an exact set of its own over a probation of 8 m accepted edges,
 * then a watch for the repeats the sample catches).  Estimators, dedup modes, the variance
 * bound (impr) and variance estimate (wrs, gps) behind "stddev":
 * docs/tri-est.md; the methods measured side by side: bench/RESULTS.md.
 *
 * Cost per accepted edge: O(min(du, dv)) expected for the intersection in
 * the sample, O(1) per triangle found, and the sample's update: O(1)
 * (impr, wrs: one or two slot changes) or O(log m) (gps: a heap of
 * priorities).  thinkd, triest-fd, per appearance or disappearance: the
 * same intersection (triest-fd only when the sample changes, then also
 * for the edge it evicts), O(1) per triangle, O(1) for the sample; a
 * disappearance first finds its slot (O(log d) or a hash probe).  Memory: about 40 bytes per sampled edge (64 for gps:
 * its weight, priority and heap positions; es_tri_est_sample_memory), 16
 * per vertex id (24 with local=1, 32 with top=K); the exact repeat test is
 * the run's edge table's (graph/edgetable.h), and dedup=auto's probation
 * set holds at most 8 m keys.  One thread: each decision
 * depends on the one before; thinkd asks its queries ahead on every
 * thread, a block of lines at a time, and trusts the answers that no
 * change since could alter (operators/sample_ahead.h); a batch of
 * expiries at once, its removals from the sample deferred to its end.
 * Guarantee: unbiased, exact while t <= m + 1, bit-identical answers for
 * any batch size, thread count or resume (sums taken in stream and vertex
 * order; the sample graph is rebuilt from its slots).
 *
 * copies=C: C independent copies, seeds seed + c, the answers their mean
 * (variance / C; docs/tri-est.md), each copy in the snapshot; MPI ranks
 * each run a range of them (mpi/tri_est_mpi.h).
 */
#include "operators/tri_est.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "operators/sample_ahead.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

#define DEFAULT_M 100000
#define DEFAULT_METHOD ES_TRI_EST_IMPR
#define MAX_TOP   1000
#define MAX_COPIES 1024
/* dedup=auto watches the first AUTO_PROBATION * m accepted edges with an
 * exact set (docs/tri-est.md, "Which edges are accepted"). */
#define AUTO_PROBATION 8

#define UNKNOWN_EXT UINT64_MAX

typedef enum { DEDUP_OFF, DEDUP_ON, DEDUP_AUTO } dedup_mode;
static const char *const method_names[] = { "impr", "wrs", "gps", "thinkd", "triest-fd" };
#define N_METHODS 5

/* The methods that fold disappearances (random pairing). */
static inline gboolean is_dynamic(es_tri_est_method m)
{
    return m == ES_TRI_EST_THINKD || m == ES_TRI_EST_FD;
}

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The state (its arrays pointing to the operator's copies, local NULL:
 * lv and lx instead, ext NULL: /idmap/external_ids), the options, and the
 * probe's keys (te_fields, below). */
typedef struct {
    es_tri_est_state st;
    uint64_t  m, local, top, room, copies, probing, nrng, nprobe, nlocal;
    char     *dedup, *method;
    uint64_t *rng, *probe_keys;
    uint32_t *lv;    /* the local counters that are not 0, ascending by vertex: most are 0 */
    double   *lx;    /* (97% of 0.58 M vertices at m = 100 000 on R-MAT scale 20) */
} te_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct tri_est_op {
    es_operator base;
    uint32_t m;
    uint32_t top;
    gboolean local;
    dedup_mode dedup;

    es_tri_est_method method;
    gboolean method_given; /* method= was in the spec (else: impr, thinkd under deletions) */
    uint64_t changes;      /* thinkd, triest-fd: appearances and disappearances folded */
    uint64_t rp_edges;     /* thinkd, triest-fd: edges in the graph now */
    uint64_t rp_nb, rp_ng; /* random pairing: uncompensated deletions of sampled edges, of others */
    uint32_t room;         /* wrs: waiting-room slots 0 .. room-1; the reservoir has the rest */
    double   room_frac;
    es_sampler rs;         /* wrs: Algorithm R over the edges leaving the waiting room;
                              gps: its generator draws the priorities */
    double   var_sum;      /* wrs, gps: sum over counted triangles of S(S-1) */
    double   z;            /* gps: the threshold, the largest priority discarded */
    double  *ew, *prio;    /* gps: per slot, the edge's weight and priority */
    uint32_t *heap, *hpos; /* gps: slots in a min-heap by (priority, slot); hpos: slot -> heap index */
    size_t   g_cap;        /* gps: entries allocated in ew, prio, heap, hpos */

    es_edge_reservoir *res;
    es_sample_ahead *ahead; /* thinkd: queries asked ahead (NULL: never asked yet) */
    /* thinkd: fold_expiries's scratch: per line its answers; a bit per
     * slot whose edge an earlier line of the batch took out; those
     * removals, deferred to the batch's end (handles and ends) */
    uint8_t  *x_has;
    uint32_t *x_handle;
    size_t    x_cap;
    uint64_t *x_gone;
    size_t    x_gone_words;
    uint32_t *x_rm_h;
    es_edge  *x_rm_e;
    size_t    x_rm_cap;
    double   tau;          /* global estimate */
    double   pairs;        /* r^: pairs of triangles sharing a wedge edge */
    double  *w;            /* per slot: see the header comment */
    size_t   w_cap;
    double  *loc;          /* per vertex (local=1) */
    uint64_t *ext;         /* per vertex external id (top > 0) */
    size_t   vcap;         /* entries allocated in ext (and at least in loc) */
    size_t   loc_cap;      /* entries allocated in loc: 2 MiB at least (kept from children) */
    uint32_t nv;           /* vertices seen */
    uint64_t self_loops, duplicates;

    gboolean exact;        /* the exact repeat test (the edge table's answers) is on */
    es_edgetable *probe;   /* dedup=auto on probation: every distinct edge accepted so far;
                              after a late repeat: the sample's edges then and every one
                              since (the operator's own set, never the run's table: it
                              does not hold every distinct edge) */
    gboolean late;         /* dedup=auto: the exact test started after a repeat came
                              past the probation (earlier repeats may have counted) */
    uint8_t    *is_new;    /* the answers of a table started mid-batch, or of the probe */
    size_t      is_new_cap;

    /* Copies at the last snapshot barrier of what later batches overwrite;
     * caps in bytes. */
    es_edge  *f_slots;
    double   *f_w, *f_ew, *f_prio;
    size_t    f_slots_cap, f_w_cap, f_ew_cap, f_prio_cap;
    /* The state at the barrier: its slots and weights point to f_slots
     * and f_w, its ext is NULL (the id map's names the vertices); f.lv,
     * f.lx and f.probe_keys are copies (probation may end, and the probe be freed, while a writer
     * reads them). */
    te_snap   f;
    size_t    f_lv_cap, f_lx_cap, f_probe_cap;

    /* copies=C > 1: copies 1 .. C-1 of the estimator (seeds seed + c,
     * the same options but top=0: the top list is the mean's), this one
     * copy 0; the copies in [own_lo, own_hi) are folded here (all of them
     * but on MPI ranks, each of which runs its range: mpi/tri_est_mpi.h). */
    uint32_t ncopies;
    struct tri_est_op **kids;   /* ncopies - 1 */
    uint32_t own_lo, own_hi;
    double  *mean_loc;          /* the copies' mean local estimates, for the top list */
    size_t   mean_loc_cap;
    /* The copies past own_hi given by their figures (es_tri_est_give_copy:
     * an MPI run's rank 0 at a report): given_fig, 3 per copy;
     * given_loc, per vertex, the sum of every copy's local estimate in
     * copy order; given_next, the next copy expected (ncopies: all given,
     * 0: none, since the last fold or state set). */
    double  *given_fig, *given_loc;
    size_t   given_loc_cap;
    uint32_t given_next;
    /* Where a snapshot takes the copies outside [own_lo, own_hi) from
     * (es_tri_est_set_copy_source), or NULL: their state here. */
    es_tri_est_fetch_fn fetch;
    void    *fetch_user;
} tri_est_op;

static tri_est_op *make(int method, gboolean method_given, double room, uint64_t m, uint64_t seed, uint64_t local,
                        uint64_t top, dedup_mode dedup);

static void tri_est_destroy(es_operator *op)
{
    tri_est_op *te = (tri_est_op *)op;
    es_edge_reservoir_free(te->res);
    es_sample_ahead_free(te->ahead);
    g_free(te->x_has);
    g_free(te->x_handle);
    g_free(te->x_gone);
    g_free(te->x_rm_h);
    g_free(te->x_rm_e);
    es_big_free(te->w, te->w_cap * sizeof(double));
    es_big_free(te->loc, te->loc_cap * sizeof(double));
    es_big_free(te->ext, te->vcap * sizeof(uint64_t));
    es_big_free(te->is_new, te->is_new_cap);
    es_edgetable_free(te->probe);
    es_big_free(te->f.probe_keys, te->f_probe_cap);
    es_big_free(te->f_slots, te->f_slots_cap);
    es_big_free(te->f_w, te->f_w_cap);
    es_big_free(te->f.lv, te->f_lv_cap);
    es_big_free(te->f.lx, te->f_lx_cap);
    es_big_free(te->ew, te->g_cap * sizeof(double));
    es_big_free(te->prio, te->g_cap * sizeof(double));
    es_big_free(te->heap, te->g_cap * sizeof(uint32_t));
    es_big_free(te->hpos, te->g_cap * sizeof(uint32_t));
    es_big_free(te->f_ew, te->f_ew_cap);
    es_big_free(te->f_prio, te->f_prio_cap);
    for (uint32_t c = 1; c < te->ncopies; c++)
        tri_est_destroy(&te->kids[c - 1]->base);
    g_free(te->kids);
    es_big_free(te->mean_loc, te->mean_loc_cap * sizeof(double));
    g_free(te->given_fig);
    es_big_free(te->given_loc, te->given_loc_cap * sizeof(double));
    g_free(te);
}

static es_operator *tri_est_create(es_options *opts_c, GError **error)
{
    es_options *opts = opts_c;
    uint64_t m, seed, top, local;
    double room = 0.1;
    const char *dedup_s, *method_s;
    /* The canonical spec names the method only when it is not the
     * default, which a stream with deletions resolves to thinkd: a window
     * rebuilding the operator from it, or a tool reading a snapshot,
     * resolves it as the run did.  (method=impr written out refuses a
     * stream with deletions at its first batch, so its canonical spec
     * never meets one.) */
    const gboolean given = es_options_given(opts, "method");
    if (!es_options_get_u64(opts, "m", DEFAULT_M, 2, ES_RESERVOIR_MAX_M, &m, error) ||
        !es_options_get_string_sparse(opts, "method", method_names[DEFAULT_METHOD], &method_s, error))
        return NULL;
    int method = -1;
    for (int i = 0; i < N_METHODS; i++)
        if (strcmp(method_s, method_names[i]) == 0)
            method = i;
    if (method < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "%s: method must be impr, wrs, gps, thinkd or triest-fd, got \"%s\"", es_options_op(opts),
                    method_s);
        return NULL;
    }
    if (method == ES_TRI_EST_WRS && !es_options_get_double(opts, "room", 0.1, 0.0, 1.0, &room, error))
        return NULL;
    if (!es_options_get_u64(opts, "seed", 1, 0, UINT64_MAX, &seed, error) ||
        !es_options_get_u64(opts, "local", 1, 0, 1, &local, error) ||
        !es_options_get_u64(opts, "top", local ? 10 : 0, 0, MAX_TOP, &top, error) ||
        !es_options_get_string(opts, "dedup", "auto", &dedup_s, error))
        return NULL;
    dedup_mode dedup;
    if (strcmp(dedup_s, "0") == 0)
        dedup = DEDUP_OFF;
    else if (strcmp(dedup_s, "1") == 0)
        dedup = DEDUP_ON;
    else if (strcmp(dedup_s, "auto") == 0)
        dedup = DEDUP_AUTO;
    else {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: dedup must be 0, 1 or auto, got \"%s\"",
                    es_options_op(opts), dedup_s);
        return NULL;
    }
    if (top > 0 && !local) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: top=%" G_GUINT64_FORMAT " needs local=1",
                    es_options_op(opts), (guint64)top);
        return NULL;
    }
    uint64_t copies;
    if (!es_options_get_u64_sparse(opts, "copies", 1, 1, MAX_COPIES, &copies, error))
        return NULL;
    if (copies > 1 && is_dynamic((es_tri_est_method)method)) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: copies=%" G_GUINT64_FORMAT " needs an insert-only method"
                    " (impr, wrs or gps)", es_options_op(opts), (guint64)copies);
        return NULL;
    }
    if (copies > 1 && dedup == DEDUP_AUTO)
        dedup = DEDUP_ON;   /* one exact repeat test, the run's table, serves every copy */
    tri_est_op *te = make(method, given, room, m, seed, local, top, dedup);
    if (copies > 1) {
        te->ncopies = (uint32_t)copies;
        te->kids = g_new(tri_est_op *, copies - 1);
        for (uint32_t c = 1; c < copies; c++)
            te->kids[c - 1] = make(method, TRUE, room, m, seed + c, local, 0, dedup);
    }
    te->own_lo = 0;
    te->own_hi = MAX(te->ncopies, 1);
    return &te->base;
}

/* One estimator (a copy), from parsed options. */
static tri_est_op *make(int method, gboolean method_given, double room, uint64_t m, uint64_t seed, uint64_t local,
                        uint64_t top, dedup_mode dedup)
{
    tri_est_op *te = g_new0(tri_est_op, 1);
    te->base.klass = &es_tri_est_class;
    te->method = (es_tri_est_method)method;
    te->method_given = method_given;
    te->room_frac = room;
    if (method == ES_TRI_EST_WRS) {
        /* At least one slot on either side. */
        double r = room * (double)m + 0.5;
        te->room = r < 1 ? 1 : r > (double)(m - 1) ? (uint32_t)(m - 1) : (uint32_t)r;
        es_sampler_init(&te->rs, (uint32_t)m - te->room, seed);
    } else {
        es_sampler_init(&te->rs, (uint32_t)m, seed);
    }
    te->m = (uint32_t)m;
    te->top = (uint32_t)top;
    te->local = local != 0;
    te->dedup = dedup;
    te->res = es_edge_reservoir_new(te->m, seed);
    if (is_dynamic(te->method))
        te->dedup = DEDUP_ON;   /* they read the run's table: appearances, disappearances */
    te->exact = te->dedup == DEDUP_ON;
    return te;
}

static void grow_vertices(tri_est_op *te, uint32_t n)
{
    if (n <= te->nv)
        return;
    es_edge_reservoir_grow_vertices(te->res, n);
    if (n > te->vcap && (te->local || te->top)) {
        size_t cap = es_grow_cap(te->vcap, n);
        if (te->local && cap > te->loc_cap) {
            te->loc = es_big_realloc(te->loc, te->loc_cap * sizeof(double), cap * sizeof(double));
            te->loc_cap = cap;
        }
        if (te->top)
            te->ext = es_big_realloc(te->ext, te->vcap * sizeof(uint64_t), cap * sizeof(uint64_t));
        te->vcap = cap;
    }
    if (te->top)
        for (uint32_t v = te->nv; v < n; v++)
            te->ext[v] = UNKNOWN_EXT;
    te->nv = n;
}

/* eta(t) for the t-th accepted edge, n = t - 1 edges before it. */
static inline double eta_of(uint64_t n, uint32_t m)
{
    if (n <= m)
        return 1.0;
    return ((double)n / m) * ((double)(n - 1) / (m - 1));
}

/* Credit the k triangles that edge (u, v), the (n+1)-th accepted, closes
 * with the sample. */
static void count_triangles(tri_est_op *te, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k,
                            uint64_t n)
{
    const double eta = eta_of(n, te->m);
    const double wt = n <= te->m ? eta : eta * ((double)te->m / (double)n);
    te->tau += (double)k * eta;
    double *w = te->w;
    double pair_sum = 0.0;
    for (size_t i = 0; i < k; i++) {
        pair_sum += w[cn[i].slot_u] + w[cn[i].slot_v];
        w[cn[i].slot_u] += wt;
        w[cn[i].slot_v] += wt;
    }
    te->pairs += eta * pair_sum;
    if (te->local) {
        double *loc = te->loc;
        loc[u] += (double)k * eta;
        loc[v] += (double)k * eta;
        for (size_t i = 0; i < k; i++)
            loc[cn[i].c] += eta;
    }
}

static void closed_hook(void *user, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k, uint64_t t)
{
    count_triangles(user, u, v, cn, k, t - 1);
}

/* A new edge in `slot`: no triangle has counted it in its wedge yet. */
static void stored_hook(void *user, uint32_t slot)
{
    tri_est_op *te = user;
    if (slot >= te->w_cap) {
        size_t cap = es_grow_cap(te->w_cap, (size_t)slot + 1);
        if (cap > te->m)
            cap = te->m;
        te->w = es_big_realloc(te->w, te->w_cap * sizeof(double), cap * sizeof(double));
        te->w_cap = cap;
    }
    te->w[slot] = 0.0;
}


/* ---- WRS and GPS ---------------------------------------------------------
 * Both count, for the edge (u, v) about to be inserted, every triangle it
 * closes with two sampled edges, each weighted by S = 1 / P(both wedge
 * edges sampled) (Horvitz-Thompson), then insert it under their own
 * policy.  var_sum and pairs give the variance estimate (docs/tri-est.md). */

/* Edges accepted so far, whatever the method (the shared loop counts them;
 * thinkd, triest-fd: appearances and disappearances). */
static inline uint64_t accepted(const tri_est_op *te)
{
    return te->method == ES_TRI_EST_THINKD || te->method == ES_TRI_EST_FD ? te->changes
                                                                          : es_edge_reservoir_offered(te->res);
}

/* One triangle of weight S through u, v, c whose sampled wedge edges in
 * slots a, b are uncertain with inclusion probabilities qa, qb (1: certain). */
static inline void count_signed(tri_est_op *te, double sign, uint32_t u, uint32_t v, uint32_t c, uint32_t a,
                                double qa, uint32_t b, double qb)
{
    const double S = 1.0 / (qa * qb), x = sign * S;
    double *w = te->w;
    te->tau += x;
    te->var_sum += S * (S - 1.0);
    if (qa < 1.0) {
        te->pairs += x * w[a];
        w[a] += x * (1.0 - qa);
    }
    if (qb < 1.0) {
        te->pairs += x * w[b];
        w[b] += x * (1.0 - qb);
    }
    if (te->local) {
        te->loc[u] += x;
        te->loc[v] += x;
        te->loc[c] += x;
    }
}

static inline void count_one(tri_est_op *te, uint32_t u, uint32_t v, uint32_t c, uint32_t a, double qa, uint32_t b,
                             double qb)
{
    count_signed(te, 1.0, u, v, c, a, qa, b, qb);
}

/* WRS: slots below room are the waiting room (certain), the others the
 * reservoir, a uniform sample of mr of the nr edges that left the room. */
static void wrs_closed_hook(void *user, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k, uint64_t t)
{
    (void)t;
    tri_est_op *te = user;
    const uint64_t nr = te->rs.t;
    const uint32_t mr = te->rs.m, room = te->room;
    const double q1 = nr <= mr ? 1.0 : (double)mr / (double)nr;
    /* both in the reservoir: an m_r-subset holds two given edges with this */
    const double q2 = nr <= mr ? 1.0 : q1 * ((double)(mr - 1) / (double)(nr - 1));
    for (size_t i = 0; i < k; i++) {
        const gboolean ra = cn[i].slot_u >= room, rb = cn[i].slot_v >= room;
        if (ra && rb)
            /* the pair's joint probability, split so that each edge's
             * term uses its own marginal for the covariance weights */
            count_one(te, u, v, cn[i].c, cn[i].slot_u, q1, cn[i].slot_v, q2 / q1);
        else
            count_one(te, u, v, cn[i].c, cn[i].slot_u, ra ? q1 : 1.0, cn[i].slot_v, rb ? q1 : 1.0);
    }
}

/* The t1-th accepted edge enters the room. */
static void wrs_insert_hook(void *user, uint32_t u, uint32_t v, size_t k, uint64_t t1)
{
    (void)k;
    tri_est_op *te = user;
    const uint64_t t = t1 - 1;
    if (t < te->room) {
        es_edge_reservoir_put(te->res, (uint32_t)t, u, v, NULL);
        return;
    }
    /* The oldest edge of the room leaves it for the reservoir's draw. */
    const uint32_t pos = (uint32_t)(t % te->room);
    es_edge old;
    es_edge_reservoir_put(te->res, pos, u, v, &old);
    const uint32_t s = es_sampler_offer(&te->rs);
    if (s != ES_SAMPLER_SKIP) {
        es_edge_reservoir_put(te->res, te->room + s, old.u, old.v, NULL);
        stored_hook(te, te->room + s);
    }
}

static inline double gps_q(const tri_est_op *te, uint32_t slot)
{
    return te->z <= 0.0 || te->ew[slot] >= te->z ? 1.0 : te->ew[slot] / te->z;
}

static void gps_closed_hook(void *user, uint32_t u, uint32_t v, const es_common_nbr *cn, size_t k, uint64_t t)
{
    (void)t;
    tri_est_op *te = user;
    for (size_t i = 0; i < k; i++)
        count_one(te, u, v, cn[i].c, cn[i].slot_u, gps_q(te, cn[i].slot_u), cn[i].slot_v, gps_q(te, cn[i].slot_v));
}

/* Heap order: smaller priority first, then smaller slot (so that equal
 * priorities, however unlikely, leave in an order the snapshot restores). */
static inline gboolean gps_before(const tri_est_op *te, uint32_t a, uint32_t b)
{
    return te->prio[a] < te->prio[b] || (te->prio[a] == te->prio[b] && a < b);
}

static void gps_sift_up(tri_est_op *te, uint32_t i)
{
    uint32_t *h = te->heap;
    const uint32_t x = h[i];
    while (i > 0 && gps_before(te, x, h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        te->hpos[h[i]] = i;
        i = (i - 1) / 2;
    }
    h[i] = x;
    te->hpos[x] = i;
}

static void gps_sift_down(tri_est_op *te, uint32_t i, uint32_t n)
{
    uint32_t *h = te->heap;
    const uint32_t x = h[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && gps_before(te, h[c + 1], h[c]))
            c++;
        if (!gps_before(te, h[c], x))
            break;
        h[i] = h[c];
        te->hpos[h[i]] = i;
        i = c;
    }
    h[i] = x;
    te->hpos[x] = i;
}

static void gps_room(tri_est_op *te, size_t need)
{
    if (need <= te->g_cap)
        return;
    size_t cap = es_grow_cap(te->g_cap, need);
    if (cap > te->m)
        cap = te->m;
    te->ew = es_big_realloc(te->ew, te->g_cap * sizeof(double), cap * sizeof(double));
    te->prio = es_big_realloc(te->prio, te->g_cap * sizeof(double), cap * sizeof(double));
    te->heap = es_big_realloc(te->heap, te->g_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
    te->hpos = es_big_realloc(te->hpos, te->g_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
    te->g_cap = cap;
}

/* GPS (Ahmed, Duffield, Willke & Rossi): weight 9 k + 1 for an edge that
 * closes k sampled triangles, priority weight / U with U uniform in (0, 1];
 * the m largest priorities stay; z is the largest one that left. */
static void gps_insert_hook(void *user, uint32_t u, uint32_t v, size_t k, uint64_t t)
{
    (void)t;
    tri_est_op *te = user;
    const double wt = 9.0 * (double)k + 1.0;
    const double U = (double)((es_rng_next(&te->rs.rng) >> 11) + 1) * 0x1.0p-53;
    const double r = wt / U;
    const uint32_t size = es_edge_reservoir_size(te->res);
    uint32_t slot;
    if (size < te->m) {
        slot = size;
        gps_room(te, (size_t)slot + 1);
        es_edge_reservoir_put(te->res, slot, u, v, NULL);
        te->ew[slot] = wt;
        te->prio[slot] = r;
        te->heap[slot] = slot;
        gps_sift_up(te, slot);
    } else {
        slot = te->heap[0];
        if (r < te->prio[slot]) {
            if (r > te->z)
                te->z = r;
            return;
        }
        if (te->prio[slot] > te->z)
            te->z = te->prio[slot];
        es_edge_reservoir_put(te->res, slot, u, v, NULL);
        te->ew[slot] = wt;
        te->prio[slot] = r;
        gps_sift_down(te, 0, size);
    }
    stored_hook(te, slot);
}

/* Each method's part of the one loop (es_edge_reservoir_offer_batch). */
static const es_edge_reservoir_hooks method_hooks[] = {
    [ES_TRI_EST_IMPR] = { closed_hook, stored_hook, NULL },
    [ES_TRI_EST_WRS] = { wrs_closed_hook, NULL, wrs_insert_hook },
    [ES_TRI_EST_GPS] = { gps_closed_hook, NULL, gps_insert_hook },
};

static size_t offer(tri_est_op *te, const es_edge *e, size_t n, const uint8_t *keep, uint64_t t_limit,
                    gboolean stop_at_repeat, es_offer_counts *counts)
{
    return es_edge_reservoir_offer_batch(te->res, e, n, keep, t_limit, stop_at_repeat, &method_hooks[te->method], te,
                                         counts);
}

/* Room for n answers in is_new. */
static uint8_t *answers(tri_est_op *te, size_t n)
{
    if (n > te->is_new_cap) {
        size_t cap = es_grow_cap(te->is_new_cap, n);
        te->is_new = es_big_realloc(te->is_new, te->is_new_cap, cap);
        te->is_new_cap = cap;
    }
    return te->is_new;
}

/* From now on drop every repeat the table t reports (its answers for the
 * rest of the batch are the caller's): t becomes the operator's own, which
 * the driver then adopts as the run's. */
static void start_exact(tri_est_op *te, es_edgetable *t)
{
    te->exact = TRUE;
    es_edgetable_free(te->base.own_edges);
    te->base.own_edges = t;
    te->base.edges = t;
}

/* dedup=auto, a repeat caught in the sample after a probation without
 * one: a set of the operator's own started from the sample (the distinct
 * edges it knows), with its answers for e[0, n), the rest of the batch. */
static const uint8_t *start_late_set(tri_est_op *te, const es_edge *e, size_t n)
{
    es_edge_reservoir_state st;
    es_edge_reservoir_get_state(te->res, &st);
    uint64_t *keys = g_new(uint64_t, st.size ? st.size : 1);
    for (uint32_t s = 0; s < st.size; s++)
        keys[s] = es_edge_key(st.slots[s].u, st.slots[s].v);
    es_edgetable *t = es_edgetable_new(TRUE, &es_log_memory_stable);
    gboolean ok = es_edgetable_add_keys(t, keys, st.size, te->nv, "tri-est sample", NULL);
    g_assert(ok);   /* a sample holds distinct edges, never a loop */
    g_free(keys);
    te->late = TRUE;
    te->probe = t;
    uint8_t *keep = answers(te, n);
    es_edgetable_apply(t, e, n, keep);
    return keep;
}

/* dedup=auto: accepted edges watched with an exact set before the
 * operator may go without one. */
static inline uint64_t probation_end(const tri_est_op *te)
{
    return (uint64_t)AUTO_PROBATION * te->m;
}

/* Fold e[0, n) under the repeat test dedup and the history call for;
 * change: the run table's answers, or NULL in a run without one. */
static void fold(tri_est_op *te, const es_edge *e, size_t n, const uint8_t *change, es_offer_counts *counts)
{
    size_t i = 0;
    if (te->dedup == DEDUP_AUTO && !te->exact && change != NULL) {
        /* The run keeps a table anyway: its answers cost nothing. */
        te->exact = TRUE;
        g_clear_pointer(&te->probe, es_edgetable_free);
    }
    while (i < n) {
        if (te->exact) {
            g_assert(change != NULL);
            offer(te, e + i, n - i, change + i, UINT64_MAX, FALSE, counts);
            return;
        }
        if (te->dedup == DEDUP_AUTO && te->probe == NULL && accepted(te) < probation_end(te))
            te->probe = es_edgetable_new(TRUE, &es_log_memory_stable);
        if (te->probe != NULL && te->late) {
            uint8_t *keep = answers(te, n - i);
            es_edgetable_apply(te->probe, e + i, n - i, keep);
            offer(te, e + i, n - i, keep, UINT64_MAX, FALSE, counts);
            return;
        }
        if (te->probe != NULL) {
            /* On probation: every repeat dropped, as with dedup=1. */
            uint8_t *keep = answers(te, n - i);
            es_edgetable_apply(te->probe, e + i, n - i, keep);
            const size_t used = offer(te, e + i, n - i, keep, probation_end(te), FALSE, counts);
            if (te->duplicates + counts->skipped + counts->in_sample > 0) {
                /* A repeat: the set stays, as the run's table. */
                start_exact(te, te->probe);
                te->probe = NULL;
                offer(te, e + i + used, n - i - used, keep + used, UINT64_MAX, FALSE, counts);
                return;
            }
            i += used;
            if (accepted(te) >= probation_end(te))
                g_clear_pointer(&te->probe, es_edgetable_free);
            continue;
        }
        /* dedup=0, or auto after a probation without repeats, watching
         * for the repeats the sample still catches. */
        const gboolean watch = te->dedup == DEDUP_AUTO;
        const uint64_t caught = counts->in_sample;
        i += offer(te, e + i, n - i, NULL, UINT64_MAX, watch, counts);
        if (watch && counts->in_sample > caught) {
            const uint8_t *keep = start_late_set(te, e + i, n - i);
            offer(te, e + i, n - i, keep, UINT64_MAX, FALSE, counts);
            return;
        }
    }
}

/* ---- ThinkD-ACC and TRIEST-FD: appearances and disappearances ------------
 * The sample is kept by random pairing (Gemulla, Lehner & Haas, "A dip in
 * the reservoir", VLDB 2006): a deletion of a sampled edge leaves a hole
 * (rp_nb), of another edge a debt (rp_ng); while there are any, an
 * insertion fills a hole with probability rp_nb / (rp_nb + rp_ng); else
 * reservoir sampling over the graph's edges.  The sample is then a
 * uniform subset of the graph's edges whose size is hypergeometric:
 * min(m, E + d) draws from E edges and d = rp_nb + rp_ng ghosts.  Two
 * given edges are both sampled with probability
 * y (y - 1) / (N (N - 1)), N = E + d, y = min(m, N) (docs/tri-est.md). */

/* Probability that both wedge edges are sampled, as a marginal q1 and the
 * pair's q2, with the graph as it is before the change. */
static inline uint64_t rp_population(const tri_est_op *te)
{
    return te->rp_edges + te->rp_nb + te->rp_ng;
}

/* (N: rp_population before the change) */
static inline void rp_probabilities(const tri_est_op *te, uint64_t N, double *q1, double *q2)
{
    const uint64_t y = N < te->m ? N : te->m;
    if (y == N || N < 2) {
        *q1 = *q2 = 1.0;
        return;
    }
    *q1 = (double)y / (double)N;
    *q2 = *q1 * ((double)(y - 1) / (double)(N - 1));
}

/* Slot s leaves the sample; the slot weights follow the edge that moves. */
static void rp_remove(tri_est_op *te, uint32_t s)
{
    const uint32_t from = es_edge_reservoir_remove(te->res, s);
    if (from != s)
        te->w[s] = te->w[from];
}

/* triest-fd: the triangles (u, v) closes in the sample (itself not in it)
 * enter or leave the sample's counts. */
static void fd_count(tri_est_op *te, uint32_t u, uint32_t v, double sign)
{
    size_t k;
    const es_common_nbr *cn = es_edge_reservoir_common_absent(te->res, u, v, &k);
    te->tau += sign * (double)k;
    if (te->local && k > 0) {
        te->loc[u] += sign * (double)k;
        te->loc[v] += sign * (double)k;
        for (size_t i = 0; i < k; i++)
            te->loc[cn[i].c] += sign;
    }
}

/* The sample's edges at u and v change (for the answers asked ahead). */
static inline void touch(tri_est_op *te, uint32_t u, uint32_t v)
{
    if (te->ahead)
        es_sample_ahead_touch(te->ahead, u, v);
}

/* (u, v) enters the sample in a new slot. */
static void rp_append(tri_est_op *te, uint32_t u, uint32_t v)
{
    touch(te, u, v);
    if (te->method == ES_TRI_EST_FD)
        fd_count(te, u, v, 1.0);
    const uint32_t slot = es_edge_reservoir_size(te->res);
    es_edge_reservoir_put(te->res, slot, u, v, NULL);
    stored_hook(te, slot);
}

static void rp_insert(tri_est_op *te, uint32_t u, uint32_t v)
{
    te->rp_edges++;
    if (te->rp_nb + te->rp_ng > 0) {
        if (es_rng_below(&te->rs.rng, te->rp_nb + te->rp_ng) < te->rp_nb) {
            te->rp_nb--;
            rp_append(te, u, v);
        } else {
            te->rp_ng--;
        }
        return;
    }
    if (es_edge_reservoir_size(te->res) < te->m) {
        rp_append(te, u, v);
        return;
    }
    const uint64_t x = es_rng_below(&te->rs.rng, te->rp_edges);
    if (x >= te->m)
        return;
    if (te->method == ES_TRI_EST_THINKD) {
        es_edge evicted = { u, v };   /* (put sets it: the slot is full) */
        es_edge_reservoir_put(te->res, (uint32_t)x, u, v, &evicted);
        touch(te, evicted.u, evicted.v);
        touch(te, u, v);
        stored_hook(te, (uint32_t)x);
        return;
    }
    /* triest-fd: the evicted edge's sample triangles leave first */
    es_edge_reservoir_state st;
    es_edge_reservoir_get_state(te->res, &st);
    const es_edge old = st.slots[x];
    rp_remove(te, (uint32_t)x);
    fd_count(te, old.u, old.v, -1.0);
    rp_append(te, u, v);
}

/* The counters of a disappearance with handle h: a hole when the sample
 * held the edge (TRUE: the caller takes it out), else a debt. */
static inline gboolean rp_leave(tri_est_op *te, uint32_t h)
{
    te->rp_edges--;
    const gboolean held = h != ES_RESERVOIR_SKIPPED;
    te->rp_nb += held;
    te->rp_ng += !held;
    return held;
}

/* The sampled edge (u, v) with handle h leaves the sample. */
static void take_out(tri_est_op *te, uint32_t u, uint32_t v, uint32_t h)
{
    uint32_t from;
    const uint32_t s = es_edge_reservoir_remove_handle(te->res, h, u, v, &from);
    if (from != s)   /* (the slot weights follow the edge that moved) */
        te->w[s] = te->w[from];
}

/* (u, v) with handle h in the sample (ES_RESERVOIR_SKIPPED: not in it)
 * disappears. */
static void rp_delete(tri_est_op *te, uint32_t u, uint32_t v, uint32_t h)
{
    if (!rp_leave(te, h))
        return;
    touch(te, u, v);
    take_out(te, u, v, h);
    if (te->method == ES_TRI_EST_FD)
        fd_count(te, u, v, -1.0);
}

static inline gboolean bit_set(const uint64_t *bits, uint32_t i)
{
    return (bits[i / 64] >> (i % 64)) & 1;
}

/* ThinkD-ACC (Shin, Kim, Hooi & Faloutsos, PKDD 2018): before the sample
 * changes, every triangle the change makes or breaks with two sampled
 * edges counts +-1 / P(both sampled).  gone: NULL, or a bit per slot
 * whose edge has left the sample though it still stands there
 * (fold_expiries): triangles through it are none. */
static void thinkd_count(tri_est_op *te, uint32_t u, uint32_t v, double sign, uint64_t N, const uint64_t *gone)
{
    size_t k;
    const es_common_nbr *cn = es_edge_reservoir_common_absent(te->res, u, v, &k);
    if (k == 0)
        return;   /* (most changes: no division) */
    double q1, q2;
    rp_probabilities(te, N, &q1, &q2);
    for (size_t i = 0; i < k; i++)
        if (gone == NULL || !(bit_set(gone, cn[i].slot_u) || bit_set(gone, cn[i].slot_v)))
            count_signed(te, sign, u, v, cn[i].c, cn[i].slot_u, q1, cn[i].slot_v, q2 / q1);
}

/* How many lines ahead fold_lines fetches the sample's headers, and
 * the neighbour blocks they point to (their headers have arrived by then). */
#define DYN_AHEAD_HEADS  16
#define DYN_AHEAD_BLOCKS 6

/* Whether fold_lines will read the sample for line i (a: the answers
 * asked ahead, or NULL: every change line reads it). */
static inline gboolean reads_sample(const es_sample_ahead *a, const uint8_t *change, size_t i)
{
    return es_edge_changes_graph(change[i]) &&
           (a == NULL || a->has[i] || (change[i] == ES_EDGE_DISAPPEARS && a->handle[i] != ES_RESERVOIR_SKIPPED));
}

/* Line i changes nothing: it counts as degree's lines do (fold_dynamic). */
static inline void count_unchanged(const es_edge *e, const uint64_t *ext, const uint8_t *del, const uint8_t *change,
                                   size_t i, es_offer_counts *counts)
{
    /* (a deletion naming an unknown id comes as a self-loop with the
     * line's own, unequal, ids: not a self-loop line) */
    const uint8_t kind = del ? del[i] : ES_LINE_INSERT;
    if (e[i].u == e[i].v && (ext == NULL || ext[2 * i] == ext[2 * i + 1]))
        counts->loops += kind == ES_LINE_INSERT ? 1 : kind == ES_LINE_EXPIRE ? (uint64_t)-1 : 0;
    else if (change[i] == ES_EDGE_SEEN)
        counts->skipped += kind == ES_LINE_INSERT ? 1 : (uint64_t)-1;
}

/* Fold lines e[0, n) of fold_dynamic's (a: their answers asked ahead, or
 * NULL).  A line whose ends no change since the ask touched takes its
 * answers: no common neighbour means no triangle to count, and its
 * handle is the one the live sample would give. */
static void fold_lines(tri_est_op *te, const es_edge *e, const uint64_t *ext, const uint8_t *del, size_t n,
                       const uint8_t *change, const es_sample_ahead *a, es_offer_counts *counts)
{
    for (size_t i = 0; i < n; i++) {
        /* The query is bound by its first touch of the two headers and
         * neighbour blocks: fetched ahead, the blocks once their headers
         * have arrived (the headers for every change, which may enter
         * the sample; the blocks for the lines that read it). */
        if (i + DYN_AHEAD_HEADS < n && es_edge_changes_graph(change[i + DYN_AHEAD_HEADS]))
            es_edge_reservoir_prefetch_heads(te->res, e[i + DYN_AHEAD_HEADS].u, e[i + DYN_AHEAD_HEADS].v);
        if (i + DYN_AHEAD_BLOCKS < n && reads_sample(a, change, i + DYN_AHEAD_BLOCKS))
            es_edge_reservoir_prefetch_blocks(te->res, e[i + DYN_AHEAD_BLOCKS].u, e[i + DYN_AHEAD_BLOCKS].v);
        const uint32_t u = e[i].u, v = e[i].v;
        if (!es_edge_changes_graph(change[i])) {
            count_unchanged(e, ext, del, change, i, counts);
            continue;
        }
        te->changes++;
        const gboolean fresh = a != NULL && es_sample_ahead_fresh(a, u, v);
        const gboolean count = te->method == ES_TRI_EST_THINKD && (!fresh || a->has[i]);
        if (change[i] == ES_EDGE_APPEARS) {
            if (count)
                thinkd_count(te, u, v, 1.0, rp_population(te), NULL);
            rp_insert(te, u, v);
        } else {
            /* The probabilities are those before the change.  ThinkD
             * counts before a sampled edge leaves (meanwhile its slot
             * arrives): the edge is in no wedge of its own triangles, and
             * a wedge edge that then moves to its slot takes its weight
             * along, so the answers are those of counting after. */
            const uint64_t N = rp_population(te);
            const uint32_t h = fresh ? a->handle[i] : es_edge_reservoir_handle(te->res, u, v);
            if (count)
                thinkd_count(te, u, v, -1.0, N, NULL);
            rp_delete(te, u, v, h);
        }
    }
}

/* fold_expiries's lines in order, as their answers come. */
typedef struct {
    tri_est_op *te;
    const es_edge *e;
    const uint64_t *ext;
    const uint8_t *del, *change;
    es_offer_counts *counts;
    size_t rm;   /* removals deferred so far */
} expiry_fold;

static void fold_expiry_lines(void *user, size_t from, size_t to, const uint8_t *has, const uint32_t *handle)
{
    expiry_fold *f = user;
    tri_est_op *te = f->te;
    for (size_t i = from; i < to; i++) {
        g_assert(f->change[i] != ES_EDGE_APPEARS);
        if (f->change[i] != ES_EDGE_DISAPPEARS) {
            count_unchanged(f->e, f->ext, f->del, f->change, i, f->counts);
            continue;
        }
        const uint32_t u = f->e[i].u, v = f->e[i].v, h = handle[i - from];
        te->changes++;
        if (has[i - from])
            thinkd_count(te, u, v, -1.0, rp_population(te), te->x_gone);
        if (!rp_leave(te, h))
            continue;
        const uint32_t s = es_edge_reservoir_handle_slot(te->res, h);
        te->x_gone[s / 64] |= UINT64_C(1) << (s % 64);
        if (f->rm == te->x_rm_cap) {
            te->x_rm_cap = es_grow_cap(te->x_rm_cap, f->rm + 1);
            te->x_rm_h = g_renew(uint32_t, te->x_rm_h, te->x_rm_cap);
            te->x_rm_e = g_renew(es_edge, te->x_rm_e, te->x_rm_cap);
        }
        te->x_rm_h[f->rm] = h;
        te->x_rm_e[f->rm++] = f->e[i];
    }
}

/* A batch of expiries (a sliding window's pane leaving: no line
 * appears), folded as fold_lines folds it, in two steps.  The lines in
 * order, each as soon as its answers are in (es_sample_ahead_answer_
 * folding: the team's other threads answer from the batch's end as they
 * come free; the sample stays as it is until the second step, so every
 * answer holds): each disappearance counts the triangles it breaks with
 * two sampled edges that no earlier line of the batch took out (a bit
 * per slot), and moves the random pairing's counters.  Then the sampled
 * edges that left are taken out of the sample, in the same order.  The
 * estimate is fold_lines's bit for bit: the same triangles in the same
 * order with the same probabilities, and a slot's weight follows its
 * edge wherever the removals move it.  Against fold_lines's blocks, no
 * thread waits for another's block of answers, and the fold touches the
 * sample only for the lines with a common neighbour. */
static void fold_expiries(tri_est_op *te, const es_edge *e, const uint64_t *ext, const uint8_t *del, size_t n,
                          const uint8_t *change, es_offer_counts *counts)
{
    if (n > te->x_cap) {
        te->x_cap = es_grow_cap(te->x_cap, n);
        te->x_has = g_renew(uint8_t, te->x_has, te->x_cap);
        te->x_handle = g_renew(uint32_t, te->x_handle, te->x_cap);
    }
    const size_t words = es_edge_reservoir_size(te->res) / 64 + 1;
    if (words > te->x_gone_words) {
        te->x_gone_words = es_grow_cap(te->x_gone_words, words);
        te->x_gone = g_renew(uint64_t, te->x_gone, te->x_gone_words);
    }
    memset(te->x_gone, 0, words * sizeof *te->x_gone);
    expiry_fold f = { te, e, ext, del, change, counts, 0 };
    es_sample_ahead_answer_folding(te->res, e, change, n, te->x_has, te->x_handle, fold_expiry_lines, &f);
    for (size_t j = 0; j < f.rm; j++) {
        const es_edge *x = te->x_rm_e;
        if (j + DYN_AHEAD_HEADS < f.rm)
            es_edge_reservoir_prefetch_heads(te->res, x[j + DYN_AHEAD_HEADS].u, x[j + DYN_AHEAD_HEADS].v);
        if (j + DYN_AHEAD_BLOCKS < f.rm)
            es_edge_reservoir_prefetch_blocks(te->res, x[j + DYN_AHEAD_BLOCKS].u, x[j + DYN_AHEAD_BLOCKS].v);
        take_out(te, x[j].u, x[j].v, te->x_rm_h[j]);
    }
}

/* Fold the appearances and disappearances among e[0, n) in stream order
 * (ext: the lines' external ids, or NULL; del: the lines' kinds, or NULL).
 * The other lines count as degree's do: a self-loop or repeated line
 * joins the counts when inserted and leaves them when it expires; a
 * deleted self-loop stays (it deleted nothing), a deleted repeat leaves.
 * ThinkD, with threads to spare, asks a block's queries ahead
 * (operators/sample_ahead.h). */
static void fold_dynamic(tri_est_op *te, const es_edge *e, const uint64_t *ext, const uint8_t *del, size_t n,
                         const uint8_t *change, es_offer_counts *counts)
{
    g_assert(change != NULL);
    if (te->method == ES_TRI_EST_THINKD && n > 0 && del != NULL && del[0] == ES_LINE_EXPIRE) {
        fold_expiries(te, e, ext, del, n, change, counts);
        return;
    }
    if (te->method != ES_TRI_EST_THINKD || n < ES_SAMPLE_AHEAD_BLOCK || !es_sample_ahead_worth()) {
        fold_lines(te, e, ext, del, n, change, NULL, counts);
        return;
    }
    if (te->ahead == NULL)
        te->ahead = es_sample_ahead_new();
    for (size_t b = 0; b < n; b += ES_SAMPLE_AHEAD_BLOCK) {
        const size_t k = MIN(n - b, (size_t)ES_SAMPLE_AHEAD_BLOCK);
        const gboolean asked = es_sample_ahead_ask(te->ahead, te->res, e + b, change + b, k);
        fold_lines(te, e + b, ext ? ext + 2 * b : NULL, del ? del + b : NULL, k, change + b,
                   asked ? te->ahead : NULL, counts);
    }
}

/* Under deletions the default method is thinkd; the insert-only ones,
 * asked for by name, refuse (at their first batch). */
static void resolve_method(tri_est_op *te)
{
    if (te->base.dynamic && !te->method_given && te->method == ES_TRI_EST_IMPR && te->changes == 0 &&
        accepted(te) == 0) {
        te->method = ES_TRI_EST_THINKD;
        te->dedup = DEDUP_ON;
        te->exact = TRUE;
        g_clear_pointer(&te->probe, es_edgetable_free);
    }
}

static inline tri_est_op *copy_at(const tri_est_op *te, uint32_t c);
static void record_ext(tri_est_op *te, const es_batch *batch, uint32_t old_nv);
static void fold_batch(tri_est_op *te, const es_batch *batch);

static gboolean tri_est_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    tri_est_op *te = (tri_est_op *)op;
    resolve_method(te);
    if (op->replaying)
        return TRUE;   /* (its snapshot restored it, window and all) */
    if (op->dynamic && te->ncopies > 1) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: copies=%u handles insertions only",
                    op->name ? op->name : "tri-est", te->ncopies);
        return FALSE;
    }
    if (op->dynamic && !is_dynamic(te->method)) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "%s: method=%s handles insertions only: on a stream with deletions use method=thinkd (the"
                    " default there) or method=triest-fd", op->name ? op->name : "tri-est", method_names[te->method]);
        return FALSE;
    }
    te->given_next = 0;   /* (given figures are of the stream before this batch) */
    for (uint32_t c = te->own_lo; c < te->own_hi; c++) {
        tri_est_op *k = copy_at(te, c);
        k->base.edges = op->edges;   /* the run's table, read through change */
        fold_batch(k, batch);
    }
    return TRUE;
}

/* Copy c of te (0: te itself). */
static inline tri_est_op *copy_at(const tri_est_op *te, uint32_t c)
{
    return c == 0 ? (tri_est_op *)te : te->kids[c - 1];
}

/* The external ids of the vertices new since old_nv (top > 0). */
static void record_ext(tri_est_op *te, const es_batch *batch, uint32_t old_nv)
{
    const es_edge *e = batch->edges;
    if (te->top && batch->ext) {
        for (size_t i = 0; i < batch->n; i++) {
            if (batch->del != NULL && batch->del[i] == ES_LINE_DELETE)
                continue;   /* (adds no vertex; its ids may be another's: tri.c) */
            if (e[i].u >= old_nv && te->ext[e[i].u] == UNKNOWN_EXT)
                te->ext[e[i].u] = batch->ext[2 * i];
            if (e[i].v >= old_nv && te->ext[e[i].v] == UNKNOWN_EXT)
                te->ext[e[i].v] = batch->ext[2 * i + 1];
        }
    }
}

/* One copy takes the batch. */
static void fold_batch(tri_est_op *te, const es_batch *batch)
{
    const es_edge *e = batch->edges;
    const size_t n = batch->n;
    const uint32_t old_nv = te->nv;
    grow_vertices(te, batch->num_vertices);
    const uint32_t nv = te->nv;

    es_batch_assert_ids(batch, nv, te->base.name ? te->base.name : "tri-est");
    record_ext(te, batch, old_nv);
    es_offer_counts counts = { 0, 0, 0 };
    if (is_dynamic(te->method))
        fold_dynamic(te, e, batch->ext, batch->del, n, batch->change, &counts);
    else
        fold(te, e, n, batch->change, &counts);
    te->self_loops += counts.loops;
    te->duplicates += counts.skipped + counts.in_sample;
}

/* log C(a, b); -inf when b is out of [0, a]. */
static double lchoose(double a, double b)
{
    if (b < 0 || b > a)
        return -INFINITY;
    return lgamma(a + 1) - lgamma(b + 1) - lgamma(a - b + 1);
}

/* triest-fd (De Stefani et al., KDD 2016): the sample graph's triangle
 * counts times this are unbiased: E^3 / M^3 (falling powers: M sampled of
 * E edges) over kappa, the probability that the sample holds 3 edges or
 * more (its size is hypergeometric, min(m, E + d) draws from E edges and
 * d ghosts); 0 below 3 sampled edges. */
static double fd_scale(const tri_est_op *te)
{
    const double M = es_edge_reservoir_size(te->res);
    if (M < 3)
        return 0.0;
    const double E = (double)te->rp_edges, d = (double)(te->rp_nb + te->rp_ng);
    const double draws = E + d < te->m ? E + d : te->m;
    double kappa = 1.0;
    for (int j = 0; j <= 2; j++)
        kappa -= exp(lchoose(E, j) + lchoose(d, draws - j) - lchoose(E + d, draws));
    return (E * (E - 1) * (E - 2)) / (M * (M - 1) * (M - 2)) / kappa;
}

/* The global estimate, and the factor from the local counters to local
 * estimates. */
static double local_scale(const tri_est_op *te)
{
    return te->method == ES_TRI_EST_FD ? fd_scale(te) : 1.0;
}

static double estimate(const tri_est_op *te)
{
    return te->tau * local_scale(te);
}

/* wrs, gps: the weight S = 1 / P(wedge sampled) of a triangle closed now
 * with two uncertain wedge edges (wrs: both in the reservoir; gps: both of
 * weight 1), the most one sampled wedge can stand for; 0 while exact (and
 * for the other methods). */
static double resolution(const tri_est_op *te)
{
    if (te->method == ES_TRI_EST_WRS) {
        const uint64_t nr = te->rs.t;
        const uint32_t mr = te->rs.m;
        if (nr <= mr)
            return 0.0;
        /* (one reservoir slot: no wedge has both edges there) */
        return mr < 2 ? (double)nr : ((double)nr / mr) * ((double)(nr - 1) / (mr - 1));
    }
    if (te->method == ES_TRI_EST_GPS)
        return te->z > 1.0 ? te->z * te->z : 0.0;
    return 0.0;
}

static double stddev_bound(const tri_est_op *te)
{
    if (te->method == ES_TRI_EST_FD) {
        /* each sample triangle stands for W of the graph's (W - 1 its
         * variance, counted alone); covariances are left out */
        const double W = fd_scale(te);
        const double var = te->tau * W * (W - 1.0);
        return var > 0 ? sqrt(var) : 0.0;
    }
    if (te->method != ES_TRI_EST_IMPR) {
        double var = te->var_sum + 2.0 * te->pairs;
        /* wrs, gps: never below the resolution, as impr's (docs/tri-est.md) */
        const double S = resolution(te);
        if (var < S * (S - 1.0))
            var = S * (S - 1.0);
        return var > 0 ? sqrt(var) : 0.0;
    }
    const uint64_t t = es_edge_reservoir_offered(te->res);
    const uint32_t m = te->m;
    if (t <= (uint64_t)m + 1)
        return 0.0;
    const double eta_t = eta_of(t - 1, m);
    const double T = te->tau > eta_t ? te->tau : eta_t;   /* resolution floor: see the header */
    double var = T * (eta_t - 1.0) + 2.0 * te->pairs * ((double)(t - 1 - m) / (m - 1));
    return var > 0 ? sqrt(var) : 0.0;
}

typedef struct {
    double   est;
    uint32_t v;
} ranked;

/* a ranks before b: larger estimate, then smaller id. */
static inline gboolean ranks_before(ranked a, ranked b)
{
    return a.est > b.est || (a.est == b.est && a.v < b.v);
}

static int ranked_cmp(const void *pa, const void *pb)
{
    ranked a = *(const ranked *)pa, b = *(const ranked *)pb;
    return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* "id:estimate,..." for the top vertices by local estimate (external ids
 * when known), best first; vertices with estimate 0 are left out. */
static char *top_local_string(const tri_est_op *te, const double *loc)
{
    const uint32_t k = te->top;
    ranked *heap = g_new(ranked, k);   /* min-heap by rank: heap[0] ranks last */
    uint32_t h = 0;
    const double scale = local_scale(te);
    for (uint32_t v = 0; v < te->nv; v++) {
        ranked x = { loc[v] * scale, v };
        if (x.est <= 0)
            continue;
        if (h < k) {
            uint32_t i = h++;
            while (i > 0 && ranks_before(heap[(i - 1) / 2], x)) {
                heap[i] = heap[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            heap[i] = x;
        } else if (ranks_before(x, heap[0])) {
            /* replace the last-ranked and sift it down */
            uint32_t i = 0;
            heap[0] = x;
            for (;;) {
                uint32_t l = 2 * i + 1, r = l + 1, worst = i;
                if (l < h && ranks_before(heap[worst], heap[l]))
                    worst = l;
                if (r < h && ranks_before(heap[worst], heap[r]))
                    worst = r;
                if (worst == i)
                    break;
                ranked tmp = heap[i];
                heap[i] = heap[worst];
                heap[worst] = tmp;
                i = worst;
            }
        }
    }
    qsort(heap, h, sizeof(ranked), ranked_cmp);
    GString *s = g_string_new(NULL);
    for (uint32_t i = 0; i < h; i++) {
        uint64_t id = te->ext && te->ext[heap[i].v] != UNKNOWN_EXT ? te->ext[heap[i].v] : heap[i].v;
        char est[ES_DOUBLE_BUF];   /* exact: the shortest form that reads back */
        g_string_append_printf(s, "%s%" G_GUINT64_FORMAT ":%s", i ? "," : "", (guint64)id,
                               es_format_double(est, heap[i].est));
    }
    g_free(heap);
    return g_string_free(s, FALSE);
}

/* The sample alone: its graph, the slot weights and gps's weights,
 * priorities and heap (what "the same memory" compares across methods). */
static size_t sample_bytes(const tri_est_op *te)
{
    return es_edge_reservoir_memory(te->res) + te->w_cap * sizeof(double) +
           te->g_cap * (2 * sizeof(double) + 2 * sizeof(uint32_t));
}

static size_t memory_bytes(const tri_est_op *te)
{
    size_t b = sizeof(*te) + sample_bytes(te) + te->is_new_cap;
    b += te->x_cap * (sizeof *te->x_has + sizeof *te->x_handle) + te->x_gone_words * sizeof *te->x_gone +
         te->x_rm_cap * (sizeof *te->x_rm_h + sizeof *te->x_rm_e);   /* (fold_expiries's scratch) */
    /* the table only when it is the operator's own (a run's is the run's) */
    if (te->local)
        b += te->loc_cap * sizeof(double);
    if (te->top)
        b += te->vcap * sizeof(uint64_t);
    if (te->base.own_edges)
        b += es_edgetable_memory(te->base.own_edges);
    if (te->probe)
        b += es_edgetable_memory(te->probe);
    for (uint32_t c = 1; c < te->ncopies; c++)
        b += memory_bytes(te->kids[c - 1]);
    return b + te->mean_loc_cap * sizeof(double);
}

/* Are the copies past own_hi given by their figures, all of them? */
static inline gboolean given_all(const tri_est_op *te)
{
    return te->given_next == te->ncopies && te->own_hi < te->ncopies;
}

/* Copy c's global estimate, the square of its stddev and its sample
 * size: what a mean of copies sums, in copy order. */
static void copy_figures(const tri_est_op *te, uint32_t c, double out[3])
{
    const tri_est_op *k = copy_at(te, c);
    const double sd = stddev_bound(k);
    out[0] = estimate(k);
    out[1] = sd * sd;
    out[2] = (double)es_edge_reservoir_size(k->res);
}

/* The estimates: the mean over the copies (copies=C), or its own. */
static void mean_figures(const tri_est_op *te, double *tau, double *sd, uint64_t *sample)
{
    if (te->ncopies > 1) {
        double sum[3] = { 0, 0, 0 }, f[3];
        for (uint32_t c = 0; c < te->ncopies; c++) {
            if (given_all(te) && c >= te->own_hi)
                memcpy(f, te->given_fig + 3 * (size_t)c, sizeof f);
            else
                copy_figures(te, c, f);
            for (int i = 0; i < 3; i++)
                sum[i] += f[i];
        }
        *tau = sum[0] / te->ncopies;
        *sd = sqrt(sum[1]) / te->ncopies;
        *sample = (uint64_t)sum[2];
    } else {
        *tau = estimate(te);
        *sd = stddev_bound(te);
        *sample = es_edge_reservoir_size(te->res);
    }
}

/* Copy c's local estimate at v. */
static inline double copy_local(const tri_est_op *te, uint32_t c, uint32_t v)
{
    const tri_est_op *k = copy_at(te, c);
    return v < k->nv ? k->loc[v] * local_scale(k) : 0.0;
}

/* *p holds at least n doubles afterwards (*cap of them), its old content
 * not kept: a per-vertex sum written whole before it is read. */
static void scratch_room(double **p, size_t *cap, size_t n)
{
    if (n > *cap) {
        es_big_free(*p, *cap * sizeof(double));
        *cap = n;
        *p = es_big_alloc(n * sizeof(double));
    }
}

/* The local estimates the answers use: te's own, or the copies' mean
 * (summed in copy order) in te->mean_loc. */
static const double *mean_local(tri_est_op *te)
{
    if (te->ncopies <= 1)
        return te->loc;
    scratch_room(&te->mean_loc, &te->mean_loc_cap, te->nv);
    for (uint32_t v = 0; v < te->nv; v++) {
        double sum = 0;
        if (given_all(te)) {
            sum = te->given_loc[v];
        } else {
            for (uint32_t c = 0; c < te->ncopies; c++)
                sum += copy_local(te, c, v);
        }
        te->mean_loc[v] = sum / te->ncopies;
    }
    return te->mean_loc;
}

static void tri_est_report(es_operator *op, es_report *report)
{
    tri_est_op *te = (tri_est_op *)op;
    const uint64_t t = accepted(te);
    double tau, sd;
    uint64_t sample;
    mean_figures(te, &tau, &sd, &sample);
    es_report_add_double(report, "triangles", tau);
    es_report_add_double(report, "stddev", sd);
    es_report_add_u64(report, "sample_edges", sample);
    es_report_add_u64(report, "edges_seen", t);
    if (is_dynamic(te->method)) {
        es_report_add_bool(report, "exact", te->rp_edges + te->rp_nb + te->rp_ng <= te->m);
        es_report_add_u64(report, "graph_edges", te->rp_edges);
    } else {
        es_report_add_bool(report, "exact", t <= (uint64_t)te->m + 1);
    }
    es_report_add_u64(report, "self_loops", te->self_loops);
    es_report_add_u64(report, "duplicates_dropped", te->duplicates);
    es_report_add_bool(report, "dedup_exact", !te->late && (te->exact || te->probe != NULL || t <= te->m));
    if (te->top) {
        char *s = top_local_string(te, mean_local(te));
        es_report_add_list(report, "top", s);
        g_free(s);
    }
}

double es_tri_est_global(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, NAN);
    double tau, sd;
    uint64_t sample;
    mean_figures((tri_est_op *)op, &tau, &sd, &sample);
    return tau;
}

double es_tri_est_stddev(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, NAN);
    double tau, sd;
    uint64_t sample;
    mean_figures((tri_est_op *)op, &tau, &sd, &sample);
    return sd;
}

uint32_t es_tri_est_copies(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, 0);
    return MAX(((tri_est_op *)op)->ncopies, 1);
}

void es_tri_est_own_copies(es_operator *op, uint32_t lo, uint32_t hi)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_est_class);
    tri_est_op *te = (tri_est_op *)op;
    g_return_if_fail(lo <= hi && hi <= MAX(te->ncopies, 1));
    te->own_lo = lo;
    te->own_hi = hi;
    te->given_next = 0;
}

void es_tri_est_set_copy_source(es_operator *op, es_tri_est_fetch_fn fn, void *user)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_est_class);
    tri_est_op *te = (tri_est_op *)op;
    te->fetch = fn;
    te->fetch_user = user;
}

void es_tri_est_drop_copy(es_operator *op, uint32_t c)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_est_class && c > 0 && c < es_tri_est_copies(op));
    tri_est_op *te = (tri_est_op *)op, *k = te->kids[c - 1];
    te->kids[c - 1] = make(k->method, TRUE, k->room_frac, k->m, 0, k->local, 0, k->dedup);
    te->given_next = 0;
    tri_est_destroy(&k->base);
}

double *es_tri_est_copy_figures(es_operator *op, uint32_t c, double fig[3], uint32_t *nv)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class && c < es_tri_est_copies(op), NULL);
    const tri_est_op *te = (const tri_est_op *)op, *k = copy_at(te, c);
    copy_figures(te, c, fig);
    *nv = k->nv;
    if (!te->local)
        return NULL;
    double *loc = g_new(double, (size_t)k->nv + 1);
    for (uint32_t v = 0; v < k->nv; v++)
        loc[v] = copy_local(te, c, v);
    return loc;
}

gboolean es_tri_est_give_copy(es_operator *op, uint32_t c, const double fig[3], const double *local, uint32_t nv,
                              GError **error)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, FALSE);
    tri_est_op *te = (tri_est_op *)op;
    /* (own_hi starts a round: a report may come twice at one point) */
    const uint32_t next = c == te->own_hi ? c : MAX(te->given_next, te->own_hi);
    if (te->own_lo != 0 || c != next || c >= te->ncopies || nv > te->nv || (te->local && local == NULL)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "tri-est: copy %u's figures (%u vertices) do not fit: copy %u"
                    " of %u expected, %u vertices at most", c, nv, next, te->ncopies, te->nv);
        return FALSE;
    }
    if (te->given_fig == NULL)
        te->given_fig = g_new0(double, 3 * (size_t)te->ncopies);
    memcpy(te->given_fig + 3 * (size_t)c, fig, 3 * sizeof(double));
    if (te->local) {
        if (c == te->own_hi) {
            /* The sum starts with the copies folded here, in copy order. */
            scratch_room(&te->given_loc, &te->given_loc_cap, te->nv);
            for (uint32_t v = 0; v < te->nv; v++) {
                double sum = 0;
                for (uint32_t k = 0; k < te->own_hi; k++)
                    sum += copy_local(te, k, v);
                te->given_loc[v] = sum;
            }
        }
        for (uint32_t v = 0; v < te->nv; v++)
            te->given_loc[v] += v < nv ? local[v] : 0.0;
    }
    te->given_next = c + 1;
    return TRUE;
}

void es_tri_est_copy_state(es_operator *op, uint32_t c, es_tri_est_state *out)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_est_class && c < es_tri_est_copies(op));
    es_tri_est_get_state(&copy_at((tri_est_op *)op, c)->base, out);
}

double es_tri_est_local(es_operator *op, uint32_t v)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, NAN);
    tri_est_op *te = (tri_est_op *)op;
    if (!te->local)
        return NAN;
    if (te->ncopies > 1) {
        double sum = 0;
        if (given_all(te)) {
            sum = v < te->nv ? te->given_loc[v] : 0.0;
        } else {
            for (uint32_t c = 0; c < te->ncopies; c++)
                sum += copy_local(te, c, v);
        }
        return sum / te->ncopies;
    }
    return v < te->nv ? te->loc[v] * local_scale(te) : 0.0;
}

void es_tri_est_get_state(es_operator *op, es_tri_est_state *out)
{
    g_return_if_fail(op != NULL && op->klass == &es_tri_est_class);
    tri_est_op *te = (tri_est_op *)op;
    memset(out, 0, sizeof(*out));
    es_edge_reservoir_get_state(te->res, &out->sample);
    out->method = te->method;
    if (te->method != ES_TRI_EST_IMPR) {
        /* the estimator's own generator */
        memcpy(out->sample.rng, te->rs.rng.s, sizeof(out->sample.rng));
        out->var_sum = te->var_sum;
        out->room = te->room;
        out->z = te->z;
        out->edge_weight = te->ew;
        out->priority = te->prio;
    }
    if (is_dynamic(te->method)) {
        out->sample.t = te->changes;
        out->sample.managed = TRUE;
        out->graph_edges = te->rp_edges;
        out->del_sampled = te->rp_nb;
        out->del_other = te->rp_ng;
    }
    out->triangles = te->tau;
    out->pairs = te->pairs;
    out->slot_weight = te->w;
    out->num_vertices = te->nv;
    /* non-NULL iff the option is on, even before any vertex */
    static const double no_local[1];
    static const uint64_t no_ext[1];
    out->local = te->local ? (te->loc ? te->loc : no_local) : NULL;
    out->ext = te->top ? (te->ext ? te->ext : no_ext) : NULL;
    out->self_loops = te->self_loops;
    out->duplicates = te->duplicates;
    out->exact = te->exact;
    out->seen = te->exact ? te->base.edges : NULL;
    out->probe = te->probe;
    out->late = te->late;
}

/* Replace te's state by st, taking ownership of seen and probe (tables with
 * the keys of st->seen and st->probe, or NULL); on failure both are freed
 * and te is unchanged. */
static gboolean apply_state(tri_est_op *te, const es_tri_est_state *st, es_edgetable *seen, es_edgetable *probe,
                            GError **error)
{
    const char *name = te->base.name ? te->base.name : "tri-est";
    const char *why = st->method != te->method                         ? "a different method"
                      : st->method == ES_TRI_EST_WRS && st->room != te->room ? "a different room"
                      : st->method == ES_TRI_EST_GPS && st->sample.size > 0 &&
                        (st->edge_weight == NULL || st->priority == NULL) ? "no edge weights or priorities"
                      : st->sample.m != te->m                           ? "a different m"
                      : is_dynamic(st->method) && (!st->sample.managed || !st->exact)
                                                                       ? "a fully dynamic sample out of place"
                      : is_dynamic(st->method) && st->sample.size > st->graph_edges
                                                                       ? "more sampled edges than the graph has"
                      : (st->local != NULL) != te->local              ? "a different local option"
                      : (st->ext != NULL) != (te->top > 0)            ? "a different top option (0 or not)"
                      : te->dedup == DEDUP_ON && !st->exact            ? "a different dedup option"
                      : te->dedup == DEDUP_OFF && st->exact            ? "a different dedup option"
                      : probe != NULL && (te->dedup != DEDUP_AUTO || st->exact ||
                                          (!st->late && st->sample.t > probation_end(te)))
                                                                       ? "a probation set out of place"
                      : probe != NULL && !st->late && es_edgetable_edges(probe) != st->sample.t
                                                                       ? "a probation set that is not every accepted edge"
                      : probe == NULL && st->late                      ? "a late repeat test without its set"
                      : st->late && te->dedup != DEDUP_AUTO             ? "a different dedup option"
                      : st->exact && seen == NULL && te->base.edges == NULL && st->sample.t > 0
                                                                       ? "an exact repeat test without its edges"
                      : st->sample.size > 0 && st->slot_weight == NULL ? "no slot weights"
                      : st->num_vertices > 0 && te->local && st->local == NULL ? "no local counters"
                                                                       : NULL;
    es_edge_reservoir *res = NULL;
    if (why)
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: state was taken with %s", name, why);
    else if ((res = es_edge_reservoir_restore(&st->sample, st->num_vertices, error)) == NULL)
        g_prefix_error(error, "%s: ", name);
    if (res == NULL) {
        es_edgetable_free(seen);
        es_edgetable_free(probe);
        return FALSE;
    }
    if (te->method == ES_TRI_EST_GPS) {
        for (uint32_t i = 0; i < st->sample.size && !why; i++)
            if (!(st->edge_weight[i] >= 1.0) || !(st->priority[i] >= st->edge_weight[i]) ||
                !isfinite(st->priority[i]))
                why = "a weight below 1 or a priority below its weight";
        if (!why && !(st->z >= 0.0 && isfinite(st->z)))
            why = "a threshold that is not a finite number >= 0";
        if (why) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: state was taken with %s", name, why);
            es_edge_reservoir_free(res);
            es_edgetable_free(seen);
            es_edgetable_free(probe);
            return FALSE;
        }
    }
    /* Nothing can fail from here on. */
    es_edge_reservoir_free(te->res);
    te->res = res;
    if (te->method != ES_TRI_EST_IMPR) {
        const uint64_t t = st->sample.t;
        memcpy(te->rs.rng.s, st->sample.rng, sizeof(te->rs.rng.s));
        if (te->method == ES_TRI_EST_WRS)
            te->rs.t = t > te->room ? t - te->room : 0;
        te->var_sum = st->var_sum;
        te->z = st->z;
    }
    if (te->method == ES_TRI_EST_GPS) {
        const uint32_t size = st->sample.size;
        es_big_free(te->ew, te->g_cap * sizeof(double));
        es_big_free(te->prio, te->g_cap * sizeof(double));
        es_big_free(te->heap, te->g_cap * sizeof(uint32_t));
        es_big_free(te->hpos, te->g_cap * sizeof(uint32_t));
        te->ew = te->prio = NULL;
        te->heap = te->hpos = NULL;
        te->g_cap = 0;
        gps_room(te, size);
        if (size) {
            memcpy(te->ew, st->edge_weight, size * sizeof(double));
            memcpy(te->prio, st->priority, size * sizeof(double));
        }
        /* The heap is a function of (priority, slot): build it the same way. */
        for (uint32_t i = 0; i < size; i++) {
            te->heap[i] = i;
            gps_sift_up(te, i);
        }
    }
    te->exact = st->exact;
    te->late = st->late;
    if (is_dynamic(te->method)) {
        te->changes = st->sample.t;
        te->rp_edges = st->graph_edges;
        te->rp_nb = st->del_sampled;
        te->rp_ng = st->del_other;
    }
    es_edgetable_free(te->probe);
    te->probe = probe;
    if (seen != NULL || !st->exact) {
        es_edgetable_free(te->base.own_edges);
        te->base.own_edges = seen;
        te->base.edges = seen;
    }
    te->tau = st->triangles;
    te->pairs = st->pairs;
    te->self_loops = st->self_loops;
    te->duplicates = st->duplicates;

    es_big_free(te->w, te->w_cap * sizeof(double));
    te->w_cap = st->sample.size;
    te->w = te->w_cap ? es_big_alloc(te->w_cap * sizeof(double)) : NULL;
    if (te->w_cap)
        memcpy(te->w, st->slot_weight, te->w_cap * sizeof(double));

    es_big_free(te->loc, te->loc_cap * sizeof(double));
    es_big_free(te->ext, te->vcap * sizeof(uint64_t));
    te->loc = NULL;
    te->loc_cap = 0;
    te->ext = NULL;
    te->vcap = 0;
    /* (grow_vertices would also grow the reservoir, which has them already) */
    if (st->num_vertices > 0 && (te->local || te->top)) {
        te->vcap = st->num_vertices;
        if (te->local) {
            te->loc = es_big_alloc(te->vcap * sizeof(double));
            memcpy(te->loc, st->local, te->vcap * sizeof(double));
            te->loc_cap = te->vcap;
        }
        if (te->top) {
            te->ext = es_big_alloc(te->vcap * sizeof(uint64_t));
            memcpy(te->ext, st->ext, te->vcap * sizeof(uint64_t));
        }
    }
    te->nv = st->num_vertices;
    return TRUE;
}

/* A table of n keys (distinct, u < v < num_vertices, checked), or NULL
 * with an error. */
static es_edgetable *table_of_keys(const uint64_t *keys, size_t n, uint32_t num_vertices, const char *what,
                                   GError **error)
{
    es_edgetable *t = es_edgetable_new(TRUE, &es_log_memory_stable);
    if (!es_edgetable_add_keys(t, keys, n, num_vertices, what, error)) {
        es_edgetable_free(t);
        return NULL;
    }
    return t;
}

static es_edgetable *copy_table(const es_edgetable *from, uint32_t num_vertices, const char *what, GError **error)
{
    size_t n = 0;
    const uint64_t *keys = es_edgetable_keys(from, &n);
    return table_of_keys(keys, n, num_vertices, what, error);
}

gboolean es_tri_est_set_state(es_operator *op, const es_tri_est_state *st, GError **error)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, FALSE);
    es_edgetable *seen = NULL, *probe = NULL;
    if (st->seen && (seen = copy_table(st->seen, st->num_vertices, "tri-est state", error)) == NULL)
        return FALSE;
    if (st->probe && (probe = copy_table(st->probe, st->num_vertices, "tri-est probation set", error)) == NULL) {
        es_edgetable_free(seen);
        return FALSE;
    }
    return apply_state((tri_est_op *)op, st, seen, probe, error);
}

size_t es_tri_est_memory(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, 0);
    return memory_bytes((tri_est_op *)op);
}

size_t es_tri_est_sample_memory(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class, 0);
    return sample_bytes((tri_est_op *)op);
}

/* ---- snapshots ------------------------------------------------------------
 * Layout: README.md ("Snapshots", tri-est).  With exact_set 1, the exact
 * edge set is the snapshot's edge table (/edges/keys).
 * Nothing depends on the thread count; the sample graph is rebuilt from
 * the slots, so a resumed run answers bit for bit as an uninterrupted one. */

static const char *const dedup_names[] = { "0", "1", "auto" };

/* Freeze st, te's state, into te's copies of it (f_*). */
static void freeze(tri_est_op *te, const es_tri_est_state *stp)
{
    const es_tri_est_state st = *stp;
    es_shadow_copy((void **)&te->f_slots, &te->f_slots_cap, st.sample.slots, st.sample.size * sizeof(es_edge));
    es_shadow_copy((void **)&te->f_w, &te->f_w_cap, st.slot_weight, st.sample.size * sizeof(double));
    if (st.method == ES_TRI_EST_GPS) {
        es_shadow_copy((void **)&te->f_ew, &te->f_ew_cap, st.edge_weight, st.sample.size * sizeof(double));
        es_shadow_copy((void **)&te->f_prio, &te->f_prio_cap, st.priority, st.sample.size * sizeof(double));
    }
    te_snap *f = &te->f;
    f->nlocal = 0;
    if (st.local) {
        /* Room for every vertex, in one pass: the pages past the entries
         * written are never touched. */
        es_shadow_reserve((void **)&f->lv, &te->f_lv_cap, (size_t)st.num_vertices * sizeof(uint32_t));
        es_shadow_reserve((void **)&f->lx, &te->f_lx_cap, (size_t)st.num_vertices * sizeof(double));
        for (uint32_t v = 0; v < st.num_vertices; v++) {
            if (st.local[v] != 0.0) {
                f->lv[f->nlocal] = v;
                f->lx[f->nlocal++] = st.local[v];
            }
        }
    }
    f->st = st;
    f->st.sample.slots = te->f_slots;
    f->st.slot_weight = te->f_w;
    f->st.edge_weight = te->f_ew;
    f->st.priority = te->f_prio;
    f->st.local = NULL;
    f->st.ext = NULL;
    f->probing = te->probe != NULL;
    f->nprobe = 0;
    if (te->probe) {
        const uint64_t *keys = es_edgetable_keys(te->probe, &f->nprobe);
        es_shadow_copy((void **)&f->probe_keys, &te->f_probe_cap, keys, f->nprobe * sizeof(uint64_t));
    }
}

/* Let go of what freeze copied (a copy fetched for one snapshot). */
static void thaw(tri_est_op *te)
{
    es_big_free(te->f_slots, te->f_slots_cap);
    es_big_free(te->f_w, te->f_w_cap);
    es_big_free(te->f_ew, te->f_ew_cap);
    es_big_free(te->f_prio, te->f_prio_cap);
    es_big_free(te->f.lv, te->f_lv_cap);
    es_big_free(te->f.lx, te->f_lx_cap);
    te->f_slots = NULL;
    te->f_w = te->f_ew = te->f_prio = te->f.lx = NULL;
    te->f.lv = NULL;
    te->f_slots_cap = te->f_w_cap = te->f_ew_cap = te->f_prio_cap = te->f_lv_cap = te->f_lx_cap = 0;
}

/* Is copy c (> 0) fetched at the snapshot's write, not frozen here? */
static inline gboolean fetched(const tri_est_op *te, uint32_t c)
{
    return te->fetch != NULL && (c < te->own_lo || c >= te->own_hi);
}

static void tri_est_snapshot_prepare(es_operator *op)
{
    tri_est_op *te = (tri_est_op *)op;
    es_tri_est_state st;
    es_tri_est_get_state(op, &st);
    freeze(te, &st);
    for (uint32_t c = 1; c < te->ncopies; c++)
        if (!fetched(te, c))
            tri_est_snapshot_prepare(&te->kids[c - 1]->base);
}

/* The fields of its group; `when` bits, from the options. */
enum { TE_NOT_IMPR = 1, TE_WRS = 2, TE_GPS = 4, TE_DYN = 8, TE_LOCAL = 16, TE_COPIES = 32 };

static const es_field te_fields[] = {
    ES_ATTR(te_snap, m, "m", .flags = ES_FIELD_PARAM),
    ES_ATTR(te_snap, local, "local", .flags = ES_FIELD_PARAM),
    ES_ATTR(te_snap, top, "top"),
    ES_ATTR(te_snap, copies, "copies", .flags = ES_FIELD_PARAM, .when = TE_COPIES),
    ES_ATTR_OF(ES_FIELD_STR, te_snap, dedup, "dedup", .flags = ES_FIELD_PARAM),
    ES_ATTR_OF(ES_FIELD_STR, te_snap, method, "method", .flags = ES_FIELD_PARAM),
    ES_ATTR_OF(ES_FIELD_F64, te_snap, st.var_sum, "var_sum", .when = TE_NOT_IMPR),
    ES_ATTR(te_snap, room, "room", .flags = ES_FIELD_PARAM, .when = TE_WRS),
    ES_ATTR_OF(ES_FIELD_F64, te_snap, st.z, "z", .when = TE_GPS),
    ES_ATTR(te_snap, st.sample.t, "t"),
    ES_ATTR_OF(ES_FIELD_U32, te_snap, st.sample.size, "sample_size"),
    ES_ATTR_OF(ES_FIELD_U32, te_snap, st.num_vertices, "num_vertices"),
    ES_ATTR(te_snap, st.self_loops, "self_loops"),
    ES_ATTR(te_snap, st.duplicates, "duplicates_dropped"),
    ES_ATTR_OF(ES_FIELD_BOOL, te_snap, st.exact, "exact_set"),
    ES_ATTR_OF(ES_FIELD_BOOL, te_snap, st.late, "late"),
    ES_ATTR(te_snap, st.graph_edges, "graph_edges", .when = TE_DYN),
    ES_ATTR(te_snap, st.del_sampled, "del_sampled", .when = TE_DYN),
    ES_ATTR(te_snap, st.del_other, "del_other", .when = TE_DYN),
    ES_ATTR(te_snap, probing, "probing", .max = 1),
    ES_ATTR_OF(ES_FIELD_F64, te_snap, st.triangles, "triangles"),
    ES_ATTR_OF(ES_FIELD_F64, te_snap, st.pairs, "pairs"),
    ES_ARRAY(ES_FIELD_U64S, te_snap, rng, nrng, "rng", .flags = ES_FIELD_SIZED),
    ES_ARRAY(ES_FIELD_U32S, te_snap, st.sample.slots, st.sample.size, "slots", .mul = 2, .flags = ES_FIELD_N32),
    ES_ARRAY(ES_FIELD_F64S, te_snap, st.slot_weight, st.sample.size, "slot_weight", .flags = ES_FIELD_N32),
    ES_ARRAY(ES_FIELD_F64S, te_snap, st.edge_weight, st.sample.size, "edge_weight", .flags = ES_FIELD_N32,
             .when = TE_GPS),
    ES_ARRAY(ES_FIELD_F64S, te_snap, st.priority, st.sample.size, "priority", .flags = ES_FIELD_N32, .when = TE_GPS),
    ES_ARRAY(ES_FIELD_U32S, te_snap, lv, nlocal, "local_vertices", .when = TE_LOCAL),
    ES_ARRAY(ES_FIELD_F64S, te_snap, lx, nlocal, "local_values", .when = TE_LOCAL),
};
/* (only while on probation) */
static const es_field te_probe_fields[] = {
    ES_ARRAY(ES_FIELD_U64S, te_snap, probe_keys, nprobe, "probe_keys"),
};

/* The options' part of a te_snap, and the `when` mask they give. */
static unsigned te_options(const tri_est_op *te, te_snap *s)
{
    s->m = te->m;
    s->local = te->local != 0;
    s->top = te->top;
    s->room = te->room;
    s->dedup = (char *)dedup_names[te->dedup];
    s->method = (char *)method_names[te->method];
    s->nrng = 4;
    s->copies = te->ncopies;
    return (te->ncopies > 1 ? TE_COPIES : 0) |
           (te->method != ES_TRI_EST_IMPR ? TE_NOT_IMPR : 0) | (te->method == ES_TRI_EST_WRS ? TE_WRS : 0) |
           (te->method == ES_TRI_EST_GPS ? TE_GPS : 0) | (is_dynamic(te->method) ? TE_DYN : 0) |
           (te->local ? TE_LOCAL : 0);
}

/* Only what the barrier froze (it may run in a thread while the stream
 * goes on): the copies, the state's scalars, the logs' first entries. */
static gboolean tri_est_snapshot_write(es_operator *op, es_snapshot_writer *w, GError **error)
{
    const tri_est_op *te = (const tri_est_op *)op;
    te_snap s = te->f;
    const unsigned mask = te_options(te, &s);
    s.rng = s.st.sample.rng;
    if (!ES_FIELDS_WRITE(w, te_fields, mask, &s, error) ||
        (s.probing && !ES_FIELDS_WRITE(w, te_probe_fields, 0, &s, error)))
        return FALSE;
    if (te->ncopies <= 1)
        return TRUE;
    /* Copies 1 .. C-1: group copies/c each, the same fields. */
    hid_t cg = H5Gcreate2(es_writer_group(w), "copies", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    gboolean ok = cg >= 0;
    for (uint32_t c = 1; ok && c < te->ncopies; c++) {
        char name[16];
        g_snprintf(name, sizeof name, "%u", c);
        tri_est_op *k = te->kids[c - 1];
        if (fetched(te, c)) {
            /* One copy from where it runs at a time: frozen, written,
             * let go (the fetch holds its state until the next). */
            es_tri_est_state kst;
            if (!te->fetch(te->fetch_user, op, c, &kst, error)) {
                ok = FALSE;
                break;
            }
            freeze(k, &kst);
        }
        es_snapshot_writer kw = { .group = H5Gcreate2(cg, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), .logs = w->logs };
        ok = kw.group >= 0 && tri_est_snapshot_write(&k->base, &kw, error);
        if (kw.group >= 0)
            H5Gclose(kw.group);
        if (fetched(te, c))
            thaw(k);
        if (!ok && error && *error == NULL)
            g_set_error(error, ES_ERROR, ES_ERROR_IO, "tri-est: cannot write group copies/%s", name);
    }
    if (cg >= 0)
        H5Gclose(cg);
    else
        g_set_error(error, ES_ERROR, ES_ERROR_IO, "tri-est: cannot write group copies");
    return ok;
}

/* What the fields do not say alone: the top list on or off as in this
 * run, at most m sampled edges; local_vertices ascending and below n,
 * local_values finite and above 0 (insert-only methods only ever add
 * positive weights; thinkd's deletions subtract: finite and not 0). */
static const char *te_check(const tri_est_op *te, const te_snap *s, const char **culprit)
{
    *culprit = "top";
    if ((s->top > 0) != (te->top > 0))
        return "turns the top list on or off unlike this run";
    *culprit = "sample_size";
    if (s->st.sample.size > s->m)
        return "is more than m";
    *culprit = "local_vertices";
    if (s->nlocal > s->st.num_vertices)
        return "has more entries than vertices";
    for (size_t i = 0; i < s->nlocal; i++) {
        *culprit = "local_vertices";
        if (s->lv[i] >= s->st.num_vertices || (i > 0 && s->lv[i] <= s->lv[i - 1]))
            return "has a vertex beyond the vertices or not after the one before";
        *culprit = "local_values";
        if (!(is_dynamic(te->method) ? s->lx[i] != 0.0 : s->lx[i] > 0.0) || !isfinite(s->lx[i]))
            return "has an estimate that is not a finite non-zero (insert-only: positive) number";
    }
    *culprit = "exact_set";
    if (s->st.exact && te->base.edges == NULL && s->st.sample.t > 0)
        return "asks for an exact repeat test without the snapshot's edge table (/edges/keys)";
    return NULL;
}

static gboolean tri_est_snapshot_read(es_operator *op, hid_t g, GError **error)
{
    tri_est_op *te = (tri_est_op *)op;
    resolve_method(te);
    const char *name = op->name ? op->name : "tri-est";
    te_snap s = { 0 };
    const unsigned mask = te_options(te, &s);
    double *loc = NULL;
    uint64_t *ext = NULL;
    es_edgetable *probe = NULL;
    gboolean ok = FALSE;
    const char *culprit = NULL, *why = NULL;
    if (!ES_FIELDS_READ(g, te_fields, mask, &s, error) ||
        (s.probing && !ES_FIELDS_READ(g, te_probe_fields, 0, &s, error)) ||
        (te->top && (ext = es_operator_restored_ids(op, s.st.num_vertices, error)) == NULL)) {
        g_prefix_error(error, "%s: ", name);
        goto out;
    }
    if ((why = te_check(te, &s, &culprit)) != NULL) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: snapshot field \"%s\" %s", name, culprit, why);
        goto out;
    }
    es_tri_est_state st = s.st;
    st.method = te->method;
    st.room = te->method == ES_TRI_EST_WRS ? te->room : 0;
    st.sample.m = te->m;
    st.sample.managed = is_dynamic(te->method);
    memcpy(st.sample.rng, s.rng, sizeof st.sample.rng);
    st.ext = ext;
    if (te->local) {
        loc = es_big_alloc((size_t)MAX(st.num_vertices, 1) * sizeof(double));
        for (size_t i = 0; i < s.nlocal; i++)
            loc[s.lv[i]] = s.lx[i];
        st.local = loc;
    }
    if (s.probing) {
        probe = table_of_keys(s.probe_keys, s.nprobe, st.num_vertices, "snapshot dataset \"probe_keys\"", error);
        if (probe == NULL) {
            g_prefix_error(error, "%s: ", name);
            goto out;
        }
        st.probe = probe;
    }
    ok = apply_state(te, &st, NULL, probe, error);   /* the table stays the restored one */
    probe = NULL;   /* (apply_state's, freed or kept) */
    /* (copies outside [own_lo, own_hi) run elsewhere: their ranks read them) */
    for (uint32_t c = MAX(te->own_lo, 1); ok && c < te->own_hi; c++)
        ok = es_tri_est_read_copy(op, g, c, error);
out:
    es_big_free(loc, loc ? (size_t)MAX(s.st.num_vertices, 1) * sizeof(double) : 0);
    es_big_free(ext, s.st.num_vertices * sizeof(uint64_t));
    ES_FIELDS_CLEAR(te_fields, mask, &s);
    ES_FIELDS_CLEAR(te_probe_fields, 0, &s);
    return ok;
}

gboolean es_tri_est_read_copy(es_operator *op, hid_t g, uint32_t c, GError **error)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_tri_est_class && c > 0 && c < es_tri_est_copies(op), FALSE);
    tri_est_op *te = (tri_est_op *)op, *k = te->kids[c - 1];
    const char *name = op->name ? op->name : "tri-est";
    char path[24];
    g_snprintf(path, sizeof path, "copies/%u", c);
    k->base.edges = op->edges;   /* the restored table, which copies read */
    hid_t kg = H5Lexists(g, "copies", H5P_DEFAULT) > 0 && H5Lexists(g, path, H5P_DEFAULT) > 0
                   ? H5Gopen2(g, path, H5P_DEFAULT) : -1;
    if (kg < 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "%s: snapshot group \"%s\" is missing", name, path);
        return FALSE;
    }
    te->given_next = 0;   /* (the states answer now) */
    gboolean ok = tri_est_snapshot_read(&k->base, kg, error);
    H5Gclose(kg);
    if (!ok)
        g_prefix_error(error, "%s: %s: ", name, path);
    return ok;
}

/* (Asked before every batch a caller feeds, and by the flow once it has
 * told the operator the stream deletes: the moment the default method
 * becomes thinkd.) */
static gboolean tri_est_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)snapshots;
    tri_est_op *te = (tri_est_op *)op;
    resolve_method(te);
    return te->exact;
}

const es_operator_class es_tri_est_class = {
    .name = "tri-est",
    .summary = "triangle estimates in bounded memory (TRIEST-IMPR, WRS, GPS; under deletions ThinkD, TRIEST-FD):"
               " global, local, stddev",
    .options = "method=impr|wrs|gps|thinkd|triest-fd (default impr, thinkd with --deletions),room=0.1 (wrs:"
               " waiting-room share),m=100000 (sample edges, 2..2^29),seed=1,dedup=auto|0|1,local=1,top=10 (0..1000),copies=1 (1..1024: independent copies, seeds seed+c, the"
               " answers their mean; dedup=auto is 1 with more than one)",
    .create = tri_est_create,
    .process_batch = tri_est_process_batch,
    .report = tri_est_report,
    .snapshot_prepare = tri_est_snapshot_prepare,
    .snapshot_write = tri_est_snapshot_write,
    .snapshot_read = tri_est_snapshot_read,
    .destroy = tri_est_destroy,
    .needs_edges = tri_est_needs_edges,
    .deletions = TRUE,   /* thinkd and triest-fd; the others refuse at their first batch */
    .sliding_snapshot = TRUE,
};
