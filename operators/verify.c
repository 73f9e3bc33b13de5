/* verify.c — the exact answers operators are checked against (contract
 * in verify.h): igraph's components, degrees, triangles, transitivity and
 * bipartiteness on the simple graph, and a plain bounded BFS for the
 * spanner. */
#include "operators/verify.h"

#include <string.h>

void es_verify_graph_init(es_verify_graph *x, const uint32_t *pairs, size_t lines, uint32_t n)
{
    x->n = n;
    x->pairs = pairs;
    x->lines = lines;
    x->loops = 0;
    igraph_vector_int_t ev;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * lines));
    for (size_t i = 0; i < 2 * lines; i++)
        VECTOR(ev)[i] = pairs[i];
    for (size_t i = 0; i < lines; i++)
        x->loops += pairs[2 * i] == pairs[2 * i + 1];
    igraph_create(&x->g, &ev, n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    igraph_simplify(&x->g, 1, 1, NULL);
    igraph_vector_int_init(&x->deg, 0);
    igraph_degree(&x->g, &x->deg, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS);
}

void es_verify_graph_free(es_verify_graph *x)
{
    igraph_vector_int_destroy(&x->deg);
    igraph_destroy(&x->g);
}

/* The histogram of n values, as a report entry. */
static void add_hist(es_report *r, const char *metric, const uint64_t *values, size_t n)
{
    GHashTable *h = g_hash_table_new(g_int64_hash, g_int64_equal);
    GArray *bins = g_array_new(FALSE, FALSE, sizeof(es_hist_bin));
    for (size_t i = 0; i < n; i++) {
        gpointer at = g_hash_table_lookup(h, &values[i]);
        if (at == NULL) {
            es_hist_bin b = { values[i], 0 };
            g_array_append_val(bins, b);
            g_hash_table_insert(h, (gpointer)&values[i], GUINT_TO_POINTER(bins->len));
            at = GUINT_TO_POINTER(bins->len);
        }
        g_array_index(bins, es_hist_bin, GPOINTER_TO_UINT(at) - 1).count++;
    }
    es_report_add_hist(r, metric, (const es_hist_bin *)bins->data, bins->len);
    g_array_free(bins, TRUE);
    g_hash_table_destroy(h);
}

void es_verify_cc(const es_verify_graph *x, es_report *r, const char *name)
{
    igraph_vector_int_t memb, csize;
    igraph_integer_t nc = 0;
    igraph_vector_int_init(&memb, 0);
    igraph_vector_int_init(&csize, 0);
    igraph_connected_components(&x->g, &memb, &csize, &nc, IGRAPH_WEAK);
    uint64_t *sizes = g_new(uint64_t, nc ? (size_t)nc : 1), largest = 0;
    for (igraph_integer_t i = 0; i < nc; i++) {
        sizes[i] = (uint64_t)VECTOR(csize)[i];
        largest = MAX(largest, sizes[i]);
    }
    es_report_begin(r, name);
    es_report_add_u64(r, "vertices", x->n);
    es_report_add_u64(r, "components", (uint64_t)nc);
    es_report_add_u64(r, "largest", largest);
    add_hist(r, "size_histogram", sizes, (size_t)nc);
    g_free(sizes);
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
}

void es_verify_degree(const es_verify_graph *x, es_report *r, const char *name)
{
    const uint64_t edges = (uint64_t)igraph_ecount(&x->g);
    uint64_t *deg = g_new(uint64_t, x->n ? x->n : 1), max = 0;
    for (uint32_t v = 0; v < x->n; v++) {
        deg[v] = (uint64_t)VECTOR(x->deg)[v];
        max = MAX(max, deg[v]);
    }
    es_report_begin(r, name);
    es_report_add_u64(r, "vertices", x->n);
    es_report_add_u64(r, "edges", edges);
    es_report_add_u64(r, "self_loops", x->loops);
    es_report_add_u64(r, "duplicates", x->lines - x->loops - edges);
    es_report_add_u64(r, "max", max);
    es_report_add_double(r, "mean", x->n ? 2.0 * (double)edges / x->n : 0.0);
    add_hist(r, "distribution", deg, x->n);
    g_free(deg);
}

uint64_t es_verify_tri(const es_verify_graph *x, es_report *r, const char *name, uint64_t **local)
{
    igraph_vector_t tri;
    igraph_vector_init(&tri, 0);
    igraph_adjacent_triangles(&x->g, &tri, igraph_vss_all());
    uint64_t sum = 0, wedges = 0;
    for (uint32_t v = 0; v < x->n; v++) {
        sum += (uint64_t)VECTOR(tri)[v];
        uint64_t d = (uint64_t)VECTOR(x->deg)[v];
        wedges += d ? d * (d - 1) / 2 : 0;
    }
    if (local) {
        *local = g_new(uint64_t, x->n ? x->n : 1);
        for (uint32_t v = 0; v < x->n; v++)
            (*local)[v] = (uint64_t)VECTOR(tri)[v];
    }
    igraph_vector_destroy(&tri);
    if (r) {
        igraph_real_t trans = 0, avg = 0;
        igraph_transitivity_undirected(&x->g, &trans, IGRAPH_TRANSITIVITY_ZERO);
        igraph_transitivity_avglocal_undirected(&x->g, &avg, IGRAPH_TRANSITIVITY_ZERO);
        es_report_begin(r, name);
        es_report_add_u64(r, "triangles", sum / 3);
        es_report_add_u64(r, "wedges", wedges);
        es_report_add_double(r, "transitivity", wedges ? (double)trans : 0.0);
        es_report_add_double(r, "avg_clustering", (double)avg);
    }
    return sum / 3;
}

const char *es_verify_first_difference(const es_report *streamed, const es_report *exact, const char *name)
{
    for (guint i = 0; i < exact->entries->len; i++) {
        const es_report_entry *x = &g_array_index(exact->entries, es_report_entry, i);
        if (strcmp(x->op, name) == 0 && !es_report_entries_equal(es_report_find(streamed, name, x->metric), x))
            return x->metric;
    }
    return NULL;
}

gboolean es_verify_bipartite_prefix(const uint32_t *pairs, size_t len, uint32_t n)
{
    igraph_vector_int_t ev;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * len));
    for (size_t i = 0; i < 2 * len; i++)
        VECTOR(ev)[i] = pairs[i];
    igraph_t g;
    igraph_create(&g, &ev, n, IGRAPH_UNDIRECTED);
    igraph_bool_t bip = 0;
    igraph_is_bipartite(&g, &bip, NULL);
    igraph_destroy(&g);
    igraph_vector_int_destroy(&ev);
    return bip ? TRUE : FALSE;
}

uint64_t *es_verify_line_degrees(const es_verify_graph *x)
{
    uint64_t *d = g_new0(uint64_t, x->n ? x->n : 1);
    for (size_t i = 0; i < 2 * x->lines; i++)
        d[x->pairs[i]]++;
    return d;
}

/* Is v within `limit` hops of u in a?  dist (all UINT32_MAX, one per
 * vertex of a) is restored before returning. */
static gboolean within(const es_adjacency *a, uint32_t u, uint32_t v, unsigned limit, uint32_t *dist,
                       GArray *queue)
{
    const uint32_t na = es_adjacency_vertices(a);
    if (u >= na || v >= na)
        return FALSE;
    gboolean found = FALSE;
    g_array_set_size(queue, 0);
    g_array_append_val(queue, u);
    dist[u] = 0;
    for (guint h = 0; h < queue->len && !found; h++) {
        uint32_t w = g_array_index(queue, uint32_t, h);
        if (dist[w] >= limit)
            continue;
        const uint32_t *nb = es_adjacency_neighbors(a, w);
        for (uint32_t j = 0, deg = es_adjacency_degree(a, w); j < deg && !found; j++) {
            uint32_t y = nb[j];
            if (dist[y] == UINT32_MAX) {
                dist[y] = dist[w] + 1;
                g_array_append_val(queue, y);
                found = y == v;
            }
        }
    }
    for (guint h = 0; h < queue->len; h++)
        dist[g_array_index(queue, uint32_t, h)] = UINT32_MAX;
    return found;
}

es_verify_spanner_result es_verify_spanner(const es_verify_graph *x, const es_adjacency *kept, unsigned stretch,
                                           size_t sample, uint64_t seed)
{
    es_verify_spanner_result res = { 0, 0, 0, FALSE };
    const uint32_t na = es_adjacency_vertices(kept);
    const size_t m = x->lines, want = sample < m ? sample : m;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    uint32_t *dist = g_new(uint32_t, na ? na : 1);
    for (uint32_t v = 0; v < na; v++)
        dist[v] = UINT32_MAX;
    GArray *queue = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (size_t s = 0; s < want; s++) {
        size_t i = want == m ? s : (size_t)g_rand_int_range(rng, 0, (gint32)MIN(m, (size_t)G_MAXINT32));
        uint32_t u = x->pairs[2 * i], v = x->pairs[2 * i + 1];
        if (u == v)
            continue;
        res.tested++;
        res.far += !within(kept, u, v, stretch, dist, queue);
    }
    igraph_integer_t eid;
    uint64_t entries = 0, below = 0;
    for (uint32_t w = 0; w < na; w++) {
        const uint32_t *nb = es_adjacency_neighbors(kept, w);
        for (uint32_t j = 0, deg = es_adjacency_degree(kept, w); j < deg; j++) {
            uint32_t y = nb[j];
            entries++;
            if (w >= y)
                continue;
            below++;
            res.fake += y >= x->n || igraph_get_eid(&x->g, &eid, w, y, IGRAPH_UNDIRECTED, 0) != IGRAPH_SUCCESS
                        || eid < 0;
        }
    }
    res.symmetric = entries == 2 * below && below == es_adjacency_edges(kept);
    g_array_free(queue, TRUE);
    g_free(dist);
    g_rand_free(rng);
    return res;
}
