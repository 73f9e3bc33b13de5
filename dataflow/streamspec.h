/* streamspec.h — the settings of a run that shape its state beyond the
 * operators, as canonical text: stored in every snapshot (root attribute
 * `stream`), compared on resume, read back by the tools.
 *
 * What: the window (kind, size and slide, counted in edges or in units of
 * the timestamp column), the lateness, whether the stream has deletions,
 * and the lines' layout (columns, delimiter).  Space-separated key=value
 * pairs in a fixed order, e.g.
 *   window=sliding:1000000,100000 over=edges lateness=off deletions=0 columns=default delimiter=blank
 * Canonical: two configurations give the same text exactly when they give
 * a run the same state, so a resume compares text (as operator specs,
 * operators/options.h).  Not in it: what only changes how fast (--batch,
 * --threads) or what is printed, and --time-unit (spans are stored in the
 * column's units, which is what the state depends on).
 * Why: a snapshot resumed with another --window or without --deletions
 * would mix two streams' answers silently.
 * Cost: a few hundred bytes per snapshot. */
#ifndef ES_STREAMSPEC_H
#define ES_STREAMSPEC_H

#include <glib.h>

#include "dataflow/driver.h"

/* The text of cfg's settings (free it). */
char    *es_stream_spec(const es_driver_config *cfg);
/* Parse text back into cfg's window, window_span, window_slide,
 * lateness_on, lateness and deletions, and *fmt (cfg->format is left
 * alone).  Bad text: ES_ERROR_DATA. */
gboolean es_stream_spec_parse(const char *text, es_driver_config *cfg, es_parse_format *fmt, GError **error);
/* Do the snapshot's settings (then) equal this run's (now)?  If not,
 * ES_ERROR_CONFIG naming each setting that differs, as "SNAP was taken
 * with window=..., this run has window=...". */
gboolean es_stream_spec_check(const char *snap, const char *then, const char *now, GError **error);

#endif
