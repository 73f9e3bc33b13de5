/* cli.h — what the edgestream subcommands share: entry points, exit codes,
 * and helpers for option parsing and errors. */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <glib.h>

#include "graph/common.h"

#include "snapshot/snapshot.h"

int es_cmd_run(int argc, char **argv);
int es_cmd_inspect(int argc, char **argv);
int es_cmd_compare(int argc, char **argv);
int es_cmd_export(int argc, char **argv);
int es_cmd_serve(int argc, char **argv);
int es_cmd_wal_dump(int argc, char **argv);

/* Verify and load a snapshot: metadata, operators restored from it, and the
 * id map's external ids (free with es_h5_free(ext, n * 8)). */
gboolean es_cli_load_snapshot(const char *path, es_snapshot_meta *meta, GPtrArray **ops,
                              uint64_t **externals, uint32_t *n, GError **error);

/* Parse a GOptionContext; on failure print "edgestream CMD: msg" and a hint,
 * and return FALSE (the caller exits ES_ERROR_USAGE). */
gboolean es_cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv);
/* Print "edgestream CMD: message" for err and return its exit status. */
int      es_cli_fail(const char *cmd, const GError *err);
/* Flush stdout; on failure (EPIPE, ENOSPC) print why and return 74, else 0. */
int      es_cli_finish_stdout(const char *cmd);

#endif
