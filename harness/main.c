/* statictls: measures where glibc's static TLS limit trips.  See README.md. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "interrupt.h"
#include "xsys.h"

static const char usage[] =
    "usage: statictls COMMAND [OPTIONS]\n"
    "\n"
    "  budget [--json]                       static TLS budget of a fresh process\n"
    "  load [--threads N] [--json] LIB...    dlopen LIBs in order in a fresh process\n"
    "  limit [--align A] [--model ie|gd|tlsdesc] [--after LIB...] [--threads N] [--json]\n"
    "                                        the largest block that fits, byte-exact\n"
    "  run [--json] [--verbose] CASE...      run case files\n"
    "  report [--cases DIR] [--results DIR]  the main job: budget, limits and every case,\n"
    "                                        written to results/<platform>/\n"
    "  sweep [--glibc V]... [--results DIR] [--json]\n"
    "                                        largest IE block per glibc build across\n"
    "                                        alignments, tunables, LD_AUDIT and threads\n"
    "  bench [--runs N]                      time `limit` against compile-and-bisect\n"
    "  census [--json] PATH...               ELF objects with TLS under PATHs, and whether\n"
    "                                        their static TLS fits each libc build\n"
    "  headroom [--json] [--expect-exit N] -- CMD ARGS...\n"
    "                                        the least free static TLS CMD needs\n"
    "  trace -o FILE -- CMD ARGS...          each object CMD loads: TLS shape, threads\n"
    "  replay [--model glibc-2.17] [--squeeze H] [--fix F]... [--emit CASE] [--table NAME] TRACE\n"
    "                                        a trace as a synthetic reproducer\n"
    "  fuzz [--glibc V | --musl | --all] [--seed S] [--count N | --time SECONDS] [--out DIR]\n"
    "       [--json]                         random cases, each held to the model; a\n"
    "                                        disagreement is shrunk to a minimal case\n"
    "\n"
    "Each command takes --glibc VERSION (a release built from scripts/fetch-glibc.sh's\n"
    "sysroots: 2.31, or 2.31-aarch64 under qemu), --musl (the musl-gcc build) or\n"
    "--libc-root DIR (such a release's build run through DIR's ld.so); without them\n"
    "the probes run on the host's libc.\n"
    "\n"
    "Exit status: 0 all loaded / passed, 1 a load failed / a case failed,\n"
    "2 usage or input error, 3 internal error, 77 cannot run here.\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"budget", cmd_budget}, {"load", cmd_load},     {"limit", cmd_limit},
                    {"run", cmd_run},       {"report", cmd_report},
                    {"sweep", cmd_sweep},   {"bench", cmd_bench},
                    {"census", cmd_census}, {"trace", cmd_trace},
                    {"replay", cmd_replay}, {"headroom", cmd_headroom},
                    {"fuzz", cmd_fuzz}};
    setvbuf(stdout, NULL, _IOLBF, 0);
    interrupt_install();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_PASS;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "statictls: unknown command \"%s\"\n\n%s", argv[1], usage);
    return EXIT_USAGE;
}
