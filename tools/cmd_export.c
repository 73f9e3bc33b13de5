/* cmd_export.c — `edgestream export SNAP.h5 OUT.h5`: one self-contained
 * snapshot file for sharing.
 *
 * A snapshot in a run's directory keeps its append-only arrays in log files
 * beside it (snapshot/logs.h); OUT.h5 holds every dataset itself, so it can
 * be mailed or archived alone and read by h5dump, h5py, `inspect` and
 * `compare --snapshot` anywhere.  How: SNAP.h5 is verified (its own and its
 * logs' checksums) and restored as `inspect` does, then written again with
 * every array inline, by the same writer as a run's snapshots (so OUT.h5 is
 * a committed snapshot of the same format, same metadata and same answers),
 * into a fresh directory beside OUT.h5 and renamed onto OUT.h5 at the end:
 * OUT.h5 appears whole or not at all, and an existing OUT.h5 is replaced
 * only by a complete file.  Cost: the snapshot's state in memory once, and
 * its bytes written once.
 *
 * Exit status: 0 ok, 64 usage, 65 a corrupt or unreadable snapshot (or a
 * missing or corrupt log it refers to), 66 SNAP.h5 missing, 74 OUT.h5
 * cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "operators/operator.h"
#include "snapshot/snapshot.h"
#include "tools/cli.h"

int es_cmd_export(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new("SNAP.h5 OUT.h5 - one self-contained snapshot file for sharing");
    g_option_context_set_description(ctx, "Writes SNAP.h5 with every array inline (no log files) to OUT.h5.\n"
                                          "Exit status: 0 ok, 64 usage, 65 corrupt or unreadable snapshot, "
                                          "66 cannot open it, 74 cannot write OUT.h5.");
    gboolean parsed = es_cli_parse(ctx, "export", &argc, &argv);
    if (!parsed)
        return ES_ERROR_USAGE;
    if (argc != 3) {
        fprintf(stderr, "edgestream export: expected a snapshot file and an output file\n"
                        "(see 'edgestream export --help')\n");
        return ES_ERROR_USAGE;
    }
    g_autofree char *src = realpath(argv[1], NULL);
    g_autofree char *dst = realpath(argv[2], NULL);
    if (src && dst && strcmp(src, dst) == 0) {
        fprintf(stderr, "edgestream export: %s: the output is the snapshot itself\n", argv[2]);
        return ES_ERROR_USAGE;
    }
    es_cli_snapshot snap;
    int status = es_cli_snapshot_load("export", argv[1], &snap);
    if (status != 0)
        return status;
    GError *err = NULL;
    snap.meta.window = snap.window.present ? &snap.window : NULL;   /* (the open window, as it was) */
    if (!es_snapshot_write_file(argv[2], &snap.meta, snap.ext, snap.n, snap.ops, &err)) {
        fprintf(stderr, "edgestream export: %s\n", err->message);
        status = ES_ERROR_IO;   /* the source was read: what failed is writing */
        g_error_free(err);
    }
    es_cli_snapshot_clear(&snap);
    return status;
}
