#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "classify.h"
#include "interrupt.h"
#include "record.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

/* In the child: fd onto target (a new file for writing unless reading),
   or _exit(126). */
static void redirect(const char *path, int target, bool reading)
{
    int fd = reading ? open(path, O_RDONLY) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, target) < 0 || (fd != target && close(fd) != 0))
        _exit(126);
}

int run_command(char *const argv[], char *const *extra, size_t nextra,
                const struct command_streams *to, pid_t *pid_out)
{
    pid_t pid = fork_watched(false); /* in our group: Ctrl-C reaches it too */
    if (pid == 0) {
        for (size_t i = 0; i < nextra; i++)
            if (putenv(extra[i]) != 0)
                _exit(126);
        if (to->in)
            redirect(to->in, 0, true);
        if (to->out)
            redirect(to->out, 1, false);
        if (to->err && to->out && strcmp(to->err, to->out) == 0) {
            if (dup2(1, 2) < 0)
                _exit(126);
        } else if (to->err) {
            redirect(to->err, 2, false);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "statictls: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    *pid_out = pid;
    int status;
    xwaitpid(pid, &status, 0);
    interrupt_child_done(pid);
    return status;
}

int command_exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *static_tls_message(const char *stderr_text)
{
    static const enum load_kind kinds[] = {KIND_STATIC_TLS_EXHAUSTED, KIND_STATIC_TLS_COUNT};
    for (size_t i = 0; stderr_text && i < 2; i++) {
        const char *hit = strstr(stderr_text, load_kind_message(kinds[i]));
        if (!hit)
            continue;
        const char *start = hit;
        while (start > stderr_text && start[-1] != '\n')
            start--;
        return xasprintf("%.*s", (int)(strcspn(start, "\n")), start);
    }
    return NULL;
}

char *command_stderr(const char *errfile, bool echo)
{
    size_t len = 0;
    char *text = read_file(errfile, &len);
    if (echo && text && len && fwrite(text, 1, len, stderr) != len)
        die_errno("write stderr");
    return text;
}


struct record *command_records(const char *path, pid_t pid, size_t *n)
{
    size_t len;
    char *text = read_file(path, &len);
    char *want = xasprintf("%d", (int)pid);
    struct record *out = NULL;
    *n = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        struct record r;
        if (!record_parse(line, &r))
            continue;
        const char *p = record_get(&r, "pid");
        if (p && strcmp(p, want) == 0)
            *XAPPEND(&out, n) = r;
        else
            record_free(&r);
    }
    free(want);
    free(text);
    return out;
}
