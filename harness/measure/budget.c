#define _GNU_SOURCE
#include "budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "dlmodel.h"
#include "elfinfo.h"
#include "envvars.h"
#include "xalloc.h"
#include "xfile.h"

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

/* Whether this ld.so carries the TLS tunables (a 2.31 with the backport).
   The tunable names are plain strings in ld.so's read-only data. */
static bool file_contains(const char *path, const char *needle)
{
    size_t len = 0;
    char *data = path ? read_file(path, &len) : NULL;
    bool found = data && memmem(data, len, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}

/* How a startup module reaches its TLS, from its file (the main program is
   the probe itself). */
static enum tls_access startup_access(const struct budget_module *m)
{
    struct elf_tls t;
    char err[512];
    if (strcmp(m->path, PROTO_MAIN_NAME) == 0 || !elf_tls_read(m->path, &t, err, sizeof err))
        return TLS_IE;
    enum tls_access a = elf_tls_access(&t);
    elf_tls_free(&t);
    return a;
}

static void read_records(const struct probe_result *pr, struct budget *b)
{
    for (size_t i = 0; i < pr->nrecords; i++) {
        const struct record *r = &pr->records[i];
        long v;
        if (strcmp(r->kind, PROTO_LIBC) == 0) {
            b->libc_name = dup_or_empty(record_get(r, PROTO_KEY_NAME));
            b->libc_version = dup_or_empty(record_get(r, PROTO_KEY_VERSION));
            b->libc_release = dup_or_empty(record_get(r, PROTO_KEY_RELEASE));
        } else if (strcmp(r->kind, PROTO_ARCH) == 0) {
            b->machine = dup_or_empty(record_get(r, PROTO_KEY_MACHINE));
        } else if (strcmp(r->kind, PROTO_STATIC) == 0 && record_get_long(r, PROTO_KEY_SIZE, &v)) {
            b->have_static_info = true;
            b->static_size = (size_t)v;
            if (record_get_long(r, PROTO_KEY_ALIGN, &v))
                b->static_align = (size_t)v;
        } else if (strcmp(r->kind, PROTO_RSEQ) == 0 && record_get_long(r, PROTO_KEY_OFFSET, &v)) {
            b->have_rseq = true;
            b->rseq_offset = v;
            if (record_get_long(r, PROTO_KEY_SIZE, &v))
                b->rseq_size = (unsigned)v;
        } else if (strcmp(r->kind, PROTO_OBJECT) == 0) {
            const char *path = record_get(r, PROTO_KEY_PATH);
            const char *base = path ? strrchr(path, '/') : NULL;
            /* ld-linux*.so, ld-musl-*.so; ld64.so.2 (ppc64), ld64.so.1 (s390x) */
            bool ldso = base && (strncmp(base + 1, "ld-", 3) == 0 ||
                                 strncmp(base + 1, "ld64.so.", 8) == 0);
            if (ldso && !b->ldso_path)
                b->ldso_path = xstrdup(path);
        } else if (strcmp(r->kind, PROTO_AUDIT) == 0) {
            const char *loaded = record_get(r, PROTO_KEY_LOADED);
            b->audit_listed++;
            b->audit_loaded += loaded && strcmp(loaded, PROTO_OK) == 0;
        } else if (strcmp(r->kind, PROTO_MODULE) == 0) {
            struct budget_module *m = XAPPEND(&b->modules, &b->nmodules);
            memset(m, 0, sizeof *m);
            m->path = dup_or_empty(record_get(r, PROTO_KEY_PATH));
            if (record_get_long(r, PROTO_KEY_MODID, &v))
                m->modid = v;
            if (record_get_long(r, PROTO_KEY_SIZE, &v))
                m->block.size = (uint64_t)v;
            if (record_get_long(r, PROTO_KEY_ALIGN, &v))
                m->block.align = (uint64_t)v;
            if (record_get_long(r, PROTO_KEY_FIRSTBYTE, &v))
                m->block.firstbyte = (uint64_t)v;
            m->has_tpoff = record_get_long(r, PROTO_KEY_TPOFF, &m->tpoff);
            m->access = TLS_IE; /* read from its file when it matters: relocate_startup */
        }
    }
}

/* Whether the rseq area this process reported lies in the static area
   (glibc 2.41+: glibc_rseq_in_static_area). */
static bool rseq_in_area(const struct budget *b, enum tls_layout layout)
{
    return glibc_rseq_in_static_area(b->libc_version, layout, b->have_rseq, b->rseq_offset);
}

static size_t read_used(const struct budget *b, enum tls_layout layout)
{
    size_t used = 0;
    for (size_t i = 0; i < b->nmodules; i++) {
        const struct budget_module *m = &b->modules[i];
        if (!m->has_tpoff)
            continue;
        size_t end = layout == LAYOUT_BELOW_TP ? (size_t)-m->tpoff : (size_t)m->tpoff + m->block.size;
        if (end > used)
            used = end;
    }
    if (rseq_in_area(b, layout)) {
        size_t end = layout == LAYOUT_BELOW_TP
                         ? (size_t)-b->rseq_offset
                         : (size_t)b->rseq_offset + glibc_rseq_block_size(b->rseq_size);
        if (end > used)
            used = end;
    }
    return used;
}

/* musl has no version call; its loader prints "Version 1.2.3" when run
   without arguments (through qemu where the probe runs that way). */
static void read_musl_version(const struct probe_env *env, struct budget *b)
{
    if (!b->ldso_path)
        return;
    char *argv[] = {env->loader ? (char *)env->loader : b->ldso_path, b->ldso_path, NULL};
    int status; /* the loader exits 1 without a program: expected */
    char *text = program_output(env->loader ? argv : argv + 1, env->timeout_s, true, &status);
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "Version ", 8) == 0) {
            free(b->libc_version);
            b->libc_version = xstrdup(line + 8);
        }
    free(text);
}

/* With an auditor, the startup libraries after the nlaid laid out get
   static TLS as ld.so relocates them, in the order the model gives
   (glibc_startup_relocation_order), each as a dlopen'ed module would (TLS
   descriptors within the optional budget, or when first used where they
   are bound lazily).  A failure there is ld.so's fatal error at startup. */
static void relocate_startup(struct budget *b, size_t nlaid)
{
    size_t *order = xcalloc(b->nmodules + 1, sizeof *order);
    size_t n = glibc_startup_relocation_order(nlaid, b->nmodules, order);
    for (size_t k = 0; k < n; k++) {
        struct budget_module *m = &b->modules[order[k]];
        if (!m->access_read) {
            m->access = startup_access(m);
            m->access_read = true;
        }
        if (glibc_placed_at_first_use(&b->model.rules, m->access, b->bind_now)) {
            m->lazy = true; /* placed when first used: dlmodel.c */
            continue;
        }
        struct placed p = model_place(&b->model, &m->block, m->access, m->modid);
        m->predicted_offset = p.offset;
        m->predicted_static = p.how == PLACED_STATIC;
        if (p.how != PLACED_STATIC && p.how != PLACED_DYNAMIC && !b->startup_failure) {
            b->startup_failure = KIND_STATIC_TLS_EXHAUSTED;
            b->startup_failure_at = m->path;
        }
    }
    free(order);
}

static void build_model(struct budget *b)
{
    struct glibc_rules rules;
    if (strcmp(b->libc_name, "glibc") != 0) {
        snprintf(b->why_not_modelled, sizeof b->why_not_modelled,
                 "no model for %s (musl keeps no static TLS surplus: it refuses a dlopen'ed "
                 "initial-exec module)", b->libc_name);
        b->used = read_used(b, LAYOUT_BELOW_TP);
        return;
    }
    if (!glibc_rules_for(b->libc_version, b->machine, b->knows_tls_tunables, &rules,
                         b->why_not_modelled, sizeof b->why_not_modelled)) {
        b->used = read_used(b, glibc_layout_of(b->machine)); /* still read what is used */
        return;
    }
    b->used = b->synthetic ? 0 : read_used(b, rules.layout);
    tunables_parse(&rules, b->glibc_tunables, b->ld_audit, &b->tunables);
    if (glibc_audit_limit_exceeded(&rules, &b->tunables)) {
        b->startup_failure = KIND_AUDIT_LIMIT;
        b->startup_failure_at = b->ld_audit;
    }

    size_t surplus = model_surplus(&rules, &b->tunables, b->surplus_formula,
                                   sizeof b->surplus_formula);
    bool rseq = rseq_in_area(b, rules.layout);
    size_t rseq_block = rseq ? glibc_rseq_block_size(b->rseq_size) : 0;

    struct tls_block *blocks = xcalloc(b->nmodules, sizeof *blocks);
    size_t *offsets = xcalloc(b->nmodules, sizeof *offsets);
    size_t nmain = 0;
    for (size_t i = 0; i < b->nmodules; i++) {
        blocks[i] = b->modules[i].block;
        if (strcmp(b->modules[i].path, PROTO_MAIN_NAME) == 0)
            nmain = i + 1; /* the main program is module 1 when it has TLS */
    }
    bool early = glibc_tls_laid_out_before_libraries(&b->tunables);
    size_t nlaid = glibc_startup_laid_out(&b->tunables, nmain, b->nmodules);
    size_t align = glibc_static_align(&rules, blocks, nlaid, rseq);
    b->predicted_static_align = align;
    b->predicted_used =
        model_startup_layout(&rules, blocks, nlaid, rseq_block, RSEQ_MIN_ALIGN, offsets);
    for (size_t i = 0; i < nlaid; i++) {
        b->modules[i].predicted_offset = offsets[i];
        b->modules[i].predicted_static = true;
    }
    if (b->synthetic) /* nothing was read: the layout is all the model's */
        b->used = b->predicted_used;
    model_start(&b->model, &rules, surplus, b->tunables.optional, b->predicted_used,
                early ? b->predicted_used : b->used, align);
    for (size_t i = 0; i < b->nmodules; i++)
        if (b->modules[i].modid > 0 && b->modules[i].modid <= MODEL_MAX_MODID)
            model_mark_modid(&b->model, b->modules[i].modid);
    if (early)
        relocate_startup(b, nlaid);
    b->modelled = true;
    free(blocks);
    free(offsets);
}

/* The model again, from what the budget now holds. */
static void remodel(struct budget *b)
{
    b->modelled = false;
    b->why_not_modelled[0] = '\0';
    b->startup_failure = KIND_LOADED;
    build_model(b);
}

void budget_model_as(struct budget *b, const char *version)
{
    free(b->libc_version);
    b->libc_version = xstrdup(version);
    b->knows_tls_tunables = false;
    b->have_rseq = false;
    remodel(b);
}

bool budget_model_release(struct budget *b, const char *version)
{
    struct glibc_rules rules;
    char why[256];
    bool own = glibc_rules_for(version, b->machine, false, &rules, why, sizeof why) &&
               rules.libc_tls_size;
    for (size_t i = 0; own && i < b->nmodules; i++) {
        const char *base = strrchr(b->modules[i].path, '/');
        if (strncmp(base ? base + 1 : b->modules[i].path, "libc.so", 7) == 0)
            b->modules[i].block.size = rules.libc_tls_size;
    }
    /* The offsets read here are of the host's layout: the model lays the
       startup modules out itself, as for a synthetic process. */
    b->synthetic |= own;
    budget_model_as(b, version);
    return own;
}

bool budget_read(const struct probe_env *env, struct budget *b, char *err, size_t errlen)
{
    struct probe_result pr;
    probe_run(env, PROTO_MODE_BUDGET, NULL, 0, &pr);
    bool ok = budget_from_probe(&pr, env, PROTO_END, b, err, errlen);
    probe_result_free(&pr);
    return ok;
}

bool budget_from_probe(const struct probe_result *pr, const struct probe_env *env,
                       const char *last, struct budget *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    if (!probe_find(pr, last) || !probe_find(pr, PROTO_LIBC)) {
        char how[64];
        /* ld.so's fatal line says why, after any warnings it printed first. */
        const char *fatal = strstr(pr->output, "error while loading shared libraries");
        const char *line = fatal ? fatal : pr->output;
        snprintf(err, errlen, "the budget probe did not report (%s)%s%.*s",
                 probe_end_text(pr, how, sizeof how), line[0] ? ": " : "",
                 (int)(fatal ? strcspn(line, "\n") : 400), line);
        return false;
    }
    read_records(pr, b);
    if (!b->machine)
        b->machine = xstrdup("unknown");
    /* Only where the release does not say it (a backport) is ld.so read:
       reading it costs time. */
    b->knows_tls_tunables = glibc_release_has_tls_tunables(b->libc_version)
                                ? strcmp(b->libc_name, "glibc") == 0
                                : file_contains(b->ldso_path, "glibc.rtld.nns");
    if (strcmp(b->libc_name, "musl") == 0 && !*b->libc_version)
        read_musl_version(env, b);
    b->glibc_tunables = dup_or_empty(env_lookup(env->vars, "GLIBC_TUNABLES"));
    b->ld_audit = dup_or_empty(env_lookup(env->vars, "LD_AUDIT"));
    const char *bind_now = env_lookup(env->vars, "LD_BIND_NOW");
    b->bind_now = bind_now && *bind_now;
    build_model(b);
    return true;
}

void budget_add_preloads(struct budget *b, struct budget_module *mods, size_t n)
{
    size_t nmain = 0;
    while (nmain < b->nmodules && strcmp(b->modules[nmain].path, PROTO_MAIN_NAME) == 0)
        nmain++;
    b->modules = xrealloc(b->modules, (b->nmodules + n + 1) * sizeof *b->modules);
    memmove(b->modules + nmain + n, b->modules + nmain,
            (b->nmodules - nmain) * sizeof *b->modules);
    for (size_t i = 0; i < n; i++) {
        b->modules[nmain + i] = mods[i];
        b->modules[nmain + i].access_read = true;
    }
    b->nmodules += n;
    /* Module ids go in link-map order: the preloads take theirs first. */
    for (size_t i = 0; i < b->nmodules; i++)
        b->modules[i].modid = (long)i + 1;
    remodel(b);
}

void budget_synthetic(struct budget *b, const char *version, const char *machine,
                      size_t libc_size, bool rseq, const char *tunables, const char *ld_audit,
                      struct budget_module *mods, size_t n)
{
    memset(b, 0, sizeof *b);
    b->synthetic = true;
    b->libc_name = xstrdup("glibc");
    b->libc_version = xstrdup(version);
    b->libc_release = xstrdup("modelled");
    b->machine = xstrdup(machine);
    b->glibc_tunables = xstrdup(tunables ? tunables : "");
    b->ld_audit = xstrdup(ld_audit ? ld_audit : "");
    b->knows_tls_tunables = true; /* a 2.31 is Debian's backport */
    b->have_rseq = rseq;
    b->rseq_size = 32;
    b->rseq_offset = glibc_layout_of(machine) == LAYOUT_ABOVE_TP ? 1 : -1; /* in the area */
    b->modules = xcalloc(n + 1, sizeof *b->modules);
    for (size_t i = 0; i < n; i++) {
        b->modules[b->nmodules++] = mods[i];
        b->modules[b->nmodules - 1].access_read = true;
    }
    b->modules[b->nmodules++] = (struct budget_module){
        .path = xstrdup("libc.so.6"), .block = {libc_size, 8, 0}, .access = TLS_IE,
        .access_read = true};
    for (size_t i = 0; i < b->nmodules; i++)
        b->modules[i].modid = (long)i + 1;
    build_model(b);
}

void budget_set_audit(struct budget *b, const char *ld_audit)
{
    free(b->ld_audit);
    b->ld_audit = xstrdup(ld_audit ? ld_audit : "");
    remodel(b);
}

void budget_remodel(struct budget *b)
{
    remodel(b);
}

void budget_set_tunables(struct budget *b, const char *tunables)
{
    free(b->glibc_tunables);
    b->glibc_tunables = xstrdup(tunables ? tunables : "");
    remodel(b);
}

void budget_set_main(struct budget *b, const struct tls_block *block, enum tls_access access)
{
    bool has = b->nmodules && strcmp(b->modules[0].path, PROTO_MAIN_NAME) == 0;
    if (block->size == 0 && has) {
        free(b->modules[0].path);
        memmove(b->modules, b->modules + 1, (b->nmodules - 1) * sizeof *b->modules);
        b->nmodules--;
    } else if (block->size) {
        if (!has) {
            b->modules = xrealloc(b->modules, (b->nmodules + 1) * sizeof *b->modules);
            memmove(b->modules + 1, b->modules, b->nmodules * sizeof *b->modules);
            b->nmodules++;
            b->modules[0] = (struct budget_module){.path = xstrdup(PROTO_MAIN_NAME)};
        }
        b->modules[0].block = *block;
        b->modules[0].access = access;
        b->modules[0].access_read = true;
        b->modules[0].has_tpoff = false; /* not this program's offset */
    }
    /* Module ids go in link-map order: the main program is the first. */
    for (size_t i = 0; i < b->nmodules; i++)
        b->modules[i].modid = (long)i + 1;
    remodel(b);
}

long budget_static_end(const struct budget *b)
{
    bool above = b->modelled ? b->model.rules.layout == LAYOUT_ABOVE_TP
                             : b->machine && glibc_layout_of(b->machine) == LAYOUT_ABOVE_TP;
    return above ? (long)b->static_size : -(long)b->static_size;
}

void budget_free(struct budget *b)
{
    for (size_t i = 0; i < b->nmodules; i++)
        free(b->modules[i].path);
    free(b->modules);
    free(b->libc_name);
    free(b->libc_version);
    free(b->libc_release);
    free(b->machine);
    free(b->ldso_path);
    free(b->glibc_tunables);
    free(b->ld_audit);
    memset(b, 0, sizeof *b);
}
