/* walsource.h — the server's write-ahead log as an edge source
 * (dataflow/edgesource.h): the driver's reader thread reads records from
 * the stream position on, while the network thread appends.
 *
 * Position: offset = WAL position of the next record to read, line = edges
 * of that record already handed out (a batch may end inside a record);
 * position text = the producers' table, one "id<TAB>last seq" line each,
 * as of that position (records carry their producer and sequence number,
 * docs/serve.md), so a resume restores the table exactly-once needs.
 * Identity: the WAL directory's random ID.
 * Batches close when full or `linger` after their first edge (as files
 * do: an idle timer would hold a steady trickle back); an idle source
 * hands the driver an empty batch every linger (a tick).
 * Cost: one pread per record (page cache), a copy of its edges.
 */
#ifndef ES_SERVER_WALSOURCE_H
#define ES_SERVER_WALSOURCE_H

#include "dataflow/edgesource.h"
#include "server/wal.h"

es_edge_source *es_wal_source_new(es_wal *wal, gint64 linger_us);
/* Records were appended (network thread): wake the reader. */
void     es_wal_source_notify(es_edge_source *s);
/* Close the batch being filled now, once what is logged is read (a query
 * waits for the next barrier: it should not wait for the linger). */
void     es_wal_source_flush(es_edge_source *s);
/* End the stream once every record appended so far has been read. */
void     es_wal_source_stop(es_edge_source *s);
/* WAL position read so far (any thread): the lag behind es_wal_end is
 * what back-pressure bounds. */
uint64_t es_wal_source_read_pos(es_edge_source *s);
/* The producers' table (id -> last seq, GHashTable of char* -> uint64_t*)
 * parsed from a position text; NULL when the text is malformed. */
GHashTable *es_wal_producers_parse(const char *text);

#endif
