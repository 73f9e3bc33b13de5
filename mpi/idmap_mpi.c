/* idmap_mpi.c — the vertex id map partitioned by key group (see
 * idmap_mpi.h). */
#include "mpi/idmap_mpi.h"

#include <string.h>

#include "graph/common.h"
#include "graph/idmap.h"
#include "mpi/chunks.h"
#include "sketches/hash.h"
#include "snapshot/logmem.h"

#ifndef ES_IDMAP_LIMIT
#define ES_IDMAP_LIMIT ES_IDMAP_MAX_VERTICES
#endif

enum { PIECE = 1 << 18, RESTORE_PIECE = 1 << 20, MIN_SLOTS = 1 << 10 };
/* An owner's answer for a key it does not hold (dense ids stop below it). */
#define NEW_KEY UINT32_MAX

/* As graph/idmap.c's: 12 bytes, val = dense + 1, 0 for an empty slot. */
typedef struct __attribute__((packed)) {
    uint64_t key;
    uint32_t val;
} slot;

struct es_mpi_idmap {
    MPI_Comm  comm;
    int       rank, size;
    guint     groups;
    slot     *tab;          /* this rank's groups' vertices */
    size_t    mask, count;
    gboolean  keep_ext;
    uint64_t *ext;          /* rank 0, keep_ext: dense -> external (a log that stays put) */
    size_t    ext_cap;
    uint32_t  nv;           /* rank 0: the run's vertices */
    uint64_t  sent;         /* bytes this rank sent for the map */
};

/* The rank owning x's key group: the high half of another mix than the
 * table's (whose low bits pick the slot), so that an owner's keys do not
 * share low bits. */
static inline int owner_of(const es_mpi_idmap *m, uint64_t x)
{
    uint64_t h = es_hash_mix64(x ^ ES_HASH_GOLDEN) >> 32;
    return es_group_owner((guint)(h * m->groups >> 32), m->groups, m->size);
}

static size_t probe(const es_mpi_idmap *m, uint64_t key)
{
    size_t i = es_hash_mix64(key) & m->mask;
    while (m->tab[i].val != 0 && m->tab[i].key != key)
        i = (i + 1) & m->mask;
    return i;
}

/* Room for `more` keys more at most half full (a rehash of the keys). */
static void room(es_mpi_idmap *m, size_t more)
{
    size_t n = m->mask + 1;
    if (m->count + more <= n / 2)
        return;
    while (m->count + more > n / 2)
        n *= 2;
    slot *old = m->tab;
    size_t old_n = m->mask + 1;
    m->tab = es_big_alloc(n * sizeof(slot));
    m->mask = n - 1;
    for (size_t i = 0; i < old_n; i++)
        if (old[i].val) {
            size_t j = es_hash_mix64(old[i].key) & m->mask;
            while (m->tab[j].val != 0)
                j = (j + 1) & m->mask;
            m->tab[j] = old[i];
        }
    es_big_free(old, old_n * sizeof(slot));
}

es_mpi_idmap *es_mpi_idmap_new(MPI_Comm comm, guint groups, gboolean externals)
{
    es_mpi_idmap *m = g_new0(es_mpi_idmap, 1);
    m->comm = comm;
    MPI_Comm_rank(comm, &m->rank);
    MPI_Comm_size(comm, &m->size);
    m->groups = MAX(groups, 1);
    m->tab = es_big_alloc(MIN_SLOTS * sizeof(slot));
    m->mask = MIN_SLOTS - 1;
    m->keep_ext = externals && m->rank == 0;
    return m;
}

void es_mpi_idmap_free(es_mpi_idmap *m)
{
    if (m == NULL)
        return;
    es_big_free(m->tab, (m->mask + 1) * sizeof(slot));
    if (m->ext)
        es_log_free(m->ext, m->ext_cap * sizeof(uint64_t));
    g_free(m);
}

uint32_t es_mpi_idmap_size(const es_mpi_idmap *m)
{
    return m->nv;
}

const uint64_t *es_mpi_idmap_externals(const es_mpi_idmap *m)
{
    return m->ext;
}

uint32_t es_mpi_idmap_held(const es_mpi_idmap *m)
{
    return (uint32_t)m->count;
}

uint64_t es_mpi_idmap_sent(const es_mpi_idmap *m)
{
    return m->sent;
}

/* Rank 0: x becomes dense id nv (the log grown in place). */
static void append_ext(es_mpi_idmap *m, uint64_t x)
{
    if (!m->keep_ext)
        return;
    if (m->nv >= m->ext_cap) {
        size_t cap = es_grow_cap(m->ext_cap, (size_t)m->nv + 1);
        m->ext = es_log_grow(m->ext, m->ext_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
        m->ext_cap = cap;
    }
    m->ext[m->nv] = x;
}

/* Rank 0: ids bucketed by owner (stable), *cs and *ds per rank, at[i]
 * the place of ids[i] in *out. */
static void bucket(const es_mpi_idmap *m, const uint64_t *ids, size_t n, uint64_t *out, uint32_t *at, int *cs,
                   int *ds)
{
    memset(cs, 0, sizeof(int) * (size_t)m->size);
    for (size_t i = 0; i < n; i++) {
        at[i] = (uint32_t)owner_of(m, ids[i]);
        cs[at[i]]++;
    }
    int *fill = g_new(int, m->size);
    for (int r = 0, s = 0; r < m->size; s += cs[r++]) {
        ds[r] = s;
        fill[r] = s;
    }
    for (size_t i = 0; i < n; i++) {
        int o = (int)at[i];
        at[i] = (uint32_t)fill[o]++;
        out[at[i]] = ids[i];
    }
    g_free(fill);
}

/* One piece (n <= PIECE at rank 0, 0 elsewhere); see idmap_mpi.h. */
static gboolean map_piece(es_mpi_idmap *m, const uint64_t *ids, uint32_t *dense, size_t n, int *cs, int *ds,
                          uint64_t *sent, GError **error)
{
    gboolean root = m->rank == 0, ok = TRUE;
    uint64_t *out = NULL;
    uint32_t *at = NULL, *answers = NULL, *local = NULL, *newd = NULL;
    int *ncs = NULL, *nds = NULL, cnt = 0, fresh_n = 0;
    es_idmap *distinct = NULL;
    size_t k = 0;
    if (root) {
        /* The piece's distinct ids, in order of first appearance. */
        distinct = es_idmap_new(MIN(n, (size_t)1 << 16), NULL);
        local = g_new(uint32_t, n + 1);
        if (!es_idmap_map_ids(distinct, ids, local, n, NULL))
            g_error("idmap_mpi: scratch map full");   /* a piece has fewer than 2^20 ids */
        k = es_idmap_size(distinct);
        out = g_new(uint64_t, k + 1);
        answers = g_new(uint32_t, k + 1);
        at = g_new(uint32_t, k + 1);
        ncs = g_new(int, m->size);
        nds = g_new(int, m->size);
        bucket(m, es_idmap_externals(distinct), k, out, at, cs, ds);
    }
    /* (1) each distinct id to its owner. */
    MPI_Scatter(cs, 1, MPI_INT, &cnt, 1, MPI_INT, 0, m->comm);
    uint64_t *got = g_new(uint64_t, (size_t)cnt + 1);
    uint32_t *ans = g_new(uint32_t, (size_t)cnt + 1);
    MPI_Scatterv(out, cs, ds, MPI_UINT64_T, got, cnt, MPI_UINT64_T, 0, m->comm);
    /* (2) the owner's answers: the dense id, or NEW_KEY; the new keys
     * packed at the front of got, in order. */
    for (int j = 0; j < cnt; j++) {
        if (j + 8 < cnt)
            es_prefetch(&m->tab[es_hash_mix64(got[j + 8]) & m->mask]);
        const slot *s = &m->tab[probe(m, got[j])];
        ans[j] = s->val ? s->val - 1 : NEW_KEY;
        if (!s->val)
            got[fresh_n++] = got[j];
    }
    MPI_Gather(&fresh_n, 1, MPI_INT, ncs, 1, MPI_INT, 0, m->comm);
    MPI_Gatherv(ans, cnt, MPI_UINT32_T, answers, cs, ds, MPI_UINT32_T, 0, m->comm);
    *sent += root ? 8 * (uint64_t)(k - (size_t)cs[0]) : 8 + 4 * (uint64_t)cnt;
    /* (3) rank 0 numbers the new keys in order of first appearance. */
    if (root) {
        int total = 0;
        for (int r = 0; r < m->size; r++) {
            nds[r] = total;
            total += ncs[r];
        }
        newd = g_new0(uint32_t, (size_t)total + 1);
        int *seen = g_new0(int, m->size);
        if ((uint64_t)m->nv + (uint64_t)total > ES_IDMAP_LIMIT) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "too many distinct vertices (limit %u)",
                        (unsigned)ES_IDMAP_LIMIT);
            ok = FALSE;
        }
        const uint64_t *x = es_idmap_externals(distinct);
        for (size_t i = 0; ok && i < k; i++) {
            uint32_t *a = &answers[at[i]];
            if (*a == NEW_KEY) {
                int o = owner_of(m, x[i]);
                newd[nds[o] + seen[o]++] = m->nv;
                append_ext(m, x[i]);
                *a = m->nv++;
            }
        }
        for (size_t i = 0; ok && i < n; i++)
            dense[i] = answers[at[local[i]]];
        g_free(seen);
        *sent += 4 * (uint64_t)(total - ncs[0]);
    }
    /* (4) the owners insert their new keys. */
    uint32_t *mine = g_new(uint32_t, (size_t)fresh_n + 1);
    MPI_Scatterv(newd, ncs, nds, MPI_UINT32_T, mine, fresh_n, MPI_UINT32_T, 0, m->comm);
    room(m, (size_t)fresh_n);
    for (int t = 0; t < fresh_n; t++) {
        slot *s = &m->tab[probe(m, got[t])];
        s->key = got[t];
        s->val = mine[t] + 1;
    }
    m->count += (size_t)fresh_n;
    if (distinct)
        es_idmap_free(distinct);
    g_free(mine);
    g_free(got);
    g_free(ans);
    g_free(out);
    g_free(answers);
    g_free(at);
    g_free(local);
    g_free(ncs);
    g_free(nds);
    g_free(newd);
    return ok;
}

gboolean es_mpi_idmap_map(es_mpi_idmap *m, const uint64_t *ext, uint32_t *dense, size_t n, uint64_t *sent,
                          GError **error)
{
    uint64_t total = m->rank == 0 ? n : 0, was = *sent;
    MPI_Bcast(&total, 1, MPI_UINT64_T, 0, m->comm);
    int *cs = g_new0(int, m->size), *ds = g_new0(int, m->size);
    gboolean ok = TRUE;
    *sent += m->rank ? 0 : 8 * (uint64_t)(m->size - 1);
    for (uint64_t a = 0; a < total; a += PIECE) {
        size_t k = (size_t)MIN((uint64_t)PIECE, total - a);
        if (m->rank == 0)
            ok = map_piece(m, ext + a, dense + a, k, cs, ds, sent, ok ? error : NULL) && ok;
        else
            map_piece(m, NULL, NULL, 0, cs, ds, sent, NULL);
    }
    m->sent += *sent - was;
    g_free(cs);
    g_free(ds);
    return ok;
}

gboolean es_mpi_idmap_restore(es_mpi_idmap *m, const uint64_t *ext, uint32_t n, uint64_t *sent, GError **error)
{
    uint64_t total = m->rank == 0 ? n : 0, was = *sent;
    MPI_Bcast(&total, 1, MPI_UINT64_T, 0, m->comm);
    int *cs = g_new0(int, m->size), *ds = g_new0(int, m->size);
    uint64_t *out = NULL;
    uint32_t *at = NULL, *dout = NULL;
    gboolean ok = TRUE;
    if (m->rank == 0) {
        out = g_new(uint64_t, RESTORE_PIECE);
        dout = g_new(uint32_t, RESTORE_PIECE);
        at = g_new(uint32_t, RESTORE_PIECE);
    }
    for (uint64_t a = 0; a < total; a += RESTORE_PIECE) {
        size_t k = m->rank == 0 ? (size_t)MIN((uint64_t)RESTORE_PIECE, total - a) : 0;
        int cnt;
        if (m->rank == 0) {
            bucket(m, ext + a, k, out, at, cs, ds);
            for (size_t i = 0; i < k; i++) {
                dout[at[i]] = (uint32_t)(a + i);
                append_ext(m, ext[a + i]);
                m->nv++;
            }
            *sent += 12 * (uint64_t)(k - (size_t)cs[0]);
        }
        MPI_Scatter(cs, 1, MPI_INT, &cnt, 1, MPI_INT, 0, m->comm);
        uint64_t *keys = g_new(uint64_t, (size_t)cnt + 1);
        uint32_t *ids = g_new(uint32_t, (size_t)cnt + 1);
        MPI_Scatterv(out, cs, ds, MPI_UINT64_T, keys, cnt, MPI_UINT64_T, 0, m->comm);
        MPI_Scatterv(dout, cs, ds, MPI_UINT32_T, ids, cnt, MPI_UINT32_T, 0, m->comm);
        room(m, (size_t)cnt);
        for (int j = 0; j < cnt; j++) {
            slot *s = &m->tab[probe(m, keys[j])];
            if (s->val) {
                if (ok)
                    g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot id map lists vertex %" G_GUINT64_FORMAT
                                " twice", keys[j]);
                ok = FALSE;
                continue;
            }
            s->key = keys[j];
            s->val = ids[j] + 1;
            m->count++;
        }
        g_free(keys);
        g_free(ids);
    }
    m->sent += *sent - was;
    g_free(cs);
    g_free(ds);
    g_free(out);
    g_free(dout);
    g_free(at);
    return ok;
}
