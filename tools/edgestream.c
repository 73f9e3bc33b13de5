/* edgestream.c — the command-line entry point: dispatches to subcommands
 * (`edgestream help CMD` is `edgestream CMD --help`; a mistyped command
 * gets the nearest one suggested).  Exit statuses: tools/cli.h.
 */
#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include "graph/spelling.h"
#include "tools/cli.h"
#include "tools/cmd_gen.h"
#ifdef ES_MPI
#include "mpi/driver_mpi.h"
#endif

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "run", es_cmd_run, "stream edge files through operators and report their answers" },
    { "gen", es_cmd_gen, "write a generated or well-known graph as an edge list" },
    { "inspect", es_cmd_inspect, "show a snapshot's metadata and answers" },
    { "compare", es_cmd_compare, "check a run's or a snapshot's answers against exact ones (igraph)" },
    { "export", es_cmd_export, "write a snapshot as one self-contained file (its logs inline)" },
    { "plot", es_cmd_plot, "draw a run's degrees, components and estimates with gnuplot (SVG, PNG)" },
    { "serve", es_cmd_serve, "serve producers and queries over TCP, with a write-ahead log and exactly-once resume" },
    { "wal-dump", es_cmd_wal_dump, "print a write-ahead log's edges, in order, as an edge list" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: edgestream COMMAND [OPTIONS] ...\n\n"
                 "Incremental analytics over graph edge streams.\n\ncommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'edgestream help COMMAND' (or 'edgestream COMMAND --help') describes a command;\n"
                 "'man edgestream' describes them all.\n"
                 "Exit status: 0 ok, 1 compare found a difference, 64 usage, 65 bad input data,\n"
                 "66 cannot open input, 70 internal error, 71 out of memory, 74 I/O error,\n"
                 "78 snapshot does not match the run\n");
}

int main(int argc, char **argv)
{
    char *help_argv[] = { NULL, (char *)"--help", NULL };
    setlocale(LC_ALL, "");
    /* Write errors on a closed pipe are reported as EPIPE, not a silent kill. */
    signal(SIGPIPE, SIG_IGN);
    /* Under ulimit -v, glibc's per-thread malloc arenas (each reserving 64
     * MiB of address space, created as threads happen to contend) would
     * spend the limit on reservations, more of them the busier the machine:
     * one arena keeps what the run can use independent of timing. */
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        mallopt(M_ARENA_MAX, 1);
    if (argc < 2) {
        usage(stderr);
        return ES_ERROR_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2) {
        /* `edgestream help run` is `edgestream run --help`. */
        help_argv[0] = argv[2];
        argv = help_argv;
        argc = 2;
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    } else {
        argv++;
        argc--;
    }
    if (strcmp(argv[0], "--version") == 0) {
        printf("edgestream %s\n", ES_VERSION);
        return 0;
    }
#ifdef ES_MPI
    /* Built with MPI=1: `run` is one rank of an mpirun job. */
    if (strcmp(argv[0], "run") == 0) {
        es_mpi_init(&argc, &argv);
        int status = es_cmd_run(argc, argv);
        es_mpi_finalize();
        return status;
    }
#endif
    const char *names[G_N_ELEMENTS(commands)];
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[0], commands[i].name) == 0)
            return commands[i].fn(argc, argv);
        names[i] = commands[i].name;
    }
    const char *near = es_spelling_nearest(argv[0], names, G_N_ELEMENTS(commands));
    if (near)
        fprintf(stderr, "edgestream: unknown command \"%s\"; did you mean \"%s\"?\n\n", argv[0], near);
    else
        fprintf(stderr, "edgestream: unknown command \"%s\"\n\n", argv[0]);
    usage(stderr);
    return ES_ERROR_USAGE;
}
