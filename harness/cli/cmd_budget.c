#include <stdio.h>
#include <string.h>

#include "budgetprint.h"
#include "cli.h"
#include "commands.h"
#include "limit.h"
#include "die.h"

int cmd_budget(int argc, char **argv)
{
    bool as_json = false;
    struct libc_choice choice = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (!libc_option(argc, argv, &i, &choice))
            die_input("budget: unknown option \"%s\"", argv[i]);
    }
    struct session s;
    session_open(&s, &choice, true);
    struct limit_query q = {.env = &s.env, .kit = &s.kit, .model = TLS_IE, .align = 1};
    struct limit_result l;
    char err[1024];
    if (!limit_measure(&q, &l, err, sizeof err))
        die("budget: %s", err);
    if (as_json) {
        struct json j;
        json_init(&j, stdout, s.build.root);
        json_document(&j, l.budget.libc_name, l.budget.libc_version, l.budget.machine);
        budget_json(&j, &l.budget, &l);
    } else {
        budget_print(&l.budget, &l);
    }
    limit_result_free(&l);
    session_close(&s);
    return EXIT_PASS;
}
