/* igraph_job.c — the igraph peer of bench/suite.sh for the jobs that have
 * no peer program of their own (cc: igraph_cc.c, triangles:
 * tri_igraph.c): what an igraph user writes to answer, for an edge-list
 * file, the same question as `edgestream run --ops JOB FILE`.
 *
 *   degree     read (igraph_read_graph_edgelist: ids are vertex
 *              indices), simplify (degrees of the simple graph, as
 *              edgestream's degree operator counts them), igraph_maxdegree
 *   bipartite  read, igraph_is_bipartite (a self-loop is an odd cycle, as
 *              in edgestream)
 *
 * Prints `max N` or `bipartite 0|1` on stdout, so the benchmark can check
 * both programs agree; the seconds of each step on stderr.
 *
 * usage: igraph_job degree|bipartite FILE
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

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "degree") != 0 && strcmp(argv[1], "bipartite") != 0)) {
        fprintf(stderr, "usage: igraph_job degree|bipartite FILE\n");
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
    if (strcmp(argv[1], "degree") == 0) {
        igraph_simplify(&g, 1, 1, NULL);
        igraph_integer_t max = 0;
        igraph_maxdegree(&g, &max, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS);
        printf("max\t%" IGRAPH_PRId "\n", max);
    } else {
        igraph_bool_t bip = 0;
        igraph_is_bipartite(&g, &bip, NULL);
        printf("bipartite\t%d\n", bip ? 1 : 0);
    }
    double t2 = now();
    fprintf(stderr, "load %.3f s, %s %.3f s, total %.3f s\n", t1 - t0, argv[1], t2 - t1, t2 - t0);
    igraph_destroy(&g);
    return 0;
}
