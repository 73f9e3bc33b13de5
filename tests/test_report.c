/* test_report.c — reports (operators/report.c) as scripts read them, and
 * the nearest-name suggestion (graph/spelling.c).
 *
 * What is checked: es_format_double gives, for 200 000 random doubles of
 * every magnitude (fixed seed) and the awkward ones (0.1, 1/3, 1e-300,
 * denormals, -0.0, 2^53 + 2), a text strtod reads back to the same double,
 * and no shorter one does (one digit fewer does not read back); whole
 * doubles keep ".0".  json renders histograms and lists as arrays of
 * tuples and escapes strings; tsv opens each report with its position row.
 * Suggestions: one edit or a transposition away gives the name, far or
 * tied names give none.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/spelling.h"
#include "operators/report.h"
#include "tests/testutil.h"

/* Significant digits of a %g-style text (a ".0" kept on a whole double is
 * not one). */
static int digits(const char *s)
{
    if (g_str_has_suffix(s, ".0")) {
        g_autofree char *whole = g_strndup(s, strlen(s) - 2);
        return digits(whole);
    }
    if (!strchr(s, '.') && !strchr(s, 'e') && strlen(s) > 1 && s[strlen(s) - 1] == '0') {
        g_autofree char *shorter = g_strndup(s, strlen(s) - 1);   /* 100: one significant digit */
        return digits(shorter);
    }
    int n = 0;
    gboolean lead = TRUE;
    for (const char *p = s; *p && *p != 'e'; p++) {
        if (*p >= '1' && *p <= '9')
            lead = FALSE;
        if (*p >= '0' && *p <= '9' && !lead)
            n++;
    }
    return n;
}

static void check_shortest(double x)
{
    char buf[ES_DOUBLE_BUF], shorter[64];
    es_format_double(buf, x);
    CU_ASSERT(g_ascii_strtod(buf, NULL) == x && signbit(g_ascii_strtod(buf, NULL)) == signbit(x));
    int d = digits(buf);
    if (d > 1) {
        g_snprintf(shorter, sizeof shorter, "%.*g", d - 1, x);
        CU_ASSERT(g_ascii_strtod(shorter, NULL) != x);
    }
    if (g_ascii_strtod(buf, NULL) != x || (d > 1 && g_ascii_strtod(shorter, NULL) == x))
        printf("\n  %.17g printed %s\n", x, buf);
}

static void test_doubles_are_the_shortest_text_that_reads_back(void)
{
    const double awkward[] = { 0.1, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                               -0.0, 9007199254740994.0, 156.0 / 34, 0.30000000000000004, 123456789012345680.0, 100.0, 1e22, 45.0 };
    for (size_t i = 0; i < G_N_ELEMENTS(awkward); i++)
        check_shortest(awkward[i]);
    GRand *rng = g_rand_new_with_seed(20261206);
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (isfinite(x))
            check_shortest(x);
    }
    g_rand_free(rng);
    char buf[ES_DOUBLE_BUF];
    CU_ASSERT_STRING_EQUAL(es_format_double(buf, 0.1), "0.1");
    CU_ASSERT_STRING_EQUAL(es_format_double(buf, 2.0), "2.0");
    CU_ASSERT_STRING_EQUAL(es_format_double(buf, -3.0), "-3.0");
    CU_ASSERT_STRING_EQUAL(es_format_double(buf, 1e300), "1e+300");
    CU_ASSERT_STRING_EQUAL(es_format_double(buf, NAN), "nan");
}

static char *render(const es_report *r, es_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    es_report_print(r, fmt, f);
    fclose(f);
    return buf;
}

static void test_json_and_tsv_shapes(void)
{
    es_report *r = es_report_new();
    r->edges = 78;
    r->final = TRUE;
    es_report_begin(r, "op");
    const es_hist_bin bins[] = { { 3, 1 }, { 1, 2 } };
    es_report_add_hist(r, "hist", bins, 2);
    es_report_add_list(r, "top", "0:18,33:15");
    es_report_add_list(r, "est", "7:2.5,9:1.0");
    es_report_add_list(r, "none", "");
    es_report_add_string(r, "s", "a\"b\\\n");
    es_report_add_double(r, "d", 0.5);
    es_report_add_double(r, "inf", INFINITY);
    es_report_add_bool(r, "b", FALSE);
    es_report_add_i64(r, "i", -4);
    char *json = render(r, ES_FORMAT_JSON);
    CU_ASSERT_STRING_EQUAL(json, "{\"edges\":78,\"final\":true,\"operators\":{\"op\":{\"hist\":[[1,2],[3,1]],"
                                 "\"top\":[[0,18],[33,15]],\"est\":[[7,2.5],[9,1.0]],\"none\":[],"
                                 "\"s\":\"a\\\"b\\\\\\u000a\",\"d\":0.5,\"inf\":null,\"b\":false,\"i\":-4}}}\n");
    char *tsv = render(r, ES_FORMAT_TSV);
    CU_ASSERT(g_str_has_prefix(tsv, "report\tfinal\t78\nop\thist\t1:2,3:1\nop\ttop\t0:18,33:15\n"));
    r->final = FALSE;
    char *interim = render(r, ES_FORMAT_TSV);
    CU_ASSERT(g_str_has_prefix(interim, "report\tinterim\t78\n"));
    g_free(json);
    g_free(tsv);
    g_free(interim);
    es_report_free(r);
}

static void test_suggestions(void)
{
    const char *ops[] = { "cc", "degree", "bipartite", "tri", "tri-est", "cm", "topk", "hll", "spanner" };
    CU_ASSERT_STRING_EQUAL(es_spelling_nearest("degre", ops, G_N_ELEMENTS(ops)), "degree");
    CU_ASSERT_STRING_EQUAL(es_spelling_nearest("dgeree", ops, G_N_ELEMENTS(ops)), "degree");
    CU_ASSERT_STRING_EQUAL(es_spelling_nearest("spaner", ops, G_N_ELEMENTS(ops)), "spanner");
    CU_ASSERT_PTR_NULL(es_spelling_nearest("xyzzy", ops, G_N_ELEMENTS(ops)));
    CU_ASSERT_PTR_NULL(es_spelling_nearest("degree", ops, G_N_ELEMENTS(ops)));   /* known: nothing to suggest */
    CU_ASSERT_PTR_NULL(es_spelling_nearest("c", ops, G_N_ELEMENTS(ops)));        /* cc and cm: a tie */
    const char *cmds[] = { "run", "gen", "inspect", "compare", "export", "plot" };
    CU_ASSERT_STRING_EQUAL(es_spelling_nearest("rnu", cmds, G_N_ELEMENTS(cmds)), "run");
    const char *opts[] = { "--format", "--ops", "--batch" };
    CU_ASSERT_STRING_EQUAL(es_spelling_nearest("--fromat", opts, G_N_ELEMENTS(opts)), "--format");
    CU_ASSERT_EQUAL(es_spelling_distance("abc", "acb"), 1);
    CU_ASSERT_EQUAL(es_spelling_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(es_spelling_distance("kitten", "sitting"), 3);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_doubles_are_the_shortest_text_that_reads_back),
        ES_TEST(test_json_and_tsv_shapes),
        ES_TEST(test_suggestions),
        { NULL, NULL },
    };
    return es_test_main("report", tests);
}
