/* How a module reaches its TLS: the one vocabulary of the harness.  Case
   files, traces, fixtures, the ELF reader and the model all speak it. */
#ifndef STATICTLS_TLSACCESS_H
#define STATICTLS_TLSACCESS_H

#include <stdbool.h>

enum tls_access {
    TLS_NONE, /* no TLS at all */
    TLS_IE,   /* initial-exec (DF_STATIC_TLS): static TLS, or the load fails */
    TLS_DESC, /* TLS descriptors: static TLS while glibc's optional budget lasts,
                 else dynamic */
    TLS_GD,   /* general dynamic: never static */
    TLS_ACCESS_COUNT
};

/* Case files, fixtures and --model: "ie", "tlsdesc", "gd" ("none"). */
const char *tls_access_name(enum tls_access a);
/* Traces and census tables: "initial-exec", "descriptors", "dynamic". */
const char *tls_access_long_name(enum tls_access a);
/* Inverse of either spelling; false for an unknown name. */
bool tls_access_from_name(const char *name, enum tls_access *out);

#endif
