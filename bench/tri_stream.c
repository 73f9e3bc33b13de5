/* tri_stream.c — edgestream's side of the triangle benchmark: the same job
 * as `edgestream run --ops tri --quiet --format tsv FILE` (the dataflow
 * driver: reader, parser, id map, batches, the tri operator), made without
 * the operator registry, so it runs whether or not "tri" is registered.
 * Prints the final report as tsv.
 *
 * usage: tri_stream [--threads N] [--batch N] FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow/driver.h"
#include "graph/common.h"
#include "operators/tri.h"

static void print_report(const es_report *r, void *user)
{
    (void)user;
    if (r->final)
        es_report_print(r, ES_FORMAT_TSV, stdout);
}

int main(int argc, char **argv)
{
    es_driver_config cfg = { 0 };
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--threads") == 0)
            cfg.threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--batch") == 0)
            cfg.batch_size = strtoull(argv[i + 1], NULL, 10);
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: tri_stream [--threads N] [--batch N] FILE...\n");
        return 64;
    }
    cfg.inputs = (const char *const *)(argv + i);
    cfg.on_report = print_report;

    GError *err = NULL;
    es_options *opts = es_options_parse("tri", NULL, &err);
    es_operator *op = es_tri_class.create(opts, &err);
    es_options_free(opts);
    op->klass = &es_tri_class;
    op->name = g_strdup("tri");
    op->spec = g_strdup("tri");
    GPtrArray *ops = g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    g_ptr_array_add(ops, op);

    es_driver_stats stats;
    int status = 0;
    if (!es_driver_run(&cfg, ops, &stats, &err)) {
        fprintf(stderr, "tri_stream: %s\n", err->message);
        status = err->domain == ES_ERROR ? err->code : 70;
        g_error_free(err);
    }
    g_ptr_array_free(ops, TRUE);
    return status;
}
