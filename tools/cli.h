/* cli.h — what the edgestream subcommands share: entry points, exit codes,
 * and helpers for option parsing and errors. */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <glib.h>

#include "graph/common.h"

int es_cmd_run(int argc, char **argv);

/* Parse a GOptionContext; on failure print "edgestream CMD: msg" and a hint,
 * and return FALSE (the caller exits ES_ERROR_USAGE). */
gboolean es_cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv);
/* Print "edgestream CMD: message" for err and return its exit status. */
int      es_cli_fail(const char *cmd, const GError *err);
/* Flush stdout; on failure (EPIPE, ENOSPC) print why and return 74, else 0. */
int      es_cli_finish_stdout(const char *cmd);

#endif
