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

/* (me: the asking thread's number in the team that answers) */
static void answer(es_sample_ahead *a, const es_edge_reservoir *r, const es_edge *e, const uint8_t *change,
                   size_t from, size_t to, size_t n, int me)
{
    if (omp_get_thread_num() != me) {
        #pragma omp atomic
        a->helped++;
    }
    for (size_t i = from; i < to; i++) {
        if (i + AHEAD_HEADS < n && es_edge_changes_graph(change[i + AHEAD_HEADS]))
            es_edge_reservoir_prefetch_heads(r, e[i + AHEAD_HEADS].u, e[i + AHEAD_HEADS].v);
        if (i + AHEAD_BLOCKS < n && es_edge_changes_graph(change[i + AHEAD_BLOCKS]))
            es_edge_reservoir_prefetch_blocks(r, e[i + AHEAD_BLOCKS].u, e[i + AHEAD_BLOCKS].v);
        if (!es_edge_changes_graph(change[i]))
            continue;
        a->has[i] = es_edge_reservoir_has_common(r, e[i].u, e[i].v);
        if (change[i] == ES_EDGE_DISAPPEARS)
            a->handle[i] = es_edge_reservoir_handle(r, e[i].u, e[i].v);
    }
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
