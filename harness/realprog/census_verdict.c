#define _GNU_SOURCE
#include "census_verdict.h"

#include <elf.h>
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

/* Whether module (a path) is the one a DT_NEEDED of name finds: ld.so
   takes a loaded object for a name before it searches. */
static bool module_named(const char *module, const char *name)
{
    const char *slash = strrchr(module, '/');
    return strcmp(slash ? slash + 1 : module, name) == 0;
}

/* Already in every process of b: one of its startup modules by file, or
   by the DT_NEEDED name that brought the object in (the libc.so.6 that the
   closure found among this machine's libraries stands for the build's own,
   which the process starts with).  A file under the paths that merely calls
   itself libc.so.6 is no startup module: a dlopen of it loads it anew. */
static bool is_startup_module(const struct budget *b, const struct census_object *o)
{
    struct stat a, s;
    bool have = stat(o->path, &a) == 0;
    for (size_t i = 0; i < b->nmodules; i++) {
        if (o->needed_as && module_named(b->modules[i].path, o->needed_as))
            return true;
        if (have && stat(b->modules[i].path, &s) == 0 && s.st_dev == a.st_dev &&
            s.st_ino == a.st_ino)
            return true;
    }
    return false;
}

/* The C library or its loader, which any process starts with: an object
   a DT_NEEDED entry brought in by such a name (musl's own is found by
   it), never a file under the paths, which a dlopen would load. */
static bool is_libc(const struct census_object *o)
{
    const char *name = o->needed_as;
    return name && (strncmp(name, "libc.so", 7) == 0 || strncmp(name, "libc.musl", 9) == 0 ||
                    strncmp(name, "ld-linux", 8) == 0 || strncmp(name, "ld-musl", 7) == 0);
}

/* Larger, or aligned more, than any static TLS area: it does not fit
   (a PT_TLS beyond the address space is one). */
static bool too_large(const struct elf_tls *t)
{
    return t->tls_memsz > (uint64_t)SEARCH_MAX || t->tls_align > (uint64_t)SEARCH_MAX;
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
        if (!census_object_mapped(o))
            continue; /* the copy a name found before it is the one loaded */
        if (!elf_tls_size_ok(t) && !too_large(t))
            continue; /* no size: the verdict names it as unplaceable */
        if (is_startup_module(b, o)) {
            v->already++;
            continue;
        }
        if (too_large(t)) {
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
    if (v->unplaceable) /* whatever the free bytes: a process that dlopens it may die */
        v->judged = true, v->fits = false;
    else if (v->too_new) /* whatever the free bytes: ld.so refuses it */
        v->judged = true, v->fits = false;
    else if (v->musl)
        v->judged = true, v->fits = v->refused == 0;
    else
        v->judged = v->known && v->modelled,
        v->fits = v->judged && !v->misaligned && !v->too_large &&
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
    if (v->known && strcmp(l.budget.libc_name, "glibc") == 0)
        snprintf(v->release, sizeof v->release, "%s", l.budget.libc_version);
    if (v->known) {
        v->free_bytes = l.max_bytes;
        place_demand(statics, nstatic, &l.budget, v);
        limit_result_free(&l);
    }
    kit_close(&kit);
    run_env_free(&env);
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
    snprintf(v->release, sizeof v->release, "%s", p->version);
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
    char *host_version = xstrdup(b.libc_version);
    size_t host_used = b.used;
    /* The release's own startup layout where the model knows it (libc.so.6's
       TLS block, measured on an upstream build of it), else this one's. */
    if (budget_model_release(&b, p->version))
        v->assumed = xasprintf("glibc %s's rules on its own startup layout (libc.so.6's TLS "
                               "block of %zu bytes, measured on an upstream %s: %zu bytes used "
                               "at startup); no build of %s runs here", p->version,
                               b.model.rules.libc_tls_size, p->version, b.used, p->version);
    else
        v->assumed = xasprintf("glibc %s's rules on the startup layout of %s (glibc %s, %zu "
                               "bytes used at startup: the model knows no layout of %s's own); "
                               "no build of %s runs here", p->version, describe, host_version,
                               host_used, p->version, p->version);
    free(describe);
    free(host_version);
    v->known = b.modelled;
    if (!v->known)
        snprintf(v->error, sizeof v->error, "%s", b.why_not_modelled);
    else
        v->free_bytes = model_free(&b.model);
    place_demand(statics, nstatic, &b, v);
    budget_free(&b);
}

/* A name for a machine no build here is for: what the user may know it as. */
static char *machine_name(int e_machine)
{
    static const struct {
        int e_machine;
        const char *name;
    } names[] = {{EM_RISCV, "riscv"},  {EM_PPC64, "ppc64"}, {EM_PPC, "ppc"},
                 {EM_S390, "s390"},    {EM_ARM, "arm"},     {EM_MIPS, "mips"},
                 {EM_SPARCV9, "sparc64"}, {EM_IA_64, "ia64"}};
    const char *known = policy_machine(e_machine);
    if (known)
        return xstrdup(known);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].e_machine == e_machine)
            return xstrdup(names[i].name);
    return xasprintf("e_machine %d", e_machine);
}

static struct census_group *group_of(struct census_group **g, size_t *n, int e_machine)
{
    for (size_t k = 0; k < *n; k++)
        if ((*g)[k].e_machine == e_machine)
            return &(*g)[k];
    struct census_group *new = XAPPEND(g, n);
    *new = (struct census_group){.e_machine = e_machine, .machine = machine_name(e_machine)};
    return new;
}

struct census_group *census_groups(const struct census_object *const *tls, size_t ntls,
                                   size_t nstatic, const struct libc_build_list *builds,
                                   size_t *ngroups)
{
    struct census_group *g = NULL;
    *ngroups = 0;
    for (size_t i = 0; i < ntls; i++) {
        if (i >= nstatic && elf_tls_size_ok(&tls[i]->tls))
            continue; /* dynamic TLS only: any process takes it */
        struct census_group *into = group_of(&g, ngroups, tls[i]->tls.machine);
        *XAPPEND(&into->objects, &into->nobjects) = tls[i];
        into->nstatic += i < nstatic;
    }
    if (!*ngroups) { /* nothing to judge: the free bytes of the host's machine all the same */
        g = xcalloc(1, sizeof *g);
        g->machine = xstrdup(builds->items[0].machine);
        *ngroups = 1;
    }
    return g;
}

/* Whether o is an object of the group's machine (an empty group's
   machine is named only). */
static bool of_group(const struct census_group *g, const struct census_object *o)
{
    const char *name = policy_machine(o->tls.machine);
    return g->e_machine ? o->tls.machine == g->e_machine
                        : name && strcmp(name, g->machine) == 0;
}

/* The first object of the group's machine that a process maps and whose
   needs v's release lacks. */
static void find_too_new(const struct census_group *g, const struct census *c,
                         struct census_verdict *v)
{
    if (!v->release[0])
        return;
    for (size_t i = 0; i < c->nobjects && !v->too_new; i++) {
        const struct census_object *o = &c->objects[i];
        if (o->system || !census_object_mapped(o) || !of_group(g, o))
            continue;
        const struct elf_version_need *n = elf_newest_glibc_need(&o->tls.version_needs);
        if (n && !glibc_release_defines(v->release, n->version))
            v->too_new = o->shown, v->too_new_version = n->version, v->too_new_of = n->file;
    }
}

void census_judge(struct census_group *g, const struct census *c, const struct policy *p,
                  const struct libc_build_list *builds, long min_headroom,
                  const struct settings *s)
{
    struct census_verdict *v = xcalloc(builds->n + 1, sizeof *v);
    size_t n = 0;
    if (p)
        judge_policy(g->objects, g->nstatic, p, g->machine, builds, s, &v[n++]);
    else
        for (size_t k = 0; k < builds->n; k++)
            if (strcmp(builds->items[k].machine, g->machine) == 0)
                judge_build(g->objects, g->nstatic, &builds->items[k], s, &v[n++]);
    if (!n) { /* e.g. aarch64 objects where no aarch64 build was fetched; RISC-V */
        v[n].platform = xasprintf("glibc on %s", g->machine);
        snprintf(v[n++].error, sizeof v->error, "no libc build for %s here", g->machine);
    }
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < g->nobjects && !v[k].unplaceable; i++)
            if (!elf_tls_size_ok(&g->objects[i]->tls) && !too_large(&g->objects[i]->tls))
                v[k].unplaceable = g->objects[i]->shown;
        find_too_new(g, c, &v[k]);
        decide(&v[k], min_headroom);
    }
    g->verdicts = v;
    g->nverdicts = n;
}

bool census_group_judged(const struct census_group *g)
{
    bool judged = !g->nobjects;
    for (size_t i = 0; i < g->nverdicts; i++)
        judged |= g->verdicts[i].judged;
    return judged;
}

enum census_outcome census_outcome(const struct census_group *g, size_t ngroups,
                                   size_t unjudged)
{
    bool not_judged = unjudged > 0;
    for (size_t k = 0; k < ngroups; k++) {
        for (size_t i = 0; i < g[k].nverdicts; i++)
            if (g[k].verdicts[i].judged && !g[k].verdicts[i].fits)
                return CENSUS_DOES_NOT_FIT;
        not_judged |= !census_group_judged(&g[k]);
    }
    return not_judged ? CENSUS_NOT_JUDGED : CENSUS_FITS;
}

const char *census_outcome_name(enum census_outcome o)
{
    return o == CENSUS_FITS ? "fits" : o == CENSUS_DOES_NOT_FIT ? "does not fit" : "not judged";
}

void census_groups_free(struct census_group *g, size_t ngroups)
{
    for (size_t k = 0; k < ngroups; k++) {
        for (size_t i = 0; i < g[k].nverdicts; i++)
            free(g[k].verdicts[i].platform), free(g[k].verdicts[i].assumed);
        free(g[k].verdicts);
        free(g[k].objects);
        free(g[k].machine);
    }
    free(g);
}
