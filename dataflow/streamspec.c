/* streamspec.c — a run's stream settings as canonical text (see
 * streamspec.h). */
#include "dataflow/streamspec.h"

#include <stdlib.h>
#include <string.h>

#include "graph/common.h"

/* The keys, in the text's order. */
static const char *const keys[] = { "window", "unit", "lateness", "deletions", "columns", "delimiter" };
#define NKEYS G_N_ELEMENTS(keys)

char *es_stream_spec(const es_driver_config *cfg)
{
    GString *s = g_string_new("window=");
    const uint64_t size = cfg->window ? cfg->window : (uint64_t)cfg->window_span;
    if (size == 0)
        g_string_append(s, "none");
    else if (cfg->window_slide)
        g_string_append_printf(s, "sliding:%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, size, cfg->window_slide);
    else
        g_string_append_printf(s, "tumbling:%" G_GUINT64_FORMAT, size);
    g_string_append_printf(s, " unit=%s lateness=", cfg->window_span ? "time" : "edges");
    if (cfg->lateness_on)
        g_string_append_printf(s, "%" G_GINT64_FORMAT, cfg->lateness);
    else
        g_string_append(s, "off");
    g_string_append_printf(s, " deletions=%d columns=", cfg->deletions ? 1 : 0);
    const es_parse_format *f = cfg->format;
    if (f == NULL || f->ncols == 0)
        g_string_append(s, "default");
    for (guint i = 0; f && i < f->ncols; i++)
        g_string_append_printf(s, "%s%c", i ? "," : "", "uvtw-"[f->cols[i]]);
    if (f == NULL || f->delim == 0)
        g_string_append(s, " delimiter=blank");
    else
        g_string_append_printf(s, " delimiter=%c", f->delim);
    return g_string_free(s, FALSE);
}

/* Split text into its values, in keys' order (free with g_strfreev);
 * NULL when a key is missing, repeated or unknown. */
static char **values_of(const char *text)
{
    g_auto(GStrv) pairs = g_strsplit(text, " ", -1);
    char **v = g_new0(char *, NKEYS + 1);
    gboolean ok = g_strv_length(pairs) == NKEYS;
    for (guint i = 0; ok && i < NKEYS; i++) {
        const size_t klen = strlen(keys[i]);
        ok = strncmp(pairs[i], keys[i], klen) == 0 && pairs[i][klen] == '=';
        if (ok)
            v[i] = g_strdup(pairs[i] + klen + 1);
    }
    if (!ok)
        g_clear_pointer(&v, g_strfreev);
    return v;
}

static gboolean number(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!g_ascii_isdigit(*s))
        return FALSE;
    *out = g_ascii_strtoull(s, &end, 10);
    return end != s && *end == '\0';
}

gboolean es_stream_spec_parse(const char *text, es_driver_config *cfg, es_parse_format *fmt, GError **error)
{
    g_auto(GStrv) v = values_of(text);
    uint64_t size = 0, slide = 0, late = 0;
    gboolean ok = v != NULL;
    const char *w = ok ? v[0] : "";
    if (ok && g_str_has_prefix(w, "sliding:")) {
        g_auto(GStrv) p = g_strsplit(w + strlen("sliding:"), ",", -1);
        ok = g_strv_length(p) == 2 && number(p[0], &size) && number(p[1], &slide) && size > 0 && slide > 0;
    } else if (ok && g_str_has_prefix(w, "tumbling:")) {
        ok = number(w + strlen("tumbling:"), &size) && size > 0;
    } else {
        ok = ok && strcmp(w, "none") == 0;
    }
    const gboolean time = ok && strcmp(v[1], "time") == 0;
    ok = ok && (time || strcmp(v[1], "edges") == 0) && (strcmp(v[2], "off") == 0 || number(v[2], &late)) &&
         (strcmp(v[3], "0") == 0 || strcmp(v[3], "1") == 0) && size <= G_MAXINT64 && late <= G_MAXINT64;
    *fmt = (es_parse_format){ 0 };
    if (ok && strcmp(v[4], "default") != 0)
        ok = es_parse_columns(v[4], fmt, NULL);
    if (ok && strcmp(v[5], "blank") != 0)
        ok = es_parse_delimiter(v[5], fmt, NULL);
    if (!ok) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "stream settings \"%s\" are not understood", text);
        return FALSE;
    }
    cfg->window = time ? 0 : size;
    cfg->window_span = time ? (int64_t)size : 0;
    cfg->window_slide = slide;
    cfg->lateness_on = strcmp(v[2], "off") != 0;
    cfg->lateness = (int64_t)late;
    cfg->deletions = v[3][0] == '1';
    return TRUE;
}

gboolean es_stream_spec_check(const char *snap, const char *then, const char *now, GError **error)
{
    if (strcmp(then, now) == 0)
        return TRUE;
    g_auto(GStrv) a = values_of(then);
    g_auto(GStrv) b = values_of(now);
    GString *was = g_string_new(NULL), *is = g_string_new(NULL);
    for (guint i = 0; a && b && i < NKEYS; i++)
        if (strcmp(a[i], b[i]) != 0) {
            g_string_append_printf(was, "%s%s=%s", was->len ? " " : "", keys[i], a[i]);
            g_string_append_printf(is, "%s%s=%s", is->len ? " " : "", keys[i], b[i]);
        }
    g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s was taken with %s, this run has %s (see --window, --lateness,"
                " --deletions, --columns, --delimiter)", snap, a && b ? was->str : then, a && b ? is->str : now);
    g_string_free(was, TRUE);
    g_string_free(is, TRUE);
    return FALSE;
}
