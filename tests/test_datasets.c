/* test_datasets.c — cc and degree on the real SNAP edge lists of
 * ../shared/datasets (see its SOURCES.md), checked against their verifiers
 * (operators/verify.h: igraph on the same pairs) and against the counts
 * SOURCES.md states.
 *
 * The files are read by a plain reader kept here on purpose, independent
 * of graph/parse.c: zlib's gzgets (which reads plain and gzip files
 * alike), '#' and '%' lines skipped, two ids by sscanf, so TAB or space
 * separators, CRLF endings and a last line without newline all pass.  Ids
 * are relabelled in order of first appearance, as the id map does.
 * Without the directory the suite prints a note and passes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "graph/common.h"
#include "operators/cc.h"
#include "operators/verify.h"
#include "tests/testutil.h"

typedef struct {
    uint32_t *pairs;        /* 2*m dense ids */
    size_t    m;            /* data lines */
    uint32_t  n;            /* distinct ids */
    uint64_t  loops;        /* self-loop lines */
    uint64_t  loop_vertices;/* distinct vertices with a self-loop */
    size_t    bad_lines;
} edge_list;

static gboolean read_edge_list(const char *path, edge_list *out)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        return FALSE;
    GHashTable *ids = g_hash_table_new(g_direct_hash, g_direct_equal);   /* ext -> dense + 1 */
    GArray *pairs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    memset(out, 0, sizeof *out);
    char line[1 << 16];
    while (gzgets(f, line, sizeof line) != NULL) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '%' || *s == '\r' || *s == '\n' || *s == '\0')
            continue;
        uint64_t ext[2];
        if (sscanf(s, "%" SCNu64 " %" SCNu64, &ext[0], &ext[1]) != 2) {
            out->bad_lines++;
            continue;
        }
        uint32_t dense[2];
        for (int k = 0; k < 2; k++) {
            gpointer key = GSIZE_TO_POINTER((gsize)ext[k]);
            gsize d = GPOINTER_TO_SIZE(g_hash_table_lookup(ids, key));
            if (d == 0) {
                d = g_hash_table_size(ids) + 1;
                g_hash_table_insert(ids, key, GSIZE_TO_POINTER(d));
            }
            dense[k] = (uint32_t)(d - 1);
        }
        g_array_append_vals(pairs, dense, 2);
        out->loops += dense[0] == dense[1];
    }
    gzclose(f);
    out->n = g_hash_table_size(ids);
    out->m = pairs->len / 2;
    out->pairs = (uint32_t *)g_array_free(pairs, FALSE);
    g_hash_table_destroy(ids);
    uint8_t *has_loop = g_new0(uint8_t, out->n + 1);
    for (size_t i = 0; i < out->m; i++)
        if (out->pairs[2 * i] == out->pairs[2 * i + 1] && !has_loop[out->pairs[2 * i]]) {
            has_loop[out->pairs[2 * i]] = 1;
            out->loop_vertices++;
        }
    g_free(has_loop);
    return TRUE;
}

/* A row of SOURCES.md's table: | # | file | dataset | directed? | size |
 * data lines | nodes | distinct undirected pairs | self-loops |. */
typedef struct {
    uint64_t lines, nodes, pairs, loops;
} source_row;

static uint64_t leading_number(const char *s)
{
    uint64_t x = 0;
    while (*s == ' ')
        s++;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            x = 10 * x + (uint64_t)(*s - '0');
        else if (*s != ',')
            break;
    }
    return x;
}

static gboolean find_source_row(const char *dir, const char *file, source_row *row)
{
    g_autofree char *path = g_build_filename(dir, "SOURCES.md", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    gboolean found = FALSE;
    gchar **lines = g_strsplit(text, "\n", -1);
    for (gchar **l = lines; *l && !found; l++) {
        gchar **cols = g_strsplit(*l, "|", -1);
        if (g_strv_length(cols) >= 10) {
            g_autofree char *name = g_strstrip(g_strdup(cols[2]));
            if (strcmp(name, file) == 0) {
                row->lines = leading_number(cols[6]);
                row->nodes = leading_number(cols[7]);
                row->pairs = leading_number(cols[8]);
                row->loops = leading_number(cols[9]);
                found = TRUE;
            }
        }
        g_strfreev(cols);
    }
    g_strfreev(lines);
    return found;
}

static void feed(const es_batch *b, void *user)
{
    GPtrArray *ops = user;
    for (guint i = 0; i < ops->len; i++) {
        GError *err = NULL;
        CU_ASSERT_TRUE(es_operator_process(g_ptr_array_index(ops, i), b, &err));
        g_clear_error(&err);
    }
}

/* Everything about one file; returns the number of disagreements. */
static int check_file(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    gint64 t0 = g_get_monotonic_time();
    edge_list el;
    if (!read_edge_list(path, &el)) {
        printf("\n  %s: cannot open\n", file);
        return 1;
    }
    int bad = 0;
#define EXPECT(cond)                                                    \
    do {                                                                \
        if (!(cond)) {                                                  \
            printf("\n  %s: expected %s\n", file, #cond);               \
            bad++;                                                      \
        }                                                               \
    } while (0)

    EXPECT(el.bad_lines == 0);

    GPtrArray *ops = g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    g_ptr_array_add(ops, es_operator_new("cc", NULL));
    g_ptr_array_add(ops, es_operator_new("degree", NULL));
    es_test_feed_batches(el.pairs, el.m, 1 << 16, feed, ops);
    es_report *r = es_report_new();
    for (guint i = 0; i < ops->len; i++)
        es_operator_report(g_ptr_array_index(ops, i), r);

    /* The verifiers (igraph on the same pairs, simplified), metric for metric. */
    es_verify_graph x;
    es_verify_graph_init(&x, el.pairs, el.m, el.n);
    es_report *exact = es_report_new();
    es_verify_cc(&x, exact, "cc");
    es_verify_degree(&x, exact, "degree");
    const char *cc_differs = es_verify_first_difference(r, exact, "cc");
    const char *degree_differs = es_verify_first_difference(r, exact, "degree");
    if (cc_differs || degree_differs)
        printf("\n  %s: cc differs on %s, degree on %s", file, cc_differs ? cc_differs : "nothing",
               degree_differs ? degree_differs : "nothing");
    EXPECT(cc_differs == NULL);
    EXPECT(degree_differs == NULL);
    const uint64_t edges = es_report_find(exact, "degree", "edges")->v.u64;
    const uint64_t ncomp = es_report_find(exact, "cc", "components")->v.u64;
    igraph_vector_int_t memb;
    igraph_vector_int_init(&memb, 0);
    igraph_connected_components(&x.g, &memb, NULL, NULL, IGRAPH_WEAK);

    /* Same partition as igraph's membership: component_of agrees on every
     * vertex with igraph through a one-to-one map. */
    es_operator *cc = g_ptr_array_index(ops, 0);
    int64_t *rep_to_memb = g_new(int64_t, el.n + 1), *memb_to_rep = g_new(int64_t, el.n + 1);
    memset(rep_to_memb, 0xff, (el.n + 1) * sizeof(int64_t));
    memset(memb_to_rep, 0xff, (el.n + 1) * sizeof(int64_t));
    size_t split = 0;
    for (uint32_t v = 0; v < el.n; v++) {
        uint32_t rep = es_cc_component_of(cc, v);
        int64_t mb = VECTOR(memb)[v];
        if (rep >= el.n) {
            split++;
            continue;
        }
        if (rep_to_memb[rep] < 0)
            rep_to_memb[rep] = mb;
        if (memb_to_rep[mb] < 0)
            memb_to_rep[mb] = rep;
        split += rep_to_memb[rep] != mb || memb_to_rep[mb] != rep;
    }
    EXPECT(split == 0);
    g_free(rep_to_memb);
    g_free(memb_to_rep);

    /* What SOURCES.md says about the file. */
    source_row row;
    gboolean listed = find_source_row(dir, file, &row);
    if (listed) {
        EXPECT(row.lines == el.m);
        EXPECT(row.nodes == el.n);
        EXPECT(row.loops == el.loops);
        EXPECT(row.pairs == edges + el.loop_vertices);
    }
#undef EXPECT
    printf("\n  %-26s %8u vertices %8zu lines %8" PRIu64 " edges %6" PRId64 " components%s  %.2f s",
           file, el.n, el.m, edges, (int64_t)ncomp, listed ? "" : " (not in SOURCES.md)",
           (g_get_monotonic_time() - t0) / 1e6);

    igraph_vector_int_destroy(&memb);
    es_verify_graph_free(&x);
    es_report_free(exact);
    es_report_free(r);
    g_ptr_array_free(ops, TRUE);
    g_free(el.pairs);
    return bad;
}

static gint name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_cc_and_degree_agree_with_igraph_on_every_shared_dataset(void)
{
    const char *dir = es_test_shared_datasets();
    if (dir == NULL) {
        printf("skipped: ../shared/datasets not found ");
        return;
    }
    GDir *d = g_dir_open(dir, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; (name = g_dir_read_name(d)) != NULL;)
        if (g_str_has_suffix(name, ".txt") || g_str_has_suffix(name, ".txt.gz"))
            g_ptr_array_add(files, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(files, name_cmp);
    CU_ASSERT(files->len > 0);
    for (guint i = 0; i < files->len; i++)
        CU_ASSERT_EQUAL(check_file(dir, g_ptr_array_index(files, i)), 0);
    printf("\n");
    g_ptr_array_free(files, TRUE);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_cc_and_degree_agree_with_igraph_on_every_shared_dataset),
        { NULL, NULL },
    };
    return es_test_main("datasets", tests);
}
