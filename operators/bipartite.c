/* bipartite.c — the "bipartite" operator: is the graph seen so far
 * bipartite, and if not, which edge first closed an odd cycle.
 *
 * Algorithm: union-find with parity (graph/parity_uf.c): every edge (u, v)
 * asks for u and v on opposite sides; the first edge for which they are
 * already on the same side closes an odd cycle, and the graph stays
 * non-bipartite from then on (later edges are not looked at).  A self-loop
 * is an odd cycle of length 1, so it makes the graph non-bipartite, as
 * igraph_is_bipartite says too; repeated edges change nothing.
 * Cost: amortised O(alpha(n)) per edge, 6 bytes per vertex; O(1) per edge
 * once the answer is false.
 * Guarantees: exact, checked against igraph_is_bipartite.
 *
 * Sequential: the answer names the first closing edge in stream order, so
 * the edges are applied in that order.  A union is a few dependent memory
 * accesses (as in the cc operator), so the pass is bound by memory latency
 * and a concurrent forest would spend more on atomics and on finding the
 * earliest conflict than it saves.
 *
 * Deletions: in a stream that may delete edges (op->dynamic, --deletions)
 * the graph can become bipartite again, so from the first batch the
 * parity union-find gives way to graph/lazyconn.c in parity mode, fed
 * the edge table's appearances and disappearances: the parity union-find
 * over the present pairs with its spanning forest flagged in a set of
 * them, whose sides stay a 2-colouring of every present pair but the ones
 * counted odd.  Per appearance one probe and one union, per disappearance
 * one probe and two finds; a forest pair leaving a graph with an odd
 * cycle leaves the answer open until the next report, which settles it
 * in O(m) (at worst by a replay of the changes since through
 * graph/dynconn.c: graph/lazyconn.h says when), and if reports come so often
 * that this outweighs the changes, graph/dynconn.c for good.  A self-loop
 * line stays an odd cycle for good (the table ignores the deletion of a
 * self-loop, which is no simple-graph edge).  odd_cycle_* then name the
 * edge that last made the graph non-bipartite.
 * Sliding windows (dataflow/window.h, op->sliding): no deletion at all,
 * but BIC with parity (graph/bic.h: parity union-finds built forward over
 * the current chunk of the window and backward over the older one, with
 * the latest line at which the older chunk's suffix stops being
 * bipartite).  Cost per line: one union forward and one backward, plus
 * one more while the window is bipartite (which finds the line that
 * closes an odd cycle); per expiry that may leave the window bipartite, a
 * merge of the two forests (6 bytes per vertex copied, the older chunk's
 * joins still in the window united).  A self-loop line is an odd cycle
 * until it expires.  odd_cycle_* name the line that last made the
 * window's graph non-bipartite.  With --deletions too (no op->sliding),
 * the deletion path above, expiries as disappearances.
 *
 * Answers: bipartite (bool); once false also odd_cycle_index (the closing
 * edge's stream index, from 0), odd_cycle_u and odd_cycle_v (its endpoints
 * as external ids when the batch carries them, dense ids otherwise).
 *
 * Across MPI ranks (mpi/driver_mpi.c): each rank reduces its share of a
 * batch to a parity forest, merged up a binary tree with a flag for an
 * odd cycle (mpi/forest.h); rank 0 checks the merged forest against a
 * copy of this operator's forest, and while the graph stays bipartite the
 * forest is all it is fed (its 2-colouring implies every other edge of
 * the batch).  The first batch that closes an odd cycle is gathered whole
 * at rank 0 and fed in stream order, so the closing edge named is the
 * single process's; after it nothing is sent for this operator.
 *
 * Snapshot: group /operators/bipartite, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 * Under deletions it holds no forest: a restore inserts the restored
 * table's present pairs into graph/lazyconn.c in parity mode (one
 * insertion each) and checks the answer.
 *
 * Across MPI ranks (mpi/driver_mpi.h): the state stays at rank 0.  In a
 * reduced run it is fed the merged forest with parities (as cc) while the
 * graph is bipartite; the batch that closes the first odd cycle is gathered
 * whole (16 bytes per edge, once), so the closing edge is the single
 * process's.  Otherwise each edge is gathered at rank 0.
 */
#include "graph/bic.h"
#include "graph/common.h"
#include "graph/lazyconn.h"
#include "graph/parity_uf.h"
#include "operators/bipartite.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The answer's attributes, then (without deletions) the forest's arrays
 * of na entries (bip_attrs and bip_arrays, below).  Under deletions the
 * forest is the table's present pairs: "vertices" counts the dynamic
 * structure's, the arrays are empty. */
typedef struct {
    uint64_t  n, loops, bip, odd[3], na;
    uint32_t *parent;
    uint8_t  *parity, *rank;
} bip_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    es_puf     *uf;
    es_lazyconn *dyn;       /* instead of uf in a stream with deletions (op->dynamic); the answer
                               is its own, read into the fields below at reports */
    es_bic     *bic;        /* instead of both in a sliding window (op->sliding) */
    gboolean    bipartite;
    uint64_t    odd_index, odd_u, odd_v;
    bip_snap    f;          /* at the last snapshot barrier (its arrays: copies) */
    size_t      f_parent_cap, f_parity_cap, f_rank_cap;   /* bytes */
} bipartite_op;

static es_operator *bipartite_create(es_options *opts, GError **error)
{
    (void)opts;
    (void)error;
    bipartite_op *b = g_new0(bipartite_op, 1);
    b->uf = es_puf_new(0);
    b->bipartite = TRUE;
    return &b->base;
}

static void bipartite_destroy(es_operator *op)
{
    bipartite_op *b = (bipartite_op *)op;
    es_puf_free(b->uf);
    es_lazyconn_free(b->dyn);
    es_bic_free(b->bic);
    es_big_free(b->f.parent, b->f_parent_cap);
    es_big_free(b->f.parity, b->f_parity_cap);
    es_big_free(b->f.rank, b->f_rank_cap);
    g_free(b);
}

/* A stream with deletions: the graph may turn bipartite again, so every
 * appearance and disappearance, and every self-loop line, goes to the
 * lazy structure in parity mode, each insertion named by its line (the
 * one that last made the graph non-bipartite is odd_cycle_*). */
static void process_dynamic(bipartite_op *b, const es_batch *batch)
{
    if (b->dyn == NULL)
        b->dyn = es_lazyconn_new(TRUE);
    es_lazyconn_grow(b->dyn, batch->num_vertices);
    es_batch_assert_ids(batch, es_lazyconn_vertices(b->dyn), "bipartite");
    g_assert(batch->n == 0 || batch->change != NULL);
    const es_edge *e = batch->edges;
    for (size_t i = 0; i < batch->n; i++) {
        if (i + 16 < batch->n && batch->change[i + 16] != ES_EDGE_SEEN)
            es_lazyconn_prefetch(b->dyn, e[i + 16].u, e[i + 16].v);
        const uint8_t c = batch->change[i];
        const gboolean loop = e[i].u == e[i].v;
        if (loop && batch->del && batch->del[i] == ES_LINE_EXPIRE) {
            es_lazyconn_loop(b->dyn, -1, NULL);   /* (an expired self-loop line leaves; a deleted one stays) */
            continue;
        }
        if (!(loop && !(batch->del && batch->del[i])) && c != ES_EDGE_APPEARS) {
            if (c == ES_EDGE_DISAPPEARS)
                es_lazyconn_delete(b->dyn, e[i].u, e[i].v);
            continue;
        }
        const es_lazyconn_tag tag = { es_batch_index(batch, i), batch->ext ? batch->ext[2 * i] : e[i].u,
                                      batch->ext ? batch->ext[2 * i + 1] : e[i].v };
        if (loop)
            es_lazyconn_loop(b->dyn, 1, &tag);
        else
            es_lazyconn_insert_tagged(b->dyn, e[i].u, e[i].v, &tag);
    }
}

/* With deletions: the structure's answer into the fields. */
static void answer_dynamic(bipartite_op *b)
{
    if (!b->base.dynamic || b->base.sliding || b->dyn == NULL)
        return;
    es_lazyconn_tag t;
    b->bipartite = es_lazyconn_bipartite(b->dyn, &t);
    if (!b->bipartite) {
        b->odd_index = t.index;
        b->odd_u = t.u;
        b->odd_v = t.v;
    }
}

/* A sliding window (BIC with parity): lines enter and expire; the answer
 * is the window's after each, odd_cycle_* the line that last made it not
 * bipartite. */
static void process_sliding(bipartite_op *b, const es_batch *batch)
{
    if (b->bic == NULL)
        b->bic = es_bic_new(TRUE);
    es_batch_assert_ids(batch, batch->num_vertices, "bipartite");
    if (batch->n > 0 && batch->del != NULL) {
        g_assert(batch->del[0] == ES_LINE_EXPIRE);
        es_bic_expire(b->bic, batch->n, batch->num_vertices);
    } else {
        const size_t i = es_bic_insert(b->bic, batch->edges, batch->n, batch->num_vertices);
        if (i < batch->n && !b->base.replaying) {
            b->odd_index = es_batch_index(batch, i);
            b->odd_u = batch->ext ? batch->ext[2 * i] : batch->edges[i].u;
            b->odd_v = batch->ext ? batch->ext[2 * i + 1] : batch->edges[i].v;
        }
    }
    if (!b->base.replaying)   /* (a restored window's lines: the answer is the snapshot's) */
        b->bipartite = !es_bic_odd(b->bic);
}

static gboolean bipartite_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    bipartite_op *b = (bipartite_op *)op;
    if (op->dynamic && op->sliding) {
        process_sliding(b, batch);
        return TRUE;
    }
    if (op->dynamic) {
        process_dynamic(b, batch);
        return TRUE;
    }
    if (!b->bipartite)
        return TRUE;
    es_puf_grow(b->uf, batch->num_vertices);
    es_batch_assert_ids(batch, es_puf_size(b->uf), "bipartite");
    const es_edge *e = batch->edges;
    for (size_t i = 0; i < batch->n; i++) {
        if (!es_puf_unite_opposite(b->uf, e[i].u, e[i].v)) {
            b->bipartite = FALSE;
            b->odd_index = es_batch_index(batch, i);
            b->odd_u = batch->ext ? batch->ext[2 * i] : e[i].u;
            b->odd_v = batch->ext ? batch->ext[2 * i + 1] : e[i].v;
            break;
        }
    }
    return TRUE;
}

static void bipartite_report(es_operator *op, es_report *report)
{
    bipartite_op *b = (bipartite_op *)op;
    answer_dynamic(b);
    es_report_add_bool(report, "bipartite", b->bipartite);
    if (!b->bipartite) {
        es_report_add_u64(report, "odd_cycle_index", b->odd_index);
        es_report_add_u64(report, "odd_cycle_u", b->odd_u);
        es_report_add_u64(report, "odd_cycle_v", b->odd_v);
    }
}

/* ---- snapshot ------------------------------------------------------------ */

/* At the barrier: the forest's arrays (6 bytes per vertex) and the
 * answers so far. */
static void bipartite_snapshot_prepare(es_operator *op)
{
    bipartite_op *b = (bipartite_op *)op;
    answer_dynamic(b);
    const uint32_t n = es_puf_size(b->uf);
    const uint32_t *parent;
    const uint8_t *parity, *rank;
    es_puf_arrays(b->uf, &parent, &parity, &rank);
    es_shadow_copy((void **)&b->f.parent, &b->f_parent_cap, parent, (size_t)n * sizeof(uint32_t));
    es_shadow_copy((void **)&b->f.parity, &b->f_parity_cap, parity, n);
    es_shadow_copy((void **)&b->f.rank, &b->f_rank_cap, rank, n);
    b->f = (bip_snap){ op->dynamic ? (b->dyn ? es_lazyconn_vertices(b->dyn) : 0) : n,
                       b->dyn ? es_lazyconn_loops(b->dyn) : 0, b->bipartite ? 1 : 0,
                       { b->odd_index, b->odd_u, b->odd_v }, n, b->f.parent, b->f.parity, b->f.rank };
}

static const es_field bip_attrs[] = {
    ES_ATTR(bip_snap, n, "vertices", .max = UINT32_MAX),
    ES_ATTR(bip_snap, loops, "self_loops"),
    ES_ATTR(bip_snap, bip, "bipartite", .max = 1),
    ES_ATTR(bip_snap, odd[0], "odd_cycle_index"),
    ES_ATTR(bip_snap, odd[1], "odd_cycle_u"),
    ES_ATTR(bip_snap, odd[2], "odd_cycle_v"),
};
static const es_field bip_arrays[] = {
    ES_ARRAY(ES_FIELD_U32S, bip_snap, parent, na, "parent", .flags = ES_FIELD_SIZED),
    ES_ARRAY(ES_FIELD_U8S, bip_snap, parity, na, "parity"),
    ES_ARRAY(ES_FIELD_U8S, bip_snap, rank, na, "rank"),
};

static gboolean bipartite_snapshot_write(es_operator *op, es_snapshot_writer *w, GError **error)
{
    const bipartite_op *b = (const bipartite_op *)op;
    return ES_FIELDS_WRITE(w, bip_attrs, 0, &b->f, error) && ES_FIELDS_WRITE(w, bip_arrays, 0, &b->f, error);
}

/* Under deletions: the parity structure of the restored table's present
 * pairs over s->n vertices and the self-loop lines, checked against the
 * snapshot's answer. */
static es_lazyconn *read_dynamic(bipartite_op *b, const bip_snap *s, GError **error)
{
    es_lazyconn *d = es_lazyconn_of_table(b->base.edges, (uint32_t)s->n, TRUE, error);
    if (d == NULL)
        return NULL;
    const es_lazyconn_tag t = { s->odd[0], s->odd[1], s->odd[2] };
    es_lazyconn_set_odd(d, s->loops, &t);
    const gboolean bip = s->bip != 0;
    if (bip != es_lazyconn_bipartite(d, NULL)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"bipartite\" is %d, but %s and attribute"
                    " \"self_loops\" (%" G_GUINT64_FORMAT ") give %d", bip, ES_EDGES_DATASET, (guint64)s->loops, !bip);
        g_clear_pointer(&d, es_lazyconn_free);
    }
    return d;
}

static gboolean bipartite_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    bipartite_op *b = (bipartite_op *)op;
    bip_snap s = { 0 };
    if (!ES_FIELDS_READ(group, bip_attrs, 0, &s, error))
        return FALSE;
    for (int i = 0; i < 3 && s.bip && !op->dynamic; i++) {   /* (with deletions: the last odd cycle's) */
        if (s.odd[i] != 0) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attribute \"%s\" is %" G_GUINT64_FORMAT
                        " while \"bipartite\" is 1", bip_attrs[3 + i].name, (guint64)s.odd[i]);
            return FALSE;
        }
    }
    /* (in a sliding window the window's lines rebuild the rest: dataflow/window.h) */
    if (op->dynamic && !op->sliding) {
        es_lazyconn *d = read_dynamic(b, &s, error);
        if (d == NULL)
            return FALSE;
        es_lazyconn_free(b->dyn);
        b->dyn = d;
    } else if (!op->sliding) {
        s.na = s.n;
        es_puf *uf = NULL;
        if (ES_FIELDS_READ(group, bip_arrays, 0, &s, error) &&
            (uf = es_puf_restore((uint32_t)s.n, s.parent, s.parity, s.rank, error)) == NULL)
            g_prefix_error(error, "snapshot datasets \"parent\", \"parity\", \"rank\": ");
        ES_FIELDS_CLEAR(bip_arrays, 0, &s);
        if (uf == NULL)
            return FALSE;
        es_puf_free(b->uf);
        b->uf = uf;
    }
    b->bipartite = s.bip != 0;
    b->odd_index = s.odd[0];
    b->odd_u = s.odd[1];
    b->odd_v = s.odd[2];
    return TRUE;
}

static gboolean bipartite_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)snapshots;
    return op->dynamic && !op->sliding;   /* (BIC reads the window's lines) */
}

gboolean es_bipartite_op_state(es_operator *op, const es_puf **uf)
{
    g_assert(op != NULL && op->klass == &es_bipartite_class);
    bipartite_op *b = (bipartite_op *)op;
    if (uf)
        *uf = b->uf;
    return b->bipartite;
}

const es_operator_class es_bipartite_class = {
    .deletions = TRUE,
    .sliding_snapshot = TRUE,
    .needs_edges = bipartite_needs_edges,
    .name = "bipartite",
    .summary = "is the graph bipartite (parity union-find); the edge that closed the first odd cycle",
    .options = "",
    .create = bipartite_create,
    .process_batch = bipartite_process_batch,
    .report = bipartite_report,
    .snapshot_prepare = bipartite_snapshot_prepare,
    .snapshot_write = bipartite_snapshot_write,
    .snapshot_read = bipartite_snapshot_read,
    .destroy = bipartite_destroy,
};
