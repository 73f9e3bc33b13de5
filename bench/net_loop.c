/* net_loop.c — the server's event loop measured alone: GIO (a GSocket
 * source per client on a GMainContext, as server/server.c) against a plain
 * epoll loop, receiving edge lines from K loopback senders and counting
 * the lines (no parsing, no WAL).  What it settles: whether GIO's loop
 * costs the ingest path anything worth a hand-written one
 * (docs/serve.md, bench/RESULTS.md).
 *
 *   net_loop gio|epoll CLIENTS MEGABYTES_PER_CLIENT
 */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static guint16 port;
static size_t per_client;
static uint64_t lines, open_clients;
static GMainLoop *loop;

static gpointer sender(gpointer data)
{
    (void)data;
    GSocketClient *cl = g_socket_client_new();
    GSocketConnection *conn = g_socket_client_connect_to_host(cl, "127.0.0.1", port, NULL, NULL);
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    char *buf = g_malloc(1 << 20);
    size_t n = 0;
    for (uint64_t i = 0; n + 32 < (1u << 20); i++)
        n += (size_t)sprintf(buf + n, "%lu %lu\n", (unsigned long)(i * 7919 % 1000003), (unsigned long)(i % 65537));
    for (size_t sent = 0; sent < per_client; sent += n)
        g_output_stream_write_all(out, buf, n, NULL, NULL, NULL);
    g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    g_object_unref(conn);
    g_object_unref(cl);
    g_free(buf);
    return NULL;
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t c = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        c++;
    return c;
}

static gboolean on_read(GSocket *s, GIOCondition cond, gpointer data)
{
    (void)cond;
    static char buf[65536];
    (void)data;
    gssize k = g_socket_receive(s, buf, sizeof buf, NULL, NULL);
    if (k > 0) {
        lines += count_lines(buf, (size_t)k);
        return G_SOURCE_CONTINUE;
    }
    if (--open_clients == 0)
        g_main_loop_quit(loop);
    g_socket_close(s, NULL);
    return G_SOURCE_REMOVE;
}

static gboolean on_accept(GSocket *l, GIOCondition cond, gpointer data)
{
    (void)cond;
    (void)data;
    GSocket *c = g_socket_accept(l, NULL, NULL);
    if (c) {
        g_socket_set_blocking(c, FALSE);
        GSource *src = g_socket_create_source(c, G_IO_IN | G_IO_HUP, NULL);
        g_source_set_callback(src, (GSourceFunc)(void (*)(void))on_read, NULL, NULL);
        g_source_attach(src, NULL);
        g_source_unref(src);
    }
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 64;
    gboolean gio = strcmp(argv[1], "gio") == 0;
    guint k = (guint)atoi(argv[2]);
    per_client = (size_t)atoll(argv[3]) << 20;
    GSocket *l = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
    g_socket_bind(l, sa, TRUE, NULL);
    g_socket_listen(l, NULL);
    GSocketAddress *bound = g_socket_get_local_address(l, NULL);
    port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    open_clients = k;
    gint64 t0 = g_get_monotonic_time();
    GThread **th = g_new(GThread *, k);
    for (guint i = 0; i < k; i++)
        th[i] = g_thread_new("sender", sender, NULL);
    if (gio) {
        loop = g_main_loop_new(NULL, FALSE);
        g_socket_set_blocking(l, FALSE);
        GSource *src = g_socket_create_source(l, G_IO_IN, NULL);
        g_source_set_callback(src, (GSourceFunc)(void (*)(void))on_accept, NULL, NULL);
        g_source_attach(src, NULL);
        g_main_loop_run(loop);
    } else {
        int ep = epoll_create1(0), lfd = g_socket_get_fd(l);
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[64];
        epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
        static char buf[65536];
        while (open_clients > 0) {
            int n = epoll_wait(ep, evs, 64, -1);
            for (int i = 0; i < n; i++) {
                int fd = evs[i].data.fd;
                if (fd == lfd) {
                    GSocket *c = g_socket_accept(l, NULL, NULL);
                    struct epoll_event ce = { .events = EPOLLIN, .data.fd = g_socket_get_fd(c) };
                    epoll_ctl(ep, EPOLL_CTL_ADD, ce.data.fd, &ce);
                    continue;
                }
                ssize_t got = read(fd, buf, sizeof buf);
                if (got > 0) {
                    lines += count_lines(buf, (size_t)got);
                } else {
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                    close(fd);
                    open_clients--;
                }
            }
        }
    }
    double s = (double)(g_get_monotonic_time() - t0) / 1e6;
    for (guint i = 0; i < k; i++)
        g_thread_join(th[i]);
    printf("%s clients=%u lines=%lu seconds=%.3f Mlines/s=%.2f MB/s=%.0f\n", argv[1], k, (unsigned long)lines, s,
           (double)lines / s / 1e6, (double)k * (double)per_client / s / 1e6);
    return 0;
}
