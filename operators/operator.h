/* operator.h — the operator contract.
 *
 * An operator is a vtable (es_operator_class) plus its state, a struct whose
 * first member is an es_operator.  The driver calls, in this order:
 *
 *   create(options, error)       parse "k=v,k=v" options, validate, allocate
 *   process_batch(op, batch, e)  fold one batch, in stream order; may use
 *                                OpenMP inside; never does I/O; results must
 *                                not depend on the thread count
 *   report(op, report)           current answers as named values
 *   snapshot_prepare(op)         optional: at a snapshot barrier, freeze what
 *                                later batches change (shadow copies, scalars,
 *                                each log's pointer and length); the edge
 *                                table's keys are frozen for it (frozen_keys)
 *   snapshot_write(op, w, e)     write what prepare froze through the writer
 *                                (snapshot/fields.h), possibly in a thread
 *                                beside the stream; or, in its place, a
 *                                table of fields over the struct prepare
 *                                froze into the operator (ES_FROZEN)
 *   snapshot_read(op, group, e)  restore from a group, checking every value;
 *                                the edge table is restored before (op->edges),
 *                                the id map's ids are at hand (op->externals)
 *   destroy(op)
 *
 * Distinct edges: an operator that needs simple-graph semantics says so
 * (needs_edges, asked before the run and after every batch) and reads
 * batch->change, the answers of the run's one edge table
 * (graph/edgetable.h), instead of keeping a set of its own; a run where
 * no operator needs it keeps no table.  A snapshot stores the table's keys
 * once, for every operator (/edges/keys), and restores the table before
 * the operators, which derive their state from it (snapshot/snapshot.h).
 * An operator fed batches without answers (by a caller other than the
 * driver: tests, the library) gets a table of its own from
 * es_operator_process, in
 * `own_edges`; a restored table is the first operator's `own_edges`.  An
 * operator whose need arises mid-batch (tri-est's dedup=auto) starts
 * `own_edges` itself, from the distinct edges it knows.  The driver adopts
 * an operator's own table as the run's (after restore, or after that
 * batch).
 *
 * The layout written must not depend on the thread count.  process_batch
 * may fail only for limits (memory, vertex count); a failure ends the run.
 * Randomised operators take a seed option and keep their RNG state in
 * their snapshot.
 */
#ifndef ES_OPERATOR_H
#define ES_OPERATOR_H

#include <glib.h>
#include <hdf5.h>

#include "graph/batch.h"
#include "graph/edgetable.h"
#include "operators/options.h"
#include "operators/report.h"
#include "snapshot/fields.h"

typedef struct es_operator es_operator;

typedef struct {
    const char *name;      /* as written in --ops */
    const char *summary;   /* one line for --help */
    const char *options;   /* option syntax for --help, "" when none */
    es_operator *(*create)(es_options *opts, GError **error);
    gboolean (*process_batch)(es_operator *op, const es_batch *batch, GError **error);
    void     (*report)(es_operator *op, es_report *report);
    void     (*snapshot_prepare)(es_operator *op);   /* may be NULL */
    gboolean (*snapshot_write)(es_operator *op, es_snapshot_writer *w, GError **error);
    gboolean (*snapshot_read)(es_operator *op, hid_t group, GError **error);
    const es_field *fields;   /* with nfields and frozen (ES_FROZEN): snapshot_write's table */
    size_t   nfields, frozen;
    void     (*destroy)(es_operator *op);
    /* Whether it reads the edge table (see "Distinct edges"), in a run
     * with snapshots or without; may be NULL: never. */
    gboolean (*needs_edges)(const es_operator *op, gboolean snapshots);
    /* Whether it folds deletion lines (es_batch.del) and the
     * disappearances they cause (es_edge_change), once told that the
     * stream deletes (es_operator.dynamic, before the first batch); FALSE
     * (the default): insertions only.  es_operator_process refuses a batch
     * with deletions (ES_ERROR_DATA naming the operator and the line's
     * stream index) unless both hold; the driver refuses such an operator
     * at start in a run with --deletions. */
    gboolean deletions;
    /* In a sliding window: whether its snapshot restores its state whole
     * (tri-est), or a part the window's lines do not give (bipartite's
     * odd_cycle_*); the others' state is rebuilt from the window's lines
     * on resume (dataflow/window.h: es_slider_restore) and their
     * snapshot_read is not called. */
    gboolean sliding_snapshot;
    /* Whether process_batch spreads its work over an OpenMP team itself
     * (tri): the fold then gives it the whole team, alone, rather than one
     * thread beside the others (dataflow/fanout.h). */
    gboolean parallel;
    /* Fold from's state into into's, both of one spec (mergeable
     * sketches); may be NULL.  An operator that cannot forget but merges
     * is kept one per pane in a sliding window (dataflow/window.h) and
     * answers from the merge of the window's panes. */
    gboolean (*merge)(es_operator *into, const es_operator *from, GError **error);
} es_operator_class;

struct es_operator {
    const es_operator_class *klass;
    char *spec;            /* canonical spec: every option, defaults filled in, e.g.
                              "tri:top=10" for "tri" (es_options_canonical) */
    char *name;            /* the name part of spec */
    const es_edgetable *edges; /* the table whose answers it reads: the run's, or own_edges */
    es_edgetable *own_edges;   /* see "Distinct edges" above; NULL in a driver's run */
    gboolean  driven;          /* fed by a driver, which decides on the table */
    gboolean  dynamic;         /* the stream may delete edges: set before the first batch
                                  (by the driver for --deletions); operators whose
                                  insert-only structure cannot forget (cc, bipartite)
                                  then keep one that can */
    gboolean  sliding;         /* with dynamic: the stream's only deletions are expiries
                                  (ES_LINE_EXPIRE) of its oldest lines, in stream order, a
                                  batch of them at a time (a sliding window's panes,
                                  dataflow/window.h): an operator may answer from the
                                  window's lines instead of a structure that can forget */
    gboolean  per_pane;        /* sliding windows: kept one per pane (class hook merge); the
                                  flow gives it no expiry */
    gboolean  replaying;       /* sliding windows, on resume: the batches are the restored
                                  window's lines folded again (es_slider_restore); an
                                  operator with sliding_snapshot keeps what its snapshot
                                  restored */
    uint32_t  absent;          /* sliding windows (dataflow/window.h): vertices below the
                                  id-map size that no line of the window names, all of
                                  whose edges have expired; isolated, they are left out
                                  of the answers that count vertices (set before a
                                  report; 0 otherwise) */
    uint8_t  *own_change;      /* its answers for the batch at hand */
    size_t    own_change_cap;
    /* During a restore (es_snapshot_restore, around snapshot_read): the
     * id map's external ids, num_externals of them, which name vertices
     * in the top lists of tri and tri-est; NULL otherwise. */
    const uint64_t *externals;
    uint32_t  num_externals;
    /* The table's log as snapshot_prepare froze it, when it reads a logged one. */
    gboolean  frozen_table;
    const uint64_t *frozen_keys;
    size_t    frozen_edges;
};

/* Class members: its snapshot is `table` over member `m` of its struct T. */
#define ES_FROZEN(table, T, m) .fields = table, .nfields = G_N_ELEMENTS(table), .frozen = offsetof(T, m)

/* Registry: every operator class, NULL-terminated. */
const es_operator_class *const *es_operator_classes(void);
const es_operator_class *es_operator_find(const char *name);

/* Create from a spec "name[:k=v,k=v]".  Unknown name or bad option: an
 * ES_ERROR_USAGE error naming the operator. */
es_operator *es_operator_new(const char *spec, GError **error);
/* Split "cc,degree,tri-est:m=5,seed=2" into specs: a comma followed by
 * "name=" continues the previous spec's options. */
GPtrArray   *es_operator_new_list(const char *specs, GError **error);
/* The specs of such a list, split the same way (GPtrArray of char *). */
GPtrArray   *es_operator_split_specs(const char *specs);

gboolean es_operator_process(es_operator *op, const es_batch *batch, GError **error);

/* A team folding operators side by side (dataflow/fanout.h): its size,
 * and its tasks not yet finished. */
typedef struct {
    int  threads;
    gint pending;
} es_team;
/* The team the calling thread folds operators in, NULL outside such a
 * fold.  An operator that can split its work into tasks (tri-est's
 * queries asked ahead) asks it whether a thread has no operator left to
 * fold, so that OpenMP tasks made now are taken at once. */
const es_team *es_operator_team(void);
static inline gboolean es_team_idle(const es_team *t)
{
    return g_atomic_int_get(&t->pending) < t->threads;
}
/* The fanout, around each task: the calling thread now folds in team
 * (NULL: in none); returns the team it folded in before, to restore
 * (a task may run inside another's wait). */
const es_team *es_operator_enter_team(const es_team *team);
/* Whether op reads the edge table now (class hook needs_edges). */
gboolean es_operator_needs_edges(const es_operator *op, gboolean snapshots);
void     es_operator_report(es_operator *op, es_report *report);
void     es_operator_snapshot_prepare(es_operator *op);
/* What the last es_operator_snapshot_prepare froze (it reads no field the
 * stream changes since, so a writer thread may call it). */
gboolean es_operator_snapshot_write(es_operator *op, es_snapshot_writer *w, GError **error);
gboolean es_operator_snapshot_read(es_operator *op, hid_t group, GError **error);
/* In snapshot_read: the external ids of vertices [0, n) (es_big_alloc,
 * n entries), from op->externals, or without them the dense ids; NULL and
 * ES_ERROR_DATA when the id map has fewer. */
uint64_t *es_operator_restored_ids(const es_operator *op, uint64_t n, GError **error);
void     es_operator_free(es_operator *op);

#endif
