#define _GNU_SOURCE
#include "census_verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget.h"
#include "fixture.h"
#include "limit.h"
#include "runenv.h"
#include "search.h"
#include "spawn.h"
#include "xalloc.h"

/* Objects needing static TLS first, then by block size, largest first. */
static int compare_objects(const void *a, const void *b)
{
    const struct census_object *x = *(const struct census_object *const *)a;
    const struct census_object *y = *(const struct census_object *const *)b;
    bool sx = elf_tls_needs_static(&x->tls), sy = elf_tls_needs_static(&y->tls);
    if (sx != sy)
        return sx ? -1 : 1;
    if (x->tls.tls_memsz != y->tls.tls_memsz)
        return x->tls.tls_memsz > y->tls.tls_memsz ? -1 : 1;
    return strcmp(x->shown, y->shown);
}

const struct census_object **census_tls_objects(const struct census *c, size_t *ntls,
                                                size_t *nstatic)
{
    const struct census_object **tls = xcalloc(c->nobjects + 1, sizeof *tls);
    *ntls = *nstatic = 0;
    for (size_t i = 0; i < c->nobjects; i++)
        if (c->objects[i].tls.has_tls)
            tls[(*ntls)++] = &c->objects[i];
    if (*ntls) /* qsort(NULL, 0) is undefined */
        qsort(tls, *ntls, sizeof *tls, compare_objects);
    while (*nstatic < *ntls && elf_tls_needs_static(&tls[*nstatic]->tls))
        (*nstatic)++;
    return tls;
}

/* Already in every process: a startup module of b, by file or by name
   (libc.so.6 of another tree is still the libc the process starts with). */
static bool is_startup_module(const struct budget *b, const struct census_object *o)
{
    struct stat a, s;
    bool have = stat(o->path, &a) == 0;
    for (size_t i = 0; i < b->nmodules; i++) {
        const char *slash = strrchr(b->modules[i].path, '/');
        const char *base = slash ? slash + 1 : b->modules[i].path;
        if (o->tls.soname && strcmp(o->tls.soname, base) == 0)
            return true;
        if (have && stat(b->modules[i].path, &s) == 0 && s.st_dev == a.st_dev &&
            s.st_ino == a.st_ino)
            return true;
    }
    return false;
}

/* The C library or its loader, which any process starts with. */
static bool is_libc(const struct census_object *o)
{
    const char *slash = strrchr(o->path, '/');
    const char *name = o->tls.soname ? o->tls.soname : slash ? slash + 1 : o->path;
    return strncmp(name, "libc.so", 7) == 0 || strncmp(name, "libc.musl", 9) == 0 ||
           strncmp(name, "ld-linux", 8) == 0 || strncmp(name, "ld-musl", 7) == 0;
}

/* The demand of the objects not already loaded at startup, placed by the
   model in an area without an end. */
static void place_demand(const struct census_object *const *statics, size_t nstatic,
                         const struct budget *b, struct census_verdict *v)
{
    v->modelled = b->modelled;
    if (!v->modelled)
        return;
    struct model m = b->model;
    m.area_end += (size_t)1 << 40; /* keeps its alignment */
    size_t before = m.used;
    for (size_t i = 0; i < nstatic; i++) {
        const struct census_object *o = statics[i];
        const struct elf_tls *t = &o->tls;
        if (is_startup_module(b, o)) {
            v->already++;
            continue;
        }
        if (t->tls_memsz > (uint64_t)SEARCH_MAX || t->tls_align > (uint64_t)SEARCH_MAX) {
            if (!v->too_large)
                v->too_large = o->shown;
            continue;
        }
        struct tls_block block = {t->tls_memsz, t->tls_align, elf_tls_firstbyte(t)};
        enum placement how = model_load(&m, &block, TLS_IE).how;
        if (how == FAILED_ALIGN && !v->misaligned)
            v->misaligned = o->shown;
        else if (how != PLACED_STATIC && how != FAILED_ALIGN && !v->too_large)
            v->too_large = o->shown;
    }
    v->demand = m.used - before;
}

static void decide(struct census_verdict *v, long min_headroom)
{
    if (v->musl)
        v->fits = v->refused == 0;
    else
        v->fits = v->known && v->modelled && !v->misaligned && !v->too_large &&
                  v->demand + (uint64_t)min_headroom <= v->free_bytes;
}

/* A build here: its free bytes measured by `limit`. */
static void judge_build(const struct census_object *const *statics, size_t nstatic,
                        const struct libc_build *b, const struct settings *s,
                        struct census_verdict *v)
{
    struct run_env env;
    run_env_empty(&env, b, s, PROBE_TIMEOUT_S);
    struct fixture_kit kit;
    kit_open(&kit, b->dir, s);
    struct limit_query q = {.env = &env, .kit = &kit, .model = TLS_IE, .align = 1};
    struct limit_result l;
    if (!v->platform)
        v->platform = libc_build_describe(b);
    v->known = v->free_measured = limit_measure(&q, &l, v->error, sizeof v->error);
    if (v->known) {
        v->free_bytes = l.max_bytes;
        place_demand(statics, nstatic, &l.budget, v);
        limit_result_free(&l);
    }
    kit_close(&kit);
    run_env_free(&env);
}

const char *census_machine(const struct census_object *const *statics, size_t nstatic,
                           const struct libc_build_list *builds)
{
    const char *m = nstatic ? policy_machine(statics[0]->tls.machine) : NULL;
    return m ? m : builds->items[0].machine;
}

/* A platform named by --policy: measured where a build of its glibc is
   here, otherwise modelled on a build of the same machine. */
static void judge_policy(const struct census_object *const *statics, size_t nstatic,
                         const struct policy *p, const char *machine,
                         const struct libc_build_list *builds, const struct settings *s,
                         struct census_verdict *v)
{
    if (p->musl) {
        v->platform = xasprintf("%s: musl", p->name);
        v->musl = v->known = true;
        for (size_t i = 0; i < nstatic; i++) /* the libc itself is no dlopen */
            v->refused += !is_libc(statics[i]);
        return;
    }
    v->platform = xasprintf("%s: glibc %s on %s", p->name, p->version, machine);
    const struct libc_build *layout = policy_layout_build(machine, builds);
    if (!layout) {
        snprintf(v->error, sizeof v->error, "no libc build for %s here to model it on", machine);
        return;
    }
    struct run_env env;
    run_env_empty(&env, layout, s, PROBE_TIMEOUT_S);
    struct budget b;
    bool read = budget_read(&env.probe, &b, v->error, sizeof v->error);
    run_env_free(&env);
    if (!read)
        return;
    const struct libc_build *here = policy_build(p, machine, builds, b.libc_version);
    if (here) {
        budget_free(&b);
        judge_build(statics, nstatic, here, s, v);
        return;
    }
    char *describe = libc_build_describe(layout);
    v->assumed = xasprintf("glibc %s's rules on the startup layout of %s (glibc %s, %zu bytes "
                           "used at startup); no build of %s runs here",
                           p->version, describe, b.libc_version, b.used, p->version);
    free(describe);
    budget_model_as(&b, p->version);
    v->known = b.modelled;
    if (!v->known)
        snprintf(v->error, sizeof v->error, "%s", b.why_not_modelled);
    else
        v->free_bytes = model_free(&b.model);
    place_demand(statics, nstatic, &b, v);
    budget_free(&b);
}

struct census_verdict *census_judge(const struct census_object *const *statics, size_t nstatic,
                                    const struct policy *p, const char *machine,
                                    const struct libc_build_list *builds, long min_headroom,
                                    const struct settings *s, size_t *n)
{
    struct census_verdict *v = xcalloc(builds->n + 1, sizeof *v);
    *n = 0;
    if (p)
        judge_policy(statics, nstatic, p, machine, builds, s, &v[(*n)++]);
    else
        for (size_t k = 0; k < builds->n; k++)
            if (strcmp(builds->items[k].machine, machine) == 0)
                judge_build(statics, nstatic, &builds->items[k], s, &v[(*n)++]);
    if (!*n) { /* e.g. aarch64 objects where no aarch64 build was fetched */
        v[*n].platform = xasprintf("glibc on %s", machine);
        snprintf(v[(*n)++].error, sizeof v->error, "no libc build for %s here", machine);
    }
    for (size_t k = 0; k < *n; k++)
        decide(&v[k], min_headroom);
    return v;
}

bool census_fits(const struct census_verdict *v, size_t n)
{
    bool fits = true;
    for (size_t k = 0; k < n; k++)
        fits &= v[k].fits || !v[k].known; /* a build that cannot run here says so */
    return fits;
}

void census_verdicts_free(struct census_verdict *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(v[k].platform), free(v[k].assumed);
    free(v);
}
