/* The statictls subcommands; each returns the process exit code. */
#ifndef STATICTLS_COMMANDS_H
#define STATICTLS_COMMANDS_H

int cmd_budget(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_limit(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_census(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_headroom(int argc, char **argv);

struct json;
struct budget;
struct limit_result;
/* The budget as JSON: read, modelled and (with l) measured figures. */
void budget_json(struct json *j, const struct budget *b, const struct limit_result *l);

/* Shared option parsing: a number option's value, or exit 2. */
long option_number(const char *option, const char *value, long min, long max);

#endif
