/* stop.h — a request to end a stream early, raised by a signal handler
 * (SIGINT, SIGTERM) or by any thread (a closed standard output), and
 * noticed by a reader blocked on its input.
 *
 * The request is a flag plus an eventfd: threads that check between reads
 * test the flag, a thread waiting in poll(2) for input also polls the fd
 * and wakes at once.  The first reason raised is kept.  Raising is
 * async-signal-safe (an atomic store and a write(2)).  A stopped run ends
 * as at the end of its input: the batches read so far are folded, the
 * final report is made and the final snapshot taken (dataflow/driver.h).
 */
#ifndef ES_STOP_H
#define ES_STOP_H

#include <glib.h>

typedef struct es_stop es_stop;

/* Reasons other than a signal number. */
#define ES_STOP_OUTPUT_CLOSED 1000   /* the reader of our output went away */

es_stop *es_stop_new(void);
void     es_stop_free(es_stop *s);
void     es_stop_raise(es_stop *s, int reason);
/* The first reason raised, 0 while none. */
int      es_stop_reason(const es_stop *s);
/* Readable once raised (for poll); -1 when the fd could not be made. */
int      es_stop_fd(const es_stop *s);
/* Route SIGINT and SIGTERM to es_stop_raise(s, signo), once: a second
 * signal of the same kind has its default effect (a second Ctrl-C kills).
 * es_stop_free puts the default actions back. */
void     es_stop_catch_signals(es_stop *s);

#endif
