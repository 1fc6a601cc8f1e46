/* statictls fuzz: the model against glibc on random cases, on one build
   or on every build here (the work: fuzzrun.c); prints each build's
   totals and the minimal case of each kind of disagreement. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "census.h"
#include "cli.h"
#include "commands.h"
#include "fuzzrun.h"
#include "json.h"
#include "policy.h"
#include "usage.h"
#include "visible.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

struct options {
    struct libc_choice choice;
    bool all, as_json;
    unsigned long long seed;
    long count;
    double seconds; /* > 0: run for this long instead of count cases */
    bool count_given;
    const char *out;
    bool real; /* --real: operands are its directories */
};

/* A finding as it is found, on stdout (in text mode): whatever happens to
   --out, nothing found is lost.  The first write to --out that fails is
   said once, on stderr. */
struct shown {
    bool as_json;
    bool said_out_error;
};

static void show_finding(const struct fuzz_run *r, const struct fuzz_finding *f, void *ctx)
{
    struct shown *sh = ctx;
    if (r->out_error && !sh->said_out_error) {
        fprintf(stderr, "statictls: fuzz: --out: cannot write %s; findings are printed on "
                        "stdout only (fuzz ends with exit 3)\n", r->out_error);
        sh->said_out_error = true;
    }
    if (sh->as_json)
        return; /* the JSON document holds every finding at the end */
    printf("%s: disagreement %s, shrunk:\n", r->build->name, f->signature);
    for (const char *s = f->minimal; *s;) {
        size_t len = strcspn(s, "\n");
        printf("       | %.*s\n", (int)len, s);
        s += len + (s[len] == '\n');
    }
    if (f->file)
        printf("       written to %s\n", f->file);
}

static void print_run(const struct fuzz_run *r, bool real)
{
    printf("%s: %lu cases in %.1f s (%.0f cases/s), %lu agree with the model, %lu disagree, "
           "%lu skipped, %lu rejected as impossible here",
           r->build->name, r->cases, r->seconds, r->seconds > 0 ? r->cases / r->seconds : 0.0,
           r->agreed, fuzz_disagreeing(r), r->skipped, r->rejected);
    if (real)
        printf(", %lu where a real library failed outside TLS", r->outside_tls);
    printf("\n");
    for (size_t i = 0; i < r->nleft_out; i++) {
        char *shown = visible(r->left_out[i]);
        printf("  left out: %s\n", shown);
        free(shown);
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct fuzz_finding *f = &r->findings[i];
        printf("  %4u x %s%s%s\n", f->count, f->signature, f->file ? ": " : " (shrunk case above)",
               f->file ? f->file : "");
    }
}

static void run_json(struct json *j, const struct fuzz_run *r)
{
    json_object(j);
    json_kv_string(j, "build", r->build->name);
    json_kv_int(j, "cases", (long long)r->cases);
    json_kv_int(j, "agree", (long long)r->agreed);
    json_kv_int(j, "skipped", (long long)r->skipped);
    json_kv_int(j, "rejected", (long long)r->rejected);
    json_kv_int(j, "outside_tls", (long long)r->outside_tls);
    json_key(j, "left_out");
    json_array(j);
    for (size_t i = 0; i < r->nleft_out; i++)
        json_string(j, r->left_out[i]);
    json_end(j);
    json_kv_int(j, "milliseconds", (long long)(r->seconds * 1e3));
    json_key(j, "disagreements");
    json_array(j);
    for (size_t i = 0; i < r->nfindings; i++) {
        json_object(j);
        json_kv_strings(j, "signature", r->findings[i].signature, "file", r->findings[i].file,
                        "minimal_case", r->findings[i].minimal, NULL);
        json_kv_int(j, "count", r->findings[i].count);
        json_end(j);
    }
    json_end(j);
    json_end(j);
}

/* One document: the header, what was asked (the first case's seed, and
   the count or the time), then each build's run. */
static void print_json(const struct options *o, const struct fuzz_run *runs, size_t n)
{
    struct json j;
    json_init(&j, stdout, "fuzz", NULL);
    json_object(&j);
    json_kv_uint(&j, "seed", o->seed);
    json_key(&j, "count");
    if (o->seconds > 0)
        json_null(&j);
    else
        json_int(&j, o->count);
    json_key(&j, "time_seconds");
    if (o->seconds > 0)
        json_int(&j, (long long)o->seconds);
    else
        json_null(&j);
    json_key(&j, "runs");
    json_array(&j);
    for (size_t k = 0; k < n; k++)
        run_json(&j, &runs[k]);
    json_end(&j);
    json_end(&j);
    printf("\n");
}

static void parse_args(const struct args *a, struct options *o)
{
    *o = (struct options){.choice = libc_choice_of(a), .all = arg_given(a, "--all"),
                          .as_json = arg_given(a, "--json"),
                          .seed = (unsigned long long)arg_number(a, "--seed"),
                          .count = arg_number(a, "--count"),
                          .count_given = arg_given(a, "--count"),
                          .seconds = arg_given(a, "--time") ? (double)arg_number(a, "--time") : 0,
                          .out = arg_string(a, "--out"), .real = arg_given(a, "--real")};
    if (a->noperands && !o->real)
        usage_error(a->command, "DIR... only with --real");
    if (o->real && o->all)
        usage_error(a->command, "--real runs on one build, not --all");
    if (o->all && o->choice.how != LIBC_CHOICE_HOST)
        usage_error(a->command, "--all or one build (--glibc, --musl, --libc-root, --libc-tree), "
                                "not both");
    if (o->count_given && o->seconds > 0)
        usage_error(a->command, "--count N or --time SECONDS, not both");
    if (o->choice.how == LIBC_CHOICE_RELEASE && strcmp(o->choice.value, "musl") == 0)
        die_input("fuzz: musl has no model to hold cases to (it keeps no static TLS surplus: "
                  "every dlopen'ed initial-exec module is refused, case musl-refuses-ie)");
    if (o->out) { /* before any case runs: a bad --out must not cost the findings */
        output_path_check(a, "--out", true);
        char err[512];
        if (!dir_write_check(o->out, err, sizeof err))
            usage_error(a->command, "--out %s: %s", o->out, err);
    }
}

static int compare_strings(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Whether an object of e_machine runs on a build of machine ("i686" is
   the i386 build's). */
static bool same_machine(int e_machine, const char *machine)
{
    const char *m = policy_machine(e_machine);
    return m && (strcmp(m, machine) == 0 || (strcmp(m, "i386") == 0 && strcmp(machine, "i686") == 0));
}

/* A shared library's file name: lib*.so*, or *.so (a plugin, an
   extension module); executables, which dlopen refuses, are not. */
static bool shared_library_name(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *so = strstr(base, ".so");
    return so && (so[3] == '\0' || so[3] == '.');
}

/* --real: the shared objects with TLS under the operands, or under the
   directories the build's ld.so searches, that a process of the build
   could map (its machine, a PT_TLS a loader can place); their paths, in
   the census's order (sorted here: the same seed gives the same cases). */
static char **real_libraries(const struct args *a, const struct libc_build *b, size_t *n)
{
    struct census c;
    census_init(&c, &a->settings);
    bool ok = true;
    for (size_t i = 0; i < a->noperands; i++) {
        char why[1024];
        if (!census_add(&c, a->operands[i], why, sizeof why)) {
            char *shown = visible(why);
            fprintf(stderr, "statictls: fuzz: --real: %s\n", shown);
            free(shown);
            ok = false;
        }
    }
    for (size_t d = 0; !a->noperands && b->lib_dirs[d]; d++) {
        char why[1024];
        census_add(&c, b->lib_dirs[d], why, sizeof why); /* one absent is no error */
    }
    if (!ok) {
        census_free(&c);
        exit(EXIT_USAGE);
    }
    char **paths = xcalloc(c.nobjects + 1, sizeof *paths);
    *n = 0;
    for (size_t i = 0; i < c.nobjects; i++) {
        const struct census_object *o = &c.objects[i];
        if (o->needed_by < 0 && census_object_mapped(o) && o->tls.has_tls &&
            elf_tls_size_ok(&o->tls) && same_machine(o->tls.machine, b->machine) &&
            shared_library_name(o->path))
            paths[(*n)++] = xstrdup(o->path);
    }
    qsort(paths, *n, sizeof *paths, compare_strings);
    census_free(&c);
    return paths;
}

int cmd_fuzz(const struct args *a)
{
    struct options o;
    parse_args(a, &o);
    struct libc_build_list builds = {0};
    if (o.all) {
        libc_build_list_here(true, false, &builds); /* musl has no model to hold to */
    } else {
        builds.items = xcalloc(1, sizeof *builds.items);
        builds.n = 1;
        libc_open_or_exit(a, &o.choice, &builds.items[0]);
    }
    size_t nreal = 0;
    char **real = o.real ? real_libraries(a, &builds.items[0], &nreal) : NULL;
    if (o.real && !nreal) {
        fprintf(stderr, "statictls: fuzz: --real: no shared library with TLS of %s under %s\n",
                builds.items[0].machine,
                a->noperands ? "the directories given" : "the directories ld.so searches");
        libc_build_list_free(&builds);
        free(real);
        return EXIT_SKIP;
    }
    if (o.real && !o.as_json)
        printf("%zu shared libraries with TLS of %s under %s\n", nreal, builds.items[0].machine,
               a->noperands ? "the directories given" : "the directories ld.so searches");
    /* Real libraries may write into the current directory as they load
       (heaptrack's writes heaptrack.PID): the probes run in a scratch
       directory, removed at the end. */
    char *out_abs = NULL, *scratch = NULL;
    if (o.real) {
        char *cwd = o.out && o.out[0] != '/' ? getcwd(NULL, 0) : NULL;
        if (o.out && o.out[0] != '/' && !cwd)
            die_errno("fuzz: the current directory");
        out_abs = cwd ? xasprintf("%s/%s", cwd, o.out) : NULL;
        free(cwd);
        if (out_abs)
            o.out = out_abs;
        scratch = make_scratch_dir(a->settings.tmpdir, "statictls-fuzz-real");
        if (chdir(scratch) != 0)
            die_errno("fuzz: chdir %s", scratch);
    }
    struct shown shown = {.as_json = o.as_json};
    struct fuzz_settings settings = {o.seed, o.count, o.seconds, o.out, &a->settings,
                                     show_finding, &shown, (const char *const *)real, nreal};
    struct fuzz_run *runs = xcalloc(builds.n, sizeof *runs);
    unsigned long bad = 0, cases = 0, skipped = 0, unwritten = 0;
    for (size_t k = 0; k < builds.n; k++) {
        fuzz_build(&settings, &builds.items[k], &runs[k]);
        bad += fuzz_disagreeing(&runs[k]);
        cases += runs[k].cases;
        skipped += runs[k].skipped;
        unwritten += runs[k].unwritten;
        if (!o.as_json)
            print_run(&runs[k], o.real);
    }
    if (o.as_json)
        print_json(&o, runs, builds.n);
    for (size_t k = 0; k < builds.n; k++)
        fuzz_run_free(&runs[k]);
    free(runs);
    for (size_t i = 0; i < nreal; i++)
        free(real[i]);
    free(real);
    if (scratch)
        remove_tree(scratch);
    free(scratch);
    free(out_abs);
    libc_build_list_free(&builds);
    if (unwritten) /* each is printed; --out lacks some, said once on stderr */
        return EXIT_INTERNAL;
    if (cases && skipped == cases) {
        char *build = o.all ? xstrdup("every build here") : libc_choice_text(&o.choice);
        int code = skip_exit_code(a, build, "fuzz: every case was skipped (no model here?)", false);
        free(build);
        return code;
    }
    return bad ? EXIT_TRIPPED : EXIT_PASS;
}
