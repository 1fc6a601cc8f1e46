/* The platforms a wheel is built for, as `census --policy` names them, and
   the libc each one promises: manylinux2014 (glibc 2.17), manylinux_X_Y
   (glibc X.Y), musllinux_1_2 (musl), or glibc-X.Y. */
#ifndef STATICTLS_POLICY_H
#define STATICTLS_POLICY_H

#include <stdbool.h>

#include "libcbuild.h"

struct policy {
    const char *name; /* as given */
    bool musl;
    char version[16]; /* glibc's "X.Y" */
};

/* False for a name that is none of the above. */
bool policy_parse(const char *name, struct policy *out);

/* "x86_64", "aarch64", "i386", "armhf", "ppc64el", "s390x", "riscv64" (the
   builds' names) for an ELF e_machine; NULL for others. */
const char *policy_machine(int e_machine);

/* The build here that runs the policy's glibc on machine, or NULL:
   "glibc-X.Y" (the host's machine) or "glibc-X.Y-MACHINE", or the host's
   own libc when it is that release (host_version). */
const struct libc_build *policy_build(const struct policy *p, const char *machine,
                                      const struct libc_build_list *builds,
                                      const char *host_version);
/* A build of machine to model another release on: the host's, else any. */
const struct libc_build *policy_layout_build(const char *machine,
                                             const struct libc_build_list *builds);

#endif
