/* The smallest glibc.rtld.optional_static_tls with which a process starts
   (and, where asked, keeps some headroom): under LD_AUDIT ld.so lays static
   TLS out before it maps the startup libraries, so their initial-exec
   blocks come out of the surplus that tunable sizes.  One search for every
   command that wants the figure: the model's prediction from the startup
   objects (budget.h), then runs at the prediction and one below it, else a
   bisection (search.h), and the value merged into the user's
   GLIBC_TUNABLES.  Used by sweep's startup figures (startup.c), doctor on a
   command ld.so refuses (doctor_startup.c) and headroom and doctor on one
   that starts under an auditor (startroom.c). */
#ifndef STATICTLS_TUNESEARCH_H
#define STATICTLS_TUNESEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"

#define OPTIONAL_STATIC_TLS "glibc.rtld.optional_static_tls"

/* ---- GLIBC_TUNABLES ------------------------------------------------------ */

/* tunables (NULL or "": none) with each NAME=VALUE of ours in place of its
   settings there (the others kept, in order), ours last: the caller frees. */
char *tunables_merge(const char *tunables, const char *ours);
/* The same for one NAME=VALUE. */
char *tunables_with(const char *tunables, const char *name, long long value);

/* ---- modelled ------------------------------------------------------------ */

/* The objects with TLS ld.so maps at startup after the program, in
   link-map order, as the model places them: each file once (by identity: an
   audit namespace maps its own copy of a library), the budget's own (libc)
   left to it.  roles[i] is the caller's word for mods[i]. */
struct start_objects {
    struct budget_module *mods;
    const char **roles;
    char **ids;
    size_t n;
};

/* Adds one object of file identity id (elf/resolve.h's file_identity);
   false where it is there already or is one of b's own. */
bool start_objects_add(struct start_objects *s, const struct budget *b, const char *id,
                       const char *path, const struct tls_block *block, enum tls_access access,
                       const char *role);
/* The same, its TLS read from its ELF file; false with why where the file
   cannot be read (an object left out is no error: why stays ""). */
bool start_objects_add_file(struct start_objects *s, const struct budget *b, const char *path,
                            const char *role, char *why, size_t whylen);
/* Places them in b after its main program (budget_add_preloads), which
   takes the paths over: s->mods[i].path then points at b's copy (compare
   it, never free it). */
void start_objects_place(struct budget *b, struct start_objects *s);
void start_objects_free(struct start_objects *s);

/* The model at optional_static_tls = n, merged into tunables: it does not
   start, or leaves less than needed bytes free (0: starting is enough).
   A search_pred for ctx a struct tunable_model. */
struct tunable_model {
    struct budget *b;
    const char *tunables; /* the process's own GLIBC_TUNABLES, or NULL */
    long needed;
};
bool tunable_model_fails(long long n, void *ctx);
/* The smallest n with which the model starts it: searched below from where
   it starts at from, else above from; -1 where none up to SEARCH_MAX.  The
   budget is left modelled with m->tunables. */
long long tunable_model_smallest(const struct tunable_model *m, long long from);

/* ---- measured ------------------------------------------------------------ */

enum tunable_run {
    TUNABLE_WORKS,
    TUNABLE_FAILS,
    TUNABLE_STOP, /* nothing more can run (a timeout, a probe that failed otherwise) */
};
/* Runs it at optional_static_tls = n: how it went, and its exit code (-1
   where none). */
typedef enum tunable_run (*tunable_runner)(long long n, int *exit_code, void *ctx);

enum { TUNABLE_MEMO = 80 }; /* runs remembered: a search makes fewer than 70 */

struct tunable_search {
    tunable_runner run;
    void *ctx;
    long long known_fails; /* a value at which it fails, known without a run; -1: none */
    long long known_works; /* one at which it works; -1: none (the search grows) */
    long long predicted;   /* the model's smallest, or -1 */

    /* What was found: smallest works, smallest - 1 fails (each n run at
       most once); -1 where none up to SEARCH_MAX, or stopped. */
    long long smallest;
    bool prediction_hit;     /* the two runs at the prediction proved it */
    bool stopped;
    int exit_at, exit_below; /* at smallest and smallest - 1: -1 where not run */
    unsigned runs;
    long long memo_n[TUNABLE_MEMO];
    int memo_exit[TUNABLE_MEMO];
    bool memo_fails[TUNABLE_MEMO];
    size_t nmemo;
};

/* The smallest value with which it works, measured: the prediction run
   there and one below, else a bisection between what is known to fail and
   to work (doubling first where nothing is known to work). */
void tunable_search_run(struct tunable_search *s);

#endif
