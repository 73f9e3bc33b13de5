/* options.c — parsing and validating an operator's "k=v,k=v" options, and
 * the canonical spec: every option the operator asked for, in the order it
 * asked, with its value as parsed (defaults filled in, numbers in one
 * notation), so that two specs with the same meaning have the same text. */
#include "operators/options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/common.h"
#include "graph/spelling.h"

typedef struct {
    char    *key, *value;
    gboolean used;
} opt;

struct es_options {
    char   *op;
    GArray *items;    /* of opt */
    GString *canon;   /* "k=v,k=v" as parsed, in the order asked */
    GPtrArray *asked; /* every key the operator asked for: what a typo is matched against */
};

/* Record an option's parsed value in the canonical spec (once per key). */
static void note(es_options *o, const char *key, const char *value)
{
    g_autofree char *item = g_strdup_printf("%s=", key);
    const char *c = o->canon->str;
    for (const char *at = strstr(c, item); at; at = strstr(at + 1, item))
        if (at == c || at[-1] == ',')
            return;
    g_string_append_printf(o->canon, "%s%s%s", o->canon->len ? "," : "", item, value);
}

char *es_options_canonical(const es_options *o)
{
    return o->canon->len ? g_strdup_printf("%s:%s", o->op, o->canon->str) : g_strdup(o->op);
}

static void opt_clear(gpointer p)
{
    opt *o = p;
    g_free(o->key);
    g_free(o->value);
}

es_options *es_options_parse(const char *op, const char *text, GError **error)
{
    es_options *o = g_new0(es_options, 1);
    o->op = g_strdup(op);
    o->items = g_array_new(FALSE, TRUE, sizeof(opt));
    o->canon = g_string_new(NULL);
    o->asked = g_ptr_array_new_with_free_func(g_free);
    g_array_set_clear_func(o->items, opt_clear);
    if (text == NULL || *text == '\0')
        return o;
    gchar **parts = g_strsplit(text, ",", -1);
    for (gchar **p = parts; *p; p++) {
        const char *eq = strchr(*p, '=');
        if (eq == NULL || eq == *p) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                        "%s: expected option key=value, got \"%s\"", op, *p);
            g_strfreev(parts);
            es_options_free(o);
            return NULL;
        }
        opt item = { g_strndup(*p, eq - *p), g_strdup(eq + 1), FALSE };
        for (guint i = 0; i < o->items->len; i++) {
            if (strcmp(g_array_index(o->items, opt, i).key, item.key) == 0) {
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: option %s given twice", op, item.key);
                opt_clear(&item);
                g_strfreev(parts);
                es_options_free(o);
                return NULL;
            }
        }
        g_array_append_val(o->items, item);
    }
    g_strfreev(parts);
    return o;
}

void es_options_free(es_options *o)
{
    if (o == NULL)
        return;
    g_array_free(o->items, TRUE);
    g_string_free(o->canon, TRUE);
    g_ptr_array_free(o->asked, TRUE);
    g_free(o->op);
    g_free(o);
}

const char *es_options_op(const es_options *o)
{
    return o->op;
}

static opt *lookup(es_options *o, const char *key)
{
    if (!g_ptr_array_find_with_equal_func(o->asked, key, g_str_equal, NULL))
        g_ptr_array_add(o->asked, g_strdup(key));
    for (guint i = 0; i < o->items->len; i++) {
        opt *it = &g_array_index(o->items, opt, i);
        if (strcmp(it->key, key) == 0) {
            it->used = TRUE;
            return it;
        }
    }
    return NULL;
}

/* get_u64's work; `sparse`: the canonical spec names the key only when
 * its value is not dflt. */
static gboolean get_u64(es_options *o, const char *key, uint64_t dflt, uint64_t min, uint64_t max, gboolean sparse,
                        uint64_t *out, GError **error)
{
    *out = dflt;
    opt *it = lookup(o, key);
    uint64_t x = dflt;
    if (it != NULL) {
        const char *s = it->value;
        char *end = NULL;
        errno = 0;
        unsigned long long y = (s[0] >= '0' && s[0] <= '9') ? strtoull(s, &end, 10) : 0;
        if (end == NULL || *end != '\0' || errno == ERANGE || y < min || y > max) {
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                        "%s: %s must be an integer in [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "], got \"%s\"",
                        o->op, key, min, max, s);
            return FALSE;
        }
        x = y;
    }
    *out = x;
    if (!sparse || x != dflt) {
        g_autofree char *v = g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)x);
        note(o, key, v);
    }
    return TRUE;
}

gboolean es_options_get_u64(es_options *o, const char *key, uint64_t dflt,
                            uint64_t min, uint64_t max, uint64_t *out, GError **error)
{
    return get_u64(o, key, dflt, min, max, FALSE, out, error);
}

gboolean es_options_get_u64_sparse(es_options *o, const char *key, uint64_t dflt,
                                   uint64_t min, uint64_t max, uint64_t *out, GError **error)
{
    return get_u64(o, key, dflt, min, max, TRUE, out, error);
}

/* A double as the shortest of %.15g and %.17g that reads back exactly. */
static void note_double(es_options *o, const char *key, double x)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%.15g", x);
    if (g_ascii_strtod(buf, NULL) != x)
        g_ascii_formatd(buf, sizeof buf, "%.17g", x);
    note(o, key, buf);
}

gboolean es_options_get_double(es_options *o, const char *key, double dflt,
                               double min, double max, double *out, GError **error)
{
    *out = dflt;
    opt *it = lookup(o, key);
    if (it == NULL) {
        note_double(o, key, dflt);
        return TRUE;
    }
    char *end = NULL;
    errno = 0;
    double x = g_ascii_strtod(it->value, &end);
    if (it->value[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(x) || x < min || x > max) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "%s: %s must be a number in [%g, %g], got \"%s\"", o->op, key, min, max, it->value);
        return FALSE;
    }
    *out = x;
    note_double(o, key, x);
    return TRUE;
}

gboolean es_options_get_string(es_options *o, const char *key, const char *dflt,
                               const char **out, GError **error)
{
    (void)error;
    opt *it = lookup(o, key);
    *out = it ? it->value : dflt;
    if (*out)
        note(o, key, *out);
    return TRUE;
}

gboolean es_options_get_string_sparse(es_options *o, const char *key, const char *dflt, const char **out,
                                      GError **error)
{
    (void)error;
    opt *it = lookup(o, key);
    *out = it ? it->value : dflt;
    if (strcmp(*out, dflt) != 0)
        note(o, key, *out);
    return TRUE;
}

gboolean es_options_given(const es_options *o, const char *key)
{
    for (guint i = 0; i < o->items->len; i++)
        if (strcmp(g_array_index(o->items, opt, i).key, key) == 0)
            return TRUE;
    return FALSE;
}

gboolean es_options_check_unused(const es_options *o, GError **error)
{
    for (guint i = 0; i < o->items->len; i++) {
        const opt *it = &g_array_index(o->items, opt, i);
        if (!it->used) {
            const char *near = es_spelling_nearest(it->key, (const char *const *)o->asked->pdata, o->asked->len);
            g_autofree char *known = NULL;
            if (o->asked->len) {
                g_ptr_array_add(o->asked, NULL);
                known = g_strjoinv(", ", (char **)o->asked->pdata);
                g_ptr_array_remove_index(o->asked, o->asked->len - 1);
            }
            if (near)
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: unknown option \"%s\"; did you mean \"%s\"? (known: %s)",
                            o->op, it->key, near, known);
            else if (known)
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: unknown option \"%s\" (known: %s)", o->op, it->key, known);
            else
                g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "%s: unknown option \"%s\" (it takes none)", o->op, it->key);
            return FALSE;
        }
    }
    return TRUE;
}
