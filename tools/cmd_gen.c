/* cmd_gen.c — `edgestream gen MODEL [options] [-o FILE]`: write a graph as
 * an edge list, one `u v` line per edge (LF, decimal ids).
 *
 * Models:
 *   famous NAME   igraph_famous (Zachary 1977's karate club, Petersen, ...)
 *   er            G(n, m) uniform random graph (Erdős & Rényi 1959), igraph
 *   ba            preferential attachment (Barabási & Albert 1999), igraph's
 *                 psumtree algorithm: m distinct edges per new vertex
 *   rmat          Graph500 R-MAT (Chakrabarti, Zhan & Faloutsos, SDM 2004),
 *                 see graph/rmat.h
 * famous, er and ba build the graph in igraph first (O(n + m) memory); rmat
 * streams: each edge is generated and written at once, O(1) memory.
 *
 * Output goes through one 1 MiB buffer filled by a hand-written u64 to
 * decimal conversion and written with fwrite in whole blocks; a write error
 * (ENOSPC) stops generation and gives exit status 74; a closed pipe on
 * standard output (`| head`) stops it quietly with 0.  -o FILE is
 * written beside FILE and renamed over it when complete, so a failed run
 * leaves FILE as it was.  Same options and seed, same bytes.
 */
#include "tools/cmd_gen.h"

#include <errno.h>
#include <fcntl.h>
#include <igraph.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/rmat.h"
#include "tools/cli.h"

#define CMD "gen"

/* ---- output ---------------------------------------------------------- */

#define WRITER_BUF (1u << 20)
#define WRITER_LINE_MAX 42 /* two 20-digit ids, a space, a newline */

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    int err; /* errno of the first failed write; 0 while all is well */
} edge_writer;

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of x at p; returns the end.  Two digits per division. */
static inline char *put_u64(char *p, uint64_t x)
{
    char tmp[20];
    char *q = tmp + sizeof tmp;
    while (x >= 100) {
        unsigned r = (unsigned)(x % 100);
        x /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (x >= 10) {
        q -= 2;
        memcpy(q, digit_pairs + 2 * x, 2);
    } else {
        *--q = (char)('0' + x);
    }
    size_t n = (size_t)(tmp + sizeof tmp - q);
    memcpy(p, q, n);
    return p + n;
}

static gboolean writer_flush(edge_writer *w)
{
    if (w->err)
        return FALSE;
    if (w->len) {
        errno = 0;
        if (fwrite(w->buf, 1, w->len, w->f) != w->len) {
            w->err = errno ? errno : EIO;
            return FALSE;
        }
    }
    w->len = 0;
    return TRUE;
}

static inline gboolean writer_edge(edge_writer *w, uint64_t u, uint64_t v)
{
    if (WRITER_BUF - w->len < WRITER_LINE_MAX && !writer_flush(w))
        return FALSE;
    char *p = put_u64(w->buf + w->len, u);
    *p++ = ' ';
    p = put_u64(p, v);
    *p++ = '\n';
    w->len = (size_t)(p - w->buf);
    return TRUE;
}

/* ---- options --------------------------------------------------------- */

typedef struct {
    char *n, *m, *seed, *scale, *edge_factor, *a, *b, *c, *output;
    gboolean no_permute;
} gen_opts;

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "edgestream " CMD ": %s\n(see 'edgestream " CMD " --help')\n", msg);
    return ES_ERROR_USAGE;
}

/* An unsigned count option in [min, max]; def when the option was not given. */
static gboolean parse_uint(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t def,
                           uint64_t *out, int *status)
{
    if (text == NULL) {
        *out = def;
        return TRUE;
    }
    /* Counts as run takes them: digits, 10k, 1M, 1e6. */
    g_autofree char *name = g_strconcat("--", opt, NULL), *why = NULL;
    if (!es_cli_count(name, text, min, max, out, &why)) {
        *status = usage_error("%s", why);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_prob(const char *opt, const char *text, double def, double *out, int *status)
{
    if (text == NULL) {
        *out = def;
        return TRUE;
    }
    char *end = NULL;
    double x = g_ascii_strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(x) || x < 0.0 || x > 1.0) {
        *status = usage_error("--%s must be a probability in [0, 1], got \"%s\"", opt, text);
        return FALSE;
    }
    *out = x;
    return TRUE;
}

/* Options that a model does not take are an error, not silently ignored. */
static gboolean reject_unused(const char *model, const gen_opts *o, const char *allowed, int *status)
{
    const struct {
        const char *name;
        gboolean set;
    } all[] = {
        { "n", o->n != NULL },         { "m", o->m != NULL },          { "seed", o->seed != NULL },
        { "scale", o->scale != NULL }, { "edge-factor", o->edge_factor != NULL },
        { "a", o->a != NULL },         { "b", o->b != NULL },          { "c", o->c != NULL },
        { "no-permute", o->no_permute },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        if (!all[i].set)
            continue;
        g_autofree char *needle = g_strdup_printf(",%s,", all[i].name);
        g_autofree char *hay = g_strdup_printf(",%s,", allowed);
        if (strstr(hay, needle) == NULL) {
            *status = usage_error("--%s does not apply to model %s", all[i].name, model);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- igraph models ---------------------------------------------------- */

/* The names igraph_famous knows (it compares them case-insensitively). */
static const char *const famous_names[] = {
    "Bull", "Chvatal", "Coxeter", "Cubical", "Diamond", "Dodecahedral", "Dodecahedron", "Folkman", "Franklin",
    "Frucht", "Grotzsch", "Heawood", "Herschel", "House", "HouseX", "Icosahedral", "Icosahedron",
    "Krackhardt_Kite", "Levi", "McGee", "Meredith", "Noperfectmatching", "Nonline", "Octahedral", "Octahedron",
    "Petersen", "Robertson", "Smallestcyclicgroup", "Tetrahedral", "Tetrahedron", "Thomassen", "Tutte",
    "Uniquely3colorable", "Walther", "Zachary",
};

static gboolean famous_known(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(famous_names); i++)
        if (g_ascii_strcasecmp(name, famous_names[i]) == 0)
            return TRUE;
    return FALSE;
}

static char *famous_list(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(famous_names); i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", famous_names[i]);
    return g_string_free(s, FALSE);
}

typedef enum { MODEL_FAMOUS, MODEL_ER, MODEL_BA } igraph_model;

typedef struct {
    igraph_model model;
    const char *name;
    igraph_integer_t n, m;
    uint64_t seed;
} igraph_job;

/* Build the graph with igraph and write its edges (smaller id first).
 * Returns FALSE with *status set when igraph fails. */
static gboolean write_igraph_model(const igraph_job *job, edge_writer *w, int *status)
{
    igraph_t g;
    igraph_error_handler_t *old = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_error_t rc;
    switch (job->model) {
    case MODEL_FAMOUS:
        rc = igraph_famous(&g, job->name);
        break;
    case MODEL_ER:
        igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)job->seed);
        rc = igraph_erdos_renyi_game_gnm(&g, job->n, job->m, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS);
        break;
    default:
        igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)job->seed);
        rc = igraph_barabasi_game(&g, job->n, 1.0, job->m, NULL, FALSE, 1.0, IGRAPH_UNDIRECTED,
                                  IGRAPH_BARABASI_PSUMTREE, NULL);
        break;
    }
    igraph_set_error_handler(old);
    if (rc != IGRAPH_SUCCESS) {
        fprintf(stderr, "edgestream " CMD ": igraph failed: %s\n", igraph_strerror(rc));
        *status = rc == IGRAPH_ENOMEM ? ES_ERROR_INTERNAL : ES_ERROR_USAGE;
        return FALSE;
    }
    igraph_integer_t ne = igraph_ecount(&g);
    for (igraph_integer_t e = 0; e < ne; e++) {
        igraph_integer_t from, to;
        igraph_edge(&g, e, &from, &to);
        uint64_t u = (uint64_t)from, v = (uint64_t)to;
        if (!writer_edge(w, u < v ? u : v, u < v ? v : u))
            break;
    }
    igraph_destroy(&g);
    return TRUE;
}

/* Open FILE for the edge list.  A regular file (or a new one) is written as
 * FILE.tmp-XXXXXX beside it and renamed over FILE once complete, so a failed
 * run leaves no partial output; anything else (a device, a FIFO, a symlink)
 * is written in place.  *tmp_path is the temporary name, or NULL. */
static FILE *open_output(const char *path, char **tmp_path)
{
    struct stat st;
    *tmp_path = NULL;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return fopen(path, "w");
    char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp_full(tmp, O_WRONLY, 0666);
    if (fd < 0) {
        int e = errno;
        g_free(tmp);
        errno = e;
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        g_free(tmp);
        errno = e;
        return NULL;
    }
    *tmp_path = tmp;
    return f;
}

/* ---- the command -------------------------------------------------------- */

static const char gen_description[] =
    "Models:\n"
    "  famous NAME   a well-known graph from igraph (Zachary, Petersen, Krackhardt_Kite, ...)\n"
    "  er            uniform random graph G(n, m): --n N --m M [--seed S]\n"
    "  ba            Barabasi-Albert preferential attachment, M edges per new vertex:\n"
    "                --n N --m M [--seed S]\n"
    "  rmat          Graph500 R-MAT, streamed in constant memory: --scale S\n"
    "                [--edge-factor F] [--seed S] [--a A --b B --c C] [--no-permute];\n"
    "                2^S vertices, F*2^S edges (self-loops and duplicates kept)\n"
    "\n"
    "Defaults: --seed 1, --edge-factor 10, --a 0.57 --b 0.19 --c 0.19 (d = 1-a-b-c).\n"
    "Output: one \"u v\" line per edge (LF, decimal ids from 0), on stdout or -o FILE.\n"
    "Exit status: 0 ok, 64 usage error, 74 cannot write the output.";

int es_cmd_gen(int argc, char **argv)
{
    gen_opts o = { 0 };
    edge_writer w = { 0 };
    FILE *out = NULL;
    gboolean to_file = FALSE;
    char *tmp_path = NULL;
    int status = 0;

    GOptionEntry entries[] = {
        { "n", 0, 0, G_OPTION_ARG_STRING, &o.n, "Vertices (er, ba)", "N" },
        { "m", 0, 0, G_OPTION_ARG_STRING, &o.m, "Edges (er), edges per new vertex (ba)", "M" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed, "Random seed, unsigned 64-bit (default 1)", "S" },
        { "scale", 0, 0, G_OPTION_ARG_STRING, &o.scale, "rmat: 2^S vertices, S in 1..40 (required)", "S" },
        { "edge-factor", 0, 0, G_OPTION_ARG_STRING, &o.edge_factor, "rmat: F*2^S edges (default 10)", "F" },
        { "a", 0, 0, G_OPTION_ARG_STRING, &o.a, "rmat: top-left quadrant probability (default 0.57)", "A" },
        { "b", 0, 0, G_OPTION_ARG_STRING, &o.b, "rmat: top-right quadrant probability (default 0.19)", "B" },
        { "c", 0, 0, G_OPTION_ARG_STRING, &o.c, "rmat: bottom-left quadrant probability (default 0.19)", "C" },
        { "no-permute", 0, 0, G_OPTION_ARG_NONE, &o.no_permute, "rmat: keep R-MAT's own vertex labels", NULL },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write to FILE instead of stdout", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    if (g_get_prgname() == NULL)
        g_set_prgname("edgestream " CMD);
    GOptionContext *ctx = g_option_context_new("MODEL [NAME] - write a generated or well-known graph as an edge list");
    g_option_context_set_description(ctx, gen_description);
    g_option_context_add_main_entries(ctx, entries, NULL);
    gboolean parsed = es_cli_parse(ctx, CMD, &argc, &argv);
    if (!parsed) {
        status = ES_ERROR_USAGE;
        goto out;
    }

    if (argc < 2) {
        status = usage_error("missing MODEL (famous, er, ba or rmat)");
        goto out;
    }
    const char *model = argv[1];
    int expected_args = strcmp(model, "famous") == 0 ? 3 : 2;
    if (argc > expected_args) {
        status = usage_error("unexpected argument \"%s\"", argv[expected_args]);
        goto out;
    }

    uint64_t seed = 1;
    igraph_job job = { 0 };
    es_rmat_params rp = { 0 };
    gboolean is_rmat = FALSE;
    if (strcmp(model, "famous") == 0) {
        if (argc < 3) {
            g_autofree char *names = famous_list();
            status = usage_error("famous: missing NAME; one of %s", names);
            goto out;
        }
        if (!famous_known(argv[2])) {
            g_autofree char *names = famous_list();
            status = usage_error("famous: unknown graph \"%s\"; known: %s", argv[2], names);
            goto out;
        }
        if (!reject_unused(model, &o, "", &status))
            goto out;
        job = (igraph_job){ .model = MODEL_FAMOUS, .name = argv[2] };
    } else if (strcmp(model, "er") == 0 || strcmp(model, "ba") == 0) {
        gboolean er = model[0] == 'e';
        uint64_t n, m;
        if (!reject_unused(model, &o, "n,m,seed", &status))
            goto out;
        if (o.n == NULL || o.m == NULL) {
            status = usage_error("%s: --n and --m are required", model);
            goto out;
        }
        if (!parse_uint("n", o.n, 1, G_MAXINT32, 0, &n, &status) ||
            !parse_uint("m", o.m, 1, er ? G_MAXINT64 : G_MAXINT32, 0, &m, &status) ||
            !parse_uint("seed", o.seed, 0, G_MAXUINT64, 1, &seed, &status))
            goto out;
        if (er && m > n * (n - 1) / 2) {
            status = usage_error("er: --m must be at most n(n-1)/2 = %" G_GUINT64_FORMAT
                                 " (no self-loops or multi-edges), got %" G_GUINT64_FORMAT,
                                 n * (n - 1) / 2, m);
            goto out;
        }
        job = (igraph_job){ .model = er ? MODEL_ER : MODEL_BA, .n = (igraph_integer_t)n,
                            .m = (igraph_integer_t)m, .seed = seed };
    } else if (strcmp(model, "rmat") == 0) {
        uint64_t scale, ef;
        if (!reject_unused(model, &o, "scale,edge-factor,seed,a,b,c,no-permute", &status))
            goto out;
        if (o.scale == NULL) {
            status = usage_error("rmat: --scale is required (2^S vertices, S in 1..%d)", ES_RMAT_MAX_SCALE);
            goto out;
        }
        if (!parse_uint("scale", o.scale, 1, ES_RMAT_MAX_SCALE, 0, &scale, &status) ||
            !parse_uint("edge-factor", o.edge_factor, 1, G_MAXUINT64, 10, &ef, &status) ||
            !parse_uint("seed", o.seed, 0, G_MAXUINT64, 1, &seed, &status) ||
            !parse_prob("a", o.a, 0.57, &rp.a, &status) || !parse_prob("b", o.b, 0.19, &rp.b, &status) ||
            !parse_prob("c", o.c, 0.19, &rp.c, &status))
            goto out;
        rp.scale = (unsigned)scale;
        rp.edge_factor = ef;
        rp.seed = seed;
        rp.permute = !o.no_permute;
        is_rmat = TRUE;
    } else {
        status = usage_error("unknown model \"%s\" (expected famous, er, ba or rmat)", model);
        goto out;
    }

    /* Check the R-MAT parameters before creating the output file. */
    es_rmat r;
    if (is_rmat) {
        GError *err = NULL;
        if (!es_rmat_init(&r, &rp, &err)) {
            status = usage_error("%s", err->message);
            g_error_free(err);
            goto out;
        }
    }

    to_file = o.output != NULL && strcmp(o.output, "-") != 0;
    if (to_file) {
        out = open_output(o.output, &tmp_path);
        if (out == NULL) {
            fprintf(stderr, "edgestream " CMD ": cannot create %s: %s\n", o.output, g_strerror(errno));
            status = ES_ERROR_IO;
            goto out;
        }
    } else {
        out = stdout;
    }
    w.f = out;
    w.buf = g_malloc(WRITER_BUF);

    if (is_rmat) {
        uint64_t u, v;
        while (es_rmat_next(&r, &u, &v))
            if (!writer_edge(&w, u, v))
                break;
    } else if (!write_igraph_model(&job, &w, &status)) {
        goto out;
    }

    writer_flush(&w);
    errno = 0;
    if (!w.err && (fflush(out) != 0 || ferror(out)))
        w.err = errno ? errno : EIO;
    if (to_file) {
        errno = 0;
        if (fclose(out) != 0 && !w.err)
            w.err = errno ? errno : EIO;
        out = NULL;
        errno = 0;
        if (!w.err && tmp_path && rename(tmp_path, o.output) != 0)
            w.err = errno ? errno : EIO;
    }
    /* A reader that closed standard output early (`| head`) took what it
     * wanted: stop quietly with 0, as `run` does. */
    if (w.err == EPIPE && !to_file)
        w.err = 0;
    if (w.err) {
        fprintf(stderr, "edgestream " CMD ": cannot write %s: %s\n", to_file ? o.output : "output",
                g_strerror(w.err));
        status = ES_ERROR_IO;
    }

out:
    if (to_file && out != NULL)
        fclose(out);
    /* On failure the temporary file goes; FILE keeps what it held before. */
    if (tmp_path && status != 0)
        unlink(tmp_path);
    g_free(tmp_path);
    g_free(w.buf);
    g_free(o.n);
    g_free(o.m);
    g_free(o.seed);
    g_free(o.scale);
    g_free(o.edge_factor);
    g_free(o.a);
    g_free(o.b);
    g_free(o.c);
    g_free(o.output);
    return status;
}
