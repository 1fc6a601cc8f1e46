/* statictls: measures where glibc's static TLS limit trips.  See README.md.
   The commands and their options are the table in commands.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "die.h"
#include "interrupt.h"
#include "settings.h"
#include "visible.h"
#include "usage.h"

/* POSIX: the program declares it. */
extern char **environ;

int main(int argc, char **argv)
{
    size_t n;
    const struct command *commands = commands_table(&n);
    setvbuf(stdout, NULL, _IOLBF, 0);
    interrupt_install();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_print(argc < 2 ? stderr : stdout, commands, n);
        return argc < 2 ? EXIT_USAGE : EXIT_PASS;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (argc > 2) {
            fprintf(stderr, "statictls: --version takes no arguments\n");
            return EXIT_USAGE;
        }
        printf("statictls %s\n", STATICTLS_VERSION);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "--man") == 0) { /* build time: man/statictls.1 */
        usage_print_man(stdout, commands, n);
        return EXIT_PASS;
    }
    const struct command *c = command_find(argv[1]);
    if (!c) {
        char *shown = visible(argv[1]);
        fprintf(stderr, "statictls: unknown command \"%s\"\n\n", shown);
        free(shown);
        usage_print(stderr, commands, n);
        return EXIT_USAGE;
    }
    if (usage_asks_help(argc - 1, argv + 1)) {
        usage_print_command(stdout, c);
        return EXIT_PASS;
    }
    struct args a;
    args_parse(c, argc - 1, argv + 1, &a);
    /* The environment's settings, read here once and passed down; a
       command that only prints (help) runs whatever they say. */
    char err[1024];
    if (!c->prints_only && !settings_read(&a.settings, environ, err, sizeof err)) {
        fprintf(stderr, "statictls: %s\n", err);
        args_free(&a);
        return EXIT_USAGE;
    }
    int code = c->run(&a);
    args_free(&a);
    return code;
}
