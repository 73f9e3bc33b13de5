/* tri_graphblas.c — the SuiteSparse:GraphBLAS peer of the triangle
 * benchmark: what a GraphBLAS user writes to count the triangles of an
 * edge-list file.
 *
 *   load   read the whole file and parse `u v` lines with a tight hand
 *          loop (GraphBLAS has no edge-list reader; this is the fastest
 *          plain parser, so the load is not handicapped); ids are matrix
 *          indices, n = largest id + 1, as igraph_read_graph_edgelist does
 *   build  A = symmetric uint32 adjacency from (u,v) and (v,u) tuples,
 *          self-loops dropped, duplicates merged with GrB_MAX
 *          (GrB_Matrix_build)
 *   count  L = tril(A, -1); C<L> = L * L' with GrB_PLUS_TIMES_SEMIRING_UINT32
 *          and a structural mask; triangles = sum(C): the masked L.L'
 *          method (Azad, Buluç & Gilbert, IPDPSW 2015; Wolf, Deveci, Berry,
 *          Hammond & Rajamanickam, HPEC 2017), as in LAGraph's
 *          TriangleCount (Sandia_LL)
 *   --presort  first relabel the vertices by decreasing degree (A = A(P,P),
 *          degrees by GrB_reduce, the permutation by GrB_extract), which is
 *          LAGraph's presort for skewed graphs: hub rows of L become short
 *
 * GraphBLAS uses `--threads N` threads (default 2).  Prints `triangles N`
 * on stdout and the seconds of each step on stderr.  Built by bench/tri.sh
 * (it needs -lgraphblas).
 *
 * usage: tri_graphblas [--threads N] [--presort] FILE
 */
#include <GraphBLAS.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRY(call)                                                              \
    do {                                                                       \
        GrB_Info info_ = (call);                                               \
        if (info_ != GrB_SUCCESS) {                                            \
            fprintf(stderr, "tri_graphblas: %s failed: %d\n", #call, info_);   \
            exit(70);                                                          \
        }                                                                      \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "tri_graphblas: %s: %s\n", path, strerror(errno));
        exit(66);
    }
    size_t cap = 1u << 24, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int parse_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    uint64_t x = 0;
    while (*s >= '0' && *s <= '9')
        x = x * 10 + (uint64_t)(*s++ - '0');
    *p = s;
    *out = x;
    return 1;
}

static GrB_Index *sort_key;

static int by_key_desc(const void *a, const void *b)
{
    GrB_Index x = sort_key[*(const GrB_Index *)a], y = sort_key[*(const GrB_Index *)b];
    if (x != y)
        return x < y ? 1 : -1;
    return *(const GrB_Index *)a < *(const GrB_Index *)b ? -1 : 1;
}

/* A(P,P) with P listing the vertices by decreasing degree; frees A. */
static GrB_Matrix by_decreasing_degree(GrB_Matrix A, GrB_Index n)
{
    GrB_Vector d;
    TRY(GrB_Vector_new(&d, GrB_UINT64, n));
    TRY(GrB_Matrix_reduce_Monoid(d, NULL, NULL, GrB_PLUS_MONOID_UINT64, A, NULL));
    GrB_Index nd;
    TRY(GrB_Vector_nvals(&nd, d));
    GrB_Index *idx = malloc((nd ? nd : 1) * sizeof *idx);
    uint64_t *deg = malloc((nd ? nd : 1) * sizeof *deg);
    TRY(GrB_Vector_extractTuples_UINT64(idx, deg, &nd, d));
    sort_key = calloc(n, sizeof *sort_key);
    for (GrB_Index i = 0; i < nd; i++)
        sort_key[idx[i]] = deg[i];
    GrB_Index *P = malloc(n * sizeof *P);
    for (GrB_Index i = 0; i < n; i++)
        P[i] = i;
    qsort(P, n, sizeof *P, by_key_desc);
    GrB_Matrix B;
    TRY(GrB_Matrix_new(&B, GrB_UINT32, n, n));
    TRY(GrB_Matrix_extract(B, NULL, NULL, A, P, n, P, n, NULL));
    free(P);
    free(sort_key);
    free(idx);
    free(deg);
    GrB_Vector_free(&d);
    GrB_Matrix_free(&A);
    return B;
}

int main(int argc, char **argv)
{
    int threads = 2, presort = 0, a = 1;
    for (; a < argc - 1; a++) {
        if (strcmp(argv[a], "--threads") == 0 && a + 2 < argc)
            threads = atoi(argv[++a]);
        else if (strcmp(argv[a], "--presort") == 0)
            presort = 1;
        else
            break;
    }
    if (a != argc - 1) {
        fprintf(stderr, "usage: tri_graphblas [--threads N] [--presort] FILE\n");
        return 64;
    }
    double t0 = now();
    TRY(GrB_init(GrB_NONBLOCKING));
    TRY(GxB_Global_Option_set(GxB_NTHREADS, threads));

    /* Load: every line `u v [...]`; # and % start comments. */
    size_t len;
    char *text = slurp(argv[a], &len);
    size_t cap = len / 8 + 16, m = 0;
    GrB_Index *I = malloc(cap * sizeof *I), *J = malloc(cap * sizeof *J);
    uint64_t maxid = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        if (eol == NULL)
            eol = p + strlen(p);
        const char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        uint64_t u, v;
        if (*s != '#' && *s != '%' && *s != '\n' && *s != '\r' && *s != '\0') {
            if (!parse_u64(&s, &u) || !parse_u64(&s, &v)) {
                fprintf(stderr, "tri_graphblas: bad line at byte %zu\n", (size_t)(p - text));
                return 65;
            }
            if (u != v) {
                if (m + 2 > cap) {
                    cap *= 2;
                    I = realloc(I, cap * sizeof *I);
                    J = realloc(J, cap * sizeof *J);
                }
                I[m] = u; J[m] = v; m++;
                I[m] = v; J[m] = u; m++;
                if (u > maxid) maxid = u;
                if (v > maxid) maxid = v;
            }
        }
        p = *eol ? eol + 1 : eol;
    }
    free(text);
    double t1 = now();

    uint32_t *X = malloc((m ? m : 1) * sizeof *X);
    for (size_t i = 0; i < m; i++)
        X[i] = 1;
    const GrB_Index n = m ? maxid + 1 : 1;
    GrB_Matrix A, L, C;
    TRY(GrB_Matrix_new(&A, GrB_UINT32, n, n));
    TRY(GrB_Matrix_build_UINT32(A, I, J, X, m, GrB_MAX_UINT32));
    free(I);
    free(J);
    free(X);
    TRY(GrB_Matrix_wait(A, GrB_MATERIALIZE));
    if (presort)
        A = by_decreasing_degree(A, n);
    double t2 = now();

    TRY(GrB_Matrix_new(&L, GrB_UINT32, n, n));
    TRY(GrB_Matrix_select_INT64(L, NULL, NULL, GrB_TRIL, A, -1, NULL));
    TRY(GrB_Matrix_new(&C, GrB_UINT32, n, n));
    TRY(GrB_mxm(C, L, NULL, GrB_PLUS_TIMES_SEMIRING_UINT32, L, L, GrB_DESC_ST1));
    uint64_t triangles = 0;
    TRY(GrB_Matrix_reduce_UINT64(&triangles, NULL, GrB_PLUS_MONOID_UINT64, C, NULL));
    double t3 = now();

    GrB_Index edges;
    TRY(GrB_Matrix_nvals(&edges, L));
    printf("triangles\t%" PRIu64 "\n", triangles);
    printf("edges\t%" PRIu64 "\n", (uint64_t)edges);
    fprintf(stderr, "load %.3f s, build %.3f s, count %.3f s, total %.3f s\n",
            t1 - t0, t2 - t1, t3 - t2, t3 - t0);
    GrB_Matrix_free(&C);
    GrB_Matrix_free(&L);
    GrB_Matrix_free(&A);
    GrB_finalize();
    return 0;
}
