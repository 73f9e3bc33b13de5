/* stop.c — the stop request: a flag, an eventfd and the signal handlers
 * that raise it (see stop.h). */
#include "dataflow/stop.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct es_stop {
    gint reason;
    int  fd;
};

/* The request the handlers raise: signals are per process. */
static es_stop *volatile caught;

es_stop *es_stop_new(void)
{
    es_stop *s = g_new0(es_stop, 1);
    s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return s;
}

void es_stop_free(es_stop *s)
{
    if (s == NULL)
        return;
    if (caught == s) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        caught = NULL;
    }
    if (s->fd >= 0)
        close(s->fd);
    g_free(s);
}

void es_stop_raise(es_stop *s, int reason)
{
    int saved = errno;   /* a handler must leave errno as it found it */
    g_atomic_int_compare_and_exchange(&s->reason, 0, reason);
    if (s->fd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(s->fd, &one, sizeof one);
        (void)w;         /* a full counter is readable all the same */
    }
    errno = saved;
}

int es_stop_reason(const es_stop *s)
{
    return s ? g_atomic_int_get(&((es_stop *)s)->reason) : 0;
}

int es_stop_fd(const es_stop *s)
{
    return s ? s->fd : -1;
}

static void on_signal(int signo)
{
    es_stop *s = caught;
    if (s)
        es_stop_raise(s, signo);
}

void es_stop_catch_signals(es_stop *s)
{
    caught = s;
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
