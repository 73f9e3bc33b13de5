/* sample_ahead.h — a fully dynamic sample's queries asked ahead, by every
 * thread at once, for a block of lines that one thread then folds in order.
 *
 * ThinkD (operators/tri_est.c) asks, for every appearance and disappearance
 * and before the sample changes, whether its two ends have a common
 * neighbour in the sample, and for a disappearance whether the sample holds
 * the edge.  Each answer depends on the changes before it, so the fold is
 * one chain; but almost every answer is the one the sample as it stood
 * before the block gives: a change of the sample touches the neighbour sets
 * of at most four vertices (an eviction's two ends and the new edge's), and
 * a line whose two ends no earlier change of its block touched sees their
 * neighbour sets as they were (4% of a sliding window's lines are touched
 * at 2048 lines a block, R-MAT scale 20, m = 100 000).
 *
 * es_sample_ahead_ask answers a block against the sample as it stands, in
 * parallel (an OpenMP taskloop inside a running team, where the fanout's
 * idle threads take part; else a team of its own).  The fold then trusts
 * a fresh line's answers and asks the live sample for the others; the
 * answers, and so the estimates, are the same bit for bit at any thread
 * count.  A block of expiries only takes edges out of the sample, so the
 * fold trusts its lines' answers whatever the block touched.  Only while
 * other threads help: in a fanout's team, when a thread of it has no
 * operator left (es_operator_team); in a team of its own, after an ask
 * nobody helped with (busy cores), a few blocks fold asking in order.
 * es_sample_ahead_answer_folding answers a whole batch that only takes
 * edges out of a sample left unchanged until its end (a sliding window's
 * expiries, operators/tri_est.c): the folding thread answers and folds
 * the lines in order while the others answer from the batch's end.
 * Cost: the queries (the same as asked in order) spread over the threads,
 * 6 to 10% of the lines of mixed blocks asked again, a 4 KiB filter of
 * touched vertices, a bit per line end.
 */
#ifndef ES_SAMPLE_AHEAD_H
#define ES_SAMPLE_AHEAD_H

#include <glib.h>
#include <stdint.h>

#include "graph/batch.h"
#include "graph/edgetable.h"
#include "operators/edge_reservoir.h"

/* Lines asked at once; bits of the filter of touched vertices (a few
 * hundred of them a block at R-MAT scale 20: a few % false alarms). */
#define ES_SAMPLE_AHEAD_BLOCK 2048u
#define ES_SAMPLE_AHEAD_BITS  15

typedef struct {
    uint8_t  has[ES_SAMPLE_AHEAD_BLOCK];    /* line i's ends have a common neighbour */
    uint32_t handle[ES_SAMPLE_AHEAD_BLOCK]; /* a disappearing line's handle, or ES_RESERVOIR_SKIPPED */
    uint64_t touched[(1u << ES_SAMPLE_AHEAD_BITS) / 64];   /* a bit per hash of a touched vertex */
    gboolean shrinks;                       /* no line of the block appears */
    uint32_t helped;                        /* chunks of the last ask other threads answered */
    uint32_t backoff, wait;                 /* blocks to fold without asking: after the last
                                               unhelped ask, and still to go */
} es_sample_ahead;

es_sample_ahead *es_sample_ahead_new(void);
void es_sample_ahead_free(es_sample_ahead *a);

/* Whether asking ahead can use more than the calling thread. */
gboolean es_sample_ahead_worth(void);

/* Answer the lines e[0, n) (n <= ES_SAMPLE_AHEAD_BLOCK) whose change is
 * ES_EDGE_APPEARS or ES_EDGE_DISAPPEARS against r as it stands, and forget
 * the touched vertices.  Nobody changes r meanwhile.  FALSE: it did not
 * ask (fold these lines asking in order): the fanout's other threads are
 * all busy, or, outside a fanout, no other thread helped with the last
 * asks, whose second pass then only cost time, so a few blocks go without
 * before it asks again. */
gboolean es_sample_ahead_ask(es_sample_ahead *a, const es_edge_reservoir *r, const es_edge *e, const uint8_t *change,
                         size_t n);

/* The same answers for a whole batch of lines e[0, n), for a batch that
 * only takes edges out of the sample, which its fold applies after it
 * (operators/tri_est.c): the sample is read-only meanwhile, so every
 * answer holds.  The calling thread calls fold(user, from, to, has,
 * handle) for consecutive ranges that cover [0, n), in order, each once
 * its lines are answered: line i's answers are has[i - from] and
 * handle[i - from] (each written for the lines whose change is
 * ES_EDGE_APPEARS or ES_EDGE_DISAPPEARS, handle for the latter).  It
 * answers the ranges itself, in order, into has_out[0, n) and
 * handle_out[0, n), while the other threads of its team (of a team of
 * its own outside one) take them from the end as they come free; the two
 * meet where their work evens out, and nobody waits for a block of
 * answers (a range a helper is still answering is answered again). */
typedef void (*es_sample_ahead_fold_fn)(void *user, size_t from, size_t to, const uint8_t *has,
                                        const uint32_t *handle);
void es_sample_ahead_answer_folding(const es_edge_reservoir *r, const es_edge *e, const uint8_t *change, size_t n,
                                    uint8_t *has_out, uint32_t *handle_out, es_sample_ahead_fold_fn fold, void *user);

static inline uint32_t es_sample_ahead_bit(uint32_t v)
{
    return (v * UINT32_C(0x9E3779B1)) >> (32 - ES_SAMPLE_AHEAD_BITS);
}

/* The sample changed an edge at u and v. */
static inline void es_sample_ahead_touch(es_sample_ahead *a, uint32_t u, uint32_t v)
{
    const uint32_t x = es_sample_ahead_bit(u), y = es_sample_ahead_bit(v);
    a->touched[x / 64] |= UINT64_C(1) << (x % 64);
    a->touched[y / 64] |= UINT64_C(1) << (y % 64);
}

/* Line i's answers still hold, as far as the fold trusts them (no common
 * neighbour; the handle; a common neighbour is always counted live): no
 * change since the ask touched u or v (a false alarm only asks the live
 * sample once more), or no line of the block appears (a window's
 * expiries): a sample that only loses edges gains no common neighbour,
 * and a sampled edge keeps its handle until its own line takes it out. */
static inline gboolean es_sample_ahead_fresh(const es_sample_ahead *a, uint32_t u, uint32_t v)
{
    const uint32_t x = es_sample_ahead_bit(u), y = es_sample_ahead_bit(v);
    return a->shrinks || (!((a->touched[x / 64] >> (x % 64)) & 1) && !((a->touched[y / 64] >> (y % 64)) & 1));
}

#endif
