/* statictls census: every ELF object with TLS under the given files and
   directories, what static TLS each needs, and whether all of them together
   fit the free static TLS of each libc build, measured now. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "elfinfo.h"
#include "json.h"
#include "libcbuild.h"
#include "limit.h"
#include "xsys.h"

struct tls_object {
    char *path;
    struct elf_tls tls;
};

struct census {
    struct tls_object *objects;
    size_t nobjects;
    char **unreadable; /* "path: why" for ELF-looking files libelf refused */
    size_t nunreadable;
    unsigned long files, elf_files;
    struct { dev_t dev; ino_t ino; } *seen;
    size_t nseen;
};

static struct census *walking; /* nftw has no user pointer */

static bool seen_before(struct census *c, const struct stat *st)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (c->seen[i].dev == st->st_dev && c->seen[i].ino == st->st_ino)
            return true;
    c->seen = xrealloc(c->seen, (c->nseen + 1) * sizeof *c->seen);
    c->seen[c->nseen].dev = st->st_dev;
    c->seen[c->nseen++].ino = st->st_ino;
    return false;
}

/* The ELF magic, read before libelf sees the file: a site-packages holds
   thousands of files, few of them ELF. */
static bool looks_like_elf(const char *path)
{
    unsigned char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    bool elf = read(fd, magic, sizeof magic) == sizeof magic && memcmp(magic, "\177ELF", 4) == 0;
    close(fd);
    return elf;
}

static void examine(struct census *c, const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || seen_before(c, st))
        return;
    c->files++;
    if (!looks_like_elf(path))
        return;
    c->elf_files++;
    struct elf_tls t;
    char err[512];
    if (!elf_tls_read(path, &t, err, sizeof err)) {
        *XAPPEND(&c->unreadable, &c->nunreadable) = xstrdup(err);
        return;
    }
    if (!t.has_tls) {
        elf_tls_free(&t);
        return;
    }
    struct tls_object *o = XAPPEND(&c->objects, &c->nobjects);
    o->path = xstrdup(path);
    o->tls = t;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_F)
        examine(walking, path, st);
    else if (type == FTW_DNR || type == FTW_NS)
        *XAPPEND(&walking->unreadable, &walking->nunreadable) =
            xasprintf("%s: cannot read", path);
    return 0;
}

/* Static TLS first, then by block size, largest first. */
static int compare_objects(const void *a, const void *b)
{
    const struct tls_object *x = a, *y = b;
    bool sx = elf_tls_needs_static(&x->tls), sy = elf_tls_needs_static(&y->tls);
    if (sx != sy)
        return sx ? -1 : 1;
    if (x->tls.tls_memsz != y->tls.tls_memsz)
        return x->tls.tls_memsz > y->tls.tls_memsz ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* One libc build's verdict on dlopen'ing every static-TLS object of the
   census into a fresh process: their demand, padding included, placed by
   the model in an area without an end, against the free bytes measured. */
struct verdict {
    char *build;
    bool measured;
    char error[256];
    uint64_t free_bytes; /* measured: limit */
    bool modelled;
    size_t demand;       /* modelled */
    size_t already;      /* static-TLS objects already in the initial block */
    const char *misaligned; /* an object aligned above the static alignment */
};

static bool is_startup_module(const struct budget *b, const char *path)
{
    struct stat a, s;
    if (stat(path, &a) != 0)
        return false;
    for (size_t i = 0; i < b->nmodules; i++)
        if (stat(b->modules[i].path, &s) == 0 && s.st_dev == a.st_dev && s.st_ino == a.st_ino)
            return true;
    return false;
}

static void judge(const struct census *c, size_t nstatic, const struct libc_build *b,
                  struct verdict *v)
{
    struct run_env env;
    run_env_empty(&env, b, PROBE_TIMEOUT_S);
    struct fixture_kit kit;
    kit_open(&kit, b->dir);
    struct limit_query q = {.env = &env, .kit = &kit, .model = TLS_IE, .align = 1};
    struct limit_result l;
    v->build = libc_build_describe(b);
    v->measured = limit_measure(&q, &l, v->error, sizeof v->error);
    if (v->measured) {
        v->free_bytes = l.max_bytes;
        v->modelled = l.budget.modelled;
        if (v->modelled) {
            struct model m = l.budget.model;
            m.area_end += (size_t)1 << 40; /* keeps its alignment */
            size_t before = m.used;
            for (size_t i = 0; i < nstatic; i++) {
                const struct elf_tls *t = &c->objects[i].tls;
                if (is_startup_module(&l.budget, c->objects[i].path)) {
                    v->already++;
                    continue;
                }
                struct tls_block b = {t->tls_memsz, t->tls_align, elf_tls_firstbyte(t)};
                if (model_load(&m, &b, TLS_IE).how == FAILED_ALIGN && !v->misaligned)
                    v->misaligned = c->objects[i].path;
            }
            v->demand = m.used - before;
        }
        limit_result_free(&l);
    }
    kit_close(&kit);
    run_env_free(&env);
}

static void print_census(const struct census *c, const struct verdict *v, size_t nv,
                         size_t nstatic)
{
    printf("%lu files, %lu ELF, %zu with TLS, %zu need static TLS, %zu unreadable\n", c->files,
           c->elf_files, c->nobjects, nstatic, c->nunreadable);
    printf("  %8s %6s  %-12s %5s %5s %5s  %s\n", "size", "align", "access", "IE", "DESC", "GD",
           "path");
    for (size_t i = 0; i < c->nobjects; i++) {
        const struct tls_object *o = &c->objects[i];
        printf("  %8llu %6llu  %-12s %5u %5u %5u  %s\n", (unsigned long long)o->tls.tls_memsz,
               (unsigned long long)o->tls.tls_align, tls_access_long_name(elf_tls_access(&o->tls)), o->tls.ie_relocs,
               o->tls.desc_relocs, o->tls.gd_relocs, o->path);
    }
    for (size_t i = 0; i < c->nunreadable; i++)
        printf("  unreadable: %s\n", c->unreadable[i]);
    printf("\nall %zu static-TLS objects dlopen'ed into a fresh process:\n", nstatic);
    for (size_t k = 0; k < nv; k++) {
        if (!v[k].measured) {
            printf("  %-40s not measured: %s\n", v[k].build, v[k].error);
            continue;
        }
        printf("  %-40s free %llu (measured)", v[k].build, (unsigned long long)v[k].free_bytes);
        if (v[k].misaligned)
            printf("; does not fit: %s is aligned above the static alignment (modelled)\n",
                   v[k].misaligned);
        else if (v[k].modelled)
            printf("; demand %zu with padding (modelled; %zu already in the initial block): %s\n",
                   v[k].demand, v[k].already,
                   v[k].demand <= v[k].free_bytes ? "fits" : "does not fit");
        else
            printf("; no model for this libc\n");
    }
}

static void census_json(const struct census *c, const struct verdict *v, size_t nv)
{
    struct json j;
    json_init(&j, stdout, NULL); /* the user's own files */
    json_object(&j);
    json_kv_int(&j, "files", (long long)c->files);
    json_kv_int(&j, "elf_files", (long long)c->elf_files);
    json_key(&j, "objects");
    json_array(&j);
    for (size_t i = 0; i < c->nobjects; i++) {
        const struct tls_object *o = &c->objects[i];
        json_object(&j);
        json_kv_string(&j, "path", o->path);
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
    json_key(&j, "fresh_process");
    json_array(&j);
    for (size_t k = 0; k < nv; k++) {
        json_object(&j);
        json_kv_string(&j, "libc_build", v[k].build);
        if (!v[k].measured) {
            json_kv_string(&j, "error", v[k].error);
        } else {
            json_kv_int(&j, "measured_free", (long long)v[k].free_bytes);
            json_key(&j, "modelled_demand");
            if (v[k].modelled)
                json_int(&j, (long long)v[k].demand);
            else
                json_null(&j);
            json_kv_int(&j, "already_in_initial_block", (long long)v[k].already);
            json_kv_string(&j, "aligned_above_static", v[k].misaligned);
        }
        json_end(&j);
    }
    json_end(&j);
    json_end(&j);
    printf("\n");
}

int cmd_census(int argc, char **argv)
{
    bool as_json = false;
    struct census c = {0};
    size_t npaths = 0;
    walking = &c;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
            continue;
        }
        if (strncmp(argv[i], "--", 2) == 0)
            die_input("census: unknown option \"%s\"", argv[i]);
        npaths++;
        struct stat st;
        if (stat(argv[i], &st) != 0)
            die_input("census: %s: %s", argv[i], strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            if (nftw(argv[i], visit, 32, FTW_PHYS) != 0)
                die_errno("census: walk %s", argv[i]);
        } else {
            examine(&c, argv[i], &st);
        }
    }
    if (!npaths)
        die_input("census: name at least one file or directory");
    qsort(c.objects, c.nobjects, sizeof *c.objects, compare_objects);
    size_t nstatic = 0;
    while (nstatic < c.nobjects && elf_tls_needs_static(&c.objects[nstatic].tls))
        nstatic++;

    /* The host's libc and every glibc release built here. */
    struct libc_build_list builds;
    libc_build_list_here(true, false, &builds);
    struct verdict *v = xcalloc(builds.n, sizeof *v);
    for (size_t k = 0; k < builds.n; k++)
        judge(&c, nstatic, &builds.items[k], &v[k]);
    if (as_json)
        census_json(&c, v, builds.n);
    else
        print_census(&c, v, builds.n, nstatic);

    for (size_t k = 0; k < builds.n; k++)
        free(v[k].build);
    free(v);
    libc_build_list_free(&builds);
    for (size_t i = 0; i < c.nobjects; i++) {
        free(c.objects[i].path);
        elf_tls_free(&c.objects[i].tls);
    }
    free(c.objects);
    for (size_t i = 0; i < c.nunreadable; i++)
        free(c.unreadable[i]);
    free(c.unreadable);
    free(c.seen);
    return EXIT_PASS;
}
