/* spanner.c — the "spanner" operator: a (2k-1)-spanner of the stream's
 * simple graph, built in one pass: a subgraph in which the endpoints of
 * every distinct input edge are at most 2k-1 hops apart.  Two methods:
 *
 * method=baswana (default): Baswana's clustering spanner (IPL 2008), in
 * operators/spanner_cluster.c: O(1) expected work per edge, no
 * distinct-edge stage, expected size O(k n^(1+1/k)); seeded.
 *
 * method=greedy: the greedy spanner (Althöfer, Das, Dobkin, Joseph &
 * Soares, "On sparse spanners of weighted graphs", DCG 1993) in its
 * streaming form (Feigenbaum, Kannan, McGregor, Suri & Zhang, ICALP 2004 /
 * TCS 2005; Elkin, ICALP 2007): a new distinct edge (u, v) is kept iff the
 * spanner has no u-v path of at most 2k-1 edges.  The check is a
 * bidirectional BFS bounded to 2k-1 hops in total, expanding the side
 * whose frontier has the smaller total degree; vertices are marked with a
 * per-query stamp, so nothing is cleared between queries.  Distinct input
 * edges are those the run's edge table (graph/edgetable.h) reports as
 * appearing; the spanner is a graph/adjacency.  Cost per new edge: the
 * bounded BFS, at most the spanner's edges within 2k-2 hops of u or v
 * (O(1) when an endpoint is new, O(1) for k = 1); per duplicate: nothing.
 * Memory: the spanner (about 12-44 bytes per kept edge, see adjacency.h),
 * 16 bytes per vertex of BFS marks and frontiers.  It has girth > 2k (a
 * kept edge never closes a cycle of 2k edges or fewer), so fewer than
 * n^(1+1/k) + n edges (the Moore bound): it keeps fewer edges than the
 * clustering, at a cost per edge that grows with the hubs' neighbourhoods
 * (sizes and speeds of both: bench/RESULTS.md).
 *
 * Guarantees (both): stretch 2k-1 exactly: a dropped edge had a path of
 * at most 2k-1 kept edges when it came, and kept edges are never removed.
 * k = 1 keeps exactly the distinct edges.  The decisions are sequential by
 * nature (each depends on every one before), so the kept graph depends
 * only on the edge sequence (and the seed), never on the thread count.
 *
 * Answers: edges (kept), stretch (2k-1); greedy: input_edges (distinct
 * input edges, self-loops excluded), fraction (edges / input_edges);
 * baswana: edges_seen (input edge lines, repeats included, self-loops
 * excluded), fraction (edges / edges_seen), size_bound (the expected-size
 * bound for the vertices seen).
 * Options: k=K (default 2, 1..64), method=baswana|greedy; baswana also
 * seed=S (default 1) and n=N (the expected vertex count, which sets the
 * sampling probability N^(-1/k); default 2^20).
 *
 * Snapshot: group /operators/spanner, attributes k, stretch, method; the
 * greedy method's layout is in README.md ("Snapshots"), the clustering's
 * in spanner_cluster.c.  A restore checks every array and swaps the new
 * state in only when all pass.
 *
 * Across MPI ranks (mpi/driver_mpi.h): at rank 0, each edge gathered (16
 * bytes): whether an edge enters depends on the spanner of every earlier
 * edge (a distance query per edge in stream order), so ranks could only
 * take turns.
 */
#include "operators/spanner.h"

#include <string.h>

#include "graph/common.h"
#include "operators/spanner_cluster.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * k and method, then the method's fields (greedy's below; the
 * clustering's: spanner_cluster.c). */
typedef struct {
    uint64_t  k, stretch, nv, nkept, ninput;
    char     *method;
    uint64_t *kept;
} spanner_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator   base;
    es_spanner_cluster *cl;     /* method=baswana; NULL for greedy */
    es_adjacency *kept;         /* baswana: built from cl's kept edges when asked */
    unsigned      k, stretch;
    uint64_t      input_edges;
    uint64_t     *kept_keys;    /* log of the kept edges, in order */
    size_t        kept_cap;     /* entries */
    /* BFS: mark[x] = 2 * stamp + side for the vertices the query at that
     * stamp reached; frontiers of either side and the next one (mark_cap
     * entries each: a frontier never repeats a vertex). */
    uint32_t     *mark;
    uint32_t     *front[2], *next;
    size_t        mark_cap;
    uint32_t      stamp;
    spanner_snap  f;            /* at the last snapshot barrier */
} spanner_op;

static es_operator *spanner_create(es_options *opts, GError **error)
{
    uint64_t k, seed = 1, n = 1u << 20;
    const char *method;
    /* The getters record which options were used, hence the cast. */
    if (!es_options_get_u64(opts, "k", 2, 1, 64, &k, error) ||
        !es_options_get_string(opts, "method", "baswana", &method, error))
        return NULL;
    const gboolean greedy = strcmp(method, "greedy") == 0;
    if (!greedy && strcmp(method, "baswana") != 0) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: method must be baswana or greedy, got \"%s\"",
                    es_options_op(opts), method);
        return NULL;
    }
    if (!greedy && (!es_options_get_u64(opts, "seed", 1, 0, UINT64_MAX, &seed, error) ||
                    !es_options_get_u64(opts, "n", n, 1, UINT32_MAX, &n, error)))
        return NULL;
    spanner_op *s = g_new0(spanner_op, 1);
    if (!greedy)
        s->cl = es_spanner_cluster_new((unsigned)k, seed, n);
    s->k = (unsigned)k;
    s->stretch = 2 * (unsigned)k - 1;
    s->kept = es_adjacency_new(0);
    return &s->base;
}

static void spanner_destroy(es_operator *op)
{
    spanner_op *s = (spanner_op *)op;
    es_spanner_cluster_free(s->cl);
    es_adjacency_free(s->kept);
    es_log_free(s->kept_keys, s->kept_cap * sizeof(uint64_t));
    es_big_free(s->mark, s->mark_cap * sizeof(uint32_t));
    es_big_free(s->front[0], s->mark_cap * sizeof(uint32_t));
    es_big_free(s->front[1], s->mark_cap * sizeof(uint32_t));
    es_big_free(s->next, s->mark_cap * sizeof(uint32_t));
    g_free(s);
}

/* Is there a u-v path of at most s->stretch edges in the spanner? */
static gboolean within_stretch(spanner_op *s, uint32_t u, uint32_t v)
{
    const es_adjacency_vertex *V = es_adjacency_records(s->kept);
    if (V[u].deg == 0 || V[v].deg == 0)
        return FALSE;
    if (s->stretch == 1)
        return es_adjacency_contains(s->kept, u, v);
    if (s->stamp == UINT32_MAX / 2) {
        /* Stamps exhausted (after 2^31 queries): start over. */
        memset(s->mark, 0, s->mark_cap * sizeof(uint32_t));
        s->stamp = 0;
    }
    s->stamp++;
    uint32_t *mark = s->mark;
    const uint32_t mine[2] = { 2 * s->stamp, 2 * s->stamp + 1 };
    mark[u] = mine[0];
    mark[v] = mine[1];
    uint32_t *front[2] = { s->front[0], s->front[1] }, *next = s->next;
    size_t len[2] = { 1, 1 };
    front[0][0] = u;
    front[1][0] = v;
    uint64_t cost[2] = { V[u].deg, V[v].deg };
    gboolean found = FALSE;
    /* depth: hops covered by both sides together. */
    for (unsigned depth = 0; depth < s->stretch && !found; depth++) {
        /* Expand the side that will scan fewer edges. */
        const int side = cost[0] <= cost[1] ? 0 : 1;
        const uint32_t me = mine[side], other = mine[1 - side];
        const uint32_t *f = front[side];
        const size_t flen = len[side];
        if (depth + 1 == s->stretch) {
            /* The last hop: only look for the other side's marks. */
            for (size_t i = 0; i < flen && !found; i++) {
                const uint32_t *nb = V[f[i]].nb;
                for (uint32_t j = 0, deg = V[f[i]].deg; j < deg; j++) {
                    if (mark[nb[j]] == other) {
                        found = TRUE;
                        break;
                    }
                }
            }
            break;
        }
        size_t nlen = 0;
        uint64_t ncost = 0;
        for (size_t i = 0; i < flen && !found; i++) {
            const uint32_t *nb = V[f[i]].nb;
            for (uint32_t j = 0, deg = V[f[i]].deg; j < deg; j++) {
                const uint32_t y = nb[j];
                if (mark[y] == other) {
                    found = TRUE;
                    break;
                }
                if (mark[y] != me) {
                    mark[y] = me;
                    next[nlen++] = y;
                    ncost += V[y].deg;
                }
            }
        }
        if (!found && nlen == 0)
            break; /* that side's component is exhausted */
        s->next = front[side];
        front[side] = next;
        next = s->next;
        len[side] = nlen;
        cost[side] = ncost;
    }
    s->front[0] = front[0];
    s->front[1] = front[1];
    return found;
}

/* Room in the kept log for `need` edges. */
static void keep_room(spanner_op *s, size_t need)
{
    if (need <= s->kept_cap)
        return;
    const size_t cap = es_grow_cap(s->kept_cap, need);
    s->kept_keys = es_log_grow(s->kept_keys, s->kept_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
    s->kept_cap = cap;
}

/* Keep edge {u, v} (not yet kept; room in the log). */
static void keep(spanner_op *s, uint32_t u, uint32_t v)
{
    s->kept_keys[es_adjacency_edges(s->kept)] = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
    es_adjacency_insert(s->kept, u, v);
}

static gboolean spanner_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    spanner_op *s = (spanner_op *)op;
    const es_edge *e = batch->edges;
    const size_t n = batch->n;
    const uint32_t nv = batch->num_vertices;
    es_batch_assert_ids(batch, nv, "spanner");
    if (s->cl) {
        es_spanner_cluster_add(s->cl, e, batch->change, n, nv);
        return TRUE;
    }
    if (n == 0)
        return TRUE;
    es_adjacency_grow(s->kept, nv);
    if (nv > s->mark_cap) {
        size_t cap = es_grow_cap(s->mark_cap, nv);
        s->mark = es_big_realloc(s->mark, s->mark_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        for (int i = 0; i < 3; i++) {
            uint32_t **buf = i < 2 ? &s->front[i] : &s->next;
            es_big_free(*buf, s->mark_cap * sizeof(uint32_t));
            *buf = es_big_alloc(cap * sizeof(uint32_t));
        }
        s->mark_cap = cap;
    }
    const uint8_t *change = batch->change;
    g_assert(n == 0 || change != NULL);
    keep_room(s, es_adjacency_edges(s->kept) + n);
    for (size_t i = 0; i < n; i++) {
        if (change[i] != ES_EDGE_APPEARS)
            continue;
        s->input_edges++;
        if (!within_stretch(s, e[i].u, e[i].v))
            keep(s, e[i].u, e[i].v);
    }
    return TRUE;
}

static void spanner_report(es_operator *op, es_report *report)
{
    spanner_op *s = (spanner_op *)op;
    if (s->cl) {
        size_t kept;
        es_spanner_cluster_kept(s->cl, &kept);
        const uint64_t seen = es_spanner_cluster_offered(s->cl);
        es_report_add_u64(report, "edges", kept);
        es_report_add_u64(report, "edges_seen", seen);
        es_report_add_double(report, "fraction", seen ? (double)kept / (double)seen : 0.0);
        es_report_add_u64(report, "stretch", s->stretch);
        es_report_add_double(report, "size_bound", es_spanner_cluster_size_bound(s->cl));
        return;
    }
    const uint64_t kept = es_adjacency_edges(s->kept);
    es_report_add_u64(report, "edges", kept);
    es_report_add_u64(report, "input_edges", s->input_edges);
    es_report_add_double(report, "fraction", s->input_edges ? (double)kept / (double)s->input_edges : 0.0);
    es_report_add_u64(report, "stretch", s->stretch);
}

const es_adjacency *es_spanner_graph(es_operator *op)
{
    g_return_val_if_fail(op->klass == &es_spanner_class, NULL);
    spanner_op *s = (spanner_op *)op;
    if (s->cl) {
        /* Bring the adjacency up to the kept log. */
        size_t n;
        const uint64_t *keys = es_spanner_cluster_kept(s->cl, &n);
        es_adjacency_grow(s->kept, es_spanner_cluster_vertices(s->cl));
        for (size_t i = es_adjacency_edges(s->kept); i < n; i++)
            es_adjacency_insert(s->kept, (uint32_t)(keys[i] >> 32), (uint32_t)keys[i]);
    }
    return s->kept;
}

unsigned es_spanner_stretch(es_operator *op)
{
    g_return_val_if_fail(op->klass == &es_spanner_class, 0);
    return ((spanner_op *)op)->stretch;
}

/* ---- snapshot ------------------------------------------------------------ */

static void spanner_snapshot_prepare(es_operator *op)
{
    spanner_op *s = (spanner_op *)op;
    if (s->cl)
        es_spanner_cluster_prepare(s->cl);
    else
        g_assert(op->frozen_edges == s->input_edges);
    s->f = (spanner_snap){ s->k, s->stretch, es_adjacency_vertices(s->kept), es_adjacency_edges(s->kept),
                           s->input_edges, s->cl ? "baswana" : "greedy", s->kept_keys };
}

static const es_field spanner_fields[] = {
    ES_ATTR(spanner_snap, k, "k", .flags = ES_FIELD_PARAM),
    ES_ATTR(spanner_snap, stretch, "stretch"),
    ES_ATTR_OF(ES_FIELD_STR, spanner_snap, method, "method", .flags = ES_FIELD_PARAM),
};
static const es_field greedy_fields[] = {
    ES_ATTR(spanner_snap, nv, "vertices", .max = UINT32_MAX),
    ES_ATTR(spanner_snap, nkept, "edges"),
    ES_ATTR(spanner_snap, ninput, "input_edges"),
    ES_ARRAY(ES_FIELD_LOG_U64, spanner_snap, kept, nkept, "kept_keys"),
};

static gboolean spanner_snapshot_write(es_operator *op, es_snapshot_writer *w, GError **error)
{
    spanner_op *s = (spanner_op *)op;
    return ES_FIELDS_WRITE(w, spanner_fields, 0, &s->f, error) &&
           (s->cl ? es_spanner_cluster_write(s->cl, w, error) : ES_FIELDS_WRITE(w, greedy_fields, 0, &s->f, error));
}

/* Build the new state aside and swap it in only when every check passed, so
 * a bad snapshot leaves the operator as it was. */
static gboolean spanner_snapshot_read(es_operator *op, hid_t g, GError **error)
{
    spanner_op *s = (spanner_op *)op;
    spanner_snap f = { .k = s->k, .method = s->cl ? "baswana" : "greedy" };
    if (!ES_FIELDS_READ(g, spanner_fields, 0, &f, error)) {
        g_prefix_error(error, "%s: ", op->spec ? op->spec : "spanner");
        return FALSE;
    }
    if (s->cl) {
        if (!es_spanner_cluster_read(s->cl, g, op->spec ? op->spec : "spanner", error))
            return FALSE;
        /* The adjacency is rebuilt from the kept log when asked. */
        es_adjacency_free(s->kept);
        s->kept = es_adjacency_new(0);
        return TRUE;
    }
    const es_edgetable *seen = op->edges;
    es_adjacency *kept = NULL;
    gboolean ok = FALSE;
    if (!ES_FIELDS_READ(g, greedy_fields, 0, &f, error) ||
        !es_edgetable_check(seen, f.ninput, (uint32_t)f.nv, ES_EDGES_DATASET, error))
        goto out;
    if (f.nkept > f.ninput) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"edges\" is %" G_GUINT64_FORMAT ", more than the %" G_GUINT64_FORMAT
                    " of attribute \"input_edges\"", (guint64)f.nkept, (guint64)f.ninput);
        goto out;
    }
    /* Replayed in order: every vertex gets its neighbours in the order the
     * uninterrupted run gave them.  The spanner is a simple subgraph of the
     * input. */
    kept = es_adjacency_new((uint32_t)f.nv);
    es_adjacency_grow(kept, (uint32_t)f.nv);
    for (size_t i = 0; i < f.nkept; i++) {
        const uint32_t u = (uint32_t)(f.kept[i] >> 32), v = (uint32_t)f.kept[i];
        const char *why = u >= v ? "does not have u < v"
                        : !es_edgetable_contains(seen, u, v) ? "is not among the input edges (/edges/keys)"
                        : es_adjacency_contains(kept, u, v) ? "repeats an earlier key" : NULL;
        if (why != NULL) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot dataset \"kept_keys\": key %zu (u %u, v %u) %s",
                        i, u, v, why);
            goto out;
        }
        es_adjacency_insert(kept, u, v);
    }
    es_adjacency_free(s->kept);
    es_log_free(s->kept_keys, s->kept_cap * sizeof(uint64_t));
    s->kept = g_steal_pointer(&kept);
    s->input_edges = f.ninput;
    s->kept_keys = NULL;
    s->kept_cap = 0;
    keep_room(s, f.nkept);
    if (f.nkept)
        memcpy(s->kept_keys, f.kept, f.nkept * sizeof(uint64_t));
    ok = TRUE;
out:
    es_adjacency_free(kept);
    ES_FIELDS_CLEAR(greedy_fields, 0, &f);
    return ok;
}

static gboolean spanner_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)snapshots;
    return ((const spanner_op *)op)->cl == NULL;
}

const es_operator_class es_spanner_class = {
    .name = "spanner",
    .summary = "(2k-1)-spanner in one pass (Baswana's clustering, or greedy): kept edges, fraction, stretch",
    .options = "k=K (stretch 2k-1, default 2, 1..64),method=baswana|greedy,seed=1,n=1048576 (expected vertices)",
    .create = spanner_create,
    .process_batch = spanner_process_batch,
    .report = spanner_report,
    .snapshot_prepare = spanner_snapshot_prepare,
    .snapshot_write = spanner_snapshot_write,
    .snapshot_read = spanner_snapshot_read,
    .destroy = spanner_destroy,
    .needs_edges = spanner_needs_edges,
};
