/* options.h — an operator's "k=v,k=v" options.
 *
 * Each getter validates its value and fails with an ES_ERROR_USAGE error
 * that names the operator and the option ("tri-est: m must be a positive
 * integer, got \"abc\"").  es_options_check_unused() rejects options the
 * operator did not ask for, so a typo is never silently ignored.
 */
#ifndef ES_OPTIONS_H
#define ES_OPTIONS_H

#include <glib.h>
#include <stdint.h>

typedef struct es_options es_options;

/* Parse "k=v,k=v" (NULL or "" for none) for operator `op`. */
es_options *es_options_parse(const char *op, const char *text, GError **error);
void        es_options_free(es_options *o);
const char *es_options_op(const es_options *o);

/* Each returns TRUE and leaves *out = dflt when the key is absent. */
gboolean es_options_get_u64(es_options *o, const char *key, uint64_t dflt,
                            uint64_t min, uint64_t max, uint64_t *out, GError **error);
/* As es_options_get_u64, but the canonical spec names the key only when its
 * value is not dflt (an option added later, so that the specs of runs that
 * leave it out stay as they were). */
gboolean es_options_get_u64_sparse(es_options *o, const char *key, uint64_t dflt,
                                   uint64_t min, uint64_t max, uint64_t *out, GError **error);
gboolean es_options_get_double(es_options *o, const char *key, double dflt,
                               double min, double max, double *out, GError **error);
gboolean es_options_get_string(es_options *o, const char *key, const char *dflt,
                               const char **out, GError **error);
/* As es_options_get_string (dflt not NULL), named in the canonical spec
 * only when not dflt. */
gboolean es_options_get_string_sparse(es_options *o, const char *key, const char *dflt, const char **out,
                                      GError **error);
/* Whether the spec names key (no getter's bookkeeping). */
gboolean es_options_given(const es_options *o, const char *key);
/* "op:k=v,..." with every key a getter asked for, in that order, and its
 * value as parsed (defaults filled in): equal for specs that mean the same
 * ("tri" and "tri:top=10"; "cm:eps=1e-3" and "cm:eps=0.001").  g_free it. */
char       *es_options_canonical(const es_options *o);
/* Fails naming the first key that no getter asked for. */
gboolean es_options_check_unused(const es_options *o, GError **error);

#endif
