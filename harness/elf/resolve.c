#define _GNU_SOURCE
#include "resolve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfinfo.h"
#include "ldsearch.h"
#include "envvars.h"
#include "strmap.h"
#include "xalloc.h"

/* Far more objects than any dlopen maps: a cycle or a hostile file stops here. */
#define MAX_CLOSURE 4096

char *file_identity(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return xstrdup(path);
    return xasprintf("%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

struct node {
    char *path, *id;
    long needed_by; /* the node whose DT_NEEDED named it; -1 for the root */
    struct elf_tls tls;
    size_t *deps;
    size_t ndeps;
    size_t reloc_rank;
    bool ranked;
    bool kept; /* NODELETE or reachable from one */
};

struct graph {
    struct node *nodes;
    size_t n;
    bool new_namespace; /* mapped by dlmopen into a namespace of its own */
};

static long node_of(const struct graph *g, const char *id)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->nodes[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* Where ld.so finds what node i needs: through the DT_RPATH of i and of
   whatever needed it, LD_LIBRARY_PATH, i's DT_RUNPATH, the default dirs. */
static char *find_needed(const struct graph *g, size_t i, const char *name, const char *llp,
                         char *const *lib_dirs)
{
    struct ld_chain chain = {0};
    for (long k = (long)i; k >= 0; k = g->nodes[k].needed_by)
        ld_chain_add(&chain, g->nodes[k].path, g->nodes[k].tls.rpath, g->nodes[k].tls.runpath);
    char *found = ld_search(name, g->nodes[i].tls.machine, chain.links, chain.n, llp, lib_dirs);
    ld_chain_free(&chain);
    return found;
}

/* Breadth first from the root, as ld.so maps: every file found and read. */
static bool map_graph(struct graph *g, const char *name, char *const *vars,
                      char *const *lib_dirs)
{
    const char *llp = env_lookup(vars, "LD_LIBRARY_PATH");
    char *root = ld_search(name, 0, NULL, 0, llp, lib_dirs);
    if (!root)
        return false;
    *XAPPEND(&g->nodes, &g->n) =
        (struct node){.path = root, .id = file_identity(root), .needed_by = -1};
    for (size_t i = 0; i < g->n; i++) {
        char err[512];
        if (!elf_tls_read(g->nodes[i].path, &g->nodes[i].tls, err, sizeof err))
            return false;
        for (size_t k = 0; k < g->nodes[i].tls.nneeded; k++) {
            char *path = find_needed(g, i, g->nodes[i].tls.needed[k], llp, lib_dirs);
            if (!path || g->n >= MAX_CLOSURE) {
                free(path);
                return false;
            }
            char *id = file_identity(path);
            long dep = node_of(g, id);
            if (dep < 0) {
                dep = (long)g->n;
                *XAPPEND(&g->nodes, &g->n) =
                    (struct node){.path = path, .id = id, .needed_by = (long)i};
            } else {
                free(path), free(id);
            }
            *XAPPEND(&g->nodes[i].deps, &g->nodes[i].ndeps) = (size_t)dep;
        }
    }
    return true;
}

/* What a NODELETE object needs stays with it. */
static void keep(struct graph *g, size_t i)
{
    if (g->nodes[i].kept)
        return;
    g->nodes[i].kept = true;
    for (size_t k = 0; k < g->nodes[i].ndeps; k++)
        keep(g, g->nodes[i].deps[k]);
}

/* Objects every probe has from its start, in namespace 0's global scope
   that every lookup there searches first: glibc's own (the probe links
   libdl and libpthread).  A name they define binds there, and they are
   never unloaded.  A new namespace's global scope is its first object's
   search list: the root's, nothing before it. */
static bool in_global_scope(const struct graph *g, size_t i)
{
    const struct node *nd = &g->nodes[i];
    if (g->new_namespace)
        return false;
    const char *slash = strrchr(nd->path, '/');
    const char *name = nd->tls.soname ? nd->tls.soname : slash ? slash + 1 : nd->path;
    return strcmp(name, "libc.so.6") == 0 || strcmp(name, "libdl.so.2") == 0 ||
           strcmp(name, "libpthread.so.0") == 0 || strncmp(name, "ld-linux", 8) == 0;
}

/* Where each name a lookup may ask for binds first: an open-addressing
   table from the name's hash to the node, filled in the lookup's order
   (the global scope, then the root's search list, breadth first). */
struct definers {
    uint64_t *hashes;
    size_t *nodes; /* SIZE_MAX: an empty slot */
    size_t cap;
};

static void definers_put(struct definers *d, uint64_t h, size_t node)
{
    size_t i = (size_t)(h % d->cap);
    while (d->nodes[i] != SIZE_MAX && d->hashes[i] != h)
        i = (i + 1) % d->cap;
    if (d->nodes[i] == SIZE_MAX)
        d->hashes[i] = h, d->nodes[i] = node; /* the first definer wins */
}

static size_t definers_get(const struct definers *d, uint64_t h)
{
    for (size_t i = (size_t)(h % d->cap); d->nodes[i] != SIZE_MAX; i = (i + 1) % d->cap)
        if (d->hashes[i] == h)
            return d->nodes[i];
    return SIZE_MAX;
}

static void definers_fill(const struct graph *g, struct definers *d)
{
    size_t total = 0;
    for (size_t i = 0; i < g->n; i++)
        total += g->nodes[i].tls.unique.ndefined;
    d->cap = 2 * total + 1;
    d->hashes = xcalloc(d->cap, sizeof *d->hashes);
    d->nodes = xcalloc(d->cap, sizeof *d->nodes);
    for (size_t i = 0; i < d->cap; i++)
        d->nodes[i] = SIZE_MAX;
    for (int global = 1; global >= 0; global--)
        for (size_t i = 0; i < g->n; i++)
            if (in_global_scope(g, i) == global)
                for (size_t k = 0; k < g->nodes[i].tls.unique.ndefined; k++)
                    definers_put(d, g->nodes[i].tls.unique.defined[k], i);
}

/* Marks in reach what node i keeps mapped while it stays, itself included:
   elf/dl-close.c _dl_close_worker marks as used each object's l_initfini
   (its DT_NEEDED closure) and its l_reldeps, the objects its relocations
   bound to outside that closure (elf/dl-lookup.c add_dependency), and so
   on from each of them.  Objects of the global scope stay anyway. */
static void reach(const struct graph *g, const struct definers *d, size_t i, bool *in_reach)
{
    size_t *stack = xcalloc(g->n + 1, sizeof *stack), n = 0;
    in_reach[i] = true;
    stack[n++] = i;
    while (n) {
        const struct node *u = &g->nodes[stack[--n]];
        for (size_t k = 0; k < u->ndeps; k++)
            if (!in_reach[u->deps[k]] && !in_global_scope(g, u->deps[k])) {
                in_reach[u->deps[k]] = true;
                stack[n++] = u->deps[k];
            }
        for (size_t k = 0; k < u->tls.unique.nlooked_up; k++) {
            size_t to = definers_get(d, u->tls.unique.looked_up[k]);
            if (to != SIZE_MAX && !in_reach[to] && !in_global_scope(g, to)) {
                in_reach[to] = true;
                stack[n++] = to;
            }
        }
    }
    free(stack);
}

/* What each object with TLS keeps mapped while it stays (dl_module.binds):
   the modules with TLS its DT_NEEDED closure and its relocations' bindings
   reach, itself left out. */
static void binds_of(const struct graph *g, const struct definers *where,
                     const size_t *object_of, struct closure *out)
{
    bool *in_reach = xcalloc(g->n + 1, sizeof *in_reach);
    for (size_t i = 0; i < g->n; i++) {
        if (object_of[i] == SIZE_MAX)
            continue;
        memset(in_reach, 0, g->n * sizeof *in_reach);
        reach(g, where, i, in_reach);
        size_t *binds = xcalloc(g->n + 1, sizeof *binds), n = 0;
        for (size_t k = 0; k < g->n; k++)
            if (k != i && in_reach[k] && object_of[k] != SIZE_MAX)
                binds[n++] = object_of[k];
        out->objects[object_of[i]].module.binds = binds;
        out->objects[object_of[i]].module.nbinds = n;
    }
    free(in_reach);
}

/* The unique symbols the closure's relocations look up, each bound to the
   first object that defines it in map order (the root's search list, which
   every new object's lookups search after the global scope); object_of
   maps a node to its index in out->objects, or SIZE_MAX without TLS. */
static void unique_bindings(const struct graph *g, const struct definers *where,
                            const size_t *object_of, struct closure *out)
{
    struct strmap seen = {0};
    bool *in_reach = xcalloc(g->n + 1, sizeof *in_reach);
    for (size_t i = 0; i < g->n; i++) {
        const struct elf_unique *u = &g->nodes[i].tls.unique;
        bool reached = false;
        for (size_t d = 0; d < u->ndefs; d++) {
            if (!strmap_put(&seen, u->defs[d], i))
                continue; /* an earlier object defines it: the lookup finds that one */
            size_t bound = SIZE_MAX;
            for (size_t j = 0; j < g->n; j++)
                if (g->nodes[j].reloc_rank < bound &&
                    elf_unique_looks_up(&g->nodes[j].tls.unique, u->defs[d]))
                    bound = g->nodes[j].reloc_rank;
            if (bound == SIZE_MAX)
                continue; /* defined, never looked up: nothing enters the table */
            if (!reached) {
                memset(in_reach, 0, g->n * sizeof *in_reach);
                reach(g, where, i, in_reach);
                reached = true;
            }
            struct dl_unique_binding *b = XAPPEND(&out->unique, &out->nunique);
            size_t *keeps = xcalloc(g->n + 1, sizeof *keeps), nkeeps = 0;
            for (size_t k = 0; k < g->n; k++)
                if (in_reach[k] && object_of[k] != SIZE_MAX)
                    keeps[nkeeps++] = object_of[k];
            *b = (struct dl_unique_binding){.name = xstrdup(u->defs[d]), .owner_is_root = i == 0,
                                            .bound_rank = bound, .keeps = keeps,
                                            .nkeeps = nkeeps};
        }
    }
    free(in_reach);
    strmap_free(&seen);
}

/* Whether a relocation of the closure of kind hashes (ie_of_others or
   desc_of_others) reaches node k's block. */
static bool reached_by_others(const struct graph *g, const struct definers *d, size_t k,
                              bool ie)
{
    for (size_t j = 0; j < g->n; j++) {
        const struct elf_unique *u = &g->nodes[j].tls.unique;
        const uint64_t *h = ie ? u->ie_of_others : u->desc_of_others;
        size_t n = ie ? u->nie_of_others : u->ndesc_of_others;
        for (size_t i = 0; i < n; i++)
            if (definers_get(d, h[i]) == k)
                return true;
    }
    return false;
}

/* How ld.so places node k's block: in static TLS if an initial-exec
   relocation reaches it (its own, or another object's against a symbol it
   defines: TRY_STATIC_TLS / CHECK_STATIC_TLS on sym_map in each
   dl-machine.h), else by the optional budget if a descriptor does, else
   dynamic.  Where its symbols could not be read, its own file says
   (elf_tls_access: DF_STATIC_TLS or any initial-exec relocation). */
static enum tls_access access_of(const struct graph *g, const struct definers *d, size_t k)
{
    const struct elf_unique *u = &g->nodes[k].tls.unique;
    if (!u->relocs_read)
        return elf_tls_access(&g->nodes[k].tls);
    if (u->own_relocs[TLS_IE] || reached_by_others(g, d, k, true))
        return TLS_IE;
    if (u->own_relocs[TLS_DESC] || reached_by_others(g, d, k, false))
        return TLS_DESC;
    return TLS_GD;
}

/* Dependencies first: the order ld.so relocates a dlopen's new objects in. */
static void rank(struct graph *g, size_t i, size_t *next)
{
    if (g->nodes[i].ranked)
        return;
    g->nodes[i].ranked = true; /* before the dependencies: a cycle ends here */
    for (size_t k = 0; k < g->nodes[i].ndeps; k++)
        rank(g, g->nodes[i].deps[k], next);
    g->nodes[i].reloc_rank = (*next)++;
}

/* The newest GLIBC_X.Y any node needs: the one that decides which
   releases the closure loads on. */
static void newest_need(const struct graph *g, struct closure *out)
{
    const struct elf_version_need *newest = NULL;
    size_t by = 0;
    for (size_t i = 0; i < g->n; i++) {
        const struct elf_version_need *n = elf_newest_glibc_need(&g->nodes[i].tls.version_needs);
        if (n && (!newest || glibc_version_newer(n->version, newest->version)))
            newest = n, by = i;
    }
    if (newest) {
        out->glibc_need = xstrdup(newest->version);
        out->glibc_need_of = xstrdup(newest->file);
        out->glibc_need_by = xstrdup(g->nodes[by].path);
    }
}

bool closure_loads_on(const struct closure *c, const char *release)
{
    return !c->glibc_need || glibc_release_defines(release, c->glibc_need);
}

bool resolve_closure(const char *name, char *const *vars, char *const *lib_dirs,
                     struct closure *out)
{
    return resolve_closure_in(name, vars, lib_dirs, false, out);
}

bool resolve_closure_in(const char *name, char *const *vars, char *const *lib_dirs,
                        bool new_namespace, struct closure *out)
{
    memset(out, 0, sizeof *out);
    struct graph g = {.new_namespace = new_namespace};
    bool ok = map_graph(&g, name, vars, lib_dirs);
    size_t next = 0;
    if (ok)
        rank(&g, 0, &next);
    for (size_t i = 0; ok && i < g.n; i++)
        if (g.nodes[i].tls.nodelete)
            keep(&g, i);
    size_t *object_of = xcalloc(g.n + 1, sizeof *object_of);
    struct definers where = {0};
    if (ok)
        definers_fill(&g, &where);
    for (size_t i = 0; ok && i < g.n; i++) {
        const struct node *nd = &g.nodes[i];
        object_of[i] = nd->tls.has_tls ? out->n : SIZE_MAX;
        if (!nd->tls.has_tls)
            continue;
        struct resolved_object *o = XAPPEND(&out->objects, &out->n);
        o->path = xstrdup(nd->path);
        o->id = xstrdup(nd->id);
        o->module = (struct dl_module){
            .id = o->id,
            .block = {nd->tls.tls_memsz, nd->tls.tls_align, elf_tls_firstbyte(&nd->tls)},
            .access = access_of(&g, &where, i),
            .reloc_rank = nd->reloc_rank,
            .kept = nd->kept};
    }
    if (ok) {
        out->root_id = xstrdup(g.nodes[0].id);
        out->root_has_tls = g.nodes[0].tls.has_tls;
        newest_need(&g, out);
        unique_bindings(&g, &where, object_of, out);
        binds_of(&g, &where, object_of, out);
    }
    free(object_of);
    free(where.hashes), free(where.nodes);
    for (size_t i = 0; i < g.n; i++) {
        free(g.nodes[i].path), free(g.nodes[i].id), free(g.nodes[i].deps);
        elf_tls_free(&g.nodes[i].tls);
    }
    free(g.nodes);
    if (!ok)
        closure_free(out);
    return ok;
}

void closure_free(struct closure *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->objects[i].path), free(c->objects[i].id),
            free((size_t *)c->objects[i].module.binds);
    free(c->objects);
    free(c->root_id);
    free(c->glibc_need), free(c->glibc_need_of), free(c->glibc_need_by);
    for (size_t i = 0; i < c->nunique; i++)
        free((char *)c->unique[i].name), free((size_t *)c->unique[i].keeps);
    free(c->unique);
    memset(c, 0, sizeof *c);
}
