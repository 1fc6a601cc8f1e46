/* doctor for a command ld.so refuses to start ("error while loading shared
   libraries: X: cannot allocate memory in static TLS block" under LD_AUDIT,
   or too many audit modules).  No tracer runs in a process that never
   starts, so its startup objects are read from the ELF files as ld.so
   finds them (the program's DT_NEEDED closure, the preloads, the audit
   modules) and placed by the model's startup layout (budget.h, under the
   same LD_AUDIT and GLIBC_TUNABLES, read in a probe); the fixes are then
   each run on the command itself, as the user gave it. */
#ifndef STATICTLS_DOCTOR_STARTUP_H
#define STATICTLS_DOCTOR_STARTUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "launcher.h"
#include "libcbuild.h"
#include "settings.h"
#include "tlsaccess.h"

/* ld.so's refusal in a run's stderr: KIND_STATIC_TLS_EXHAUSTED or
   KIND_AUDIT_LIMIT, or KIND_LOADED where it is none.  message: glibc's
   static TLS line (stderrscan.h), tail: the end of its stderr. */
enum load_kind startup_refusal(int exit_code, const char *message, const char *tail);

/* An object with TLS at startup, in link-map order, as the model places it. */
struct startup_object {
    char *path;
    const char *role;  /* "program", "preload", "needed", "audit" */
    uint64_t size, align;
    enum tls_access access;
    const char *where; /* "initial", "surplus", "dynamic", "first use", "TRIPS", "not modelled" */
};

/* One fix: a tunable, the command without its auditor or a preload (an
   option), a rebuild (validated on fixtures). */
struct startup_fix {
    const char *kind; /* "tunable", "without-audit", "without-preload", "preload-order",
                         "rebuild" */
    char *what;       /* the tunable, the variable or object dropped, the object rebuilt */
    char *line;       /* what to paste, or what to do */
    bool on_command;  /* run on the command itself */
    bool works;
    bool option;      /* said as an option: it changes what the user runs */
    char *evidence;
};

struct startup_report {
    enum load_kind refusal;
    int exit_code;       /* as is, without statictls' helper (measured) */
    char *message;       /* ld.so's line (measured) */
    char *program;       /* the program's file */
    char *ld_audit, *ld_preload, *glibc_tunables; /* as the program gets them, or NULL */
    size_t naudit;
    size_t nns;          /* glibc.rtld.nns as the program runs */

    bool modelled;
    char why_not_modelled[512];
    struct startup_object *objects;
    size_t nobjects;
    size_t trip;         /* 1 + the index of the object the model says does not fit; 0 none */
    long long optional_now;       /* glibc.rtld.optional_static_tls as the program runs */
    long long optional_predicted; /* the smallest that starts it, modelled; -1: none */
    long long optional_measured;  /* the smallest that starts it, measured; -1: none */
    int exit_at, exit_below;      /* the command's exits at measured and measured - 1 */
    struct startup_fix *fixes;
    size_t nfixes;
    unsigned runs;       /* of the command */
    unsigned cases;      /* run on fixtures */
    bool timed_out;      /* a run outlived the timeout: what follows it was not run */
    /* ld.so refused it only with statictls' helper preloaded: as is it
       starts (exit_code), and nothing else was run. */
    bool helper_only;
};

struct startup_request {
    const struct launch *launch;
    int expect_exit;
    double timeout_s;
    const struct settings *settings;
    const struct libc_build *host;
    enum load_kind refusal; /* as startup_refusal found it */
};

/* Runs the command as is, models its startup and searches the fixes.
   False with why (a harness failure) where the host's budget cannot be read. */
bool doctor_startup(const struct startup_request *q, struct startup_report *out, char *why,
                    size_t whylen);
void startup_report_free(struct startup_report *r);
/* A fix run on the command that makes it start, and not an option. */
bool startup_fixed(const struct startup_report *r);

#endif
