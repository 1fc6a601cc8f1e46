#define _GNU_SOURCE
#include "plan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfinfo.h"
#include "protocol.h"
#include "visible.h"
#include "xalloc.h"

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
    return s;
}

void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        closure_free(&p->steps[i].closure);
        free(p->steps[i].name);
        free(p->steps[i].target);
    }
    free(p->steps);
    memset(p, 0, sizeof *p);
}

/* ---- resolving what a load maps ------------------------------------------ */

void plan_resolve(struct plan *p, char *const *vars, char *const *lib_dirs)
{
    for (size_t i = 0; i < p->n; i++) {
        struct plan_step *s = &p->steps[i];
        if (s->op == OP_LOAD || s->op == OP_MOPEN)
            s->resolved = resolve_closure_in(s->target, vars, lib_dirs, s->op == OP_MOPEN,
                                             &s->closure);
    }
}

bool plan_glibc_refusal(const struct plan *p, const char *release, char *why, size_t len)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_step *s = &p->steps[i];
        if (!s->resolved || closure_loads_on(&s->closure, release))
            continue;
        const struct closure *c = &s->closure;
        snprintf(why, len, "step %d (%s): %s needs %s of %s, this build is glibc %s, whose "
                 "ld.so refuses it (\"version `%s' not found\"): build it against glibc %s "
                 "or leave this build out", s->number, s->name, c->glibc_need_by, c->glibc_need,
                 c->glibc_need_of, release, c->glibc_need, release);
        return true;
    }
    return false;
}

/* ---- running ------------------------------------------------------------- */

/* The probe's argument for one step, "OP:ARG" (see probe/protocol.h). */
char *plan_step_arg(const struct plan_step *s)
{
    const char *op = plan_op_name(s->op);
    if (s->op == OP_THREADS)
        return xasprintf("%s%c%ld", op, PROTO_ARG_SEP, s->count);
    if (s->op == OP_CLOSE) /* count is an index; the probe numbers steps from 1 */
        return xasprintf("%s%c%ld", op, PROTO_ARG_SEP, s->count + 1);
    return xasprintf("%s%c%s", op, PROTO_ARG_SEP, s->target);
}

void plan_run(const struct plan *p, const struct probe_env *env, long static_end,
              struct step_result *out, struct probe_result *pr)
{
    char **args = xcalloc(p->n, sizeof *args);
    for (size_t i = 0; i < p->n; i++)
        args[i] = plan_step_arg(&p->steps[i]);
    probe_run(env, PROTO_MODE_STEPS, args, p->n, pr);
    for (size_t i = 0; i < p->n; i++)
        free(args[i]);
    free(args);
    plan_read_results(p, pr, static_end, out);
}

void plan_read_results(const struct plan *p, const struct probe_result *pr, long static_end,
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
            sr->environment = record_get(r, PROTO_KEY_ENVIRONMENT) != NULL;
            const char *path = record_get(r, PROTO_KEY_PATH);
            sr->path = path ? xstrdup(path) : NULL;
            if (record_get_long(r, PROTO_KEY_MODID, &v))
                sr->modid = v;
            sr->has_tpoff = record_get_long(r, PROTO_KEY_TPOFF, &sr->tpoff);
            /* The static area lies between TP and static_end (below TP
               on x86 and s390x, above on the others); dynamic blocks come
               from malloc.  Above TP the first block may start at TP+0
               (ppc64le's TP - 0x7000 and riscv64's TP end the TCB). */
            sr->in_static = sr->has_tpoff &&
                            (static_end < 0 ? sr->tpoff >= static_end && sr->tpoff < 0
                                            : sr->tpoff >= 0 && sr->tpoff < static_end);
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
    size_t last = p->n; /* the probe died in the last step that began, which says how */
    while (last > 0 && !r[last - 1].ran)
        last--;
    if (last && (r[last - 1].kind == KIND_CRASHED || r[last - 1].kind == KIND_TIMEOUT))
        return NULL;
    if (last && r[last - 1].environment) {
        snprintf(buf, len, "its %s step was refused by this machine, not by the steps: %s; "
                 "raise the limit (ulimit -u) to run them", plan_op_name(p->steps[last - 1].op),
                 r[last - 1].error ? r[last - 1].error : "");
        return buf;
    }
    char how[64];
    size_t out_len = strcspn(pr->output ? pr->output : "", "\n");
    snprintf(buf, len, "the probe ended by %s outside any step%s%.*s",
             probe_end_text(pr, how, sizeof how), out_len ? ": " : "", (int)(out_len > 400 ? 400 : out_len),
             pr->output ? pr->output : "");
    return buf;
}

/* ---- predicting ---------------------------------------------------------- */

/* The startup modules of namespace 0 as the model placed them (budget.c),
   for loads of what is already there. */
struct startup {
    struct dl_module *modules;
    char **ids;
    size_t n;
};

static void add_startup(struct dl_process *proc, const struct budget *b, struct startup *st)
{
    st->n = b->nmodules;
    st->modules = xcalloc(st->n + 1, sizeof *st->modules);
    st->ids = xcalloc(st->n + 1, sizeof *st->ids);
    for (size_t i = 0; i < st->n; i++) {
        const struct budget_module *bm = &b->modules[i];
        st->ids[i] = file_identity(bm->path);
        st->modules[i] = (struct dl_module){.id = st->ids[i], .block = bm->block,
                                            .access = bm->access};
        struct placed pl = {.how = bm->predicted_static ? PLACED_STATIC : PLACED_DYNAMIC,
                            .offset = bm->predicted_offset, .modid = bm->modid};
        dl_add_startup(proc, &st->modules[i], pl, bm->lazy);
        /* Its unique symbols are found in the global scope first: they
           pin no object a dlopen maps later (elfunique.h). */
        struct elf_tls t;
        char err[512];
        if (bm->path && elf_tls_read(bm->path, &t, err, sizeof err)) {
            for (size_t d = 0; d < t.unique.ndefs; d++)
                dl_unique_startup(proc, t.unique.defs[d]);
            elf_tls_free(&t);
        }
    }
}

static void startup_free(struct startup *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->ids[i]);
    free(st->ids);
    free(st->modules);
}

static void predict_load(struct dl_process *proc, const struct plan_step *s,
                         struct step_prediction *o, long *handle)
{
    const struct closure *c = &s->closure;
    const struct dl_module **mods = xcalloc(c->n + 1, sizeof *mods);
    for (size_t k = 0; k < c->n; k++)
        mods[k] = &c->objects[k].module;
    struct dl_request rq = {.new_namespace = s->op == OP_MOPEN, .root_id = c->root_id,
                            .root_has_tls = c->root_has_tls, .touch = s->touches,
                            .mods = mods, .n = c->n, .unique = c->unique,
                            .nunique = c->nunique};
    struct dl_outcome r = dl_open(proc, &rq);
    o->kind = r.kind;
    o->undefined = r.undefined;
    o->modid = r.root_modid;
    o->has_tpoff = r.kind == KIND_LOADED && r.root_static;
    o->tpoff = model_tpoff(&proc->m, r.root_offset);
    *handle = r.handle;
    free(mods);
}

void plan_predict(const struct plan *p, const struct budget *b, struct step_prediction *out,
                  struct model *final)
{
    memset(out, 0, p->n * sizeof *out);
    if (!b->modelled)
        return;
    struct dl_process proc;
    dl_start(&proc, &b->model, b->tunables.naudit);
    struct startup st;
    add_startup(&proc, b, &st);
    long *handle = xcalloc(p->n + 1, sizeof *handle);
    bool lost = false; /* once a step is unknown, so is everything after it */
    for (size_t i = 0; i < p->n && !lost; i++) {
        const struct plan_step *s = &p->steps[i];
        struct step_prediction *o = &out[i];
        o->known = true;
        o->kind = KIND_LOADED;
        handle[i] = -1;
        if (s->op == OP_THREADS) {
            proc.m.threads += (unsigned)s->count;
        } else if (s->op == OP_CLOSE) {
            dl_close(&proc, handle[s->count]);
        } else if (!s->resolved) {
            o->known = false;
            lost = true;
        } else {
            predict_load(&proc, s, o, &handle[i]);
            lost = o->undefined != NULL;
        }
        o->free_after = model_free(&proc.m);
    }
    if (final)
        *final = proc.m;
    free(handle);
    startup_free(&st);
    dl_process_free(&proc);
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
    if (r->kind == KIND_LOADED && r->modid && pr->modid > 0 && r->modid != pr->modid) {
        snprintf(why, len, "module id %ld, modelled %ld", r->modid, pr->modid);
        return false;
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
    fprintf(out, "  %4s  %-8s %-28s %-22s %9s %6s | %-22s %9s %6s %7s\n", "step", "op",
            "object", "measured", "TP off", "modid", "modelled", "TP off", "modid", "free");
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_step *s = &p->steps[i];
        char num[16], tp[32] = "-", mod[32] = "-", ptp[32] = "-", pmod[32] = "-", pfree[32] = "-";
        snprintf(num, sizeof num, s->number ? "%d" : "-", s->number);
        if (r && r[i].in_static) /* a dynamic block's address says nothing */
            snprintf(tp, sizeof tp, "%+ld", r[i].tpoff);
        if (r && r[i].modid)
            snprintf(mod, sizeof mod, "%ld", r[i].modid);
        if (pr[i].known && pr[i].modid > 0 && pr[i].kind == KIND_LOADED)
            snprintf(pmod, sizeof pmod, "%ld", pr[i].modid);
        if (pr[i].known && pr[i].has_tpoff)
            snprintf(ptp, sizeof ptp, "%+ld", pr[i].tpoff);
        if (pr[i].known)
            snprintf(pfree, sizeof pfree, "%zu", pr[i].free_after);
        char what[64];
        char *name = s->name ? visible(s->name) : NULL; /* a ${VAR} path may hold any byte */
        if (s->op == OP_THREADS)
            snprintf(what, sizeof what, "%ld threads", s->count);
        else if (s->op == OP_CLOSE)
            snprintf(what, sizeof what, "step %d", p->steps[s->count].number);
        else if (strlen(name) > 28) /* the file name is the telling part */
            snprintf(what, sizeof what, "...%s", name + strlen(name) - 25);
        else
            snprintf(what, sizeof what, "%s", name);
        free(name);
        bool is_load = s->op == OP_LOAD || s->op == OP_MOPEN;
        const char *measured = !r                                          ? "(modelled only)"
                               : !r[i].ran                                 ? "(not run)"
                               : !is_load && r[i].kind == KIND_LOADED      ? "done"
                                                                           : load_kind_name(r[i].kind);
        const char *modelled = !pr[i].known                                ? "(unknown)"
                               : !is_load && pr[i].kind == KIND_LOADED     ? "done"
                                                                           : load_kind_name(pr[i].kind);
        fprintf(out, "  %4s  %-8s %-28.28s %-22s %9s %6s | %-22s %9s %6s %7s\n", num,
                plan_op_name(s->op), what, measured, tp, mod, modelled, ptp, pmod, pfree);
        if (r && r[i].error && r[i].kind != KIND_LOADED) {
            char *error = visible(r[i].error);
            fprintf(out, "        error: %s\n", error);
            free(error);
        }
        else if (!r && pr[i].known && is_load &&
                 (pr[i].kind == KIND_STATIC_TLS_COUNT || pr[i].kind == KIND_STATIC_TLS_EXHAUSTED)) {
            char message[PATH_MAX + 128];
            char *error = visible(load_kind_dlerror(pr[i].kind, s->name, message, sizeof message));
            fprintf(out, "        modelled error: %s\n", error);
            free(error);
        }
    }
}
