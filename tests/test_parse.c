/* test_parse.c — the edge-line parser (graph/parse.c): every accepted form
 * of `u v [t]`, every kind of malformed line with the exact `expected` text
 * and offending token, and the rendering of faults.
 *
 * Each line is copied into a heap block of exactly its length before it is
 * parsed, so a read past the end of the line is caught under ASan.  The
 * randomised case uses a fixed seed and prints it and the line on failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/common.h"
#include "graph/parse.h"
#include "tests/testutil.h"

static char *buf;           /* the line as the parser saw it */
static size_t buf_len;
static es_parsed_edge E;
static es_parse_fault F;

static es_line_kind parse_n(const char *s, size_t len)
{
    g_free(buf);
    buf = g_malloc(len ? len : 1);
    memcpy(buf, s, len);
    buf_len = len;
    memset(&E, 0xAB, sizeof E);
    memset(&F, 0, sizeof F);
    return es_parse_line(buf, len, &E, &F);
}

static es_line_kind parse(const char *s)
{
    return parse_n(s, strlen(s));
}

/* The fault's token is `tok`, found at byte `at` of the line. */
static int got_is(const char *tok, size_t at)
{
    size_t n = strlen(tok);
    return F.got == buf + at && F.got_len == n && memcmp(F.got, tok, n) == 0;
}

static void assert_edge(const char *line, uint64_t u, uint64_t v)
{
    CU_ASSERT_EQUAL_FATAL(parse(line), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, u);
    CU_ASSERT_EQUAL(E.v, v);
    CU_ASSERT_FALSE(E.has_t);
}

static void assert_timed_edge(const char *line, uint64_t u, uint64_t v, int64_t t)
{
    CU_ASSERT_EQUAL_FATAL(parse(line), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, u);
    CU_ASSERT_EQUAL(E.v, v);
    CU_ASSERT_TRUE(E.has_t);
    CU_ASSERT_EQUAL(E.t, t);
}

static void assert_bad(const char *line, const char *expected, const char *tok, size_t at)
{
    CU_ASSERT_EQUAL_FATAL(parse(line), ES_LINE_BAD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(F.expected);
    CU_ASSERT_STRING_EQUAL(F.expected, expected);
    CU_ASSERT_TRUE(got_is(tok, at));
}

static void assert_message(const char *expected_text)
{
    char *msg = es_parse_fault_message(&F);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_STRING_EQUAL(msg, expected_text);
    if (strcmp(msg, expected_text) != 0)
        fprintf(stderr, "\n  message: %s\n  wanted:  %s\n", msg, expected_text);
    g_free(msg);
}

/* ---- accepted forms ---------------------------------------------------- */

static void test_two_ids_separated_by_a_space_are_an_edge(void)
{
    assert_edge("1 2", 1, 2);
    assert_edge("156677 393482", 156677, 393482);
    assert_edge("12345678 87654321", 12345678, 87654321);
}

static void test_tab_separated_ids_are_an_edge(void)
{
    assert_edge("30\t1412", 30, 1412);
    assert_timed_edge("30\t1412\t1082040961", 30, 1412, 1082040961);
}

static void test_runs_of_mixed_blanks_separate_fields(void)
{
    assert_edge("7 \t \t8", 7, 8);
    assert_timed_edge("7\t \t 8 \t\t 9", 7, 8, 9);
}

static void test_leading_and_trailing_blanks_are_ignored(void)
{
    assert_edge("   1 2", 1, 2);
    assert_edge("\t1 2\t ", 1, 2);
    assert_edge(" \t 4 5 \t ", 4, 5);
    assert_timed_edge("  4 5 6  ", 4, 5, 6);
}

static void test_crlf_line_is_accepted(void)
{
    assert_edge("1 2\r", 1, 2);
    assert_edge("1 2 \t\r", 1, 2);
    assert_edge("12345678901 2\r", 12345678901ull, 2);
    assert_timed_edge("1 2 -5\r", 1, 2, -5);
}

static void test_comment_lines_with_hash_or_percent_are_skipped(void)
{
    CU_ASSERT_EQUAL(parse("# Directed graph (each unordered pair of nodes is saved once)"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("#"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("% bip unweighted"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("%"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("  \t# indented comment"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("#1 2"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("% 1 2\r"), ES_LINE_SKIP);
}

static void test_blank_lines_are_skipped(void)
{
    CU_ASSERT_EQUAL(parse_n("", 0), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse(" "), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("\t\t"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse("\r"), ES_LINE_SKIP);
    CU_ASSERT_EQUAL(parse(" \t \t \r"), ES_LINE_SKIP);
}

static void test_largest_id_18446744073709551615_is_accepted(void)
{
    assert_edge("18446744073709551615 18446744073709551615", UINT64_MAX, UINT64_MAX);
    assert_edge("1 18446744073709551615", 1, UINT64_MAX);
    assert_edge("18446744073709551614 9999999999999999999", UINT64_MAX - 1, 9999999999999999999ull);
    assert_timed_edge("18446744073709551615 0 1", UINT64_MAX, 0, 1);
}

static void test_id_zero_and_ids_with_leading_zeros_are_accepted(void)
{
    assert_edge("0 0", 0, 0);
    assert_edge("0 1", 0, 1);
    assert_edge("007 000000000", 7, 0);
    /* more than 20 digits, but the value fits: overflow is judged on the value */
    assert_edge("0000000000000000000000000018446744073709551615 00000000000000000000000000000000001",
                UINT64_MAX, 1);
}

static void test_timestamp_is_optional(void)
{
    assert_edge("3 4", 3, 4);
    CU_ASSERT_EQUAL(E.t, 0);
    assert_timed_edge("3 4 1217567877", 3, 4, 1217567877);
}

static void test_negative_and_extreme_timestamps_are_read(void)
{
    assert_timed_edge("1 2 -1", 1, 2, -1);
    assert_timed_edge("1 2 -0", 1, 2, 0);
    assert_timed_edge("1 2 0", 1, 2, 0);
    assert_timed_edge("1 2 -1234567890123", 1, 2, -1234567890123ll);
    assert_timed_edge("1 2 9223372036854775807", 1, 2, INT64_MAX);
    assert_timed_edge("1 2 -9223372036854775808", 1, 2, INT64_MIN);
}

static void test_line_of_exactly_4096_bytes_is_accepted(void)
{
    char *line = g_malloc(ES_MAX_LINE + 1);
    memset(line, ' ', ES_MAX_LINE);
    memcpy(line + 100, "5 6 7", 5);
    line[ES_MAX_LINE] = '\0';
    assert_timed_edge(line, 5, 6, 7);
    g_free(line);
}

/* Ids of every length 1..20 digits, at every offset and in short lines (the
 * word-at-a-time path and the byte loop), against snprintf. */
static void test_ids_of_every_length_parse_exactly(void)
{
    const uint64_t seed = 20240611;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    char line[128];
    for (int round = 0; round < 20000; round++) {
        uint64_t u = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
        uint64_t v = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
        u >>= g_rand_int_range(rng, 0, 64);
        v >>= g_rand_int_range(rng, 0, 64);
        int64_t t = (int64_t)(((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng));
        t >>= g_rand_int_range(rng, 0, 64);
        int lead = g_rand_int_range(rng, 0, 3);
        int with_t = g_rand_int_range(rng, 0, 2);
        int cr = g_rand_int_range(rng, 0, 2);
        int len = snprintf(line, sizeof line, "%*s%" PRIu64 "%s%" PRIu64, lead, "", u,
                           g_rand_boolean(rng) ? " " : "\t", v);
        if (with_t)
            len += snprintf(line + len, sizeof line - len, " %" PRId64, t);
        if (cr)
            line[len++] = '\r';
        es_line_kind k = parse_n(line, (size_t)len);
        int ok = k == ES_LINE_EDGE && E.u == u && E.v == v && E.has_t == with_t && (!with_t || E.t == t);
        CU_ASSERT_TRUE(ok);
        if (!ok) {
            fprintf(stderr, "\n  seed %" PRIu64 " round %d: line \"%.*s\"\n", seed, round, len, line);
            break;
        }
    }
    g_rand_free(rng);
}

/* ---- the plain verifier ------------------------------------------------- */

/* An obviously correct parser for comparison: split the line into blank-
 * separated tokens first, then judge each token on its own. */
typedef struct {
    es_line_kind kind;
    uint64_t u, v;
    int64_t t;
    gboolean has_t, del;
    const char *expected;
    size_t got_at, got_len;
} ref_result;

/* 0 ok, 1 not a number, 2 too large; value in *out (when 0). */
static int ref_number(const char *s, size_t n, unsigned __int128 limit, unsigned __int128 *out)
{
    if (n == 0)
        return 1;
    unsigned __int128 v = 0;
    int big = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 1;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > limit) {
            big = 1;
            v = limit + 1;   /* stays above the limit without wrapping */
        }
    }
    *out = v;
    return big ? 2 : 0;
}

static int ref_sign(const char *s, size_t n)
{
    return n == 1 && (s[0] == '-' || s[0] == '+');
}

/* A decimal number strtod reads whole (digits, '.', signs, exponent). */
static int ref_decimal(const char *s, size_t n)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp || strspn(s, "0123456789.-+eE") < n)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    g_ascii_strtod(tmp, &end);
    return end == tmp + n && errno == 0;
}

static ref_result ref_parse(const char *s, size_t len)
{
    ref_result r = { .kind = ES_LINE_BAD };
    if (len > ES_MAX_LINE) {
        r.expected = "a line of at most 4096 bytes";
        r.got_len = len;
        return r;
    }
    if (len > 0 && s[len - 1] == '\r')
        len--;
    size_t at[8], n[8], ntok = 0;
    for (size_t i = 0; i < len && ntok < 8;) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        at[ntok] = i;
        while (i < len && s[i] != ' ' && s[i] != '\t')
            i++;
        n[ntok] = i - at[ntok];
        ntok++;
    }
    if (ntok == 0 || s[at[0]] == '#' || s[at[0]] == '%') {
        r.kind = ES_LINE_SKIP;
        return r;
    }
    unsigned __int128 x;
    const unsigned __int128 u64max = UINT64_MAX;
    for (int k = 0; k < 2; k++) {
        if ((size_t)k == ntok) {
            r.expected = "a second vertex id";
            r.got_at = len;
            return r;
        }
        int st = ref_number(s + at[k], n[k], u64max, &x);
        if (st != 0) {
            r.expected = st == 2 ? "a vertex id below 2^64" : k ? "a second vertex id" : "a vertex id";
            r.got_at = at[k];
            r.got_len = n[k];
            return r;
        }
        if (k == 0)
            r.u = (uint64_t)x;
        else
            r.v = (uint64_t)x;
    }
    size_t k = 2;
    if (ntok > k && !ref_sign(s + at[k], n[k])) {
        int neg = s[at[k]] == '-';
        int st = ref_number(s + at[k] + neg, n[k] - neg, (unsigned __int128)INT64_MAX + neg, &x);
        if (st != 0) {
            r.expected = st == 2 ? "a timestamp from -2^63 to 2^63-1"
                         : ref_decimal(s + at[k], n[k])
                             ? "an integer timestamp, not a weight (name the columns: --columns u,v,w or u,v,w,t)"
                             : "a timestamp, a sign (+ or -) or end of line";
            r.got_at = at[k];
            r.got_len = n[k];
            return r;
        }
        r.has_t = TRUE;
        r.t = neg ? (int64_t)(0 - (uint64_t)x) : (int64_t)x;
        k++;
        if (ntok > k && !ref_sign(s + at[k], n[k])) {
            r.expected = "a sign (+ or -) or end of line (more columns? name them: --columns u,v,w,t)";
            r.got_at = at[k];
            r.got_len = n[k];
            return r;
        }
    }
    if (ntok > k) {   /* a sign */
        r.del = s[at[k]] == '-';
        k++;
    }
    if (ntok > k) {
        r.expected = "end of line";
        r.got_at = at[k];
        r.got_len = n[k];
        return r;
    }
    r.kind = ES_LINE_EDGE;
    return r;
}

static void random_token(GRand *rng, GString *s)
{
    static const char *const edge_cases[] = {
        "18446744073709551615", "18446744073709551616", "18446744073709551619",
        "18446744073709551610", "28446744073709551615", "99999999999999999999",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "0", "-0", "00000000000000000000000001", "-",
    };
    static const char junk[] = "0123456789-+x.#%\r\x01\xff";
    switch (g_rand_int_range(rng, 0, 4)) {
    case 0:
        g_string_append(s, edge_cases[g_rand_int_range(rng, 0, G_N_ELEMENTS(edge_cases))]);
        break;
    case 1: {       /* a number of 1..22 digits, maybe negative */
        if (g_rand_int_range(rng, 0, 6) == 0)
            g_string_append_c(s, '-');
        int d = g_rand_int_range(rng, 1, 23);
        for (int i = 0; i < d; i++)
            g_string_append_c(s, (char)('0' + g_rand_int_range(rng, 0, 10)));
        break;
    }
    case 2: {       /* digits with one junk byte somewhere */
        int d = g_rand_int_range(rng, 1, 12), bad_at = g_rand_int_range(rng, 0, d);
        for (int i = 0; i < d; i++)
            g_string_append_c(s, i == bad_at ? junk[g_rand_int_range(rng, 10, (int)sizeof junk - 1)]
                                             : (char)('0' + g_rand_int_range(rng, 0, 10)));
        break;
    }
    default: {      /* anything from the junk alphabet */
        int d = g_rand_int_range(rng, 1, 5);
        for (int i = 0; i < d; i++)
            g_string_append_c(s, junk[g_rand_int_range(rng, 0, (int)sizeof junk - 1)]);
        break;
    }
    }
}

static void test_random_lines_agree_with_the_plain_verifier(void)
{
    const uint64_t seed = 7;
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    GString *line = g_string_new(NULL);
    int disagreements = 0;
    for (int round = 0; round < 200000 && disagreements == 0; round++) {
        g_string_truncate(line, 0);
        int ntok = g_rand_int_range(rng, 0, 6);
        for (int k = 0; k < ntok; k++) {
            int blanks = g_rand_int_range(rng, k ? 1 : 0, 3);
            for (int b = 0; b < blanks; b++)
                g_string_append_c(line, g_rand_boolean(rng) ? ' ' : '\t');
            random_token(rng, line);
        }
        if (g_rand_int_range(rng, 0, 3) == 0)
            g_string_append_c(line, ' ');
        if (g_rand_int_range(rng, 0, 3) == 0)
            g_string_append_c(line, '\r');
        ref_result r = ref_parse(line->str, line->len);
        es_line_kind k = parse_n(line->str, line->len);
        int ok = k == r.kind;
        if (ok && k == ES_LINE_EDGE)
            ok = E.u == r.u && E.v == r.v && E.has_t == r.has_t && (!r.has_t || E.t == r.t) && E.del == r.del;
        if (ok && k == ES_LINE_BAD)
            ok = strcmp(F.expected, r.expected) == 0 && F.got == buf + r.got_at && F.got_len == r.got_len;
        CU_ASSERT_TRUE(ok);
        if (!ok) {
            disagreements++;
            char *esc = g_strescape(line->str, NULL);
            fprintf(stderr, "\n  seed %" PRIu64 " round %d: line \"%s\": kind %d (verifier %d), expected \"%s\" (verifier \"%s\")\n",
                    seed, round, esc, (int)k, (int)r.kind, k == ES_LINE_BAD ? F.expected : "",
                    r.expected ? r.expected : "");
            g_free(esc);
        }
    }
    g_string_free(line, TRUE);
    g_rand_free(rng);
}

/* ---- malformed lines ---------------------------------------------------- */

static void test_non_numeric_ids_are_rejected(void)
{
    assert_bad("x1 2", "a vertex id", "x1", 0);
    assert_bad("1x 2", "a vertex id", "1x", 0);
    assert_bad("  abc\t2", "a vertex id", "abc", 2);
    assert_bad("12345678x 2", "a vertex id", "12345678x", 0);
    assert_bad("1234567890123x 2", "a vertex id", "1234567890123x", 0);
    assert_bad("1.5 2", "a vertex id", "1.5", 0);
    assert_bad("+1 2", "a vertex id", "+1", 0);
    assert_bad("0x10 2", "a vertex id", "0x10", 0);
    assert_bad("1 x", "a second vertex id", "x", 2);
    assert_bad("1 2x", "a second vertex id", "2x", 2);
    assert_bad("1 #2", "a second vertex id", "#2", 2);
    assert_bad("1 12345678Z", "a second vertex id", "12345678Z", 2);
}

static void test_negative_id_is_rejected(void)
{
    assert_bad("-3 4", "a vertex id", "-3", 0);
    assert_bad("3 -4", "a second vertex id", "-4", 2);
    assert_message("expected a second vertex id, got \"-4\"");
}

static void test_id_2_to_the_64_is_rejected(void)
{
    assert_bad("18446744073709551616 1", "a vertex id below 2^64", "18446744073709551616", 0);
    assert_bad("1 18446744073709551616", "a vertex id below 2^64", "18446744073709551616", 2);
    assert_bad("18446744073709551620 1", "a vertex id below 2^64", "18446744073709551620", 0);
    assert_bad("99999999999999999999 1", "a vertex id below 2^64", "99999999999999999999", 0);
    assert_bad("1 99999999999999999999999", "a vertex id below 2^64", "99999999999999999999999", 2);
    assert_bad("000018446744073709551616 1", "a vertex id below 2^64", "000018446744073709551616", 0);
    /* a token both too long and not a number is reported as not a number */
    assert_bad("99999999999999999999999x 1", "a vertex id", "99999999999999999999999x", 0);
}

static void test_missing_second_id_is_rejected(void)
{
    assert_bad("1", "a second vertex id", "", 1);
    assert_bad("42   ", "a second vertex id", "", 5);
    assert_bad("\t42\t\r", "a second vertex id", "", 4);
    assert_bad("18446744073709551615", "a second vertex id", "", 20);
    assert_message("expected a second vertex id, got end of line");
}

#define EOL_T "a sign (+ or -) or end of line (more columns? name them: --columns u,v,w,t)"
#define TIME  "a timestamp, a sign (+ or -) or end of line"
#define TIME_W "an integer timestamp, not a weight (name the columns: --columns u,v,w or u,v,w,t)"

static void test_junk_after_the_third_column_is_rejected(void)
{
    assert_bad("1 2 3 4", EOL_T, "4", 6);
    assert_bad("1 2 3 x", EOL_T, "x", 6);
    assert_bad("1\t2\t3\t#comment", EOL_T, "#comment", 6);
    assert_bad("1 2 -3 -4 \r", EOL_T, "-4", 7);
    assert_message("expected " EOL_T ", got \"-4\"");
    assert_bad("1 2 3 - 4", "end of line", "4", 8);
    assert_bad("1 2 - -", "end of line", "-", 6);
}

static void test_non_integer_timestamp_is_rejected(void)
{
    assert_bad("1 2 x", TIME, "x", 4);
    assert_bad("1 2 --5", TIME, "--5", 4);
    assert_bad("1 2 # trailing comment", TIME, "#", 4);
    assert_bad("1 2 -x", TIME, "-x", 4);
}

static void test_a_weight_where_a_timestamp_is_expected_names_columns(void)
{
    assert_bad("1 2 3.5", TIME_W, "3.5", 4);
    assert_bad("1 2 +5", TIME_W, "+5", 4);
    assert_bad("1 2 1e9", TIME_W, "1e9", 4);
    assert_bad("1 2 -0.25 100", TIME_W, "-0.25", 4);
    assert_message("expected " TIME_W ", got \"-0.25\"");
}

static void test_trailing_sign_marks_a_deletion_or_an_insertion(void)
{
    assert_edge("1 2 -", 1, 2);
    CU_ASSERT_TRUE(E.del);
    assert_edge("1 2 +", 1, 2);
    CU_ASSERT_FALSE(E.del);
    assert_edge("1 2", 1, 2);
    CU_ASSERT_FALSE(E.del);
    assert_timed_edge("1 2 -7 -", 1, 2, -7);
    CU_ASSERT_TRUE(E.del);
    assert_timed_edge("3\t4\t5\t+ \r", 3, 4, 5);
    CU_ASSERT_FALSE(E.del);
    assert_bad("1 2 - 5", "end of line", "5", 6);
}

/* ---- other layouts: --columns and --delimiter ----------------------------- */

static es_parse_format layout(const char *columns, const char *delim)
{
    es_parse_format f = { 0 };
    GError *err = NULL;
    if (columns)
        CU_ASSERT_TRUE(es_parse_columns(columns, &f, &err));
    if (delim)
        CU_ASSERT_TRUE(es_parse_delimiter(delim, &f, &err));
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    return f;
}

static es_line_kind parse_as(const es_parse_format *f, const char *s)
{
    size_t len = strlen(s);
    g_free(buf);
    buf = g_malloc(len ? len : 1);
    memcpy(buf, s, len);
    buf_len = len;
    memset(&E, 0xAB, sizeof E);
    memset(&F, 0, sizeof F);
    return es_parse_line_as(f, buf, len, &E, &F);
}

static void test_konect_columns_read_a_weight_then_a_timestamp(void)
{
    es_parse_format f = layout("u,v,w,t", NULL);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "1 2 0.5 1234"), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, 1);
    CU_ASSERT_EQUAL(E.v, 2);
    CU_ASSERT_TRUE(E.has_w);
    CU_ASSERT_DOUBLE_EQUAL(E.w, 0.5, 0);
    CU_ASSERT_TRUE(E.has_t);
    CU_ASSERT_EQUAL(E.t, 1234);
    CU_ASSERT_FALSE(E.del);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "3\t4\t-1\t-5\t-"), ES_LINE_EDGE);
    CU_ASSERT_DOUBLE_EQUAL(E.w, -1, 0);
    CU_ASSERT_EQUAL(E.t, -5);
    CU_ASSERT_TRUE(E.del);
    CU_ASSERT_EQUAL(parse_as(&f, "% konect header 1 2"), ES_LINE_SKIP);
    /* every named column is required */
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 1"), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, "a timestamp");
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 x 5"), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, "a weight (a decimal number)");
    CU_ASSERT_TRUE(got_is("x", 4));
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 1 5 6"), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, "a sign (+ or -) or end of line");
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 1 2.5"), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, TIME_W);
}

static void test_ignored_and_reordered_columns(void)
{
    es_parse_format f = layout("t,-,v,u", NULL);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "99 junk 7 8"), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, 8);
    CU_ASSERT_EQUAL(E.v, 7);
    CU_ASSERT_EQUAL(E.t, 99);
    CU_ASSERT_FALSE(E.has_w);
    f = layout("u,v", NULL);
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 3"), ES_LINE_BAD);   /* no third column */
    CU_ASSERT_EQUAL(parse_as(&f, "1 2 -"), ES_LINE_EDGE);
    CU_ASSERT_TRUE(E.del);
}

static void test_bad_column_specs_are_refused(void)
{
    const char *bad_specs[] = { "u", "v,t", "u,v,u", "u,v,t,t", "u,v,x", "u,,v", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_specs); i++) {
        es_parse_format f = { 0 };
        GError *err = NULL;
        CU_ASSERT_FALSE(es_parse_columns(bad_specs[i], &f, &err));
        CU_ASSERT_TRUE(err != NULL && err->code == ES_ERROR_USAGE && strstr(err->message, "--columns") != NULL);
        g_clear_error(&err);
    }
    es_parse_format f = { 0 };
    GError *err = NULL;
    CU_ASSERT_FALSE(es_parse_delimiter("ab", &f, &err));
    g_clear_error(&err);
    CU_ASSERT_FALSE(es_parse_delimiter("-", &f, &err));
    g_clear_error(&err);
    CU_ASSERT_TRUE(es_parse_delimiter("tab", &f, &err));
    CU_ASSERT_EQUAL(f.delim, 0);
}

static void test_csv_fields_are_split_at_commas_and_trimmed(void)
{
    es_parse_format f = layout(NULL, ",");
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "1,2"), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, 1);
    CU_ASSERT_EQUAL(E.v, 2);
    CU_ASSERT_FALSE(E.has_t);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, " 3 , 4 , 17 \r"), ES_LINE_EDGE);
    CU_ASSERT_EQUAL(E.u, 3);
    CU_ASSERT_EQUAL(E.t, 17);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "3,4,-"), ES_LINE_EDGE);
    CU_ASSERT_TRUE(E.del);
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "3,4,5,-"), ES_LINE_EDGE);
    CU_ASSERT_TRUE(E.del);
    CU_ASSERT_EQUAL(E.t, 5);
    CU_ASSERT_EQUAL(parse_as(&f, "1,,2"), ES_LINE_BAD);
    assert_message("expected a second vertex id, got an empty field");
    CU_ASSERT_EQUAL(parse_as(&f, "1 2,3"), ES_LINE_BAD);
    assert_message("expected a vertex id, got \"1 2\"");
    CU_ASSERT_EQUAL(parse_as(&f, "1,2,0.5"), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, TIME_W);
    f = layout("u,v,w,t", ";");
    CU_ASSERT_EQUAL_FATAL(parse_as(&f, "1;2;2.5e1;9"), ES_LINE_EDGE);
    CU_ASSERT_DOUBLE_EQUAL(E.w, 25, 0);
    CU_ASSERT_EQUAL(E.t, 9);
}

static void test_timestamp_outside_signed_64_bits_is_rejected(void)
{
    assert_bad("1 2 9223372036854775808", "a timestamp from -2^63 to 2^63-1", "9223372036854775808", 4);
    assert_bad("1 2 -9223372036854775809", "a timestamp from -2^63 to 2^63-1", "-9223372036854775809", 4);
    assert_bad("1 2 99999999999999999999999", "a timestamp from -2^63 to 2^63-1",
               "99999999999999999999999", 4);
}

static void test_carriage_return_inside_a_line_is_rejected(void)
{
    assert_bad("1\r2", "a vertex id", "1\r2", 0);
    assert_message("expected a vertex id, got \"1\\x0d2\"");
    assert_bad("1 2\r\r", "a second vertex id", "2\r", 2);
}

static void test_line_longer_than_4096_bytes_is_rejected(void)
{
    char *line = g_malloc(ES_MAX_LINE + 2);
    memset(line, ' ', ES_MAX_LINE + 1);
    memcpy(line, "5 6", 3);
    line[ES_MAX_LINE + 1] = '\0';
    CU_ASSERT_EQUAL(parse(line), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, "a line of at most 4096 bytes");
    CU_ASSERT_PTR_EQUAL(F.got, buf);
    CU_ASSERT_EQUAL(F.got_len, (size_t)ES_MAX_LINE + 1);
    char *want = g_strdup_printf("expected a line of at most 4096 bytes, got \"5 6%37s...\"", "");
    assert_message(want);
    g_free(want);
    /* a trailing '\r' counts toward the limit, as the reader counts it */
    line[ES_MAX_LINE] = '\r';
    CU_ASSERT_EQUAL(parse(line), ES_LINE_BAD);
    g_free(line);
}

/* ---- fault messages ------------------------------------------------------ */

static void test_fault_message_quotes_the_offending_token(void)
{
    assert_bad("x1 2", "a vertex id", "x1", 0);
    assert_message("expected a vertex id, got \"x1\"");
    assert_bad("18446744073709551616 1", "a vertex id below 2^64", "18446744073709551616", 0);
    assert_message("expected a vertex id below 2^64, got \"18446744073709551616\"");
    assert_bad("1 2 3x", TIME, "3x", 4);
    assert_message("expected a timestamp, a sign (+ or -) or end of line, got \"3x\"");
}

static void test_fault_message_at_end_of_line_says_end_of_line(void)
{
    es_parse_fault f = { "a second vertex id", "ignored", 0 };
    char *msg = es_parse_fault_message(&f);
    CU_ASSERT_STRING_EQUAL(msg, "expected a second vertex id, got end of line");
    g_free(msg);
}

static void test_fault_message_shortens_tokens_longer_than_40_bytes(void)
{
    const char *tok40 = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    es_parse_fault f = { "a vertex id", tok40, 40 };
    char *msg = es_parse_fault_message(&f);
    CU_ASSERT_STRING_EQUAL(msg, "expected a vertex id, got \"abcdefghijklmnopqrstuvwxyz0123456789ABCD\"");
    g_free(msg);
    const char *tok41 = "abcdefghijklmnopqrstuvwxyz0123456789ABCDE";
    f.got = tok41;
    f.got_len = 41;
    msg = es_parse_fault_message(&f);
    CU_ASSERT_STRING_EQUAL(msg, "expected a vertex id, got \"abcdefghijklmnopqrstuvwxyz0123456789ABCD...\"");
    g_free(msg);
}

static void test_fault_message_escapes_non_printable_bytes(void)
{
    const char tok[] = "a\tb\x01\x7f\xc3\xa9\"q\\";
    es_parse_fault f = { "a vertex id", tok, sizeof tok - 1 };
    char *msg = es_parse_fault_message(&f);
    CU_ASSERT_STRING_EQUAL(msg, "expected a vertex id, got \"a\\x09b\\x01\\x7f\\xc3\\xa9\\\"q\\\\\"");
    g_free(msg);
    /* a NUL byte inside the token is shown, not taken as its end */
    const char nul[] = { '1', '\0', '2' };
    f.got = nul;
    f.got_len = 3;
    msg = es_parse_fault_message(&f);
    CU_ASSERT_STRING_EQUAL(msg, "expected a vertex id, got \"1\\x002\"");
    g_free(msg);
}

static void test_nul_byte_inside_an_id_is_rejected(void)
{
    const char line[] = { '1', '2', '\0', '3', ' ', '4' };
    CU_ASSERT_EQUAL(parse_n(line, sizeof line), ES_LINE_BAD);
    CU_ASSERT_STRING_EQUAL(F.expected, "a vertex id");
    CU_ASSERT_EQUAL(F.got_len, 4);
}

int main(void)
{
    static const es_test tests[] = {
        ES_TEST(test_two_ids_separated_by_a_space_are_an_edge),
        ES_TEST(test_tab_separated_ids_are_an_edge),
        ES_TEST(test_runs_of_mixed_blanks_separate_fields),
        ES_TEST(test_leading_and_trailing_blanks_are_ignored),
        ES_TEST(test_crlf_line_is_accepted),
        ES_TEST(test_comment_lines_with_hash_or_percent_are_skipped),
        ES_TEST(test_blank_lines_are_skipped),
        ES_TEST(test_largest_id_18446744073709551615_is_accepted),
        ES_TEST(test_id_zero_and_ids_with_leading_zeros_are_accepted),
        ES_TEST(test_timestamp_is_optional),
        ES_TEST(test_negative_and_extreme_timestamps_are_read),
        ES_TEST(test_line_of_exactly_4096_bytes_is_accepted),
        ES_TEST(test_ids_of_every_length_parse_exactly),
        ES_TEST(test_random_lines_agree_with_the_plain_verifier),
        ES_TEST(test_non_numeric_ids_are_rejected),
        ES_TEST(test_negative_id_is_rejected),
        ES_TEST(test_id_2_to_the_64_is_rejected),
        ES_TEST(test_missing_second_id_is_rejected),
        ES_TEST(test_junk_after_the_third_column_is_rejected),
        ES_TEST(test_non_integer_timestamp_is_rejected),
        ES_TEST(test_a_weight_where_a_timestamp_is_expected_names_columns),
        ES_TEST(test_trailing_sign_marks_a_deletion_or_an_insertion),
        ES_TEST(test_konect_columns_read_a_weight_then_a_timestamp),
        ES_TEST(test_ignored_and_reordered_columns),
        ES_TEST(test_bad_column_specs_are_refused),
        ES_TEST(test_csv_fields_are_split_at_commas_and_trimmed),
        ES_TEST(test_timestamp_outside_signed_64_bits_is_rejected),
        ES_TEST(test_carriage_return_inside_a_line_is_rejected),
        ES_TEST(test_line_longer_than_4096_bytes_is_rejected),
        ES_TEST(test_fault_message_quotes_the_offending_token),
        ES_TEST(test_fault_message_at_end_of_line_says_end_of_line),
        ES_TEST(test_fault_message_shortens_tokens_longer_than_40_bytes),
        ES_TEST(test_fault_message_escapes_non_printable_bytes),
        ES_TEST(test_nul_byte_inside_an_id_is_rejected),
        { NULL, NULL },
    };
    int status = es_test_main("parse", tests);
    g_free(buf);
    return status;
}
