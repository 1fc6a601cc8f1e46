/* interrupt-run SIGNAL STATICTLS COMMAND ARGS...
   Runs `statictls COMMAND ARGS...` (its case hangs) with
   a private TMPDIR, waits until its probe hangs, sends SIGNAL (INT or TERM)
   to statictls alone, as kill(1) would, and checks that statictls ends by
   that signal (or exits 128 + it), that no process of the probe's group
   survives, and that TMPDIR is left empty (scratch directory and temporary
   files removed).  For `report`, it adds --results DIR, a directory
   holding an earlier run's pair, which must be left as it was.  A C program, so that SIGINT is not ignored in the child
   as sh does for background jobs.  Prints PASS or FAIL: why. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *fmt, const char *arg)
{
    printf("FAIL: ");
    printf(fmt, arg);
    printf("\n");
    return 1;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* A child of parent that leads its own process group: the probe. */
static pid_t find_probe(pid_t parent)
{
    DIR *d = opendir("/proc");
    pid_t found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *close_paren = strrchr(buf, ')');
        int pid, ppid, pgid;
        char state;
        if (sscanf(buf, "%d", &pid) == 1 && close_paren &&
            sscanf(close_paren + 1, " %c %d %d", &state, &ppid, &pgid) == 3 && ppid == parent &&
            pgid == pid)
            found = pid;
    }
    if (d)
        closedir(d);
    return found;
}

static size_t entries(const char *dir, bool show)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            if (show)
                printf("left behind: %s/%s\n", dir, e->d_name);
            n++;
        }
    if (d)
        closedir(d);
    return n;
}

/* An earlier run's results: DIR/glibc-earlier/{README.md,results.json}. */
static bool seed(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/glibc-earlier", dir);
    if (mkdir(path, 0755) != 0)
        return false;
    static const char *const names[] = {"README.md", "results.json"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/glibc-earlier/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        if (!f || fputs("earlier run\n", f) < 0 || fclose(f) != 0)
            return false;
    }
    return true;
}

/* Exactly what seed wrote, and nothing beside it; then removes it. */
static bool seeded_intact(const char *dir)
{
    char path[256], buf[64];
    bool ok = entries(dir, false) == 1;
    snprintf(path, sizeof path, "%s/glibc-earlier", dir);
    ok &= entries(path, false) == 2;
    static const char *const names[] = {"README.md", "results.json"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/glibc-earlier/%s", dir, names[i]);
        FILE *f = fopen(path, "r");
        ok &= f && fgets(buf, sizeof buf, f) && strcmp(buf, "earlier run\n") == 0;
        if (f)
            fclose(f);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/glibc-earlier", dir);
    rmdir(path);
    rmdir(dir);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: interrupt-run INT|TERM STATICTLS COMMAND ARGS...\n");
        return 2;
    }
    int sig = strcmp(argv[1], "INT") == 0 ? SIGINT : SIGTERM;
    char tmp[] = "/tmp/statictls-interrupt-XXXXXX";
    if (!mkdtemp(tmp))
        return fail("mkdtemp: %s", strerror(errno));
    char results[] = "/tmp/statictls-results-XXXXXX";
    bool report = strcmp(argv[3], "report") == 0;
    if (report && (!mkdtemp(results) || !seed(results)))
        return fail("cannot make %s", results);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        setenv("TMPDIR", tmp, 1);
        char **args = calloc((size_t)argc + 2, sizeof *args);
        for (int i = 2; i < argc; i++)
            args[i - 2] = argv[i];
        if (report) {
            args[argc - 2] = "--results";
            args[argc - 1] = results;
        }
        execv(args[0], args);
        _exit(127);
    }
    pid_t probe = 0;
    for (int i = 0; i < 600 && !probe; i++) { /* the limits of a report come first */
        sleep_ms(50);
        probe = find_probe(pid);
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return fail("%s ended before its probe hung", argv[3]);
    }
    if (!probe)
        return fail("no probe of %s hung within 30 s", argv[3]);
    sleep_ms(300); /* into the hanging step */
    printf("statictls %d, probe %d: sending SIG%s\n", (int)pid, (int)probe, argv[1]);
    kill(pid, sig);
    int status = 0;
    bool ended = false;
    for (int i = 0; i < 200 && !ended; i++) {
        ended = waitpid(pid, &status, WNOHANG) == pid;
        if (!ended)
            sleep_ms(50);
    }
    if (!ended) {
        kill(pid, SIGKILL);
        kill(-probe, SIGKILL);
        return fail("statictls still runs 10 s after SIG%s", argv[1]);
    }
    int rc = 0;
    if (!((WIFSIGNALED(status) && WTERMSIG(status) == sig) ||
          (WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig)))
        rc = fail("statictls did not end by the signal (status %s)",
                  WIFEXITED(status) ? "exit" : "another signal");
    sleep_ms(100);
    if (kill(-probe, 0) == 0 || errno != ESRCH) {
        kill(-probe, SIGKILL);
        rc = fail("the probe's process group survived: %s", "orphaned probe");
    }
    if (entries(tmp, true))
        rc = fail("TMPDIR %s is not empty", tmp);
    rmdir(tmp);
    if (report && !seeded_intact(results))
        rc = fail("the results in %s changed", results);
    if (!rc)
        printf("PASS\n");
    return rc;
}
