/* cmd_gen.h — `edgestream gen`: write a generated or well-known graph as an
 * edge list (`u v` per line, LF, decimal ids) on stdout or to a file.
 *
 * Models: famous NAME (igraph_famous), er (G(n, m), igraph), ba
 * (Barabási-Albert, igraph's psumtree), rmat (Graph500 R-MAT, streamed in
 * O(1) memory by graph/rmat.h).
 */
#ifndef ES_CMD_GEN_H
#define ES_CMD_GEN_H

/* argv[0] is "gen".  Returns the exit status: 0 ok, 64 usage error, 74
 * cannot write the output (the message is on stderr). */
int es_cmd_gen(int argc, char **argv);

#endif
