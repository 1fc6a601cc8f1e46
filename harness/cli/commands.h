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
int cmd_doctor(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);

#endif
