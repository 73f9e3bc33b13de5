/* spelling.h — "did you mean": the known name nearest to a mistyped one.
 *
 * Used wherever a name is looked up and may be mistyped: subcommands and
 * options (tools/), operators and their options (operators/).  Distance:
 * optimal string alignment (Levenshtein with adjacent transpositions, as in
 * Damerau 1964), so `degre`, `dgeree` and `rnu` are one or two edits from
 * `degree` and `run`.  A name is suggested only when it is at most
 * max(1, strlen(word) / 3) edits away and strictly nearer than any other
 * (ties suggest nothing rather than guess).  Cost: O(|word| * |name|) per
 * known name; the lists are a few dozen names.
 */
#ifndef ES_SPELLING_H
#define ES_SPELLING_H

#include <glib.h>

/* Edits between a and b (ASCII, case-sensitive). */
guint       es_spelling_distance(const char *a, const char *b);
/* The nearest of names[0 .. n) (NULL entries ignored) to word, or NULL. */
const char *es_spelling_nearest(const char *word, const char *const *names, gsize n);

#endif
