#define _GNU_SOURCE
#include "sweep_kept.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsontree.h"
#include "xalloc.h"

static bool swept_now(const char *platform, const struct libc_sweep *swept, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(swept[k].platform, platform) == 0)
            return true;
    return false;
}

static char *text_or_empty(struct json_t *o, const char *key)
{
    const char *t = jtree_get_text(o, key);
    return xstrdup(t ? t : "");
}

/* A cell of sweep_configs as the file has it (group and value match). */
static void read_cell(struct json_t *cells, size_t i, struct sweep_cell *out)
{
    for (size_t k = 0; k < jtree_size(cells); k++) {
        struct json_t *c = jtree_at(cells, k);
        const char *group = jtree_get_text(c, "group"), *value = jtree_get_text(c, "value");
        if (!group || !value || strcmp(group, sweep_configs[i].group) != 0 ||
            strcmp(value, sweep_configs[i].value) != 0)
            continue;
        long long v;
        if (!jtree_get_int(c, "measured_max_ie", &v)) {
            const char *error = jtree_get_text(c, "error");
            snprintf(out->error, sizeof out->error, "%s", error ? error : "not measured");
            return;
        }
        out->measured = true;
        out->r.max_bytes = (uint64_t)v;
        out->r.predicted_known = jtree_get_int(c, "predicted_max_ie", &v);
        out->r.predicted = out->r.predicted_known ? (uint64_t)v : 0;
        const char *kind = jtree_get_text(c, "kind_at_next");
        int k2 = kind ? load_kind_from_name(kind) : -1;
        out->r.kind_at_next = k2 < 0 ? KIND_OTHER : (enum load_kind)k2;
        return;
    }
    snprintf(out->error, sizeof out->error, "not in that run");
}

/* A startup figure as the file has it, or "not measured" where that run
   had none. */
static void read_startup(struct json_t *figures, size_t i, struct sweep_startup_cell *out)
{
    for (size_t k = 0; k < jtree_size(figures); k++) {
        struct json_t *f = jtree_at(figures, k);
        const char *name = jtree_get_text(f, "name");
        if (!name || strcmp(name, sweep_startup_configs[i].name) != 0)
            continue;
        long long v, u;
        const char *error = jtree_get_text(f, "error");
        if (error) {
            long long inapplicable = 0;
            jtree_get_int(f, "not_applicable", &inapplicable);
            out->inapplicable = inapplicable != 0;
            snprintf(out->error, sizeof out->error, "%s", error);
            return;
        }
        out->measured = true;
        out->f.unbounded = jtree_get_int(f, "measured_unbounded", &u) && u;
        out->f.value = jtree_get_int(f, "measured", &v) ? (uint64_t)v : 0;
        out->f.predicted_known = jtree_get_int(f, "predicted_unbounded", &u);
        out->f.predicted_unbounded = out->f.predicted_known && u;
        out->f.predicted = jtree_get_int(f, "predicted", &v) ? (uint64_t)v : 0;
        return;
    }
    snprintf(out->error, sizeof out->error, "not measured in the run that swept this build");
}

static bool read_one(const char *path, const char *platform, struct libc_sweep *g)
{
    struct json_t *doc = jtree_read_file(path);
    if (!doc || !jtree_is_object(doc) || !jtree_get_text(doc, "label")) {
        if (doc)
            jtree_unref(doc);
        return false;
    }
    memset(g, 0, sizeof *g);
    g->root = "";
    g->kept = true;
    g->platform = xstrdup(platform);
    g->describe = text_or_empty(doc, "libc_build");
    g->label = text_or_empty(doc, "label");
    g->tunables_known = text_or_empty(doc, "tunables_known");
    long long ms;
    g->seconds = jtree_get_int(doc, "milliseconds", &ms) ? (double)ms / 1000 : -1;
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++)
        read_cell(jtree_get(doc, "cells"), i, &g->cells[i]);
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++)
        read_startup(jtree_get(doc, "startup"), i, &g->startup[i]);
    jtree_unref(doc);
    return true;
}

static int by_platform(const void *a, const void *b)
{
    return strcmp(((const struct libc_sweep *)a)->platform,
                  ((const struct libc_sweep *)b)->platform);
}

struct libc_sweep *sweep_read_kept(const char *results_dir, const struct libc_sweep *swept,
                                   size_t nswept, size_t *n)
{
    struct libc_sweep *kept = NULL;
    *n = 0;
    DIR *d = opendir(results_dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.' || swept_now(e->d_name, swept, nswept))
            continue;
        char *path = xasprintf("%s/%s/sweep.json", results_dir, e->d_name);
        if (access(path, F_OK) == 0) {
            struct libc_sweep g;
            if (read_one(path, e->d_name, &g))
                *XAPPEND(&kept, n) = g;
            else
                fprintf(stderr, "statictls: sweep: %s cannot be read: its row is left out\n",
                        path);
        }
        free(path);
    }
    if (d)
        closedir(d);
    if (*n)
        qsort(kept, *n, sizeof *kept, by_platform);
    return kept;
}
