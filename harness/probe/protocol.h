/* The probe protocol: what the harness passes statictls-probe and what the
   probe reports back.  Both sides are always built from one tree, so a word
   changes here and nowhere else; there is no compatibility to keep.

   Plain C11 needing nothing: the probe is built with every sysroot, musl
   and cross compiler, not only the harness's.

     statictls-probe FD budget
     statictls-probe FD steps OP:ARG...
     statictls-probe FD budget-steps          (then OP:ARG lines on stdin)

   Records are "kind\tkey=value\t..." on FD, one per line.  Each OP:ARG,
   on the command line and on stdin alike, is escaped as a record's values
   are (proto_escape): a newline in a path (a directory's name, a case's
   ${VAR}) can then never split one step into two. */
#ifndef STATICTLS_PROBE_PROTOCOL_H
#define STATICTLS_PROBE_PROTOCOL_H

/* Modes (argv[2]). */
#define PROTO_MODE_BUDGET "budget"
#define PROTO_MODE_STEPS "steps"
/* The budget, then PROTO_READY, then steps read from stdin (one OP:ARG a
   line, until EOF): a measurement whose steps need the budget costs one
   process, not two. */
#define PROTO_MODE_BUDGET_STEPS "budget-steps"

/* Step ops, "OP:ARG": the same words as the case language and the JSON. */
#define PROTO_OP_THREADS "threads" /* ARG: how many idle threads to start */
#define PROTO_OP_LOAD "load"       /* ARG: what to dlopen */
#define PROTO_OP_DLMOPEN "dlmopen" /* ARG: what to dlmopen in a new namespace */
#define PROTO_OP_CLOSE "close"     /* ARG: the step (from 1) whose handle to dlclose */
#define PROTO_ARG_SEP ':'

/* The case parser's limit too, so that any case that parses can run. */
#define PROTO_MAX_STEPS 4000

/* Record kinds.  Mode budget: libc, arch, static, rseq (where the libc has
   it), then object per loaded object and module per one with TLS, then
   audit per LD_AUDIT entry (ld.so ignores one it cannot load).  Mode
   steps: begin before each step runs, so one that crashes is still known,
   and step after it.  Both end with end: a report without it was cut short. */
#define PROTO_LIBC "libc"
#define PROTO_ARCH "arch"
#define PROTO_STATIC "static"
#define PROTO_RSEQ "rseq"
#define PROTO_OBJECT "object"
#define PROTO_MODULE "module"
#define PROTO_AUDIT "audit" /* per LD_AUDIT entry: whether ld.so mapped it */
#define PROTO_BEGIN "begin"
#define PROTO_STEP "step"
#define PROTO_END "end"
#define PROTO_READY "ready" /* mode budget-steps: the budget is out */

/* Field keys the harness reads (the probe writes a few more, for people). */
#define PROTO_KEY_NAME "name"           /* libc */
#define PROTO_KEY_VERSION "version"     /* libc */
#define PROTO_KEY_RELEASE "release"     /* libc */
#define PROTO_KEY_MACHINE "machine"     /* arch */
#define PROTO_KEY_SIZE "size"           /* static, rseq, module, step */
#define PROTO_KEY_ALIGN "align"         /* static, module, step */
#define PROTO_KEY_OFFSET "offset"       /* rseq: __rseq_offset */
#define PROTO_KEY_PATH "path"           /* object, module, step */
#define PROTO_KEY_MODID "modid"         /* module, step */
#define PROTO_KEY_FIRSTBYTE "firstbyte" /* module */
#define PROTO_KEY_TPOFF "tpoff"         /* module, step: block address - TP (ppc64: TP - 0x7000) */
#define PROTO_KEY_STEP "step"           /* begin, step: its number, from 1 */
#define PROTO_KEY_OK "ok"               /* step: PROTO_OK, or "0" */
#define PROTO_KEY_LOADED "loaded"       /* audit: PROTO_OK, or "0" */
#define PROTO_KEY_ERR "err"             /* step: dlerror() of a failed load or close */
#define PROTO_OK "1"
/* step: the step could not run for a reason outside the case (a thread
   refused by the user's process limit): the probe stops there, exiting
   PROTO_EXIT_ENVIRONMENT, and err says what was refused. */
#define PROTO_KEY_ENVIRONMENT "environment"

/* The path given for the main program, which the loader names "".  The
   injected helpers of trace and headroom use it too. */
#define PROTO_MAIN_NAME "(main)"

/* The probe's exit status when it fails itself (not the measured load). */
#define PROTO_EXIT_ERROR 3
/* ... and when this machine refused it what a step needs (see
   PROTO_KEY_ENVIRONMENT). */
#define PROTO_EXIT_ENVIRONMENT 4

/* A value goes into a record (and a step to the probe) with '\\', tab and newline written "\\\\",
   "\\t" and "\\n", so that any path (a file name may hold a tab or a
   newline) comes back whole; record_parse undoes it.  Writes at most cap
   bytes with the terminating NUL, cutting the value short (never an
   escape) when it does not fit; returns the length written. */
static inline size_t proto_escape(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; cap && *src; src++) {
        char two = *src == '\\' ? '\\' : *src == '\t' ? 't' : *src == '\n' ? 'n' : 0;
        if (n + (two ? 2 : 1) >= cap)
            break;
        if (two) {
            dst[n++] = '\\';
            dst[n++] = two;
        } else {
            dst[n++] = *src;
        }
    }
    if (cap)
        dst[n] = '\0';
    return n;
}

/* Undoes proto_escape in place (the text only shrinks); a backslash before
   anything else stays as it is. */
static inline void proto_unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        char c = s[1] == '\\' ? '\\' : s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : 0;
        if (*s == '\\' && c) {
            *o++ = c;
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

#endif
