#define _GNU_SOURCE
#include "tunesearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "protocol.h"
#include "resolve.h"
#include "search.h"
#include "xalloc.h"

/* ---- GLIBC_TUNABLES ------------------------------------------------------ */

/* Whether setting (NAME or NAME=VALUE) names one of ours' names. */
static bool set_by(const char *setting, const char *ours)
{
    size_t n = strcspn(setting, "=");
    for (const char *o = ours; *o;) {
        if (strcspn(o, "=:") == n && strncmp(o, setting, n) == 0)
            return true;
        o += strcspn(o, ":");
        if (*o == ':')
            o++;
    }
    return false;
}

char *tunables_merge(const char *tunables, const char *ours)
{
    char *kept = xstrdup("");
    char *copy = xstrdup(tunables ? tunables : "");
    for (char *save = NULL, *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        if (set_by(t, ours))
            continue;
        char *next = xasprintf("%s%s:", kept, t);
        free(kept);
        kept = next;
    }
    char *out = xasprintf("%s%s", kept, ours);
    free(kept), free(copy);
    return out;
}

char *tunables_with(const char *tunables, const char *name, long long value)
{
    char *ours = xasprintf("%s=%lld", name, value);
    char *out = tunables_merge(tunables, ours);
    free(ours);
    return out;
}

/* ---- modelled ------------------------------------------------------------ */

/* Whether a file is one of the budget's own startup modules (libc). */
static bool in_budget(const struct budget *b, const char *id)
{
    for (size_t i = 0; i < b->nmodules; i++) {
        if (strcmp(b->modules[i].path, PROTO_MAIN_NAME) == 0)
            continue;
        char *mid = file_identity(b->modules[i].path);
        bool same = strcmp(mid, id) == 0;
        free(mid);
        if (same)
            return true;
    }
    return false;
}

bool start_objects_add(struct start_objects *s, const struct budget *b, const char *id,
                       const char *path, const struct tls_block *block, enum tls_access access,
                       const char *role)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return false;
    if (in_budget(b, id))
        return false;
    size_t n = s->n;
    *XAPPEND(&s->ids, &n) = xstrdup(id);
    n = s->n;
    *XAPPEND(&s->roles, &n) = role;
    *XAPPEND(&s->mods, &s->n) =
        (struct budget_module){.path = xstrdup(path), .block = *block, .access = access};
    return true;
}

bool start_objects_add_file(struct start_objects *s, const struct budget *b, const char *path,
                            const char *role, char *why, size_t whylen)
{
    struct elf_tls t;
    char err[512];
    if (!elf_tls_read(path, &t, err, sizeof err)) {
        snprintf(why, whylen, "%.200s", err);
        return false;
    }
    why[0] = '\0';
    char *id = file_identity(path);
    struct tls_block block = {t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
    start_objects_add(s, b, id, path, &block, elf_tls_access(&t), role);
    free(id);
    elf_tls_free(&t);
    return true;
}

void start_objects_place(struct budget *b, struct start_objects *s)
{
    struct budget_module *mods = xcalloc(s->n + 1, sizeof *mods);
    memcpy(mods, s->mods, s->n * sizeof *mods);
    budget_add_preloads(b, mods, s->n); /* takes the paths */
    free(mods);
    /* The set's paths went to the budget in order, after the main program. */
    size_t nmain = b->nmodules && strcmp(b->modules[0].path, PROTO_MAIN_NAME) == 0;
    for (size_t i = 0; i < s->n && nmain + i < b->nmodules; i++)
        s->mods[i].path = b->modules[nmain + i].path;
}

void start_objects_free(struct start_objects *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ids[i]);
    free(s->ids), free(s->roles), free(s->mods);
    memset(s, 0, sizeof *s);
}

bool tunable_model_fails(long long n, void *ctx)
{
    const struct tunable_model *m = ctx;
    char *t = tunables_with(m->tunables, OPTIONAL_STATIC_TLS, n);
    budget_set_tunables(m->b, t);
    free(t);
    return !m->b->modelled || m->b->startup_failure != KIND_LOADED ||
           (long)model_free(&m->b->model) < m->needed;
}

long long tunable_model_smallest(const struct tunable_model *m, long long from)
{
    void *ctx = (void *)m;
    long long lo = from, hi = from, smallest = -1;
    if (!tunable_model_fails(from, ctx))
        smallest = search_last(-1, from, tunable_model_fails, ctx) + 1;
    else if (search_grow(&lo, &hi, tunable_model_fails, ctx))
        smallest = search_last(lo, hi, tunable_model_fails, ctx) + 1;
    budget_set_tunables(m->b, m->tunables); /* as the process runs */
    return smallest;
}

/* ---- measured ------------------------------------------------------------ */

static size_t memo_find(const struct tunable_search *s, long long n)
{
    for (size_t i = 0; i < s->nmemo; i++)
        if (s->memo_n[i] == n)
            return i;
    return (size_t)-1;
}

static int memo_exit(const struct tunable_search *s, long long n)
{
    size_t i = memo_find(s, n);
    return i == (size_t)-1 ? -1 : s->memo_exit[i];
}

/* search_pred: each n run once; once stopped, everything fails (the
   bisection then ends without another run). */
static bool fails(long long n, void *ctx)
{
    struct tunable_search *s = ctx;
    size_t i = memo_find(s, n);
    if (i != (size_t)-1)
        return s->memo_fails[i];
    if (s->stopped)
        return true;
    int code = -1;
    enum tunable_run how = s->run(n, &code, s->ctx);
    s->runs++;
    s->stopped |= how == TUNABLE_STOP;
    if (s->nmemo < TUNABLE_MEMO) {
        s->memo_n[s->nmemo] = n, s->memo_exit[s->nmemo] = code;
        s->memo_fails[s->nmemo++] = how != TUNABLE_WORKS;
    }
    return how != TUNABLE_WORKS;
}

void tunable_search_run(struct tunable_search *s)
{
    s->smallest = -1;
    s->prediction_hit = s->stopped = false;
    s->exit_at = s->exit_below = -1;
    long long lo = s->known_fails, hi = s->known_works, p = s->predicted, n = -1;
    if (p >= 0 && p > lo && (hi < 0 || p <= hi)) {
        if (!fails(p, s)) {
            s->prediction_hit = p == 0 || fails(p - 1, s);
            n = p;
            hi = p - 1;
        } else {
            lo = p;
        }
    }
    if (!s->prediction_hit && !s->stopped) {
        if (hi < 0 && lo < 0 && !fails(0, s)) {
            n = 0; /* nothing less to try */
        } else {
            if (lo < 0 && hi < 0)
                lo = 0;
            if (hi < 0 && !search_grow(&lo, &hi, fails, s))
                return; /* none up to SEARCH_MAX */
            n = search_last(lo, hi, fails, s) + 1;
        }
    }
    if (n > 0 && memo_find(s, n - 1) == (size_t)-1)
        fails(n - 1, s); /* shown failing */
    if (s->stopped)
        return;
    s->smallest = n;
    s->exit_at = memo_exit(s, n);
    s->exit_below = memo_exit(s, n - 1);
}
