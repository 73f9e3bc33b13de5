/* consumed.c — CRC-32s of the consumed bytes of an input (see consumed.h). */
#include "dataflow/consumed.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "snapshot/crc.h"

#define FIRST_PIECE ((uint64_t)1 << 20)

void es_consumed_init(es_consumed *c)
{
    memset(c, 0, sizeof *c);
    c->piece = FIRST_PIECE;
}

/* Feed bytes in pieces of c->piece; with `merge`, keep at most
 * ES_CONSUMED_PIECES by merging neighbours; without, return after each
 * complete piece, left in c->part for a checker to compare.  Returns the
 * bytes used. */
static size_t feed(es_consumed *c, const unsigned char *p, size_t n, gboolean merge)
{
    size_t used = 0;
    while (used < n) {
        uint64_t in_part = c->bytes - (uint64_t)c->full * c->piece;
        uint64_t room = c->piece - in_part;
        size_t take = n - used < room ? n - used : (size_t)room;
        c->part = es_crc32(c->part, p + used, take);
        c->bytes += take;
        used += take;
        if (take == room) {
            if (!merge)
                return used;   /* the caller compares the piece, then goes on */
            c->crc[c->full++] = c->part;
            c->part = 0;
            if (c->full == ES_CONSUMED_PIECES) {
                for (guint i = 0; i < ES_CONSUMED_PIECES / 2; i++)
                    c->crc[i] = (uint32_t)crc32_combine(c->crc[2 * i], c->crc[2 * i + 1], (z_off_t)c->piece);
                c->full = ES_CONSUMED_PIECES / 2;
                c->piece *= 2;
            }
        }
    }
    return used;
}

void es_consumed_add(es_consumed *c, const void *p, size_t n)
{
    feed(c, p, n, TRUE);
}

char *es_consumed_format(const es_consumed *c)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " ", c->bytes, c->piece);
    for (guint i = 0; i < c->full; i++)
        g_string_append_printf(s, "%s%08x", i ? "," : "", c->crc[i]);
    g_string_append_printf(s, "%s %08x", c->full ? "" : "-", c->part);
    return g_string_free(s, FALSE);
}

gboolean es_consumed_parse(const char *text, es_consumed *c)
{
    es_consumed_init(c);
    g_auto(GStrv) f = g_strsplit(text, " ", -1);
    if (g_strv_length(f) != 4)
        return FALSE;
    char *end = NULL;
    c->bytes = g_ascii_strtoull(f[0], &end, 10);
    if (*f[0] == '\0' || *end)
        return FALSE;
    c->piece = g_ascii_strtoull(f[1], &end, 10);
    if (*f[1] == '\0' || *end || c->piece < FIRST_PIECE || (c->piece & (c->piece - 1)) != 0)
        return FALSE;
    if (strcmp(f[2], "-") != 0) {
        g_auto(GStrv) crcs = g_strsplit(f[2], ",", -1);
        for (char **x = crcs; *x; x++) {
            if (c->full == ES_CONSUMED_PIECES || strlen(*x) != 8)
                return FALSE;
            c->crc[c->full++] = (uint32_t)g_ascii_strtoull(*x, &end, 16);
            if (*end)
                return FALSE;
        }
    }
    c->part = (uint32_t)g_ascii_strtoull(f[3], &end, 16);
    return strlen(f[3]) == 8 && *end == '\0' && c->bytes / c->piece == c->full;
}

void es_consumed_check_init(es_consumed_check *k, const es_consumed *want)
{
    memset(k, 0, sizeof *k);
    k->want = want;
    es_consumed_init(&k->got);
    k->got.piece = want->piece;
}

static void mismatch(es_consumed_check *k, uint64_t from)
{
    if (k->bad)
        return;
    k->bad = TRUE;
    k->bad_from = from;
    k->bad_to = from + k->want->piece < k->want->bytes ? from + k->want->piece : k->want->bytes;
}

void es_consumed_check_add(es_consumed_check *k, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        size_t used = feed(&k->got, b, n, FALSE);
        b += used;
        n -= used;
        if (k->got.bytes - (uint64_t)k->got.full * k->got.piece == k->got.piece) {
            /* a complete piece: compare it with the record's */
            guint i = k->got.full;
            if (i >= k->want->full || k->got.part != k->want->crc[i])
                mismatch(k, (uint64_t)i * k->got.piece);
            k->got.full++;
            k->got.part = 0;
        }
    }
}

gboolean es_consumed_check_end(es_consumed_check *k)
{
    if (k->got.bytes != k->want->bytes || k->got.full != k->want->full)
        mismatch(k, (uint64_t)k->got.full * k->got.piece);
    else if (k->got.part != k->want->part)
        mismatch(k, (uint64_t)k->want->full * k->want->piece);
    return !k->bad;
}
