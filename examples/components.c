/* components.c — count the connected components of an edge list with the
 * edgestream library.
 *
 *   cc components.c -o components $(pkg-config --cflags --libs edgestream)
 *   ./components datasets/zachary.txt
 *   vertices 34 edges 78 components 1 largest 34
 */
#include <edgestream.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s EDGE-LIST\n", argv[0]);
        return 64;
    }
    edgestream *s;
    edgestream_error err;
    if (edgestream_open(&s, "cc", NULL, &err) != EDGESTREAM_OK ||
        edgestream_feed_file(s, argv[1], &err) != EDGESTREAM_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.message);
        edgestream_free(s);
        return err.code;
    }
    edgestream_report *r = edgestream_report_take(s);
    printf("vertices %llu edges %llu components %llu largest %llu\n",
           (unsigned long long)edgestream_vertices(s), (unsigned long long)edgestream_edges(s),
           (unsigned long long)edgestream_report_find(r, "cc", "components")->u,
           (unsigned long long)edgestream_report_find(r, "cc", "largest")->u);
    edgestream_report_free(r);
    edgestream_free(s);
    return 0;
}
