/* igraph_cc.c — the peer program for the cc benchmark: what a user of
 * igraph writes for the same job as `edgestream run --ops cc FILE`: read the
 * edge list (igraph_read_graph_edgelist: ids are vertex indices), build the
 * graph and call igraph_connected_components.  No simplify: components do
 * not need it, so this is igraph's most favourable path.
 *
 * Prints the number of components among vertices that appear in an edge
 * (vertices of degree 0 are ids that never occurred in the file), which is
 * what edgestream's `cc components` counts, so the bench can check both
 * programs agree.
 */
#include <igraph.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: igraph_cc EDGEFILE\n");
        return 64;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 66;
    }
    igraph_t g;
    if (igraph_read_graph_edgelist(&g, f, 0, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS)
        return 65;
    fclose(f);
    igraph_vector_int_t membership, csize;
    igraph_integer_t ncomp;
    igraph_vector_int_init(&membership, 0);
    igraph_vector_int_init(&csize, 0);
    igraph_connected_components(&g, &membership, &csize, &ncomp, IGRAPH_WEAK);
    igraph_vector_int_t deg;
    igraph_vector_int_init(&deg, 0);
    igraph_degree(&g, &deg, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS);
    igraph_integer_t isolated = 0;
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&deg); i++)
        isolated += VECTOR(deg)[i] == 0;
    printf("components\t%" IGRAPH_PRId "\n", ncomp - isolated);
    igraph_vector_int_destroy(&deg);
    igraph_vector_int_destroy(&membership);
    igraph_vector_int_destroy(&csize);
    igraph_destroy(&g);
    return 0;
}
