/* statictls sweep: per glibc build, the largest IE block across alignments,
   tunables, audit modules and threads, each cell measured (limit: predict,
   then prove with N and N+1) beside the model's prediction. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "cli.h"
#include "limit.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

struct config {
    const char *group, *value;
    const char *tunables; /* GLIBC_TUNABLES, or NULL */
    int naudit;           /* LD_AUDIT modules */
    long threads;         /* running before the load */
    uint64_t align;
};

/* The default sweep.  The plot reads the optional_static_tls group. */
static const struct config configs[] = {
    {"align", "1", NULL, 0, 0, 1},
    {"align", "16", NULL, 0, 0, 16},
    {"align", "64", NULL, 0, 0, 64},
    {"optional_static_tls", "0", "glibc.rtld.optional_static_tls=0", 0, 0, 1},
    {"optional_static_tls", "64", "glibc.rtld.optional_static_tls=64", 0, 0, 1},
    {"optional_static_tls", "512", "glibc.rtld.optional_static_tls=512", 0, 0, 1},
    {"optional_static_tls", "1000", "glibc.rtld.optional_static_tls=1000", 0, 0, 1},
    {"optional_static_tls", "4096", "glibc.rtld.optional_static_tls=4096", 0, 0, 1},
    {"nns", "1", "glibc.rtld.nns=1", 0, 0, 1},
    {"nns", "4", "glibc.rtld.nns=4", 0, 0, 1},
    {"nns", "16", "glibc.rtld.nns=16", 0, 0, 1},
    {"LD_AUDIT", "0", NULL, 0, 0, 1},
    {"LD_AUDIT", "1", NULL, 1, 0, 1},
    {"LD_AUDIT", "2", NULL, 2, 0, 1},
    {"threads", "0", NULL, 0, 0, 1},
    {"threads", "4", NULL, 0, 4, 1},
};
enum { NCONFIGS = sizeof configs / sizeof configs[0] };

struct cell {
    bool measured;
    char error[512]; /* why nothing was measured */
    struct limit_result r;
};

struct libc_sweep {
    const char *root; /* the build's: its paths are written as <sysroot> */
    char *platform, *describe;
    char *label; /* "glibc 2.36 x86_64", "musl 1.2.3 x86_64" */
    char *tunables_known; /* space-separated glibc.rtld.* names */
    const char *tunables_source;
    struct cell cells[NCONFIGS];
    unsigned disagreements, errors;
    double seconds;
};

static bool cell_agrees(const struct cell *c)
{
    return c->measured && c->r.predicted_known && c->r.predicted == c->r.max_bytes;
}

/* The glibc.rtld.* tunables this ld.so knows: `ld.so --list-tunables`
   (2.33+), else the names in its read-only data (Debian's 2.31 backport
   has the tunables but not the option). */
static void read_known_tunables(struct libc_sweep *g, const struct libc_build *b,
                                const char *ldso)
{
    static const char *const ours[] = {"glibc.rtld.nns", "glibc.rtld.optional_static_tls"};
    const char *qemu = b->loader; /* another arch's ld.so runs under qemu */
    bool emulated = qemu && strstr(qemu, "qemu-");
    char *argv[] = {emulated ? (char *)qemu : (char *)ldso, (char *)ldso, "--list-tunables", NULL};
    int status;
    char *text = program_output(emulated ? argv : argv + 1, PROBE_TIMEOUT_S, false, &status);
    char *names = xstrdup("");
    bool listed = false;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "glibc.rtld.", 11) != 0)
            continue;
        line[strcspn(line, ":")] = '\0';
        char *more = xasprintf("%s%s%s", names, *names ? " " : "", line);
        free(names);
        names = more;
        listed = true;
    }
    free(text);
    if (listed && status == 0) {
        g->tunables_source = "ld.so --list-tunables";
    } else {
        free(names);
        names = xstrdup("");
        size_t len = 0;
        char *data = read_file(ldso, &len);
        for (size_t i = 0; data && i < sizeof ours / sizeof ours[0]; i++) {
            if (memmem(data, len, ours[i], strlen(ours[i]) + 1)) {
                char *more = xasprintf("%s%s%s", names, *names ? " " : "", ours[i]);
                free(names);
                names = more;
            }
        }
        free(data);
        g->tunables_source = "names in ld.so (no --list-tunables)";
    }
    g->tunables_known = names;
}

static void measure_cell(const struct config *c, const struct libc_build *b,
                         struct fixture_kit *kit, struct cell *out)
{
    struct run_env env;
    run_env_empty(&env, b, PROBE_TIMEOUT_S);
    if (c->tunables)
        run_env_set(&env, "GLIBC_TUNABLES", c->tunables);
    if (c->naudit) {
        char *a = kit_copy(kit, "auditor.so", "auditor");
        char *b = c->naudit > 1 ? kit_copy(kit, "auditor2.so", "auditor2") : NULL;
        char *list = b ? xasprintf("%s:%s", a, b) : xstrdup(a);
        run_env_set(&env, "LD_AUDIT", list);
        free(a), free(b), free(list);
    }
    struct limit_query q = {.env = &env, .kit = kit, .model = TLS_IE, .align = c->align,
                            .threads = c->threads};
    out->measured = limit_measure(&q, &out->r, out->error, sizeof out->error);
    const struct budget *bu = &out->r.budget;
    if (out->measured && strcmp(bu->libc_name, "glibc") == 0 &&
        bu->audit_loaded < bu->audit_listed) { /* measured, but not with its audit modules */
        snprintf(out->error, sizeof out->error, "ld.so loaded %zu of %zu audit modules",
                 bu->audit_loaded, bu->audit_listed);
        limit_result_free(&out->r);
        out->measured = false;
    }
    run_env_free(&env);
}

static void sweep_one(struct libc_sweep *g, const struct libc_build *build)
{
    double start = now_seconds();
    struct fixture_kit kit;
    kit_open(&kit, build->dir);
    for (size_t i = 0; i < NCONFIGS; i++) {
        struct cell *c = &g->cells[i];
        measure_cell(&configs[i], build, &kit, c);
        if (!c->measured)
            g->errors++;
        else if (c->r.predicted_known && !cell_agrees(c)) /* musl has no model */
            g->disagreements++;
    }
    kit_close(&kit);
    const struct budget *b = &g->cells[0].r.budget;
    if (g->cells[0].measured) {
        g->platform = libc_build_platform(build, b->libc_name, b->libc_version, b->machine);
        g->label = xasprintf("%s %s %s", b->libc_name, b->libc_version, b->machine);
        if (b->ldso_path)
            read_known_tunables(g, build, b->ldso_path);
    } else {
        g->platform = xasprintf("%s-unmeasured", build->name);
        g->label = xasprintf("%s (not measured)", build->name);
    }
    if (!g->tunables_known)
        g->tunables_known = xstrdup("");
    g->describe = libc_build_describe(build);
    g->seconds = now_seconds() - start;
}

static void print_sweep(const struct libc_sweep *g)
{
    printf("%s: %s, %.2f s\n", g->platform, g->describe, g->seconds);
    printf("  tunables known (%s): %s\n", g->tunables_source ? g->tunables_source : "-",
           *g->tunables_known ? g->tunables_known : "none");
    printf("  %-24s %10s %10s  %s\n", "configuration", "measured", "modelled", "at max+1");
    for (size_t i = 0; i < NCONFIGS; i++) {
        const struct cell *c = &g->cells[i];
        char label[64];
        snprintf(label, sizeof label, "%s=%s", configs[i].group, configs[i].value);
        if (!c->measured) {
            printf("  %-24s %10s %10s  not measured: %s\n", label, "-", "-", c->error);
            continue;
        }
        char modelled[32] = "-";
        if (c->r.predicted_known)
            snprintf(modelled, sizeof modelled, "%llu", (unsigned long long)c->r.predicted);
        printf("  %-24s %10llu %10s  %s%s\n", label, (unsigned long long)c->r.max_bytes,
               modelled, load_kind_name(c->r.kind_at_next),
               cell_agrees(c) ? "" : "  -- DISAGREES with the model");
    }
}

static void sweep_json(struct json *j, const struct libc_sweep *g)
{
    json_object(j);
    const struct budget *b = g->cells[0].measured ? &g->cells[0].r.budget : NULL;
    json_kv_strings(j, "platform", g->platform, "libc_build", g->describe, "label", g->label,
                    "libc", b ? b->libc_name : NULL, "libc_version", b ? b->libc_version : NULL,
                    "arch", b ? b->machine : NULL, "tunables_known", g->tunables_known,
                    "tunables_source", g->tunables_source, NULL);
    json_key(j, "cells");
    json_array(j);
    for (size_t i = 0; i < NCONFIGS; i++) {
        const struct config *c = &configs[i];
        const struct cell *cell = &g->cells[i];
        json_object(j);
        json_kv_strings(j, "group", c->group, "value", c->value, "glibc_tunables", c->tunables,
                        NULL);
        json_kv_int(j, "ld_audit_modules", c->naudit);
        json_kv_int(j, "threads", c->threads);
        json_kv_int(j, "align", (long long)c->align);
        if (!cell->measured) {
            json_kv_string(j, "error", cell->error);
        } else {
            json_kv_int(j, "measured_max_ie", (long long)cell->r.max_bytes);
            json_key(j, "predicted_max_ie");
            if (cell->r.predicted_known)
                json_int(j, (long long)cell->r.predicted);
            else
                json_null(j);
            json_kv_bool(j, "agrees", cell_agrees(cell));
            json_kv_string(j, "kind_at_next", load_kind_name(cell->r.kind_at_next));
            json_kv_string(j, "error_at_next", cell->r.error_at_next);
            json_kv_int(j, "probes", cell->r.probes);
        }
        json_end(j);
    }
    json_end(j);
    json_end(j);
}

static void write_sweep_json(FILE *f, const void *ctx)
{
    const struct libc_sweep *g = ctx;
    struct json j;
    json_init(&j, f, g->root);
    sweep_json(&j, g);
    fputc('\n', f);
}

static void write_sweep_markdown(FILE *f, const void *ctx)
{
    const struct libc_sweep *g = ctx;
    fprintf(f, "# Tunables sweep: %s\n\n", g->platform);
    fprintf(f, "Written by `statictls sweep`. libc build: %s. Tunables this ld.so knows (%s): "
               "%s.\n\n",
            g->describe, g->tunables_source ? g->tunables_source : "-",
            *g->tunables_known ? g->tunables_known : "none");
    fprintf(f, "Each row: the largest initial-exec block that loads in a fresh process, "
               "measured (N loads, N+1 fails) and modelled.\n\n");
    fprintf(f, "| configuration | measured max IE | modelled | at max+1 | agrees |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < NCONFIGS; i++) {
        const struct cell *c = &g->cells[i];
        fprintf(f, "| %s=%s | ", configs[i].group, configs[i].value);
        if (!c->measured) {
            fprintf(f, "not measured: %s | - | - | - |\n", c->error);
            continue;
        }
        fprintf(f, "%llu | ", (unsigned long long)c->r.max_bytes);
        if (c->r.predicted_known)
            fprintf(f, "%llu", (unsigned long long)c->r.predicted);
        else
            fprintf(f, "-");
        fprintf(f, " | %s | %s |\n", load_kind_name(c->r.kind_at_next),
                cell_agrees(c) ? "yes" : "**no**");
    }
}

struct summary {
    const struct libc_sweep *g;
    size_t n;
};

static void write_summary(FILE *f, const void *ctx)
{
    const struct summary *s = ctx;
    fprintf(f, "# statictls results\n\n"
               "Written by `scripts/regenerate-results.sh`; do not edit. Every number is "
               "measured in that run: the largest initial-exec block that loads in a fresh "
               "process (N loads, N+1 fails). Where the model (harness/model/) predicts "
               "otherwise the cell says so; musl has no model. aarch64 runs under qemu-user.\n\n");
    fprintf(f, "## Largest initial-exec block, by libc, architecture and configuration\n\n"
               "| libc | arch |");
    for (size_t i = 0; i < NCONFIGS; i++)
        fprintf(f, " %s=%s |", configs[i].group, configs[i].value);
    fprintf(f, "\n|---|---|");
    for (size_t i = 0; i < NCONFIGS; i++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    unsigned other_trips = 0;
    for (size_t k = 0; k < s->n; k++) {
        const struct libc_sweep *g = &s->g[k];
        char libc[128];
        snprintf(libc, sizeof libc, "%s", g->label);
        char *arch = strrchr(libc, ' ');
        if (arch)
            *arch++ = '\0';
        fprintf(f, "| %s | %s |", libc, arch ? arch : "");
        for (size_t i = 0; i < NCONFIGS; i++) {
            const struct cell *c = &g->cells[i];
            if (!c->measured) {
                fprintf(f, " not measured |");
                continue;
            }
            fprintf(f, " %llu", (unsigned long long)c->r.max_bytes);
            if (c->r.predicted_known && !cell_agrees(c))
                fprintf(f, " (model: %llu)", (unsigned long long)c->r.predicted);
            if (c->r.kind_at_next != KIND_STATIC_TLS_EXHAUSTED) {
                fprintf(f, ", max+1: %s", load_kind_name(c->r.kind_at_next));
                other_trips++;
            }
            fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\nUnless a cell says otherwise, the (N+1)-byte block tripped with \"cannot "
               "allocate memory in static TLS block\". align=1 is the free static TLS of a "
               "fresh process%s.\n\n",
            other_trips ? "; musl refuses every dlopen'ed initial-exec block (max+1: "
                          "ie-resolves-to-dynamic)" : "");
    fprintf(f, "![largest IE block against glibc.rtld.optional_static_tls]"
               "(max-ie-vs-optional.svg)\n\n");
    fprintf(f, "## Per libc build\n\n| libc | build | tunables known | sweep | cases | time |\n"
               "|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < s->n; k++)
        fprintf(f, "| %s | %s | %s | [sweep](%s/sweep.md) | [report](%s/README.md) | %.2f s |\n",
                s->g[k].label, s->g[k].describe,
                *s->g[k].tunables_known ? s->g[k].tunables_known : "none", s->g[k].platform,
                s->g[k].platform, s->g[k].seconds);
}

/* One row per optional_static_tls value, one column per glibc: the plot's data. */
static void write_plot_data(FILE *f, const void *ctx)
{
    const struct summary *s = ctx;
    fprintf(f, "optional_static_tls");
    for (size_t k = 0; k < s->n; k++)
        fprintf(f, "\t%s", s->g[k].label);
    fprintf(f, "\n");
    for (size_t i = 0; i < NCONFIGS; i++) {
        if (strcmp(configs[i].group, "optional_static_tls") != 0)
            continue;
        fprintf(f, "%s", configs[i].value);
        for (size_t k = 0; k < s->n; k++) {
            const struct cell *c = &s->g[k].cells[i];
            if (c->measured)
                fprintf(f, "\t%llu", (unsigned long long)c->r.max_bytes);
            else
                fprintf(f, "\tNaN");
        }
        fprintf(f, "\n");
    }
}

static void write_result(const char *dir, const char *name,
                         void (*writer)(FILE *, const void *), const void *ctx)
{
    size_t len;
    char *text = render_to_memory(writer, ctx, &len);
    make_dirs(dir);
    char *path = xasprintf("%s/%s", dir, name);
    write_file_atomic(path, text, len);
    free(path);
    free(text);
}

static void publish_sweep(const char *results_dir, const struct libc_sweep *g)
{
    char *dir = xasprintf("%s/%s", results_dir, g->platform);
    const struct rendered_file files[] = {{"sweep.json", write_sweep_json},
                                          {"sweep.md", write_sweep_markdown}};
    publish_rendered(dir, files, 2, g);
    free(dir);
}

static void libc_sweep_free(struct libc_sweep *g)
{
    for (size_t i = 0; i < NCONFIGS; i++)
        if (g->cells[i].measured)
            limit_result_free(&g->cells[i].r);
    free(g->platform), free(g->describe), free(g->label), free(g->tunables_known);
}

/* The builds --glibc and --libc-tree named (each must be here), or every
   build here. */
static void choose_builds(struct libc_choice *chosen, size_t nchosen, bool allow_missing,
                          struct libc_build_list *out)
{
    if (!nchosen) {
        libc_build_list_here(false, true, out);
        if (out->n)
            return;
        fprintf(stderr, "statictls: sweep: no glibc sysroot is built here "
                        "(scripts/fetch-glibc.sh); sweeping the host libc only\n");
        libc_build_list_here(true, false, out);
        return;
    }
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < nchosen; k++) {
        chosen[k].allow_missing = allow_missing;
        libc_open_or_exit(&chosen[k], XAPPEND(&out->items, &out->n));
    }
}

int cmd_sweep(int argc, char **argv)
{
    bool as_json = false, allow_missing = false;
    const char *results_dir = NULL;
    struct libc_choice *chosen = NULL;
    size_t nchosen = 0;
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[i], "--results") == 0 && next)
            results_dir = argv[++i];
        else if (strcmp(argv[i], "--glibc") == 0 && next)
            *XAPPEND(&chosen, &nchosen) = (struct libc_choice){LIBC_CHOICE_RELEASE, argv[++i], false};
        else if (strcmp(argv[i], "--libc-tree") == 0 && next)
            *XAPPEND(&chosen, &nchosen) = (struct libc_choice){LIBC_CHOICE_TREE, argv[++i], false};
        else if (strcmp(argv[i], "--allow-missing") == 0)
            allow_missing = true;
        else
            die_input("sweep: unknown argument \"%s\"", argv[i]);
    }
    struct libc_build_list builds;
    choose_builds(chosen, nchosen, allow_missing, &builds);
    free(chosen);

    struct libc_sweep *sweeps = xcalloc(builds.n, sizeof *sweeps);
    unsigned bad = 0;
    double start = now_seconds();
    for (size_t k = 0; k < builds.n; k++) {
        sweeps[k].root = builds.items[k].root;
        sweep_one(&sweeps[k], &builds.items[k]);
        bad += sweeps[k].disagreements + sweeps[k].errors;
        if (!as_json)
            print_sweep(&sweeps[k]);
        if (results_dir) /* the pair as one unit, beside the report's pair */
            publish_sweep(results_dir, &sweeps[k]);
    }
    if (as_json) {
        struct json j;
        json_init(&j, stdout, NULL);
        json_object(&j); /* the header names the host's libc; each sweep its own */
        json_key(&j, "sweeps");
        json_array(&j);
        for (size_t k = 0; k < builds.n; k++) {
            j.sysroot = builds.items[k].root[0] ? builds.items[k].root : NULL;
            sweep_json(&j, &sweeps[k]);
        }
        json_end(&j);
        json_end(&j);
    } else {
        printf("%zu libc builds x %d configurations in %.2f s; %u cells disagree with the "
               "model or were not measured\n",
               builds.n, NCONFIGS, now_seconds() - start, bad);
    }
    if (results_dir) {
        struct summary s = {sweeps, builds.n};
        write_result(results_dir, "README.md", write_summary, &s);
        write_result(results_dir, "max-ie-vs-optional.tsv", write_plot_data, &s);
        if (!as_json)
            printf("results written to %s/\n", results_dir);
    }
    for (size_t k = 0; k < builds.n; k++)
        libc_sweep_free(&sweeps[k]);
    free(sweeps);
    libc_build_list_free(&builds);
    return bad ? EXIT_TRIPPED : EXIT_PASS;
}
