#define _GNU_SOURCE
#include "policy.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

bool policy_parse(const char *name, struct policy *out)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    int major, minor, end = 0;
    if (strcmp(name, "manylinux2014") == 0) {
        snprintf(out->version, sizeof out->version, "2.17");
        return true;
    }
    if (strcmp(name, "musllinux_1_2") == 0) {
        out->musl = true;
        return true;
    }
    if ((sscanf(name, "manylinux_%d_%d%n", &major, &minor, &end) == 2 ||
         sscanf(name, "glibc-%d.%d%n", &major, &minor, &end) == 2) &&
        !name[end] && major == 2 && minor >= 0 && minor < 1000) {
        snprintf(out->version, sizeof out->version, "%d.%d", major, minor);
        return true;
    }
    return false;
}

const char *policy_machine(int e_machine)
{
    return e_machine == EM_X86_64 ? "x86_64"
           : e_machine == EM_AARCH64 ? "aarch64"
           : e_machine == EM_386     ? "i386"
           : e_machine == EM_ARM     ? "armhf"
           : e_machine == EM_PPC64   ? "ppc64el"
           : e_machine == EM_S390    ? "s390x"
           : e_machine == EM_RISCV   ? "riscv64"
                                     : NULL;
}

const struct libc_build *policy_build(const struct policy *p, const char *machine,
                                      const struct libc_build_list *builds,
                                      const char *host_version)
{
    if (p->musl)
        return NULL;
    char name[64], with_machine[96];
    snprintf(name, sizeof name, "glibc-%s", p->version);
    snprintf(with_machine, sizeof with_machine, "glibc-%s-%s", p->version, machine);
    for (size_t i = 0; i < builds->n; i++) {
        const struct libc_build *b = &builds->items[i];
        bool host = strcmp(b->name, "host") == 0;
        if (strcmp(b->machine, machine) != 0)
            continue;
        bool tree = strncmp(b->name, "tree-", 5) == 0 && strcmp(b->name + 5, name) == 0;
        if (strcmp(b->name, name) == 0 || strcmp(b->name, with_machine) == 0 || tree ||
            (host && host_version && strcmp(host_version, p->version) == 0))
            return b;
    }
    return NULL;
}

const struct libc_build *policy_layout_build(const char *machine,
                                             const struct libc_build_list *builds)
{
    for (size_t i = 0; i < builds->n; i++)
        if (strcmp(builds->items[i].name, "host") == 0 &&
            strcmp(builds->items[i].machine, machine) == 0)
            return &builds->items[i];
    for (size_t i = 0; i < builds->n; i++)
        if (strcmp(builds->items[i].machine, machine) == 0)
            return &builds->items[i];
    return NULL;
}
