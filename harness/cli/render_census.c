#include "render_census.h"

#include <stdio.h>
#include <stdlib.h>

#include "die.h"
#include "json.h"
#include "visible.h"

/* text, escaped, after fmt's other arguments: prints fmt with "%s" for it. */
static void print_visible(const char *fmt, const char *text)
{
    char *shown = visible(text ? text : "");
    printf(fmt, shown);
    free(shown);
}

static void print_verdict(const struct census_verdict *v, long min_headroom)
{
    printf("  %-40s ", v->platform);
    if (v->unplaceable) {
        print_visible("does not fit: %s has a PT_TLS no loader can place (a process that "
                      "dlopens it may die)\n", v->unplaceable);
        return;
    }
    if (v->too_new) {
        print_visible("does not fit: %s", v->too_new);
        print_visible(" needs %s", v->too_new_version);
        print_visible(" of %s", v->too_new_of);
        printf(", which glibc %s lacks: ld.so refuses it\n", v->release);
        return;
    }
    if (v->musl) {
        if (v->refused)
            printf("does not fit: musl refuses a dlopen'ed object with initial-exec TLS, and "
                   "%zu need static TLS (musl's rule)\n", v->refused);
        else
            printf("fits: no object needs static TLS (musl's rule)\n");
        return;
    }
    if (!v->known) {
        print_visible("not judged: %s\n", v->error);
        return;
    }
    printf("free %llu (%s)", (unsigned long long)v->free_bytes,
           v->free_measured ? "measured" : "modelled");
    if (v->too_large)
        print_visible("; does not fit: %s is larger than any static TLS area (modelled)\n",
                      v->too_large);
    else if (v->misaligned)
        print_visible("; does not fit: %s is aligned above the static alignment (modelled)\n",
                      v->misaligned);
    else if (v->modelled && min_headroom)
        printf("; demand %zu with padding (modelled; %zu already in the initial block) + %ld "
               "headroom kept for others: %s\n", v->demand, v->already, min_headroom,
               v->fits ? "fits" : "does not fit");
    else if (v->modelled)
        printf("; demand %zu with padding (modelled; %zu already in the initial block): %s\n",
               v->demand, v->already, v->fits ? "fits" : "does not fit");
    else
        printf("; no model for this libc: not judged\n");
    if (v->assumed)
        printf("  %-40s modelled: %s\n", "", v->assumed);
}

/* "needed by X" for an object the closure brought in. */
static const char *via(const struct census *c, const struct census_object *o)
{
    return o->needed_by < 0 ? NULL : c->objects[o->needed_by].shown;
}

void render_census(const struct census_view *v)
{
    const struct census *c = v->census;
    size_t pulled[3] = {0}; /* objects, with TLS, needing static TLS */
    for (size_t i = 0; i < c->nobjects; i++)
        pulled[0] += c->objects[i].needed_by >= 0;
    for (size_t i = 0; i < v->ntls; i++) {
        pulled[1] += v->tls[i]->needed_by >= 0;
        pulled[2] += v->tls[i]->needed_by >= 0 && i < v->nstatic;
    }
    printf("%lu files, %lu ELF, %zu with TLS, %zu need static TLS, %zu unreadable\n", c->files,
           c->elf_files, v->ntls - pulled[1], v->nstatic - pulled[2], c->nunreadable);
    printf("DT_NEEDED closure: %zu more objects, %zu with TLS, %zu need static TLS, %zu not "
           "found\n", pulled[0], pulled[1], pulled[2], c->nmissing);
    printf("  %8s %6s  %-12s %5s %5s %5s  %s\n", "size", "align", "access", "IE", "DESC", "GD",
           "path");
    for (size_t i = 0; i < v->ntls; i++) {
        const struct census_object *o = v->tls[i];
        printf("  %8llu %6llu  %-12s %5u %5u %5u  ", (unsigned long long)o->tls.tls_memsz,
               (unsigned long long)o->tls.tls_align, tls_access_long_name(elf_tls_access(&o->tls)),
               o->tls.ie_relocs, o->tls.desc_relocs, o->tls.gd_relocs);
        print_visible("%s", o->shown);
        if (via(c, o))
            print_visible("  (needed by %s)", via(c, o));
        if (!census_object_mapped(o))
            print_visible("  (loaded once, as %s)", c->objects[o->same_as].shown);
        printf("\n");
    }
    for (size_t i = 0; i < c->nunreadable; i++)
        print_visible("  unreadable: %s\n", c->unreadable[i]);
    for (size_t i = 0; i < c->nmissing; i++)
        print_visible("  not found: %s\n", c->missing[i]);
    for (size_t i = 0; i < c->nproblems; i++)
        print_visible("  problem: %s\n", c->problems[i]);
    for (size_t k = 0; k < v->ngroups; k++) {
        const struct census_group *g = &v->groups[k];
        printf("\nall %zu static-TLS objects dlopen'ed into a fresh %s process:\n", g->nstatic,
               g->machine);
        for (size_t i = 0; i < g->nverdicts; i++)
            print_verdict(&g->verdicts[i], v->min_headroom);
    }
    if (v->outcome != CENSUS_NOT_JUDGED)
        return;
    if (c->unjudged)
        printf("\nnot judged: %zu wheel member%s pip installs, whose bytes were not read (the "
               "problems above; exit %d, never 0)\n", c->unjudged, c->unjudged == 1 ? "" : "s",
               EXIT_NOT_JUDGED);
    bool unjudged_groups = false;
    for (size_t k = 0; k < v->ngroups; k++)
        unjudged_groups |= !census_group_judged(&v->groups[k]);
    if (!unjudged_groups)
        return;
    printf("\nnot judged: no build here judges the");
    for (size_t k = 0; k < v->ngroups; k++)
        if (!census_group_judged(&v->groups[k]))
            printf(" %s", v->groups[k].machine);
    printf(" objects (exit %d, never 0)\n", EXIT_NOT_JUDGED);
}

void render_census_json(const struct census_view *v)
{
    const struct census *c = v->census;
    struct json j;
    json_init(&j, stdout, "census", NULL); /* the user's own files */
    json_object(&j);
    json_kv_int(&j, "files", (long long)c->files);
    json_kv_int(&j, "elf_files", (long long)c->elf_files);
    json_key(&j, "objects");
    json_array(&j);
    for (size_t i = 0; i < v->ntls; i++) {
        const struct census_object *o = v->tls[i];
        json_object(&j);
        json_kv_strings(&j, "path", o->shown, "needed_by", via(c, o), NULL);
        json_kv_uint(&j, "tls_size", o->tls.tls_memsz);
        json_kv_uint(&j, "tls_align", o->tls.tls_align);
        json_kv_bool(&j, "static_tls", elf_tls_needs_static(&o->tls));
        json_kv_bool(&j, "df_static_tls", o->tls.flag_static_tls);
        json_kv_int(&j, "ie_relocs", o->tls.ie_relocs);
        json_kv_int(&j, "tlsdesc_relocs", o->tls.desc_relocs);
        json_kv_int(&j, "gd_relocs", o->tls.gd_relocs);
        json_kv_string(&j, "tls_problem", o->tls.tls_problem[0] ? o->tls.tls_problem : NULL);
        json_end(&j);
    }
    json_end(&j);
    json_key(&j, "unreadable");
    json_array(&j);
    for (size_t i = 0; i < c->nunreadable; i++)
        json_string(&j, c->unreadable[i]);
    json_end(&j);
    json_key(&j, "not_found");
    json_array(&j);
    for (size_t i = 0; i < c->nmissing; i++)
        json_string(&j, c->missing[i]);
    json_end(&j);
    json_key(&j, "problems");
    json_array(&j);
    for (size_t i = 0; i < c->nproblems; i++)
        json_string(&j, c->problems[i]);
    json_end(&j);
    json_kv_string(&j, "policy", v->policy);
    json_kv_int(&j, "min_headroom", v->min_headroom);
    json_key(&j, "fresh_process");
    json_array(&j);
    for (size_t k = 0; k < v->ngroups; k++) {
        const struct census_group *g = &v->groups[k];
        for (size_t i = 0; i < g->nverdicts; i++) {
            const struct census_verdict *d = &g->verdicts[i];
            json_object(&j);
            json_kv_string(&j, "machine", g->machine);
            json_kv_int(&j, "static_tls_objects", (long long)g->nstatic);
            json_kv_string(&j, "libc_build", d->platform);
            json_kv_string(&j, "unplaceable_tls", d->unplaceable);
            if (d->too_new) {
                json_key(&j, "glibc_version_needed");
                json_object(&j);
                json_kv_strings(&j, "object", d->too_new, "version", d->too_new_version, "of",
                                d->too_new_of, "release", d->release, NULL);
                json_end(&j);
            }
            if (d->musl) {
                json_kv_int(&j, "refused_by_musl", (long long)d->refused);
            } else if (!d->known) {
                json_kv_string(&j, "error", d->error);
            } else {
                json_kv_uint(&j, d->free_measured ? "measured_free" : "modelled_free",
                             d->free_bytes);
                json_kv_string(&j, "assumed", d->assumed);
                json_key(&j, "modelled_demand");
                if (d->modelled)
                    json_uint(&j, d->demand);
                else
                    json_null(&j);
                json_kv_int(&j, "already_in_initial_block", (long long)d->already);
                json_kv_strings(&j, "aligned_above_static", d->misaligned, "too_large",
                                d->too_large, NULL);
            }
            json_kv_bool(&j, "judged", d->judged);
            json_kv_bool(&j, "fits", d->fits);
            json_end(&j);
        }
    }
    json_end(&j);
    json_kv_string(&j, "outcome", census_outcome_name(v->outcome));
    json_end(&j);
    printf("\n");
}
