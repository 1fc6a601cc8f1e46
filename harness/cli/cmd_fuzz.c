/* statictls fuzz: the model against glibc on random cases.  Each generated
   case (fuzzgen.c) runs with `expect model`; a case where any step, the
   startup or the probe's end disagrees is shrunk line by line to a minimal
   case with the same signature, written to --out DIR, and counted by
   signature.  The same seed gives the same cases. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caserun.h"
#include "cli.h"
#include "commands.h"
#include "fuzzgen.h"
#include "json.h"
#include "usage.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

struct options {
    struct libc_choice choice;
    bool all, as_json;
    unsigned long long seed;
    long count;
    double seconds; /* > 0: run for this long instead of count cases */
    bool count_given;
    const char *out;
};

/* One signature of disagreement, with its smallest case. */
struct finding {
    char *signature;
    unsigned count;
    char *minimal; /* case text */
    char *file;    /* where --out wrote it */
};

struct run {
    const struct libc_build *build;
    unsigned long cases, agreed, skipped, rejected;
    double seconds;
    struct finding *findings;
    size_t nfindings;
};

/* Runs one case text on b: false when it does not parse (err says why);
   else its verdict, and for a disagreement (VERDICT_FAIL) its signature. */
static bool run_text(const struct libc_build *b, const char *text, enum verdict *v, char *sig,
                     size_t len, char *err, size_t errlen)
{
    struct case_def def;
    if (!case_parse("fuzz.case", text, &def, err, errlen))
        return false;
    struct case_result res;
    case_run(&def, b, &res);
    *v = res.verdict;
    if (res.verdict == VERDICT_FAIL)
        case_signature(&res, sig, len);
    case_result_free(&res);
    case_free(&def);
    return true;
}

/* Whether a shrinking trial still disagrees, and how. */
static bool disagrees(const struct libc_build *b, const char *text, char *sig, size_t len)
{
    enum verdict v;
    char err[1024];
    return run_text(b, text, &v, sig, len, err, sizeof err) && v == VERDICT_FAIL;
}

static char **split_lines(const char *text, size_t *n)
{
    char **lines = NULL;
    *n = 0;
    for (const char *s = text; *s;) {
        size_t len = strcspn(s, "\n");
        *XAPPEND(&lines, n) = xasprintf("%.*s", (int)len, s);
        s += len + (s[len] == '\n');
    }
    return lines;
}

static char *join_without(char **lines, size_t n, size_t skip, size_t skip2)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(lines[i]) + 1;
    char *text = xcalloc(len, 1);
    for (size_t i = 0; i < n; i++)
        if (i != skip && i != skip2)
            strcat(strcat(text, lines[i]), "\n");
    return text;
}

/* The line that closes a repeat block starting at line i, or i. */
static size_t block_end(char **lines, size_t n, size_t i)
{
    if (strncmp(lines[i], "repeat ", 7) != 0)
        return i;
    for (size_t k = i + 1; k < n; k++)
        if (strcmp(lines[k], "end") == 0)
            return k;
    return i;
}

/* Removes lines (a repeat and its end together) while the case keeps
   disagreeing the same way, until no line can go. */
static char *shrink(const struct libc_build *b, const char *text, const char *signature)
{
    char *best = xstrdup(text);
    for (bool changed = true; changed;) {
        changed = false;
        size_t n;
        char **lines = split_lines(best, &n);
        for (size_t i = 0; i < n && !changed; i++) {
            if (strncmp(lines[i], "expect", 6) == 0 || strncmp(lines[i], "libc", 4) == 0)
                continue;
            char *trial = join_without(lines, n, i, block_end(lines, n, i));
            char sig[256];
            if (disagrees(b, trial, sig, sizeof sig) && strcmp(sig, signature) == 0) {
                free(best);
                best = trial;
                changed = true;
            } else {
                free(trial);
            }
        }
        for (size_t i = 0; i < n; i++)
            free(lines[i]);
        free(lines);
    }
    return best;
}

/* A file name from a signature: letters, digits and '-' only. */
static char *file_for(const char *dir, const char *build, const char *signature)
{
    char *name = xasprintf("%s-%s", build, signature);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.'))
            *p = '-';
    char *path = xasprintf("%s/%s.case", dir, name);
    free(name);
    return path;
}

static void record(struct run *r, const struct options *o, const char *text, const char *sig,
                   unsigned long long seed, unsigned long k)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i].signature, sig) == 0) {
            r->findings[i].count++;
            return;
        }
    struct finding *f = XAPPEND(&r->findings, &r->nfindings);
    *f = (struct finding){.signature = xstrdup(sig), .count = 1};
    char *minimal = shrink(r->build, text, sig);
    f->minimal = xasprintf("# statictls fuzz --seed %llu: case %lu on %s disagrees with the model "
                           "(%s), shrunk\n%s",
                           seed, k, r->build->name, sig, minimal);
    free(minimal);
    if (o->out) {
        make_dirs(o->out);
        f->file = file_for(o->out, r->build->name, sig);
        write_file_atomic(f->file, f->minimal, strlen(f->minimal));
    }
}

/* Real libraries the cases may name: those this build's loader can find. */
static const char **real_libs_of(const struct libc_build *b)
{
    static const char *const candidates[] = {"libgomp.so.1", "libc.so.6"};
    const char **libs = xcalloc(3, sizeof *libs);
    size_t n = 0;
    for (size_t c = 0; c < 2; c++)
        for (size_t d = 0; b->lib_dirs[d]; d++) {
            char *path = xasprintf("%s/%s", b->lib_dirs[d], candidates[c]);
            bool here = access(path, R_OK) == 0;
            free(path);
            if (here) {
                libs[n++] = candidates[c];
                break;
            }
        }
    return libs;
}

static void fuzz_build(const struct options *o, const struct libc_build *b, struct run *r)
{
    struct rng rng;
    rng_seed(&rng, o->seed);
    const char **libs = real_libs_of(b);
    r->build = b;
    double start = now_seconds();
    for (unsigned long k = 0;; k++) {
        if (o->seconds > 0 ? now_seconds() - start >= o->seconds : k >= (unsigned long)o->count)
            break;
        char *text = fuzz_case(&rng, libs), sig[256], err[1024];
        enum verdict v;
        if (!run_text(b, text, &v, sig, sizeof sig, err, sizeof err))
            die("fuzz: the generator wrote a case that does not parse (%s):\n%s", err, text);
        r->cases++;
        r->agreed += v == VERDICT_PASS;
        r->skipped += v == VERDICT_SKIP;
        r->rejected += v == VERDICT_ERROR;
        if (v == VERDICT_FAIL)
            record(r, o, text, sig, o->seed, k);
        free(text);
    }
    r->seconds = now_seconds() - start;
    free(libs);
}

static unsigned long disagreeing(const struct run *r)
{
    unsigned long n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i].count;
    return n;
}

static void print_run(const struct run *r)
{
    printf("%s: %lu cases in %.1f s (%.0f cases/s), %lu agree with the model, %lu disagree, "
           "%lu skipped, %lu rejected as impossible here\n",
           r->build->name, r->cases, r->seconds, r->seconds > 0 ? r->cases / r->seconds : 0.0,
           r->agreed, disagreeing(r), r->skipped, r->rejected);
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct finding *f = &r->findings[i];
        printf("  %4u x %s%s%s\n", f->count, f->signature, f->file ? ": " : "",
               f->file ? f->file : "");
        if (!f->file)
            for (const char *s = f->minimal; *s;) {
                size_t len = strcspn(s, "\n");
                printf("       | %.*s\n", (int)len, s);
                s += len + (s[len] == '\n');
            }
    }
}

static void run_json(struct json *j, const struct run *r)
{
    json_object(j);
    json_kv_string(j, "build", r->build->name);
    json_kv_int(j, "cases", (long long)r->cases);
    json_kv_int(j, "agree", (long long)r->agreed);
    json_kv_int(j, "skipped", (long long)r->skipped);
    json_kv_int(j, "rejected", (long long)r->rejected);
    json_kv_int(j, "milliseconds", (long long)(r->seconds * 1e3));
    json_key(j, "disagreements");
    json_array(j);
    for (size_t i = 0; i < r->nfindings; i++) {
        json_object(j);
        json_kv_strings(j, "signature", r->findings[i].signature, "file", r->findings[i].file,
                        "minimal_case", r->findings[i].minimal, NULL);
        json_kv_int(j, "count", r->findings[i].count);
        json_end(j);
    }
    json_end(j);
    json_end(j);
}

static void parse_args(const struct args *a, struct options *o)
{
    *o = (struct options){.choice = libc_choice_of(a), .all = arg_given(a, "--all"),
                          .as_json = arg_given(a, "--json"),
                          .seed = (unsigned long long)arg_number(a, "--seed"),
                          .count = arg_number(a, "--count"),
                          .count_given = arg_given(a, "--count"),
                          .seconds = arg_given(a, "--time") ? (double)arg_number(a, "--time") : 0,
                          .out = arg_string(a, "--out")};
    if (o->all && o->choice.how != LIBC_CHOICE_HOST)
        usage_error(a->command, "--all or one build (--glibc, --musl, --libc-root, --libc-tree), "
                                "not both");
    if (o->count_given && o->seconds > 0)
        usage_error(a->command, "--count N or --time SECONDS, not both");
    if (o->choice.how == LIBC_CHOICE_RELEASE && strcmp(o->choice.value, "musl") == 0)
        die_input("fuzz: musl has no model to hold cases to (it keeps no static TLS surplus: "
                  "every dlopen'ed initial-exec module is refused, case musl-refuses-ie)");
    if (o->out) { /* before any case runs: a bad --out must not cost the findings */
        struct stat st;
        if (stat(o->out, &st) == 0 && !S_ISDIR(st.st_mode))
            die_input("fuzz: --out %s: not a directory", o->out);
        make_dirs(o->out);
        char *probe = xasprintf("%s/.statictls-write-check", o->out);
        write_file_atomic(probe, "", 0);
        remove(probe);
        free(probe);
    }
}

int cmd_fuzz(const struct args *a)
{
    struct options o;
    parse_args(a, &o);
    struct libc_build_list builds = {0};
    if (o.all) {
        libc_build_list_here(true, false, &builds); /* musl has no model to hold to */
    } else {
        builds.items = xcalloc(1, sizeof *builds.items);
        builds.n = 1;
        libc_open_or_exit(&o.choice, &builds.items[0]);
    }
    struct run *runs = xcalloc(builds.n, sizeof *runs);
    unsigned long bad = 0, cases = 0, skipped = 0;
    for (size_t k = 0; k < builds.n; k++) {
        fuzz_build(&o, &builds.items[k], &runs[k]);
        bad += disagreeing(&runs[k]);
        cases += runs[k].cases;
        skipped += runs[k].skipped;
        if (!o.as_json)
            print_run(&runs[k]);
    }
    if (o.as_json) {
        struct json j;
        json_init(&j, stdout, NULL);
        json_array(&j);
        for (size_t k = 0; k < builds.n; k++)
            run_json(&j, &runs[k]);
        json_end(&j);
        printf("\n");
    }
    for (size_t k = 0; k < builds.n; k++) {
        for (size_t i = 0; i < runs[k].nfindings; i++) {
            struct finding *f = &runs[k].findings[i];
            free(f->signature), free(f->minimal), free(f->file);
        }
        free(runs[k].findings);
    }
    free(runs);
    libc_build_list_free(&builds);
    if (cases && skipped == cases) {
        fprintf(stderr, "statictls: fuzz: every case was skipped (no model here?)\n");
        return EXIT_SKIP;
    }
    return bad ? EXIT_TRIPPED : EXIT_PASS;
}
