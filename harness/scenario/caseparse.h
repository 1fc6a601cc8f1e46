/* Case files: scenarios as data.  The format is described in
   cases/README.md; this parser is its only reader (casewrite.c its only
   writer). */
#ifndef STATICTLS_CASEPARSE_H
#define STATICTLS_CASEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casevars.h"
#include "classify.h"
#include "plan.h"
#include "protocol.h"
#include "spawn.h"

/* A fixture (a TLS block of some access, size and alignment), a library
   whose constructor crashes or hangs, or a real library. */
enum object_kind { OBJ_FIXTURE, OBJ_CRASH, OBJ_HANG, OBJ_LIB };

/* A size: literal, or relative to the modelled free bytes of a fresh
   process in the case's environment ("free", "free-100", "free+1"). */
struct size_expr {
    bool relative_to_free;
    long long value;
};

struct case_object {
    char *name;
    int line;
    enum object_kind kind;
    enum tls_access access; /* OBJ_FIXTURE */
    struct size_expr size;
    uint64_t align;
    bool align_given; /* the text says align=N, even align=1: written back so */
    bool unique; /* OBJ_FIXTURE: it also defines and binds a unique symbol (fixture.h) */
    char *target; /* OBJ_LIB: a path or a soname */
};

#define CASE_NONE ((size_t)-1)

/* Names are resolved at parse time: steps hold indexes. */
struct case_step {
    enum op_kind op;
    int line;
    size_t object; /* load, close, dlmopen: into case_def.objects; else CASE_NONE */
    long count;    /* threads */
    size_t closes; /* close: the step (index) whose load it closes */
    int instance;  /* loads inside repeat get a fresh copy per iteration */
};

/* A repeat block as the text gives it: steps[first, first + len) is its
   body, and the steps after it hold the other count - 1 copies.  What
   the writer needs to write the block again instead of its expansion. */
struct case_repeat {
    size_t first, len;
    long count;
};

/* EXPECT_HEADROOM: every step loads, and then at least expect_headroom
   bytes of static TLS are still free (measured: the largest IE block that
   still loads after the steps). */
enum expect_kind { EXPECT_LOADS, EXPECT_TRIP, EXPECT_MODEL, EXPECT_HEADROOM };

struct case_def {
    char *path;
    char *title;
    char *tunables;
    char *arch; /* the expectation holds on this machine only, or NULL */
    char *libc; /* the case is about this libc ("glibc"), or NULL */
    /* `libc glibc>=2.22`: the expectation is about these releases ("2.22",
       compared by libc_op: "<", "<=", "=", ">=", ">"); on others every step
       is held to the model, as with arch.  NULL: every release. */
    char *libc_version;
    char libc_op[3];
    char **env; /* NAME=VALUE */
    size_t nenv;
    size_t *preload; /* into objects */
    size_t npreload;
    long naudit;  /* audit modules */
    long timeout; /* seconds */
    struct probe_limits limits; /* 0: the probe's defaults (spawn.h) */
    struct case_object *objects;
    size_t nobjects;
    struct case_step *steps; /* with repeat blocks expanded */
    size_t nsteps;
    struct case_repeat *repeats; /* in the order of the text */
    size_t nrepeats;
    enum expect_kind expect;
    int expect_step;
    enum load_kind expect_kind;
    char *expect_message; /* must occur in the error text, or NULL */
    long expect_headroom; /* EXPECT_HEADROOM: bytes */
};

#define CASE_MAX_STEPS PROTO_MAX_STEPS
#define CASE_MAX_SIZE (1LL << 30) /* bytes of one fixture's TLS block */
/* The largest alignment (a template's p_vaddr is 4096-aligned: fixture.h). */
#define CASE_MAX_ALIGN 4096
/* What else the parser accepts at most: no case can make the harness or a
   probe exhaust the machine. */
#define CASE_MAX_BYTES ((size_t)1 << 20) /* a case file */
#define CASE_MAX_OBJECTS CASE_MAX_STEPS
#define CASE_MAX_NAME 64   /* an object's name: letters, digits and . _ + ~ - */
#define CASE_MAX_ENV 64    /* env and preload lines, each */
#define CASE_MAX_MEMORY (64ULL << 30) /* limits memory= */
#define CASE_MAX_PROCESSES 65536      /* limits processes= */
#define CASE_MAX_CPU 86400            /* limits cpu= */

/* Parses text (the contents of path; CRLF line ends are taken), ${NAME}
   taken from vars (may be NULL) or the environment.  False with
   "path:line: what is wrong" in err for anything malformed, undefined or
   beyond the limits above. */
bool case_parse_with(const char *path, const char *text, const struct case_vars *vars,
                     struct case_def *out, char *err, size_t errlen);
/* The same with the environment's variables only. */
bool case_parse(const char *path, const char *text, struct case_def *out, char *err,
                size_t errlen);
void case_free(struct case_def *c);

const struct case_object *case_object_find(const struct case_def *c, const char *name);
/* The object step i names, or NULL (threads). */
const struct case_object *case_step_object(const struct case_def *c, size_t i);

/* Whether the case's expectation is for libc release version (true when
   the case names no release). */
bool case_libc_release_holds(const struct case_def *c, const char *version);

#endif
