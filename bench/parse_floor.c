/* parse_floor.c — the floor for `edgestream run`: read and parse the edge
 * files with edgestream's own reader and parser, and nothing else (no id
 * map, no operator).  An end-to-end run can approach this time but not
 * beat it on one core. */
#include <stdio.h>

#include "dataflow/reader.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: parse_floor FILE...\n");
        return 64;
    }
    es_reader *r = es_reader_new((const char *const *)(argv + 1), 0);
    es_raw_batch *b = es_raw_batch_new(1u << 20);
    GError *err = NULL;
    uint64_t edges = 0, sum = 0;
    for (;;) {
        if (!es_reader_next(r, b, b->cap, &err)) {
            fprintf(stderr, "parse_floor: %s\n", err->message);
            return err->code;
        }
        if (b->n == 0)
            break;
        edges += b->n;
        sum += b->ids[0] ^ b->ids[2 * b->n - 1];
    }
    printf("edges\t%llu\t(checksum %llu)\n", (unsigned long long)edges, (unsigned long long)sum);
    es_raw_batch_free(b);
    es_reader_free(r);
    return 0;
}
