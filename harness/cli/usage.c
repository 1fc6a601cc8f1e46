#define _GNU_SOURCE /* vasprintf */
#include "usage.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "visible.h"
#include "xalloc.h"

enum { WIDTH = 79, OPTION_COLUMN = 20 };

static const char exit_statuses[] =
    "Exit status: 0 all loaded / passed, 1 a load failed / a case failed / a threshold was not "
    "met, 2 usage or input error, 3 internal error, 4 a command run by headroom, doctor or trace "
    "outlived its --timeout, 5 not judged (census; --strict: what would be 77), 77 cannot run "
    "here.";

/* Items separated by spaces from column col, a line broken before an item
   that would pass WIDTH; continuation lines indented by indent. */
static void wrap_items(FILE *out, char *const *items, size_t n, int col, int indent)
{
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(items[i]);
        if (i && col + 1 + len > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (i) {
            fputc(' ', out);
            col++;
        }
        fputs(items[i], out);
        col += len;
    }
    fputc('\n', out);
}

/* A paragraph wrapped at WIDTH from column col; a '\n' in text starts a
   new line. */
static void wrap_text(FILE *out, const char *text, int col, int indent)
{
    char *copy = xstrdup(text);
    char *line_save = NULL;
    bool first = true;
    for (char *line = strtok_r(copy, "\n", &line_save); line;
         line = strtok_r(NULL, "\n", &line_save)) {
        char **words = NULL;
        size_t n = 0;
        for (char *save = NULL, *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save))
            *XAPPEND(&words, &n) = w;
        if (!first)
            fprintf(out, "%*s", indent, "");
        wrap_items(out, words, n, first ? col : indent, indent);
        first = false;
        free(words);
    }
    if (first)
        fputc('\n', out);
    free(copy);
}

/* "--align A", "--after LIB...", "--json". */
static char *option_label(const struct option_row *r)
{
    return xasprintf("%s%s%s%s", r->name, r->value ? " " : "", r->value ? r->value : "",
                     r->kind == OPTION_LIST ? "..." : "");
}

/* The row's help and what the row says of its value: range, words,
   default, whether it repeats. */
static char *option_help(const struct option_row *r)
{
    char *facts[4];
    size_t n = 0;
    if (r->kind == OPTION_NUMBER)
        facts[n++] = xasprintf("from %ld to %ld", r->min, r->max);
    else if (r->kind == OPTION_POWER_OF_TWO)
        facts[n++] = xasprintf("a power of two from %ld to %ld", r->min, r->max);
    else if (r->kind == OPTION_WORD)
        facts[n++] = option_words_text(r->words);
    else if (r->kind == OPTION_REPEATED)
        facts[n++] = xstrdup("repeatable");
    if (r->fallback)
        facts[n++] = xasprintf("default %s", r->fallback);
    if (r->required)
        facts[n++] = xstrdup("required");
    char *text = xasprintf("%s%s", r->help, n ? " (" : "");
    for (size_t i = 0; i < n; i++) {
        char *more = xasprintf("%s%s%s", text, facts[i], i + 1 < n ? "; " : ")");
        free(text);
        free(facts[i]);
        text = more;
    }
    return text;
}

/* One synopsis item per row, alternatives as one "[A | B]". */
static void row_items(const struct option_row *const *rows, bool many, char ***items, size_t *n)
{
    for (size_t i = 0; rows && rows[i]; i++) {
        const struct option_row *r = rows[i];
        char *label = r->kind == OPTION_WORD ? xasprintf("%s %s", r->name, r->words)
                                             : option_label(r);
        if (r->alternative && i && rows[i - 1]->alternative) { /* joins the one before */
            char **last = &(*items)[*n - 1];
            char *joined = xasprintf("%.*s | %s]%s", (int)strcspn(*last, "]"), *last, label,
                                     many ? "..." : "");
            free(*last);
            *last = joined;
        } else if (r->required) {
            *XAPPEND(items, n) = xstrdup(label);
        } else {
            *XAPPEND(items, n) = xasprintf("[%s]%s", label,
                                           r->kind == OPTION_REPEATED ? "..." : "");
        }
        free(label);
    }
}

static char *operands_text(const struct command *c)
{
    switch (c->operands) {
    case OPERANDS_OPTIONAL: return xasprintf("[%s]", c->operand);
    case OPERANDS_ONE: return xstrdup(c->operand);
    case OPERANDS_SOME: return xasprintf("%s...", c->operand);
    case OPERANDS_ANY: return xasprintf("[%s...]", c->operand);
    case OPERANDS_COMMAND: return xasprintf("-- %s...", c->operand);
    case OPERANDS_NONE: break;
    }
    return NULL;
}

/* Every item of c's synopsis after its name; *n of them. */
static char **synopsis_items(const struct command *c, size_t *n)
{
    char **items = NULL;
    *n = 0;
    row_items(c->options, false, &items, n);
    if (c->builds != BUILDS_HOST)
        row_items(libc_option_rows, c->builds == BUILDS_MANY, &items, n);
    char *operands = operands_text(c);
    if (operands)
        *XAPPEND(&items, n) = operands;
    return items;
}

static void free_items(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

static void print_options(FILE *out, const struct option_row *const *rows)
{
    for (size_t i = 0; rows[i]; i++) {
        char *label = option_label(rows[i]), *help = option_help(rows[i]);
        int col = fprintf(out, "  %s", label);
        if (col + 2 > OPTION_COLUMN) {
            fputc('\n', out);
            col = 0;
        }
        fprintf(out, "%*s", OPTION_COLUMN - col, "");
        wrap_text(out, help, OPTION_COLUMN, OPTION_COLUMN);
        free(label), free(help);
    }
}

/* The names of the commands that take the libc build options, or of those
   that do not: "budget, load and limit".  A command without any option
   (help) is in neither. */
static char *command_names(const struct command *cmds, size_t n, bool with_builds)
{
    char *names = xstrdup("");
    size_t count = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        total += (cmds[i].builds != BUILDS_HOST) == with_builds && cmds[i].options;
    for (size_t i = 0; i < n; i++) {
        if ((cmds[i].builds != BUILDS_HOST) != with_builds || !cmds[i].options)
            continue;
        count++;
        char *more = xasprintf("%s%s%s", names, count == 1 ? "" : count == total ? " and " : ", ",
                               cmds[i].name);
        free(names);
        names = more;
    }
    return names;
}

static const char libc_rows_note[] =
    "Without them the probes run on the host's libc.";

void usage_print(FILE *out, const struct command *cmds, size_t n)
{
    fprintf(out, "usage: statictls COMMAND [OPTIONS] [ARGUMENTS]\n"
                 "       statictls help COMMAND    (or statictls COMMAND --help): its options\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < n; i++) {
        int col = fprintf(out, "  %-9s ", cmds[i].name);
        wrap_text(out, cmds[i].summary, col, col);
    }
    char *with = command_names(cmds, n, true), *without = command_names(cmds, n, false);
    char *intro = xasprintf("The libc build options, taken by %s (%s run on the host's libc "
                            "only):", with, without);
    fputc('\n', out);
    wrap_text(out, intro, 0, 0);
    print_options(out, libc_option_rows);
    fprintf(out, "%s\n\n", libc_rows_note);
    wrap_text(out, exit_statuses, 0, 0);
    fprintf(out, "statictls --version prints the version.\n");
    free(with), free(without), free(intro);
}

void usage_print_command(FILE *out, const struct command *c)
{
    size_t n;
    char **items = synopsis_items(c, &n);
    int col = fprintf(out, "usage: statictls %s", c->name);
    if (n) {
        fputc(' ', out);
        wrap_items(out, items, n, col + 1, 9);
    } else {
        fputc('\n', out);
    }
    free_items(items, n);
    fputc('\n', out);
    wrap_text(out, c->summary, 0, 0);
    if (c->options && c->options[0]) {
        fprintf(out, "\nOptions (a value follows a space or '=': --opt VALUE, --opt=VALUE):\n");
        print_options(out, c->options);
    }
    if (c->notes) {
        fputc('\n', out);
        wrap_text(out, c->notes, 0, 0);
    }
    if (c->builds == BUILDS_ONE) {
        fprintf(out, "\nThe libc build (one of --glibc, --musl, --libc-root, --libc-tree):\n");
        print_options(out, libc_option_rows);
        fprintf(out, "%s\n", libc_rows_note);
    } else if (c->builds == BUILDS_MANY) {
        fprintf(out, "\nThe libc builds (each of --glibc, --musl, --libc-root, --libc-tree "
                     "names one):\n");
        print_options(out, libc_option_rows);
    } else if (c->options) {
        fputc('\n', out);
        wrap_text(out, "It runs on the host's libc only (no --glibc, --musl, --libc-root or "
                       "--libc-tree).", 0, 0);
    }
    fputc('\n', out);
    if (c->exits) {
        wrap_text(out, c->exits, 0, 0);
        fputc('\n', out);
    }
    wrap_text(out, exit_statuses, 0, 0);
}

bool usage_asks_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

void usage_error(const struct command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message;
    if (vasprintf(&message, fmt, ap) < 0)
        die_errno("vasprintf");
    va_end(ap);
    char *shown = visible(message); /* it quotes the user's arguments */
    fflush(stdout);
    fprintf(stderr, "statictls %s: %s", c->name, shown);
    free(shown);
    free(message);
    char *operands = operands_text(c);
    fprintf(stderr, "\nusage: statictls %s%s%s%s  (statictls help %s)\n", c->name,
            c->options || c->builds != BUILDS_HOST ? " [OPTIONS]" : "", operands ? " " : "",
            operands ? operands : "", c->name);
    free(operands);
    exit(EXIT_USAGE);
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

static void man_options(FILE *out, const struct option_row *const *rows)
{
    for (size_t i = 0; rows[i]; i++) {
        fputs(".TP\n\\fB", out);
        roff(out, rows[i]->name);
        fputs("\\fR", out);
        if (rows[i]->value) {
            fputs(" \\fI", out);
            roff(out, rows[i]->value);
            fputs(rows[i]->kind == OPTION_LIST ? "\\fR...\n" : "\\fR\n", out);
        } else {
            fputc('\n', out);
        }
        char *help = option_help(rows[i]);
        roff(out, help);
        fputc('\n', out);
        free(help);
    }
}

/* The man page's tagged lists: a term (bold) and what it is. */
struct man_item {
    const char *term, *text;
};

static void man_list(FILE *out, const char *section, const char *intro,
                     const struct man_item *items, size_t n)
{
    fprintf(out, ".SH %s\n", section);
    if (intro) {
        roff(out, intro);
        fputc('\n', out);
    }
    for (size_t i = 0; i < n; i++) {
        fputs(".TP\n\\fB", out);
        roff(out, items[i].term);
        fputs("\\fR\n", out);
        roff(out, items[i].text);
        fputc('\n', out);
    }
}

/* Every variable statictls reads (settings.h: read once, by main), and
   those its own scripts read. */
static const struct man_item environment[] = {
    {"STATICTLS_TIMEOUT_FACTOR", "scales every probe's timeout and each run of CMD's --timeout "
                                 "(a number from 0.01 to 1000000; default 1), for slow machines "
                                 "and emulators"},
    {"STATICTLS_KEEP", "set (to anything but \"\" or 0): fixtures and scratch files stay, "
                       "for debugging"},
    {"STATICTLS_COREDUMPS", "set (to anything but \"\" or 0): a crashing probe may dump core"},
    {"STATICTLS_STRICT", "set (to anything but \"\" or 0): --strict for every command: what "
                         "would exit 77 exits 5, saying what coverage was lost"},
    {"TMPDIR", "where scratch directories and generated fixtures go (default /tmp); it must be "
               "writable and hold no space or ':', which would split ld.so's lists"},
    {"PATH", "searched for CMD of headroom, doctor and trace, and passed to the probes"},
    {"GLIBC_TUNABLES, LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH",
     "passed through to the probes, so figures are those of the environment a program runs "
     "in (a glibc build's sysroot goes first in LD_LIBRARY_PATH); CMD of headroom, doctor "
     "and trace runs with the whole environment, statictls's helpers added to LD_PRELOAD or "
     "LD_AUDIT"},
    {"CC", "the compiler bench's compile-and-bisect method runs (default cc)"},
    {"NAME", "a case file's ${NAME} is the environment's NAME unless --define NAME=VALUE "
             "gives it"},
    {"STATICTLS_CACHE, XDG_CACHE_HOME",
     "where fetch-glibc.sh (and a build of statictls) keeps the glibc sysroots: "
     "$STATICTLS_CACHE, else $XDG_CACHE_HOME/statictls, else ~/.cache/statictls"},
    {"STATICTLS_SQUEEZE_*, STATICTLS_TRACE_FILE",
     "set by statictls for its helpers injected into CMD (statictls-squeeze.so, "
     "statictls-tracer.so); not for users"},
};

/* The install layout (cmake/StatictlsInstallDirs.cmake), relative to the
   prefix: the program finds its parts from its own place. */
static const struct man_item files[] = {
    {"bin/statictls", "the program"},
    {STATICTLS_INSTALL_PARTSDIR "/",
     "the probe, the fixture templates, the injected helpers (statictls-tracer.so, "
     "statictls-squeeze.so) and one directory per libc build (glibc-VERSION, "
     "glibc-VERSION-ARCH, musl): each holds its probe and fixtures, and a file that names its "
     "sysroot or says why the build is absent; sysroots/ holds the copy of each glibc "
     "release's sysroot the install carries, which its probes run on"},
    {STATICTLS_INSTALL_DATADIR "/cases/", "the cases report runs by default; README.md there "
                                          "is the case language and the trace format"},
    {STATICTLS_INSTALL_DATADIR "/fetch-glibc.sh",
     "fetches a glibc release's Debian sysroot into the cache (again, where a build names a "
     "sysroot that is gone); glibc-suites.txt beside it lists the releases"},
    {STATICTLS_INSTALL_DATADIR "/build-glibc.sh",
     "builds an upstream glibc release into the cache, for a statictls configured with its "
     "tree (--libc-tree)"},
    {STATICTLS_INSTALL_DATADIR "/statictls.schema.json",
     "the JSON schema of every --json document and of report's results.json"},
    {STATICTLS_INSTALL_DOCDIR "/", "README.md, the guides (guide-ci.md, guide-imports.md, "
                                   "guide-wheels.md), robustness.md (every limit) and LICENSE"},
    {STATICTLS_INSTALL_CMAKEDIR "/", "find_package(statictls): statictls_add_test, "
                                     "statictls_add_case_test, statictls_discover_cases and "
                                     "statictls_add_library_variants for a project's ctest"},
    {"~/.cache/statictls/glibc-VERSION-ARCH/root",
     "a glibc release's sysroot, fetched when statictls was built (ENVIRONMENT: "
     "STATICTLS_CACHE); a build tree's probes run on it, and an install's where it was made "
     "without its own copy (STATICTLS_INSTALL_SYSROOTS=OFF)"},
    {"results/PLATFORM/", "where report (and sweep --results) writes, under the current "
                          "directory unless --results DIR says otherwise"},
};

static const struct man_item examples[] = {
    {"statictls budget", "the static TLS of a fresh process on this machine's glibc"},
    {"statictls limit --glibc 2.31 --align 64",
     "the largest 64-aligned initial-exec block a glibc 2.31 process can still dlopen"},
    {"statictls load --min-headroom 256 libgomp.so.1 ./libfoo.so",
     "load both, in order; exit 1 unless 256 bytes of static TLS are left"},
    {"statictls doctor -- python3 -c 'import torch, cv2'",
     "why the command fails on static TLS, and fixes verified on it"},
    {"statictls census --policy manylinux2014 dist/",
     "whether the wheels and libraries under dist/ fit that platform"},
    {"statictls report", "budget, limits and every case, into results/PLATFORM/"},
    {"statictls fuzz --all --count 1000 --json",
     "1000 random cases on every build, each held to the model, as one JSON document"},
};

void usage_print_man(FILE *out, const struct command *cmds, size_t n)
{
    fprintf(out, ".TH STATICTLS 1 \"\" \"statictls %s\" \"User Commands\"\n", STATICTLS_VERSION);
    fprintf(out, ".SH NAME\nstatictls \\- measures where glibc's static TLS limit trips\n");
    fprintf(out, ".SH SYNOPSIS\n.B statictls\n.I COMMAND\n[\\fIOPTIONS\\fR] "
                 "[\\fIARGUMENTS\\fR]\n.br\n.B statictls help\n.I COMMAND\n");
    fprintf(out, ".SH DESCRIPTION\nstatictls measures, byte-exact, how much static TLS a "
                 "glibc process has left for dlopen'ed libraries with initial-exec TLS, "
                 "explains every figure with a model of glibc's allocator (each figure is "
                 "labelled measured, modelled or read), and finds fixes for real commands "
                 "that fail with \\(lqcannot allocate memory in static TLS block\\(rq. Every "
                 "measurement runs in a child process of its own. Commands that take a libc "
                 "build run on another glibc release, architecture or musl (LIBC BUILD "
                 "OPTIONS).\n.PP\nAn option's value is the next argument or follows "
                 "\\(oq=\\(cq: \\fB\\-\\-align 16\\fR or \\fB\\-\\-align=16\\fR.\n");
    fprintf(out, ".SH COMMANDS\n");
    for (size_t i = 0; i < n; i++) {
        const struct command *c = &cmds[i];
        size_t nitems;
        char **items = synopsis_items(c, &nitems);
        fprintf(out, ".SS %s\n.B statictls %s\n", c->name, c->name);
        for (size_t k = 0; k < nitems; k++) {
            roff(out, items[k]);
            fputc(k + 1 < nitems ? ' ' : '\n', out);
        }
        free_items(items, nitems);
        fputs(".PP\n", out);
        roff(out, c->summary);
        fputc('\n', out);
        if (c->exits) {
            fputs(".PP\n", out);
            roff(out, c->exits);
            fputc('\n', out);
        }
        if (c->options && c->options[0])
            man_options(out, c->options);
        if (c->notes) {
            fputs(".PP\n", out);
            roff(out, c->notes);
            fputc('\n', out);
        }
        if (c->builds != BUILDS_HOST)
            fputs(".PP\nIt takes the libc build options (LIBC BUILD OPTIONS).\n", out);
    }
    fputs(".SH LIBC BUILD OPTIONS\n", out);
    man_options(out, libc_option_rows);
    fputs(".PP\n", out);
    roff(out, libc_rows_note);
    fputs("\n.SH EXIT STATUS\n", out);
    roff(out, exit_statuses);
    fputc('\n', out);
    man_list(out, "ENVIRONMENT", NULL, environment, sizeof environment / sizeof environment[0]);
    man_list(out, "FILES", "Relative to the install's prefix (/usr for the .deb):", files,
             sizeof files / sizeof files[0]);
    man_list(out, "EXAMPLES", NULL, examples, sizeof examples / sizeof examples[0]);
    fputs(".SH SEE ALSO\nREADME.md and the guides in " STATICTLS_INSTALL_DOCDIR "/, and the case "
          "language in " STATICTLS_INSTALL_DATADIR "/cases/README.md, of the install's prefix.\n",
          out);
}
