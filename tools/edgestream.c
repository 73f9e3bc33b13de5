/* edgestream.c — the command-line entry point: dispatches to subcommands.
 *
 * Exit statuses (sysexits.h): 0 ok, 64 usage, 65 bad input data, 66 input
 * missing or unreadable, 70 internal error, 71 out of memory, 74 I/O error,
 * 78 snapshot does not match the run.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

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
    { "serve", es_cmd_serve, "serve producers and queries over TCP, with a write-ahead log and exactly-once resume" },
    { "wal-dump", es_cmd_wal_dump, "print a write-ahead log's edges, in order, as an edge list" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: edgestream COMMAND [OPTIONS] ...\n\n"
                 "Incremental analytics over graph edge streams.\n\ncommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'edgestream COMMAND --help' describes a command.\n"
                 "exit status: 0 ok, 64 usage, 65 bad input data, 66 cannot open input, 71 out of memory,\n"
                 "             74 I/O error, 78 snapshot does not match the run\n");
}

gboolean es_cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
    GError *err = NULL;
    if (g_option_context_parse(ctx, argc, argv, &err))
        return TRUE;
    fprintf(stderr, "edgestream %s: %s\n(see 'edgestream %s --help')\n", cmd, err->message, cmd);
    g_error_free(err);
    return FALSE;
}

int es_cli_fail(const char *cmd, const GError *err)
{
    fprintf(stderr, "edgestream %s: %s\n", cmd, err->message);
    if (err->domain == ES_ERROR && err->code >= 64 && err->code <= 78)
        return err->code;
    return ES_ERROR_IO;
}

int es_cli_finish_stdout(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "edgestream %s: cannot write output: %s\n", cmd, g_strerror(e ? e : EIO));
        return ES_ERROR_IO;
    }
    return 0;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Write errors on a closed pipe are reported as EPIPE, not a silent kill. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return ES_ERROR_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("edgestream %s\n", ES_VERSION);
        return 0;
    }
#ifdef ES_MPI
    /* Built with MPI=1: `run` is one rank of an mpirun job. */
    if (strcmp(argv[1], "run") == 0) {
        es_mpi_init(&argc, &argv);
        int status = es_cmd_run(argc - 1, argv + 1);
        es_mpi_finalize();
        return status;
    }
#endif
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "edgestream: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return ES_ERROR_USAGE;
}
