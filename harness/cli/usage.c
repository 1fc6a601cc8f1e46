#include "usage.h"

#include <stdbool.h>
#include <string.h>

static const char libc_options[] =
    "  --glibc VERSION   run the probes on a glibc release built from scripts/fetch-glibc.sh's\n"
    "                    sysroots: 2.31, or 2.31-aarch64 under qemu, 2.31-i386\n"
    "  --musl            run the probes on the musl-gcc build\n"
    "  --libc-root DIR   run such a release's build through DIR's ld.so\n"
    "  --libc-tree DIR   run the probes on any glibc tree (a prefix, DESTDIR, unpacked RPM,\n"
    "                    conda sysroot, scripts/build-glibc.sh's) built for with cmake\n"
    "                    -DSTATICTLS_LIBC_TREES=DIR (build-glibc.sh's cached trees by default)\n"
    "  --allow-missing   a build or a case's library that is not here is skipped (77)\n"
    "                    instead of being an error (2)\n"
    "Without them the probes run on the host's libc.\n";

static const char exit_statuses[] =
    "Exit status: 0 all loaded / passed, 1 a load failed / a case failed / a threshold\n"
    "was not met, 2 usage or input error, 3 internal error, 77 cannot run here.\n";

void usage_print(FILE *out, const struct command *cmds, size_t n)
{
    fprintf(out, "usage: statictls COMMAND [OPTIONS]    (statictls COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < n; i++) {
        int width = (int)(strlen(cmds[i].name) + 1 + strlen(cmds[i].synopsis));
        if (width <= 36)
            fprintf(out, "  %s %-*s  %s\n", cmds[i].name, 36 - (int)strlen(cmds[i].name) - 1,
                    cmds[i].synopsis, cmds[i].summary);
        else
            fprintf(out, "  %s %s\n  %36s  %s\n", cmds[i].name, cmds[i].synopsis, "",
                    cmds[i].summary);
    }
    fprintf(out, "\nbudget, load, limit, run, report, sweep, bench, replay and fuzz take (census,\n"
                 "headroom and trace run on the host's libc only):\n%s\n%s",
            libc_options, exit_statuses);
    fprintf(out, "statictls --version prints the version.\n");
}

void usage_print_command(FILE *out, const struct command *c)
{
    fprintf(out, "usage: statictls %s %s\n\n%s\n", c->name, c->synopsis, c->summary);
    if (c->details)
        fprintf(out, "\n%s", c->details);
    if (c->takes_libc)
        fprintf(out, "\n%s", libc_options);
    else
        fprintf(out, "\nIt runs on the host's libc only (no --glibc, --musl or --libc-root).\n");
    fprintf(out, "\n%s", exit_statuses);
}

/* Text as roff: a leading dot or quote escaped, backslashes and dashes too. */
static void roff(FILE *out, const char *s)
{
    for (bool start = true; *s; s++) {
        if (start && (*s == '.' || *s == '\''))
            fputs("\\&", out);
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else
            fputc(*s, out);
        start = *s == '\n';
    }
}

void usage_print_man(FILE *out, const struct command *cmds, size_t n)
{
    fprintf(out, ".TH STATICTLS 1 \"\" \"statictls %s\" \"User Commands\"\n", STATICTLS_VERSION);
    fprintf(out, ".SH NAME\nstatictls \\- measures where glibc's static TLS limit trips\n");
    fprintf(out, ".SH SYNOPSIS\n.B statictls\n.I COMMAND\n[\\fIOPTIONS\\fR]\n");
    fprintf(out, ".SH COMMANDS\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(out, ".TP\n.B statictls %s ", cmds[i].name);
        roff(out, cmds[i].synopsis);
        fputc('\n', out);
        roff(out, cmds[i].summary);
        fputc('\n', out);
        if (cmds[i].details) {
            fputs(".nf\n", out);
            roff(out, cmds[i].details);
            fputs(".fi\n", out);
        }
    }
    fputs(".SH LIBC OPTIONS\n.nf\n", out);
    roff(out, libc_options);
    fputs(".fi\n.SH EXIT STATUS\n", out);
    roff(out, exit_statuses);
    fputs(".SH SEE ALSO\nThe README.md and cases/README.md of statictls.\n", out);
}
