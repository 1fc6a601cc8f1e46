/* The glibc.rtld.* tunables a libc build's ld.so knows, read from the
   ld.so itself. */
#ifndef STATICTLS_LDSOTUNABLES_H
#define STATICTLS_LDSOTUNABLES_H

#include "libcbuild.h"

/* The names, space-separated ("" for none), from `ld.so --list-tunables`
   (2.33+; under qemu for another arch's build), else the TLS tunables'
   names in its read-only data (Debian's 2.31 backport has the tunables but
   not the option).  *source says which of the two; the loader runs for
   at most timeout_s (scaled by STATICTLS_TIMEOUT_FACTOR, as probes are). */
char *ldso_known_tunables(const struct libc_build *b, const char *ldso, double timeout_s,
                          const char **source);

#endif
