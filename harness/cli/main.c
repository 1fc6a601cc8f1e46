/* statictls: measures where glibc's static TLS limit trips.  See README.md. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "interrupt.h"
#include "usage.h"
#include "die.h"

/* Every command, its usage and its options: the one place they are written
   (usage.c prints them for --help and the man page). */
static const struct command commands[] = {
    {"budget", cmd_budget, "[--json]", "static TLS budget of a fresh process",
     "  --json            one JSON document (docs/statictls.schema.json)\n", true},
    {"load", cmd_load, "[--threads N] [--min-headroom N] [--json] LIB...",
     "dlopen LIBs in order (RTLD_NOW) in a fresh process",
     "  --threads N       start N idle threads first\n"
     "  --timeout S       probe timeout in seconds (default 10)\n"
     "  --min-headroom N  then measure the largest IE block that still loads, and\n"
     "                    exit 1 unless it is at least N bytes\n"
     "  --json            one JSON document\n"
     "LIB: a path or a soname, searched as the libc's ld.so would.\n", true},
    {"limit", cmd_limit,
     "[--align A] [--model ie|gd|tlsdesc] [--after LIB...] [--threads N] [--min N] [--json]",
     "the largest block that fits, byte-exact",
     "  --align A         the block's alignment (a power of two, default 1)\n"
     "  --model M         ie (default): the largest that loads; gd, tlsdesc: the\n"
     "                    largest placed in static TLS\n"
     "  --after LIB...    load these libraries first\n"
     "  --threads N       start N idle threads first\n"
     "  --min N           exit 1 unless the largest block is at least N bytes\n"
     "  --json            one JSON document\n", true},
    {"run", cmd_run, "[--json] [--verbose] [--define NAME=VALUE]... CASE...", "run case files",
     "  --define N=V      ${N} in the case files is V (else the environment's N;\n"
     "                    an undefined ${N} is an error naming file:line)\n"
     "  --verbose         print the probe's output of every case\n"
     "  --json            one JSON document with every case's result\n"
     "The case language: cases/README.md.\n", true},
    {"report", cmd_report, "[--cases DIR] [--results DIR] [--define NAME=VALUE]...",
     "the main job: budget, limits and every case, written to DIR/<platform>/",
     "  --cases DIR       the cases to run (default: statictls's own, installed with it)\n"
     "  --results DIR     where results go (default: ./results)\n"
     "  --define N=V      as for run\n", true},
    {"sweep", cmd_sweep, "[--glibc V | --libc-tree DIR]... [--allow-missing] [--results DIR] [--json]",
     "largest IE block per libc build across alignments, tunables, LD_AUDIT and threads",
     "  --glibc V         a build to sweep, once per build (default: every build here)\n"
     "  --libc-tree DIR   a glibc tree's build to sweep, likewise\n"
     "  --allow-missing   a --glibc build that is not here is a skip (77), not an error\n"
     "  --results DIR     also write DIR/<platform>/sweep.{json,md} and the summary\n"
     "  --json            one JSON document\n", false},
    {"bench", cmd_bench, "[--runs N]", "time `limit` against compile-and-bisect",
     "  --runs N          runs of each method (default 5); medians are printed\n", true},
    {"census", cmd_census, "[--json] [--policy P] [--min-headroom N] PATH...",
     "ELF objects with TLS under files, directories and wheels, with their DT_NEEDED "
     "closure, and whether their static TLS fits each libc build or a platform",
     "  --policy P        manylinux2014, manylinux_X_Y, musllinux_1_2 or glibc-X.Y: that\n"
     "                    platform's free static TLS (measured where built here, else\n"
     "                    modelled and labelled)\n"
     "  --min-headroom N  leave at least N bytes for others\n"
     "  --json            one JSON document\n"
     "Exit 1 when it does not fit.\n", false},
    {"headroom", cmd_headroom, "[--json] [--expect-exit N] -- CMD ARGS...",
     "the least free static TLS CMD needs",
     "  --expect-exit N   the exit status of CMD that counts as success (default 0)\n"
     "  --json            one JSON document\n", false},
    {"doctor", cmd_doctor, "[--json] [--squeeze H] [--expect-exit N] -- CMD ARGS...",
     "why CMD fails on static TLS, and fixes verified on CMD itself",
     "  --squeeze H       run CMD with only H bytes of static TLS left, as in a larger\n"
     "                    application\n"
     "  --expect-exit N   the exit status of CMD that counts as success (default 0)\n"
     "  --json            one JSON document\n", false},
    {"trace", cmd_trace, "-o FILE -- CMD ARGS...",
     "each object CMD loads, in order: TLS shape, threads (format: cases/README.md)", NULL,
     false},
    {"replay", cmd_replay,
     "[--model glibc-2.17] [--squeeze H] [--fix F]... [--emit CASE] [--table NAME] TRACE",
     "a trace as a synthetic reproducer",
     "  --model glibc-2.17 the model's outcome alone, labelled modelled\n"
     "  --squeeze H       first load a filler that leaves H bytes free\n"
     "  --fix F           preload=NAME, first=NAME, tunable=T=V or rebuild=NAME:tlsdesc|gd\n"
     "  --emit CASE       write the case, with the outcome seen as its expectation\n"
     "  --table NAME      one row per fix, for NAME\n", true},
    {"fuzz", cmd_fuzz, "[--glibc V | --libc-tree DIR | --all] [--seed S] [--count N | --time S] "
                       "[--out DIR] [--json]",
     "random cases, each held to the model; a disagreement is shrunk to a minimal case",
     "  --all             every libc build here\n"
     "  --seed S          the first case's seed\n"
     "  --count N         how many cases; --time SECONDS: for how long\n"
     "  --out DIR         where shrunk disagreements are written as case files\n"
     "  --json            one JSON document\n", true},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* --help or -h among a command's own arguments (not after "--"). */
static int asks_help(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    size_t ncommands = sizeof commands / sizeof commands[0];
    setvbuf(stdout, NULL, _IOLBF, 0);
    interrupt_install();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_print(argc < 2 ? stderr : stdout, commands, ncommands);
        return argc < 2 ? EXIT_USAGE : EXIT_PASS;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("statictls %s\n", STATICTLS_VERSION);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "--man") == 0) { /* build time: man/statictls.1 */
        usage_print_man(stdout, commands, ncommands);
        return EXIT_PASS;
    }
    const struct command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "statictls: unknown command \"%s\"\n\n", argv[1]);
        usage_print(stderr, commands, ncommands);
        return EXIT_USAGE;
    }
    if (asks_help(argc, argv)) {
        usage_print_command(stdout, c);
        return EXIT_PASS;
    }
    return c->run(argc - 1, argv + 1);
}
