#include "dlmodel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void dl_start(struct dl_process *p, const struct model *m, size_t naudit)
{
    memset(p, 0, sizeof *p);
    p->m = *m;
    p->naudit = naudit;
    /* Each audit module was loaded into a namespace of its own. */
    for (size_t ns = 0; ns <= naudit && ns < DL_NNS; ns++)
        p->ns_busy[ns] = true;
}

void dl_add_startup(struct dl_process *p, const struct dl_module *mod, struct placed placed,
                    bool lazy)
{
    *XAPPEND(&p->loaded, &p->nloaded) = (struct dl_loaded){
        .module = mod, .ns = 0, .placed = placed, .startup = true, .lazy = lazy};
}

void dl_process_free(struct dl_process *p)
{
    strmap_free(&p->unique_bound);
    for (size_t i = 0; i < p->nhandles; i++)
        free(p->handles[i].members);
    free(p->handles);
    for (size_t i = 0; i < p->nloaded; i++)
        free(p->loaded[i].keeps);
    free(p->loaded);
    memset(p, 0, sizeof *p);
}

void dl_unique_startup(struct dl_process *p, const char *name)
{
    char *key = xasprintf("0:%s", name);
    strmap_put(&p->unique_bound, key, 0);
    free(key);
}

/* The bindings of a dlopen into ns whose lookups ran: those of objects
   relocated before rank upto (SIZE_MAX: all).  A name new to the
   namespace's table pins its owner and what the owner needs, unless the
   owner is the root and the root goes anyway (root_freed). */
static void bind_unique(struct dl_process *p, int ns, const struct dl_request *rq,
                        const size_t *members, size_t upto, bool root_freed)
{
    for (size_t i = 0; i < rq->nunique; i++) {
        const struct dl_unique_binding *b = &rq->unique[i];
        if (b->bound_rank >= upto || (root_freed && b->owner_is_root))
            continue;
        char *key = xasprintf("%d:%s", ns, b->name);
        bool entered = strmap_put(&p->unique_bound, key, 0);
        free(key);
        for (size_t k = 0; entered && k < b->nkeeps; k++)
            if (b->keeps[k] < rq->n)
                p->loaded[members[b->keeps[k]]].kept = true;
    }
}

static long find_loaded(const struct dl_process *p, int ns, const char *id)
{
    for (size_t i = 0; i < p->nloaded; i++)
        if (!p->loaded[i].gone && p->loaded[i].ns == ns &&
            strcmp(p->loaded[i].module->id, id) == 0)
            return (long)i;
    return -1;
}

static long find_handle(const struct dl_process *p, int ns, const char *root_id)
{
    for (size_t i = 0; i < p->nhandles; i++)
        if (p->handles[i].opens > 0 && p->handles[i].ns == ns &&
            strcmp(p->handles[i].root_id, root_id) == 0)
            return (long)i;
    return -1;
}

/* dlmopen(LM_ID_NEWLM) takes the lowest namespace nothing lives in. */
static int free_namespace(const struct dl_process *p)
{
    for (int ns = 1; ns < DL_NNS; ns++)
        if (!p->ns_busy[ns])
            return ns;
    return -1;
}

/* Unloads the entries of ns that no open handle holds, in the order ld.so
   mapped them (dl-close.c walks the namespace's list), from index first on. */
static void unload_unheld(struct dl_process *p, int ns, size_t first)
{
    bool *held = xcalloc(p->nloaded, sizeof *held);
    size_t *todo = xcalloc(p->nloaded + 1, sizeof *todo), ntodo = 0;
    for (size_t h = 0; h < p->nhandles; h++)
        for (size_t k = 0; p->handles[h].opens > 0 && k < p->handles[h].nmembers; k++)
            held[p->handles[h].members[k]] = true;
    for (size_t i = 0; i < p->nloaded; i++)
        if (!p->loaded[i].gone && (held[i] || p->loaded[i].kept))
            held[i] = true, todo[ntodo++] = i;
    while (ntodo) { /* what stays keeps what its relocations bound to */
        const struct dl_loaded *e = &p->loaded[todo[--ntodo]];
        for (size_t k = 0; k < e->nkeeps; k++)
            if (!held[e->keeps[k]] && !p->loaded[e->keeps[k]].gone)
                held[e->keeps[k]] = true, todo[ntodo++] = e->keeps[k];
    }
    free(todo);
    struct model_reclaim rc = {0};
    bool left = false;
    for (size_t i = 0; i < p->nloaded; i++) {
        struct dl_loaded *e = &p->loaded[i];
        if (e->gone || e->ns != ns)
            continue;
        if (i < first || e->startup || e->kept || held[i]) {
            left = true;
            continue;
        }
        model_reclaim_add(&p->m, &rc, &e->placed, &e->module->block);
        e->gone = true;
    }
    model_reclaim_end(&p->m, &rc);
    if (ns != 0 && !left) {
        p->ns_busy[ns] = false;
        p->namespace_closed = true;
    }
    free(held);
}

/* The loaded root of a handle; a lazily bound TLS descriptor module takes
   its static TLS when it is touched (x86 before 2.34). */
static struct dl_outcome outcome_of(struct dl_process *p, long handle, const struct dl_request *rq)
{
    struct dl_outcome out = {.kind = KIND_LOADED, .handle = handle};
    const struct dl_handle *h = &p->handles[handle];
    if (rq->root_has_tls && h->nmembers) {
        struct dl_loaded *root = &p->loaded[h->members[0]];
        if (root->lazy && rq->touch) {
            root->placed = model_place(&p->m, &root->module->block, TLS_DESC, root->placed.modid);
            root->lazy = false;
            p->dlopen_placed_static |= root->placed.how == PLACED_STATIC;
        }
        const struct placed *pl = &root->placed;
        /* Before 2.34 one dlopen could give two modules the same id (BZ
           #27135); the slot then names the later one, and a dynamic access
           to the root's TLS (__tls_get_addr) lands in that module's block. */
        for (size_t i = h->members[0] + 1; pl->how != PLACED_STATIC && i < p->nloaded; i++)
            if (!p->loaded[i].gone && p->loaded[i].placed.modid == pl->modid) {
                pl = &p->loaded[i].placed;
                if (rq->touch && root->module->block.size > p->loaded[i].module->block.size)
                    out.undefined = "glibc < 2.34 gives this module the id of another it maps "
                                    "in the same dlopen (BZ #27135), and using its TLS writes "
                                    "past that module's smaller block";
            }
        if (rq->touch && !root->startup && pl->how != PLACED_STATIC && p->naudit &&
            p->m.rules.audit_dynamic_tls_crash && !p->dlopen_placed_static) {
            out.kind = KIND_CRASHED; /* __tls_get_addr reads a stale DTV */
            return out;
        }
        if (rq->touch && pl->how != PLACED_STATIC && p->namespace_closed &&
            p->m.rules.freed_dtv_after_namespace_close)
            out.undefined = "dynamic TLS used after a dlmopen namespace was closed: glibc <= 2.21 "
                            "may reach it through a DTV in freed memory (measured on 2.17 and "
                            "2.21: a wild address, then a crash); that depends on the heap";
        out.root_static = pl->how == PLACED_STATIC;
        out.root_offset = pl->offset;
        out.root_modid = pl->modid;
    }
    return out;
}

/* Places the new entries [first, nloaded) in relocation order; the kind of
   the first failure, or KIND_LOADED, and the failing module's rank in
   *failed_rank. */
static enum load_kind place_new(struct dl_process *p, size_t first, size_t *failed_rank)
{
    size_t n = p->nloaded - first;
    size_t *order = xcalloc(n + 1, sizeof *order);
    for (size_t i = 0; i < n; i++) { /* insertion sort by relocation rank */
        size_t k = i;
        while (k > 0 && p->loaded[order[k - 1]].module->reloc_rank >
                            p->loaded[first + i].module->reloc_rank) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = first + i;
    }
    enum load_kind kind = KIND_LOADED;
    for (size_t i = 0; i < n && kind == KIND_LOADED; i++) {
        struct dl_loaded *e = &p->loaded[order[i]];
        e->placed = model_place(&p->m, &e->module->block, e->module->access, e->placed.modid);
        /* A refused block counts too (measured on 2.17: after a load that
           failed for static TLS, the crash below does not come). */
        p->dlopen_placed_static |= e->placed.how != PLACED_DYNAMIC;
        if (e->placed.how == FAILED_COUNT)
            kind = KIND_STATIC_TLS_COUNT;
        else if (e->placed.how == FAILED_SIZE || e->placed.how == FAILED_ALIGN)
            kind = KIND_STATIC_TLS_EXHAUSTED;
        *failed_rank = e->module->reloc_rank;
    }
    free(order);
    return kind;
}

struct dl_outcome dl_open(struct dl_process *p, const struct dl_request *rq)
{
    const struct dl_module *const *mods = rq->mods;
    size_t n = rq->n;
    if (rq->new_namespace && p->naudit && p->m.rules.dlmopen_audit_crash)
        return (struct dl_outcome){.kind = KIND_CRASHED, .handle = -1};
    int ns = rq->new_namespace ? free_namespace(p) : 0;
    if (ns < 0)
        return (struct dl_outcome){.kind = KIND_NO_NAMESPACE, .handle = -1};
    long again = rq->new_namespace ? -1 : find_handle(p, ns, rq->root_id);
    if (again >= 0) { /* the same handle, one more reference */
        p->handles[again].opens++;
        return outcome_of(p, again, rq);
    }
    p->ns_busy[ns] = true;
    size_t first = p->nloaded;
    size_t *members = xcalloc(n + 1, sizeof *members);
    for (size_t i = 0; i < n; i++) {
        long k = find_loaded(p, ns, mods[i]->id);
        if (k < 0) { /* mapped now: it takes its module id in map order */
            k = (long)p->nloaded;
            *XAPPEND(&p->loaded, &p->nloaded) = (struct dl_loaded){
                .module = mods[i], .ns = ns,
                .placed = {.how = PLACED_DYNAMIC, .modid = model_take_modid(&p->m)}};
        }
        members[i] = (size_t)k;
    }
    for (size_t i = first; i < p->nloaded; i++) /* mapped: their ids count now */
        model_commit_modid(&p->m, p->loaded[i].placed.modid);
    size_t failed_rank = SIZE_MAX;
    enum load_kind kind = place_new(p, first, &failed_rank);
    if (kind != KIND_LOADED) { /* dlopen fails: dl_close_worker removes the new objects */
        /* Before 2.31 what the relocations done so far pinned stays. */
        enum nodelete_rollback rollback = glibc_nodelete_rollback(&p->m.rules);
        if (rollback != NODELETE_PENDING)
            bind_unique(p, ns, rq, members, failed_rank,
                        rollback == NODELETE_ROOT_FORCED);
        model_failed_open(&p->m);
        unload_unheld(p, ns, first);
        free(members);
        return (struct dl_outcome){.kind = kind, .handle = -1};
    }
    for (size_t i = 0; i < n; i++) /* NODELETE takes effect once the dlopen succeeded */
        p->loaded[members[i]].kept |= mods[i]->kept;
    for (size_t i = 0; i < n; i++) { /* the bindings of the objects relocated now */
        struct dl_loaded *e = &p->loaded[members[i]];
        if (members[i] < first || e->nkeeps)
            continue;
        e->keeps = xcalloc(mods[i]->nbinds + 1, sizeof *e->keeps);
        for (size_t k = 0; k < mods[i]->nbinds; k++)
            if (mods[i]->binds[k] < n)
                e->keeps[e->nkeeps++] = members[mods[i]->binds[k]];
    }
    bind_unique(p, ns, rq, members, SIZE_MAX, false);
    *XAPPEND(&p->handles, &p->nhandles) =
        (struct dl_handle){.ns = ns, .root_id = rq->root_id, .opens = 1, .members = members,
                           .nmembers = n};
    return outcome_of(p, (long)p->nhandles - 1, rq);
}

void dl_close(struct dl_process *p, long handle)
{
    if (handle < 0 || (size_t)handle >= p->nhandles || p->handles[handle].opens <= 0)
        return;
    if (--p->handles[handle].opens > 0)
        return;
    unload_unheld(p, p->handles[handle].ns, 0);
}
