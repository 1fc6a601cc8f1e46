/* A small real program for the trace and headroom tests: dlopens each
   argument in order and exits 1 with dlerror() on the first failure, the
   way an application that imports a plugin does. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!dlopen(argv[i], RTLD_NOW)) {
            fprintf(stderr, "dlopen-real: %s\n", dlerror());
            return 1;
        }
    }
    return 0;
}
