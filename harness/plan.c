#define _GNU_SOURCE
#include "plan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfinfo.h"
#include "probe/protocol.h"
#include "xsys.h"

struct plan_step *plan_add(struct plan *p, enum op_kind op, const char *name,
                           const char *target, long count)
{
    struct plan_step *s = XAPPEND(&p->steps, &p->n);
    memset(s, 0, sizeof *s);
    s->op = op;
    s->number = (int)p->n;
    s->name = xstrdup(name ? name : "");
    s->target = xstrdup(target ? target : "");
    s->count = count;
    s->startup_module = s->same_as = -1;
    return s;
}

void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < p->steps[i].nobjects; j++)
            free(p->steps[i].objects[j].path);
        free(p->steps[i].objects);
        free(p->steps[i].name);
        free(p->steps[i].target);
    }
    free(p->steps);
    memset(p, 0, sizeof *p);
}

/* ---- resolving what a load maps ------------------------------------------ */

/* glibc knows a file it has mapped by device and inode, whatever the name. */
static char *file_identity(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return xstrdup(path);
    return xasprintf("%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

/* ld.so's search order without ld.so.cache: LD_LIBRARY_PATH, then the
   default directories of the libc in use. */
static char *find_library(const char *name, char *const *vars, char *const *lib_dirs)
{
    if (strchr(name, '/'))
        return access(name, F_OK) == 0 ? xstrdup(name) : NULL;
    const char *llp = env_lookup(vars, "LD_LIBRARY_PATH");
    char *dirs = xstrdup(llp ? llp : "");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *path = xasprintf("%s/%s", d, name);
        if (access(path, F_OK) == 0) {
            free(dirs);
            return path;
        }
        free(path);
    }
    free(dirs);
    for (size_t i = 0; lib_dirs && lib_dirs[i]; i++) {
        char *path = xasprintf("%s/%s", lib_dirs[i], name);
        if (access(path, F_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

struct loaded_set {
    char **ids; /* file identities of the objects already mapped */
    size_t n;
};

static bool is_loaded(const struct loaded_set *s, const char *path)
{
    char *id = file_identity(path);
    bool found = false;
    for (size_t i = 0; i < s->n && !found; i++)
        found = strcmp(s->ids[i], id) == 0;
    free(id);
    return found;
}

static void remember(struct loaded_set *s, const char *path)
{
    *XAPPEND(&s->ids, &s->n) = file_identity(path);
}

static void forget(struct loaded_set *s, const char *path)
{
    char *id = file_identity(path);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0) {
            free(s->ids[i]);
            s->ids[i] = s->ids[--s->n];
            break;
        }
    free(id);
}

static void loaded_set_free(struct loaded_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ids[i]);
    free(s->ids);
}

/* Depth-first over DT_NEEDED, so dependencies come before their users:
   ld.so relocates new objects in that order. */
static void add_objects(struct plan_step *s, const char *name, char *const *vars,
                        char *const *lib_dirs, struct loaded_set *seen, int depth)
{
    char *path = find_library(name, vars, lib_dirs);
    if (!path || depth > 32) {
        s->resolved = false;
        free(path);
        return;
    }
    if (is_loaded(seen, path)) {
        free(path);
        return;
    }
    remember(seen, path);
    struct elf_tls t;
    char err[512];
    if (!elf_tls_read(path, &t, err, sizeof err)) {
        s->resolved = false;
        free(path);
        return;
    }
    for (size_t i = 0; i < t.nneeded; i++)
        add_objects(s, t.needed[i], vars, lib_dirs, seen, depth + 1);
    if (t.has_tls) {
        struct plan_object *o = XAPPEND(&s->objects, &s->nobjects);
        o->path = path;
        o->block = (struct tls_block){t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
        o->access = elf_tls_access(&t);
    } else {
        free(path);
    }
    elf_tls_free(&t);
}

void plan_resolve(struct plan *p, const struct budget *b, char *const *vars,
                  char *const *lib_dirs)
{
    struct loaded_set main_ns = {0};
    for (size_t i = 0; i < b->nmodules; i++)
        remember(&main_ns, b->modules[i].path);
    for (size_t i = 0; i < p->n; i++) {
        struct plan_step *s = &p->steps[i];
        if (s->op == OP_CLOSE) /* its objects may be mapped again later */
            for (size_t j = 0; j < p->steps[s->count].nobjects; j++)
                forget(&main_ns, p->steps[s->count].objects[j].path);
        if (s->op != OP_LOAD && s->op != OP_MOPEN)
            continue;
        s->resolved = true;
        char *path = find_library(s->target, vars, lib_dirs);
        if (path && s->op == OP_LOAD && is_loaded(&main_ns, path)) {
            char *id = file_identity(path);
            for (size_t m = 0; m < b->nmodules; m++) {
                char *mid = file_identity(b->modules[m].path);
                if (strcmp(mid, id) == 0)
                    s->startup_module = (long)m;
                free(mid);
            }
            for (size_t j = 0; j < i && s->startup_module < 0; j++) {
                const struct plan_step *e = &p->steps[j];
                char *eid = e->nobjects ? file_identity(e->objects[e->nobjects - 1].path) : NULL;
                if (eid && strcmp(eid, id) == 0)
                    s->same_as = (long)j;
                free(eid);
            }
            free(id);
        }
        free(path);
        if (s->op == OP_MOPEN) { /* a new namespace maps everything again */
            struct loaded_set fresh = {0};
            add_objects(s, s->target, vars, lib_dirs, &fresh, 0);
            loaded_set_free(&fresh);
        } else {
            add_objects(s, s->target, vars, lib_dirs, &main_ns, 0);
        }
    }
    loaded_set_free(&main_ns);
}

/* ---- running ------------------------------------------------------------- */

/* The probe's argument for one step, "OP:ARG" (see probe/protocol.h). */
static char *step_arg(const struct plan_step *s)
{
    const char *op = plan_op_name(s->op);
    if (s->op == OP_THREADS)
        return xasprintf("%s%c%ld", op, PROTO_ARG_SEP, s->count);
    if (s->op == OP_CLOSE) /* count is an index; the probe numbers steps from 1 */
        return xasprintf("%s%c%ld", op, PROTO_ARG_SEP, s->count + 1);
    return xasprintf("%s%c%s", op, PROTO_ARG_SEP, s->target);
}

void plan_run(const struct plan *p, const struct probe_env *env, size_t static_size,
              struct step_result *out, struct probe_result *pr)
{
    char **args = xcalloc(p->n, sizeof *args);
    for (size_t i = 0; i < p->n; i++)
        args[i] = step_arg(&p->steps[i]);
    probe_run(env, PROTO_MODE_STEPS, args, p->n, pr);
    for (size_t i = 0; i < p->n; i++)
        free(args[i]);
    free(args);
    plan_read_records(p, pr, static_size, out);
}

void plan_read_records(const struct plan *p, const struct probe_result *pr, size_t static_size,
                       struct step_result *out)
{
    memset(out, 0, p->n * sizeof *out);
    for (size_t i = 0; i < p->n; i++) /* until a record says otherwise */
        out[i].kind = KIND_NOT_RUN;
    for (size_t i = 0; i < pr->nrecords; i++) {
        const struct record *r = &pr->records[i];
        long step, v;
        if (!record_get_long(r, PROTO_KEY_STEP, &step) || step < 1 || (size_t)step > p->n)
            continue;
        struct step_result *sr = &out[step - 1];
        if (strcmp(r->kind, PROTO_BEGIN) == 0) {
            sr->ran = true;
        } else if (strcmp(r->kind, PROTO_STEP) == 0) {
            sr->done = true;
            const char *ok = record_get(r, PROTO_KEY_OK), *err = record_get(r, PROTO_KEY_ERR);
            sr->kind = ok && strcmp(ok, PROTO_OK) == 0 ? KIND_LOADED : classify_dlerror(err);
            sr->error = err ? xstrdup(err) : NULL;
            const char *path = record_get(r, PROTO_KEY_PATH);
            sr->path = path ? xstrdup(path) : NULL;
            if (record_get_long(r, PROTO_KEY_MODID, &v))
                sr->modid = v;
            sr->has_tpoff = record_get_long(r, PROTO_KEY_TPOFF, &sr->tpoff);
            /* The static area lies within static_size of TP on either side;
               dynamic blocks come from malloc, outside it. */
            sr->in_static = sr->has_tpoff && sr->tpoff != 0 &&
                            (size_t)labs(sr->tpoff) <= static_size;
        }
    }
    /* A step that began and never finished is where the probe died. */
    for (size_t i = 0; i < p->n; i++) {
        if (out[i].ran && !out[i].done) {
            char how[64];
            out[i].kind = pr->end == PROBE_TIMED_OUT ? KIND_TIMEOUT : KIND_CRASHED;
            out[i].error = xasprintf("probe ended by %s during this step",
                                     probe_end_text(pr, how, sizeof how));
        }
    }
}

void step_results_free(struct step_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].error);
        free(r[i].path);
    }
}

size_t first_failure(const struct plan *p, const struct step_result *r)
{
    for (size_t i = 0; i < p->n; i++)
        if (r[i].kind != KIND_LOADED) /* a step that never ran did not load either */
            return i + 1;
    return 0;
}

const char *plan_probe_failure(const struct plan *p, const struct step_result *r,
                               const struct probe_result *pr, char *buf, size_t len)
{
    bool ended = false;
    for (size_t i = 0; i < pr->nrecords && !ended; i++)
        ended = strcmp(pr->records[i].kind, PROTO_END) == 0;
    if (pr->end == PROBE_EXITED && pr->code == 0 && ended)
        return NULL;
    size_t fail = first_failure(p, r);
    if (fail && (r[fail - 1].kind == KIND_CRASHED || r[fail - 1].kind == KIND_TIMEOUT))
        return NULL; /* the step it died in says so */
    char how[64];
    size_t out_len = strcspn(pr->output ? pr->output : "", "\n");
    snprintf(buf, len, "the probe ended by %s outside any step%s%.*s",
             probe_end_text(pr, how, sizeof how), out_len ? ": " : "", (int)(out_len > 400 ? 400 : out_len),
             pr->output ? pr->output : "");
    return buf;
}

/* ---- predicting ---------------------------------------------------------- */

struct placed_step {
    struct placed *placed;
    size_t n;
};

void plan_predict(const struct plan *p, const struct budget *b, struct step_prediction *out,
                  struct model *final)
{
    memset(out, 0, p->n * sizeof *out);
    if (!b->modelled)
        return;
    struct model m = b->model;
    struct placed_step *done = xcalloc(p->n, sizeof *done);
    bool lost = false; /* once a step is unknown, so is everything after it */
    for (size_t i = 0; i < p->n && !lost; i++) {
        const struct plan_step *s = &p->steps[i];
        struct step_prediction *o = &out[i];
        o->known = true;
        o->kind = KIND_LOADED;
        if (s->op == OP_THREADS) {
            m.threads += (unsigned)s->count;
        } else if (s->op == OP_CLOSE) {
            struct placed_step *ps = &done[s->count];
            for (size_t j = ps->n; j-- > 0;)
                model_unload(&m, &ps->placed[j], &p->steps[s->count].objects[j].block);
            ps->n = 0;
        } else if (!s->resolved) {
            o->known = false;
            lost = true;
        } else if (s->startup_module >= 0 && !b->tunables.naudit) {
            const struct budget_module *bm = &b->modules[s->startup_module];
            o->has_tpoff = true;
            o->tpoff = model_tpoff(&m, bm->predicted_offset);
            o->modid = bm->modid;
        } else if (s->same_as >= 0) {
            o->has_tpoff = out[s->same_as].has_tpoff;
            o->tpoff = out[s->same_as].tpoff;
            o->modid = out[s->same_as].modid;
        } else {
            struct placed_step *ps = &done[i];
            ps->placed = xcalloc(s->nobjects, sizeof *ps->placed);
            for (size_t j = 0; j < s->nobjects && o->kind == KIND_LOADED; j++) {
                struct placed pl = model_load(&m, &s->objects[j].block, s->objects[j].access);
                ps->placed[ps->n++] = pl;
                if (pl.how == FAILED_SIZE || pl.how == FAILED_ALIGN || pl.how == FAILED_COUNT) {
                    o->kind = pl.how == FAILED_COUNT ? KIND_STATIC_TLS_COUNT
                                                     : KIND_STATIC_TLS_EXHAUSTED;
                    ps->n--; /* a failed dlopen gives back what it placed */
                    while (ps->n > 0) {
                        ps->n--;
                        model_unload(&m, &ps->placed[ps->n], &s->objects[ps->n].block);
                    }
                } else if (j + 1 == s->nobjects) {
                    o->modid = pl.modid;
                    o->has_tpoff = pl.how == PLACED_STATIC;
                    o->tpoff = model_tpoff(&m, pl.offset);
                }
            }
        }
        o->free_after = model_free(&m);
    }
    for (size_t i = 0; i < p->n; i++)
        free(done[i].placed);
    free(done);
    if (final)
        *final = m;
}

bool step_agrees(const struct step_result *r, const struct step_prediction *pr, char *why,
                 size_t len)
{
    if (!pr->known || !r->ran)
        return true;
    if (r->kind != pr->kind) {
        snprintf(why, len, "measured %s, modelled %s", load_kind_name(r->kind),
                 load_kind_name(pr->kind));
        return false;
    }
    /* Only our fixtures report where their block is. */
    if (r->kind == KIND_LOADED && r->has_tpoff) {
        if (r->in_static != pr->has_tpoff || (pr->has_tpoff && r->tpoff != pr->tpoff)) {
            if (pr->has_tpoff)
                snprintf(why, len, "block at TP%+ld, modelled TP%+ld", r->tpoff, pr->tpoff);
            else
                snprintf(why, len, "block at TP%+ld, modelled in dynamic TLS", r->tpoff);
            return false;
        }
    }
    return true;
}

/* ---- printing ------------------------------------------------------------ */

const char *plan_op_name(enum op_kind op)
{
    static const char *const names[] = {PROTO_OP_THREADS, PROTO_OP_LOAD, PROTO_OP_DLMOPEN,
                                        PROTO_OP_CLOSE};
    return names[op];
}

void plan_print(FILE *out, const struct plan *p, const struct step_result *r,
                const struct step_prediction *pr)
{
    fprintf(out, "  %4s  %-8s %-28s %-22s %9s %8s | %-22s %9s %9s\n", "step", "op", "object",
            "measured", "TP off", "modid", "modelled", "TP off", "free");
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_step *s = &p->steps[i];
        char num[16], tp[32] = "-", mod[32] = "-", ptp[32] = "-", pfree[32] = "-";
        snprintf(num, sizeof num, s->number ? "%d" : "-", s->number);
        if (r && r[i].in_static) /* a dynamic block's address says nothing */
            snprintf(tp, sizeof tp, "%+ld", r[i].tpoff);
        if (r && r[i].modid)
            snprintf(mod, sizeof mod, "%ld", r[i].modid);
        else if (!r && pr[i].known && pr[i].modid > 0) /* modelled only: its ids */
            snprintf(mod, sizeof mod, "(%ld)", pr[i].modid);
        if (pr[i].known && pr[i].has_tpoff)
            snprintf(ptp, sizeof ptp, "%+ld", pr[i].tpoff);
        if (pr[i].known)
            snprintf(pfree, sizeof pfree, "%zu", pr[i].free_after);
        char what[64];
        if (s->op == OP_THREADS)
            snprintf(what, sizeof what, "%ld threads", s->count);
        else if (s->op == OP_CLOSE)
            snprintf(what, sizeof what, "step %d", p->steps[s->count].number);
        else if (strlen(s->name) > 28) /* the file name is the telling part */
            snprintf(what, sizeof what, "...%s", s->name + strlen(s->name) - 25);
        else
            snprintf(what, sizeof what, "%s", s->name);
        bool is_load = s->op == OP_LOAD || s->op == OP_MOPEN;
        const char *measured = !r                                          ? "(modelled only)"
                               : !r[i].ran                                 ? "(not run)"
                               : !is_load && r[i].kind == KIND_LOADED      ? "done"
                                                                           : load_kind_name(r[i].kind);
        const char *modelled = !pr[i].known                                ? "(unknown)"
                               : !is_load && pr[i].kind == KIND_LOADED     ? "done"
                                                                           : load_kind_name(pr[i].kind);
        fprintf(out, "  %4s  %-8s %-28.28s %-22s %9s %8s | %-22s %9s %9s\n", num,
                plan_op_name(s->op), what, measured, tp, mod, modelled, ptp, pfree);
        if (r && r[i].error && r[i].kind != KIND_LOADED)
            fprintf(out, "        error: %s\n", r[i].error);
        else if (!r && pr[i].known && is_load &&
                 (pr[i].kind == KIND_STATIC_TLS_COUNT || pr[i].kind == KIND_STATIC_TLS_EXHAUSTED)) {
            char message[PATH_MAX + 128];
            fprintf(out, "        modelled error: %s\n",
                    load_kind_dlerror(pr[i].kind, s->name, message, sizeof message));
        }
    }
}
