/* statictls census: every ELF object with TLS under the given files,
   directories, wheels and environments, with their DT_NEEDED closure, what
   static TLS each needs, and whether all of them together fit the free
   static TLS of each libc build here, or of one platform (--policy).
   Exit 1 when they do not fit. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "census.h"
#include "cli.h"
#include "commands.h"
#include "json.h"
#include "libcbuild.h"
#include "limit.h"
#include "policy.h"
#include "search.h"
#include "die.h"
#include "xalloc.h"

/* One platform's verdict on dlopen'ing every static-TLS object of the
   census into a fresh process: their demand, padding included, placed by
   the model in an area without an end, against the free bytes. */
struct verdict {
    char *platform;
    bool known;          /* free bytes known: measured or modelled */
    char error[256];
    uint64_t free_bytes;
    bool free_measured;  /* else modelled */
    char *assumed;       /* what modelling the free bytes assumed, or NULL */
    bool modelled;       /* the demand: the model knows this libc */
    size_t demand;
    size_t already;      /* static-TLS objects already in the initial block */
    const char *misaligned; /* an object aligned above the static alignment */
    const char *too_large;  /* an object larger than any static TLS area */
    bool musl;           /* musl's rule: no dlopen'ed initial-exec TLS at all */
    size_t refused;      /* musl: the objects it refuses */
    bool fits;
};

struct census_args {
    bool as_json;
    const char *policy;
    long min_headroom;
    char **paths;
    size_t npaths;
};

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

static void place_demand(const struct census_object *const *statics, size_t nstatic,
                         const struct budget *b, struct verdict *v)
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

static void decide(struct verdict *v, long min_headroom)
{
    if (v->musl)
        v->fits = v->refused == 0;
    else
        v->fits = v->known && v->modelled && !v->misaligned && !v->too_large &&
                  v->demand + (uint64_t)min_headroom <= v->free_bytes;
}

/* A build here: its free bytes measured by `limit`. */
static void judge_build(const struct census_object *const *statics, size_t nstatic,
                        const struct libc_build *b, struct verdict *v)
{
    struct run_env env;
    run_env_empty(&env, b, PROBE_TIMEOUT_S);
    struct fixture_kit kit;
    kit_open(&kit, b->dir);
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

/* The machine the census's objects are for: that of its first static-TLS
   object, else the host's. */
static const char *census_machine(const struct census_object *const *statics, size_t nstatic,
                                  const struct libc_build_list *builds)
{
    const char *m = nstatic ? policy_machine(statics[0]->tls.machine) : NULL;
    return m ? m : builds->items[0].machine;
}

/* A platform named by --policy: measured where a build of its glibc is
   here, otherwise modelled on a build of the same machine. */
static void judge_policy(const struct census_object *const *statics, size_t nstatic,
                         const struct policy *p, const char *machine,
                         const struct libc_build_list *builds, struct verdict *v)
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
    run_env_empty(&env, layout, PROBE_TIMEOUT_S);
    struct budget b;
    bool read = budget_read(&env.probe, &b, v->error, sizeof v->error);
    run_env_free(&env);
    if (!read)
        return;
    const struct libc_build *here = policy_build(p, machine, builds, b.libc_version);
    if (here) {
        budget_free(&b);
        judge_build(statics, nstatic, here, v);
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

static void print_verdict(const struct verdict *v, const struct census_args *a)
{
    printf("  %-40s ", v->platform);
    if (v->musl) {
        if (v->refused)
            printf("does not fit: musl refuses a dlopen'ed object with initial-exec TLS, and "
                   "%zu need static TLS (musl's rule)\n", v->refused);
        else
            printf("fits: no object needs static TLS (musl's rule)\n");
        return;
    }
    if (!v->known) {
        printf("not measured: %s\n", v->error);
        return;
    }
    printf("free %llu (%s)", (unsigned long long)v->free_bytes,
           v->free_measured ? "measured" : "modelled");
    if (v->too_large)
        printf("; does not fit: %s is larger than any static TLS area (modelled)\n", v->too_large);
    else if (v->misaligned)
        printf("; does not fit: %s is aligned above the static alignment (modelled)\n",
               v->misaligned);
    else if (v->modelled && a->min_headroom)
        printf("; demand %zu with padding (modelled; %zu already in the initial block) + %ld "
               "headroom kept for others: %s\n", v->demand, v->already, a->min_headroom,
               v->fits ? "fits" : "does not fit");
    else if (v->modelled)
        printf("; demand %zu with padding (modelled; %zu already in the initial block): %s\n",
               v->demand, v->already, v->fits ? "fits" : "does not fit");
    else
        printf("; no model for this libc\n");
    if (v->assumed)
        printf("  %-40s modelled: %s\n", "", v->assumed);
}

/* "needed by X" for an object the closure brought in. */
static const char *via(const struct census *c, const struct census_object *o)
{
    return o->needed_by < 0 ? NULL : c->objects[o->needed_by].shown;
}

static void print_census(const struct census *c, const struct census_object *const *tls,
                         size_t ntls, size_t nstatic, const char *machine,
                         const struct verdict *v, size_t nv, const struct census_args *a)
{
    size_t pulled[3] = {0}; /* objects, with TLS, needing static TLS */
    for (size_t i = 0; i < c->nobjects; i++)
        pulled[0] += c->objects[i].needed_by >= 0;
    for (size_t i = 0; i < ntls; i++) {
        pulled[1] += tls[i]->needed_by >= 0;
        pulled[2] += tls[i]->needed_by >= 0 && i < nstatic;
    }
    printf("%lu files, %lu ELF, %zu with TLS, %zu need static TLS, %zu unreadable\n", c->files,
           c->elf_files, ntls - pulled[1], nstatic - pulled[2], c->nunreadable);
    printf("DT_NEEDED closure: %zu more objects, %zu with TLS, %zu need static TLS, %zu not "
           "found\n", pulled[0], pulled[1], pulled[2], c->nmissing);
    printf("  %8s %6s  %-12s %5s %5s %5s  %s\n", "size", "align", "access", "IE", "DESC", "GD",
           "path");
    for (size_t i = 0; i < ntls; i++) {
        const struct census_object *o = tls[i];
        printf("  %8llu %6llu  %-12s %5u %5u %5u  %s", (unsigned long long)o->tls.tls_memsz,
               (unsigned long long)o->tls.tls_align, tls_access_long_name(elf_tls_access(&o->tls)),
               o->tls.ie_relocs, o->tls.desc_relocs, o->tls.gd_relocs, o->shown);
        if (via(c, o))
            printf("  (needed by %s)", via(c, o));
        printf("\n");
    }
    for (size_t i = 0; i < c->nunreadable; i++)
        printf("  unreadable: %s\n", c->unreadable[i]);
    for (size_t i = 0; i < c->nmissing; i++)
        printf("  not found: %s\n", c->missing[i]);
    printf("\nall %zu static-TLS objects dlopen'ed into a fresh %s process:\n", nstatic, machine);
    for (size_t k = 0; k < nv; k++)
        print_verdict(&v[k], a);
}

static void census_json(const struct census *c, const struct census_object *const *tls, size_t ntls,
                        const struct verdict *v, size_t nv, const struct census_args *a)
{
    struct json j;
    json_init(&j, stdout, NULL); /* the user's own files */
    json_object(&j);
    json_kv_int(&j, "files", (long long)c->files);
    json_kv_int(&j, "elf_files", (long long)c->elf_files);
    json_key(&j, "objects");
    json_array(&j);
    for (size_t i = 0; i < ntls; i++) {
        const struct census_object *o = tls[i];
        json_object(&j);
        json_kv_strings(&j, "path", o->shown, "needed_by", via(c, o), NULL);
        json_kv_int(&j, "tls_size", (long long)o->tls.tls_memsz);
        json_kv_int(&j, "tls_align", (long long)o->tls.tls_align);
        json_kv_bool(&j, "static_tls", elf_tls_needs_static(&o->tls));
        json_kv_bool(&j, "df_static_tls", o->tls.flag_static_tls);
        json_kv_int(&j, "ie_relocs", o->tls.ie_relocs);
        json_kv_int(&j, "tlsdesc_relocs", o->tls.desc_relocs);
        json_kv_int(&j, "gd_relocs", o->tls.gd_relocs);
        json_end(&j);
    }
    json_end(&j);
    json_key(&j, "unreadable");
    json_array(&j);
    for (size_t i = 0; i < c->nunreadable; i++)
        json_string(&j, c->unreadable[i]);
    json_end(&j);
    json_key(&j, "not_found");
    json_array(&j);
    for (size_t i = 0; i < c->nmissing; i++)
        json_string(&j, c->missing[i]);
    json_end(&j);
    json_kv_string(&j, "policy", a->policy);
    json_kv_int(&j, "min_headroom", a->min_headroom);
    json_key(&j, "fresh_process");
    json_array(&j);
    for (size_t k = 0; k < nv; k++) {
        json_object(&j);
        json_kv_string(&j, "libc_build", v[k].platform);
        if (v[k].musl) {
            json_kv_int(&j, "refused_by_musl", (long long)v[k].refused);
        } else if (!v[k].known) {
            json_kv_string(&j, "error", v[k].error);
        } else {
            json_kv_int(&j, v[k].free_measured ? "measured_free" : "modelled_free",
                        (long long)v[k].free_bytes);
            json_kv_string(&j, "assumed", v[k].assumed);
            json_key(&j, "modelled_demand");
            if (v[k].modelled)
                json_int(&j, (long long)v[k].demand);
            else
                json_null(&j);
            json_kv_int(&j, "already_in_initial_block", (long long)v[k].already);
            json_kv_strings(&j, "aligned_above_static", v[k].misaligned, "too_large",
                            v[k].too_large, NULL);
        }
        json_kv_bool(&j, "fits", v[k].fits);
        json_end(&j);
    }
    json_end(&j);
    json_end(&j);
    printf("\n");
}

static void parse_args(int argc, char **argv, struct census_args *a)
{
    static const char usage[] = "usage: census [--json] [--policy manylinux2014|manylinux_X_Y|"
                                "musllinux_1_2|glibc-X.Y] [--min-headroom N] PATH...";
    a->paths = xcalloc((size_t)argc, sizeof *a->paths);
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--json") == 0) {
            a->as_json = true;
        } else if (strcmp(argv[i], "--policy") == 0 && next) {
            a->policy = argv[++i];
        } else if (strcmp(argv[i], "--min-headroom") == 0) {
            a->min_headroom = option_number("--min-headroom", next, 0, SEARCH_MAX);
            i++;
        } else if (strncmp(argv[i], "--", 2) == 0) {
            die_input("census: unknown option \"%s\" (%s)", argv[i], usage);
        } else {
            a->paths[a->npaths++] = argv[i];
        }
    }
    if (!a->npaths)
        die_input("census: name at least one file, directory or wheel (%s)", usage);
}

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

int cmd_census(int argc, char **argv)
{
    struct census_args a = {0};
    parse_args(argc, argv, &a);
    struct policy policy;
    if (a.policy && !policy_parse(a.policy, &policy))
        die_input("census: --policy %s: expected manylinux2014, manylinux_X_Y, musllinux_1_2 or "
                  "glibc-X.Y", a.policy);
    struct census c;
    census_init(&c);
    bool bad_input = false; /* every bad path is named, then the census stops */
    for (size_t i = 0; i < a.npaths; i++) {
        char why[1024];
        if (!census_add(&c, a.paths[i], why, sizeof why)) {
            fprintf(stderr, "statictls: census: %s\n", why);
            bad_input = true;
        }
    }
    if (bad_input) { /* stop before the probes: nothing is measured yet */
        census_free(&c);
        free(a.paths);
        return EXIT_USAGE;
    }
    /* The closure, resolved where the host's ld.so looks by default. */
    struct libc_build_list builds;
    libc_build_list_here(true, false, &builds);
    census_close_over(&c, builds.items[0].lib_dirs);

    const struct census_object **tls = xcalloc(c.nobjects + 1, sizeof *tls);
    size_t ntls = 0, nstatic = 0;
    for (size_t i = 0; i < c.nobjects; i++)
        if (c.objects[i].tls.has_tls)
            tls[ntls++] = &c.objects[i];
    if (ntls) /* qsort(NULL, 0) is undefined */
        qsort(tls, ntls, sizeof *tls, compare_objects);
    while (nstatic < ntls && elf_tls_needs_static(&tls[nstatic]->tls))
        nstatic++;

    /* Objects load only into a process of their own machine: an x86_64
       library has no verdict on an aarch64 or i386 build. */
    const char *machine = census_machine(tls, nstatic, &builds);
    struct verdict *v = xcalloc(builds.n, sizeof *v);
    size_t nv = 0;
    if (a.policy)
        judge_policy(tls, nstatic, &policy, machine, &builds, &v[nv++]);
    else
        for (size_t k = 0; k < builds.n; k++)
            if (strcmp(builds.items[k].machine, machine) == 0)
                judge_build(tls, nstatic, &builds.items[k], &v[nv++]);
    if (!nv) { /* e.g. aarch64 objects where no aarch64 build was fetched */
        v[nv].platform = xasprintf("glibc on %s", machine);
        snprintf(v[nv++].error, sizeof v->error, "no libc build for %s here", machine);
    }
    bool fits = true;
    for (size_t k = 0; k < nv; k++) {
        decide(&v[k], a.min_headroom);
        fits &= v[k].fits || !v[k].known; /* a build that cannot run here says so */
    }
    if (a.as_json)
        census_json(&c, tls, ntls, v, nv, &a);
    else
        print_census(&c, tls, ntls, nstatic, machine, v, nv, &a);

    for (size_t k = 0; k < nv; k++)
        free(v[k].platform), free(v[k].assumed);
    free(v);
    free((void *)tls);
    libc_build_list_free(&builds);
    census_free(&c);
    free(a.paths);
    return fits ? EXIT_PASS : EXIT_TRIPPED;
}
