/* progress.c — the progress line (see progress.h). */
#include "dataflow/progress.h"

#include <stdio.h>

struct es_progress {
    gboolean enabled, shown;
    gint64   t0, last;
};

es_progress *es_progress_new(gboolean enabled)
{
    es_progress *p = g_new0(es_progress, 1);
    p->enabled = enabled;
    p->t0 = p->last = g_get_monotonic_time();
    return p;
}

static void human(char *buf, size_t n, double x)
{
    if (x >= 1e9) g_snprintf(buf, n, "%.2f G", x / 1e9);
    else if (x >= 1e6) g_snprintf(buf, n, "%.2f M", x / 1e6);
    else if (x >= 1e3) g_snprintf(buf, n, "%.1f k", x / 1e3);
    else g_snprintf(buf, n, "%.0f ", x);
}

void es_progress_update(es_progress *p, uint64_t edges, uint64_t bytes_done, uint64_t bytes_total)
{
    if (!p->enabled)
        return;
    gint64 now = g_get_monotonic_time();
    if (now - p->last < 250000)
        return;
    p->last = now;
    double secs = (double)(now - p->t0) / 1e6;
    char e[32], r[32];
    human(e, sizeof e, (double)edges);
    human(r, sizeof r, secs > 0 ? (double)edges / secs : 0);
    if (bytes_total > 0) {
        double pct = 100.0 * (double)bytes_done / (double)bytes_total;
        fprintf(stderr, "\r\033[Kedgestream: %sedges  %sedges/s  %.1f%%", e, r, pct > 100 ? 100 : pct);
    } else {
        fprintf(stderr, "\r\033[Kedgestream: %sedges  %sedges/s", e, r);
    }
    fflush(stderr);
    p->shown = TRUE;
}

void es_progress_clear(es_progress *p)
{
    if (p->enabled && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = FALSE;
    }
}

void es_progress_finish(es_progress *p, uint64_t edges)
{
    if (!p->enabled)
        return;
    es_progress_clear(p);
    double secs = (double)(g_get_monotonic_time() - p->t0) / 1e6;
    char e[32], r[32];
    human(e, sizeof e, (double)edges);
    human(r, sizeof r, secs > 0 ? (double)edges / secs : 0);
    fprintf(stderr, "edgestream: %sedges in %.2f s (%sedges/s)\n", e, secs, r);
}

void es_progress_free(es_progress *p)
{
    g_free(p);
}
