/* driver_mpi.h — `edgestream run` over MPI ranks (built with make MPI=1).
 *
 * Every rank reads its share of the input (mpi/chunks.h: key groups of
 * lines, contiguous ranges of them per rank), so parsing scales with the
 * ranks; the stream order is (batch, key group, position), the same for
 * any rank count.  Per batch each rank sends to rank 0 what its operators
 * need (below); rank 0 holds the id map (in a reduced run, below, the
 * ranks hold it by key group, mpi/idmap_mpi.h), the edge table and the
 * operators' state, feeds them the batch in stream order, reports, and takes the
 * snapshots (dataflow/checkpoint.h; partitioned degree's pairs and tri's
 * edges are written by the ranks; the position is every key group's, so
 * `--resume` under another rank count, or in the build without MPI
 * (mpi/grouprun.h, whose state rank 0's is), continues the same stream).  The
 * answers are those of `mpirun -np 1` on the same input, for every rank
 * count, byte for byte (but topk's in a reduced run, below: within its
 * bounds); exact operators equal a run without MPI.
 *
 * What a batch sends, per operator (bench/SCALING.md has the measured bytes):
 *   a reduced run, when every operator is cc, bipartite, cm, hll, topk
 *     or degree or tri, no
 *     --report-every is asked (reports then fall at batch ends alone) and
 *     there are at least 2 ranks:
 *     - each rank's share reduced to a spanning forest, merged up a binary
 *       tree (mpi/forest.h): at most 16 bytes per vertex of the batch per
 *       rank, log2 N rounds; it carries every vertex (the id map, the
 *       vertex count) and is all cc is fed (rank 0's own share is fed as
 *       it is, before the forests arrive); left out when degree is the
 *       only operator that needs the vertices (its partials carry them);
 *     - cc, without snapshots: its union-find partitioned by key group
 *       (mpi/cc_mpi.h): rank 0 asks the owners for the roots of the
 *       forest's vertices (4 bytes out, 8 back per vertex and round),
 *       hooks the roots, counts the sizes, and sends each owner its new
 *       parents and sizes (12 bytes each); rank 0 holds V/N entries, not
 *       V, and no log of joins.  With --snapshot-dir cc stays whole at
 *       rank 0;
 *     - with bipartite, the forest keeps parities and an odd-cycle flag;
 *       while the graph is bipartite, rank 0 tries the merged forest on a
 *       copy of bipartite's forest and feeds it that alone; the batch that
 *       closes the first odd cycle is gathered whole (16 bytes per edge,
 *       once) and fed in stream order, so the closing edge is the same;
 *     - cm, hll and topk: each rank sketches its own share; nothing per
 *       batch, and before a snapshot and at the end the sketches are
 *       combined at rank 0 (mpi/merge.h: counters summed, registers
 *       maximised, which gives rank 0 the single process's sketch, cell
 *       for cell; Space-Saving summaries merged, which keeps topk's
 *       bounds but not the single process's list).
 *     - degree: partitioned
 *       (mpi/degree_mpi.h): each edge goes to the rank owning its pair's
 *       key group (16 bytes per edge read elsewhere, one MPI_Alltoallv),
 *       which de-duplicates its pairs exactly; per-vertex degree partials
 *       (12 bytes per raised or new vertex per owner) and three counters
 *       reach rank 0, which holds the degrees and no edge table.  With
 *       snapshots, rank 0 sends back the dense ids of each owner's entries
 *       (4 bytes each), and at a barrier each owner writes its pairs as
 *       its slice of /edges/keys, collectively with parallel HDF5 into
 *       rank 0's file (mpi/snapshot_mpi.h); on resume each rank reads the
 *       pairs it owns now.
 *     - tri: partitioned
 *       (mpi/tri_mpi.h): vertices coloured by key group, each edge sent
 *       to the ranks owning a triple of colours with its two (16 bytes
 *       per copy to another rank; at most 2 ranks for N <= 4), which find
 *       each triangle once; per-vertex triangle partials (16 bytes per
 *       credited vertex per rank) reach rank 0, with the degrees the
 *       same ranks count (12 bytes per raised or new vertex per rank:
 *       degree's partials, without degree's own shuffle), and rank 0
 *       keeps no adjacency.  With snapshots, as degree: dense ids back
 *       (4 bytes per degree entry), and each edge written once, by its
 *       degree rank (mpi/snapshot_mpi.h).
 *   any other operator (tri-est, spanner) in the run: every rank's
 *     share itself, 16 bytes per edge
 *     (24 with timestamps), gathered at rank 0 in rank order, where the
 *     state stays whole.
 *   tri-est with copies=C > 1, at 2 ranks or more: the batch gathered
 *     at every rank (16 (N-1) bytes per edge), each rank running a range
 *     of the copies and sending rank 0 their figures for an interim report
 *     and the end, and their states one at a time as rank 0 writes a
 *     snapshot (in the stream's thread: mpi/tri_est_mpi.h); rank 0 holds
 *     only its own copies; the answers are -np 1's for any N.
 *   spanner: one rank by nature: whether an edge enters depends on the
 *     spanner of every earlier edge (a shortest-path query per edge), so
 *     ranks could only take turns.
 *   the id map, in a reduced run: partitioned by key group
 *     (mpi/idmap_mpi.h): the ids rank 0 maps (the forest, tri's partials,
 *     degree's partials when there is no forest) are looked up at their
 *     owners: 12 bytes per distinct id of each piece of 256 Ki ids that
 *     belongs to another rank, 4 per new vertex (the closing line says
 *     how many per edge); degree's partials beside a forest, and a batch
 *     gathered whole, hold only vertices of their batch's forest, so rank
 *     0 maps them by the forest's ids, asking no one.  Rank 0 keeps the
 *     vertices of its groups (about V/N) and, with snapshots or tri, 8
 *     bytes per vertex of external ids.  A resume sends each owner its
 *     vertices (12 bytes each).  The dense ids, hence the snapshots, are
 *     those rank 0's own map gave.
 * Plus, every batch, 32 bytes per key group of position and 16 of counts
 * (and, in a reduced run or with tri-est's copies, 4 from rank 0 to each
 * rank per question: the whole batch for bipartite, a snapshot due).
 *
 * Collective: every rank calls it with the same arguments; an error on any
 * rank (a bad line, a limit, a snapshot mismatch) ends the run on all with
 * that error (the first rank's, for a bad line: the first in stream order).
 */
#ifndef ES_MPI_DRIVER_H
#define ES_MPI_DRIVER_H

#include <glib.h>

#include "dataflow/driver.h"

#define ES_MPI_DEFAULT_GROUPS 128

/* MPI_Init (threads: funneled; rank 0's snapshot writer thread makes no MPI
 * call) and MPI_Finalize around a command. */
void es_mpi_init(int *argc, char ***argv);
void es_mpi_finalize(void);
int  es_mpi_rank(void);
/* Every rank leaves with the error of rank `root` (which has it in
 * *error; rank: the caller's).  Collective on MPI_COMM_WORLD. */
void es_mpi_share_error(int root, int rank, GError **error);
/* Did every rank succeed (ok: the caller's)?  If not, every rank leaves
 * with the error of the lowest-numbered rank that failed (es_mpi_share_error:
 * a rank that failed later takes that error instead of its own) and FALSE.
 * Collective on MPI_COMM_WORLD, whatever communicator the caller works on:
 * one MPI_Allreduce of an int, and on a failure es_mpi_share_error's three
 * broadcasts. */
gboolean es_mpi_agree(int rank, gboolean ok, GError **error);

/* As es_driver_run; groups: key groups of the input (--max-parallelism).
 * Reports (cfg->on_report) are made on rank 0 only; stats are the run's on
 * every rank.  With verbose, rank 0 says on stderr what the ranks sent. */
gboolean es_mpi_driver_run(const es_driver_config *cfg, guint groups, gboolean verbose, GPtrArray *ops,
                           es_driver_stats *stats, GError **error);

#endif
