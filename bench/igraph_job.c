/* igraph_job.c — the igraph peer of the benchmarks: what an igraph user
 * writes to answer, for an edge-list file, the same question as
 * `edgestream run --ops JOB FILE`.  Every job first reads the file
 * (igraph_read_graph_edgelist: ids are vertex indices), then:
 *
 *   cc         igraph_connected_components, no simplify (components do not
 *              need it: igraph's most favourable path); vertices of degree 0
 *              (ids that never occur) are not counted, as edgestream's
 *              `cc components` does not see them
 *   degree     igraph_simplify (degrees of the simple graph, as edgestream's
 *              degree operator counts them), igraph_maxdegree
 *   bipartite  igraph_is_bipartite (a self-loop is an odd cycle, as in
 *              edgestream)
 *   tri        igraph_simplify, igraph_adjacent_triangles (igraph 0.10 has
 *              no igraph_count_triangles): the per-vertex counts sum to
 *              three times the triangles
 *
 * Prints the answer on stdout (`components N`, `max N`, `bipartite 0|1`,
 * `triangles N` and `edges N`), so a benchmark can check both programs
 * agree, and the seconds of the load and of the job on stderr.
 *
 * usage: igraph_job cc|degree|bipartite|tri FILE
 */
#include <igraph.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void components(const igraph_t *g)
{
    igraph_integer_t ncomp = 0, isolated = 0;
    igraph_vector_int_t deg;
    igraph_vector_int_init(&deg, 0);
    igraph_connected_components(g, NULL, NULL, &ncomp, IGRAPH_WEAK);
    igraph_degree(g, &deg, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS);
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&deg); i++)
        isolated += VECTOR(deg)[i] == 0;
    printf("components\t%" IGRAPH_PRId "\n", ncomp - isolated);
    igraph_vector_int_destroy(&deg);
}

static void triangles(igraph_t *g)
{
    igraph_vector_t tri;
    igraph_simplify(g, 1, 1, NULL);
    igraph_vector_init(&tri, 0);
    igraph_adjacent_triangles(g, &tri, igraph_vss_all());
    printf("triangles\t%.0f\n", igraph_vector_sum(&tri) / 3);
    printf("edges\t%" IGRAPH_PRId "\n", igraph_ecount(g));
    igraph_vector_destroy(&tri);
}

int main(int argc, char **argv)
{
    static const char *const jobs[] = { "cc", "degree", "bipartite", "tri" };
    int job = -1;
    for (int j = 0; argc == 3 && j < 4; j++)
        if (strcmp(argv[1], jobs[j]) == 0)
            job = j;
    if (job < 0) {
        fprintf(stderr, "usage: igraph_job cc|degree|bipartite|tri FILE\n");
        return 64;
    }
    double t0 = now();
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 66;
    }
    igraph_t g;
    if (igraph_read_graph_edgelist(&g, f, 0, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS)
        return 65;
    fclose(f);
    double t1 = now();
    if (job == 0) {
        components(&g);
    } else if (job == 1) {
        igraph_integer_t max = 0;
        igraph_simplify(&g, 1, 1, NULL);
        igraph_maxdegree(&g, &max, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS);
        printf("max\t%" IGRAPH_PRId "\n", max);
    } else if (job == 2) {
        igraph_bool_t bip = 0;
        igraph_is_bipartite(&g, &bip, NULL);
        printf("bipartite\t%d\n", bip ? 1 : 0);
    } else {
        triangles(&g);
    }
    double t2 = now();
    fprintf(stderr, "load %.3f s, %s %.3f s, total %.3f s\n", t1 - t0, argv[1], t2 - t1, t2 - t0);
    igraph_destroy(&g);
    return 0;
}
