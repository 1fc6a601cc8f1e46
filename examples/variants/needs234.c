/* A plugin loader with initial-exec TLS state, as a library built on a new
   host is: its dlopen call binds to dlopen@GLIBC_2.34 where it is linked
   against glibc 2.34 or later (x86_64's glibc moved dlopen into libc.so.6
   then), so glibc 2.31's ld.so refuses the host's build of it. */
#include <dlfcn.h>

__thread void *needs234_last __attribute__((tls_model("initial-exec")));
__thread char needs234_scratch[512] __attribute__((tls_model("initial-exec")));

void *needs234_open(const char *name)
{
    needs234_scratch[0] = 1;
    needs234_last = dlopen(name, RTLD_NOW);
    return needs234_last;
}
