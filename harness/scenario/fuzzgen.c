#include "fuzzgen.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewrite.h"
#include "die.h"

/* splitmix64: small, fast, and the same sequence everywhere. */
void rng_seed(struct rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

static bool chance(struct rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

#define PICK(r, array) (array)[rng_below((r), sizeof(array) / sizeof(array)[0])]

enum { MAX_OBJECTS = 6 };

struct gen {
    struct rng *r;
    struct case_writer w;
    int nobjects;
    bool relative[MAX_OBJECTS]; /* size relative to free: no preload */
    int open[MAX_OBJECTS];      /* loads not yet closed */
    int steps, dlmopens;
    bool huge_area; /* optional_static_tls >= 4 GiB: sizes relative to free would be too */
    const char *const *real; /* fuzz_real_case: the real libraries to mix in */
    size_t nreal;
    size_t picked[MAX_OBJECTS]; /* the index in real of each real library's object */
};

/* Objects are o0, o1, ...: name holds one. */
static const char *object_name(int i, char name[16])
{
    snprintf(name, 16, "o%d", i);
    return name;
}

/* Sizes around the interesting edges: tiny, a libgomp, near the free bytes. */
static void fixture(struct gen *g, int i)
{
    static const enum tls_access access[] = {TLS_IE, TLS_IE, TLS_IE, TLS_DESC, TLS_GD};
    static const unsigned aligns[] = {1, 1, 1, 2, 4, 8, 8, 16, 16, 32, 64, 128};
    static const unsigned scales[] = {16, 160, 600, 1800, 6000};
    char name[16];
    struct case_object o = {.name = (char *)object_name(i, name), .kind = OBJ_FIXTURE,
                            .access = PICK(g->r, access)};
    if (!g->huge_area && chance(g->r, 25)) {
        g->relative[i] = true;
        o.size.relative_to_free = true;
        if (chance(g->r, 70))
            o.size.value = -(long long)(1 + rng_below(g->r, 300));
        else if (chance(g->r, 50))
            o.size.value = (long long)(1 + rng_below(g->r, 64));
    } else {
        o.size.value = (long long)(1 + rng_below(g->r, PICK(g->r, scales)));
    }
    o.align = PICK(g->r, aligns);
    o.align_given = o.align > 1 || chance(g->r, 10); /* align=1 too, now and then */
    o.unique = chance(g->r, 10); /* defines and binds a unique symbol: NODELETE */
    case_write_object(&g->w, &o, NULL);
}

static void header(struct gen *g, const char *const *real_libs)
{
    static const char *const tunables[] = {
        "glibc.rtld.optional_static_tls=0", "glibc.rtld.optional_static_tls=64",
        "glibc.rtld.optional_static_tls=1000", "glibc.rtld.optional_static_tls=4096",
        "glibc.rtld.nns=1", "glibc.rtld.nns=2", "glibc.rtld.nns=16",
        "glibc.rtld.nns=2:glibc.rtld.optional_static_tls=100",
        /* as each release parses odd strings */
        "glibc.rtld.nns=100z", "glibc.rtld.optional_static_tls=bad", "glibc.rtld.nns=17",
        "glibc.rtld.nns=9:glibc.rtld.nns=0", "glibc.rtld.nns=0x3",
        "glibc.rtld.optional_static_tls=4294967360", "glibc.malloc.check=0:glibc.rtld.nns=3"};
    case_write_title(&g->w, "fuzz");
    case_write_libc(&g->w, "glibc", NULL, NULL);
    if (chance(g->r, 15)) {
        const char *t = PICK(g->r, tunables);
        g->huge_area = strstr(t, "4294967360") != NULL;
        case_write_tunables(&g->w, t);
    }
    if (chance(g->r, 12))
        case_write_audit(&g->w, chance(g->r, 75) ? 1 : 2);
    if (chance(g->r, 5))
        case_write_env(&g->w, "LD_BIND_NOW=1");
    g->nobjects = 1 + (int)rng_below(g->r, g->real ? 3 : 4);
    for (int i = 0; i < g->nobjects; i++)
        fixture(g, i);
    char name[16];
    /* --real: one to three distinct real libraries, never preloaded (the
       fixtures may be). */
    size_t want = g->real ? 1 + rng_below(g->r, g->nreal < 3 ? g->nreal : 3) : 0, first = g->nobjects;
    for (size_t k = 0; k < want; k++) {
        size_t pick = rng_below(g->r, g->nreal);
        for (size_t tries = 0; tries < g->nreal; tries++, pick = (pick + 1) % g->nreal) {
            bool taken = false;
            for (int j = (int)first; j < g->nobjects; j++)
                taken |= g->picked[j] == pick;
            if (!taken)
                break;
        }
        g->picked[g->nobjects] = pick;
        struct case_object lib = {.name = (char *)object_name(g->nobjects++, name),
                                  .kind = OBJ_LIB, .align = 1, .target = (char *)g->real[pick]};
        case_write_object(&g->w, &lib, NULL);
    }
    size_t nreal = 0;
    while (real_libs && real_libs[nreal])
        nreal++;
    if (nreal && chance(g->r, 25)) {
        struct case_object lib = {.name = (char *)object_name(g->nobjects++, name),
                                  .kind = OBJ_LIB, .align = 1};
        lib.target = (char *)real_libs[rng_below(g->r, nreal)];
        case_write_object(&g->w, &lib, NULL);
    }
    int preloadable = g->real ? (int)first : g->nobjects; /* --real: fixtures only */
    for (int i = 0; i < preloadable && i < 2; i++)
        if (!g->relative[i] && chance(g->r, 12))
            case_write_preload(&g->w, object_name(i, name));
}

static void step_load(struct gen *g, int i, bool dlmopen)
{
    char name[16];
    case_write_step(&g->w, dlmopen ? OP_MOPEN : OP_LOAD, object_name(i, name));
    g->open[i]++;
    g->steps++;
    g->dlmopens += dlmopen;
}

static void step_close(struct gen *g, int i)
{
    char name[16];
    case_write_step(&g->w, OP_CLOSE, object_name(i, name));
    g->open[i]--;
    g->steps++;
}

/* A repeat block whose every iteration is valid on its own. */
static void repeat(struct gen *g)
{
    int k = 2 + (int)rng_below(g->r, 3), i = (int)rng_below(g->r, g->nobjects);
    case_write_repeat(&g->w, k);
    step_load(g, i, false);
    if (chance(g->r, 60))
        step_close(g, i);
    case_write_end(&g->w);
    g->steps += (k - 1) * 2;
}

static void steps(struct gen *g)
{
    int n = 1 + (int)rng_below(g->r, 10), threads = 0;
    for (int s = 0; s < n; s++) {
        int i = (int)rng_below(g->r, g->nobjects), roll = (int)rng_below(g->r, 100);
        if (roll < 25 && g->open[i] > 0)
            step_close(g, i);
        else if (roll < 37 && g->dlmopens < 17)
            step_load(g, i, true);
        else if (roll < 45 && threads < 6 && !g->huge_area) { /* 4 GiB per thread */
            int t = 1 + (int)rng_below(g->r, 3);
            case_write_threads(&g->w, t);
            threads += t;
        } else if (roll < 55)
            repeat(g);
        else
            step_load(g, i, false);
    }
}

static char *generate(struct gen *g, const char *const *real_libs)
{
    case_writer_open(&g->w);
    header(g, real_libs);
    steps(g);
    case_write_expect_model(&g->w);
    char err[512];
    char *text = case_writer_close(&g->w, err, sizeof err);
    if (!text) /* its words are its own: the generator's bug */
        die("fuzz: %s", err);
    return text;
}

char *fuzz_real_case(struct rng *r, const char *const *libs, size_t n)
{
    struct gen g = {.r = r, .real = libs, .nreal = n};
    return generate(&g, NULL);
}

char *fuzz_case(struct rng *r, const char *const *real_libs)
{
    struct gen g = {.r = r};
    return generate(&g, real_libs);
}
