/* What an interrupted or failed run must not leave behind.

   SIGINT, SIGTERM or SIGHUP (Ctrl-C, kill, a closed terminal) is passed on
   to the children statictls is waiting for (each probe's whole process
   group, or a traced command), the scratch directories and temporary files still
   registered are removed, and statictls ends by the same signal, so the
   shell sees 128 + the signal.  exit() (die() included) removes the same
   paths and kills the children still running.

   The registry is the one global state of the harness, on purpose: a
   signal handler can reach nothing else.  Everything the handler does is
   async-signal-safe. */
#ifndef STATICTLS_INTERRUPT_H
#define STATICTLS_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Installs the handlers (signals ignored when statictls started, as under
   nohup, stay ignored) and the exit hook.  main calls it once. */
void interrupt_install(void);

/* Children watched at once: the probes that run side by side, with room. */
#define INTERRUPT_MAX_CHILDREN 4

/* fork, with the child known to the handler from its first instruction:
   group makes the child the leader of a process group of its own, and a
   signal goes to that group.  The child starts with default signal
   handling.  Dies with context when fork fails or INTERRUPT_MAX_CHILDREN
   are watched already. */
pid_t fork_watched(bool group);
/* After the watched child pid has been reaped: nothing to forward to. */
void interrupt_child_done(pid_t pid);

/* Holds the handled signals off while steps that belong together run
   (swapping a results directory in). */
void interrupt_hold(sigset_t *old);
void interrupt_release(const sigset_t *old);

/* A file or directory tree removed if the run ends early; forget it once
   it is removed or published. */
void interrupt_add_path(const char *path);
void interrupt_forget_path(const char *path);

/* Removes a directory tree (or a file) without following symlinks, with
   only async-signal-safe calls, two descriptors and a fixed amount of
   stack whatever its depth, in time linear in its size; what cannot be
   removed is left, and errors are ignored. */
void remove_tree_now(const char *path);

#endif
