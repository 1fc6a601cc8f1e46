/* NODELETE through unique symbols (dlmodel.h, dl_unique_binding): which
   objects a dlopen's bindings pin, that a name already bound pins nothing
   new, and what a failed dlopen keeps on each release
   (glibc_nodelete_rollback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dlmodel.h"

/* A process of that glibc on x86_64 with libc's 144-byte block. */
static void start(struct dl_process *p, const char *version)
{
    struct glibc_rules r;
    char why[128];
    assert_true(glibc_rules_for(version, "x86_64", false, &r, why, sizeof why));
    struct tls_block libc = {144, 8, 0};
    size_t used = model_startup_layout(&r, &libc, 1, 0, 0, NULL);
    struct model m;
    model_start(&m, &r, 1664, 512, used, used, 64);
    model_mark_modid(&m, 1);
    dl_start(p, &m, 0);
}

/* The entry of the loaded module with that id, or NULL. */
static const struct dl_loaded *loaded(const struct dl_process *p, const char *id)
{
    for (size_t i = 0; i < p->nloaded; i++)
        if (!p->loaded[i].gone && strcmp(p->loaded[i].module->id, id) == 0)
            return &p->loaded[i];
    return NULL;
}

/* root (initial-exec, size bytes) needs dep (dynamic TLS); dep defines and
   binds "u" as it is relocated (rank 0), root "v" (rank 1). */
static const struct dl_module dep = {.id = "dep", .block = {16, 8, 0}, .access = TLS_GD,
                                     .reloc_rank = 0};
static const size_t keeps_dep[] = {1}, keeps_root[] = {0, 1};

static struct dl_request request(const struct dl_module *root, const char *dep_name,
                                 struct dl_unique_binding b[2])
{
    static const struct dl_module *mods[2];
    mods[0] = root, mods[1] = &dep;
    b[0] = (struct dl_unique_binding){.name = dep_name, .bound_rank = 0, .keeps = keeps_dep,
                                      .nkeeps = 1};
    b[1] = (struct dl_unique_binding){.name = "v", .owner_is_root = true, .bound_rank = 1,
                                      .keeps = keeps_root, .nkeeps = 2};
    return (struct dl_request){.root_id = root->id, .root_has_tls = true, .mods = mods, .n = 2,
                               .unique = b, .nunique = 2};
}

static void binding_pins_owner_and_needs(void **state)
{
    (void)state;
    struct dl_process p;
    start(&p, "2.36");
    struct dl_module root = {.id = "root", .block = {100, 8, 0}, .access = TLS_IE,
                             .reloc_rank = 1};
    struct dl_unique_binding b[2];
    struct dl_request rq = request(&root, "u", b);
    struct dl_outcome o = dl_open(&p, &rq);
    assert_int_equal(o.kind, KIND_LOADED);
    dl_close(&p, o.handle);
    assert_non_null(loaded(&p, "root"));
    assert_non_null(loaded(&p, "dep"));
    dl_process_free(&p);
}

static void name_bound_before_pins_nothing(void **state)
{
    (void)state;
    struct dl_process p;
    start(&p, "2.36");
    dl_unique_startup(&p, "u"); /* a startup object defines u ... */
    struct dl_module root = {.id = "root", .block = {100, 8, 0}, .access = TLS_IE,
                             .reloc_rank = 1};
    struct dl_unique_binding b[2];
    struct dl_request rq = request(&root, "u", b);
    rq.nunique = 1; /* ... and the root binds nothing of its own */
    struct dl_outcome o = dl_open(&p, &rq);
    dl_close(&p, o.handle);
    assert_null(loaded(&p, "root"));
    assert_null(loaded(&p, "dep"));
    /* A dlmopen namespace has its own table: there u pins dep. */
    rq.new_namespace = true;
    o = dl_open(&p, &rq);
    assert_int_equal(o.kind, KIND_LOADED);
    dl_close(&p, o.handle);
    assert_non_null(loaded(&p, "dep"));
    assert_null(loaded(&p, "root"));
    dl_process_free(&p);
}

/* The root's block does not fit: the dlopen fails as root is relocated,
   after dep bound u. */
static void failed_open_by_release(void **state)
{
    (void)state;
    static const struct {
        const char *version;
        bool dep_kept;
    } releases[] = {
        {"2.17", true},  /* DF_1_NODELETE at once, kept on failure */
        {"2.30", true},  /* only the root is forced out */
        {"2.31", false}, /* pending NODELETE, all rolled back */
        {"2.43", false},
    };
    for (size_t i = 0; i < sizeof releases / sizeof releases[0]; i++) {
        struct dl_process p;
        start(&p, releases[i].version);
        struct dl_module root = {.id = "root", .block = {100000, 8, 0}, .access = TLS_IE,
                                 .reloc_rank = 1};
        struct dl_unique_binding b[2];
        struct dl_request rq = request(&root, "u", b);
        struct dl_outcome o = dl_open(&p, &rq);
        assert_int_equal(o.kind, KIND_STATIC_TLS_EXHAUSTED);
        assert_null(loaded(&p, "root"));
        assert_int_equal(loaded(&p, "dep") != NULL, releases[i].dep_kept);
        dl_process_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binding_pins_owner_and_needs),
        cmocka_unit_test(name_bound_before_pins_nothing),
        cmocka_unit_test(failed_open_by_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
