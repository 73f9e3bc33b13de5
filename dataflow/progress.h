/* progress.h — progress on stderr: edges, edges/s, elapsed time, and the
 * percent done and an estimate of the time left when the input's size is
 * known (the ETA assumes the rate so far holds for the bytes left).
 *
 * On a terminal: one line redrawn at most 4 times a second and erased
 * before a report.  As lines (stderr is a log file, `--progress`): one
 * line every ES_PROGRESS_LINE_S seconds, nothing redrawn.  Silent when
 * disabled (not a terminal, or --quiet). */
#ifndef ES_PROGRESS_H
#define ES_PROGRESS_H

#include <glib.h>
#include <stdint.h>

#define ES_PROGRESS_LINE_S 5

typedef struct es_progress es_progress;

es_progress *es_progress_new(gboolean enabled, gboolean lines);
void         es_progress_update(es_progress *p, uint64_t edges, uint64_t bytes_done, uint64_t bytes_total);
/* Erase the line (before printing a report to the same terminal). */
void         es_progress_clear(es_progress *p);
/* Final line: total edges, time and mean rate. */
void         es_progress_finish(es_progress *p, uint64_t edges);
void         es_progress_free(es_progress *p);

#endif
