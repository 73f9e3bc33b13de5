/* triangles.c — follow the triangles of a stream as it flows: edge lines
 * on standard input, fed to the library EVERY lines at a time, the count
 * printed after each piece; at the end, the vertex in most triangles.
 *
 *   cc triangles.c -o triangles $(pkg-config --cflags --libs edgestream)
 *   ./triangles 20 < datasets/zachary.txt
 *   edges 20 triangles 6
 *   ...
 *   edges 78 triangles 45
 *   vertex 0 is in 18 triangles
 */
#include <edgestream.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(edgestream *s)
{
    edgestream_report *r = edgestream_report_take(s);
    printf("edges %llu triangles %llu\n", (unsigned long long)edgestream_edges(s),
           (unsigned long long)edgestream_report_find(r, "tri", "triangles")->u);
    edgestream_report_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    long every = argc > 1 ? atol(argv[1]) : 1000;
    if (every <= 0) {
        fprintf(stderr, "usage: %s [EVERY] < EDGE-LIST\n", argv[0]);
        return 64;
    }
    edgestream *s;
    edgestream_error err;
    if (edgestream_open(&s, "tri", NULL, &err) != EDGESTREAM_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.message);
        return err.code;
    }
    char line[4200];
    long lines = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (edgestream_feed_lines(s, line, strlen(line), &err) != EDGESTREAM_OK) {
            fprintf(stderr, "%s: %s\n", argv[0], err.message);
            edgestream_free(s);
            return err.code;
        }
        if (++lines % every == 0)
            report(s);
    }
    if (lines % every != 0)
        report(s);
    /* The vertex in most triangles, from the per-vertex counts. */
    size_t n = edgestream_vertices(s);
    uint64_t *ids = malloc((n + 1) * sizeof *ids), *tri = malloc((n + 1) * sizeof *tri);
    edgestream_vertex_ids(s, ids);
    edgestream_triangle_counts(s, tri, NULL);
    size_t best = 0;
    for (size_t v = 1; v < n; v++)
        if (tri[v] > tri[best])
            best = v;
    if (n > 0)
        printf("vertex %llu is in %llu triangles\n", (unsigned long long)ids[best], (unsigned long long)tri[best]);
    free(ids);
    free(tri);
    edgestream_free(s);
    return 0;
}
