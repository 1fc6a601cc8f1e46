/* What kind of failure a dlerror() text describes. */
#ifndef STATICTLS_CLASSIFY_H
#define STATICTLS_CLASSIFY_H

#include <stddef.h>

enum load_kind {
    KIND_LOADED,
    KIND_STATIC_TLS_EXHAUSTED, /* "cannot allocate memory in static TLS block" */
    KIND_STATIC_TLS_COUNT,     /* glibc <= 2.21: "cannot load any more object with static TLS" */
    KIND_MUSL_IE_DYNAMIC,      /* musl: "initial-exec TLS resolves to dynamic definition" */
    KIND_NO_NAMESPACE,         /* dlmopen: "no more namespaces available for dlmopen()" */
    KIND_AUDIT_LIMIT,          /* startup: "Failed loading N audit modules, M are supported." */
    KIND_NOT_FOUND,
    KIND_NOT_ELF,
    KIND_OTHER,
    KIND_CRASHED,  /* the probe died of a signal during the step */
    KIND_TIMEOUT,  /* the probe was killed during the step */
    KIND_NOT_RUN,  /* the probe never got to the step: it is no outcome */
    KIND_COUNT_
};

/* Kind of a failed load from its dlerror() text (never KIND_LOADED). */
enum load_kind classify_dlerror(const char *text);

/* Stable names used in case files, JSON and tables. */
const char *load_kind_name(enum load_kind kind);
/* Inverse of load_kind_name; -1 for an unknown name. */
int load_kind_from_name(const char *name);

/* The words glibc (musl for KIND_MUSL_IE_DYNAMIC) writes for a failed load
   of this kind, as classify_dlerror looks for them; NULL for a kind no
   loader writes.  Other files quote glibc only through these two. */
const char *load_kind_message(enum load_kind kind);
/* Writes into buf what glibc's dlerror() says when loading object fails
   this way: "OBJECT: MESSAGE", but "dlopen: MESSAGE" for the count limit,
   whatever the object.  object NULL: MESSAGE alone for the other kinds. */
const char *load_kind_dlerror(enum load_kind kind, const char *object, char *buf, size_t len);

#endif
