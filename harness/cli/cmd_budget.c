/* statictls budget: the static TLS budget of a fresh process, each figure
   read, modelled or measured. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "limit.h"
#include "render_budget.h"
#include "die.h"

int cmd_budget(const struct args *a)
{
    struct libc_choice choice = libc_choice_of(a);
    struct session s;
    session_open(&s, a, &choice, true);
    struct limit_query q = {.env = &s.env, .kit = &s.kit, .model = TLS_IE, .align = 1};
    struct limit_result l;
    char err[1024];
    if (!limit_measure(&q, &l, err, sizeof err))
        die("budget: %s", err);
    if (arg_given(a, "--json"))
        render_budget_document(&l, s.build.root);
    else
        render_budget(&l.budget, &l);
    limit_result_free(&l);
    session_close(&s);
    return EXIT_PASS;
}
