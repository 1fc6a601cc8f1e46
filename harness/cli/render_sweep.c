#define _GNU_SOURCE
#include "render_sweep.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "json.h"
#include "render_publish.h"
#include "render_report.h"
#include "sweep_kept.h"
#include "xalloc.h"
#include "xfile.h"

/* What the startup figures are, for the results' pages. */
#define STARTUP_EXPLAINED                                                                      \
    "The largest initial-exec block of a library loaded at startup with which a fresh "        \
    "process still starts (N starts, N+1 is refused: \"cannot allocate memory in static TLS "   \
    "block\"), and the smallest glibc.rtld.optional_static_tls with which a 2000-byte one "     \
    "starts (N starts, N-1 is refused), each measured by probes and modelled. The block is "   \
    "1-aligned and preloaded (LD_PRELOAD); ld.so places a DT_NEEDED library's block alike: "   \
    "with an audit module it lays TLS out (elf/rtld.c dl_main, init_tls) before it maps the "  \
    "preloads and the DT_NEEDED libraries, and relocation gives each its block from the "      \
    "surplus. Without one the initial layout holds every startup block: no limit (a 1 MiB "    \
    "block starts)."

/* "1840", or "no limit (1048576 starts)": measured. */
static void startup_measured_text(const struct startup_figure *f, char *buf, size_t len)
{
    if (f->unbounded)
        snprintf(buf, len, "no limit (%d starts)", STARTUP_UNBOUNDED_PROBE);
    else
        snprintf(buf, len, "%llu", (unsigned long long)f->value);
}

static void startup_modelled_text(const struct startup_figure *f, char *buf, size_t len)
{
    if (!f->predicted_known)
        snprintf(buf, len, "-");
    else if (f->predicted_unbounded)
        snprintf(buf, len, "no limit");
    else
        snprintf(buf, len, "%llu", (unsigned long long)f->predicted);
}

void render_sweep(const struct libc_sweep *g)
{
    printf("%s: %s, %.2f s\n", g->platform, g->describe, g->seconds);
    printf("  tunables known (%s): %s\n", g->tunables_source ? g->tunables_source : "-",
           *g->tunables_known ? g->tunables_known : "none");
    printf("  %-24s %10s %10s  %s\n", "configuration", "measured", "modelled", "at max+1");
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
        const struct sweep_cell *c = &g->cells[i];
        char label[64];
        snprintf(label, sizeof label, "%s=%s", sweep_configs[i].group, sweep_configs[i].value);
        if (!c->measured) {
            printf("  %-24s %10s %10s  not measured: %s\n", label, "-", "-", c->error);
            continue;
        }
        char modelled[32] = "-";
        if (c->r.predicted_known)
            snprintf(modelled, sizeof modelled, "%llu", (unsigned long long)c->r.predicted);
        printf("  %-24s %10llu %10s  %s%s\n", label, (unsigned long long)c->r.max_bytes,
               modelled, load_kind_name(c->r.kind_at_next),
               sweep_cell_agrees(c) ? "" : "  -- DISAGREES with the model");
    }
    printf("  %-60s %26s %10s  %s\n", "at startup (a preloaded IE block)", "measured", "modelled",
           "at the edge");
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++) {
        const struct sweep_startup_cell *c = &g->startup[i];
        char measured[64], modelled[32];
        if (!c->measured) {
            printf("  %-60s %26s %10s  not measured: %s\n", sweep_startup_configs[i].name, "-",
                   "-", c->error);
            continue;
        }
        startup_measured_text(&c->f, measured, sizeof measured);
        startup_modelled_text(&c->f, modelled, sizeof modelled);
        printf("  %-60s %26s %10s  %s%s\n", sweep_startup_configs[i].name, measured, modelled,
               c->f.error_at_edge ? c->f.error_at_edge : "-",
               sweep_startup_agrees(c) || !c->f.predicted_known ? ""
                                                                : "  -- DISAGREES with the model");
    }
}

static void startup_json(struct json *j, const struct libc_sweep *g)
{
    json_key(j, "startup");
    json_array(j);
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++) {
        const struct sweep_startup_config *c = &sweep_startup_configs[i];
        const struct sweep_startup_cell *cell = &g->startup[i];
        const struct startup_figure *f = &cell->f;
        json_object(j);
        json_kv_strings(j, "name", c->name, "figure",
                        c->size ? "smallest_optional_static_tls" : "largest_preload", NULL);
        json_kv_int(j, "ld_audit_modules", c->naudit);
        json_key(j, "preload_bytes");
        if (c->size)
            json_int(j, (long long)c->size);
        else
            json_null(j);
        if (!cell->measured) {
            json_kv_string(j, "error", cell->error);
            json_kv_int(j, "not_applicable", cell->inapplicable);
            json_end(j);
            continue;
        }
        json_kv_int(j, "measured_unbounded", f->unbounded);
        json_key(j, "measured");
        if (f->unbounded)
            json_null(j);
        else
            json_int(j, (long long)f->value);
        json_kv_int(j, "unbounded_probe_bytes", STARTUP_UNBOUNDED_PROBE);
        if (f->predicted_known) {
            json_kv_int(j, "predicted_unbounded", f->predicted_unbounded);
            json_key(j, "predicted");
            if (f->predicted_unbounded)
                json_null(j);
            else
                json_int(j, (long long)f->predicted);
        }
        json_kv_bool(j, "agrees", sweep_startup_agrees(cell));
        json_kv_string(j, "error_at_edge", f->error_at_edge);
        json_kv_int(j, "probes", f->probes);
        json_end(j);
    }
    json_end(j);
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
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
        const struct sweep_config *c = &sweep_configs[i];
        const struct sweep_cell *cell = &g->cells[i];
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
            json_kv_bool(j, "agrees", sweep_cell_agrees(cell));
            json_kv_string(j, "kind_at_next", load_kind_name(cell->r.kind_at_next));
            json_kv_string(j, "error_at_next", cell->r.error_at_next);
            json_kv_int(j, "probes", cell->r.probes);
        }
        json_end(j);
    }
    json_end(j);
    startup_json(j, g);
    json_kv_int(j, "milliseconds", (long long)(g->seconds * 1000));
    json_end(j);
}

void render_sweeps_json(const struct libc_sweep *g, size_t n)
{
    struct json j;
    json_init(&j, stdout, "sweep", NULL);
    json_object(&j); /* the header names the host's libc; each sweep its own */
    json_key(&j, "sweeps");
    json_array(&j);
    for (size_t k = 0; k < n; k++) {
        j.sysroot = g[k].root[0] ? g[k].root : NULL;
        sweep_json(&j, &g[k]);
    }
    json_end(&j);
    json_end(&j);
}

static void write_sweep_json(FILE *f, const void *ctx)
{
    const struct libc_sweep *g = ctx;
    struct json j;
    json_init(&j, f, "sweep", g->root);
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
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
        const struct sweep_cell *c = &g->cells[i];
        fprintf(f, "| %s=%s | ", sweep_configs[i].group, sweep_configs[i].value);
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
                sweep_cell_agrees(c) ? "yes" : "**no**");
    }
    fprintf(f, "\n## At startup\n\n%s\n\n", STARTUP_EXPLAINED);
    fprintf(f, "| figure | measured | modelled | at the edge | agrees |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++) {
        const struct sweep_startup_cell *c = &g->startup[i];
        if (!c->measured) {
            fprintf(f, "| %s | not measured: %s | - | - | - |\n", sweep_startup_configs[i].name,
                    c->error);
            continue;
        }
        char measured[64], modelled[32];
        startup_measured_text(&c->f, measured, sizeof measured);
        startup_modelled_text(&c->f, modelled, sizeof modelled);
        fprintf(f, "| %s | %s | %s | %s | %s |\n", sweep_startup_configs[i].name, measured,
                modelled, c->f.error_at_edge ? c->f.error_at_edge : "-",
                !c->f.predicted_known ? "-" : sweep_startup_agrees(c) ? "yes" : "**no**");
    }
}

struct summary {
    const struct libc_sweep *g;
    size_t n;
};

/* A table row's first cells: the libc and its architecture (the label's
   last word). */
static void row_label(FILE *f, const struct libc_sweep *g)
{
    char libc[128];
    snprintf(libc, sizeof libc, "%s", g->label);
    char *arch = strrchr(libc, ' ');
    if (arch)
        *arch++ = '\0';
    fprintf(f, "| %s | %s |", libc, arch ? arch : "");
}

static void write_startup_summary(FILE *f, const struct summary *s)
{
    fprintf(f, "## At startup: a library's initial-exec block under LD_AUDIT\n\n%s Where the "
               "model predicts otherwise the cell says so.\n\n| libc | arch |",
            STARTUP_EXPLAINED);
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++)
        fprintf(f, " %s |", sweep_startup_configs[i].name);
    fprintf(f, "\n|---|---|");
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t k = 0; k < s->n; k++) {
        const struct libc_sweep *g = &s->g[k];
        row_label(f, g);
        for (size_t i = 0; i < SWEEP_NSTARTUP; i++) {
            const struct sweep_startup_cell *c = &g->startup[i];
            char measured[64], modelled[32];
            if (!c->measured) {
                fprintf(f, " %s |", c->inapplicable ? "no such tunable"
                                    : g->kept   ? "not measured (build not here)"
                                                : "not measured");
                continue;
            }
            startup_measured_text(&c->f, measured, sizeof measured);
            startup_modelled_text(&c->f, modelled, sizeof modelled);
            fprintf(f, " %s", measured);
            if (c->f.predicted_known && !sweep_startup_agrees(c))
                fprintf(f, " (model: %s)", modelled);
            fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\nmusl has no LD_AUDIT and no tunables: its loader ignores LD_AUDIT.\n\n");
}

static void write_summary(FILE *f, const void *ctx)
{
    const struct summary *s = ctx;
    fprintf(f, "# statictls results\n\n"
               "Written by `statictls sweep --results`; do not edit. Every number is "
               "measured in that run: the largest initial-exec block that loads in a fresh "
               "process (N loads, N+1 fails). Where the model (harness/model/) predicts "
               "otherwise the cell says so; musl has no model. aarch64, armhf, ppc64le, "
               "s390x and riscv64 run under qemu-user.\n\n");
    fprintf(f, "## Largest initial-exec block, by libc, architecture and configuration\n\n"
               "| libc | arch |");
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++)
        fprintf(f, " %s=%s |", sweep_configs[i].group, sweep_configs[i].value);
    fprintf(f, "\n|---|---|");
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    unsigned other_trips = 0;
    for (size_t k = 0; k < s->n; k++) {
        const struct libc_sweep *g = &s->g[k];
        row_label(f, g);
        for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
            const struct sweep_cell *c = &g->cells[i];
            if (!c->measured) {
                fprintf(f, " not measured |");
                continue;
            }
            fprintf(f, " %llu", (unsigned long long)c->r.max_bytes);
            if (c->r.predicted_known && !sweep_cell_agrees(c))
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
    for (size_t k = 0; k < s->n; k++)
        if (s->g[k].kept) {
            fprintf(f, "A build whose time below says \"kept from an earlier run\" was not "
                       "swept in this run (it is not built on the machine that ran it): its "
                       "row is the earlier run's, read from its sweep.json, and a figure that "
                       "run did not have says \"not measured (build not here)\".\n\n");
            break;
        }
    fprintf(f, "![largest IE block against glibc.rtld.optional_static_tls]"
               "(max-ie-vs-optional.svg)\n\n");
    write_startup_summary(f, s);
    fprintf(f, "## Per libc build\n\n| libc | build | tunables known | sweep | cases | time |\n"
               "|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < s->n; k++) {
        char time[64] = "not swept here: kept from an earlier run";
        if (!s->g[k].kept)
            snprintf(time, sizeof time, "%.2f s", s->g[k].seconds);
        fprintf(f, "| %s | %s | %s | [sweep](%s/sweep.md) | [report](%s/README.md) | %s |\n",
                s->g[k].label, s->g[k].describe,
                *s->g[k].tunables_known ? s->g[k].tunables_known : "none", s->g[k].platform,
                s->g[k].platform, time);
    }
}

/* One row per optional_static_tls value, one column per glibc: the plot's data. */
static void write_plot_data(FILE *f, const void *ctx)
{
    const struct summary *s = ctx;
    fprintf(f, "optional_static_tls");
    for (size_t k = 0; k < s->n; k++)
        fprintf(f, "\t%s", s->g[k].label);
    fprintf(f, "\n");
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
        if (strcmp(sweep_configs[i].group, "optional_static_tls") != 0)
            continue;
        fprintf(f, "%s", sweep_configs[i].value);
        for (size_t k = 0; k < s->n; k++) {
            const struct sweep_cell *c = &s->g[k].cells[i];
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

void render_sweep_files(const char *results_dir, const struct libc_sweep *g)
{
    const struct rendered_file files[] = {{"sweep.json", write_sweep_json},
                                          {"sweep.md", write_sweep_markdown}};
    free(render_publish("sweep", results_dir, g->platform, files, 2, g));
}

void render_sweep_summary(const char *results_dir, const struct libc_sweep *g, size_t n)
{
    /* Builds not swept now keep their rows: those under results_dir first. */
    size_t nkept;
    struct libc_sweep *kept = sweep_read_kept(results_dir, g, n, &nkept);
    struct libc_sweep *all = xcalloc(nkept + n + 1, sizeof *all);
    if (nkept)
        memcpy(all, kept, nkept * sizeof *all);
    if (n)
        memcpy(all + nkept, g, n * sizeof *all);
    struct summary s = {all, nkept + n};
    write_result(results_dir, "README.md", write_summary, &s);
    write_result(results_dir, "max-ie-vs-optional.tsv", write_plot_data, &s);
    for (size_t k = 0; k < nkept; k++)
        libc_sweep_free(&kept[k]);
    free(kept);
    free(all);
}
