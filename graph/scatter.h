/* scatter.h — the offsets of a parallel stable counting sort (adjacency
 * and edgeset sort a batch by bucket this way).
 *
 * Thread t of T counts its slice's items per bucket in grid[t*B .. t*B+B);
 * es_scatter_offsets turns the grid, in place, into where slice t writes
 * its next item of bucket b: bucket-major, slices in order within a
 * bucket, so scattering slice by slice keeps stream order in every bucket.
 * start[b] is bucket b's first position, start[B] the total.  O(T * B);
 * call from one thread, between the count and the scatter.
 */
#ifndef ES_SCATTER_H
#define ES_SCATTER_H

#include <stddef.h>

static inline void es_scatter_offsets(size_t *grid, int T, size_t B, size_t *start)
{
    size_t off = 0;
    for (size_t b = 0; b < B; b++) {
        start[b] = off;
        for (int t = 0; t < T; t++) {
            size_t c = grid[(size_t)t * B + b];
            grid[(size_t)t * B + b] = off;
            off += c;
        }
    }
    start[B] = off;
}

#endif
