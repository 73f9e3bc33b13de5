/* driver_mpi.c — the run over MPI ranks (see driver_mpi.h).
 *
 * One loop on every rank, one batch per turn:
 *   1. read: each of the rank's key groups gives its next `quota` edges
 *      (quota = batch / groups, at least 1; on resume, the snapshot's), in
 *      group order;
 *   2. agree (one MPI_Allreduce of 3 ints): the first rank with an error
 *      (which then broadcasts it), whether every group is read, whether
 *      any line had a timestamp;
 *   3. send to rank 0 (MPI_Gatherv): the groups' positions, the counts,
 *      and the edges themselves or, in a reduced run (driver_mpi.h), their
 *      forest (mpi/forest.h), the sketches kept on each rank (mpi/merge.h);
 *   4. rank 0 (its state: mpi/grouprun.h): map the ids (in a reduced run
 *      through the map the ranks hold by key group, every rank answering:
 *      mpi/idmap_mpi.h), fold the batch
 *      (es_flow_fold, dataflow/flow.h: the one step every batch of every
 *      run goes through: the edge table, then every operator; split where
 *      --report-every falls, mapping each piece just before it so that its
 *      vertex count is exact), report, and at a barrier take a snapshot
 *      whose position is every group's.  A reduced run folds in three flows by what each
 *      operator is fed (the forest, the whole batch, the rank's share);
 *      without snapshots cc's union-find is the ranks' (mpi/cc_mpi.h),
 *      the forest hooked onto it by every rank after rank 0's folds.
 * Rank 0's own failure (a limit in an operator) enters step 2 of the next
 * turn, or the final broadcast.  No stage overlaps another here (the
 * single-process driver's reader and mapper threads): the ranks' reading
 * is the parallel part.
 */
#include "mpi/driver_mpi.h"

#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "dataflow/edgesource.h"
#include "dataflow/flow.h"
#include "graph/common.h"
#include "graph/idmap.h"
#include "mpi/cc_mpi.h"
#include "mpi/chunks.h"
#include "mpi/degree_mpi.h"
#include "mpi/forest.h"
#include "mpi/grouprun.h"
#include "mpi/idmap_mpi.h"
#include "mpi/merge.h"
#include "mpi/snapshot_mpi.h"
#include "mpi/tri_est_mpi.h"
#include "mpi/tri_mpi.h"
#include "operators/bipartite.h"
#include "operators/cc.h"
#include "operators/degree.h"
#include "operators/operator.h"
#include "operators/tri.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/snapshot.h"

void es_mpi_init(int *argc, char ***argv)
{
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
}

void es_mpi_finalize(void)
{
    MPI_Finalize();
}

int es_mpi_rank(void)
{
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

void es_mpi_share_error(int root, int rank, GError **error)
{
    int code = 0, len = 0;
    char *msg = NULL;
    if (rank == root && error && *error) {
        code = (*error)->code;
        msg = g_strdup((*error)->message);
        len = (int)strlen(msg) + 1;
    }
    MPI_Bcast(&code, 1, MPI_INT, root, MPI_COMM_WORLD);
    MPI_Bcast(&len, 1, MPI_INT, root, MPI_COMM_WORLD);
    if (rank != root)
        msg = g_malloc0((size_t)len + 1);
    MPI_Bcast(msg, len, MPI_CHAR, root, MPI_COMM_WORLD);
    if (rank != root) {
        g_clear_error(error);
        g_set_error_literal(error, ES_ERROR, code, msg);
    }
    g_free(msg);
}

gboolean es_mpi_agree(int rank, gboolean ok, GError **error)
{
    int size, in, first_bad;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    in = ok ? size : rank;
    MPI_Allreduce(&in, &first_bad, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first_bad == size)
        return TRUE;
    es_mpi_share_error(first_bad, rank, error);
    return FALSE;
}

/* Does rank 0's failure (or success) hold everywhere?  TRUE when ok. */
static gboolean agree_root(int rank, gboolean ok, GError **error)
{
    int failed = !ok;
    MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (failed)
        es_mpi_share_error(0, rank, error);
    return !failed;
}

/* Every rank's n edges (2n external ids) to rank 0, in rank order, into
 * *all_ids there (counts, displs: rank 0's, of size entries, left set to
 * the ids' layout). */
static void gather_ids(int rank, int size, const uint64_t *ids, size_t n, int *counts, int *displs,
                       uint64_t **all_ids, uint64_t *sent)
{
    int cnt = (int)n, *ns = NULL;
    if (rank == 0)
        ns = g_new(int, size);
    MPI_Gather(&cnt, 1, MPI_INT, ns, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        int at = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = 2 * ns[r];
            displs[r] = at;
            at += 2 * ns[r];
        }
        *all_ids = g_renew(uint64_t, *all_ids, (size_t)at + 1);
    }
    MPI_Gatherv(ids, 2 * cnt, MPI_UINT64_T, *all_ids, counts, displs, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    *sent += 4 + (rank ? 16 * (uint64_t)n : 0);
    g_free(ns);
}

/* As gather_ids, to every rank (tri-est's copies, mpi/tri_est_mpi.h):
 * counts and displs of size entries on every rank; returns the total. */
static size_t allgather_ids(int size, const uint64_t *ids, size_t n, int *counts, int *displs, uint64_t **all_ids,
                            uint64_t *sent)
{
    int cnt = 2 * (int)n, at = 0;
    MPI_Allgather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    for (int r = 0; r < size; r++) {
        displs[r] = at;
        at += counts[r];
    }
    *all_ids = g_renew(uint64_t, *all_ids, (size_t)at + 1);
    MPI_Allgatherv(ids, cnt, MPI_UINT64_T, *all_ids, counts, displs, MPI_UINT64_T, MPI_COMM_WORLD);
    *sent += 4 * (uint64_t)(size - 1) + 16 * (uint64_t)n * (uint64_t)(size - 1);
    return (size_t)at / 2;
}

/* A reduced run's operators, in three flows (dataflow/flow.h, the fold
 * every batch goes through) by what each is fed: cc the merged forest of
 * a batch; bipartite that forest too, or the whole batch that closes the
 * first odd cycle; the sketches, on every rank, the rank's own share. */
enum { PART_CC, PART_BIP, PART_SKETCH, PARTS };

/* Rank 0's part of the run: the state (mpi/grouprun.h) and, in a reduced
 * run, its operators by what they are fed. */
typedef struct {
    es_group_root g;           /* g.flow: a gathered run's, every operator */
    es_flow       part[PARTS]; /* a reduced run: its operators by what they are fed */
    GPtrArray    *part_ops[PARTS];
    GPtrArray    *degree_ops;  /* a reduced run: degree, fed partials (mpi/degree_mpi.h) */
    GPtrArray    *tri_ops;     /* a reduced run: tri, fed partials (mpi/tri_mpi.h) and degree's */
    uint32_t     *dense;       /* degree's partials' dense ids */
    uint32_t     *tdense;      /* tri's */
    size_t        dense_cap, tdense_cap;
    gboolean      flows;       /* flow (gathered) or part (reduced) started */
    es_puf       *shadow;      /* reduced runs: a copy of bipartite's forest, to try a batch's on */
    es_mpi_idmap *vmap;        /* reduced runs: the id map, partitioned (mpi/idmap_mpi.h; g.idmap NULL) */
    es_mpi_cc    *cpart;       /* reduced runs without snapshots: cc's union-find, partitioned (mpi/cc_mpi.h) */
    uint64_t     *sent;
} root_state;

/* Rank 0's vertices so far. */
static uint32_t vertices(const root_state *st)
{
    return st->vmap ? es_mpi_idmap_size(st->vmap) : es_idmap_size(st->g.idmap);
}

static void room32(uint32_t **a, size_t *cap, size_t n)
{
    if (n + 1 > *cap) {
        *cap = MAX(n + 1, 2 * *cap);
        *a = g_renew(uint32_t, *a, *cap);
    }
}

/* A reduced run, on every rank (collective): rank 0's ext[0 .. n)
 * numbered into dense through the partitioned id map, when ok there
 * (nothing otherwise); the other ranks answer for their key groups.
 * Returns ok, FALSE on rank 0 when the map is full. */
static gboolean map_root(root_state *st, const uint64_t *ext, uint32_t *dense, size_t n, gboolean ok,
                         GError **error)
{
    gboolean mapped = es_mpi_idmap_map(st->vmap, ext, dense, ok ? n : 0, st->sent, ok ? error : NULL);
    return ok && mapped;
}

/* A reduced run, rank 0: ext[0 .. n) numbered without asking the owners,
 * by ids of the same batch mapped already, known[0 .. k) (dense ids at
 * kd, which dense may be), among which every one of ext is: the forest
 * carries every vertex of its batch (so degree's partials' and a batch
 * gathered whole).  Scratch: a map of known's distinct ids, for the call. */
static void map_known(const uint64_t *known, const uint32_t *kd, size_t k, const uint64_t *ext, uint32_t *dense,
                      size_t n)
{
    es_idmap *m = es_idmap_new(MIN(k, (size_t)1 << 16), NULL);
    uint32_t *local = g_new(uint32_t, k + 1);
    if (!es_idmap_map_ids(m, known, local, k, NULL))
        g_error("driver_mpi: scratch map full");   /* fewer ids than a batch's */
    uint32_t *by = g_new(uint32_t, (size_t)es_idmap_size(m) + 1);
    for (size_t i = 0; i < k; i++)
        by[local[i]] = kd[i];
    g_free(local);
    for (size_t i = 0; i < n; i++) {
        uint32_t l;
        if (!es_idmap_lookup(m, ext[i], &l))
            g_error("driver_mpi: vertex %" G_GUINT64_FORMAT " is not in its batch's forest", ext[i]);
        dense[i] = by[l];
    }
    g_free(by);
    es_idmap_free(m);
}

/* A reduced run, rank 0's own share of a batch (ids, n edges, mapped
 * at st->g.edges with the forest: map_root), folded into cc first, as
 * the vertices it had after its own ids (nv: before, or one past its
 * largest new dense id). */
static gboolean feed_share(root_state *st, const uint64_t *ids, size_t n, uint32_t before, GError **error)
{
    uint32_t nv = before;
    const uint32_t *d = (const uint32_t *)st->g.edges;
    for (size_t i = 0; i < 2 * n; i++)
        nv = MAX(nv, d[i] + 1);
    es_batch batch = {
        .edges = st->g.edges, .ext = ids, .n = n,
        .first_index = st->g.stats->edges, .num_vertices = nv,
    };
    return st->part_ops[PART_CC]->len == 0 || es_flow_fold(&st->part[PART_CC], &batch, st->g.change, FALSE, error);
}

/* A reduced run (driver_mpi.h): rank 0's share (the first `mapped` pairs
 * of forest, fed to cc by feed_share) and the other ranks' merged forest
 * (the rest, mpi/forest.h; all of it mapped at st->g.edges by map_root)
 * stand for a batch with cc (the same vertices
 * and components; edges counted apart) and, while the graph is bipartite,
 * with bipartite, when they fit the graph's 2-colouring so far (tried on
 * st->shadow) and no other rank saw an odd cycle (odd); otherwise *full
 * asks for the whole batch (feed_full).  The sketches took their share on
 * each rank. */
static gboolean feed_forest(root_state *st, const uint64_t *forest, size_t fn, size_t mapped, int odd, int *full,
                            GError **error)
{
    *full = 0;
    es_batch batch = {
        .edges = st->g.edges, .ext = forest, .n = fn,
        .first_index = st->g.stats->edges, .num_vertices = vertices(st),
    };
    es_batch rest = batch;
    rest.edges += mapped;
    rest.ext += 2 * mapped;
    rest.n -= mapped;
    GPtrArray *bip = st->part_ops[PART_BIP];
    for (guint i = 0; i < bip->len; i++) {
        const es_puf *uf;
        if (!es_bipartite_op_state(g_ptr_array_index(bip, i), &uf))
            continue;   /* not bipartite any more: the forest serves */
        if (st->shadow == NULL) {   /* first batch, or the first after a restore */
            const uint32_t *parent;
            const uint8_t *parity, *rank;
            es_puf_arrays(uf, &parent, &parity, &rank);
            st->shadow = es_puf_restore(es_puf_size(uf), parent, parity, rank, error);
            if (st->shadow == NULL)
                return FALSE;
        }
        es_puf_grow(st->shadow, batch.num_vertices);
        for (size_t k = 0; !odd && k < fn; k++)
            odd = !es_puf_unite_opposite(st->shadow, st->g.edges[k].u, st->g.edges[k].v);
        *full = odd;
    }
    if (st->part_ops[PART_CC]->len > 0 && !es_flow_fold(&st->part[PART_CC], &rest, st->g.change, FALSE, error))
        return FALSE;
    return *full || es_flow_fold(&st->part[PART_BIP], &batch, st->g.change, FALSE, error);
}

/* A reduced run's degree partials of a batch (mpi/degree_mpi.h): m
 * vertices (mapped at st->dense by map_root) and their increments,
 * counts over every rank. */
static void feed_degree(root_state *st, const uint32_t *inc, size_t m, const uint64_t counts[3])
{
    for (guint i = 0; i < st->degree_ops->len; i++)
        es_degree_op_add(g_ptr_array_index(st->degree_ops, i), st->dense, inc, m, vertices(st), counts);
}

/* A reduced run's tri partials of a batch (mpi/tri_mpi.h: m vertices and
 * their new triangles, mapped at st->tdense by map_root, every one of
 * them mapped already by the degree partials, dm of them at st->dense
 * with increments dinc). */
static void feed_tri(root_state *st, const uint32_t *dinc, size_t dm, const uint64_t *inc, size_t m,
                     uint64_t triangles)
{
    for (guint i = 0; i < st->tri_ops->len; i++)
        es_tri_op_add(g_ptr_array_index(st->tri_ops, i), es_mpi_idmap_externals(st->vmap), vertices(st),
                      st->dense, dinc, dm, st->tdense, inc, m, triangles);
}

/* A reduced run's batch that closes an odd cycle: the whole batch (every
 * vertex already mapped by its forest; mapped at st->g.edges by
 * map_known), to bipartite alone, in stream order from stream index
 * first. */
static gboolean feed_full(root_state *st, const uint64_t *ext, size_t n, uint64_t first, GError **error)
{
    es_batch batch = {
        .edges = st->g.edges, .ext = ext, .n = n,
        .first_index = first, .num_vertices = vertices(st),
    };
    g_clear_pointer(&st->shadow, es_puf_free);   /* no longer needed: the graph is not bipartite */
    return es_flow_fold(&st->part[PART_BIP], &batch, st->g.change, FALSE, error);
}

/* The flows, once rank 0 has restored the operators: a gathered run's
 * one at rank 0; a reduced run's parts, the sketches' on every rank. */
static void start_flows(root_state *st, int rank, gboolean reduced)
{
    gboolean snapshots = st->g.cfg->checkpoint != NULL;
    st->flows = TRUE;
    if (!reduced) {
        if (rank == 0)
            es_flow_init(&st->g.flow, st->g.ops, snapshots, FALSE);
        else
            st->flows = FALSE;
        return;
    }
    for (int p = 0; p < PARTS; p++)
        st->part_ops[p] = g_ptr_array_new();
    st->degree_ops = g_ptr_array_new();
    st->tri_ops = g_ptr_array_new();
    for (guint i = 0; i < st->g.ops->len; i++) {
        es_operator *op = g_ptr_array_index(st->g.ops, i);
        if (op->klass == &es_degree_class || op->klass == &es_tri_class) {
            if (rank == 0)
                g_ptr_array_add(op->klass == &es_tri_class ? st->tri_ops : st->degree_ops, op);
            continue;
        }
        if (op->klass == &es_cc_class && st->cpart) {   /* its state is the ranks' (mpi/cc_mpi.h) */
            if (rank == 0)
                es_cc_op_set_outside(op, es_mpi_cc_figures(st->cpart));
            continue;
        }
        int p = es_mpi_mergeable(op) ? PART_SKETCH : op->klass == &es_bipartite_class ? PART_BIP : PART_CC;
        if (rank == 0 || p == PART_SKETCH)
            g_ptr_array_add(st->part_ops[p], op);
    }
    for (int p = 0; p < PARTS; p++)
        es_flow_init(&st->part[p], st->part_ops[p], snapshots, FALSE);
}

static void stop_flows(root_state *st)
{
    if (!st->flows)
        return;
    if (st->part_ops[0] == NULL) {
        es_flow_clear(&st->g.flow);
        return;
    }
    for (int p = 0; p < PARTS; p++) {
        es_flow_clear(&st->part[p]);
        g_ptr_array_unref(st->part_ops[p]);
    }
    g_ptr_array_unref(st->degree_ops);
    g_ptr_array_unref(st->tri_ops);
}

gboolean es_mpi_driver_run(const es_driver_config *cfg, guint groups, gboolean verbose, GPtrArray *ops,
                           es_driver_stats *stats, GError **error)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (cfg->threads > 0)
        omp_set_num_threads(cfg->threads);
    *stats = (es_driver_stats){ 0 };
    gint64 t0 = g_get_monotonic_time(), snap_us = 0;   /* rank 0's time at snapshot barriers */
    root_state st = { .g = { .cfg = cfg, .ops = ops, .stats = stats } };
    uint64_t *pos = NULL, *ids = NULL, *all_ids = NULL, *forest = NULL, sent = 0;
    int64_t *time = NULL, *all_time = NULL;
    int *counts = NULL, *displs = NULL;
    gboolean ok = TRUE, resumed, shared = FALSE;

    /* The layout is computed alike on every rank (the same files). */
    es_chunks *chunks = es_chunks_new(cfg->inputs, groups, cfg->format, error);
    int bad = chunks == NULL, worst;
    MPI_Allreduce(&bad, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst) {
        if (!bad)
            g_set_error(error, ES_ERROR, ES_ERROR_NOINPUT, "another rank could not open the input");
        es_chunks_free(chunks);
        return FALSE;
    }
    guint nchunks = es_chunks_count(chunks);
    guint first = es_chunks_first(chunks, rank, size), last = es_chunks_first(chunks, rank + 1, size);
    guint mine = last - first;
    size_t batch = cfg->batch_size ? cfg->batch_size : ES_DEFAULT_BATCH;
    uint64_t quota = 0;   /* a resume's is the snapshot's (es_group_root_start) */
    pos = g_new0(uint64_t, 4 * (size_t)nchunks + 1);
    /* A reduced run (driver_mpi.h) when every operator allows one and
     * there are ranks to send: on one, a forest costs more than it saves. */
    gboolean reduced = cfg->report_every == 0 && size > 1, parity = FALSE, merging = FALSE, forested = FALSE;
    gboolean degrees = FALSE, tris = FALSE;
    for (guint i = 0; i < ops->len; i++) {
        const es_operator *op = g_ptr_array_index(ops, i);
        gboolean cc = strcmp(op->name, "cc") == 0, deg = op->klass == &es_degree_class;
        gboolean tri = op->klass == &es_tri_class;
        parity = parity || op->klass == &es_bipartite_class;
        forested = forested || cc || op->klass == &es_bipartite_class;
        merging = merging || es_mpi_mergeable(op);
        degrees = degrees || deg;
        tris = tris || tri;
        /* degree's pairs and tri's graph in a snapshot are written by
         * their owners (mpi/snapshot_mpi.h). */
        reduced = reduced && (cc || op->klass == &es_bipartite_class || es_mpi_mergeable(op) || deg || tri);
    }
    /* The forest maps every vertex: it runs for the sketches too, unless
     * degree's partials (which tri's come with) bring the vertices. */
    forested = forested || !(degrees || tris);
    es_mpi_tri *tpart = reduced && tris ? es_mpi_tri_new(MPI_COMM_WORLD, groups) : NULL;
    /* A reduced run's id map is partitioned by key group (mpi/idmap_mpi.h);
     * rank 0 keeps the external ids for the snapshots and tri's partials. */
    if (reduced) {
        st.vmap = es_mpi_idmap_new(MPI_COMM_WORLD, groups, cfg->checkpoint != NULL || tris);
        st.g.no_map = TRUE;
    }
    st.sent = &sent;
    /* cc's union-find partitioned by key group (mpi/cc_mpi.h), in a
     * reduced run without snapshots (which still take cc whole at rank 0). */
    for (guint i = 0; reduced && !cfg->checkpoint && !st.cpart && i < ops->len; i++)
        if (((const es_operator *)g_ptr_array_index(ops, i))->klass == &es_cc_class)
            st.cpart = es_mpi_cc_new(MPI_COMM_WORLD, groups);
    es_mpi_degree *dpart = reduced && degrees && !tris ? es_mpi_degree_new(groups, cfg->checkpoint != NULL) : NULL;
    /* degree's pairs in the snapshots: written by their owners. */
    es_mpi_snap psnap = { .comm = MPI_COMM_WORLD, .degree = dpart, .tri = tpart, .sent = &sent };
    gboolean parted = (dpart || tpart) && cfg->checkpoint;
    /* tri-est's copies spread over the ranks (mpi/tri_est_mpi.h), in a
     * gathered run. */
    gboolean copied = !reduced && size > 1 && es_mpi_tri_est_wanted(ops);
    es_mpi_tri_est *tcopies = NULL;

    /* With copies spread, a snapshot asks the ranks for them as it writes
     * (mpi/tri_est_mpi.h): in this thread, so the stream waits. */
    es_driver_config wcfg;
    es_checkpoint_config wck;
    if (copied && cfg->checkpoint) {
        wcfg = *cfg;
        wck = *cfg->checkpoint;
        wck.wait = TRUE;
        wcfg.checkpoint = &wck;
        st.g.cfg = &wcfg;
    }
    if (rank == 0) {
        size_t q = 0;
        if (copied)   /* (rank 0 restores only its own copies) */
            es_mpi_tri_est_narrow(MPI_COMM_WORLD, ops);
        ok = es_group_root_start(&st.g, chunks, groups, pos, &q, error);
        quota = q;
    }
    if (!agree_root(rank, ok, error)) {
        ok = FALSE;
        goto out;
    }
    if (st.vmap) {   /* a resume: the snapshot's id map to the owners */
        ok = es_mpi_idmap_restore(st.vmap, st.g.restored, st.g.restored_n, &sent, error);
        if (st.g.restored)
            es_h5_free(st.g.restored, (size_t)st.g.restored_n * sizeof *st.g.restored);
        st.g.restored = NULL;
        if (!es_mpi_agree(rank, ok, error)) {
            ok = FALSE;
            goto out;
        }
    }
    if (copied) {
        g_autofree char *restored = rank == 0 && st.g.ck && es_checkpoint_last_id(st.g.ck)
                                        ? es_snapshot_path(cfg->checkpoint->dir, es_checkpoint_last_id(st.g.ck))
                                        : NULL;
        tcopies = es_mpi_tri_est_new(MPI_COMM_WORLD, ops, cfg->report_every,
                                     rank == 0 ? es_idmap_externals(st.g.idmap) : NULL,
                                     rank == 0 ? es_idmap_size(st.g.idmap) : 0, rank == 0 ? stats->edges : 0,
                                     restored, &sent, error);
        if (tcopies == NULL) {
            ok = FALSE;
            goto out;
        }
        st.g.before_report = es_mpi_tri_est_report;   /* rank 0: every copy's figures where a report falls */
        st.g.before_report_user = tcopies;
    }
    if (parted) {
        /* Rank 0 keeps no pairs: the restored table goes, and each rank
         * reads the pairs it owns now. */
        g_autofree char *path = NULL;
        if (rank == 0) {
            for (guint i = 0; i < ops->len; i++) {
                es_operator *op = g_ptr_array_index(ops, i);
                g_clear_pointer(&op->own_edges, es_edgetable_free);
                op->edges = NULL;
            }
            if (es_checkpoint_last_id(st.g.ck))
                path = es_snapshot_path(cfg->checkpoint->dir, es_checkpoint_last_id(st.g.ck));
            es_checkpoint_set_extra(st.g.ck, es_mpi_snap_extra, &psnap);
            psnap.ck = st.g.ck;
        }
        ok = es_mpi_snap_resume(&psnap, path, error);
        if (!es_mpi_agree(rank, ok, error)) {
            ok = FALSE;
            goto out;
        }
    }
    start_flows(&st, rank, reduced);
    MPI_Bcast(pos, (int)(4 * nchunks), MPI_UINT64_T, 0, MPI_COMM_WORLD);
    MPI_Bcast(&quota, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    st.g.quota = quota ? (size_t)quota : MAX(batch / nchunks, 1);
    ids = g_new(uint64_t, 2 * st.g.quota * mine + 1);
    time = g_new(int64_t, st.g.quota * mine + 1);
    resumed = FALSE;
    for (guint k = 0; k < nchunks; k++)
        resumed = resumed || pos[4 * k] || pos[4 * k + 1] || pos[4 * k + 3];
    /* Groups are seeked by their readers only (they open files). */
    for (guint k = first; ok && resumed && k < last; k++)
        ok = es_chunks_seek(chunks, k, pos + 4 * k, error);

    if (rank == 0 || tcopies) {
        counts = g_new(int, size);
        displs = g_new(int, size);
    }
    for (;;) {
        size_t n = 0;
        gboolean has_time = FALSE, done = TRUE;
        for (guint k = first; ok && k < last; k++) {
            if (!es_chunks_done(chunks, k))
                ok = es_chunks_read(chunks, k, st.g.quota, cfg->skip_bad, ids, time, &has_time, &n, error);
            done = done && es_chunks_done(chunks, k);
        }
        /* 2: agree. */
        int in[3] = { ok ? size : rank, done ? 1 : 0, has_time ? 0 : 1 }, out[3];
        MPI_Allreduce(in, out, 3, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        sent += sizeof in;
        if (out[0] < size) {
            es_mpi_share_error(out[0], rank, error);
            ok = FALSE;
            shared = TRUE;
            break;
        }
        gboolean all_done = out[1], any_time = !out[2];
        /* 3: positions and counts to rank 0. */
        uint64_t mypos[4 * 4096], *mp = mine <= 4096 ? mypos : g_new(uint64_t, 4 * (size_t)mine);
        for (guint k = 0; k < mine; k++)
            es_chunks_get(chunks, first + k, mp + 4 * k);
        if (rank == 0)
            for (int r = 0; r < size; r++) {
                guint f = es_chunks_first(chunks, r, size), l = es_chunks_first(chunks, r + 1, size);
                counts[r] = (int)(4 * (l - f));
                displs[r] = (int)(4 * f);
            }
        MPI_Gatherv(mp, (int)(4 * mine), MPI_UINT64_T, pos, counts, displs, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (mp != mypos)
            g_free(mp);
        uint64_t my_n = n, total = 0;
        MPI_Reduce(&my_n, &total, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
        sent += 32 * (uint64_t)mine + 8;
        uint64_t before = stats->edges;
        if (reduced) {
            /* The sketches take this rank's share; the forest stands for
             * the batch at rank 0 (feed_forest). */
            es_batch mine_batch = { .ext = ids, .time = has_time ? time : NULL, .n = n };
            if (ok)
                ok = es_flow_fold(&st.part[PART_SKETCH], &mine_batch, NULL, FALSE, error);
            size_t fn = 0;
            int odd = 0, full = 0;
            g_clear_pointer(&forest, g_free);
            if (forested) {
                es_mpi_forest_reduce(MPI_COMM_WORLD, ids, n, parity, &forest, &fn, &odd, &sent);
                uint32_t nv = vertices(&st);
                es_group_root_grow(&st.g, fn);
                ok = map_root(&st, forest, (uint32_t *)st.g.edges, 2 * fn, ok, error);
                if (rank == 0 && ok)
                    ok = feed_share(&st, ids, n, nv, error) && feed_forest(&st, forest, fn, n, odd, &full, error);
                if (st.cpart) {   /* the whole forest, rank 0's share included */
                    gboolean go = rank == 0 && ok;
                    es_mpi_cc_batch(st.cpart, go ? st.g.edges : NULL, go ? fn : 0, go ? vertices(&st) : 0, &sent);
                }
            }
            if (tpart) {
                /* tri's partition counts the degrees too (mpi/tri_mpi.h). */
                es_mpi_tri_partials tp;
                GError *terr = NULL;
                gboolean tok = es_mpi_tri_batch(tpart, MPI_COMM_WORLD, ids, n, &tp, &sent, ok ? error : &terr);
                g_clear_error(&terr);
                ok = ok && tok;
                room32(&st.dense, &st.dense_cap, rank == 0 && ok ? tp.deg_n : 0);
                room32(&st.tdense, &st.tdense_cap, rank == 0 && ok ? tp.tri_n : 0);
                /* Degree's vertices are the forest's, when there is one
                 * (tri's may be any earlier vertex). */
                if (forested && rank == 0 && ok)
                    map_known(forest, (const uint32_t *)st.g.edges, 2 * fn, tp.deg_ext, st.dense, tp.deg_n);
                else if (!forested)
                    ok = map_root(&st, tp.deg_ext, st.dense, tp.deg_n, ok, error);
                ok = map_root(&st, tp.tri_ext, st.tdense, tp.tri_n, ok, error);
                if (rank == 0 && ok) {
                    feed_degree(&st, tp.deg_inc, tp.deg_n, tp.counts);
                    feed_tri(&st, tp.deg_inc, tp.deg_n, tp.tri_inc, tp.tri_n, tp.triangles);
                }
                if (parted)   /* rank 0's dense ids back to the ranks */
                    es_mpi_tri_globals(tpart, MPI_COMM_WORLD, rank == 0 ? st.dense : NULL, &sent);
            } else if (dpart) {
                const uint64_t *dext;
                const uint32_t *dinc;
                size_t dm;
                uint64_t counts[3];
                GError *derr = NULL;
                gboolean dok = es_mpi_degree_batch(dpart, MPI_COMM_WORLD, ids, n, &dext, &dinc, &dm, counts, &sent,
                                                   ok ? error : &derr);
                g_clear_error(&derr);
                ok = ok && dok;
                room32(&st.dense, &st.dense_cap, rank == 0 && ok ? dm : 0);
                if (forested && rank == 0 && ok)   /* its vertices are the forest's */
                    map_known(forest, (const uint32_t *)st.g.edges, 2 * fn, dext, st.dense, dm);
                else if (!forested)
                    ok = map_root(&st, dext, st.dense, dm, ok, error);
                if (rank == 0 && ok)
                    feed_degree(&st, dinc, dm, counts);
                if (parted)   /* rank 0's dense ids back to the owners */
                    es_mpi_degree_globals(dpart, MPI_COMM_WORLD, rank == 0 ? st.dense : NULL, &sent);
            }
            if (rank == 0 && ok) {
                stats->edges = before + total;
                stats->vertices = vertices(&st);
            }
            if (parity) {
                /* A batch that closes the first odd cycle, gathered whole. */
                MPI_Bcast(&full, 1, MPI_INT, 0, MPI_COMM_WORLD);
                sent += rank ? 0 : 4 * (uint64_t)(size - 1);
                if (full) {
                    gather_ids(rank, size, ids, n, counts, displs, &all_ids, &sent);
                    if (rank == 0 && ok) {   /* every vertex in the batch's forest */
                        es_group_root_grow(&st.g, (size_t)total);
                        map_known(forest, (const uint32_t *)st.g.edges, 2 * fn, all_ids, (uint32_t *)st.g.edges,
                                  2 * (size_t)total);
                        ok = feed_full(&st, all_ids, (size_t)total, before, error);
                    }
                }
            }
        } else {
            int cnt = (int)n;
            if (tcopies) {   /* every rank's copies take the whole batch */
                size_t all = allgather_ids(size, ids, n, counts, displs, &all_ids, &sent);
                GError *terr = NULL;   /* (a failed rank still sends its copies) */
                gboolean tok = es_mpi_tri_est_feed(tcopies, all_ids, all, all_done, ok ? error : &terr);
                g_clear_error(&terr);
                ok = ok && tok;
                es_mpi_tri_est_mark(tcopies);
            } else {
                gather_ids(rank, size, ids, n, counts, displs, &all_ids, &sent);
            }
            if (any_time) {
                if (rank == 0)
                    for (int r = 0; r < size; r++) {
                        counts[r] /= 2;
                        displs[r] /= 2;
                    }
                if (rank == 0)
                    all_time = g_renew(int64_t, all_time, total + 1);
                MPI_Gatherv(time, cnt, MPI_INT64_T, all_time, counts, displs, MPI_INT64_T, 0, MPI_COMM_WORLD);
                sent += rank ? 8 * (uint64_t)n : 0;
            }
            if (rank == 0 && ok)
                ok = es_group_root_feed(&st.g, all_ids, any_time ? all_time : NULL, (size_t)total, all_done, error);
            if (rank == 0 && tcopies && !ok)   /* the copies the other ranks still send */
                es_mpi_tri_est_drain(tcopies, before, before + total, all_done);
        }
        if (rank == 0 && ok) {
            stats->lines = stats->bad_lines = 0;
            for (guint k = 0; k < nchunks; k++) {
                stats->lines += pos[4 * k + 1];
                stats->bad_lines += pos[4 * k + 2];
            }
            if (stats->bad_lines > cfg->skip_bad) {
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "more than %" G_GUINT64_FORMAT " bad lines over the ranks",
                            cfg->skip_bad);
                ok = FALSE;
            }
        }
        int due = rank == 0 && ok && st.g.ck && !all_done && stats->edges > before && es_group_root_due(&st.g, before);
        if ((merging && reduced) || parted || tcopies) {
            /* The sketches are combined at rank 0 for the snapshot; the
             * owners write degree's pairs; tri-est's copies reach rank 0. */
            MPI_Bcast(&due, 1, MPI_INT, 0, MPI_COMM_WORLD);
            sent += rank ? 0 : 4 * (uint64_t)(size - 1);
            if (due && merging && reduced)
                es_mpi_merge(MPI_COMM_WORLD, ops, &sent);
        }
        gint64 ts = g_get_monotonic_time();
        if (due && rank == 0) {
            st.g.externals = st.vmap ? es_mpi_idmap_externals(st.vmap) : NULL;
            es_group_root_barrier(&st.g, chunks, groups, pos, FALSE);
        }
        if (due && parted)
            es_mpi_snap_serve(&psnap);
        if (due && tcopies)   /* the copies rank 0's write asks for */
            es_mpi_tri_est_serve(tcopies);
        snap_us += due ? g_get_monotonic_time() - ts : 0;
        if (all_done)
            break;
        /* Rank 0's failure (ok FALSE there) ends the run at the next agreement. */
    }
    if (shared)         /* an error every rank has (es_mpi_share_error) */
        goto out;
    if (merging && reduced)   /* for the final snapshot and report */
        es_mpi_merge(MPI_COMM_WORLD, ops, &sent);
    /* Every copy's figures, for the end (taken after a failure too). */
    if (tcopies && !es_mpi_tri_est_report(tcopies, ok ? error : NULL) && rank == 0)
        ok = FALSE;
    gint64 ts = g_get_monotonic_time();
    if (rank == 0 && ok && st.g.ck) {
        st.g.externals = st.vmap ? es_mpi_idmap_externals(st.vmap) : NULL;
        es_group_root_barrier(&st.g, chunks, groups, pos, TRUE);
    }
    if (parted)
        es_mpi_snap_serve(&psnap);
    if (tcopies && cfg->checkpoint)
        es_mpi_tri_est_serve(tcopies);
    snap_us += g_get_monotonic_time() - ts;
    if (tcopies && !es_mpi_agree(rank, ok, error))   /* a copy's failure in the last batch */
        ok = FALSE;
    ok = agree_root(rank, ok, error);
    /* Every rank ends with rank 0's figures. */
    {
        uint64_t fig[5] = { stats->edges, stats->lines, stats->bad_lines, stats->vertices, stats->snapshots_failed };
        MPI_Bcast(fig, 5, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        *stats = (es_driver_stats){ .edges = fig[0], .lines = fig[1], .bad_lines = fig[2],
                                    .vertices = (uint32_t)fig[3], .snapshots_failed = (guint)fig[4] };
    }
    uint64_t all_sent = 0, rss[2] = { 0, 0 }, map_sent = st.vmap ? es_mpi_idmap_sent(st.vmap) : 0, all_map = 0;
    MPI_Reduce(&sent, &all_sent, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&map_sent, &all_map, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    /* Peak memory: rank 0's, and the largest of the others'. */
    struct rusage ru;
    gboolean got = getrusage(RUSAGE_SELF, &ru) == 0;
    uint64_t my_rss = got ? (uint64_t)ru.ru_maxrss : 0, other = rank ? my_rss : 0;
    MPI_Reduce(&other, &rss[1], 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    rss[0] = my_rss;
    /* CPU seconds (user + system): rank 0's and all ranks' (wall time on a
     * shared machine says little). */
    double cpu = got ? (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6 : 0, cpu_all = 0;
    MPI_Reduce(&cpu, &cpu_all, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
    uint64_t keys_read = 0;
    if (parted)
        MPI_Reduce(&psnap.keys_read, &keys_read, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    /* The partitioned id map (mpi/idmap_mpi.h): vertices held at rank 0
     * and at most at another rank. */
    uint64_t held = st.vmap ? es_mpi_idmap_held(st.vmap) : 0, held_other = 0, mine_other = rank ? held : 0;
    if (st.vmap)
        MPI_Reduce(&mine_other, &held_other, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    char snaps[384] = "";
    if (st.vmap)
        g_snprintf(snaps, sizeof snaps, ", id map of %" G_GUINT64_FORMAT " vertices: %" G_GUINT64_FORMAT
                   " held at rank 0, %" G_GUINT64_FORMAT " at most elsewhere, %.2f bytes per edge sent for it",
                   (guint64)stats->vertices, (guint64)held, (guint64)held_other,
                   stats->edges ? (double)all_map / (double)stats->edges : 0.0);
    /* cc's union-find partitioned (mpi/cc_mpi.h): entries at rank 0 and
     * at most at another rank, bytes sent for it. */
    uint64_t cheld = es_mpi_cc_held(st.cpart), cheld_other = 0, cmine_other = rank ? cheld : 0;
    uint64_t csent = es_mpi_cc_sent(st.cpart), all_csent = 0;
    if (st.cpart) {
        MPI_Reduce(&cmine_other, &cheld_other, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
        MPI_Reduce(&csent, &all_csent, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
        g_snprintf(snaps + strlen(snaps), sizeof snaps - strlen(snaps), ", cc's union-find: %" G_GUINT64_FORMAT
                   " vertices held at rank 0, %" G_GUINT64_FORMAT " at most elsewhere, %.2f bytes per edge sent for cc",
                   (guint64)cheld, (guint64)cheld_other,
                   stats->edges ? (double)all_csent / (double)stats->edges : 0.0);
    }
    if (cfg->checkpoint)
        g_snprintf(snaps + strlen(snaps), sizeof snaps - strlen(snaps), ", %.3f s at snapshot barriers at rank 0",
                   (double)snap_us / 1e6);
    if (keys_read)
        g_snprintf(snaps + strlen(snaps), sizeof snaps - strlen(snaps),
                   ", %" G_GUINT64_FORMAT " keys read on resume by the ranks", (guint64)keys_read);
    if (rank == 0 && ok && verbose)
        fprintf(stderr, "edgestream run: %d rank%s, %s, %" G_GUINT64_FORMAT " bytes sent (%.2f per edge), %.3f s, "
                "CPU %.2f s at rank 0 and %.2f s in all, peak memory %" G_GUINT64_FORMAT " MiB at rank 0, %"
                G_GUINT64_FORMAT " MiB at most elsewhere%s\n",
                size, size == 1 ? "" : "s", tcopies ? "edges gathered at every rank, tri-est's copies spread" :
                !reduced ? "edges gathered" :
                tpart ? (degrees ? "reduced, degree and tri partitioned" : "reduced, tri partitioned") :
                dpart ? "reduced, degree partitioned" : "reduced",
                all_sent, stats->edges ? (double)all_sent / (double)stats->edges : 0.0,
                stats->seconds, cpu, cpu_all, rss[0] / 1024, rss[1] / 1024, snaps);
    if (rank == 0 && ok && cfg->on_report) {
        es_driver_collect(ops, stats, TRUE, st.g.report);
        cfg->on_report(st.g.report, cfg->user);
    }
out:
    stop_flows(&st);
    es_group_root_clear(&st.g);
    if (st.shadow)
        es_puf_free(st.shadow);
    es_mpi_idmap_free(st.vmap);
    for (guint i = 0; st.cpart && i < ops->len; i++)   /* (cc outlives the figures it pointed to) */
        if (((es_operator *)g_ptr_array_index(ops, i))->klass == &es_cc_class)
            es_cc_op_set_outside(g_ptr_array_index(ops, i), NULL);
    es_mpi_cc_free(st.cpart);
    g_free(st.dense);
    g_free(st.tdense);
    es_mpi_snap_clear(&psnap);
    es_mpi_degree_free(dpart);
    es_mpi_tri_free(tpart);
    es_mpi_tri_est_free(tcopies);
    g_free(forest);
    g_free(all_ids);
    g_free(all_time);
    g_free(counts);
    g_free(displs);
    g_free(ids);
    g_free(time);
    g_free(pos);
    es_chunks_free(chunks);
    return ok;
}
