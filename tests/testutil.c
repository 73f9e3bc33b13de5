/* testutil.c — shared test helpers (see testutil.h). */
#include "tests/testutil.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

int es_test_main(const char *suite_name, const es_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    for (const es_test *t = tests; t->name; t++)
        CU_add_test(suite, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

const char *es_test_shared_datasets(void)
{
    const char *env = g_getenv("ES_SHARED_DATASETS");
    const char *dir = env ? env : "../shared/datasets";
    return g_file_test(dir, G_FILE_TEST_IS_DIR) ? dir : NULL;
}

uint32_t *es_test_random_edges(uint32_t n, size_t m, uint64_t seed, int messy, size_t *m_out)
{
    GRand *rng = g_rand_new_with_seed((guint32)(seed ^ (seed >> 32)));
    size_t extra = messy ? m / 5 + 1 : 0;
    uint32_t *p = g_new(uint32_t, 2 * (m + extra));
    size_t k = 0;
    for (size_t i = 0; i < m; i++, k++) {
        p[2 * k] = g_rand_int_range(rng, 0, (gint32)n);
        p[2 * k + 1] = g_rand_int_range(rng, 0, (gint32)n);
    }
    for (size_t i = 0; i < extra && k > 0; i++, k++) {
        size_t j = g_rand_int_range(rng, 0, (gint32)k);
        switch (i % 3) {
        case 0: p[2 * k] = p[2 * j]; p[2 * k + 1] = p[2 * j + 1]; break;   /* duplicate */
        case 1: p[2 * k] = p[2 * j + 1]; p[2 * k + 1] = p[2 * j]; break;   /* reversed */
        default: p[2 * k] = p[2 * k + 1] = p[2 * j]; break;                /* self-loop */
        }
    }
    g_rand_free(rng);
    *m_out = k;
    return p;
}

void es_test_igraph_from_pairs(igraph_t *g, uint32_t n, const uint32_t *pairs, size_t m)
{
    igraph_vector_int_t ev;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * m));
    for (size_t i = 0; i < 2 * m; i++)
        VECTOR(ev)[i] = pairs[i];
    igraph_create(g, &ev, n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    igraph_simplify(g, 1, 1, NULL);
}

void es_test_feed_batches(const uint32_t *pairs, size_t m, size_t batch_size, es_test_batch_fn fn, void *user)
{
    uint32_t maxv = 0;
    for (size_t start = 0; start < m; start += batch_size) {
        size_t n = m - start < batch_size ? m - start : batch_size;
        for (size_t i = 0; i < 2 * n; i++)
            if (pairs[2 * start + i] + 1 > maxv)
                maxv = pairs[2 * start + i] + 1;
        es_batch b = {
            .edges = (const es_edge *)(pairs + 2 * start),
            .time = NULL,
            .n = n,
            .first_index = start,
            .num_vertices = maxv,
        };
        fn(&b, user);
    }
}
