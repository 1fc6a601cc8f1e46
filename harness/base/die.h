/* Exit codes of every statictls command, and the harness's own failures:
   for its own work, never for the measured dlopen (that one runs in the
   probe and its failure is data). */
#ifndef STATICTLS_DIE_H
#define STATICTLS_DIE_H

enum {
    EXIT_PASS = 0,      /* all loaded / case passed */
    EXIT_TRIPPED = 1,   /* a load failed / case failed */
    EXIT_USAGE = 2,     /* usage or input error */
    EXIT_INTERNAL = 3,  /* the harness itself failed */
    EXIT_TIMEOUT = 4,   /* a command run by trace, headroom or doctor outlived its timeout */
    /* Nothing here could judge what was asked (census: objects of a machine
       or platform no build here runs or models), and nothing failed.  Not
       EXIT_SKIP: a test runner takes 77 as "skipped", which a CI gate would
       pass, and the cure is in the user's hands (the build or --policy). */
    EXIT_NOT_JUDGED = 5,
    EXIT_SKIP = 77,     /* cannot run here */
};

/* "statictls: MESSAGE" on stderr, then exit EXIT_INTERNAL (die_errno adds
   strerror(errno)). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An input error: prints "statictls: MESSAGE" and exits EXIT_USAGE. */
_Noreturn void die_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
