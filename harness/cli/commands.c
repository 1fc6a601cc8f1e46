/* The commands table: every command, its summary and its options as rows.
   The one place they are written: options.c parses by these rows, usage.c
   prints --help, `statictls help CMD` and the man page from them. */
#include "commands.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "census.h"
#include "die.h"
#include "search.h"
#include "spawn.h"
#include "stderrscan.h"
#include "usage.h"

#define ROW(...) (&(const struct option_row){__VA_ARGS__})
/* A number's macro as the text of a row's default. */
#define STRINGIFY_TEXT(x) #x
#define STRINGIFY(x) STRINGIFY_TEXT(x)

/* The libc build a command runs on (cli.c's libc_choice_of reads them). */
const struct option_row *const libc_option_rows[] = {
    ROW(.name = "--glibc", .kind = OPTION_STRING, .value = "VERSION", .alternative = true,
        .help = "run the probes on a glibc release built from a Debian sysroot "
                "(fetch-glibc.sh's): 2.31, or 2.31-aarch64, -armhf, -ppc64el, -s390x, "
                "-riscv64 under qemu, 2.31-i386"),
    ROW(.name = "--musl", .kind = OPTION_FLAG, .alternative = true,
        .help = "run the probes on the musl-gcc build"),
    ROW(.name = "--libc-root", .kind = OPTION_STRING, .value = "DIR", .alternative = true,
        .help = "run such a release's build through DIR's ld.so"),
    ROW(.name = "--libc-tree", .kind = OPTION_STRING, .value = "DIR", .alternative = true,
        .help = "run the probes on any glibc tree (a prefix, DESTDIR, unpacked RPM, conda "
                "sysroot, an upstream release build-glibc.sh built) that this build was "
                "configured for (cmake -DSTATICTLS_LIBC_TREES=DIR; build-glibc.sh's cached "
                "trees by default)"),
    ROW(.name = "--allow-missing", .kind = OPTION_FLAG,
        .help = "a build or a case's library that is not here is skipped (77) instead of "
                "being an error (2)"),
    ROW(.name = "--strict", .kind = OPTION_FLAG,
        .help = "no skips: what would exit 77 (a build, a case or a library that cannot run "
                "here) exits 5, not judged, saying what coverage was lost (the build, the "
                "cases, why); STATICTLS_STRICT=1 does the same"),
    NULL,
};

/* Rows several commands share. */
static const struct option_row json_row = {
    .name = "--json", .kind = OPTION_FLAG,
    .help = "one JSON document (its schema: statictls.schema.json, FILES in statictls(1))"};
static const struct option_row threads_row = {
    .name = "--threads", .kind = OPTION_NUMBER, .value = "N", .min = 0, .max = 1024,
    .fallback = "0", .help = "start N idle threads first"};
static const struct option_row define_row = {
    .name = "--define", .kind = OPTION_REPEATED, .value = "NAME=VALUE",
    .help = "${NAME} in the case files is VALUE (else the environment's NAME; an undefined "
            "${NAME} is an error naming file:line)"};
static const struct option_row ctest_row = {
    .name = "--ctest-measurements", .kind = OPTION_FLAG,
    .help = "also print the measured headroom as a <CTestMeasurement> line named "
            "headroom_bytes (headroom_bytes.CASE with several case files), which ctest keeps "
            "with the test's result (CDash, ctest --output-junit); not with --json"};
static const struct option_row expect_exit_row = {
    .name = "--expect-exit", .kind = OPTION_NUMBER, .value = "N", .min = 0, .max = 255,
    .fallback = "0", .help = "the exit status of CMD that counts as success"};

/* Each run of the real command of headroom, doctor and trace. */
static const struct option_row command_timeout_row = {
    .name = "--timeout", .kind = OPTION_NUMBER, .value = "S", .min = 1, .max = 86400,
    .fallback = "300",
    .help = "each run of CMD ends after S seconds (scaled by STATICTLS_TIMEOUT_FACTOR): it is "
            "killed with its process group, and statictls says so and exits 4"};

/* How headroom, doctor and trace run CMD (realprog/command.h). */
static const char command_note[] =
    "CMD runs with stdin on /dev/null, in a process group of its own; its stdout never "
    "reaches statictls's stdout (the report, --json's document): it goes to statictls's "
    "stderr with its stderr in the first run, to /dev/null in the others; its stderr is read "
    "as it comes, scanned for glibc's static TLS message, and only its last 4096 bytes are "
    "kept (robustness.md of statictls's documentation).";
/* headroom reads a leading env word list too (realprog/launcher.h). */
static const char headroom_note[] =
    "CMD runs with stdin on /dev/null, in a process group of its own; its stdout never "
    "reaches statictls's stdout (the report, --json's document): it goes to statictls's "
    "stderr with its stderr in the first run, to /dev/null in the others; its stderr is read "
    "as it comes, scanned for glibc's static TLS message, and only its last 4096 bytes are "
    "kept (robustness.md of statictls's documentation).  A leading `env -i` or `env -u LD_PRELOAD` "
    "is refused (exit 2: they drop statictls' helper).";
_Static_assert(STDERR_TAIL_BYTES == 4096, "the note on CMD says 4096");
/* doctor reads a leading env word list (realprog/launcher.h). */
static const char doctor_note[] =
    "CMD runs with stdin on /dev/null, in a process group of its own; its stdout never "
    "reaches statictls's stdout (the report, --json's document): it goes to statictls's "
    "stderr with its stderr in the first run, to /dev/null in the others; its stderr is read "
    "as it comes, scanned for glibc's static TLS message, and only its last 4096 bytes are "
    "kept (robustness.md of statictls's documentation).  A leading `env [-u NAME] NAME=VALUE... "
    "PROGRAM` is read as env reads it, and a fix goes into it; `env -i` and `env -u "
    "LD_PRELOAD` are refused (exit 2: they drop statictls' helper).  A CMD ld.so refuses to "
    "start (under LD_AUDIT) is modelled from its ELF files (guide-imports.md of statictls's "
    "documentation).";

/* load --timeout's default is the probes' own timeout. */
_Static_assert((int)PROBE_TIMEOUT_S == 10, "load --timeout's default row says 10");

static int cmd_help(const struct args *a);

static const struct command commands[] = {
    {"budget", cmd_budget, "static TLS budget of a fresh process",
     (const struct option_row *const[]){&json_row, NULL}, BUILDS_ONE, OPERANDS_NONE, NULL, NULL, false, NULL},
    {"load", cmd_load, "dlopen LIBs in order (RTLD_NOW) in a fresh process",
     (const struct option_row *const[]){
         &threads_row,
         ROW(.name = "--timeout", .kind = OPTION_NUMBER, .value = "S", .min = 1, .max = 3600,
             .fallback = "10", .help = "probe timeout in seconds"),
         ROW(.name = "--min-headroom", .kind = OPTION_NUMBER, .value = "N", .min = 0,
             .max = SEARCH_MAX,
             .help = "then measure the largest IE block that still loads, and exit 1 unless "
                     "it is at least N bytes"),
         &json_row, &ctest_row, NULL},
     BUILDS_ONE, OPERANDS_SOME, "LIB",
     "LIB: a path or a soname, searched as the libc's ld.so would. A LIB whose closure needs "
     "a glibc symbol version the build lacks (GLIBC_2.34 on 2.31) exits 1 before the probe, "
     "saying so on stderr (no table, no JSON).", false, NULL},
    {"limit", cmd_limit, "the largest block that fits, byte-exact",
     (const struct option_row *const[]){
         ROW(.name = "--align", .kind = OPTION_POWER_OF_TWO, .value = "A", .min = 1,
             .max = 4096, .fallback = "1", .help = "the block's alignment"),
         ROW(.name = "--model", .kind = OPTION_WORD, .value = "M", .words = "ie|gd|tlsdesc",
             .fallback = "ie",
             .help = "ie: the largest that loads; gd, tlsdesc: the largest placed in static "
                     "TLS"),
         ROW(.name = "--after", .kind = OPTION_LIST, .value = "LIB",
             .help = "load these libraries first (every argument up to the next option)"),
         &threads_row,
         ROW(.name = "--min", .kind = OPTION_NUMBER, .value = "N", .min = 0, .max = SEARCH_MAX,
             .help = "exit 1 unless the largest block is at least N bytes"),
         &json_row, NULL},
     BUILDS_ONE, OPERANDS_NONE, NULL, NULL, false, NULL},
    {"run", cmd_run, "run case files",
     (const struct option_row *const[]){
         &define_row,
         ROW(.name = "--verbose", .kind = OPTION_FLAG,
             .help = "print the probe's output of every case"),
         ROW(.name = "--json", .kind = OPTION_FLAG,
             .help = "one JSON document with every case's result"),
         &ctest_row, NULL},
     BUILDS_ONE, OPERANDS_SOME, "CASE", "The case language: cases/README.md.", false, NULL},
    {"report", cmd_report,
     "the main job: budget, limits and every case, written to DIR/<platform>/",
     (const struct option_row *const[]){
         ROW(.name = "--cases", .kind = OPTION_STRING, .value = "DIR",
             .help = "the cases to run (default: statictls's own, installed with it)"),
         ROW(.name = "--results", .kind = OPTION_STRING, .value = "DIR", .fallback = "results",
             .help = "where results go: DIR/<platform>/, a directory of statictls's own (a "
                     "symbolic link there, or anything else in it, is refused: exit 2)"),
         &define_row, NULL},
     BUILDS_ONE, OPERANDS_NONE, NULL, NULL, false, NULL},
    {"sweep", cmd_sweep,
     "largest IE block per libc build across alignments, tunables, LD_AUDIT and threads",
     (const struct option_row *const[]){
         ROW(.name = "--results", .kind = OPTION_STRING, .value = "DIR",
             .help = "also write DIR/<platform>/sweep.{json,md} and the summary (a symbolic "
                     "link at DIR/<platform>, or anything else in it, is refused: exit 2)"),
         &json_row, NULL},
     BUILDS_MANY, OPERANDS_NONE, NULL,
     "Each --glibc, --musl, --libc-root or --libc-tree adds a build to sweep; without them "
     "every glibc build here is swept (the host's libc where none is). With --allow-missing a "
     "build that is not here is a skip (77), not an error.", false, NULL},
    {"bench", cmd_bench, "time `limit` against compile-and-bisect",
     (const struct option_row *const[]){
         ROW(.name = "--runs", .kind = OPTION_NUMBER, .value = "N", .min = 1, .max = 1000,
             .fallback = "5", .help = "runs of each method; medians are printed"),
         NULL},
     BUILDS_ONE, OPERANDS_NONE, NULL, NULL, false, NULL},
    {"census", cmd_census,
     "ELF objects with TLS under files, directories and wheels, with their DT_NEEDED closure, "
     "and whether their static TLS fits each libc build or a platform",
     (const struct option_row *const[]){
         ROW(.name = "--policy", .kind = OPTION_STRING, .value = "P",
             .help = "manylinux2014, manylinux_X_Y, musllinux_1_2 or glibc-X.Y: that "
                     "platform's free static TLS (measured where built here, else modelled "
                     "on its release's own startup layout where known, and labelled), and its "
                     "glibc's symbol versions: an object needing a newer one does not fit"),
         ROW(.name = "--min-headroom", .kind = OPTION_NUMBER, .value = "N", .min = 0,
             .max = SEARCH_MAX, .fallback = "0", .help = "leave at least N bytes for others"),
         ROW(.name = "--max-member-read", .kind = OPTION_NUMBER, .value = "BYTES", .min = 4096,
             .max = LONG_MAX, .fallback = STRINGIFY(CENSUS_MEMBER_READ_MAX),
             .help = "read no wheel member past its first BYTES: of an ELF member only its "
                     "headers, PT_DYNAMIC and the tables it names are copied into TMPDIR, and "
                     "one whose headers lie further is unreadable"),
         ROW(.name = "--max-search-path", .kind = OPTION_NUMBER, .value = "BYTES", .min = 1,
             .max = LONG_MAX, .fallback = STRINGIFY(CENSUS_SEARCH_PATH_MAX),
             .help = "search the entries within the first BYTES of a DT_RPATH or DT_RUNPATH "
                     "(a problem names an object whose list is longer)"),
         &json_row, NULL},
     BUILDS_HOST, OPERANDS_SOME, "PATH",
     "Exit 1 when they do not fit; 5 (not judged) when none is found not to fit but the "
     "objects of a machine or platform could not be judged here: no build of it here runs or "
     "models them (fetch one, or name another --policy).  Never 0 when nothing was judged; not "
     "77, which a test runner takes for a skip.",
     false, NULL},
    {"headroom", cmd_headroom,
     "the least free static TLS CMD needs; under LD_AUDIT, the least optional_static_tls",
     (const struct option_row *const[]){&expect_exit_row, &command_timeout_row, &json_row, NULL},
     BUILDS_HOST, OPERANDS_COMMAND, "CMD ARGS", headroom_note, false,
     "headroom exits 0 when CMD works as it is and its headroom was measured; 1 when it does "
     "not work as it is (it exits otherwise than --expect-exit, or ld.so refuses to start "
     "it): there is no headroom to measure, and doctor says why."},
    {"doctor", cmd_doctor, "why CMD fails on static TLS, and fixes verified on CMD itself",
     (const struct option_row *const[]){
         ROW(.name = "--squeeze", .kind = OPTION_NUMBER, .value = "H", .min = 0,
             .max = SEARCH_MAX,
             .help = "run CMD with only H bytes of static TLS left, as in a larger "
                     "application"),
         &expect_exit_row, &command_timeout_row, &json_row, NULL},
     BUILDS_HOST, OPERANDS_COMMAND, "CMD ARGS", doctor_note, false,
     "doctor exits 0 when CMD works as it is, or a fix was verified on it; 1 when it fails "
     "and no fix was verified on it (fixes that need a rebuild are validated on fixtures "
     "only, so they alone leave 1)."},
    {"trace", cmd_trace,
     "each object CMD loads, in order: TLS shape, threads (format: cases/README.md)",
     (const struct option_row *const[]){
         ROW(.name = "-o", .kind = OPTION_STRING, .value = "FILE", .required = true,
             .help = "where the trace is written"),
         &command_timeout_row, NULL},
     BUILDS_HOST, OPERANDS_COMMAND, "CMD ARGS", command_note, false, NULL},
    {"replay", cmd_replay, "a trace as a synthetic reproducer",
     (const struct option_row *const[]){
         ROW(.name = "--model", .kind = OPTION_STRING, .value = "glibc-VERSION",
             .help = "the model's outcome alone for that release (glibc-2.17, say), labelled "
                     "modelled"),
         ROW(.name = "--squeeze", .kind = OPTION_NUMBER, .value = "H", .min = 0,
             .max = SEARCH_MAX, .help = "first load a filler that leaves H bytes free"),
         ROW(.name = "--fix", .kind = OPTION_REPEATED, .value = "F",
             .help = "preload=NAME, first=NAME, tunable=T=V or rebuild=NAME:tlsdesc|gd"),
         ROW(.name = "--emit", .kind = OPTION_STRING, .value = "CASE",
             .help = "write the case, with the outcome seen as its expectation"),
         ROW(.name = "--table", .kind = OPTION_STRING, .value = "NAME",
             .help = "one row per fix, for NAME"),
         NULL},
     BUILDS_ONE, OPERANDS_ONE, "TRACE", "TRACE: written by statictls trace.", false, NULL},
    {"fuzz", cmd_fuzz,
     "random cases, each held to the model; a disagreement is shrunk to a minimal case",
     (const struct option_row *const[]){
         ROW(.name = "--all", .kind = OPTION_FLAG,
             .help = "every libc build here (not with a libc build option)"),
         ROW(.name = "--seed", .kind = OPTION_NUMBER, .value = "S", .min = 0,
             .max = __LONG_MAX__, .fallback = "1", .help = "the first case's seed"),
         ROW(.name = "--count", .kind = OPTION_NUMBER, .value = "N", .min = 1, .max = 10000000,
             .fallback = "100", .help = "how many cases"),
         ROW(.name = "--time", .kind = OPTION_NUMBER, .value = "S", .min = 1, .max = 86400,
             .help = "run for S seconds instead of a count (not with --count)"),
         ROW(.name = "--out", .kind = OPTION_STRING, .value = "DIR",
             .help = "where shrunk disagreements are written as case files (each is printed "
                     "as found too; one that cannot be written, on a full disk say, is said once "
                     "on stderr and fuzz ends with exit 3)"),
         ROW(.name = "--real", .kind = OPTION_FLAG,
             .help = "mix the real libraries with TLS under DIR (default: the directories the "
                     "build's ld.so searches) into the cases; a step such a library fails for "
                     "a reason outside TLS (an undefined symbol, its constructor) is counted "
                     "apart, and the library left out of the cases after it"),
         &json_row, NULL},
     BUILDS_ONE, OPERANDS_ANY, "DIR",
     "DIR: only with --real.  Exit 77 when --real finds no library with TLS.", false, NULL},
    {"help", cmd_help, "the commands, or COMMAND's options", NULL, BUILDS_HOST,
     OPERANDS_OPTIONAL, "COMMAND", NULL, true, NULL},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

const struct command *commands_table(size_t *n)
{
    *n = NCOMMANDS;
    return commands;
}

const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* statictls help [COMMAND]: what --help prints, on stdout. */
static int cmd_help(const struct args *a)
{
    if (!a->noperands) {
        usage_print(stdout, commands, NCOMMANDS);
        return EXIT_PASS;
    }
    const struct command *c = command_find(a->operands[0]);
    if (!c)
        usage_error(a->command, "unknown command \"%s\"", a->operands[0]);
    usage_print_command(stdout, c);
    return EXIT_PASS;
}
