/* sample_ahead.c — a dynamic sample's queries asked ahead in parallel (see
 * sample_ahead.h). */
#include "operators/sample_ahead.h"

#include <omp.h>
#include <string.h>

#include "operators/operator.h"

/* Lines a task answers; lines ahead whose headers, then neighbour blocks,
 * are fetched (as the fold in order does). */
#define GRAIN        256
#define AHEAD_HEADS  16
#define AHEAD_BLOCKS 6
/* Blocks folded without asking, at most, after asks nobody helped with. */
#define MAX_WAIT     16

es_sample_ahead *es_sample_ahead_new(void)
{
    return g_new0(es_sample_ahead, 1);
}

void es_sample_ahead_free(es_sample_ahead *a)
{
    g_free(a);
}

gboolean es_sample_ahead_worth(void)
{
    return omp_in_parallel() ? omp_get_num_threads() > 1 : omp_get_max_threads() > 1;
}

/* Lines [from, to) of e[0, n): has and handle as es_sample_ahead's. */
static void answer_lines(const es_edge_reservoir *r, const es_edge *e, const uint8_t *change, size_t from, size_t to,
                         size_t n, uint8_t *has, uint32_t *handle)
{
    for (size_t i = from; i < to; i++) {
        if (i + AHEAD_HEADS < n && es_edge_changes_graph(change[i + AHEAD_HEADS]))
            es_edge_reservoir_prefetch_heads(r, e[i + AHEAD_HEADS].u, e[i + AHEAD_HEADS].v);
        if (i + AHEAD_BLOCKS < n && es_edge_changes_graph(change[i + AHEAD_BLOCKS]))
            es_edge_reservoir_prefetch_blocks(r, e[i + AHEAD_BLOCKS].u, e[i + AHEAD_BLOCKS].v);
        if (!es_edge_changes_graph(change[i]))
            continue;
        has[i] = es_edge_reservoir_has_common(r, e[i].u, e[i].v);
        if (change[i] == ES_EDGE_DISAPPEARS)
            handle[i] = es_edge_reservoir_handle(r, e[i].u, e[i].v);
    }
}

/* (me: the asking thread's number in the team that answers) */
static void answer(es_sample_ahead *a, const es_edge_reservoir *r, const es_edge *e, const uint8_t *change,
                   size_t from, size_t to, size_t n, int me)
{
    if (omp_get_thread_num() != me) {
        #pragma omp atomic
        a->helped++;
    }
    answer_lines(r, e, change, from, to, n, a->has, a->handle);
}

/* es_sample_ahead_answer_folding's shared state: a chunk of GRAIN lines
 * is FREE, TAKEN (being answered) or DONE. */
enum { FREE = 0, TAKEN = 1, DONE = 2 };

typedef struct {
    const es_edge_reservoir *r;
    const es_edge *e;
    const uint8_t *change;
    size_t   n, chunks;
    uint8_t *has;
    uint32_t *handle;
    uint8_t *state;
    gint64   back;      /* the next chunk a helper tries, counting down */
} shared;

static gboolean take(shared *sh, size_t c)
{
    uint8_t want = FREE;
    return __atomic_compare_exchange_n(&sh->state[c], &want, TAKEN, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void answer_chunk(shared *sh, size_t c)
{
    answer_lines(sh->r, sh->e, sh->change, c * GRAIN, MIN(sh->n, (c + 1) * GRAIN), sh->n, sh->has, sh->handle);
    __atomic_store_n(&sh->state[c], DONE, __ATOMIC_RELEASE);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* A helper: chunks from the end, until it meets the folding thread's. */
static void help(shared *sh)
{
    for (;;) {
        const gint64 c = __atomic_fetch_sub(&sh->back, 1, __ATOMIC_RELAXED);
        if (c < 0 || !take(sh, (size_t)c))
            return;
        answer_chunk(sh, (size_t)c);
    }
}

/* The folding thread: chunks in order, each answered here unless a helper
 * took it; one a helper is still answering (the two met there, or the
 * helper lost its core) is answered here again, into this thread's own
 * arrays, rather than waited for. */
static void fold_in_order(shared *sh, es_sample_ahead_fold_fn fold, void *user)
{
    uint8_t has[GRAIN];
    uint32_t handle[GRAIN];
    for (size_t c = 0; c < sh->chunks; c++) {
        const size_t from = c * GRAIN, to = MIN(sh->n, (c + 1) * GRAIN);
        if (take(sh, c))
            answer_chunk(sh, c);
        if (__atomic_load_n(&sh->state[c], __ATOMIC_ACQUIRE) == DONE) {
            fold(user, from, to, sh->has + from, sh->handle + from);
            continue;
        }
        answer_lines(sh->r, sh->e + from, sh->change + from, 0, to - from, sh->n - from, has, handle);
        fold(user, from, to, has, handle);
    }
}

void es_sample_ahead_answer_folding(const es_edge_reservoir *r, const es_edge *e, const uint8_t *change, size_t n,
                                    uint8_t *has_out, uint32_t *handle_out, es_sample_ahead_fold_fn fold, void *user)
{
    shared sh = { r, e, change, n, (n + GRAIN - 1) / GRAIN, has_out, handle_out, NULL, 0 };
    sh.state = g_malloc0(MAX(sh.chunks, 1));
    sh.back = (gint64)sh.chunks - 1;
    if (omp_in_parallel()) {
        /* (a task of the fanout's team: its other threads help as their
         * operators finish) */
        for (int t = 1; t < omp_get_num_threads(); t++) {
            #pragma omp task shared(sh)
            help(&sh);
        }
        fold_in_order(&sh, fold, user);
        #pragma omp taskwait
    } else if (omp_get_max_threads() > 1 && sh.chunks > 8) {
        #pragma omp parallel
        {
            if (omp_get_thread_num() == 0)
                fold_in_order(&sh, fold, user);
            else
                help(&sh);
        }
    } else {
        fold_in_order(&sh, fold, user);
    }
    g_free(sh.state);
}

gboolean es_sample_ahead_ask(es_sample_ahead *a, const es_edge_reservoir *r, const es_edge *e, const uint8_t *change,
                             size_t n)
{
    g_assert(n <= ES_SAMPLE_AHEAD_BLOCK);
    const es_team *team = es_operator_team();
    if (team != NULL && !es_team_idle(team))
        return FALSE;   /* (the team's other threads still fold their operators) */
    if (team == NULL && a->wait > 0) {
        a->wait--;
        return FALSE;
    }
    memset(a->touched, 0, sizeof a->touched);
    a->helped = 0;
    a->shrinks = memchr(change, ES_EDGE_APPEARS, n) == NULL;
    if (omp_in_parallel()) {
        /* (a task of the fanout's team: its idle threads take these) */
        const int me = omp_get_thread_num();
        #pragma omp taskloop grainsize(1)
        for (size_t t = 0; t < n; t += GRAIN)
            answer(a, r, e, change, t, MIN(n, t + GRAIN), n, me);
    } else {
        #pragma omp parallel for schedule(dynamic, 1)
        for (size_t t = 0; t < n; t += GRAIN)
            answer(a, r, e, change, t, MIN(n, t + GRAIN), n, 0);
    }
    /* Outside a fanout, nobody helped: the cores are busy, and the next
     * blocks fold in order (1, 2, 4 .. MAX_WAIT of them) before the next
     * ask.  (In a fanout the team says it; a back-off counted there would
     * only hold back a later fold outside one.) */
    if (team == NULL) {
        a->backoff = a->helped > 0 ? 0 : a->backoff ? MIN(2 * a->backoff, MAX_WAIT) : 1;
        a->wait = a->backoff;
    }
    return TRUE;
}
