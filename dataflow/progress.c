/* progress.c — the progress line (see progress.h). */
#include "dataflow/progress.h"

#include <stdio.h>

struct es_progress {
    gboolean enabled, lines, shown;
    gint64   t0, last;
};

es_progress *es_progress_new(gboolean enabled, gboolean lines)
{
    es_progress *p = g_new0(es_progress, 1);
    p->enabled = enabled;
    p->lines = lines;
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

/* 75 s as "1:15", 3725 s as "1:02:05". */
static void clock_text(char *buf, size_t n, double secs)
{
    guint64 s = (guint64)(secs + 0.5);
    if (s >= 3600)
        g_snprintf(buf, n, "%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600, (guint)(s / 60 % 60), (guint)(s % 60));
    else
        g_snprintf(buf, n, "%u:%02u", (guint)(s / 60), (guint)(s % 60));
}

void es_progress_update(es_progress *p, uint64_t edges, uint64_t bytes_done, uint64_t bytes_total)
{
    if (!p->enabled)
        return;
    gint64 now = g_get_monotonic_time();
    if (now - p->last < (p->lines ? ES_PROGRESS_LINE_S * G_USEC_PER_SEC : 250000))
        return;
    p->last = now;
    double secs = (double)(now - p->t0) / 1e6;
    char e[32], r[32], el[32], eta[32];
    human(e, sizeof e, (double)edges);
    human(r, sizeof r, secs > 0 ? (double)edges / secs : 0);
    clock_text(el, sizeof el, secs);
    const char *start = p->lines ? "" : "\r\033[K", *end = p->lines ? "\n" : "";
    if (bytes_total > 0 && bytes_done > 0) {
        double frac = MIN(1.0, (double)bytes_done / (double)bytes_total);
        clock_text(eta, sizeof eta, secs * (1 - frac) / frac);
        fprintf(stderr, "%sedgestream: %sedges  %sedges/s  %.1f%%  elapsed %s  ETA %s%s", start, e, r,
                100 * frac, el, eta, end);
    } else {
        fprintf(stderr, "%sedgestream: %sedges  %sedges/s  elapsed %s%s", start, e, r, el, end);
    }
    fflush(stderr);
    p->shown = !p->lines;
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
