/* spelling.c — the nearest known name (see spelling.h). */
#include "graph/spelling.h"

#include <string.h>

guint es_spelling_distance(const char *a, const char *b)
{
    const gsize n = strlen(a), m = strlen(b);
    /* Three rows of the dynamic programme: i-2, i-1 and i. */
    guint *rows = g_new(guint, 3 * (m + 1));
    guint *pp = rows, *p = rows + m + 1, *c = rows + 2 * (m + 1);
    for (gsize j = 0; j <= m; j++)
        p[j] = (guint)j;
    for (gsize i = 1; i <= n; i++) {
        c[0] = (guint)i;
        for (gsize j = 1; j <= m; j++) {
            guint best = p[j - 1] + (a[i - 1] != b[j - 1]);
            best = MIN(best, p[j] + 1);
            best = MIN(best, c[j - 1] + 1);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                best = MIN(best, pp[j - 2] + 1);
            c[j] = best;
        }
        guint *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    guint d = p[m];
    g_free(rows);
    return d;
}

const char *es_spelling_nearest(const char *word, const char *const *names, gsize n)
{
    const guint limit = MAX(1, (guint)strlen(word) / 3);
    const char *best = NULL;
    guint best_d = G_MAXUINT;
    gboolean tie = FALSE;
    for (gsize i = 0; i < n; i++) {
        if (names[i] == NULL)
            continue;
        guint d = es_spelling_distance(word, names[i]);
        if (d < best_d) {
            best = names[i];
            best_d = d;
            tie = FALSE;
        } else if (d == best_d && strcmp(best, names[i]) != 0) {
            tie = TRUE;
        }
    }
    return best && best_d <= limit && best_d > 0 && !tie ? best : NULL;
}
