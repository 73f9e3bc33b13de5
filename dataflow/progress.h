/* progress.h — a one-line progress display on stderr: edges, edges/s, and
 * percent when the input size is known.  Redrawn at most 4 times a second;
 * silent when disabled (not a terminal, or --quiet). */
#ifndef ES_PROGRESS_H
#define ES_PROGRESS_H

#include <glib.h>
#include <stdint.h>

typedef struct es_progress es_progress;

es_progress *es_progress_new(gboolean enabled);
void         es_progress_update(es_progress *p, uint64_t edges, uint64_t bytes_done, uint64_t bytes_total);
/* Erase the line (before printing a report to the same terminal). */
void         es_progress_clear(es_progress *p);
/* Final line: total edges, time and mean rate. */
void         es_progress_finish(es_progress *p, uint64_t edges);
void         es_progress_free(es_progress *p);

#endif
