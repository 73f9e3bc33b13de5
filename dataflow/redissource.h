/* redissource.h — a Redis stream (redis://HOST[:PORT]/KEY) as an edge
 * source, with exactly-once resume by entry id (redissource.c; entry
 * format in README.md, "Redis Streams as a source"). */
#ifndef ES_REDISSOURCE_H
#define ES_REDISSOURCE_H

#include "dataflow/edgesource.h"
#include "dataflow/stop.h"
#include "graph/parse.h"

/* follow: keep reading new entries (else end at the stream's last entry
 * when the run starts).  linger_us, stop: as for streams (reader.h).
 * Bad URL: NULL and ES_ERROR_USAGE.  Nothing is connected before the
 * first read. */
es_edge_source *es_redis_source_new(const char *url, gboolean follow, uint64_t skip_bad, const es_parse_format *fmt,
                                    gint64 linger_us, es_stop *stop, GError **error);
/* Split redis://HOST[:PORT]/KEY (port 6379 by default). */
gboolean es_redis_url_parse(const char *url, char **host, int *port, char **key, GError **error);

#endif
