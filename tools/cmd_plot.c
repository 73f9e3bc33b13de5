/* cmd_plot.c — `edgestream plot`: draw a run's answers with gnuplot.
 *
 * The drawing is done by the script edgestream-plot (tools/edgestream-plot,
 * Python and gnuplot: reading json and writing gnuplot scripts is what a
 * script does best), installed beside the binary; this command runs it
 * with the same arguments, so `edgestream plot` and `edgestream-plot` are
 * one program.  The script is looked for beside the running binary (the
 * build folder, or $(PREFIX)/bin), then on PATH.  Exit status: the
 * script's (0 ok, 64 usage, 65 nothing to draw, 66 cannot open the input,
 * 69 gnuplot missing, 74 cannot write a plot); 69 when the script itself
 * cannot be run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"

#define ES_EXIT_UNAVAILABLE 69

int es_cmd_plot(int argc, char **argv)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
    g_autofree char *beside = dir ? g_build_filename(dir, "edgestream-plot", NULL) : NULL;
    g_autofree char *found = beside && access(beside, X_OK) == 0 ? g_strdup(beside)
                                                                 : g_find_program_in_path("edgestream-plot");
    if (found == NULL) {
        fprintf(stderr, "edgestream plot: edgestream-plot is neither beside %s nor on PATH (make install puts it "
                        "in $(PREFIX)/bin)\n", self ? self : "this program");
        return ES_EXIT_UNAVAILABLE;
    }
    /* The script finds this binary beside itself, for snapshots. */
    char **args = g_new0(char *, (gsize)argc + 1);
    args[0] = found;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    fflush(stdout);
    execv(found, args);
    int e = errno;
    fprintf(stderr, "edgestream plot: cannot run %s: %s\n", found, g_strerror(e));
    g_free(args);
    return ES_EXIT_UNAVAILABLE;
}
